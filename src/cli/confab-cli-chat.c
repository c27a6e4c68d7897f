/* confab-cli-chat.c: `confab-cli chat`: one prompt, the reply streamed to
 * stdout as it arrives, both kept in the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "confab-cli.h"

#define DEFAULT_PROJECT "Personal"

typedef struct
{
  ConfabCli *cli;
  gboolean   ends_with_newline;
  gboolean   wrote;
} ChatOutput;

static gboolean
on_sigint_cb (gpointer user_data)
{
  GCancellable *cancellable = user_data;

  /* The session stores what arrived as "cancelled" and returns. */
  g_cancellable_cancel (cancellable);

  return G_SOURCE_CONTINUE;
}

static void
on_delta_cb (ConfabChatSession *session,
             const char        *text,
             ChatOutput        *output)
{
  if (output->cli->json)
    {
      JsonBuilder *builder = confab_cli_json_begin ("delta");

      confab_cli_json_add_string (builder, "text", text);
      confab_cli_json_end (builder);
      return;
    }

  confab_cli_write (text);
  output->wrote = TRUE;
  output->ends_with_newline = g_str_has_suffix (text, "\n");
}

/* The prompt: the arguments joined, or stdin for "-". */
char *
confab_cli_read_prompt (ConfabCli  *cli,
                        GError    **error)
{
  if (cli->args == NULL || cli->args[0] == NULL)
    return NULL;

  if (g_str_equal (cli->args[0], "-") && cli->args[1] == NULL)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      char buffer[4096];
      size_t n;

      while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
        g_string_append_len (text, buffer, n);
      if (ferror (stdin))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "could not read the prompt from stdin");
          return NULL;
        }
      while (text->len > 0 && text->str[text->len - 1] == '\n')
        g_string_truncate (text, text->len - 1);

      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  return g_strjoinv (" ", cli->args);
}

/* The first project, or "Personal" when there is none (as the app does). */
static ConfabProject *
default_project (ConfabStore  *store,
                 GError      **error)
{
  GListModel *projects = confab_store_get_projects (store);

  if (g_list_model_get_n_items (projects) > 0)
    return g_list_model_get_item (projects, 0);

  return confab_store_create_project (store, DEFAULT_PROJECT, error);
}

/* Finds (or makes) the chat the prompt goes to; *parent_id is the thread. */
ConfabChat *
confab_cli_resolve_chat (ConfabCli   *cli,
                         const char  *prompt,
                         gint64      *parent_id,
                         int         *exit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabChat) chat = NULL;
  gint64 chat_id = 0;

  *parent_id = 0;

  if (cli->chat_id != NULL && !confab_cli_parse_id (cli->chat_id, &chat_id))
    {
      *exit = confab_cli_error (CLI_EXIT_LOCAL, "--chat: “%s” is not a chat id", cli->chat_id);
      return NULL;
    }

  if (cli->thread_id != NULL)
    {
      g_autoptr(ConfabMessage) message = NULL;
      gint64 message_id;

      if (!confab_cli_parse_id (cli->thread_id, &message_id))
        {
          *exit = confab_cli_error (CLI_EXIT_LOCAL, "--thread: “%s” is not a message id",
                                    cli->thread_id);
          return NULL;
        }

      message = confab_store_lookup_message (cli->store, message_id, &error);
      if (message == NULL)
        {
          *exit = confab_cli_fail (error);
          return NULL;
        }

      /* Threads are one level deep: a reply in a thread continues it. */
      *parent_id = confab_message_get_parent_id (message) != 0
                     ? confab_message_get_parent_id (message) : message_id;

      if (chat_id != 0 && chat_id != confab_message_get_chat_id (message))
        {
          *exit = confab_cli_error (CLI_EXIT_LOCAL, "message %" G_GINT64_FORMAT
                                    " is not in chat %" G_GINT64_FORMAT,
                                    message_id, chat_id);
          return NULL;
        }
      chat_id = confab_message_get_chat_id (message);
    }

  if (chat_id != 0)
    {
      chat = confab_store_lookup_chat (cli->store, chat_id, &error);
      if (chat == NULL)
        *exit = confab_cli_fail (error);
      return g_steal_pointer (&chat);
    }

  {
    g_autoptr(ConfabProject) project = default_project (cli->store, &error);
    g_autofree char *title = NULL;

    if (project == NULL)
      {
        *exit = confab_cli_fail (error);
        return NULL;
      }

    title = confab_conversation_make_title (prompt);
    chat = confab_store_create_chat (cli->store, project, title, &error);
    if (chat == NULL)
      *exit = confab_cli_fail (error);
  }

  return g_steal_pointer (&chat);
}

static void
print_chat_event (ConfabCli         *cli,
                  ConfabChatSession *session,
                  gint64             parent_id)
{
  ConfabChat *chat = confab_chat_session_get_chat (session);
  JsonBuilder *builder = confab_cli_json_begin ("chat");

  confab_cli_json_add_id (builder, "chat_id", confab_chat_get_id (chat));
  confab_cli_json_add_string (builder, "title", confab_chat_get_title (chat));
  confab_cli_json_add_string (builder, "model", confab_chat_session_get_model_id (session));
  if (parent_id != 0)
    confab_cli_json_add_id (builder, "thread", parent_id);
  confab_cli_json_end (builder);
}

static void
print_done_event (ConfabChatSession *session)
{
  ConfabReply *reply = confab_chat_session_get_reply (session);
  ConfabMessage *user = confab_chat_session_get_user_message (session);
  JsonBuilder *builder = confab_cli_json_begin ("done");

  confab_cli_json_add_id (builder, "chat_id",
                          confab_chat_get_id (confab_chat_session_get_chat (session)));
  if (user != NULL)
    confab_cli_json_add_id (builder, "prompt_id", confab_message_get_id (user));
  confab_cli_json_add_id (builder, "message_id",
                          confab_message_get_id (confab_chat_session_get_reply_message (session)));
  confab_cli_json_add_string (builder, "stop_reason", confab_reply_get_stop_reason (reply));
  json_builder_set_member_name (builder, "usage");
  json_builder_begin_object (builder);
  confab_cli_json_add_count (builder, "input_tokens", confab_reply_get_input_tokens (reply));
  confab_cli_json_add_count (builder, "output_tokens", confab_reply_get_output_tokens (reply));
  json_builder_end_object (builder);
  confab_cli_json_end (builder);
}

static void
print_error_event (ConfabChatSession *session,
                   const GError      *error)
{
  ConfabMessage *reply = confab_chat_session_get_reply_message (session);
  JsonBuilder *builder = confab_cli_json_begin ("error");

  confab_cli_json_add_string (builder, "kind", confab_cli_error_kind (error));
  confab_cli_json_add_string (builder, "message", error->message);
  if (reply != NULL)
    {
      confab_cli_json_add_id (builder, "message_id", confab_message_get_id (reply));
      confab_cli_json_add_string (builder, "status",
                                  confab_message_status_to_string (
                                    confab_message_get_status (reply)));
    }
  confab_cli_json_end (builder);
}

int
confab_cli_chat (ConfabCli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabChat) chat = NULL;
  g_autoptr(ConfabChatSession) session = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *provider_id = NULL;
  g_autofree char *model = NULL;
  ChatOutput output = { cli, FALSE, FALSE };
  gint64 parent_id = 0;
  guint sigint_id;
  int exit = CLI_EXIT_OK;

  if (cli->model == NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "chat needs a model: -m PROVIDER:MODEL");
  if (cli->new_chat && (cli->chat_id != NULL || cli->thread_id != NULL))
    return confab_cli_error (CLI_EXIT_LOCAL, "--new cannot be used with --chat or --thread");

  prompt = confab_cli_read_prompt (cli, &error);
  if (error != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);
  if (prompt == NULL || *g_strstrip (prompt) == '\0')
    return confab_cli_error (CLI_EXIT_LOCAL, "chat needs a prompt (or - to read it from stdin)");

  if (!confab_conversation_split_model (cli->model, &provider_id, &model, &error))
    return confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);

  if (!confab_cli_open (cli, &exit))
    return exit;

  /* The key first: without one nothing is stored, not even an empty chat. */
  confab_model_catalogue_get_provider_async (cli->catalogue, provider_id, NULL,
                                             confab_cli_async_cb, &result);
  provider = confab_model_catalogue_get_provider_finish (cli->catalogue,
                                                         confab_cli_await (&result), &error);
  if (provider == NULL)
    {
      if (cli->json)
        confab_cli_json_error (error);
      return confab_cli_fail (error);
    }
  g_clear_object (&result);

  chat = confab_cli_resolve_chat (cli, prompt, &parent_id, &exit);
  if (chat == NULL)
    return exit;

  session = confab_chat_session_new (cli->store, chat, provider, model);
  confab_chat_session_set_parent_id (session, parent_id);
  confab_chat_session_set_catalogue (session, cli->catalogue);
  g_signal_connect (session, "delta", G_CALLBACK (on_delta_cb), &output);

  if (cli->json)
    print_chat_event (cli, session, parent_id);

  cli->cancellable = g_cancellable_new ();
  sigint_id = g_unix_signal_add (SIGINT, on_sigint_cb, cli->cancellable);

  confab_chat_session_send_async (session, prompt, cli->cancellable,
                                  confab_cli_async_cb, &result);
  confab_chat_session_send_finish (session, confab_cli_await (&result), &error);
  g_source_remove (sigint_id);

  if (!cli->json && output.wrote && !output.ends_with_newline)
    confab_cli_write ("\n");

  if (error != NULL)
    {
      if (cli->json)
        print_error_event (session, error);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return confab_cli_error (CLI_EXIT_CANCELLED,
                                 "cancelled; the partial reply was kept (chat %" G_GINT64_FORMAT
                                 ")", confab_chat_get_id (chat));
      return confab_cli_fail (error);
    }

  if (cli->json)
    print_done_event (session);

  return CLI_EXIT_OK;
}
