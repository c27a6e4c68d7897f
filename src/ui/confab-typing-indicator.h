/* confab-typing-indicator.h: "ada is typing…" under a shared chat, for a
 * few seconds after each of the room's typing notices.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-room-sync.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_TYPING_INDICATOR (confab_typing_indicator_get_type ())
G_DECLARE_FINAL_TYPE (ConfabTypingIndicator, confab_typing_indicator,
                      CONFAB, TYPING_INDICATOR, GtkWidget)

void confab_typing_indicator_set_sync (ConfabTypingIndicator *self,
                                       ConfabRoomSync        *sync);
/* Who types in @chat is shown; changing the chat forgets the others. */
void confab_typing_indicator_set_chat (ConfabTypingIndicator *self,
                                       ConfabChat            *chat);

G_END_DECLS
