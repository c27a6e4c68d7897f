/* confab-alias-row.h: one @mention alias in Preferences: the model it
 * stands for (a picker) and a remove button, written to the store as
 * they change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-store-row.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_ALIAS_ROW (confab_alias_row_get_type ())
G_DECLARE_FINAL_TYPE (ConfabAliasRow, confab_alias_row, CONFAB, ALIAS_ROW, ConfabStoreRow)

/* ::removed and ::failed as a ConfabStoreRow. */
GtkWidget  *confab_alias_row_new       (ConfabStore          *store,
                                        ConfabModelCatalogue *catalogue,
                                        const char           *alias,
                                        const char           *model);
const char *confab_alias_row_get_alias (ConfabAliasRow       *self);

G_END_DECLS
