/* confab-room-client.c: one WebSocket connection to a confabd server
 *
 * One connection goes through phases: opening the WebSocket, hello/welcome,
 * "auth" with the token when there is one, then ready. Requests carry an
 * integer "id" and wait in a table for the frame whose "re" matches; every
 * one still waiting when the connection drops fails with
 * G_IO_ERROR_CONNECTION_CLOSED.
 *
 * Rooms are followed, not just joined: each remembers the last seq it
 * delivered, an event is delivered only when it is the next one, anything
 * at or below it is a duplicate (a replay overlapping live events), and a
 * gap triggers a re-join from the last seq. After a reconnection every
 * followed room is re-joined the same way, so ::event sees each seq of a
 * room exactly once, in order, whatever the network did.
 *
 * The only timer is the reconnection delay, and it exists only while
 * disconnected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-room-client"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "confab-room-client.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
/* Frames from the server are at most max_frame (256 KiB), but a history
 * page can be larger: allow well above it rather than drop the connection. */
#define MAX_INCOMING_PAYLOAD (64 * 1024 * 1024)

typedef enum
{
  PHASE_NONE,     /* no connection, no attempt */
  PHASE_OPENING,  /* the WebSocket handshake */
  PHASE_HELLO,    /* hello sent, waiting for welcome */
  PHASE_AUTH,     /* auth sent, waiting for session */
  PHASE_READY,
} Phase;

typedef enum
{
  PENDING_REQUEST,  /* completes with the answer frame */
  PENDING_LOGIN,    /* login/register: keeps user and token */
  PENDING_AUTH,     /* the connection's own sign-in */
  PENDING_JOIN,     /* joined, then events, then synced */
  PENDING_IGNORE,   /* the answer is of no interest (leave, a dropped join) */
} PendingKind;

/* A caller's task, failed with CANCELLED as soon as its cancellable fires. */
typedef struct
{
  GTask        *task;
  GCancellable *cancellable;
  gulong        cancel_id;
} Waiter;

typedef struct
{
  guint        id;
  PendingKind  kind;
  Waiter      *waiter;   /* NULL for the client's own requests */
  char        *room;     /* PENDING_JOIN */
  JsonNode    *joined;   /* PENDING_JOIN: the "joined" frame, until "synced" */
} Pending;

typedef struct
{
  char      *id;
  gint64     last_seq;
  guint      join_id;      /* the join in flight, or 0 */
  GPtrArray *waiters;      /* Waiter: join_async calls waiting for "synced" */
  gboolean   joined_once;
} Room;

struct _ConfabRoomClient
{
  GObject                  parent_instance;

  char                    *server_url;
  GUri                    *ws_uri;
  GError                  *url_error;
  SoupSession             *session;

  SoupWebsocketConnection *ws;
  GError                  *ws_error;      /* from ::error, before ::closed */
  GCancellable            *attempt_cancellable;
  Phase                    phase;
  ConfabRoomClientState    state;
  gboolean                 allow_register;

  char                    *user;
  char                    *token;
  GError                  *last_error;

  gboolean                 auto_reconnect;
  gboolean                 established_once;  /* since the last close() */
  guint                    reconnect_id;
  guint                    backoff_ms;
  guint                    backoff_min_ms;
  guint                    backoff_max_ms;

  guint                    next_id;
  GHashTable              *pending;   /* id → Pending */
  GHashTable              *rooms;     /* id → Room */
  GPtrArray               *connect_waiters;
};

G_DEFINE_FINAL_TYPE (ConfabRoomClient, confab_room_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SERVER_URL,
  PROP_STATE,
  PROP_USER,
  PROP_TOKEN,
  N_PROPS
};

enum {
  EVENT,
  EPHEMERAL,
  SYNCED,
  ROOM_LOST,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_attempt    (ConfabRoomClient *self);
static void close_websocket  (ConfabRoomClient *self,
                              gushort           code,
                              const char       *reason);
static void send_join        (ConfabRoomClient *self,
                              Room             *room);

G_DEFINE_ENUM_TYPE (ConfabRoomClientState, confab_room_client_state,
                    G_DEFINE_ENUM_VALUE (CONFAB_ROOM_CLIENT_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (CONFAB_ROOM_CLIENT_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (CONFAB_ROOM_CLIENT_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (CONFAB_ROOM_CLIENT_RECONNECTING, "reconnecting"))

/* ------------------------------------------------------------------------ */
/* Waiters. */

static gboolean
return_cancelled_cb (gpointer user_data)
{
  GTask *task = user_data;

  if (!g_task_return_error_if_cancelled (task))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The operation was cancelled."));
  return G_SOURCE_REMOVE;
}

static void
on_waiter_cancelled (GCancellable *cancellable,
                     Waiter       *waiter)
{
  GSource *source;
  GTask *task = g_steal_pointer (&waiter->task);

  if (task == NULL)
    return;

  /* Not right here: the caller's callback could free this waiter while the
   * cancellable is still emitting, which g_cancellable_disconnect() cannot
   * take. */
  source = g_idle_source_new ();
  g_source_set_callback (source, return_cancelled_cb, task, g_object_unref);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

/* Takes @task. */
static Waiter *
waiter_new (GTask *task)
{
  Waiter *waiter = g_new0 (Waiter, 1);
  GCancellable *cancellable = g_task_get_cancellable (task);

  waiter->task = task;
  if (cancellable != NULL)
    {
      waiter->cancellable = g_object_ref (cancellable);
      waiter->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_waiter_cancelled),
                                                 waiter, NULL);
    }

  return waiter;
}

static void
waiter_return_error (Waiter *waiter,
                     GError *error)
{
  GTask *task = waiter != NULL ? g_steal_pointer (&waiter->task) : NULL;

  if (task == NULL)
    {
      g_error_free (error);
      return;
    }

  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
waiter_return_node (Waiter   *waiter,
                    JsonNode *node)
{
  GTask *task = waiter != NULL ? g_steal_pointer (&waiter->task) : NULL;

  if (task == NULL)
    return;

  g_task_return_pointer (task, json_node_ref (node), (GDestroyNotify) json_node_unref);
  g_object_unref (task);
}

static void
waiter_return_boolean (Waiter  *waiter,
                       gboolean value)
{
  GTask *task = waiter != NULL ? g_steal_pointer (&waiter->task) : NULL;

  if (task == NULL)
    return;

  g_task_return_boolean (task, value);
  g_object_unref (task);
}

static GError *
closed_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                              _("The connection to the server was closed."));
}

static void
waiter_free (Waiter *waiter)
{
  if (waiter->cancel_id != 0)
    g_cancellable_disconnect (waiter->cancellable, waiter->cancel_id);
  g_clear_object (&waiter->cancellable);
  /* Every task completes, even one forgotten on the way. */
  if (waiter->task != NULL)
    waiter_return_error (waiter, closed_error ());
  g_free (waiter);
}

/* Completes and frees every waiter of @waiters with a copy of @error. */
static void
fail_waiters (GPtrArray    *waiters,
              const GError *error)
{
  g_autoptr(GPtrArray) taken = NULL;

  if (waiters == NULL || waiters->len == 0)
    return;

  /* Callbacks may add new waiters: complete a detached list. */
  taken = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);
  while (waiters->len > 0)
    g_ptr_array_add (taken, g_ptr_array_steal_index (waiters, 0));
  for (guint i = 0; i < taken->len; i++)
    waiter_return_error (taken->pdata[i], g_error_copy (error));
}

/* ------------------------------------------------------------------------ */
/* Pending requests and followed rooms. */

static void
pending_free (Pending *pending)
{
  g_clear_pointer (&pending->waiter, waiter_free);
  g_clear_pointer (&pending->room, g_free);
  g_clear_pointer (&pending->joined, json_node_unref);
  g_free (pending);
}

static Pending *
pending_steal (ConfabRoomClient *self,
               guint             id)
{
  gpointer value = NULL;

  if (!g_hash_table_steal_extended (self->pending, GUINT_TO_POINTER (id), NULL, &value))
    return NULL;

  return value;
}

static void
room_free (Room *room)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 _("The room is no longer followed."));

  fail_waiters (room->waiters, error);
  g_ptr_array_unref (room->waiters);
  g_free (room->id);
  g_free (room);
}

static Room *
room_new (const char *id,
          gint64      since)
{
  Room *room = g_new0 (Room, 1);

  room->id = g_strdup (id);
  room->last_seq = MAX (since, 0);
  room->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);

  return room;
}

/* Forgets @room; the answers to a join in flight are then ignored. */
static void
unfollow (ConfabRoomClient *self,
          const char       *room_id)
{
  Room *room = g_hash_table_lookup (self->rooms, room_id);
  Pending *pending;

  if (room == NULL)
    return;

  if (room->join_id != 0 &&
      (pending = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (room->join_id))) != NULL)
    pending->kind = PENDING_IGNORE;

  g_hash_table_remove (self->rooms, room_id);
}

/* ------------------------------------------------------------------------ */
/* State. */

static void
set_state (ConfabRoomClient      *self,
           ConfabRoomClientState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_user (ConfabRoomClient *self,
          const char       *user)
{
  if (g_strcmp0 (self->user, user) == 0)
    return;

  g_free (self->user);
  self->user = g_strdup (user);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
}

static void
set_last_error (ConfabRoomClient *self,
                const GError     *error)
{
  g_clear_error (&self->last_error);
  if (error != NULL)
    self->last_error = g_error_copy (error);
}

static gboolean
send_frame (ConfabRoomClient *self,
            JsonNode         *frame)
{
  g_autofree char *text = NULL;

  if (self->ws == NULL ||
      soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return FALSE;

  text = confab_protocol_to_string (frame);
  soup_websocket_connection_send_text (self->ws, text);
  return TRUE;
}

/* Adds an "id" to a copy of @frame, registers what waits for the answer
 * and sends it. Takes @waiter. */
static Pending *
send_request (ConfabRoomClient *self,
              JsonNode         *frame,
              PendingKind       kind,
              Waiter           *waiter)
{
  g_autoptr(JsonNode) copy = json_node_copy (frame);
  Pending *pending = g_new0 (Pending, 1);

  /* 0 is never an id: it marks "no join in flight". */
  if (++self->next_id == 0)
    self->next_id = 1;

  pending->id = self->next_id;
  pending->kind = kind;
  pending->waiter = waiter;
  json_object_set_int_member (json_node_get_object (copy), "id", pending->id);
  g_hash_table_insert (self->pending, GUINT_TO_POINTER (pending->id), pending);

  if (!send_frame (self, copy))
    {
      /* The connection is going away: its ::closed fails the request. */
      g_debug ("could not send request %u", pending->id);
    }

  return pending;
}

/* {"type":TYPE} with string members given as NAME, VALUE pairs. */
static JsonNode *
build_frame (const char *type,
             ...)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node;
  const char *name;
  va_list args;

  json_object_set_string_member (object, "type", type);
  va_start (args, type);
  while ((name = va_arg (args, const char *)) != NULL)
    json_object_set_string_member (object, name, va_arg (args, const char *));
  va_end (args);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

/* Every request waiting for an answer on the connection that just went
 * away fails; a room whose first join did not complete stops being
 * followed (its caller is told), the others are re-joined later. */
static void
fail_pending (ConfabRoomClient *self,
              const GError     *error)
{
  g_autoptr(GPtrArray) taken = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
  g_autoptr(GPtrArray) dropped = g_ptr_array_new_with_free_func ((GDestroyNotify) room_free);
  g_autoptr(GPtrArray) waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);
  GHashTableIter iter;
  gpointer value;

  /* Everything is detached before the first callback runs: callbacks may
   * call into the client again. */
  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_ptr_array_add (taken, value);
      g_hash_table_iter_steal (&iter);
    }

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Room *room = value;

      room->join_id = 0;
      if (!room->joined_once)
        {
          g_ptr_array_add (dropped, room);
          g_hash_table_iter_steal (&iter);
          continue;
        }
      while (room->waiters->len > 0)
        g_ptr_array_add (waiters, g_ptr_array_steal_index (room->waiters, 0));
    }

  for (guint i = 0; i < taken->len; i++)
    waiter_return_error (((Pending *) taken->pdata[i])->waiter, g_error_copy (error));
  for (guint i = 0; i < dropped->len; i++)
    fail_waiters (((Room *) dropped->pdata[i])->waiters, error);
  fail_waiters (waiters, error);
}

/* Takes the connect_async calls waiting now, to complete them once the
 * state is published. */
static GPtrArray *
take_connect_waiters (ConfabRoomClient *self)
{
  GPtrArray *taken = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);

  while (self->connect_waiters->len > 0)
    g_ptr_array_add (taken, g_ptr_array_steal_index (self->connect_waiters, 0));

  return taken;
}

static void
complete_connect_waiters (GPtrArray    *waiters,
                          const GError *error)
{
  for (guint i = 0; i < waiters->len; i++)
    {
      if (error != NULL)
        waiter_return_error (waiters->pdata[i], g_error_copy (error));
      else
        waiter_return_boolean (waiters->pdata[i], TRUE);
    }
}

/* ------------------------------------------------------------------------ */
/* Reconnecting. */

static gboolean
on_reconnect_timeout_cb (gpointer user_data)
{
  ConfabRoomClient *self = user_data;

  self->reconnect_id = 0;
  start_attempt (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (ConfabRoomClient *self)
{
  guint delay;

  g_clear_handle_id (&self->reconnect_id, g_source_remove);

  /* Jitter spreads the clients of a restarted server over the interval. */
  delay = g_random_int_range (self->backoff_ms / 2, self->backoff_ms + 1);
  self->backoff_ms = MIN (self->backoff_ms * 2, self->backoff_max_ms);

  g_debug ("reconnecting to %s in %u ms", self->server_url, delay);
  self->reconnect_id = g_timeout_add (delay, on_reconnect_timeout_cb, self);
}

/* A refusal (bad token, wrong version) will not change by retrying. */
static gboolean
is_permanent (const GError *error)
{
  if (error->domain != CONFAB_PROTOCOL_ERROR)
    return FALSE;

  return error->code != CONFAB_PROTOCOL_ERROR_RATE_LIMITED &&
         error->code != CONFAB_PROTOCOL_ERROR_INTERNAL;
}

/* The connection (or the attempt to make one) is gone: tell whoever waits
 * and either schedule the next attempt or rest. */
static void
connection_failed (ConfabRoomClient *self,
                   const GError     *error)
{
  g_autoptr(GPtrArray) waiters = take_connect_waiters (self);
  gboolean retry;

  self->phase = PHASE_NONE;
  set_last_error (self, error);
  fail_pending (self, error);

  retry = self->established_once && self->auto_reconnect && !is_permanent (error);
  if (!retry && is_permanent (error))
    self->established_once = FALSE;

  if (retry)
    {
      schedule_reconnect (self);
      set_state (self, CONFAB_ROOM_CLIENT_RECONNECTING);
    }
  else
    set_state (self, CONFAB_ROOM_CLIENT_DISCONNECTED);

  complete_connect_waiters (waiters, error);
}

/* Signed in (or not, without a token): re-join what is followed. */
static void
established (ConfabRoomClient *self)
{
  g_autoptr(GPtrArray) waiters = take_connect_waiters (self);
  GHashTableIter iter;
  gpointer value;

  self->phase = PHASE_READY;
  self->established_once = TRUE;
  self->backoff_ms = self->backoff_min_ms;
  set_last_error (self, NULL);

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    send_join (self, value);

  set_state (self, CONFAB_ROOM_CLIENT_CONNECTED);
  complete_connect_waiters (waiters, NULL);
}

/* ------------------------------------------------------------------------ */
/* Rooms: joining and delivering events. */

static void
send_join (ConfabRoomClient *self,
           Room             *room)
{
  g_autoptr(JsonNode) frame = NULL;
  Pending *pending;

  if (room->join_id != 0 || self->phase != PHASE_READY)
    return;

  frame = build_frame ("join", "room", room->id, NULL);
  json_object_set_int_member (json_node_get_object (frame), "since", room->last_seq);
  pending = send_request (self, frame, PENDING_JOIN, NULL);
  pending->room = g_strdup (room->id);
  room->join_id = pending->id;
}

/* The room is gone for us (refused re-join, removed, deleted). */
static void
lose_room (ConfabRoomClient *self,
           const char       *room_id,
           const GError     *error)
{
  g_autofree char *id = g_strdup (room_id);
  Room *room = g_hash_table_lookup (self->rooms, id);

  if (room == NULL)
    return;

  fail_waiters (room->waiters, error);
  unfollow (self, id);
  g_signal_emit (self, signals[ROOM_LOST], 0, id, error);
}

static gboolean
is_self (ConfabRoomClient *self,
         JsonObject       *data,
         const char       *member)
{
  const char *user = NULL;

  /* A member of another type is no user (JSON-GLib's getters would warn). */
  confab_protocol_get_string (data, member, TRUE, &user, NULL);
  return self->user != NULL && g_strcmp0 (user, self->user) == 0;
}

/* Whether @seq is part of the replay of the join in flight for @room: at
 * most the "joined" frame's last_seq. What a replay says happened then,
 * not now: the join itself was accepted. */
static gboolean
is_replayed (ConfabRoomClient *self,
             Room             *room,
             gint64            seq)
{
  Pending *pending;
  gint64 last_seq = 0;

  if (room->join_id == 0)
    return FALSE;

  pending = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (room->join_id));
  if (pending == NULL || pending->joined == NULL)
    return FALSE;

  return confab_protocol_get_int (json_node_get_object (pending->joined), "last_seq", FALSE,
                                  &last_seq, NULL) && seq <= last_seq;
}

static void
on_event (ConfabRoomClient *self,
          JsonObject       *frame)
{
  const char *room_id = NULL;
  const char *event = NULL;
  gint64 seq = 0;
  Room *room;
  JsonNode *data_node;
  JsonObject *data = NULL;
  gboolean replayed;

  if (!confab_protocol_get_string (frame, "room", FALSE, &room_id, NULL) ||
      !confab_protocol_get_int (frame, "seq", FALSE, &seq, NULL) ||
      !confab_protocol_get_string (frame, "event", FALSE, &event, NULL))
    {
      g_debug ("an event without room, seq or event name");
      return;
    }

  room = g_hash_table_lookup (self->rooms, room_id);
  if (room == NULL || seq <= room->last_seq)
    return;

  if (seq != room->last_seq + 1)
    {
      /* Something was missed: the server resends from what we have. */
      g_debug ("room %s: seq %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT ", re-joining",
               room_id, seq, room->last_seq);
      send_join (self, room);
      return;
    }

  /* Asked before ::event, whose handlers may let the room go. */
  replayed = is_replayed (self, room, seq);
  room->last_seq = seq;
  g_signal_emit (self, signals[EVENT], 0, room_id, seq, frame);

  data_node = json_object_get_member (frame, "data");
  if (data_node != NULL && JSON_NODE_HOLDS_OBJECT (data_node))
    data = json_node_get_object (data_node);

  /* The server stops sending to a member it removed: no re-join will be
   * accepted either, so say it now. A removal in a replay is history (the
   * user was invited again since, or the join would have been refused). */
  if (g_str_equal (event, "room.deleted"))
    {
      g_autoptr(GError) error = g_error_new_literal (CONFAB_PROTOCOL_ERROR,
                                                     CONFAB_PROTOCOL_ERROR_NOT_FOUND,
                                                     _("The room was deleted."));
      lose_room (self, room_id, error);
    }
  else if (g_str_equal (event, "member.removed") && data != NULL &&
           is_self (self, data, "user") && !replayed)
    {
      g_autoptr(GError) error = g_error_new_literal (CONFAB_PROTOCOL_ERROR,
                                                     CONFAB_PROTOCOL_ERROR_NOT_FOUND,
                                                     _("You are no longer a member of the room."));
      lose_room (self, room_id, error);
    }
}

static void
on_synced (ConfabRoomClient *self,
           JsonObject       *frame)
{
  g_autoptr(GPtrArray) waiters = NULL;
  g_autoptr(JsonNode) joined = NULL;
  g_autofree char *room_id = NULL;
  const char *id = NULL;
  gint64 seq = 0;
  Room *room;
  Pending *pending;

  if (!confab_protocol_get_string (frame, "room", FALSE, &id, NULL) ||
      !confab_protocol_get_int (frame, "seq", FALSE, &seq, NULL))
    return;

  room = g_hash_table_lookup (self->rooms, id);
  if (room == NULL || room->join_id == 0)
    return;

  pending = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (room->join_id));
  if (pending == NULL || pending->joined == NULL)
    return;

  pending = pending_steal (self, room->join_id);
  joined = g_steal_pointer (&pending->joined);
  pending_free (pending);

  room_id = g_strdup (id);
  room->join_id = 0;
  room->joined_once = TRUE;
  waiters = g_steal_pointer (&room->waiters);
  room->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);

  /* The replay ended short of what the server has: ask again. */
  if (seq > room->last_seq)
    send_join (self, room);

  g_signal_emit (self, signals[SYNCED], 0, room_id, seq);

  for (guint i = 0; i < waiters->len; i++)
    waiter_return_node (waiters->pdata[i], joined);
}

static void
on_join_refused (ConfabRoomClient *self,
                 Pending          *pending,
                 const GError     *error)
{
  Room *room = g_hash_table_lookup (self->rooms, pending->room);

  if (room == NULL || room->join_id != pending->id)
    return;

  room->join_id = 0;

  /* Busy or failing server: the room stays followed and is joined again
   * on the next gap or reconnection. */
  if (!is_permanent (error))
    {
      fail_waiters (room->waiters, error);
      return;
    }

  if (room->joined_once)
    lose_room (self, pending->room, error);
  else
    {
      fail_waiters (room->waiters, error);
      unfollow (self, pending->room);
    }
}

/* ------------------------------------------------------------------------ */
/* Frames from the server. */

static void
on_welcome (ConfabRoomClient *self,
            JsonObject       *frame)
{
  if (self->phase != PHASE_HELLO)
    return;

  self->allow_register = confab_protocol_get_boolean (frame, "allow_register", FALSE);

  if (self->token != NULL)
    {
      g_autoptr(JsonNode) auth = build_frame ("auth", "token", self->token, NULL);

      self->phase = PHASE_AUTH;
      send_request (self, auth, PENDING_AUTH, NULL);
      return;
    }

  established (self);
}

/* A "session" frame: who we are now (and a new token after a login). */
static gboolean
take_session (ConfabRoomClient  *self,
              JsonObject        *frame,
              gboolean           with_token,
              GError           **error)
{
  const char *user = NULL;
  const char *token = NULL;

  if (!confab_protocol_get_string (frame, "user", FALSE, &user, error) ||
      !confab_protocol_get_string (frame, "token", !with_token, &token, error))
    return FALSE;

  set_user (self, user);
  if (token != NULL)
    confab_room_client_set_token (self, token);
  return TRUE;
}

static gboolean
parse_re (JsonNode *re,
          guint    *id)
{
  gint64 value;

  if (re == NULL || !JSON_NODE_HOLDS_VALUE (re))
    return FALSE;

  if (json_node_get_value_type (re) == G_TYPE_INT64)
    value = json_node_get_int (re);
  else if (json_node_get_value_type (re) != G_TYPE_STRING ||
           !g_ascii_string_to_signed (json_node_get_string (re), 10, 1, G_MAXUINT, &value, NULL))
    return FALSE;

  if (value <= 0 || value > G_MAXUINT)
    return FALSE;

  *id = (guint) value;
  return TRUE;
}

static void
on_answer (ConfabRoomClient *self,
           guint             id,
           const char       *type,
           JsonNode         *node)
{
  JsonObject *frame = json_node_get_object (node);
  Pending *pending = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (id));
  GError *error = NULL;

  if (pending == NULL)
    {
      g_debug ("an answer to %u, which nobody waits for", id);
      return;
    }

  /* A join stays pending from "joined" until "synced". */
  if (pending->kind == PENDING_JOIN && g_str_equal (type, "joined"))
    {
      g_clear_pointer (&pending->joined, json_node_unref);
      pending->joined = json_node_ref (node);
      return;
    }

  pending = pending_steal (self, id);

  if (g_str_equal (type, "error"))
    error = confab_protocol_error_from_frame (frame);

  switch (pending->kind)
    {
    case PENDING_REQUEST:
      if (error != NULL)
        waiter_return_error (pending->waiter, g_steal_pointer (&error));
      else
        waiter_return_node (pending->waiter, node);
      break;

    case PENDING_LOGIN:
      if (error == NULL && !g_str_equal (type, "session"))
        error = g_error_new (CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
                             _("The server answered a login with “%s”."), type);
      if (error == NULL)
        take_session (self, frame, TRUE, &error);
      if (error != NULL)
        waiter_return_error (pending->waiter, g_steal_pointer (&error));
      else
        waiter_return_boolean (pending->waiter, TRUE);
      break;

    case PENDING_AUTH:
      if (self->phase != PHASE_AUTH)
        break;
      if (error == NULL && !g_str_equal (type, "session"))
        error = g_error_new (CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
                             _("The server answered a sign-in with “%s”."), type);
      if (error == NULL)
        take_session (self, frame, FALSE, &error);
      if (error != NULL)
        {
          /* Stays open but is of no use without a session: close it. */
          close_websocket (self, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
          connection_failed (self, error);
        }
      else
        established (self);
      break;

    case PENDING_JOIN:
      if (error == NULL)
        error = g_error_new (CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
                             _("The server answered a join with “%s”."), type);
      on_join_refused (self, pending, error);
      break;

    case PENDING_IGNORE:
    default:
      break;
    }

  g_clear_error (&error);
  pending_free (pending);
}

static void
handle_frame (ConfabRoomClient *self,
              const char       *type,
              JsonNode         *node)
{
  JsonObject *frame = json_node_get_object (node);
  guint id;

  if (g_str_equal (type, "event"))
    on_event (self, frame);
  else if (g_str_equal (type, "synced"))
    on_synced (self, frame);
  else if (g_str_equal (type, "stream.delta") || g_str_equal (type, "typing") ||
           g_str_equal (type, "presence"))
    {
      const char *room = NULL;

      if (confab_protocol_get_string (frame, "room", FALSE, &room, NULL) &&
          g_hash_table_contains (self->rooms, room))
        g_signal_emit (self, signals[EPHEMERAL], 0, room, frame);
    }
  else if (g_str_equal (type, "welcome"))
    on_welcome (self, frame);
  else if (parse_re (json_object_get_member (frame, "re"), &id))
    on_answer (self, id, type, node);
  else if (g_str_equal (type, "error") && self->phase == PHASE_HELLO)
    {
      /* hello refused (bad_version): this server cannot be spoken to. */
      g_autoptr(GError) error = confab_protocol_error_from_frame (frame);

      close_websocket (self, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR, NULL);
      connection_failed (self, error);
    }
  else if (g_str_equal (type, "error"))
    {
      /* Whatever their types: a hostile server's error frame is only logged. */
      const char *code = NULL;
      const char *message = NULL;

      confab_protocol_get_string (frame, "code", TRUE, &code, NULL);
      confab_protocol_get_string (frame, "message", TRUE, &message, NULL);
      g_debug ("error from the server: %s: %s", code != NULL ? code : "?",
               message != NULL ? message : "");
    }
  else
    g_debug ("ignoring a frame of type “%s”", type);
}

/* ------------------------------------------------------------------------ */
/* The WebSocket. */

static void
on_ws_message (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  g_autoptr(ConfabRoomClient) self = g_object_ref (user_data);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  const char *frame_type = NULL;
  gsize length = 0;
  const char *data;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_debug ("ignoring a binary message");
      return;
    }

  data = g_bytes_get_data (message, &length);
  node = confab_protocol_parse (data, length, &frame_type, &error);
  if (node == NULL)
    {
      g_debug ("ignoring a frame: %s", error->message);
      return;
    }

  handle_frame (self, frame_type, node);
}

static void
on_ws_error (SoupWebsocketConnection *ws,
             GError                  *error,
             gpointer                 user_data)
{
  ConfabRoomClient *self = user_data;

  g_debug ("connection error: %s", error->message);
  if (self->ws_error == NULL)
    self->ws_error = g_error_copy (error);
}

static gboolean
release_cb (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

static void
on_orphan_closed (SoupWebsocketConnection *ws,
                  gpointer                 user_data)
{
  g_signal_handlers_disconnect_by_func (ws, on_orphan_closed, NULL);
  /* Not while it is still emitting. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, release_cb, ws, g_object_unref);
}

/* Lets the connection finish its closing handshake on its own. */
static void
close_websocket (ConfabRoomClient *self,
                 gushort           code,
                 const char       *reason)
{
  SoupWebsocketConnection *ws = g_steal_pointer (&self->ws);

  g_clear_error (&self->ws_error);
  if (ws == NULL)
    return;

  g_signal_handlers_disconnect_by_data (ws, self);
  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_CLOSED)
    {
      g_object_unref (ws);
      return;
    }

  g_signal_connect (ws, "closed", G_CALLBACK (on_orphan_closed), NULL);
  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws, code, reason);
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  g_autoptr(ConfabRoomClient) self = g_object_ref (user_data);
  g_autoptr(SoupWebsocketConnection) hold G_GNUC_UNUSED = g_object_ref (ws);
  g_autoptr(GError) error = g_steal_pointer (&self->ws_error);
  gushort code = soup_websocket_connection_get_close_code (ws);

  if (error == NULL)
    {
      const char *reason = soup_websocket_connection_get_close_data (ws);

      if (code == SOUP_WEBSOCKET_CLOSE_GOING_AWAY)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                     _("The server is shutting down."));
      else if (code != 0 && reason != NULL && *reason != '\0')
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                             _("The server closed the connection (%u: %s)."), code, reason);
      else
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                     _("The connection to the server was lost."));
    }

  g_debug ("connection to %s closed (%u): %s", self->server_url, code, error->message);

  g_signal_handlers_disconnect_by_data (ws, self);
  g_clear_object (&self->ws);
  connection_failed (self, error);
}

static void
on_ws_connected_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GCancellable) attempt = user_data;
  g_autoptr(ConfabRoomClient) self = NULL;
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) hello = NULL;

  self = g_object_ref (g_object_get_data (G_OBJECT (attempt), "confab-room-client"));
  ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);

  /* close() or dispose ended this attempt (and another may have begun). */
  if (attempt != self->attempt_cancellable || g_cancellable_is_cancelled (attempt) ||
      self->phase != PHASE_OPENING)
    {
      if (ws != NULL && soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
        {
          g_signal_connect (ws, "closed", G_CALLBACK (on_orphan_closed), NULL);
          g_object_ref (ws);
          soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
        }
      return;
    }

  g_clear_object (&self->attempt_cancellable);

  if (ws == NULL)
    {
      g_prefix_error (&error, _("Could not connect to %s: "), self->server_url);
      connection_failed (self, error);
      return;
    }

  self->ws = g_steal_pointer (&ws);
  soup_websocket_connection_set_max_incoming_payload_size (self->ws, MAX_INCOMING_PAYLOAD);
  /* No keepalive: no timer runs while connected; a dead peer shows as a
   * closed socket. */
  g_signal_connect (self->ws, "message", G_CALLBACK (on_ws_message), self);
  g_signal_connect (self->ws, "error", G_CALLBACK (on_ws_error), self);
  g_signal_connect (self->ws, "closed", G_CALLBACK (on_ws_closed), self);

  self->phase = PHASE_HELLO;
  hello = build_frame ("hello", "client", "confab/" PACKAGE_VERSION, NULL);
  json_object_set_int_member (json_node_get_object (hello), "version", CONFAB_PROTOCOL_VERSION);
  send_frame (self, hello);
}

static void
start_attempt (ConfabRoomClient *self)
{
  g_autoptr(SoupMessage) message = NULL;

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  if (self->phase != PHASE_NONE)
    return;

  if (self->url_error != NULL)
    {
      connection_failed (self, self->url_error);
      return;
    }

  self->phase = PHASE_OPENING;
  g_clear_object (&self->attempt_cancellable);
  self->attempt_cancellable = g_cancellable_new ();
  message = soup_message_new_from_uri (SOUP_METHOD_GET, self->ws_uri);
  /* The attempt carries the client: the callback tells a stale attempt
   * by its cancellable. */
  g_object_set_data_full (G_OBJECT (self->attempt_cancellable), "confab-room-client",
                          g_object_ref (self), g_object_unref);
  soup_session_websocket_connect_async (self->session, message, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->attempt_cancellable, on_ws_connected_cb,
                                        g_object_ref (self->attempt_cancellable));
}

/* ------------------------------------------------------------------------ */
/* GObject. */

static GUri *
make_ws_uri (const char  *server_url,
             GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *path = NULL;
  const char *scheme;
  const char *http_scheme;
  gboolean keep_path;

  uri = g_uri_parse (server_url, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "ws") == 0)
    http_scheme = "http";
  else if (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
    http_scheme = "https";
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a server address (http://HOST:PORT or https://HOST:PORT)."),
                   server_url);
      return NULL;
    }

  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” has no host name."), server_url);
      return NULL;
    }

  /* A ws:// URL names the endpoint itself; an http:// one the server. */
  path = g_strdup (g_uri_get_path (uri));
  keep_path = g_ascii_strncasecmp (scheme, "ws", 2) == 0 && path[0] != '\0' &&
              !g_str_equal (path, "/");
  if (!keep_path)
    {
      gsize length = strlen (path);
      char *with_ws;

      while (length > 0 && path[length - 1] == '/')
        path[--length] = '\0';
      with_ws = g_strconcat (path, "/ws", NULL);
      g_free (path);
      path = with_ws;
    }

  return g_uri_build (G_URI_FLAGS_NONE, http_scheme, NULL, g_uri_get_host (uri),
                      g_uri_get_port (uri), path, NULL, NULL);
}

static void
confab_room_client_constructed (GObject *object)
{
  ConfabRoomClient *self = CONFAB_ROOM_CLIENT (object);

  G_OBJECT_CLASS (confab_room_client_parent_class)->constructed (object);

  if (self->server_url == NULL)
    self->url_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                           _("No server address was given."));
  else
    self->ws_uri = make_ws_uri (self->server_url, &self->url_error);
}

static void
confab_room_client_dispose (GObject *object)
{
  ConfabRoomClient *self = CONFAB_ROOM_CLIENT (object);

  confab_room_client_close (self);
  g_hash_table_remove_all (self->rooms);

  G_OBJECT_CLASS (confab_room_client_parent_class)->dispose (object);
}

static void
confab_room_client_finalize (GObject *object)
{
  ConfabRoomClient *self = CONFAB_ROOM_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->ws_uri, g_uri_unref);
  g_clear_error (&self->url_error);
  g_clear_error (&self->last_error);
  g_clear_error (&self->ws_error);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->user, g_free);
  if (self->token != NULL)
    explicit_bzero (self->token, strlen (self->token));
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->rooms, g_hash_table_unref);
  g_clear_pointer (&self->connect_waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_room_client_parent_class)->finalize (object);
}

static void
confab_room_client_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ConfabRoomClient *self = CONFAB_ROOM_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_USER:
      g_value_set_string (value, self->user);
      break;

    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_room_client_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ConfabRoomClient *self = CONFAB_ROOM_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      self->server_url = g_value_dup_string (value);
      break;

    case PROP_TOKEN:
      confab_room_client_set_token (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_room_client_class_init (ConfabRoomClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = confab_room_client_constructed;
  object_class->dispose = confab_room_client_dispose;
  object_class->finalize = confab_room_client_finalize;
  object_class->get_property = confab_room_client_get_property;
  object_class->set_property = confab_room_client_set_property;

  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       confab_room_client_state_get_type (), CONFAB_ROOM_CLIENT_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabRoomClient::event:
   * @room: the room id
   * @seq: the event's sequence number, the next one after the last delivered
   * @frame: the whole "event" frame
   */
  signals[EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_INT64,
                  JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * ConfabRoomClient::ephemeral:
   * @room: the room id
   * @frame: a "stream.delta", "typing" or "presence" frame
   */
  signals[EPHEMERAL] =
    g_signal_new ("ephemeral", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * ConfabRoomClient::synced:
   * @room: the room id
   * @seq: the room's last seq on the server when the replay ended
   */
  signals[SYNCED] =
    g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_INT64);

  /**
   * ConfabRoomClient::room-lost:
   * @room: the room id
   * @error: why (CONFAB_PROTOCOL_ERROR: NOT_FOUND, FORBIDDEN…)
   *
   * The room is no longer followed: a re-join was refused, or an event
   * said the user was removed or the room deleted.
   */
  signals[ROOM_LOST] =
    g_signal_new ("room-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_ERROR);
}

static void
confab_room_client_init (ConfabRoomClient *self)
{
  self->auto_reconnect = TRUE;
  self->backoff_min_ms = BACKOFF_MIN_MS;
  self->backoff_max_ms = BACKOFF_MAX_MS;
  self->backoff_ms = BACKOFF_MIN_MS;
  self->session = soup_session_new_with_options ("user-agent", "Confab/" PACKAGE_VERSION, NULL);
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) pending_free);
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) room_free);
  self->connect_waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);
}

/* ------------------------------------------------------------------------ */
/* Public API. */

ConfabRoomClient *
confab_room_client_new (const char *server_url)
{
  g_return_val_if_fail (server_url != NULL, NULL);

  return g_object_new (CONFAB_TYPE_ROOM_CLIENT, "server-url", server_url, NULL);
}

const char *
confab_room_client_get_server_url (ConfabRoomClient *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_CLIENT (self), NULL);

  return self->server_url;
}

ConfabRoomClientState
confab_room_client_get_state (ConfabRoomClient *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_CLIENT (self), CONFAB_ROOM_CLIENT_DISCONNECTED);

  return self->state;
}

const char *
confab_room_client_get_user (ConfabRoomClient *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_CLIENT (self), NULL);

  return self->user;
}

const char *
confab_room_client_get_token (ConfabRoomClient *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_CLIENT (self), NULL);

  return self->token;
}

void
confab_room_client_set_token (ConfabRoomClient *self,
                              const char       *token)
{
  g_return_if_fail (CONFAB_IS_ROOM_CLIENT (self));

  if (g_strcmp0 (self->token, token) == 0)
    return;

  if (self->token != NULL)
    explicit_bzero (self->token, strlen (self->token));
  g_free (self->token);
  self->token = g_strdup (token);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
}

void
confab_room_client_set_auto_reconnect (ConfabRoomClient *self,
                                       gboolean          reconnect)
{
  g_return_if_fail (CONFAB_IS_ROOM_CLIENT (self));

  self->auto_reconnect = !!reconnect;
  if (!self->auto_reconnect && self->reconnect_id != 0)
    {
      g_clear_handle_id (&self->reconnect_id, g_source_remove);
      set_state (self, CONFAB_ROOM_CLIENT_DISCONNECTED);
    }
}

void
confab_room_client_set_reconnect_delays (ConfabRoomClient *self,
                                         guint             min_ms,
                                         guint             max_ms)
{
  g_return_if_fail (CONFAB_IS_ROOM_CLIENT (self));
  g_return_if_fail (min_ms > 0 && min_ms <= max_ms);

  self->backoff_min_ms = min_ms;
  self->backoff_max_ms = max_ms;
  self->backoff_ms = min_ms;
}

const GError *
confab_room_client_get_last_error (ConfabRoomClient *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_CLIENT (self), NULL);

  return self->last_error;
}

gboolean
confab_room_client_get_allow_register (ConfabRoomClient *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_CLIENT (self), FALSE);

  return self->allow_register;
}

void
confab_room_client_connect_async (ConfabRoomClient    *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CONFAB_IS_ROOM_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_room_client_connect_async);

  if (self->phase == PHASE_READY)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_ptr_array_add (self->connect_waiters, waiter_new (g_steal_pointer (&task)));

  if (self->phase == PHASE_NONE)
    {
      /* While waiting to reconnect, this is "retry now". */
      if (self->state != CONFAB_ROOM_CLIENT_RECONNECTING)
        set_state (self, CONFAB_ROOM_CLIENT_CONNECTING);
      start_attempt (self);
    }
}

gboolean
confab_room_client_connect_finish (ConfabRoomClient  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
check_ready (ConfabRoomClient  *self,
             GError           **error)
{
  if (self->phase == PHASE_READY)
    return TRUE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                       _("Not connected to the server."));
  return FALSE;
}

void
confab_room_client_login_async (ConfabRoomClient    *self,
                                const char          *user,
                                const char          *password,
                                gboolean             create,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) frame = NULL;
  GError *error = NULL;

  g_return_if_fail (CONFAB_IS_ROOM_CLIENT (self));
  g_return_if_fail (user != NULL);
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_room_client_login_async);

  if (!check_ready (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  frame = build_frame (create ? "register" : "login", "user", user, "password", password, NULL);
  send_request (self, frame, PENDING_LOGIN, waiter_new (g_steal_pointer (&task)));
}

gboolean
confab_room_client_login_finish (ConfabRoomClient  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
confab_room_client_request_async (ConfabRoomClient    *self,
                                  JsonNode            *frame,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (CONFAB_IS_ROOM_CLIENT (self));
  g_return_if_fail (frame != NULL && JSON_NODE_HOLDS_OBJECT (frame));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_room_client_request_async);

  if (!check_ready (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  send_request (self, frame, PENDING_REQUEST, waiter_new (g_steal_pointer (&task)));
}

/**
 * confab_room_client_request_finish:
 *
 * Returns: (transfer full): the answer frame
 */
JsonNode *
confab_room_client_request_finish (ConfabRoomClient  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
confab_room_client_send (ConfabRoomClient *self,
                         JsonNode         *frame)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_CLIENT (self), FALSE);
  g_return_val_if_fail (frame != NULL && JSON_NODE_HOLDS_OBJECT (frame), FALSE);

  if (self->phase != PHASE_READY)
    return FALSE;

  return send_frame (self, frame);
}

/* Follows @room from @since, or from what it has when already followed. */
static Room *
follow (ConfabRoomClient *self,
        const char       *room_id,
        gint64            since)
{
  Room *room = g_hash_table_lookup (self->rooms, room_id);

  if (room == NULL)
    {
      room = room_new (room_id, since);
      g_hash_table_insert (self->rooms, room->id, room);
    }

  return room;
}

void
confab_room_client_follow (ConfabRoomClient *self,
                           const char       *room,
                           gint64            since)
{
  Room *followed;

  g_return_if_fail (CONFAB_IS_ROOM_CLIENT (self));
  g_return_if_fail (room != NULL && *room != '\0');

  followed = follow (self, room, since);
  /* Joined by whoever follows it: it was the caller's choice to follow. */
  followed->joined_once = TRUE;
  send_join (self, followed);
}

void
confab_room_client_join_async (ConfabRoomClient    *self,
                               const char          *room,
                               gint64               since,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  Room *followed;

  g_return_if_fail (CONFAB_IS_ROOM_CLIENT (self));
  g_return_if_fail (room != NULL && *room != '\0');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_room_client_join_async);

  if (!check_ready (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  followed = follow (self, room, since);
  g_ptr_array_add (followed->waiters, waiter_new (g_steal_pointer (&task)));
  send_join (self, followed);
}

/**
 * confab_room_client_join_finish:
 *
 * Returns: (transfer full): the "joined" frame
 */
JsonNode *
confab_room_client_join_finish (ConfabRoomClient  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
confab_room_client_leave (ConfabRoomClient *self,
                          const char       *room)
{
  g_return_if_fail (CONFAB_IS_ROOM_CLIENT (self));
  g_return_if_fail (room != NULL);

  if (!g_hash_table_contains (self->rooms, room))
    return;

  unfollow (self, room);

  if (self->phase == PHASE_READY)
    {
      g_autoptr(JsonNode) frame = build_frame ("leave", "room", room, NULL);

      send_request (self, frame, PENDING_IGNORE, NULL);
    }
}

gint64
confab_room_client_get_last_seq (ConfabRoomClient *self,
                                 const char       *room)
{
  Room *followed;

  g_return_val_if_fail (CONFAB_IS_ROOM_CLIENT (self), 0);
  g_return_val_if_fail (room != NULL, 0);

  followed = g_hash_table_lookup (self->rooms, room);
  return followed != NULL ? followed->last_seq : 0;
}

gboolean
confab_room_client_is_following (ConfabRoomClient *self,
                                 const char       *room)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_CLIENT (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);

  return g_hash_table_contains (self->rooms, room);
}

void
confab_room_client_close (ConfabRoomClient *self)
{
  g_autoptr(GPtrArray) waiters = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CONFAB_IS_ROOM_CLIENT (self));

  g_object_ref (self);

  self->established_once = FALSE;
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  if (self->attempt_cancellable != NULL)
    {
      g_cancellable_cancel (self->attempt_cancellable);
      g_clear_object (&self->attempt_cancellable);
    }
  close_websocket (self, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  self->phase = PHASE_NONE;

  waiters = take_connect_waiters (self);
  error = closed_error ();
  fail_pending (self, error);
  set_state (self, CONFAB_ROOM_CLIENT_DISCONNECTED);
  complete_connect_waiters (waiters, error);

  g_object_unref (self);
}
