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

G_END_DECLS
