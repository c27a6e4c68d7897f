/* test-confabd-config.c: confabd's listen address and config parsing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "confabd-address.h"
#include "confabd-config.h"

/* The limits per address count an IPv6 client by its /64. */
static void
test_limit_key (void)
{
  const struct {
    const char *address;
    const char *key;
  } cases[] = {
    { "192.0.2.1", "192.0.2.1" },
    { "::ffff:192.0.2.1", "192.0.2.1" },
    { "2001:db8::1", "2001:db8::/64" },
    { "2001:db8::ffff:ffff:ffff:ffff", "2001:db8::/64" },
    { "2001:db8:0:1::1", "2001:db8:0:1::/64" },
    { "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
    { "fe80::1", "fe80::/64" },
    { "::1", "::/64" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (cases[i].address);
      g_autofree char *key = confabd_address_limit_key (address);

      g_assert_cmpstr (key, ==, cases[i].key);
    }
}

static void
test_parse_listen (void)
{
  struct { const char *in; const char *host; guint16 port; } good[] = {
    { "127.0.0.1:8765", "127.0.0.1", 8765 },
    { "0.0.0.0:0", "0.0.0.0", 0 },
    { "localhost:65535", "127.0.0.1", 65535 },
    { "[::1]:80", "::1", 80 },
    { "[::]:1", "::", 1 },
  };
  const char *bad[] = {
    "", ":", "nope", "127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:65536", "127.0.0.1:+1",
    "127.0.0.1: 1", "1.2.3:80", "::1:80", "[::1]80", "[::1:80", "[]:80", "[1.2.3.4]:80",
    "example.org:80", "127.0.0.1:99999999999999999999999",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GInetSocketAddress) address = confabd_parse_listen (good[i].in, &error);
      g_autofree char *host = NULL;

      g_assert_no_error (error);
      host = g_inet_address_to_string (g_inet_socket_address_get_address (address));
      g_assert_cmpstr (host, ==, good[i].host);
      g_assert_cmpuint (g_inet_socket_address_get_port (address), ==, good[i].port);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GInetSocketAddress) address = confabd_parse_listen (bad[i], &error);

      g_test_message ("bad: “%s”", bad[i]);
      g_assert_null (address);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_defaults (void)
{
  g_autoptr(ConfabdConfig) config = confabd_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "confabd", NULL);
  g_autofree char *store = g_strconcat ("sqlite:", data_dir, "/confabd.sqlite", NULL);

  g_assert_true (confabd_config_finish (config, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config->listen, ==, "127.0.0.1:8765");
  g_assert_cmpstr (config->data_dir, ==, data_dir);
  g_assert_cmpstr (config->store, ==, store);
  g_assert_false (config->allow_register);
  g_assert_null (config->tls_cert);
  g_assert_null (config->redis);
}

static void
test_load_and_merge (void)
{
  g_autoptr(ConfabdConfig) config = confabd_config_new ();
  g_autoptr(ConfabdConfig) flags = confabd_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-confabd-config-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *expected_cert = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "confabd.conf", NULL);
  expected_cert = g_build_filename (dir, "cert.pem", NULL);
  g_file_set_contents (path,
                       "[confabd]\n"
                       "listen = 0.0.0.0:9000\n"
                       "data-dir=/srv/confabd\n"
                       "allow-register=true\n"
                       "tls-cert=cert.pem\n"
                       "tls-key=/etc/confabd/key.pem\n"
                       "store=sqlite:/srv/confabd/db.sqlite\n",
                       -1, &error);
  g_assert_no_error (error);

  g_assert_true (confabd_config_load_file (config, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config->listen, ==, "0.0.0.0:9000");
  g_assert_cmpstr (config->data_dir, ==, "/srv/confabd");
  g_assert_true (config->allow_register);
  g_assert_cmpstr (config->tls_cert, ==, expected_cert);
  g_assert_cmpstr (config->tls_key, ==, "/etc/confabd/key.pem");

  flags->listen = g_strdup ("127.0.0.1:0");
  confabd_config_merge (config, flags);
  g_assert_cmpstr (config->listen, ==, "127.0.0.1:0");
  g_assert_cmpstr (config->data_dir, ==, "/srv/confabd");
  g_assert_true (config->allow_register);

  g_assert_true (confabd_config_finish (config, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config->store, ==, "sqlite:/srv/confabd/db.sqlite");

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_finish_errors (void)
{
  struct { const char *store; const char *redis; const char *cert; const char *key; } cases[] = {
    { "sqlite:", NULL, NULL, NULL },
    { "mysql:x", NULL, NULL, NULL },
    /* Redis without a shared store, or not a Redis address */
    { NULL, "redis://localhost", NULL, NULL },
    { "postgres://db/confab", "http://localhost", NULL, NULL },
    { NULL, NULL, "cert.pem", NULL },
    { NULL, NULL, NULL, "key.pem" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ConfabdConfig) config = confabd_config_new ();
      g_autoptr(GError) error = NULL;

      config->store = g_strdup (cases[i].store);
      config->redis = g_strdup (cases[i].redis);
      config->tls_cert = g_strdup (cases[i].cert);
      config->tls_key = g_strdup (cases[i].key);
      g_assert_false (confabd_config_finish (config, &error));
      g_assert_nonnull (error);
    }
}

static void
test_trusted_proxy_and_redaction (void)
{
  g_autoptr(ConfabdConfig) config = confabd_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *plain = NULL;

  config->trusted_proxy = g_strdup ("proxy.example");
  g_assert_false (confabd_config_finish (config, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_free (config->trusted_proxy);
  config->trusted_proxy = g_strdup ("::1");
  g_assert_true (confabd_config_finish (config, &error));

  /* Logs never show a password given in a URI. */
  shown = confabd_redact_uri ("postgresql://confabd:s3cret@db:5432/confabd?sslmode=require");
  g_assert_null (strstr (shown, "s3cret"));
  g_assert_cmpstr (shown, ==, "postgresql://confabd:***@db:5432/confabd?sslmode=require");
  plain = confabd_redact_uri ("redis://127.0.0.1:6379");
  g_assert_cmpstr (plain, ==, "redis://127.0.0.1:6379");
}

static void
test_finish_scale_out (void)
{
  const char *stores[] = { "postgres://db/confab", "postgresql://u@db:5433/confab" };

  for (guint i = 0; i < G_N_ELEMENTS (stores); i++)
    {
      g_autoptr(ConfabdConfig) config = confabd_config_new ();
      g_autoptr(GError) error = NULL;

      config->store = g_strdup (stores[i]);
      config->redis = g_strdup ("redis://127.0.0.1:6380/2");
      g_assert_true (confabd_config_finish (config, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (config->store, ==, stores[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/confabd/config/parse-listen", test_parse_listen);
  g_test_add_func ("/confabd/config/limit-key", test_limit_key);
  g_test_add_func ("/confabd/config/defaults", test_defaults);
  g_test_add_func ("/confabd/config/load-and-merge", test_load_and_merge);
  g_test_add_func ("/confabd/config/finish-errors", test_finish_errors);
  g_test_add_func ("/confabd/config/finish-scale-out", test_finish_scale_out);
  g_test_add_func ("/confabd/config/trusted-proxy-and-redaction",
                   test_trusted_proxy_and_redaction);

  return g_test_run ();
}
