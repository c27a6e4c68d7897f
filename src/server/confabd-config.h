/* confabd-config.h: confabd settings from the command line and a key file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CONFABD_DEFAULT_LISTEN "127.0.0.1:8765"
#define CONFABD_CONFIG_GROUP   "confabd"
/* Open connections one client address may hold (loopback is exempt). */
#define CONFABD_DEFAULT_MAX_CONNECTIONS_PER_ADDRESS 64

/* Every field is NULL (or FALSE, or -1 for numbers) when not given, so a
 * later source (flags) can be merged over an earlier one (the key file).
 */
typedef struct
{
  char     *listen;
  char     *data_dir;
  char     *tls_cert;
  char     *tls_key;
  char     *store;
  char     *redis;
  char     *trusted_proxy;   /* an IP address whose X-Forwarded-For is believed */
  GStrv     allowed_origins; /* browser origins allowed besides the server's own */
  int       max_connections_per_address;  /* 0: no limit */
  gboolean  allow_register;
  gboolean  allow_register_set;
} ConfabdConfig;

ConfabdConfig       *confabd_config_new          (void);
void                 confabd_config_free         (ConfabdConfig       *config);
gboolean             confabd_config_load_file    (ConfabdConfig       *config,
                                                  const char          *path,
                                                  GError             **error);
void                 confabd_config_merge        (ConfabdConfig       *config,
                                                  const ConfabdConfig *over);
gboolean             confabd_config_finish       (ConfabdConfig       *config,
                                                  GError             **error);
/* A browser origin (scheme://host[:port]) in the form compared: lower
 * case, without the scheme's default port. NULL when @origin is not an
 * http or https origin. */
char                *confabd_normalize_origin    (const char          *origin);
/* @uri with its password, if any, replaced by "***": for logs. */
char                *confabd_redact_uri          (const char          *uri);
GInetSocketAddress  *confabd_parse_listen        (const char          *listen,
                                                  GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdConfig, confabd_config_free)

G_END_DECLS
