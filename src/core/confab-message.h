/* confab-message.h: one message, stored provider-neutral.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MESSAGE (confab_message_get_type ())
G_DECLARE_FINAL_TYPE (ConfabMessage, confab_message, CONFAB, MESSAGE, GObject)

gint64              confab_message_get_id            (ConfabMessage *self);
gint64              confab_message_get_chat_id       (ConfabMessage *self);
/* The message a thread reply belongs to; 0 on the chat's main line. */
gint64              confab_message_get_parent_id     (ConfabMessage *self);
ConfabRole          confab_message_get_role          (ConfabMessage *self);
/* A user name for user messages, "PROVIDER:MODEL" for assistant ones
 * (a round-table speaker's name for its turns). */
const char         *confab_message_get_author        (ConfabMessage *self);
const char         *confab_message_get_provider      (ConfabMessage *self);
const char         *confab_message_get_model         (ConfabMessage *self);
/* The speaker's name of a round-table turn (a reply whose author is not
 * its model), NULL for any other message. */
const char         *confab_message_get_speaker       (ConfabMessage *self);
const char         *confab_message_get_content       (ConfabMessage *self);
ConfabMessageStatus confab_message_get_status        (ConfabMessage *self);
const char         *confab_message_get_error         (ConfabMessage *self);
/* -1 when unknown. */
gint64              confab_message_get_input_tokens  (ConfabMessage *self);
gint64              confab_message_get_output_tokens (ConfabMessage *self);
/* Unix time in microseconds. */
gint64              confab_message_get_created       (ConfabMessage *self);
/* The thread on this message: its number of replies (0 when it has none)
 * and the time of the newest one (0 when none). Kept current by the store
 * as replies come and go, so a "3 replies" label can bind to them. */
guint               confab_message_get_reply_count   (ConfabMessage *self);
gint64              confab_message_get_last_reply    (ConfabMessage *self);
/* Branches (editing a message or regenerating a reply keeps the old
 * version). TRUE when the message is on its chat's current line; a thread
 * reply follows its parent. Inactive messages stay stored and searchable. */
gboolean            confab_message_get_active        (ConfabMessage *self);
/* The cut that took it off the current line, 0 while it is on it. */
gint64              confab_message_get_branch        (ConfabMessage *self);
/* The versions at this point of the conversation (1 when it was never
 * edited or regenerated) and this one's place among them, oldest first:
 * "alternative-index + 1 / n-alternatives". Kept current by the store. */
guint               confab_message_get_n_alternatives    (ConfabMessage *self);
guint               confab_message_get_alternative_index (ConfabMessage *self);
/* The server's id of the message in a shared project ("m…"), or NULL. */
const char         *confab_message_get_remote_id     (ConfabMessage *self);

G_END_DECLS
