/* confab-room-sync-publish.c: local changes published to the room: sharing
 * a project, new chats, a chat session's turns (the prompt, then the reply
 * relayed as it streams), deletions, typing, invites.
 *
 * What we publish comes back as events. The server answers a request
 * before it broadcasts the event the request made, so the answer tells
 * which local row the event is (its id, or its seq: see _confab_room_bind_seq)
 * and the event binds that row instead of adding a copy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-rooms"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "confab-room-sync-private.h"

/* ---- One chat or message */

typedef struct
{
  ConfabRoomWait what;
  gint64         local_id;
} Published;

/* The answer to chat.create or message.create: the id now, or the seq of
 * the event that will bring it. */
static void
on_created_cb (ConfabRoomSync *self,
               ConfabRoom     *room,
               JsonObject     *answer,
               const GError   *error,
               gpointer        user_data)
{
  g_autofree Published *published = user_data;
  g_autoptr(GError) local_error = NULL;
  const char *remote_id;
  gint64 seq;

  if (room == NULL)
    return;

  if (error != NULL)
    {
      /* Whoever waits reports it (a share fails, a relay tells). */
      if (!_confab_room_has_waiters (room, published->what, published->local_id))
        _confab_room_sync_emit_error (self, room->project_id, error);
      _confab_room_notify (room, published->what, published->local_id, error);
      return;
    }

  remote_id = _confab_json_str (answer, published->what == CONFAB_ROOM_WAIT_CHAT
                                        ? "chat" : "message");
  seq = _confab_json_int (answer, "seq");

  if (remote_id != NULL)
    {
      if (published->what == CONFAB_ROOM_WAIT_CHAT)
        {
          g_autoptr(ConfabChat) chat = confab_store_lookup_chat (self->store,
                                                                 published->local_id,
                                                                 &local_error);
          if (chat != NULL)
            confab_store_set_chat_remote_id (self->store, chat, remote_id, &local_error);
        }
      else
        {
          g_autoptr(ConfabMessage) message = confab_store_lookup_message (self->store,
                                                                          published->local_id,
                                                                          &local_error);
          if (message != NULL)
            confab_store_set_message_remote_id (self->store, message, remote_id,
                                                &local_error);
        }
    }
  else if (seq > 0)
    {
      _confab_room_bind_seq (room, seq, published->what, published->local_id);
      return;
    }
  else
    local_error = g_error_new_literal (CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                                       _("The server’s answer names nothing it created."));

  if (local_error != NULL &&
      !_confab_room_has_waiters (room, published->what, published->local_id))
    _confab_room_sync_emit_error (self, room->project_id, local_error);
  _confab_room_notify (room, published->what, published->local_id, local_error);
}

static void
send_create (ConfabRoomSync *self,
             ConfabRoom     *room,
             JsonObject     *frame,
             ConfabRoomWait  what,
             gint64          local_id)
{
  Published *published = g_new0 (Published, 1);

  published->what = what;
  published->local_id = local_id;
  g_hash_table_add (what == CONFAB_ROOM_WAIT_CHAT ? room->creating_chats
                                                  : room->creating_messages,
                    g_memdup2 (&local_id, sizeof local_id));
  _confab_room_sync_request (self, room, frame, TRUE, on_created_cb, published);
}

void
_confab_room_publish_chat (ConfabRoomSync *self,
                           ConfabRoom     *room,
                           ConfabChat     *chat)
{
  gint64 id = confab_chat_get_id (chat);
  const char *title = confab_chat_get_title (chat);
  JsonObject *frame;

  if (confab_chat_get_remote_id (chat) != NULL ||
      g_hash_table_contains (room->creating_chats, &id))
    return;

  frame = json_object_new ();
  json_object_set_string_member (frame, "type", "chat.create");
  json_object_set_string_member (frame, "title",
                                 title != NULL && *title != '\0' ? title : _("New chat"));
  send_create (self, room, frame, CONFAB_ROOM_WAIT_CHAT, id);
}

/* The remote ids of a message's chat and thread; FALSE when one is missing. */
static gboolean
place_of (ConfabRoomSync  *self,
          gint64           chat_id,
          gint64           parent_id,
          const char     **chat_remote,
          const char     **thread_remote,
          GPtrArray       *hold)
{
  ConfabChat *chat = confab_store_lookup_chat (self->store, chat_id, NULL);

  *thread_remote = NULL;
  if (chat == NULL)
    return FALSE;
  g_ptr_array_add (hold, chat);
  *chat_remote = confab_chat_get_remote_id (chat);

  if (parent_id != 0)
    {
      ConfabMessage *parent = confab_store_lookup_message (self->store, parent_id, NULL);

      if (parent == NULL)
        return FALSE;
      g_ptr_array_add (hold, parent);
      *thread_remote = confab_message_get_remote_id (parent);
      if (*thread_remote == NULL)
        return FALSE;
    }

  return *chat_remote != NULL;
}

/* A frame for a message's place: "chat" and, in a thread, "thread". */
JsonObject *
_confab_room_placed_frame (ConfabRoomSync *self,
                           const char     *type,
                           ConfabMessage  *message)
{
  g_autoptr(GPtrArray) hold G_GNUC_UNUSED = g_ptr_array_new_with_free_func (g_object_unref);
  const char *chat_remote = NULL;
  const char *thread_remote = NULL;
  JsonObject *frame;

  if (!place_of (self, confab_message_get_chat_id (message),
                 confab_message_get_parent_id (message), &chat_remote, &thread_remote, hold))
    return NULL;

  frame = json_object_new ();
  json_object_set_string_member (frame, "type", type);
  json_object_set_string_member (frame, "chat", chat_remote);
  if (thread_remote != NULL)
    json_object_set_string_member (frame, "thread", thread_remote);

  return frame;
}

gboolean
_confab_room_publish_user_message (ConfabRoomSync *self,
                                   ConfabRoom     *room,
                                   ConfabMessage  *message)
{
  JsonObject *frame = _confab_room_placed_frame (self, "message.create", message);

  if (frame == NULL)
    return FALSE;

  json_object_set_string_member (frame, "text", confab_message_get_content (message));
  send_create (self, room, frame, CONFAB_ROOM_WAIT_MESSAGE, confab_message_get_id (message));
  return TRUE;
}

/* "PROVIDER:MODEL" of an assistant message. */
char *
_confab_message_model_id (ConfabMessage *message)
{
  const char *author = confab_message_get_author (message);

  if (author != NULL && strchr (author, ':') != NULL)
    return g_strdup (author);

  return g_strdup_printf ("%s:%s",
                          confab_message_get_provider (message) != NULL
                            ? confab_message_get_provider (message) : "unknown",
                          confab_message_get_model (message) != NULL
                            ? confab_message_get_model (message) : "unknown");
}

JsonObject *
_confab_stream_end_frame (const char          *remote_id,
                          const char          *text,
                          ConfabMessageStatus  status,
                          const char          *error_text)
{
  JsonObject *frame = json_object_new ();

  /* A reply left streaming by a crash ends as cancelled. */
  if (status == CONFAB_MESSAGE_STATUS_STREAMING)
    status = CONFAB_MESSAGE_STATUS_CANCELLED;

  json_object_set_string_member (frame, "type", "stream.end");
  json_object_set_string_member (frame, "message", remote_id);
  json_object_set_string_member (frame, "text", text != NULL ? text : "");
  json_object_set_string_member (frame, "status", confab_message_status_to_string (status));
  if (status == CONFAB_MESSAGE_STATUS_ERROR && error_text != NULL)
    json_object_set_string_member (frame, "error", error_text);

  return frame;
}

/* ---- Relaying one turn of a chat session */

struct _ConfabRelay
{
  guint               ref_count;
  ConfabRoomSync     *self;
  char               *room_id;
  ConfabChatSession  *session;
  gint64              chat_id;
  gint64              parent_id;
  ConfabMessage      *reply;
  char               *remote_id;       /* the reply's, from stream.start's answer */
  GString            *text;            /* the reply so far */
  gsize               sent;            /* bytes of it sent as deltas */
  guint               flush_id;
  gulong              handlers[4];
  guint               started : 1;
  guint               finished : 1;
  guint               end_pending : 1; /* stream.end failed offline: sent on reconnection */
  guint               stopped : 1;
};

static ConfabRelay *
relay_ref (ConfabRelay *relay)
{
  relay->ref_count++;
  return relay;
}

static void
relay_unref (ConfabRelay *relay)
{
  if (--relay->ref_count > 0)
    return;

  g_clear_object (&relay->reply);
  g_clear_object (&relay->session);
  g_string_free (relay->text, TRUE);
  g_free (relay->remote_id);
  g_free (relay->room_id);
  g_free (relay);
}

static void
relay_disconnect (ConfabRelay *relay)
{
  for (guint i = 0; i < G_N_ELEMENTS (relay->handlers); i++)
    g_clear_signal_handler (&relay->handlers[i], relay->session);
}

/* The sync's reference: dropped when the turn is over or the sync goes. */
void
_confab_relay_free (ConfabRelay *relay)
{
  ConfabRoom *room = _confab_room_sync_lookup_room (relay->self, relay->room_id);

  relay->stopped = TRUE;
  relay_disconnect (relay);
  g_clear_handle_id (&relay->flush_id, g_source_remove);
  if (room != NULL && relay->remote_id != NULL &&
      g_hash_table_lookup (room->relays, relay->remote_id) == relay)
    g_hash_table_remove (room->relays, relay->remote_id);
  relay_unref (relay);
}

static void
relay_done (ConfabRelay *relay)
{
  if (!relay->stopped)
    g_ptr_array_remove (relay->self->relays, relay);
}

static void
relay_fail (ConfabRelay  *relay,
            const GError *error)
{
  ConfabRoom *room = _confab_room_sync_lookup_room (relay->self, relay->room_id);

  if (room != NULL && error != NULL)
    _confab_room_sync_emit_error (relay->self, room->project_id, error);
  relay_done (relay);
}

static void
on_relay_ended_cb (ConfabRoomSync *self,
                   ConfabRoom     *room,
                   JsonObject     *answer,
                   const GError   *error,
                   gpointer        user_data)
{
  ConfabRelay *relay = user_data;

  if (!relay->stopped)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
        relay->end_pending = TRUE;
      else
        relay_fail (relay, error);
    }

  relay_unref (relay);
}

static void
relay_send_end (ConfabRelay *relay)
{
  ConfabRoom *room = _confab_room_sync_lookup_room (relay->self, relay->room_id);
  JsonObject *frame;

  g_clear_handle_id (&relay->flush_id, g_source_remove);
  relay->end_pending = FALSE;
  if (room == NULL)
    {
      relay_done (relay);
      return;
    }

  frame = _confab_stream_end_frame (relay->remote_id, confab_message_get_content (relay->reply),
                            confab_message_get_status (relay->reply),
                            confab_message_get_error (relay->reply));
  _confab_room_sync_request (relay->self, room, frame, FALSE, on_relay_ended_cb,
                             relay_ref (relay));
}

void
_confab_room_sync_resend_ends (ConfabRoomSync *self)
{
  for (guint i = 0; i < self->relays->len; i++)
    {
      ConfabRelay *relay = g_ptr_array_index (self->relays, i);

      if (relay->end_pending)
        relay_send_end (relay);
    }
}

static gboolean
relay_flush_cb (gpointer user_data)
{
  ConfabRelay *relay = user_data;
  ConfabRoom *room = _confab_room_sync_lookup_room (relay->self, relay->room_id);
  g_autoptr(JsonNode) node = NULL;

  relay->flush_id = 0;
  if (room == NULL || relay->remote_id == NULL || relay->sent >= relay->text->len)
    return G_SOURCE_REMOVE;

  node = confab_protocol_delta_frame (room->id, relay->remote_id,
                                      relay->text->str + relay->sent, relay->sent);

  /* Offline, the next flush sends the whole rest from the same offset. */
  if (confab_room_client_send (relay->self->client, node))
    relay->sent = relay->text->len;

  return G_SOURCE_REMOVE;
}

static void
relay_schedule_flush (ConfabRelay *relay)
{
  if (relay->flush_id == 0 && relay->remote_id != NULL && !relay->finished)
    relay->flush_id = g_timeout_add (CONFAB_PROTOCOL_DELTA_INTERVAL_MS, relay_flush_cb, relay);
}

static void
on_relay_started_cb (ConfabRoomSync *self,
                     ConfabRoom     *room,
                     JsonObject     *answer,
                     const GError   *error,
                     gpointer        user_data)
{
  ConfabRelay *relay = user_data;
  g_autoptr(GError) local_error = NULL;
  const char *remote_id = _confab_json_str (answer, "message");

  if (relay->stopped)
    goto out;

  if (error != NULL || room == NULL || remote_id == NULL)
    {
      if (error == NULL)
        local_error = g_error_new_literal (CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                                           _("The server’s answer names no message."));
      relay_fail (relay, error != NULL ? error : local_error);
      goto out;
    }

  relay->remote_id = g_strdup (remote_id);
  g_hash_table_insert (room->relays, relay->remote_id, relay);
  if (!confab_store_set_message_remote_id (self->store, relay->reply, remote_id, &local_error))
    _confab_room_sync_emit_error (self, room->project_id, local_error);

  if (relay->finished)
    relay_send_end (relay);
  else
    relay_schedule_flush (relay);

out:
  relay_unref (relay);
}

static void relay_place_ready_cb (ConfabRoomSync *self,
                                  const GError   *error,
                                  gpointer        user_data);

/* The chat (and thread) are known to the server: the prompt, then the
 * reply's start, back to back (the server keeps their order). */
static void
relay_publish (ConfabRelay *relay,
               ConfabRoom  *room)
{
  ConfabRoomSync *self = relay->self;
  ConfabMessage *user = confab_chat_session_get_user_message (relay->session);
  g_autoptr(ConfabMessage) parent = NULL;
  g_autofree char *model = NULL;
  JsonObject *frame;

  if (relay->parent_id != 0)
    {
      parent = confab_store_lookup_message (self->store, relay->parent_id, NULL);
      if (parent != NULL && confab_message_get_remote_id (parent) == NULL &&
          g_hash_table_contains (room->creating_messages, &relay->parent_id))
        {
          _confab_room_wait (room, CONFAB_ROOM_WAIT_MESSAGE, relay->parent_id,
                             relay_place_ready_cb, relay_ref (relay));
          return;
        }
    }

  if (user != NULL && confab_message_get_remote_id (user) == NULL)
    _confab_room_publish_user_message (self, room, user);

  frame = _confab_room_placed_frame (self, "stream.start", relay->reply);
  if (frame == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                                     _("This thread’s message is not shared."));
      relay_fail (relay, error);
      return;
    }

  model = _confab_message_model_id (relay->reply);
  json_object_set_string_member (frame, "model", model);
  _confab_room_sync_request (self, room, frame, TRUE, on_relay_started_cb, relay_ref (relay));
}

static void
relay_place_ready_cb (ConfabRoomSync *self,
                      const GError   *error,
                      gpointer        user_data)
{
  ConfabRelay *relay = user_data;
  ConfabRoom *room;

  if (relay->stopped)
    goto out;

  room = _confab_room_sync_lookup_room (self, relay->room_id);
  if (error != NULL || room == NULL)
    relay_fail (relay, error);
  else
    relay_publish (relay, room);

out:
  relay_unref (relay);
}

static void
on_session_started_cb (ConfabChatSession *session,
                       ConfabMessage     *reply,
                       ConfabRelay       *relay)
{
  ConfabRoom *room = _confab_room_sync_lookup_room (relay->self, relay->room_id);
  g_autoptr(ConfabChat) chat = NULL;

  relay->started = TRUE;
  g_set_object (&relay->reply, reply);

  chat = confab_store_lookup_chat (relay->self->store, relay->chat_id, NULL);
  if (room == NULL || chat == NULL)
    {
      relay_done (relay);
      return;
    }

  /* A chat new here is published first; the turn follows once it is. */
  _confab_room_publish_chat (relay->self, room, chat);
  _confab_room_wait (room, CONFAB_ROOM_WAIT_CHAT, relay->chat_id, relay_place_ready_cb,
                     relay_ref (relay));
}

static void
on_session_delta_cb (ConfabChatSession *session,
                     const char        *text,
                     ConfabRelay       *relay)
{
  g_string_append (relay->text, text);
  relay_schedule_flush (relay);
}

static void
on_session_finished_cb (ConfabChatSession *session,
                        ConfabMessage     *reply,
                        const GError      *error,
                        ConfabRelay       *relay)
{
  relay->finished = TRUE;
  relay_disconnect (relay);

  /* Else stream.start's answer sends it. */
  if (relay->remote_id != NULL)
    relay_send_end (relay);
}

static void
on_session_busy_cb (ConfabChatSession *session,
                    GParamSpec        *pspec,
                    ConfabRelay       *relay)
{
  /* The turn failed before its reply started (the prompt could not be
   * stored): nothing to relay. */
  if (!confab_chat_session_get_busy (session) && !relay->started)
    relay_done (relay);
}

void
confab_room_sync_relay (ConfabRoomSync    *self,
                        ConfabChatSession *session)
{
  ConfabChat *chat;
  ConfabRoom *room;
  ConfabRelay *relay;

  g_return_if_fail (CONFAB_IS_ROOM_SYNC (self));
  g_return_if_fail (CONFAB_IS_CHAT_SESSION (session));

  chat = confab_chat_session_get_chat (session);
  room = _confab_room_sync_room_for_chat (self, chat);
  if (room == NULL)
    return;

  relay = g_new0 (ConfabRelay, 1);
  relay->ref_count = 1;
  relay->self = self;
  relay->room_id = g_strdup (room->id);
  relay->session = g_object_ref (session);
  relay->chat_id = confab_chat_get_id (chat);
  relay->parent_id = confab_chat_session_get_parent_id (session);
  relay->text = g_string_new (NULL);
  relay->handlers[0] = g_signal_connect (session, "started",
                                         G_CALLBACK (on_session_started_cb), relay);
  relay->handlers[1] = g_signal_connect (session, "delta",
                                         G_CALLBACK (on_session_delta_cb), relay);
  relay->handlers[2] = g_signal_connect (session, "finished",
                                         G_CALLBACK (on_session_finished_cb), relay);
  relay->handlers[3] = g_signal_connect (session, "notify::busy",
                                         G_CALLBACK (on_session_busy_cb), relay);
  g_ptr_array_add (self->relays, relay);
}

/* ---- Single publications */

void
confab_room_sync_publish_chat (ConfabRoomSync *self,
                               ConfabChat     *chat)
{
  ConfabRoom *room;

  g_return_if_fail (CONFAB_IS_ROOM_SYNC (self));
  g_return_if_fail (CONFAB_IS_CHAT (chat));

  room = _confab_room_sync_room_for_chat (self, chat);
  if (room != NULL)
    _confab_room_publish_chat (self, room, chat);
}

static void
on_deleted_cb (ConfabRoomSync *self,
               ConfabRoom     *room,
               JsonObject     *answer,
               const GError   *error,
               gpointer        user_data)
{
  if (room != NULL && error != NULL)
    _confab_room_sync_emit_error (self, room->project_id, error);
}

void
confab_room_sync_publish_delete (ConfabRoomSync *self,
                                 ConfabMessage  *message)
{
  g_autoptr(ConfabChat) chat = NULL;
  ConfabRoom *room;
  JsonObject *frame;

  g_return_if_fail (CONFAB_IS_ROOM_SYNC (self));
  g_return_if_fail (CONFAB_IS_MESSAGE (message));

  /* The message may be deleted here already: its chat tells the room. */
  chat = confab_store_lookup_chat (self->store, confab_message_get_chat_id (message), NULL);
  if (chat == NULL || confab_message_get_remote_id (message) == NULL ||
      (room = _confab_room_sync_room_for_chat (self, chat)) == NULL)
    return;

  frame = json_object_new ();
  json_object_set_string_member (frame, "type", "message.delete");
  json_object_set_string_member (frame, "message", confab_message_get_remote_id (message));
  _confab_room_sync_request (self, room, frame, FALSE, on_deleted_cb, NULL);
}

void
confab_room_sync_typing (ConfabRoomSync *self,
                         ConfabChat     *chat,
                         gint64          parent_id)
{
  g_autoptr(GPtrArray) hold G_GNUC_UNUSED = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *key = NULL;
  const char *chat_remote = NULL;
  const char *thread_remote = NULL;
  gint64 now = g_get_monotonic_time ();
  gint64 *last;
  ConfabRoom *room;
  JsonObject *frame;

  g_return_if_fail (CONFAB_IS_ROOM_SYNC (self));
  g_return_if_fail (CONFAB_IS_CHAT (chat));

  room = _confab_room_sync_room_for_chat (self, chat);
  if (room == NULL ||
      !place_of (self, confab_chat_get_id (chat), parent_id, &chat_remote, &thread_remote, hold))
    return;

  key = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                         confab_chat_get_id (chat), parent_id);
  last = g_hash_table_lookup (room->typing, key);
  if (last != NULL && now - *last < CONFAB_ROOM_SYNC_TYPING_INTERVAL_US)
    return;

  frame = json_object_new ();
  json_object_set_string_member (frame, "type", "typing");
  json_object_set_string_member (frame, "room", room->id);
  json_object_set_string_member (frame, "chat", chat_remote);
  if (thread_remote != NULL)
    json_object_set_string_member (frame, "thread", thread_remote);
  node = json_node_init_object (json_node_alloc (), frame);
  json_object_unref (frame);

  if (confab_room_client_send (self->client, node))
    g_hash_table_insert (room->typing, g_steal_pointer (&key), g_memdup2 (&now, sizeof now));
}

/* ---- Invites */

static void
on_invite_created_cb (ConfabRoomSync *self,
                      ConfabRoom     *room,
                      JsonObject     *answer,
                      const GError   *error,
                      gpointer        user_data)
{
  g_autoptr(GTask) task = user_data;
  const char *token = _confab_json_str (answer, "token");

  if (token == NULL)
    token = _confab_json_str (_confab_json_object (answer, "invite"), "token");

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else if (token == NULL)
    g_task_return_new_error (task, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                             _("The server’s answer holds no invite."));
  else
    g_task_return_pointer (task, g_strdup (token), g_free);
}

void
confab_room_sync_invite_async (ConfabRoomSync      *self,
                               ConfabProject       *project,
                               ConfabRoomRole       role,
                               gint64               uses,
                               gint64               expires_seconds,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ConfabRoom *room = NULL;
  JsonObject *frame;

  g_return_if_fail (CONFAB_IS_ROOM_SYNC (self));
  g_return_if_fail (CONFAB_IS_PROJECT (project));
  g_return_if_fail (confab_room_role_to_string (role) != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_room_sync_invite_async);

  if (_confab_room_sync_is_mine (self, project))
    room = _confab_room_sync_lookup_room (self, confab_project_get_room_id (project));
  if (room == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("“%s” is not shared."), confab_project_get_name (project));
      return;
    }

  frame = json_object_new ();
  json_object_set_string_member (frame, "type", "invite.create");
  json_object_set_string_member (frame, "role", confab_room_role_to_string (role));
  json_object_set_int_member (frame, "uses", MAX (uses, 0));
  if (expires_seconds > 0)
    json_object_set_int_member (frame, "expires", expires_seconds);
  _confab_room_sync_request (self, room, frame, FALSE, on_invite_created_cb,
                             g_steal_pointer (&task));
}

/**
 * confab_room_sync_invite_finish:
 *
 * Returns: (transfer full) (nullable): the invite's token
 */
char *
confab_room_sync_invite_finish (ConfabRoomSync  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_SYNC (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
