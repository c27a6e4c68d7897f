/* confab-store.c: the store object, its statements, transactions, errors
 * and the row -> object mapping shared by the other confab-store-*.c files.
 *
 * The store is used from one thread (the main loop). Everything the UI sees
 * is written to the database first and then mirrored into the live objects
 * and models, so a failed write never leaves a widget showing a lie.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>

#include "confab-store-private.h"

static void confab_store_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabStore, confab_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      confab_store_initable_iface_init))

G_DEFINE_QUARK (confab-store-error-quark, confab_store_error)

enum {
  PROP_0,
  PROP_PATH,
  PROP_SCHEMA_VERSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
confab_store_initable_init (GInitable     *initable,
                            GCancellable  *cancellable,
                            GError       **error)
{
  ConfabStore *self = CONFAB_STORE (initable);

  if (self->path == NULL)
    {
      g_set_error_literal (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                           _("No database path was given"));
      return FALSE;
    }

  if (!_confab_store_open_db (self, error))
    return FALSE;

  return _confab_store_load_projects (self, error);
}

static void
confab_store_initable_iface_init (GInitableIface *iface)
{
  iface->init = confab_store_initable_init;
}

static void
confab_store_dispose (GObject *object)
{
  ConfabStore *self = (ConfabStore *)object;

  /* Objects handed out may outlive the store; they just stop being
   * tracked. */
  g_clear_pointer (&self->main_lists, _confab_weak_cache_free);
  g_clear_pointer (&self->thread_lists, _confab_weak_cache_free);
  g_clear_pointer (&self->chat_lists, _confab_weak_cache_free);
  g_clear_pointer (&self->message_cache, _confab_weak_cache_free);
  g_clear_pointer (&self->chat_cache, _confab_weak_cache_free);
  g_clear_pointer (&self->project_cache, _confab_weak_cache_free);
  g_clear_object (&self->projects);

  G_OBJECT_CLASS (confab_store_parent_class)->dispose (object);
}

static void
confab_store_finalize (GObject *object)
{
  ConfabStore *self = (ConfabStore *)object;

  if (self->tx_depth > 0)
    g_warning ("Store “%s” closed inside a transaction; it is rolled back", self->path);

  /* Statements must be finalized before the connection can close. */
  g_clear_pointer (&self->statements, g_hash_table_unref);

  if (self->db != NULL)
    {
      int rc = sqlite3_close (self->db);

      if (rc != SQLITE_OK)
        g_warning ("Could not close “%s”: %s", self->path, sqlite3_errstr (rc));
      self->db = NULL;
    }

  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (confab_store_parent_class)->finalize (object);
}

static void
confab_store_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ConfabStore *self = CONFAB_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_SCHEMA_VERSION:
      g_value_set_int (value, self->schema_version);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_store_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  ConfabStore *self = CONFAB_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_store_class_init (ConfabStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_store_dispose;
  object_class->finalize = confab_store_finalize;
  object_class->get_property = confab_store_get_property;
  object_class->set_property = confab_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SCHEMA_VERSION] =
    g_param_spec_int ("schema-version", NULL, NULL,
                      0, G_MAXINT, 0,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
confab_store_init (ConfabStore *self)
{
  self->statements = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);
  self->projects = g_list_store_new (CONFAB_TYPE_PROJECT);
  self->project_cache = _confab_weak_cache_new ();
  self->chat_cache = _confab_weak_cache_new ();
  self->message_cache = _confab_weak_cache_new ();
  self->chat_lists = _confab_weak_cache_new ();
  self->main_lists = _confab_weak_cache_new ();
  self->thread_lists = _confab_weak_cache_new ();
}

/**
 * confab_store_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/confab/confab.db`
 */
char *
confab_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "confab", "confab.db", NULL);
}

/**
 * confab_store_new:
 * @path: the database file; its folder is created if missing
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with @error set
 */
ConfabStore *
confab_store_new (const char  *path,
                  GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (CONFAB_TYPE_STORE, NULL, error,
                         "path", path,
                         NULL);
}

const char *
confab_store_get_path (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  return self->path;
}

int
confab_store_get_schema_version (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), 0);

  return self->schema_version;
}

/* ---- Errors */

static gboolean
errno_is_out_of_room (int system_errno)
{
  /* EFBIG: a file size limit (ulimit -f, the file system's); EDQUOT: a
   * used-up quota. */
  return system_errno == ENOSPC || system_errno == EFBIG || system_errno == EDQUOT;
}

/* Why the last write failed for want of room (ENOSPC, EFBIG, EDQUOT), or
 * 0. SQLite's own errno (sqlite3_system_errno) is read after its rollback,
 * which may have changed errno; each file of the unix VFS keeps its last
 * one: the database's and the journal's (the WAL, where writes go first). */
static int
store_out_of_room (ConfabStore *self)
{
  sqlite3_file *journal = NULL;
  int system_errno;

  if (self->db == NULL)
    return 0;

  system_errno = sqlite3_system_errno (self->db);
  if (errno_is_out_of_room (system_errno))
    return system_errno;
  system_errno = 0;
  if (sqlite3_file_control (self->db, "main", SQLITE_FCNTL_LAST_ERRNO, &system_errno) == SQLITE_OK
      && errno_is_out_of_room (system_errno))
    return system_errno;
  system_errno = 0;
  if (sqlite3_file_control (self->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &journal) == SQLITE_OK
      && journal != NULL && journal->pMethods != NULL
      && journal->pMethods->xFileControl (journal, SQLITE_FCNTL_LAST_ERRNO,
                                          &system_errno) == SQLITE_OK
      && errno_is_out_of_room (system_errno))
    return system_errno;

  return 0;
}

/* The cause first, the path last: a toast shows one line, cut at the end. */
static void
set_no_space_error (ConfabStore  *self,
                    GError      **error,
                    int           system_errno,
                    const char   *what)
{
  if (system_errno == EFBIG)
    g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NO_SPACE,
                 _("%s: the file cannot grow any larger (it reached a size limit). Raise the "
                   "limit or delete old chats, then try again (“%s”)."),
                 what, self->path);
  else if (system_errno == EDQUOT)
    g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NO_SPACE,
                 _("%s: your disk quota is used up. Free some space, then try again (“%s”)."),
                 what, self->path);
  else
    g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NO_SPACE,
                 _("%s: the disk is full. Free some space, then try again (“%s”)."),
                 what, self->path);
}

void
_confab_store_set_error (ConfabStore  *self,
                         GError      **error,
                         int           rc,
                         const char   *what)
{
  const char *detail;

  if (self->db != NULL && sqlite3_extended_errcode (self->db) == rc)
    detail = sqlite3_errmsg (self->db);
  else
    detail = sqlite3_errstr (rc);

  /* A write the system refused for want of room comes as an I/O error
   * (SQLite only maps a short write or ENOSPC to SQLITE_FULL). */
  if ((rc & 0xff) == SQLITE_IOERR)
    {
      int system_errno = store_out_of_room (self);

      if (system_errno != 0)
        {
          set_no_space_error (self, error, system_errno, what);
          return;
        }
    }

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      set_no_space_error (self, error, ENOSPC, what);
      break;

    case SQLITE_READONLY:
    case SQLITE_PERM:
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NO_SPACE,
                   _("%s: “%s” cannot be written (%s)"), what, self->path, detail);
      break;

    case SQLITE_IOERR:
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                   _("%s: reading or writing “%s” failed (%s)"), what, self->path, detail);
      break;

    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_A_DATABASE,
                   _("%s: “%s” is damaged (%s)"), what, self->path, detail);
      break;

    case SQLITE_CONSTRAINT:
      /* A foreign key only fails when the row it points to is gone. */
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                     _("%s: it belongs to something that was deleted"), what);
      else
        g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                     "%s: %s", what, detail);
      break;

    default:
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                   "%s: %s", what, detail);
      break;
    }
}

/* ---- Statements */

void
_confab_stmt_release (ConfabStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

/* @sql must be a static string: statements are cached by its address. */
ConfabStmt *
_confab_store_prepare (ConfabStore  *self,
                       const char   *sql,
                       GError      **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    {
      /* A signal handler re-entering the store while we step would reset
       * the statement under our feet; the store never emits mid-step. */
      if (sqlite3_stmt_busy (stmt))
        g_critical ("Statement re-entered while running: %s", sql);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _confab_store_set_error (self, error, rc, _("Could not read the database"));
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer)sql, stmt);

  return stmt;
}

/* The read behind every lookup by id: @sql (static, its ?1 the id) stepped
 * once. Returns the statement on its row, for the caller to build the object
 * from and release; otherwise NULL, with *missing set when there is no such
 * row (the caller names what is missing) or @error set when reading failed. */
ConfabStmt *
_confab_store_step_by_id (ConfabStore  *self,
                          const char   *sql,
                          gint64        id,
                          const char   *read_failed,
                          gboolean     *missing,
                          GError      **error)
{
  g_autoptr(ConfabStmt) stmt = NULL;
  int rc;

  *missing = FALSE;

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_steal_pointer (&stmt);

  if (rc == SQLITE_DONE)
    *missing = TRUE;
  else
    _confab_store_set_error (self, error, rc, read_failed);

  return NULL;
}

gboolean
_confab_store_step_done (ConfabStore  *self,
                         ConfabStmt   *stmt,
                         const char   *what,
                         GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;

  _confab_store_set_error (self, error, rc, what);
  return FALSE;
}

gboolean
_confab_store_exec (ConfabStore  *self,
                    const char   *sql,
                    const char   *what,
                    GError      **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc == SQLITE_OK)
    return TRUE;

  _confab_store_set_error (self, error, sqlite3_extended_errcode (self->db), what);
  return FALSE;
}

void
_confab_bind_text (ConfabStmt *stmt,
                   int         index,
                   const char *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

void
_confab_bind_count (ConfabStmt *stmt,
                    int         index,
                    gint64      value)
{
  if (value < 0)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_int64 (stmt, index, value);
}

const char *
_confab_column_text (ConfabStmt *stmt,
                     int         column)
{
  return (const char *)sqlite3_column_text (stmt, column);
}

/* ---- Transactions */

#define SQL_BEGIN "BEGIN IMMEDIATE"
#define SQL_COMMIT "COMMIT"
#define SQL_ROLLBACK "ROLLBACK"
#define SQL_SAVEPOINT "SAVEPOINT confab_nested"
#define SQL_RELEASE "RELEASE confab_nested"
#define SQL_ROLLBACK_TO "ROLLBACK TO confab_nested"

/**
 * confab_store_begin:
 *
 * Starts a transaction, or a savepoint inside the current one. The outermost
 * level takes the write lock at once (IMMEDIATE) so a second process cannot
 * make it fail half-way with SQLITE_BUSY.
 *
 * Rolling back restores the database, not the objects and models that were
 * changed meanwhile: use rollback for errors, not as an undo.
 */
gboolean
confab_store_begin (ConfabStore  *self,
                    GError      **error)
{
  g_autoptr(ConfabStmt) stmt = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _confab_store_prepare (self, self->tx_depth == 0 ? SQL_BEGIN : SQL_SAVEPOINT, error);
  if (stmt == NULL ||
      !_confab_store_step_done (self, stmt, _("Could not start a transaction"), error))
    return FALSE;

  self->tx_depth++;
  return TRUE;
}

gboolean
confab_store_commit (ConfabStore  *self,
                     GError      **error)
{
  g_autoptr(ConfabStmt) stmt = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (self->tx_depth > 0, FALSE);

  stmt = _confab_store_prepare (self, self->tx_depth == 1 ? SQL_COMMIT : SQL_RELEASE, error);
  if (stmt == NULL ||
      !_confab_store_step_done (self, stmt, _("Could not save the changes"), error))
    {
      /* SQLite rolls back by itself on some errors (e.g. a full disk); then
       * there is nothing left for the caller to roll back. */
      if (sqlite3_get_autocommit (self->db))
        self->tx_depth = 0;
      return FALSE;
    }

  self->tx_depth--;
  return TRUE;
}

void
confab_store_rollback (ConfabStore *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (self->tx_depth > 0);

  if (sqlite3_get_autocommit (self->db))
    {
      /* Already rolled back by SQLite after an error. */
      self->tx_depth = 0;
      return;
    }

  if (self->tx_depth == 1)
    {
      g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, SQL_ROLLBACK, &error);

      if (stmt != NULL)
        _confab_store_step_done (self, stmt, "Rollback", &error);
    }
  else
    {
      g_autoptr(ConfabStmt) undo = _confab_store_prepare (self, SQL_ROLLBACK_TO, &error);

      if (undo != NULL && _confab_store_step_done (self, undo, "Rollback", &error))
        {
          g_autoptr(ConfabStmt) release = _confab_store_prepare (self, SQL_RELEASE, &error);

          if (release != NULL)
            _confab_store_step_done (self, release, "Rollback", &error);
        }
    }

  if (error != NULL)
    g_message ("Rollback of “%s” failed: %s", self->path, error->message);

  self->tx_depth--;
}

/* ---- Rows -> objects: one object per row while it is alive. */

ConfabMessage *
_confab_store_message_from_stmt (ConfabStore *self,
                                 ConfabStmt  *stmt)
{
  gint64 id = sqlite3_column_int64 (stmt, 0);
  ConfabMessage *message = _confab_weak_cache_lookup (self->message_cache, id);
  ConfabMessageData data = { 0 };

  if (message != NULL)
    return g_object_ref (message);

  data.id = id;
  data.chat_id = sqlite3_column_int64 (stmt, 1);
  data.parent_id = sqlite3_column_int64 (stmt, 2); /* NULL reads as 0 */
  if (!confab_role_from_string (_confab_column_text (stmt, 3), &data.role))
    data.role = CONFAB_ROLE_USER;
  data.author = _confab_column_text (stmt, 4);
  data.provider = _confab_column_text (stmt, 5);
  data.model = _confab_column_text (stmt, 6);
  data.content = _confab_column_text (stmt, 7);
  if (!confab_message_status_from_string (_confab_column_text (stmt, 8), &data.status))
    data.status = CONFAB_MESSAGE_STATUS_COMPLETE;
  data.error = _confab_column_text (stmt, 9);
  data.input_tokens = sqlite3_column_type (stmt, 10) == SQLITE_NULL
                      ? -1 : sqlite3_column_int64 (stmt, 10);
  data.output_tokens = sqlite3_column_type (stmt, 11) == SQLITE_NULL
                       ? -1 : sqlite3_column_int64 (stmt, 11);
  data.created = sqlite3_column_int64 (stmt, 12);
  data.reply_count = (guint)sqlite3_column_int64 (stmt, 13);
  data.last_reply = sqlite3_column_int64 (stmt, 14);
  data.prev_id = sqlite3_column_int64 (stmt, 15);
  data.active = sqlite3_column_int (stmt, 16) != 0;
  data.branch = sqlite3_column_int64 (stmt, 17);
  data.n_alternatives = (guint)sqlite3_column_int64 (stmt, 18);
  data.alternative_index = (guint)sqlite3_column_int64 (stmt, 19);
  data.remote_id = _confab_column_text (stmt, 20);

  message = _confab_message_new (&data);
  _confab_weak_cache_insert (self->message_cache, id, message);

  return message;
}

ConfabChat *
_confab_store_chat_from_stmt (ConfabStore *self,
                              ConfabStmt  *stmt)
{
  gint64 id = sqlite3_column_int64 (stmt, 0);
  ConfabChat *chat = _confab_weak_cache_lookup (self->chat_cache, id);

  if (chat != NULL)
    return g_object_ref (chat);

  chat = _confab_chat_new (id,
                           sqlite3_column_int64 (stmt, 1),
                           _confab_column_text (stmt, 2),
                           _confab_column_text (stmt, 3),
                           _confab_column_text (stmt, 4),
                           sqlite3_column_int (stmt, 5) != 0,
                           sqlite3_column_int (stmt, 6) != 0,
                           sqlite3_column_int64 (stmt, 7),
                           sqlite3_column_int64 (stmt, 8));
  _confab_chat_set_remote_id (chat, _confab_column_text (stmt, 9));
  _confab_weak_cache_insert (self->chat_cache, id, chat);

  return chat;
}

ConfabProject *
_confab_store_project_from_stmt (ConfabStore *self,
                                 ConfabStmt  *stmt)
{
  gint64 id = sqlite3_column_int64 (stmt, 0);
  ConfabProject *project = _confab_weak_cache_lookup (self->project_cache, id);

  if (project != NULL)
    return g_object_ref (project);

  project = _confab_project_new (id,
                                 _confab_column_text (stmt, 1),
                                 _confab_column_text (stmt, 2),
                                 _confab_column_text (stmt, 3),
                                 sqlite3_column_int64 (stmt, 4));
  _confab_project_set_room (project,
                            _confab_column_text (stmt, 5),
                            _confab_column_text (stmt, 6),
                            _confab_column_text (stmt, 7),
                            sqlite3_column_int64 (stmt, 8));
  _confab_weak_cache_insert (self->project_cache, id, project);

  return project;
}
