/* confabd-hub-bus.c: how events reach a room's sockets, on one instance or
 * on several sharing a store and a Redis bus
 *
 * Every event reaches a live room through _confabd_hub_deliver, whether
 * this instance committed it, another one published it, or it was read
 * back from the storage. The live room remembers the last seq it sent, so
 * an event seen twice is dropped and an event that skips ahead first
 * brings the missing ones from the storage (pub/sub can lose messages;
 * the storage cannot). Each socket thus gets every event once, in order.
 *
 * Events also have effects on what other instances keep in memory: a
 * member removed leaves every instance's live room, a deleted room goes, a
 * reply relayed elsewhere is mirrored here (its text so far, for clients
 * joining here and for its author reconnecting here). Those effects are
 * idempotent, so they run for every delivered event, local or not.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <string.h>

#include "confabd-coroutine.h"
#include "confabd-hub-private.h"

static void
apply_effects (ConfabdHub         *self,
               ConfabdLiveRoom    *live,
               const ConfabdEvent *event)
{
  const char *message = confabd_event_get_data_string (event, "message");
  const char *user = confabd_event_get_data_string (event, "user");

  if (g_str_equal (event->event, "stream.started") && message != NULL)
    {
      const char *chat = confabd_event_get_data_string (event, "chat");

      ConfabdStream *stream = confabd_live_room_lookup_stream (live, message);

      if (stream == NULL)
        confabd_live_room_add_stream (live, message, chat != NULL ? chat : "", event->author,
                                      NULL);
      else if (stream->caller != NULL)
        _confabd_hub_own_stream (self, message);
    }
  else if (g_str_equal (event->event, "stream.ended") && message != NULL)
    {
      ConfabdStream *stream = confabd_live_room_lookup_stream (live, message);

      if (stream != NULL && stream->caller != NULL && self->bus != NULL)
        confabd_bus_send (self->bus, "HDEL confab:streams %s", message);
      confabd_live_room_remove_stream (live, message);
      _confabd_hub_forget_if_idle (self, live);
    }
  else if (g_str_equal (event->event, "member.removed") && user != NULL)
    _confabd_hub_kick (self, event->room, user);
  else if (g_str_equal (event->event, "room.deleted"))
    g_hash_table_remove (self->rooms, event->room);
}

static void
send_event (ConfabdLiveRoom    *live,
            const ConfabdEvent *event)
{
  g_autoptr(JsonNode) frame = _confabd_hub_event_frame (event);
  g_autofree char *text = confab_protocol_to_string (frame);

  confabd_live_room_set_last_seq (live, event->seq);
  confabd_live_room_send_text (live, text, NULL);
}

static ConfabdEvent *
event_copy (const ConfabdEvent *event)
{
  ConfabdEvent *copy = g_new0 (ConfabdEvent, 1);

  copy->room = g_strdup (event->room);
  copy->seq = event->seq;
  copy->event = g_strdup (event->event);
  copy->author = g_strdup (event->author);
  copy->time = event->time;
  copy->data = event->data != NULL ? json_node_copy (event->data) : NULL;
  return copy;
}

/* Sends @event and applies its effects, unless the live room is past it:
 * effects may deliver events of their own (an interrupted reply). */
static void
send_if_new (ConfabdHub         *self,
             ConfabdLiveRoom    *live,
             const ConfabdEvent *event)
{
  if (event->seq <= confabd_live_room_get_last_seq (live))
    return;
  send_event (live, event);
  apply_effects (self, live, event);
}

/* Sends the held events that now follow the last one sent. */
static void
flush_held (ConfabdHub      *self,
            ConfabdLiveRoom *live)
{
  ConfabdEvent *next;

  while ((next = confabd_live_room_pop_held (live, confabd_live_room_get_last_seq (live) + 1))
         != NULL)
    {
      g_autoptr(ConfabdEvent) event = next;

      send_if_new (self, live, event);
    }
}

/* Sends the events after the live room's last seq (and up to @until, 0:
 * all) from the storage, then the held ones that follow. FALSE on a
 * storage error (nothing sent). */
static gboolean
fill_gap (ConfabdHub       *self,
          ConfabdLiveRoom  *live,
          gint64            until,
          GError          **error)
{
  g_autoptr(ConfabdLiveRoom) hold G_GNUC_UNUSED = g_object_ref (live);
  g_autoptr(GPtrArray) events = NULL;
  gint64 last = confabd_live_room_get_last_seq (live);

  events = confabd_storage_list_events (self->storage, confabd_live_room_get_id (live), last, 0,
                                        error);
  if (events == NULL)
    return FALSE;

  if (events->len > 0)
    g_debug ("%s: %u events from the storage after #%" G_GINT64_FORMAT,
             confabd_live_room_get_id (live), events->len, last);
  for (guint i = 0; i < events->len; i++)
    {
      ConfabdEvent *event = g_ptr_array_index (events, i);

      if (until > 0 && event->seq > until)
        break;
      send_if_new (self, live, event);
    }
  flush_held (self, live);
  return TRUE;
}

static void
deliver_in_order (ConfabdHub         *self,
                  ConfabdLiveRoom    *live,
                  const ConfabdEvent *event)
{
  g_autoptr(GError) error = NULL;
  gint64 last = confabd_live_room_get_last_seq (live);

  if (last > 0 && event->seq <= last)
    return;   /* already sent: a duplicate, or read back from the storage first */

  if (last > 0 && event->seq > last + 1)
    {
      /* Commits finish in any order: an event this instance is storing in
       * the room will most likely fill the gap, without a read. */
      if (_confabd_hub_appends_under_way (self, confabd_live_room_get_id (live)) > 0)
        {
          confabd_live_room_hold_event (live, event_copy (event));
          return;
        }

      /* Better late and in order than never: the next event or the next
       * resubscription tries again. */
      if (!fill_gap (self, live, event->seq, &error))
        {
          g_message ("%s: cannot fetch events %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT
                     " from the storage: %s", event->room, last + 1, event->seq - 1,
                     error->message);
          return;
        }
    }

  /* The store may have brought it already. */
  send_if_new (self, live, event);
  flush_held (self, live);
}

void
_confabd_hub_settle (ConfabdHub      *self,
                     ConfabdLiveRoom *live)
{
  g_autoptr(GError) error = NULL;
  gint64 until;

  /* Held events whose gap no append of this instance will fill now (it
   * failed, or the missing event came from another instance and was lost
   * on the way): the store has it. */
  if (_confabd_hub_appends_under_way (self, confabd_live_room_get_id (live)) > 0 ||
      (until = confabd_live_room_get_held_until (live)) == 0)
    return;
  if (!fill_gap (self, live, until, &error))
    g_message ("%s: cannot fetch the events before #%" G_GINT64_FORMAT " from the storage: %s",
               confabd_live_room_get_id (live), until, error->message);
}

void
_confabd_hub_deliver (ConfabdHub         *self,
                      const ConfabdEvent *event)
{
  g_autoptr(ConfabdLiveRoom) live = _confabd_hub_ref_live (self, event->room);

  if (live == NULL)
    return;
  deliver_in_order (self, live, event);
  _confabd_hub_settle (self, live);
}

void
_confabd_hub_broadcast (ConfabdHub         *self,
                        const ConfabdEvent *event)
{
  if (self->bus != NULL)
    {
      g_autoptr(JsonNode) frame = _confabd_hub_event_frame (event);

      confabd_bus_publish (self->bus, CONFABD_BUS_EVENT, event->room, frame);
    }
  _confabd_hub_deliver (self, event);
}

gboolean
_confabd_hub_catch_up (ConfabdHub       *self,
                       ConfabdLiveRoom  *live,
                       gint64            known,
                       GError          **error)
{
  if (confabd_live_room_get_last_seq (live) == 0)
    {
      /* Nothing sent from it yet: it starts where the caller's read ended. */
      confabd_live_room_set_last_seq (live, known);
      return TRUE;
    }
  if (known <= confabd_live_room_get_last_seq (live))
    return TRUE;
  return fill_gap (self, live, 0, error);
}

/* ---- Live frames */

/* Mirrors a delta relayed by another instance. */
static void
mirror_delta (ConfabdLiveRoom *live,
              JsonObject      *frame)
{
  const char *message = json_object_get_string_member_with_default (frame, "message", NULL);
  const char *text = json_object_get_string_member_with_default (frame, "text", NULL);
  gint64 offset = json_object_get_int_member_with_default (frame, "offset", -1);
  ConfabdStream *stream;

  if (message == NULL || text == NULL)
    return;
  stream = confabd_live_room_lookup_stream (live, message);
  if (stream == NULL || stream->caller != NULL)
    return;
  if (offset == (gint64) stream->text->len)
    g_string_append (stream->text, text);
  else if (offset > (gint64) stream->text->len)
    stream->incomplete = TRUE;
}

void
_confabd_hub_relay (ConfabdHub        *self,
                    ConfabdLiveRoom   *live,
                    JsonNode          *frame,
                    ConfabdConnection *except)
{
  g_autofree char *text = confab_protocol_to_string (frame);

  if (self->bus != NULL)
    confabd_bus_publish (self->bus, CONFABD_BUS_RELAY, confabd_live_room_get_id (live), frame);
  confabd_live_room_send_text (live, text, except);
}

/* ---- The bus */

static ConfabdEvent *
event_from_frame (const char  *room,
                  JsonObject  *frame)
{
  g_autoptr(ConfabdEvent) event = g_new0 (ConfabdEvent, 1);
  JsonNode *data = json_object_get_member (frame, "data");

  event->room = g_strdup (room);
  event->seq = json_object_get_int_member_with_default (frame, "seq", 0);
  event->event = g_strdup (json_object_get_string_member_with_default (frame, "event", NULL));
  event->author = g_strdup (json_object_get_string_member_with_default (frame, "author", ""));
  event->time = json_object_get_int_member_with_default (frame, "time", 0);
  if (event->seq <= 0 || event->event == NULL || data == NULL || !JSON_NODE_HOLDS_OBJECT (data) ||
      g_strcmp0 (json_object_get_string_member_with_default (frame, "room", NULL), room) != 0)
    return NULL;
  event->data = json_node_copy (data);
  return g_steal_pointer (&event);
}

static void
handle_bus_message (ConfabdHub     *self,
                    ConfabdBusKind  kind,
                    const char     *room,
                    const char     *from,
                    JsonObject     *frame)
{
  g_autoptr(ConfabdLiveRoom) live = _confabd_hub_ref_live (self, room);

  if (live == NULL || self->shutting_down)
    return;

  if (kind == CONFABD_BUS_EVENT)
    {
      g_autoptr(ConfabdEvent) event = event_from_frame (room, frame);

      if (event == NULL)
        g_warning ("Ignoring a malformed event for %s from the bus", room);
      else
        _confabd_hub_deliver (self, event);
    }
  else
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), frame);
      g_autofree char *text = confab_protocol_to_string (node);
      const char *type = json_object_get_string_member_with_default (frame, "type", "");

      if (g_str_equal (type, "stream.delta"))
        mirror_delta (live, frame);
      else if (g_str_equal (type, "presence"))
        {
          /* Sent on only when it changes what this instance's clients know. */
          if (!_confabd_hub_remote_presence (self, live, from, frame))
            return;
        }
      confabd_live_room_send_text (live, text, NULL);
    }
}

/* After Redis came back, anything published meanwhile may be lost. */
static void
catch_up_all (ConfabdHub *self)
{
  g_autoptr(GPtrArray) rooms = _confabd_hub_dup_live_rooms (self);

  for (guint i = 0; i < rooms->len; i++)
    {
      g_autoptr(GError) error = NULL;
      ConfabdLiveRoom *live = g_ptr_array_index (rooms, i);

      if (confabd_live_room_get_last_seq (live) > 0 && !fill_gap (self, live, 0, &error))
        g_message ("%s: cannot catch up after the bus came back: %s",
                   confabd_live_room_get_id (live), error->message);
    }
}

/* What the bus brought, in the order it came: an event that must first
 * fetch a gap from the store holds back the frames after it (a reply's
 * deltas after its stream.started). */
typedef struct
{
  ConfabdBusKind  kind;
  char           *room;    /* NULL: the subscription came back */
  char           *from;
  JsonObject     *frame;
} BusItem;

static void
bus_item_free (BusItem *item)
{
  g_free (item->room);
  g_free (item->from);
  g_clear_pointer (&item->frame, json_object_unref);
  g_free (item);
}

static void
bus_lane_co (gpointer user_data)
{
  ConfabdHub *self = user_data;
  BusItem *item;

  while ((item = g_queue_pop_head (&self->bus_queue)) != NULL)
    {
      if (item->room == NULL)
        catch_up_all (self);
      else
        handle_bus_message (self, item->kind, item->room, item->from, item->frame);
      bus_item_free (item);
    }
  self->bus_running = FALSE;
}

static void
push_bus_item (ConfabdHub *self,
               BusItem    *item)
{
  g_queue_push_tail (&self->bus_queue, item);
  if (!self->bus_running)
    {
      self->bus_running = TRUE;
      confabd_coroutine_spawn (bus_lane_co, g_object_ref (self), g_object_unref);
    }
}

static void
bus_message_cb (ConfabdBus     *bus,
                ConfabdBusKind  kind,
                const char     *room,
                const char     *from,
                JsonObject     *frame,
                ConfabdHub     *self)
{
  BusItem *item;

  (void) bus;
  if (self->shutting_down)
    return;
  if (kind == CONFABD_BUS_REVOKE)
    {
      _confabd_hub_revoke_local (self, json_object_get_string_member (frame, "session"), NULL);
      return;
    }
  if (!g_hash_table_contains (self->rooms, room))
    return;

  item = g_new0 (BusItem, 1);
  item->kind = kind;
  item->room = g_strdup (room);
  item->from = g_strdup (from);
  item->frame = json_object_ref (frame);
  push_bus_item (self, item);
}

static void
bus_subscribed_cb (ConfabdBus *bus,
                   ConfabdHub *self)
{
  (void) bus;
  push_bus_item (self, g_new0 (BusItem, 1));
}

void
_confabd_hub_clear_bus_queue (ConfabdHub *self)
{
  g_queue_clear_full (&self->bus_queue, (GDestroyNotify) bus_item_free);
}

void
confabd_hub_set_bus (ConfabdHub *self,
                     ConfabdBus *bus)
{
  g_return_if_fail (CONFABD_IS_HUB (self));
  g_return_if_fail (bus == NULL || CONFABD_IS_BUS (bus));

  if (self->bus != NULL)
    g_signal_handlers_disconnect_by_data (self->bus, self);
  g_set_object (&self->bus, bus);
  confabd_accounts_set_bus (self->accounts, bus);
  if (bus != NULL)
    {
      g_signal_connect (bus, "message", G_CALLBACK (bus_message_cb), self);
      g_signal_connect (bus, "subscribed", G_CALLBACK (bus_subscribed_cb), self);
      g_signal_connect_swapped (bus, "heartbeat", G_CALLBACK (_confabd_hub_heartbeat), self);
    }
}

ConfabdBus *
confabd_hub_get_bus (ConfabdHub *self)
{
  g_return_val_if_fail (CONFABD_IS_HUB (self), NULL);

  return self->bus;
}
