/* confabd-test-daemon.c: a real confabd process for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
# include <sys/prctl.h>
#endif
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "confabd-test-daemon.h"

#if defined(__SANITIZE_ADDRESS__)
# define UNDER_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define UNDER_ASAN 1
# endif
#endif

static void
drop_log_cb (const char     *log_domain,
             GLogLevelFlags  log_level,
             const char     *message,
             gpointer        user_data)
{
}

void
confabd_test_init (int    *argc,
                   char ***argv)
{
  const char *noisy[] = { "libsoup", "GLib-GIO", "GLib", "Json" };

  g_test_init (argc, argv, NULL);
  /* g_test's handler prints the debug messages of g_log() (not structured)
   * whatever G_MESSAGES_DEBUG says: a line per WebSocket frame otherwise. */
  if (g_getenv ("G_MESSAGES_DEBUG") == NULL)
    for (guint i = 0; i < G_N_ELEMENTS (noisy); i++)
      g_log_set_handler (noisy[i], G_LOG_LEVEL_DEBUG, drop_log_cb, NULL);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

void
confabd_test_wait (gboolean   *done,
                   const char *what)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (CONFABD_TEST_TIMEOUT, timeout_cb, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("timed out waiting for %s", what);
  g_source_remove (timeout_id);
}

void
confabd_test_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

char *
confabd_test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-confabd-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
confabd_test_rm_rf (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) enumerator = NULL;

  enumerator = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (enumerator != NULL)
    {
      GFileInfo *info;

      while ((info = g_file_enumerator_next_file (enumerator, NULL, NULL)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            confabd_test_rm_rf (child);
          else
            g_unlink (child);
          g_object_unref (info);
        }
    }
  g_rmdir (path);
}

static void
async_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
wait_for_result (GAsyncResult **result,
                 const char    *what)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (CONFABD_TEST_TIMEOUT, timeout_cb, &timed_out);

  while (*result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("timed out waiting for %s", what);
  g_source_remove (timeout_id);
}

/* A failed assertion aborts this process: take the daemon down with it. */
static void
child_setup (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

char *
confabd_test_daemon_dup_log (ConfabdTestDaemon *daemon)
{
  char *contents = NULL;

  g_file_get_contents (daemon->stderr_path, &contents, NULL, NULL);
  return contents != NULL ? contents : g_strdup ("");
}

static void
dump_log (ConfabdTestDaemon *daemon)
{
  g_autofree char *log = confabd_test_daemon_dup_log (daemon);

  g_printerr ("confabd stderr (%s):\n%s\n", daemon->stderr_path, log);
}

ConfabdTestDaemon *
confabd_test_daemon_start (const char         *data_dir,
                           const char * const *extra_args,
                           const char * const *env)
{
  g_autoptr(ConfabdTestDaemon) daemon = g_new0 (ConfabdTestDaemon, 1);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length;
  int fd;

  /* A file, not a pipe nobody reads: a chatty daemon must never block. */
  fd = g_file_open_tmp ("confabd-stderr-XXXXXX", &daemon->stderr_path, &error);
  g_assert_no_error (error);
  close (fd);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, daemon->stderr_path);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  /* Every frame in the log, for whoever reads a failure. */
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "confabd", TRUE);
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1] != NULL ? pair[1] : "", TRUE);
    }

#ifdef UNDER_ASAN
  {
    /* As in test-confabd.c: no DTLS interception (google/sanitizers#1322),
     * slow unwinding for the suppressions, which name GLib frames. */
    const char *asan = g_getenv ("ASAN_OPTIONS");
    const char *lsan = g_getenv ("LSAN_OPTIONS");
    g_autofree char *asan_value = NULL;
    g_autofree char *lsan_value = NULL;

    asan_value = g_strconcat (asan != NULL && *asan != '\0' ? asan : "",
                              asan != NULL && *asan != '\0' ? ":" : "",
                              "intercept_tls_get_addr=0:"
                              "fast_unwind_on_malloc=0:malloc_context_size=16", NULL);
    lsan_value = g_strconcat (lsan != NULL && *lsan != '\0' ? lsan : "",
                              lsan != NULL && *lsan != '\0' ? ":" : "",
                              "suppressions=" CONFABD_LSAN_SUPPRESSIONS, NULL);
    g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan_value, TRUE);
    g_subprocess_launcher_setenv (launcher, "LSAN_OPTIONS", lsan_value, TRUE);
  }
#endif

  g_ptr_array_add (argv, (gpointer) CONFABD_PATH);
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1:0");
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, (gpointer) data_dir);
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  daemon->process = g_subprocess_launcher_spawnv (launcher,
                                                  (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  daemon->stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon->process));

  g_data_input_stream_read_line_async (daemon->stdout_lines, G_PRIORITY_DEFAULT, NULL,
                                       async_result_cb, &result);
  wait_for_result (&result, "the listening line");
  line = g_data_input_stream_read_line_finish_utf8 (daemon->stdout_lines, result, &length,
                                                    &error);
  g_assert_no_error (error);
  if (line == NULL)
    dump_log (daemon);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "confabd listening on http://"));
  daemon->uri = g_strdup (line + strlen ("confabd listening on "));
  g_test_message ("confabd at %s, log in %s", daemon->uri, daemon->stderr_path);

  return g_steal_pointer (&daemon);
}

void
confabd_test_daemon_free (ConfabdTestDaemon *daemon)
{
  if (daemon == NULL)
    return;

  if (daemon->process != NULL && g_subprocess_get_identifier (daemon->process) != NULL)
    {
      g_subprocess_force_exit (daemon->process);
      g_subprocess_wait (daemon->process, NULL, NULL);
    }
  g_clear_object (&daemon->stdout_lines);
  g_clear_object (&daemon->process);
  /* A failed test leaves the log behind (its path is in the test output). */
  if (daemon->stderr_path != NULL && !g_test_failed ())
    g_unlink (daemon->stderr_path);
  g_free (daemon->stderr_path);
  g_free (daemon->uri);
  g_free (daemon);
}

static void
wait_exit (ConfabdTestDaemon *daemon)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_async (daemon->process, NULL, async_result_cb, &result);
  wait_for_result (&result, "confabd to exit");
  g_subprocess_wait_finish (daemon->process, result, &error);
  g_assert_no_error (error);
}

int
confabd_test_daemon_stop (ConfabdTestDaemon *daemon,
                          int                signum)
{
  int status;

  g_subprocess_send_signal (daemon->process, signum);
  wait_exit (daemon);
  if (!g_subprocess_get_if_exited (daemon->process))
    {
      dump_log (daemon);
      g_error ("confabd died of signal %d", g_subprocess_get_term_sig (daemon->process));
    }
  status = g_subprocess_get_exit_status (daemon->process);
  if (status != 0)
    dump_log (daemon);
  return status;
}

void
confabd_test_daemon_kill (ConfabdTestDaemon *daemon)
{
  g_subprocess_send_signal (daemon->process, SIGKILL);
  wait_exit (daemon);
  g_assert_true (g_subprocess_get_if_signaled (daemon->process));
  g_assert_cmpint (g_subprocess_get_term_sig (daemon->process), ==, SIGKILL);
}

void
confabd_test_daemon_assert_healthy (ConfabdTestDaemon *daemon)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout",
                                                                  CONFABD_TEST_TIMEOUT,
                                                                  NULL);
  g_autofree char *uri = g_strconcat (daemon->uri, "/health", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  /* Async, so the WebSocket clients of the test keep being served. */
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
                                    async_result_cb, &result);
  wait_for_result (&result, "/health");
  body = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "ok", 2);
}

void
confabd_test_fixture_setup (ConfabdTestFixture *fixture,
                            gconstpointer       data)
{
  fixture->data_dir = confabd_test_make_tmp_dir ();
  fixture->daemon = confabd_test_daemon_start (fixture->data_dir,
                                               (const char *[]) { "--allow-register", NULL },
                                               NULL);
}

/* A clean stop, so that under ASan the daemon's leak check runs (and its
 * findings fail the test) after every test. */
static void
stop_daemon (ConfabdTestFixture *fixture)
{
  if (fixture->daemon != NULL &&
      g_subprocess_get_identifier (fixture->daemon->process) != NULL)
    g_assert_cmpint (confabd_test_daemon_stop (fixture->daemon, SIGTERM), ==, 0);
  g_clear_pointer (&fixture->daemon, confabd_test_daemon_free);
}

void
confabd_test_fixture_teardown (ConfabdTestFixture *fixture,
                               gconstpointer       data)
{
  stop_daemon (fixture);
  confabd_test_rm_rf (fixture->data_dir);
  g_free (fixture->data_dir);
}

void
confabd_test_fixture_restart (ConfabdTestFixture *fixture)
{
  stop_daemon (fixture);
  fixture->daemon = confabd_test_daemon_start (fixture->data_dir,
                                               (const char *[]) { "--allow-register", NULL },
                                               NULL);
}
