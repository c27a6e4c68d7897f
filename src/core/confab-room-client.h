/* confab-room-client.h: one WebSocket connection to a confabd server
 *
 * Speaks docs/protocol.md: hello, sign-in, requests matched to their
 * answers by id, and the live events of the rooms it joined, delivered in
 * sequence order with no gap and no duplicate. When the connection drops it
 * reconnects with exponential backoff (1 s … 60 s, with jitter; no timer
 * runs while connected) and re-joins each room from the last seq it
 * delivered, so a consumer sees every event exactly once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-protocol.h"

G_BEGIN_DECLS

typedef enum
{
  CONFAB_ROOM_CLIENT_DISCONNECTED,   /* never connected, or closed by us */
  CONFAB_ROOM_CLIENT_CONNECTING,     /* first connection, or signing in */
  CONFAB_ROOM_CLIENT_CONNECTED,      /* signed in, rooms joined */
  CONFAB_ROOM_CLIENT_RECONNECTING,   /* lost; waiting for the next attempt */
} ConfabRoomClientState;

GType confab_room_client_state_get_type (void) G_GNUC_CONST;
#define CONFAB_TYPE_ROOM_CLIENT_STATE (confab_room_client_state_get_type ())

#define CONFAB_TYPE_ROOM_CLIENT (confab_room_client_get_type ())
G_DECLARE_FINAL_TYPE (ConfabRoomClient, confab_room_client, CONFAB, ROOM_CLIENT, GObject)

/* @server_url: http(s)://HOST:PORT (the WebSocket is at /ws on it; ws:// and
 * wss:// are accepted as well). */
ConfabRoomClient     *confab_room_client_new             (const char          *server_url);
const char           *confab_room_client_get_server_url  (ConfabRoomClient    *self);
ConfabRoomClientState confab_room_client_get_state       (ConfabRoomClient    *self);
/* The signed-in user, or NULL. */
const char           *confab_room_client_get_user        (ConfabRoomClient    *self);
/* The session token, after login/register or set_token. */
const char           *confab_room_client_get_token       (ConfabRoomClient    *self);
void                  confab_room_client_set_token       (ConfabRoomClient    *self,
                                                          const char          *token);
/* Reconnect after a drop (default TRUE). */
void                  confab_room_client_set_auto_reconnect (ConfabRoomClient *self,
                                                             gboolean          reconnect);
/* The first delay before reconnecting and the longest one (default 1 s
 * and 60 s); the delay doubles after each failed attempt, with jitter. */
void                  confab_room_client_set_reconnect_delays (ConfabRoomClient *self,
                                                               guint             min_ms,
                                                               guint             max_ms);
/* The last error that took the connection down (for an offline banner), or
 * NULL; cleared once connected again. */
const GError         *confab_room_client_get_last_error  (ConfabRoomClient    *self);
/* Whether the server accepts "register" (from its welcome). */
gboolean              confab_room_client_get_allow_register (ConfabRoomClient *self);

/* Opens the WebSocket, exchanges hello/welcome and, with a token, signs in
 * ("auth"). Fails with G_IO_ERROR for the network, CONFAB_PROTOCOL_ERROR for
 * a refusal (EXPIRED token…). */
void                  confab_room_client_connect_async   (ConfabRoomClient    *self,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean              confab_room_client_connect_finish  (ConfabRoomClient    *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* On a connected client: "login", or "register" when @create is TRUE.
 * Keeps the token (get_token) for reconnecting. */
void                  confab_room_client_login_async     (ConfabRoomClient    *self,
                                                          const char          *user,
                                                          const char          *password,
                                                          gboolean             create,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean              confab_room_client_login_finish    (ConfabRoomClient    *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* Sends @frame (an object with "type"; an "id" is added) and completes with
 * the answer frame (the one whose "re" matches), or the "error" frame as a
 * CONFAB_PROTOCOL_ERROR, or G_IO_ERROR_CONNECTION_CLOSED if the connection
 * drops first (requests are not replayed: the caller decides). */
void                  confab_room_client_request_async   (ConfabRoomClient    *self,
                                                          JsonNode            *frame,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
JsonNode             *confab_room_client_request_finish  (ConfabRoomClient    *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
/* Fire and forget (stream.delta, typing); FALSE when not connected. */
gboolean              confab_room_client_send            (ConfabRoomClient    *self,
                                                          JsonNode            *frame);

/* Joins @room and delivers its events after @since through ::event, now and
 * after every reconnection (from the last delivered seq). Completes with the
 * "joined" frame once the replay is delivered ("synced"). If the first join
 * fails (refused, or the connection drops before "synced"), the room is not
 * followed; cancelling only stops waiting. */
void                  confab_room_client_join_async      (ConfabRoomClient    *self,
                                                          const char          *room,
                                                          gint64               since,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
JsonNode             *confab_room_client_join_finish     (ConfabRoomClient    *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
/* Follows @room without waiting: joined now when connected, else at the
 * next connection (for rooms remembered across restarts). A room already
 * followed keeps its own last seq; so does join_async. */
void                  confab_room_client_follow          (ConfabRoomClient    *self,
                                                          const char          *room,
                                                          gint64               since);
gboolean              confab_room_client_is_following    (ConfabRoomClient    *self,
                                                          const char          *room);
/* Stops following @room (sends "leave" when connected). */
void                  confab_room_client_leave           (ConfabRoomClient    *self,
                                                          const char          *room);
/* The last seq delivered for @room (0 if none). */
gint64                confab_room_client_get_last_seq    (ConfabRoomClient    *self,
                                                          const char          *room);

/* Closes the connection with code 1000 and stops reconnecting. Followed
 * rooms stay followed: the next connect_async re-joins them from their
 * last seq. */
void                  confab_room_client_close           (ConfabRoomClient    *self);

/* Signals:
 *   ::event (const char *room, gint64 seq, JsonObject *frame)
 *       a stored event, in order, exactly once per (room, seq)
 *   ::ephemeral (const char *room, JsonObject *frame)
 *       stream.delta, typing, presence
 *   ::synced (const char *room, gint64 seq)
 *       a join's replay is complete
 *   ::room-lost (const char *room, GError *error)
 *       a re-join was refused, or an event said the user was removed or the
 *       room deleted: the room is no longer followed
 *   notify::state
 */

G_END_DECLS
