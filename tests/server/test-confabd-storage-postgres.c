/* test-confabd-storage-postgres.c: what only the PostgreSQL storage does: its
 * migrations, several instances on one database, and a server that stops,
 * freezes or holds a lock
 *
 * Runs under tests/server/run-with-services.sh (skipped without it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "confabd-storage-test.h"

/* The schema's version is recorded, the tables are partitioned, and a
 * second open changes nothing. */
static void
test_migrations (Fixture       *fixture,
                 gconstpointer  data)
{
  g_assert_cmpint (storage_query_int (fixture->storage,
                                      "SELECT max(version) FROM schema_migrations"),
                   ==, CONFABD_PG_SCHEMA_VERSION);
  g_assert_cmpint (storage_query_int (fixture->storage,
                                      "SELECT count(*) FROM schema_migrations"
                                      " WHERE applied > now() - interval '1 hour'"),
                   ==, CONFABD_PG_SCHEMA_VERSION);
  g_assert_cmpint (storage_query_int (fixture->storage,
                                      "SELECT count(*) FROM pg_inherits"
                                      " WHERE inhparent = 'events'::regclass"), ==, 8);
  g_assert_cmpint (storage_query_int (fixture->storage,
                                      "SELECT count(*) FROM pg_inherits"
                                      " WHERE inhparent = 'messages'::regclass"), ==, 8);
  g_assert_cmpint (storage_query_int (fixture->storage,
                                      "SELECT count(*) FROM pg_indexes"
                                      " WHERE indexname = 'messages_streaming'"), ==, 1);

  storage_create_room (fixture->storage);
  storage_reopen (fixture);
  g_assert_cmpint (storage_query_int (fixture->storage, "SELECT count(*) FROM schema_migrations"),
                   ==, CONFABD_PG_SCHEMA_VERSION);
  g_assert_cmpint (storage_last_seq (fixture->storage), ==, 0);
}

static void
assert_refused (const char *uri,
                const char *why)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (confabd_storage_open (uri, NULL, &error));
  g_test_message ("refused: %s", error->message);
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, why));
}

static void
test_refuse_newer (Fixture       *fixture,
                   gconstpointer  data)
{
  PGconn *conn = storage_pg_connect (fixture->path);

  storage_create_room (fixture->storage);
  g_assert_finalize_object (g_steal_pointer (&fixture->storage));

  storage_pg_exec (conn, "INSERT INTO schema_migrations (version) VALUES (99)");
  assert_refused (fixture->path, "newer schema");
  /* Left unchanged. */
  {
    PGresult *result = PQexec (conn, "SELECT (SELECT count(*) FROM schema_migrations),"
                                     " (SELECT count(*) FROM rooms)");

    g_assert_cmpstr (PQgetvalue (result, 0, 0), ==, "2");
    g_assert_cmpstr (PQgetvalue (result, 0, 1), ==, "1");
    PQclear (result);
  }

  /* Back at the known version it opens again, with its data. */
  storage_pg_exec (conn, "DELETE FROM schema_migrations WHERE version = 99");
  fixture->storage = storage_open (fixture->path);
  g_assert_cmpint (storage_last_seq (fixture->storage), ==, 0);
  PQfinish (conn);
}

/* Another application's tables: never written to. */
static void
test_refuse_foreign (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *uri = confabd_test_new_pg_database ();
  PGconn *conn = storage_pg_connect (uri);
  PGresult *result;

  storage_pg_exec (conn, "CREATE TABLE users (login text); INSERT INTO users VALUES ('ada')");
  assert_refused (uri, "not a confabd database");

  result = PQexec (conn, "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations'");
  g_assert_cmpstr (PQgetvalue (result, 0, 0), ==, "0");
  PQclear (result);
  PQfinish (conn);
}

/* ---- Two instances appending to one room */

#define N_APPENDS 150

typedef struct
{
  const char *uri;
  guint       index;
  gint       *go;
  gint64      seqs[N_APPENDS];
} Appender;

static gpointer
append_thread (gpointer data)
{
  Appender *appender = data;
  g_autoptr(ConfabdStorage) storage = storage_open (appender->uri);

  while (!g_atomic_int_get (appender->go))
    g_thread_yield ();

  for (guint i = 0; i < N_APPENDS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *id = g_strdup_printf ("m%u-%u", appender->index, i);
      ConfabdMessage message = { .id = id, .chat = (char *)"c1", .author = (char *)"ada",
                                 .role = (char *)"user", .text = id };

      appender->seqs[i] = storage_append (storage, "r1", "message.created", NULL,
                                          CONFABD_MESSAGE_CHANGE_INSERT, &message, &error);
      g_assert_no_error (error);
      g_assert_cmpint (appender->seqs[i], >, 0);
    }

  return NULL;
}

static void
test_concurrent_append (Fixture       *fixture,
                        gconstpointer  data)
{
  Appender appenders[2] = { { 0 } };
  GThread *threads[2];
  gint go = 0;
  g_autofree guint8 *seen = g_new0 (guint8, 2 * N_APPENDS + 2);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;

  storage_create_room (fixture->storage);
  storage_create_chat (fixture->storage, "c1");

  for (guint t = 0; t < 2; t++)
    {
      appenders[t].uri = fixture->path;
      appenders[t].index = t;
      appenders[t].go = &go;
      threads[t] = g_thread_new ("appender", append_thread, &appenders[t]);
    }
  g_atomic_int_set (&go, 1);
  for (guint t = 0; t < 2; t++)
    g_thread_join (threads[t]);

  /* Every seq from 2 (1 is the chat) to 2N + 1 exactly once, each thread's
   * in increasing order. */
  for (guint t = 0; t < 2; t++)
    for (guint i = 0; i < N_APPENDS; i++)
      {
        gint64 seq = appenders[t].seqs[i];

        g_assert_cmpint (seq, >=, 2);
        g_assert_cmpint (seq, <=, 2 * N_APPENDS + 1);
        g_assert_cmpuint (seen[seq], ==, 0);
        seen[seq] = 1;
        if (i > 0)
          g_assert_cmpint (seq, >, appenders[t].seqs[i - 1]);
      }

  g_assert_cmpint (storage_last_seq (fixture->storage), ==, 2 * N_APPENDS + 1);
  events = confabd_storage_list_events (fixture->storage, "r1", 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2 * N_APPENDS + 1);
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpint (((ConfabdEvent *)events->pdata[i])->seq, ==, i + 1);
  g_assert_cmpint (storage_query_int (fixture->storage,
                                      "SELECT count(*) FROM messages WHERE seq = pos"),
                   ==, 2 * N_APPENDS);
}

/* ---- A server that is gone, frozen or busy */

static gint64
append_timed (ConfabdStorage  *storage,
              GError         **error,
              gint64          *elapsed_ms)
{
  gint64 start = g_get_monotonic_time ();
  gint64 seq = storage_append (storage, "r1", "member.joined", "{\"user\":\"x\"}",
                               CONFABD_MESSAGE_CHANGE_NONE, NULL, error);

  *elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  return seq;
}

/* PostgreSQL restarts: calls fail (quickly, saying which server) while it
 * is down, then the same storage works again. */
static void
test_restart (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 elapsed_ms;

  storage_create_room (fixture->storage);
  g_assert_cmpint (append_timed (fixture->storage, &error, &elapsed_ms), ==, 1);
  g_assert_no_error (error);

  confabd_test_pg_stop ();
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (append_timed (fixture->storage, &error, &elapsed_ms), ==, 0);
      g_test_message ("while stopped (%" G_GINT64_FORMAT " ms): %s", elapsed_ms, error->message);
      g_assert_true (error->domain == G_IO_ERROR);
      g_assert_true (error->code == G_IO_ERROR_NOT_CONNECTED ||
                     error->code == G_IO_ERROR_TIMED_OUT);
      g_assert_nonnull (strstr (error->message, "127.0.0.1:"));
      g_assert_cmpint (elapsed_ms, <, 2 * CONFABD_PG_DEFAULT_TIMEOUT_MS);
      g_clear_error (&error);
    }
  confabd_test_pg_start ();

  g_assert_cmpint (append_timed (fixture->storage, &error, &elapsed_ms), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (storage_last_seq (fixture->storage), ==, 2);
  storage_assert_idle (fixture->storage);
}

/* Another transaction holds the room's row: the append gives up at the
 * timeout instead of hanging, and nothing of it stays. */
static void
test_lock_timeout (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PGconn *conn = storage_pg_connect (fixture->path);
  gint64 elapsed_ms;

  storage_create_room (fixture->storage);
  confabd_pg_storage_set_timeout (CONFABD_PG_STORAGE (fixture->storage), 1000);

  storage_pg_exec (conn, "BEGIN");
  storage_pg_exec (conn, "SELECT 1 FROM rooms WHERE id = 'r1' FOR UPDATE");
  g_assert_cmpint (append_timed (fixture->storage, &error, &elapsed_ms), ==, 0);
  g_test_message ("while locked (%" G_GINT64_FORMAT " ms): %s", elapsed_ms, error->message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "not answering"));
  g_assert_cmpint (elapsed_ms, >=, 900);
  g_assert_cmpint (elapsed_ms, <, 3000);
  g_clear_error (&error);
  storage_pg_exec (conn, "COMMIT");

  g_assert_cmpint (append_timed (fixture->storage, &error, &elapsed_ms), ==, 1);
  g_assert_no_error (error);
  storage_assert_idle (fixture->storage);
  PQfinish (conn);
}

static GPid
postmaster_pid (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("CONFAB_TEST_PG_DIR"), "postmaster.pid",
                                            NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return (GPid)g_ascii_strtoll (contents, NULL, 10);
}

/* A frozen server accepts the TCP connection and says nothing: connecting
 * gives up at the timeout. */
static void
test_frozen (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GPid pid = postmaster_pid ();
  gint64 elapsed_ms;

  storage_create_room (fixture->storage);
  /* Also closes the pooled connections: the next call connects. */
  confabd_pg_storage_set_timeout (CONFABD_PG_STORAGE (fixture->storage), 1000);

  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);
  g_assert_cmpint (append_timed (fixture->storage, &error, &elapsed_ms), ==, 0);
  g_test_message ("while frozen (%" G_GINT64_FORMAT " ms): %s", elapsed_ms, error->message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (elapsed_ms, <, 3000);
  g_clear_error (&error);

  /* The next call does not wait the timeout again: it fails at once for
   * a second, so a dead host cannot hold the caller's loop every time. */
  g_assert_cmpint (append_timed (fixture->storage, &error, &elapsed_ms), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_assert_nonnull (strstr (error->message, "trying again"));
  g_assert_cmpint (elapsed_ms, <, 200);
  g_clear_error (&error);
  g_assert_cmpint (kill (pid, SIGCONT), ==, 0);
  g_usleep (1100 * 1000);

  g_assert_cmpint (append_timed (fixture->storage, &error, &elapsed_ms), ==, 1);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  confabd_test_init (&argc, &argv);

  /* Without PostgreSQL (not under run-with-services.sh): no tests. */
  storage_test_add ("migrations", test_migrations, STORAGE_PG);
  storage_test_add ("refuse-newer", test_refuse_newer, STORAGE_PG);
  storage_test_add ("refuse-foreign", test_refuse_foreign, STORAGE_PG);
  storage_test_add ("concurrent-append", test_concurrent_append, STORAGE_PG);
  storage_test_add ("lock-timeout", test_lock_timeout, STORAGE_PG);
  storage_test_add ("frozen", test_frozen, STORAGE_PG);
  /* Last: it restarts the server. */
  storage_test_add ("restart", test_restart, STORAGE_PG);

  return g_test_run ();
}
