/* test-store-models.c: the live list models (chats, paged messages) and
 * full-text search.
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
test_chats_model (Fixture       *fixture,
                  gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabProject) other = confab_test_create_project (store, "Q");
  g_autoptr(GListModel) chats = confab_store_list_chats (store, project);
  g_autoptr(GListModel) other_chats = confab_store_list_chats (store, other);
  g_autoptr(GListModel) again = confab_store_list_chats (store, project);
  g_autoptr(ConfabTestChanges) changes = confab_test_changes_new (chats);
  g_autoptr(ConfabTestChanges) other_changes = confab_test_changes_new (other_chats);
  g_autoptr(ConfabChat) c1 = NULL;
  g_autoptr(ConfabChat) c2 = NULL;
  g_autoptr(ConfabChat) c3 = NULL;
  g_autoptr(ConfabChat) item = NULL;
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (chats == again);
  g_assert_true (g_list_model_get_item_type (chats) == CONFAB_TYPE_CHAT);

  /* Newest first. */
  c1 = confab_test_create_chat (store, project, "one");
  confab_test_assert_changes (changes, "0:-0+1");
  c2 = confab_test_create_chat (store, project, "two");
  confab_test_assert_changes (changes, "0:-0+1");
  c3 = confab_test_create_chat (store, project, "three");
  confab_test_assert_changes (changes, "0:-0+1");
  confab_test_assert_changes (other_changes, "");

  item = g_list_model_get_item (chats, 2);
  g_assert_true (item == c1);
  g_clear_object (&item);

  /* A message moves its chat to the top... */
  message = confab_test_add_text (store, c1, 0, "bump");
  confab_test_assert_changes (changes, "2:-1+0 0:-0+1");
  g_assert_cmpint (confab_chat_get_updated (c1), ==, confab_message_get_created (message));
  g_clear_object (&message);
  /* ...and a chat already on top does not move. */
  message = confab_test_add_text (store, c1, 0, "again");
  confab_test_assert_changes (changes, "");
  g_clear_object (&message);

  /* Order now c1, c3, c2. Pinned chats go first. */
  g_assert_true (confab_store_set_chat_pinned (store, c2, TRUE, &error));
  confab_test_assert_changes (changes, "2:-1+0 0:-0+1");
  item = g_list_model_get_item (chats, 0);
  g_assert_true (item == c2);
  g_clear_object (&item);

  /* Renaming, archiving and drafts keep the order (the UI filters). */
  g_assert_true (confab_store_rename_chat (store, c3, "3", &error));
  g_assert_true (confab_store_set_chat_archived (store, c3, TRUE, &error));
  g_assert_true (confab_store_set_chat_draft (store, c3, "draft", &error));
  g_assert_no_error (error);
  confab_test_assert_changes (changes, "");
  g_assert_cmpuint (g_list_model_get_n_items (chats), ==, 3);

  /* Unpin: back below c1 (c2 is the oldest). */
  g_assert_true (confab_store_set_chat_pinned (store, c2, FALSE, &error));
  confab_test_assert_changes (changes, "0:-1+0 2:-0+1");

  /* Move c3 (position 1) to the other project. */
  g_assert_true (confab_store_move_chat (store, c3, other, &error));
  confab_test_assert_changes (changes, "1:-1+0");
  confab_test_assert_changes (other_changes, "0:-0+1");
  item = g_list_model_get_item (other_chats, 0);
  g_assert_true (item == c3);
  g_clear_object (&item);

  /* Delete c1 (position 0). */
  g_assert_true (confab_store_delete_chat (store, c1, &error));
  confab_test_assert_changes (changes, "0:-1+0");
  g_assert_cmpuint (g_list_model_get_n_items (chats), ==, 1);

  /* Deleting the other project empties its list. */
  g_assert_true (confab_store_delete_project (store, other, &error));
  g_assert_no_error (error);
  confab_test_assert_changes (other_changes, "0:-1+0");
  g_assert_false (confab_test_chat_exists (store, confab_chat_get_id (c3)));

  /* A list nobody holds is freed, and a new one reads the table again. */
  g_clear_pointer (&changes, confab_test_changes_free);
  g_clear_object (&again);
  g_assert_finalize_object (g_steal_pointer (&chats));
  chats = confab_store_list_chats (store, project);
  g_assert_cmpuint (g_list_model_get_n_items (chats), ==, 1);
  item = g_list_model_get_item (chats, 0);
  g_assert_true (item == c2);

}

/* ---- Messages */

static void
test_message_list_live (Fixture       *fixture,
                        gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  gint64 chat_id = confab_chat_get_id (chat);
  g_autoptr(ConfabMessageList) list = confab_store_list_messages (store, chat_id, 0);
  g_autoptr(ConfabMessageList) again = confab_store_list_messages (store, chat_id, 0);
  g_autoptr(ConfabTestChanges) changes = confab_test_changes_new (G_LIST_MODEL (list));
  g_autoptr(ConfabMessageList) thread = NULL;
  g_autoptr(ConfabTestChanges) thread_changes = NULL;
  g_autoptr(ConfabMessage) m1 = NULL;
  g_autoptr(ConfabMessage) m2 = NULL;
  g_autoptr(ConfabMessage) m3 = NULL;
  g_autoptr(ConfabMessage) r1 = NULL;
  g_autoptr(ConfabMessage) item = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (list == again);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == CONFAB_TYPE_MESSAGE);
  g_assert_cmpint (confab_message_list_get_chat_id (list), ==, chat_id);
  g_assert_cmpint (confab_message_list_get_parent_id (list), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 0));

  m1 = confab_test_add_text (store, chat, 0, "one");
  confab_test_assert_changes (changes, "0:-0+1");
  m2 = confab_test_add_text (store, chat, 0, "two");
  confab_test_assert_changes (changes, "1:-0+1");
  m3 = confab_test_add_text (store, chat, 0, "three");
  confab_test_assert_changes (changes, "2:-0+1");

  item = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_assert_true (item == m2);
  g_clear_object (&item);

  /* Replies go to the thread's list, not the main line. */
  thread = confab_store_list_messages (store, chat_id, confab_message_get_id (m1));
  thread_changes = confab_test_changes_new (G_LIST_MODEL (thread));
  r1 = confab_test_add_text (store, chat, confab_message_get_id (m1), "reply");
  confab_test_assert_changes (thread_changes, "0:-0+1");
  confab_test_assert_changes (changes, "");
  item = g_list_model_get_item (G_LIST_MODEL (thread), 0);
  g_assert_true (item == r1);
  g_clear_object (&item);

  g_assert_true (confab_store_delete_message (store, m2, &error));
  confab_test_assert_changes (changes, "1:-1+0");
  confab_test_assert_list_matches_db (store, list);

  /* The root goes: its thread list empties. */
  g_assert_true (confab_store_delete_message (store, m1, &error));
  g_assert_no_error (error);
  confab_test_assert_changes (changes, "0:-1+0");
  confab_test_assert_changes (thread_changes, "0:-1+0");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (thread)), ==, 0);
  item = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_true (item == m3);
  g_clear_object (&item);

  /* The chat goes: its lists empty. */
  g_assert_true (confab_store_delete_chat (store, chat, &error));
  g_assert_no_error (error);
  confab_test_assert_changes (changes, "0:-1+0");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);

  /* Nothing holds the lists or the messages but us. */
  g_clear_pointer (&changes, confab_test_changes_free);
  g_clear_pointer (&thread_changes, confab_test_changes_free);
  g_clear_object (&again);
  g_assert_finalize_object (g_steal_pointer (&list));
  g_assert_finalize_object (g_steal_pointer (&thread));
  g_assert_finalize_object (g_steal_pointer (&m1));
  g_assert_finalize_object (g_steal_pointer (&m2));
  g_assert_finalize_object (g_steal_pointer (&m3));
  g_assert_finalize_object (g_steal_pointer (&r1));

}

/* Inserts and deletes around cached pages keep the list exact. */
static void
test_message_list_pages (Fixture       *fixture,
                         gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(ConfabMessageList) list = NULL;
  g_autoptr(GError) error = NULL;
  const guint n = 3 * CONFAB_MESSAGE_LIST_PAGE_SIZE + 7;

  g_assert_true (confab_store_begin (store, &error));
  for (guint i = 0; i < n; i++)
    g_object_unref (confab_test_add_text (store, chat, 0, "m"));
  g_assert_true (confab_store_commit (store, &error));

  list = confab_store_list_messages (store, confab_chat_get_id (chat), 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);
  confab_test_assert_list_matches_db (store, list);

  /* Append while the last page is cached, then delete in the middle. */
  for (guint i = 0; i < 5; i++)
    g_object_unref (confab_test_add_text (store, chat, 0, "more"));
  confab_test_assert_list_matches_db (store, list);

  for (guint position = 5; position < n; position += 97)
    {
      g_autoptr(ConfabMessage) victim = g_list_model_get_item (G_LIST_MODEL (list), position);
      g_assert_true (confab_store_delete_message (store, victim, &error));
      g_assert_no_error (error);
    }
  confab_test_assert_list_matches_db (store, list);

  /* The newest message deleted: SQLite may hand its id out again, and the
   * list must still place it right. */
  {
    guint last = g_list_model_get_n_items (G_LIST_MODEL (list)) - 1;
    g_autoptr(ConfabMessage) newest = g_list_model_get_item (G_LIST_MODEL (list), last);
    g_autoptr(ConfabMessage) replacement = NULL;

    g_assert_true (confab_store_delete_message (store, newest, &error));
    replacement = confab_test_add_text (store, chat, 0, "replacement");
    g_assert_false (replacement == newest);
    g_assert_cmpstr (confab_message_get_content (replacement), ==, "replacement");
  }
  confab_test_assert_list_matches_db (store, list);
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
  g_autoptr(ConfabMessage) last = NULL;
  g_autoptr(ConfabMessage) first = NULL;
  g_autoptr(ConfabMessage) middle = NULL;
  g_autoptr(ConfabMessage) next = NULL;
  g_autoptr(ConfabMessage) looked_up = NULL;
  g_autoptr(GError) error = NULL;
  gint64 chat_id = confab_chat_get_id (chat);
  gint64 first_id = 0, last_id = 0;
  gint64 started = g_get_monotonic_time ();

  confab_test_add_line (store, chat_id, 0, n, "message number ");
  first_id = confab_test_query_int (store, "SELECT min(id) FROM messages");
  last_id = confab_test_query_int (store, "SELECT max(id) FROM messages");
  g_test_message ("Inserted %u messages in %.2f s", n,
                  (g_get_monotonic_time () - started) / (double)G_USEC_PER_SEC);

  /* Start from a cold store so nothing is cached. */
  g_clear_object (&chat);
  g_clear_object (&project);
  confab_test_store_reopen (fixture);
  store = fixture->store;

  started = g_get_monotonic_time ();
  list = confab_store_list_messages (store, chat_id, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);
  g_assert_cmpuint (confab_message_list_get_pages_loaded (list), ==, 0);

  last = g_list_model_get_item (G_LIST_MODEL (list), n - 1);
  g_assert_cmpuint (confab_message_list_get_pages_loaded (list), ==, 1);
  g_test_message ("Opened and read the last page in %.1f ms",
                  (g_get_monotonic_time () - started) / 1000.0);
  g_assert_cmpint (confab_message_get_id (last), ==, last_id);
  g_assert_cmpstr (confab_message_get_content (last), ==, "message number 99999");

  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpuint (confab_message_list_get_pages_loaded (list), ==, 2);
  g_assert_cmpint (confab_message_get_id (first), ==, first_id);

  /* Within a loaded page: no new read. */
  g_clear_object (&first);
  first = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_assert_cmpuint (confab_message_list_get_pages_loaded (list), ==, 2);

  /* Random access, then the neighbouring page. */
  middle = g_list_model_get_item (G_LIST_MODEL (list), 50000);
  g_assert_cmpstr (confab_message_get_content (middle), ==, "message number 50000");
  g_assert_cmpuint (confab_message_list_get_pages_loaded (list), ==, 3);
  next = g_list_model_get_item (G_LIST_MODEL (list), 50000 + CONFAB_MESSAGE_LIST_PAGE_SIZE);
  g_assert_cmpstr (confab_message_get_content (next), ==, "message number 50128");
  g_assert_cmpuint (confab_message_list_get_pages_loaded (list), ==, 4);

  /* The object in the list is the one lookups return. */
  looked_up = confab_store_lookup_message (store, confab_message_get_id (middle), &error);
  g_assert_no_error (error);
  g_assert_true (looked_up == middle);

  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), n));
}

/* ---- Search */

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(ConfabMessage) fox = confab_test_add_text (store, chat, 0, "The quick brown fox");
  g_autoptr(ConfabMessage) creme = confab_test_add_text (store, chat, 0,
                                                         "Crème brûlée, the recipe");
  g_autoptr(ConfabMessage) foxes = confab_test_add_text (store, chat, 0,
                                                         "fox fox fox: a fox among foxes");
  g_autoptr(ConfabMessage) streaming = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (confab_test_search_count (store, "quick"), ==, 1);
  g_assert_cmpuint (confab_test_search_count (store, "QUI"), ==, 1);       /* prefix, any case */
  g_assert_cmpuint (confab_test_search_count (store, "creme brulee"), ==, 1); /* accents */
  g_assert_cmpuint (confab_test_search_count (store, "brown fox"), ==, 1);  /* every word */
  g_assert_cmpuint (confab_test_search_count (store, "fox"), ==, 2);
  g_assert_cmpuint (confab_test_search_count (store, "nothing"), ==, 0);
  g_assert_cmpuint (confab_test_search_count (store, ""), ==, 0);
  g_assert_cmpuint (confab_test_search_count (store, "   "), ==, 0);

  /* Best match first, same objects as everywhere else, limit honoured. */
  results = confab_store_search (store, "fox", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_true (g_ptr_array_index (results, 0) == foxes);
  g_assert_true (g_ptr_array_index (results, 1) == fox);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = confab_store_search (store, "fox", 1, &error);
  g_assert_cmpuint (results->len, ==, 1);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* A streaming message is not indexed until it finishes. */
  streaming = confab_test_add_message (store, confab_chat_get_id (chat), 0,
                                       CONFAB_ROLE_ASSISTANT, CONFAB_MESSAGE_STATUS_STREAMING,
                                       "partial");
  g_assert_true (confab_store_set_message_content (store, streaming, "partial zebra", &error));
  g_assert_cmpuint (confab_test_search_count (store, "zebra"), ==, 0);
  g_assert_cmpuint (confab_test_search_count (store, "partial"), ==, 0);
  g_assert_true (confab_store_finish_message (store, streaming, CONFAB_MESSAGE_STATUS_COMPLETE,
                                              NULL, 10, 20, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (confab_test_search_count (store, "zebra"), ==, 1);

  /* Edits re-index; deletes un-index. */
  g_assert_true (confab_store_set_message_content (store, fox, "The lazy dog", &error));
  g_assert_cmpuint (confab_test_search_count (store, "quick"), ==, 0);
  g_assert_cmpuint (confab_test_search_count (store, "lazy"), ==, 1);
  g_assert_true (confab_store_delete_message (store, creme, &error));
  g_assert_cmpuint (confab_test_search_count (store, "creme"), ==, 0);
  g_assert_no_error (error);

  confab_test_exec (store, "INSERT INTO messages_fts (messages_fts, rank)"
                           " VALUES ('integrity-check', 1)");
}

static void
test_search_hostile (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char *const queries[] = {
    "\"foo", "a*b", "-x", "NEAR(", "NEAR(a b, 2)", "foo:bar", "content:foo", "OR",
    "AND NOT", "(", ")", "\"", "\"\"", "*", "^foo", "{content}: x", "a + b", "'", "\\",
    "foo\"bar", "x OR y", "🙂", "\t\n", "\xff\xfe", "%_", "NOT foo",
  };
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(ConfabMessage) m = confab_test_add_text (store, chat, 0,
                                                     "foo bar \"quoted\" a*b x-ray "
                                                     "near NEAR or OR");

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) results = confab_store_search (store, queries[i], 10, &error);

      g_assert_no_error (error);
      g_assert_nonnull (results);
    }

  /* Quoted text still finds what it says. */
  g_assert_cmpuint (confab_test_search_count (store, "\"foo"), ==, 1);
  g_assert_cmpuint (confab_test_search_count (store, "a*b"), ==, 1);
  g_assert_cmpuint (confab_test_search_count (store, "foo:bar"), ==, 1);
  g_assert_cmpuint (confab_test_search_count (store, "NEAR("), ==, 1);
  g_assert_cmpuint (confab_test_search_count (store, "OR"), ==, 1);
  g_assert_cmpuint (confab_test_search_count (store, "NOT foo"), ==, 0);
}

/* ---- Files that are not ours */

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

  ADD_TEST ("/confab/store/chats-model", test_chats_model);
  ADD_TEST ("/confab/store/message-list/live", test_message_list_live);
  ADD_TEST ("/confab/store/message-list/pages", test_message_list_pages);
  ADD_TEST ("/confab/store/message-list/paging-100k", test_paging);
  ADD_TEST ("/confab/store/search", test_search);
  ADD_TEST ("/confab/store/search-hostile", test_search_hostile);

  return confab_test_run ();
}
