/* confab-store-schema.c: opening the file safely, and the migrations.
 *
 * A file that is not ours, or is from a newer Confab, must never be written
 * to: it may be the user's only copy of their history. So every check that
 * can refuse the file runs before the first statement that could write
 * (journal_mode=WAL already rewrites the header).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "confab-store-private.h"

/* PRAGMA application_id: "CFAB", so another program's SQLite file is never
 * mistaken for ours and migrated. */
#define CONFAB_APPLICATION_ID 0x43464142

/* Version N is reached by applying migrations[N - 1]. Never edit a shipped
 * step: append a new one and bump CONFAB_STORE_SCHEMA_VERSION. */
static const char *const migrations[] = {
  /* 1: the initial schema. Times are Unix microseconds. */
  "CREATE TABLE projects ("
  "  id            INTEGER PRIMARY KEY,"
  "  name          TEXT NOT NULL,"
  "  system_prompt TEXT,"
  "  default_model TEXT,"
  "  created       INTEGER NOT NULL,"
  "  updated       INTEGER NOT NULL"
  ");"
  "CREATE TABLE chats ("
  "  id         INTEGER PRIMARY KEY,"
  "  project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,"
  "  title      TEXT NOT NULL DEFAULT '',"
  "  model      TEXT,"
  "  draft      TEXT,"
  "  pinned     INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),"
  "  archived   INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),"
  "  created    INTEGER NOT NULL,"
  "  updated    INTEGER NOT NULL"
  ");"
  /* Lists a project's chats and finds them when the project is deleted. */
  "CREATE INDEX chats_by_project ON chats (project_id);"
  "CREATE TABLE messages ("
  "  id            INTEGER PRIMARY KEY,"
  "  chat_id       INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,"
  /* The message whose thread this reply is in; NULL on the main line. */
  "  parent_id     INTEGER REFERENCES messages (id) ON DELETE CASCADE,"
  "  role          TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),"
  "  author        TEXT,"
  "  provider      TEXT,"
  "  model         TEXT,"
  "  content       TEXT NOT NULL DEFAULT '',"
  "  status        TEXT NOT NULL DEFAULT 'complete'"
  "                CHECK (status IN ('complete', 'streaming', 'error', 'cancelled')),"
  "  error         TEXT,"
  "  input_tokens  INTEGER," /* NULL: unknown */
  "  output_tokens INTEGER,"
  "  created       INTEGER NOT NULL"
  ");"
  /* Pages of one line of one chat are read through this index alone
   * (counting, OFFSET and id anchors never touch the table). */
  "CREATE INDEX messages_by_chat ON messages (chat_id, parent_id, id);"
  /* Without it, deleting a message would scan the whole table for replies
   * (the ON DELETE CASCADE lookup). Main-line messages stay out of it. */
  "CREATE INDEX messages_by_parent ON messages (parent_id) WHERE parent_id IS NOT NULL;"
  "CREATE TABLE threads ("
  "  parent_id   INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,"
  "  chat_id     INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,"
  "  title       TEXT,"
  "  model       TEXT,"
  "  reply_count INTEGER NOT NULL DEFAULT 0,"
  "  last_reply  INTEGER,"
  "  created     INTEGER NOT NULL"
  ");"
  "CREATE INDEX threads_by_chat ON threads (chat_id);"
  "CREATE TRIGGER messages_thread_insert AFTER INSERT ON messages"
  "  WHEN new.parent_id IS NOT NULL BEGIN"
  "  INSERT INTO threads (parent_id, chat_id, reply_count, last_reply, created)"
  "    VALUES (new.parent_id, new.chat_id, 1, new.created, new.created)"
  "    ON CONFLICT (parent_id) DO UPDATE SET"
  "      reply_count = reply_count + 1,"
  "      last_reply = MAX(COALESCE(last_reply, 0), excluded.last_reply);"
  "END;"
  "CREATE TRIGGER messages_thread_delete AFTER DELETE ON messages"
  "  WHEN old.parent_id IS NOT NULL BEGIN"
  "  UPDATE threads SET"
  "    reply_count = reply_count - 1,"
  "    last_reply = (SELECT MAX(created) FROM messages WHERE parent_id = old.parent_id)"
  "    WHERE parent_id = old.parent_id;"
  "END;"
  /* A new message is activity: it moves its chat up the list. */
  "CREATE TRIGGER messages_chat_updated AFTER INSERT ON messages BEGIN"
  "  UPDATE chats SET updated = MAX(updated, new.created) WHERE id = new.chat_id;"
  "END;"
  /* Full-text index over finished messages. Streaming messages are left out
   * so the many writes of a streaming reply never touch the index; the text
   * is indexed once, when the status leaves 'streaming'. An external-content
   * 'delete' must repeat exactly what was indexed, hence the same test on
   * the old row. */
  "CREATE VIRTUAL TABLE messages_fts USING fts5 ("
  "  content, content='messages', content_rowid='id',"
  "  tokenize='unicode61 remove_diacritics 2'"
  ");"
  "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages"
  "  WHEN new.status != 'streaming' BEGIN"
  "  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);"
  "END;"
  "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages"
  "  WHEN old.status != 'streaming' BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, content)"
  "    VALUES ('delete', old.id, old.content);"
  "END;"
  /* One trigger for both halves so the delete surely runs before the
   * insert of the same rowid. */
  "CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, status ON messages"
  "  WHEN old.status != 'streaming' OR new.status != 'streaming' BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, content)"
  "    SELECT 'delete', old.id, old.content WHERE old.status != 'streaming';"
  "  INSERT INTO messages_fts (rowid, content)"
  "    SELECT new.id, new.content WHERE new.status != 'streaming';"
  "END;"
  "PRAGMA application_id = 1128677698;", /* CONFAB_APPLICATION_ID */

  /* 2: the model catalogue, cached so the model picker and the context
   * window of each model are known without asking every provider again.
   * context_window and max_output are tokens, NULL when unknown. */
  "CREATE TABLE models ("
  "  provider       TEXT NOT NULL,"
  "  model          TEXT NOT NULL,"
  "  display_name   TEXT,"
  "  context_window INTEGER,"
  "  max_output     INTEGER,"
  "  fetched        INTEGER NOT NULL,"
  "  PRIMARY KEY (provider, model)"
  ") WITHOUT ROWID;",

  /* 3: branches. A chat's main line is a tree: prev_id is the message
   * a main-line message follows (NULL for the first, and for thread
   * replies), so the children of one message are the alternatives at
   * that point of the conversation ("2/3"). The current line is the path
   * whose messages have active = 1; ids grow along every path, so it is
   * still read in id order, through messages_by_line, with an OFFSET
   * or an id anchor as before.
   *
   * Editing a message or regenerating a reply cuts the current line at
   * it: that message and everything after it get active = 0 and one new
   * branch number (so a cut tail stays together), then the new version
   * is added after the same predecessor. Switching to an alternative
   * cuts the current line below the nearest active ancestor, then
   * activates the way up to it and the alternative's own tail (its
   * branch). Inactive messages stay stored and searchable.
   *
   * Thread replies mirror their parent's active flag, so a thread moves
   * with its message and the thread list reads the index with
   * active = the parent's. prev_id has no foreign key: deleting a
   * message re-links its children to its predecessor (in the store). */
  "ALTER TABLE messages ADD COLUMN prev_id INTEGER;"
  "ALTER TABLE messages ADD COLUMN active INTEGER NOT NULL DEFAULT 1"
  "  CHECK (active IN (0, 1));"
  "ALTER TABLE messages ADD COLUMN branch INTEGER;"
  /* Until now a main line was every main-line message in id order. */
  "UPDATE messages SET prev_id = ("
  "    SELECT max(p.id) FROM messages p"
  "    WHERE p.chat_id = messages.chat_id AND p.parent_id IS NULL"
  "      AND p.id < messages.id)"
  "  WHERE parent_id IS NULL;"
  "DROP INDEX messages_by_chat;"
  "CREATE INDEX messages_by_line ON messages (chat_id, parent_id, active, id);"
  /* The alternatives at a point, and the children to re-link on delete. */
  "CREATE INDEX messages_by_prev ON messages (chat_id, prev_id) WHERE parent_id IS NULL;"
  /* The tail of a cut, found again when it is switched back to. */
  "CREATE INDEX messages_by_branch ON messages (branch) WHERE branch IS NOT NULL;",

  /* 4: shared projects (docs/protocol.md). A project bound to a room on a
   * server has room_id, room_server and the user's room_role; room_seq is
   * the last event of the room applied to this store, written in the same
   * transaction as the event itself, so each event is applied exactly once
   * across restarts. remote_id is the server's id of a chat or message
   * ("c…", "m…"); events name them by it. Server ids are random, so one
   * index over all projects serves every lookup. */
  "ALTER TABLE projects ADD COLUMN room_id TEXT;"
  "ALTER TABLE projects ADD COLUMN room_server TEXT;"
  "ALTER TABLE projects ADD COLUMN room_seq INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE projects ADD COLUMN room_role TEXT;"
  "ALTER TABLE chats ADD COLUMN remote_id TEXT;"
  "ALTER TABLE messages ADD COLUMN remote_id TEXT;"
  /* One local project per room and server. */
  "CREATE UNIQUE INDEX projects_by_room ON projects (room_server, room_id)"
  "  WHERE room_id IS NOT NULL;"
  "CREATE INDEX chats_by_remote ON chats (remote_id) WHERE remote_id IS NOT NULL;"
  "CREATE INDEX messages_by_remote ON messages (remote_id) WHERE remote_id IS NOT NULL;",

  /* 5: several models in one chat (docs/store.md). model_aliases maps an
   * @alias typed in a prompt (stored without the "@", matched without
   * regard to case) to "PROVIDER:MODEL"; the defaults below can be edited
   * or deleted. model_prices holds what the user says a model costs, per
   * million tokens; a model without a row has no known cost. Both are
   * keyed by "PROVIDER:MODEL", apart from the models table, which a
   * catalogue refresh replaces. */
  "CREATE TABLE model_aliases ("
  "  alias   TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,"
  "  model   TEXT NOT NULL,"
  "  created INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "INSERT INTO model_aliases (alias, model, created) VALUES"
  "  ('gpt', 'openai:gpt-4o-mini', 0),"
  "  ('claude', 'anthropic:claude-sonnet-4-5', 0),"
  "  ('gemini', 'gemini:gemini-2.5-flash', 0),"
  "  ('llama', 'ollama:llama3.2', 0);"
  "CREATE TABLE model_prices ("
  "  model           TEXT NOT NULL PRIMARY KEY,"
  "  input_per_mtok  REAL NOT NULL CHECK (input_per_mtok >= 0),"
  "  output_per_mtok REAL NOT NULL CHECK (output_per_mtok >= 0),"
  "  updated         INTEGER NOT NULL"
  ") WITHOUT ROWID;",

  /* 6: a prefix index for search (docs/performance.md). Every word typed
   * is searched as a prefix; without the index, "kan*" over a million
   * messages merges the lists of every word starting so, 0.1 s and up.
   * prefix='2 3' keeps the lists of all 2- and 3-letter prefixes too, so
   * the short words people type first are one lookup. The index is made
   * again from the finished messages, as the triggers would have. */
  "DROP TABLE messages_fts;"
  "CREATE VIRTUAL TABLE messages_fts USING fts5 ("
  "  content, content='messages', content_rowid='id',"
  "  tokenize='unicode61 remove_diacritics 2', prefix='2 3'"
  ");"
  "INSERT INTO messages_fts (rowid, content)"
  "  SELECT id, content FROM messages WHERE status != 'streaming';",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CONFAB_STORE_SCHEMA_VERSION);

static void
set_untouched_error (ConfabStore  *self,
                     GError      **error,
                     const char   *why)
{
  g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_A_DATABASE,
               _("“%s” is not a Confab database (%s). It was left untouched."),
               self->path, why);
}

/* SQLite files start with this; checked before SQLite sees the file, so a
 * text file or a random blob is refused without being opened for writing. */
static gboolean
check_header (ConfabStore  *self,
              GError      **error)
{
  static const char magic[16] = "SQLite format 3";
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (self->path);
  g_autoptr(GFileInputStream) stream = NULL;
  char header[16];
  gsize n_read = 0;

  stream = g_file_read (file, NULL, &local_error);
  if (stream == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;

      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                   _("Could not open “%s”: %s"), self->path, local_error->message);
      return FALSE;
    }

  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), header, sizeof header,
                                &n_read, NULL, &local_error))
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                   _("Could not read “%s”: %s"), self->path, local_error->message);
      return FALSE;
    }

  /* An empty file is what SQLite itself treats as a new database. */
  if (n_read == 0)
    return TRUE;

  if (n_read < sizeof header || memcmp (header, magic, sizeof magic) != 0)
    {
      set_untouched_error (self, error, _("it is not an SQLite file"));
      return FALSE;
    }

  return TRUE;
}

static void
set_damaged_error (ConfabStore  *self,
                   GError      **error,
                   int           rc)
{
  int primary = rc & 0xff;

  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
    g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_A_DATABASE,
                 _("“%s” is damaged or is not an SQLite database (%s). "
                   "It was left untouched."),
                 self->path, sqlite3_errmsg (self->db));
  else
    _confab_store_set_error (self, error, rc, _("Could not open the database"));
}

/* Reads an integer PRAGMA or one-row query without writing anything. */
static gboolean
query_int (ConfabStore  *self,
           const char   *sql,
           gint64       *value,
           GError      **error)
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

  sqlite3_finalize (stmt);

  if (rc != SQLITE_OK)
    {
      set_damaged_error (self, error, rc);
      return FALSE;
    }

  return TRUE;
}

static char *
query_text (ConfabStore  *self,
            const char   *sql,
            GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_OK || value == NULL)
    {
      _confab_store_set_error (self, error, rc, _("Could not open the database"));
      g_free (value);
      return NULL;
    }

  return value;
}

/* Touch the first page of every table so a truncated or damaged file is
 * caught here, read-only, instead of half-way through a write later. */
static gboolean
probe_tables (ConfabStore  *self,
              GError      **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  gint64 ignored;
  int rc;

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT name FROM sqlite_schema "
                           "WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'",
                           -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (names, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      set_damaged_error (self, error, rc);
      return FALSE;
    }

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *sql = NULL;
      char *quoted = sqlite3_mprintf ("%w", (const char *)g_ptr_array_index (names, i));

      sql = g_strdup_printf ("SELECT count(*) FROM (SELECT 1 FROM \"%s\" LIMIT 1)", quoted);
      sqlite3_free (quoted);

      if (!query_int (self, sql, &ignored, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
migrate (ConfabStore  *self,
         gint64        from,
         GError      **error)
{
  for (gint64 version = from; version < CONFAB_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = NULL;
      g_autofree char *what = NULL;

      what = g_strdup_printf (_("Could not upgrade the database to schema version %d"),
                              (int)(version + 1));
      bump = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT, version + 1);

      /* The step and its version bump commit together, so a crash leaves
       * either the old or the new schema, never a mix. */
      if (!_confab_store_exec (self, "BEGIN IMMEDIATE", what, error))
        return FALSE;

      if (!_confab_store_exec (self, migrations[version], what, error) ||
          !_confab_store_exec (self, bump, what, error) ||
          !_confab_store_exec (self, "COMMIT", what, error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }

      g_debug ("Migrated “%s” to schema version %d", self->path, (int)(version + 1));
    }

  return TRUE;
}

gboolean
_confab_store_open_db (ConfabStore  *self,
                       GError      **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  gint64 version = 0;
  gint64 application_id = 0;
  gint64 n_schema = 0;
  g_autofree char *journal_mode = NULL;
  int rc;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (errsv));
      return FALSE;
    }

  if (!check_header (self, error))
    return FALSE;

  rc = sqlite3_open_v2 (self->path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                   _("Could not open “%s”: %s"), self->path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, TRUE);
  /* Waits out a short write by another Confab process (e.g. confabd). */
  sqlite3_busy_timeout (self->db, 5000);
  /* Closing the last connection to a WAL file checkpoints into it: not
   * allowed until we know the file is ours. */
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);

  /* Read-only checks first: none of these write to the file. */
  if (!query_int (self, "PRAGMA application_id", &application_id, error) ||
      !query_int (self, "PRAGMA user_version", &version, error) ||
      !query_int (self, "SELECT count(*) FROM sqlite_schema", &n_schema, error))
    return FALSE;

  if (application_id != 0 && application_id != CONFAB_APPLICATION_ID)
    {
      set_untouched_error (self, error, _("it belongs to another application"));
      return FALSE;
    }

  if (version > CONFAB_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NEWER_SCHEMA,
                   _("“%s” was written by a newer version of Confab "
                     "(schema %d, this version knows %d). It has not been changed."),
                   self->path, (int)version, CONFAB_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  /* Some other program's SQLite file without an application id. */
  if (application_id == 0 && (version != 0 || n_schema != 0))
    {
      set_untouched_error (self, error, _("it holds another application’s data"));
      return FALSE;
    }

  if (!probe_tables (self, error))
    return FALSE;

  sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);

  /* From here on the file is ours and may be written. WAL lets the UI read
   * while a reply streams in; NORMAL sync in WAL mode still survives an
   * application crash, only an OS crash may lose the last commits. */
  journal_mode = query_text (self, "PRAGMA journal_mode = WAL", error);
  if (journal_mode == NULL)
    return FALSE;

  /* In-memory databases answer "memory"; anything else is worth a note. */
  if (!g_str_equal (journal_mode, "wal") && !g_str_equal (journal_mode, "memory"))
    g_message ("“%s” uses journal mode %s, not WAL", self->path, journal_mode);

  if (!_confab_store_exec (self, "PRAGMA foreign_keys = ON", _("Could not open the database"),
                           error) ||
      !_confab_store_exec (self, "PRAGMA synchronous = NORMAL", _("Could not open the database"),
                           error))
    return FALSE;

  if (!migrate (self, version, error))
    return FALSE;

  self->schema_version = CONFAB_STORE_SCHEMA_VERSION;

  return TRUE;
}
