/* confab-chat-search-bar.h: find in the open chat (Ctrl+F): walks the
 * matching messages from the newest up, emitting ::message-found for each
 * one to show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CHAT_SEARCH_BAR (confab_chat_search_bar_get_type ())
G_DECLARE_FINAL_TYPE (ConfabChatSearchBar, confab_chat_search_bar,
                      CONFAB, CHAT_SEARCH_BAR, GtkWidget)

ConfabStore *confab_chat_search_bar_get_store (ConfabChatSearchBar *self);
void         confab_chat_search_bar_set_store (ConfabChatSearchBar *self,
                                               ConfabStore         *store);
ConfabChat  *confab_chat_search_bar_get_chat  (ConfabChatSearchBar *self);
/* A new chat closes the bar. */
void         confab_chat_search_bar_set_chat  (ConfabChatSearchBar *self,
                                               ConfabChat          *chat);
/* Shows the bar and focuses the query, selected for retyping. */
void         confab_chat_search_bar_begin     (ConfabChatSearchBar *self);
void         confab_chat_search_bar_end       (ConfabChatSearchBar *self);
gboolean     confab_chat_search_bar_get_active (ConfabChatSearchBar *self);

G_END_DECLS
