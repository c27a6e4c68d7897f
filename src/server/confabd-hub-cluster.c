/* confabd-hub-cluster.c: what confabd instances keep in Redis besides the
 * events: who is online where, and which instance relays which reply
 *
 * Presence: each instance keeps its users in the sorted set
 * "confab:presence:ROOM" (member "USER␟INSTANCE", score its expiry), renews
 * them every heartbeat and reads the set back. An instance that dies stops
 * renewing: within CONFABD_BUS_INSTANCE_TTL_MS its users are offline for
 * everyone else. Between heartbeats, presence frames relayed through the
 * bus keep every instance's picture current.
 *
 * Replies: the instance relaying a reply records itself in the hash
 * "confab:streams" (renewed every heartbeat). A reply still streaming in
 * the store whose instance's key "confab:instance:ID" expired, or which no
 * instance has claimed for 15 s, is ended as interrupted by the one
 * instance that wins "confab:sweep:MESSAGE" — unless its author carried it
 * on through another instance first, which then owns it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <string.h>

#include "confabd-coroutine.h"
#include "confabd-hub-private.h"

#define PRESENCE_PREFIX "confab:presence:"
#define STREAMS_KEY     "confab:streams"
/* A unit separator cannot be in a user name (confabd_accounts_check_user_name). */
#define MEMBER_SEPARATOR "\x1f"
/* Grace before a reply nobody claims is taken for orphaned: a Redis that
 * restarted empty has every instance's claims back within a heartbeat. */
#define ORPHAN_GRACE_MS (3 * CONFABD_BUS_HEARTBEAT_SECONDS * 1000)

/* KEYS: none (the keys follow from the message id); ARGV: message, this
 * instance, now (ms), grace (ms). 1: this instance must end the reply. */
static const char sweep_script[] =
  "local owner = redis.call('HGET', 'confab:streams', ARGV[1]) "
  "if owner then "
  "  if redis.call('EXISTS', 'confab:instance:' .. owner) == 1 then return 0 end "
  "else "
  "  local seen = redis.call('GET', 'confab:orphan:' .. ARGV[1]) "
  "  if not seen then "
  "    redis.call('SET', 'confab:orphan:' .. ARGV[1], ARGV[3], 'PX', 4 * tonumber(ARGV[4])) "
  "    return 0 "
  "  end "
  "  if tonumber(ARGV[3]) - tonumber(seen) < tonumber(ARGV[4]) then return 0 end "
  "end "
  "if redis.call('SET', 'confab:sweep:' .. ARGV[1], ARGV[2], 'NX', 'PX', 60000) then "
  "  redis.call('HDEL', 'confab:streams', ARGV[1]) "
  "  return 1 "
  "end "
  "return 0";

static char *
presence_member (ConfabdHub *self,
                 const char *user)
{
  return g_strconcat (user, MEMBER_SEPARATOR, confabd_bus_get_instance_id (self->bus), NULL);
}

static void
send_presence_here (ConfabdLiveRoom   *live,
                    JsonNode          *frame,
                    ConfabdConnection *except)
{
  g_autofree char *text = confab_protocol_to_string (frame);

  confabd_live_room_send_text (live, text, except);
}

static JsonNode *
presence_frame (const char *room,
                const char *user,
                gboolean    online)
{
  JsonNode *node = _confabd_node_take_object (json_object_new ());
  JsonObject *frame = json_node_get_object (node);

  json_object_set_string_member (frame, "type", "presence");
  json_object_set_string_member (frame, "room", room);
  json_object_set_string_member (frame, "user", user);
  json_object_set_boolean_member (frame, "online", online);
  return node;
}

void
_confabd_hub_presence_changed (ConfabdHub        *self,
                               ConfabdLiveRoom   *live,
                               const char        *user,
                               gboolean           online,
                               ConfabdConnection *except)
{
  const char *room = confabd_live_room_get_id (live);
  g_autoptr(JsonNode) frame = presence_frame (room, user, online);

  if (self->bus != NULL)
    {
      g_autofree char *key = g_strconcat (PRESENCE_PREFIX, room, NULL);
      g_autofree char *member = presence_member (self, user);

      if (online)
        confabd_bus_send (self->bus, "ZADD %s %" G_GINT64_FORMAT " %s", key,
                          g_get_real_time () / 1000 + CONFABD_BUS_INSTANCE_TTL_MS, member);
      else
        confabd_bus_send (self->bus, "ZREM %s %s", key, member);
      /* The others track each instance's users: they always hear of it. */
      confabd_bus_publish (self->bus, CONFABD_BUS_RELAY, room, frame);
    }

  /* Online elsewhere: this instance's clients knew, and still do. */
  if (!confabd_live_room_is_online_elsewhere (live, user))
    send_presence_here (live, frame, except);
}

gboolean
_confabd_hub_remote_presence (ConfabdHub      *self,
                              ConfabdLiveRoom *live,
                              const char      *from,
                              JsonObject      *frame)
{
  const char *user = json_object_get_string_member_with_default (frame, "user", NULL);
  gboolean online = json_object_get_boolean_member_with_default (frame, "online", FALSE);
  gboolean was_online;

  (void) self;
  if (user == NULL)
    return FALSE;

  was_online = confabd_live_room_is_online (live, user);
  confabd_live_room_set_remote (live, user, from, online);
  return was_online != confabd_live_room_is_online (live, user);
}

/* ---- Frame rate across instances */

static void
on_frame_limit_ttl (GObject  *owner,
                    gint64    ttl_ms,
                    gpointer  user_data)
{
  ConfabdHub *self = CONFABD_HUB (owner);
  const char *user = user_data;
  gint64 *until = g_new (gint64, 1);

  /* No answer, or no expiry yet: the whole window. */
  if (ttl_ms <= 0)
    ttl_ms = CONFABD_FRAME_WINDOW_MS;
  if (!g_hash_table_contains (self->limited, user))
    g_message ("%s is over %d frames in %d s on all instances: refused for %" G_GINT64_FORMAT
               " ms", user, CONFABD_FRAMES_PER_WINDOW, CONFABD_FRAME_WINDOW_MS / 1000, ttl_ms);
  *until = g_get_monotonic_time () + ttl_ms * 1000;
  g_hash_table_insert (self->limited, g_strdup (user), until);
}

static void
on_frame_counted (GObject  *owner,
                  gint64    count,
                  gpointer  user_data)
{
  ConfabdHub *self = CONFABD_HUB (owner);
  const char *user = user_data;
  g_autofree char *key = NULL;

  if (count <= CONFABD_FRAMES_PER_WINDOW || self->bus == NULL)
    return;
  key = g_strconcat ("confab:frames:", user, NULL);
  confabd_bus_query_int (self->bus, owner, on_frame_limit_ttl, g_strdup (user), g_free,
                         "PTTL %s", key);
}

gint64
_confabd_hub_frame_limited (ConfabdHub *self,
                            const char *user)
{
  g_autofree char *key = NULL;
  gint64 *until;
  gint64 now = g_get_monotonic_time ();

  if (self->bus == NULL)
    return 0;

  until = g_hash_table_lookup (self->limited, user);
  if (until != NULL && *until > now)
    return MAX (1, (*until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  if (until != NULL)
    g_hash_table_remove (self->limited, user);

  /* Counted now, enforced from the answer on: Redis is not waited for.
   * Two small commands per frame (a script would resend its text each
   * time); PEXPIRE NX (Redis 7) starts the window at the first frame. */
  key = g_strconcat ("confab:frames:", user, NULL);
  confabd_bus_query_int (self->bus, G_OBJECT (self), on_frame_counted, g_strdup (user), g_free,
                         "INCR %s", key);
  confabd_bus_send (self->bus, "PEXPIRE %s %d NX", key, CONFABD_FRAME_WINDOW_MS);
  return 0;
}

/* ---- Heartbeat: presence */

/* The members still alive in a room's set, read back: the other
 * instances' users replace what this instance knew, and its clients hear
 * of every difference (a user whose instance died goes offline here). */
static void
on_presence_read (GObject            *owner,
                  const char * const *members,
                  gpointer            user_data)
{
  ConfabdHub *self = CONFABD_HUB (owner);
  const char *room = user_data;
  ConfabdLiveRoom *live = _confabd_hub_lookup_live (self, room);
  g_autoptr(GHashTable) was_remote = NULL;
  g_autoptr(GList) users = NULL;
  GHashTableIter iter;
  const char *user;

  if (members == NULL || live == NULL || self->shutting_down)
    return;

  was_remote = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  users = confabd_live_room_get_remote_users (live);
  for (GList *l = users; l != NULL; l = l->next)
    g_hash_table_add (was_remote, g_strdup (l->data));
  g_clear_pointer (&users, g_list_free);

  confabd_live_room_clear_remote (live);
  for (guint i = 0; members[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (members[i], MEMBER_SEPARATOR, 2);

      if (g_strv_length (parts) == 2 &&
          !g_str_equal (parts[1], confabd_bus_get_instance_id (self->bus)))
        confabd_live_room_set_remote (live, parts[0], parts[1], TRUE);
    }

  g_hash_table_iter_init (&iter, was_remote);
  while (g_hash_table_iter_next (&iter, (gpointer *) &user, NULL))
    if (!confabd_live_room_is_online (live, user))
      {
        g_autoptr(JsonNode) frame = presence_frame (room, user, FALSE);

        send_presence_here (live, frame, NULL);
      }

  users = confabd_live_room_get_remote_users (live);
  for (GList *l = users; l != NULL; l = l->next)
    if (!g_hash_table_contains (was_remote, l->data) &&
        !confabd_live_room_is_online_here (live, l->data))
      {
        g_autoptr(JsonNode) frame = presence_frame (room, l->data, TRUE);

        send_presence_here (live, frame, NULL);
      }
}

static void
renew_presence (ConfabdHub      *self,
                ConfabdLiveRoom *live,
                gint64           now)
{
  const char *room = confabd_live_room_get_id (live);
  g_autofree char *key = g_strconcat (PRESENCE_PREFIX, room, NULL);
  g_autoptr(GList) users = confabd_live_room_get_users_here (live);

  for (GList *l = users; l != NULL; l = l->next)
    {
      g_autofree char *member = presence_member (self, l->data);

      confabd_bus_send (self->bus, "ZADD %s %" G_GINT64_FORMAT " %s", key,
                        now + CONFABD_BUS_INSTANCE_TTL_MS, member);
    }
  confabd_bus_send (self->bus, "ZREMRANGEBYSCORE %s -inf %" G_GINT64_FORMAT, key, now);
  /* A room nobody is in any more leaves nothing behind. */
  confabd_bus_send (self->bus, "PEXPIRE %s %d", key, 4 * CONFABD_BUS_INSTANCE_TTL_MS);
  confabd_bus_query_strings (self->bus, G_OBJECT (self), on_presence_read, g_strdup (room),
                             g_free, "ZRANGEBYSCORE %s %" G_GINT64_FORMAT " +inf", key, now);
}

/* ---- Heartbeat: replies */

void
_confabd_hub_own_stream (ConfabdHub *self,
                         const char *message)
{
  if (self->bus != NULL)
    confabd_bus_send (self->bus, "HSET %s %s %s", STREAMS_KEY, message,
                      confabd_bus_get_instance_id (self->bus));
}

typedef struct
{
  char *room;
  char *message;
} Sweep;

static void
sweep_free (Sweep *sweep)
{
  g_free (sweep->room);
  g_free (sweep->message);
  g_free (sweep);
}

typedef struct
{
  ConfabdHub *hub;
  Sweep      *sweep;
} SweepWon;

static void
sweep_won_free (SweepWon *won)
{
  g_object_unref (won->hub);
  sweep_free (won->sweep);
  g_free (won);
}

/* This instance claimed an orphaned reply: it ends it. */
static void
sweep_won_co (gpointer user_data)
{
  SweepWon *won = user_data;
  ConfabdHub *self = won->hub;
  Sweep *sweep = won->sweep;
  g_autoptr(ConfabdMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabdLiveRoom) live = NULL;
  ConfabdStream *stream;

  /* Read again: its author may have finished it meanwhile. */
  message = confabd_storage_lookup_message (self->storage, sweep->room, sweep->message, &error);
  if (message == NULL || g_strcmp0 (message->status, "streaming") != 0 || self->shutting_down)
    return;

  live = _confabd_hub_ref_live (self, sweep->room);
  stream = live != NULL ? confabd_live_room_lookup_stream (live, sweep->message) : NULL;
  g_message ("Reply %s in %s: the instance relaying it went away; ending it as interrupted",
             sweep->message, sweep->room);
  if (stream != NULL && stream->caller == NULL)
    _confabd_hub_interrupt_stream (self, live, sweep->message);
  else if (stream == NULL && !_confabd_hub_interrupt_stored (self, message, &error))
    g_warning ("Cannot end reply %s in %s: %s", sweep->message, sweep->room, error->message);
}

static void
on_sweep_answer (GObject  *owner,
                 gint64    won,
                 gpointer  user_data)
{
  ConfabdHub *self = CONFABD_HUB (owner);
  SweepWon *data;

  if (won != 1 || self->shutting_down)
    return;

  data = g_new0 (SweepWon, 1);
  data->hub = g_object_ref (self);
  data->sweep = g_new0 (Sweep, 1);
  data->sweep->room = g_strdup (((Sweep *) user_data)->room);
  data->sweep->message = g_strdup (((Sweep *) user_data)->message);
  confabd_coroutine_spawn (sweep_won_co, data, (GDestroyNotify) sweep_won_free);
}

/* Every open reply in the store: renewed when relayed here, else offered
 * to the sweep script, which lets one instance end it once its relaying
 * instance is gone. */
static void
sweep_co (gpointer user_data)
{
  ConfabdHub *self = user_data;
  g_autoptr(GPtrArray) streaming = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now_text = NULL;
  g_autofree char *grace = g_strdup_printf ("%d", ORPHAN_GRACE_MS);

  streaming = confabd_storage_list_streaming (self->storage, &error);
  self->sweeping = FALSE;
  if (streaming == NULL)
    {
      g_debug ("No sweep of replies now: %s", error->message);
      return;
    }
  if (self->shutting_down || self->bus == NULL)
    return;

  now_text = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / 1000);
  for (guint i = 0; i < streaming->len; i++)
    {
      ConfabdMessage *message = g_ptr_array_index (streaming, i);
      ConfabdLiveRoom *live = _confabd_hub_lookup_live (self, message->room);
      ConfabdStream *stream = live != NULL ? confabd_live_room_lookup_stream (live, message->id)
                                           : NULL;
      Sweep *sweep;

      if (stream != NULL && stream->caller != NULL)
        {
          _confabd_hub_own_stream (self, message->id);   /* renewed */
          continue;
        }

      sweep = g_new0 (Sweep, 1);
      sweep->room = g_strdup (message->room);
      sweep->message = g_strdup (message->id);
      confabd_bus_query_int (self->bus, G_OBJECT (self), on_sweep_answer, sweep,
                             (GDestroyNotify) sweep_free, "EVAL %s 0 %s %s %s %s", sweep_script,
                             message->id, confabd_bus_get_instance_id (self->bus), now_text,
                             grace);
    }
}

/* The list is read on a coroutine, so an idle instance's heartbeat never
 * holds its main loop for the database. */
static void
sweep_streams (ConfabdHub *self)
{
  if (self->sweeping)
    return;
  self->sweeping = TRUE;
  confabd_coroutine_spawn (sweep_co, g_object_ref (self), g_object_unref);
}

void
_confabd_hub_heartbeat (ConfabdHub *self)
{
  g_autoptr(GPtrArray) rooms = NULL;
  gint64 now = g_get_real_time () / 1000;

  if (self->bus == NULL || self->shutting_down)
    return;

  rooms = _confabd_hub_dup_live_rooms (self);
  for (guint i = 0; i < rooms->len; i++)
    renew_presence (self, g_ptr_array_index (rooms, i), now);

  sweep_streams (self);
}
