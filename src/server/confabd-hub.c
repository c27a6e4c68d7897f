/* confabd-hub.c: the rooms of confabd and the frames that act on them
 *
 * Every room frame goes through the same steps: the sender's role in the
 * room (not a member: not_found, so a room's existence stays private), the
 * permission table (confab_room_role_allows), the frame's members, then the
 * storage. An event is appended to the room's log before it is
 * acknowledged or broadcast, so what a client saw is always stored.
 *
 * The hub's work runs on coroutines (confabd-coroutine.c), and any storage
 * call may yield to the main loop, which then runs other work: other
 * connections' frames, the bus, the heartbeat. So nothing the hub keeps
 * in memory is assumed unchanged across a storage call: live rooms are
 * held by reference, a stream is looked up again by its id (or taken out
 * of its room before its text is stored), and a live room is forgotten
 * only if it is still the one in the table. A connection's own frames
 * never overlap (confabd-connection.c), and events reach the sockets in
 * order whatever order their commits finish in (confabd-hub-bus.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "confabd-coroutine.h"
#include "confabd-hub-private.h"

G_DEFINE_FINAL_TYPE (ConfabdHub, confabd_hub, G_TYPE_OBJECT)

static const struct
{
  const char          *type;
  ConfabdFrameHandler  handler;
} frame_handlers[] = {
  { "room.create", _confabd_hub_room_create },
  { "rooms", _confabd_hub_rooms },
  { "room.rename", _confabd_hub_room_rename },
  { "room.delete", _confabd_hub_room_delete },
  { "invite.create", _confabd_hub_invite_create },
  { "invites", _confabd_hub_invites },
  { "invite.revoke", _confabd_hub_invite_revoke },
  { "invite.accept", _confabd_hub_invite_accept },
  { "join", _confabd_hub_join },
  { "leave", _confabd_hub_leave },
  { "members", _confabd_hub_members },
  { "member.role", _confabd_hub_member_role },
  { "member.remove", _confabd_hub_member_remove },
  { "history", _confabd_hub_history },
  { "chat.create", _confabd_hub_chat_create },
  { "chat.rename", _confabd_hub_chat_rename },
  { "message.create", _confabd_hub_message_create },
  { "thread.create", _confabd_hub_thread_create },
  { "message.edit", _confabd_hub_message_edit },
  { "message.delete", _confabd_hub_message_delete },
  { "stream.start", _confabd_hub_stream_start },
  { "stream.delta", _confabd_hub_stream_delta },
  { "stream.end", _confabd_hub_stream_end },
  { "typing", _confabd_hub_typing },
};

static ConfabdFrameHandler
lookup_handler (const char *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (frame_handlers); i++)
    if (g_str_equal (frame_handlers[i].type, type))
      return frame_handlers[i].handler;
  return NULL;
}

/* ---- Helpers for the handlers */

gint64
_confabd_hub_now_ms (void)
{
  return g_get_real_time () / 1000;
}

gboolean
_confabd_hub_storage_failed (GError     **error,
                             GError      *local_error,
                             const char  *not_found)
{
  g_autoptr(GError) owned = local_error;

  if (g_error_matches (owned, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND))
    g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NOT_FOUND,
                         not_found != NULL ? not_found : owned->message);
  else if (g_error_matches (owned, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT))
    g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_CONFLICT,
                         owned->message);
  else
    /* An unreachable store too: confabd_connection_refuse makes it
     * "unavailable" for every frame, the hub's and the sign-in ones. */
    g_propagate_error (error, g_steal_pointer (&owned));
  return FALSE;
}

gboolean
confabd_storage_error_is_unavailable (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
}

gboolean
_confabd_hub_enter_room (ConfabdRequest  *request,
                         GError         **error)
{
  const char *room;

  return confab_protocol_get_string (request->frame, "room", FALSE, &room, error) &&
         _confabd_hub_enter_room_id (request, room, _("No such room."), error);
}

gboolean
_confabd_hub_enter_room_id (ConfabdRequest  *request,
                            const char      *room,
                            const char      *not_found,
                            GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *role = NULL;

  request->room = room;
  role = confabd_storage_lookup_role (request->hub->storage, request->room, request->user,
                                      &local_error);
  if (role == NULL)
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), not_found);

  if (!confab_room_role_from_string (role, &request->role))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "unknown role “%s” of %s in %s", role, request->user, request->room);
      return FALSE;
    }
  return TRUE;
}

gboolean
_confabd_hub_require (ConfabdRequest  *request,
                      ConfabAction     action,
                      GError         **error)
{
  const char *message;

  if (confab_room_role_allows (request->role, action))
    return TRUE;

  switch (action)
    {
    case CONFAB_ACTION_TYPING:
    case CONFAB_ACTION_WRITE:
    case CONFAB_ACTION_EDIT_OWN:
      message = _("Viewers cannot write in this room.");
      break;
    case CONFAB_ACTION_EDIT_OTHERS:
      message = _("Only admins can change other people’s messages.");
      break;
    case CONFAB_ACTION_INVITE:
      message = _("Only admins can manage invites.");
      break;
    case CONFAB_ACTION_INVITE_ADMIN:
      message = _("Only the owner can invite admins.");
      break;
    case CONFAB_ACTION_MANAGE_MEMBERS:
      message = _("Only admins can change members.");
      break;
    case CONFAB_ACTION_MANAGE_ADMINS:
      message = _("Only the owner can change admins.");
      break;
    case CONFAB_ACTION_MANAGE_ROOM:
      message = _("Only the owner can rename or delete the room.");
      break;
    case CONFAB_ACTION_READ:
    default:
      message = _("Your role in this room does not allow this.");
      break;
    }

  g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_FORBIDDEN, message);
  return FALSE;
}

gboolean
_confabd_hub_get_name (JsonObject  *frame,
                       const char  *member,
                       gboolean     optional,
                       const char **value,
                       GError     **error)
{
  if (!confab_protocol_get_string (frame, member, optional, value, error))
    return FALSE;

  if (*value != NULL && strlen (*value) > CONFABD_MAX_NAME)
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                   _("“%s” is too long (at most %d bytes)."), member, CONFABD_MAX_NAME);
      return FALSE;
    }
  return TRUE;
}

gboolean
_confabd_hub_get_text (JsonObject  *frame,
                       const char  *member,
                       gboolean     allow_empty,
                       const char **value,
                       GError     **error)
{
  JsonNode *node = json_object_get_member (frame, member);

  *value = NULL;
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                   _("“%s” must be a string."), member);
      return FALSE;
    }

  *value = json_node_get_string (node);
  if (!allow_empty && **value == '\0')
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                   _("“%s” must not be empty."), member);
      return FALSE;
    }
  if (strlen (*value) > CONFAB_PROTOCOL_MAX_TEXT)
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                   _("“%s” is over %d KiB."), member, CONFAB_PROTOCOL_MAX_TEXT / 1024);
      return FALSE;
    }
  return TRUE;
}

JsonObject *
_confabd_hub_reply_new (ConfabdRequest *request,
                        const char     *type)
{
  JsonObject *reply = json_object_new ();

  json_object_set_string_member (reply, "type", type);
  if (request->re != NULL)
    json_object_set_member (reply, "re", json_node_copy (request->re));
  return reply;
}

void
_confabd_hub_reply (ConfabdRequest *request,
                    JsonObject     *reply)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), reply);

  json_object_unref (reply);
  confabd_connection_send (request->connection, node);
}

/* {"type":"ack","re":…,"room":…} */
static JsonObject *
ack_new (ConfabdRequest *request)
{
  JsonObject *ack = _confabd_hub_reply_new (request, "ack");

  if (request->room != NULL)
    json_object_set_string_member (ack, "room", request->room);
  return ack;
}

void
_confabd_hub_ack (ConfabdRequest *request)
{
  if (request->re != NULL)
    _confabd_hub_reply (request, ack_new (request));
}

JsonObject *
_confabd_hub_room_object (const ConfabdRoom *room,
                          const char        *role)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", room->id);
  json_object_set_string_member (object, "name", room->name);
  json_object_set_string_member (object, "role", role);
  json_object_set_int_member (object, "last_seq", room->last_seq);
  return object;
}

JsonNode *
_confabd_hub_event_frame (const ConfabdEvent *event)
{
  JsonObject *frame = json_object_new ();

  json_object_set_string_member (frame, "type", "event");
  json_object_set_string_member (frame, "room", event->room);
  json_object_set_int_member (frame, "seq", event->seq);
  json_object_set_string_member (frame, "event", event->event);
  json_object_set_string_member (frame, "author", event->author);
  json_object_set_int_member (frame, "time", event->time);
  json_object_set_member (frame, "data",
                          event->data != NULL ? json_node_copy (event->data)
                                              : _confabd_node_take_object (json_object_new ()));
  return _confabd_node_take_object (frame);
}

/* ---- One append at a time per room
 *
 * PostgreSQL orders a room's events with a row lock held from the seq's
 * UPDATE to the COMMIT, so appends in one room never run in parallel
 * anyway. Queueing them here instead keeps that lock's queue to one
 * waiter per instance (with 4, two instances writing one room stored
 * 25 % fewer events a second: bench-rooms, docs/performance.md) and stores
 * this instance's events in the order their frames came, so they need no
 * reordering. Other rooms are not held up. */

typedef struct
{
  guint     running;
  GQueue    waiters;   /* ConfabdCoroutineWaiter *, handed a place in turn */
} AppendLane;

/* Appends of one room under way at once (2 made two instances writing
 * one room store 25 % fewer events a second than 1). */
#define APPEND_LANE_WIDTH 1

/* A queued append waits at most this long, then goes ahead anyway (the
 * one before it is stuck on a store that is not answering). */
#define APPEND_LANE_WAIT_US (10 * G_USEC_PER_SEC)

static void
enter_append_lane (ConfabdHub *self,
                   const char *room)
{
  AppendLane *lane = g_hash_table_lookup (self->appends, room);
  g_autoptr(ConfabdCoroutineWaiter) waiter = NULL;

  if (lane == NULL)
    {
      lane = g_new0 (AppendLane, 1);
      g_hash_table_insert (self->appends, g_strdup (room), lane);
    }
  if (lane->running < APPEND_LANE_WIDTH || !confabd_coroutine_is_active ())
    {
      lane->running++;
      return;
    }

  waiter = confabd_coroutine_waiter_new ();
  g_queue_push_tail (&lane->waiters, waiter);
  if (!confabd_coroutine_wait (waiter, g_get_monotonic_time () + APPEND_LANE_WAIT_US))
    {
      g_debug ("%s: an append waited too long for the one before it", room);
      g_queue_remove (&lane->waiters, waiter);
    }
}

static void
leave_append_lane (ConfabdHub *self,
                   const char *room)
{
  AppendLane *lane = g_hash_table_lookup (self->appends, room);
  ConfabdCoroutineWaiter *next;

  if (lane == NULL)
    return;
  if ((next = g_queue_pop_head (&lane->waiters)) != NULL)
    confabd_coroutine_wake (next);   /* the place is theirs now */
  else if (--lane->running == 0)
    g_hash_table_remove (self->appends, room);
}

guint
_confabd_hub_appends_under_way (ConfabdHub *self,
                                const char *room)
{
  AppendLane *lane = g_hash_table_lookup (self->appends, room);

  return lane != NULL ? lane->running + g_queue_get_length (&lane->waiters) : 0;
}

static void
append_lane_free (AppendLane *lane)
{
  g_queue_clear (&lane->waiters);
  g_free (lane);
}

ConfabdEvent *
_confabd_hub_append (ConfabdHub            *self,
                     const char            *room,
                     const char            *event_name,
                     const char            *author,
                     JsonObject            *data,
                     ConfabdMessageChange   change,
                     const ConfabdMessage  *message,
                     GError               **error)
{
  g_autoptr(ConfabdEvent) event = g_new0 (ConfabdEvent, 1);
  g_autoptr(GError) local_error = NULL;
  gint64 seq;

  event->room = g_strdup (room);
  event->event = g_strdup (event_name);
  event->author = g_strdup (author);
  event->time = _confabd_hub_now_ms ();
  event->data = json_node_init_object (json_node_alloc (), data);
  json_object_unref (data);

  /* While it is stored (or waits its turn), gaps in the room may be this
   * event's to fill (confabd-hub-bus.c). */
  enter_append_lane (self, room);
  seq = confabd_storage_append_event (self->storage, event, change, message, &local_error);
  leave_append_lane (self, room);

  if (seq <= 0)
    {
      g_autoptr(ConfabdLiveRoom) live = _confabd_hub_ref_live (self, room);

      if (live != NULL)
        _confabd_hub_settle (self, live);
      if (local_error == NULL)
        g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "the storage gave no seq to %s in %s", event_name, room);
      _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);
      return NULL;
    }

  g_debug ("%s #%" G_GINT64_FORMAT ": %s by %s", room, event->seq, event_name, author);
  return g_steal_pointer (&event);
}

gboolean
_confabd_hub_commit (ConfabdRequest        *request,
                     const char            *event_name,
                     JsonObject            *data,
                     ConfabdMessageChange   change,
                     const ConfabdMessage  *message,
                     JsonObject            *ack_extra,
                     GError               **error)
{
  g_autoptr(JsonObject) extra = ack_extra;
  g_autoptr(ConfabdEvent) event = NULL;

  event = _confabd_hub_append (request->hub, request->room, event_name, request->user, data,
                               change, message, error);
  if (event == NULL)
    return FALSE;

  _confabd_hub_ack_seq (request, event->seq, g_steal_pointer (&extra));
  _confabd_hub_broadcast (request->hub, event);
  return TRUE;
}

void
_confabd_hub_ack_seq (ConfabdRequest *request,
                      gint64          seq,
                      JsonObject     *ack_extra)
{
  g_autoptr(JsonObject) extra = ack_extra;
  JsonObject *ack;

  if (request->re == NULL)
    return;

  ack = ack_new (request);
  json_object_set_int_member (ack, "seq", seq);
  if (extra != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, extra);
      while (json_object_iter_next (&iter, &name, &value))
        json_object_set_member (ack, name, json_node_copy (value));
    }
  _confabd_hub_reply (request, ack);
}

/* ---- Live rooms */

ConfabdLiveRoom *
_confabd_hub_lookup_live (ConfabdHub *self,
                          const char *room)
{
  return g_hash_table_lookup (self->rooms, room);
}

GPtrArray *
_confabd_hub_dup_live_rooms (ConfabdHub *self)
{
  GPtrArray *rooms = g_ptr_array_new_full (g_hash_table_size (self->rooms), g_object_unref);
  GHashTableIter iter;
  ConfabdLiveRoom *live;

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &live))
    g_ptr_array_add (rooms, g_object_ref (live));
  return rooms;
}

ConfabdLiveRoom *
_confabd_hub_ref_live (ConfabdHub *self,
                       const char *room)
{
  ConfabdLiveRoom *live = g_hash_table_lookup (self->rooms, room);

  return live != NULL ? g_object_ref (live) : NULL;
}

ConfabdLiveRoom *
_confabd_hub_ensure_live (ConfabdHub *self,
                          const char *room)
{
  ConfabdLiveRoom *live = g_hash_table_lookup (self->rooms, room);

  if (live == NULL)
    {
      live = confabd_live_room_new (room);
      g_hash_table_insert (self->rooms, g_strdup (room), live);
    }
  return g_object_ref (live);
}

void
_confabd_hub_forget_if_idle (ConfabdHub  *self,
                             ConfabdLiveRoom *live)
{
  const char *room = confabd_live_room_get_id (live);

  /* Not a newer live room of the same id, made while this one's holder
   * waited for the storage. */
  if (confabd_live_room_is_idle (live) && g_hash_table_lookup (self->rooms, room) == live)
    g_hash_table_remove (self->rooms, room);
}

void
_confabd_hub_add_to_live (ConfabdHub        *self,
                          ConfabdLiveRoom       *live,
                          ConfabdConnection *connection)
{
  if (confabd_live_room_add_connection (live, connection))
    _confabd_hub_presence_changed (self, live, confabd_connection_get_user (connection), TRUE,
                                   connection);
}

void
_confabd_hub_leave_live (ConfabdHub        *self,
                         ConfabdLiveRoom       *live,
                         ConfabdConnection *connection)
{
  g_autoptr(ConfabdConnection) hold G_GNUC_UNUSED = g_object_ref (connection);
  g_autofree char *user = g_strdup (confabd_connection_get_user (connection));

  if (confabd_live_room_remove_connection (live, connection))
    _confabd_hub_presence_changed (self, live, user, FALSE, NULL);
  _confabd_hub_forget_if_idle (self, live);
}

/* Stores reply @message_id as interrupted with @text (event stream.ended)
 * and broadcasts it. */
static gboolean
append_interrupted (ConfabdHub  *self,
                    const char  *room,
                    const char  *message_id,
                    const char  *author,
                    const char  *text,
                    GError     **error)
{
  g_autoptr(ConfabdEvent) event = NULL;
  JsonObject *data = json_object_new ();
  ConfabdMessage change = {
    .id = (char *) message_id,
    .room = (char *) room,
    .text = (char *) text,
    .status = (char *) "interrupted",
  };

  json_object_set_string_member (data, "message", message_id);
  json_object_set_string_member (data, "text", text != NULL ? text : "");
  json_object_set_string_member (data, "status", "interrupted");
  json_object_set_null_member (data, "error");

  event = _confabd_hub_append (self, room, "stream.ended", author, data,
                               CONFABD_MESSAGE_CHANGE_UPDATE, &change, error);
  if (event == NULL)
    return FALSE;
  _confabd_hub_broadcast (self, event);
  return TRUE;
}

void
_confabd_hub_interrupt_stream (ConfabdHub      *self,
                               ConfabdLiveRoom *live,
                               const char      *message_id)
{
  g_autoptr(ConfabdLiveRoom) hold G_GNUC_UNUSED = g_object_ref (live);
  g_autofree char *room = g_strdup (confabd_live_room_get_id (live));
  g_autoptr(ConfabdStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  /* Out of the room first: nothing extends or ends it while it is stored. */
  stream = confabd_live_room_steal_stream (live, message_id);
  if (stream == NULL)
    return;

  if (!append_interrupted (self, room, stream->message, stream->author, stream->text->str,
                           &error))
    /* Still "streaming" in the store: the next start marks it interrupted. */
    g_warning ("Cannot store the interrupted reply %s in %s: %s", stream->message, room,
               error->message);
  else
    {
      g_message ("Reply %s in %s interrupted with %" G_GSIZE_FORMAT " bytes", stream->message,
                 room, stream->text->len);
      if (stream->caller != NULL && self->bus != NULL)
        confabd_bus_send (self->bus, "HDEL confab:streams %s", stream->message);
    }
  _confabd_hub_forget_if_idle (self, live);
}

/* The deltas were never stored: the text is what the store has. */
gboolean
_confabd_hub_interrupt_stored (ConfabdHub      *self,
                               ConfabdMessage  *message,
                               GError         **error)
{
  return append_interrupted (self, message->room, message->id, message->author, message->text,
                             error);
}

/* Whether @stream is relayed here (a mirror, caller NULL, is for its own
 * instance to end) by @connection or by @user; by anyone when both are
 * NULL. */
static gboolean
stream_matches (ConfabdStream     *stream,
                ConfabdConnection *connection,
                const char        *user)
{
  return stream != NULL && stream->caller != NULL &&
         ((connection == NULL && user == NULL) ||
          (connection != NULL && stream->caller == connection) ||
          (user != NULL && g_str_equal (stream->author, user)));
}

/* Interrupts the replies in @live that stream_matches. */
static void
interrupt_streams (ConfabdHub        *self,
                   ConfabdLiveRoom       *live,
                   ConfabdConnection *connection,
                   const char        *user)
{
  GPtrArray *streams = confabd_live_room_get_streams (live);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < streams->len; i++)
    {
      ConfabdStream *stream = g_ptr_array_index (streams, i);

      if (stream_matches (stream, connection, user))
        g_ptr_array_add (ids, g_strdup (stream->message));
    }

  /* Each store may let others change the room: checked again each time. */
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);

      if (stream_matches (confabd_live_room_lookup_stream (live, id), connection, user))
        _confabd_hub_interrupt_stream (self, live, id);
    }
}

void
_confabd_hub_kick (ConfabdHub *self,
                   const char *room,
                   const char *user)
{
  g_autoptr(ConfabdLiveRoom) live = _confabd_hub_ref_live (self, room);
  g_autoptr(GPtrArray) theirs = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *connections;

  if (live == NULL)
    return;

  interrupt_streams (self, live, NULL, user);

  connections = confabd_live_room_get_connections (live);
  for (guint i = 0; i < connections->len; i++)
    {
      ConfabdConnection *connection = g_ptr_array_index (connections, i);

      if (g_strcmp0 (confabd_connection_get_user (connection), user) == 0)
        g_ptr_array_add (theirs, g_object_ref (connection));
    }
  for (guint i = 0; i < theirs->len; i++)
    _confabd_hub_leave_live (self, live, g_ptr_array_index (theirs, i));
}

/* A connection signs out or closes: its replies are interrupted and it
 * leaves every room. */
static void
detach_connection (ConfabdHub        *self,
                   ConfabdConnection *connection)
{
  g_autoptr(GPtrArray) rooms = _confabd_hub_dup_live_rooms (self);

  for (guint i = 0; i < rooms->len; i++)
    {
      ConfabdLiveRoom *live = g_ptr_array_index (rooms, i);

      interrupt_streams (self, live, connection, NULL);
      _confabd_hub_leave_live (self, live, connection);
    }
}

/* ---- Connections */

static void
connection_closed_cb (ConfabdConnection *connection,
                      ConfabdHub        *self)
{
  g_autoptr(ConfabdConnection) hold G_GNUC_UNUSED = g_object_ref (connection);

  g_debug ("%s: closed", confabd_connection_get_peer (connection));
  detach_connection (self, connection);
  g_signal_handlers_disconnect_by_data (connection, self);
  g_ptr_array_remove (self->connections, connection);
}

void
confabd_hub_add_connection (ConfabdHub        *self,
                            ConfabdConnection *connection)
{
  g_return_if_fail (CONFABD_IS_HUB (self));
  g_return_if_fail (CONFABD_IS_CONNECTION (connection));

  g_ptr_array_add (self->connections, g_object_ref (connection));
  g_signal_connect (connection, "closed", G_CALLBACK (connection_closed_cb), self);
  if (!confabd_connection_is_open (connection))
    connection_closed_cb (connection, self);
}

guint
confabd_hub_get_n_connections (ConfabdHub *self)
{
  g_return_val_if_fail (CONFABD_IS_HUB (self), 0);

  return self->connections->len;
}

gboolean
confabd_hub_knows_frame (const char *type)
{
  return type != NULL && lookup_handler (type) != NULL;
}

void
confabd_hub_handle_frame (ConfabdHub        *self,
                          ConfabdConnection *connection,
                          const char        *type,
                          JsonObject        *frame,
                          JsonNode          *re)
{
  g_autoptr(ConfabdConnection) hold G_GNUC_UNUSED = g_object_ref (connection);
  g_autoptr(GError) error = NULL;
  ConfabdFrameHandler handler = lookup_handler (type);
  gint64 wait;
  ConfabdRequest request = {
    .hub = self,
    .connection = connection,
    .type = type,
    .frame = frame,
    .re = re,
    .user = confabd_connection_get_user (connection),
    .role = CONFAB_ROOM_ROLE_NONE,
  };

  g_return_if_fail (CONFABD_IS_HUB (self));
  g_return_if_fail (handler != NULL);
  g_return_if_fail (request.user != NULL);

  wait = _confabd_hub_frame_limited (self, request.user);
  if (wait > 0)
    {
      g_set_error_literal (&error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_RATE_LIMITED,
                           _("Too many messages from your account. Slow down."));
      confabd_connection_refuse (connection, type, re, error, wait);
      return;
    }

  if (!handler (&request, &error))
    confabd_connection_refuse (connection, type, re, error, 0);
}

void
confabd_hub_sign_out (ConfabdHub        *self,
                      ConfabdConnection *connection)
{
  g_return_if_fail (CONFABD_IS_HUB (self));

  detach_connection (self, connection);
}

void
_confabd_hub_revoke_local (ConfabdHub        *self,
                           const char        *token_hash,
                           ConfabdConnection *except)
{
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_object_unref);

  /* Closing may drop connections from the hub's array. */
  for (guint i = 0; i < self->connections->len; i++)
    g_ptr_array_add (connections, g_object_ref (g_ptr_array_index (self->connections, i)));
  for (guint i = 0; i < connections->len; i++)
    {
      ConfabdConnection *connection = g_ptr_array_index (connections, i);

      if (connection != except &&
          g_strcmp0 (confabd_connection_get_token_hash (connection), token_hash) == 0)
        confabd_connection_revoke (connection);
    }
}

void
confabd_hub_revoke_session (ConfabdHub        *self,
                            const char        *token_hash,
                            ConfabdConnection *except)
{
  g_return_if_fail (CONFABD_IS_HUB (self));
  g_return_if_fail (token_hash != NULL);

  _confabd_hub_revoke_local (self, token_hash, except);
  /* And on the other instances (finding 8 in docs/security.md). */
  if (self->bus != NULL)
    confabd_bus_publish_revocation (self->bus, token_hash);
}

/* ---- Start and stop */

gboolean
confabd_hub_recover (ConfabdHub  *self,
                     GError     **error)
{
  g_autoptr(GPtrArray) streaming = NULL;

  g_return_val_if_fail (CONFABD_IS_HUB (self), FALSE);

  streaming = confabd_storage_list_streaming (self->storage, error);
  if (streaming == NULL)
    return FALSE;

  for (guint i = 0; i < streaming->len; i++)
    if (!_confabd_hub_interrupt_stored (self, g_ptr_array_index (streaming, i), error))
      return FALSE;

  if (streaming->len > 0)
    g_message ("Marked %u replies a stopped server left open as interrupted", streaming->len);
  return TRUE;
}

static void
shutdown_co (gpointer user_data)
{
  ConfabdHub *self = user_data;
  g_autoptr(GPtrArray) rooms = _confabd_hub_dup_live_rooms (self);
  g_autoptr(GPtrArray) connections = NULL;

  /* Every reply relayed here. */
  for (guint i = 0; i < rooms->len; i++)
    interrupt_streams (self, g_ptr_array_index (rooms, i), NULL, NULL);

  connections = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->connections->len; i++)
    g_ptr_array_add (connections, g_object_ref (g_ptr_array_index (self->connections, i)));
  for (guint i = 0; i < connections->len; i++)
    confabd_connection_close (g_ptr_array_index (connections, i), 1001,
                              "server shutting down");
}

void
confabd_hub_shutdown (ConfabdHub *self)
{
  g_return_if_fail (CONFABD_IS_HUB (self));

  if (self->shutting_down)
    return;
  self->shutting_down = TRUE;
  _confabd_hub_clear_bus_queue (self);
  confabd_coroutine_spawn (shutdown_co, g_object_ref (self), g_object_unref);
}

gboolean
confabd_hub_is_shutting_down (ConfabdHub *self)
{
  g_return_val_if_fail (CONFABD_IS_HUB (self), TRUE);

  return self->shutting_down;
}

gboolean
confabd_hub_has_pending_work (ConfabdHub *self)
{
  g_return_val_if_fail (CONFABD_IS_HUB (self), FALSE);

  /* The heartbeat's sweep included: it runs on a coroutine. */
  return confabd_coroutine_get_n_alive () > 0;
}

/* ---- GObject */

ConfabdStorage *
confabd_hub_get_storage (ConfabdHub *self)
{
  g_return_val_if_fail (CONFABD_IS_HUB (self), NULL);

  return self->storage;
}

ConfabdAccounts *
confabd_hub_get_accounts (ConfabdHub *self)
{
  g_return_val_if_fail (CONFABD_IS_HUB (self), NULL);

  return self->accounts;
}

gboolean
confabd_hub_get_allow_register (ConfabdHub *self)
{
  g_return_val_if_fail (CONFABD_IS_HUB (self), FALSE);

  return self->allow_register;
}

static void
confabd_hub_dispose (GObject *object)
{
  ConfabdHub *self = CONFABD_HUB (object);

  if (self->connections != NULL)
    for (guint i = 0; i < self->connections->len; i++)
      g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->connections, i), self);
  g_clear_pointer (&self->connections, g_ptr_array_unref);
  g_clear_pointer (&self->rooms, g_hash_table_unref);
  g_clear_pointer (&self->limited, g_hash_table_unref);
  g_clear_pointer (&self->appends, g_hash_table_unref);
  _confabd_hub_clear_bus_queue (self);
  if (self->bus != NULL)
    g_signal_handlers_disconnect_by_data (self->bus, self);
  g_clear_object (&self->bus);
  g_clear_object (&self->accounts);
  g_clear_object (&self->storage);

  G_OBJECT_CLASS (confabd_hub_parent_class)->dispose (object);
}

static void
confabd_hub_class_init (ConfabdHubClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confabd_hub_dispose;
}

static void
confabd_hub_init (ConfabdHub *self)
{
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->limited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->appends = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) append_lane_free);
}

ConfabdHub *
confabd_hub_new (ConfabdStorage *storage,
                 gboolean        allow_register)
{
  ConfabdHub *self;

  g_return_val_if_fail (CONFABD_IS_STORAGE (storage), NULL);

  self = g_object_new (CONFABD_TYPE_HUB, NULL);
  self->storage = g_object_ref (storage);
  self->accounts = confabd_accounts_new (storage);
  self->allow_register = allow_register;
  return self;
}
