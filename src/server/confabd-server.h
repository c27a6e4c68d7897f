/* confabd-server.h: the confabd HTTP server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define CONFABD_TYPE_SERVER (confabd_server_get_type ())

G_DECLARE_FINAL_TYPE (ConfabdServer, confabd_server, CONFABD, SERVER, GObject)

ConfabdServer *confabd_server_new                (const char          *data_dir,
                                                  gboolean             allow_register);
const char    *confabd_server_get_data_dir       (ConfabdServer       *self);
gboolean       confabd_server_get_allow_register (ConfabdServer       *self);
gboolean       confabd_server_set_tls_files      (ConfabdServer       *self,
                                                  const char          *cert_file,
                                                  const char          *key_file,
                                                  GError             **error);
/* Behind a proxy at @address (an IP literal): its X-Forwarded-For names
 * the client, so limits per address see clients rather than the proxy. */
void           confabd_server_set_trusted_proxy  (ConfabdServer       *self,
                                                  const char          *address);
/* Web pages of these origins (scheme://host[:port]) may open WebSockets,
 * besides those of the server's own host; clients without an Origin
 * header always may. */
void           confabd_server_set_allowed_origins (ConfabdServer     *self,
                                                   const char * const *origins);
/* Open connections per client address (0: no limit; loopback never counts). */
void           confabd_server_set_max_connections_per_address (ConfabdServer *self,
                                                               guint          max);
/* Before open_store: several instances on one PostgreSQL store share
 * events through the Redis at @redis_uri (redis://HOST[:PORT][/DB]). */
gboolean       confabd_server_set_redis          (ConfabdServer       *self,
                                                  const char          *redis_uri,
                                                  GError             **error);
/* Opens the storage a --store value names (NULL: SQLite in the data
 * directory), recovers from a crash (alone: with Redis, other instances
 * may be relaying the replies still open) and serves the rooms on /ws. */
gboolean       confabd_server_open_store         (ConfabdServer       *self,
                                                  const char          *store_uri,
                                                  GError             **error);
gboolean       confabd_server_listen             (ConfabdServer       *self,
                                                  GInetSocketAddress  *address,
                                                  GError             **error);
char          *confabd_server_dup_uri            (ConfabdServer       *self);
void           confabd_server_shutdown           (ConfabdServer       *self);

G_END_DECLS
