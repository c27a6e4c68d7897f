/* confab-test-room-sync.c: two desktops sharing projects through a real
 * confabd (see confab-test-room-sync.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include "confab-test-room-sync.h"

/* ---- Waiting */

gboolean
room_test_tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* ---- RoomTestDesktops */

static void
on_project_lost_cb (ConfabRoomSync  *sync,
                    ConfabProject   *project,
                    const GError    *error,
                    RoomTestDesktop *desktop)
{
  g_test_message ("%s lost “%s”: %s", desktop->name, confab_project_get_name (project),
                  error->message);
  desktop->n_lost++;
  g_set_object (&desktop->lost, project);
}

static void
on_error_cb (ConfabRoomSync  *sync,
             ConfabProject   *project,
             const GError    *error,
             RoomTestDesktop *desktop)
{
  g_test_message ("%s: error in “%s”: %s", desktop->name, confab_project_get_name (project),
                  error->message);
  desktop->n_errors++;
}

static void
on_typing_cb (ConfabRoomSync  *sync,
              ConfabChat      *chat,
              gint64           parent_id,
              const char      *user,
              RoomTestDesktop *desktop)
{
  g_string_append_printf (desktop->typing, "%s:%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " ",
                          user, confab_chat_get_id (chat), parent_id);
}

/* Opens (or reopens, after room_test_desktop_close) the desktop: the store, a signed
 * in client (registered the first time, the token afterwards), a sync. */
void
room_test_desktop_open (RoomTestFixture *fixture,
                        RoomTestDesktop *desktop)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (desktop->store == NULL)
    desktop->store = confab_test_store_new (desktop->path);

  desktop->client = confab_room_client_new (fixture->server.daemon->uri);
  if (desktop->token != NULL)
    confab_room_client_set_token (desktop->client, desktop->token);

  /* Created before connecting, as the app does: it joins on sign-in. */
  desktop->sync = confab_room_sync_new (desktop->store, desktop->client);
  g_signal_connect (desktop->sync, "project-lost", G_CALLBACK (on_project_lost_cb), desktop);
  g_signal_connect (desktop->sync, "error", G_CALLBACK (on_error_cb), desktop);
  g_signal_connect (desktop->sync, "typing", G_CALLBACK (on_typing_cb), desktop);

  confab_room_client_connect_async (desktop->client, NULL, confabd_test_result_cb, &result);
  WAIT_FOR (result != NULL, "the connection");
  confab_room_client_connect_finish (desktop->client, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  if (desktop->token == NULL)
    {
      confab_room_client_login_async (desktop->client, desktop->name, PASSWORD, TRUE, NULL,
                                      confabd_test_result_cb, &result);
      WAIT_FOR (result != NULL, "registering");
      confab_room_client_login_finish (desktop->client, result, &error);
      g_assert_no_error (error);
      desktop->token = g_strdup (confab_room_client_get_token (desktop->client));
    }

  g_assert_cmpstr (confab_room_client_get_user (desktop->client), ==, desktop->name);
}

static void
finalized_cb (gpointer  user_data,
              GObject  *where_the_object_was)
{
  *(gboolean *)user_data = TRUE;
}

/* Like quitting the app: the sync and the connection go, the store stays. */
void
room_test_desktop_close (RoomTestDesktop *desktop)
{
  gboolean gone = FALSE;

  if (desktop->sync == NULL)
    return;

  g_object_weak_ref (G_OBJECT (desktop->sync), finalized_cb, &gone);
  g_clear_object (&desktop->sync);
  confab_room_client_close (desktop->client);
  /* Requests in flight hold the sync until their (cancelled) answers. */
  WAIT_FOR (gone, "the sync to be finalized");
  g_assert_finalize_object (g_steal_pointer (&desktop->client));
}

static void
desktop_clear (RoomTestDesktop *desktop)
{
  room_test_desktop_close (desktop);
  g_clear_object (&desktop->lost);
  if (desktop->store != NULL)
    g_assert_finalize_object (g_steal_pointer (&desktop->store));
  g_clear_pointer (&desktop->path, g_free);
  g_clear_pointer (&desktop->token, g_free);
  g_string_free (desktop->typing, TRUE);
}

void
room_test_fixture_set_up (RoomTestFixture *fixture,
                          gconstpointer    data)
{
  g_autoptr(GError) error = NULL;

  confabd_test_fixture_setup (&fixture->server, data);
  fixture->dir = confab_test_make_tmpdir ();
  fixture->fake = confab_fake_provider_new (0, &error);
  g_assert_no_error (error);

  fixture->a.name = "ada";
  fixture->a.path = g_build_filename (fixture->dir, "a.db", NULL);
  fixture->a.typing = g_string_new (NULL);
  fixture->b.name = "bob";
  fixture->b.path = g_build_filename (fixture->dir, "b.db", NULL);
  fixture->b.typing = g_string_new (NULL);

  room_test_desktop_open (fixture, &fixture->a);
  room_test_desktop_open (fixture, &fixture->b);
}

void
room_test_fixture_tear_down (RoomTestFixture *fixture,
                             gconstpointer    data)
{
  desktop_clear (&fixture->a);
  desktop_clear (&fixture->b);
  g_assert_finalize_object (g_steal_pointer (&fixture->fake));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  confab_test_rm_rf (fixture->dir);
  g_free (fixture->dir);
  confabd_test_fixture_teardown (&fixture->server, data);
}

/* ---- Rows */

guint
room_test_count_messages (ConfabStore *store,
                          ConfabChat  *chat)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM messages WHERE chat_id = %"
                                          G_GINT64_FORMAT, confab_chat_get_id (chat));

  return (guint)confab_test_query_int (store, sql);
}

/* The messages of a line as "author|role|status|content" lines. */
char *
room_test_dump_line (ConfabStore *store,
                     ConfabChat  *chat,
                     gint64       parent_id)
{
  g_autoptr(ConfabMessageList) list = confab_store_list_messages (store,
                                                                  confab_chat_get_id (chat),
                                                                  parent_id);
  GString *dump = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (list), i);

      g_string_append_printf (dump, "%s|%s|%s|%s\n",
                              confab_message_get_author (message),
                              confab_role_to_string (confab_message_get_role (message)),
                              confab_message_status_to_string (confab_message_get_status (message)),
                              confab_message_get_content (message));
    }

  return g_string_free (dump, FALSE);
}

gboolean
room_test_line_ends_with (ConfabStore *store,
                          ConfabChat  *chat,
                          const char  *suffix)
{
  g_autofree char *dump = room_test_dump_line (store, chat, 0);

  return g_str_has_suffix (dump, suffix);
}

/* The thread of @parent_id is A's "An aside", then @suffix. */
gboolean
room_test_thread_is (ConfabStore *store,
                     ConfabChat  *chat,
                     gint64       parent_id,
                     const char  *suffix)
{
  g_autofree char *dump = room_test_dump_line (store, chat, parent_id);
  const char *aside = strstr (dump, "|An aside\n");

  return aside != NULL && g_str_equal (aside + strlen ("|An aside\n"), suffix);
}

ConfabChat *
room_test_only_chat (ConfabStore   *store,
                     ConfabProject *project)
{
  g_autoptr(GListModel) chats = confab_store_list_chats (store, project);

  g_assert_cmpuint (g_list_model_get_n_items (chats), ==, 1);
  return g_list_model_get_item (chats, 0);
}

ConfabMessage *
room_test_find_remote (RoomTestDesktop *desktop,
                       ConfabProject   *project,
                       const char      *remote_id)
{
  if (remote_id == NULL)
    return NULL;

  return confab_store_lookup_message_by_remote_id (desktop->store, project, remote_id, NULL);
}

/* ---- Steps */

/* A's project "Team": one chat with an exchange and a thread. */
ConfabProject *
room_test_make_project (RoomTestDesktop  *desktop,
                        ConfabChat      **chat_out)
{
  ConfabProject *project = confab_test_create_project (desktop->store, "Team");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (desktop->store, project, "Plan");
  g_autoptr(ConfabMessage) hello = confab_test_add_text (desktop->store, chat, 0, "Hello");
  g_autoptr(ConfabMessage) reply = NULL;
  g_autoptr(ConfabMessage) aside = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessageDraft draft = {
    .chat_id = confab_chat_get_id (chat),
    .role = CONFAB_ROLE_ASSISTANT,
    .author = MODEL,
    .provider = "openai",
    .model = "gpt-4o-mini",
    .content = "Hi there",
    .status = CONFAB_MESSAGE_STATUS_COMPLETE,
    .input_tokens = 3,
    .output_tokens = 2,
  };

  reply = confab_store_add_message (desktop->store, &draft, &error);
  g_assert_no_error (error);
  aside = confab_test_add_text (desktop->store, chat, confab_message_get_id (hello), "An aside");

  if (chat_out != NULL)
    *chat_out = g_steal_pointer (&chat);
  return project;
}

void
room_test_share (RoomTestDesktop *desktop,
                 ConfabProject   *project)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_room_sync_share_async (desktop->sync, project, NULL, confabd_test_result_cb, &result);
  WAIT_FOR (result != NULL, "sharing");
  g_assert_true (confab_room_sync_share_finish (desktop->sync, result, &error));
  g_assert_no_error (error);
}

char *
room_test_invite (RoomTestDesktop *desktop,
                  ConfabProject   *project,
                  ConfabRoomRole   role)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  confab_room_sync_invite_async (desktop->sync, project, role, 1, 0, NULL,
                                 confabd_test_result_cb, &result);
  WAIT_FOR (result != NULL, "an invite");
  token = confab_room_sync_invite_finish (desktop->sync, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  return token;
}

ConfabProject *
room_test_join (RoomTestDesktop *desktop,
                const char      *token)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ConfabProject *project;

  confab_room_sync_join_async (desktop->sync, token, NULL, confabd_test_result_cb, &result);
  WAIT_FOR (result != NULL, "joining");
  project = confab_room_sync_join_finish (desktop->sync, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (project);
  return project;
}

/* A shares "Team", B joins it with an invite for @role. */
void
room_test_share_and_join (RoomTestFixture  *fixture,
                          ConfabRoomRole    role,
                          ConfabProject   **a_project,
                          ConfabChat      **a_chat,
                          ConfabProject   **b_project,
                          ConfabChat      **b_chat)
{
  g_autofree char *token = NULL;

  *a_project = room_test_make_project (&fixture->a, a_chat);
  room_test_share (&fixture->a, *a_project);
  token = room_test_invite (&fixture->a, *a_project, role);
  *b_project = room_test_join (&fixture->b, token);
  *b_chat = room_test_only_chat (fixture->b.store, *b_project);
}

ConfabChatSession *
room_test_session_for (RoomTestFixture *fixture,
                       RoomTestDesktop *desktop,
                       ConfabChat      *chat)
{
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  provider = confab_provider_new ("openai", confab_fake_provider_get_url (fixture->fake), &error);
  g_assert_no_error (error);
  confab_provider_set_api_key (provider, "test-key");

  return confab_chat_session_new (desktop->store, chat, provider, "gpt-4o-mini");
}

/* One turn on @desktop, relayed; @tokens (NULL: the fake's echo) streamed
 * @delay_ms apart. Returns the reply. */
ConfabMessage *
room_test_start_turn (RoomTestFixture     *fixture,
                      RoomTestDesktop     *desktop,
                      ConfabChat          *chat,
                      const char          *prompt,
                      const char * const  *tokens,
                      guint                delay_ms,
                      ConfabChatSession  **session_out,
                      GAsyncResult       **result)
{
  g_autoptr(ConfabChatSession) session = room_test_session_for (fixture, desktop, chat);
  g_autoptr(GError) error = NULL;

  if (tokens != NULL)
    {
      g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();

      confab_fake_script_set_tokens (script, tokens);
      confab_fake_script_set_delay (script, delay_ms);
      confab_fake_provider_push_script (fixture->fake, script);
    }

  g_assert_true (confab_room_sync_can_write (desktop->sync, chat, &error));
  g_assert_no_error (error);
  confab_room_sync_relay (desktop->sync, session);
  confab_chat_session_send_async (session, prompt, NULL, confabd_test_result_cb, result);
  g_assert_nonnull (confab_chat_session_get_reply_message (session));

  *session_out = g_steal_pointer (&session);
  return g_object_ref (confab_chat_session_get_reply_message (*session_out));
}

void
room_test_finish_turn (ConfabChatSession  *session,
                       GAsyncResult      **result)
{
  g_autoptr(GError) error = NULL;

  WAIT_FOR (*result != NULL, "the reply");
  g_assert_true (confab_chat_session_send_finish (session, *result, &error));
  g_assert_no_error (error);
  g_clear_object (result);
}

/* A whole turn (in the thread of @parent_id, 0: the main line), and its
 * reply bound to its remote id. */
void
room_test_run_turn_in (RoomTestFixture *fixture,
                       RoomTestDesktop *desktop,
                       ConfabChat      *chat,
                       gint64           parent_id,
                       const char      *prompt)
{
  g_autoptr(ConfabChatSession) session = room_test_session_for (fixture, desktop, chat);
  g_autoptr(GAsyncResult) result = NULL;
  ConfabMessage *reply;

  confab_chat_session_set_parent_id (session, parent_id);
  confab_room_sync_relay (desktop->sync, session);
  confab_chat_session_send_async (session, prompt, NULL, confabd_test_result_cb, &result);
  room_test_finish_turn (session, &result);
  reply = confab_chat_session_get_reply_message (session);
  WAIT_FOR (confab_message_get_remote_id (reply) != NULL, "the reply's remote id");
  g_assert_cmpint (confab_message_get_parent_id (reply), ==, parent_id);
}

void
room_test_run_turn (RoomTestFixture *fixture,
                    RoomTestDesktop *desktop,
                    ConfabChat      *chat,
                    const char      *prompt)
{
  room_test_run_turn_in (fixture, desktop, chat, 0, prompt);
}

/* Keeps each new content of a streaming message; TRUE once it ended. */
gboolean
room_test_record_content (ConfabMessage *message,
                          GPtrArray     *seen)
{
  const char *content = confab_message_get_content (message);

  if (confab_message_get_status (message) != CONFAB_MESSAGE_STATUS_STREAMING)
    return TRUE;

  if (*content != '\0' &&
      (seen->len == 0 || !g_str_equal (content, g_ptr_array_index (seen, seen->len - 1))))
    g_ptr_array_add (seen, g_strdup (content));

  return FALSE;
}

void
room_test_connect_client (RoomTestDesktop *desktop)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_room_client_connect_async (desktop->client, NULL, confabd_test_result_cb, &result);
  WAIT_FOR (result != NULL, "the connection");
  confab_room_client_connect_finish (desktop->client, result, &error);
  g_assert_no_error (error);
}
