/* confabd-connection.c: one WebSocket client of confabd
 *
 * Checks every incoming message before it reaches the rooms: the rate
 * limit (a token bucket), the frame size, text versus binary, the JSON,
 * and sign-in. What it refuses is answered with an "error" frame and the
 * connection stays usable, except for a binary message or a flood.
 * A connection's frames are handled one at a time, in the order they
 * came, on a coroutine (confabd-coroutine.c): a frame waiting for the
 * store or for a password hash holds the next ones back, never the
 * other connections. Its end ("closed") comes after its last frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-protocol.h"
#include "confabd-address.h"
#include "confabd-connection.h"
#include "confabd-coroutine.h"
#include "confabd-hub.h"

/* libsoup closes the connection (1009) above this; between it and
 * CONFAB_PROTOCOL_MAX_FRAME a frame gets a too_large error instead. */
#define MAX_INCOMING_PAYLOAD   (4 * 1024 * 1024)
#define RATE_PER_SECOND        40.0
#define RATE_BURST             200.0
#define MAX_REFUSED_IN_A_ROW   1000
#define MAX_PENDING            256
#define KEEPALIVE_SECONDS      30

struct _ConfabdConnection
{
  GObject                  parent_instance;

  ConfabdHub              *hub;          /* unowned: it outlives us */
  SoupWebsocketConnection *websocket;
  char                    *peer;         /* ADDR:PORT */
  char                    *address;      /* ADDR */
  char                    *limit_key;    /* ADDR, or its /64: confabd_address_limit_key */
  GCancellable            *cancellable;

  /* The session, once signed in */
  char                    *user;
  char                    *token_hash;
  gint64                   expires;

  /* Token bucket */
  double                   tokens;
  gint64                   refilled;     /* monotonic µs */
  /* Refused frames with less than a second between them: a client that
   * keeps flooding, though a frame now and then gets through. */
  guint                    refused_in_a_row;
  gint64                   last_refused; /* monotonic µs */

  /* The frames waiting for their turn */
  GQueue                   pending;      /* JsonNode */
  gboolean                 running;      /* a coroutine handles them */
  gboolean                 busy;         /* a register/login is being checked */

  gboolean                 closed;
  gboolean                 closed_emitted;
};

G_DEFINE_FINAL_TYPE (ConfabdConnection, confabd_connection, G_TYPE_OBJECT)

enum {
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void handle_frame (ConfabdConnection *self,
                          JsonNode          *node);

/* A node holding @object, taking the caller's reference. */
static JsonNode *
node_take_object (JsonObject *object)
{
  JsonNode *node = json_node_init_object (json_node_alloc (), object);

  json_object_unref (object);
  return node;
}

/* ---- Sending */

gboolean
confabd_connection_is_open (ConfabdConnection *self)
{
  g_return_val_if_fail (CONFABD_IS_CONNECTION (self), FALSE);

  return !self->closed &&
         soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN;
}

void
confabd_connection_send_text (ConfabdConnection *self,
                              const char        *text)
{
  g_return_if_fail (CONFABD_IS_CONNECTION (self));

  if (confabd_connection_is_open (self))
    soup_websocket_connection_send_text (self->websocket, text);
}

void
confabd_connection_send (ConfabdConnection *self,
                         JsonNode          *frame)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CONFABD_IS_CONNECTION (self));

  if (!confabd_connection_is_open (self))
    return;
  text = confab_protocol_to_string (frame);
  soup_websocket_connection_send_text (self->websocket, text);
}

void
confabd_connection_refuse (ConfabdConnection *self,
                           const char        *type,
                           JsonNode          *re,
                           const GError      *error,
                           gint64             retry_after)
{
  g_autoptr(JsonNode) frame = NULL;
  g_autoptr(GError) unavailable = NULL;

  g_return_if_fail (CONFABD_IS_CONNECTION (self));
  g_return_if_fail (error != NULL);

  /* One place for every frame: the hub's, and the sign-in and session
   * checks, which read the store outside it. */
  if (confabd_storage_error_is_unavailable (error))
    {
      g_message ("%s: %s failed, the store is unavailable: %s", self->peer,
                 type != NULL ? type : "frame", error->message);
      unavailable = g_error_new_literal (CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_UNAVAILABLE,
                                         _("The server cannot reach its database right now. "
                                           "Nothing was stored; try again in a moment."));
      error = unavailable;
      retry_after = MAX (retry_after, CONFABD_UNAVAILABLE_RETRY_AFTER);
    }
  else if (error->domain == CONFAB_PROTOCOL_ERROR)
    g_debug ("%s: %s refused: %s: %s", self->peer, type != NULL ? type : "frame",
             confab_protocol_error_to_string (error->code), error->message);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("%s: %s failed: %s", self->peer, type != NULL ? type : "frame", error->message);

  frame = confab_protocol_error_frame (re, error, retry_after);
  confabd_connection_send (self, frame);
}

static void
refuse (ConfabdConnection   *self,
        const char          *type,
        JsonNode            *re,
        ConfabProtocolError  code,
        const char          *message)
{
  g_autoptr(GError) error = g_error_new_literal (CONFAB_PROTOCOL_ERROR, code, message);

  confabd_connection_refuse (self, type, re, error, 0);
}

void
confabd_connection_close (ConfabdConnection *self,
                          gushort            code,
                          const char        *reason)
{
  g_return_if_fail (CONFABD_IS_CONNECTION (self));

  if (confabd_connection_is_open (self))
    soup_websocket_connection_close (self->websocket, code, reason);
}

static void
send_simple (ConfabdConnection *self,
             const char        *type,
             JsonNode          *re)
{
  g_autoptr(JsonNode) node = node_take_object (json_object_new ());
  JsonObject *frame = json_node_get_object (node);

  json_object_set_string_member (frame, "type", type);
  if (re != NULL)
    json_object_set_member (frame, "re", json_node_copy (re));
  confabd_connection_send (self, node);
}

/* ---- Sessions */

static void
send_session (ConfabdConnection *self,
              JsonNode          *re,
              ConfabdSession    *session)
{
  g_autoptr(JsonNode) node = node_take_object (json_object_new ());
  JsonObject *frame = json_node_get_object (node);

  json_object_set_string_member (frame, "type", "session");
  if (re != NULL)
    json_object_set_member (frame, "re", json_node_copy (re));
  json_object_set_string_member (frame, "user", session->user);
  if (session->token != NULL)
    json_object_set_string_member (frame, "token", session->token);
  json_object_set_int_member (frame, "expires", session->expires);
  confabd_connection_send (self, node);
}

static void
sign_in (ConfabdConnection *self,
         ConfabdSession    *session)
{
  g_free (self->user);
  g_free (self->token_hash);
  self->user = g_strdup (session->user);
  self->token_hash = g_strdup (session->token_hash);
  self->expires = session->expires;
  g_debug ("%s: signed in as %s", self->peer, self->user);
}

static void
sign_out (ConfabdConnection *self)
{
  if (self->user == NULL)
    return;

  confabd_hub_sign_out (self->hub, self);
  g_debug ("%s: %s signed out", self->peer, self->user);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->token_hash, g_free);
  self->expires = 0;
}

void
confabd_connection_revoke (ConfabdConnection *self)
{
  g_return_if_fail (CONFABD_IS_CONNECTION (self));

  if (self->user == NULL)
    return;

  g_message ("%s: the session of %s was revoked, closing", self->peer, self->user);
  /* A frame being handled may still use the user's name: not signed out
   * here. Whatever comes before the close is refused as expired. */
  self->expires = 0;
  confabd_hub_sign_out (self->hub, self);
  confabd_connection_close (self, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "session revoked");
}

/* Handles the pending frames in order until none is left or a sign-in
 * is being checked; tells the hub once the connection closed. */
static void
frames_co (gpointer user_data)
{
  ConfabdConnection *self = user_data;

  while (!self->busy && !self->closed && !g_queue_is_empty (&self->pending))
    {
      g_autoptr(JsonNode) node = g_queue_pop_head (&self->pending);

      handle_frame (self, node);
    }
  self->running = FALSE;

  if (self->closed && !self->closed_emitted)
    {
      self->closed_emitted = TRUE;
      g_signal_emit (self, signals[CLOSED], 0);
    }
}

static void
run_frames (ConfabdConnection *self)
{
  if (self->running || (self->busy && !self->closed))
    return;

  self->running = TRUE;
  confabd_coroutine_spawn (frames_co, g_object_ref (self), g_object_unref);
}

typedef struct
{
  ConfabdConnection *self;
  JsonNode          *re;
  char              *type;
} SignIn;

static void
sign_in_free (SignIn *sign_in_data)
{
  g_object_unref (sign_in_data->self);
  if (sign_in_data->re != NULL)
    json_node_unref (sign_in_data->re);
  g_free (sign_in_data->type);
  g_free (sign_in_data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SignIn, sign_in_free)

static void
sign_in_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SignIn) data = user_data;
  ConfabdConnection *self = data->self;
  ConfabdAccounts *accounts = CONFABD_ACCOUNTS (object);
  g_autoptr(ConfabdSession) session = NULL;
  g_autoptr(GError) error = NULL;
  gint64 retry_after = 0;

  if (g_str_equal (data->type, "register"))
    session = confabd_accounts_register_finish (accounts, result, &error);
  else
    session = confabd_accounts_login_finish (accounts, result, &retry_after, &error);

  if (self->closed)
    return;

  if (session == NULL)
    confabd_connection_refuse (self, data->type, data->re, error, retry_after);
  else
    {
      sign_in (self, session);
      send_session (self, data->re, session);
    }

  self->busy = FALSE;
  run_frames (self);
}

static void
handle_sign_in (ConfabdConnection *self,
                const char        *type,
                JsonObject        *frame,
                JsonNode          *re)
{
  ConfabdAccounts *accounts = confabd_hub_get_accounts (self->hub);
  g_autoptr(GError) error = NULL;
  const char *user;
  const char *password;
  SignIn *data;

  if (self->user != NULL)
    {
      refuse (self, type, re, CONFAB_PROTOCOL_ERROR_CONFLICT,
              _("Already signed in. Log out first."));
      return;
    }

  if (g_str_equal (type, "auth"))
    {
      g_autoptr(ConfabdSession) session = NULL;
      const char *token;

      if (!confab_protocol_get_string (frame, "token", FALSE, &token, &error) ||
          (session = confabd_accounts_auth (accounts, token, &error)) == NULL)
        {
          confabd_connection_refuse (self, type, re, error, 0);
          return;
        }
      sign_in (self, session);
      send_session (self, re, session);
      return;
    }

  if (g_str_equal (type, "register") && !confabd_hub_get_allow_register (self->hub))
    {
      refuse (self, type, re, CONFAB_PROTOCOL_ERROR_REGISTER_CLOSED,
              _("This server does not allow creating accounts."));
      return;
    }

  if (!confab_protocol_get_string (frame, "user", FALSE, &user, &error) ||
      !confab_protocol_get_string (frame, "password", FALSE, &password, &error))
    {
      confabd_connection_refuse (self, type, re, error, 0);
      return;
    }

  data = g_new0 (SignIn, 1);
  data->self = g_object_ref (self);
  data->re = re != NULL ? json_node_ref (re) : NULL;
  data->type = g_strdup (type);
  self->busy = TRUE;

  if (g_str_equal (type, "register"))
    confabd_accounts_register_async (accounts, user, password, self->cancellable,
                                     sign_in_done_cb, data);
  else
    confabd_accounts_login_async (accounts, user, password, self->limit_key, self->cancellable,
                                  sign_in_done_cb, data);
}

static void
handle_logout (ConfabdConnection *self,
               JsonNode          *re)
{
  g_autoptr(GError) error = NULL;

  if (self->user == NULL)
    {
      refuse (self, "logout", re, CONFAB_PROTOCOL_ERROR_UNAUTHORIZED, _("Not signed in."));
      return;
    }

  if (!confabd_accounts_logout (confabd_hub_get_accounts (self->hub), self->token_hash, &error))
    {
      confabd_connection_refuse (self, "logout", re, error, 0);
      return;
    }

  /* Not only here: a stolen token in use elsewhere stops working too. */
  confabd_hub_revoke_session (self->hub, self->token_hash, self);
  sign_out (self);
  send_simple (self, "ack", re);
}

static void
handle_hello (ConfabdConnection *self,
              JsonObject        *frame,
              JsonNode          *re)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *server = NULL;
  JsonObject *welcome;
  gint64 version;

  if (!confab_protocol_get_int (frame, "version", FALSE, &version, &error))
    {
      confabd_connection_refuse (self, "hello", re, error, 0);
      return;
    }

  if (version != CONFAB_PROTOCOL_VERSION)
    {
      g_message ("%s: protocol version %" G_GINT64_FORMAT " refused", self->peer, version);
      refuse (self, "hello", re, CONFAB_PROTOCOL_ERROR_BAD_VERSION,
              _("This server speaks version 1 of the protocol."));
      confabd_connection_close (self, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR, "bad version");
      return;
    }

  node = node_take_object (json_object_new ());
  welcome = json_node_get_object (node);
  server = g_strdup_printf ("confabd/%s", PACKAGE_VERSION);
  json_object_set_string_member (welcome, "type", "welcome");
  if (re != NULL)
    json_object_set_member (welcome, "re", json_node_copy (re));
  json_object_set_int_member (welcome, "version", CONFAB_PROTOCOL_VERSION);
  json_object_set_string_member (welcome, "server", server);
  json_object_set_int_member (welcome, "max_frame", CONFAB_PROTOCOL_MAX_FRAME);
  json_object_set_boolean_member (welcome, "allow_register",
                                  confabd_hub_get_allow_register (self->hub));
  confabd_connection_send (self, node);
}

/* ---- Receiving */

static void
handle_frame (ConfabdConnection *self,
              JsonNode          *node)
{
  JsonObject *frame = json_node_get_object (node);
  const char *type = json_object_get_string_member (frame, "type");
  g_autoptr(JsonNode) re = confab_protocol_dup_id (frame);

  g_debug ("%s: %s", self->peer, type);

  if (g_str_equal (type, "ping"))
    send_simple (self, "pong", re);
  else if (g_str_equal (type, "hello"))
    handle_hello (self, frame, re);
  else if (g_str_equal (type, "register") || g_str_equal (type, "login") ||
           g_str_equal (type, "auth"))
    handle_sign_in (self, type, frame, re);
  else if (g_str_equal (type, "logout"))
    handle_logout (self, re);
  else if (!confabd_hub_knows_frame (type))
    {
      g_autofree char *message = g_strdup_printf (_("Unknown frame type “%s”."), type);

      refuse (self, type, re, CONFAB_PROTOCOL_ERROR_UNKNOWN_TYPE, message);
    }
  else if (self->user == NULL)
    refuse (self, type, re, CONFAB_PROTOCOL_ERROR_UNAUTHORIZED, _("Sign in first."));
  else if (g_get_real_time () / G_USEC_PER_SEC >= self->expires)
    {
      sign_out (self);
      refuse (self, type, re, CONFAB_PROTOCOL_ERROR_EXPIRED,
              _("The session expired. Sign in again."));
    }
  else
    confabd_hub_handle_frame (self->hub, self, type, frame, re);
}

/* Takes one token from the bucket, refilled by the time elapsed. */
static gboolean
take_token (ConfabdConnection *self,
            gint64            *retry_after)
{
  gint64 now = g_get_monotonic_time ();

  self->tokens = MIN (RATE_BURST,
                      self->tokens + (now - self->refilled) * RATE_PER_SECOND / G_USEC_PER_SEC);
  self->refilled = now;

  if (self->tokens >= 1.0)
    {
      self->tokens -= 1.0;
      return TRUE;
    }

  *retry_after = MAX (1, (gint64) ((1.0 - self->tokens) / RATE_PER_SECOND + 0.999));
  return FALSE;
}

static void
message_cb (SoupWebsocketConnection *websocket,
            gint                     data_type,
            GBytes                  *message,
            ConfabdConnection       *self)
{
  g_autoptr(ConfabdConnection) hold G_GNUC_UNUSED = g_object_ref (self);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gint64 retry_after = 0;
  const char *data;
  gsize size;

  data = g_bytes_get_data (message, &size);

  if (self->refused_in_a_row > 0 && g_get_monotonic_time () - self->last_refused > G_USEC_PER_SEC)
    self->refused_in_a_row = 0;

  if (!take_token (self, &retry_after))
    {
      g_autoptr(JsonNode) re = NULL;

      self->last_refused = g_get_monotonic_time ();
      if (++self->refused_in_a_row >= MAX_REFUSED_IN_A_ROW)
        {
          g_message ("%s: closing a connection that keeps flooding", self->peer);
          confabd_connection_close (self, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                    "too many frames");
          return;
        }
      if (self->refused_in_a_row == 1)
        g_message ("%s: rate limited", self->peer);

      /* The id, when cheap to find, so the client knows what was refused. */
      if (data_type == SOUP_WEBSOCKET_DATA_TEXT && size <= CONFAB_PROTOCOL_MAX_FRAME)
        {
          node = confab_protocol_parse (data, size, NULL, NULL);
          if (node != NULL)
            re = confab_protocol_dup_id (json_node_get_object (node));
        }
      g_set_error_literal (&error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_RATE_LIMITED,
                           _("Too many frames. Slow down."));
      confabd_connection_refuse (self, NULL, re, error, retry_after);
      return;
    }

  if (data_type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_message ("%s: binary message refused, closing", self->peer);
      refuse (self, NULL, NULL, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
              _("Frames are JSON text; binary messages are not accepted."));
      confabd_connection_close (self, SOUP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA, "binary message");
      return;
    }

  if (size > CONFAB_PROTOCOL_MAX_FRAME)
    {
      g_autofree char *text = g_strdup_printf (_("The frame is over %d KiB."),
                                               CONFAB_PROTOCOL_MAX_FRAME / 1024);

      g_message ("%s: frame of %" G_GSIZE_FORMAT " bytes refused", self->peer, size);
      refuse (self, NULL, NULL, CONFAB_PROTOCOL_ERROR_TOO_LARGE, text);
      return;
    }

  node = confab_protocol_parse (data, size, NULL, &error);
  if (node == NULL)
    {
      g_message ("%s: malformed frame: %s", self->peer, error->message);
      confabd_connection_refuse (self, NULL, NULL, error, 0);
      return;
    }

  if (g_queue_get_length (&self->pending) >= MAX_PENDING)
    {
      g_autoptr(JsonNode) re = confab_protocol_dup_id (json_node_get_object (node));

      g_set_error_literal (&error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_RATE_LIMITED,
                           _("Too many frames waiting for an answer. Slow down."));
      confabd_connection_refuse (self, NULL, re, error, 1);
      return;
    }
  g_queue_push_tail (&self->pending, g_steal_pointer (&node));
  run_frames (self);
}

static void
closed_cb (SoupWebsocketConnection *websocket,
           ConfabdConnection       *self)
{
  g_autoptr(ConfabdConnection) hold G_GNUC_UNUSED = g_object_ref (self);

  if (self->closed)
    return;
  self->closed = TRUE;

  g_debug ("%s: WebSocket closed (%u)", self->peer,
           soup_websocket_connection_get_close_code (websocket));
  g_cancellable_cancel (self->cancellable);
  g_queue_clear_full (&self->pending, (GDestroyNotify) json_node_unref);
  /* After the frame being handled, if any. */
  run_frames (self);
}

static void
error_cb (SoupWebsocketConnection *websocket,
          GError                  *error,
          ConfabdConnection       *self)
{
  g_debug ("%s: WebSocket error: %s", self->peer, error->message);
}

/* ---- GObject */

const char *
confabd_connection_get_peer (ConfabdConnection *self)
{
  g_return_val_if_fail (CONFABD_IS_CONNECTION (self), NULL);

  return self->peer;
}

const char *
confabd_connection_get_user (ConfabdConnection *self)
{
  g_return_val_if_fail (CONFABD_IS_CONNECTION (self), NULL);

  return self->user;
}

const char *
confabd_connection_get_token_hash (ConfabdConnection *self)
{
  g_return_val_if_fail (CONFABD_IS_CONNECTION (self), NULL);

  return self->token_hash;
}

gboolean
confabd_connection_session_ended (ConfabdConnection *self,
                                  gint64             now)
{
  g_return_val_if_fail (CONFABD_IS_CONNECTION (self), TRUE);

  return self->user != NULL && now >= self->expires;
}

static void
confabd_connection_dispose (GObject *object)
{
  ConfabdConnection *self = CONFABD_CONNECTION (object);

  if (self->websocket != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->websocket, self);
      if (soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      g_clear_object (&self->websocket);
    }
  g_queue_clear_full (&self->pending, (GDestroyNotify) json_node_unref);

  G_OBJECT_CLASS (confabd_connection_parent_class)->dispose (object);
}

static void
confabd_connection_finalize (GObject *object)
{
  ConfabdConnection *self = CONFABD_CONNECTION (object);

  g_clear_object (&self->cancellable);
  g_free (self->peer);
  g_free (self->address);
  g_free (self->limit_key);
  g_free (self->user);
  g_free (self->token_hash);

  G_OBJECT_CLASS (confabd_connection_parent_class)->finalize (object);
}

static void
confabd_connection_class_init (ConfabdConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confabd_connection_dispose;
  object_class->finalize = confabd_connection_finalize;

  signals[CLOSED] = g_signal_new ("closed",
                                  G_TYPE_FROM_CLASS (klass),
                                  G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 0);
}

static void
confabd_connection_init (ConfabdConnection *self)
{
  self->cancellable = g_cancellable_new ();
  self->tokens = RATE_BURST;
  self->refilled = g_get_monotonic_time ();
  g_queue_init (&self->pending);
}

ConfabdConnection *
confabd_connection_new (ConfabdHub              *hub,
                        SoupWebsocketConnection *websocket,
                        GSocketAddress          *peer)
{
  ConfabdConnection *self;

  g_return_val_if_fail (CONFABD_IS_HUB (hub), NULL);
  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (websocket), NULL);

  self = g_object_new (CONFABD_TYPE_CONNECTION, NULL);
  self->hub = hub;
  self->websocket = g_object_ref (websocket);

  if (G_IS_INET_SOCKET_ADDRESS (peer))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (peer);

      self->address = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
      self->limit_key = confabd_address_limit_key (g_inet_socket_address_get_address (inet));
      self->peer = g_strdup_printf (strchr (self->address, ':') != NULL ? "[%s]:%u" : "%s:%u",
                                    self->address, g_inet_socket_address_get_port (inet));
    }
  else
    {
      self->address = g_strdup ("unknown");
      self->limit_key = g_strdup ("unknown");
      self->peer = g_strdup ("unknown");
    }

  soup_websocket_connection_set_max_incoming_payload_size (websocket, MAX_INCOMING_PAYLOAD);
  soup_websocket_connection_set_keepalive_interval (websocket, KEEPALIVE_SECONDS);
  g_signal_connect (websocket, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (websocket, "closed", G_CALLBACK (closed_cb), self);
  g_signal_connect (websocket, "error", G_CALLBACK (error_cb), self);

  g_debug ("%s: WebSocket open", self->peer);
  return self;
}
