/* confab-test-cli.c: running confab-cli for the tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include "confab-test-cli.h"

#define FINISH_SECONDS 60

/* What would point the program at real providers or keys. */
static const char * const provider_env[] = {
  "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GEMINI_BASE_URL", "OPENROUTER_BASE_URL",
  "OLLAMA_HOST", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY",
};

void
confab_test_cli_run_clear (ConfabTestCliRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

GSubprocess *
confab_test_cli_spawn (const char         *cli,
                       const char * const *env,
                       const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  for (guint i = 0; i < G_N_ELEMENTS (provider_env); i++)
    g_subprocess_launcher_unsetenv (launcher, provider_env[i]);
  /* Nothing answers here: no real Ollama on this machine gets listed. */
  g_subprocess_launcher_setenv (launcher, "OLLAMA_HOST", "127.0.0.1:1", TRUE);

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      if (env[i][0] == '-')
        g_subprocess_launcher_unsetenv (launcher, env[i] + 1);
      else
        {
          g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

          g_subprocess_launcher_setenv (launcher, pair[0], pair[1] != NULL ? pair[1] : "", TRUE);
        }
    }

  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
on_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
confab_test_cli_finish (GSubprocess      *process,
                        const char       *input,
                        ConfabTestCliRun *run)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean timed_out = FALSE;
  guint timeout_id;

  confab_test_cli_run_clear (run);
  g_subprocess_communicate_utf8_async (process, input, NULL, communicate_cb, &result);
  timeout_id = g_timeout_add_seconds (FINISH_SECONDS, on_timeout_cb, &timed_out);
  while (result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (result == NULL)
    g_error ("confab-cli did not finish in %d s", FINISH_SECONDS);
  g_source_remove (timeout_id);

  g_subprocess_communicate_utf8_finish (process, result, &run->out, &run->err, &error);
  g_assert_no_error (error);

  if (g_subprocess_get_if_exited (process))
    run->status = g_subprocess_get_exit_status (process);
  else
    run->status = 128 + g_subprocess_get_term_sig (process);

  g_test_message ("exit %d\nstdout: %s\nstderr: %s", run->status, run->out, run->err);
}

void
confab_test_cli_exec (const char         *cli,
                      const char         *input,
                      const char * const *env,
                      const char * const *args,
                      ConfabTestCliRun   *run)
{
  g_autoptr(GSubprocess) process = confab_test_cli_spawn (cli, env, args);

  confab_test_cli_finish (process, input, run);
}

GPtrArray *
confab_test_cli_parse_lines (const char *out)
{
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      JsonNode *node;

      if (lines[i][0] == '\0')
        {
          /* Only the end of the output. */
          g_assert_null (lines[i + 1]);
          continue;
        }
      node = json_from_string (lines[i], &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      g_assert_nonnull (json_object_get_string_member (json_node_get_object (node), "event"));
      g_ptr_array_add (objects, node);
    }

  return g_steal_pointer (&objects);
}

JsonObject *
confab_test_cli_line_at (GPtrArray *lines,
                         guint      index)
{
  g_assert_cmpuint (index, <, lines->len);
  return json_node_get_object (g_ptr_array_index (lines, index));
}

void
confab_test_cli_assert_one_error_line (const ConfabTestCliRun *run,
                                       const char             *contains)
{
  const char *newline = strchr (run->err, '\n');

  if (!g_str_has_prefix (run->err, "confab-cli: error: ") || newline == NULL ||
      newline[1] != '\0')
    g_error ("not one error line: “%s”", run->err);
  if (contains != NULL && strstr (run->err, contains) == NULL)
    g_error ("“%s” does not say “%s”", run->err, contains);
}
