/* confab-message-list.h: a GListModel over one chat's messages that reads
 * them from the store a page at a time, so huge chats open instantly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_MESSAGE_LIST_PAGE_SIZE 128

#define CONFAB_TYPE_MESSAGE_LIST (confab_message_list_get_type ())
G_DECLARE_FINAL_TYPE (ConfabMessageList, confab_message_list, CONFAB, MESSAGE_LIST, GObject)

gint64  confab_message_list_get_chat_id   (ConfabMessageList *self);
gint64  confab_message_list_get_parent_id (ConfabMessageList *self);
/* How many pages have been read from the database so far (for tests and
 * benchmarks: opening a chat must not read all of it). */
guint   confab_message_list_get_pages_loaded (ConfabMessageList *self);

G_END_DECLS
