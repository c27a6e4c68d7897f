/* confab-room-sync-share.c: sharing a local project: a new room, then its
 * chats, their current lines and threads published one by one, each bound
 * to its server id before the next, so a thread reply can name its
 * message and nothing is published twice.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-rooms"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-room-sync-private.h"

/* Too many frames at once (the server allows bursts of 200, then 40 a
 * second): wait and send the same thing again, this many times at most. */
#define SHARE_MAX_RETRIES 120

typedef struct
{
  ConfabProject *project;
  char          *room_id;
  GPtrArray     *items;        /* ConfabChat and ConfabMessage, in publishing order */
  guint          next;
  guint          retries;
  ConfabMessage *open_stream;  /* an assistant message started, not yet ended */
} Share;

static void
share_free (Share *share)
{
  g_clear_object (&share->project);
  g_clear_object (&share->open_stream);
  g_clear_pointer (&share->items, g_ptr_array_unref);
  g_free (share->room_id);
  g_free (share);
}

static void
add_line (ConfabStore *store,
          gint64       chat_id,
          gint64       parent_id,
          GPtrArray   *items)
{
  g_autoptr(ConfabMessageList) list = confab_store_list_messages (store, chat_id, parent_id);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (list), i);

      /* The server takes no system messages, nor empty text. */
      if (confab_message_get_role (message) == CONFAB_ROLE_SYSTEM ||
          *confab_message_get_content (message) == '\0')
        continue;

      g_ptr_array_add (items, g_object_ref (message));
      if (parent_id == 0 && confab_message_get_reply_count (message) > 0)
        add_line (store, chat_id, confab_message_get_id (message), items);
    }
}

/* Oldest chat first, each followed by its messages, each message by its
 * thread. */
static GPtrArray *
collect (ConfabStore   *store,
         ConfabProject *project)
{
  g_autoptr(GListModel) chats = confab_store_list_chats (store, project);
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = g_list_model_get_n_items (chats); i > 0; i--)
    {
      g_autoptr(ConfabChat) chat = g_list_model_get_item (chats, i - 1);

      g_ptr_array_add (items, g_object_ref (chat));
      add_line (store, confab_chat_get_id (chat), 0, items);
    }

  return items;
}

static void share_step (ConfabRoomSync *self,
                        const GError   *error,
                        gpointer        user_data);

static gboolean
share_retry_cb (gpointer user_data)
{
  GTask *task = user_data;

  share_step (g_task_get_source_object (task), NULL, task);
  return G_SOURCE_REMOVE;
}

static void
on_share_ended_cb (ConfabRoomSync *self,
                   ConfabRoom     *room,
                   JsonObject     *answer,
                   const GError   *error,
                   gpointer        user_data)
{
  GTask *task = user_data;
  Share *share = g_task_get_task_data (task);

  if (error == NULL)
    g_clear_object (&share->open_stream);

  share_step (self, error, task);
}

static void
on_share_started_cb (ConfabRoomSync *self,
                     ConfabRoom     *room,
                     JsonObject     *answer,
                     const GError   *error,
                     gpointer        user_data)
{
  GTask *task = user_data;
  Share *share = g_task_get_task_data (task);
  ConfabMessage *message = g_ptr_array_index (share->items, share->next - 1);
  const char *remote_id = _confab_json_str (answer, "message");
  g_autoptr(GError) local_error = NULL;

  if (error == NULL && remote_id == NULL)
    error = local_error = g_error_new_literal (CONFAB_PROTOCOL_ERROR,
                                               CONFAB_PROTOCOL_ERROR_INVALID,
                                               _("The server’s answer names no message."));

  if (error == NULL &&
      confab_store_set_message_remote_id (self->store, message, remote_id, &local_error))
    share->open_stream = g_object_ref (message);

  share_step (self, error != NULL ? error : local_error, task);
}

/* Publishes the next item; called again once it is bound. */
static void
share_step (ConfabRoomSync *self,
            const GError   *error,
            gpointer        user_data)
{
  g_autoptr(GTask) task = user_data;
  Share *share = g_task_get_task_data (task);
  ConfabRoom *room;

  if (error != NULL)
    {
      if (g_error_matches (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_RATE_LIMITED) &&
          share->retries++ < SHARE_MAX_RETRIES)
        {
          /* The same item again, unless only its end is missing. */
          if (share->open_stream == NULL && share->next > 0)
            share->next--;
          g_timeout_add_seconds (1, share_retry_cb, g_steal_pointer (&task));
          return;
        }

      g_task_return_error (task, g_error_copy (error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  room = _confab_room_sync_lookup_room (self, share->room_id);
  if (room == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("“%s” is no longer shared."),
                               confab_project_get_name (share->project));
      return;
    }

  if (share->open_stream != NULL)
    {
      ConfabMessage *message = share->open_stream;
      JsonObject *frame = _confab_stream_end_frame (confab_message_get_remote_id (message),
                                                    confab_message_get_content (message),
                                                    confab_message_get_status (message),
                                                    confab_message_get_error (message));

      _confab_room_sync_request (self, room, frame, FALSE, on_share_ended_cb,
                                 g_steal_pointer (&task));
      return;
    }

  while (share->next < share->items->len)
    {
      gpointer item = g_ptr_array_index (share->items, share->next++);
      ConfabMessage *message;
      g_autofree char *model = NULL;
      JsonObject *frame;

      if (CONFAB_IS_CHAT (item))
        {
          if (confab_chat_get_remote_id (item) != NULL)
            continue;

          _confab_room_publish_chat (self, room, item);
          _confab_room_wait (room, CONFAB_ROOM_WAIT_CHAT, confab_chat_get_id (item),
                             share_step, g_steal_pointer (&task));
          return;
        }

      message = item;
      if (confab_message_get_remote_id (message) != NULL)
        continue;

      if (confab_message_get_role (message) == CONFAB_ROLE_USER)
        {
          if (!_confab_room_publish_user_message (self, room, message))
            break;
          _confab_room_wait (room, CONFAB_ROOM_WAIT_MESSAGE, confab_message_get_id (message),
                             share_step, g_steal_pointer (&task));
          return;
        }

      /* A reply: started and ended at once, with its whole text. */
      frame = _confab_room_placed_frame (self, "stream.start", message);
      if (frame == NULL)
        break;
      model = _confab_message_model_id (message);
      json_object_set_string_member (frame, "model", model);
      _confab_room_sync_request (self, room, frame, TRUE, on_share_started_cb,
                                 g_steal_pointer (&task));
      return;
    }

  if (share->next < share->items->len)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("A chat of “%s” could not be shared."),
                             confab_project_get_name (share->project));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_room_created_cb (ConfabRoomSync *self,
                    ConfabRoom     *unused,
                    JsonObject     *answer,
                    const GError   *error,
                    gpointer        user_data)
{
  g_autoptr(GTask) task = user_data;
  Share *share = g_task_get_task_data (task);
  JsonObject *info = _confab_json_object (answer, "room");
  const char *room_id = _confab_json_str (info, "id");
  const char *role = _confab_json_str (info, "role");
  g_autoptr(GError) local_error = NULL;
  ConfabRoom *room;

  if (error != NULL)
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }

  if (room_id == NULL)
    {
      g_task_return_new_error (task, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                               _("The server’s answer names no room."));
      return;
    }

  if (!confab_store_bind_project_room (self->store, share->project,
                                       confab_room_client_get_server_url (self->client),
                                       room_id, role != NULL ? role : "owner", 0,
                                       &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  /* Joined from 0: the room's first events, then ours as they come. */
  share->room_id = g_strdup (room_id);
  room = _confab_room_sync_add_room (self, share->project);
  _confab_room_wait (room, CONFAB_ROOM_WAIT_JOINED, 0, share_step, g_steal_pointer (&task));
}

void
confab_room_sync_share_async (ConfabRoomSync      *self,
                              ConfabProject       *project,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Share *share;
  JsonObject *frame;

  g_return_if_fail (CONFAB_IS_ROOM_SYNC (self));
  g_return_if_fail (CONFAB_IS_PROJECT (project));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_room_sync_share_async);

  if (confab_project_get_shared (project))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_EXISTS,
                               _("“%s” is shared already."), confab_project_get_name (project));
      return;
    }

  if (confab_room_client_get_state (self->client) != CONFAB_ROOM_CLIENT_CONNECTED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("The server cannot be reached."));
      return;
    }

  share = g_new0 (Share, 1);
  share->project = g_object_ref (project);
  share->items = collect (self->store, project);
  g_task_set_task_data (task, share, (GDestroyNotify)share_free);

  frame = json_object_new ();
  json_object_set_string_member (frame, "type", "room.create");
  json_object_set_string_member (frame, "name", confab_project_get_name (project));
  _confab_room_sync_request (self, NULL, frame, FALSE, on_room_created_cb,
                             g_steal_pointer (&task));
}

gboolean
confab_room_sync_share_finish (ConfabRoomSync  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_SYNC (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
