/* test-store-rows.c: projects, chats, messages and threads: every write,
 * what it does to the objects, and the cascades.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include "confab-test-utils.h"

typedef ConfabTestStore Fixture;

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, confab_test_store_setup, func, confab_test_store_teardown)

static void
test_projects (Fixture       *fixture,
               gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  GListModel *projects = confab_store_get_projects (store);
  g_autoptr(ConfabTestChanges) changes = confab_test_changes_new (projects);
  g_autoptr(ConfabProject) a = confab_test_create_project (store, "A");
  g_autoptr(ConfabProject) b = NULL;
  g_autoptr(ConfabProject) same = NULL;
  g_autoptr(ConfabProject) item = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  guint notified = 0;

  log = confab_test_changes_take (changes);
  g_assert_cmpstr (log, ==, "0:-0+1");
  g_clear_pointer (&log, g_free);

  b = confab_test_create_project (store, "B");
  log = confab_test_changes_take (changes);
  g_assert_cmpstr (log, ==, "1:-0+1");
  g_clear_pointer (&log, g_free);

  /* One object per row. */
  item = g_list_model_get_item (projects, 0);
  g_assert_true (item == a);
  same = confab_store_lookup_project (store, confab_project_get_id (b), &error);
  g_assert_no_error (error);
  g_assert_true (same == b);

  g_signal_connect (a, "notify::name", G_CALLBACK (confab_test_count_notify), &notified);
  g_assert_true (confab_store_rename_project (store, a, "Renamed", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (confab_project_get_name (a), ==, "Renamed");
  g_assert_cmpuint (notified, ==, 1);
  /* The same value again is no change, so no notification. */
  g_assert_true (confab_store_rename_project (store, a, "Renamed", &error));
  g_assert_cmpuint (notified, ==, 1);

  g_assert_true (confab_store_set_project_defaults (store, a, "openai:gpt", "Be brief",
                                                    &error));
  g_assert_no_error (error);
  g_assert_cmpstr (confab_project_get_default_model (a), ==, "openai:gpt");
  g_assert_cmpstr (confab_project_get_system_prompt (a), ==, "Be brief");
  g_assert_true (confab_store_set_project_defaults (store, a, NULL, NULL, &error));
  g_assert_null (confab_project_get_default_model (a));
  g_assert_null (confab_project_get_system_prompt (a));
  g_assert_cmpint (confab_project_get_created (a), >, 0);

  g_assert_true (confab_store_delete_project (store, a, &error));
  g_assert_no_error (error);
  log = confab_test_changes_take (changes);
  g_assert_cmpstr (log, ==, "0:-1+0");
  g_clear_pointer (&log, g_free);

  g_assert_null (confab_store_lookup_project (store, confab_project_get_id (a), &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A second delete reports the row is gone. */
  g_assert_false (confab_store_delete_project (store, a, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (confab_store_rename_project (store, a, "X", &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_signal_handlers_disconnect_by_func (a, confab_test_count_notify, &notified);
  g_clear_object (&item);
  g_assert_finalize_object (g_steal_pointer (&a));
}

/* ---- Chats */

static void
test_chats (Fixture       *fixture,
            gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (fixture->store, "P");
  g_autoptr(ConfabProject) other = confab_test_create_project (fixture->store, "Q");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "First");
  g_autoptr(ConfabChat) same = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = confab_chat_get_id (chat);
  guint notified = 0;

  g_assert_cmpint (confab_chat_get_project_id (chat), ==, confab_project_get_id (project));
  g_assert_cmpstr (confab_chat_get_title (chat), ==, "First");
  g_assert_null (confab_chat_get_model (chat));
  g_assert_null (confab_chat_get_draft (chat));
  g_assert_false (confab_chat_get_pinned (chat));
  g_assert_false (confab_chat_get_archived (chat));
  g_assert_cmpint (confab_chat_get_created (chat), ==, confab_chat_get_updated (chat));

  g_signal_connect (chat, "notify", G_CALLBACK (confab_test_count_notify), &notified);

  g_assert_true (confab_store_rename_chat (store, chat, "Renamed", &error));
  g_assert_true (confab_store_set_chat_model (store, chat, "anthropic:claude", &error));
  g_assert_true (confab_store_set_chat_draft (store, chat, "half a thought", &error));
  g_assert_true (confab_store_set_chat_pinned (store, chat, TRUE, &error));
  g_assert_true (confab_store_set_chat_archived (store, chat, TRUE, &error));
  g_assert_true (confab_store_move_chat (store, chat, other, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notified, ==, 6);

  /* Setting what is already there notifies nothing. */
  g_assert_true (confab_store_set_chat_pinned (store, chat, TRUE, &error));
  g_assert_true (confab_store_set_chat_model (store, chat, "anthropic:claude", &error));
  g_assert_true (confab_store_move_chat (store, chat, other, &error));
  g_assert_cmpuint (notified, ==, 6);
  g_signal_handlers_disconnect_by_func (chat, confab_test_count_notify, &notified);

  /* The row agrees after a reopen. */
  g_clear_object (&chat);
  g_clear_object (&project);
  g_clear_object (&other);
  confab_test_store_reopen (fixture);
  store = fixture->store;

  chat = confab_store_lookup_chat (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_chat_get_title (chat), ==, "Renamed");
  g_assert_cmpstr (confab_chat_get_model (chat), ==, "anthropic:claude");
  g_assert_cmpstr (confab_chat_get_draft (chat), ==, "half a thought");
  g_assert_true (confab_chat_get_pinned (chat));
  g_assert_true (confab_chat_get_archived (chat));
  {
    g_autoptr(ConfabProject) q = g_list_model_get_item (confab_store_get_projects (store), 1);
    g_assert_cmpint (confab_chat_get_project_id (chat), ==, confab_project_get_id (q));
  }

  same = confab_store_lookup_chat (store, id, &error);
  g_assert_true (same == chat);
  g_clear_object (&same);

  g_assert_true (confab_store_set_chat_draft (store, chat, NULL, &error));
  g_assert_null (confab_chat_get_draft (chat));

  g_assert_true (confab_store_delete_chat (store, chat, &error));
  g_assert_no_error (error);
  g_assert_false (confab_test_chat_exists (store, id));
  g_assert_null (confab_store_lookup_chat (store, id, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (confab_store_rename_chat (store, chat, "Gone", &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_finalize_object (g_steal_pointer (&chat));
}

static void
test_messages (Fixture       *fixture,
               gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(ConfabMessage) question = NULL;
  g_autoptr(ConfabMessage) answer = NULL;
  g_autoptr(ConfabMessage) same = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessageDraft draft = {
    .chat_id = confab_chat_get_id (chat),
    .role = CONFAB_ROLE_ASSISTANT,
    .author = "anthropic:claude",
    .provider = "anthropic",
    .model = "claude",
    .content = "",
    .status = CONFAB_MESSAGE_STATUS_STREAMING,
    .input_tokens = -1,
    .output_tokens = -1,
    .created = 1700000000000000,
  };
  guint notified = 0;
  gint64 id;

  question = confab_test_add_text (store, chat, 0, "What is a store?");
  g_assert_cmpint (confab_message_get_role (question), ==, CONFAB_ROLE_USER);
  g_assert_cmpstr (confab_message_get_author (question), ==, "tester");
  g_assert_cmpint (confab_message_get_parent_id (question), ==, 0);
  g_assert_cmpint (confab_message_get_input_tokens (question), ==, -1);
  g_assert_cmpint (confab_message_get_created (question), >, 0);

  answer = confab_store_add_message (store, &draft, &error);
  g_assert_no_error (error);
  id = confab_message_get_id (answer);
  g_assert_cmpint (confab_message_get_status (answer), ==, CONFAB_MESSAGE_STATUS_STREAMING);
  g_assert_cmpint (confab_message_get_created (answer), ==, draft.created);

  /* Streaming writes replace the text. */
  g_signal_connect (answer, "notify::content", G_CALLBACK (confab_test_count_notify), &notified);
  g_assert_true (confab_store_set_message_content (store, answer, "A place", &error));
  g_assert_true (confab_store_set_message_content (store, answer, "A place to keep", &error));
  g_assert_true (confab_store_set_message_content (store, answer, "A place to keep", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notified, ==, 2);
  g_signal_handlers_disconnect_by_func (answer, confab_test_count_notify, &notified);

  g_assert_true (confab_store_finish_message (store, answer, CONFAB_MESSAGE_STATUS_ERROR,
                                              "rate limited", 12, 34, &error));
  g_assert_no_error (error);
  g_assert_cmpint (confab_message_get_status (answer), ==, CONFAB_MESSAGE_STATUS_ERROR);
  g_assert_cmpstr (confab_message_get_error (answer), ==, "rate limited");
  g_assert_cmpint (confab_message_get_input_tokens (answer), ==, 12);
  g_assert_cmpint (confab_message_get_output_tokens (answer), ==, 34);

  /* The error text is only kept for errors. */
  g_assert_true (confab_store_finish_message (store, answer, CONFAB_MESSAGE_STATUS_CANCELLED,
                                              "ignored", -1, 40, &error));
  g_assert_null (confab_message_get_error (answer));
  g_assert_cmpint (confab_message_get_input_tokens (answer), ==, -1);

  /* Everything survives a reopen, unknown tokens included. */
  g_clear_object (&question);
  g_clear_object (&answer);
  g_clear_object (&chat);
  g_clear_object (&project);
  confab_test_store_reopen (fixture);
  store = fixture->store;

  answer = confab_store_lookup_message (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (confab_message_get_role (answer), ==, CONFAB_ROLE_ASSISTANT);
  g_assert_cmpstr (confab_message_get_author (answer), ==, "anthropic:claude");
  g_assert_cmpstr (confab_message_get_provider (answer), ==, "anthropic");
  g_assert_cmpstr (confab_message_get_model (answer), ==, "claude");
  g_assert_cmpstr (confab_message_get_content (answer), ==, "A place to keep");
  g_assert_cmpint (confab_message_get_status (answer), ==, CONFAB_MESSAGE_STATUS_CANCELLED);
  g_assert_cmpint (confab_message_get_input_tokens (answer), ==, -1);
  g_assert_cmpint (confab_message_get_output_tokens (answer), ==, 40);
  g_assert_cmpint (confab_message_get_created (answer), ==, draft.created);

  same = confab_store_lookup_message (store, id, &error);
  g_assert_true (same == answer);
  g_clear_object (&same);

  g_assert_true (confab_store_delete_message (store, answer, &error));
  g_assert_no_error (error);
  g_assert_false (confab_test_message_exists (store, id));
  g_assert_null (confab_store_lookup_message (store, id, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (confab_store_set_message_content (store, answer, "late", &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_finalize_object (g_steal_pointer (&answer));

  /* A message for a chat that does not exist. */
  draft.chat_id = 424242;
  g_assert_null (confab_store_add_message (store, &draft, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static void
test_threads (Fixture       *fixture,
              gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(ConfabChat) elsewhere = confab_test_create_chat (store, project, "d");
  g_autoptr(ConfabMessage) root = confab_test_add_text (store, chat, 0, "root");
  g_autoptr(ConfabMessage) r1 = NULL;
  g_autoptr(ConfabMessage) r2 = NULL;
  g_autoptr(ConfabMessage) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *model = NULL;
  ConfabMessageDraft draft = {
    .chat_id = confab_chat_get_id (chat),
    .parent_id = confab_message_get_id (root),
    .role = CONFAB_ROLE_USER,
    .content = "reply",
    .input_tokens = -1,
    .output_tokens = -1,
  };
  gint64 root_id = confab_message_get_id (root);
  guint reply_count = 99;
  gint64 last_reply = 99;
  guint notified = 0;

  /* No thread yet. */
  g_assert_false (confab_store_get_thread_info (store, root_id, &reply_count, &last_reply,
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpuint (reply_count, ==, 0);
  g_assert_cmpint (last_reply, ==, 0);
  g_assert_cmpuint (confab_message_get_reply_count (root), ==, 0);

  g_signal_connect (root, "notify::reply-count", G_CALLBACK (confab_test_count_notify), &notified);

  draft.created = 1000;
  r1 = confab_store_add_message (store, &draft, &error);
  g_assert_no_error (error);
  draft.created = 2000;
  r2 = confab_store_add_message (store, &draft, &error);
  g_assert_no_error (error);

  g_assert_true (confab_store_get_thread_info (store, root_id, &reply_count, &last_reply,
                                               &error));
  g_assert_cmpuint (reply_count, ==, 2);
  g_assert_cmpint (last_reply, ==, 2000);
  g_assert_cmpuint (confab_message_get_reply_count (root), ==, 2);
  g_assert_cmpint (confab_message_get_last_reply (root), ==, 2000);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpint (confab_message_get_parent_id (r1), ==, root_id);

  /* Deleting the newest reply recomputes the last reply time. */
  g_assert_true (confab_store_delete_message (store, r2, &error));
  g_assert_true (confab_store_get_thread_info (store, root_id, &reply_count, &last_reply,
                                               &error));
  g_assert_cmpuint (reply_count, ==, 1);
  g_assert_cmpint (last_reply, ==, 1000);
  g_assert_cmpuint (confab_message_get_reply_count (root), ==, 1);
  g_assert_cmpint (confab_message_get_last_reply (root), ==, 1000);

  /* A thread remembers its model. */
  g_assert_true (confab_store_set_thread_model (store, root_id, "openai:o3", &error));
  g_assert_no_error (error);
  model = confab_store_dup_thread_model (store, root_id, &error);
  g_assert_cmpstr (model, ==, "openai:o3");
  g_assert_true (confab_store_get_thread_info (store, root_id, &reply_count, NULL, &error));
  g_assert_cmpuint (reply_count, ==, 1);

  /* Threads are one level deep and stay in their chat. */
  draft.parent_id = confab_message_get_id (r1);
  g_assert_null (confab_store_add_message (store, &draft, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
  g_clear_error (&error);
  draft.parent_id = root_id;
  draft.chat_id = confab_chat_get_id (elsewhere);
  g_assert_null (confab_store_add_message (store, &draft, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
  g_clear_error (&error);
  draft.parent_id = 777777;
  g_assert_null (confab_store_add_message (store, &draft, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (confab_store_set_thread_model (store, confab_message_get_id (r1), "x", &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Deleting the root takes the replies and the thread row with it. */
  g_signal_handlers_disconnect_by_func (root, confab_test_count_notify, &notified);
  g_assert_true (confab_store_delete_message (store, root, &error));
  g_assert_no_error (error);
  g_assert_false (confab_test_message_exists (store, confab_message_get_id (r1)));
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM threads"), ==, 0);
  g_assert_false (confab_store_get_thread_info (store, root_id, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (confab_store_lookup_message (store, confab_message_get_id (r1), &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static void
test_cascade (Fixture       *fixture,
              gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabProject) keep = confab_test_create_project (store, "K");
  g_autoptr(ConfabChat) a = confab_test_create_chat (store, project, "a");
  g_autoptr(ConfabChat) b = confab_test_create_chat (store, project, "b");
  g_autoptr(ConfabChat) k = confab_test_create_chat (store, keep, "k");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(ConfabMessage) m = confab_test_add_text (store, i % 2 ? a : b, 0, "cascade word");
      g_autoptr(ConfabMessage) r = confab_test_add_text (store, i % 2 ? a : b,
                                                         confab_message_get_id (m),
                                                         "cascade reply");
    }
  g_object_unref (confab_test_add_text (store, k, 0, "cascade kept"));

  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"), ==, 21);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM threads"), ==, 10);
  g_assert_cmpuint (confab_test_search_count (store, "cascade"), ==, 21);

  /* A chat takes its messages, threads and index entries. */
  g_assert_true (confab_store_delete_chat (store, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"), ==, 11);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM threads"), ==, 5);
  g_assert_cmpuint (confab_test_search_count (store, "cascade"), ==, 11);

  /* A project takes everything below it, and nothing else. */
  g_assert_true (confab_store_delete_project (store, project, &error));
  g_assert_no_error (error);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM chats"), ==, 1);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"), ==, 1);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM threads"), ==, 0);
  g_assert_cmpuint (confab_test_search_count (store, "cascade"), ==, 1);
  g_assert_null (confab_store_lookup_chat (store, confab_chat_get_id (b), &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The index agrees with its content table (nothing left streaming). */
  confab_test_exec (store, "INSERT INTO messages_fts (messages_fts, rank)"
                           " VALUES ('integrity-check', 1)");
  g_assert_true (confab_test_query_empty (store, "PRAGMA foreign_key_check"));
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

  ADD_TEST ("/confab/store/projects", test_projects);
  ADD_TEST ("/confab/store/chats", test_chats);
  ADD_TEST ("/confab/store/messages", test_messages);
  ADD_TEST ("/confab/store/threads", test_threads);
  ADD_TEST ("/confab/store/cascade", test_cascade);

  return confab_test_run ();
}
