/* confabd-test-daemon.c: a real confabd process for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
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

/* A restart on the same port: 50 × 100 ms for the old sockets to go. */
#define PORT_RETRIES 50

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

/* ------------------------------------------------------------------------ */
/* Waiting. */

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

  if (!*done)
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

void
confabd_test_result_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

GAsyncResult *
confabd_test_await (GAsyncResult **result,
                    guint          seconds,
                    const char    *what)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (seconds, timeout_cb, &timed_out);

  while (*result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (*result == NULL)
    g_error ("timed out after %u s waiting for %s", seconds, what);
  g_source_remove (timeout_id);
  return *result;
}

/* ------------------------------------------------------------------------ */
/* The process. */

/* A failed assertion aborts this process: take the daemon down with it. */
static void
child_setup (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

GSubprocessLauncher *
confabd_test_launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

#ifdef UNDER_ASAN
  {
    /* LeakSanitizer crashes at exit scanning the dynamic TLS of the GnuTLS
     * module on glibc >= 2.32 (google/sanitizers#1322): skip DTLS. Slow
     * unwinding lets the suppressions, which name GLib frames, see through
     * GLib, built without frame pointers. The rest of the leak checking
     * stays on. */
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

  return launcher;
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

gboolean
confabd_test_daemon_is_running (ConfabdTestDaemon *daemon)
{
  /* The identifier goes once the process has been reaped. */
  return daemon->process != NULL && g_subprocess_get_identifier (daemon->process) != NULL;
}

static void
wait_exit (ConfabdTestDaemon *daemon)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_async (daemon->process, NULL, confabd_test_result_cb, &result);
  confabd_test_await (&result, CONFABD_TEST_START_TIMEOUT, "confabd to exit");
  g_subprocess_wait_finish (daemon->process, result, &error);
  g_assert_no_error (error);
}

/* Spawns the daemon with its args, @listen in place of the "--listen"
 * value when not NULL; returns the listening line, or NULL when confabd
 * exited first. */
static char *
spawn (ConfabdTestDaemon *daemon,
       const char        *listen)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  char *line;

  launcher = confabd_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* A file, not a pipe nobody reads: a chatty daemon must never block. It
   * grows over restarts: one log per test. */
  g_subprocess_launcher_take_stderr_fd (launcher, g_open (daemon->stderr_path,
                                                          O_WRONLY | O_APPEND | O_CLOEXEC, 0));
  /* Every frame in the log, for whoever reads a failure. */
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "confabd", TRUE);
  for (guint i = 0; daemon->env != NULL && daemon->env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (daemon->env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1] != NULL ? pair[1] : "", TRUE);
    }

  g_ptr_array_add (argv, (gpointer) CONFABD_PATH);
  for (guint i = 0; daemon->args[i] != NULL; i++)
    {
      gboolean is_listen = i > 0 && g_str_equal (daemon->args[i - 1], "--listen");

      g_ptr_array_add (argv, is_listen && listen != NULL ? (gpointer) listen : daemon->args[i]);
    }
  g_ptr_array_add (argv, NULL);

  g_clear_object (&daemon->stdout_lines);
  g_clear_object (&daemon->process);
  daemon->process = g_subprocess_launcher_spawnv (launcher,
                                                  (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  daemon->stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon->process));

  g_data_input_stream_read_line_async (daemon->stdout_lines, G_PRIORITY_DEFAULT, NULL,
                                       confabd_test_result_cb, &result);
  confabd_test_await (&result, CONFABD_TEST_START_TIMEOUT, "the listening line");
  line = g_data_input_stream_read_line_finish_utf8 (daemon->stdout_lines, result, &length,
                                                    &error);
  g_assert_no_error (error);
  return line;
}

/* Takes the address from the listening line. */
static void
take_uri (ConfabdTestDaemon *daemon,
          const char        *line)
{
  const char *prefix = "confabd listening on ";
  const char *colon;

  if (line == NULL || !g_str_has_prefix (line, prefix))
    {
      dump_log (daemon);
      g_error ("confabd did not start (said “%s”)", line != NULL ? line : "nothing");
    }
  g_assert_true (g_str_has_prefix (line + strlen (prefix), "http"));

  g_free (daemon->uri);
  daemon->uri = g_strdup (line + strlen (prefix));
  colon = strrchr (daemon->uri, ':');
  g_assert_nonnull (colon);
  daemon->port = (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
  g_assert_cmpuint (daemon->port, !=, 0);
  g_test_message ("confabd at %s, log in %s", daemon->uri, daemon->stderr_path);
}

static ConfabdTestDaemon *
daemon_new (const char         *data_dir,
            const char * const *args,
            const char * const *env)
{
  ConfabdTestDaemon *daemon = g_new0 (ConfabdTestDaemon, 1);
  g_autoptr(GError) error = NULL;
  int fd;

  fd = g_file_open_tmp ("confabd-stderr-XXXXXX", &daemon->stderr_path, &error);
  g_assert_no_error (error);
  close (fd);

  daemon->data_dir = g_strdup (data_dir);
  daemon->args = g_strdupv ((char **) args);
  daemon->env = g_strdupv ((char **) env);
  return daemon;
}

ConfabdTestDaemon *
confabd_test_daemon_start_full (const char * const *args,
                                const char * const *env)
{
  g_autoptr(ConfabdTestDaemon) daemon = daemon_new (NULL, args, env);
  g_autofree char *line = spawn (daemon, NULL);

  take_uri (daemon, line);
  return g_steal_pointer (&daemon);
}

/* ------------------------------------------------------------------------ */
/* PostgreSQL, from run-with-services.sh. */

gboolean
confabd_test_have_pg (void)
{
  return g_getenv ("CONFAB_TEST_PG") != NULL && g_getenv ("CONFAB_TEST_PG_DIR") != NULL;
}

gboolean
confabd_test_store_is_pg (void)
{
  return g_strcmp0 (g_getenv ("CONFAB_TEST_STORE"), "postgres") == 0;
}

static const char *
pg_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set: run the test with tests/server/run-with-services.sh", name);
  return value;
}

/* Runs @argv (NULL-terminated) to its end; its output goes to stderr, never
 * to the TAP stream. */
static void
run_tool (const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  if (error != NULL)
    g_error ("%s failed: %s", argv[0], error->message);
}

char *
confabd_test_new_pg_database (void)
{
  static gint counter;
  const char *admin = pg_env ("CONFAB_TEST_PG");
  const char *slash = strrchr (admin, '/');
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *psql = g_find_program_in_path ("psql");

  if (psql == NULL)
    psql = g_build_filename (pg_env ("CONFAB_TEST_PG_BIN"), "psql", NULL);

  /* Unique across the test processes sharing one server. */
  name = g_strdup_printf ("confab_test_%d_%d_%08x", (int)getpid (),
                          g_atomic_int_add (&counter, 1), g_random_int ());
  sql = g_strdup_printf ("CREATE DATABASE %s", name);
  run_tool ((const char *[]) { psql, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql, admin, NULL });

  g_assert_nonnull (slash);
  return g_strdup_printf ("%.*s/%s", (int)(slash - admin), admin, name);
}

static void
pg_ctl (const char *action)
{
  const char *user = pg_env ("CONFAB_TEST_PG_USER");
  const char *dir = pg_env ("CONFAB_TEST_PG_DIR");
  g_autofree char *pg_ctl = g_build_filename (pg_env ("CONFAB_TEST_PG_BIN"), "pg_ctl", NULL);
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autofree char *log = g_build_filename (parent, "postgres.log", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  /* PostgreSQL never runs as root: run-with-services.sh named its user. */
  if (*user != '\0')
    {
      g_ptr_array_add (argv, (gpointer)"runuser");
      g_ptr_array_add (argv, (gpointer)"-u");
      g_ptr_array_add (argv, (gpointer)user);
      g_ptr_array_add (argv, (gpointer)"--");
    }
  g_ptr_array_add (argv, pg_ctl);
  g_ptr_array_add (argv, (gpointer)"-D");
  g_ptr_array_add (argv, (gpointer)dir);
  g_ptr_array_add (argv, (gpointer)"-w");
  g_ptr_array_add (argv, (gpointer)"-t");
  g_ptr_array_add (argv, (gpointer)"60");
  if (g_str_equal (action, "stop"))
    {
      g_ptr_array_add (argv, (gpointer)"-m");
      g_ptr_array_add (argv, (gpointer)"fast");
    }
  else
    {
      g_ptr_array_add (argv, (gpointer)"-l");
      g_ptr_array_add (argv, log);
    }
  g_ptr_array_add (argv, (gpointer)action);
  g_ptr_array_add (argv, NULL);

  run_tool ((const char * const *)argv->pdata);
}

void
confabd_test_pg_stop (void)
{
  pg_ctl ("stop");
}

void
confabd_test_pg_start (void)
{
  pg_ctl ("start");
}

ConfabdTestDaemon *
confabd_test_daemon_start (const char         *data_dir,
                           const char * const *extra_args,
                           const char * const *env)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autoptr(ConfabdTestDaemon) daemon = NULL;
  g_autofree char *line = NULL;

  g_strv_builder_add_many (builder, "--listen", "127.0.0.1:0", "--data-dir", data_dir, NULL);
  if (extra_args != NULL)
    g_strv_builder_addv (builder, (const char **) extra_args);
  /* Unless the test names a store itself. */
  if (confabd_test_store_is_pg () &&
      (extra_args == NULL || !g_strv_contains (extra_args, "--store")))
    {
      g_autofree char *store = confabd_test_new_pg_database ();

      g_strv_builder_add_many (builder, "--store", store, NULL);
    }
  args = g_strv_builder_end (builder);

  daemon = daemon_new (data_dir, (const char * const *) args, env);
  line = spawn (daemon, NULL);
  take_uri (daemon, line);
  return g_steal_pointer (&daemon);
}

void
confabd_test_daemon_restart (ConfabdTestDaemon *daemon)
{
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", daemon->port);

  g_assert_nonnull (daemon->data_dir);
  g_assert_false (confabd_test_daemon_is_running (daemon));

  for (guint attempt = 0; ; attempt++)
    {
      g_autofree char *line = spawn (daemon, listen);

      if (line != NULL && g_str_has_prefix (line, "confabd listening on "))
        {
          g_autofree char *expected = g_strdup (daemon->uri);

          take_uri (daemon, line);
          g_assert_cmpstr (daemon->uri, ==, expected);
          return;
        }

      /* A restart on the same port can race the old sockets' release. */
      wait_exit (daemon);
      if (attempt >= PORT_RETRIES)
        take_uri (daemon, line);
      confabd_test_run_for (100);
    }
}

void
confabd_test_daemon_free (ConfabdTestDaemon *daemon)
{
  if (daemon == NULL)
    return;

  if (confabd_test_daemon_is_running (daemon))
    {
      g_subprocess_send_signal (daemon->process, SIGCONT);
      g_subprocess_send_signal (daemon->process, SIGTERM);
      wait_exit (daemon);
      /* The server's own tests judge its exit (confabd_test_daemon_stop);
       * here it only shows. */
      if (!g_subprocess_get_if_exited (daemon->process) ||
          g_subprocess_get_exit_status (daemon->process) != 0)
        {
          g_test_message ("confabd did not exit cleanly on SIGTERM");
          dump_log (daemon);
        }
    }
  g_clear_object (&daemon->stdout_lines);
  g_clear_object (&daemon->process);
  /* A failed test leaves the log behind (its path is in the test output). */
  if (daemon->stderr_path != NULL && !g_test_failed ())
    g_unlink (daemon->stderr_path);
  g_free (daemon->stderr_path);
  g_free (daemon->uri);
  g_free (daemon->data_dir);
  g_strfreev (daemon->args);
  g_strfreev (daemon->env);
  g_free (daemon);
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

/* kill() returns before the process has stopped: /proc tells when. */
static gboolean
is_stopped (ConfabdTestDaemon *daemon)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat",
                                           g_subprocess_get_identifier (daemon->process));
  g_autofree char *stat = NULL;
  const char *end;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  /* "PID (COMM) STATE …", COMM may hold anything but ends at the last ')'. */
  end = strrchr (stat, ')');
  return end != NULL && end[1] == ' ' && (end[2] == 'T' || end[2] == 't');
}

void
confabd_test_daemon_pause (ConfabdTestDaemon *daemon)
{
  gint64 deadline = g_get_monotonic_time () + CONFABD_TEST_START_TIMEOUT * G_USEC_PER_SEC;

  g_subprocess_send_signal (daemon->process, SIGSTOP);
  while (!is_stopped (daemon))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("confabd did not stop on SIGSTOP");
      confabd_test_run_for (10);
    }
}

void
confabd_test_daemon_resume (ConfabdTestDaemon *daemon)
{
  g_subprocess_send_signal (daemon->process, SIGCONT);
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
                                    confabd_test_result_cb, &result);
  confabd_test_await (&result, CONFABD_TEST_TIMEOUT, "/health");
  body = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "ok", 2);
}

/* ------------------------------------------------------------------------ */
/* The fixture. */

void
confabd_test_fixture_setup (ConfabdTestFixture *fixture,
                            gconstpointer       data)
{
  fixture->data_dir = confab_test_make_tmpdir ();
  fixture->daemon = confabd_test_daemon_start (fixture->data_dir,
                                               (const char *[]) { "--allow-register", NULL },
                                               NULL);
}

/* A clean stop, so that under ASan the daemon's leak check runs (and its
 * findings fail the test) after every test. */
static void
stop_daemon (ConfabdTestFixture *fixture)
{
  if (fixture->daemon != NULL && confabd_test_daemon_is_running (fixture->daemon))
    g_assert_cmpint (confabd_test_daemon_stop (fixture->daemon, SIGTERM), ==, 0);
}

void
confabd_test_fixture_teardown (ConfabdTestFixture *fixture,
                               gconstpointer       data)
{
  stop_daemon (fixture);
  g_clear_pointer (&fixture->daemon, confabd_test_daemon_free);
  confab_test_rm_rf (fixture->data_dir);
  g_free (fixture->data_dir);
}

void
confabd_test_fixture_restart (ConfabdTestFixture *fixture)
{
  stop_daemon (fixture);
  confabd_test_daemon_restart (fixture->daemon);
}
