/* confab-search-dialog.h: search every chat (Ctrl+K); a result opens the
 * chat at the message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_SEARCH_DIALOG (confab_search_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ConfabSearchDialog, confab_search_dialog, CONFAB, SEARCH_DIALOG, AdwWindow)

/* Emits ::hit-activated (ConfabSearchHit) and closes when a result is
 * chosen. @filter (nullable) hides hits, e.g. of chats being deleted. */
ConfabSearchDialog *confab_search_dialog_new        (GtkWindow          *parent,
                                                     ConfabStore        *store,
                                                     GtkFilter          *filter);
ConfabStore        *confab_search_dialog_get_store  (ConfabSearchDialog *self);
GtkFilter          *confab_search_dialog_get_filter (ConfabSearchDialog *self);
void                confab_search_dialog_set_filter (ConfabSearchDialog *self,
                                                     GtkFilter          *filter);

G_END_DECLS
