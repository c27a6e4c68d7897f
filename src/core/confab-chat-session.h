/* confab-chat-session.h: runs one turn of a chat: stores the prompt, asks
 * the model with the whole history, and streams the reply into the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "confab-model-catalogue.h"
#include "confab-provider.h"
#include "confab-reply.h"
#include "confab-store.h"

G_BEGIN_DECLS

/* A streaming reply is written to the store at most this often (and always
 * at the end): often enough that a crash loses little, rarely enough that
 * a fast stream does not turn into hundreds of writes a second. */
#define CONFAB_CHAT_SESSION_WRITE_INTERVAL_MS 250

#define CONFAB_TYPE_CHAT_SESSION (confab_chat_session_get_type ())
G_DECLARE_FINAL_TYPE (ConfabChatSession, confab_chat_session, CONFAB, CHAT_SESSION, GObject)

/* model is the provider's own model name (without "PROVIDER:"); the reply
 * is attributed to "PROVIDER:MODEL". The provider must have its key (see
 * confab_model_catalogue_get_provider_async()). */
ConfabChatSession *confab_chat_session_new               (ConfabStore          *store,
                                                          ConfabChat           *chat,
                                                          ConfabProvider       *provider,
                                                          const char           *model);
ConfabStore       *confab_chat_session_get_store         (ConfabChatSession    *self);
ConfabChat        *confab_chat_session_get_chat          (ConfabChatSession    *self);
ConfabProvider    *confab_chat_session_get_provider      (ConfabChatSession    *self);
/* "PROVIDER:MODEL" */
const char        *confab_chat_session_get_model_id      (ConfabChatSession    *self);

/* Answer in the thread of this main-line message (0, the default: the
 * main line). */
void               confab_chat_session_set_parent_id     (ConfabChatSession    *self,
                                                          gint64                parent_id);
gint64             confab_chat_session_get_parent_id     (ConfabChatSession    *self);
/* Where the model's context window comes from (NULL: unknown, so the
 * history is never trimmed). */
void               confab_chat_session_set_catalogue     (ConfabChatSession    *self,
                                                          ConfabModelCatalogue *catalogue);

/* Stores prompt as a user message (prompt NULL: answer the history as it
 * is, e.g. to retry), then the reply as an assistant message that streams
 * in. The reply ends complete, error (with the provider's mapped message)
 * or cancelled, its partial text kept either way. Fails with that error,
 * or earlier if the prompt could not be stored. One turn at a time. */
void               confab_chat_session_send_async        (ConfabChatSession    *self,
                                                          const char           *prompt,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean           confab_chat_session_send_finish       (ConfabChatSession    *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

gboolean           confab_chat_session_get_busy          (ConfabChatSession    *self);
/* Of the last turn (NULL before it got that far). */
ConfabMessage     *confab_chat_session_get_user_message  (ConfabChatSession    *self);
ConfabMessage     *confab_chat_session_get_reply_message (ConfabChatSession    *self);
ConfabReply       *confab_chat_session_get_reply         (ConfabChatSession    *self);
/* How many earlier messages were left out to fit the context window. */
guint              confab_chat_session_get_n_dropped     (ConfabChatSession    *self);

G_END_DECLS
