/* test-room-sync-resume.c: a shared project after time away: a desktop
 * restarted on the same store, a connection closed and opened again, the
 * server killed and restarted; each catches up exactly once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include "confab-test-room-sync.h"

typedef RoomTestFixture Fixture;

static void
test_restart (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(ConfabProject) a_project = NULL;
  g_autoptr(ConfabProject) b_project = NULL;
  g_autoptr(ConfabChat) a_chat = NULL;
  g_autoptr(ConfabChat) b_chat = NULL;
  g_autoptr(ConfabChat) a_second = NULL;
  g_autofree char *a_dump = NULL;
  g_autofree char *b_dump = NULL;
  gint64 b_project_id;
  gint64 b_chat_id;
  guint n_projects;

  room_test_share_and_join (fixture, CONFAB_ROOM_ROLE_MEMBER, &a_project, &a_chat,
                            &b_project, &b_chat);
  b_project_id = confab_project_get_id (b_project);
  b_chat_id = confab_chat_get_id (b_chat);
  g_clear_object (&b_chat);
  g_clear_object (&b_project);

  /* B quits; A goes on: two turns and a new chat. */
  room_test_desktop_close (&fixture->b);
  room_test_run_turn (fixture, &fixture->a, a_chat, "First while away");
  room_test_run_turn (fixture, &fixture->a, a_chat, "Second while away");
  a_second = confab_test_create_chat (fixture->a.store, a_project, "Later");
  confab_room_sync_publish_chat (fixture->a.sync, a_second);
  WAIT_FOR (confab_chat_get_remote_id (a_second) != NULL, "the new chat's remote id");
  room_test_run_turn (fixture, &fixture->a, a_second, "In the new chat");

  /* B starts again on the same store and catches up. */
  n_projects = g_list_model_get_n_items (confab_store_get_projects (fixture->b.store));
  room_test_desktop_open (fixture, &fixture->b);
  b_project = confab_store_lookup_project (fixture->b.store, b_project_id, NULL);
  g_assert_nonnull (b_project);
  WAIT_FOR (confab_project_get_room_seq (b_project) == confab_project_get_room_seq (a_project),
            "B to catch up");
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_projects (fixture->b.store)),
                    ==, n_projects);

  b_chat = confab_store_lookup_chat (fixture->b.store, b_chat_id, NULL);
  g_assert_cmpuint (room_test_count_messages (fixture->b.store, b_chat), ==, 7);
  a_dump = room_test_dump_line (fixture->a.store, a_chat, 0);
  b_dump = room_test_dump_line (fixture->b.store, b_chat, 0);
  g_assert_true (g_str_has_suffix (b_dump,
                                   "ada|user|complete|First while away\n"
                                   MODEL "|assistant|complete|" ECHO "First while away\n"
                                   "ada|user|complete|Second while away\n"
                                   MODEL "|assistant|complete|" ECHO "Second while away\n"));
  g_assert_cmpint (confab_test_query_int (fixture->b.store, "SELECT count(*) FROM chats"), ==, 2);
  g_assert_cmpint (confab_test_query_int (fixture->b.store,
                                          "SELECT count(*) FROM messages"), ==, 9);

  /* Again, with nothing new: nothing is applied twice. */
  room_test_desktop_close (&fixture->b);
  room_test_desktop_open (fixture, &fixture->b);
  g_clear_object (&b_project);
  b_project = confab_store_lookup_project (fixture->b.store, b_project_id, NULL);
  g_assert_nonnull (b_project);
  room_test_run_turn (fixture, &fixture->a, a_chat, "Back");
  WAIT_FOR (confab_project_get_room_seq (b_project) == confab_project_get_room_seq (a_project),
            "B to follow again");
  g_assert_cmpint (confab_test_query_int (fixture->b.store,
                                          "SELECT count(*) FROM messages"), ==, 11);
  g_assert_cmpint (confab_test_query_int (fixture->b.store,
                                          "SELECT count(DISTINCT remote_id) FROM messages"),
                   ==, 11);
  g_assert_cmpuint (fixture->a.n_errors + fixture->b.n_errors, ==, 0);
}

static void
test_reconnect (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(ConfabProject) a_project = NULL;
  g_autoptr(ConfabProject) b_project = NULL;
  g_autoptr(ConfabChat) a_chat = NULL;
  g_autoptr(ConfabChat) b_chat = NULL;
  g_autofree char *a_dump = NULL;
  g_autofree char *b_dump = NULL;

  room_test_share_and_join (fixture, CONFAB_ROOM_ROLE_MEMBER, &a_project, &a_chat,
                            &b_project, &b_chat);

  /* B's connection closes (a laptop lid); A writes meanwhile; the same
   * client connects again and re-joins from where it was. */
  confab_room_client_close (fixture->b.client);
  room_test_run_turn (fixture, &fixture->a, a_chat, "While B sleeps");
  room_test_connect_client (&fixture->b);
  WAIT_FOR (confab_project_get_room_seq (b_project) == confab_project_get_room_seq (a_project),
            "B to catch up after reconnecting");
  g_assert_cmpuint (room_test_count_messages (fixture->b.store, b_chat), ==, 5);

  /* The server dies and comes back (same port, same data): both
   * reconnect by themselves and go on. */
  confab_room_client_set_reconnect_delays (fixture->a.client, 50, 200);
  confab_room_client_set_reconnect_delays (fixture->b.client, 50, 200);
  confabd_test_daemon_kill (fixture->server.daemon);
  WAIT_FOR (confab_room_client_get_state (fixture->a.client) != CONFAB_ROOM_CLIENT_CONNECTED &&
            confab_room_client_get_state (fixture->b.client) != CONFAB_ROOM_CLIENT_CONNECTED,
            "both to notice the server is gone");
  confabd_test_daemon_restart (fixture->server.daemon);
  WAIT_FOR (confab_room_client_get_state (fixture->a.client) == CONFAB_ROOM_CLIENT_CONNECTED &&
            confab_room_client_get_state (fixture->b.client) == CONFAB_ROOM_CLIENT_CONNECTED,
            "both to reconnect");

  room_test_run_turn (fixture, &fixture->a, a_chat, "After the restart");
  /* (Each store keeps the order in which messages reached it: B answers
   * what it has seen.) */
  WAIT_FOR (room_test_count_messages (fixture->b.store, b_chat) == 7, "B to see A's turn");
  room_test_run_turn (fixture, &fixture->b, b_chat, "Welcome back");
  WAIT_FOR (room_test_count_messages (fixture->a.store, a_chat) == 9 &&
            room_test_count_messages (fixture->b.store, b_chat) == 9 &&
            confab_project_get_room_seq (a_project) == confab_project_get_room_seq (b_project) &&
            room_test_line_ends_with (fixture->a.store, a_chat, ECHO "Welcome back\n"),
            "both sides to converge");
  a_dump = room_test_dump_line (fixture->a.store, a_chat, 0);
  b_dump = room_test_dump_line (fixture->b.store, b_chat, 0);
  g_assert_nonnull (strstr (b_dump,
                            "ada|user|complete|While B sleeps\n"
                            MODEL "|assistant|complete|" ECHO "While B sleeps\n"
                            "ada|user|complete|After the restart\n"
                            MODEL "|assistant|complete|" ECHO "After the restart\n"));
  g_assert_true (g_str_has_suffix (a_dump,
                                   "bob|user|complete|Welcome back\n"
                                   MODEL "|assistant|complete|" ECHO "Welcome back\n"));
  g_assert_cmpuint (fixture->a.n_errors + fixture->b.n_errors, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, room_test_fixture_set_up, func, room_test_fixture_tear_down)

  ADD_TEST ("/confab/room-sync/restart", test_restart);
  ADD_TEST ("/confab/room-sync/reconnect", test_reconnect);

  return confab_test_run ();
}
