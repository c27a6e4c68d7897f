/* confab-chat-view.h: the content page showing one chat's messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CHAT_VIEW (confab_chat_view_get_type ())
G_DECLARE_FINAL_TYPE (ConfabChatView, confab_chat_view, CONFAB, CHAT_VIEW, GtkWidget)

ConfabStore *confab_chat_view_get_store  (ConfabChatView *self);
void         confab_chat_view_set_store  (ConfabChatView *self,
                                          ConfabStore    *store);
ConfabChat  *confab_chat_view_get_chat   (ConfabChatView *self);
void         confab_chat_view_set_chat   (ConfabChatView *self,
                                          ConfabChat     *chat);
gboolean     confab_chat_view_get_folded (ConfabChatView *self);
void         confab_chat_view_set_folded (ConfabChatView *self,
                                          gboolean        folded);

/* ---- Search (owned by the window/search side, see confab-chat-view.c) */
/* Scrolls to @message of the open chat (a thread reply: to its parent on
 * the main line) and sets :highlight-id to it. */
void         confab_chat_view_reveal_message   (ConfabChatView *self,
                                                ConfabMessage  *message);
/* The id of the message shown as "highlighted", 0 for none. Cleared by the
 * user's next scroll, click or key press in the view. */
gint64       confab_chat_view_get_highlight_id (ConfabChatView *self);
void         confab_chat_view_set_highlight_id (ConfabChatView *self,
                                                gint64          message_id);
/* Shows the find bar of the open chat (Ctrl+F). */
void         confab_chat_view_begin_search     (ConfabChatView *self);
/* The menu of the header's chat menu button (the window shares its chat
 * context menu so both offer the same actions). */
void         confab_chat_view_set_menu_model   (ConfabChatView *self,
                                                GMenuModel     *menu_model);

G_END_DECLS
