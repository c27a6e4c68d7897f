/* confabd-bus.h: the events and live frames confabd instances share
 * through Redis publish/subscribe
 *
 * Every instance publishes what it commits (and the frames it relays live:
 * deltas, typing, presence) on "confab:room:ROOM", and pattern-subscribes
 * to "confab:room:*". Pub/sub may drop messages (a Redis restart, a slow
 * subscriber), so the bus only promises "soon, usually": the hub checks
 * sequence numbers and fills any gap from the storage, which is the truth.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What a bus message carries. */
typedef enum
{
  CONFABD_BUS_EVENT,   /* a stored event frame ("type": "event", with its seq) */
  CONFABD_BUS_RELAY,   /* a live frame for the room's sockets (stream.delta, typing, presence) */
  CONFABD_BUS_REVOKE,  /* {"session": SHA-256 of a token}: a session ended (room "") */
} ConfabdBusKind;

#define CONFABD_TYPE_BUS (confabd_bus_get_type ())
G_DECLARE_FINAL_TYPE (ConfabdBus, confabd_bus, CONFABD, BUS, GObject)

/* Parses redis://HOST[:PORT][/DB] (no connection yet). */
ConfabdBus *confabd_bus_new             (const char      *uri,
                                         GError         **error);
/* Connects on the thread-default main context, and reconnects (with a
 * growing pause, up to 5 s) whenever the connection drops. */
void        confabd_bus_start           (ConfabdBus      *self);
/* Unique per process: messages from this instance are not delivered back. */
const char *confabd_bus_get_instance_id (ConfabdBus      *self);
gboolean    confabd_bus_is_subscribed   (ConfabdBus      *self);
/* Publishes @frame for @room's sockets on every other instance. Dropped
 * (with a debug line) while Redis is unreachable. */
void        confabd_bus_publish         (ConfabdBus      *self,
                                         ConfabdBusKind   kind,
                                         const char      *room,
                                         JsonNode        *frame);

/* Tells the other instances that the session of @token_hash (the hex
 * SHA-256 stored for it, never the token) was revoked, so that they close
 * its connections. Dropped while Redis is unreachable: the session is gone
 * from the store, so such a connection is refused when it reconnects. */
void        confabd_bus_publish_revocation (ConfabdBus   *self,
                                            const char   *token_hash);

/* Signals:
 *   "message" (ConfabdBusKind kind, const char *room, const char *from,
 *              JsonObject *frame):
 *     a frame another instance (@from, its id) published.
 *   "subscribed" (): the subscription is (again) in place: anything
 *     published meanwhile may be lost, so the hub fills its rooms' gaps.
 *   "heartbeat" (): every CONFABD_BUS_HEARTBEAT_SECONDS while Redis is up,
 *     after this instance renewed its key "confab:instance:ID" (which
 *     expires after CONFABD_BUS_INSTANCE_TTL_MS): time to renew what else
 *     it keeps there and to look at the others'. */
#define CONFABD_BUS_HEARTBEAT_SECONDS 5
#define CONFABD_BUS_INSTANCE_TTL_MS   15000

/* Commands with the hiredis format (%s, %b…), sent as they come; nothing
 * is sent while Redis is down. */
void        confabd_bus_send            (ConfabdBus      *self,
                                         const char      *format,
                                         ...);
/* The same, with the answer for @callback, called exactly once (unless the
 * bus is disposed first): an integer (-1 when Redis cannot answer), or an
 * array of strings (NULL then). @owner is kept alive until then. */
typedef void (*ConfabdBusIntCallback)     (GObject            *owner,
                                           gint64              value,
                                           gpointer            user_data);
typedef void (*ConfabdBusStringsCallback) (GObject            *owner,
                                           const char * const *values,
                                           gpointer            user_data);
void        confabd_bus_query_int       (ConfabdBus                *self,
                                         GObject                   *owner,
                                         ConfabdBusIntCallback      callback,
                                         gpointer                   user_data,
                                         GDestroyNotify             destroy,
                                         const char                *format,
                                         ...);
void        confabd_bus_query_strings   (ConfabdBus                *self,
                                         GObject                   *owner,
                                         ConfabdBusStringsCallback  callback,
                                         gpointer                   user_data,
                                         GDestroyNotify             destroy,
                                         const char                *format,
                                         ...);

G_END_DECLS
