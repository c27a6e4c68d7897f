/* confab-chat-row.h: a chat in the sidebar: its title, a pin when pinned,
 * dimmed when archived.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CHAT_ROW (confab_chat_row_get_type ())
G_DECLARE_FINAL_TYPE (ConfabChatRow, confab_chat_row, CONFAB, CHAT_ROW, GtkWidget)

ConfabChat *confab_chat_row_get_chat (ConfabChatRow *self);
void        confab_chat_row_set_chat (ConfabChatRow *self,
                                      ConfabChat    *chat);

G_END_DECLS
