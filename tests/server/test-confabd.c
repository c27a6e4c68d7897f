/* test-confabd.c: confabd as a process: the listening line, /health,
 * signals, the config file and errors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <libsoup/soup.h>

#include "confabd-test-daemon.h"

typedef struct
{
  char *tmp_dir;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->tmp_dir = confab_test_make_tmpdir ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  confab_test_rm_rf (fixture->tmp_dir);
  g_free (fixture->tmp_dir);
}

/* Starts confabd with exactly @args (and XDG_DATA_HOME when not NULL). */
static ConfabdTestDaemon *
daemon_start (const char * const *args,
              const char         *xdg_data_home)
{
  g_autofree char *env = NULL;

  if (xdg_data_home != NULL)
    env = g_strconcat ("XDG_DATA_HOME=", xdg_data_home, NULL);
  return confabd_test_daemon_start_full (args, (const char * const[]) { env, NULL });
}

/* Sends @signum and expects a clean exit (status 0) in time. */
static void
daemon_stop (ConfabdTestDaemon *daemon,
             int                signum)
{
  g_assert_cmpint (confabd_test_daemon_stop (daemon, signum), ==, 0);
}

/* Runs confabd to completion; returns its exit status and what it printed. */
static int
run_to_exit (const char * const  *args,
             char               **out,
             char               **err)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *stdout_buf = NULL;
  g_autofree char *stderr_buf = NULL;

  launcher = confabd_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_strv_builder_add (argv, CONFABD_PATH);
  g_strv_builder_addv (argv, (const char **) args);
  strv = g_strv_builder_end (argv);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) strv, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8_async (process, NULL, NULL, confabd_test_result_cb, &result);
  confabd_test_await (&result, CONFABD_TEST_START_TIMEOUT, "confabd to exit");
  g_subprocess_communicate_utf8_finish (process, result, &stdout_buf, &stderr_buf, &error);
  g_assert_no_error (error);

  g_assert_true (g_subprocess_get_if_exited (process));
  if (out != NULL)
    *out = g_steal_pointer (&stdout_buf);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_buf);
  return g_subprocess_get_exit_status (process);
}

static void
assert_fails (const char * const *args,
              const char         *expected)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = run_to_exit (args, &out, &err);
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "confabd: error: "));
  /* One clear line, not a backtrace or a log dump. */
  g_assert_cmpint (strchr (err, '\n') - err, ==, (int) strlen (err) - 1);
  if (expected != NULL)
    g_assert_nonnull (strstr (err, expected));
}

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  return TRUE;
}

/* GET @path on the daemon; returns the status and the body. */
static guint
http_request (ConfabdTestDaemon  *daemon,
              const char         *method,
              const char         *path,
              char              **body_out)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout",
                                                                  CONFABD_TEST_TIMEOUT, NULL);
  g_autofree char *uri = g_strconcat (daemon->uri, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (msg);
  /* The TLS test uses a throw-away self-signed certificate. */
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), NULL);

  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (body_out != NULL)
    *body_out = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  return soup_message_get_status (msg);
}

static void
assert_health (ConfabdTestDaemon *daemon)
{
  g_autofree char *body = NULL;

  g_assert_cmpuint (http_request (daemon, "GET", "/health", &body), ==, 200);
  g_assert_cmpstr (body, ==, "ok");
}

static void
test_health (Fixture       *fixture,
             gconstpointer  data)
{
  const char *args[] = { "--listen", "127.0.0.1:0", "--data-dir", fixture->tmp_dir, NULL };
  g_autoptr(ConfabdTestDaemon) daemon = daemon_start (args, NULL);
  g_autofree char *log = NULL;
  g_autoptr(GUri) uri = NULL;

  uri = g_uri_parse (daemon->uri, G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (uri);
  g_assert_cmpstr (g_uri_get_scheme (uri), ==, "http");
  g_assert_cmpstr (g_uri_get_host (uri), ==, "127.0.0.1");
  g_assert_cmpint (g_uri_get_port (uri), >, 0);
  g_assert_cmpstr (g_uri_get_path (uri), ==, "");

  assert_health (daemon);
  g_assert_cmpuint (http_request (daemon, "HEAD", "/health", NULL), ==, 200);
  g_assert_cmpuint (http_request (daemon, "POST", "/health", NULL), ==, 405);
  g_assert_cmpuint (http_request (daemon, "GET", "/no-such-thing", NULL), ==, 404);

  daemon_stop (daemon, SIGTERM);

  /* Logs go to stderr, never to stdout (which carries the one line only). */
  g_file_get_contents (daemon->stderr_path, &log, NULL, NULL);
  g_assert_nonnull (strstr (log, "Listening on http://127.0.0.1:"));
  g_assert_nonnull (strstr (log, "Stopped"));
  g_assert_true (g_data_input_stream_read_line (daemon->stdout_lines, NULL, NULL, NULL) == NULL);
}

static void
test_sigint (Fixture       *fixture,
             gconstpointer  data)
{
  const char *args[] = { "--listen", "127.0.0.1:0", "--data-dir", fixture->tmp_dir, NULL };
  g_autoptr(ConfabdTestDaemon) daemon = daemon_start (args, NULL);

  assert_health (daemon);
  daemon_stop (daemon, SIGINT);
}

static void
test_ipv6 (Fixture       *fixture,
           gconstpointer  data)
{
  const char *args[] = { "--listen", "[::1]:0", "--data-dir", fixture->tmp_dir, NULL };
  g_autoptr(GInetAddress) loopback6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocket) probe = NULL;
  g_autoptr(GSocketAddress) probe_address = NULL;
  g_autoptr(ConfabdTestDaemon) daemon = NULL;

  /* Containers often have no IPv6 loopback. */
  probe = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  probe_address = g_inet_socket_address_new (loopback6, 0);
  if (probe == NULL || !g_socket_bind (probe, probe_address, FALSE, NULL))
    {
      g_test_skip ("no IPv6 loopback");
      return;
    }
  g_socket_close (probe, NULL);

  daemon = daemon_start (args, NULL);
  g_assert_true (g_str_has_prefix (daemon->uri, "http://[::1]:"));
  assert_health (daemon);
  daemon_stop (daemon, SIGTERM);
}

static void
test_default_data_dir (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *args[] = { "--listen", "127.0.0.1:0", NULL };
  g_autofree char *expected = g_build_filename (fixture->tmp_dir, "confabd", NULL);
  g_autoptr(ConfabdTestDaemon) daemon = daemon_start (args, fixture->tmp_dir);

  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_DIR));
  daemon_stop (daemon, SIGTERM);
}

static void
test_data_dir_created (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (fixture->tmp_dir, "a", "b", NULL);
  const char *args[] = { "--listen", "127.0.0.1:0", "--data-dir", dir, NULL };
  g_autoptr(ConfabdTestDaemon) daemon = daemon_start (args, NULL);

  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  daemon_stop (daemon, SIGTERM);
}

static char *
write_config (Fixture    *fixture,
              const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->tmp_dir, "confabd.conf", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
test_config (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *config = write_config (fixture,
                                          "# a comment\n"
                                          "[confabd]\n"
                                          "listen=127.0.0.1:0\n"
                                          "data-dir=from-config\n"
                                          "allow-register=true\n");
  g_autofree char *expected = g_build_filename (fixture->tmp_dir, "from-config", NULL);
  const char *args[] = { "--config", config, NULL };
  g_autoptr(ConfabdTestDaemon) daemon = daemon_start (args, NULL);

  /* A relative data-dir is relative to the config file. */
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_DIR));
  assert_health (daemon);
  daemon_stop (daemon, SIGTERM);
}

static void
test_config_flags_win (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *config = write_config (fixture,
                                          "[confabd]\n"
                                          "listen=not-an-address\n"
                                          "data-dir=from-config\n");
  g_autofree char *from_config = g_build_filename (fixture->tmp_dir, "from-config", NULL);
  g_autofree char *from_flag = g_build_filename (fixture->tmp_dir, "from-flag", NULL);
  const char *args[] = {
    "--config", config, "--listen", "127.0.0.1:0", "--data-dir", from_flag, NULL
  };
  g_autoptr(ConfabdTestDaemon) daemon = daemon_start (args, NULL);

  g_assert_true (g_file_test (from_flag, G_FILE_TEST_IS_DIR));
  g_assert_false (g_file_test (from_config, G_FILE_TEST_EXISTS));
  assert_health (daemon);
  daemon_stop (daemon, SIGTERM);
}

static void
test_config_errors (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->tmp_dir, "missing.conf", NULL);
  g_autofree char *bad_listen = NULL;
  g_autofree char *unknown_key = NULL;
  g_autofree char *bad_bool = NULL;
  g_autofree char *no_group = NULL;

  assert_fails ((const char *[]) { "--config", missing, NULL }, "missing.conf");

  bad_listen = write_config (fixture, "[confabd]\nlisten=localhost\n");
  assert_fails ((const char *[]) { "--config", bad_listen, NULL }, "listen address");

  unknown_key = write_config (fixture, "[confabd]\nlisten=127.0.0.1:0\nlsten=1\n");
  assert_fails ((const char *[]) { "--config", unknown_key, NULL }, "lsten");

  bad_bool = write_config (fixture, "[confabd]\nallow-register=perhaps\n");
  assert_fails ((const char *[]) { "--config", bad_bool, NULL }, "allow-register");

  no_group = write_config (fixture, "[server]\nlisten=127.0.0.1:0\n");
  assert_fails ((const char *[]) { "--config", no_group, NULL }, "[confabd]");
}

static void
test_bad_listen (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *bad[] = {
    "nope", "127.0.0.1", "127.0.0.1:", ":8765", "127.0.0.1:99999", "127.0.0.1:-1",
    "127.0.0.1:80x", "300.1.1.1:80", "::1:80", "[127.0.0.1]:80", "example.org:80",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("--listen %s", bad[i]);
      assert_fails ((const char *[]) { "--listen", bad[i], "--data-dir", fixture->tmp_dir, NULL },
                    bad[i]);
    }
}

static void
test_port_in_use (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *args[] = { "--listen", "127.0.0.1:0", "--data-dir", fixture->tmp_dir, NULL };
  g_autoptr(ConfabdTestDaemon) daemon = daemon_start (args, NULL);
  g_autofree char *listen = g_strdup (daemon->uri + strlen ("http://"));

  assert_fails ((const char *[]) { "--listen", listen, "--data-dir", fixture->tmp_dir, NULL },
                "cannot listen");

  daemon_stop (daemon, SIGTERM);
}

static void
test_unsupported (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *file = g_build_filename (fixture->tmp_dir, "x.pem", NULL);

  assert_fails ((const char *[]) { "--data-dir", fixture->tmp_dir,
                                   "--redis", "redis://localhost", NULL }, "--redis");
  assert_fails ((const char *[]) { "--data-dir", fixture->tmp_dir,
                                   "--store", "mysql://localhost/confab", NULL },
                "mysql://");
  assert_fails ((const char *[]) { "--data-dir", fixture->tmp_dir,
                                   "--tls-cert", file, NULL }, "--tls-key");
  assert_fails ((const char *[]) { "--data-dir", fixture->tmp_dir,
                                   "--tls-cert", file, "--tls-key", file, NULL }, "TLS");
  assert_fails ((const char *[]) { "--no-such-option", NULL }, "no-such-option");
  assert_fails ((const char *[]) { "stray", NULL }, "stray");
}

static void
test_help (Fixture       *fixture,
           gconstpointer  data)
{
  const char *options[] = {
    "--listen", "--data-dir", "--config", "--allow-register", "--tls-cert", "--tls-key",
    "--store", "--redis",
  };
  g_autofree char *out = NULL;
  g_autofree char *version = NULL;

  g_assert_cmpint (run_to_exit ((const char *[]) { "--help", NULL }, &out, NULL), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    g_assert_nonnull (strstr (out, options[i]));

  g_assert_cmpint (run_to_exit ((const char *[]) { "--version", NULL }, &version, NULL),
                   ==, 0);
  g_assert_cmpstr (version, ==, "confabd " PACKAGE_VERSION "\n");
}

static void
test_tls (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *cert = g_build_filename (fixture->tmp_dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (fixture->tmp_dir, "key.pem", NULL);
  g_autoptr(GSubprocess) gen = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabdTestDaemon) daemon = NULL;

  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }

  gen = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                          &error, openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                          "-keyout", key, "-out", cert, "-days", "1",
                          "-subj", "/CN=127.0.0.1", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (gen, NULL, &error));
  g_assert_no_error (error);

  daemon = daemon_start ((const char *[]) { "--listen", "127.0.0.1:0",
                                            "--data-dir", fixture->tmp_dir,
                                            "--tls-cert", cert, "--tls-key", key, NULL },
                         NULL);
  g_assert_true (g_str_has_prefix (daemon->uri, "https://127.0.0.1:"));
  assert_health (daemon);
  daemon_stop (daemon, SIGTERM);
}

int
main (int   argc,
      char *argv[])
{
  confabd_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/confabd/health", test_health);
  ADD ("/confabd/sigint", test_sigint);
  ADD ("/confabd/ipv6", test_ipv6);
  ADD ("/confabd/data-dir/default", test_default_data_dir);
  ADD ("/confabd/data-dir/created", test_data_dir_created);
  ADD ("/confabd/config/file", test_config);
  ADD ("/confabd/config/flags-win", test_config_flags_win);
  ADD ("/confabd/config/errors", test_config_errors);
  ADD ("/confabd/errors/bad-listen", test_bad_listen);
  ADD ("/confabd/errors/port-in-use", test_port_in_use);
  ADD ("/confabd/errors/unsupported", test_unsupported);
  ADD ("/confabd/help", test_help);
  ADD ("/confabd/tls", test_tls);

#undef ADD

  return g_test_run ();
}
