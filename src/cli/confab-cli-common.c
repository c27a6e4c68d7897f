/* confab-cli-common.c: errors, exit codes, JSON lines and the store for
 * every verb of confab-cli.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-cli"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confab-cli.h"

void
confab_cli_clear (ConfabCli *cli)
{
  g_clear_pointer (&cli->data_dir, g_free);
  g_clear_pointer (&cli->base_urls, g_strfreev);
  g_clear_pointer (&cli->model, g_free);
  g_clear_pointer (&cli->models, g_strfreev);
  g_clear_pointer (&cli->synthesize, g_free);
  g_clear_pointer (&cli->rounds, g_free);
  g_clear_pointer (&cli->moderator, g_free);
  g_clear_pointer (&cli->budget, g_free);
  g_clear_pointer (&cli->chat_id, g_free);
  g_clear_pointer (&cli->thread_id, g_free);
  g_clear_pointer (&cli->format, g_free);
  g_clear_pointer (&cli->output, g_free);
  g_clear_pointer (&cli->server, g_free);
  g_clear_pointer (&cli->user, g_free);
  g_clear_pointer (&cli->role, g_free);
  g_clear_pointer (&cli->uses, g_free);
  g_clear_pointer (&cli->expires, g_free);
  g_clear_pointer (&cli->since, g_free);
  g_clear_pointer (&cli->args, g_strfreev);
  g_clear_object (&cli->catalogue);
  g_clear_object (&cli->store);
  g_clear_object (&cli->cancellable);
}

int
confab_cli_error (int         exit,
                  const char *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Whatever streamed to stdout stays there; the error is on its own. */
  fflush (stdout);
  fprintf (stderr, "confab-cli: error: %s\n", message);
  fflush (stderr);

  return exit;
}

int
confab_cli_exit_code (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return CLI_EXIT_CANCELLED;

  if (error->domain == CONFAB_PROVIDER_ERROR)
    switch ((ConfabProviderError) error->code)
      {
      case CONFAB_PROVIDER_ERROR_NETWORK:
      case CONFAB_PROVIDER_ERROR_STREAM:
        return CLI_EXIT_NETWORK;

      case CONFAB_PROVIDER_ERROR_FAILED:
        /* An unknown provider, a base URL that cannot work: ours. */
        return CLI_EXIT_LOCAL;

      case CONFAB_PROVIDER_ERROR_NO_KEY:
      case CONFAB_PROVIDER_ERROR_AUTH:
      case CONFAB_PROVIDER_ERROR_MODEL_NOT_FOUND:
      case CONFAB_PROVIDER_ERROR_RATE_LIMITED:
      case CONFAB_PROVIDER_ERROR_CONTEXT_LENGTH:
      case CONFAB_PROVIDER_ERROR_BAD_REQUEST:
      case CONFAB_PROVIDER_ERROR_OVERLOADED:
      default:
        return CLI_EXIT_REFUSED;
      }

  return CLI_EXIT_LOCAL;
}

const char *
confab_cli_error_kind (const GError *error)
{
  static const char * const provider_kinds[] = {
    [CONFAB_PROVIDER_ERROR_FAILED] = "failed",
    [CONFAB_PROVIDER_ERROR_NO_KEY] = "no_key",
    [CONFAB_PROVIDER_ERROR_AUTH] = "auth",
    [CONFAB_PROVIDER_ERROR_MODEL_NOT_FOUND] = "model_not_found",
    [CONFAB_PROVIDER_ERROR_RATE_LIMITED] = "rate_limited",
    [CONFAB_PROVIDER_ERROR_CONTEXT_LENGTH] = "context_length",
    [CONFAB_PROVIDER_ERROR_BAD_REQUEST] = "bad_request",
    [CONFAB_PROVIDER_ERROR_OVERLOADED] = "overloaded",
    [CONFAB_PROVIDER_ERROR_NETWORK] = "network",
    [CONFAB_PROVIDER_ERROR_STREAM] = "stream",
  };

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  if (error->domain == CONFAB_PROVIDER_ERROR && error->code >= 0 &&
      (gsize)error->code < G_N_ELEMENTS (provider_kinds))
    return provider_kinds[error->code];
  if (error->domain == CONFAB_SECRETS_ERROR)
    return "keyring";
  if (error->domain == CONFAB_STORE_ERROR)
    return "store";

  return "failed";
}

int
confab_cli_fail (const GError *error)
{
  return confab_cli_error (confab_cli_exit_code (error), "%s", error->message);
}

/* "openai=http://…" sets one provider; anything else is for all. */
static gboolean
apply_base_url (ConfabCli   *cli,
                const char  *value,
                GError     **error)
{
  const char **ids = confab_provider_list_known_ids ();
  const char *equal = strchr (value, '=');

  if (equal != NULL)
    for (guint i = 0; ids[i] != NULL; i++)
      if ((gsize)(equal - value) == strlen (ids[i]) &&
          strncmp (value, ids[i], equal - value) == 0)
        {
          confab_model_catalogue_set_base_url (cli->catalogue, ids[i], equal + 1);
          return TRUE;
        }

  /* "name=…" with a plain word before "=" meant a provider (a URL has
   * ":" or "/" before any "=" of its query). */
  if (equal != NULL && equal > value &&
      strspn (value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
        (gsize)(equal - value))
    {
      g_set_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_FAILED,
                   "--base-url “%s”: unknown provider; use openai, anthropic, gemini, "
                   "openrouter or ollama (PROVIDER=URL), or a URL for all",
                   value);
      return FALSE;
    }

  confab_model_catalogue_set_base_url (cli->catalogue, NULL, value);
  return TRUE;
}

gboolean
confab_cli_open (ConfabCli *cli,
                 int       *exit)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (cli->data_dir != NULL)
    path = g_build_filename (cli->data_dir, "confab.db", NULL);
  else
    path = confab_store_default_path ();

  cli->store = confab_store_new (path, &error);
  if (cli->store == NULL)
    {
      *exit = confab_cli_error (CLI_EXIT_LOCAL, "%s", error->message);
      return FALSE;
    }

  cli->catalogue = confab_model_catalogue_new (cli->store);
  for (guint i = 0; cli->base_urls != NULL && cli->base_urls[i] != NULL; i++)
    if (!apply_base_url (cli, cli->base_urls[i], &error))
      {
        *exit = confab_cli_fail (error);
        return FALSE;
      }

  return TRUE;
}

gboolean
confab_cli_parse_id (const char *text,
                     gint64     *id)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;

  *id = (gint64)value;
  return TRUE;
}

char *
confab_cli_format_id (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

void
confab_cli_async_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

GAsyncResult *
confab_cli_await (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

JsonBuilder *
confab_cli_json_begin (const char *event)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);

  return builder;
}

void
confab_cli_json_end (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);

  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
  g_object_unref (builder);
}

void
confab_cli_json_add_string (JsonBuilder *builder,
                            const char  *member,
                            const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
confab_cli_json_add_id (JsonBuilder *builder,
                        const char  *member,
                        gint64       id)
{
  g_autofree char *text = confab_cli_format_id (id);

  /* Ids are strings, as in the rooms protocol, so they never lose
   * precision in a JavaScript consumer. */
  confab_cli_json_add_string (builder, member, text);
}

void
confab_cli_json_add_count (JsonBuilder *builder,
                           const char  *member,
                           gint64       value)
{
  json_builder_set_member_name (builder, member);
  if (value >= 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
confab_cli_json_error (const GError *error)
{
  JsonBuilder *builder = confab_cli_json_begin ("error");

  confab_cli_json_add_string (builder, "kind", confab_cli_error_kind (error));
  confab_cli_json_add_string (builder, "message", error->message);
  confab_cli_json_end (builder);
}

void
confab_cli_write (const char *text)
{
  fputs (text, stdout);
  fflush (stdout);
}
