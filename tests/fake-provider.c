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
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "confab-fake-provider.h"

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
  int port = 0;
  int delay = 30;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port to listen on (default: a free one)", "PORT" },
    { "delay", 'd', 0, G_OPTION_ARG_INT, &delay, "Milliseconds between words (default 30)", "MS" },
    { "model", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &models,
      "A model name the lists offer (repeatable; default: typical names per provider)", "NAME" },
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

  fake = confab_fake_provider_new (port, &error);
  if (fake == NULL)
    {
      g_printerr ("fake-provider: error: %s\n", error->message);
      return 1;
    }
  confab_fake_provider_set_default_delay (fake, delay);
  if (models != NULL)
    confab_fake_provider_set_models (fake, (const char * const *) models);

  g_print ("fake-provider listening on %s\n", confab_fake_provider_get_url (fake));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_main_loop_run (loop);

  return 0;
}
