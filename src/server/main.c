/* main.c: confabd, the Confab room server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <errno.h>
#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "confabd-config.h"
#include "confabd-server.h"

static const char description[] =
  "Without --listen the server listens on " CONFABD_DEFAULT_LISTEN "; port 0 picks a free\n"
  "port. When ready it prints one line, “confabd listening on http://ADDR:PORT”,\n"
  "on stdout. GET /health answers 200 “ok”. Clients speak the room protocol\n"
  "(docs/protocol.md) over the WebSocket at /ws.\n"
  "\n"
  "SIGTERM or SIGINT stops it: replies being relayed are stored as interrupted,\n"
  "every WebSocket is closed with code 1001, and it exits 0.\n"
  "\n"
  "The data directory defaults to $XDG_DATA_HOME/confabd and is created if needed.\n"
  "Accounts, rooms and their events are kept in DATA_DIR/confabd.sqlite unless\n"
  "--store sqlite:PATH names another file. Without --allow-register, accounts\n"
  "cannot be created over the network.\n"
  "\n"
  "--config FILE reads a key file; options given on the command line win:\n"
  "  [confabd]\n"
  "  listen=127.0.0.1:8765\n"
  "  data-dir=/var/lib/confabd      # relative paths are relative to FILE\n"
  "  allow-register=false\n"
  "  tls-cert=cert.pem\n"
  "  tls-key=key.pem\n"
  "  store=sqlite:/var/lib/confabd/confabd.sqlite\n"
  "  trusted-proxy=127.0.0.1\n"
  "  allowed-origin=https://chat.example.org;https://other.example.org\n"
  "  max-connections-per-address=64\n"
  "\n"
  "A WebSocket upgrade that carries an Origin header (a web page in a browser)\n"
  "is refused with 403 unless the origin is the server's own host or one given\n"
  "with --allowed-origin; the app and confab-cli send none. A client must send\n"
  "its request within 10 s of connecting. One address may hold at most\n"
  "--max-connections-per-address connections (0: no limit); loopback is not\n"
  "counted, and behind --trusted-proxy the proxy's clients are counted instead.\n"
  "See docs/security.md.\n"
  "\n"
  "Several instances can serve the same rooms: give each --store postgres://…\n"
  "(one PostgreSQL database) and --redis redis://HOST:PORT (events reach every\n"
  "instance's clients through Redis publish/subscribe). See docs/deploy.md.\n"
  "\n"
  "Logs go to stderr, or to the journal under systemd. G_MESSAGES_DEBUG=confabd\n"
  "shows each request and frame.";

#define CONFABD_TLS_PRIORITY "NORMAL:%COMPAT:-VERS-TLS1.0:-VERS-TLS1.1"

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_message ("Stopping on signal");
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

/* Every client is a socket: the usual soft limit of 1024 descriptors would
 * refuse connections long before the hard limit the system allows. */
static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        g_warning ("Cannot raise the file descriptor limit: %s", g_strerror (errno));
    }
}

static int
fail (const char *message)
{
  g_printerr ("confabd: error: %s\n", message);
  return EXIT_FAILURE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ConfabdConfig) config = confabd_config_new ();
  g_autoptr(ConfabdConfig) flags = confabd_config_new ();
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GInetSocketAddress) address = NULL;
  g_autoptr(ConfabdServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_file = NULL;
  g_autofree char *uri = NULL;
  gboolean version = FALSE;
  int max_per_address = G_MININT;
  guint sigterm_id, sigint_id;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &flags->listen,
      "Address to listen on (default " CONFABD_DEFAULT_LISTEN ")", "ADDR:PORT" },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &flags->data_dir,
      "Data directory (default $XDG_DATA_HOME/confabd)", "DIR" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_file,
      "Read settings from a key file ([confabd] group)", "FILE" },
    { "allow-register", 0, 0, G_OPTION_ARG_NONE, &flags->allow_register,
      "Let new users create accounts", NULL },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &flags->tls_cert,
      "Serve HTTPS with this PEM certificate (needs --tls-key)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &flags->tls_key,
      "PEM private key for --tls-cert", "FILE" },
    { "store", 0, 0, G_OPTION_ARG_STRING, &flags->store,
      "Storage backend (default sqlite:DATA_DIR/confabd.sqlite)",
      "sqlite:PATH|postgres://…" },
    { "redis", 0, 0, G_OPTION_ARG_STRING, &flags->redis,
      "Redis linking instances that share a PostgreSQL store", "redis://HOST[:PORT][/DB]" },
    { "trusted-proxy", 0, 0, G_OPTION_ARG_STRING, &flags->trusted_proxy,
      "Take the client's address from X-Forwarded-For when the peer is this proxy",
      "ADDR" },
    { "allowed-origin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &flags->allowed_origins,
      "Also accept WebSockets from web pages of this origin (repeatable)",
      "https://HOST[:PORT]" },
    { "max-connections-per-address", 0, 0, G_OPTION_ARG_INT, &max_per_address,
      "Open connections allowed per client address (default 64, 0: no limit)", "N" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* GnuTLS's default priorities still accept TLS 1.0 and 1.1, which no
   * client of confabd needs. glib-networking reads this once, at the first
   * TLS connection; an administrator's own setting wins. */
  g_setenv ("G_TLS_GNUTLS_PRIORITY", CONFABD_TLS_PRIORITY, FALSE);
  /* stdout carries the listening line only, even with G_MESSAGES_DEBUG
   * (GLib writes debug messages to stdout otherwise). */
  g_log_writer_default_set_use_stderr (TRUE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, "The Confab room server.");
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail (error->message);

  if (argc > 1)
    {
      g_autofree char *message = g_strdup_printf ("unexpected argument “%s” (see --help)",
                                                  argv[1]);
      return fail (message);
    }

  if (version)
    {
      g_print ("confabd %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  flags->allow_register_set = flags->allow_register;
  if (max_per_address != G_MININT)
    {
      if (max_per_address < 0)
        return fail ("--max-connections-per-address must be 0 or more");
      flags->max_connections_per_address = max_per_address;
    }

  if (config_file != NULL && !confabd_config_load_file (config, config_file, &error))
    return fail (error->message);

  confabd_config_merge (config, flags);

  if (!confabd_config_finish (config, &error))
    return fail (error->message);

  address = confabd_parse_listen (config->listen, &error);
  if (address == NULL)
    return fail (error->message);

  if (g_mkdir_with_parents (config->data_dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_autofree char *message = g_strdup_printf ("cannot create data directory %s: %s",
                                                  config->data_dir,
                                                  g_strerror (saved_errno));
      return fail (message);
    }

  raise_fd_limit ();
#ifdef __GLIBC__
  /* argon2id takes 19 MiB per hash. glibc raises its mmap threshold after
   * freeing such a block, and later ones stay in the worker threads' arenas:
   * a wave of logins would keep 100+ MiB. A fixed threshold returns each. */
  mallopt (M_MMAP_THRESHOLD, 128 * 1024);
#endif
  server = confabd_server_new (config->data_dir, config->allow_register);
  if (config->trusted_proxy != NULL)
    confabd_server_set_trusted_proxy (server, config->trusted_proxy);
  confabd_server_set_allowed_origins (server, (const char * const *) config->allowed_origins);
  confabd_server_set_max_connections_per_address (server,
                                                  config->max_connections_per_address);

  if (config->tls_cert != NULL &&
      !confabd_server_set_tls_files (server, config->tls_cert, config->tls_key, &error))
    {
      g_autofree char *message = g_strdup_printf ("cannot load TLS certificate: %s",
                                                  error->message);
      return fail (message);
    }

  if (!confabd_server_listen (server, address, &error))
    {
      g_autofree char *message = g_strdup_printf ("cannot listen on %s: %s",
                                                  config->listen, error->message);
      return fail (message);
    }

  /* After listening: a second server started on the same data by mistake
   * fails there, before it touches the store (and marks the first one's
   * replies interrupted). No connection is accepted before the loop runs. */
  if (config->redis != NULL && !confabd_server_set_redis (server, config->redis, &error))
    {
      g_autofree char *shown = confabd_redact_uri (config->redis);
      g_autofree char *message = g_strdup_printf ("cannot use Redis %s: %s", shown,
                                                  error->message);
      return fail (message);
    }
  if (!confabd_server_open_store (server, config->store, &error))
    {
      g_autofree char *shown = confabd_redact_uri (config->store);
      g_autofree char *message = g_strdup_printf ("cannot open store %s: %s",
                                                  shown, error->message);
      return fail (message);
    }

  loop = g_main_loop_new (NULL, FALSE);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);
  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);

  uri = confabd_server_dup_uri (server);
  {
    /* A password in the URI stays out of the journal. */
    g_autofree char *store = confabd_redact_uri (config->store);

    g_message ("Data directory %s, store %s, registration %s",
               config->data_dir, store, config->allow_register ? "open" : "closed");
  }
  g_message ("Listening on %s", uri);

  /* The one line scripts wait for; stdout is often a pipe, so flush it. */
  g_print ("confabd listening on %s\n", uri);
  fflush (stdout);

  g_main_loop_run (loop);

  /* The signal handlers stay until the end: a second SIGTERM during the
   * shutdown must not kill the server half way. */
  confabd_server_shutdown (server);
  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  g_message ("Stopped");

  return EXIT_SUCCESS;
}
