/* test-confabd-pg-loop.c: confabd keeps serving while PostgreSQL makes a
 * frame wait
 *
 * The test holds a lock on rooms' counter rows from its own connection, so
 * that the daemon's INSERT of an event in those rooms waits inside
 * PostgreSQL. Meanwhile the daemon must answer everyone else: another
 * room's frames, new connections, /health; and when every pooled
 * connection is taken, a frame waits for one without holding the loop.
 * The waiting client's own later frames wait behind its first, in order.
 * A daemon that blocked its loop on the database would answer the others
 * only after the held statement timed out (5 s), with an error to the
 * first client: the test would fail.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <libpq-fe.h>

#include "confabd-test-client.h"

/* The daemon's pool (CONFABD_PG_POOL_SIZE). */
#define POOL_SIZE 4

typedef struct
{
  char              *data_dir;
  char              *store;
  ConfabdTestDaemon *daemon;
  PGconn            *locker;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->data_dir = confab_test_make_tmpdir ();
  fixture->store = confabd_test_new_pg_database ();
  fixture->daemon = confabd_test_daemon_start (fixture->data_dir,
                                               (const char *[]) { "--allow-register", "--store",
                                                                  fixture->store, NULL },
                                               NULL);
  fixture->locker = PQconnectdb (fixture->store);
  g_assert_cmpint (PQstatus (fixture->locker), ==, CONNECTION_OK);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->locker, PQfinish);
  g_assert_cmpint (confabd_test_daemon_stop (fixture->daemon, SIGTERM), ==, 0);
  g_clear_pointer (&fixture->daemon, confabd_test_daemon_free);
  confab_test_rm_rf (fixture->data_dir);
  g_free (fixture->data_dir);
  g_free (fixture->store);
}

static void
exec_ok (PGconn             *conn,
         const char         *sql,
         int                 n_params,
         const char * const *params)
{
  PGresult *result = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);
  ExecStatusType status = PQresultStatus (result);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (result);
}

/* Holds @room's counter row: the daemon's next event there waits. */
static void
lock_room (Fixture    *fixture,
           const char *room)
{
  exec_ok (fixture->locker, "SELECT last_seq FROM rooms WHERE id = $1 FOR UPDATE", 1,
           (const char *[]) { room });
}

typedef struct
{
  char *room;
  char *chat;
} Room;

static void
create_room (ConfabdTestClient *client,
             const char        *name,
             Room              *room)
{
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) chat = NULL;

  created = confabd_test_client_ok (client, "room", "{'type':'room.create','name':'%s'}", name);
  room->room = g_strdup (confabd_test_get_string (confabd_test_get_object (created, "room"),
                                                  "id"));
  chat = confabd_test_client_ok (client, "ack", "{'type':'chat.create','room':'%s','title':'C'}",
                                 room->room);
  room->chat = g_strdup (confabd_test_get_string (chat, "chat"));
}

static void
room_clear (Room *room)
{
  g_free (room->room);
  g_free (room->chat);
}

static void
send_message (ConfabdTestClient *client,
              const char        *id,
              Room              *room)
{
  confabd_test_client_sendf (client,
                             "{\"type\":\"message.create\",\"id\":\"%s\",\"room\":\"%s\","
                             "\"chat\":\"%s\",\"text\":\"%s\"}",
                             id, room->room, room->chat, id);
}

/* The next frame is the answer of type @type to @id. */
static void
assert_next_answers (ConfabdTestClient *client,
                     const char        *type,
                     const char        *id)
{
  g_autoptr(JsonObject) frame = confabd_test_client_next (client);

  g_assert_cmpstr (confabd_test_get_string (frame, "type"), ==, type);
  g_assert_cmpstr (confabd_test_get_string (frame, "re"), ==, id);
}

/* While @waiting waits for PostgreSQL: a new connection is answered, and
 * /health, and @waiting itself hears nothing yet. */
static void
assert_loop_serves (Fixture           *fixture,
                    ConfabdTestClient *waiting)
{
  g_autoptr(ConfabdTestClient) carol = confabd_test_client_new (fixture->daemon->uri, "carol");

  confabd_test_client_ping (carol);
  confabd_test_daemon_assert_healthy (fixture->daemon);
  confabd_test_client_assert_quiet (waiting, 300);
}

static void
test_other_rooms_go_on (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (uri, "ada");
  g_autoptr(ConfabdTestClient) bob = confabd_test_client_new (uri, "bob");
  g_autoptr(JsonObject) ack = NULL;
  Room held = { 0 }, free_room = { 0 };

  confabd_test_client_register (ada, "ada");
  confabd_test_client_register (bob, "bob");
  create_room (ada, "Held", &held);
  create_room (bob, "Free", &free_room);

  exec_ok (fixture->locker, "BEGIN", 0, NULL);
  lock_room (fixture, held.room);

  /* ada's message waits in PostgreSQL, her ping behind it. */
  send_message (ada, "held", &held);
  confabd_test_client_send (ada, "{\"type\":\"ping\",\"id\":\"after\"}");

  /* Everyone else is served meanwhile. */
  ack = confabd_test_client_ok (bob, "ack",
                                "{'type':'message.create','room':'%s','chat':'%s','text':'hi'}",
                                free_room.room, free_room.chat);
  g_assert_cmpint (confabd_test_get_int (ack, "seq"), >, 0);
  assert_loop_serves (fixture, ada);

  /* Let go: her message is stored, then her ping answered, in order. */
  exec_ok (fixture->locker, "ROLLBACK", 0, NULL);
  assert_next_answers (ada, "ack", "held");
  assert_next_answers (ada, "pong", "after");

  room_clear (&held);
  room_clear (&free_room);
}

static void
test_pool_taken (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (uri, "ada");
  g_autoptr(ConfabdTestClient) bob = confabd_test_client_new (uri, "bob");
  ConfabdTestClient *holders[POOL_SIZE];
  Room held[POOL_SIZE] = { { 0 } };
  Room free_room = { 0 };
  const char *token;

  token = confabd_test_client_register (ada, "ada");
  confabd_test_client_register (bob, "bob");
  create_room (bob, "Free", &free_room);

  exec_ok (fixture->locker, "BEGIN", 0, NULL);
  for (guint i = 0; i < POOL_SIZE; i++)
    {
      g_autofree char *name = g_strdup_printf ("Held %u", i);

      create_room (ada, name, &held[i]);
      lock_room (fixture, held[i].room);
      holders[i] = confabd_test_client_new (uri, name);
      confabd_test_client_auth (holders[i], token);
    }

  /* Each holder's message takes a pooled connection and waits with it. */
  for (guint i = 0; i < POOL_SIZE; i++)
    send_message (holders[i], "held", &held[i]);
  confabd_test_client_assert_quiet (holders[0], 300);

  /* bob's frame waits for a connection; the loop still serves. */
  send_message (bob, "waits", &free_room);
  assert_loop_serves (fixture, bob);

  exec_ok (fixture->locker, "ROLLBACK", 0, NULL);
  assert_next_answers (bob, "ack", "waits");
  for (guint i = 0; i < POOL_SIZE; i++)
    {
      assert_next_answers (holders[i], "ack", "held");
      confabd_test_client_free (holders[i]);
      room_clear (&held[i]);
    }
  room_clear (&free_room);
}

int
main (int   argc,
      char *argv[])
{
  confabd_test_init (&argc, &argv);

  if (!confabd_test_have_pg ())
    {
      g_test_skip ("needs run-with-services.sh");
      return g_test_run ();
    }

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/confabd/pg-loop/other-rooms-go-on", test_other_rooms_go_on);
  ADD ("/confabd/pg-loop/pool-taken", test_pool_taken);

#undef ADD

  return g_test_run ();
}
