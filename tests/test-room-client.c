/* test-room-client.c: ConfabRoomClient against real confabd processes:
 * three clients in two rooms see the same events in the same order, a
 * relayed stream's deltas included; a client that was offline catches up
 * from its last seq; after SIGKILL and a restart on the same port and data
 * directory every client reconnects by itself and converges, each event
 * delivered exactly once; refusals, lost rooms, cancellation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include "confab-room-client.h"
#include "confabd-test-daemon.h"

#define WAIT_SECONDS 60

/* ------------------------------------------------------------------------ */
/* A client and everything it was told. */

typedef struct
{
  char             *name;
  ConfabRoomClient *client;
  GHashTable       *logs;      /* room → GPtrArray of "SEQ EVENT AUTHOR DATA" */
  GHashTable       *deltas;    /* room → GString of "MESSAGE@OFFSET:TEXT|" */
  GHashTable       *synced;    /* room → number of ::synced */
  GPtrArray        *lost;      /* "ROOM CODE" */
  GArray           *states;    /* ConfabRoomClientState, each change */
} Peer;

static void
on_event_cb (ConfabRoomClient *client,
             const char       *room,
             gint64            seq,
             JsonObject       *frame,
             Peer             *peer)
{
  GPtrArray *log = g_hash_table_lookup (peer->logs, room);
  g_autoptr(JsonNode) data = json_node_copy (json_object_get_member (frame, "data"));
  g_autofree char *data_text = data != NULL ? json_to_string (data, FALSE) : g_strdup ("-");

  if (log == NULL)
    {
      log = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (peer->logs, g_strdup (room), log);
    }

  /* Exactly once, in order: the seq is the next one after the last seen. */
  if (log->len > 0)
    {
      gint64 previous = g_ascii_strtoll (log->pdata[log->len - 1], NULL, 10);

      if (seq != previous + 1)
        g_error ("%s, room %s: seq %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT,
                 peer->name, room, seq, previous);
    }
  g_assert_cmpint (seq, ==, confab_room_client_get_last_seq (client, room));

  g_ptr_array_add (log, g_strdup_printf ("%" G_GINT64_FORMAT " %s %s %s", seq,
                                         json_object_get_string_member (frame, "event"),
                                         json_object_get_string_member_with_default (frame,
                                                                                     "author",
                                                                                     "-"),
                                         data_text));
}

static void
on_ephemeral_cb (ConfabRoomClient *client,
                 const char       *room,
                 JsonObject       *frame,
                 Peer             *peer)
{
  GString *deltas;

  if (g_strcmp0 (json_object_get_string_member (frame, "type"), "stream.delta") != 0)
    return;

  deltas = g_hash_table_lookup (peer->deltas, room);
  if (deltas == NULL)
    {
      deltas = g_string_new (NULL);
      g_hash_table_insert (peer->deltas, g_strdup (room), deltas);
    }
  g_string_append_printf (deltas, "%s@%" G_GINT64_FORMAT ":%s|",
                          json_object_get_string_member (frame, "message"),
                          json_object_get_int_member (frame, "offset"),
                          json_object_get_string_member (frame, "text"));
}

static void
on_synced_cb (ConfabRoomClient *client,
              const char       *room,
              gint64            seq,
              Peer             *peer)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (peer->synced, room));

  g_hash_table_insert (peer->synced, g_strdup (room), GUINT_TO_POINTER (count + 1));
}

static void
on_room_lost_cb (ConfabRoomClient *client,
                 const char       *room,
                 const GError     *error,
                 Peer             *peer)
{
  g_assert_true (error->domain == CONFAB_PROTOCOL_ERROR);
  g_assert_false (confab_room_client_is_following (client, room));
  g_ptr_array_add (peer->lost, g_strdup_printf ("%s %s", room,
                                                confab_protocol_error_to_string (error->code)));
}

static void
on_state_cb (ConfabRoomClient *client,
             GParamSpec       *pspec,
             Peer             *peer)
{
  ConfabRoomClientState state = confab_room_client_get_state (client);

  g_array_append_val (peer->states, state);
}

static void
free_string (gpointer data)
{
  g_string_free (data, TRUE);
}

static Peer *
peer_new (const char *url,
          const char *name)
{
  Peer *peer = g_new0 (Peer, 1);

  peer->name = g_strdup (name);
  peer->client = confab_room_client_new (url);
  peer->logs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_ptr_array_unref);
  peer->deltas = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        free_string);
  peer->synced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  peer->lost = g_ptr_array_new_with_free_func (g_free);
  peer->states = g_array_new (FALSE, FALSE, sizeof (ConfabRoomClientState));

  g_signal_connect (peer->client, "event", G_CALLBACK (on_event_cb), peer);
  g_signal_connect (peer->client, "ephemeral", G_CALLBACK (on_ephemeral_cb), peer);
  g_signal_connect (peer->client, "synced", G_CALLBACK (on_synced_cb), peer);
  g_signal_connect (peer->client, "room-lost", G_CALLBACK (on_room_lost_cb), peer);
  g_signal_connect (peer->client, "notify::state", G_CALLBACK (on_state_cb), peer);

  return peer;
}

static void
peer_free (Peer *peer)
{
  confab_room_client_close (peer->client);
  g_signal_handlers_disconnect_by_data (peer->client, peer);
  /* Completed tasks hand their reference back from idle callbacks. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (g_steal_pointer (&peer->client));
  g_hash_table_unref (peer->logs);
  g_hash_table_unref (peer->deltas);
  g_hash_table_unref (peer->synced);
  g_ptr_array_unref (peer->lost);
  g_array_unref (peer->states);
  g_free (peer->name);
  g_free (peer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

/* ------------------------------------------------------------------------ */
/* Waiting. */

static gboolean
on_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static GAsyncResult *
await_result (GAsyncResult **result,
              const char    *what)
{
  return confabd_test_await (result, WAIT_SECONDS, what);
}

typedef gboolean (*Condition) (gpointer data);

static void
wait_for (Condition   condition,
          gpointer    data,
          const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (WAIT_SECONDS, on_timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!condition (data))
    g_error ("timed out waiting for %s", what);
  g_source_remove (id);
}

/* ------------------------------------------------------------------------ */
/* Talking to the server. */

static void
peer_connect (Peer *peer)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_room_client_connect_async (peer->client, NULL, confabd_test_result_cb, &result);
  confab_room_client_connect_finish (peer->client, await_result (&result, "connect"), &error);
  g_assert_no_error (error);
  g_assert_cmpint (confab_room_client_get_state (peer->client), ==,
                   CONFAB_ROOM_CLIENT_CONNECTED);
}

static void
peer_register (Peer *peer)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = g_strdup_printf ("password of %s", peer->name);

  peer_connect (peer);
  confab_room_client_login_async (peer->client, peer->name, password, TRUE, NULL, confabd_test_result_cb,
                                  &result);
  confab_room_client_login_finish (peer->client, await_result (&result, "register"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_room_client_get_user (peer->client), ==, peer->name);
  g_assert_nonnull (confab_room_client_get_token (peer->client));
}

static JsonNode *
parse_frame (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

/* Sends a frame given as JSON text; the answer or the error. */
static JsonNode *
peer_try (Peer        *peer,
          const char  *text,
          GError     **error)
{
  g_autoptr(JsonNode) frame = parse_frame (text);
  g_autoptr(GAsyncResult) result = NULL;

  confab_room_client_request_async (peer->client, frame, NULL, confabd_test_result_cb, &result);
  return confab_room_client_request_finish (peer->client, await_result (&result, text), error);
}

static JsonNode *
peer_request (Peer       *peer,
              const char *format,
              ...) G_GNUC_PRINTF (2, 3);

static JsonNode *
peer_request (Peer       *peer,
              const char *format,
              ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  va_list args;
  JsonNode *answer;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  answer = peer_try (peer, text, &error);
  if (error != NULL)
    g_error ("%s: %s failed: %s", peer->name, text, error->message);
  return answer;
}

static const char *
member (JsonNode   *node,
        const char *name)
{
  return json_object_get_string_member (json_node_get_object (node), name);
}

static char *
create_room (Peer       *owner,
             const char *name)
{
  g_autoptr(JsonNode) answer = peer_request (owner, "{\"type\":\"room.create\",\"name\":\"%s\"}",
                                             name);
  JsonObject *room;

  g_assert_cmpstr (member (answer, "type"), ==, "room");
  room = json_object_get_object_member (json_node_get_object (answer), "room");
  g_assert_cmpstr (json_object_get_string_member (room, "role"), ==, "owner");
  return g_strdup (json_object_get_string_member (room, "id"));
}

static char *
create_invite (Peer       *admin,
               const char *room,
               const char *role)
{
  g_autoptr(JsonNode) answer = NULL;

  answer = peer_request (admin, "{\"type\":\"invite.create\",\"room\":\"%s\",\"role\":\"%s\","
                         "\"uses\":0}", room, role);
  g_assert_cmpstr (member (answer, "type"), ==, "invite");
  return g_strdup (member (answer, "token"));
}

static void
accept_invite (Peer       *peer,
               const char *token,
               const char *room)
{
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *joined;

  answer = peer_request (peer, "{\"type\":\"invite.accept\",\"token\":\"%s\"}", token);
  g_assert_cmpstr (member (answer, "type"), ==, "room");
  joined = json_object_get_object_member (json_node_get_object (answer), "room");
  g_assert_cmpstr (json_object_get_string_member (joined, "id"), ==, room);
}

static void
join_room (Peer       *peer,
           const char *room,
           gint64      since)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) joined = NULL;

  confab_room_client_join_async (peer->client, room, since, NULL, confabd_test_result_cb, &result);
  joined = confab_room_client_join_finish (peer->client, await_result (&result, "join"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (member (joined, "type"), ==, "joined");
  g_assert_true (confab_room_client_is_following (peer->client, room));
}

/* The last seq of @room as the server says now. */
static gint64
server_last_seq (Peer       *peer,
                 const char *room)
{
  g_autoptr(JsonNode) answer = peer_request (peer, "{\"type\":\"rooms\"}");
  JsonArray *rooms = json_object_get_array_member (json_node_get_object (answer), "rooms");

  for (guint i = 0; i < json_array_get_length (rooms); i++)
    {
      JsonObject *object = json_array_get_object_element (rooms, i);

      if (g_strcmp0 (json_object_get_string_member (object, "id"), room) == 0)
        return json_object_get_int_member (object, "last_seq");
    }

  g_error ("%s is not in room %s", peer->name, room);
}

/* Many requests at once, each answered: what a busy room looks like. */
typedef struct
{
  guint n_waiting;
  guint n_failed;
} Batch;

static void
batch_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Batch *batch = user_data;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = confab_room_client_request_finish (CONFAB_ROOM_CLIENT (object), result, &error);
  if (error != NULL)
    {
      g_test_message ("request failed: %s", error->message);
      batch->n_failed++;
    }
  batch->n_waiting--;
}

static gboolean
batch_done (gpointer data)
{
  return ((Batch *) data)->n_waiting == 0;
}

static void
batch_send (Batch      *batch,
            Peer       *peer,
            const char *format,
            ...) G_GNUC_PRINTF (3, 4);

static void
batch_send (Batch      *batch,
            Peer       *peer,
            const char *format,
            ...)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) frame = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  frame = parse_frame (text);
  batch->n_waiting++;
  confab_room_client_request_async (peer->client, frame, NULL, batch_cb, batch);
}

/* Each peer posts @n messages in each room's chat, all at once. */
static void
write_messages (Peer       **peers,
                guint        n_peers,
                const char **rooms,
                const char **chats,
                guint        n_rooms,
                guint        n,
                const char  *tag)
{
  Batch batch = { 0, 0 };

  for (guint i = 0; i < n; i++)
    for (guint p = 0; p < n_peers; p++)
      for (guint r = 0; r < n_rooms; r++)
        batch_send (&batch, peers[p],
                    "{\"type\":\"message.create\",\"room\":\"%s\",\"chat\":\"%s\","
                    "\"text\":\"%s %s #%u\"}", rooms[r], chats[r], tag, peers[p]->name, i);

  wait_for (batch_done, &batch, "the messages' acks");
  g_assert_cmpuint (batch.n_failed, ==, 0);
}

/* ------------------------------------------------------------------------ */
/* Convergence. */

typedef struct
{
  Peer       **peers;
  guint        n_peers;
  const char  *room;
  gint64       seq;
} Target;

static gboolean
reached (gpointer data)
{
  Target *target = data;

  for (guint i = 0; i < target->n_peers; i++)
    if (confab_room_client_get_last_seq (target->peers[i]->client, target->room) < target->seq)
      return FALSE;
  return TRUE;
}

static GPtrArray *
peer_log (Peer       *peer,
          const char *room)
{
  GPtrArray *log = g_hash_table_lookup (peer->logs, room);

  g_assert_nonnull (log);
  return log;
}

/* Every peer has every event of @room up to the server's last, the same,
 * in the same order, numbered 1, 2, 3… */
static void
assert_converged (Peer       **peers,
                  guint        n_peers,
                  const char  *room)
{
  Target target = { peers, n_peers, room, server_last_seq (peers[0], room) };
  GPtrArray *reference;

  wait_for (reached, &target, "every client to have the room's last event");

  reference = peer_log (peers[0], room);
  g_assert_cmpuint (reference->len, ==, target.seq);
  for (guint i = 0; i < reference->len; i++)
    g_assert_cmpint (g_ascii_strtoll (reference->pdata[i], NULL, 10), ==, i + 1);

  for (guint p = 1; p < n_peers; p++)
    {
      GPtrArray *log = peer_log (peers[p], room);

      g_assert_cmpuint (log->len, ==, reference->len);
      for (guint i = 0; i < log->len; i++)
        g_assert_cmpstr (log->pdata[i], ==, reference->pdata[i]);
    }
}

typedef struct
{
  Peer                  **peers;
  guint                   n_peers;
  ConfabRoomClientState   state;
} StateTarget;

static gboolean
all_in_state (gpointer data)
{
  StateTarget *target = data;

  for (guint i = 0; i < target->n_peers; i++)
    if (confab_room_client_get_state (target->peers[i]->client) != target->state)
      return FALSE;
  return TRUE;
}

/* The chat every message of the test goes to: made by @owner. */
static char *
create_chat (Peer       *owner,
             const char *room)
{
  g_autoptr(JsonNode) ack = NULL;
  GPtrArray *log;
  gint64 before = confab_room_client_get_last_seq (owner->client, room);
  Target target = { &owner, 1, room, before + 1 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *entry;
  JsonObject *data;

  ack = peer_request (owner, "{\"type\":\"chat.create\",\"room\":\"%s\",\"title\":\"General\"}",
                      room);
  g_assert_cmpstr (member (ack, "type"), ==, "ack");
  wait_for (reached, &target, "chat.created");

  log = peer_log (owner, room);
  entry = log->pdata[before];
  g_assert_nonnull (strstr (entry, " chat.created "));
  /* "SEQ EVENT AUTHOR DATA": the data is the rest. */
  entry = strchr (strchr (strchr (entry, ' ') + 1, ' ') + 1, ' ') + 1;
  g_assert_true (json_parser_load_from_data (parser, entry, -1, NULL));
  data = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (data, "title"), ==, "General");
  return g_strdup (json_object_get_string_member (data, "chat"));
}

/* ------------------------------------------------------------------------ */

static void
relay_stream (Peer       *caller,
              const char *room,
              const char *chat,
              char      **message_out,
              char      **expected_deltas)
{
  static const char * const pieces[] = { "The ", "answer ", "is ", "forty", "-two." };
  g_autoptr(JsonNode) ack = NULL;
  g_autoptr(JsonNode) end = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  const char *message;

  ack = peer_request (caller, "{\"type\":\"stream.start\",\"room\":\"%s\",\"chat\":\"%s\","
                      "\"model\":\"openai:gpt-4o-mini\"}", room, chat);
  g_assert_cmpstr (member (ack, "type"), ==, "ack");
  message = member (ack, "message");
  g_assert_nonnull (message);

  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      g_autofree char *delta = g_strdup_printf ("{\"type\":\"stream.delta\",\"room\":\"%s\","
                                                "\"message\":\"%s\",\"text\":\"%s\","
                                                "\"offset\":%" G_GSIZE_FORMAT "}",
                                                room, message, pieces[i], text->len);
      g_autoptr(JsonNode) frame = parse_frame (delta);

      g_string_append_printf (expected, "%s@%" G_GSIZE_FORMAT ":%s|", message, text->len,
                              pieces[i]);
      g_string_append (text, pieces[i]);
      g_assert_true (confab_room_client_send (caller->client, frame));
    }

  end = peer_request (caller, "{\"type\":\"stream.end\",\"room\":\"%s\",\"message\":\"%s\","
                      "\"text\":\"%s\",\"status\":\"complete\"}", room, message, text->str);
  g_assert_cmpstr (member (end, "type"), ==, "ack");

  *message_out = g_strdup (message);
  *expected_deltas = g_string_free (g_steal_pointer (&expected), FALSE);
}

static void
test_converge (ConfabdTestFixture *fixture,
              gconstpointer       data)
{
  const char *url = fixture->daemon->uri;
  g_autoptr(Peer) alice = peer_new (url, "alice");
  g_autoptr(Peer) bob = peer_new (url, "bob");
  g_autoptr(Peer) carol = peer_new (url, "carol");
  Peer *peers[] = { alice, bob, carol };
  Peer *writers[] = { alice, bob };
  g_autofree char *room1 = NULL;
  g_autofree char *room2 = NULL;
  g_autofree char *chat1 = NULL;
  g_autofree char *chat2 = NULL;
  g_autofree char *message = NULL;
  g_autofree char *expected_deltas = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *rooms[2];
  const char *chats[2];
  StateTarget reconnecting = { peers, G_N_ELEMENTS (peers), CONFAB_ROOM_CLIENT_RECONNECTING };
  StateTarget connected = { peers, G_N_ELEMENTS (peers), CONFAB_ROOM_CLIENT_CONNECTED };

  for (guint i = 0; i < G_N_ELEMENTS (peers); i++)
    peer_register (peers[i]);

  room1 = create_room (alice, "one");
  room2 = create_room (alice, "two");
  rooms[0] = room1;
  rooms[1] = room2;
  for (guint r = 0; r < 2; r++)
    {
      g_autofree char *invite = create_invite (alice, rooms[r], "member");

      accept_invite (bob, invite, rooms[r]);
      accept_invite (carol, invite, rooms[r]);
    }

  for (guint p = 0; p < G_N_ELEMENTS (peers); p++)
    for (guint r = 0; r < 2; r++)
      join_room (peers[p], rooms[r], 0);

  chat1 = create_chat (alice, room1);
  chat2 = create_chat (alice, room2);
  chats[0] = chat1;
  chats[1] = chat2;

  /* Everyone writes in both rooms at once; one relayed reply. */
  write_messages (peers, G_N_ELEMENTS (peers), rooms, chats, 2, 4, "live");
  relay_stream (alice, room1, chat1, &message, &expected_deltas);
  for (guint r = 0; r < 2; r++)
    assert_converged (peers, G_N_ELEMENTS (peers), rooms[r]);
  g_assert_cmpstr (((GString *) g_hash_table_lookup (bob->deltas, room1))->str, ==,
                   expected_deltas);
  g_assert_cmpstr (((GString *) g_hash_table_lookup (carol->deltas, room1))->str, ==,
                   expected_deltas);
  g_assert_null (g_hash_table_lookup (bob->deltas, room2));

  /* Offline while the others write: caught up from its last seq when it
   * connects again, without asking. */
  confab_room_client_close (carol->client);
  g_assert_cmpint (confab_room_client_get_state (carol->client), ==,
                   CONFAB_ROOM_CLIENT_DISCONNECTED);
  write_messages (writers, G_N_ELEMENTS (writers), rooms, chats, 2, 3, "while carol was away");
  g_assert_cmpint (confab_room_client_get_last_seq (carol->client, room1), <,
                   server_last_seq (alice, room1));
  peer_connect (carol);
  for (guint r = 0; r < 2; r++)
    assert_converged (peers, G_N_ELEMENTS (peers), rooms[r]);

  /* A new client with only a seq to start from gets exactly the rest. */
  {
    g_autoptr(Peer) late = peer_new (url, "carol");
    gint64 since = server_last_seq (alice, room2) - 5;

    confab_room_client_set_token (late->client, confab_room_client_get_token (carol->client));
    peer_connect (late);
    g_assert_cmpstr (confab_room_client_get_user (late->client), ==, "carol");
    join_room (late, room2, since);
    g_assert_cmpuint (peer_log (late, room2)->len, ==, 5);
    for (guint i = 0; i < 5; i++)
      g_assert_cmpstr (peer_log (late, room2)->pdata[i], ==,
                       peer_log (alice, room2)->pdata[since + i]);
  }

  /* The server dies with a request in flight (frozen first, so it cannot
   * have answered): the request fails, every client reconnects by itself
   * to the server restarted on the same port and data, and converges. */
  confabd_test_daemon_pause (fixture->daemon);
  {
    g_autoptr(JsonNode) frame = NULL;
    g_autofree char *text = g_strdup_printf ("{\"type\":\"message.create\",\"room\":\"%s\","
                                             "\"chat\":\"%s\",\"text\":\"lost\"}", room1, chat1);

    frame = parse_frame (text);
    confab_room_client_request_async (bob->client, frame, NULL, confabd_test_result_cb, &result);
  }
  confabd_test_daemon_kill (fixture->daemon);
  {
    g_autoptr(JsonNode) lost = confab_room_client_request_finish (bob->client,
                                                                  await_result (&result,
                                                                                "the lost request"),
                                                                  &error);

    if (lost != NULL)
      {
        g_autofree char *text = json_to_string (lost, FALSE);

        g_error ("the request to a dead server was answered: %s", text);
      }
  }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_clear_error (&error);
  g_clear_object (&result);

  wait_for (all_in_state, &reconnecting, "every client to be reconnecting");
  for (guint p = 0; p < G_N_ELEMENTS (peers); p++)
    g_assert_nonnull (confab_room_client_get_last_error (peers[p]->client));
  /* Not connected: requests fail at once rather than wait. */
  g_assert_null (peer_try (alice, "{\"type\":\"rooms\"}", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_clear_error (&error);

  confabd_test_daemon_restart (fixture->daemon);
  wait_for (all_in_state, &connected, "every client to reconnect");
  for (guint p = 0; p < G_N_ELEMENTS (peers); p++)
    {
      GArray *states = peers[p]->states;

      g_assert_null (confab_room_client_get_last_error (peers[p]->client));
      g_assert_cmpint (g_array_index (states, ConfabRoomClientState, states->len - 1), ==,
                       CONFAB_ROOM_CLIENT_CONNECTED);
    }

  write_messages (peers, G_N_ELEMENTS (peers), rooms, chats, 2, 2, "after the restart");
  for (guint r = 0; r < 2; r++)
    assert_converged (peers, G_N_ELEMENTS (peers), rooms[r]);
  /* Nobody was told the rooms were lost. */
  for (guint p = 0; p < G_N_ELEMENTS (peers); p++)
    g_assert_cmpuint (peers[p]->lost->len, ==, 0);
  g_assert_cmpstr (message, !=, NULL);
}

static gboolean
lost_once (gpointer data)
{
  return ((Peer *) data)->lost->len >= 1;
}

static gboolean
lost_twice (gpointer data)
{
  return ((Peer *) data)->lost->len >= 2;
}

/* A member removed while online learns it from the event, one removed
 * while offline from the refused re-join. */
static void
test_room_lost (ConfabdTestFixture *fixture,
               gconstpointer       data)
{
  const char *url = fixture->daemon->uri;
  g_autoptr(Peer) alice = peer_new (url, "alice");
  g_autoptr(Peer) bob = peer_new (url, "bob");
  g_autofree char *online = NULL;
  g_autofree char *offline = NULL;
  g_autoptr(JsonNode) ack = NULL;
  g_autofree char *expected = NULL;

  peer_register (alice);
  peer_register (bob);
  online = create_room (alice, "online");
  offline = create_room (alice, "offline");
  for (guint i = 0; i < 2; i++)
    {
      const char *room = i == 0 ? online : offline;
      g_autofree char *invite = create_invite (alice, room, "viewer");

      accept_invite (bob, invite, room);
      join_room (bob, room, 0);
    }

  g_clear_pointer (&ack, json_node_unref);
  ack = peer_request (alice, "{\"type\":\"member.remove\",\"room\":\"%s\",\"user\":\"bob\"}",
                      online);
  wait_for (lost_once, bob, "bob to see his removal");
  /* The event itself came first, then the room was let go. */
  g_assert_true (g_str_has_prefix (g_ptr_array_index (peer_log (bob, online),
                                                      peer_log (bob, online)->len - 1),
                                   "4 member.removed alice {\"user\":\"bob\"}"));
  g_assert_false (confab_room_client_is_following (bob->client, online));
  g_assert_cmpint (confab_room_client_get_last_seq (bob->client, online), ==, 0);
  g_assert_cmpuint (bob->lost->len, ==, 1);
  expected = g_strdup_printf ("%s not_found", online);
  g_assert_cmpstr (bob->lost->pdata[0], ==, expected);

  confab_room_client_close (bob->client);
  g_clear_pointer (&ack, json_node_unref);
  ack = peer_request (alice, "{\"type\":\"member.remove\",\"room\":\"%s\",\"user\":\"bob\"}",
                      offline);
  peer_connect (bob);
  wait_for (lost_twice, bob, "bob to lose the second room");
  g_assert_true (g_str_has_prefix (bob->lost->pdata[1], offline));
  g_assert_false (confab_room_client_is_following (bob->client, offline));
  g_assert_cmpint (confab_room_client_get_state (bob->client), ==, CONFAB_ROOM_CLIENT_CONNECTED);
}

/* Removed, invited again and joined from the start on a new desktop: the
 * replay holds the old removal, which is history, not a loss. */
static void
test_removed_and_back (ConfabdTestFixture *fixture,
                       gconstpointer       data)
{
  const char *url = fixture->daemon->uri;
  g_autoptr(Peer) alice = peer_new (url, "alice");
  g_autoptr(Peer) bob = peer_new (url, "bob");
  g_autoptr(Peer) bob_again = peer_new (url, "bob");
  Peer *peers[] = { alice, bob_again };
  g_autofree char *room = NULL;
  g_autofree char *chat = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(JsonNode) ack = NULL;
  GPtrArray *log;
  guint n_removed = 0;

  peer_register (alice);
  peer_register (bob);
  room = create_room (alice, "again");
  join_room (alice, room, 0);
  first = create_invite (alice, room, "member");
  accept_invite (bob, first, room);
  join_room (bob, room, 0);

  ack = peer_request (alice, "{\"type\":\"member.remove\",\"room\":\"%s\",\"user\":\"bob\"}",
                      room);
  wait_for (lost_once, bob, "bob to see his removal");
  second = create_invite (alice, room, "member");
  accept_invite (bob, second, room);

  /* A new desktop of bob's joins from 0: it replays the removal, then his
   * second member.joined, and keeps the room. */
  confab_room_client_set_token (bob_again->client, confab_room_client_get_token (bob->client));
  peer_connect (bob_again);
  join_room (bob_again, room, 0);
  g_assert_true (confab_room_client_is_following (bob_again->client, room));
  log = peer_log (bob_again, room);
  for (guint i = 0; i < log->len; i++)
    if (strstr (log->pdata[i], " member.removed alice {\"user\":\"bob\"}") != NULL)
      n_removed++;
  g_assert_cmpuint (n_removed, ==, 1);

  /* And gets what comes next, as everyone else. */
  chat = create_chat (alice, room);
  write_messages (&alice, 1, (const char *[]) { room }, (const char *[]) { chat }, 1, 3,
                  "after bob came back");
  assert_converged (peers, G_N_ELEMENTS (peers), room);
  g_assert_cmpuint (bob_again->lost->len, ==, 0);
  g_assert_true (confab_room_client_is_following (bob_again->client, room));
}

/* Refusals and failures come back as errors of the right kind. */
static void
test_errors (ConfabdTestFixture *fixture,
            gconstpointer       data)
{
  const char *url = fixture->daemon->uri;
  g_autoptr(Peer) alice = peer_new (url, "alice");
  g_autoptr(Peer) mallory = peer_new (url, "mallory");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *room = NULL;

  /* Nothing listens there: no reconnection is attempted for a first
   * connection that never worked. */
  {
    g_autoptr(Peer) nowhere = peer_new ("http://127.0.0.1:1", "nowhere");

    confab_room_client_connect_async (nowhere->client, NULL, confabd_test_result_cb, &result);
    g_assert_false (confab_room_client_connect_finish (nowhere->client,
                                                       await_result (&result, "connect"),
                                                       &error));
    g_assert_true (error->domain == G_IO_ERROR);
    g_assert_cmpint (confab_room_client_get_state (nowhere->client), ==,
                     CONFAB_ROOM_CLIENT_DISCONNECTED);
    g_assert_nonnull (confab_room_client_get_last_error (nowhere->client));
    g_clear_error (&error);
    g_clear_object (&result);
  }

  peer_register (alice);
  room = create_room (alice, "private");

  /* A bad token: refused, disconnected, not retried. */
  confab_room_client_set_token (mallory->client, "not-a-token");
  confab_room_client_connect_async (mallory->client, NULL, confabd_test_result_cb, &result);
  g_assert_false (confab_room_client_connect_finish (mallory->client,
                                                     await_result (&result, "connect"), &error));
  g_assert_true (error->domain == CONFAB_PROTOCOL_ERROR);
  g_assert_true (error->code == CONFAB_PROTOCOL_ERROR_UNAUTHORIZED ||
                 error->code == CONFAB_PROTOCOL_ERROR_EXPIRED);
  g_assert_cmpint (confab_room_client_get_state (mallory->client), ==,
                   CONFAB_ROOM_CLIENT_DISCONNECTED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* A wrong password. */
  confab_room_client_set_token (mallory->client, NULL);
  peer_connect (mallory);
  confab_room_client_login_async (mallory->client, "alice", "not alice's password", FALSE,
                                  NULL, confabd_test_result_cb, &result);
  g_assert_false (confab_room_client_login_finish (mallory->client,
                                                   await_result (&result, "login"), &error));
  g_assert_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_UNAUTHORIZED);
  g_assert_null (confab_room_client_get_user (mallory->client));
  g_clear_error (&error);
  g_clear_object (&result);

  /* Not a member: the join is refused and the room not followed. */
  peer_register (mallory);
  confab_room_client_join_async (mallory->client, room, 0, NULL, confabd_test_result_cb, &result);
  g_assert_null (confab_room_client_join_finish (mallory->client,
                                                 await_result (&result, "join"), &error));
  g_assert_true (error->domain == CONFAB_PROTOCOL_ERROR);
  g_assert_false (confab_room_client_is_following (mallory->client, room));
  g_assert_cmpuint (mallory->lost->len, ==, 0);
  g_clear_error (&error);
  g_clear_object (&result);

  /* The answer frame of a refused request, as an error. */
  answer = peer_try (mallory, "{\"type\":\"no.such.frame\"}", &error);
  g_assert_null (answer);
  g_assert_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_UNKNOWN_TYPE);
  g_clear_error (&error);

  /* Cancelled: done at once; the late answer is dropped. */
  {
    g_autoptr(JsonNode) frame = parse_frame ("{\"type\":\"ping\"}");

    confab_room_client_request_async (alice->client, frame, cancellable, confabd_test_result_cb, &result);
    g_cancellable_cancel (cancellable);
    g_assert_null (confab_room_client_request_finish (alice->client,
                                                      await_result (&result, "cancel"), &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_clear_object (&result);
  }
  answer = peer_request (alice, "{\"type\":\"ping\"}");
  g_assert_cmpstr (member (answer, "type"), ==, "pong");
}

int
main (int    argc,
      char **argv)
{
  confab_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, ConfabdTestFixture, NULL, confabd_test_fixture_setup, func, \
              confabd_test_fixture_teardown)

  ADD ("/room-client/converge", test_converge);
  ADD ("/room-client/room-lost", test_room_lost);
  ADD ("/room-client/removed-and-back", test_removed_and_back);
  ADD ("/room-client/errors", test_errors);

#undef ADD

  return confab_test_run ();
}
