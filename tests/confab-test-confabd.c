/* confab-test-confabd.c: a real confabd for the room tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
# include <sys/prctl.h>
#endif
#include <glib/gstdio.h>

#include "confab-test-confabd.h"

#if defined(__SANITIZE_ADDRESS__)
# define UNDER_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define UNDER_ASAN 1
# endif
#endif

/* Starting under AddressSanitizer on a loaded 2-core machine is slow. */
#define START_SECONDS 60
#define PORT_RETRIES 50

struct _ConfabTestDaemon
{
  GSubprocess *process;
  char        *data_dir;
  char        *stderr_path;
  char        *url;
  guint16      port;
};

static gboolean
on_wait_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

void
confab_test_wait_until (gboolean   *done,
                        guint       seconds,
                        const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (seconds, on_wait_timeout_cb, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!*done)
    g_error ("timed out after %u s waiting for %s", seconds, what);
  g_source_remove (id);
}

/* A failed assertion aborts the test: take the daemon down with it. */
static void
child_setup (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

static GSubprocess *
spawn (ConfabTestDaemon  *daemon,
       GError           **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", daemon->port);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* A file, not a pipe nobody reads: a chatty daemon must never block. */
  g_subprocess_launcher_set_stderr_file_path (launcher, daemon->stderr_path);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "confabd", TRUE);

#ifdef UNDER_ASAN
  {
    /* As tests/server/test-confabd.c: LeakSanitizer crashes scanning the
     * GnuTLS module's dynamic TLS (google/sanitizers#1322); slow unwinding
     * lets the suppressions see through GLib. */
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

  return g_subprocess_launcher_spawn (launcher, error, CONFABD_PATH,
                                      "--listen", listen,
                                      "--data-dir", daemon->data_dir,
                                      "--allow-register",
                                      NULL);
}

typedef struct
{
  GAsyncResult *result;
  gboolean      done;
} LineRead;

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->result = g_object_ref (result);
  read->done = TRUE;
}

/* The listening line, or NULL when confabd exited first. */
static char *
read_listening_line (GSubprocess *process)
{
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  LineRead read = { NULL, FALSE };
  gsize length;
  char *line;

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, read_line_cb, &read);
  confab_test_wait_until (&read.done, START_SECONDS, "confabd's listening line");

  line = g_data_input_stream_read_line_finish_utf8 (lines, read.result, &length, &error);
  g_clear_object (&read.result);
  g_assert_no_error (error);
  return line;
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
wait_gone (ConfabTestDaemon *daemon)
{
  gboolean done = FALSE;

  g_subprocess_wait_async (daemon->process, NULL, wait_cb, &done);
  confab_test_wait_until (&done, START_SECONDS, "confabd to exit");
}

static gboolean
on_retry_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

ConfabTestDaemon *
confab_test_daemon_start (const char *data_dir,
                          guint16     port)
{
  ConfabTestDaemon *daemon = g_new0 (ConfabTestDaemon, 1);
  g_autoptr(GError) error = NULL;
  int fd;

  daemon->data_dir = g_strdup (data_dir);
  daemon->port = port;
  fd = g_file_open_tmp ("confabd-stderr-XXXXXX", &daemon->stderr_path, &error);
  g_assert_no_error (error);
  close (fd);

  for (guint attempt = 0; ; attempt++)
    {
      g_autofree char *line = NULL;

      daemon->process = spawn (daemon, &error);
      g_assert_no_error (error);
      line = read_listening_line (daemon->process);

      if (line != NULL && g_str_has_prefix (line, "confabd listening on http://"))
        {
          const char *colon;

          daemon->url = g_strdup (line + strlen ("confabd listening on "));
          colon = strrchr (daemon->url, ':');
          g_assert_nonnull (colon);
          daemon->port = (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
          g_assert_cmpuint (daemon->port, !=, 0);
          g_test_message ("confabd listening on %s", daemon->url);
          return daemon;
        }

      /* A restart on the same port can race the old sockets' release. */
      wait_gone (daemon);
      g_clear_object (&daemon->process);
      if (port == 0 || attempt >= PORT_RETRIES)
        {
          confab_test_daemon_dump (daemon);
          g_error ("confabd did not start (said “%s”)", line != NULL ? line : "nothing");
        }

      {
        gboolean retry = FALSE;

        g_timeout_add (100, on_retry_cb, &retry);
        confab_test_wait_until (&retry, 5, "the retry delay");
      }
    }
}

const char *
confab_test_daemon_get_url (ConfabTestDaemon *daemon)
{
  return daemon->url;
}

guint16
confab_test_daemon_get_port (ConfabTestDaemon *daemon)
{
  return daemon->port;
}

void
confab_test_daemon_kill (ConfabTestDaemon *daemon)
{
  g_assert_nonnull (daemon->process);
  g_subprocess_force_exit (daemon->process);
  wait_gone (daemon);
  g_clear_object (&daemon->process);
}

/* kill() returns before the process has stopped: /proc tells when. */
static gboolean
is_stopped (ConfabTestDaemon *daemon)
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

static gboolean
on_poll_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

void
confab_test_daemon_pause (ConfabTestDaemon *daemon)
{
  gboolean timed_out = FALSE;
  guint timeout_id;
  guint poll_id;

  g_subprocess_send_signal (daemon->process, SIGSTOP);

  timeout_id = g_timeout_add_seconds (START_SECONDS, on_wait_timeout_cb, &timed_out);
  poll_id = g_timeout_add (10, on_poll_cb, NULL);
  while (!is_stopped (daemon) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (poll_id);
  if (timed_out)
    g_error ("confabd did not stop on SIGSTOP");
  g_source_remove (timeout_id);
}

void
confab_test_daemon_resume (ConfabTestDaemon *daemon)
{
  g_subprocess_send_signal (daemon->process, SIGCONT);
}

void
confab_test_daemon_dump (ConfabTestDaemon *daemon)
{
  g_autofree char *contents = NULL;

  if (g_file_get_contents (daemon->stderr_path, &contents, NULL, NULL))
    g_test_message ("confabd stderr:\n%s", contents);
}

void
confab_test_daemon_free (ConfabTestDaemon *daemon)
{
  if (daemon == NULL)
    return;

  if (daemon->process != NULL)
    {
      g_subprocess_send_signal (daemon->process, SIGCONT);
      g_subprocess_send_signal (daemon->process, SIGTERM);
      wait_gone (daemon);
      if (!g_subprocess_get_if_exited (daemon->process) ||
          g_subprocess_get_exit_status (daemon->process) != 0)
        {
          /* The server's own tests judge its exit; show it here. */
          g_test_message ("confabd did not exit cleanly on SIGTERM");
          confab_test_daemon_dump (daemon);
        }
      g_clear_object (&daemon->process);
    }

  if (g_test_verbose ())
    confab_test_daemon_dump (daemon);
  g_unlink (daemon->stderr_path);
  g_free (daemon->stderr_path);
  g_free (daemon->data_dir);
  g_free (daemon->url);
  g_free (daemon);
}
