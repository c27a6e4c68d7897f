/* confab-test-room-sync.h: two desktops (two stores, two clients, two
 * syncs) sharing projects through a real confabd, for test-room-sync*.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-fake-provider.h"
#include "confab-room-sync.h"
#include "confab-test-utils.h"
#include "confabd-test-daemon.h"

G_BEGIN_DECLS

#define MODEL "openai:gpt-4o-mini"
/* The fake provider's default reply, after MODEL "|assistant|complete|". */
#define ECHO "Echo from gpt-4o-mini: "
#define PASSWORD "correct horse battery"

/* One desktop: its own store, connection and sync. */
typedef struct
{
  char             *name;
  char             *path;
  char             *token;
  ConfabStore      *store;
  ConfabRoomClient *client;
  ConfabRoomSync   *sync;
  guint             n_lost;
  ConfabProject    *lost;
  guint             n_errors;
  GString          *typing;   /* "user:chat/parent " per ::typing */
} RoomTestDesktop;

typedef struct
{
  ConfabdTestFixture  server;
  char               *dir;
  ConfabFakeProvider *fake;
  RoomTestDesktop     a;
  RoomTestDesktop     b;
} RoomTestFixture;

/* Runs the main loop until @cond holds (checked at least every 20 ms). */
#define WAIT_FOR(cond, what) \
  G_STMT_START { \
    gint64 _deadline = g_get_monotonic_time () + CONFABD_TEST_TIMEOUT * G_USEC_PER_SEC; \
    guint _tick = g_timeout_add (20, room_test_tick_cb, NULL); \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > _deadline) \
          g_error ("timed out waiting for %s", what); \
        g_main_context_iteration (NULL, TRUE); \
      } \
    g_source_remove (_tick); \
  } G_STMT_END

/* Wakes the main loop up so WAIT_FOR re-checks its condition. */
gboolean room_test_tick_cb (gpointer user_data);
/* Opens (or reopens after _close) a desktop: its store, a signed-in client
 * (registered the first time, by token afterwards) and a sync. */
void room_test_desktop_open (RoomTestFixture *fixture,
                             RoomTestDesktop *desktop);
/* Like quitting the app: the sync and the connection go, the store stays. */
void room_test_desktop_close (RoomTestDesktop *desktop);
/* A confabd, a fake provider, and desktops "ada" (a) and "bob" (b). */
void room_test_fixture_set_up (RoomTestFixture *fixture,
                               gconstpointer    data);
void room_test_fixture_tear_down (RoomTestFixture *fixture,
                                  gconstpointer    data);

/* ---- Rows */
guint room_test_count_messages (ConfabStore *store,
                                ConfabChat  *chat);
/* A line (main, or a thread) as "author|role|status|content" lines. */
char *room_test_dump_line (ConfabStore *store,
                           ConfabChat  *chat,
                           gint64       parent_id);
gboolean room_test_line_ends_with (ConfabStore *store,
                                   ConfabChat  *chat,
                                   const char  *suffix);
gboolean room_test_thread_is (ConfabStore *store,
                              ConfabChat  *chat,
                              gint64       parent_id,
                              const char  *suffix);
ConfabChat *room_test_only_chat (ConfabStore   *store,
                                 ConfabProject *project);
ConfabMessage *room_test_find_remote (RoomTestDesktop *desktop,
                                      ConfabProject   *project,
                                      const char      *remote_id);

/* ---- Steps */

/* A project "Team": chat "Plan" with an exchange and a thread reply. */
ConfabProject *room_test_make_project (RoomTestDesktop  *desktop,
                                       ConfabChat      **chat_out);
void room_test_share (RoomTestDesktop *desktop,
                      ConfabProject   *project);
char *room_test_invite (RoomTestDesktop *desktop,
                        ConfabProject   *project,
                        ConfabRoomRole   role);
ConfabProject *room_test_join (RoomTestDesktop *desktop,
                               const char      *token);
/* A shares "Team", B joins it with an invite for @role. */
void room_test_share_and_join (RoomTestFixture  *fixture,
                               ConfabRoomRole    role,
                               ConfabProject   **a_project,
                               ConfabChat      **a_chat,
                               ConfabProject   **b_project,
                               ConfabChat      **b_chat);
ConfabChatSession *room_test_session_for (RoomTestFixture *fixture,
                                          RoomTestDesktop *desktop,
                                          ConfabChat      *chat);
/* A relayed turn, started: @tokens (NULL: the fake's echo) @delay_ms apart. */
ConfabMessage *room_test_start_turn (RoomTestFixture     *fixture,
                                     RoomTestDesktop     *desktop,
                                     ConfabChat          *chat,
                                     const char          *prompt,
                                     const char * const  *tokens,
                                     guint                delay_ms,
                                     ConfabChatSession  **session_out,
                                     GAsyncResult       **result);
void room_test_finish_turn (ConfabChatSession  *session,
                            GAsyncResult      **result);

/* A whole relayed turn (@parent_id 0: the main line), its reply bound. */
void room_test_run_turn_in (RoomTestFixture *fixture,
                            RoomTestDesktop *desktop,
                            ConfabChat      *chat,
                            gint64           parent_id,
                            const char      *prompt);
void room_test_run_turn (RoomTestFixture *fixture,
                         RoomTestDesktop *desktop,
                         ConfabChat      *chat,
                         const char      *prompt);
/* Keeps each new content of a streaming message; TRUE once it ended. */
gboolean room_test_record_content (ConfabMessage *message,
                                   GPtrArray     *seen);
/* Connects a desktop's client again (after confab_room_client_close). */
void room_test_connect_client (RoomTestDesktop *desktop);

G_END_DECLS
