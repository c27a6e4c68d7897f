/* test-store-search.c: search hits with their excerpts, searching in a
 * worker thread, and the position of a message in its line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include "confab-test-utils.h"

typedef ConfabTestStore Fixture;

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, confab_test_store_setup, func, confab_test_store_teardown)

static GPtrArray *
search_hits (ConfabStore *store,
             const char  *query,
             gint64       chat_id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *hits = confab_store_search_hits (store, query, chat_id, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (hits);
  return hits;
}

static ConfabSearchHit *
hit_at (GPtrArray *hits,
        guint      index)
{
  g_assert_cmpuint (index, <, hits->len);
  return g_ptr_array_index (hits, index);
}

/* The excerpt must parse as markup whatever the message contained. */
static void
assert_valid_markup (const char *markup)
{
  g_autofree char *wrapped = g_strdup_printf ("<markup>%s</markup>", markup);
  static const GMarkupParser parser = { 0 };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;

  context = g_markup_parse_context_new (&parser, 0, NULL, NULL);
  g_markup_parse_context_parse (context, wrapped, -1, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
}

static void
test_hits (Fixture       *fixture,
           gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) work = confab_test_create_project (store, "Work & Play");
  g_autoptr(ConfabProject) home = confab_test_create_project (store, "Home");
  g_autoptr(ConfabChat) plans = confab_test_create_chat (store, work, "Plans <draft>");
  g_autoptr(ConfabChat) garden = confab_test_create_chat (store, home, "Garden");
  g_autoptr(ConfabMessage) first = NULL;
  g_autoptr(ConfabMessage) second = NULL;
  g_autoptr(ConfabMessage) other = NULL;
  g_autoptr(ConfabMessage) reply = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  ConfabSearchHit *hit;

  first = confab_test_add_text (store, plans, 0, "The <b>tomato</b> & \"friends\" plan");
  other = confab_test_add_text (store, garden, 0, "Tomatoes need sun,\nwater and tomato food");
  second = confab_test_add_text (store, plans, 0, "Another tomato\x01 with odd bytes\x02 inside");
  reply = confab_test_add_text (store, plans, confab_message_get_id (first), "tomato thread");

  /* Everything: every hit knows its chat and project. */
  hits = search_hits (store, "tomato", 0);
  g_assert_cmpuint (hits->len, ==, 4);
  for (guint i = 0; i < hits->len; i++)
    {
      hit = hit_at (hits, i);
      assert_valid_markup (confab_search_hit_get_snippet (hit));
      g_assert_nonnull (strstr (confab_search_hit_get_snippet (hit), "<b>"));

      if (confab_search_hit_get_message_id (hit) == confab_message_get_id (other))
        {
          g_assert_cmpint (confab_search_hit_get_chat_id (hit), ==, confab_chat_get_id (garden));
          g_assert_cmpint (confab_search_hit_get_project_id (hit), ==,
                           confab_project_get_id (home));
          g_assert_cmpstr (confab_search_hit_get_chat_title (hit), ==, "Garden");
          g_assert_cmpstr (confab_search_hit_get_project_name (hit), ==, "Home");
          /* Prefix match and one line. */
          g_assert_cmpstr (confab_search_hit_get_snippet (hit), ==,
                           "<b>Tomatoes</b> need sun, water and <b>tomato</b> food");
          g_assert_cmpint (confab_search_hit_get_parent_id (hit), ==, 0);
          g_assert_cmpint (confab_search_hit_get_created (hit), ==,
                           confab_message_get_created (other));
        }
      else if (confab_search_hit_get_message_id (hit) == confab_message_get_id (first))
        {
          /* The message's own tags and entities are text, escaped. */
          g_assert_cmpstr (confab_search_hit_get_snippet (hit), ==,
                           "The &lt;b&gt;<b>tomato</b>&lt;/b&gt; &amp; &quot;friends&quot; plan");
          g_assert_cmpstr (confab_search_hit_get_chat_title (hit), ==, "Plans <draft>");
          g_assert_cmpstr (confab_search_hit_get_project_name (hit), ==, "Work & Play");
          g_assert_cmpint (confab_search_hit_get_role (hit), ==, CONFAB_ROLE_USER);
        }
      else if (confab_search_hit_get_message_id (hit) == confab_message_get_id (reply))
        {
          g_assert_cmpint (confab_search_hit_get_parent_id (hit), ==,
                           confab_message_get_id (first));
        }
      else
        {
          g_assert_cmpint (confab_search_hit_get_message_id (hit), ==,
                           confab_message_get_id (second));
          /* Stray control bytes in a message look like the match marks:
           * they may embolden text but never unbalance the tags (checked
           * above) nor reach the label. */
          g_assert_true (g_str_has_prefix (confab_search_hit_get_snippet (hit),
                                           "Another <b>tomato</b>"));
          g_assert_null (strpbrk (confab_search_hit_get_snippet (hit), "\x01\x02"));
        }
    }
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* One chat: its main line and threads, newest first. */
  hits = search_hits (store, "TOMATO", confab_chat_get_id (plans));
  g_assert_cmpuint (hits->len, ==, 3);
  g_assert_cmpint (confab_search_hit_get_message_id (hit_at (hits, 0)), ==,
                   confab_message_get_id (reply));
  g_assert_cmpint (confab_search_hit_get_message_id (hit_at (hits, 1)), ==,
                   confab_message_get_id (second));
  g_assert_cmpint (confab_search_hit_get_message_id (hit_at (hits, 2)), ==,
                   confab_message_get_id (first));
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Every word must match; FTS5 syntax is just text; no words, no hits. */
  hits = search_hits (store, "tomato sun", 0);
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search_hits (store, "tomato OR \"NEAR(", 0);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search_hits (store, "  \t ", 0);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* The limit keeps the best. */
  {
    g_autoptr(GError) error = NULL;

    hits = confab_store_search_hits (store, "tomato", 0, 2, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (hits->len, ==, 2);
  }
}

typedef struct
{
  GPtrArray *hits;
  GError    *error;
  gboolean   done;
  GWeakRef   task;
} AsyncResult;

static void
search_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncResult *async = user_data;

  async->hits = confab_store_search_hits_finish (CONFAB_STORE (object), result, &async->error);
  g_weak_ref_init (&async->task, result);
  async->done = TRUE;
}

static void
run_async (ConfabStore  *store,
           const char   *query,
           gint64        chat_id,
           GCancellable *cancellable,
           AsyncResult  *async)
{
  GObject *task;

  *async = (AsyncResult) { 0 };
  confab_store_search_hits_async (store, query, chat_id, 0, cancellable, search_done_cb, async);
  while (!async->done)
    g_main_context_iteration (NULL, TRUE);

  /* The worker thread drops its reference to the task (and so to the
   * store) just after the result is delivered: wait for it, so the
   * fixture can prove the store is finalized. */
  while ((task = g_weak_ref_get (&async->task)) != NULL)
    {
      g_object_unref (task);
      g_usleep (1000);
    }
  g_weak_ref_clear (&async->task);
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "C");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) sync_hits = NULL;
  AsyncResult async;

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u about apples", i);
      g_autoptr(ConfabMessage) message = confab_test_add_text (store, chat, 0, text);
    }

  /* The worker's connection sees what the store committed, in the same order. */
  sync_hits = search_hits (store, "apples", 0);
  run_async (store, "apples", 0, NULL, &async);
  g_assert_no_error (async.error);
  g_assert_cmpuint (async.hits->len, ==, 200);
  for (guint i = 0; i < sync_hits->len; i++)
    g_assert_cmpint (confab_search_hit_get_message_id (hit_at (async.hits, i)), ==,
                     confab_search_hit_get_message_id (hit_at (sync_hits, i)));
  g_clear_pointer (&async.hits, g_ptr_array_unref);

  run_async (store, "apples", confab_chat_get_id (chat), NULL, &async);
  g_assert_no_error (async.error);
  g_assert_cmpuint (async.hits->len, ==, 200);
  g_clear_pointer (&async.hits, g_ptr_array_unref);

  /* No words: nothing, at once. */
  run_async (store, " ", 0, NULL, &async);
  g_assert_no_error (async.error);
  g_assert_cmpuint (async.hits->len, ==, 0);
  g_clear_pointer (&async.hits, g_ptr_array_unref);

  /* Cancelled: an error, never results. */
  g_cancellable_cancel (cancellable);
  run_async (store, "apples", 0, cancellable, &async);
  g_assert_error (async.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (async.hits);
  g_clear_error (&async.error);
}

static void
test_async_in_memory (void)
{
  g_autoptr(ConfabStore) store = confab_test_store_new (":memory:");
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "C");
  g_autoptr(ConfabMessage) message = confab_test_add_text (store, chat, 0, "pears");
  AsyncResult async;

  /* No file for a second connection: searched on the calling thread. */
  run_async (store, "pear", 0, NULL, &async);
  g_assert_no_error (async.error);
  g_assert_cmpuint (async.hits->len, ==, 1);
  g_clear_pointer (&async.hits, g_ptr_array_unref);
}

static void
assert_position (ConfabStore   *store,
                 ConfabMessage *message,
                 guint          expected)
{
  g_autoptr(ConfabMessageList) list = NULL;
  g_autoptr(ConfabMessage) item = NULL;
  g_autoptr(GError) error = NULL;
  guint position = G_MAXUINT;

  g_assert_true (confab_store_get_message_position (store, message, &position, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (position, ==, expected);

  /* The same index the paged list gives it. */
  list = confab_store_list_messages (store, confab_message_get_chat_id (message),
                                     confab_message_get_parent_id (message));
  item = g_list_model_get_item (G_LIST_MODEL (list), position);
  g_assert_true (item == message);
}

static void
test_position (Fixture       *fixture,
               gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "C");
  g_autoptr(ConfabChat) other_chat = confab_test_create_chat (store, project, "D");
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(ConfabMessage) reply1 = NULL;
  g_autoptr(ConfabMessage) reply2 = NULL;
  g_autoptr(ConfabMessage) elsewhere = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessage *parent;
  guint position;

  /* More than a page, interleaved with another chat and a thread, so only
   * the right line is counted. */
  for (guint i = 0; i < CONFAB_MESSAGE_LIST_PAGE_SIZE * 2 + 10; i++)
    {
      g_autoptr(ConfabMessage) noise = confab_test_add_text (store, other_chat, 0, "noise");

      g_ptr_array_add (messages, confab_test_add_text (store, chat, 0, "line"));
    }
  parent = g_ptr_array_index (messages, 3);
  reply1 = confab_test_add_text (store, chat, confab_message_get_id (parent), "r1");
  elsewhere = confab_test_add_text (store, chat, 0, "after the thread");
  reply2 = confab_test_add_text (store, chat, confab_message_get_id (parent), "r2");

  assert_position (store, g_ptr_array_index (messages, 0), 0);
  assert_position (store, parent, 3);
  assert_position (store, g_ptr_array_index (messages, CONFAB_MESSAGE_LIST_PAGE_SIZE + 7),
                   CONFAB_MESSAGE_LIST_PAGE_SIZE + 7);
  assert_position (store, elsewhere, messages->len);
  assert_position (store, reply1, 0);
  assert_position (store, reply2, 1);

  /* A deleted message has no position. */
  g_assert_true (confab_store_delete_message (store, elsewhere, &error));
  g_assert_no_error (error);
  g_assert_false (confab_store_get_message_position (store, elsewhere, &position, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
}

/* Edited or regenerated messages leave versions off the current line:
 * searching everything finds them, a chat's find bar and positions do not
 * until their branch is activated. */
static void
test_branches (Fixture       *fixture,
               gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "C");
  g_autoptr(ConfabMessage) question = confab_test_add_text (store, chat, 0, "plum question");
  g_autoptr(ConfabMessage) old_reply = confab_test_add_text (store, chat, 0, "plum reply");
  g_autoptr(ConfabMessage) new_reply = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessageDraft draft = {
    .chat_id = confab_chat_get_id (chat),
    .role = CONFAB_ROLE_ASSISTANT,
    .author = "model",
    .content = "plum regenerated",
    .status = CONFAB_MESSAGE_STATUS_COMPLETE,
    .input_tokens = -1,
    .output_tokens = -1,
  };
  guint position = G_MAXUINT;

  new_reply = confab_store_add_alternative (store, old_reply, &draft, &error);
  g_assert_no_error (error);
  g_assert_false (confab_message_get_active (old_reply));

  hits = search_hits (store, "plum", 0);
  g_assert_cmpuint (hits->len, ==, 3);
  g_clear_pointer (&hits, g_ptr_array_unref);

  hits = search_hits (store, "plum", confab_chat_get_id (chat));
  g_assert_cmpuint (hits->len, ==, 2);
  g_assert_cmpint (confab_search_hit_get_message_id (hit_at (hits, 0)), ==,
                   confab_message_get_id (new_reply));
  g_assert_cmpint (confab_search_hit_get_message_id (hit_at (hits, 1)), ==,
                   confab_message_get_id (question));
  g_clear_pointer (&hits, g_ptr_array_unref);

  assert_position (store, new_reply, 1);
  g_assert_false (confab_store_get_message_position (store, old_reply, &position, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Switched back to, it has the place the new version had. */
  g_assert_true (confab_store_activate_branch (store, old_reply, &error));
  g_assert_no_error (error);
  assert_position (store, old_reply, 1);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

  ADD_TEST ("/confab/store/search-hits", test_hits);
  ADD_TEST ("/confab/store/search-hits-async", test_async);
  g_test_add_func ("/confab/store/search-hits-async-in-memory", test_async_in_memory);
  ADD_TEST ("/confab/store/message-position", test_position);
  ADD_TEST ("/confab/store/search-hits-branches", test_branches);

  return confab_test_run ();
}
