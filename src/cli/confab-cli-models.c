/* confab-cli-models.c: `confab-cli models` and `confab-cli keys`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "confab-cli.h"

/* Keys are at most a few hundred bytes; anything longer is not a key. */
#define MAX_KEY_SIZE 8192

static void
print_model (ConfabCli       *cli,
             ConfabModelInfo *info)
{
  gint64 context_window = confab_model_info_get_context_window (info);

  if (cli->json)
    {
      JsonBuilder *builder = confab_cli_json_begin ("model");

      confab_cli_json_add_string (builder, "id", confab_model_info_get_full_id (info));
      confab_cli_json_add_string (builder, "provider", confab_model_info_get_provider (info));
      confab_cli_json_add_string (builder, "model", confab_model_info_get_model (info));
      confab_cli_json_add_string (builder, "name", confab_model_info_get_display_name (info));
      confab_cli_json_add_count (builder, "context_window",
                                 context_window > 0 ? context_window : -1);
      confab_cli_json_add_count (builder, "max_output",
                                 confab_model_info_get_max_output (info) > 0
                                   ? confab_model_info_get_max_output (info) : -1);
      confab_cli_json_end (builder);
      return;
    }

  if (context_window > 0)
    printf ("%s\t%s\t%" G_GINT64_FORMAT "\n", confab_model_info_get_full_id (info),
            confab_model_info_get_display_name (info), context_window);
  else
    printf ("%s\t%s\t-\n", confab_model_info_get_full_id (info),
            confab_model_info_get_display_name (info));
}

int
confab_cli_models (ConfabCli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(GStrv) providers = NULL;
  GListModel *models;
  int exit = CLI_EXIT_OK;

  if (cli->args != NULL && cli->args[0] != NULL)
    return confab_cli_error (CLI_EXIT_LOCAL, "models takes no arguments");

  if (!confab_cli_open (cli, &exit))
    return exit;

  confab_model_catalogue_refresh_async (cli->catalogue, NULL, confab_cli_async_cb, &result);
  if (!confab_model_catalogue_refresh_finish (cli->catalogue, confab_cli_await (&result),
                                              &error))
    {
      if (cli->json)
        confab_cli_json_error (error);
      return confab_cli_fail (error);
    }

  providers = confab_model_catalogue_dup_providers (cli->catalogue);

  if (cli->json)
    {
      JsonBuilder *builder = confab_cli_json_begin ("models");

      json_builder_set_member_name (builder, "providers");
      json_builder_begin_array (builder);
      for (guint i = 0; providers[i] != NULL; i++)
        json_builder_add_string_value (builder, providers[i]);
      json_builder_end_array (builder);
      confab_cli_json_end (builder);
    }

  models = G_LIST_MODEL (cli->catalogue);
  for (guint i = 0; i < g_list_model_get_n_items (models); i++)
    {
      g_autoptr(ConfabModelInfo) info = g_list_model_get_item (models, i);

      print_model (cli, info);
    }
  fflush (stdout);

  /* Each provider that failed: one line, and the exit code of the first. */
  for (guint i = 0; providers[i] != NULL; i++)
    {
      const GError *failure = confab_model_catalogue_get_provider_error (cli->catalogue,
                                                                         providers[i]);
      int code;

      if (failure == NULL)
        continue;

      if (cli->json)
        {
          JsonBuilder *builder = confab_cli_json_begin ("error");

          confab_cli_json_add_string (builder, "provider", providers[i]);
          confab_cli_json_add_string (builder, "kind", confab_cli_error_kind (failure));
          confab_cli_json_add_string (builder, "message", failure->message);
          confab_cli_json_end (builder);
        }

      code = confab_cli_error (confab_cli_exit_code (failure), "%s: %s", providers[i],
                               failure->message);
      if (exit == CLI_EXIT_OK)
        exit = code;
    }

  return exit;
}

/* ------------------------------------------------------------------------ */

static gboolean
is_known_provider (const char *id)
{
  const char **ids = confab_provider_list_known_ids ();

  for (guint i = 0; ids[i] != NULL; i++)
    if (g_str_equal (ids[i], id))
      return TRUE;

  return FALSE;
}

/* The key from stdin: typed without echo on a terminal, else piped. */
static char *
read_key (const char *provider_id)
{
  g_autoptr(GString) key = g_string_sized_new (256);
  struct termios saved;
  gboolean tty = isatty (STDIN_FILENO);
  gboolean restore = FALSE;
  int c;

  if (tty)
    {
      struct termios quiet;

      fprintf (stderr, "API key for %s: ", provider_id);
      fflush (stderr);
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~ECHO;
          restore = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }

  while ((c = fgetc (stdin)) != EOF && key->len <= MAX_KEY_SIZE)
    {
      /* On a terminal the first line is the key. */
      if (tty && c == '\n')
        break;
      g_string_append_c (key, (char)c);
    }

  if (restore)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  if (tty)
    fputc ('\n', stderr);

  g_strstrip (key->str);
  g_string_set_size (key, strlen (key->str));

  if (key->len == 0 || key->len > MAX_KEY_SIZE || strchr (key->str, '\n') != NULL)
    {
      /* The copy goes without a trace. */
      memset (key->str, 0, key->allocated_len);
      return NULL;
    }

  {
    char *copy = g_strdup (key->str);

    memset (key->str, 0, key->allocated_len);
    return copy;
  }
}

static void
free_key (char *key)
{
  if (key != NULL)
    {
      memset (key, 0, strlen (key));
      g_free (key);
    }
}

static void
print_key_event (ConfabCli  *cli,
                 const char *provider_id,
                 const char *member,
                 gboolean    value)
{
  JsonBuilder *builder = confab_cli_json_begin ("key");

  confab_cli_json_add_string (builder, "provider", provider_id);
  json_builder_set_member_name (builder, member);
  json_builder_add_boolean_value (builder, value);
  confab_cli_json_end (builder);
}

int
confab_cli_keys (ConfabCli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  const char *action;
  const char *provider_id;

  if (cli->args == NULL || cli->args[0] == NULL || cli->args[1] == NULL ||
      cli->args[2] != NULL ||
      (!g_str_equal (cli->args[0], "set") && !g_str_equal (cli->args[0], "delete")))
    return confab_cli_error (CLI_EXIT_LOCAL, "usage: keys set PROVIDER | keys delete PROVIDER");

  action = cli->args[0];
  provider_id = cli->args[1];

  if (!is_known_provider (provider_id))
    return confab_cli_error (CLI_EXIT_LOCAL,
                             "unknown provider “%s”: use openai, anthropic, gemini or "
                             "openrouter", provider_id);

  provider = confab_provider_new (provider_id, NULL, &error);
  if (provider == NULL)
    return confab_cli_fail (error);
  if (!confab_provider_needs_key (provider))
    return confab_cli_error (CLI_EXIT_LOCAL, "%s needs no API key",
                             confab_provider_get_display_name (provider));

  if (g_str_equal (action, "set"))
    {
      char *key = read_key (provider_id);

      if (key == NULL)
        return confab_cli_error (CLI_EXIT_LOCAL,
                                 "no key on stdin (expected one line with the key)");

      confab_secrets_store_async (provider_id, key, NULL, confab_cli_async_cb, &result);
      free_key (key);
      if (!confab_secrets_store_finish (confab_cli_await (&result), &error))
        return confab_cli_fail (error);

      if (cli->json)
        print_key_event (cli, provider_id, "stored", TRUE);
      else
        printf ("The API key for %s is in the keyring.\n",
                confab_provider_get_display_name (provider));
    }
  else
    {
      gboolean removed = FALSE;

      confab_secrets_clear_async (provider_id, NULL, confab_cli_async_cb, &result);
      if (!confab_secrets_clear_finish (confab_cli_await (&result), &removed, &error))
        return confab_cli_fail (error);

      if (cli->json)
        print_key_event (cli, provider_id, "deleted", removed);
      else if (removed)
        printf ("The API key for %s was removed from the keyring.\n",
                confab_provider_get_display_name (provider));
      else
        printf ("There was no API key for %s in the keyring.\n",
                confab_provider_get_display_name (provider));
    }

  fflush (stdout);
  return CLI_EXIT_OK;
}
