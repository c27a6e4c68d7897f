/* confabd-connection.h: one WebSocket client of confabd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _ConfabdHub ConfabdHub;

#define CONFABD_TYPE_CONNECTION (confabd_connection_get_type ())
G_DECLARE_FINAL_TYPE (ConfabdConnection, confabd_connection, CONFABD, CONNECTION, GObject)

/* @hub must outlive the connection; @peer is the client's address
 * (ADDR:PORT), for logs and the per-address login limit.
 * Signals: ::closed () once the WebSocket is closed, for whatever reason. */
ConfabdConnection *confabd_connection_new       (ConfabdHub              *hub,
                                                 SoupWebsocketConnection *websocket,
                                                 GSocketAddress          *peer);
/* "ADDR:PORT" */
const char        *confabd_connection_get_peer  (ConfabdConnection       *self);
/* The signed-in user, or NULL. */
const char        *confabd_connection_get_user  (ConfabdConnection       *self);
/* The SHA-256 of the session's token (as stored), or NULL. */
const char        *confabd_connection_get_token_hash (ConfabdConnection  *self);
/* Whether it is signed in with a session that expired (or was revoked) by
 * @now (Unix seconds): it gets no live events, and "expired" for its next
 * frame. */
gboolean           confabd_connection_session_ended  (ConfabdConnection  *self,
                                                      gint64              now);
gboolean           confabd_connection_is_open   (ConfabdConnection       *self);

/* Queue a frame; nothing happens once the connection is closing. */
void               confabd_connection_send      (ConfabdConnection       *self,
                                                 JsonNode                *frame);
void               confabd_connection_send_text (ConfabdConnection       *self,
                                                 const char              *text);
/* Answers a refused frame with an "error" frame and logs it: refusals at
 * debug level, internal failures (errors outside CONFAB_PROTOCOL_ERROR) as
 * warnings. */
void               confabd_connection_refuse    (ConfabdConnection       *self,
                                                 const char              *type,
                                                 JsonNode                *re,
                                                 const GError            *error,
                                                 gint64                   retry_after);
void               confabd_connection_close     (ConfabdConnection       *self,
                                                 gushort                  code,
                                                 const char              *reason);
/* Its session was revoked elsewhere: it leaves its rooms, its frames get
 * "expired", and it is closed (1008). */
void               confabd_connection_revoke    (ConfabdConnection       *self);

G_END_DECLS
