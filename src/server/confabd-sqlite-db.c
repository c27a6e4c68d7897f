/* confabd-sqlite-db.c: opening confabd's SQLite file safely, the migrations,
 * and the statement helpers every part of the backend uses
 *
 * A file that is not ours, or is from a newer confabd, is never written to:
 * every check that can refuse it runs before the first statement that could
 * write (journal_mode=WAL already rewrites the header, closing a WAL
 * connection checkpoints).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "confabd-sqlite-storage-private.h"

/* ---- Statements and errors, for every part of the backend */

void
_confabd_sqlite_set_error (ConfabdSqliteStorage  *self,
                           GError               **error,
                           int                    rc,
                           const char            *what)
{
  const char *detail = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);
  GQuark domain = G_IO_ERROR;
  int code = G_IO_ERROR_FAILED;

  switch (rc)
    {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      domain = CONFABD_STORAGE_ERROR;
      code = CONFABD_STORAGE_ERROR_CONFLICT;
      break;

    /* A row naming a user, room, chat or message that does not exist. */
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      domain = CONFABD_STORAGE_ERROR;
      code = CONFABD_STORAGE_ERROR_NOT_FOUND;
      break;

    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
      code = G_IO_ERROR_INVALID_ARGUMENT;
      break;

    default:
      switch (rc & 0xff)
        {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
          code = G_IO_ERROR_BUSY;
          break;

        case SQLITE_FULL:
          code = G_IO_ERROR_NO_SPACE;
          break;

        case SQLITE_READONLY:
        case SQLITE_PERM:
          code = G_IO_ERROR_PERMISSION_DENIED;
          break;

        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
          domain = CONFABD_STORAGE_ERROR;
          code = CONFABD_STORAGE_ERROR_CORRUPT;
          break;

        default:
          break;
        }
    }

  g_set_error (error, domain, code, "%s: %s", what, detail);
}

gboolean
_confabd_sqlite_exec (ConfabdSqliteStorage  *self,
                      const char            *sql,
                      const char            *what,
                      GError               **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) == SQLITE_OK)
    return TRUE;

  _confabd_sqlite_set_error (self, error, sqlite3_extended_errcode (self->db), what);
  return FALSE;
}

void
_confabd_stmt_release (ConfabdStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

/* @sql must be a static string: statements are cached by its address. */
ConfabdStmt *
_confabd_sqlite_prepare (ConfabdSqliteStorage  *self,
                         const char            *sql,
                         GError               **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _confabd_sqlite_set_error (self, error, rc, "Could not prepare a statement");
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer)sql, stmt);
  return stmt;
}

gboolean
_confabd_sqlite_step_done (ConfabdSqliteStorage  *self,
                           ConfabdStmt           *stmt,
                           const char            *what,
                           GError               **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;

  _confabd_sqlite_set_error (self, error, rc, what);
  return FALSE;
}

/* IMMEDIATE: the write lock is taken up front, so what the transaction reads
 * (a room's last_seq, an invite's uses) cannot change before it writes, even
 * from another connection to the same file. */
gboolean
_confabd_sqlite_begin (ConfabdSqliteStorage  *self,
                       GError               **error)
{
  return _confabd_sqlite_exec (self, "BEGIN IMMEDIATE", "Could not start a transaction", error);
}

gboolean
_confabd_sqlite_commit (ConfabdSqliteStorage  *self,
                        GError               **error)
{
  if (_confabd_sqlite_exec (self, "COMMIT", "Could not save the changes", error))
    return TRUE;

  _confabd_sqlite_rollback (self);
  return FALSE;
}

void
_confabd_sqlite_rollback (ConfabdSqliteStorage *self)
{
  /* A failed COMMIT or a statement error may already have ended it. */
  if (!sqlite3_get_autocommit (self->db) &&
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
    g_warning ("“%s”: rollback failed: %s", self->path, sqlite3_errmsg (self->db));
}

void
_confabd_bind_text (ConfabdStmt *stmt,
                    int          index,
                    const char  *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

char *
_confabd_column_dup (ConfabdStmt *stmt,
                     int          column)
{
  return g_strdup ((const char *)sqlite3_column_text (stmt, column));
}

gboolean
_confabd_sqlite_step_row (ConfabdSqliteStorage  *self,
                          ConfabdStmt           *stmt,
                          const char            *missing,
                          GError               **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return TRUE;

  if (rc == SQLITE_DONE)
    g_set_error_literal (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND, missing);
  else
    _confabd_sqlite_set_error (self, error, rc, "Could not read the database");

  return FALSE;
}

gboolean
_confabd_sqlite_step_changed (ConfabdSqliteStorage  *self,
                              ConfabdStmt           *stmt,
                              const char            *missing,
                              GError               **error)
{
  if (!_confabd_sqlite_step_done (self, stmt, "Could not save the change", error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND, missing);
      return FALSE;
    }

  return TRUE;
}

/* How long a write by another connection is waited for. */
#define BUSY_TIMEOUT_MS 5000
#define BUSY_RETRY_MS 10

/* PRAGMA application_id: "CFBD", so neither another program's SQLite file nor
 * the desktop app's ("CFAB") is ever mistaken for ours and migrated. */
#define CONFABD_APPLICATION_ID 0x43464244

/* Version N is reached by applying migrations[N - 1]. Never edit a shipped
 * step: append one and bump CONFABD_SQLITE_SCHEMA_VERSION. Users, sessions,
 * rooms and members are in Unix seconds; events and messages in Unix
 * milliseconds, as on the wire. */
static const char *const migrations[] = {
  /* 1: the initial schema. */
  "CREATE TABLE users ("
  "  id            INTEGER PRIMARY KEY,"
  "  name          TEXT NOT NULL UNIQUE,"
  "  password_hash TEXT NOT NULL,"
  "  created       INTEGER NOT NULL"
  ");"
  /* Only the SHA-256 of a token: a stolen file gives no usable session. */
  "CREATE TABLE sessions ("
  "  token_hash TEXT PRIMARY KEY,"
  "  user       TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,"
  "  expires    INTEGER NOT NULL,"
  "  revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),"
  "  created    INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE INDEX sessions_by_user ON sessions (user);"
  "CREATE TABLE rooms ("
  "  id       TEXT PRIMARY KEY,"
  "  name     TEXT NOT NULL,"
  "  owner    TEXT NOT NULL REFERENCES users (name),"
  "  last_seq INTEGER NOT NULL DEFAULT 0 CHECK (last_seq >= 0),"
  "  created  INTEGER NOT NULL"
  ");"
  "CREATE TABLE members ("
  "  room   TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  user   TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,"
  "  role   TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),"
  "  joined INTEGER NOT NULL,"
  "  PRIMARY KEY (room, user)"
  ");"
  "CREATE INDEX members_by_user ON members (user);"
  "CREATE UNIQUE INDEX members_one_owner ON members (room) WHERE role = 'owner';"
  /* uses_left -1: unlimited. token_id is the public handle to list and
   * revoke; the token itself is only stored hashed. */
  "CREATE TABLE invites ("
  "  token_hash TEXT PRIMARY KEY,"
  "  token_id   TEXT NOT NULL,"
  "  room       TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  role       TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),"
  "  uses_left  INTEGER NOT NULL CHECK (uses_left >= -1),"
  "  expires    INTEGER NOT NULL,"
  "  created_by TEXT NOT NULL,"
  "  revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),"
  "  created    INTEGER NOT NULL,"
  "  UNIQUE (room, token_id)"
  ");"
  /* The durable log: seq is 1, 2, 3… per room (rooms.last_seq is the last
   * one), both written in the same transaction. */
  "CREATE TABLE events ("
  "  room   TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  seq    INTEGER NOT NULL CHECK (seq > 0),"
  "  event  TEXT NOT NULL,"
  "  author TEXT,"
  "  time   INTEGER NOT NULL,"
  "  data   TEXT NOT NULL,"
  "  PRIMARY KEY (room, seq)"
  ") WITHOUT ROWID;"
  "CREATE TABLE chats ("
  "  room       TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  id         TEXT NOT NULL,"
  "  title      TEXT NOT NULL DEFAULT '',"
  "  created_by TEXT,"
  "  created    INTEGER NOT NULL,"
  "  PRIMARY KEY (room, id)"
  ") WITHOUT ROWID;"
  /* Each message's current state; the events say how it got there. A
   * rowid table: pages are ordered by created, then insertion. */
  "CREATE TABLE messages ("
  "  id      TEXT NOT NULL,"
  "  room    TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  chat    TEXT NOT NULL,"
  "  thread  TEXT,"
  "  author  TEXT,"
  "  role    TEXT NOT NULL CHECK (role IN ('user', 'assistant')),"
  "  model   TEXT,"
  "  text    TEXT NOT NULL DEFAULT '',"
  "  status  TEXT NOT NULL CHECK (status IN ('complete', 'streaming', 'interrupted',"
  "                                          'error', 'cancelled', 'deleted')),"
  "  created INTEGER NOT NULL,"
  "  edited  INTEGER NOT NULL DEFAULT 0,"
  "  seq     INTEGER NOT NULL,"
  "  PRIMARY KEY (room, id),"
  "  FOREIGN KEY (room, chat) REFERENCES chats (room, id) ON DELETE CASCADE,"
  "  FOREIGN KEY (room, thread) REFERENCES messages (room, id) ON DELETE CASCADE"
  ");"
  /* History pages read this index in (created, rowid) order. */
  "CREATE INDEX messages_by_line ON messages (room, chat, thread, created);"
  /* The ON DELETE CASCADE lookup of a thread's replies. */
  "CREATE INDEX messages_by_thread ON messages (room, thread) WHERE thread IS NOT NULL;"
  /* Replies left streaming by a crash, found at start without a scan. */
  "CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';"
  "PRAGMA application_id = 1128677956;", /* CONFABD_APPLICATION_ID */
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CONFABD_SQLITE_SCHEMA_VERSION);

static void
set_refused_error (ConfabdSqliteStorage  *self,
                   GError               **error,
                   const char            *why)
{
  g_set_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CORRUPT,
               "“%s” is not a confabd database (%s); it was left unchanged",
               self->path, why);
}

/* Reads the first bytes before SQLite sees the file, so a text file or a
 * random blob is refused without being opened for writing. A missing file
 * is created empty and private (the WAL and shared-memory files SQLite adds
 * take its permissions): it holds password hashes. */
static gboolean
check_header (ConfabdSqliteStorage  *self,
              GError               **error)
{
  static const char magic[16] = "SQLite format 3";
  char header[16];
  gssize n_read;
  int fd;

  fd = g_open (self->path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0 && errno == ENOENT)
    fd = g_open (self->path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not open “%s”: %s", self->path, g_strerror (errsv));
      return FALSE;
    }

  do
    n_read = read (fd, header, sizeof header);
  while (n_read < 0 && errno == EINTR);
  if (n_read < 0)
    {
      int errsv = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not read “%s”: %s", self->path, g_strerror (errsv));
      return FALSE;
    }
  close (fd);

  /* An empty file is what SQLite itself treats as a new database. */
  if (n_read == 0)
    return TRUE;

  if ((gsize)n_read < sizeof header || memcmp (header, magic, sizeof magic) != 0)
    {
      set_refused_error (self, error, "not an SQLite file");
      return FALSE;
    }

  return TRUE;
}

/* Reads an integer PRAGMA or one-row query without writing anything. */
static gboolean
query_int (ConfabdSqliteStorage  *self,
           const char            *sql,
           gint64                *value,
           GError               **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *value = sqlite3_column_int64 (stmt, 0);
          rc = SQLITE_OK;
        }
    }

  if (rc != SQLITE_OK)
    _confabd_sqlite_set_error (self, error, rc, "Could not read the database");
  sqlite3_finalize (stmt);

  return rc == SQLITE_OK;
}

static gboolean
query_text (ConfabdSqliteStorage  *self,
            const char            *sql,
            char                 **value,
            GError               **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
          rc = SQLITE_OK;
        }
    }

  if (rc != SQLITE_OK)
    _confabd_sqlite_set_error (self, error, rc, "Could not read the database");
  sqlite3_finalize (stmt);

  return rc == SQLITE_OK;
}

/* The file's application id, schema version and number of schema objects,
 * read in one statement so they come from one snapshot (another confabd may
 * be creating the same file right now). */
static gboolean
read_identity (ConfabdSqliteStorage  *self,
               gint64                *application_id,
               gint64                *version,
               gint64                *n_schema,
               GError               **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT (SELECT application_id FROM pragma_application_id),"
                           " (SELECT user_version FROM pragma_user_version),"
                           " (SELECT count(*) FROM sqlite_schema)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      *application_id = sqlite3_column_int64 (stmt, 0);
      *version = sqlite3_column_int64 (stmt, 1);
      *n_schema = sqlite3_column_int64 (stmt, 2);
      rc = SQLITE_OK;
    }

  if (rc != SQLITE_OK)
    _confabd_sqlite_set_error (self, error, rc, "Could not read the database");
  sqlite3_finalize (stmt);

  return rc == SQLITE_OK;
}

/* Touches the first page of every table, so a truncated or damaged file is
 * caught here, read-only, rather than half-way through a write later. */
static gboolean
probe_tables (ConfabdSqliteStorage  *self,
              GError               **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "SELECT name FROM sqlite_schema WHERE type = 'table'",
                           -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (names, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
      rc = SQLITE_OK;
    }

  if (rc != SQLITE_DONE)
    _confabd_sqlite_set_error (self, error, rc, "Could not read the database");
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return FALSE;

  for (guint i = 0; i < names->len; i++)
    {
      char *sql = sqlite3_mprintf ("SELECT count(*) FROM (SELECT 1 FROM \"%w\" LIMIT 1)",
                                   (const char *)g_ptr_array_index (names, i));
      gint64 ignored;
      gboolean ok = query_int (self, sql, &ignored, error);

      sqlite3_free (sql);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

/* Switching a new file to WAL needs it to itself, and SQLite does not wait
 * for that with the busy handler: another confabd creating the same file at
 * the same moment would make this fail, so it is retried as long as the
 * busy timeout. */
static gboolean
set_wal (ConfabdSqliteStorage  *self,
         char                 **journal_mode,
         GError               **error)
{
  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      if (query_text (self, "PRAGMA journal_mode = WAL", journal_mode, &local_error))
        return TRUE;

      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_BUSY) ||
          attempt * BUSY_RETRY_MS >= BUSY_TIMEOUT_MS)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      g_usleep (BUSY_RETRY_MS * 1000);
    }
}

/* Says which file was refused, and that it was not touched. */
static gboolean
refuse_damaged (ConfabdSqliteStorage  *self,
                GError                *local_error,
                GError               **error)
{
  if (g_error_matches (local_error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CORRUPT))
    {
      g_set_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CORRUPT,
                   "“%s” is damaged or not a database (%s); it was left unchanged",
                   self->path, sqlite3_errmsg (self->db));
      g_error_free (local_error);
    }
  else
    g_propagate_error (error, local_error);

  return FALSE;
}

static gboolean
migrate (ConfabdSqliteStorage  *self,
         GError               **error)
{
  gint64 version = 0;

  /* Under the write lock, the version read again: another confabd that
   * opened the same new file at the same moment may have migrated it. */
  if (!_confabd_sqlite_begin (self, error))
    return FALSE;

  if (!query_int (self, "PRAGMA user_version", &version, error))
    goto fail;

  for (; version < CONFABD_SQLITE_SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = NULL;
      g_autofree char *what = NULL;

      what = g_strdup_printf ("Could not upgrade “%s” to schema version %d",
                              self->path, (int)(version + 1));
      bump = g_strdup_printf ("PRAGMA user_version = %d", (int)(version + 1));

      if (!_confabd_sqlite_exec (self, migrations[version], what, error) ||
          !_confabd_sqlite_exec (self, bump, what, error))
        goto fail;

      g_debug ("Migrated “%s” to schema version %d", self->path, (int)(version + 1));
    }

  /* All steps commit together: a crash leaves the old schema or the new. */
  return _confabd_sqlite_commit (self, error);

fail:
  _confabd_sqlite_rollback (self);
  return FALSE;
}

gboolean
_confabd_sqlite_open_db (ConfabdSqliteStorage  *self,
                         GError               **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  gint64 version = 0;
  gint64 application_id = 0;
  gint64 n_schema = 0;
  g_autofree char *journal_mode = NULL;
  g_autoptr(GError) local_error = NULL;
  int rc;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not create the folder “%s”: %s", dir, g_strerror (errsv));
      return FALSE;
    }

  if (!check_header (self, error))
    return FALSE;

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not open “%s”: %s", self->path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, TRUE);
  /* Another connection's write (a second confabd on the same file, a backup
   * tool) is waited out rather than failed. */
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  /* Closing a WAL connection checkpoints into the file: not allowed until
   * the file is known to be ours. */
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);

  if (!read_identity (self, &application_id, &version, &n_schema, &local_error))
    return refuse_damaged (self, g_steal_pointer (&local_error), error);

  if (application_id != 0 && application_id != CONFABD_APPLICATION_ID)
    {
      set_refused_error (self, error, "it belongs to another application");
      return FALSE;
    }

  if (version > CONFABD_SQLITE_SCHEMA_VERSION)
    {
      g_set_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CORRUPT,
                   "“%s” was written by a newer confabd (schema %d, this version knows %d); "
                   "it was left unchanged",
                   self->path, (int)version, CONFABD_SQLITE_SCHEMA_VERSION);
      return FALSE;
    }

  /* Some other program's SQLite file without an application id. */
  if (application_id == 0 && (version != 0 || n_schema != 0))
    {
      set_refused_error (self, error, "it holds another application’s data");
      return FALSE;
    }

  if (!probe_tables (self, &local_error))
    return refuse_damaged (self, g_steal_pointer (&local_error), error);

  sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);

  /* From here on the file is ours. WAL: readers never block the writer.
   * synchronous=FULL: a committed event survives a power cut too, since it
   * is acknowledged to clients right after the commit. */
  if (!set_wal (self, &journal_mode, error))
    return FALSE;
  if (g_strcmp0 (journal_mode, "wal") != 0)
    g_message ("“%s” uses journal mode %s, not WAL", self->path, journal_mode);
  if (!_confabd_sqlite_exec (self, "PRAGMA foreign_keys = ON", "Could not open the database",
                             error) ||
      !_confabd_sqlite_exec (self, "PRAGMA synchronous = FULL", "Could not open the database",
                             error))
    return FALSE;

  return migrate (self, error);
}
