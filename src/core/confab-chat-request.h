/* confab-chat-request.h: one request to a model, provider-neutral.
 *
 * The conversation builder fills it from the store (attribution and trimming
 * already applied); each provider turns it into its own wire format (system
 * prompt placement, role names, merging of same-role turns).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "confab-types.h"

G_BEGIN_DECLS

typedef struct
{
  ConfabRole  role;    /* CONFAB_ROLE_USER or CONFAB_ROLE_ASSISTANT */
  char       *text;
} ConfabTurn;

typedef struct _ConfabChatRequest ConfabChatRequest;

#define CONFAB_TYPE_CHAT_REQUEST (confab_chat_request_get_type ())
GType              confab_chat_request_get_type        (void) G_GNUC_CONST;

/* model is the provider's own model name, without the "PROVIDER:" prefix. */
ConfabChatRequest *confab_chat_request_new             (const char        *model);
ConfabChatRequest *confab_chat_request_ref             (ConfabChatRequest *self);
void               confab_chat_request_unref           (ConfabChatRequest *self);

const char        *confab_chat_request_get_model       (ConfabChatRequest *self);
void               confab_chat_request_set_system      (ConfabChatRequest *self,
                                                        const char        *system);
const char        *confab_chat_request_get_system      (ConfabChatRequest *self);
void               confab_chat_request_add_turn        (ConfabChatRequest *self,
                                                        ConfabRole         role,
                                                        const char        *text);
guint              confab_chat_request_get_n_turns     (ConfabChatRequest *self);
const ConfabTurn  *confab_chat_request_get_turn        (ConfabChatRequest *self,
                                                        guint              index);
/* -1 leaves the provider's default (Anthropic requires max_tokens: the
 * provider then picks a sensible value). */
void               confab_chat_request_set_max_tokens  (ConfabChatRequest *self,
                                                        gint64             max_tokens);
gint64             confab_chat_request_get_max_tokens  (ConfabChatRequest *self);
/* A negative value leaves the provider's default. */
void               confab_chat_request_set_temperature (ConfabChatRequest *self,
                                                        double             temperature);
double             confab_chat_request_get_temperature (ConfabChatRequest *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabChatRequest, confab_chat_request_unref)

G_END_DECLS
