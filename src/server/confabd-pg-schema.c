/* confabd-pg-schema.c: opening the PostgreSQL database: the conninfo and the
 * versioned migrations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include "confabd-pg-storage-private.h"

/* pg_advisory_xact_lock key of the migrations: "CFBD". */
#define MIGRATION_LOCK "1128677956"

/* ---- Migrations */

/* Version N is reached by applying migrations[N - 1], each in a transaction
 * of its own recorded in schema_migrations. Never edit a shipped step:
 * append one and bump CONFABD_PG_SCHEMA_VERSION. Same tables and units as
 * the SQLite backend (users… members in Unix seconds, events and messages in
 * Unix milliseconds); "pos" columns keep the insertion order SQLite's rowid
 * gives. Events and messages are partitioned by room. */
static const char *const migrations[] = {
  /* 1: the initial schema. */
  "CREATE TABLE users ("
  "  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
  "  name          text NOT NULL UNIQUE,"
  "  password_hash text NOT NULL,"
  "  created       bigint NOT NULL"
  ");"
  /* Only the SHA-256 of a token: a stolen dump gives no usable session. */
  "CREATE TABLE sessions ("
  "  token_hash text PRIMARY KEY,"
  "  \"user\"     text NOT NULL REFERENCES users (name) ON DELETE CASCADE,"
  "  expires    bigint NOT NULL,"
  "  revoked    boolean NOT NULL DEFAULT false,"
  "  created    bigint NOT NULL"
  ");"
  "CREATE INDEX sessions_by_user ON sessions (\"user\");"
  "CREATE TABLE rooms ("
  "  id       text PRIMARY KEY,"
  "  name     text NOT NULL,"
  "  owner    text NOT NULL REFERENCES users (name),"
  "  last_seq bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),"
  "  created  bigint NOT NULL,"
  "  pos      bigint GENERATED ALWAYS AS IDENTITY"
  ");"
  "CREATE TABLE members ("
  "  room   text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  \"user\" text NOT NULL REFERENCES users (name) ON DELETE CASCADE,"
  "  role   text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),"
  "  joined bigint NOT NULL,"
  "  pos    bigint GENERATED ALWAYS AS IDENTITY,"
  "  PRIMARY KEY (room, \"user\")"
  ");"
  "CREATE INDEX members_by_user ON members (\"user\");"
  "CREATE UNIQUE INDEX members_one_owner ON members (room) WHERE role = 'owner';"
  "CREATE TABLE invites ("
  "  token_hash text PRIMARY KEY,"
  "  token_id   text NOT NULL,"
  "  room       text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  role       text NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),"
  "  uses_left  bigint NOT NULL CHECK (uses_left >= -1),"
  "  expires    bigint NOT NULL,"
  "  created_by text NOT NULL,"
  "  revoked    boolean NOT NULL DEFAULT false,"
  "  created    bigint NOT NULL,"
  "  pos        bigint GENERATED ALWAYS AS IDENTITY,"
  "  UNIQUE (room, token_id)"
  ");"
  /* The durable log: seq is 1, 2, 3… per room, given by
   * UPDATE rooms SET last_seq = last_seq + 1 … RETURNING in the transaction
   * that inserts the event, so the room's row lock orders every writer. The
   * primary key serves "since N". */
  "CREATE TABLE events ("
  "  room   text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  seq    bigint NOT NULL CHECK (seq > 0),"
  "  event  text NOT NULL,"
  "  author text,"
  "  time   bigint NOT NULL,"
  "  data   text NOT NULL,"
  "  PRIMARY KEY (room, seq)"
  ") PARTITION BY HASH (room);"
  "CREATE TABLE events_0 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 0);"
  "CREATE TABLE events_1 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 1);"
  "CREATE TABLE events_2 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 2);"
  "CREATE TABLE events_3 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 3);"
  "CREATE TABLE events_4 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 4);"
  "CREATE TABLE events_5 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 5);"
  "CREATE TABLE events_6 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 6);"
  "CREATE TABLE events_7 PARTITION OF events FOR VALUES WITH (MODULUS 8, REMAINDER 7);"
  "CREATE TABLE chats ("
  "  room       text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  id         text NOT NULL,"
  "  title      text NOT NULL DEFAULT '',"
  "  created_by text,"
  "  created    bigint NOT NULL,"
  "  PRIMARY KEY (room, id)"
  ");"
  /* Each message's current state; pos is the seq of the event that
   * created it, so pages break ties of created in insertion order. */
  "CREATE TABLE messages ("
  "  id      text NOT NULL,"
  "  room    text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  chat    text NOT NULL,"
  "  thread  text,"
  "  author  text,"
  "  role    text NOT NULL CHECK (role IN ('user', 'assistant')),"
  "  model   text,"
  "  text    text NOT NULL DEFAULT '',"
  "  status  text NOT NULL CHECK (status IN ('complete', 'streaming', 'interrupted',"
  "                                          'error', 'cancelled', 'deleted')),"
  "  created bigint NOT NULL,"
  "  edited  bigint NOT NULL DEFAULT 0,"
  "  seq     bigint NOT NULL,"
  "  pos     bigint NOT NULL,"
  "  PRIMARY KEY (room, id),"
  "  FOREIGN KEY (room, chat) REFERENCES chats (room, id) ON DELETE CASCADE,"
  "  FOREIGN KEY (room, thread) REFERENCES messages (room, id) ON DELETE CASCADE"
  ") PARTITION BY HASH (room);"
  "CREATE TABLE messages_0 PARTITION OF messages FOR VALUES WITH (MODULUS 8, REMAINDER 0);"
  "CREATE TABLE messages_1 PARTITION OF messages FOR VALUES WITH (MODULUS 8, REMAINDER 1);"
  "CREATE TABLE messages_2 PARTITION OF messages FOR VALUES WITH (MODULUS 8, REMAINDER 2);"
  "CREATE TABLE messages_3 PARTITION OF messages FOR VALUES WITH (MODULUS 8, REMAINDER 3);"
  "CREATE TABLE messages_4 PARTITION OF messages FOR VALUES WITH (MODULUS 8, REMAINDER 4);"
  "CREATE TABLE messages_5 PARTITION OF messages FOR VALUES WITH (MODULUS 8, REMAINDER 5);"
  "CREATE TABLE messages_6 PARTITION OF messages FOR VALUES WITH (MODULUS 8, REMAINDER 6);"
  "CREATE TABLE messages_7 PARTITION OF messages FOR VALUES WITH (MODULUS 8, REMAINDER 7);"
  /* History pages read this index in (created, pos) order. */
  "CREATE INDEX messages_by_line ON messages (room, chat, thread, created, pos);"
  /* The ON DELETE CASCADE lookup of a thread's replies. */
  "CREATE INDEX messages_by_thread ON messages (room, thread) WHERE thread IS NOT NULL;"
  /* Replies left streaming by a crash, found at start without a scan. */
  "CREATE INDEX messages_streaming ON messages (created) WHERE status = 'streaming';",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CONFABD_PG_SCHEMA_VERSION);

/* Takes the schema one step forward, or finds it current: in a transaction
 * holding the migrations' advisory lock, so two confabd starting on one new
 * database at once apply each step once. */
static gboolean
migrate_step (ConfabdPgStorage  *self,
              ConfabdPgConn     *pc,
              gboolean          *done,
              GError           **error)
{
  static const char lock_sql[] = "SELECT pg_advisory_xact_lock (" MIGRATION_LOCK ")";
  static const char table_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  version integer PRIMARY KEY,"
    "  applied timestamptz NOT NULL DEFAULT now ()"
    ")";
  static const char version_sql[] = "SELECT coalesce (max (version), 0) FROM schema_migrations";
  /* A database holding tables of these names but no confabd schema is
   * someone else's: never written to. */
  static const char foreign_sql[] =
    "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema ()"
    " AND tablename IN ('users', 'sessions', 'rooms', 'members', 'invites', 'events',"
    "                   'chats', 'messages')";
  static const char record_sql[] = "INSERT INTO schema_migrations (version) VALUES ($1)";
  g_autoptr(PGresult) result = NULL;
  g_autofree char *what = NULL;
  char buf[24];
  const char *params[1];
  gint64 version;

  if (!_confabd_pg_begin (self, pc, error))
    return FALSE;

  if ((result = _confabd_pg_exec (self, pc, lock_sql, 0, NULL,
                                  "Could not lock the schema", error)) == NULL)
    goto fail;
  g_clear_pointer (&result, PQclear);
  if ((result = _confabd_pg_exec (self, pc, table_sql, 0, NULL,
                                  "Could not create the schema table", error)) == NULL)
    goto fail;
  g_clear_pointer (&result, PQclear);
  if ((result = _confabd_pg_exec_row (self, pc, version_sql, 0, NULL,
                                      "No schema version", error)) == NULL)
    goto fail;
  version = _confabd_pg_get_int (result, 0, 0);
  g_clear_pointer (&result, PQclear);

  if (version > CONFABD_PG_SCHEMA_VERSION)
    {
      g_set_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CORRUPT,
                   "The database at %s has a newer schema (version %d, this confabd "
                   "knows %d); it was left unchanged",
                   self->where, (int)version, CONFABD_PG_SCHEMA_VERSION);
      goto fail;
    }

  if (version == CONFABD_PG_SCHEMA_VERSION)
    {
      *done = TRUE;
      return _confabd_pg_commit (self, pc, error);
    }

  if (version == 0)
    {
      if ((result = _confabd_pg_exec_row (self, pc, foreign_sql, 0, NULL,
                                          "No tables", error)) == NULL)
        goto fail;
      if (_confabd_pg_get_int (result, 0, 0) != 0)
        {
          g_set_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CORRUPT,
                       "The database at %s is not a confabd database (it holds another "
                       "application’s tables); it was left unchanged", self->where);
          goto fail;
        }
      g_clear_pointer (&result, PQclear);
    }

  what = g_strdup_printf ("Could not upgrade the database at %s to schema version %d",
                          self->where, (int)(version + 1));
  params[0] = _confabd_pg_int (buf, version + 1);
  if (!_confabd_pg_exec_script (self, pc, migrations[version], what, error) ||
      (result = _confabd_pg_exec (self, pc, record_sql, 1, params, what, error)) == NULL)
    goto fail;

  if (!_confabd_pg_commit (self, pc, error))
    return FALSE;

  g_debug ("Migrated the database at %s to schema version %d", self->where,
           (int)(version + 1));
  return TRUE;

fail:
  _confabd_pg_rollback (self, pc);
  return FALSE;
}

/* HOST:PORT for messages (never the password the conninfo may hold), and
 * the connect timeout it asks for. */
static gboolean
parse_conninfo (ConfabdPgStorage  *self,
                GError           **error)
{
  g_autofree char *message = NULL;
  const char *host = NULL;
  const char *port = NULL;
  PQconninfoOption *options;
  char *errmsg = NULL;

  options = PQconninfoParse (self->conninfo, &errmsg);
  if (options == NULL)
    {
      message = _confabd_pg_one_line (errmsg != NULL ? errmsg : "out of memory");
      PQfreemem (errmsg);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Not a PostgreSQL connection string: %s", message);
      return FALSE;
    }

  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    {
      const char *value = option->val != NULL && *option->val != '\0' ? option->val
                                                                       : NULL;

      if (value == NULL)
        continue;
      if (g_str_equal (option->keyword, "host") ||
          (g_str_equal (option->keyword, "hostaddr") && host == NULL))
        host = value;
      else if (g_str_equal (option->keyword, "port"))
        port = value;
      else if (g_str_equal (option->keyword, "connect_timeout"))
        {
          gint64 seconds = g_ascii_strtoll (value, NULL, 10);

          if (seconds > 0)
            self->connect_timeout_ms = (guint)MIN (seconds, 3600) * 1000;
        }
    }

  if (host == NULL)
    host = g_getenv ("PGHOST") != NULL ? g_getenv ("PGHOST") : "localhost";
  if (port == NULL)
    port = g_getenv ("PGPORT") != NULL ? g_getenv ("PGPORT") : "5432";
  self->where = g_strdup_printf ("%s:%s", host, port);

  PQconninfoFree (options);
  return TRUE;
}

gboolean
_confabd_pg_open_db (ConfabdPgStorage  *self,
                     GError           **error)
{
  g_autoptr(ConfabdPgConn) pc = NULL;
  gboolean done = FALSE;
  gboolean ok = TRUE;

  if (!parse_conninfo (self, error))
    return FALSE;

  if ((pc = _confabd_pg_acquire (self, error)) == NULL)
    return FALSE;

  while (ok && !done)
    ok = migrate_step (self, pc, &done, error);

  return ok;
}
