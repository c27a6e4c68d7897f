/* confabd-config.c: confabd settings from the command line and a key file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "confabd-config.h"

ConfabdConfig *
confabd_config_new (void)
{
  ConfabdConfig *config = g_new0 (ConfabdConfig, 1);

  config->max_connections_per_address = -1;
  return config;
}

void
confabd_config_free (ConfabdConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->listen);
  g_free (config->data_dir);
  g_free (config->tls_cert);
  g_free (config->tls_key);
  g_free (config->store);
  g_free (config->redis);
  g_free (config->trusted_proxy);
  g_strfreev (config->allowed_origins);
  g_free (config);
}

/* Paths in a config file are relative to the file, not to the working
 * directory of whoever started the server.
 */
static char *
resolve_path (const char *base_dir,
              const char *path)
{
  if (g_path_is_absolute (path))
    return g_strdup (path);
  return g_build_filename (base_dir, path, NULL);
}

static gboolean
read_string (GKeyFile    *key_file,
             const char  *key,
             const char  *base_dir,
             char       **out,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *value = NULL;

  value = g_key_file_get_string (key_file, CONFABD_CONFIG_GROUP, key, &local_error);
  if (value == NULL)
    {
      if (g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_strstrip (value);
  g_free (*out);
  *out = base_dir != NULL ? resolve_path (base_dir, value) : g_steal_pointer (&value);
  return TRUE;
}

gboolean
confabd_config_load_file (ConfabdConfig  *config,
                          const char     *path,
                          GError        **error)
{
  static const char * const known_keys[] = {
    "listen", "data-dir", "allow-register", "tls-cert", "tls-key", "store", "redis",
    "trusted-proxy", "allowed-origin", "max-connections-per-address", NULL
  };
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *base_dir = NULL;
  g_auto(GStrv) keys = NULL;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   "%s: %s", path, local_error->message);
      return FALSE;
    }

  if (!g_key_file_has_group (key_file, CONFABD_CONFIG_GROUP))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                   "%s: no [%s] group", path, CONFABD_CONFIG_GROUP);
      return FALSE;
    }

  /* A misspelt key silently ignored is a server running with the wrong settings. */
  keys = g_key_file_get_keys (key_file, CONFABD_CONFIG_GROUP, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      if (!g_strv_contains (known_keys, keys[i]))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                       "%s: unknown key “%s” in [%s]", path, keys[i], CONFABD_CONFIG_GROUP);
          return FALSE;
        }
    }

  {
    g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
    g_autoptr(GFile) parent = g_file_get_parent (file);

    base_dir = parent != NULL ? g_file_get_path (parent) : g_get_current_dir ();
  }

  if (!read_string (key_file, "listen", NULL, &config->listen, &local_error) ||
      !read_string (key_file, "data-dir", base_dir, &config->data_dir, &local_error) ||
      !read_string (key_file, "tls-cert", base_dir, &config->tls_cert, &local_error) ||
      !read_string (key_file, "tls-key", base_dir, &config->tls_key, &local_error) ||
      !read_string (key_file, "store", NULL, &config->store, &local_error) ||
      !read_string (key_file, "redis", NULL, &config->redis, &local_error) ||
      !read_string (key_file, "trusted-proxy", NULL, &config->trusted_proxy, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   "%s: %s", path, local_error->message);
      return FALSE;
    }

  if (g_key_file_has_key (key_file, CONFABD_CONFIG_GROUP, "allowed-origin", NULL))
    {
      g_auto(GStrv) origins = g_key_file_get_string_list (key_file, CONFABD_CONFIG_GROUP,
                                                          "allowed-origin", NULL, &local_error);
      if (origins == NULL)
        {
          g_set_error (error, local_error->domain, local_error->code,
                       "%s: allowed-origin: %s", path, local_error->message);
          return FALSE;
        }
      for (guint i = 0; origins[i] != NULL; i++)
        g_strstrip (origins[i]);
      g_strfreev (config->allowed_origins);
      config->allowed_origins = g_steal_pointer (&origins);
    }

  if (g_key_file_has_key (key_file, CONFABD_CONFIG_GROUP, "max-connections-per-address", NULL))
    {
      int value = g_key_file_get_integer (key_file, CONFABD_CONFIG_GROUP,
                                          "max-connections-per-address", &local_error);
      if (local_error != NULL || value < 0)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "%s: max-connections-per-address: %s", path,
                       local_error != NULL ? local_error->message : "must be 0 or more");
          return FALSE;
        }
      config->max_connections_per_address = value;
    }

  if (g_key_file_has_key (key_file, CONFABD_CONFIG_GROUP, "allow-register", NULL))
    {
      gboolean value = g_key_file_get_boolean (key_file, CONFABD_CONFIG_GROUP,
                                               "allow-register", &local_error);
      if (local_error != NULL)
        {
          g_set_error (error, local_error->domain, local_error->code,
                       "%s: allow-register: %s", path, local_error->message);
          return FALSE;
        }
      config->allow_register = value;
      config->allow_register_set = TRUE;
    }

  return TRUE;
}

static void
merge_string (char       **into,
              const char  *over)
{
  if (over != NULL)
    {
      g_free (*into);
      *into = g_strdup (over);
    }
}

/* Values set in @over (the command line) win over those in @config. */
void
confabd_config_merge (ConfabdConfig       *config,
                      const ConfabdConfig *over)
{
  g_return_if_fail (config != NULL);
  g_return_if_fail (over != NULL);

  merge_string (&config->listen, over->listen);
  merge_string (&config->data_dir, over->data_dir);
  merge_string (&config->tls_cert, over->tls_cert);
  merge_string (&config->tls_key, over->tls_key);
  merge_string (&config->store, over->store);
  merge_string (&config->redis, over->redis);
  merge_string (&config->trusted_proxy, over->trusted_proxy);

  if (over->allowed_origins != NULL)
    {
      g_strfreev (config->allowed_origins);
      config->allowed_origins = g_strdupv (over->allowed_origins);
    }
  if (over->max_connections_per_address >= 0)
    config->max_connections_per_address = over->max_connections_per_address;

  if (over->allow_register_set)
    {
      config->allow_register = over->allow_register;
      config->allow_register_set = TRUE;
    }
}

/* Fills in defaults and rejects what this version cannot do. */
gboolean
confabd_config_finish (ConfabdConfig  *config,
                       GError        **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  if (config->listen == NULL)
    config->listen = g_strdup (CONFABD_DEFAULT_LISTEN);

  if (config->data_dir == NULL)
    config->data_dir = g_build_filename (g_get_user_data_dir (), "confabd", NULL);

  if ((config->tls_cert == NULL) != (config->tls_key == NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "--tls-cert and --tls-key must be given together");
      return FALSE;
    }

  if (config->store == NULL)
    {
      config->store = g_strconcat ("sqlite:", config->data_dir, G_DIR_SEPARATOR_S,
                                   "confabd.sqlite", NULL);
    }
  else if (!(g_str_has_prefix (config->store, "sqlite:") && config->store[7] != '\0') &&
           !g_str_has_prefix (config->store, "postgres://") &&
           !g_str_has_prefix (config->store, "postgresql://"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "unsupported store “%s”: expected sqlite:PATH or postgres://…",
                   config->store);
      return FALSE;
    }

  if (config->trusted_proxy != NULL)
    {
      g_autoptr(GInetAddress) proxy = g_inet_address_new_from_string (config->trusted_proxy);

      if (proxy == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "--trusted-proxy “%s” is not an IP address", config->trusted_proxy);
          return FALSE;
        }
    }

  for (guint i = 0; config->allowed_origins != NULL && config->allowed_origins[i] != NULL; i++)
    {
      g_autofree char *origin = confabd_normalize_origin (config->allowed_origins[i]);

      if (origin == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "--allowed-origin “%s” is not an origin: expected "
                       "http://HOST[:PORT] or https://HOST[:PORT]", config->allowed_origins[i]);
          return FALSE;
        }
    }

  if (config->max_connections_per_address < 0)
    config->max_connections_per_address = CONFABD_DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;

  /* Instances share events through Redis only when they share a store. */
  if (config->redis != NULL && !g_str_has_prefix (config->redis, "redis://"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a Redis address: expected redis://HOST[:PORT][/DB]",
                   config->redis);
      return FALSE;
    }
  if (config->redis != NULL && g_str_has_prefix (config->store, "sqlite:"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "--redis links instances that share a PostgreSQL store: "
                           "use it with --store postgres://…");
      return FALSE;
    }

  return TRUE;
}

/* ADDR:PORT where ADDR is an IPv4 literal, a bracketed IPv6 literal
 * ([::1]:8765) or “localhost”; PORT 0 lets the kernel pick one.
 */
GInetSocketAddress *
confabd_parse_listen (const char  *listen,
                      GError     **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *colon;
  const char *port_str;
  char *end = NULL;
  guint64 port;

  g_return_val_if_fail (listen != NULL, NULL);

  colon = strrchr (listen, ':');
  if (colon == NULL || colon == listen)
    goto invalid;

  if (listen[0] == '[')
    {
      if (colon[-1] != ']' || colon - listen < 3)
        goto invalid;
      host = g_strndup (listen + 1, colon - listen - 2);
      if (strchr (host, ':') == NULL)
        goto invalid;
    }
  else
    {
      host = g_strndup (listen, colon - listen);
      if (strchr (host, ':') != NULL)
        goto invalid;
    }

  port_str = colon + 1;
  if (!g_ascii_isdigit (*port_str))
    goto invalid;
  errno = 0;
  port = g_ascii_strtoull (port_str, &end, 10);
  if (errno != 0 || *end != '\0' || port > G_MAXUINT16)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "invalid listen address “%s”: port must be between 0 and 65535", listen);
      return NULL;
    }

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    address = g_inet_address_new_from_string (host);

  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "invalid listen address “%s”: “%s” is not an IP address", listen, host);
      return NULL;
    }

  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (address, (guint16) port));

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "invalid listen address “%s”: expected ADDR:PORT, e.g. 127.0.0.1:8765 "
               "or [::1]:8765", listen);
  return NULL;
}

char *
confabd_normalize_origin (const char *origin)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  GString *normal;
  const char *path;
  int port;

  g_return_val_if_fail (origin != NULL, NULL);

  uri = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return NULL;

  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  path = g_uri_get_path (uri);
  if ((!g_str_equal (scheme, "http") && !g_str_equal (scheme, "https")) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL || (*path != '\0' && !g_str_equal (path, "/")))
    return NULL;

  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  port = g_uri_get_port (uri);
  if (port == (g_str_equal (scheme, "https") ? 443 : 80))
    port = -1;

  normal = g_string_new (scheme);
  g_string_append (normal, "://");
  /* GUri gives an IPv6 literal without its brackets. */
  if (strchr (host, ':') != NULL)
    g_string_append_printf (normal, "[%s]", host);
  else
    g_string_append (normal, host);
  if (port > 0)
    g_string_append_printf (normal, ":%d", port);
  return g_string_free (normal, FALSE);
}

char *
confabd_redact_uri (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GUri) redacted = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL || g_uri_get_password (parsed) == NULL)
    return g_strdup (uri);

  redacted = g_uri_build_with_user (g_uri_get_flags (parsed), g_uri_get_scheme (parsed),
                                    g_uri_get_user (parsed), "***",
                                    g_uri_get_auth_params (parsed), g_uri_get_host (parsed),
                                    g_uri_get_port (parsed), g_uri_get_path (parsed),
                                    g_uri_get_query (parsed), g_uri_get_fragment (parsed));
  return g_uri_to_string (redacted);
}
