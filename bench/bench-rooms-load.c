/* bench-rooms-load.c: what bench-rooms sends, receives and counts.
 *
 *   messages  every client posts M messages at once, paced by its bucket
 *   fan-out   F messages/s over all clients for S seconds: message k at
 *             start + k/F from client k mod N, so each connection sends
 *             F/N per second and nothing queues in a burst
 *   relay     a plain member of the first room relays D stream.delta
 *             frames; the other clients in the room receive them
 *
 * A message's latency runs from its send to its arrival at each client in
 * its room, the sender included.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-bench"

#include "config.h"

#include <string.h>

#include "bench-rooms-private.h"

/* ------------------------------------------------------------------------ */
/* Receiving */

static guint
room_index (Bench      *bench,
            const char *room)
{
  /* index + 1; 0 for a room the bench did not make */
  return GPOINTER_TO_UINT (g_hash_table_lookup (bench->room_index, room));
}

static void
count_seq (Peer       *peer,
           const char *room,
           gint64      seq)
{
  guint r = room_index (peer->bench, room);
  GArray *counts;

  if (r == 0 || !peer_in_room (peer, r - 1))
    return;
  counts = g_ptr_array_index (peer->seqs, r - 1);
  if ((gint64) counts->len <= seq)
    g_array_set_size (counts, seq + 1);
  if (g_array_index (counts, guint8, seq) < G_MAXUINT8)
    g_array_index (counts, guint8, seq)++;
}

void
on_event_cb (ConfabRoomClient *client,
             const char       *room,
             gint64            seq,
             JsonObject       *frame,
             Peer             *peer)
{
  Bench *bench = peer->bench;
  JsonObject *data;
  const char *text;
  Sent *sent;
  guint count;
  gint64 now;
  double latency;

  count_seq (peer, room, seq);

  if (g_strcmp0 (json_object_get_string_member_with_default (frame, "event", NULL),
                 "message.created") != 0 ||
      (data = json_object_get_object_member (frame, "data")) == NULL ||
      (text = json_object_get_string_member_with_default (data, "text", NULL)) == NULL ||
      (sent = g_hash_table_lookup (bench->sent_at, text)) == NULL)
    return;

  count = GPOINTER_TO_UINT (g_hash_table_lookup (peer->texts, text));
  g_hash_table_insert (peer->texts, g_strdup (text), GUINT_TO_POINTER (count + 1));
  if (count > 0)
    {
      bench->dups[sent->kind]++;
      return;
    }

  now = now_us ();
  bench->last_delivery[sent->kind] = bench->progress = now;
  bench->delivered[sent->kind]++;
  latency = (now - sent->time) / (double) G_USEC_PER_SEC;
  g_array_append_val (bench->latencies[sent->kind], latency);
  /* How long a fan-out takes from the first client to the last. */
  if (sent->kind == KIND_FANOUT && ++sent->arrivals == 1)
    g_array_append_val (bench->fanout_first, latency);
  if (sent->kind == KIND_FANOUT && sent->arrivals == bench->members[sent->room])
    g_array_append_val (bench->fanout_last, latency);
  /* Through its own instance, or through Redis and another one. */
  if (sent->kind == KIND_FANOUT)
    {
      GArray *where = peer->instance == sent->instance
                        ? bench->fanout_here : bench->fanout_elsewhere;

      g_array_append_val (where, latency);
    }
}

void
on_ephemeral_cb (ConfabRoomClient *client,
                 const char       *room,
                 JsonObject       *frame,
                 Peer             *peer)
{
  Bench *bench = peer->bench;
  gint64 offset;
  const char *text;
  guint index;
  double latency;

  if (g_strcmp0 (json_object_get_string_member_with_default (frame, "type", NULL),
                 "stream.delta") != 0 ||
      bench->stream == NULL ||
      g_strcmp0 (json_object_get_string_member_with_default (frame, "message", NULL),
                 bench->stream) != 0)
    return;

  offset = json_object_get_int_member_with_default (frame, "offset", -1);
  text = json_object_get_string_member_with_default (frame, "text", "");

  if (offset < (gint64) peer->delta_bytes)
    {
      peer->n_delta_dups++;
      return;
    }
  if (offset > (gint64) peer->delta_bytes)
    peer->n_delta_gaps++;
  peer->delta_bytes = offset + strlen (text);

  /* Which delta: the one sent at this offset. */
  for (index = peer->n_deltas; index < bench->delta_offsets->len; index++)
    if (g_array_index (bench->delta_offsets, gsize, index) == (gsize) offset)
      break;
  if (index == bench->delta_offsets->len)
    {
      peer->n_delta_gaps++;
      return;
    }

  peer->n_deltas++;
  bench->last_delta_delivery = bench->progress = now_us ();
  latency = (bench->last_delta_delivery - g_array_index (bench->delta_sent_at, gint64, index)) /
            (double) G_USEC_PER_SEC;
  g_array_append_val (bench->delta_latencies, latency);
}

/* ------------------------------------------------------------------------ */
/* Sending messages */

typedef struct
{
  Bench  *bench;
  gint64  sent;
  Kind    kind;
  guint   room;
} AckWait;

static void
on_ack_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autofree AckWait *wait = user_data;
  Bench *bench = wait->bench;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  double latency;

  answer = confab_room_client_request_finish (CONFAB_ROOM_CLIENT (object), result, &error);
  bench->n_acks[wait->kind]++;
  if (answer == NULL)
    {
      g_printerr ("refused: %s\n", error->message);
      bench->n_refused[wait->kind]++;
      return;
    }
  bench->acked[wait->kind][wait->room]++;
  latency = (now_us () - wait->sent) / (double) G_USEC_PER_SEC;
  g_array_append_val (bench->ack_latencies[wait->kind], latency);
}

/* Posts @text in the room at @r (an index), counting it under @kind. */
static void
post (Peer       *peer,
      guint       r,
      char       *text,
      Kind        kind)
{
  Bench *bench = peer->bench;
  g_autoptr(JsonNode) frame = parse_frame ("{\"type\":\"message.create\",\"room\":\"%s\","
                                           "\"chat\":\"%s\",\"text\":\"%s\"}",
                                           (char *) g_ptr_array_index (bench->rooms, r),
                                           (char *) g_ptr_array_index (bench->chats, r), text);
  AckWait *wait = g_new0 (AckWait, 1);
  Sent *sent = g_new0 (Sent, 1);

  sent->time = wait->sent = now_us ();
  sent->kind = wait->kind = kind;
  sent->room = wait->room = r;
  sent->instance = peer->instance;
  if (bench->first_send[kind] == 0)
    bench->first_send[kind] = sent->time;
  bench->last_send[kind] = sent->time;
  bench->n_sent[kind]++;
  wait->bench = bench;
  g_hash_table_insert (bench->sent_at, text, sent);
  confab_room_client_request_async (peer->client, frame, NULL, on_ack_cb, wait);
}

/* The messages scenario: round the client's rooms. */
static void
send_message (Peer *peer)
{
  guint r = g_array_index (peer->rooms, guint, peer->next % peer->rooms->len);

  /* The first pump sends what the burst allows at once. */
  post (peer, r, g_strdup_printf ("%s #%u", peer->name, peer->next),
        peer->paced ? KIND_PACED : KIND_BURST);
}

typedef void (*SendOne) (Peer *peer);

/* Sends with @send_one while the bucket allows, until @count are sent;
 * @again carries on when the next token is due. */
static void
pump (Peer        *peer,
      guint        count,
      SendOne      send_one,
      GSourceFunc  again)
{
  peer->pump_id = 0;
  for (refill (peer); peer->tokens >= 1.0 && peer->next < count; peer->next++)
    {
      send_one (peer);
      peer->tokens -= 1.0;
    }
  if (peer->next < count)
    peer->pump_id = g_timeout_add (next_token_ms (peer), again, peer);
}

static gboolean
pump_messages_cb (gpointer user_data)
{
  Peer *peer = user_data;

  pump (peer, peer->bench->n_messages, send_message, pump_messages_cb);
  peer->paced = TRUE;
  return G_SOURCE_REMOVE;
}

/* Every stored message, to every client joined to its room. */
guint
expected_deliveries (Bench *bench,
                     Kind   kind)
{
  guint total = 0;

  for (guint r = 0; r < (guint) bench->n_rooms; r++)
    total += bench->acked[kind][r] * bench->members[r];
  return total;
}

static gboolean
kinds_delivered (Bench *bench,
                 Kind   first,
                 Kind   last)
{
  for (Kind kind = first; kind <= last; kind++)
    if (bench->n_acks[kind] < bench->n_sent[kind] ||
        bench->delivered[kind] < expected_deliveries (bench, kind))
      return FALSE;
  return TRUE;
}

static gboolean
all_messages_delivered (Bench *bench)
{
  guint total = bench->n_clients * bench->n_messages;

  return bench->n_sent[KIND_BURST] + bench->n_sent[KIND_PACED] == total &&
         kinds_delivered (bench, KIND_BURST, KIND_PACED);
}

void
run_messages (Bench *bench)
{
  for (guint i = 0; i < bench->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (bench->peers, i);

      peer->next = 0;
      pump_messages_cb (peer);
    }
  run_until (bench, all_messages_delivered, "the messages");
}

/* ------------------------------------------------------------------------ */
/* Fan-out: a steady rate over all clients. */

static gboolean
fanout_tick_cb (gpointer user_data)
{
  Bench *bench = user_data;
  gint64 now = now_us ();
  gint64 due;

  bench->fanout_id = 0;
  while (bench->fanout_next < bench->fanout_total &&
         (due = bench->fanout_start +
                (gint64) (bench->fanout_next * G_USEC_PER_SEC / bench->fanout_rate)) <= now)
    {
      guint k = bench->fanout_next++;
      Peer *peer = g_ptr_array_index (bench->peers, k % bench->peers->len);
      /* Its own room when spread; else the rooms in turn. */
      guint r = g_array_index (peer->rooms, guint,
                               (k / bench->peers->len) % peer->rooms->len);

      refill (peer);
      peer->tokens -= 1.0;
      post (peer, r, g_strdup_printf ("fan-out %u", k), KIND_FANOUT);
    }
  if (bench->fanout_next < bench->fanout_total)
    {
      due = bench->fanout_start +
            (gint64) (bench->fanout_next * G_USEC_PER_SEC / bench->fanout_rate);
      bench->fanout_id = g_timeout_add ((guint) ((due - now + 999) / 1000), fanout_tick_cb,
                                        bench);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
fanout_delivered (Bench *bench)
{
  return bench->n_sent[KIND_FANOUT] == bench->fanout_total &&
         kinds_delivered (bench, KIND_FANOUT, KIND_FANOUT);
}

void
run_fanout (Bench *bench)
{
  g_autofree double *before = g_new0 (double, bench->cpu_pids->len);

  cpu_sample (bench, before);
  bench->fanout_total = (guint) (bench->fanout_rate * bench->fanout_seconds + 0.5);
  bench->fanout_next = 0;
  bench->fanout_start = now_us ();
  fanout_tick_cb (bench);
  run_until (bench, fanout_delivered, "the fan-out");
  g_clear_handle_id (&bench->fanout_id, g_source_remove);
  cpu_sample (bench, bench->fanout_cpu);
  bench->fanout_wall = (now_us () - bench->fanout_start) / (double) G_USEC_PER_SEC;
  for (guint i = 0; i < bench->cpu_pids->len; i++)
    bench->fanout_cpu[i] -= before[i];
}

/* ------------------------------------------------------------------------ */
/* The relay */

static void
send_delta (Peer *peer)
{
  Bench *bench = peer->bench;
  g_autofree char *piece = g_strdup_printf ("d%u ", peer->next);
  g_autoptr(JsonNode) frame = NULL;
  gint64 sent = now_us ();

  frame = parse_frame ("{\"type\":\"stream.delta\",\"room\":\"%s\",\"message\":\"%s\","
                       "\"text\":\"%s\",\"offset\":%" G_GSIZE_FORMAT "}",
                       (char *) g_ptr_array_index (bench->rooms, 0), bench->stream, piece,
                       bench->stream_text->len);
  if (bench->first_delta == 0)
    bench->first_delta = sent;
  g_array_append_val (bench->delta_sent_at, sent);
  g_array_append_val (bench->delta_offsets, bench->stream_text->len);
  g_string_append (bench->stream_text, piece);
  if (!confab_room_client_send (peer->client, frame))
    g_error ("the relaying client is not connected");
}

static gboolean
pump_deltas_cb (gpointer user_data)
{
  Peer *peer = user_data;

  pump (peer, peer->bench->n_deltas, send_delta, pump_deltas_cb);
  return G_SOURCE_REMOVE;
}

static gboolean
all_deltas_delivered (Bench *bench)
{
  if (bench->relay->next < (guint) bench->n_deltas)
    return FALSE;
  for (guint i = 0; i < bench->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (bench->peers, i);

      if (peer != bench->relay && peer_in_room (peer, 0) &&
          peer->delta_bytes < bench->stream_text->len)
        return FALSE;
    }
  return TRUE;
}

void
run_relay (Bench *bench)
{
  Peer *relay = bench->relay;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) end = NULL;
  g_autoptr(JsonObject) text = json_object_new ();
  g_autoptr(JsonNode) frame = NULL;

  ack = request (relay, parse_frame ("{\"type\":\"stream.start\",\"room\":\"%s\",\"chat\":\"%s\","
                                     "\"model\":\"bench:relay\"}",
                                     (char *) g_ptr_array_index (bench->rooms, 0),
                                     (char *) g_ptr_array_index (bench->chats, 0)));
  bench->stream = g_strdup (json_object_get_string_member (ack, "message"));

  relay->next = 0;
  pump_deltas_cb (relay);
  run_until (bench, all_deltas_delivered, "the deltas");

  /* The whole text ends it, as a real relay does. */
  json_object_set_string_member (text, "type", "stream.end");
  json_object_set_string_member (text, "room", g_ptr_array_index (bench->rooms, 0));
  json_object_set_string_member (text, "message", bench->stream);
  json_object_set_string_member (text, "text", bench->stream_text->str);
  json_object_set_string_member (text, "status", "complete");
  frame = json_node_init_object (json_node_alloc (), text);
  end = request (relay, g_steal_pointer (&frame));
}

/* ------------------------------------------------------------------------ */
/* The end: every seq of every room once, at every client in it. */

static gboolean
all_caught_up (Bench *bench)
{
  JsonArray *rooms = bench->server_rooms;

  for (guint a = 0; a < json_array_get_length (rooms); a++)
    {
      JsonObject *room = json_array_get_object_element (rooms, a);
      const char *id = json_object_get_string_member (room, "id");
      guint r = room_index (bench, id);

      for (guint i = 0; r > 0 && i < bench->peers->len; i++)
        {
          Peer *peer = g_ptr_array_index (bench->peers, i);

          if (peer_in_room (peer, r - 1) &&
              confab_room_client_get_last_seq (peer->client, id) <
              json_object_get_int_member (room, "last_seq"))
            return FALSE;
        }
    }
  return TRUE;
}

/* Seqs after the join missing or seen twice, summed over the clients. */
void
check_logs (Bench *bench,
            guint *seq_lost,
            guint *seq_dup)
{
  Peer *owner = g_ptr_array_index (bench->peers, 0);
  g_autoptr(JsonObject) rooms = request (owner, parse_frame ("{\"type\":\"rooms\"}"));
  JsonArray *array = json_object_get_array_member (rooms, "rooms");

  bench->server_rooms = array;
  run_until (bench, all_caught_up, "the last events");
  bench->server_rooms = NULL;

  for (guint a = 0; a < json_array_get_length (array); a++)
    {
      JsonObject *room = json_array_get_object_element (array, a);
      gint64 last = json_object_get_int_member (room, "last_seq");
      guint r = room_index (bench, json_object_get_string_member (room, "id"));
      gint64 base;

      if (r-- == 0)
        continue;
      base = g_array_index (bench->base_seqs, gint64, r);
      for (guint i = 0; i < bench->peers->len; i++)
        {
          Peer *peer = g_ptr_array_index (bench->peers, i);
          GArray *counts;

          if (!peer_in_room (peer, r))
            continue;
          counts = g_ptr_array_index (peer->seqs, r);
          for (gint64 seq = 1; seq < MIN ((gint64) counts->len, base + 1); seq++)
            *seq_dup += g_array_index (counts, guint8, seq);
          for (gint64 seq = base + 1; seq <= last; seq++)
            {
              guint count = seq < counts->len ? g_array_index (counts, guint8, seq) : 0;

              if (count == 0)
                (*seq_lost)++;
              else
                *seq_dup += count - 1;
            }
          /* Beyond the server's last: cannot be. */
          for (gint64 seq = last + 1; seq < counts->len; seq++)
            *seq_dup += g_array_index (counts, guint8, seq);
        }
    }
}
