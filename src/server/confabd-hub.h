/* confabd-hub.h: the rooms of confabd and the frames that act on them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confabd-accounts.h"
#include "confabd-bus.h"
#include "confabd-connection.h"
#include "confabd-storage.h"

G_BEGIN_DECLS

#define CONFABD_TYPE_HUB (confabd_hub_get_type ())
G_DECLARE_FINAL_TYPE (ConfabdHub, confabd_hub, CONFABD, HUB, GObject)

ConfabdHub      *confabd_hub_new                (ConfabdStorage    *storage,
                                                 gboolean           allow_register);
/* At start: replies a killed server left "streaming" become "interrupted"
 * (with a stream.ended event each). */
gboolean         confabd_hub_recover            (ConfabdHub        *self,
                                                 GError           **error);

/* Several instances on one store: events and live frames go through @bus
 * too (confabd-hub-bus.c). */
void             confabd_hub_set_bus            (ConfabdHub        *self,
                                                 ConfabdBus        *bus);
ConfabdBus      *confabd_hub_get_bus            (ConfabdHub        *self);
/* Whether a storage error means the database cannot be reached right now
 * (PostgreSQL down or restarting): the client gets "unavailable". */
gboolean         confabd_storage_error_is_unavailable (const GError *error);
/* Seconds a client waits before sending again what "unavailable" refused. */
#define CONFABD_UNAVAILABLE_RETRY_AFTER 2
ConfabdStorage  *confabd_hub_get_storage        (ConfabdHub        *self);
ConfabdAccounts *confabd_hub_get_accounts       (ConfabdHub        *self);
gboolean         confabd_hub_get_allow_register (ConfabdHub        *self);

/* Takes over a new client; it is dropped when it closes. */
void             confabd_hub_add_connection     (ConfabdHub        *self,
                                                 ConfabdConnection *connection);
guint            confabd_hub_get_n_connections  (ConfabdHub        *self);

/* Whether @type is a room frame (handled here, after sign-in). */
gboolean         confabd_hub_knows_frame        (const char        *type);
/* Handles a room frame of a signed-in connection: answers it or refuses it. */
void             confabd_hub_handle_frame       (ConfabdHub        *self,
                                                 ConfabdConnection *connection,
                                                 const char        *type,
                                                 JsonObject        *frame,
                                                 JsonNode          *re);
/* Before a connection signs out (logout, expiry): it leaves its rooms and
 * its open replies are stored as interrupted. */
void             confabd_hub_sign_out           (ConfabdHub        *self,
                                                 ConfabdConnection *connection);
/* A session was revoked (logout on @except): every other connection
 * signed in with it is closed (1008), on this instance and, through the
 * Redis bus, on the others; reconnecting, its client finds the token
 * refused. */
void             confabd_hub_revoke_session     (ConfabdHub        *self,
                                                 const char        *token_hash,
                                                 ConfabdConnection *except);

/* SIGTERM: stores the open replies as interrupted, closes every WebSocket
 * with 1001 and refuses new ones. */
void             confabd_hub_shutdown           (ConfabdHub        *self);
gboolean         confabd_hub_is_shutting_down   (ConfabdHub        *self);
/* Work on another thread whose answer the main loop still has to take. */
gboolean         confabd_hub_has_pending_work   (ConfabdHub        *self);

G_END_DECLS
