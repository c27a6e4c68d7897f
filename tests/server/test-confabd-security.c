/* test-confabd-security.c: the points of confabd's security review
 * (docs/security.md, "confabd security review") not tested elsewhere:
 * WebSocket origins, the handshake deadline, connections per address,
 * TLS versions, secrets stored only hashed, logs without secrets,
 * revocation, every frame checked, SQL only through prepared statements.
 * Real confabd processes, real sockets, real SQLite files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <ifaddrs.h>
#include <signal.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "confabd-test-client.h"

typedef ConfabdTestFixture Fixture;

#define BASE64URL "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/* ------------------------------------------------------------------------ */
/* A WebSocket opened by hand, with the headers a browser or a proxy sends. */

static gboolean
accept_any_certificate_cb (SoupMessage          *msg,
                           GTlsCertificate      *certificate,
                           GTlsCertificateFlags  errors,
                           gpointer              user_data)
{
  return TRUE;
}

/* The WebSocket, or NULL with the HTTP status of the refusal in *@status
 * (0 when the connection was dropped without an answer). */
static SoupWebsocketConnection *
open_ws (const char *uri,
         const char *origin,
         const char *forwarded_for,
         guint      *status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *ws_uri = g_strconcat (uri, "/ws", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", ws_uri);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws;

  if (origin != NULL)
    soup_message_headers_append (headers, "Origin", origin);
  if (forwarded_for != NULL)
    soup_message_headers_append (headers, "X-Forwarded-For", forwarded_for);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate_cb), NULL);

  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        confabd_test_result_cb, &result);
  confabd_test_await (&result, CONFABD_TEST_TIMEOUT, "a WebSocket upgrade");
  ws = soup_session_websocket_connect_finish (session, result, &error);
  *status = soup_message_get_status (msg);
  if (ws != NULL)
    g_object_set_data_full (G_OBJECT (ws), "session", g_steal_pointer (&session), g_object_unref);
  else
    g_test_message ("upgrade refused (%u): %s", *status, error->message);
  return ws;
}

static void
ws_message_cb (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  char **text = user_data;

  g_free (*text);
  *text = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));
}

/* The server answers a ping on @ws. */
static void
assert_ws_works (SoupWebsocketConnection *ws)
{
  g_autofree char *text = NULL;
  gulong id = g_signal_connect (ws, "message", G_CALLBACK (ws_message_cb), &text);
  gboolean timed_out = FALSE;
  gint64 deadline = g_get_monotonic_time () + CONFABD_TEST_TIMEOUT * G_USEC_PER_SEC;

  g_assert_cmpint (soup_websocket_connection_get_state (ws), ==, SOUP_WEBSOCKET_STATE_OPEN);
  soup_websocket_connection_send_text (ws, "{\"type\":\"ping\",\"id\":\"p\"}");
  while (text == NULL && !timed_out)
    {
      g_main_context_iteration (NULL, FALSE);
      timed_out = g_get_monotonic_time () > deadline;
      if (text == NULL)
        g_usleep (1000);
    }
  g_signal_handler_disconnect (ws, id);
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "\"pong\""));
}

static void
close_ws (SoupWebsocketConnection *ws)
{
  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_object_unref (ws);
}

/* A WebSocket to @uri (for @forwarded_for through the proxy) opens and
 * answers a ping; then it is closed. */
static void
assert_ws_serves (const char *uri,
                  const char *forwarded_for)
{
  guint status = 0;
  SoupWebsocketConnection *ws = open_ws (uri, NULL, forwarded_for, &status);

  g_assert_nonnull (ws);
  assert_ws_works (ws);
  close_ws (ws);
}

/* Starts confabd with @args and @env; exits with an error expected. */
static char *
run_failing (const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  launcher = confabd_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_ptr_array_add (argv, (gpointer) CONFABD_PATH);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  return g_steal_pointer (&err);
}

/* ------------------------------------------------------------------------ */
/* Origins */

static void
test_origin (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  const char *args[] = { "--allowed-origin", "https://app.example.org", NULL };
  g_autoptr(ConfabdTestDaemon) daemon = confabd_test_daemon_start (dir, args, NULL);
  g_autofree char *own = g_strdup_printf ("http://127.0.0.1:%u", daemon->port);
  g_autofree char *own_other_port = g_strdup_printf ("http://127.0.0.1:%u",
                                                     daemon->port == 1 ? 2 : 1);
  g_autofree char *bad_dir = g_build_filename (dir, "bad", NULL);
  g_autofree char *err = NULL;
  const char *allowed[] = {
    NULL,                              /* the app and confab-cli send none */
    own,                               /* a page of the server's own host */
    "https://app.example.org",         /* --allowed-origin */
    "HTTPS://App.Example.ORG:443",     /* the same, written otherwise */
  };
  const char *refused[] = {
    "http://evil.example",
    "https://app.example.org.evil.example",
    "http://app.example.org",          /* another scheme: another origin */
    "https://app.example.org:8443",
    own_other_port,                    /* the same host, another port */
    "null",                            /* sandboxed frames, file: pages */
    "not an origin",
  };

  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      guint status = 0;
      SoupWebsocketConnection *ws = open_ws (daemon->uri, allowed[i], NULL, &status);

      g_test_message ("Origin %s: allowed", allowed[i] != NULL ? allowed[i] : "(none)");
      g_assert_nonnull (ws);
      g_assert_cmpuint (status, ==, SOUP_STATUS_SWITCHING_PROTOCOLS);
      assert_ws_works (ws);
      close_ws (ws);
    }

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      guint status = 0;
      SoupWebsocketConnection *ws = open_ws (daemon->uri, refused[i], NULL, &status);

      g_test_message ("Origin %s: refused", refused[i]);
      g_assert_null (ws);
      g_assert_cmpuint (status, ==, SOUP_STATUS_FORBIDDEN);
    }

  confabd_test_daemon_assert_healthy (daemon);
  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);

  /* A value that is no origin stops the server before it starts. */
  err = run_failing ((const char *[]) { "--listen", "127.0.0.1:0", "--data-dir", bad_dir,
                                        "--allowed-origin", "ftp://files.example", NULL });
  g_assert_nonnull (strstr (err, "--allowed-origin"));
  confab_test_rm_rf (dir);
}

/* The key file's allowed-origin list does the same. */
static void
test_origin_config (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autofree char *config = g_build_filename (dir, "confabd.conf", NULL);
  g_autoptr(ConfabdTestDaemon) daemon = NULL;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws;
  guint status = 0;

  g_file_set_contents (config,
                       "[confabd]\n"
                       "allowed-origin=https://a.example;https://b.example:8443\n"
                       "max-connections-per-address=10\n", -1, &error);
  g_assert_no_error (error);
  daemon = confabd_test_daemon_start (dir, (const char *[]) { "--config", config, NULL }, NULL);

  ws = open_ws (daemon->uri, "https://b.example:8443", NULL, &status);
  g_assert_nonnull (ws);
  close_ws (ws);
  g_assert_null (open_ws (daemon->uri, "https://c.example", NULL, &status));
  g_assert_cmpuint (status, ==, SOUP_STATUS_FORBIDDEN);

  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);
  confab_test_rm_rf (dir);
}

/* ------------------------------------------------------------------------ */
/* The handshake deadline */

/* A raw TCP connection (its socket: g_socket_connection_get_socket). */
static GSocketConnection *
tcp_connect (const char *host,
             guint16     port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_to_host (client, host, port, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

#define SOCKET_OF(connection) g_socket_connection_get_socket (connection)

/* Seconds until the server closes @socket (it reads end of file), waiting
 * at most @max; -1 when it stayed open. Sends @trickle one byte at a time
 * meanwhile, one every 300 ms, as a slow client would. */
static double
seconds_until_closed (GSocket    *socket,
                      gint64      since,
                      double      max,
                      const char *trickle)
{
  gint64 deadline = since + (gint64) (max * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < deadline)
    {
      gint64 wait = MIN (deadline - g_get_monotonic_time (), 300 * 1000);
      char buffer[256];
      gssize n;

      if (g_socket_condition_timed_wait (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, MAX (wait, 0),
                                         NULL, NULL))
        {
          n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);
          /* End of file, or a reset: closed. An answer would be a bug. */
          g_assert_cmpint (n, <=, 0);
          return (g_get_monotonic_time () - since) / (double) G_USEC_PER_SEC;
        }
      if (trickle != NULL && *trickle != '\0')
        {
          if (g_socket_send (socket, trickle, 1, NULL, NULL) != 1)
            return (g_get_monotonic_time () - since) / (double) G_USEC_PER_SEC;
          trickle++;
        }
    }
  return -1;
}


/* The handshake deadline the tests give confabd, in seconds: under
 * valgrind (meson test --setup valgrind) a TLS handshake alone takes
 * seconds, so the deadline and the bounds around it stretch. */
static guint
handshake_deadline (void)
{
  return g_getenv ("CONFAB_UNDER_VALGRIND") != NULL ? 20 : 2;
}

/* With TLS the deadline must also cover the handshake, which under ASan
 * on a loaded machine took longer than 2 s (the first one loads
 * glib-networking and GnuTLS): three times as long. */
static double
tls_handshake_deadline (void)
{
  return 3 * handshake_deadline ();
}

static char *
make_deadline_env (double seconds)
{
  return g_strdup_printf ("CONFABD_HANDSHAKE_TIMEOUT=%u", (guint) seconds);
}

static char *
handshake_deadline_env (void)
{
  return make_deadline_env (handshake_deadline ());
}

static void
test_handshake_deadline (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autoptr(ConfabdTestDaemon) daemon = NULL;
  g_autoptr(ConfabdTestClient) idle = NULL;
  g_autoptr(ConfabdTestClient) served = NULL;
  g_autoptr(GSocketConnection) silent = NULL;
  g_autoptr(GSocketConnection) slow = NULL;
  g_autoptr(GSocketConnection) after = NULL;
  g_autofree char *trickle = NULL;
  g_autofree char *deadline_env = handshake_deadline_env ();
  double deadline = handshake_deadline ();
  gint64 start;
  double silent_closed, slow_closed;

  daemon = confabd_test_daemon_start (dir, (const char *[]) { "--allow-register", NULL },
                                      (const char *[]) { deadline_env, NULL });

  /* Upgraded before the others: no deadline once a WebSocket. */
  idle = confabd_test_client_new (daemon->uri, "idle");

  start = g_get_monotonic_time ();
  silent = tcp_connect ("127.0.0.1", daemon->port);
  slow = tcp_connect ("127.0.0.1", daemon->port);
  g_assert_cmpint (g_socket_send (SOCKET_OF (slow), "GET /ws HTTP/1.1\r\n", 18, NULL, NULL),
                   ==, 18);
  trickle = g_strdup_printf ("Host: 127.0.0.1:%u\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n",
                             daemon->port);

  /* Meanwhile a client that does not dawdle is served. */
  served = confabd_test_client_new (daemon->uri, "served");
  confabd_test_client_register (served, "ada");

  slow_closed = seconds_until_closed (SOCKET_OF (slow), start, 7.5 * deadline, trickle);
  silent_closed = seconds_until_closed (SOCKET_OF (silent), start, 7.5 * deadline, NULL);
  g_test_message ("closed after %.2f s (trickling) and %.2f s (silent)", slow_closed,
                  silent_closed);
  g_assert_cmpfloat (slow_closed, >=, 0.75 * deadline);
  g_assert_cmpfloat (silent_closed, >=, 0.75 * deadline);
  /* The deadline, with room for a loaded machine (none would fail as -1). */
  g_assert_cmpfloat (slow_closed, <, 5 * deadline);
  g_assert_cmpfloat (silent_closed, <, 5 * deadline);

  /* The WebSocket older than the deadline still works, and so does a new
   * request made in time. */
  g_assert_false (idle->closed);
  confabd_test_client_ping (idle);
  confabd_test_client_ping (served);
  after = tcp_connect ("127.0.0.1", daemon->port);
  g_assert_cmpfloat (seconds_until_closed (SOCKET_OF (after), g_get_monotonic_time (), 0.5, NULL),
                     ==, -1);
  confabd_test_daemon_assert_healthy (daemon);

  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);
  confab_test_rm_rf (dir);
}

/* ------------------------------------------------------------------------ */
/* TLS */

static char *
openssl_connect (const char *openssl,
                 guint16     port,
                 const char *version)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *connect = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *out = NULL;

  /* SECLEVEL=0: this client must be willing to speak the old versions, so
   * that a refusal is the server's. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_MERGE, &error,
                              openssl, "s_client", "-connect", connect, version,
                              "-cipher", "DEFAULT:@SECLEVEL=0", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, "", NULL, &out, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&out);
}

static void
test_tls (void)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *dir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GSubprocess) gen = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabdTestDaemon) daemon = NULL;
  g_autoptr(GSocketConnection) silent = NULL;
  g_autofree char *plain_uri = NULL;
  g_autofree char *env = make_deadline_env (tls_handshake_deadline ());
  double deadline = tls_handshake_deadline ();
  guint status = 0;
  gint64 start;
  double closed;

  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }

  dir = confab_test_make_tmpdir ();
  cert = g_build_filename (dir, "cert.pem", NULL);
  key = g_build_filename (dir, "key.pem", NULL);
  gen = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                          &error, openssl, "req", "-x509", "-newkey", "ec",
                          "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", key, "-out", cert, "-days", "1",
                          "-subj", "/CN=127.0.0.1", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (gen, NULL, &error));

  /* confabd's own choice of versions, not one from the environment. */
  g_unsetenv ("G_TLS_GNUTLS_PRIORITY");
  daemon = confabd_test_daemon_start (dir, (const char *[]) { "--tls-cert", cert,
                                                              "--tls-key", key, NULL },
                                      (const char *[]) { env, NULL });
  g_assert_true (g_str_has_prefix (daemon->uri, "https://"));

  /* wss:// works… */
  assert_ws_serves (daemon->uri, NULL);

  /* …plain HTTP on the same port does not. */
  plain_uri = g_strdup_printf ("http://127.0.0.1:%u", daemon->port);
  g_assert_null (open_ws (plain_uri, NULL, NULL, &status));

  /* TLS 1.2 and 1.3 only. */
  {
    g_autofree char *v10 = openssl_connect (openssl, daemon->port, "-tls1");
    g_autofree char *v11 = openssl_connect (openssl, daemon->port, "-tls1_1");
    g_autofree char *v12 = openssl_connect (openssl, daemon->port, "-tls1_2");

    g_assert_null (strstr (v10, "New, TLSv1"));
    g_assert_null (strstr (v11, "New, TLSv1"));
    g_assert_nonnull (strstr (v12, "New, TLSv1.2"));
  }

  /* A client that never starts its TLS handshake is dropped in time. */
  start = g_get_monotonic_time ();
  silent = tcp_connect ("127.0.0.1", daemon->port);
  closed = seconds_until_closed (SOCKET_OF (silent), start, 7.5 * deadline, NULL);
  g_test_message ("silent TLS client closed after %.2f s", closed);
  g_assert_cmpfloat (closed, >=, 0.75 * deadline);
  g_assert_cmpfloat (closed, <, 5 * deadline);

  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);
  confab_test_rm_rf (dir);
}

/* ------------------------------------------------------------------------ */
/* Connections per address */

/* Opens WebSockets for @forwarded_for until one is accepted; fails after
 * the usual timeout. */
static SoupWebsocketConnection *
open_ws_eventually (const char *uri,
                    const char *forwarded_for)
{
  gint64 deadline = g_get_monotonic_time () + CONFABD_TEST_TIMEOUT * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      guint status = 0;
      SoupWebsocketConnection *ws = open_ws (uri, NULL, forwarded_for, &status);

      if (ws != NULL)
        return ws;
      confabd_test_run_for (100);
    }
  g_error ("no WebSocket accepted for %s", forwarded_for != NULL ? forwarded_for : "loopback");
  return NULL;
}

/* Behind the trusted proxy: counted per client the proxy names. Loopback
 * itself is never counted. */
static void
test_connections_per_address (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  const char *args[] = { "--trusted-proxy", "127.0.0.1", "--max-connections-per-address", "3",
                         NULL };
  g_autoptr(ConfabdTestDaemon) daemon = confabd_test_daemon_start (dir, args, NULL);
  SoupWebsocketConnection *first[3];
  SoupWebsocketConnection *local[5];
  guint status = 0;

  for (guint i = 0; i < G_N_ELEMENTS (first); i++)
    {
      first[i] = open_ws (daemon->uri, NULL, "203.0.113.9", &status);
      g_assert_nonnull (first[i]);
    }
  g_assert_null (open_ws (daemon->uri, NULL, "203.0.113.9", &status));
  g_assert_cmpuint (status, ==, 429);
  /* A client writing its own entry first is still counted by the last. */
  g_assert_null (open_ws (daemon->uri, NULL, "198.51.100.1, 203.0.113.9", &status));
  g_assert_cmpuint (status, ==, 429);

  /* Another client of the proxy, and loopback clients, are not limited. */
  assert_ws_serves (daemon->uri, "203.0.113.10");
  for (guint i = 0; i < G_N_ELEMENTS (local); i++)
    {
      local[i] = open_ws (daemon->uri, NULL, NULL, &status);
      g_assert_nonnull (local[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (local); i++)
    close_ws (local[i]);

  /* One gone, one more is let in. */
  assert_ws_works (first[0]);
  close_ws (first[0]);
  first[0] = open_ws_eventually (daemon->uri, "203.0.113.9");
  assert_ws_works (first[0]);

  for (guint i = 0; i < G_N_ELEMENTS (first); i++)
    close_ws (first[i]);

  /* IPv6 clients are counted by their /64: one host holds a whole /64,
   * and would otherwise have 2^64 addresses to go round the limit. */
  {
    const char *same_64[] = { "2001:db8::1", "2001:db8::2", "2001:db8::ffff:1" };
    SoupWebsocketConnection *six[G_N_ELEMENTS (same_64)];

    for (guint i = 0; i < G_N_ELEMENTS (six); i++)
      {
        six[i] = open_ws (daemon->uri, NULL, same_64[i], &status);
        g_assert_nonnull (six[i]);
      }
    g_assert_null (open_ws (daemon->uri, NULL, "2001:db8::99", &status));
    g_assert_cmpuint (status, ==, 429);
    /* The next /64 is someone else. */
    assert_ws_serves (daemon->uri, "2001:db8:0:1::1");
    for (guint i = 0; i < G_N_ELEMENTS (six); i++)
      close_ws (six[i]);
  }

  confabd_test_daemon_assert_healthy (daemon);
  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);
  confab_test_rm_rf (dir);
}

/* Connections reset before confabd read a byte of them, as a load
 * balancer's health check does when it gives up on a busy instance. They
 * are dropped quietly: libsoup warns when asked for the address of such a
 * peer, and the tests run confabd with G_DEBUG=fatal-warnings, so this
 * brought it down (under ASan, HAProxy's checks in the scale tests). */
static void
test_reset_before_request (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autoptr(ConfabdTestDaemon) daemon = confabd_test_daemon_start (dir, NULL, NULL);
  g_autoptr(GUri) uri = g_uri_parse (daemon->uri, G_URI_FLAGS_NONE, NULL);

  /* Stopped, confabd cannot accept them before they are reset: the kernel
   * queues them, then marks them reset. */
  confabd_test_daemon_pause (daemon);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GSocketConnection) connection = tcp_connect (g_uri_get_host (uri),
                                                             g_uri_get_port (uri));
      struct linger reset = { .l_onoff = 1, .l_linger = 0 };

      /* Closed with SO_LINGER 0: a reset, not an orderly end. */
      g_assert_cmpint (setsockopt (g_socket_get_fd (SOCKET_OF (connection)), SOL_SOCKET,
                                   SO_LINGER, &reset, sizeof reset), ==, 0);
      g_assert_true (g_io_stream_close (G_IO_STREAM (connection), NULL, NULL));
    }
  confabd_test_daemon_resume (daemon);

  assert_ws_serves (daemon->uri, NULL);
  confabd_test_daemon_assert_healthy (daemon);
  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);
  confab_test_rm_rf (dir);
}

/* An address of this machine that is not loopback, or NULL. */
static char *
find_local_address (void)
{
  struct ifaddrs *addresses = NULL;
  char *found = NULL;

  if (getifaddrs (&addresses) != 0)
    return NULL;
  for (struct ifaddrs *a = addresses; a != NULL && found == NULL; a = a->ifa_next)
    {
      g_autoptr(GSocketAddress) address = NULL;
      GInetAddress *inet;

      if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET)
        continue;
      address = g_socket_address_new_from_native (a->ifa_addr, sizeof (struct sockaddr_in));
      if (!G_IS_INET_SOCKET_ADDRESS (address))
        continue;
      inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
      if (!g_inet_address_get_is_loopback (inet) && !g_inet_address_get_is_link_local (inet))
        found = g_inet_address_to_string (inet);
    }
  freeifaddrs (addresses);
  return found;
}

/* Without a proxy: counted per peer from the first byte, so connections
 * that send nothing count too, and the one over the limit is closed at
 * once (not after the handshake deadline). */
static void
test_connections_per_peer (void)
{
  g_autofree char *host = find_local_address ();
  g_autofree char *dir = NULL;
  g_autofree char *listen = NULL;
  g_autoptr(ConfabdTestDaemon) daemon = NULL;
  g_autoptr(GSocketConnection) one = NULL;
  g_autoptr(GSocketConnection) two = NULL;
  g_autoptr(GSocketConnection) three = NULL;
  SoupWebsocketConnection *ws;
  guint status = 0;
  double closed;

  if (host == NULL)
    {
      g_test_skip ("this machine has no IPv4 address but loopback");
      return;
    }

  dir = confab_test_make_tmpdir ();
  listen = g_strdup_printf ("%s:0", host);
  daemon = confabd_test_daemon_start (dir, (const char *[]) { "--listen", listen,
                                                              "--max-connections-per-address",
                                                              "2", NULL }, NULL);
  one = tcp_connect (host, daemon->port);
  two = tcp_connect (host, daemon->port);
  three = tcp_connect (host, daemon->port);
  closed = seconds_until_closed (SOCKET_OF (three), g_get_monotonic_time (), 5, NULL);
  g_assert_cmpfloat (closed, >=, 0);
  g_assert_cmpfloat (closed, <, 5);   /* the deadline would be 10 s */
  g_assert_null (open_ws (daemon->uri, NULL, NULL, &status));

  /* The first two still count until they go. */
  g_assert_cmpfloat (seconds_until_closed (SOCKET_OF (one), g_get_monotonic_time (), 0.3, NULL),
                     ==, -1);
  g_io_stream_close (G_IO_STREAM (one), NULL, NULL);
  g_io_stream_close (G_IO_STREAM (two), NULL, NULL);
  ws = open_ws_eventually (daemon->uri, NULL);
  assert_ws_works (ws);
  close_ws (ws);

  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);
  confab_test_rm_rf (dir);
}

/* ------------------------------------------------------------------------ */
/* Secrets stored, and logged */

static char *
create_room (ConfabdTestClient *client,
             const char        *name)
{
  g_autoptr(JsonObject) answer = confabd_test_client_ok (client, "room",
                                                         "{'type':'room.create','name':'%s'}",
                                                         name);

  return g_strdup (confabd_test_get_string (confabd_test_get_object (answer, "room"), "id"));
}

static char *
create_chat (ConfabdTestClient *client,
             const char        *room)
{
  g_autoptr(JsonObject) answer = confabd_test_client_ok (client, "ack",
                                                         "{'type':'chat.create','room':'%s',"
                                                         "'title':'C'}", room);

  return g_strdup (confabd_test_get_string (answer, "chat"));
}

static char *
create_invite (ConfabdTestClient *client,
               const char        *room)
{
  g_autoptr(JsonObject) answer = confabd_test_client_ok (client, "invite",
                                                         "{'type':'invite.create','room':'%s',"
                                                         "'role':'member','uses':5}", room);

  return g_strdup (confabd_test_get_string (answer, "token"));
}

/* Every file under @dir, read whole, one after the other. */
static void
read_files (const char *dir,
            GString    *contents)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      gsize length;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          read_files (path, contents);
          continue;
        }
      g_assert_true (g_file_get_contents (path, &data, &length, NULL));
      g_string_append_len (contents, data, length);
      g_string_append_c (contents, '\n');
    }
}

static gboolean
contains (GString    *haystack,
          const char *needle)
{
  gsize length = strlen (needle);

  /* Binary files: NUL bytes do not end the search. */
  for (gsize i = 0; i + length <= haystack->len; i++)
    if (memcmp (haystack->str + i, needle, length) == 0)
      return TRUE;
  return FALSE;
}

static void
assert_token_shape (const char *token,
                    gsize       bytes)
{
  g_assert_cmpuint (strlen (token), ==, (bytes * 8 + 5) / 6);   /* base64url, no padding */
  g_assert_cmpuint (strspn (token, BASE64URL), ==, strlen (token));
}

static void
test_stored_hashed (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(ConfabdTestDaemon) daemon = NULL;
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) laptop = NULL;
  g_autoptr(GString) files = g_string_new (NULL);
  g_autofree char *session = NULL;
  g_autofree char *room = NULL;
  g_autofree char *invite = NULL;
  g_autofree char *session_hash = NULL;
  g_autofree char *invite_hash = NULL;

  if (confabd_test_store_is_pg ())
    {
      g_test_skip ("reads the SQLite files");
      return;
    }

  dir = confab_test_make_tmpdir ();
  daemon = confabd_test_daemon_start (dir, (const char *[]) { "--allow-register", NULL }, NULL);
  ada = confabd_test_client_new (daemon->uri, "ada");
  laptop = confabd_test_client_new (daemon->uri, "laptop");
  session = g_strdup (confabd_test_client_register (ada, "ada"));
  confabd_test_client_login (laptop, "ada");
  room = create_room (ada, "Secrets");
  invite = create_invite (ada, room);

  /* 256 bits per session, 192 per invite, from getrandom(2). */
  assert_token_shape (session, 32);
  assert_token_shape (laptop->token, 32);
  assert_token_shape (invite, 24);
  g_assert_cmpstr (session, !=, laptop->token);

  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);

  /* Whatever SQLite wrote (the database, its WAL): */
  read_files (dir, files);
  g_assert_cmpuint (files->len, >, 4096);
  g_assert_false (contains (files, CONFABD_TEST_PASSWORD));
  g_assert_false (contains (files, session));
  g_assert_false (contains (files, laptop->token));
  g_assert_false (contains (files, invite));
  /* argon2id with OWASP's first parameter set (19 MiB, 2 passes, 1 lane) … */
  g_assert_true (contains (files, "$argon2id$v=19$m=19456,t=2,p=1$"));
  /* …and the tokens' SHA-256, which is what a lookup compares. */
  session_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, session, -1);
  invite_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, invite, -1);
  g_assert_true (contains (files, session_hash));
  g_assert_true (contains (files, invite_hash));

  confab_test_rm_rf (dir);
}

static void
assert_not_in (GString    *log,
               const char *secret,
               const char *what)
{
  if (contains (log, secret))
    g_error ("%s (%s) is in confabd's log", what, secret);
}

static void
test_logs (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autoptr(ConfabdTestDaemon) daemon = NULL;
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(ConfabdTestClient) other = NULL;
  g_autoptr(ConfabdTestClient) third = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autofree char *stderr_log = NULL;
  g_autofree char *room = NULL;
  g_autofree char *chat = NULL;
  g_autofree char *message = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *invite = NULL;
  g_autofree char *first_token = NULL;
  char *line;
  const char *wrong = "wrong-Password-e1c4";
  const char *broken = "broken-Password-77b2";

  daemon = confabd_test_daemon_start (dir, (const char *[]) { "--allow-register", NULL },
                                      (const char *[]) { "G_MESSAGES_DEBUG=all", NULL });
  ada = confabd_test_client_new (daemon->uri, "ada");
  first_token = g_strdup (confabd_test_client_register (ada, "ada"));
  room = create_room (ada, "Logs");
  chat = create_chat (ada, room);

  answer = confabd_test_client_ok (ada, "ack", "{'type':'message.create','room':'%s','chat':'%s',"
                                   "'text':'body-Marker-31337'}", room, chat);
  message = g_strdup (confabd_test_get_string (answer, "message"));
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "ack", "{'type':'message.edit','room':'%s',"
                                   "'message':'%s','text':'edit-Marker-31337'}", room, message);
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "ack", "{'type':'stream.start','room':'%s','chat':'%s',"
                                   "'model':'openai:gpt-4o'}", room, chat);
  reply = g_strdup (confabd_test_get_string (answer, "message"));
  confabd_test_client_sendf (ada, "{'type':'stream.delta','room':'%s','message':'%s',"
                             "'text':'delta-Marker-31337','offset':0}", room, reply);
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "ack", "{'type':'stream.end','room':'%s','message':'%s',"
                                   "'text':'delta-Marker-31337 reply-Marker-31337',"
                                   "'status':'complete'}", room, reply);
  invite = create_invite (ada, room);

  bob = confabd_test_client_new (daemon->uri, "bob");
  confabd_test_client_register (bob, "bob");
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (bob, "room", "{'type':'invite.accept','token':'%s'}", invite);
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "ack", "{'type':'invite.revoke','token':'%s'}", invite);

  /* A wrong password, a frame cut in the middle of one, the right one. */
  other = confabd_test_client_new (daemon->uri, "other");
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_fails (other, "unauthorized",
                                      "{'type':'login','user':'ada','password':'%s'}", wrong);
  confabd_test_client_sendf (other, "{'type':'login','user':'ada','password':'%s", broken);
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_next (other);
  g_assert_cmpstr (confabd_test_get_string (answer, "code"), ==, "bad_frame");
  confabd_test_client_login (other, "ada");

  third = confabd_test_client_new (daemon->uri, "third");
  confabd_test_client_auth (third, first_token);
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (third, "ack", "{'type':'logout'}");
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_fails (third, "expired", "{'type':'auth','token':'%s'}",
                                      first_token);

  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);

  stderr_log = confabd_test_daemon_dup_log (daemon);
  g_string_append (log, stderr_log);
  while ((line = g_data_input_stream_read_line_utf8 (daemon->stdout_lines, NULL, NULL, NULL)))
    {
      g_string_append (log, line);
      g_string_append_c (log, '\n');
      g_free (line);
    }

  /* Debug messages were on: the frames and sign-ins are there… */
  g_assert_true (contains (log, "signed in as ada"));
  g_assert_true (contains (log, ": message.create"));
  g_assert_true (contains (log, ": invite.accept"));
  g_assert_true (contains (log, "Failed login for “ada”"));
  /* …none of the secrets, no message text. */
  assert_not_in (log, CONFABD_TEST_PASSWORD, "the password");
  assert_not_in (log, wrong, "a wrong password");
  assert_not_in (log, broken, "the password of a broken frame");
  assert_not_in (log, first_token, "a session token");
  assert_not_in (log, other->token, "a session token");
  assert_not_in (log, bob->token, "a session token");
  assert_not_in (log, invite, "an invite token");
  assert_not_in (log, "Marker-31337", "a message's text");

  confab_test_rm_rf (dir);
}

/* ------------------------------------------------------------------------ */
/* Revocation */

/* A logout ends the session on every connection using it, not only on the
 * one that logs out (a stolen token stops working at once). */
static void
test_revocation (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (uri, "ada");
  g_autoptr(ConfabdTestClient) thief = confabd_test_client_new (uri, "thief");
  g_autoptr(ConfabdTestClient) laptop = confabd_test_client_new (uri, "laptop");
  g_autoptr(ConfabdTestClient) again = confabd_test_client_new (uri, "again");
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *token = NULL;
  g_autofree char *room = NULL;

  token = g_strdup (confabd_test_client_register (ada, "ada"));
  confabd_test_client_auth (thief, token);
  confabd_test_client_login (laptop, "ada");
  room = create_room (ada, "R");
  answer = confabd_test_client_join (thief, room, 0, NULL);
  confabd_test_client_clear (thief);

  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "ack", "{'type':'logout'}");
  g_assert_cmpuint (confabd_test_client_wait_closed (thief), ==, 1008);

  /* The session the laptop has is another one. */
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (laptop, "rooms", "{'type':'rooms'}");
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_fails (again, "expired", "{'type':'auth','token':'%s'}", token);
  confabd_test_client_ping (ada);
  confabd_test_daemon_assert_healthy (fixture->daemon);
}

/* An expired session gets no more live events, even without sending a
 * frame; its next frame gets "expired". */
static void
test_expiry_stops_events (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autoptr(ConfabdTestDaemon) daemon = NULL;
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(ConfabdTestClient) bob_later = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *room = NULL;
  g_autofree char *chat = NULL;
  g_autofree char *invite = NULL;

  daemon = confabd_test_daemon_start (dir, (const char *[]) { "--allow-register", NULL },
                                      (const char *[]) { "CONFABD_SESSION_LIFETIME=3", NULL });
  ada = confabd_test_client_new (daemon->uri, "ada");
  bob = confabd_test_client_new (daemon->uri, "bob");
  confabd_test_client_register (ada, "ada");
  confabd_test_client_register (bob, "bob");
  room = create_room (ada, "R");
  chat = create_chat (ada, room);
  invite = create_invite (ada, room);
  answer = confabd_test_client_ok (bob, "room", "{'type':'invite.accept','token':'%s'}", invite);
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_join (ada, room, 0, NULL);
  confabd_test_client_clear (ada);

  /* Past the end of both sessions. */
  confabd_test_run_for (4000);
  bob_later = confabd_test_client_new (daemon->uri, "bob later");
  confabd_test_client_login (bob_later, "bob");
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (bob_later, "ack", "{'type':'message.create','room':'%s',"
                                   "'chat':'%s','text':'after the end'}", room, chat);

  confabd_test_client_assert_quiet (ada, 1000);
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_fails (ada, "expired", "{'type':'rooms'}");

  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);
  confab_test_rm_rf (dir);
}

/* ------------------------------------------------------------------------ */
/* Every frame checked */

static char *
source_path (const char *first,
             ...)
{
  va_list args;
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  const char *part;

  /* G_TEST_SRCDIR is tests/ of the source tree. */
  g_ptr_array_add (parts, (gpointer) g_test_get_dir (G_TEST_DIST));
  g_ptr_array_add (parts, (gpointer) "..");
  va_start (args, first);
  for (part = first; part != NULL; part = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) part);
  va_end (args);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

static char *
read_source (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Every match of @pattern's first group in @text, in a sorted set. */
static GPtrArray *
collect (const char *text,
         const char *pattern)
{
  g_autoptr(GRegex) regex = g_regex_new (pattern, G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (regex);
  g_regex_match (regex, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *name = g_match_info_fetch (match, 1);

      if (!g_ptr_array_find_with_equal_func (found, name, g_str_equal, NULL))
        g_ptr_array_add (found, g_steal_pointer (&name));
      g_match_info_next (match, NULL);
    }
  g_ptr_array_sort (found, compare_strings);
  return found;
}

/* The frame types confabd's dispatch table has (src/server/confabd-hub.c). */
static GPtrArray *
dispatched_types (void)
{
  g_autofree char *path = source_path ("src", "server", "confabd-hub.c", NULL);
  g_autofree char *hub = read_source (path);
  GPtrArray *types = collect (hub, "^\\s*\\{ \"([a-z.]+)\", _confabd_hub_\\w+ \\},");

  /* The table is there and was read. */
  g_assert_cmpuint (types->len, >=, 20);
  return types;
}

static gboolean
has_type (GPtrArray  *types,
          const char *type)
{
  return g_ptr_array_find_with_equal_func (types, type, g_str_equal, NULL);
}

/* The table, docs/protocol.md and the permission matrix name the same
 * frames. */
static void
test_frame_coverage (void)
{
  g_autoptr(GPtrArray) types = dispatched_types ();
  g_autofree char *protocol_path = source_path ("docs", "protocol.md", NULL);
  g_autofree char *matrix_path = source_path ("tests", "server", "test-confabd-permissions.c",
                                              NULL);
  g_autofree char *protocol = read_source (protocol_path);
  g_autofree char *matrix = read_source (matrix_path);
  g_autoptr(GPtrArray) documented = NULL;
  g_autoptr(GPtrArray) in_matrix = NULL;
  const char *table;
  /* Not room frames: tested by test_every_frame_refused below. */
  const char *outside_rooms[] = { "room.create", "rooms", "invite.accept" };

  /* The rows of "| Frame | Members | Answer |", up to the table's end. */
  table = strstr (protocol, "| Frame | Members | Answer |");
  g_assert_nonnull (table);
  {
    const char *end = strstr (table, "\n\n");
    g_autofree char *rows = g_strndup (table, end != NULL ? (gsize) (end - table) : strlen (table));

    documented = collect (rows, "^\\| `([a-z.]+)` \\|");
  }

  for (guint i = 0; i < types->len; i++)
    g_test_message ("dispatched: %s", (char *) g_ptr_array_index (types, i));
  g_assert_cmpuint (documented->len, ==, types->len);
  for (guint i = 0; i < types->len; i++)
    g_assert_cmpstr (g_ptr_array_index (documented, i), ==, g_ptr_array_index (types, i));

  in_matrix = collect (matrix, "'type':'([a-z.]+)'");
  for (guint i = 0; i < types->len; i++)
    {
      const char *type = g_ptr_array_index (types, i);

      if (!has_type (in_matrix, type) &&
          !g_strv_contains (outside_rooms, type))
        g_error ("%s is missing from the permission matrix (test-confabd-permissions.c)", type);
    }
}


/* Every frame of the table, before sign-in and from someone outside the
 * room: refused, and nothing stored. */
static void
test_every_frame_refused (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  g_autoptr(GPtrArray) types = dispatched_types ();
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (uri, "ada");
  g_autoptr(ConfabdTestClient) eve = confabd_test_client_new (uri, "eve");
  g_autoptr(ConfabdTestClient) anonymous = confabd_test_client_new_raw (uri, "anonymous");
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *room = NULL;
  g_autofree char *chat = NULL;
  g_autofree char *message = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *invite = NULL;
  gint64 before;

  confabd_test_client_register (ada, "ada");
  confabd_test_client_register (eve, "eve");
  room = create_room (ada, "Private");
  chat = create_chat (ada, room);
  answer = confabd_test_client_ok (ada, "ack", "{'type':'message.create','room':'%s',"
                                   "'chat':'%s','text':'secret'}", room, chat);
  message = g_strdup (confabd_test_get_string (answer, "message"));
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "ack", "{'type':'stream.start','room':'%s',"
                                   "'chat':'%s','model':'a:b'}", room, chat);
  reply = g_strdup (confabd_test_get_string (answer, "message"));
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "invite", "{'type':'invite.create','room':'%s',"
                                   "'role':'member'}", room);
  invite = g_strdup (confabd_test_get_string (answer, "token_id"));
  before = confabd_test_client_last_seq (ada, room);

  for (guint i = 0; i < types->len; i++)
    {
      const char *type = g_ptr_array_index (types, i);
      /* Every member any frame reads, valid, naming ada's room. */
      g_autofree char *frame = g_strdup_printf (
        "{'type':'%s','room':'%s','chat':'%s','message':'%s','user':'ada','role':'member',"
        "'text':'x','title':'x','name':'x','model':'a:b','offset':0,'status':'complete',"
        "'token_id':'%s','token':'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'}",
        type, room, chat, g_str_has_prefix (type, "stream.") ? reply : message, invite);

      g_strdelimit (frame, "'", '"');
      g_test_message ("%s", type);

      /* Not signed in. */
      g_clear_pointer (&answer, json_object_unref);
      answer = confabd_test_client_fails (anonymous, "unauthorized", "%s", frame);

      /* Signed in, not a member. */
      g_clear_pointer (&answer, json_object_unref);
      if (g_str_equal (type, "room.create"))
        {
          /* Allowed: it makes eve's own room. */
          answer = confabd_test_client_ok (eve, "room", "%s", frame);
          g_assert_cmpstr (confabd_test_get_string (confabd_test_get_object (answer, "room"),
                                                    "id"), !=, room);
        }
      else if (g_str_equal (type, "rooms"))
        {
          JsonArray *rooms;

          answer = confabd_test_client_ok (eve, "rooms", "%s", frame);
          rooms = confabd_test_get_array (answer, "rooms");
          for (guint j = 0; j < json_array_get_length (rooms); j++)
            g_assert_cmpstr (confabd_test_get_string (json_array_get_object_element (rooms, j),
                                                      "id"), !=, room);
        }
      else
        answer = confabd_test_client_fails (eve, "not_found", "%s", frame);
    }

  g_assert_cmpint (confabd_test_client_last_seq (ada, room), ==, before);
  confabd_test_daemon_assert_healthy (fixture->daemon);
}

/* ------------------------------------------------------------------------ */
/* SQL */

/* Names and texts full of SQL come back as they went in. */
static void
test_sql_text (Fixture       *fixture,
               gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (uri, "ada");
  g_autoptr(ConfabdTestClient) again = confabd_test_client_new (uri, "again");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *room = NULL;
  g_autofree char *chat = NULL;
  const char *hostile[] = {
    "x'); DROP TABLE users; --",
    "\\\" OR 1=1; --",
    "' OR '1'='1",
    "%s%n%x $1 ?1 :name @x",
  };

  confabd_test_client_register (ada, "ada");
  room = create_room (ada, hostile[0]);
  chat = create_chat (ada, room);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_clear_pointer (&answer, json_object_unref);
      answer = confabd_test_client_ok (ada, "ack", "{'type':'message.create','room':'%s',"
                                       "'chat':'%s','text':'%s'}", room, chat, hostile[i]);
    }

  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_join (ada, room, 0, &events);
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "history", "{'type':'history','room':'%s','chat':'%s'}",
                                   room, chat);
  {
    JsonArray *messages = confabd_test_get_array (answer, "messages");

    g_assert_cmpuint (json_array_get_length (messages), ==, G_N_ELEMENTS (hostile));
    g_assert_cmpstr (confabd_test_get_string (json_array_get_object_element (messages, 1),
                                              "text"), ==, "\" OR 1=1; --");
    g_assert_cmpstr (confabd_test_get_string (json_array_get_object_element (messages, 3),
                                              "text"), ==, hostile[3]);
  }
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "rooms", "{'type':'rooms'}");
  g_assert_cmpstr (confabd_test_get_string (json_array_get_object_element (confabd_test_get_array (answer, "rooms"), 0),
                                            "name"), ==, hostile[0]);

  /* The users are all still there. */
  confabd_test_client_login (again, "ada");
}

typedef struct
{
  const char *file;
  const char *name;
} Allowed;

/* SQL reaches SQLite and PostgreSQL only as a constant with placeholders
 * (prepared, values bound), never built from values with printf. */
static void
test_sql_prepared (void)
{
  g_autofree char *dir = source_path ("src", "server", NULL);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  /* A printf-family call whose format starts like SQL: only integers may
   * be put in it (%d, %u, G_GINT64_FORMAT), or identifiers quoted by
   * SQLite's %w. */
  g_autoptr(GRegex) printf_sql = g_regex_new (
    "\\b(g_strdup_printf|g_strdup_vprintf|sqlite3_mprintf|sqlite3_vmprintf|g_string_printf|"
    "g_string_append_printf|g_snprintf|g_strconcat)\\s*\\(\\s*((?:\"(?:[^\"\\\\]|\\\\.)*\"\\s*)+)",
    0, 0, NULL);
  g_autoptr(GRegex) sql_start = g_regex_new (
    "^\\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|PRAGMA|SET|BEGIN|REPLACE|"
    "VACUUM|ANALYZE)\\b", G_REGEX_CASELESS, 0, NULL);
  /* The statement argument of every call into the two backends' helpers. */
  g_autoptr(GRegex) calls = g_regex_new (
    "\\b(_confabd_sqlite_prepare|_confabd_sqlite_exec)\\s*\\(\\s*self\\s*,\\s*([^,]+),|"
    "\\b(_confabd_pg_exec|_confabd_pg_exec_row|_confabd_pg_exec_changed|_confabd_pg_exec_script)"
    "\\s*\\(\\s*self\\s*,\\s*pc\\s*,\\s*([^,]+),",
    0, 0, NULL);
  /* Statements that are parameters of the helpers themselves, or integers
   * printed into a statement (checked above). */
  const Allowed allowed[] = {
    { "confabd-pg-db.c", "sql" },
    { "confabd-pg-db.c", "settings" },     /* SET statement_timeout = %u */
    { "confabd-sqlite-db.c", "sql" },
    { "confabd-sqlite-db.c", "bump" },     /* PRAGMA user_version = %d */
  };
  const char *name;
  guint n_calls = 0;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *code = NULL;
      g_autoptr(GMatchInfo) match = NULL;
      g_autoptr(GError) error = NULL;

      if (!g_str_has_suffix (name, ".c"))
        continue;
      path = g_build_filename (dir, name, NULL);
      g_file_get_contents (path, &code, NULL, &error);
      g_assert_no_error (error);

      /* Raw execution only inside the helpers. */
      if (!g_str_equal (name, "confabd-sqlite-db.c"))
        {
          g_assert_null (strstr (code, "sqlite3_exec ("));
          g_assert_null (strstr (code, "sqlite3_prepare"));
        }
      if (!g_str_equal (name, "confabd-pg-db.c"))
        {
          g_assert_null (strstr (code, "PQexec"));
          g_assert_null (strstr (code, "PQsendQuery"));
          g_assert_null (strstr (code, "PQsendPrepare"));
        }

      g_regex_match (printf_sql, code, 0, &match);
      while (g_match_info_matches (match))
        {
          g_autofree char *function = g_match_info_fetch (match, 1);
          g_autofree char *format = g_match_info_fetch (match, 2);

          if (g_regex_match (sql_start, format + 1, 0, NULL))
            {
              g_test_message ("%s: %s (%s)", name, function, format);
              if (g_str_equal (function, "g_strconcat") || strstr (format, "%s") != NULL ||
                  strstr (format, "%q") != NULL || strstr (format, "%Q") != NULL)
                g_error ("%s builds SQL from a string with %s: %s", name, function, format);
            }
          g_match_info_next (match, NULL);
        }
      g_clear_pointer (&match, g_match_info_free);

      g_regex_match (calls, code, 0, &match);
      while (g_match_info_matches (match))
        {
          g_autofree char *sqlite_arg = g_match_info_fetch (match, 2);
          g_autofree char *pg_arg = g_match_info_fetch (match, 4);
          char *arg = sqlite_arg != NULL && *sqlite_arg != '\0' ? sqlite_arg : pg_arg;
          g_auto(GStrv) alternatives = NULL;

          n_calls++;
          if (g_str_has_prefix (g_strchug (arg), "\""))
            {
              g_match_info_next (match, NULL);   /* a literal */
              continue;
            }
          alternatives = g_regex_split_simple ("\\s*[?:]\\s*", arg, 0, 0);
          /* "cond ? a : b": each of a and b; the condition is skipped. */
          for (guint i = g_strv_length (alternatives) == 3 ? 1 : 0; alternatives[i] != NULL; i++)
            {
              g_autofree char *id = g_strstrip (g_strdup (alternatives[i]));
              g_autofree char *base = NULL;
              g_autofree char *declaration = NULL;
              char *bracket = strchr (id, '[');
              gboolean ok = FALSE;

              /* sql, or migrations[version]: a constant string, or an
               * array of them, declared in the file. */
              base = bracket != NULL ? g_strndup (id, bracket - id) : g_strdup (id);
              g_assert_true (g_regex_match_simple ("^[A-Za-z_]\\w*$", base, 0, 0));
              declaration = g_strdup_printf ("\\bstatic\\s+const\\s+char\\s*"
                                             "(\\*\\s*const\\s*)?%s\\s*\\[\\]\\s*=", base);
              ok = g_regex_match_simple (declaration, code, 0, 0);
              for (guint j = 0; !ok && j < G_N_ELEMENTS (allowed); j++)
                ok = g_str_equal (allowed[j].file, name) && g_str_equal (allowed[j].name, id);
              if (!ok)
                g_error ("%s: the statement “%s” is neither a literal nor a static constant",
                         name, id);
            }
          g_match_info_next (match, NULL);
        }
    }

  /* The calls were found (the patterns still match the code). */
  g_test_message ("%u statements checked", n_calls);
  g_assert_cmpuint (n_calls, >=, 60);
}

int
main (int   argc,
      char *argv[])
{
  confabd_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, confabd_test_fixture_setup, func, confabd_test_fixture_teardown)

  g_test_add_func ("/confabd/security/origin", test_origin);
  g_test_add_func ("/confabd/security/origin-config", test_origin_config);
  g_test_add_func ("/confabd/security/handshake-deadline", test_handshake_deadline);
  g_test_add_func ("/confabd/security/tls", test_tls);
  g_test_add_func ("/confabd/security/connections-per-address", test_connections_per_address);
  g_test_add_func ("/confabd/security/connections-per-peer", test_connections_per_peer);
  g_test_add_func ("/confabd/security/reset-before-request", test_reset_before_request);
  g_test_add_func ("/confabd/security/stored-hashed", test_stored_hashed);
  g_test_add_func ("/confabd/security/logs", test_logs);
  ADD ("/confabd/security/revocation", test_revocation);
  g_test_add_func ("/confabd/security/expiry-stops-events", test_expiry_stops_events);
  g_test_add_func ("/confabd/security/frame-coverage", test_frame_coverage);
  ADD ("/confabd/security/every-frame-refused", test_every_frame_refused);
  ADD ("/confabd/security/sql-text", test_sql_text);
  g_test_add_func ("/confabd/security/sql-prepared", test_sql_prepared);

#undef ADD

  return g_test_run ();
}
