/* confabd-hub-private.h: what the hub's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-protocol.h"
#include "confabd-hub.h"
#include "confabd-live-room.h"

G_BEGIN_DECLS

/* A node holding @object, taking the caller's reference. */
static inline JsonNode *
_confabd_node_take_object (JsonObject *object)
{
  JsonNode *node = json_node_init_object (json_node_alloc (), object);

  json_object_unref (object);
  return node;
}

/* Room and chat names, thread titles. */
#define CONFABD_MAX_NAME 256

struct _ConfabdHub
{
  GObject          parent_instance;

  ConfabdStorage  *storage;
  ConfabdBus      *bus;           /* NULL: a single instance */
  ConfabdAccounts *accounts;
  gboolean         allow_register;
  gboolean         shutting_down;
  gboolean         sweeping;      /* the heartbeat's list of open replies is being read */
  GPtrArray       *connections;   /* ConfabdConnection, owned */
  GHashTable      *rooms;         /* id → ConfabdLiveRoom: rooms someone joined or streams in */
  GHashTable      *limited;       /* user → gint64 *: over the shared frame limit until then */
  GHashTable      *appends;       /* room → its queue of appends (confabd-hub.c) */
  GQueue           bus_queue;     /* what the bus brought, handled in order (confabd-hub-bus.c) */
  gboolean         bus_running;   /* a coroutine works through bus_queue */
};

/* One frame being handled. */
typedef struct
{
  ConfabdHub        *hub;
  ConfabdConnection *connection;
  const char        *type;
  JsonObject        *frame;
  JsonNode          *re;
  const char        *user;
  /* Set by _confabd_hub_enter_room */
  const char        *room;
  ConfabRoomRole         role;
} ConfabdRequest;

typedef gboolean (*ConfabdFrameHandler) (ConfabdRequest  *request,
                                         GError         **error);

/* confabd-hub.c */
gboolean     _confabd_hub_enter_room        (ConfabdRequest        *request,
                                             GError               **error);
/* The same for a room the frame does not name (@room must outlive the
 * request); @not_found is the error's message when the user is not in it. */
gboolean     _confabd_hub_enter_room_id     (ConfabdRequest        *request,
                                             const char            *room,
                                             const char            *not_found,
                                             GError               **error);
gboolean     _confabd_hub_require           (ConfabdRequest        *request,
                                             ConfabAction           action,
                                             GError               **error);
/* Maps a storage error to the frame's error (unavailable, conflict…). */
gboolean     _confabd_hub_storage_failed    (GError               **error,
                                             GError                *local_error,
                                             const char            *not_found);
gboolean     _confabd_hub_get_name          (JsonObject            *frame,
                                             const char            *member,
                                             gboolean               optional,
                                             const char           **value,
                                             GError               **error);
gboolean     _confabd_hub_get_text          (JsonObject            *frame,
                                             const char            *member,
                                             gboolean               allow_empty,
                                             const char           **value,
                                             GError               **error);
gint64       _confabd_hub_now_ms            (void);
JsonObject  *_confabd_hub_reply_new         (ConfabdRequest        *request,
                                             const char            *type);
void         _confabd_hub_reply             (ConfabdRequest        *request,
                                             JsonObject            *reply);
JsonObject  *_confabd_hub_room_object       (const ConfabdRoom     *room,
                                             const char            *role);
JsonNode    *_confabd_hub_event_frame       (const ConfabdEvent    *event);
/* Appends an event to @room's log (with its message change) and returns
 * it with its seq, or NULL. Takes @data. */
ConfabdEvent *_confabd_hub_append           (ConfabdHub            *self,
                                             const char            *room,
                                             const char            *event,
                                             const char            *author,
                                             JsonObject            *data,
                                             ConfabdMessageChange   change,
                                             const ConfabdMessage  *message,
                                             GError               **error);
/* confabd-hub-cluster.c: what instances share in Redis besides events */
/* A user's frames on all instances together (their connections each have
 * their own, tighter burst limit in confabd-connection.c). */
#define CONFABD_FRAME_WINDOW_MS   10000
#define CONFABD_FRAMES_PER_WINDOW 600
/* Seconds @user must wait before their next frame, or 0 (and the frame is
 * counted). Always 0 on a single instance. */
gint64       _confabd_hub_frame_limited     (ConfabdHub            *self,
                                             const char            *user);
/* @user came online here (their first connection in @live) or went
 * offline here (their last): tells the room's clients, here and on the
 * other instances, unless another instance still has them online. */
void         _confabd_hub_presence_changed  (ConfabdHub            *self,
                                             ConfabdLiveRoom       *live,
                                             const char            *user,
                                             gboolean               online,
                                             ConfabdConnection     *except);
/* A presence frame from instance @from: TRUE if this instance's clients
 * should get it (it changes what they know). */
gboolean     _confabd_hub_remote_presence   (ConfabdHub            *self,
                                             ConfabdLiveRoom       *live,
                                             const char            *from,
                                             JsonObject            *frame);
/* This instance relays reply @message now (started, or taken over). */
void         _confabd_hub_own_stream        (ConfabdHub            *self,
                                             const char            *message);
/* Every CONFABD_BUS_HEARTBEAT_SECONDS: presence renewed and read back,
 * replies of instances that went away ended as interrupted. */
void         _confabd_hub_heartbeat         (ConfabdHub            *self);

/* Closes this instance's connections of the session, but @except. */
void         _confabd_hub_revoke_local      (ConfabdHub            *self,
                                             const char            *token_hash,
                                             ConfabdConnection     *except);

/* confabd-hub-bus.c */
/* Drops what the bus brought and was not handled yet (shutting down). */
void         _confabd_hub_clear_bus_queue   (ConfabdHub            *self);
/* Publishes a stored event to the other instances and delivers it here. */
void         _confabd_hub_broadcast         (ConfabdHub            *self,
                                             const ConfabdEvent    *event);
/* Sends an event to its live room's sockets once and in order, fetching
 * the ones it skips from the storage. */
void         _confabd_hub_deliver           (ConfabdHub            *self,
                                             const ConfabdEvent    *event);
/* Events of this instance being stored in @room, or waiting their turn:
 * while there are, a gap before an event is theirs to fill. */
guint        _confabd_hub_appends_under_way (ConfabdHub            *self,
                                             const char            *room);
/* When no append of this instance is under way in @live any more, fills
 * the gaps before its held events from the storage. */
void         _confabd_hub_settle            (ConfabdHub            *self,
                                             ConfabdLiveRoom       *live);
/* Before a join: makes @live have sent everything up to @known, the last
 * seq the caller read (a new live room just starts there). */
gboolean     _confabd_hub_catch_up          (ConfabdHub            *self,
                                             ConfabdLiveRoom       *live,
                                             gint64                 known,
                                             GError               **error);
/* Sends a live frame (delta, typing, presence) to @live's sockets but
 * @except, here and on the other instances. */
void         _confabd_hub_relay             (ConfabdHub            *self,
                                             ConfabdLiveRoom       *live,
                                             JsonNode              *frame,
                                             ConfabdConnection     *except);
/* _confabd_hub_append in request->room by request->user, then an "ack"
 * (with "seq" and the members of @ack_extra) to the request, then the
 * broadcast. Takes @data and @ack_extra. */
gboolean     _confabd_hub_commit            (ConfabdRequest        *request,
                                             const char            *event,
                                             JsonObject            *data,
                                             ConfabdMessageChange   change,
                                             const ConfabdMessage  *message,
                                             JsonObject            *ack_extra,
                                             GError               **error);
/* The "ack" of a stored event (its "seq" and the members of @ack_extra),
 * when the request has an id. Takes @ack_extra. */
void         _confabd_hub_ack_seq           (ConfabdRequest        *request,
                                             gint64                 seq,
                                             JsonObject            *ack_extra);
/* A plain "ack" (no event), when the request has an id. */
void         _confabd_hub_ack               (ConfabdRequest        *request);
/* The live room of @room, borrowed: not to be kept across a storage call
 * (which may yield to other work that forgets it). */
ConfabdLiveRoom *_confabd_hub_lookup_live       (ConfabdHub            *self,
                                             const char            *room);
/* The live rooms now (new references): what to go through when the work on
 * each may let others change the table. */
GPtrArray   *_confabd_hub_dup_live_rooms    (ConfabdHub            *self);
/* The live room of @room, a new reference (NULL: none). */
ConfabdLiveRoom *_confabd_hub_ref_live          (ConfabdHub            *self,
                                             const char            *room);
/* The live room of @room, made if needed: a new reference. */
ConfabdLiveRoom *_confabd_hub_ensure_live       (ConfabdHub            *self,
                                             const char            *room);
void         _confabd_hub_forget_if_idle    (ConfabdHub            *self,
                                             ConfabdLiveRoom           *live);
/* A reply left streaming in the store that nobody relays: stored as
 * interrupted with the text the store has (event stream.ended, broadcast). */
gboolean     _confabd_hub_interrupt_stored  (ConfabdHub            *self,
                                             ConfabdMessage        *message,
                                             GError               **error);
/* Takes the stream of @message_id out of @live and stores its text so
 * far as interrupted (event stream.ended, broadcast). */
void         _confabd_hub_interrupt_stream  (ConfabdHub            *self,
                                             ConfabdLiveRoom       *live,
                                             const char            *message_id);
/* Takes @connection out of @live, with a presence frame to the others when
 * it was the user's last connection there; forgets @live when idle. */
void         _confabd_hub_leave_live        (ConfabdHub            *self,
                                             ConfabdLiveRoom           *live,
                                             ConfabdConnection     *connection);
/* Adds @connection to @live, with a presence frame to the others when the
 * user was not there yet. */
void         _confabd_hub_add_to_live       (ConfabdHub            *self,
                                             ConfabdLiveRoom           *live,
                                             ConfabdConnection     *connection);
/* member.remove: @user's replies in @live are interrupted and their
 * connections leave it. */
void         _confabd_hub_kick              (ConfabdHub            *self,
                                             const char            *room,
                                             const char            *user);

/* confabd-hub-rooms.c */
gboolean     _confabd_hub_room_create       (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_rooms             (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_room_rename       (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_room_delete       (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_invite_create     (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_invites           (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_invite_revoke     (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_invite_accept     (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_join              (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_leave             (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_members           (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_member_role       (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_member_remove     (ConfabdRequest *request, GError **error);

/* confabd-hub-messages.c */
gboolean     _confabd_hub_history           (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_chat_create       (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_chat_rename       (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_message_create    (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_thread_create     (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_message_edit      (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_message_delete    (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_stream_start      (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_stream_delta      (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_stream_end        (ConfabdRequest *request, GError **error);
gboolean     _confabd_hub_typing            (ConfabdRequest *request, GError **error);

G_END_DECLS
