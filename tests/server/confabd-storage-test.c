/* confabd-storage-test.c: fixtures shared by the storage tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include <glib/gstdio.h>

#include "confabd-storage-test.h"

ConfabdStorage *
storage_open (const char *path)
{
  g_autoptr(GError) error = NULL;
  gboolean pg = g_str_has_prefix (path, "postgresql://");
  g_autofree char *uri = pg ? g_strdup (path) : g_strconcat ("sqlite:", path, NULL);
  ConfabdStorage *storage = confabd_storage_open (uri, NULL, &error);

  g_assert_no_error (error);
  if (pg)
    g_assert_true (CONFABD_IS_PG_STORAGE (storage));
  else
    g_assert_true (CONFABD_IS_SQLITE_STORAGE (storage));
  return storage;
}

void
storage_fixture_set_up (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->pg = GPOINTER_TO_INT (data) == STORAGE_PG;
  fixture->dir = g_dir_make_tmp ("test-confabd-storage-XXXXXX", &error);
  g_assert_no_error (error);
  if (fixture->pg)
    fixture->path = confabd_test_new_pg_database ();
  else
    fixture->path = g_build_filename (fixture->dir, "confabd.sqlite", NULL);
  fixture->storage = storage_open (fixture->path);
}

void
storage_test_add (const char      *name,
                  StorageTestFunc  func,
                  StorageBackends  backends)
{
  if (backends & STORAGE_SQLITE)
    {
      g_autofree char *path = g_strconcat ("/confabd/storage/", name, NULL);

      g_test_add_vtable (path, sizeof (Fixture), GINT_TO_POINTER (STORAGE_SQLITE),
                         (GTestFixtureFunc)storage_fixture_set_up, (GTestFixtureFunc)func,
                         (GTestFixtureFunc)storage_fixture_tear_down);
    }
  if ((backends & STORAGE_PG) && confabd_test_have_pg ())
    {
      g_autofree char *path = g_strconcat ("/confabd/storage/pg/", name, NULL);

      g_test_add_vtable (path, sizeof (Fixture), GINT_TO_POINTER (STORAGE_PG),
                         (GTestFixtureFunc)storage_fixture_set_up, (GTestFixtureFunc)func,
                         (GTestFixtureFunc)storage_fixture_tear_down);
    }
}

void
storage_remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        storage_remove_dir (child);
      else
        g_assert_cmpint (g_remove (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

void
storage_fixture_tear_down (Fixture       *fixture,
                           gconstpointer  data)
{
  if (fixture->storage != NULL)
    g_assert_finalize_object (fixture->storage);
  storage_remove_dir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

void
storage_reopen (Fixture *fixture)
{
  g_assert_finalize_object (fixture->storage);
  fixture->storage = storage_open (fixture->path);
}

char *
storage_sha256_hex (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

char *
storage_file_sha256 (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, length);
}

PGconn *
storage_pg_connect (const char *uri)
{
  PGconn *conn = PQconnectdb (uri);

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("Could not connect to %s: %s", uri, PQerrorMessage (conn));
  return conn;
}

void
storage_pg_exec (PGconn     *conn,
                 const char *sql)
{
  PGresult *result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
}

/* A number read behind the API: the tests look at the tables to prove
 * nothing else was written. */
gint64
storage_query_int (ConfabdStorage *storage,
                   const char     *sql)
{
  gint64 value;

  if (CONFABD_IS_PG_STORAGE (storage))
    {
      ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
      PGconn *conn = storage_pg_connect (confabd_pg_storage_get_conninfo (self));
      PGresult *result = PQexec (conn, sql);
      const char *text;

      if (PQresultStatus (result) != PGRES_TUPLES_OK || PQntuples (result) != 1)
        g_error ("%s: %s", sql, PQresultErrorMessage (result));
      /* Booleans as 0 and 1, as SQLite gives them. */
      text = PQgetvalue (result, 0, 0);
      if (g_str_equal (text, "t") || g_str_equal (text, "f"))
        value = g_str_equal (text, "t");
      else
        value = g_ascii_strtoll (text, NULL, 10);
      PQclear (result);
      PQfinish (conn);
    }
  else
    {
      ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      value = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
    }
  return value;
}

void
storage_exec (ConfabdStorage *storage,
              const char     *sql)
{
  if (CONFABD_IS_PG_STORAGE (storage))
    {
      ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
      PGconn *conn = storage_pg_connect (confabd_pg_storage_get_conninfo (self));

      storage_pg_exec (conn, sql);
      PQfinish (conn);
    }
  else
    {
      ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);

      g_assert_cmpint (sqlite3_exec (self->db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    }
}

void
storage_assert_idle (ConfabdStorage *storage)
{
  if (CONFABD_IS_PG_STORAGE (storage))
    {
      ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);

      g_mutex_lock (&self->lock);
      /* Every connection back in the pool, none inside a transaction. */
      g_assert_cmpuint (self->n_open, ==, self->idle->len);
      for (guint i = 0; i < self->idle->len; i++)
        {
          ConfabdPgConn *pc = self->idle->pdata[i];

          g_assert_cmpint (PQtransactionStatus (pc->conn), ==, PQTRANS_IDLE);
        }
      g_mutex_unlock (&self->lock);
    }
  else
    g_assert_true (sqlite3_get_autocommit (CONFABD_SQLITE_STORAGE (storage)->db));
}

void
storage_create_user (ConfabdStorage *storage,
                     const char     *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabdUser) user = confabd_storage_create_user (storage, name, "$argon2id$x", &error);

  g_assert_no_error (error);
  g_assert_nonnull (user);
}

/* A user "ada" and her room "r1". */
void
storage_create_room (ConfabdStorage *storage)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabdRoom) room = NULL;

  storage_create_user (storage, "ada");
  room = confabd_storage_create_room (storage, "r1", "Lab", "ada", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (room->id, ==, "r1");
  g_assert_cmpint (room->last_seq, ==, 0);
}

gint64
storage_append (ConfabdStorage        *storage,
                const char            *room,
                const char            *name,
                const char            *data_json,
                ConfabdMessageChange   change,
                const ConfabdMessage  *message,
                GError               **error)
{
  ConfabdEvent event = { 0 };
  gint64 seq;

  event.room = (char *)room;
  event.event = (char *)name;
  event.author = (char *)"ada";
  event.time = 1767225600000;
  event.data = json_from_string (data_json != NULL ? data_json : "{}", NULL);
  seq = confabd_storage_append_event (storage, &event, change, message, error);
  if (seq > 0)
    g_assert_cmpint (event.seq, ==, seq);
  json_node_unref (event.data);
  return seq;
}

void
storage_create_chat (ConfabdStorage *storage,
                     const char     *chat)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = g_strdup_printf ("{\"chat\":\"%s\",\"title\":\"T\"}", chat);

  g_assert_cmpint (storage_append (storage, "r1", "chat.created", data,
                                   CONFABD_MESSAGE_CHANGE_NONE, NULL, &error), >, 0);
  g_assert_no_error (error);
}

gint64
storage_post (ConfabdStorage *storage,
              const char     *id,
              const char     *chat,
              const char     *thread,
              gint64          created,
              const char     *status)
{
  g_autoptr(GError) error = NULL;
  ConfabdMessage message = {
    .id = (char *)id, .chat = (char *)chat, .thread = (char *)thread, .author = (char *)"ada",
    .role = (char *)"user", .text = (char *)id, .status = (char *)status, .created = created,
  };
  gint64 seq = storage_append (storage, "r1", "message.created", NULL,
                               CONFABD_MESSAGE_CHANGE_INSERT, &message, &error);

  g_assert_no_error (error);
  return seq;
}

gint64
storage_last_seq (ConfabdStorage *storage)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabdRoom) room = confabd_storage_lookup_room (storage, "r1", &error);

  g_assert_no_error (error);
  return room->last_seq;
}
