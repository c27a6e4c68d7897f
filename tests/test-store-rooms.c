/* test-store-rooms.c: shared projects in the store (schema 4): binding a
 * project to a room, the server's ids of chats and messages, and events
 * applied exactly once with the room's sequence number.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <sqlite3.h>

#include "confab-test-utils.h"

typedef ConfabTestStore Fixture;

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, confab_test_store_setup, func, confab_test_store_teardown)

static void
test_bind (Fixture       *fixture,
           gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "Team");
  g_autoptr(ConfabProject) other = confab_test_create_project (store, "Other");
  g_autoptr(GError) error = NULL;
  gint64 id = confab_project_get_id (project);
  guint n_shared = 0;
  guint n_role = 0;

  g_signal_connect (project, "notify::shared", G_CALLBACK (confab_test_count_notify), &n_shared);
  g_signal_connect (project, "notify::room-role", G_CALLBACK (confab_test_count_notify), &n_role);

  g_assert_false (confab_project_get_shared (project));
  g_assert_true (confab_store_bind_project_room (store, project, "https://example.org", "r1",
                                                 "owner", 0, &error));
  g_assert_no_error (error);
  g_assert_true (confab_project_get_shared (project));
  g_assert_cmpuint (n_shared, ==, 1);
  g_assert_cmpuint (n_role, ==, 1);
  g_assert_cmpstr (confab_project_get_room_id (project), ==, "r1");
  g_assert_cmpstr (confab_project_get_room_server (project), ==, "https://example.org");
  g_assert_cmpstr (confab_project_get_room_role (project), ==, "owner");

  /* One local project per room. */
  g_assert_false (confab_store_bind_project_room (store, other, "https://example.org", "r1",
                                                  "member", 0, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (confab_project_get_shared (other));
  /* The same room id on another server is another room. */
  g_assert_true (confab_store_bind_project_room (store, other, "https://other.org", "r1",
                                                 "viewer", 0, &error));
  g_assert_no_error (error);

  g_assert_true (confab_store_set_project_room_role (store, project, "admin", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_role, ==, 2);

  g_signal_handlers_disconnect_by_data (project, &n_shared);
  g_signal_handlers_disconnect_by_data (project, &n_role);
  g_clear_object (&project);
  g_clear_object (&other);
  confab_test_store_reopen (fixture);

  project = confab_store_lookup_project (fixture->store, id, &error);
  g_assert_no_error (error);
  g_assert_true (confab_project_get_shared (project));
  g_assert_cmpstr (confab_project_get_room_id (project), ==, "r1");
  g_assert_cmpstr (confab_project_get_room_server (project), ==, "https://example.org");
  g_assert_cmpstr (confab_project_get_room_role (project), ==, "admin");
}

static void
test_remote_ids (Fixture       *fixture,
                 gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "Team");
  g_autoptr(ConfabProject) other = confab_test_create_project (store, "Other");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(ConfabChat) other_chat = confab_test_create_chat (store, other, "o");
  g_autoptr(ConfabMessage) message = confab_test_add_text (store, chat, 0, "hi");
  g_autoptr(ConfabMessage) reply = confab_test_add_text (store, chat,
                                                         confab_message_get_id (message),
                                                         "in a thread");
  g_autoptr(ConfabChat) found_chat = NULL;
  g_autoptr(ConfabMessage) found = NULL;
  g_autoptr(GError) error = NULL;
  gint64 chat_id = confab_chat_get_id (chat);
  gint64 reply_id = confab_message_get_id (reply);
  guint n_notify = 0;

  g_assert_true (confab_store_bind_project_room (store, project, "http://s", "r1", "member", 0,
                                                 &error));
  g_assert_no_error (error);

  g_signal_connect (message, "notify::remote-id", G_CALLBACK (confab_test_count_notify),
                    &n_notify);
  g_assert_true (confab_store_set_chat_remote_id (store, chat, "c1", &error));
  g_assert_true (confab_store_set_message_remote_id (store, message, "m1", &error));
  g_assert_true (confab_store_set_message_remote_id (store, reply, "m2", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_notify, ==, 1);
  g_assert_cmpstr (confab_chat_get_remote_id (chat), ==, "c1");
  g_assert_cmpstr (confab_message_get_remote_id (message), ==, "m1");

  found_chat = confab_store_lookup_chat_by_remote_id (store, project, "c1", &error);
  g_assert_no_error (error);
  g_assert_true (found_chat == chat);
  found = confab_store_lookup_message_by_remote_id (store, project, "m1", &error);
  g_assert_no_error (error);
  g_assert_true (found == message);
  g_clear_object (&found);

  /* Lookups stay inside their project. */
  g_assert_null (confab_store_lookup_chat_by_remote_id (store, other, "c1", &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (confab_store_lookup_message_by_remote_id (store, other, "m1", &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (confab_store_lookup_message_by_remote_id (store, project, "m9", &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Read back from the rows, not the live objects. */
  g_clear_object (&reply);
  found = confab_store_lookup_message_by_remote_id (store, project, "m2", &error);
  g_assert_no_error (error);
  g_assert_cmpint (confab_message_get_id (found), ==, reply_id);
  g_assert_cmpstr (confab_message_get_remote_id (found), ==, "m2");
  g_assert_cmpint (confab_message_get_parent_id (found), ==, confab_message_get_id (message));
  g_clear_object (&found);

  /* Unbinding forgets every id of the project, in rows and objects. */
  g_assert_true (confab_store_set_chat_remote_id (store, other_chat, "c7", &error));
  g_assert_true (confab_store_unbind_project_room (store, project, &error));
  g_assert_no_error (error);
  g_assert_false (confab_project_get_shared (project));
  g_assert_null (confab_project_get_room_id (project));
  g_assert_null (confab_chat_get_remote_id (chat));
  g_assert_null (confab_message_get_remote_id (message));
  g_assert_cmpuint (n_notify, ==, 2);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"
                                                 " WHERE remote_id IS NOT NULL"), ==, 0);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM chats"
                                                 " WHERE remote_id IS NOT NULL"), ==, 1);
  g_assert_cmpstr (confab_chat_get_remote_id (other_chat), ==, "c7");
  g_assert_true (confab_test_chat_exists (store, chat_id));
  g_signal_handlers_disconnect_by_data (message, &n_notify);
}

typedef struct
{
  ConfabChat *chat;
  const char *text;
  guint       n_calls;
  gboolean    fail;
} Apply;

static gboolean
apply_add_text (ConfabStore    *store,
                ConfabProject  *project,
                gpointer        user_data,
                GError        **error)
{
  Apply *apply = user_data;
  g_autoptr(ConfabMessage) message = NULL;
  ConfabMessageDraft draft = {
    .chat_id = confab_chat_get_id (apply->chat),
    .role = CONFAB_ROLE_USER,
    .author = "ada",
    .content = apply->text,
    .input_tokens = -1,
    .output_tokens = -1,
  };

  apply->n_calls++;
  message = confab_store_add_message (store, &draft, error);
  if (message == NULL)
    return FALSE;

  if (apply->fail)
    {
      g_set_error_literal (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED, "no");
      return FALSE;
    }

  return TRUE;
}

static void
test_apply_event (Fixture       *fixture,
                  gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "Team");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(GError) error = NULL;
  gint64 project_id = confab_project_get_id (project);
  gboolean applied = FALSE;
  Apply apply = { chat, "first", 0, FALSE };
  const char *count_sql = "SELECT count(*) FROM messages";

  g_assert_true (confab_store_bind_project_room (store, project, "http://s", "r1", "member", 0,
                                                 &error));
  g_assert_no_error (error);

  g_assert_true (confab_store_apply_room_event (store, project, 1, apply_add_text, &apply,
                                                &applied, &error));
  g_assert_no_error (error);
  g_assert_true (applied);
  g_assert_cmpuint (apply.n_calls, ==, 1);
  g_assert_cmpint (confab_project_get_room_seq (project), ==, 1);
  g_assert_cmpint (confab_test_query_int (store, count_sql), ==, 1);

  /* Again (a replay after a crash or a reconnection): skipped. */
  g_assert_true (confab_store_apply_room_event (store, project, 1, apply_add_text, &apply,
                                                &applied, &error));
  g_assert_no_error (error);
  g_assert_false (applied);
  g_assert_cmpuint (apply.n_calls, ==, 1);
  g_assert_cmpint (confab_test_query_int (store, count_sql), ==, 1);

  /* A gap is refused, untouched. */
  g_assert_false (confab_store_apply_room_event (store, project, 3, apply_add_text, &apply,
                                                 &applied, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (applied);
  g_assert_cmpuint (apply.n_calls, ==, 1);

  /* A failing event leaves neither its writes nor its seq. */
  apply.fail = TRUE;
  apply.text = "undone";
  g_assert_false (confab_store_apply_room_event (store, project, 2, apply_add_text, &apply,
                                                 &applied, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (apply.n_calls, ==, 2);
  g_assert_cmpint (confab_project_get_room_seq (project), ==, 1);
  g_assert_cmpint (confab_test_query_int (store, count_sql), ==, 1);
  g_assert_cmpint (confab_test_query_int (store, "SELECT room_seq FROM projects"), ==, 1);

  apply.fail = FALSE;
  apply.text = "second";
  g_assert_true (confab_store_apply_room_event (store, project, 2, apply_add_text, &apply,
                                                &applied, &error));
  g_assert_no_error (error);
  g_assert_true (applied);
  g_assert_cmpint (confab_project_get_room_seq (project), ==, 2);

  /* Outside any transaction afterwards. */
  g_assert_true (sqlite3_get_autocommit (confab_test_store_db (store)));

  g_clear_object (&chat);
  g_clear_object (&project);
  confab_test_store_reopen (fixture);
  project = confab_store_lookup_project (fixture->store, project_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (confab_project_get_room_seq (project), ==, 2);
  g_assert_cmpint (confab_test_query_int (fixture->store, count_sql), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

  ADD_TEST ("/confab/store-rooms/bind", test_bind);
  ADD_TEST ("/confab/store-rooms/remote-ids", test_remote_ids);
  ADD_TEST ("/confab/store-rooms/apply-event", test_apply_event);

  return confab_test_run ();
}
