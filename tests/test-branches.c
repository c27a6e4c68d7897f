/* test-branches.c: edit and resend, regenerate, and switching between the
 * versions of a conversation (migration 3).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "confab-test-utils.h"

typedef ConfabTestStore Fixture;

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, confab_test_store_setup, func, confab_test_store_teardown)

static ConfabMessage *
add (ConfabStore *store,
     ConfabChat  *chat,
     ConfabRole   role,
     const char  *content)
{
  return confab_test_add_message (store, confab_chat_get_id (chat), 0, role,
                                  CONFAB_MESSAGE_STATUS_COMPLETE, content);
}

static ConfabMessage *
add_alternative (ConfabStore   *store,
                 ConfabMessage *message,
                 const char    *content)
{
  g_autoptr(GError) error = NULL;
  ConfabMessageDraft draft = {
    .chat_id = confab_message_get_chat_id (message),
    .role = confab_message_get_role (message),
    .author = "tester",
    .content = content,
    .status = CONFAB_MESSAGE_STATUS_COMPLETE,
    .input_tokens = -1,
    .output_tokens = -1,
  };
  ConfabMessage *added = confab_store_add_alternative (store, message, &draft, &error);

  g_assert_no_error (error);
  g_assert_nonnull (added);
  return added;
}

/* The list's contents, as "content content ...". */
static char *
list_text (ConfabMessageList *list)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMessage) item = g_list_model_get_item (G_LIST_MODEL (list), i);

      g_assert_nonnull (item);
      if (i > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, confab_message_get_content (item));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

#define assert_list_text(list, expected) \
  G_STMT_START { \
    g_autofree char *_text = list_text (list); \
    g_assert_cmpstr (_text, ==, (expected)); \
  } G_STMT_END

static char *
array_text (GPtrArray *messages)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < messages->len; i++)
    {
      if (i > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, confab_message_get_content (g_ptr_array_index (messages, i)));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
assert_alternatives (ConfabStore   *store,
                     ConfabMessage *message,
                     const char    *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) alternatives = confab_store_list_alternatives (store, message, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  text = array_text (alternatives);
  g_assert_cmpstr (text, ==, expected);

  /* Every live object agrees with the listing. */
  for (guint i = 0; i < alternatives->len; i++)
    {
      ConfabMessage *alternative = g_ptr_array_index (alternatives, i);

      g_assert_cmpuint (confab_message_get_n_alternatives (alternative), ==, alternatives->len);
      g_assert_cmpuint (confab_message_get_alternative_index (alternative), ==, i);
    }
}

static void
assert_branch_line (ConfabStore   *store,
                    ConfabMessage *message,
                    const char    *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) line = confab_store_list_branch_line (store, message, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  text = array_text (line);
  g_assert_cmpstr (text, ==, expected);
}

/* The main-line list holds exactly the active main-line messages, and
 * every live object's flag matches its row. */
static void
assert_line_matches_db (ConfabStore       *store,
                        ConfabMessageList *list)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = confab_test_store_db (store);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (list));
  guint i = 0;

  sql = g_strdup_printf ("SELECT id FROM messages WHERE chat_id = %" G_GINT64_FORMAT
                         " AND parent_id IS NULL AND active = 1 ORDER BY id",
                         confab_message_list_get_chat_id (list));
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(ConfabMessage) item = NULL;

      g_assert_cmpuint (i, <, n_items);
      item = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_assert_cmpint (confab_message_get_id (item), ==, sqlite3_column_int64 (stmt, 0));
      g_assert_true (confab_message_get_active (item));
      g_assert_cmpint (confab_message_get_branch (item), ==, 0);
      i++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (i, ==, n_items);

  /* The path is connected: each active message follows the one before. */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM messages m WHERE m.chat_id = %" G_GINT64_FORMAT
                         " AND m.parent_id IS NULL AND m.active = 1 AND m.prev_id IS NOT"
                         " (SELECT max(p.id) FROM messages p WHERE p.chat_id = m.chat_id"
                         "  AND p.parent_id IS NULL AND p.active = 1 AND p.id < m.id)",
                         confab_message_list_get_chat_id (list));
  g_assert_cmpint (confab_test_query_int (store, sql), ==, 0);
}

static void
assert_active (ConfabStore   *store,
               ConfabMessage *message,
               gboolean       active)
{
  g_autofree char *sql = g_strdup_printf ("SELECT active FROM messages WHERE id = %"
                                          G_GINT64_FORMAT, confab_message_get_id (message));

  g_assert_cmpint (confab_test_query_int (store, sql), ==, active);
  g_assert_cmpint (confab_message_get_active (message), ==, active);
}

/* ---- Edit and resend */

static void
test_edit_resend (Fixture       *fixture,
                  gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(ConfabMessageList) list = confab_store_list_messages (store,
                                                                  confab_chat_get_id (chat), 0);
  g_autoptr(ConfabTestChanges) changes = confab_test_changes_new (G_LIST_MODEL (list));
  g_autoptr(ConfabMessage) a = add (store, chat, CONFAB_ROLE_USER, "a");
  g_autoptr(ConfabMessage) b = add (store, chat, CONFAB_ROLE_ASSISTANT, "b");
  g_autoptr(ConfabMessage) c = add (store, chat, CONFAB_ROLE_USER, "c");
  g_autoptr(ConfabMessage) d = add (store, chat, CONFAB_ROLE_ASSISTANT, "d");
  g_autoptr(ConfabMessage) c2 = NULL;
  g_autoptr(ConfabMessage) d2 = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  guint c_notifies = 0;

  confab_test_assert_changes (changes, "0:-0+1 1:-0+1 2:-0+1 3:-0+1");
  g_assert_true (confab_message_get_active (c));
  g_assert_cmpuint (confab_message_get_n_alternatives (c), ==, 1);
  g_assert_cmpuint (confab_message_get_alternative_index (c), ==, 0);
  g_signal_connect (c, "notify::n-alternatives", G_CALLBACK (confab_test_count_notify),
                    &c_notifies);
  assert_list_text (list, "a b c d");

  /* Edit c: c and d leave the line in one change, c' is appended. */
  c2 = add_alternative (store, c, "c-edited");
  confab_test_assert_changes (changes, "2:-2+0 2:-0+1");
  assert_list_text (list, "a b c-edited");
  assert_line_matches_db (store, list);

  assert_active (store, c, FALSE);
  assert_active (store, d, FALSE);
  g_assert_cmpint (confab_message_get_branch (c), >, 0);
  g_assert_cmpint (confab_message_get_branch (c), ==, confab_message_get_branch (d));
  g_assert_cmpuint (c_notifies, ==, 1);
  g_assert_cmpuint (confab_message_get_n_alternatives (c2), ==, 2);
  g_assert_cmpuint (confab_message_get_alternative_index (c2), ==, 1);
  assert_alternatives (store, c2, "c c-edited");
  assert_alternatives (store, d, "d");
  assert_branch_line (store, c, "c d");
  assert_branch_line (store, c2, "c-edited");
  assert_branch_line (store, b, "b c-edited");

  /* The old version is still found, and says it is off the line. */
  found = confab_store_search (store, "d", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_true (g_ptr_array_index (found, 0) == d);
  g_assert_false (confab_message_get_active (g_ptr_array_index (found, 0)));

  /* The reply to the edit continues the new line. */
  d2 = add (store, chat, CONFAB_ROLE_ASSISTANT, "d-new");
  confab_test_assert_changes (changes, "3:-0+1");
  g_assert_cmpuint (confab_message_get_n_alternatives (d2), ==, 1);
  assert_branch_line (store, c2, "c-edited d-new");

  /* Switch back: the tail after b is replaced in one change. */
  g_assert_true (confab_store_activate_branch (store, c, &error));
  g_assert_no_error (error);
  confab_test_assert_changes (changes, "2:-2+2");
  assert_list_text (list, "a b c d");
  assert_line_matches_db (store, list);
  assert_active (store, c2, FALSE);
  assert_active (store, d2, FALSE);
  assert_active (store, d, TRUE);
  g_assert_cmpint (confab_message_get_branch (c2), ==, confab_message_get_branch (d2));
  assert_branch_line (store, c2, "c-edited d-new");

  /* Already current: nothing happens. */
  g_assert_true (confab_store_activate_branch (store, d, &error));
  confab_test_assert_changes (changes, "");

  /* Switching to an inner message of a branch brings its whole line. */
  g_assert_true (confab_store_activate_branch (store, d2, &error));
  confab_test_assert_changes (changes, "2:-2+2");
  assert_list_text (list, "a b c-edited d-new");
  assert_line_matches_db (store, list);

  /* Edit the very first message: the whole line goes. */
  {
    g_autoptr(ConfabMessage) a2 = add_alternative (store, a, "a-edited");

    confab_test_assert_changes (changes, "0:-4+0 0:-0+1");
    assert_list_text (list, "a-edited");
    assert_alternatives (store, a, "a a-edited");
    g_assert_true (confab_store_activate_branch (store, a, &error));
    confab_test_assert_changes (changes, "0:-1+4");
    assert_list_text (list, "a b c-edited d-new");
    assert_line_matches_db (store, list);
  }

  /* A new list reads the same line from the database. */
  g_clear_pointer (&changes, confab_test_changes_free);
  g_assert_finalize_object (g_steal_pointer (&list));
  list = confab_store_list_messages (store, confab_chat_get_id (chat), 0);
  assert_list_text (list, "a b c-edited d-new");
  assert_line_matches_db (store, list);
}

/* ---- Regenerate */

static void
test_regenerate (Fixture       *fixture,
                 gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(ConfabMessageList) list = confab_store_list_messages (store,
                                                                  confab_chat_get_id (chat), 0);
  g_autoptr(ConfabMessage) q = add (store, chat, CONFAB_ROLE_USER, "q");
  g_autoptr(ConfabMessage) r1 = add (store, chat, CONFAB_ROLE_ASSISTANT, "r1");
  g_autoptr(ConfabMessage) r2 = NULL;
  g_autoptr(ConfabMessage) r3 = NULL;
  g_autoptr(ConfabTestChanges) changes = confab_test_changes_new (G_LIST_MODEL (list));
  g_autoptr(GError) error = NULL;
  gint64 branch;

  /* The two-step form: cut, then the new reply streams in. */
  branch = confab_store_branch_from (store, r1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (branch, >, 0);
  g_assert_cmpint (confab_message_get_branch (r1), ==, branch);
  confab_test_assert_changes (changes, "1:-1+0");
  r2 = confab_test_add_message (store, confab_chat_get_id (chat), 0, CONFAB_ROLE_ASSISTANT,
                                CONFAB_MESSAGE_STATUS_STREAMING, "");
  g_assert_true (confab_store_set_message_content (store, r2, "r2", &error));
  g_assert_true (confab_store_finish_message (store, r2, CONFAB_MESSAGE_STATUS_COMPLETE,
                                              NULL, 1, 2, &error));
  confab_test_assert_changes (changes, "1:-0+1");
  assert_alternatives (store, r1, "r1 r2");

  /* Again, with another model. */
  r3 = add_alternative (store, r2, "r3");
  confab_test_assert_changes (changes, "1:-1+0 1:-0+1");
  assert_alternatives (store, r1, "r1 r2 r3");
  g_assert_cmpuint (confab_message_get_alternative_index (r3), ==, 2);
  g_assert_cmpint (confab_message_get_branch (r1), !=, confab_message_get_branch (r2));

  /* ‹ and ›: each switch replaces the one row. */
  g_assert_true (confab_store_activate_branch (store, r1, &error));
  confab_test_assert_changes (changes, "1:-1+1");
  assert_list_text (list, "q r1");
  g_assert_true (confab_store_activate_branch (store, r2, &error));
  confab_test_assert_changes (changes, "1:-1+1");
  assert_list_text (list, "q r2");
  assert_line_matches_db (store, list);

  /* Only the current line can be cut, and threads have no versions. */
  g_assert_cmpint (confab_store_branch_from (store, r1, &error), ==, 0);
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autoptr(ConfabMessage) reply = confab_test_add_text (store, chat,
                                                           confab_message_get_id (q), "t");

    g_assert_cmpint (confab_store_branch_from (store, reply, &error), ==, 0);
    g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
    g_clear_error (&error);
    assert_alternatives (store, reply, "t");
  }
  confab_test_assert_changes (changes, "");

  /* A failed alternative changes nothing at all. */
  {
    ConfabMessageDraft draft = {
      .chat_id = confab_chat_get_id (chat) + 1000,
      .role = CONFAB_ROLE_ASSISTANT,
      .content = "wrong chat",
      .input_tokens = -1,
      .output_tokens = -1,
    };

    g_assert_null (confab_store_add_alternative (store, r2, &draft, &error));
    g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
    g_clear_error (&error);
    confab_test_assert_changes (changes, "");
    assert_active (store, r2, TRUE);
  }
}

/* Switching deep into old branches walks up through several cuts. */
static void
test_nested (Fixture       *fixture,
             gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(ConfabMessageList) list = confab_store_list_messages (store,
                                                                  confab_chat_get_id (chat), 0);
  g_autoptr(ConfabMessage) a = add (store, chat, CONFAB_ROLE_USER, "a");
  g_autoptr(ConfabMessage) b = add (store, chat, CONFAB_ROLE_ASSISTANT, "b");
  g_autoptr(ConfabMessage) c = add (store, chat, CONFAB_ROLE_USER, "c");
  g_autoptr(ConfabMessage) d = add (store, chat, CONFAB_ROLE_ASSISTANT, "d");
  g_autoptr(ConfabMessage) c2 = NULL;
  g_autoptr(ConfabMessage) a2 = NULL;
  g_autoptr(ConfabTestChanges) changes = NULL;
  g_autoptr(GError) error = NULL;

  c2 = add_alternative (store, c, "c2");   /* a b c2, kept: c d */
  a2 = add_alternative (store, a, "a2");   /* a2, kept: a b c2 */
  assert_list_text (list, "a2");

  changes = confab_test_changes_new (G_LIST_MODEL (list));
  g_assert_true (confab_store_activate_branch (store, d, &error));
  g_assert_no_error (error);
  confab_test_assert_changes (changes, "0:-1+4");
  assert_list_text (list, "a b c d");
  assert_line_matches_db (store, list);

  /* c2 kept its place among c's versions, a2 among a's. */
  assert_alternatives (store, c, "c c2");
  assert_alternatives (store, a, "a a2");
  assert_branch_line (store, c2, "c2");
  assert_branch_line (store, a2, "a2");

  g_assert_true (confab_store_activate_branch (store, c2, &error));
  confab_test_assert_changes (changes, "2:-2+1");
  assert_list_text (list, "a b c2");
  g_assert_true (confab_store_activate_branch (store, a2, &error));
  confab_test_assert_changes (changes, "0:-3+1");
  assert_list_text (list, "a2");
  g_assert_true (confab_store_activate_branch (store, b, &error));
  confab_test_assert_changes (changes, "0:-1+3");
  assert_list_text (list, "a b c2");
  assert_line_matches_db (store, list);
}

/* ---- Threads go with their message */

static void
test_threads (Fixture       *fixture,
              gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  gint64 chat_id = confab_chat_get_id (chat);
  g_autoptr(ConfabMessage) a = add (store, chat, CONFAB_ROLE_USER, "a");
  g_autoptr(ConfabMessage) b = add (store, chat, CONFAB_ROLE_ASSISTANT, "b");
  g_autoptr(ConfabMessage) r1 = confab_test_add_text (store, chat, confab_message_get_id (b), "r1");
  g_autoptr(ConfabMessage) r2 = confab_test_add_text (store, chat, confab_message_get_id (b), "r2");
  g_autoptr(ConfabMessage) r3 = NULL;
  g_autoptr(ConfabMessage) b2 = NULL;
  g_autoptr(ConfabMessageList) thread = confab_store_list_messages (store, chat_id,
                                                                    confab_message_get_id (b));
  g_autoptr(ConfabTestChanges) thread_changes = confab_test_changes_new (G_LIST_MODEL (thread));
  g_autoptr(GError) error = NULL;

  assert_list_text (thread, "r1 r2");

  /* b is regenerated: its thread leaves the line with it, untouched. */
  b2 = add_alternative (store, b, "b2");
  assert_active (store, r1, FALSE);
  assert_active (store, r2, FALSE);
  confab_test_assert_changes (thread_changes, "");
  assert_list_text (thread, "r1 r2");
  g_assert_cmpuint (confab_message_get_reply_count (b), ==, 2);

  /* A fresh list of the old thread reads it through the index too. */
  g_clear_pointer (&thread_changes, confab_test_changes_free);
  g_assert_finalize_object (g_steal_pointer (&thread));
  thread = confab_store_list_messages (store, chat_id, confab_message_get_id (b));
  thread_changes = confab_test_changes_new (G_LIST_MODEL (thread));
  assert_list_text (thread, "r1 r2");

  /* Replying in the old thread is allowed; the reply is off the line too. */
  r3 = confab_test_add_text (store, chat, confab_message_get_id (b), "r3");
  confab_test_assert_changes (thread_changes, "2:-0+1");
  assert_active (store, r3, FALSE);

  /* Switching to a thread reply switches to its message's line. */
  g_assert_true (confab_store_activate_branch (store, r1, &error));
  g_assert_no_error (error);
  assert_active (store, b, TRUE);
  assert_active (store, r1, TRUE);
  assert_active (store, r3, TRUE);
  assert_active (store, b2, FALSE);
  confab_test_assert_changes (thread_changes, "");
  assert_list_text (thread, "r1 r2 r3");

  /* The thread of the other version is unaffected by all this. */
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"
                                                 " WHERE parent_id IS NOT NULL"), ==, 3);
  confab_test_exec (store, "PRAGMA foreign_key_check");
}

/* ---- Deleting inside the tree */

static void
test_delete (Fixture       *fixture,
             gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(ConfabMessageList) list = confab_store_list_messages (store,
                                                                  confab_chat_get_id (chat), 0);
  g_autoptr(ConfabMessage) a = add (store, chat, CONFAB_ROLE_USER, "a");
  g_autoptr(ConfabMessage) b = add (store, chat, CONFAB_ROLE_ASSISTANT, "b");
  g_autoptr(ConfabMessage) c = add (store, chat, CONFAB_ROLE_USER, "c");
  g_autoptr(ConfabMessage) b2 = NULL;
  g_autoptr(ConfabMessage) c2 = NULL;
  g_autoptr(ConfabTestChanges) changes = NULL;
  g_autoptr(GError) error = NULL;

  b2 = add_alternative (store, b, "b2");
  c2 = add (store, chat, CONFAB_ROLE_USER, "c2");
  assert_list_text (list, "a b2 c2");
  changes = confab_test_changes_new (G_LIST_MODEL (list));

  /* An inactive message goes without touching the list; its child now
   * follows a, next to b2. */
  g_assert_true (confab_store_delete_message (store, b, &error));
  g_assert_no_error (error);
  confab_test_assert_changes (changes, "");
  assert_alternatives (store, b2, "c b2");
  assert_branch_line (store, c, "c");

  /* An active one: its place is taken by what followed it. */
  g_assert_true (confab_store_delete_message (store, b2, &error));
  confab_test_assert_changes (changes, "1:-1+0");
  assert_list_text (list, "a c2");
  assert_alternatives (store, c2, "c c2");
  assert_line_matches_db (store, list);

  /* Objects outlive their rows: using them again fails cleanly. */
  g_assert_false (confab_store_activate_branch (store, b, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (confab_store_branch_from (store, b2, &error), ==, 0);
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  confab_test_assert_changes (changes, "");

  g_assert_true (confab_store_activate_branch (store, c, &error));
  confab_test_assert_changes (changes, "1:-1+1");
  assert_list_text (list, "a c");
  assert_line_matches_db (store, list);
}

/* ---- A huge chat with branches still opens through the index */

static void
explain_uses_index (ConfabStore *store,
                    const char  *sql)
{
  g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
  g_autoptr(GString) plan = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (confab_test_store_db (store), explain, -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);

  g_test_message ("%s\n%s", sql, plan->str);
  g_assert_nonnull (strstr (plan->str, "USING COVERING INDEX messages_by_line"));
  g_assert_null (strstr (plan->str, "SCAN"));
  g_assert_null (strstr (plan->str, "TEMP B-TREE"));
}

static void
test_paging (Fixture       *fixture,
             gconstpointer  data)
{
  const guint n = 100000;
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "Big");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "100k");
  g_autoptr(ConfabMessageList) list = NULL;
  g_autoptr(ConfabMessage) item = NULL;
  g_autoptr(GError) error = NULL;
  gint64 chat_id = confab_chat_get_id (chat);
  gint64 started;
  gint64 cut_id = 0;

  /* 40,000 messages, a cut at 20,000 and 60,000 more after the new
   * version: 100,000 rows, a current line of 80,000. */
  confab_test_add_line (store, chat_id, 0, 40000, "message ");
  {
    g_autoptr(ConfabMessage) old = NULL;
    g_autoptr(ConfabMessage) m = NULL;

    cut_id = confab_test_query_int (store, "SELECT id FROM messages WHERE content = 'message 20000'");
    old = confab_store_lookup_message (store, cut_id, &error);
    g_assert_no_error (error);
    started = g_get_monotonic_time ();
    m = add_alternative (store, old, "message 40000");
    g_test_message ("Cut 20,000 messages off the line in %.1f ms",
                    (g_get_monotonic_time () - started) / 1000.0);
  }
  confab_test_add_line (store, chat_id, 40001, n - 40001, "message ");

  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"), ==, n);

  explain_uses_index (store, "SELECT count(*), max(m.id) FROM messages m WHERE m.chat_id = 1"
                             " AND m.parent_id IS NULL AND m.active = COALESCE("
                             "(SELECT p.active FROM messages p WHERE p.id = NULL), 1)");
  explain_uses_index (store, "SELECT m.id FROM messages m WHERE m.chat_id = 1"
                             " AND m.parent_id IS 7 AND m.active = COALESCE("
                             "(SELECT p.active FROM messages p WHERE p.id = 7), 1)"
                             " ORDER BY m.id LIMIT 1 OFFSET 5000");

  g_clear_object (&chat);
  g_clear_object (&project);
  confab_test_store_reopen (fixture);
  store = fixture->store;

  started = g_get_monotonic_time ();
  list = confab_store_list_messages (store, chat_id, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 80000);
  g_assert_cmpuint (confab_message_list_get_pages_loaded (list), ==, 0);

  item = g_list_model_get_item (G_LIST_MODEL (list), 79999);
  g_assert_cmpuint (confab_message_list_get_pages_loaded (list), ==, 1);
  g_test_message ("Opened and read the last page in %.1f ms",
                  (g_get_monotonic_time () - started) / 1000.0);
  g_assert_cmpstr (confab_message_get_content (item), ==, "message 99999");
  g_clear_object (&item);

  /* Around the cut: the old line up to 19,999, then the new version. */
  item = g_list_model_get_item (G_LIST_MODEL (list), 19999);
  g_assert_cmpstr (confab_message_get_content (item), ==, "message 19999");
  g_clear_object (&item);
  item = g_list_model_get_item (G_LIST_MODEL (list), 20000);
  g_assert_cmpstr (confab_message_get_content (item), ==, "message 40000");
  g_assert_cmpuint (confab_message_get_n_alternatives (item), ==, 2);
  g_assert_cmpuint (confab_message_get_alternative_index (item), ==, 1);
  g_assert_cmpuint (confab_message_list_get_pages_loaded (list), ==, 2); /* one page */

  /* Switching back on the huge chat: one change, still paged. */
  {
    g_autoptr(ConfabMessage) old = confab_store_lookup_message (store, cut_id, &error);
    g_autoptr(ConfabTestChanges) changes = confab_test_changes_new (G_LIST_MODEL (list));

    started = g_get_monotonic_time ();
    g_assert_true (confab_store_activate_branch (store, old, &error));
    g_assert_no_error (error);
    g_test_message ("Switched 80,000 messages in %.1f ms",
                    (g_get_monotonic_time () - started) / 1000.0);
    confab_test_assert_changes (changes, "20000:-60000+20000");
    g_clear_object (&item);
    item = g_list_model_get_item (G_LIST_MODEL (list), 39999);
    g_assert_cmpstr (confab_message_get_content (item), ==, "message 39999");
  }
}

/* ---- An existing database gains the tree */

static void
test_migrate_v2 (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ConfabProject) project = confab_test_create_project (fixture->store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (fixture->store, project, "c");
  g_autoptr(ConfabChat) other = confab_test_create_chat (fixture->store, project, "o");
  g_autoptr(ConfabMessageList) list = NULL;
  g_autoptr(ConfabMessage) first = NULL;
  g_autoptr(ConfabMessage) second = NULL;
  g_autoptr(GError) error = NULL;
  gint64 chat_id = confab_chat_get_id (chat);
  ConfabStore *store;

  /* Interleaved with another chat and a thread, as real data is. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ConfabMessage) m = confab_test_add_text (fixture->store, chat, 0, "main");
      g_autoptr(ConfabMessage) o = confab_test_add_text (fixture->store, other, 0, "other");

      g_object_unref (confab_test_add_text (fixture->store, chat, confab_message_get_id (m),
                                            "reply"));
    }
  g_clear_object (&chat);
  g_clear_object (&other);
  g_clear_object (&project);

  /* Back to what schema 2 had (without schema 4's shared projects and
   * schema 5's aliases and prices too). */
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
                    "DROP INDEX messages_by_line;"
                    "DROP INDEX messages_by_prev;"
                    "DROP INDEX messages_by_branch;"
                    "ALTER TABLE messages DROP COLUMN prev_id;"
                    "ALTER TABLE messages DROP COLUMN active;"
                    "ALTER TABLE messages DROP COLUMN branch;"
                    "CREATE INDEX messages_by_chat ON messages (chat_id, parent_id, id);"
                    "PRAGMA user_version = 2;");
  confab_test_store_reopen (fixture);
  store = fixture->store;

  g_assert_cmpint (confab_store_get_schema_version (store), ==, CONFAB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"
                                                 " WHERE active != 1 OR branch IS NOT NULL"), ==, 0);
  /* Each main-line message follows the one before it in its own chat. */
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"
                                                 " WHERE parent_id IS NULL AND prev_id IS NULL"),
                   ==, 2);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages m"
                                                 " JOIN messages p ON p.id = m.prev_id"
                                                 " WHERE p.chat_id = m.chat_id"
                                                 " AND p.parent_id IS NULL"), ==, 4);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"
                                                 " WHERE parent_id IS NOT NULL"
                                                 " AND prev_id IS NOT NULL"), ==, 0);

  list = confab_store_list_messages (store, chat_id, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
  assert_line_matches_db (store, list);
  second = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_assert_cmpuint (confab_message_get_n_alternatives (second), ==, 1);

  /* And branches work on the migrated chat. */
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_object_unref (add_alternative (store, second, "edited"));
  assert_list_text (list, "main edited");
  assert_alternatives (store, second, "main edited");
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

  ADD_TEST ("/confab/branches/edit-resend", test_edit_resend);
  ADD_TEST ("/confab/branches/regenerate", test_regenerate);
  ADD_TEST ("/confab/branches/nested", test_nested);
  ADD_TEST ("/confab/branches/threads", test_threads);
  ADD_TEST ("/confab/branches/delete", test_delete);
  ADD_TEST ("/confab/branches/paging-100k", test_paging);
  ADD_TEST ("/confab/branches/migrate-v2", test_migrate_v2);

  return confab_test_run ();
}
