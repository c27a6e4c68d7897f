/* confab-cli-transfer.c: `confab-cli import` and `confab-cli export`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <stdio.h>

#include <gio/gunixoutputstream.h>

#include "confab-cli.h"
#include "confab-export.h"
#include "confab-import.h"

int
confab_cli_import (ConfabCli *cli)
{
  g_autoptr(GPtrArray) chats = NULL;
  g_autoptr(GError) error = NULL;
  int exit = CLI_EXIT_OK;

  if (cli->args == NULL || cli->args[0] == NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "import needs a FILE (see confab-cli --help)");
  if (cli->args[1] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "import takes one FILE");

  if (!confab_cli_open (cli, &exit))
    return exit;

  /* All or nothing: a file that cannot be read creates no chat. */
  if (!confab_import_file (cli->store, cli->args[0], NULL, &chats, &error))
    return confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);

  for (guint i = 0; i < chats->len; i++)
    {
      ConfabChat *chat = g_ptr_array_index (chats, i);

      if (cli->json)
        {
          JsonBuilder *builder = confab_cli_json_begin ("chat");

          confab_cli_json_add_id (builder, "chat_id", confab_chat_get_id (chat));
          confab_cli_json_add_string (builder, "title", confab_chat_get_title (chat));
          confab_cli_json_end (builder);
        }
      else
        {
          g_autofree char *title = g_strdup (confab_chat_get_title (chat));

          g_strdelimit (title, "\t\r\n", ' ');
          printf ("%" G_GINT64_FORMAT "\t%s\n", confab_chat_get_id (chat), title);
        }
    }

  return CLI_EXIT_OK;
}

int
confab_cli_export (ConfabCli *cli)
{
  g_autoptr(ConfabChat) chat = NULL;
  g_autoptr(GOutputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  ConfabExportFormat format;
  gint64 chat_id;
  int exit = CLI_EXIT_OK;

  if (cli->args == NULL || cli->args[0] == NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "export needs a CHAT_ID (see confab-cli --help)");
  if (cli->args[1] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "export takes one CHAT_ID");
  if (!confab_cli_parse_id (cli->args[0], &chat_id))
    return confab_cli_error (CLI_EXIT_LOCAL, "“%s” is not a chat id", cli->args[0]);
  if (cli->format == NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "export needs --format markdown or --format json");
  if (!confab_export_format_from_string (cli->format, &format))
    return confab_cli_error (CLI_EXIT_LOCAL,
                             "unknown format “%s”: use markdown or json", cli->format);

  if (!confab_cli_open (cli, &exit))
    return exit;

  chat = confab_store_lookup_chat (cli->store, chat_id, &error);
  if (chat == NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);

  if (cli->output != NULL && !g_str_equal (cli->output, "-"))
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (cli->output);

      /* Written to a temporary file and renamed, so a failed export never
       * leaves half a file in place of a good one. */
      stream = G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE,
                                                NULL, &error));
      if (stream == NULL)
        return confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);
    }
  else
    {
      fflush (stdout);
      stream = g_unix_output_stream_new (fileno (stdout), FALSE);
    }

  if (!confab_export_chat (cli->store, chat, format, stream, NULL, &error) ||
      !g_output_stream_close (stream, NULL, &error))
    return confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);

  return CLI_EXIT_OK;
}
