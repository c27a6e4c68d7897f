/* bench-rooms.c: load on a real confabd over loopback, for bench/run.
 *
 * Starts the confabd of the build tree on 127.0.0.1:0 with a fresh data
 * directory, registers N users, shares R rooms with all of them, and has
 * every client join every room from 0 through ConfabRoomClient. Then:
 *
 *   messages  each client posts M messages (message.create, spread over
 *             the rooms), all clients at once; every client, the sender
 *             included, must receive every message exactly once
 *   acks      message.create → its ack
 *   relay     then the second client relays a reply of D stream.delta
 *             frames in the first room; the others receive them
 *             (ephemeral, never stored)
 *
 * Every connection is paced by a token bucket just inside the server's
 * per-connection limit (docs/protocol.md: 40 frames/s, bursts of 200), so
 * no frame is refused: a client sends its burst at once, then at most
 * --rate frames/s. The message rate measures how fast the server takes
 * the bursts in; the relay's is the pacing (stream.delta frames count
 * against the limit like any other).
 *
 * At the end every receiver must have seen seq 1..last of each room exactly
 * once, every message text once and every delta once: the lost and dup
 * columns (exit status 1 otherwise).
 *
 * Usage: bench-rooms [--clients N] [--messages M] [--rooms R] [--deltas D]
 *                    [--rate F] [--burst B] [--confabd PATH] [--keep]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-bench"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>

#include "bench-common.h"
#include "confab-room-client.h"
#include "confab-test-utils.h"

#define PASSWORD "bench password"
/* Without progress for this long the run gives up and counts the rest
 * as lost. */
#define STALL_SECONDS 30

typedef struct _Bench Bench;

/* When a message was sent, and whether in a connection's first burst. */
typedef struct
{
  gint64   time;
  gboolean burst;
} Sent;

typedef struct
{
  Bench            *bench;
  char             *name;
  ConfabRoomClient *client;

  /* The client side of the rate limit. */
  double            tokens;
  gint64            refilled;
  guint             pump_id;
  guint             next;          /* the next message (or delta) to send */
  gboolean          paced;         /* its first burst of messages is sent */

  /* What it received. */
  GPtrArray        *seqs;          /* per room: GArray of guint8 counts by seq */
  GHashTable       *texts;         /* message text → count */
  guint             n_messages;    /* distinct bench messages received */
  guint             n_deltas;
  guint             n_delta_dups;
  guint             n_delta_gaps;
  gsize             delta_bytes;   /* offset of the next expected delta */
} Peer;

struct _Bench
{
  /* Options */
  int          n_clients;
  int          n_messages;
  int          n_rooms;
  int          n_deltas;
  double       rate;
  double       burst;

  char        *dir;
  GSubprocess *confabd;
  char        *url;

  GPtrArray   *peers;
  GPtrArray   *rooms;              /* room ids */
  GPtrArray   *chats;              /* a chat per room */

  /* Messages */
  GHashTable  *sent_at;            /* text → Sent */
  GArray      *latencies;          /* double, seconds: one per delivery */
  GArray      *burst_latencies;    /* the same, of the messages sent at once */
  GArray      *paced_latencies;    /* and of those sent once paced */
  GArray      *ack_latencies;
  guint        n_burst;            /* messages sent in the bursts */
  guint        n_acks;
  guint        n_refused;
  gint64       first_send;
  gint64       last_delivery;
  JsonArray   *server_rooms;       /* at the end: "rooms" (id, last_seq) */
  gint64       progress;           /* the last time anything arrived */

  /* The relay */
  char        *stream;             /* the reply's message id */
  GArray      *delta_sent_at;      /* gint64 per delta */
  GArray      *delta_offsets;      /* gsize per delta */
  GString     *stream_text;
  GArray      *delta_latencies;
  gint64       first_delta;
  gint64       last_delta_delivery;
};

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

/* ------------------------------------------------------------------------ */
/* Waiting, as the tests do: run the main loop until a result is there. */

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static GAsyncResult *
await_result (GAsyncResult **result,
              const char    *what)
{
  gint64 deadline = now_us () + 60 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (100, tick_cb, NULL);

  while (*result == NULL)
    {
      if (now_us () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  return *result;
}

static JsonNode *
parse_frame (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static JsonNode *
parse_frame (const char *format,
             ...)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;
  JsonNode *node;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  node = json_from_string (text, &error);
  if (node == NULL)
    g_error ("%s: %s", text, error->message);
  return node;
}

static void wait_for_token (Peer *peer);

/* Sends @frame (taken) once the pacing allows, and waits for the answer. */
static JsonObject *
request (Peer     *peer,
         JsonNode *frame)
{
  g_autoptr(JsonNode) owned = frame;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;

  wait_for_token (peer);
  peer->tokens -= 1.0;
  confab_room_client_request_async (peer->client, owned, NULL, result_cb, &result);
  answer = confab_room_client_request_finish (peer->client, await_result (&result, "an answer"),
                                              &error);
  if (answer == NULL)
    g_error ("%s: %s", peer->name, error->message);
  return json_object_ref (json_node_get_object (answer));
}

/* ------------------------------------------------------------------------ */
/* confabd */

static void
start_confabd (Bench      *bench,
               const char *path)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = g_build_filename (bench->dir, "confabd.log", NULL);
  g_autofree char *data = g_build_filename (bench->dir, "data", NULL);
  g_autofree char *line = NULL;
  const char *prefix = "confabd listening on ";

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* A file, not a pipe nobody reads. */
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  /* Its per-frame debug lines would be part of what is measured. */
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  bench->confabd = g_subprocess_launcher_spawn (launcher, &error, path,
                                                "--listen", "127.0.0.1:0",
                                                "--data-dir", data,
                                                "--allow-register", NULL);
  if (bench->confabd == NULL)
    g_error ("cannot start %s: %s", path, error->message);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bench->confabd));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, prefix))
    g_error ("confabd did not start (see %s)", log);
  bench->url = g_strdup (line + strlen (prefix));
}

static void
stop_confabd (Bench *bench)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (bench->confabd, SIGTERM);
  if (!g_subprocess_wait (bench->confabd, NULL, &error))
    g_error ("%s", error->message);
  if (!g_subprocess_get_if_exited (bench->confabd) ||
      g_subprocess_get_exit_status (bench->confabd) != 0)
    g_printerr ("confabd did not exit cleanly (see %s/confabd.log)\n", bench->dir);
}

/* ------------------------------------------------------------------------ */
/* Pacing: the server's token bucket, a little inside it. */

static void
refill (Peer *peer)
{
  Bench *bench = peer->bench;
  gint64 now = now_us ();

  peer->tokens = MIN (bench->burst,
                      peer->tokens + (now - peer->refilled) * bench->rate / G_USEC_PER_SEC);
  peer->refilled = now;
}

/* Milliseconds until the next token. */
static guint
next_token_ms (Peer *peer)
{
  return (guint) ((1.0 - peer->tokens) * 1000 / peer->bench->rate) + 1;
}

static gboolean
token_due_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* For the frames sent one at a time (setting up, stream.end). */
static void
wait_for_token (Peer *peer)
{
  for (refill (peer); peer->tokens < 1.0; refill (peer))
    {
      gboolean due = FALSE;

      g_timeout_add (next_token_ms (peer), token_due_cb, &due);
      while (!due)
        g_main_context_iteration (NULL, TRUE);
    }
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

/* ------------------------------------------------------------------------ */
/* Receiving */

static void
count_seq (Peer       *peer,
           const char *room,
           gint64      seq)
{
  Bench *bench = peer->bench;

  for (guint r = 0; r < bench->rooms->len; r++)
    if (g_str_equal (g_ptr_array_index (bench->rooms, r), room))
      {
        GArray *counts = g_ptr_array_index (peer->seqs, r);

        if ((gint64) counts->len <= seq)
          g_array_set_size (counts, seq + 1);
        if (g_array_index (counts, guint8, seq) < G_MAXUINT8)
          g_array_index (counts, guint8, seq)++;
        return;
      }
}

static void
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
    return;

  bench->last_delivery = bench->progress = now_us ();
  peer->n_messages++;
  {
    double latency = (bench->last_delivery - sent->time) / (double) G_USEC_PER_SEC;

    g_array_append_val (bench->latencies, latency);
    g_array_append_val (sent->burst ? bench->burst_latencies : bench->paced_latencies, latency);
  }
}

static void
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
/* Setting up */

static Peer *
peer_new (Bench *bench,
          guint  index)
{
  Peer *peer = g_new0 (Peer, 1);

  peer->bench = bench;
  peer->name = g_strdup_printf ("bench%u", index + 1);
  peer->client = confab_room_client_new (bench->url);
  peer->seqs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  peer->texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  peer->tokens = bench->burst;
  peer->refilled = now_us ();
  for (int r = 0; r < bench->n_rooms; r++)
    g_ptr_array_add (peer->seqs, g_array_new (FALSE, TRUE, sizeof (guint8)));

  g_signal_connect (peer->client, "event", G_CALLBACK (on_event_cb), peer);
  g_signal_connect (peer->client, "ephemeral", G_CALLBACK (on_ephemeral_cb), peer);
  return peer;
}

static void
peer_free (Peer *peer)
{
  g_clear_handle_id (&peer->pump_id, g_source_remove);
  confab_room_client_close (peer->client);
  g_signal_handlers_disconnect_by_data (peer->client, peer);
  g_clear_object (&peer->client);
  g_ptr_array_unref (peer->seqs);
  g_hash_table_unref (peer->texts);
  g_free (peer->name);
  g_free (peer);
}

static void
peer_register (Peer *peer)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_room_client_connect_async (peer->client, NULL, result_cb, &result);
  if (!confab_room_client_connect_finish (peer->client, await_result (&result, "connect"),
                                          &error))
    g_error ("%s: %s", peer->name, error->message);
  g_clear_object (&result);

  confab_room_client_login_async (peer->client, peer->name, PASSWORD, TRUE, NULL, result_cb,
                                  &result);
  if (!confab_room_client_login_finish (peer->client, await_result (&result, "register"),
                                        &error))
    g_error ("%s: %s", peer->name, error->message);
  /* hello and register */
  peer->tokens -= 2.0;
}

static void
peer_join (Peer       *peer,
           const char *room)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) joined = NULL;

  wait_for_token (peer);
  peer->tokens -= 1.0;
  confab_room_client_join_async (peer->client, room, 0, NULL, result_cb, &result);
  joined = confab_room_client_join_finish (peer->client, await_result (&result, "join"), &error);
  if (joined == NULL)
    g_error ("%s: %s", peer->name, error->message);
}

static void
set_up (Bench *bench)
{
  Peer *owner;

  for (int i = 0; i < bench->n_clients; i++)
    {
      Peer *peer = peer_new (bench, i);

      g_ptr_array_add (bench->peers, peer);
      peer_register (peer);
    }
  owner = g_ptr_array_index (bench->peers, 0);

  for (int r = 0; r < bench->n_rooms; r++)
    {
      g_autoptr(JsonObject) room = NULL;
      g_autoptr(JsonObject) invite = NULL;
      g_autoptr(JsonObject) ack = NULL;
      const char *id;
      const char *token;

      room = request (owner, parse_frame ("{\"type\":\"room.create\",\"name\":\"Bench %d\"}",
                                          r + 1));
      id = json_object_get_string_member (json_object_get_object_member (room, "room"), "id");
      g_ptr_array_add (bench->rooms, g_strdup (id));

      invite = request (owner, parse_frame ("{\"type\":\"invite.create\",\"room\":\"%s\","
                                            "\"role\":\"member\",\"uses\":0}", id));
      token = json_object_get_string_member (invite, "token");
      for (guint i = 1; i < bench->peers->len; i++)
        {
          g_autoptr(JsonObject) accepted = NULL;

          accepted = request (g_ptr_array_index (bench->peers, i),
                              parse_frame ("{\"type\":\"invite.accept\",\"token\":\"%s\"}", token));
        }

      ack = request (owner, parse_frame ("{\"type\":\"chat.create\",\"room\":\"%s\","
                                         "\"title\":\"General\"}", id));
      g_ptr_array_add (bench->chats, g_strdup (json_object_get_string_member (ack, "chat")));

      for (guint i = 0; i < bench->peers->len; i++)
        peer_join (g_ptr_array_index (bench->peers, i), id);
    }
}

/* ------------------------------------------------------------------------ */
/* Messages */

typedef struct
{
  Bench  *bench;
  gint64  sent;
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
  bench->n_acks++;
  if (answer == NULL)
    {
      g_printerr ("refused: %s\n", error->message);
      bench->n_refused++;
      return;
    }
  latency = (now_us () - wait->sent) / (double) G_USEC_PER_SEC;
  g_array_append_val (bench->ack_latencies, latency);
}

static void
send_message (Peer *peer)
{
  Bench *bench = peer->bench;
  guint r = peer->next % bench->rooms->len;
  g_autofree char *text = g_strdup_printf ("%s #%u", peer->name, peer->next);
  g_autoptr(JsonNode) frame = parse_frame ("{\"type\":\"message.create\",\"room\":\"%s\","
                                           "\"chat\":\"%s\",\"text\":\"%s\"}",
                                           (char *) g_ptr_array_index (bench->rooms, r),
                                           (char *) g_ptr_array_index (bench->chats, r), text);
  AckWait *wait = g_new0 (AckWait, 1);
  Sent *sent = g_new (Sent, 1);

  sent->time = wait->sent = now_us ();
  /* The first pump sends what the burst allows at once. */
  sent->burst = !peer->paced;
  if (sent->burst)
    bench->n_burst++;
  if (bench->first_send == 0)
    bench->first_send = sent->time;
  wait->bench = bench;
  g_hash_table_insert (bench->sent_at, g_steal_pointer (&text), sent);
  confab_room_client_request_async (peer->client, frame, NULL, on_ack_cb, wait);
}

static gboolean
pump_messages_cb (gpointer user_data)
{
  Peer *peer = user_data;

  pump (peer, peer->bench->n_messages, send_message, pump_messages_cb);
  peer->paced = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Done) (Bench *bench);

/* Runs until @done, or until nothing arrived for STALL_SECONDS. */
static gboolean
run_until (Bench      *bench,
           Done        done,
           const char *what)
{
  guint tick = g_timeout_add (50, tick_cb, NULL);
  gboolean ok = TRUE;

  bench->progress = now_us ();
  while (!done (bench))
    {
      if (now_us () - bench->progress > STALL_SECONDS * G_USEC_PER_SEC)
        {
          g_printerr ("no progress for %d s waiting for %s: counting the rest as lost\n",
                      STALL_SECONDS, what);
          ok = FALSE;
          break;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  return ok;
}

static gboolean
all_messages_delivered (Bench *bench)
{
  guint total = bench->n_clients * bench->n_messages;

  if (bench->n_acks < total)
    return FALSE;
  for (guint i = 0; i < bench->peers->len; i++)
    if (((Peer *) g_ptr_array_index (bench->peers, i))->n_messages < total - bench->n_refused)
      return FALSE;
  return TRUE;
}

static void
run_messages (Bench *bench)
{
  for (guint i = 0; i < bench->peers->len; i++)
    pump_messages_cb (g_ptr_array_index (bench->peers, i));
  run_until (bench, all_messages_delivered, "the messages");
}

/* ------------------------------------------------------------------------ */
/* The relay */

static Peer *
relay_peer (Bench *bench)
{
  /* Not the owner, who sent the setup's frames: a plain member. */
  return g_ptr_array_index (bench->peers, bench->peers->len > 1 ? 1 : 0);
}

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
  Peer *relay = relay_peer (bench);

  if (relay->next < (guint) bench->n_deltas)
    return FALSE;
  for (guint i = 0; i < bench->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (bench->peers, i);

      if (peer != relay && peer->delta_bytes < bench->stream_text->len)
        return FALSE;
    }
  return TRUE;
}

static void
run_relay (Bench *bench)
{
  Peer *relay = relay_peer (bench);
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
/* The end: every seq of every room once, at every receiver. */

typedef struct
{
  guint lost;
  guint dup;
} Tally;

static gboolean
all_caught_up (Bench *bench)
{
  JsonArray *rooms = bench->server_rooms;

  for (guint a = 0; a < json_array_get_length (rooms); a++)
    {
      JsonObject *room = json_array_get_object_element (rooms, a);

      for (guint i = 0; i < bench->peers->len; i++)
        {
          Peer *peer = g_ptr_array_index (bench->peers, i);

          if (confab_room_client_get_last_seq (peer->client,
                                               json_object_get_string_member (room, "id")) <
              json_object_get_int_member (room, "last_seq"))
            return FALSE;
        }
    }
  return TRUE;
}

/* Seqs missing or seen twice, and messages missing or seen twice, summed
 * over the receivers. */
static void
check_logs (Bench *bench,
            Tally *messages,
            Tally *seqs)
{
  Peer *owner = g_ptr_array_index (bench->peers, 0);
  g_autoptr(JsonObject) rooms = request (owner, parse_frame ("{\"type\":\"rooms\"}"));
  JsonArray *array = json_object_get_array_member (rooms, "rooms");
  GHashTableIter iter;
  gpointer key;

  bench->server_rooms = array;
  run_until (bench, all_caught_up, "the last events");
  bench->server_rooms = NULL;

  for (guint i = 0; i < bench->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (bench->peers, i);

      for (guint a = 0; a < json_array_get_length (array); a++)
        {
          JsonObject *room = json_array_get_object_element (array, a);
          gint64 last = json_object_get_int_member (room, "last_seq");

          for (guint r = 0; r < bench->rooms->len; r++)
            {
              GArray *counts = g_ptr_array_index (peer->seqs, r);

              if (!g_str_equal (g_ptr_array_index (bench->rooms, r),
                                json_object_get_string_member (room, "id")))
                continue;
              for (gint64 seq = 1; seq <= last; seq++)
                {
                  guint count = seq < counts->len ? g_array_index (counts, guint8, seq) : 0;

                  if (count == 0)
                    seqs->lost++;
                  else
                    seqs->dup += count - 1;
                }
              /* Beyond the server's last: cannot be. */
              for (gint64 seq = last + 1; seq < counts->len; seq++)
                seqs->dup += g_array_index (counts, guint8, seq);
            }
        }

      messages->lost += g_hash_table_size (bench->sent_at) - peer->n_messages;
      g_hash_table_iter_init (&iter, peer->texts);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          guint count = GPOINTER_TO_UINT (g_hash_table_lookup (peer->texts, key));

          messages->dup += count - 1;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* The table */

/* Nearest rank. */
static char *
percentile (GArray *sorted,
            double  q)
{
  guint rank;

  if (sorted->len == 0)
    return g_strdup ("-");
  rank = (guint) (q * sorted->len + 0.999999);
  rank = CLAMP (rank, 1, sorted->len);
  return bench_format_time (g_array_index (sorted, double, rank - 1));
}

/* Column widths in characters (printf pads bytes: "→" and "µ" are more). */
static const int widths[] = { -40, 15, 8, 8, 8, 8, 4, 4 };

static void
print_row (const char * const *cells)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      int width = ABS (widths[i]);
      glong length = g_utf8_strlen (cells[i], -1);
      g_autofree char *padding = g_strnfill (MAX (0, width - length), ' ');

      if (i > 0)
        g_string_append (line, " | ");
      if (widths[i] < 0)
        g_string_append_printf (line, "%s%s", cells[i], padding);
      else
        g_string_append_printf (line, "%s%s", padding, cells[i]);
    }
  g_print ("%s\n", line->str);
}

static void
print_rule (void)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *dashes = g_strnfill (ABS (widths[i]) + (i > 0) + 1, '-');

      if (i > 0)
        g_string_append_c (line, '+');
      g_string_append (line, dashes);
    }
  g_print ("%s\n", line->str);
}

static void
report (const char *scenario,
        const char *rate,
        GArray     *latencies,
        const char *lost,
        const char *dup)
{
  g_autofree char *p50 = NULL;
  g_autofree char *p90 = NULL;
  g_autofree char *p99 = NULL;
  g_autofree char *max = NULL;

  g_array_sort (latencies, bench_compare_doubles);
  p50 = percentile (latencies, 0.50);
  p90 = percentile (latencies, 0.90);
  p99 = percentile (latencies, 0.99);
  max = percentile (latencies, 1.0);
  print_row ((const char *[]) { scenario, rate, p50, p90, p99, max, lost, dup });
}

static char *
format_count (guint n)
{
  return g_strdup_printf ("%u", n);
}

/* ------------------------------------------------------------------------ */

static void
bench_free (Bench *bench)
{
  g_clear_pointer (&bench->peers, g_ptr_array_unref);
  g_clear_pointer (&bench->rooms, g_ptr_array_unref);
  g_clear_pointer (&bench->chats, g_ptr_array_unref);
  g_clear_pointer (&bench->sent_at, g_hash_table_unref);
  g_clear_pointer (&bench->latencies, g_array_unref);
  g_clear_pointer (&bench->burst_latencies, g_array_unref);
  g_clear_pointer (&bench->paced_latencies, g_array_unref);
  g_clear_pointer (&bench->ack_latencies, g_array_unref);
  g_clear_pointer (&bench->delta_sent_at, g_array_unref);
  g_clear_pointer (&bench->delta_offsets, g_array_unref);
  g_clear_pointer (&bench->delta_latencies, g_array_unref);
  if (bench->stream_text != NULL)
    g_string_free (bench->stream_text, TRUE);
  g_clear_object (&bench->confabd);
  g_free (bench->stream);
  g_free (bench->url);
  g_free (bench->dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *confabd_path = NULL;
  gboolean keep = FALSE;
  Bench bench = {
    .n_clients = 8,
    .n_messages = 200,
    .n_rooms = 1,
    .n_deltas = 2000,
    .rate = 39.0,
    .burst = 190.0,
  };
  GOptionEntry entries[] = {
    { "clients", 'c', 0, G_OPTION_ARG_INT, &bench.n_clients, "Clients (default 8)", "N" },
    { "messages", 'm', 0, G_OPTION_ARG_INT, &bench.n_messages,
      "Messages each client sends (default 200)", "M" },
    { "rooms", 'r', 0, G_OPTION_ARG_INT, &bench.n_rooms,
      "Rooms, every client in each; the messages go round them (default 1)", "R" },
    { "deltas", 'd', 0, G_OPTION_ARG_INT, &bench.n_deltas,
      "stream.delta frames of the relayed reply (default 2000)", "D" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &bench.rate,
      "Frames per second per connection once the burst is spent (default 39; the server "
      "allows 40)", "F" },
    { "burst", 0, 0, G_OPTION_ARG_DOUBLE, &bench.burst,
      "Frames a connection may send at once (default 190; the server allows 200)", "B" },
    { "confabd", 0, 0, G_OPTION_ARG_FILENAME, &confabd_path,
      "The server to run (default: the build tree's)", "PATH" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the data directory and the log", NULL },
    { NULL }
  };
  Tally messages = { 0, 0 };
  Tally seqs = { 0, 0 };
  guint delta_lost = 0;
  guint delta_dup = 0;
  guint total;
  double elapsed;
  double setup_seconds;

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- load on a confabd over loopback");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      bench.n_clients < 2 || bench.n_messages < 1 || bench.n_rooms < 1 || bench.n_deltas < 0 ||
      bench.rate <= 0 || bench.burst < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message
                                        : "needs 2 clients or more, and positive counts");
      return 2;
    }
  if (confabd_path == NULL)
    confabd_path = g_strdup (CONFABD_PATH);

  bench.dir = g_dir_make_tmp ("confab-bench-rooms-XXXXXX", &error);
  g_assert_no_error (error);
  bench.peers = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_free);
  bench.rooms = g_ptr_array_new_with_free_func (g_free);
  bench.chats = g_ptr_array_new_with_free_func (g_free);
  bench.sent_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  bench.latencies = g_array_new (FALSE, FALSE, sizeof (double));
  bench.burst_latencies = g_array_new (FALSE, FALSE, sizeof (double));
  bench.paced_latencies = g_array_new (FALSE, FALSE, sizeof (double));
  bench.ack_latencies = g_array_new (FALSE, FALSE, sizeof (double));
  bench.delta_sent_at = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench.delta_offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  bench.delta_latencies = g_array_new (FALSE, FALSE, sizeof (double));
  bench.stream_text = g_string_new (NULL);

  start_confabd (&bench, confabd_path);
  setup_seconds = now_us ();
  set_up (&bench);
  setup_seconds = (now_us () - setup_seconds) / (double) G_USEC_PER_SEC;

  g_print ("confabd rooms over loopback: %d clients × %d messages in %d room%s, "
           "a %d-delta relay; %u CPUs\n"
           "each connection paced to %.0f frames/s after a burst of %.0f "
           "(the server allows 40/s, bursts of 200)\n\n",
           bench.n_clients, bench.n_messages, bench.n_rooms, bench.n_rooms > 1 ? "s" : "",
           bench.n_deltas, g_get_num_processors (), bench.rate, bench.burst);

  run_messages (&bench);
  if (bench.n_deltas > 0)
    run_relay (&bench);
  check_logs (&bench, &messages, &seqs);

  for (guint i = 0; i < bench.peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (bench.peers, i);

      if (peer == relay_peer (&bench) || bench.stream == NULL)
        continue;
      delta_lost += bench.n_deltas - MIN (peer->n_deltas, (guint) bench.n_deltas);
      delta_dup += peer->n_delta_dups;
    }

  print_row ((const char *[]) { "scenario", "rate", "p50", "p90", "p99", "max", "lost", "dup" });
  print_rule ();

  total = bench.n_clients * bench.n_messages;
  elapsed = (bench.last_delivery - bench.first_send) / (double) G_USEC_PER_SEC;
  {
    g_autofree char *scenario = g_strdup_printf ("%u messages, send → each of %d clients",
                                                 total, bench.n_clients);

    g_autofree char *rate = g_strdup_printf ("%.0f msg/s", elapsed > 0 ? total / elapsed : 0);
    g_autofree char *lost = format_count (messages.lost);
    g_autofree char *dup = format_count (messages.dup);

    report (scenario, rate, bench.latencies, lost, dup);
  }
  {
    g_autofree char *burst = g_strdup_printf ("  of which %u sent at once", bench.n_burst);
    g_autofree char *paced = g_strdup_printf ("  of which %u paced at %.0f/s",
                                              total - bench.n_burst, bench.rate);

    report (burst, "-", bench.burst_latencies, "", "");
    report (paced, "-", bench.paced_latencies, "", "");
  }
  {
    g_autofree char *refused = format_count (bench.n_refused);

    report ("message.create → its ack", "-", bench.ack_latencies, refused, "-");
  }
  if (bench.stream != NULL)
    {
      double relay_elapsed = (bench.last_delta_delivery - bench.first_delta) /
                             (double) G_USEC_PER_SEC;
      g_autofree char *scenario = g_strdup_printf ("stream relay, %d deltas → %d clients",
                                                   bench.n_deltas, bench.n_clients - 1);
      g_autofree char *rate = g_strdup_printf ("%.0f deltas/s",
                                               relay_elapsed > 0 ? bench.n_deltas / relay_elapsed
                                                                 : 0);
      g_autofree char *lost = format_count (delta_lost);
      g_autofree char *dup = format_count (delta_dup);

      report (scenario, rate, bench.delta_latencies, lost, dup);
    }
  {
    g_autofree char *lost = format_count (seqs.lost);
    g_autofree char *dup = format_count (seqs.dup);
    GArray *none = g_array_new (FALSE, FALSE, sizeof (double));

    report ("every event: seq 1..last, each client", "-", none, lost, dup);
    g_array_unref (none);
  }
  g_print ("\n%u deliveries in %.2f s (%.0f/s); setting up (%d accounts, %d room%s, "
           "%d joins): %.2f s\n",
           bench.latencies->len, elapsed, elapsed > 0 ? bench.latencies->len / elapsed : 0,
           bench.n_clients, bench.n_rooms, bench.n_rooms > 1 ? "s" : "",
           bench.n_clients * bench.n_rooms, setup_seconds);

  g_clear_pointer (&bench.peers, g_ptr_array_unref);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  stop_confabd (&bench);
  if (keep)
    g_print ("\ndata and log in %s\n", bench.dir);
  else
    confab_test_rm_rf (bench.dir);

  {
    gboolean clean = messages.lost == 0 && messages.dup == 0 && seqs.lost == 0 &&
                     seqs.dup == 0 && delta_lost == 0 && delta_dup == 0 && bench.n_refused == 0;

    bench_free (&bench);
    return clean ? 0 : 1;
  }
}
