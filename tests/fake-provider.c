/* fake-provider.c: the fake provider as a program, to try Confab (the app
 * or confab-cli) without any API key:
 *
 *   $ ./_build/tests/fake-provider --port 8080 --delay 40
 *   fake-provider listening on http://127.0.0.1:8080
 *   $ OPENAI_BASE_URL=http://127.0.0.1:8080 OPENAI_API_KEY=fake confab
 *
 * It answers every wire format with "Echo from MODEL: <your last message>",
 * streamed word by word, until killed (Ctrl+C or SIGTERM).
 *
 * --fail-model NAME=STATUS[:COUNT] makes requests for one model fail the
 * way the real servers do, to see how a client handles it, e.g.
 * "gpt-4o=401" (a refused key), "gpt-4o=404" (no such model) or
 * "gpt-4o=503:1" (overloaded once, then fine).
 *
 * --reply-file FILE answers with a file's text instead; with --reply-repeat
 * and --delay 0 it makes a reply of any length as fast as the client reads
 * it (e.g. 50 MB, to see what a runaway model does to a client), and
 * --reply-model keeps the echo for the other models.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confab-fake-provider.h"

/* "NAME=STATUS[:COUNT]" */
static gboolean
add_failure (ConfabFakeProvider  *fake,
             const char          *spec,
             GError             **error)
{
  g_autofree char *model = NULL;
  const char *equals = strrchr (spec, '=');
  guint64 status = 0;
  guint64 count = 0;
  char *end = NULL;

  if (equals != NULL && equals != spec)
    {
      model = g_strndup (spec, equals - spec);
      status = g_ascii_strtoull (equals + 1, &end, 10);
      if (end != equals + 1 && *end == ':')
        {
          const char *count_start = end + 1;

          count = g_ascii_strtoull (count_start, &end, 10);
          if (end == count_start)
            end = NULL;
        }
    }

  if (model == NULL || end == NULL || *end != '\0' || status < 400 || status > 599
      || count > G_MAXUINT)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--fail-model wants NAME=STATUS[:COUNT] with a status 400–599, not “%s”",
                   spec);
      return FALSE;
    }

  confab_fake_provider_set_model_failure (fake, model, (guint) status, (guint) count);
  return TRUE;
}

/* Splits the text after each run of white space (once a piece has chunk
 * bytes, when chunk > 0), so that the pieces joined are the file byte for
 * byte. */
static gboolean
set_reply_file (ConfabFakeProvider  *fake,
                const char          *path,
                int                  delay,
                int                  repeat,
                int                  chunk,
                const char * const  *models,
                GError             **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
  const char *start;
  const char *p;

  if (models == NULL || models[0] == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--reply-file needs the --model (or --reply-model) names it "
                           "answers for");
      return FALSE;
    }
  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;

  for (start = p = text; *p != '\0'; )
    {
      if (g_ascii_isspace (*p) && p - start >= chunk)
        {
          while (g_ascii_isspace (*p))
            p++;
          g_ptr_array_add (pieces, g_strndup (start, p - start));
          start = p;
        }
      else
        p++;
    }
  if (p > start)
    g_ptr_array_add (pieces, g_strndup (start, p - start));
  g_ptr_array_add (pieces, NULL);

  confab_fake_script_set_tokens (script, (const char * const *) pieces->pdata);
  confab_fake_script_set_delay (script, delay);
  confab_fake_script_set_repeat (script, repeat);
  for (guint i = 0; models[i] != NULL; i++)
    confab_fake_provider_set_model_script (fake, models[i], script);
  return TRUE;
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ConfabFakeProvider) fake = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;
  g_auto(GStrv) failures = NULL;
  g_auto(GStrv) reply_models = NULL;
  g_autofree char *reply_file = NULL;
  int port = 0;
  int delay = 30;
  int reply_repeat = 1;
  int reply_chunk = 0;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port to listen on (default: a free one)", "PORT" },
    { "delay", 'd', 0, G_OPTION_ARG_INT, &delay, "Milliseconds between words (default 30)", "MS" },
    { "model", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &models,
      "A model name the lists offer (repeatable; default: typical names per provider)", "NAME" },
    { "fail-model", 0, 0, G_OPTION_ARG_STRING_ARRAY, &failures,
      "Answer chat requests for NAME with HTTP STATUS and the provider's real error body, "
      "COUNT times (default: always; repeatable)", "NAME=STATUS[:COUNT]" },
    { "reply-file", 0, 0, G_OPTION_ARG_FILENAME, &reply_file,
      "Answer every --model with this file's text, a word (with the space after it) per "
      "--delay (for bench/)", "FILE" },
    { "reply-model", 0, 0, G_OPTION_ARG_STRING_ARRAY, &reply_models,
      "Answer only NAME with --reply-file, the other models with the echo (repeatable)",
      "NAME" },
    { "reply-repeat", 0, 0, G_OPTION_ARG_INT, &reply_repeat,
      "Send --reply-file's text N times over, written as the client reads it (default 1)",
      "N" },
    { "reply-chunk", 0, 0, G_OPTION_ARG_INT, &reply_chunk,
      "Send --reply-file's text in pieces of at least BYTES, cut after a white space "
      "(default: a word each)", "BYTES" },
    { NULL }
  };

  context = g_option_context_new ("- a fake OpenAI/Anthropic/Gemini/Ollama server");
  g_option_context_set_description (context,
    "Point Confab at it with OPENAI_BASE_URL, ANTHROPIC_BASE_URL, GEMINI_BASE_URL,\n"
    "OPENROUTER_BASE_URL or OLLAMA_HOST set to the printed URL, and any API key.\n");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fake-provider: error: %s\n", error->message);
      return 1;
    }
  if (port < 0 || port > 65535 || delay < 0)
    {
      g_printerr ("fake-provider: error: --port must be 0–65535 and --delay positive\n");
      return 1;
    }
  if (reply_repeat < 1 || reply_chunk < 0)
    {
      g_printerr ("fake-provider: error: --reply-repeat must be 1 or more and --reply-chunk "
                  "positive\n");
      return 1;
    }

  fake = confab_fake_provider_new (port, &error);
  if (fake == NULL)
    {
      g_printerr ("fake-provider: error: %s\n", error->message);
      return 1;
    }
  confab_fake_provider_set_default_delay (fake, delay);
  if (models != NULL)
    confab_fake_provider_set_models (fake, (const char * const *) models);
  if (reply_file != NULL
      && !set_reply_file (fake, reply_file, delay, reply_repeat, reply_chunk,
                          (const char * const *) (reply_models != NULL ? reply_models : models),
                          &error))
    {
      g_printerr ("fake-provider: error: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; failures != NULL && failures[i] != NULL; i++)
    if (!add_failure (fake, failures[i], &error))
      {
        g_printerr ("fake-provider: error: %s\n", error->message);
        return 1;
      }

  g_print ("fake-provider listening on %s\n", confab_fake_provider_get_url (fake));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_main_loop_run (loop);

  return 0;
}
