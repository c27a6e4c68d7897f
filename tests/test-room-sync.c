/* test-room-sync.c: shared projects between two desktops through a real
 * confabd: sharing, joining with an invite, a reply relayed as it streams,
 * writing back (in threads too), viewers, and losing a room.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include "confab-test-room-sync.h"

typedef RoomTestFixture Fixture;

static void
test_share_join (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ConfabProject) a_project = NULL;
  g_autoptr(ConfabProject) b_project = NULL;
  g_autoptr(ConfabChat) a_chat = NULL;
  g_autoptr(ConfabChat) b_chat = NULL;
  g_autoptr(ConfabMessageList) b_line = NULL;
  g_autoptr(ConfabMessage) b_hello = NULL;
  g_autofree char *a_dump = NULL;
  g_autofree char *b_dump = NULL;
  g_autofree char *b_thread = NULL;
  GListModel *members;

  room_test_share_and_join (fixture, CONFAB_ROOM_ROLE_MEMBER, &a_project, &a_chat,
                            &b_project, &b_chat);

  /* A's side: bound, every row with the server's id, nothing copied. */
  g_assert_true (confab_project_get_shared (a_project));
  g_assert_true (confab_room_sync_is_shared (fixture->a.sync, a_project));
  g_assert_cmpint (confab_room_sync_get_role (fixture->a.sync, a_project), ==,
                   CONFAB_ROOM_ROLE_OWNER);
  g_assert_nonnull (confab_chat_get_remote_id (a_chat));
  g_assert_cmpuint (room_test_count_messages (fixture->a.store, a_chat), ==, 3);
  g_assert_cmpint (confab_test_query_int (fixture->a.store, "SELECT count(*) FROM messages"
                                                            " WHERE remote_id IS NULL"), ==, 0);

  /* B's: the same project, chat, messages and thread. */
  g_assert_cmpstr (confab_project_get_name (b_project), ==, "Team");
  g_assert_cmpint (confab_room_sync_get_role (fixture->b.sync, b_project), ==,
                   CONFAB_ROOM_ROLE_MEMBER);
  g_assert_cmpstr (confab_project_get_room_id (b_project), ==,
                   confab_project_get_room_id (a_project));
  g_assert_cmpint (confab_project_get_room_seq (b_project), ==,
                   confab_project_get_room_seq (a_project));
  g_assert_cmpstr (confab_chat_get_title (b_chat), ==, "Plan");
  g_assert_cmpstr (confab_chat_get_remote_id (b_chat), ==, confab_chat_get_remote_id (a_chat));
  b_dump = room_test_dump_line (fixture->b.store, b_chat, 0);
  g_assert_cmpstr (b_dump, ==,
                   "ada|user|complete|Hello\n"
                   MODEL "|assistant|complete|Hi there\n");
  b_line = confab_store_list_messages (fixture->b.store, confab_chat_get_id (b_chat), 0);
  b_hello = g_list_model_get_item (G_LIST_MODEL (b_line), 0);
  g_assert_cmpuint (confab_message_get_reply_count (b_hello), ==, 1);
  b_thread = room_test_dump_line (fixture->b.store, b_chat, confab_message_get_id (b_hello));
  g_assert_cmpstr (b_thread, ==, "ada|user|complete|An aside\n");
  g_assert_cmpuint (room_test_count_messages (fixture->b.store, b_chat), ==, 3);

  /* Both see both members. */
  members = confab_room_sync_get_members (fixture->b.sync, b_project);
  WAIT_FOR (g_list_model_get_n_items (members) == 2, "B's members");
  members = confab_room_sync_get_members (fixture->a.sync, a_project);
  WAIT_FOR (g_list_model_get_n_items (members) == 2, "A's members");

  /* A's local author stays; the rest matches. */
  a_dump = room_test_dump_line (fixture->a.store, a_chat, 0);
  g_assert_nonnull (strstr (a_dump, MODEL "|assistant|complete|Hi there\n"));

  /* A edits its first message (another client could) and deletes the
   * reply: B follows. */
  {
    g_autoptr(ConfabMessageList) a_line = confab_store_list_messages (fixture->a.store,
                                                                      confab_chat_get_id (a_chat),
                                                                      0);
    g_autoptr(ConfabMessage) a_hello = g_list_model_get_item (G_LIST_MODEL (a_line), 0);
    g_autoptr(ConfabMessage) a_reply = g_list_model_get_item (G_LIST_MODEL (a_line), 1);
    g_autoptr(ConfabMessage) b_reply = NULL;
    g_autoptr(JsonNode) frame = json_node_new (JSON_NODE_OBJECT);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(JsonNode) answer = NULL;
    g_autoptr(GError) error = NULL;
    JsonObject *object = json_object_new ();

    json_node_take_object (frame, object);
    json_object_set_string_member (object, "type", "message.edit");
    json_object_set_string_member (object, "room", confab_project_get_room_id (a_project));
    json_object_set_string_member (object, "message", confab_message_get_remote_id (a_hello));
    json_object_set_string_member (object, "text", "Hello, edited");
    confab_room_client_request_async (fixture->a.client, frame, NULL, confabd_test_result_cb,
                                      &result);
    WAIT_FOR (result != NULL, "the edit");
    answer = confab_room_client_request_finish (fixture->a.client, result, &error);
    g_assert_no_error (error);
    WAIT_FOR (g_str_equal (confab_message_get_content (b_hello), "Hello, edited"),
              "B to see the edit");

    b_reply = room_test_find_remote (&fixture->b, b_project,
                                     confab_message_get_remote_id (a_reply));
    g_assert_nonnull (b_reply);
    g_assert_true (confab_store_delete_message (fixture->a.store, a_reply, &error));
    g_assert_no_error (error);
    confab_room_sync_publish_delete (fixture->a.sync, a_reply);
    WAIT_FOR (room_test_count_messages (fixture->b.store, b_chat) == 2, "B to see the deletion");
    g_assert_false (confab_test_message_exists (fixture->b.store,
                                                confab_message_get_id (b_reply)));
    WAIT_FOR (confab_project_get_room_seq (a_project) == confab_project_get_room_seq (b_project),
              "A to apply its own events");
    g_assert_cmpuint (room_test_count_messages (fixture->a.store, a_chat), ==, 2);
  }
  g_assert_cmpuint (fixture->a.n_errors + fixture->b.n_errors, ==, 0);
}

static void
test_relay (Fixture       *fixture,
            gconstpointer  data)
{
  static const char * const tokens[] = {
    "One ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight ", "nine ", "ten.",
    NULL
  };
  g_autoptr(ConfabProject) a_project = NULL;
  g_autoptr(ConfabProject) b_project = NULL;
  g_autoptr(ConfabChat) a_chat = NULL;
  g_autoptr(ConfabChat) b_chat = NULL;
  g_autoptr(ConfabChatSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ConfabMessage) a_reply = NULL;
  g_autoptr(ConfabMessage) b_reply = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *b_dump = NULL;
  g_autofree char *expected = NULL;

  room_test_share_and_join (fixture, CONFAB_ROOM_ROLE_MEMBER, &a_project, &a_chat,
                            &b_project, &b_chat);

  /* A asks; B watches the reply stream into its own store. */
  a_reply = room_test_start_turn (fixture, &fixture->a, a_chat, "Count to ten", tokens, 80,
                                  &session, &result);
  WAIT_FOR ((b_reply = room_test_find_remote (&fixture->b, b_project,
                                              confab_message_get_remote_id (a_reply))) != NULL,
            "B's copy of the reply");
  WAIT_FOR (room_test_record_content (b_reply, seen), "the end of B's copy");
  room_test_finish_turn (session, &result);

  /* Pieces arrived while it streamed, each a prefix of the next. */
  g_test_message ("B saw %u versions of the reply while it streamed", seen->len);
  g_assert_cmpuint (seen->len, >=, 2);
  for (guint i = 1; i < seen->len; i++)
    g_assert_true (g_str_has_prefix (g_ptr_array_index (seen, i),
                                     g_ptr_array_index (seen, i - 1)));
  g_assert_cmpstr (confab_message_get_content (b_reply), ==, "One two three four five six "
                                                             "seven eight nine ten.");
  g_assert_cmpint (confab_message_get_status (b_reply), ==, CONFAB_MESSAGE_STATUS_COMPLETE);
  g_assert_cmpstr (confab_message_get_author (b_reply), ==, MODEL);
  g_assert_cmpstr (confab_message_get_model (b_reply), ==, "gpt-4o-mini");

  /* The prompt came too, by its author; no copies on either side. */
  WAIT_FOR (room_test_count_messages (fixture->b.store, b_chat) == 5, "B's copy of the prompt");
  b_dump = room_test_dump_line (fixture->b.store, b_chat, 0);
  g_assert_cmpstr (b_dump, ==,
                   "ada|user|complete|Hello\n"
                   MODEL "|assistant|complete|Hi there\n"
                   "ada|user|complete|Count to ten\n"
                   MODEL "|assistant|complete|One two three four five six seven eight nine ten.\n");
  WAIT_FOR (confab_project_get_room_seq (a_project) == confab_project_get_room_seq (b_project),
            "A to apply its own events");
  g_assert_cmpuint (room_test_count_messages (fixture->a.store, a_chat), ==, 5);

  /* B writes back (typing first); A gets it. */
  confab_room_sync_typing (fixture->b.sync, b_chat, 0);
  expected = g_strdup_printf ("bob:%" G_GINT64_FORMAT "/0 ", confab_chat_get_id (a_chat));
  WAIT_FOR (strstr (fixture->a.typing->str, expected) != NULL, "A to see B typing");

  room_test_run_turn (fixture, &fixture->b, b_chat, "Thanks");
  WAIT_FOR (room_test_line_ends_with (fixture->a.store, a_chat,
                                      "bob|user|complete|Thanks\n"
                                      MODEL "|assistant|complete|" ECHO "Thanks\n"),
            "A's copy of B's turn");
  g_assert_cmpuint (room_test_count_messages (fixture->a.store, a_chat), ==, 7);
  g_assert_cmpuint (room_test_count_messages (fixture->b.store, b_chat), ==, 7);

  /* B answers in the thread of A's first message: it lands in A's thread. */
  {
    g_autoptr(ConfabMessageList) b_line = confab_store_list_messages (fixture->b.store,
                                                                      confab_chat_get_id (b_chat),
                                                                      0);
    g_autoptr(ConfabMessage) b_hello = g_list_model_get_item (G_LIST_MODEL (b_line), 0);
    g_autoptr(ConfabMessage) a_hello = NULL;

    room_test_run_turn_in (fixture, &fixture->b, b_chat, confab_message_get_id (b_hello),
                           "Aside too");
    a_hello = room_test_find_remote (&fixture->a, a_project,
                                     confab_message_get_remote_id (b_hello));
    g_assert_nonnull (a_hello);
    WAIT_FOR (room_test_thread_is (fixture->a.store, a_chat, confab_message_get_id (a_hello),
                                   "bob|user|complete|Aside too\n"
                                   MODEL "|assistant|complete|" ECHO "Aside too\n"),
              "A's copy of B's thread reply");
    g_assert_cmpuint (confab_message_get_reply_count (a_hello), ==, 3);
  }
  g_assert_cmpuint (fixture->a.n_errors + fixture->b.n_errors, ==, 0);
}

static void
test_viewer (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(ConfabProject) a_project = NULL;
  g_autoptr(ConfabProject) b_project = NULL;
  g_autoptr(ConfabChat) a_chat = NULL;
  g_autoptr(ConfabChat) b_chat = NULL;
  g_autoptr(ConfabChat) local_chat = NULL;
  g_autoptr(ConfabProject) local = NULL;
  g_autoptr(GError) error = NULL;

  room_test_share_and_join (fixture, CONFAB_ROOM_ROLE_VIEWER, &a_project, &a_chat,
                            &b_project, &b_chat);

  g_assert_cmpint (confab_room_sync_get_role (fixture->b.sync, b_project), ==,
                   CONFAB_ROOM_ROLE_VIEWER);
  g_assert_cmpstr (confab_project_get_room_role (b_project), ==, "viewer");
  g_assert_false (confab_room_sync_can_write (fixture->b.sync, b_chat, &error));
  g_assert_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* The viewer still reads what A writes. */
  room_test_run_turn (fixture, &fixture->a, a_chat, "For your eyes");
  WAIT_FOR (room_test_count_messages (fixture->b.store, b_chat) == 5, "B to read A's turn");

  /* A local project is not the sync's business. */
  local = confab_test_create_project (fixture->b.store, "Mine");
  local_chat = confab_test_create_chat (fixture->b.store, local, "c");
  g_assert_true (confab_room_sync_can_write (fixture->b.sync, local_chat, &error));
  g_assert_no_error (error);
  g_assert_false (confab_room_sync_is_shared (fixture->b.sync, local));
  g_assert_cmpint (confab_room_sync_get_role (fixture->b.sync, local), ==,
                   CONFAB_ROOM_ROLE_NONE);
  g_assert_cmpuint (g_list_model_get_n_items (confab_room_sync_get_members (fixture->b.sync,
                                                                           local)), ==, 0);

  /* Offline, A cannot publish either. */
  confab_room_client_close (fixture->a.client);
  g_assert_false (confab_room_sync_can_write (fixture->a.sync, a_chat, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
}

static void
test_removed (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(ConfabProject) a_project = NULL;
  g_autoptr(ConfabProject) b_project = NULL;
  g_autoptr(ConfabChat) a_chat = NULL;
  g_autoptr(ConfabChat) b_chat = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) frame = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *a_members;

  room_test_share_and_join (fixture, CONFAB_ROOM_ROLE_MEMBER, &a_project, &a_chat,
                            &b_project, &b_chat);
  a_members = confab_room_sync_get_members (fixture->a.sync, a_project);
  WAIT_FOR (g_list_model_get_n_items (a_members) == 2, "A to see B join");

  /* The owner removes B. */
  frame = json_from_string ("{\"type\":\"member.remove\",\"user\":\"bob\"}", &error);
  g_assert_no_error (error);
  json_object_set_string_member (json_node_get_object (frame), "room",
                                 confab_project_get_room_id (a_project));
  confab_room_client_request_async (fixture->a.client, frame, NULL, confabd_test_result_cb, &result);
  WAIT_FOR (result != NULL, "the removal");
  answer = confab_room_client_request_finish (fixture->a.client, result, &error);
  g_assert_no_error (error);

  WAIT_FOR (fixture->b.n_lost == 1, "B to lose the project");
  g_assert_true (fixture->b.lost == b_project);
  g_assert_false (confab_project_get_shared (b_project));
  g_assert_false (confab_room_sync_is_shared (fixture->b.sync, b_project));
  /* It stays, local: the chat and messages, without their remote ids. */
  g_assert_cmpuint (room_test_count_messages (fixture->b.store, b_chat), ==, 3);
  g_assert_null (confab_chat_get_remote_id (b_chat));
  g_assert_cmpint (confab_test_query_int (fixture->b.store, "SELECT count(*) FROM messages"
                                                            " WHERE remote_id IS NOT NULL"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (confab_room_sync_get_members (fixture->b.sync,
                                                                           b_project)), ==, 0);
  WAIT_FOR (g_list_model_get_n_items (a_members) == 1, "A to see B go");
  g_assert_cmpuint (fixture->a.n_lost, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, room_test_fixture_set_up, func, room_test_fixture_tear_down)

  ADD_TEST ("/confab/room-sync/share-join", test_share_join);
  ADD_TEST ("/confab/room-sync/relay", test_relay);
  ADD_TEST ("/confab/room-sync/viewer", test_viewer);
  ADD_TEST ("/confab/room-sync/removed", test_removed);

  return confab_test_run ();
}
