/* confab-test-utils.c: helpers shared by the tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "confab-test-utils.h"
/* White-box: the tests may look at the store's connection. */
#include "confab-store-private.h"

static char *isolated_home;

void
confab_test_init (int    *argc,
                  char ***argv)
{
  static const struct {
    const char *variable;
    const char *dir;
  } dirs[] = {
    { "HOME", "home" },
    { "XDG_DATA_HOME", "data" },
    { "XDG_CONFIG_HOME", "config" },
    { "XDG_CACHE_HOME", "cache" },
    { "XDG_STATE_HOME", "state" },
    { "XDG_RUNTIME_DIR", "runtime" },
  };

  /* Before GLib reads (and caches) any of them. */
  isolated_home = confab_test_make_tmpdir ();
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (isolated_home, dirs[i].dir, NULL);

      g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
      g_setenv (dirs[i].variable, path, TRUE);
    }

  g_test_init (argc, argv, NULL);
}

int
confab_test_run (void)
{
  int status = g_test_run ();

  confab_test_rm_rf (isolated_home);
  g_clear_pointer (&isolated_home, g_free);

  return status;
}

char *
confab_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("confab-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
confab_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          confab_test_rm_rf (child);
        }
    }

  g_remove (path);
}

ConfabStore *
confab_test_store_new (const char *path)
{
  g_autoptr(GError) error = NULL;
  ConfabStore *store = confab_store_new (path, &error);

  g_assert_no_error (error);
  g_assert_true (CONFAB_IS_STORE (store));
  return store;
}

void
confab_test_store_setup (ConfabTestStore *fixture,
                         gconstpointer    data)
{
  fixture->dir = confab_test_make_tmpdir ();
  fixture->path = g_build_filename (fixture->dir, "confab.db", NULL);
  fixture->store = confab_test_store_new (fixture->path);
}

void
confab_test_store_teardown (ConfabTestStore *fixture,
                            gconstpointer    data)
{
  if (fixture->store != NULL)
    g_assert_finalize_object (g_steal_pointer (&fixture->store));

  confab_test_rm_rf (fixture->dir);
  g_clear_pointer (&fixture->path, g_free);
  g_clear_pointer (&fixture->dir, g_free);
}

void
confab_test_store_reopen (ConfabTestStore *fixture)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->store));
  fixture->store = confab_test_store_new (fixture->path);
}

char *
confab_test_file_checksum (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, length);
}

void
confab_test_write_file (const char *path,
                        const void *data,
                        gsize       length)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, length, &error);
  g_assert_no_error (error);
}

ConfabMessage *
confab_test_add_message (ConfabStore         *store,
                         gint64               chat_id,
                         gint64               parent_id,
                         ConfabRole           role,
                         ConfabMessageStatus  status,
                         const char          *content)
{
  g_autoptr(GError) error = NULL;
  ConfabMessageDraft draft = {
    .chat_id = chat_id,
    .parent_id = parent_id,
    .role = role,
    .author = role == CONFAB_ROLE_USER ? "tester" : "test:model",
    .provider = role == CONFAB_ROLE_ASSISTANT ? "test" : NULL,
    .model = role == CONFAB_ROLE_ASSISTANT ? "model" : NULL,
    .content = content,
    .status = status,
    .input_tokens = -1,
    .output_tokens = -1,
  };
  ConfabMessage *message = confab_store_add_message (store, &draft, &error);

  g_assert_no_error (error);
  g_assert_true (CONFAB_IS_MESSAGE (message));
  return message;
}

ConfabProject *
confab_test_create_project (ConfabStore *store,
                            const char  *name)
{
  g_autoptr(GError) error = NULL;
  ConfabProject *project = confab_store_create_project (store, name, &error);

  g_assert_no_error (error);
  g_assert_true (CONFAB_IS_PROJECT (project));
  return project;
}

ConfabChat *
confab_test_create_chat (ConfabStore   *store,
                         ConfabProject *project,
                         const char    *title)
{
  g_autoptr(GError) error = NULL;
  ConfabChat *chat = confab_store_create_chat (store, project, title, &error);

  g_assert_no_error (error);
  g_assert_true (CONFAB_IS_CHAT (chat));
  return chat;
}

ConfabMessage *
confab_test_add_text (ConfabStore *store,
                      ConfabChat  *chat,
                      gint64       parent_id,
                      const char  *content)
{
  return confab_test_add_message (store, confab_chat_get_id (chat), parent_id,
                                  CONFAB_ROLE_USER, CONFAB_MESSAGE_STATUS_COMPLETE, content);
}

guint
confab_test_search_count (ConfabStore *store,
                          const char  *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = confab_store_search (store, query, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (results);
  return results->len;
}

void
confab_test_add_line (ConfabStore *store,
                      gint64       chat_id,
                      guint        first,
                      guint        n,
                      const char  *prefix)
{
  /* The columns confab_test_add_message() sets; prev_id chains the line
   * as confab_store_add_message() does. */
  static const char sql[] =
    "WITH RECURSIVE n (i) AS"
    "  (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1),"
    " base (id, prev) AS"
    "  (SELECT COALESCE ((SELECT max(id) FROM messages), 0) + 1,"
    "          (SELECT max(id) FROM messages"
    "           WHERE chat_id = ?2 AND parent_id IS NULL AND active = 1))"
    " INSERT INTO messages (id, chat_id, role, author, provider, model, content,"
    "                       status, created, prev_id, active)"
    " SELECT base.id + i, ?2,"
    "        CASE (?3 + i) % 2 WHEN 0 THEN 'user' ELSE 'assistant' END,"
    "        CASE (?3 + i) % 2 WHEN 0 THEN 'tester' ELSE 'test:model' END,"
    "        CASE (?3 + i) % 2 WHEN 0 THEN NULL ELSE 'test' END,"
    "        CASE (?3 + i) % 2 WHEN 0 THEN NULL ELSE 'model' END,"
    "        ?4 || (?3 + i), 'complete', ?5 + i,"
    "        CASE WHEN i = 0 THEN base.prev ELSE base.id + i - 1 END, 1"
    " FROM n, base ORDER BY i";
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpuint (n, >, 0);
  g_assert_cmpint (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, n);
  sqlite3_bind_int64 (stmt, 2, chat_id);
  sqlite3_bind_int64 (stmt, 3, first);
  sqlite3_bind_text (stmt, 4, prefix, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (store->db), ==, n);
  sqlite3_finalize (stmt);
}

struct sqlite3 *
confab_test_store_db (ConfabStore *store)
{
  return store->db;
}

gint64
confab_test_query_int (ConfabStore *store,
                       const char  *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

char *
confab_test_query_text (ConfabStore *store,
                        const char  *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

void
confab_test_exec (ConfabStore *store,
                  const char  *sql)
{
  char *errmsg = NULL;

  if (sqlite3_exec (store->db, sql, NULL, NULL, &errmsg) != SQLITE_OK)
    g_error ("%s: %s", sql, errmsg);
}

gboolean
confab_test_query_empty (ConfabStore *store,
                         const char  *sql)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  g_assert_true (rc == SQLITE_ROW || rc == SQLITE_DONE);

  return rc == SQLITE_DONE;
}

gboolean
confab_test_chat_exists (ConfabStore *store,
                         gint64       id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM chats WHERE id = %"
                                          G_GINT64_FORMAT, id);
  return confab_test_query_int (store, sql) == 1;
}

gboolean
confab_test_message_exists (ConfabStore *store,
                            gint64       id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM messages WHERE id = %"
                                          G_GINT64_FORMAT, id);
  return confab_test_query_int (store, sql) == 1;
}

void
confab_test_raw_exec (const char *path,
                      const char *sql)
{
  sqlite3 *db = NULL;
  char *errmsg = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &errmsg) != SQLITE_OK)
    g_error ("%s: %s", sql, errmsg);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

void
confab_test_assert_list_matches_db (ConfabStore       *store,
                                    ConfabMessageList *list)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (list));
  guint i = 0;

  if (confab_message_list_get_parent_id (list) != 0)
    sql = g_strdup_printf ("SELECT id FROM messages WHERE chat_id = %" G_GINT64_FORMAT
                           " AND parent_id = %" G_GINT64_FORMAT " ORDER BY id",
                           confab_message_list_get_chat_id (list),
                           confab_message_list_get_parent_id (list));
  else
    sql = g_strdup_printf ("SELECT id FROM messages WHERE chat_id = %" G_GINT64_FORMAT
                           " AND parent_id IS NULL ORDER BY id",
                           confab_message_list_get_chat_id (list));

  g_assert_cmpint (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(ConfabMessage) item = NULL;

      g_assert_cmpuint (i, <, n_items);
      item = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_assert_nonnull (item);
      g_assert_cmpint (confab_message_get_id (item), ==, sqlite3_column_int64 (stmt, 0));
      i++;
    }
  sqlite3_finalize (stmt);

  g_assert_cmpuint (i, ==, n_items);
}

void
confab_test_count_notify (GObject    *object,
                          GParamSpec *pspec,
                          guint      *count)
{
  (*count)++;
}

static void
on_items_changed (GListModel        *model,
                  guint              position,
                  guint              removed,
                  guint              added,
                  ConfabTestChanges *changes)
{
  ConfabTestChange change = { position, removed, added };

  g_array_append_val (changes->log, change);
}

ConfabTestChanges *
confab_test_changes_new (GListModel *model)
{
  ConfabTestChanges *changes = g_new0 (ConfabTestChanges, 1);

  changes->model = g_object_ref (model);
  changes->log = g_array_new (FALSE, FALSE, sizeof (ConfabTestChange));
  changes->handler = g_signal_connect (model, "items-changed",
                                       G_CALLBACK (on_items_changed), changes);
  return changes;
}

void
confab_test_changes_free (ConfabTestChanges *changes)
{
  g_clear_signal_handler (&changes->handler, changes->model);
  g_clear_object (&changes->model);
  g_array_unref (changes->log);
  g_free (changes);
}

char *
confab_test_changes_take (ConfabTestChanges *changes)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < changes->log->len; i++)
    {
      ConfabTestChange *change = &g_array_index (changes->log, ConfabTestChange, i);

      g_string_append_printf (str, "%s%u:-%u+%u", i > 0 ? " " : "",
                              change->position, change->removed, change->added);
    }

  g_array_set_size (changes->log, 0);
  return g_string_free (str, FALSE);
}
