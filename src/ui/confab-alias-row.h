/* confab-alias-row.h: one @mention alias in Preferences: the model it
 * stands for (a picker) and a remove button, written to the store as
 * they change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_ALIAS_ROW (confab_alias_row_get_type ())
G_DECLARE_FINAL_TYPE (ConfabAliasRow, confab_alias_row, CONFAB, ALIAS_ROW, AdwActionRow)

/* ::removed after the alias left the store; ::failed (a message) when the
 * store refused a change. */
GtkWidget  *confab_alias_row_new       (ConfabStore          *store,
                                        ConfabModelCatalogue *catalogue,
                                        const char           *alias,
                                        const char           *model);
const char *confab_alias_row_get_alias (ConfabAliasRow       *self);

G_END_DECLS
