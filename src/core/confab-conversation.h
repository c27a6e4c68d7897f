/* confab-conversation.h: turns a chat's stored history into the request
 * for the next model, whichever model wrote the earlier replies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "confab-chat-request.h"
#include "confab-store.h"

G_BEGIN_DECLS

/* Rough token estimate: one token per 4 bytes of UTF-8. English averages
 * about 4 characters per token; counting bytes instead of characters keeps
 * non-Latin scripts (denser in tokens) from being underestimated. */
#define CONFAB_CONVERSATION_BYTES_PER_TOKEN 4
/* Role markers and separators each turn costs on the wire. */
#define CONFAB_CONVERSATION_TOKENS_PER_TURN 4
/* Kept free for the reply when the model's output limit is unknown. */
#define CONFAB_CONVERSATION_DEFAULT_REPLY_TOKENS 4096

/* Splits "PROVIDER:MODEL" (the model part may itself hold ':' or '/', as in
 * "ollama:llama3.2:latest" or "openrouter:openai/gpt-4o"). */
gboolean           confab_conversation_split_model     (const char   *full_id,
                                                        char        **provider,
                                                        char        **model,
                                                        GError      **error);

gint64             confab_conversation_estimate_tokens (const char   *text);

/* The messages a reply to this line sees, oldest first: the main line
 * (parent_id 0), or the main line up to and including the parent message
 * followed by the parent's thread. Returns ConfabMessage objects. */
GPtrArray         *confab_conversation_collect         (ConfabStore  *store,
                                                        gint64        chat_id,
                                                        gint64        parent_id,
                                                        GError      **error);

/* Builds the request for target ("PROVIDER:MODEL") from messages (as from
 * confab_conversation_collect):
 * - the system prompt is system_prompt (nullable), plus the system messages
 *   of the history, plus a note on attribution when earlier replies came
 *   from other models;
 * - a reply written by another model starts with "[Reply from P:M]\n";
 * - a failed or cancelled reply keeps its partial text, marked
 *   "(incomplete)", and is left out when it has none;
 * - when the estimate exceeds context_window (tokens; 0: unknown, no
 *   trimming) minus room for the reply (max_output, or a default, at most a
 *   quarter of the window), the oldest turns are dropped and a marker turn
 *   says how many; the latest user message is never dropped.
 * n_dropped (optional) receives the number of messages left out. */
ConfabChatRequest *confab_conversation_build           (GPtrArray    *messages,
                                                        const char   *target,
                                                        const char   *system_prompt,
                                                        gint64        context_window,
                                                        gint64        max_output,
                                                        guint        *n_dropped);

/* A chat title from the first prompt: its first line, shortened. */
char              *confab_conversation_make_title      (const char   *prompt);

G_END_DECLS
