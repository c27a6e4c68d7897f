/* confab-room-sync-rooms.c: the rooms a sync follows: joining them,
 * requests whose answers hold back the room's events, waiting for a local
 * row to get its server id, and losing a room.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-rooms"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-room-sync-private.h"

typedef struct
{
  ConfabRoomWait     what;
  gint64             local_id;
  ConfabRoomWaitFunc func;
  gpointer           user_data;
} Waiter;

typedef struct
{
  ConfabRoomWait what;
  gint64         local_id;
} Bind;

/* ---- Rooms */

GListStore *
_confab_room_sync_members_for (ConfabRoomSync *self,
                               gint64          project_id)
{
  GListStore *members = g_hash_table_lookup (self->members, &project_id);

  if (members == NULL)
    {
      members = g_list_store_new (CONFAB_TYPE_ROOM_MEMBER);
      g_hash_table_insert (self->members, g_memdup2 (&project_id, sizeof project_id), members);
    }

  return members;
}

void
_confab_room_free (ConfabRoom *room)
{
  DeferredEvent *deferred;

  while ((deferred = g_queue_pop_head (&room->deferred)) != NULL)
    _confab_deferred_event_free (deferred);
  g_clear_pointer (&room->binds, g_hash_table_unref);
  g_clear_pointer (&room->creating_chats, g_hash_table_unref);
  g_clear_pointer (&room->creating_messages, g_hash_table_unref);
  g_clear_pointer (&room->waiters, g_ptr_array_unref);
  g_clear_pointer (&room->streams, g_hash_table_unref);
  g_clear_pointer (&room->relays, g_hash_table_unref);
  g_clear_pointer (&room->typing, g_hash_table_unref);
  g_free (room->id);
  g_free (room);
}

ConfabRoom *
_confab_room_sync_lookup_room (ConfabRoomSync *self,
                               const char     *room_id)
{
  return room_id != NULL ? g_hash_table_lookup (self->rooms, room_id) : NULL;
}

ConfabRoom *
_confab_room_sync_room_for_chat (ConfabRoomSync *self,
                                 ConfabChat     *chat)
{
  GHashTableIter iter;
  ConfabRoom *room;
  gint64 project_id = confab_chat_get_project_id (chat);

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&room))
    if (room->project_id == project_id)
      return room;

  return NULL;
}

static ConfabRoom *
room_for_project (ConfabRoomSync *self,
                  ConfabProject  *project)
{
  ConfabRoom *room;

  if (!_confab_room_sync_is_mine (self, project))
    return NULL;

  room = _confab_room_sync_lookup_room (self, confab_project_get_room_id (project));
  return room != NULL && room->project_id == confab_project_get_id (project) ? room : NULL;
}

static ConfabRoom *
room_new (ConfabRoomSync *self,
          ConfabProject  *project)
{
  ConfabRoom *room = g_new0 (ConfabRoom, 1);

  room->sync = self;
  room->id = g_strdup (confab_project_get_room_id (project));
  room->project_id = confab_project_get_id (project);
  room->members = _confab_room_sync_members_for (self, room->project_id);
  g_queue_init (&room->deferred);
  room->binds = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  room->creating_chats = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  room->creating_messages = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  room->waiters = g_ptr_array_new_with_free_func (g_free);
  room->streams = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify)_confab_remote_stream_free);
  room->relays = g_hash_table_new (g_str_hash, g_str_equal);
  room->typing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* Replaces the key too: it belongs to the room it came with. */
  g_hash_table_replace (self->rooms, room->id, room);

  return room;
}

ConfabRoom *
_confab_room_sync_add_room (ConfabRoomSync *self,
                            ConfabProject  *project)
{
  ConfabRoom *room = room_for_project (self, project);

  if (room == NULL)
    room = room_new (self, project);

  _confab_room_join (self, room);

  return room;
}

/* ---- Waiting for a remote id or a join */

static gboolean
is_true (ConfabRoomSync *self,
         ConfabRoom     *room,
         ConfabRoomWait  what,
         gint64          local_id)
{
  switch (what)
    {
    case CONFAB_ROOM_WAIT_JOINED:
      return room->joined;

    case CONFAB_ROOM_WAIT_CHAT:
      {
        g_autoptr(ConfabChat) chat = confab_store_lookup_chat (self->store, local_id, NULL);
        return chat != NULL && confab_chat_get_remote_id (chat) != NULL;
      }

    case CONFAB_ROOM_WAIT_MESSAGE:
      {
        g_autoptr(ConfabMessage) message = confab_store_lookup_message (self->store, local_id,
                                                                        NULL);
        return message != NULL && confab_message_get_remote_id (message) != NULL;
      }

    default:
      g_assert_not_reached ();
    }
}

void
_confab_room_wait (ConfabRoom         *room,
                   ConfabRoomWait      what,
                   gint64              local_id,
                   ConfabRoomWaitFunc  func,
                   gpointer            user_data)
{
  Waiter *waiter;

  if (is_true (room->sync, room, what, local_id))
    {
      func (room->sync, NULL, user_data);
      return;
    }

  waiter = g_new0 (Waiter, 1);
  waiter->what = what;
  waiter->local_id = local_id;
  waiter->func = func;
  waiter->user_data = user_data;
  g_ptr_array_add (room->waiters, waiter);
}

/* The waiters are taken out before any is called: a call may add new ones
 * or lose the room. */
static GPtrArray *
take_waiters (ConfabRoom     *room,
              gboolean        all,
              ConfabRoomWait  what,
              gint64          local_id)
{
  GPtrArray *taken = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < room->waiters->len;)
    {
      Waiter *waiter = g_ptr_array_index (room->waiters, i);

      if (all || (waiter->what == what && waiter->local_id == local_id))
        g_ptr_array_add (taken, g_ptr_array_steal_index (room->waiters, i));
      else
        i++;
    }

  return taken;
}

static void
call_waiters (ConfabRoomSync *self,
              GPtrArray      *waiters,
              const GError   *error)
{
  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (waiters, i);

      waiter->func (self, error, waiter->user_data);
    }
}

void
_confab_room_notify (ConfabRoom     *room,
                     ConfabRoomWait  what,
                     gint64          local_id,
                     const GError   *error)
{
  ConfabRoomSync *self = room->sync;
  g_autoptr(GPtrArray) waiters = NULL;

  if (what == CONFAB_ROOM_WAIT_CHAT)
    g_hash_table_remove (room->creating_chats, &local_id);
  else if (what == CONFAB_ROOM_WAIT_MESSAGE)
    g_hash_table_remove (room->creating_messages, &local_id);

  waiters = take_waiters (room, FALSE, what, local_id);
  call_waiters (self, waiters, error);
}

gboolean
_confab_room_has_waiters (ConfabRoom     *room,
                          ConfabRoomWait  what,
                          gint64          local_id)
{
  for (guint i = 0; i < room->waiters->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (room->waiters, i);

      if (waiter->what == what && waiter->local_id == local_id)
        return TRUE;
    }

  return FALSE;
}

void
_confab_room_bind_seq (ConfabRoom     *room,
                       gint64          seq,
                       ConfabRoomWait  what,
                       gint64          local_id)
{
  Bind *bind = g_new0 (Bind, 1);

  bind->what = what;
  bind->local_id = local_id;
  g_hash_table_insert (room->binds, g_memdup2 (&seq, sizeof seq), bind);
}

gboolean
_confab_room_peek_bind (ConfabRoom     *room,
                        gint64          seq,
                        ConfabRoomWait  what,
                        gint64         *local_id)
{
  Bind *bind = g_hash_table_lookup (room->binds, &seq);

  if (bind == NULL || bind->what != what)
    return FALSE;

  *local_id = bind->local_id;
  return TRUE;
}

/* ---- Losing a room: removed, or the room was deleted. The project stays,
 * local. */

void
_confab_room_sync_lose (ConfabRoomSync *self,
                        ConfabRoom     *room,
                        const GError   *error)
{
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(GPtrArray) waiters = take_waiters (room, TRUE, 0, 0);
  g_autoptr(GError) store_error = NULL;
  g_autofree char *room_id = g_strdup (room->id);
  gint64 project_id = room->project_id;
  GListStore *members = room->members;

  g_debug ("Lost room %s: %s", room_id, error->message);

  g_hash_table_remove (self->rooms, room_id);
  confab_room_client_leave (self->client, room_id);
  g_list_store_remove_all (members);
  call_waiters (self, waiters, error);

  project = confab_store_lookup_project (self->store, project_id, NULL);
  if (project == NULL || g_strcmp0 (confab_project_get_room_id (project), room_id) != 0)
    return;

  if (!confab_store_unbind_project_room (self->store, project, &store_error))
    _confab_room_sync_emit_error (self, project_id, store_error);

  _confab_room_sync_emit_project_lost (self, project, error);
}

/* ---- Requests */

typedef struct
{
  ConfabRoomSync        *self;
  char                  *room_id;
  gboolean               creates;
  ConfabRoomRequestFunc  func;
  gpointer               user_data;
} Request;

static void
on_request_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(ConfabRoomSync) self = request->self;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  ConfabRoom *room;

  answer = confab_room_client_request_finish (CONFAB_ROOM_CLIENT (object), result, &error);
  room = _confab_room_sync_lookup_room (self, request->room_id);
  /* (A room lost and followed again meanwhile never counted it.) */
  if (room != NULL && request->creates && room->n_pending > 0)
    room->n_pending--;

  if (request->func != NULL)
    request->func (self, room,
                   answer != NULL && JSON_NODE_HOLDS_OBJECT (answer)
                     ? json_node_get_object (answer) : NULL,
                   error, request->user_data);

  /* The events that waited for this answer (the callback may have lost
   * the room). */
  room = _confab_room_sync_lookup_room (self, request->room_id);
  if (room != NULL && request->creates)
    _confab_room_drain (self, room);

  g_free (request->room_id);
  g_free (request);
}

void
_confab_room_sync_request (ConfabRoomSync        *self,
                           ConfabRoom            *room,
                           JsonObject            *frame,
                           gboolean               creates,
                           ConfabRoomRequestFunc  func,
                           gpointer               user_data)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  Request *request = g_new0 (Request, 1);

  request->self = g_object_ref (self);
  request->creates = creates && room != NULL;
  request->func = func;
  request->user_data = user_data;

  if (room != NULL)
    {
      request->room_id = g_strdup (room->id);
      json_object_set_string_member (frame, "room", room->id);
      if (request->creates)
        room->n_pending++;
    }

  json_node_take_object (node, frame);
  confab_room_client_request_async (self->client, node, self->cancellable,
                                    on_request_done, request);
}

/* ---- Joining */

typedef struct
{
  ConfabRoomSync *self;
  char           *room_id;
  guint           serial;
} JoinData;

static void
on_join_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  JoinData *data = user_data;
  g_autoptr(ConfabRoomSync) self = data->self;
  g_autofree char *room_id = data->room_id;
  g_autoptr(JsonNode) joined = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) waiters = NULL;
  guint serial = data->serial;
  ConfabRoom *room;

  g_free (data);

  joined = confab_room_client_join_finish (CONFAB_ROOM_CLIENT (object), result, &error);
  room = _confab_room_sync_lookup_room (self, room_id);

  /* Gone, or a join replaced by a newer one (a resync). */
  if (room == NULL || serial != room->join_serial)
    return;

  room->joining = FALSE;

  if (joined == NULL)
    {
      /* Not a member any more, or the room is gone: the project goes back
       * to being local. Network trouble: the next connection tries again. */
      if (g_error_matches (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NOT_FOUND) ||
          g_error_matches (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_FORBIDDEN))
        {
          _confab_room_sync_lose (self, room, error);
          return;
        }

      /* Network trouble is the client's to show (it reconnects). */
      if (error->domain != G_IO_ERROR)
        _confab_room_sync_emit_error (self, room->project_id, error);

      waiters = take_waiters (room, FALSE, CONFAB_ROOM_WAIT_JOINED, 0);
      call_waiters (self, waiters, error);
      return;
    }

  room->joined = TRUE;
  if (!_confab_room_apply_joined (self, room, json_node_get_object (joined)))
    return;

  _confab_room_notify (room, CONFAB_ROOM_WAIT_JOINED, 0, NULL);
}

void
_confab_room_sync_drop (ConfabRoomSync *self,
                        ConfabRoom     *room)
{
  g_autofree char *room_id = g_strdup (room->id);
  g_autoptr(GPtrArray) waiters = take_waiters (room, TRUE, 0, 0);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                                 _("The project was deleted."));

  g_hash_table_remove (self->rooms, room_id);
  confab_room_client_leave (self->client, room_id);
  call_waiters (self, waiters, error);
}

void
_confab_room_join (ConfabRoomSync *self,
                   ConfabRoom     *room)
{
  g_autoptr(ConfabProject) project = NULL;
  JoinData *data;

  /* Connected but not signed in yet: the sign-in joins it. */
  if (room->joining || room->joined ||
      confab_room_client_get_state (self->client) != CONFAB_ROOM_CLIENT_CONNECTED ||
      confab_room_client_get_user (self->client) == NULL)
    return;

  project = confab_store_lookup_project (self->store, room->project_id, NULL);
  if (project == NULL)
    {
      _confab_room_sync_drop (self, room);
      return;
    }

  room->joining = TRUE;
  room->stalled = FALSE;

  data = g_new0 (JoinData, 1);
  data->self = g_object_ref (self);
  data->room_id = g_strdup (room->id);
  data->serial = ++room->join_serial;
  g_debug ("Joining room %s since %" G_GINT64_FORMAT, room->id,
           confab_project_get_room_seq (project));
  confab_room_client_join_async (self->client, room->id, confab_project_get_room_seq (project),
                                 self->cancellable, on_join_done, data);
}

/* Joins again from the project's room-seq: after a gap, or an event that
 * could not be applied. */
void
_confab_room_sync_resync (ConfabRoomSync *self,
                          ConfabRoom     *room)
{
  DeferredEvent *deferred;

  while ((deferred = g_queue_pop_head (&room->deferred)) != NULL)
    _confab_deferred_event_free (deferred);

  /* The client keeps the seq of a room it follows: it must forget it. */
  if (room->joined || room->joining)
    confab_room_client_leave (self->client, room->id);
  room->joined = FALSE;
  room->joining = FALSE;
  room->resynced = TRUE;
  _confab_room_join (self, room);
}

void
_confab_room_sync_forget_rooms (ConfabRoomSync *self)
{
  g_autoptr(GPtrArray) waiters = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 _("Sharing stopped."));
  GHashTableIter iter;
  gpointer value;

  /* Each holds a share's or a relay's reference: they must hear of it. */
  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ConfabRoom *room = value;

      while (room->waiters->len > 0)
        g_ptr_array_add (waiters, g_ptr_array_steal_index (room->waiters, 0));
    }

  g_hash_table_remove_all (self->rooms);
  call_waiters (self, waiters, error);
}

