/* confab-chat-controller.h: sends the composer's text in one chat line
 * (the main line or a thread), one turn at a time, and stops it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CHAT_CONTROLLER (confab_chat_controller_get_type ())
G_DECLARE_FINAL_TYPE (ConfabChatController, confab_chat_controller, CONFAB, CHAT_CONTROLLER, GObject)

ConfabChatController *confab_chat_controller_new           (void);
void                  confab_chat_controller_set_store     (ConfabChatController *self,
                                                            ConfabStore          *store);
void                  confab_chat_controller_set_catalogue (ConfabChatController *self,
                                                            ConfabModelCatalogue *catalogue);
/* Stops a running turn when the chat or line changes. */
void                  confab_chat_controller_set_chat      (ConfabChatController *self,
                                                            ConfabChat           *chat,
                                                            gint64                parent_id);
ConfabChat           *confab_chat_controller_get_chat      (ConfabChatController *self);
gboolean              confab_chat_controller_get_busy      (ConfabChatController *self);
/* prompt NULL answers the history as it is (retry). replace: a user
 * message to edit (prompt is its new text) or a reply to regenerate; the
 * old version stays as an alternative. model_id is "PROVIDER:MODEL".
 * On failure ::failed is emitted; prompt_stored tells whether the prompt
 * made it to the store (when not, the caller should give it back). */
void                  confab_chat_controller_send          (ConfabChatController *self,
                                                            const char           *prompt,
                                                            const char           *model_id,
                                                            ConfabMessage        *replace);
void                  confab_chat_controller_stop          (ConfabChatController *self);

G_END_DECLS
