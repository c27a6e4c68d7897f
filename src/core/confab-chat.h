/* confab-chat.h: one conversation inside a project.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CHAT (confab_chat_get_type ())
G_DECLARE_FINAL_TYPE (ConfabChat, confab_chat, CONFAB, CHAT, GObject)

gint64      confab_chat_get_id         (ConfabChat *self);
gint64      confab_chat_get_project_id (ConfabChat *self);
const char *confab_chat_get_title      (ConfabChat *self);
/* "PROVIDER:MODEL" of the last model used or picked, or NULL. */
const char *confab_chat_get_model      (ConfabChat *self);
const char *confab_chat_get_draft      (ConfabChat *self);
gboolean    confab_chat_get_pinned     (ConfabChat *self);
gboolean    confab_chat_get_archived   (ConfabChat *self);
/* Unix time in microseconds. */
gint64      confab_chat_get_created    (ConfabChat *self);
gint64      confab_chat_get_updated    (ConfabChat *self);
/* The server's id of the chat in a shared project ("c…"), or NULL. */
const char *confab_chat_get_remote_id  (ConfabChat *self);

G_END_DECLS
