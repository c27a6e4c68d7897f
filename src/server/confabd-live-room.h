/* confabd-live-room.h: a room's live state in confabd: who is in it now and the
 * replies being relayed. What is stored lives in ConfabdStorage.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confabd-connection.h"
#include "confabd-storage.h"

G_BEGIN_DECLS

/* A reply being relayed (stream.start … stream.end). */
typedef struct
{
  char              *message;
  char              *chat;
  char              *author;
  GString           *text;      /* what the deltas brought so far */
  ConfabdConnection *caller;    /* the connection relaying it (unowned); NULL: another
                                 * instance relays it and this is a mirror of its deltas */
  gboolean           incomplete; /* some deltas were missed: text is not the whole reply */
} ConfabdStream;

void confabd_stream_free (ConfabdStream *stream);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdStream, confabd_stream_free)

#define CONFABD_TYPE_LIVE_ROOM (confabd_live_room_get_type ())
G_DECLARE_FINAL_TYPE (ConfabdLiveRoom, confabd_live_room, CONFABD, LIVE_ROOM, GObject)

ConfabdLiveRoom   *confabd_live_room_new               (const char        *id);
const char    *confabd_live_room_get_id            (ConfabdLiveRoom       *self);

/* Each returns TRUE when @connection's user came online (was the first of
 * their connections in the room) or went offline (the last). */
gboolean       confabd_live_room_add_connection    (ConfabdLiveRoom       *self,
                                               ConfabdConnection *connection);
gboolean       confabd_live_room_remove_connection (ConfabdLiveRoom       *self,
                                               ConfabdConnection *connection);
gboolean       confabd_live_room_has_connection    (ConfabdLiveRoom       *self,
                                               ConfabdConnection *connection);
/* The connections in the room, in the order they joined (owned by the room). */
GPtrArray     *confabd_live_room_get_connections   (ConfabdLiveRoom       *self);
/* Online here or, as far as this instance knows, on another one. */
gboolean       confabd_live_room_is_online         (ConfabdLiveRoom       *self,
                                                    const char            *user);
gboolean       confabd_live_room_is_online_here    (ConfabdLiveRoom       *self,
                                                    const char            *user);
gboolean       confabd_live_room_is_online_elsewhere (ConfabdLiveRoom     *self,
                                                      const char          *user);
/* The users with a connection here (owned by the room: free the list only). */
GList         *confabd_live_room_get_users_here    (ConfabdLiveRoom       *self);
/* Presence on other instances (confabd-hub-cluster.c keeps it up to date). */
void           confabd_live_room_set_remote        (ConfabdLiveRoom       *self,
                                                    const char            *user,
                                                    const char            *instance,
                                                    gboolean               online);
GList         *confabd_live_room_get_remote_users  (ConfabdLiveRoom       *self);
void           confabd_live_room_clear_remote      (ConfabdLiveRoom       *self);
/* Sends @text to everyone in the room but @except (may be NULL). */
void           confabd_live_room_send_text         (ConfabdLiveRoom       *self,
                                               const char        *text,
                                               ConfabdConnection *except);

ConfabdStream *confabd_live_room_add_stream        (ConfabdLiveRoom       *self,
                                               const char        *message,
                                               const char        *chat,
                                               const char        *author,
                                               ConfabdConnection *caller);
ConfabdStream *confabd_live_room_lookup_stream     (ConfabdLiveRoom       *self,
                                               const char        *message);
/* The streams, oldest first (owned by the room; do not keep across changes). */
GPtrArray     *confabd_live_room_get_streams       (ConfabdLiveRoom       *self);
void           confabd_live_room_remove_stream     (ConfabdLiveRoom       *self,
                                               const char        *message);
/* Takes @message's stream out of the room, for the caller to free. */
ConfabdStream *confabd_live_room_steal_stream      (ConfabdLiveRoom       *self,
                                                    const char            *message);

/* The last event seq sent to the room's sockets (0: none yet), so that an
 * event arriving twice or early (from another instance) is noticed. */
gint64         confabd_live_room_get_last_seq      (ConfabdLiveRoom       *self);
void           confabd_live_room_set_last_seq      (ConfabdLiveRoom       *self,
                                               gint64             seq);
/* Events past a gap, kept (taken) until the ones before them came; a seq
 * held already is dropped. */
void           confabd_live_room_hold_event        (ConfabdLiveRoom       *self,
                                                    ConfabdEvent          *event);
/* The first held event when its seq is at most @up_to (for the caller to
 * free), else NULL. */
ConfabdEvent  *confabd_live_room_pop_held          (ConfabdLiveRoom       *self,
                                                    gint64                 up_to);
/* The seq of the last held event (0: none). */
gint64         confabd_live_room_get_held_until    (ConfabdLiveRoom       *self);
/* Nobody in it and nothing relayed: the hub may forget it. */
gboolean       confabd_live_room_is_idle           (ConfabdLiveRoom       *self);

G_END_DECLS
