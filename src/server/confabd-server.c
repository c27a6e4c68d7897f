/* confabd-server.c: the confabd HTTP server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <string.h>

#include "confabd-address.h"
#include "confabd-config.h"
#include "confabd-connection.h"
#include "confabd-hub.h"
#include "confabd-server.h"

/* How long SIGTERM waits for clients to answer the close frames. */
#define SHUTDOWN_TIMEOUT_MS 3000
/* Work waiting for the store when the server stops (a reply being stored
 * as interrupted): past the store's own deadline (5 s). */
#define SHUTDOWN_WORK_TIMEOUT_MS 8000
/* From the connection to the end of the request (for /ws, the upgrade):
 * a client that sends nothing, or a byte now and then, holds a socket
 * no longer than this. */
#define HANDSHAKE_TIMEOUT_S 10

struct _ConfabdServer
{
  GObject     parent_instance;

  SoupServer *soup_server;
  ConfabdHub *hub;
  ConfabdBus *bus;
  GInetAddress *trusted_proxy;
  char       *data_dir;
  gboolean    allow_register;
  gboolean    tls;

  GStrv       allowed_origins;   /* normalized (confabd_normalize_origin) */
  guint       handshake_timeout; /* seconds */
  guint       max_per_address;   /* 0: no limit */
  GHashTable *counted;           /* a request or a WebSocket (weak) → its client's address */
  GHashTable *per_address;       /* address → how many it has */
};

G_DEFINE_FINAL_TYPE (ConfabdServer, confabd_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_ALLOW_REGISTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
health_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  const char *method = soup_server_message_get_method (msg);

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD");
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
}

/* libsoup before 3.4 never notices when a client closes an idle keep-alive
 * connection: the socket stays in CLOSE_WAIT and leaks (libsoup commit
 * d20c6601, "Don't leak idle connections closed by the client"). Closing plain
 * HTTP connections after each response avoids the idle state altogether;
 * WebSocket upgrades are left alone.
 */
static void
request_read_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);

  if (soup_message_headers_get_one (request_headers, "Upgrade") != NULL)
    return;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  g_autofree char *uri = g_uri_to_string (soup_server_message_get_uri (msg));

  g_debug ("%s %s %u", soup_server_message_get_method (msg), uri,
           soup_server_message_get_status (msg));
}

/* The peer, or behind the trusted proxy the address it appended last to
 * X-Forwarded-For (earlier entries came from the client: anyone can write
 * them). Owned by @msg or by the server message's data. */
static GSocketAddress *
client_address (ConfabdServer     *self,
                SoupServerMessage *msg)
{
  GSocketAddress *peer = soup_server_message_get_remote_address (msg);
  const char *forwarded;
  const char *last;
  g_autofree char *text = NULL;
  g_autoptr(GInetAddress) client = NULL;
  GSocketAddress *address;

  if (self->trusted_proxy == NULL || !G_IS_INET_SOCKET_ADDRESS (peer) ||
      !g_inet_address_equal (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer)),
                             self->trusted_proxy))
    return peer;

  forwarded = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                             "X-Forwarded-For");
  if (forwarded == NULL)
    return peer;
  last = strrchr (forwarded, ',');
  text = g_strstrip (g_strdup (last != NULL ? last + 1 : forwarded));
  client = g_inet_address_new_from_string (text);
  if (client == NULL)
    {
      g_debug ("Ignoring X-Forwarded-For “%s” from the proxy", forwarded);
      return peer;
    }

  address = g_inet_socket_address_new (client, 0);
  g_object_set_data_full (G_OBJECT (msg), "confabd-client-address", address, g_object_unref);
  return address;
}

/* ---- Connections per address */

/* A connection is counted while a request is being read on it (the
 * message) and then while it is a WebSocket: libsoup 3.2 never frees the
 * GSocket of a connection (tests/lsan.supp), so the socket cannot tell. */
static void
counted_gone_cb (gpointer  user_data,
                 GObject  *where_it_was)
{
  ConfabdServer *self = user_data;
  const char *address = g_hash_table_lookup (self->counted, where_it_was);
  guint count;

  if (address == NULL)
    return;
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));
  if (count <= 1)
    g_hash_table_remove (self->per_address, address);
  else
    g_hash_table_insert (self->per_address, g_strdup (address), GUINT_TO_POINTER (count - 1));
  g_hash_table_remove (self->counted, where_it_was);
}

/* Counts @object against @address for as long as it lives. FALSE when
 * @address is over the limit (and @check): it is counted all the same,
 * the caller refuses it. */
static gboolean
count_connection (ConfabdServer *self,
                  GObject       *object,
                  GInetAddress  *address,
                  gboolean       check)
{
  g_autofree char *key = NULL;
  guint count;

  /* Local clients (a proxy without --trusted-proxy, tools) are not counted. */
  if (self->max_per_address == 0 || g_inet_address_get_is_loopback (address) ||
      g_hash_table_contains (self->counted, object))
    return TRUE;

  key = confabd_address_limit_key (address);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, key)) + 1;
  g_hash_table_insert (self->per_address, g_strdup (key), GUINT_TO_POINTER (count));
  g_hash_table_insert (self->counted, object, g_strdup (key));
  g_object_weak_ref (object, counted_gone_cb, self);

  if (check && count > self->max_per_address)
    {
      /* Once per wave, not once per connection refused. */
      if (count == self->max_per_address + 1)
        g_message ("%s has %u connections open: refusing more", key, self->max_per_address);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_trusted_proxy (ConfabdServer  *self,
                  GSocketAddress *peer)
{
  return self->trusted_proxy != NULL && G_IS_INET_SOCKET_ADDRESS (peer) &&
         g_inet_address_equal (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer)),
                               self->trusted_proxy);
}

/* ---- The handshake deadline */

static void
deadline_free (gpointer data)
{
  GSource *source = data;

  g_source_destroy (source);
  g_source_unref (source);
}

static gboolean
handshake_timeout_cb (gpointer user_data)
{
  SoupServerMessage *msg = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);

  g_debug ("%s: no request in time, closing",
           soup_server_message_get_remote_host (msg) != NULL ?
           soup_server_message_get_remote_host (msg) : "unknown");
  /* Not a close: libsoup still polls the descriptor. Shut down, the next
   * read ends the connection (or its TLS handshake) the usual way. */
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

/* The peer's address, or NULL when the peer is gone already: a connection
 * reset before its first byte was read, like a load balancer's health
 * check that gave up on a busy instance. libsoup would warn then, which is
 * fatal under G_DEBUG=fatal-warnings (HAProxy's checks brought confabd
 * down that way in the ASan tests), so the socket is asked first. libsoup
 * keeps the address once it has it: later calls do not ask again. */
static GSocketAddress *
peer_address (SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL)
    {
      g_autoptr(GSocketAddress) probe = g_socket_get_remote_address (socket, NULL);

      if (probe == NULL)
        return NULL;
    }
  return soup_server_message_get_remote_address (msg);
}

/* A request begins: on a new connection, before a byte or the TLS
 * handshake was read. */
static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  ConfabdServer *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);
  GSocketAddress *peer = peer_address (msg);
  GSource *deadline;

  if (peer == NULL)
    {
      g_debug ("a connection closed before its request, dropped");
      if (socket != NULL)
        g_socket_shutdown (socket, TRUE, TRUE, NULL);
      return;
    }

  /* The trusted proxy's connections are counted by client once the
   * headers say who that is (websocket_early_cb). */
  if (G_IS_INET_SOCKET_ADDRESS (peer) && !is_trusted_proxy (self, peer) &&
      !count_connection (self, G_OBJECT (msg),
                         g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer)), TRUE))
    {
      if (socket != NULL)
        g_socket_shutdown (socket, TRUE, TRUE, NULL);
      return;
    }

  deadline = g_timeout_source_new_seconds (self->handshake_timeout);
  g_source_set_callback (deadline, handshake_timeout_cb, msg, NULL);
  g_source_set_static_name (deadline, "[confabd] handshake deadline");
  g_source_attach (deadline, NULL);
  /* Destroyed with the message at the latest. */
  g_object_set_data_full (G_OBJECT (msg), "confabd-deadline", deadline, deadline_free);
}

/* The request is in: what the server does next (an answer, the upgrade)
 * does not wait for the client. */
static void
request_read_deadline_cb (SoupServer        *server,
                          SoupServerMessage *msg,
                          gpointer           user_data)
{
  g_object_set_data (G_OBJECT (msg), "confabd-deadline", NULL);
}

/* ---- Origins */

/* Whether @origin (normalized) names the host the client asked for (the
 * Host header; a Host without a port matches any port of that name). */
static gboolean
origin_is_own_host (const char *origin,
                    const char *host_header)
{
  g_autofree char *host_uri = NULL;
  g_autoptr(GUri) own = NULL;
  g_autoptr(GUri) asked = NULL;
  int origin_port;

  if (host_header == NULL || *host_header == '\0')
    return FALSE;

  own = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  host_uri = g_strconcat ("http://", host_header, NULL);
  asked = g_uri_parse (host_uri, G_URI_FLAGS_NONE, NULL);
  if (own == NULL || asked == NULL || g_uri_get_host (asked) == NULL ||
      g_ascii_strcasecmp (g_uri_get_host (own), g_uri_get_host (asked)) != 0)
    return FALSE;

  if (g_uri_get_port (asked) == -1)
    return TRUE;
  origin_port = g_uri_get_port (own);
  if (origin_port == -1)
    origin_port = g_str_has_prefix (origin, "https:") ? 443 : 80;
  return origin_port == g_uri_get_port (asked);
}

/* Browsers send the page's Origin with every WebSocket, and let any page
 * open one to any server: without this check a page on any site could
 * reach a confabd that only its visitor's machine can see. Clients that
 * are not browsers (the app, confab-cli) send no Origin. */
static gboolean
origin_allowed (ConfabdServer     *self,
                SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *origin = soup_message_headers_get_one (headers, "Origin");
  g_autofree char *normal = NULL;

  if (origin == NULL)
    return TRUE;

  normal = confabd_normalize_origin (origin);
  if (normal == NULL)
    return FALSE;
  if (self->allowed_origins != NULL &&
      g_strv_contains ((const char * const *) self->allowed_origins, normal))
    return TRUE;
  return origin_is_own_host (normal, soup_message_headers_get_one (headers, "Host"));
}

static void
refuse_upgrade (SoupServerMessage *msg,
                guint              status,
                const char        *reason,
                const char        *text)
{
  soup_server_message_set_status (msg, status, reason);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, text, strlen (text));
}

/* Before the upgrade, once the headers are in. */
static void
websocket_early_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  ConfabdServer *self = user_data;
  GSocketAddress *peer = soup_server_message_get_remote_address (msg);
  GSocketAddress *client;

  if (!origin_allowed (self, msg))
    {
      g_message ("%s: WebSocket from origin “%s” refused",
                 soup_server_message_get_remote_host (msg),
                 soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                               "Origin"));
      refuse_upgrade (msg, SOUP_STATUS_FORBIDDEN, NULL, "This origin may not use this server.\n");
      return;
    }

  client = client_address (self, msg);
  if (is_trusted_proxy (self, peer) && client != peer && G_IS_INET_SOCKET_ADDRESS (client) &&
      !count_connection (self, G_OBJECT (msg),
                         g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (client)), TRUE))
    refuse_upgrade (msg, 429, "Too Many Requests", "Too many connections from this address.\n");
}

void
confabd_server_set_allowed_origins (ConfabdServer      *self,
                                    const char * const *origins)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_if_fail (CONFABD_IS_SERVER (self));

  for (guint i = 0; origins != NULL && origins[i] != NULL; i++)
    {
      g_autofree char *normal = confabd_normalize_origin (origins[i]);

      g_return_if_fail (normal != NULL);
      g_strv_builder_add (builder, normal);
    }
  g_strfreev (self->allowed_origins);
  self->allowed_origins = g_strv_builder_end (builder);
}

void
confabd_server_set_max_connections_per_address (ConfabdServer *self,
                                                guint          max)
{
  g_return_if_fail (CONFABD_IS_SERVER (self));

  self->max_per_address = max;
}

static void
websocket_cb (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *websocket,
              gpointer                 user_data)
{
  ConfabdServer *self = user_data;
  g_autoptr(ConfabdConnection) connection = NULL;
  GSocketAddress *client;

  if (self->hub == NULL || confabd_hub_is_shutting_down (self->hub))
    {
      soup_websocket_connection_close (websocket, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                       "server shutting down");
      return;
    }

  client = client_address (self, msg);
  /* From the request, which goes now, to the WebSocket (admitted already). */
  if (G_IS_INET_SOCKET_ADDRESS (client))
    count_connection (self, G_OBJECT (websocket),
                      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (client)), FALSE);
  connection = confabd_connection_new (self->hub, websocket, client);
  confabd_hub_add_connection (self->hub, connection);
}

void
confabd_server_set_trusted_proxy (ConfabdServer *self,
                                  const char    *address)
{
  g_return_if_fail (CONFABD_IS_SERVER (self));

  g_clear_object (&self->trusted_proxy);
  self->trusted_proxy = g_inet_address_new_from_string (address);
  g_return_if_fail (self->trusted_proxy != NULL);
}

static void
confabd_server_constructed (GObject *object)
{
  ConfabdServer *self = CONFABD_SERVER (object);
  g_autofree char *server_header = g_strdup_printf ("confabd/%s ", PACKAGE_VERSION);

  G_OBJECT_CLASS (confabd_server_parent_class)->constructed (object);

  self->soup_server = soup_server_new ("server-header", server_header, NULL);
  soup_server_add_handler (self->soup_server, "/health", health_cb, self, NULL);
  if (soup_get_major_version () == 3 && soup_get_minor_version () < 4)
    g_signal_connect (self->soup_server, "request-read", G_CALLBACK (request_read_cb), self);
  g_signal_connect (self->soup_server, "request-finished",
                    G_CALLBACK (request_finished_cb), self);
  g_signal_connect (self->soup_server, "request-started",
                    G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->soup_server, "request-read",
                    G_CALLBACK (request_read_deadline_cb), self);
}

static void
confabd_server_dispose (GObject *object)
{
  ConfabdServer *self = CONFABD_SERVER (object);

  if (self->soup_server != NULL)
    {
      soup_server_disconnect (self->soup_server);
      g_clear_object (&self->soup_server);
    }
  g_clear_object (&self->hub);
  g_clear_object (&self->bus);
  g_clear_object (&self->trusted_proxy);

  if (self->counted != NULL)
    {
      GHashTableIter iter;
      gpointer counted;

      g_hash_table_iter_init (&iter, self->counted);
      while (g_hash_table_iter_next (&iter, &counted, NULL))
        g_object_weak_unref (counted, counted_gone_cb, self);
      g_hash_table_remove_all (self->counted);
      g_hash_table_remove_all (self->per_address);
    }

  G_OBJECT_CLASS (confabd_server_parent_class)->dispose (object);
}

static void
confabd_server_finalize (GObject *object)
{
  ConfabdServer *self = CONFABD_SERVER (object);

  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->allowed_origins, g_strfreev);
  g_clear_pointer (&self->counted, g_hash_table_unref);
  g_clear_pointer (&self->per_address, g_hash_table_unref);

  G_OBJECT_CLASS (confabd_server_parent_class)->finalize (object);
}

static void
confabd_server_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ConfabdServer *self = CONFABD_SERVER (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;

    case PROP_ALLOW_REGISTER:
      g_value_set_boolean (value, self->allow_register);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confabd_server_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ConfabdServer *self = CONFABD_SERVER (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      break;

    case PROP_ALLOW_REGISTER:
      self->allow_register = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confabd_server_class_init (ConfabdServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = confabd_server_constructed;
  object_class->dispose = confabd_server_dispose;
  object_class->finalize = confabd_server_finalize;
  object_class->get_property = confabd_server_get_property;
  object_class->set_property = confabd_server_set_property;

  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_ALLOW_REGISTER] =
    g_param_spec_boolean ("allow-register", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confabd_server_init (ConfabdServer *self)
{
  const char *timeout = g_getenv ("CONFABD_HANDSHAKE_TIMEOUT");

  self->counted = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->max_per_address = CONFABD_DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;

  /* Tests shorten the deadline to see it (seconds). */
  self->handshake_timeout = HANDSHAKE_TIMEOUT_S;
  if (timeout != NULL && g_ascii_strtoull (timeout, NULL, 10) > 0)
    self->handshake_timeout = MIN (g_ascii_strtoull (timeout, NULL, 10), 3600);
}

ConfabdServer *
confabd_server_new (const char *data_dir,
                    gboolean    allow_register)
{
  g_return_val_if_fail (data_dir != NULL, NULL);

  return g_object_new (CONFABD_TYPE_SERVER,
                       "data-dir", data_dir,
                       "allow-register", allow_register,
                       NULL);
}

const char *
confabd_server_get_data_dir (ConfabdServer *self)
{
  g_return_val_if_fail (CONFABD_IS_SERVER (self), NULL);

  return self->data_dir;
}

gboolean
confabd_server_get_allow_register (ConfabdServer *self)
{
  g_return_val_if_fail (CONFABD_IS_SERVER (self), FALSE);

  return self->allow_register;
}

gboolean
confabd_server_set_tls_files (ConfabdServer  *self,
                              const char     *cert_file,
                              const char     *key_file,
                              GError        **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;

  g_return_val_if_fail (CONFABD_IS_SERVER (self), FALSE);
  g_return_val_if_fail (cert_file != NULL, FALSE);
  g_return_val_if_fail (key_file != NULL, FALSE);

  certificate = g_tls_certificate_new_from_files (cert_file, key_file, error);
  if (certificate == NULL)
    return FALSE;

  soup_server_set_tls_certificate (self->soup_server, certificate);
  self->tls = TRUE;
  return TRUE;
}

gboolean
confabd_server_set_redis (ConfabdServer  *self,
                          const char     *redis_uri,
                          GError        **error)
{
  g_return_val_if_fail (CONFABD_IS_SERVER (self), FALSE);
  g_return_val_if_fail (self->hub == NULL && self->bus == NULL, FALSE);

  self->bus = confabd_bus_new (redis_uri, error);
  return self->bus != NULL;
}

gboolean
confabd_server_open_store (ConfabdServer  *self,
                           const char     *store_uri,
                           GError        **error)
{
  g_autoptr(ConfabdStorage) storage = NULL;

  g_return_val_if_fail (CONFABD_IS_SERVER (self), FALSE);
  g_return_val_if_fail (self->hub == NULL, FALSE);

  storage = confabd_storage_open (store_uri, self->data_dir, error);
  if (storage == NULL)
    return FALSE;

  self->hub = confabd_hub_new (storage, self->allow_register);
  if (self->bus != NULL)
    {
      confabd_hub_set_bus (self->hub, self->bus);
      confabd_bus_start (self->bus);
    }
  else if (!confabd_hub_recover (self->hub, error))
    {
      g_clear_object (&self->hub);
      return FALSE;
    }

  /* No permessage-deflate: frames are small, and libsoup 3.2 inflates
   * without a size limit. */
  soup_server_remove_websocket_extension (self->soup_server,
                                          SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_early_handler (self->soup_server, "/ws", websocket_early_cb, self, NULL);
  soup_server_add_websocket_handler (self->soup_server, "/ws", NULL, NULL,
                                     websocket_cb, self, NULL);
  return TRUE;
}

gboolean
confabd_server_listen (ConfabdServer       *self,
                       GInetSocketAddress  *address,
                       GError             **error)
{
  g_return_val_if_fail (CONFABD_IS_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), FALSE);

  return soup_server_listen (self->soup_server, G_SOCKET_ADDRESS (address),
                             self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error);
}

/* The address really bound, so port 0 reports the port the kernel chose.
 * (soup_server_get_uris() would do, but leaks in libsoup 3.2.)
 */
char *
confabd_server_dup_uri (ConfabdServer *self)
{
  GSList *listeners;
  GSocket *socket;
  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *host = NULL;
  GInetAddress *inet;
  guint16 port;

  g_return_val_if_fail (CONFABD_IS_SERVER (self), NULL);

  listeners = soup_server_get_listeners (self->soup_server);
  if (listeners == NULL)
    return NULL;

  socket = listeners->data;
  g_slist_free (listeners);

  local = g_socket_get_local_address (socket, NULL);
  if (!G_IS_INET_SOCKET_ADDRESS (local))
    return NULL;

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  host = g_inet_address_to_string (inet);

  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("%s://[%s]:%u", self->tls ? "https" : "http", host, port);
  return g_strdup_printf ("%s://%s:%u", self->tls ? "https" : "http", host, port);
}

static gboolean
shutdown_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Stores the replies being relayed as interrupted, closes every WebSocket
 * with 1001 and waits (a little) for the clients to answer, then stops
 * accepting and closes every connection. Runs the default main context;
 * safe to call twice. */
void
confabd_server_shutdown (ConfabdServer *self)
{
  g_return_if_fail (CONFABD_IS_SERVER (self));

  if (self->hub != NULL && !confabd_hub_is_shutting_down (self->hub))
    {
      gboolean timed_out = FALSE;
      gboolean work_timed_out = FALSE;
      guint timeout_id, work_timeout_id;

      confabd_hub_shutdown (self->hub);
      timeout_id = g_timeout_add (SHUTDOWN_TIMEOUT_MS, shutdown_timeout_cb, &timed_out);
      work_timeout_id = g_timeout_add (SHUTDOWN_WORK_TIMEOUT_MS, shutdown_timeout_cb,
                                       &work_timed_out);
      while ((confabd_hub_get_n_connections (self->hub) > 0 && !timed_out) ||
             (confabd_hub_has_pending_work (self->hub) && !work_timed_out))
        g_main_context_iteration (NULL, TRUE);
      if (confabd_hub_get_n_connections (self->hub) > 0)
        g_message ("%u clients did not answer the close frame",
                   confabd_hub_get_n_connections (self->hub));
      if (confabd_hub_has_pending_work (self->hub))
        g_message ("Stopping with work unfinished: the store did not answer in time");
      if (!timed_out)
        g_source_remove (timeout_id);
      if (!work_timed_out)
        g_source_remove (work_timeout_id);
    }

  if (self->soup_server != NULL)
    soup_server_disconnect (self->soup_server);
}
