/* test-confabd-scale.c: two confabd instances on one PostgreSQL and one
 * Redis, behind HAProxy: one order of events for everyone, an instance
 * killed mid-reply, Redis restarted, PostgreSQL stopped
 *
 * Runs under tests/server/run-with-services.sh, which starts the private
 * PostgreSQL and Redis; the test starts the instances and the proxy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>

#include "confabd-test-client.h"

#define N_INSTANCES 2

typedef struct
{
  char              *tmp_dir;
  char              *store;
  char              *dirs[N_INSTANCES];
  ConfabdTestDaemon *daemons[N_INSTANCES];
  GSubprocess       *proxy;
  char              *proxy_uri;
} Fixture;

/* The Redis a test restarted (daemonized), for main to stop at the end. */
static char *redis_pid_file;

/* ---- The stack */

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static guint
http_status (const char *uri)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 5, NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
  g_autoptr(GBytes) body = NULL;

  body = soup_session_send_and_read (session, message, NULL, NULL);
  return soup_message_get_status (message);
}

static void
start_instance (Fixture *fixture,
                guint    i)
{
  const char *args[] = { "--store", fixture->store, "--redis", g_getenv ("CONFAB_TEST_REDIS"),
                         "--allow-register", NULL };

  fixture->daemons[i] = confabd_test_daemon_start (fixture->dirs[i], args, NULL);
}

/* HAProxy over both instances, checking /health every 200 ms, so a dead
 * instance is out within a second and a refused connection goes to the
 * other one (redispatch). */
static void
start_proxy (Fixture *fixture)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = g_build_filename (fixture->tmp_dir, "haproxy.cfg", NULL);
  g_autofree char *config = NULL;
  g_autofree char *health = NULL;
  guint16 port = free_port ();

  config = g_strdup_printf ("global\n"
                            "  maxconn 2048\n"
                            "defaults\n"
                            "  mode http\n"
                            "  timeout connect 1s\n"
                            "  timeout client 60s\n"
                            "  timeout server 60s\n"
                            "  timeout tunnel 1h\n"
                            "  option redispatch\n"
                            "  retries 3\n"
                            "frontend confab\n"
                            "  bind 127.0.0.1:%u\n"
                            "  default_backend confabd\n"
                            "backend confabd\n"
                            "  balance roundrobin\n"
                            "  option httpchk GET /health\n"
                            "  http-check expect status 200\n"
                            "  server a 127.0.0.1:%u check inter 200ms fall 1 rise 1\n"
                            "  server b 127.0.0.1:%u check inter 200ms fall 1 rise 1\n",
                            port, fixture->daemons[0]->port, fixture->daemons[1]->port);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);

  launcher = confabd_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  fixture->proxy = g_subprocess_launcher_spawn (launcher, &error, "haproxy", "-db", "-f",
                                                config_path, NULL);
  g_assert_no_error (error);
  fixture->proxy_uri = g_strdup_printf ("http://127.0.0.1:%u", port);

  health = g_strconcat (fixture->proxy_uri, "/health", NULL);
  for (guint tries = 0; http_status (health) != 200; tries++)
    {
      g_assert_cmpuint (tries, <, 100);
      g_usleep (100 * 1000);
    }
}

static void
redis_cli (const char *command,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) "redis-cli");
  g_ptr_array_add (argv, (char *) "-p");
  g_ptr_array_add (argv, (char *) g_getenv ("CONFAB_TEST_REDIS_PORT"));
  g_ptr_array_add (argv, (char *) command);
  va_start (args, command);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, NULL);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *haproxy = NULL;

  if (!confabd_test_have_pg () || g_getenv ("CONFAB_TEST_REDIS") == NULL)
    {
      g_test_skip ("needs tests/server/run-with-services.sh (PostgreSQL and Redis)");
      return;
    }
  haproxy = g_find_program_in_path ("haproxy");
  if (haproxy == NULL)
    {
      g_test_skip ("haproxy is not installed");
      return;
    }

  /* A fresh database per test, and a Redis without the last one's
   * counters and presence. */
  redis_cli ("flushall", NULL);
  fixture->tmp_dir = confab_test_make_tmpdir ();
  fixture->store = confabd_test_new_pg_database ();
  for (guint i = 0; i < N_INSTANCES; i++)
    {
      g_autofree char *name = g_strdup_printf ("instance-%u", i);

      fixture->dirs[i] = g_build_filename (fixture->tmp_dir, name, NULL);
      start_instance (fixture, i);
    }
  start_proxy (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->proxy != NULL)
    {
      g_subprocess_send_signal (fixture->proxy, SIGTERM);
      g_subprocess_wait (fixture->proxy, NULL, NULL);
      g_clear_object (&fixture->proxy);
    }
  for (guint i = 0; i < N_INSTANCES; i++)
    {
      /* A clean exit, judged: under ASan it includes the leak check. */
      if (fixture->daemons[i] != NULL && confabd_test_daemon_is_running (fixture->daemons[i]) &&
          !g_test_failed ())
        g_assert_cmpint (confabd_test_daemon_stop (fixture->daemons[i], SIGTERM), ==, 0);
      g_clear_pointer (&fixture->daemons[i], confabd_test_daemon_free);
      g_free (fixture->dirs[i]);
    }
  if (fixture->tmp_dir != NULL)
    confab_test_rm_rf (fixture->tmp_dir);
  g_free (fixture->tmp_dir);
  g_free (fixture->store);
  g_free (fixture->proxy_uri);
}

/* ---- A room with three people */

typedef struct
{
  char *room;
  char *chat;
  gint64 last_seq;   /* after everyone joined */
} Room;

static void
room_clear (Room *room)
{
  g_free (room->room);
  g_free (room->chat);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Room, room_clear)

/* Nothing but presence within @ms: presence comes whenever an instance's
 * heartbeat reads the others' (every few seconds), so it is not checked. */
static void
assert_quiet (ConfabdTestClient *client,
              guint              ms)
{
  confabd_test_run_for (ms);
  for (GList *l = client->frames.head; l != NULL;)
    {
      GList *next = l->next;

      if (g_strcmp0 (json_object_get_string_member_with_default (l->data, "type", NULL),
                     "presence") == 0)
        {
          json_object_unref (l->data);
          g_queue_delete_link (&client->frames, l);
        }
      l = next;
    }
  confabd_test_client_assert_quiet (client, 0);
}

/* Takes the first queued frame of @type for which @member is @value (NULL:
 * any), waiting up to @seconds: for what only a heartbeat brings. */
static JsonObject *
wait_for_frame (ConfabdTestClient *client,
                const char        *type,
                const char        *member,
                const char        *value,
                guint              seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  for (;;)
    {
      for (GList *l = client->frames.head; l != NULL; l = l->next)
        {
          JsonObject *frame = l->data;

          if (g_strcmp0 (json_object_get_string_member_with_default (frame, "type", NULL),
                         type) == 0 &&
              (member == NULL ||
               g_strcmp0 (json_object_get_string_member_with_default (frame, member, NULL),
                          value) == 0))
            {
              g_queue_delete_link (&client->frames, l);
              return frame;
            }
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("%s: no “%s” frame with %s = %s within %u s", client->name, type,
                 member != NULL ? member : "(any)", value != NULL ? value : "(any)", seconds);
      confabd_test_run_for (100);
    }
}

/* The first client owns a room with a chat; the others are members; all
 * joined, queues empty. */
static void
set_up_room (ConfabdTestClient **clients,
             guint               n_clients,
             Room               *room)
{
  g_autoptr(JsonObject) frame = NULL;

  frame = confabd_test_client_ok (clients[0], "room", "{'type':'room.create','name':'Lab'}");
  room->room = g_strdup (confabd_test_get_string (confabd_test_get_object (frame, "room"), "id"));
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (clients[0], "ack",
                                  "{'type':'chat.create','room':'%s','title':'C'}", room->room);
  room->chat = g_strdup (confabd_test_get_string (frame, "chat"));

  for (guint i = 1; i < n_clients; i++)
    {
      g_autoptr(JsonObject) invite = NULL;
      g_autoptr(JsonObject) accepted = NULL;

      invite = confabd_test_client_ok (clients[0], "invite",
                                       "{'type':'invite.create','room':'%s','role':'member'}",
                                       room->room);
      accepted = confabd_test_client_ok (clients[i], "room",
                                         "{'type':'invite.accept','token':'%s'}",
                                         confabd_test_get_string (invite, "token"));
    }

  for (guint i = 0; i < n_clients; i++)
    {
      g_clear_pointer (&frame, json_object_unref);
      frame = confabd_test_client_join (clients[i], room->room, 0, NULL);
      g_assert_cmpstr (confabd_test_get_string (frame, "type"), ==, "joined");
      room->last_seq = confabd_test_get_int (frame, "last_seq");
    }
  /* Presence frames of the later joins may still be on their way. */
  confabd_test_run_for (200);
  for (guint i = 0; i < n_clients; i++)
    confabd_test_client_clear (clients[i]);
}

/* Takes @client's next events in @room up to @last_seq, checking they
 * follow @after one by one; returns them. */
static GPtrArray *
take_events (ConfabdTestClient *client,
             const char        *room,
             gint64             after,
             gint64             last_seq)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (gint64 expected = after + 1; expected <= last_seq; expected++)
    {
      JsonObject *event = confabd_test_client_next_event (client, room, NULL);

      g_assert_cmpint (confabd_test_get_int (event, "seq"), ==, expected);
      g_ptr_array_add (events, event);
    }
  return events;
}

static const char *
event_message (JsonObject *event)
{
  JsonObject *data = confabd_test_get_object (event, "data");

  return json_object_get_string_member_with_default (data, "message", "");
}

static void
assert_same_events (GPtrArray *a,
                    GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      JsonObject *x = g_ptr_array_index (a, i);
      JsonObject *y = g_ptr_array_index (b, i);

      g_assert_cmpint (confabd_test_get_int (x, "seq"), ==, confabd_test_get_int (y, "seq"));
      g_assert_cmpstr (confabd_test_get_string (x, "event"), ==,
                       confabd_test_get_string (y, "event"));
      g_assert_cmpstr (event_message (x), ==, event_message (y));
    }
}

/* ---- Tests */

#define PER_CLIENT 30

/* ada on instance A, bob on B, carol through the proxy, all writing at
 * once: everyone gets the same events, numbered 1, 2, 3… without a gap. */
static void
test_one_order (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(ConfabdTestClient) carol = NULL;
  GPtrArray *seen[3];
  g_auto(Room) room = { 0 };
  ConfabdTestClient *clients[3];
  gint64 last_seq;

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  ada = confabd_test_client_new (fixture->daemons[0]->uri, "ada");
  bob = confabd_test_client_new (fixture->daemons[1]->uri, "bob");
  carol = confabd_test_client_new (fixture->proxy_uri, "carol");
  confabd_test_client_register (ada, "ada");
  confabd_test_client_register (bob, "bob");
  confabd_test_client_register (carol, "carol");
  clients[0] = ada;
  clients[1] = bob;
  clients[2] = carol;
  set_up_room (clients, 3, &room);

  for (guint i = 0; i < PER_CLIENT; i++)
    for (guint c = 0; c < 3; c++)
      confabd_test_client_sendf (clients[c],
                                 "{'type':'message.create','id':%u,'room':'%s','chat':'%s',"
                                 "'text':'%s %u'}", 1000 + i, room.room, room.chat,
                                 clients[c]->name, i);

  last_seq = room.last_seq + 3 * PER_CLIENT;
  for (guint c = 0; c < 3; c++)
    seen[c] = take_events (clients[c], room.room, room.last_seq, last_seq);
  assert_same_events (seen[0], seen[1]);
  assert_same_events (seen[0], seen[2]);

  /* Every acknowledgement names the event its sender sees for it. */
  for (guint c = 0; c < 3; c++)
    for (guint i = 0; i < PER_CLIENT; i++)
      {
        g_autoptr(JsonObject) ack = confabd_test_client_next_of_type (clients[c], "ack");
        gint64 seq = confabd_test_get_int (ack, "seq");
        JsonObject *event = g_ptr_array_index (seen[c], seq - room.last_seq - 1);

        g_assert_cmpstr (confabd_test_get_string (event, "author"), ==, clients[c]->name);
        g_assert_cmpstr (event_message (event), ==, confabd_test_get_string (ack, "message"));
      }

  for (guint c = 0; c < 3; c++)
    {
      assert_quiet (clients[c], 300);
      g_ptr_array_unref (seen[c]);
    }
}

/* A client through the proxy, once the instance it used is gone. */
static ConfabdTestClient *
reconnect (Fixture    *fixture,
           const char *name,
           const char *token)
{
  g_autofree char *health = g_strconcat (fixture->proxy_uri, "/health", NULL);
  ConfabdTestClient *client;

  /* The proxy's checks take the dead instance out within a second;
   * until then it may still try it (and redispatch). */
  for (guint ok = 0, tries = 0; ok < 5; tries++)
    {
      g_assert_cmpuint (tries, <, 100);
      ok = http_status (health) == 200 ? ok + 1 : 0;
      g_usleep (100 * 1000);
    }

  client = confabd_test_client_new (fixture->proxy_uri, name);
  confabd_test_client_auth (client, token);
  return client;
}

/* The room's messages, as bob's history shows them: id → text. */
static GHashTable *
history (ConfabdTestClient *client,
         Room              *room)
{
  g_autoptr(JsonObject) page = NULL;
  GHashTable *texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonArray *messages;

  page = confabd_test_client_ok (client, "history",
                                 "{'type':'history','room':'%s','chat':'%s','limit':500}",
                                 room->room, room->chat);
  messages = confabd_test_get_array (page, "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      const char *id = confabd_test_get_string (message, "id");

      /* Each message once. */
      g_assert_false (g_hash_table_contains (texts, id));
      g_hash_table_insert (texts, g_strdup (id),
                           g_strdup (confabd_test_get_string (message, "text")));
    }
  return texts;
}

/* kill -9 of the instance relaying ada's reply while she writes: she
 * reconnects through the proxy to the other one, finishes the reply there,
 * and everyone converges on every acknowledged event, once. */
static void
test_kill_instance (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) delta = NULL;
  g_autoptr(JsonObject) ended = NULL;
  g_autoptr(GHashTable) texts = NULL;
  g_autoptr(GPtrArray) acked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ada_view = NULL;
  g_autoptr(GPtrArray) bob_view = NULL;
  g_autoptr(GString) reply = g_string_new (NULL);
  g_autofree char *token = NULL;
  g_autofree char *message = NULL;
  g_auto(Room) room = { 0 };
  ConfabdTestClient *clients[2];
  gint64 last_seq = 0;

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  ada = confabd_test_client_new (fixture->daemons[0]->uri, "ada");
  bob = confabd_test_client_new (fixture->daemons[1]->uri, "bob");
  token = g_strdup (confabd_test_client_register (ada, "ada"));
  confabd_test_client_register (bob, "bob");
  clients[0] = ada;
  clients[1] = bob;
  set_up_room (clients, 2, &room);

  /* A reply relayed through A, seen live by bob on B. */
  ack = confabd_test_client_ok (ada, "ack",
                                "{'type':'stream.start','room':'%s','chat':'%s',"
                                "'model':'openai:gpt-4o'}", room.room, room.chat);
  message = g_strdup (confabd_test_get_string (ack, "message"));
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *piece = g_strdup_printf ("part %u. ", i);

      confabd_test_client_sendf (ada, "{'type':'stream.delta','room':'%s','message':'%s',"
                                 "'text':'%s','offset':%" G_GSIZE_FORMAT "}",
                                 room.room, message, piece, reply->len);
      g_string_append (reply, piece);
    }
  delta = confabd_test_client_next_of_type (bob, "stream.delta");
  g_assert_cmpstr (confabd_test_get_string (delta, "message"), ==, message);
  g_assert_cmpint (confabd_test_get_int (delta, "offset"), ==, 0);

  /* Messages: ten acknowledged, then five more in flight as A dies. */
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(JsonObject) sent = NULL;

      sent = confabd_test_client_ok (ada, "ack", "{'type':'message.create','room':'%s',"
                                     "'chat':'%s','text':'before %u'}", room.room, room.chat, i);
      g_ptr_array_add (acked, g_strdup (confabd_test_get_string (sent, "message")));
    }
  for (guint i = 0; i < 5; i++)
    confabd_test_client_sendf (ada, "{'type':'message.create','room':'%s','chat':'%s',"
                               "'text':'in flight %u'}", room.room, room.chat, i);
  confabd_test_daemon_kill (fixture->daemons[0]);
  confabd_test_client_wait_closed (ada);
  g_clear_pointer (&ada, confabd_test_client_free);

  /* Back through the proxy (to B, the one left), where the reply goes on. */
  ada = reconnect (fixture, "ada", token);
  g_clear_pointer (&ack, json_object_unref);
  ack = confabd_test_client_join (ada, room.room, 0, &ada_view);
  g_assert_cmpstr (confabd_test_get_string (ack, "type"), ==, "joined");
  for (guint i = 5; i < 8; i++)
    {
      g_autofree char *piece = g_strdup_printf ("part %u. ", i);

      confabd_test_client_sendf (ada, "{'type':'stream.delta','room':'%s','message':'%s',"
                                 "'text':'%s','offset':%" G_GSIZE_FORMAT "}",
                                 room.room, message, piece, reply->len);
      g_string_append (reply, piece);
    }
  g_clear_pointer (&ack, json_object_unref);
  ack = confabd_test_client_ok (ada, "ack", "{'type':'stream.end','room':'%s','message':'%s',"
                                "'text':'%s','status':'complete'}", room.room, message,
                                reply->str);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(JsonObject) sent = NULL;

      sent = confabd_test_client_ok (ada, "ack", "{'type':'message.create','room':'%s',"
                                     "'chat':'%s','text':'after %u'}", room.room, room.chat, i);
      g_ptr_array_add (acked, g_strdup (confabd_test_get_string (sent, "message")));
      last_seq = confabd_test_get_int (sent, "seq");
    }

  /* bob saw the reply end with its whole text, and the same events as a
   * fresh replay gives ada. */
  ended = confabd_test_client_next_event (bob, room.room, "stream.ended");
  g_assert_cmpstr (confabd_test_get_string (confabd_test_get_object (ended, "data"), "text"), ==,
                   reply->str);
  g_assert_cmpstr (confabd_test_get_string (confabd_test_get_object (ended, "data"), "status"),
                   ==, "complete");
  g_clear_pointer (&ada, confabd_test_client_free);
  ada = reconnect (fixture, "ada", token);
  g_clear_pointer (&ack, json_object_unref);
  g_clear_pointer (&ada_view, g_ptr_array_unref);
  ack = confabd_test_client_join (ada, room.room, room.last_seq, &ada_view);
  g_assert_cmpint (confabd_test_get_int (ack, "last_seq"), ==, last_seq);
  g_assert_cmpuint (ada_view->len, ==, last_seq - room.last_seq);
  for (guint i = 0; i < ada_view->len; i++)
    g_assert_cmpint (confabd_test_get_int (g_ptr_array_index (ada_view, i), "seq"), ==,
                     room.last_seq + 1 + i);

  confabd_test_client_clear (bob);
  g_clear_pointer (&ack, json_object_unref);
  ack = confabd_test_client_join (bob, room.room, room.last_seq, &bob_view);
  assert_same_events (ada_view, bob_view);

  texts = history (bob, &room);
  for (guint i = 0; i < acked->len; i++)
    g_assert_true (g_hash_table_contains (texts, g_ptr_array_index (acked, i)));
  g_assert_cmpstr (g_hash_table_lookup (texts, message), ==, reply->str);
}

/* Instance A dies with ada's reply half relayed and she does not come
 * back: within a heartbeat after A's key expired, B tells bob she is
 * offline and ends the reply as interrupted with what it mirrored. */
static void
test_instance_dies (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) presence = NULL;
  g_autoptr(JsonObject) ended = NULL;
  g_autoptr(GHashTable) texts = NULL;
  g_autoptr(GString) reply = g_string_new (NULL);
  g_autofree char *message = NULL;
  g_auto(Room) room = { 0 };
  ConfabdTestClient *clients[2];
  JsonObject *ended_data;

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  ada = confabd_test_client_new (fixture->daemons[0]->uri, "ada");
  bob = confabd_test_client_new (fixture->daemons[1]->uri, "bob");
  confabd_test_client_register (ada, "ada");
  confabd_test_client_register (bob, "bob");
  clients[0] = ada;
  clients[1] = bob;
  set_up_room (clients, 2, &room);

  ack = confabd_test_client_ok (ada, "ack",
                                "{'type':'stream.start','room':'%s','chat':'%s',"
                                "'model':'openai:gpt-4o'}", room.room, room.chat);
  message = g_strdup (confabd_test_get_string (ack, "message"));
  json_object_unref (confabd_test_client_next_event (bob, room.room, "stream.started"));
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *piece = g_strdup_printf ("part %u. ", i);
      g_autoptr(JsonObject) delta = NULL;

      confabd_test_client_sendf (ada, "{'type':'stream.delta','room':'%s','message':'%s',"
                                 "'text':'%s','offset':%" G_GSIZE_FORMAT "}",
                                 room.room, message, piece, reply->len);
      g_string_append (reply, piece);
      delta = confabd_test_client_next_of_type (bob, "stream.delta");
      g_assert_cmpint (confabd_test_get_int (delta, "offset"), ==, reply->len - strlen (piece));
    }

  confabd_test_daemon_kill (fixture->daemons[0]);

  /* B may first tell bob ada is online (its heartbeat read her in), then
   * offline once her instance's entries expired. */
  do
    {
      g_clear_pointer (&presence, json_object_unref);
      presence = wait_for_frame (bob, "presence", "user", "ada", 40);
    }
  while (json_object_get_boolean_member (presence, "online"));
  ended = wait_for_frame (bob, "event", "event", "stream.ended", 40);
  ended_data = confabd_test_get_object (ended, "data");
  g_assert_cmpstr (confabd_test_get_string (ended_data, "message"), ==, message);
  g_assert_cmpstr (confabd_test_get_string (ended_data, "status"), ==, "interrupted");
  g_assert_cmpstr (confabd_test_get_string (ended_data, "text"), ==, reply->str);

  texts = history (bob, &room);
  g_assert_cmpstr (g_hash_table_lookup (texts, message), ==, reply->str);
  /* Ended once, by one instance. */
  assert_quiet (bob, 300);
}

/* Failed logins count on every instance: three on A and two on B reach
 * the limit of five, which neither would alone; then even the right
 * password waits. */
static void
test_login_limit (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) a = NULL;
  g_autoptr(ConfabdTestClient) b = NULL;
  g_autoptr(JsonObject) refused = NULL;

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  a = confabd_test_client_new (fixture->daemons[0]->uri, "a");
  b = confabd_test_client_new (fixture->daemons[1]->uri, "b");
  confabd_test_client_register (a, "ada");
  g_clear_pointer (&a, confabd_test_client_free);
  a = confabd_test_client_new (fixture->daemons[0]->uri, "a");

  for (guint i = 0; i < 5; i++)
    json_object_unref (confabd_test_client_fails (i < 3 ? a : b, "unauthorized",
                                                  "{'type':'login','user':'ada',"
                                                  "'password':'wrong password'}"));
  refused = confabd_test_client_fails (b, "rate_limited", "{'type':'login','user':'ada',"
                                       "'password':'%s'}", CONFABD_TEST_PASSWORD);
  g_assert_cmpint (confabd_test_get_int (refused, "retry_after"), >, 0);
  g_clear_pointer (&refused, json_object_unref);
  refused = confabd_test_client_fails (a, "rate_limited", "{'type':'login','user':'ada',"
                                       "'password':'%s'}", CONFABD_TEST_PASSWORD);
}

/* One user's frames count on every instance together: two connections,
 * each within its own limit (40/s), exceed the shared 600 in 10 s. */
static void
test_frame_limit (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) a = NULL;
  g_autoptr(ConfabdTestClient) b = NULL;
  g_autofree char *token = NULL;
  g_auto(Room) room = { 0 };
  ConfabdTestClient *clients[2];
  guint refused = 0;

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  a = confabd_test_client_new (fixture->daemons[0]->uri, "a");
  b = confabd_test_client_new (fixture->daemons[1]->uri, "b");
  token = g_strdup (confabd_test_client_register (a, "ada"));
  confabd_test_client_auth (b, token);
  clients[0] = a;
  clients[1] = b;
  /* Both are ada: the room is hers, and b joins it as her second connection. */
  {
    g_autoptr(JsonObject) frame = NULL;

    frame = confabd_test_client_ok (a, "room", "{'type':'room.create','name':'Lab'}");
    room.room = g_strdup (confabd_test_get_string (confabd_test_get_object (frame, "room"),
                                                   "id"));
    g_clear_pointer (&frame, json_object_unref);
    frame = confabd_test_client_ok (a, "ack", "{'type':'chat.create','room':'%s','title':'C'}",
                                    room.room);
    room.chat = g_strdup (confabd_test_get_string (frame, "chat"));
  }

  /* 2 × (a burst of 190, then 10 every 250 ms for 4 s): 2 × 350 = 700. */
  for (guint c = 0; c < 2; c++)
    for (guint i = 0; i < 190; i++)
      confabd_test_client_sendf (clients[c], "{'type':'typing','room':'%s','chat':'%s'}",
                                 room.room, room.chat);
  for (guint round = 0; round < 16; round++)
    {
      confabd_test_run_for (250);
      for (guint c = 0; c < 2; c++)
        for (guint i = 0; i < 10; i++)
          confabd_test_client_sendf (clients[c], "{'type':'typing','room':'%s','chat':'%s'}",
                                     room.room, room.chat);
    }
  confabd_test_run_for (500);

  for (guint c = 0; c < 2; c++)
    while (confabd_test_client_n_queued (clients[c]) > 0)
      {
        g_autoptr(JsonObject) frame = confabd_test_client_next (clients[c]);

        if (g_strcmp0 (json_object_get_string_member_with_default (frame, "type", NULL),
                       "error") != 0)
          continue;
        /* Never the per-connection limit: each stayed within it. */
        g_assert_cmpstr (confabd_test_get_string (frame, "code"), ==, "rate_limited");
        g_assert_nonnull (strstr (confabd_test_get_string (frame, "message"), "account"));
        refused++;
      }
  /* About 100 over the limit, less the answers still on their way. */
  g_assert_cmpuint (refused, >, 20);
  g_assert_cmpuint (refused, <, 700 - 600 + 1);
}

static void
restart_redis (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;

  /* run-with-services.sh stops only the Redis it started: main stops this one. */
  g_clear_pointer (&redis_pid_file, g_free);
  redis_pid_file = g_strdup_printf ("%s/confab-test-redis-%s.pid", g_get_tmp_dir (),
                                    g_getenv ("CONFAB_TEST_REDIS_PORT"));
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "redis-server",
                              "--port", g_getenv ("CONFAB_TEST_REDIS_PORT"),
                              "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                              "--daemonize", "yes", "--pidfile", redis_pid_file, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

/* Redis goes away while ada writes on A; bob on B gets nothing live
 * meanwhile, then everything, in order, once the instances are back on
 * Redis (filled from PostgreSQL). */
static void
test_redis_restart (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_auto(Room) room = { 0 };
  ConfabdTestClient *clients[2];

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  ada = confabd_test_client_new (fixture->daemons[0]->uri, "ada");
  bob = confabd_test_client_new (fixture->daemons[1]->uri, "bob");
  confabd_test_client_register (ada, "ada");
  confabd_test_client_register (bob, "bob");
  clients[0] = ada;
  clients[1] = bob;
  set_up_room (clients, 2, &room);

  g_clear_pointer (&events, g_ptr_array_unref);
  json_object_unref (confabd_test_client_ok (ada, "ack", "{'type':'message.create','room':'%s',"
                                             "'chat':'%s','text':'one'}", room.room, room.chat));
  events = take_events (bob, room.room, room.last_seq, room.last_seq + 1);

  redis_cli ("shutdown", "nosave", NULL);
  for (guint i = 0; i < 3; i++)
    json_object_unref (confabd_test_client_ok (ada, "ack", "{'type':'message.create',"
                                               "'room':'%s','chat':'%s','text':'while down %u'}",
                                               room.room, room.chat, i));
  /* Nothing can reach B now. */
  assert_quiet (bob, 500);

  restart_redis (fixture);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = take_events (bob, room.room, room.last_seq + 1, room.last_seq + 4);
  g_assert_cmpstr (confabd_test_get_string (confabd_test_get_object (g_ptr_array_index (events, 2),
                                                                     "data"), "text"), ==,
                   "while down 2");

  /* And live again. */
  json_object_unref (confabd_test_client_ok (ada, "ack", "{'type':'message.create','room':'%s',"
                                             "'chat':'%s','text':'back'}", room.room, room.chat));
  g_clear_pointer (&events, g_ptr_array_unref);
  events = take_events (bob, room.room, room.last_seq + 4, room.last_seq + 5);
  assert_quiet (bob, 300);
}

/* PostgreSQL stopped: a write gets "unavailable" at once (no hang, no
 * crash), the server stays up, and the same write works once it is back. */
static void
test_postgres_down (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *health = NULL;
  g_auto(Room) room = { 0 };
  ConfabdTestClient *clients[2];
  gint64 started;
  gboolean stored = FALSE;

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  ada = confabd_test_client_new (fixture->daemons[0]->uri, "ada");
  bob = confabd_test_client_new (fixture->daemons[1]->uri, "bob");
  confabd_test_client_register (ada, "ada");
  confabd_test_client_register (bob, "bob");
  clients[0] = ada;
  clients[1] = bob;
  set_up_room (clients, 2, &room);

  confabd_test_pg_stop ();
  started = g_get_monotonic_time ();
  refused = confabd_test_client_fails (ada, "unavailable", "{'type':'message.create',"
                                       "'room':'%s','chat':'%s','text':'kept'}", room.room,
                                       room.chat);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (confabd_test_get_int (refused, "retry_after"), >, 0);
  g_assert_nonnull (strstr (confabd_test_get_string (refused, "message"), "database"));
  for (guint i = 0; i < N_INSTANCES; i++)
    confabd_test_daemon_assert_healthy (fixture->daemons[i]);
  confabd_test_client_ping (bob);

  confabd_test_pg_start ();
  /* What a client does with "unavailable": the same frame, a bit later. */
  for (guint tries = 0; !stored; tries++)
    {
      g_autoptr(JsonObject) answer = NULL;

      g_assert_cmpuint (tries, <, 20);
      answer = confabd_test_client_request (ada, "{'type':'message.create','room':'%s',"
                                            "'chat':'%s','text':'kept'}", room.room, room.chat);
      stored = g_strcmp0 (confabd_test_get_string (answer, "type"), "ack") == 0;
      if (!stored)
        {
          g_assert_cmpstr (confabd_test_get_string (answer, "code"), ==, "unavailable");
          confabd_test_run_for (500);
        }
    }

  event = confabd_test_client_next_event (bob, room.room, "message.created");
  g_assert_cmpint (confabd_test_get_int (event, "seq"), ==, room.last_seq + 1);
  g_assert_cmpstr (confabd_test_get_string (confabd_test_get_object (event, "data"), "text"), ==,
                   "kept");
}

#define SCALE_TEST_ADD(name, func) \
  g_test_add ("/confabd/scale/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  int status;

  confabd_test_init (&argc, &argv);

  SCALE_TEST_ADD ("one-order", test_one_order);
  SCALE_TEST_ADD ("kill-instance", test_kill_instance);
  SCALE_TEST_ADD ("instance-dies", test_instance_dies);
  SCALE_TEST_ADD ("login-limit", test_login_limit);
  SCALE_TEST_ADD ("frame-limit", test_frame_limit);
  SCALE_TEST_ADD ("redis-restart", test_redis_restart);
  SCALE_TEST_ADD ("postgres-down", test_postgres_down);

  status = g_test_run ();
  if (redis_pid_file != NULL)
    {
      redis_cli ("shutdown", "nosave", NULL);
      g_unlink (redis_pid_file);
      g_free (redis_pid_file);
    }
  return status;
}
