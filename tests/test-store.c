/* test-store.c: opening the store: migrations, files that are not ours,
 * transactions and durability.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <signal.h>
#include <sys/resource.h>

#include <signal.h>
#include <string.h>

#include <sqlite3.h>

#include "confab-test-utils.h"

typedef ConfabTestStore Fixture;

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, confab_test_store_setup, func, confab_test_store_teardown)

static void
test_migrate_empty (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char *const tables[] = { "projects", "chats", "messages", "threads",
                                        "messages_fts", "model_aliases", "model_prices" };
  ConfabStore *store = fixture->store;
  g_autofree char *journal_mode = NULL;

  g_assert_cmpint (confab_store_get_schema_version (store), ==, CONFAB_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (confab_store_get_path (store), ==, fixture->path);
  g_assert_cmpint (confab_test_query_int (store, "PRAGMA user_version"), ==,
                   CONFAB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (confab_test_query_int (store, "PRAGMA application_id"), ==, 0x43464142);
  g_assert_cmpint (confab_test_query_int (store, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (confab_test_query_int (store, "PRAGMA synchronous"), ==, 1); /* NORMAL */
  journal_mode = confab_test_query_text (store, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_schema "
                                              "WHERE type = 'table' AND name = '%s'",
                                              tables[i]);
      g_assert_cmpint (confab_test_query_int (store, sql), ==, 1);
    }

  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM sqlite_schema "
                                                "WHERE type = 'trigger'"), ==, 6);
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_projects (store)), ==, 0);
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_REGULAR));
}

static void
test_reopen (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(ConfabProject) project = confab_test_create_project (fixture->store, "Kept");
  gint64 id = confab_project_get_id (project);
  ConfabProject *reloaded;

  g_clear_object (&project);
  confab_test_store_reopen (fixture);

  g_assert_cmpint (confab_store_get_schema_version (fixture->store), ==,
                   CONFAB_STORE_SCHEMA_VERSION);
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_projects (fixture->store)),
                    ==, 1);
  reloaded = g_list_model_get_item (confab_store_get_projects (fixture->store), 0);
  g_assert_cmpint (confab_project_get_id (reloaded), ==, id);
  g_assert_cmpstr (confab_project_get_name (reloaded), ==, "Kept");
  g_object_unref (reloaded);
}

static void
test_default_path (void)
{
  g_autofree char *path = confab_store_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "confab",
                                                "confab.db", NULL);
  g_autoptr(ConfabStore) store = NULL;

  g_assert_cmpstr (path, ==, expected);

  /* The folder is created on open (XDG dirs are private to the tests). */
  store = confab_test_store_new (path);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* An existing database gains shared projects: nothing is shared yet. */
static void
test_migrate_v3 (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ConfabProject) project = confab_test_create_project (fixture->store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (fixture->store, project, "c");
  g_autoptr(ConfabMessage) message = confab_test_add_text (fixture->store, chat, 0, "hello");
  g_autoptr(GError) error = NULL;
  gint64 project_id = confab_project_get_id (project);
  gint64 message_id = confab_message_get_id (message);
  ConfabStore *store;

  g_clear_object (&message);
  g_clear_object (&chat);
  g_clear_object (&project);

  /* Back to what schema 3 had. */
  confab_test_exec (fixture->store,
                    "DROP TABLE model_aliases;"
                    "DROP TABLE model_prices;"
                    "DROP INDEX projects_by_room;"
                    "DROP INDEX chats_by_remote;"
                    "DROP INDEX messages_by_remote;"
                    "ALTER TABLE projects DROP COLUMN room_id;"
                    "ALTER TABLE projects DROP COLUMN room_server;"
                    "ALTER TABLE projects DROP COLUMN room_seq;"
                    "ALTER TABLE projects DROP COLUMN room_role;"
                    "ALTER TABLE chats DROP COLUMN remote_id;"
                    "ALTER TABLE messages DROP COLUMN remote_id;"
                    "PRAGMA user_version = 3;");
  confab_test_store_reopen (fixture);
  store = fixture->store;

  g_assert_cmpint (confab_store_get_schema_version (store), ==, CONFAB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (confab_test_query_int (store, "PRAGMA user_version"), ==,
                   CONFAB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM sqlite_schema"
                                                 " WHERE type = 'index' AND name IN"
                                                 " ('projects_by_room', 'chats_by_remote',"
                                                 "  'messages_by_remote')"), ==, 3);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM projects"
                                                 " WHERE room_seq = 0 AND room_id IS NULL"
                                                 " AND room_server IS NULL"
                                                 " AND room_role IS NULL"), ==, 1);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"
                                                 " WHERE remote_id IS NOT NULL"), ==, 0);

  project = confab_store_lookup_project (store, project_id, &error);
  g_assert_no_error (error);
  g_assert_false (confab_project_get_shared (project));
  g_assert_null (confab_project_get_room_id (project));
  g_assert_cmpint (confab_project_get_room_seq (project), ==, 0);
  message = confab_store_lookup_message (store, message_id, &error);
  g_assert_no_error (error);
  g_assert_null (confab_message_get_remote_id (message));
  g_assert_cmpstr (confab_message_get_content (message), ==, "hello");

  /* And it can be shared now. */
  g_assert_true (confab_store_bind_project_room (store, project, "http://s", "r1", "owner", 0,
                                                 &error));
  g_assert_no_error (error);
  g_assert_true (confab_store_set_message_remote_id (store, message, "m1", &error));
  g_assert_no_error (error);
  g_clear_object (&message);
  message = confab_store_lookup_message_by_remote_id (store, project, "m1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (confab_message_get_id (message), ==, message_id);
}

/* An existing database gains the aliases of mentions (with the defaults)
 * and an empty price list; its messages keep their usage. */
static void
test_migrate_v4 (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ConfabProject) project = confab_test_create_project (fixture->store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (fixture->store, project, "c");
  g_autoptr(GPtrArray) aliases = NULL;
  g_autoptr(GPtrArray) usage = NULL;
  g_autoptr(GError) error = NULL;
  gint64 chat_id = confab_chat_get_id (chat);
  ConfabMessageDraft draft = { 0 };
  ConfabModelUsage *row;
  ConfabStore *store;

  draft.chat_id = chat_id;
  draft.role = CONFAB_ROLE_ASSISTANT;
  draft.author = "openai:gpt-4o-mini";
  draft.provider = "openai";
  draft.model = "gpt-4o-mini";
  draft.content = "an old reply";
  draft.status = CONFAB_MESSAGE_STATUS_COMPLETE;
  draft.input_tokens = 1200;
  draft.output_tokens = 300;
  g_object_unref (confab_store_add_message (fixture->store, &draft, &error));
  g_assert_no_error (error);
  g_clear_object (&chat);
  g_clear_object (&project);

  /* Back to what schema 4 had. */
  confab_test_exec (fixture->store,
                    "DROP TABLE model_aliases;"
                    "DROP TABLE model_prices;"
                    "PRAGMA user_version = 4;");
  confab_test_store_reopen (fixture);
  store = fixture->store;

  g_assert_cmpint (confab_store_get_schema_version (store), ==, CONFAB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (confab_test_query_int (store, "PRAGMA user_version"), ==,
                   CONFAB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM model_prices"), ==, 0);

  aliases = confab_store_list_aliases (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (aliases->len, ==, 4);
  {
    static const char * const expected[][2] = {
      { "claude", "anthropic:claude-sonnet-4-5" },
      { "gemini", "gemini:gemini-2.5-flash" },
      { "gpt", "openai:gpt-4o-mini" },
      { "llama", "ollama:llama3.2" },
    };

    for (guint i = 0; i < aliases->len; i++)
      {
        ConfabModelAlias *alias = g_ptr_array_index (aliases, i);

        g_assert_cmpstr (alias->alias, ==, expected[i][0]);
        g_assert_cmpstr (alias->model, ==, expected[i][1]);
      }
  }

  /* The old reply's usage is counted; with a price, it has a cost. */
  g_assert_true (confab_store_set_model_price (store, "openai:gpt-4o-mini", 0.15, 0.6, &error));
  g_assert_no_error (error);
  usage = confab_store_get_chat_usage (store, chat_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (usage->len, ==, 1);
  row = g_ptr_array_index (usage, 0);
  g_assert_cmpstr (row->model, ==, "openai:gpt-4o-mini");
  g_assert_cmpint (row->input_tokens, ==, 1200);
  g_assert_cmpint (row->output_tokens, ==, 300);
  g_assert_cmpfloat_with_epsilon (row->cost, (1200 * 0.15 + 300 * 0.6) / 1e6, 1e-12);
}

static guint
count_hits (ConfabStore *store,
            const char  *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = confab_store_search_hits (store, query, 0, 0, &error);

  g_assert_no_error (error);
  return hits->len;
}

/* The search index is made again with its prefix index: the finished
 * messages are found (by their short prefixes too), a streaming one is
 * not, and the triggers keep it up to date afterwards. */
static void
test_migrate_v5 (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ConfabProject) project = confab_test_create_project (fixture->store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (fixture->store, project, "c");
  g_autoptr(ConfabMessage) streaming = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessageDraft draft = { 0 };
  ConfabStore *store;

  draft.chat_id = confab_chat_get_id (chat);
  draft.role = CONFAB_ROLE_USER;
  draft.author = "me";
  draft.content = "kangaroos jump far";
  draft.status = CONFAB_MESSAGE_STATUS_COMPLETE;
  draft.input_tokens = draft.output_tokens = -1;
  g_object_unref (confab_store_add_message (fixture->store, &draft, &error));
  g_assert_no_error (error);
  draft.role = CONFAB_ROLE_ASSISTANT;
  draft.author = "openai:gpt-4o-mini";
  draft.content = "kangaroo facts still streaming";
  draft.status = CONFAB_MESSAGE_STATUS_STREAMING;
  streaming = confab_store_add_message (fixture->store, &draft, &error);
  g_assert_no_error (error);
  g_clear_object (&chat);
  g_clear_object (&project);

  /* Back to schema 5's index, without the prefix lists. */
  confab_test_exec (fixture->store,
                    "DROP TABLE messages_fts;"
                    "CREATE VIRTUAL TABLE messages_fts USING fts5 ("
                    "  content, content='messages', content_rowid='id',"
                    "  tokenize='unicode61 remove_diacritics 2');"
                    "INSERT INTO messages_fts (rowid, content)"
                    "  SELECT id, content FROM messages WHERE status != 'streaming';"
                    "PRAGMA user_version = 5;");
  g_clear_object (&streaming);
  confab_test_store_reopen (fixture);
  store = fixture->store;

  g_assert_cmpint (confab_store_get_schema_version (store), ==, CONFAB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM sqlite_master "
                                                 "WHERE name = 'messages_fts' "
                                                 "AND sql LIKE '%prefix=''2 3''%'"), ==, 1);
  g_assert_cmpuint (count_hits (store, "ka"), ==, 1);
  g_assert_cmpuint (count_hits (store, "kangaroos"), ==, 1);
  g_assert_cmpuint (count_hits (store, "streaming"), ==, 0);

  /* The triggers still feed it: the streaming reply is indexed once done. */
  streaming = confab_store_lookup_message (store, 2, &error);
  g_assert_no_error (error);
  g_assert_true (confab_store_finish_message (store, streaming, CONFAB_MESSAGE_STATUS_COMPLETE,
                                              NULL, -1, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_hits (store, "ka"), ==, 2);
  g_assert_cmpuint (count_hits (store, "streaming"), ==, 1);
}

/* ---- Projects */

static void
test_empty_file (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
  ConfabStore *store;

  /* An empty file is a new database to SQLite too. */
  confab_test_write_file (path, "", 0);
  store = confab_test_store_new (path);
  g_assert_cmpint (confab_store_get_schema_version (store), ==, CONFAB_STORE_SCHEMA_VERSION);
  g_assert_finalize_object (store);

  confab_test_rm_rf (dir);
}

/* ---- Durability: a writer killed mid-stream loses nothing it reported. */

static void
test_transactions (Fixture       *fixture,
                   gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(GError) error = NULL;
  gint64 kept_id, undone_id, outer_id;

  g_assert_true (confab_store_begin (store, &error));
  {
    g_autoptr(ConfabMessage) m = confab_test_add_text (store, chat, 0, "kept");
    kept_id = confab_message_get_id (m);
  }
  g_assert_true (confab_store_begin (store, &error));
  {
    g_autoptr(ConfabMessage) m = confab_test_add_text (store, chat, 0, "undone");
    undone_id = confab_message_get_id (m);
  }
  confab_store_rollback (store);
  g_assert_true (confab_store_commit (store, &error));
  g_assert_no_error (error);

  g_assert_true (confab_test_message_exists (store, kept_id));
  g_assert_false (confab_test_message_exists (store, undone_id));

  /* An outer rollback undoes committed inner levels too. */
  g_assert_true (confab_store_begin (store, &error));
  g_assert_true (confab_store_begin (store, &error));
  {
    g_autoptr(ConfabMessage) m = confab_test_add_text (store, chat, 0, "inner");
    outer_id = confab_message_get_id (m);
  }
  g_assert_true (confab_store_commit (store, &error));
  confab_store_rollback (store);
  g_assert_false (confab_test_message_exists (store, outer_id));
  g_assert_true (sqlite3_get_autocommit (confab_test_store_db (store)));
}

/* ---- Live message lists */

/* PRAGMA max_page_count makes SQLite answer SQLITE_FULL as a full disk
 * would. */
static void
test_disk_full (Fixture       *fixture,
                gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(ConfabMessageList) list = confab_store_list_messages (store,
                                                                  confab_chat_get_id (chat), 0);
  g_autofree char *big = g_strnfill (32 * 1024, 'x');
  g_autofree char *limit = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessageDraft draft = {
    .chat_id = confab_chat_get_id (chat),
    .role = CONFAB_ROLE_USER,
    .content = big,
    .input_tokens = -1,
    .output_tokens = -1,
  };
  guint added = 0;

  limit = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                           confab_test_query_int (store, "PRAGMA page_count") + 30);
  confab_test_exec (store, limit);

  for (;;)
    {
      g_autoptr(ConfabMessage) message = confab_store_add_message (store, &draft, &error);

      if (message == NULL)
        break;
      added++;
      g_assert_cmpuint (added, <, 100);
    }

  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NO_SPACE);
  g_test_message ("After %u messages: %s", added, error->message);
  g_assert_nonnull (strstr (error->message, "the disk is full"));
  g_assert_nonnull (strstr (error->message, "Free some space"));
  g_clear_error (&error);
  /* The failed message never reached the model. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, added);

  /* Inside a transaction, then a rollback leaves a usable store. */
  g_assert_true (confab_store_begin (store, &error));
  g_assert_null (confab_store_add_message (store, &draft, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NO_SPACE);
  g_clear_error (&error);
  confab_store_rollback (store);

  /* Space again: writes work. */
  confab_test_exec (store, "PRAGMA max_page_count = 1000000");
  g_object_unref (confab_test_add_text (store, chat, 0, "fits now"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, added + 1);
  confab_test_assert_list_matches_db (store, list);
}

static void
assert_refused (const char *path,
                int         code)
{
  g_autofree char *before = confab_test_file_checksum (path);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  ConfabStore *store = confab_store_new (path, &error);

  g_assert_null (store);
  g_assert_error (error, CONFAB_STORE_ERROR, code);
  g_test_message ("Refused: %s", error->message);
  /* The message names the file and says it was not changed. */
  g_assert_nonnull (strstr (error->message, path));
  g_assert_true (strstr (error->message, "untouched") != NULL ||
                 strstr (error->message, "not been changed") != NULL);

  after = confab_test_file_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_bad_file_random (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint8 bytes[8192];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8)g_rand_int_range (rand, 0, 256);
  confab_test_write_file (path, bytes, sizeof bytes);
  assert_refused (path, CONFAB_STORE_ERROR_NOT_A_DATABASE);

  /* A right header over garbage gets past the first check, not SQLite's. */
  memcpy (bytes, "SQLite format 3", 16);
  confab_test_write_file (path, bytes, sizeof bytes);
  assert_refused (path, CONFAB_STORE_ERROR_NOT_A_DATABASE);

  /* Shorter than a header. */
  confab_test_write_file (path, "SQLite", 6);
  assert_refused (path, CONFAB_STORE_ERROR_NOT_A_DATABASE);

  confab_test_rm_rf (dir);
}

static void
test_bad_file_text (void)
{
  static const char text[] = "These are my notes, not a database.\nSecond line.\n";
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  confab_test_write_file (path, text, strlen (text));
  assert_refused (path, CONFAB_STORE_ERROR_NOT_A_DATABASE);
  /* Refused before SQLite opened it: no side files either. */
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));

  confab_test_rm_rf (dir);
}

static void
test_bad_file_truncated (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;
  const gsize cuts[] = { 100, 4096, 8192, 0 /* half */ };

  {
    ConfabStore *store = confab_test_store_new (path);
    g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
    g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");

    for (guint i = 0; i < 200; i++)
      g_object_unref (confab_test_add_text (store, chat, 0, "some words to fill a few pages"));
    g_clear_object (&chat);
    g_clear_object (&project);
    g_assert_finalize_object (store);
  }

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 3 * 4096);

  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      gsize cut = cuts[i] != 0 ? cuts[i] : length / 2;

      g_test_message ("Truncated to %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes",
                      cut, length);
      confab_test_write_file (path, contents, cut);
      assert_refused (path, CONFAB_STORE_ERROR_NOT_A_DATABASE);
    }

  confab_test_rm_rf (dir);
}

static void
test_bad_file_foreign (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);

  /* Someone else's SQLite file: valid, but must not get our tables. */
  confab_test_raw_exec (path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                  "INSERT INTO notes (body) VALUES ('keep me');");
  assert_refused (path, CONFAB_STORE_ERROR_NOT_A_DATABASE);

  confab_test_raw_exec (path, "PRAGMA application_id = 1234;");
  assert_refused (path, CONFAB_STORE_ERROR_NOT_A_DATABASE);

  confab_test_rm_rf (dir);
}

static void
test_newer_schema (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
  g_autoptr(GError) error = NULL;
  ConfabStore *store;

  confab_test_raw_exec (path, "CREATE TABLE future (id INTEGER PRIMARY KEY);"
                  "PRAGMA user_version = 999;");
  assert_refused (path, CONFAB_STORE_ERROR_NEWER_SCHEMA);

  store = confab_store_new (path, &error);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "newer version of Confab"));
  g_assert_nonnull (strstr (error->message, "999"));

  /* Also a real Confab file from the future. */
  g_clear_error (&error);
  confab_test_rm_rf (dir);
  {
    ConfabStore *current = confab_test_store_new (path);
    g_assert_finalize_object (current);
  }
  {
    g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d;",
                                             CONFAB_STORE_SCHEMA_VERSION + 1);
    confab_test_raw_exec (path, bump);
  }
  assert_refused (path, CONFAB_STORE_ERROR_NEWER_SCHEMA);

  confab_test_rm_rf (dir);
}

/* Runs store-writer on @path (with @launcher, may be NULL) until it has
 * committed @n_ids replies (0: until it exits by itself), kills it with
 * SIGKILL after @delay_us more unless it exited, and returns the ids it
 * printed, and its stderr in *@err when it exited. */
static GArray *
run_writer (const char          *path,
            GSubprocessLauncher *launcher,
            guint                n_ids,
            guint                delay_us,
            char               **err)
{
  g_autofree char *writer = g_test_build_filename (G_TEST_BUILT, "store-writer", NULL);
  g_autoptr(GSubprocessLauncher) own = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (launcher == NULL)
    launcher = own = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawn (launcher, &error, writer, path, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));

  while (n_ids == 0 || ids->len < n_ids)
    {
      g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
      gint64 id;

      g_assert_no_error (error);
      if (line == NULL)
        break;   /* it exited */
      id = g_ascii_strtoll (line, NULL, 10);
      g_assert_cmpint (id, >, 0);
      g_array_append_val (ids, id);
    }

  if (n_ids > 0 && ids->len == n_ids)
    {
      /* No chance to clean up: like a crash or a power-button kill, at any
       * point of the next reply (added, growing, finished, committing). */
      g_usleep (delay_us);
      g_subprocess_send_signal (process, SIGKILL);
      g_subprocess_wait (process, NULL, &error);
      g_assert_no_error (error);
      /* Every printed id was read before the kill; later ones may be lost. */
    }
  else
    {
      g_autoptr(GBytes) stderr_bytes = NULL;

      g_subprocess_communicate (process, NULL, NULL, NULL, &stderr_bytes, &error);
      g_assert_no_error (error);
      if (err != NULL)
        *err = g_strndup (g_bytes_get_data (stderr_bytes, NULL), g_bytes_get_size (stderr_bytes));
    }
  return ids;
}

/* Every id in @ids is a complete reply, and the database is sound. */
static void
assert_store_sound (const char *path,
                    GArray     *ids)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *integrity = NULL;
  ConfabStore *store = confab_test_store_new (path);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr(ConfabMessage) message = confab_store_lookup_message (store, id, &error);

      g_assert_no_error (error);
      g_assert_cmpint (confab_message_get_status (message), ==,
                       CONFAB_MESSAGE_STATUS_COMPLETE);
      g_assert_true (g_str_has_prefix (confab_message_get_content (message), "reply "));
    }

  integrity = confab_test_query_text (store, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  confab_test_exec (store, "INSERT INTO messages_fts (messages_fts)"
                           " VALUES ('integrity-check')");
  g_assert_finalize_object (store);
}

static void
test_durability (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
  g_autoptr(GArray) ids = run_writer (path, NULL, 300, 0, NULL);

  assert_store_sound (path, ids);
  confab_test_rm_rf (dir);
}

/* docs/security.md: killed 100 times at random moments while replies are
 * written into one database, reopened after each kill: every time the
 * database is sound and every committed reply is there. */
static void
test_killed_100_times (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < 100; i++)
    {
      guint n_ids = g_test_rand_int_range (1, 20);
      guint delay_us = g_test_rand_int_range (0, 3000);
      g_autoptr(GArray) ids = run_writer (path, NULL, n_ids, delay_us, NULL);

      g_array_append_vals (all, ids->data, ids->len);
      assert_store_sound (path, all);
    }
  g_test_message ("%u replies committed over 100 kills", all->len);
  confab_test_rm_rf (dir);
}

static void
limit_file_size (gpointer user_data)
{
  struct rlimit limit = { .rlim_cur = GPOINTER_TO_UINT (user_data),
                          .rlim_max = GPOINTER_TO_UINT (user_data) };

  /* A write past the limit fails with EFBIG instead of killing the process,
   * as a full disk fails with ENOSPC. */
  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &limit);
}

/* docs/security.md: the disk fills up while replies are written (the
 * operating system refuses the writes, where the test above has SQLite
 * stop by itself): the writer stops with a clear error, and what it
 * committed is there in a sound database. */
static void
test_disk_full_os (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *err = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* Room for the schema and some hundreds of replies. */
  g_subprocess_launcher_set_child_setup (launcher, limit_file_size,
                                         GUINT_TO_POINTER (512 * 1024), NULL);
  ids = run_writer (path, launcher, 0, 0, &err);

  g_test_message ("%u replies, then: %s", ids->len, err);
  g_assert_cmpuint (ids->len, >, 0);
  /* SQLite reports the refused write (EFBIG here) as an I/O error; the
   * message says what could not be done, where, why and what to do. */
  g_assert_nonnull (strstr (err, "Could not save the message"));
  g_assert_nonnull (strstr (err, path));
  g_assert_nonnull (strstr (err, "the file cannot grow any larger (it reached a size limit)"));
  g_assert_nonnull (strstr (err, "Raise the limit or delete old chats"));
  assert_store_sound (path, ids);
  confab_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

  ADD_TEST ("/confab/store/migrate-empty", test_migrate_empty);
  ADD_TEST ("/confab/store/reopen", test_reopen);
  ADD_TEST ("/confab/store/migrate-v3", test_migrate_v3);
  ADD_TEST ("/confab/store/migrate-v4", test_migrate_v4);
  ADD_TEST ("/confab/store/migrate-v5", test_migrate_v5);
  g_test_add_func ("/confab/store/default-path", test_default_path);
  g_test_add_func ("/confab/store/empty-file", test_empty_file);
  ADD_TEST ("/confab/store/transactions", test_transactions);
  ADD_TEST ("/confab/store/disk-full", test_disk_full);
  g_test_add_func ("/confab/store/bad-file/random", test_bad_file_random);
  g_test_add_func ("/confab/store/bad-file/text", test_bad_file_text);
  g_test_add_func ("/confab/store/bad-file/truncated", test_bad_file_truncated);
  g_test_add_func ("/confab/store/bad-file/foreign-sqlite", test_bad_file_foreign);
  g_test_add_func ("/confab/store/newer-schema", test_newer_schema);
  g_test_add_func ("/confab/store/durability", test_durability);
  g_test_add_func ("/confab/store/killed-100-times", test_killed_100_times);
  g_test_add_func ("/confab/store/disk-full/os-refuses-writes", test_disk_full_os);

  return confab_test_run ();
}
