/* confab-cli-room.c: `confab-cli server` and `confab-cli room`: accounts
 * and shared rooms on a confabd server, through ConfabRoomClient.
 *
 * The session (server, user, token) is kept per --data-dir with
 * confab-room-session.h; every room verb connects, signs in with it, does
 * its one thing and closes. `room tail --follow` and `room ask` keep the
 * client's reconnection on: a tail survives a server restart, and a reply
 * streamed here is finished in the room once the server is back.
 *
 * Chats: a room holds chats; `room send` and `room ask` post into the
 * room's first chat (the oldest chat.created in its log), creating
 * "General" when the room has none, or into `--chat ID`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <libsoup/soup.h>

#include "confab-cli.h"
#include "confab-room-client.h"
#include "confab-room-session.h"

#define DEFAULT_CHAT_TITLE "General"
#define MAX_PASSWORD 1024
/* The turns of the room's chat a model sees before the prompt. */
#define MAX_CONTEXT_TURNS 100
/* How long `room ask` waits for the server to come back to finish the reply. */
#define FINISH_RECONNECT_SECONDS 60

/* ------------------------------------------------------------------------ */
/* Errors and exit codes. */

static int
room_exit_code (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return CLI_EXIT_CANCELLED;
  if (error->domain == CONFAB_PROTOCOL_ERROR)
    return CLI_EXIT_REFUSED;
  if (error->domain == CONFAB_PROVIDER_ERROR)
    return confab_cli_exit_code (error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    return CLI_EXIT_LOCAL;
  /* Reaching the server: sockets, names, TLS, the HTTP upgrade. */
  if (error->domain == G_IO_ERROR || error->domain == G_RESOLVER_ERROR ||
      error->domain == G_TLS_ERROR || error->domain == SOUP_WEBSOCKET_ERROR ||
      error->domain == SOUP_SESSION_ERROR)
    return CLI_EXIT_NETWORK;

  return CLI_EXIT_LOCAL;
}

static int
room_fail (const GError *error)
{
  return confab_cli_error (room_exit_code (error), "%s", error->message);
}

/* ------------------------------------------------------------------------ */
/* One run of a room verb. */

typedef struct
{
  char      *id;
  char      *chat;
  char      *thread;
  char      *author;
  gboolean   assistant;
  gboolean   deleted;
  GString   *text;
} LogMessage;

static void
log_message_free (LogMessage *message)
{
  g_free (message->id);
  g_free (message->chat);
  g_free (message->thread);
  g_free (message->author);
  g_string_free (message->text, TRUE);
  g_free (message);
}

typedef struct
{
  ConfabCli         *cli;
  ConfabRoomClient  *client;
  char              *room;

  /* What the room's log says (send and ask). */
  GPtrArray         *chats;          /* chat ids, oldest first */
  GPtrArray         *messages;       /* LogMessage, oldest first */
  GHashTable        *by_id;          /* message id → LogMessage */

  gboolean           print_events;   /* tail */

  /* Waiting for one event: the first of this name after wait_after, by
   * us unless any_author, in want_chat and with want_text when set. */
  const char        *want_event;
  const char        *want_chat;
  const char        *want_text;
  gboolean           any_author;
  gint64             wait_after;
  JsonNode          *found;

  GError            *failure;        /* the room or the connection is gone */
  gboolean           stop;           /* SIGINT/SIGTERM while following or asking */
} RoomRun;

static void
room_run_clear (RoomRun *run)
{
  if (run->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (run->client, run);
      confab_room_client_close (run->client);
    }
  g_clear_object (&run->client);
  g_clear_pointer (&run->room, g_free);
  g_clear_pointer (&run->chats, g_ptr_array_unref);
  g_clear_pointer (&run->messages, g_ptr_array_unref);
  g_clear_pointer (&run->by_id, g_hash_table_unref);
  g_clear_pointer (&run->found, json_node_unref);
  g_clear_error (&run->failure);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RoomRun, room_run_clear)

static const char *
member_string (JsonObject *object,
               const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonArray *
member_array (JsonObject *object,
              const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonObject *
event_data (JsonObject *frame)
{
  JsonNode *node = json_object_get_member (frame, "data");

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Keeps the chats and the messages' current text, for choosing the chat
 * and giving a model the conversation. */
static void
log_event (RoomRun    *run,
           const char *event,
           const char *author,
           JsonObject *data)
{
  const char *id = member_string (data, "message");
  LogMessage *message = id != NULL ? g_hash_table_lookup (run->by_id, id) : NULL;

  if (g_str_equal (event, "chat.created"))
    {
      const char *chat = member_string (data, "chat");

      if (chat != NULL)
        g_ptr_array_add (run->chats, g_strdup (chat));
    }
  else if ((g_str_equal (event, "message.created") || g_str_equal (event, "stream.started")) &&
           id != NULL && message == NULL)
    {
      message = g_new0 (LogMessage, 1);
      message->id = g_strdup (id);
      message->chat = g_strdup (member_string (data, "chat"));
      message->thread = g_strdup (member_string (data, "thread"));
      message->author = g_strdup (author);
      message->assistant = g_str_equal (event, "stream.started");
      message->text = g_string_new (member_string (data, "text"));
      g_ptr_array_add (run->messages, message);
      g_hash_table_insert (run->by_id, message->id, message);
    }
  else if ((g_str_equal (event, "message.edited") || g_str_equal (event, "stream.ended")) &&
           message != NULL)
    {
      const char *text = member_string (data, "text");

      g_string_assign (message->text, text != NULL ? text : "");
    }
  else if (g_str_equal (event, "message.deleted") && message != NULL)
    message->deleted = TRUE;
}

/* Backslash, tab and line breaks escaped: one event per line. */
static char *
escape_text (const char *text)
{
  GString *escaped = g_string_new (NULL);

  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    switch (*p)
      {
      case '\\': g_string_append (escaped, "\\\\"); break;
      case '\t': g_string_append (escaped, "\\t"); break;
      case '\n': g_string_append (escaped, "\\n"); break;
      case '\r': g_string_append (escaped, "\\r"); break;
      default: g_string_append_c (escaped, *p); break;
      }

  return g_string_free (escaped, FALSE);
}

/* The TEXT column of `room tail`: a message's text, else what happened. */
static char *
describe_event (const char *event,
                JsonObject *data)
{
  const char *text = member_string (data, "text");
  const char *name = member_string (data, "name");
  const char *title = member_string (data, "title");
  const char *user = member_string (data, "user");
  const char *role = member_string (data, "role");
  const char *status = member_string (data, "status");

  if (g_str_equal (event, "message.created"))
    return g_strdup (text != NULL ? text : "");
  if (g_str_equal (event, "message.edited"))
    return g_strdup_printf ("* edited a message: %s", text != NULL ? text : "");
  if (g_str_equal (event, "stream.ended"))
    {
      if (status == NULL || g_str_equal (status, "complete"))
        return g_strdup (text != NULL ? text : "");
      return g_strdup_printf ("%s [%s]", text != NULL ? text : "", status);
    }
  if (g_str_equal (event, "stream.started"))
    return g_strdup_printf ("* %s is replying", member_string (data, "model") ?: "a model");
  if (g_str_equal (event, "room.created"))
    return g_strdup_printf ("* created the room \"%s\"", name ?: "");
  if (g_str_equal (event, "room.renamed"))
    return g_strdup_printf ("* renamed the room to \"%s\"", name ?: "");
  if (g_str_equal (event, "room.deleted"))
    return g_strdup ("* deleted the room");
  if (g_str_equal (event, "member.joined"))
    return g_strdup_printf ("* %s joined as %s", user ?: "?", role ?: "?");
  if (g_str_equal (event, "member.role"))
    return g_strdup_printf ("* %s is now %s", user ?: "?", role ?: "?");
  if (g_str_equal (event, "member.removed"))
    return g_strdup_printf ("* %s left or was removed", user ?: "?");
  if (g_str_equal (event, "chat.created"))
    return g_strdup_printf ("* created the chat \"%s\"", title ?: "");
  if (g_str_equal (event, "chat.renamed"))
    return g_strdup_printf ("* renamed a chat to \"%s\"", title ?: "");
  if (g_str_equal (event, "thread.created"))
    return g_strdup ("* started a thread");
  if (g_str_equal (event, "message.deleted"))
    return g_strdup ("* deleted a message");

  return g_strdup_printf ("* %s", event);
}

/* {"event":NAME,"room_id":…, MEMBERS of @object but "type" and "room"}. */
static void
print_json_frame (RoomRun    *run,
                  const char *event,
                  JsonObject *object,
                  JsonObject *data)
{
  JsonBuilder *builder = confab_cli_json_begin (event);
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  confab_cli_json_add_string (builder, "room_id", run->room);
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &value))
    {
      if (g_str_equal (name, "type") || g_str_equal (name, "room") ||
          g_str_equal (name, "event") || g_str_equal (name, "data"))
        continue;
      json_builder_set_member_name (builder, name);
      json_builder_add_value (builder, json_node_copy (value));
    }

  /* The data's members at the top, for `jq .text`. */
  if (data != NULL)
    {
      json_object_iter_init (&iter, data);
      while (json_object_iter_next (&iter, &name, &value))
        {
          if (g_str_equal (name, "event") || g_str_equal (name, "room_id") ||
              json_object_has_member (object, name))
            continue;
          json_builder_set_member_name (builder, name);
          json_builder_add_value (builder, json_node_copy (value));
        }
    }

  confab_cli_json_end (builder);
}

static void
print_event (RoomRun    *run,
             gint64      seq,
             const char *event,
             JsonObject *frame)
{
  JsonObject *data = event_data (frame);
  g_autofree char *author = NULL;
  g_autofree char *text = NULL;
  g_autofree char *description = NULL;

  if (run->cli->json)
    {
      print_json_frame (run, event, frame, data);
      return;
    }

  author = escape_text (member_string (frame, "author"));
  description = describe_event (event, data);
  text = escape_text (description);
  printf ("%" G_GINT64_FORMAT "\t%s\t%s\n", seq, author, text);
  fflush (stdout);
}

static void
on_event_cb (ConfabRoomClient *client,
             const char       *room,
             gint64            seq,
             JsonObject       *frame,
             RoomRun          *run)
{
  const char *event = member_string (frame, "event");
  const char *author = member_string (frame, "author");
  JsonObject *data = event_data (frame);

  if (g_strcmp0 (room, run->room) != 0 || event == NULL)
    return;

  log_event (run, event, author, data);

  if (run->print_events)
    print_event (run, seq, event, frame);

  if (run->want_event != NULL && run->found == NULL && seq > run->wait_after &&
      g_str_equal (event, run->want_event) &&
      (run->any_author || g_strcmp0 (author, confab_room_client_get_user (client)) == 0) &&
      (run->want_chat == NULL || g_strcmp0 (member_string (data, "chat"), run->want_chat) == 0) &&
      (run->want_text == NULL || g_strcmp0 (member_string (data, "text"), run->want_text) == 0))
    {
      run->found = json_node_alloc ();
      json_node_init_object (run->found, frame);
    }
}

static void
on_ephemeral_cb (ConfabRoomClient *client,
                 const char       *room,
                 JsonObject       *frame,
                 RoomRun          *run)
{
  if (!run->print_events || !run->cli->json || g_strcmp0 (room, run->room) != 0)
    return;

  print_json_frame (run, member_string (frame, "type"), frame, NULL);
}

static void
on_room_lost_cb (ConfabRoomClient *client,
                 const char       *room,
                 const GError     *error,
                 RoomRun          *run)
{
  if (g_strcmp0 (room, run->room) == 0 && run->failure == NULL)
    run->failure = g_error_copy (error);
}

static void
on_state_cb (ConfabRoomClient *client,
             GParamSpec       *pspec,
             RoomRun          *run)
{
  const GError *error = confab_room_client_get_last_error (client);

  if (confab_room_client_get_state (client) != CONFAB_ROOM_CLIENT_DISCONNECTED ||
      run->failure != NULL)
    return;

  run->failure = error != NULL ? g_error_copy (error)
                               : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                                      "the connection to the server was closed");
}

/* Spins until @done is TRUE, or the room or the connection is gone. */
static gboolean
spin_until (RoomRun  *run,
            gboolean *done)
{
  while (!*done && run->failure == NULL && !run->stop)
    g_main_context_iteration (NULL, TRUE);

  return *done;
}

static JsonNode *
new_frame (const char *type,
           const char *room)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "type", type);
  if (room != NULL)
    json_object_set_string_member (object, "room", room);
  json_node_set_object (node, object);
  return node;
}

static JsonObject *
frame_object (JsonNode *frame)
{
  return json_node_get_object (frame);
}

static JsonNode *
request (RoomRun   *run,
         JsonNode  *frame,
         GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_room_client_request_async (run->client, frame, NULL, confab_cli_async_cb, &result);
  return confab_room_client_request_finish (run->client, confab_cli_await (&result), error);
}

/* ------------------------------------------------------------------------ */
/* The session. */

static gboolean
is_signed_out (const GError *error)
{
  return g_error_matches (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_EXPIRED) ||
         g_error_matches (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_UNAUTHORIZED);
}

/* Connects and signs in with the saved session; prints why not. */
static gboolean
room_run_open (RoomRun   *run,
               ConfabCli *cli,
               int       *exit)
{
  g_autoptr(ConfabRoomSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  run->cli = cli;
  run->chats = g_ptr_array_new_with_free_func (g_free);
  run->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) log_message_free);
  run->by_id = g_hash_table_new (g_str_hash, g_str_equal);

  session = confab_room_session_load (cli->data_dir, cli->server, NULL, &error);
  if (error != NULL)
    {
      *exit = confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);
      return FALSE;
    }
  if (session == NULL || session->token == NULL)
    {
      if (cli->server != NULL)
        *exit = confab_cli_error (CLI_EXIT_LOCAL,
                                  "not signed in to %s: run confab-cli server login --server %s "
                                  "--user NAME", cli->server, cli->server);
      else
        *exit = confab_cli_error (CLI_EXIT_LOCAL,
                                  "not signed in to a server: run confab-cli server login "
                                  "--server URL --user NAME");
      return FALSE;
    }

  run->client = confab_room_client_new (session->server_url);
  confab_room_client_set_token (run->client, session->token);
  confab_room_client_set_auto_reconnect (run->client, FALSE);
  g_signal_connect (run->client, "event", G_CALLBACK (on_event_cb), run);
  g_signal_connect (run->client, "ephemeral", G_CALLBACK (on_ephemeral_cb), run);
  g_signal_connect (run->client, "room-lost", G_CALLBACK (on_room_lost_cb), run);
  g_signal_connect (run->client, "notify::state", G_CALLBACK (on_state_cb), run);

  confab_room_client_connect_async (run->client, NULL, confab_cli_async_cb, &result);
  if (!confab_room_client_connect_finish (run->client, confab_cli_await (&result), &error))
    {
      if (is_signed_out (error))
        *exit = confab_cli_error (CLI_EXIT_REFUSED,
                                  "the session of %s on %s is no longer valid (%s): sign in "
                                  "again with confab-cli server login --server %s --user %s",
                                  session->user, session->server_url, error->message,
                                  session->server_url, session->user);
      else
        *exit = room_fail (error);
      return FALSE;
    }

  /* The failures that matter from here on are the verb's own. */
  g_clear_error (&run->failure);
  return TRUE;
}

/* Joins run->room from @since; the events go through on_event_cb. */
static JsonNode *
room_run_join (RoomRun  *run,
               gint64    since,
               int      *exit)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *joined;

  confab_room_client_join_async (run->client, run->room, since, NULL, confab_cli_async_cb,
                                 &result);
  joined = confab_room_client_join_finish (run->client, confab_cli_await (&result), &error);
  if (joined == NULL)
    *exit = room_fail (error);

  return joined;
}

static char *
read_password (void)
{
  g_autoptr(GString) password = g_string_sized_new (64);
  struct termios saved;
  gboolean tty = isatty (STDIN_FILENO);
  gboolean restore = FALSE;
  char *copy;
  int c;

  if (tty)
    {
      struct termios quiet;

      fputs ("Password: ", stderr);
      fflush (stderr);
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~ECHO;
          restore = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }

  /* The first line, as typed: spaces are part of a password. */
  while ((c = fgetc (stdin)) != EOF && c != '\n' && password->len <= MAX_PASSWORD)
    g_string_append_c (password, (char) c);
  if (password->len > 0 && password->str[password->len - 1] == '\r')
    g_string_truncate (password, password->len - 1);

  if (restore)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  if (tty)
    fputc ('\n', stderr);

  copy = password->len > 0 && password->len <= MAX_PASSWORD ? g_strdup (password->str) : NULL;
  explicit_bzero (password->str, password->allocated_len);
  return copy;
}

static void
free_password (char *password)
{
  if (password != NULL)
    explicit_bzero (password, strlen (password));
  g_free (password);
}

/* ------------------------------------------------------------------------ */
/* confab-cli server register|login|logout */

static int
server_sign_in (ConfabCli *cli,
                gboolean   create)
{
  g_autoptr(ConfabRoomClient) client = NULL;
  g_autoptr(ConfabRoomSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  char *password;
  gboolean ok;

  if (cli->server == NULL || cli->user == NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "server %s needs --server URL and --user NAME",
                             create ? "register" : "login");

  url = confab_room_session_normalize_url (cli->server, &error);
  if (url == NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);

  /* The keyring first: an account made on the server is of little use if
   * its session cannot be kept here. */
  {
    g_autoptr(ConfabRoomSession) previous G_GNUC_UNUSED = confab_room_session_load (cli->data_dir, url, NULL,
                                                                      &error);

    if (error != NULL)
      return confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);
  }

  password = read_password ();
  if (password == NULL)
    return confab_cli_error (CLI_EXIT_LOCAL,
                             "no password on stdin (expected one line with the password)");

  client = confab_room_client_new (url);
  confab_room_client_set_auto_reconnect (client, FALSE);
  confab_room_client_connect_async (client, NULL, confab_cli_async_cb, &result);
  ok = confab_room_client_connect_finish (client, confab_cli_await (&result), &error);
  g_clear_object (&result);
  if (ok)
    {
      confab_room_client_login_async (client, cli->user, password, create, NULL,
                                      confab_cli_async_cb, &result);
      ok = confab_room_client_login_finish (client, confab_cli_await (&result), &error);
    }
  free_password (password);
  confab_room_client_close (client);

  if (!ok)
    return room_fail (error);

  session = confab_room_session_new (url, confab_room_client_get_user (client),
                                     confab_room_client_get_token (client));
  if (!confab_room_session_save (cli->data_dir, session, NULL, &error))
    return confab_cli_error (CLI_EXIT_LOCAL, "signed in, but the session could not be kept: %s",
                             error->message);

  if (cli->json)
    {
      JsonBuilder *builder = confab_cli_json_begin ("session");

      confab_cli_json_add_string (builder, "server", session->server_url);
      confab_cli_json_add_string (builder, "user", session->user);
      confab_cli_json_end (builder);
    }

  return CLI_EXIT_OK;
}

static int
server_logout (ConfabCli *cli)
{
  g_autoptr(ConfabRoomSession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = confab_room_session_load (cli->data_dir, cli->server, NULL, &error);
  if (error != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);
  if (session == NULL)
    return CLI_EXIT_OK;

  /* Revoke the token on the server when it can be reached; forgetting it
   * here is what matters. */
  if (session->token != NULL)
    {
      g_autoptr(ConfabRoomClient) client = confab_room_client_new (session->server_url);
      g_autoptr(GAsyncResult) result = NULL;

      confab_room_client_set_token (client, session->token);
      confab_room_client_set_auto_reconnect (client, FALSE);
      confab_room_client_connect_async (client, NULL, confab_cli_async_cb, &result);
      if (confab_room_client_connect_finish (client, confab_cli_await (&result), NULL))
        {
          g_autoptr(JsonNode) frame = new_frame ("logout", NULL);
          g_autoptr(JsonNode) answer = NULL;

          g_clear_object (&result);
          confab_room_client_request_async (client, frame, NULL, confab_cli_async_cb, &result);
          answer = confab_room_client_request_finish (client, confab_cli_await (&result), NULL);
        }
      confab_room_client_close (client);
    }

  if (!confab_room_session_delete (cli->data_dir, session->server_url, NULL, &error))
    return confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);

  return CLI_EXIT_OK;
}

int
confab_cli_server (ConfabCli *cli)
{
  const char *action = cli->args != NULL ? cli->args[0] : NULL;

  if (action == NULL)
    return confab_cli_error (CLI_EXIT_LOCAL,
                             "server needs register, login or logout (see confab-cli --help)");
  if (cli->args[1] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "server %s takes no arguments", action);

  if (g_str_equal (action, "register"))
    return server_sign_in (cli, TRUE);
  if (g_str_equal (action, "login"))
    return server_sign_in (cli, FALSE);
  if (g_str_equal (action, "logout"))
    return server_logout (cli);

  return confab_cli_error (CLI_EXIT_LOCAL, "unknown server command “%s” (see confab-cli --help)",
                           action);
}

/* ------------------------------------------------------------------------ */
/* Room verbs. */

static void
print_room (ConfabCli  *cli,
            JsonObject *room)
{
  const char *id = member_string (room, "id");
  const char *name = member_string (room, "name");
  const char *role = member_string (room, "role");

  if (cli->json)
    {
      JsonBuilder *builder = confab_cli_json_begin ("room");

      confab_cli_json_add_string (builder, "room_id", id);
      confab_cli_json_add_string (builder, "name", name);
      confab_cli_json_add_string (builder, "role", role);
      if (json_object_has_member (room, "last_seq"))
        confab_cli_json_add_count (builder, "last_seq",
                                   json_object_get_int_member_with_default (room, "last_seq", 0));
      confab_cli_json_end (builder);
    }
  else
    {
      g_autofree char *clean = g_strdup (name != NULL ? name : "");

      g_strdelimit (clean, "\t\r\n", ' ');
      printf ("%s\t%s\n", id != NULL ? id : "", clean);
      fflush (stdout);
    }
}

/* The first object names the room the command works on. */
static void
print_room_header (RoomRun *run)
{
  JsonBuilder *builder;

  if (!run->cli->json)
    return;

  builder = confab_cli_json_begin ("room");
  confab_cli_json_add_string (builder, "room_id", run->room);
  confab_cli_json_end (builder);
}

static JsonObject *
answer_room (JsonNode  *answer,
             GError   **error)
{
  JsonNode *room = json_object_get_member (frame_object (answer), "room");

  if (room == NULL || !JSON_NODE_HOLDS_OBJECT (room) ||
      member_string (json_node_get_object (room), "id") == NULL)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
                           "the server's answer names no room");
      return NULL;
    }

  return json_node_get_object (room);
}

/* room create NAME, room join INVITE: one frame carrying the one argument
 * as @member, answered with the room, which is printed. */
static int
room_request_room (RoomRun    *run,
                   const char *type,
                   const char *member,
                   const char *usage)
{
  g_autoptr(JsonNode) frame = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *room;

  if (run->cli->args[1] == NULL || run->cli->args[2] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "%s", usage);

  frame = new_frame (type, NULL);
  json_object_set_string_member (frame_object (frame), member, run->cli->args[1]);
  answer = request (run, frame, &error);
  if (answer == NULL || (room = answer_room (answer, &error)) == NULL)
    return room_fail (error);

  print_room (run->cli, room);
  return CLI_EXIT_OK;
}

static int
room_create (RoomRun *run)
{
  return room_request_room (run, "room.create", "name", "room create takes one NAME");
}

static int
room_list (RoomRun *run)
{
  g_autoptr(JsonNode) frame = new_frame ("rooms", NULL);
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *rooms;

  if (run->cli->args[1] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "room list takes no arguments");

  answer = request (run, frame, &error);
  if (answer == NULL)
    return room_fail (error);

  rooms = member_array (frame_object (answer), "rooms");
  for (guint i = 0; rooms != NULL && i < json_array_get_length (rooms); i++)
    {
      JsonObject *room = json_array_get_object_element (rooms, i);
      g_autofree char *name = NULL;

      if (room == NULL)
        continue;
      if (run->cli->json)
        {
          print_room (run->cli, room);
          continue;
        }

      name = g_strdup (member_string (room, "name") ?: "");
      g_strdelimit (name, "\t\r\n", ' ');
      printf ("%s\t%s\t%s\t%" G_GINT64_FORMAT "\n", member_string (room, "id") ?: "", name,
              member_string (room, "role") ?: "",
              json_object_get_int_member_with_default (room, "last_seq", 0));
    }
  fflush (stdout);

  return CLI_EXIT_OK;
}

static gboolean
parse_count (const char  *option,
             const char  *text,
             gint64       max,
             gint64      *value,
             int         *exit)
{
  guint64 parsed;

  if (text == NULL)
    return TRUE;

  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &parsed, NULL))
    {
      *exit = confab_cli_error (CLI_EXIT_LOCAL, "%s: “%s” is not a number from 0 to %"
                                G_GINT64_FORMAT, option, text, max);
      return FALSE;
    }

  *value = (gint64) parsed;
  return TRUE;
}

static int
room_invite (RoomRun *run)
{
  g_autoptr(JsonNode) frame = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  ConfabCli *cli = run->cli;
  ConfabRoomRole role;
  gint64 uses = -1;
  gint64 expires = -1;
  int exit = CLI_EXIT_OK;
  JsonObject *invite;
  const char *token;

  if (cli->args[1] == NULL || cli->args[2] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "room invite takes one ROOM_ID");
  if (cli->role == NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "room invite needs --role admin|member|viewer");
  if (!confab_room_role_from_string (cli->role, &role) || role == CONFAB_ROOM_ROLE_OWNER)
    return confab_cli_error (CLI_EXIT_LOCAL, "--role: “%s” is not admin, member or viewer",
                             cli->role);
  if (!parse_count ("--uses", cli->uses, G_MAXINT32, &uses, &exit) ||
      !parse_count ("--expires", cli->expires, G_MAXINT32, &expires, &exit))
    return exit;

  frame = new_frame ("invite.create", run->room);
  json_object_set_string_member (frame_object (frame), "role", cli->role);
  if (uses >= 0)
    json_object_set_int_member (frame_object (frame), "uses", uses);
  if (expires >= 0)
    json_object_set_int_member (frame_object (frame), "expires", expires);

  answer = request (run, frame, &error);
  if (answer == NULL)
    return room_fail (error);

  invite = frame_object (answer);
  /* Some servers may nest it; the protocol puts it at the top. */
  if (member_string (invite, "token") == NULL &&
      json_object_get_member (invite, "invite") != NULL &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (invite, "invite")))
    invite = json_object_get_object_member (invite, "invite");
  token = member_string (invite, "token");
  if (token == NULL)
    return confab_cli_error (CLI_EXIT_NETWORK, "the server's answer has no invite token");

  if (cli->json)
    {
      JsonBuilder *builder;

      print_room_header (run);
      builder = confab_cli_json_begin ("invite");
      confab_cli_json_add_string (builder, "token", token);
      confab_cli_json_add_string (builder, "role", member_string (invite, "role") ?: cli->role);
      confab_cli_json_add_count (builder, "uses",
                                 json_object_get_int_member_with_default (invite, "uses", -1));
      confab_cli_json_add_count (builder, "expires",
                                 json_object_get_int_member_with_default (invite, "expires", -1));
      confab_cli_json_end (builder);
    }
  else
    {
      printf ("%s\n", token);
      fflush (stdout);
    }

  return CLI_EXIT_OK;
}

static int
room_join (RoomRun *run)
{
  return room_request_room (run, "invite.accept", "token", "room join takes one INVITE");
}

static int
room_members (RoomRun *run)
{
  g_autoptr(JsonNode) frame = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *members;

  if (run->cli->args[1] == NULL || run->cli->args[2] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "room members takes one ROOM_ID");

  frame = new_frame ("members", run->room);
  answer = request (run, frame, &error);
  if (answer == NULL)
    return room_fail (error);

  print_room_header (run);
  members = member_array (frame_object (answer), "members");
  for (guint i = 0; members != NULL && i < json_array_get_length (members); i++)
    {
      JsonObject *member = json_array_get_object_element (members, i);
      gboolean online;

      if (member == NULL)
        continue;
      online = json_object_get_boolean_member_with_default (member, "online", FALSE);

      if (run->cli->json)
        {
          JsonBuilder *builder = confab_cli_json_begin ("member");

          confab_cli_json_add_string (builder, "user", member_string (member, "user"));
          confab_cli_json_add_string (builder, "role", member_string (member, "role"));
          json_builder_set_member_name (builder, "online");
          json_builder_add_boolean_value (builder, online);
          confab_cli_json_end (builder);
        }
      else
        printf ("%s\t%s\t%s\n", member_string (member, "user") ?: "",
                member_string (member, "role") ?: "", online ? "online" : "offline");
    }
  fflush (stdout);

  return CLI_EXIT_OK;
}

static int
room_role (RoomRun *run)
{
  g_autoptr(JsonNode) frame = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  ConfabCli *cli = run->cli;
  ConfabRoomRole role;

  if (cli->args[1] == NULL || cli->args[2] == NULL || cli->args[3] == NULL ||
      cli->args[4] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "room role takes ROOM_ID USER ROLE");
  if (!confab_room_role_from_string (cli->args[3], &role) || role == CONFAB_ROOM_ROLE_OWNER)
    return confab_cli_error (CLI_EXIT_LOCAL, "“%s” is not admin, member or viewer",
                             cli->args[3]);

  frame = new_frame ("member.role", run->room);
  json_object_set_string_member (frame_object (frame), "user", cli->args[2]);
  json_object_set_string_member (frame_object (frame), "role", cli->args[3]);
  answer = request (run, frame, &error);
  if (answer == NULL)
    return room_fail (error);

  if (cli->json)
    {
      JsonBuilder *builder;

      print_room_header (run);
      builder = confab_cli_json_begin ("member");
      confab_cli_json_add_string (builder, "user", cli->args[2]);
      confab_cli_json_add_string (builder, "role", cli->args[3]);
      confab_cli_json_end (builder);
    }

  return CLI_EXIT_OK;
}

static int
room_kick (RoomRun *run)
{
  g_autoptr(JsonNode) frame = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  ConfabCli *cli = run->cli;

  if (cli->args[1] == NULL || cli->args[2] == NULL || cli->args[3] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "room kick takes ROOM_ID USER");

  frame = new_frame ("member.remove", run->room);
  json_object_set_string_member (frame_object (frame), "user", cli->args[2]);
  answer = request (run, frame, &error);
  if (answer == NULL)
    return room_fail (error);

  if (cli->json)
    {
      JsonBuilder *builder;

      print_room_header (run);
      builder = confab_cli_json_begin ("removed");
      confab_cli_json_add_string (builder, "user", cli->args[2]);
      confab_cli_json_end (builder);
    }

  return CLI_EXIT_OK;
}

/* The token names its room: one invite.revoke without "room". */
static int
room_revoke (RoomRun *run)
{
  g_autoptr(JsonNode) frame = new_frame ("invite.revoke", NULL);
  g_autoptr(JsonNode) ack = NULL;
  g_autoptr(GError) error = NULL;
  ConfabCli *cli = run->cli;

  if (cli->args[1] == NULL || cli->args[2] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "room revoke takes one INVITE");

  json_object_set_string_member (frame_object (frame), "token", cli->args[1]);
  ack = request (run, frame, &error);
  if (g_error_matches (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NOT_FOUND))
    return confab_cli_error (CLI_EXIT_REFUSED,
                             "no such invite in the rooms you manage (or it was already revoked)");
  if (ack == NULL)
    return room_fail (error);

  if (cli->json)
    {
      JsonBuilder *builder;

      run->room = g_strdup (member_string (frame_object (ack), "room"));
      print_room_header (run);
      builder = confab_cli_json_begin ("revoked");
      confab_cli_json_end (builder);
    }

  return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* room tail */

static gboolean
on_stop_signal_cb (gpointer user_data)
{
  RoomRun *run = user_data;

  run->stop = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
print_streams (RoomRun  *run,
               JsonNode *joined)
{
  JsonArray *streams;

  if (!run->cli->json)
    return;

  streams = member_array (frame_object (joined), "streams");
  for (guint i = 0; streams != NULL && i < json_array_get_length (streams); i++)
    {
      JsonObject *stream = json_array_get_object_element (streams, i);

      if (stream != NULL)
        print_json_frame (run, "stream", stream, NULL);
    }
}

static int
room_tail (RoomRun *run)
{
  g_autoptr(JsonNode) joined = NULL;
  ConfabCli *cli = run->cli;
  gint64 since = 0;
  int exit = CLI_EXIT_OK;
  guint term_id;
  guint int_id;
  gboolean never = FALSE;

  if (cli->args[1] == NULL || cli->args[2] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "room tail takes one ROOM_ID");
  if (!parse_count ("--since", cli->since, G_MAXINT64, &since, &exit))
    return exit;

  print_room_header (run);
  run->print_events = TRUE;
  joined = room_run_join (run, since, &exit);
  if (joined == NULL)
    return exit;

  if (!cli->follow)
    {
      if (cli->json)
        {
          JsonBuilder *builder = confab_cli_json_begin ("synced");

          confab_cli_json_add_count (builder, "seq",
                                     confab_room_client_get_last_seq (run->client, run->room));
          confab_cli_json_end (builder);
        }
      return CLI_EXIT_OK;
    }

  print_streams (run, joined);
  if (cli->json)
    {
      JsonBuilder *builder = confab_cli_json_begin ("synced");

      confab_cli_json_add_count (builder, "seq",
                                 confab_room_client_get_last_seq (run->client, run->room));
      confab_cli_json_end (builder);
    }

  /* From here the library keeps the room: reconnecting after a drop and
   * re-joining from the last seq printed, so nothing prints twice. */
  confab_room_client_set_auto_reconnect (run->client, TRUE);
  term_id = g_unix_signal_add (SIGTERM, on_stop_signal_cb, run);
  int_id = g_unix_signal_add (SIGINT, on_stop_signal_cb, run);
  spin_until (run, &never);
  g_source_remove (term_id);
  g_source_remove (int_id);

  if (run->failure != NULL && !run->stop)
    return room_fail (run->failure);

  return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* room send, room ask: the chat to post in. */

static gboolean
chat_exists (RoomRun    *run,
             const char *chat)
{
  for (guint i = 0; i < run->chats->len; i++)
    if (g_str_equal (run->chats->pdata[i], chat))
      return TRUE;
  return FALSE;
}

/* Joins the room (its whole log: the chats and the conversation) and
 * picks --chat, the first chat, or a new "General". */
static char *
resolve_chat (RoomRun *run,
              int     *exit)
{
  g_autoptr(JsonNode) joined = NULL;
  g_autoptr(JsonNode) frame = NULL;
  g_autoptr(JsonNode) ack = NULL;
  g_autoptr(GError) error = NULL;

  joined = room_run_join (run, 0, exit);
  if (joined == NULL)
    return NULL;

  if (run->cli->chat_id != NULL)
    {
      if (!chat_exists (run, run->cli->chat_id))
        {
          *exit = confab_cli_error (CLI_EXIT_REFUSED, "room %s has no chat %s", run->room,
                                    run->cli->chat_id);
          return NULL;
        }
      return g_strdup (run->cli->chat_id);
    }

  if (run->chats->len > 0)
    return g_strdup (run->chats->pdata[0]);

  frame = new_frame ("chat.create", run->room);
  json_object_set_string_member (frame_object (frame), "title", DEFAULT_CHAT_TITLE);
  ack = request (run, frame, &error);
  if (ack == NULL)
    {
      *exit = room_fail (error);
      return NULL;
    }

  /* The event follows the ack. Someone else may have made one first: the
   * first chat of the log is the one, for everybody. */
  while (run->chats->len == 0 && run->failure == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (run->chats->len == 0)
    {
      *exit = room_fail (run->failure);
      return NULL;
    }

  return g_strdup (run->chats->pdata[0]);
}

/* Posts @text as a message in @chat; *seq and *message_id from its event. */
static gboolean
post_message (RoomRun     *run,
              const char  *chat,
              const char  *text,
              gint64      *seq,
              char       **message_id,
              int         *exit)
{
  g_autoptr(JsonNode) frame = new_frame ("message.create", run->room);
  g_autoptr(JsonNode) ack = NULL;
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;

  json_object_set_string_member (frame_object (frame), "chat", chat);
  json_object_set_string_member (frame_object (frame), "text", text);

  g_clear_pointer (&run->found, json_node_unref);
  run->want_event = "message.created";
  run->want_chat = chat;
  run->want_text = text;
  run->any_author = FALSE;
  run->wait_after = confab_room_client_get_last_seq (run->client, run->room);

  ack = request (run, frame, &error);
  if (ack == NULL)
    {
      *exit = room_fail (error);
      return FALSE;
    }

  while (run->found == NULL && run->failure == NULL)
    g_main_context_iteration (NULL, TRUE);
  found = run->found != NULL;
  run->want_event = NULL;
  if (!found)
    {
      *exit = room_fail (run->failure);
      return FALSE;
    }

  *seq = json_object_get_int_member_with_default (frame_object (run->found), "seq", 0);
  *message_id = g_strdup (member_string (event_data (frame_object (run->found)), "message"));
  return TRUE;
}

static char *
read_text (ConfabCli  *cli,
           guint       first,
           const char *what,
           int        *exit)
{
  g_autofree char *text = NULL;

  if (cli->args[first] == NULL)
    {
      *exit = confab_cli_error (CLI_EXIT_LOCAL, "%s", what);
      return NULL;
    }

  if (g_str_equal (cli->args[first], "-") && cli->args[first + 1] == NULL)
    {
      g_autoptr(GString) input = g_string_new (NULL);
      char buffer[4096];
      size_t n;

      while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
        g_string_append_len (input, buffer, n);
      while (input->len > 0 && input->str[input->len - 1] == '\n')
        g_string_truncate (input, input->len - 1);
      text = g_string_free (g_steal_pointer (&input), FALSE);
    }
  else
    text = g_strjoinv (" ", cli->args + first);

  if (*text == '\0' || g_utf8_strlen (text, -1) == 0)
    {
      *exit = confab_cli_error (CLI_EXIT_LOCAL, "%s", what);
      return NULL;
    }

  return g_steal_pointer (&text);
}

static int
room_send (RoomRun *run)
{
  g_autofree char *text = NULL;
  g_autofree char *chat = NULL;
  g_autofree char *message_id = NULL;
  gint64 seq = 0;
  int exit = CLI_EXIT_OK;

  text = read_text (run->cli, 2, "room send needs ROOM_ID and TEXT (or - to read stdin)", &exit);
  if (text == NULL)
    return exit;

  chat = resolve_chat (run, &exit);
  if (chat == NULL)
    return exit;

  if (!post_message (run, chat, text, &seq, &message_id, &exit))
    return exit;

  if (run->cli->json)
    {
      JsonBuilder *builder;

      print_room_header (run);
      builder = confab_cli_json_begin ("sent");
      confab_cli_json_add_string (builder, "chat", chat);
      confab_cli_json_add_string (builder, "message", message_id);
      confab_cli_json_add_count (builder, "seq", seq);
      confab_cli_json_end (builder);
    }
  else
    {
      printf ("%" G_GINT64_FORMAT "\t%s\n", seq, message_id != NULL ? message_id : "");
      fflush (stdout);
    }

  return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* room ask */

typedef struct
{
  RoomRun     *run;
  const char  *message;   /* the reply's id in the room */
  GString     *text;      /* the reply so far */
  gsize        sent;      /* how much of it went out as deltas */
  gint64       last_sent; /* monotonic µs of the last delta frame */
  guint        flush_id;
  gboolean     ends_with_newline;
} AskStream;

/* Deltas go out batched, like the desktop's (see
 * CONFAB_PROTOCOL_DELTA_INTERVAL_MS). */
#define ASK_DELTA_INTERVAL_US (CONFAB_PROTOCOL_DELTA_INTERVAL_MS * G_TIME_SPAN_MILLISECOND)

static void
ask_stream_flush (AskStream *stream)
{
  RoomRun *run = stream->run;
  g_autoptr(JsonNode) frame = NULL;

  g_clear_handle_id (&stream->flush_id, g_source_remove);
  if (stream->sent == stream->text->len)
    return;

  frame = confab_protocol_delta_frame (run->room, stream->message,
                                       stream->text->str + stream->sent, stream->sent);
  stream->sent = stream->text->len;
  stream->last_sent = g_get_monotonic_time ();

  /* Lost while offline: the whole text goes with stream.end. */
  confab_room_client_send (run->client, frame);
}

static gboolean
ask_stream_flush_cb (gpointer user_data)
{
  AskStream *stream = user_data;

  stream->flush_id = 0;
  ask_stream_flush (stream);
  return G_SOURCE_REMOVE;
}

static void
on_reply_delta_cb (ConfabReply *reply,
                   const char  *text,
                   AskStream   *stream)
{
  RoomRun *run = stream->run;
  gint64 wait;

  g_string_append (stream->text, text);
  wait = stream->last_sent + ASK_DELTA_INTERVAL_US - g_get_monotonic_time ();
  if (wait <= 0)
    ask_stream_flush (stream);
  else if (stream->flush_id == 0)
    stream->flush_id = g_timeout_add (MAX (1, wait / 1000), ask_stream_flush_cb, stream);

  if (run->cli->json)
    {
      JsonBuilder *builder = confab_cli_json_begin ("delta");

      confab_cli_json_add_string (builder, "text", text);
      confab_cli_json_end (builder);
    }
  else
    {
      confab_cli_write (text);
      stream->ends_with_newline = g_str_has_suffix (text, "\n");
    }
}

static ConfabChatRequest *
build_request (RoomRun    *run,
               const char *chat,
               const char *model,
               const char *prompt,
               const char *prompt_id)
{
  ConfabChatRequest *chat_request = confab_chat_request_new (model);
  g_autoptr(GPtrArray) turns = g_ptr_array_new ();
  guint first;

  for (guint i = 0; i < run->messages->len; i++)
    {
      LogMessage *message = run->messages->pdata[i];

      if (message->deleted || message->thread != NULL || g_strcmp0 (message->chat, chat) != 0 ||
          message->text->len == 0 || g_strcmp0 (message->id, prompt_id) == 0)
        continue;
      g_ptr_array_add (turns, message);
    }

  first = turns->len > MAX_CONTEXT_TURNS ? turns->len - MAX_CONTEXT_TURNS : 0;
  for (guint i = first; i < turns->len; i++)
    {
      LogMessage *message = turns->pdata[i];

      confab_chat_request_add_turn (chat_request,
                                    message->assistant ? CONFAB_ROLE_ASSISTANT : CONFAB_ROLE_USER,
                                    message->text->str);
    }
  confab_chat_request_add_turn (chat_request, CONFAB_ROLE_USER, prompt);

  return chat_request;
}

static gboolean
on_finish_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* stream.end, once the server can be reached again if the connection
 * dropped while the model was writing. */
static gboolean
end_stream (RoomRun      *run,
            const char   *message,
            const char   *text,
            const char   *status,
            const GError *reply_error,
            GError      **error)
{
  g_autoptr(JsonNode) frame = new_frame ("stream.end", run->room);
  g_autoptr(JsonNode) ack = NULL;
  gboolean timed_out = FALSE;
  guint timeout_id;

  json_object_set_string_member (frame_object (frame), "message", message);
  json_object_set_string_member (frame_object (frame), "text", text);
  json_object_set_string_member (frame_object (frame), "status", status);
  if (reply_error != NULL)
    json_object_set_string_member (frame_object (frame), "error", reply_error->message);

  timeout_id = g_timeout_add_seconds (FINISH_RECONNECT_SECONDS, on_finish_timeout_cb,
                                      &timed_out);
  while (confab_room_client_get_state (run->client) != CONFAB_ROOM_CLIENT_CONNECTED &&
         confab_room_client_get_state (run->client) != CONFAB_ROOM_CLIENT_DISCONNECTED &&
         !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);

  ack = request (run, frame, error);
  return ack != NULL;
}

static int
room_ask (RoomRun *run)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabChatRequest) chat_request = NULL;
  g_autoptr(ConfabReply) reply = NULL;
  g_autoptr(JsonNode) frame = NULL;
  g_autoptr(JsonNode) ack = NULL;
  g_autoptr(GError) reply_error = NULL;
  g_autoptr(GError) end_error = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *chat = NULL;
  g_autofree char *provider_id = NULL;
  g_autofree char *model = NULL;
  g_autofree char *prompt_id = NULL;
  g_autofree char *message = NULL;
  ConfabCli *cli = run->cli;
  AskStream stream = { .run = run };
  const char *status;
  gint64 seq = 0;
  int exit = CLI_EXIT_OK;
  guint sigint_id;

  if (cli->model == NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "room ask needs a model: -m PROVIDER:MODEL");
  prompt = read_text (cli, 2, "room ask needs ROOM_ID and a PROMPT (or - to read stdin)", &exit);
  if (prompt == NULL)
    return exit;
  if (!confab_conversation_split_model (cli->model, &provider_id, &model, &error))
    return confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);

  /* The key first: without one nothing is posted in the room. */
  if (!confab_cli_open (cli, &exit))
    return exit;
  confab_model_catalogue_get_provider_async (cli->catalogue, provider_id, NULL,
                                             confab_cli_async_cb, &result);
  provider = confab_model_catalogue_get_provider_finish (cli->catalogue,
                                                         confab_cli_await (&result), &error);
  g_clear_object (&result);
  if (provider == NULL)
    {
      if (cli->json)
        confab_cli_json_error (error);
      return confab_cli_fail (error);
    }

  chat = resolve_chat (run, &exit);
  if (chat == NULL)
    return exit;

  print_room_header (run);

  /* The question, for everybody to see, then the reply as it comes. */
  if (!post_message (run, chat, prompt, &seq, &prompt_id, &exit))
    return exit;

  frame = new_frame ("stream.start", run->room);
  json_object_set_string_member (frame_object (frame), "chat", chat);
  json_object_set_string_member (frame_object (frame), "model", cli->model);
  ack = request (run, frame, &error);
  if (ack == NULL)
    return room_fail (error);
  message = g_strdup (member_string (frame_object (ack), "message"));
  if (message == NULL)
    return confab_cli_error (CLI_EXIT_NETWORK, "the server's answer to stream.start has no message");

  if (cli->json)
    {
      JsonBuilder *builder = confab_cli_json_begin ("stream");

      confab_cli_json_add_string (builder, "chat", chat);
      confab_cli_json_add_string (builder, "message", message);
      confab_cli_json_add_string (builder, "model", cli->model);
      confab_cli_json_end (builder);
    }

  /* A drop while the model writes must not lose the reply. */
  confab_room_client_set_auto_reconnect (run->client, TRUE);

  chat_request = build_request (run, chat, model, prompt, prompt_id);
  reply = confab_provider_chat (provider, chat_request);
  stream.message = message;
  stream.text = g_string_new (NULL);
  g_signal_connect (reply, "delta", G_CALLBACK (on_reply_delta_cb), &stream);

  cli->cancellable = g_cancellable_new ();
  /* Ctrl+C stops the reply; what arrived is kept in the room, cancelled. */
  sigint_id = g_unix_signal_add (SIGINT, on_stop_signal_cb, run);
  confab_reply_run_async (reply, cli->cancellable, confab_cli_async_cb, &result);
  while (result == NULL)
    {
      g_main_context_iteration (NULL, TRUE);
      if (run->stop && !g_cancellable_is_cancelled (cli->cancellable))
        g_cancellable_cancel (cli->cancellable);
    }
  confab_reply_run_finish (reply, result, &reply_error);
  g_source_remove (sigint_id);
  g_signal_handlers_disconnect_by_data (reply, &stream);
  /* The rest of the batch, so followers' deltas add up to the reply. */
  ask_stream_flush (&stream);

  if (!cli->json && stream.text->len > 0 && !stream.ends_with_newline)
    confab_cli_write ("\n");

  if (reply_error == NULL)
    status = "complete";
  else if (g_error_matches (reply_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    status = "cancelled";
  else
    status = "error";

  /* The full text from the reply itself: deltas may have been lost. */
  if (!end_stream (run, message, confab_reply_get_text (reply), status, reply_error,
                   &end_error))
    {
      g_string_free (stream.text, TRUE);
      if (reply_error != NULL)
        {
          if (cli->json)
            confab_cli_json_error (reply_error);
          return room_fail (reply_error);
        }
      return room_fail (end_error);
    }
  g_string_free (stream.text, TRUE);

  if (reply_error != NULL)
    {
      if (cli->json)
        confab_cli_json_error (reply_error);
      if (g_error_matches (reply_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return confab_cli_error (CLI_EXIT_CANCELLED,
                                 "cancelled; the partial reply was kept in the room");
      return room_fail (reply_error);
    }

  if (cli->json)
    {
      JsonBuilder *builder = confab_cli_json_begin ("done");

      confab_cli_json_add_string (builder, "message", message);
      confab_cli_json_add_string (builder, "status", status);
      confab_cli_json_add_string (builder, "stop_reason", confab_reply_get_stop_reason (reply));
      confab_cli_json_end (builder);
    }

  return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------ */

typedef int (*RoomVerb) (RoomRun *run);

static const struct
{
  const char *name;
  gboolean    needs_room;   /* args[1] is a ROOM_ID */
  RoomVerb    func;
} room_verbs[] = {
  { "create", FALSE, room_create },
  { "list", FALSE, room_list },
  { "invite", TRUE, room_invite },
  { "join", FALSE, room_join },
  { "send", TRUE, room_send },
  { "ask", TRUE, room_ask },
  { "tail", TRUE, room_tail },
  { "members", TRUE, room_members },
  { "role", TRUE, room_role },
  { "kick", TRUE, room_kick },
  { "revoke", FALSE, room_revoke },
};

/* Options of one room verb only, refused elsewhere. */
static int
check_room_options (ConfabCli  *cli,
                    const char *verb)
{
  gboolean ask = g_str_equal (verb, "ask");
  gboolean tail = g_str_equal (verb, "tail");
  gboolean invite = g_str_equal (verb, "invite");

  if (!ask && cli->model != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "-m/--model is for chat and room ask only");
  if (!ask && !g_str_equal (verb, "send") && cli->chat_id != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "--chat is for chat, room send and room ask only");
  if (!tail && (cli->since != NULL || cli->follow))
    return confab_cli_error (CLI_EXIT_LOCAL, "--since and --follow are for room tail only");
  if (!invite && (cli->role != NULL || cli->uses != NULL || cli->expires != NULL))
    return confab_cli_error (CLI_EXIT_LOCAL, "--role, --uses and --expires are for room invite only");
  if (cli->user != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "--user is for server register and login only");

  return CLI_EXIT_OK;
}

int
confab_cli_room (ConfabCli *cli)
{
  g_auto(RoomRun) run = { 0 };
  const char *verb = cli->args != NULL ? cli->args[0] : NULL;
  int exit = CLI_EXIT_OK;

  if (verb == NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "room needs a command (see confab-cli --help)");

  for (guint i = 0; i < G_N_ELEMENTS (room_verbs); i++)
    {
      if (!g_str_equal (room_verbs[i].name, verb))
        continue;

      exit = check_room_options (cli, verb);
      if (exit != CLI_EXIT_OK)
        return exit;
      if (room_verbs[i].needs_room && cli->args[1] == NULL)
        return confab_cli_error (CLI_EXIT_LOCAL, "room %s needs a ROOM_ID (see confab-cli --help)",
                                 verb);

      if (!room_run_open (&run, cli, &exit))
        return exit;
      if (room_verbs[i].needs_room)
        run.room = g_strdup (cli->args[1]);

      return room_verbs[i].func (&run);
    }

  return confab_cli_error (CLI_EXIT_LOCAL, "unknown room command “%s” (see confab-cli --help)",
                           verb);
}
