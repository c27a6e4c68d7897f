/* confabd-test-cluster.c: two confabd instances on one PostgreSQL and one
 * Redis, behind HAProxy (confabd-test-cluster.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>

#include "confabd-test-cluster.h"

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
start_instance (ConfabdTestCluster *fixture,
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
start_proxy (ConfabdTestCluster *fixture)
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

void
confabd_test_redis_cli (const char *command,
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

void
confabd_test_cluster_set_up (ConfabdTestCluster       *fixture,
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
  confabd_test_redis_cli ("flushall", NULL);
  fixture->tmp_dir = confab_test_make_tmpdir ();
  fixture->store = confabd_test_new_pg_database ();
  for (guint i = 0; i < CONFABD_TEST_N_INSTANCES; i++)
    {
      g_autofree char *name = g_strdup_printf ("instance-%u", i);

      fixture->dirs[i] = g_build_filename (fixture->tmp_dir, name, NULL);
      start_instance (fixture, i);
    }
  start_proxy (fixture);
}

void
confabd_test_cluster_tear_down (ConfabdTestCluster       *fixture,
                   gconstpointer  data)
{
  if (fixture->proxy != NULL)
    {
      g_subprocess_send_signal (fixture->proxy, SIGTERM);
      g_subprocess_wait (fixture->proxy, NULL, NULL);
      g_clear_object (&fixture->proxy);
    }
  for (guint i = 0; i < CONFABD_TEST_N_INSTANCES; i++)
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

void
confabd_test_room_clear (ConfabdTestRoom *room)
{
  g_free (room->room);
  g_free (room->chat);
}

/* Nothing but presence within @ms: presence comes whenever an instance's
 * heartbeat reads the others' (every few seconds), so it is not checked. */
void
confabd_test_assert_quiet (ConfabdTestClient *client,
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
JsonObject *
confabd_test_wait_for_frame (ConfabdTestClient *client,
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
void
confabd_test_cluster_room (ConfabdTestClient **clients,
             guint               n_clients,
             ConfabdTestRoom               *room)
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
GPtrArray *
confabd_test_take_events (ConfabdTestClient *client,
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

const char *
confabd_test_event_message (JsonObject *event)
{
  JsonObject *data = confabd_test_get_object (event, "data");

  return json_object_get_string_member_with_default (data, "message", "");
}

void
confabd_test_assert_same_events (GPtrArray *a,
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
      g_assert_cmpstr (confabd_test_event_message (x), ==, confabd_test_event_message (y));
    }
}

/* A client through the proxy, once the instance it used is gone. */
ConfabdTestClient *
confabd_test_cluster_reconnect (ConfabdTestCluster    *fixture,
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

/* The room's messages, as bob's confabd_test_history shows them: id → text. */
GHashTable *
confabd_test_history (ConfabdTestClient *client,
         ConfabdTestRoom              *room)
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

void
confabd_test_cluster_restart_redis (ConfabdTestCluster *fixture)
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

void
confabd_test_cluster_finish (void)
{
  if (redis_pid_file != NULL)
    {
      confabd_test_redis_cli ("shutdown", "nosave", NULL);
      g_unlink (redis_pid_file);
      g_clear_pointer (&redis_pid_file, g_free);
    }
}

void
confabd_test_cluster_pair (ConfabdTestCluster  *fixture,
                           ConfabdTestClient  **ada,
                           ConfabdTestClient  **bob,
                           ConfabdTestRoom     *room,
                           char               **ada_token)
{
  ConfabdTestClient *clients[2];
  const char *token;

  *ada = confabd_test_client_new (fixture->daemons[0]->uri, "ada");
  *bob = confabd_test_client_new (fixture->daemons[1]->uri, "bob");
  token = confabd_test_client_register (*ada, "ada");
  if (ada_token != NULL)
    *ada_token = g_strdup (token);
  confabd_test_client_register (*bob, "bob");
  clients[0] = *ada;
  clients[1] = *bob;
  confabd_test_cluster_room (clients, 2, room);
}
