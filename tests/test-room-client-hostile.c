/* test-room-client-hostile.c: the room client against a hostile server
 *
 * A SoupServer on 127.0.0.1 plays confabd well enough to be joined, then
 * sends what a broken or malicious server could: frames that are not
 * JSON, not objects, nested 100,000 deep or holding half a surrogate
 * pair; binary messages; events without a seq, for rooms nobody joined,
 * twice, or skipping ahead; answers to requests never made; 8 MiB in one
 * frame; then it goes away. The client must never crash, must
 * hand each event of the room to its users once and in order (fetching a
 * skipped one by joining again), and must end in a clean, explained state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "confab-protocol.h"
#include "confab-room-client.h"
#include "confab-test-utils.h"

#define ROOM "r1"

typedef struct
{
  SoupServer              *server;
  char                    *url;
  SoupWebsocketConnection *ws;
  gint64                   log_last;   /* the server's events: 1..log_last */
  guint                    n_joins;
  GArray                  *seen;       /* gint64: the seqs the client emitted */
} Hostile;

static char *
event_frame (gint64 seq)
{
  return g_strdup_printf ("{\"type\":\"event\",\"room\":\"" ROOM "\",\"seq\":%" G_GINT64_FORMAT
                          ",\"event\":\"message.created\",\"author\":\"eve\",\"time\":1,"
                          "\"data\":{\"message\":\"m%" G_GINT64_FORMAT "\",\"text\":\"hi\"}}",
                          seq, seq);
}

static void
send_text (Hostile    *self,
           const char *text)
{
  soup_websocket_connection_send_text (self->ws, text);
}

/* What a join gets: joined, the replay after "since", synced. */
static void
answer_join (Hostile    *self,
             JsonObject *frame)
{
  gint64 id = json_object_get_int_member_with_default (frame, "id", 0);
  gint64 since = json_object_get_int_member_with_default (frame, "since", 0);
  g_autofree char *joined = NULL;
  g_autofree char *synced = NULL;

  self->n_joins++;
  joined = g_strdup_printf ("{\"type\":\"joined\",\"re\":%" G_GINT64_FORMAT ",\"room\":{\"id\":\""
                            ROOM "\",\"name\":\"Hostile\",\"role\":\"member\",\"last_seq\":%"
                            G_GINT64_FORMAT "},\"members\":[],\"last_seq\":%" G_GINT64_FORMAT
                            ",\"streams\":[]}", id, self->log_last, self->log_last);
  send_text (self, joined);
  for (gint64 seq = since + 1; seq <= self->log_last; seq++)
    {
      g_autofree char *event = event_frame (seq);

      send_text (self, event);
    }
  synced = g_strdup_printf ("{\"type\":\"synced\",\"room\":\"" ROOM "\",\"seq\":%"
                            G_GINT64_FORMAT "}", self->log_last);
  send_text (self, synced);
}

static void
client_message_cb (SoupWebsocketConnection *ws,
                   gint                     type,
                   GBytes                  *message,
                   Hostile                 *self)
{
  g_autoptr(JsonNode) node = NULL;
  const char *frame_type = NULL;
  JsonObject *frame;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  node = confab_protocol_parse (data, length, &frame_type, NULL);
  g_assert_nonnull (node);
  frame = json_node_get_object (node);

  if (g_str_equal (frame_type, "hello"))
    {
      g_autofree char *welcome =
        g_strdup_printf ("{\"type\":\"welcome\",\"re\":%" G_GINT64_FORMAT ",\"version\":1,"
                         "\"server\":\"hostile\",\"max_frame\":262144,"
                         "\"allow_register\":false}",
                         json_object_get_int_member_with_default (frame, "id", 0));

      send_text (self, welcome);
    }
  else if (g_str_equal (frame_type, "join"))
    answer_join (self, frame);
}

static void
websocket_cb (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  Hostile *self = user_data;

  g_clear_object (&self->ws);
  self->ws = g_object_ref (connection);
  g_signal_connect (connection, "message", G_CALLBACK (client_message_cb), self);
}

static void
event_cb (ConfabRoomClient *client,
          const char       *room,
          gint64            seq,
          JsonObject       *frame,
          Hostile          *self)
{
  g_assert_cmpstr (room, ==, ROOM);
  g_array_append_val (self->seen, seq);
}

/* One turn of the loop, never blocking for long, so deadlines are checked. */
static void
iterate (void)
{
  if (!g_main_context_iteration (NULL, FALSE))
    g_usleep (1000);
}

static void
async_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
await (GAsyncResult **result)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (*result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      iterate ();
    }
  return *result;
}

/* Runs the loop until the client emitted @n events (or a short while
 * passed with nothing new, when @n is what it has). */
static void
run_until_seen (Hostile *self,
                guint    n)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (self->seen->len < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      iterate ();
    }
}

/* Lets whatever was sent arrive and be handled. */
static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + 200 * 1000;

  while (g_get_monotonic_time () < until)
    iterate ();
}

static void
assert_seen_in_order (Hostile *self,
                      gint64   last)
{
  g_assert_cmpuint (self->seen->len, ==, last);
  for (guint i = 0; i < self->seen->len; i++)
    g_assert_cmpint (g_array_index (self->seen, gint64, i), ==, i + 1);
}

static void
test_hostile_server (void)
{
  Hostile self = { .seen = g_array_new (FALSE, FALSE, sizeof (gint64)) };
  g_autoptr(ConfabRoomClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) joined = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) deep = g_string_new ("{\"type\":\"event\",\"x\":");
  g_autoptr(GString) huge = g_string_new ("{\"type\":\"event\",\"pad\":\"");
  g_autoptr(GBytes) binary = g_bytes_new_static ("\x00\x01\x02", 3);
  g_autofree char *event = NULL;
  g_autofree char *url = NULL;
  static const char * const garbage[] = {
    "{not json", "", "[1,2]", "42", "null", "{\"type\":5}", "{\"id\":1}",
    "{\"type\":\"event\",\"room\":\"" ROOM "\",\"event\":\"x\"}",           /* no seq */
    "{\"type\":\"event\",\"room\":\"" ROOM "\",\"seq\":\"2\",\"event\":\"x\"}", /* a string seq */
    "{\"type\":\"event\",\"room\":\"r9\",\"seq\":1,\"event\":\"x\"}",        /* not joined */
    "{\"type\":\"event\",\"room\":\"" ROOM "\",\"seq\":\"\\ud800\",\"event\":\"x\"}",
    "{\"type\":\"ack\",\"re\":999,\"seq\":7}",                               /* never asked */
    "{\"type\":\"joined\",\"re\":12345}",
    "{\"type\":\"synced\",\"room\":\"" ROOM "\",\"seq\":99}",                 /* no join pending */
    "{\"type\":\"stream.delta\",\"room\":\"r9\",\"text\":5}",
    "{\"type\":\"error\",\"code\":[],\"message\":{}}",
    "{\"type\":\"welcome\",\"version\":99}",
  };

  self.server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (self.server, "/ws", NULL, NULL, websocket_cb, &self, NULL);
  {
    /* Not soup_server_listen_local: libsoup 3.2 leaks an address there. */
    g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);

    soup_server_listen (self.server, address, 0, &error);
    g_assert_no_error (error);
  }
  {
    /* The port from the socket: soup_server_get_uris () leaks in libsoup 3.2. */
    GSList *listeners = soup_server_get_listeners (self.server);
    g_autoptr(GSocketAddress) local = g_socket_get_local_address (listeners->data, &error);

    g_slist_free (listeners);
    g_assert_no_error (error);
    url = g_strdup_printf ("http://127.0.0.1:%u",
                           g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  }

  client = confab_room_client_new (url);
  confab_room_client_set_auto_reconnect (client, FALSE);
  g_signal_connect (client, "event", G_CALLBACK (event_cb), &self);

  confab_room_client_connect_async (client, NULL, async_cb, &result);
  g_assert_true (confab_room_client_connect_finish (client, await (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  confab_room_client_join_async (client, ROOM, 0, NULL, async_cb, &result);
  joined = confab_room_client_join_finish (client, await (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (joined);

  /* Garbage of every kind: ignored, the connection carries on. */
  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    send_text (&self, garbage[i]);
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  send_text (&self, deep->str);
  soup_websocket_connection_send_binary (self.ws, g_bytes_get_data (binary, NULL),
                                         g_bytes_get_size (binary));
  settle ();
  g_assert_cmpuint (self.seen->len, ==, 0);
  g_assert_cmpint (confab_room_client_get_state (client), ==, CONFAB_ROOM_CLIENT_CONNECTED);

  /* Event 1, then 1 again: once. */
  self.log_last = 1;
  event = event_frame (1);
  send_text (&self, event);
  send_text (&self, event);
  run_until_seen (&self, 1);
  settle ();
  assert_seen_in_order (&self, 1);

  /* 4 skips 2 and 3: the client joins again and gets 2, 3, 4 in order. */
  self.log_last = 4;
  g_clear_pointer (&event, g_free);
  event = event_frame (4);
  send_text (&self, event);
  run_until_seen (&self, 4);
  settle ();
  assert_seen_in_order (&self, 4);
  g_assert_cmpuint (self.n_joins, ==, 2);
  g_assert_cmpint (confab_room_client_get_last_seq (client, ROOM), ==, 4);

  /* 8 MiB of one frame (the client takes up to 64 MiB, for long replays):
   * read, found to be no event, dropped; the connection carries on. */
  while (huge->len < 8 * 1024 * 1024)
    g_string_append (huge, "0123456789abcdef");
  g_string_append (huge, "\"}");
  send_text (&self, huge->str);
  self.log_last = 5;
  g_clear_pointer (&event, g_free);
  event = event_frame (5);
  send_text (&self, event);
  run_until_seen (&self, 5);
  settle ();
  assert_seen_in_order (&self, 5);
  g_assert_cmpint (confab_room_client_get_state (client), ==, CONFAB_ROOM_CLIENT_CONNECTED);

  /* The server goes away: a clean, explained state. */
  soup_websocket_connection_close (self.ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  {
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    while (confab_room_client_get_state (client) == CONFAB_ROOM_CLIENT_CONNECTED)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        iterate ();
      }
  }
  g_assert_cmpint (confab_room_client_get_state (client), ==, CONFAB_ROOM_CLIENT_DISCONNECTED);
  g_assert_nonnull (confab_room_client_get_last_error (client));
  g_test_message ("after the server left: %s",
                  confab_room_client_get_last_error (client)->message);
  assert_seen_in_order (&self, 5);

  confab_room_client_close (client);
  g_clear_object (&self.ws);
  g_clear_object (&self.server);
  g_array_unref (self.seen);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

  g_test_add_func ("/confab/room-client/hostile-server", test_hostile_server);

  return g_test_run ();
}
