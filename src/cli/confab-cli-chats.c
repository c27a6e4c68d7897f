/* confab-cli-chats.c: `confab-cli chats` and `confab-cli show`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <stdio.h>

#include "confab-cli.h"

typedef struct
{
  ConfabChat    *chat;
  ConfabProject *project;
} ChatRow;

static void
chat_row_free (ChatRow *row)
{
  g_object_unref (row->chat);
  g_object_unref (row->project);
  g_free (row);
}

/* Most recent activity first, across projects. */
static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const ChatRow *row_a = *(const ChatRow **)a;
  const ChatRow *row_b = *(const ChatRow **)b;
  gint64 updated_a = confab_chat_get_updated (row_a->chat);
  gint64 updated_b = confab_chat_get_updated (row_b->chat);

  if (updated_a != updated_b)
    return updated_a > updated_b ? -1 : 1;

  return confab_chat_get_id (row_a->chat) > confab_chat_get_id (row_b->chat) ? -1 : 1;
}

/* Titles and names go on one line of a tab-separated table. */
static char *
one_line (const char *text)
{
  char *copy = g_strdup (text != NULL ? text : "");

  for (char *p = copy; *p != '\0'; p++)
    if (*p == '\t' || *p == '\n' || *p == '\r')
      *p = ' ';

  return copy;
}

int
confab_cli_chats (ConfabCli *cli)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) chat_row_free);
  GListModel *projects;
  int exit = CLI_EXIT_OK;

  if (cli->args != NULL && cli->args[0] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "chats takes no arguments");

  if (!confab_cli_open (cli, &exit))
    return exit;

  projects = confab_store_get_projects (cli->store);
  for (guint i = 0; i < g_list_model_get_n_items (projects); i++)
    {
      g_autoptr(ConfabProject) project = g_list_model_get_item (projects, i);
      g_autoptr(GListModel) chats = confab_store_list_chats (cli->store, project);

      for (guint j = 0; j < g_list_model_get_n_items (chats); j++)
        {
          ChatRow *row = g_new0 (ChatRow, 1);

          row->chat = g_list_model_get_item (chats, j);
          row->project = g_object_ref (project);
          g_ptr_array_add (rows, row);
        }
    }

  g_ptr_array_sort (rows, compare_rows);

  for (guint i = 0; i < rows->len; i++)
    {
      ChatRow *row = g_ptr_array_index (rows, i);
      ConfabChat *chat = row->chat;

      if (cli->json)
        {
          JsonBuilder *builder = confab_cli_json_begin ("chat");

          confab_cli_json_add_id (builder, "chat_id", confab_chat_get_id (chat));
          confab_cli_json_add_string (builder, "project", confab_project_get_name (row->project));
          confab_cli_json_add_id (builder, "project_id", confab_project_get_id (row->project));
          confab_cli_json_add_string (builder, "title", confab_chat_get_title (chat));
          confab_cli_json_add_string (builder, "model", confab_chat_get_model (chat));
          confab_cli_json_add_count (builder, "updated",
                                     confab_chat_get_updated (chat) / G_USEC_PER_SEC);
          json_builder_set_member_name (builder, "pinned");
          json_builder_add_boolean_value (builder, confab_chat_get_pinned (chat));
          json_builder_set_member_name (builder, "archived");
          json_builder_add_boolean_value (builder, confab_chat_get_archived (chat));
          confab_cli_json_end (builder);
        }
      else
        {
          g_autofree char *project = one_line (confab_project_get_name (row->project));
          g_autofree char *title = one_line (confab_chat_get_title (chat));
          const char *model = confab_chat_get_model (chat);

          printf ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\n", confab_chat_get_id (chat), project,
                  title, model != NULL ? model : "-");
        }
    }

  fflush (stdout);
  return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------ */

/* "PROVIDER:MODEL" for a reply, the imported model's name, or NULL. */
static char *
dup_message_model (ConfabMessage *message)
{
  const char *provider = confab_message_get_provider (message);
  const char *model = confab_message_get_model (message);
  const char *author = confab_message_get_author (message);

  if (confab_message_get_role (message) == CONFAB_ROLE_USER)
    return NULL;
  if (provider != NULL && *provider != '\0' && model != NULL && *model != '\0')
    return g_strdup_printf ("%s:%s", provider, model);
  if (model != NULL && *model != '\0')
    return g_strdup (model);
  if (author != NULL && *author != '\0')
    return g_strdup (author);

  return NULL;
}

static void
print_message (ConfabCli     *cli,
               ConfabMessage *message)
{
  g_autofree char *model = dup_message_model (message);
  ConfabMessageStatus status = confab_message_get_status (message);
  const char *role = confab_role_to_string (confab_message_get_role (message));

  if (cli->json)
    {
      JsonBuilder *builder = confab_cli_json_begin ("message");

      confab_cli_json_add_id (builder, "id", confab_message_get_id (message));
      confab_cli_json_add_string (builder, "role", role);
      confab_cli_json_add_string (builder, "model", model);
      confab_cli_json_add_string (builder, "status", confab_message_status_to_string (status));
      confab_cli_json_add_count (builder, "created",
                                 confab_message_get_created (message) / G_USEC_PER_SEC);
      confab_cli_json_add_string (builder, "text", confab_message_get_content (message));
      if (confab_message_get_parent_id (message) != 0)
        confab_cli_json_add_id (builder, "thread", confab_message_get_parent_id (message));
      if (confab_message_get_error (message) != NULL)
        confab_cli_json_add_string (builder, "error", confab_message_get_error (message));
      if (confab_message_get_input_tokens (message) >= 0 ||
          confab_message_get_output_tokens (message) >= 0)
        {
          json_builder_set_member_name (builder, "usage");
          json_builder_begin_object (builder);
          confab_cli_json_add_count (builder, "input_tokens",
                                     confab_message_get_input_tokens (message));
          confab_cli_json_add_count (builder, "output_tokens",
                                     confab_message_get_output_tokens (message));
          json_builder_end_object (builder);
        }
      if (confab_message_get_reply_count (message) > 0)
        confab_cli_json_add_count (builder, "replies", confab_message_get_reply_count (message));
      confab_cli_json_end (builder);
      return;
    }

  /* "== #12 openai:gpt-4o-mini [error: …] (2 replies) ==", then the text. */
  printf ("== #%" G_GINT64_FORMAT " %s", confab_message_get_id (message),
          model != NULL ? model : role);
  if (status == CONFAB_MESSAGE_STATUS_ERROR)
    printf (" [error: %s]", confab_message_get_error (message) != NULL
                              ? confab_message_get_error (message) : "unknown");
  else if (status != CONFAB_MESSAGE_STATUS_COMPLETE)
    printf (" [%s]", confab_message_status_to_string (status));
  if (confab_message_get_reply_count (message) == 1)
    printf (" (1 reply)");
  else if (confab_message_get_reply_count (message) > 1)
    printf (" (%u replies)", confab_message_get_reply_count (message));
  printf (" ==\n%s\n", confab_message_get_content (message));
}

int
confab_cli_show (ConfabCli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabChat) chat = NULL;
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(ConfabMessageList) messages = NULL;
  gint64 chat_id;
  gint64 parent_id = 0;
  int exit = CLI_EXIT_OK;

  if (cli->args == NULL || cli->args[0] == NULL || cli->args[1] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "usage: show CHAT_ID [--thread MSG_ID] [--json]");
  if (!confab_cli_parse_id (cli->args[0], &chat_id))
    return confab_cli_error (CLI_EXIT_LOCAL, "“%s” is not a chat id", cli->args[0]);
  if (cli->thread_id != NULL && !confab_cli_parse_id (cli->thread_id, &parent_id))
    return confab_cli_error (CLI_EXIT_LOCAL, "--thread: “%s” is not a message id",
                             cli->thread_id);

  if (!confab_cli_open (cli, &exit))
    return exit;

  chat = confab_store_lookup_chat (cli->store, chat_id, &error);
  if (chat == NULL)
    return confab_cli_fail (error);
  project = confab_store_lookup_project (cli->store, confab_chat_get_project_id (chat), NULL);

  if (parent_id != 0)
    {
      g_autoptr(ConfabMessage) parent = confab_store_lookup_message (cli->store, parent_id,
                                                                     &error);

      if (parent == NULL)
        return confab_cli_fail (error);
      if (confab_message_get_chat_id (parent) != chat_id)
        return confab_cli_error (CLI_EXIT_LOCAL, "message %" G_GINT64_FORMAT
                                 " is not in chat %" G_GINT64_FORMAT, parent_id, chat_id);
    }

  if (cli->json)
    {
      JsonBuilder *builder = confab_cli_json_begin ("chat");

      confab_cli_json_add_id (builder, "chat_id", chat_id);
      confab_cli_json_add_string (builder, "title", confab_chat_get_title (chat));
      confab_cli_json_add_string (builder, "project",
                                  project != NULL ? confab_project_get_name (project) : NULL);
      confab_cli_json_add_string (builder, "model", confab_chat_get_model (chat));
      if (parent_id != 0)
        confab_cli_json_add_id (builder, "thread", parent_id);
      confab_cli_json_end (builder);
    }
  else
    printf ("# %s (chat %" G_GINT64_FORMAT ", project %s)\n\n", confab_chat_get_title (chat),
            chat_id, project != NULL ? confab_project_get_name (project) : "?");

  messages = confab_store_list_messages (cli->store, chat_id, parent_id);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (messages)); i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (messages), i);

      if (message == NULL)
        continue;
      if (!cli->json && i > 0)
        printf ("\n");
      print_message (cli, message);
    }

  fflush (stdout);
  return CLI_EXIT_OK;
}
