/* confab-room-sync-private.h: what confab-room-sync.c (rooms, joining,
 * applying events) and confab-room-sync-publish.c (sharing, relaying local
 * replies) share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-room-sync.h"

G_BEGIN_DECLS

/* Stream deltas are coalesced both ways: at most this often a frame is sent
 * for a local reply (the server allows 40 frames a second) and a remote
 * reply is written to the store. */
#define CONFAB_ROOM_SYNC_FLUSH_MS 100
#define CONFAB_ROOM_SYNC_TYPING_INTERVAL_US (3 * G_USEC_PER_SEC)

typedef enum
{
  CONFAB_ROOM_WAIT_JOINED,    /* the join's replay is applied */
  CONFAB_ROOM_WAIT_CHAT,      /* a local chat has its remote id */
  CONFAB_ROOM_WAIT_MESSAGE,   /* a local message has its remote id */
} ConfabRoomWait;

typedef struct _ConfabRoom    ConfabRoom;
typedef struct _ConfabRelay   ConfabRelay;
typedef struct _DeferredEvent DeferredEvent;
typedef struct _RemoteStream  RemoteStream;

/* @error is NULL when what was waited for happened. */
typedef void (*ConfabRoomWaitFunc)    (ConfabRoomSync *self,
                                       const GError   *error,
                                       gpointer        user_data);
/* @room is NULL when the room was lost meanwhile; @answer NULL on error. */
typedef void (*ConfabRoomRequestFunc) (ConfabRoomSync *self,
                                       ConfabRoom     *room,
                                       JsonObject     *answer,
                                       const GError   *error,
                                       gpointer        user_data);

/* One bound project of this sync's server. */
struct _ConfabRoom
{
  ConfabRoomSync *sync;
  char           *id;
  gint64          project_id;
  GListStore     *members;          /* ConfabRoomMember, owned by sync->members */
  guint           joining : 1;
  guint           joined : 1;       /* the join completed; the client follows it */
  guint           stalled : 1;      /* an event failed: re-joined on reconnection */
  guint           resynced : 1;     /* re-joined after a gap on this connection */
  guint           join_serial;      /* the join in flight; older answers are ignored */
  /* Requests in flight whose answer tells which event is ours: events wait
   * in @deferred until they are answered (the server answers first, but
   * the answer's callback may run later). */
  guint           n_pending;
  GQueue          deferred;         /* DeferredEvent * */
  GHashTable     *binds;            /* seq (gint64 *) -> Bind *: our own events */
  GHashTable     *creating_chats;   /* local ids (gint64 *) being published */
  GHashTable     *creating_messages;
  GPtrArray      *waiters;
  GHashTable     *streams;          /* remote id -> RemoteStream *: others' replies */
  GHashTable     *relays;           /* remote id -> ConfabRelay * (borrowed): ours */
  GHashTable     *typing;           /* "chat/parent" -> last sent (monotonic µs) */
};

struct _ConfabRoomSync
{
  GObject           parent_instance;

  ConfabStore      *store;
  ConfabRoomClient *client;
  GCancellable     *cancellable;
  GHashTable       *rooms;          /* room id -> ConfabRoom * */
  GHashTable       *members;        /* project id (gint64 *) -> GListStore */
  GListStore       *no_members;
  GPtrArray        *relays;         /* ConfabRelay *, owned */
};

/* ---- confab-room-sync.c */
gboolean     _confab_room_sync_is_mine        (ConfabRoomSync        *self,
                                               ConfabProject         *project);
void         _confab_room_sync_emit_error     (ConfabRoomSync        *self,
                                               gint64                 project_id,
                                               const GError          *error);
void         _confab_room_sync_emit_project_lost (ConfabRoomSync     *self,
                                                  ConfabProject      *project,
                                                  const GError       *error);
void         _confab_room_sync_emit_typing    (ConfabRoomSync        *self,
                                               ConfabChat            *chat,
                                               gint64                 parent_id,
                                               const char            *user);

/* ---- confab-room-sync-rooms.c */
/* The members list of a project, kept for the sync's lifetime. */
GListStore  *_confab_room_sync_members_for    (ConfabRoomSync        *self,
                                               gint64                 project_id);
void         _confab_room_free                (ConfabRoom            *room);
/* Drops every room, telling whoever waits (the sync is disposed). */
void         _confab_room_sync_forget_rooms   (ConfabRoomSync        *self);
ConfabRoom  *_confab_room_sync_lookup_room    (ConfabRoomSync        *self,
                                               const char            *room_id);
/* The room of a chat's project, or NULL when it is not shared here. */
ConfabRoom  *_confab_room_sync_room_for_chat  (ConfabRoomSync        *self,
                                               ConfabChat            *chat);
/* Follows a project just bound to a room: joins it from its room-seq. */
ConfabRoom  *_confab_room_sync_add_room       (ConfabRoomSync        *self,
                                               ConfabProject         *project);
/* Joins from the project's room-seq, when connected, signed in and not
 * joined or joining already. */
void         _confab_room_join                (ConfabRoomSync        *self,
                                               ConfabRoom            *room);
/* Sends @frame (taken; "room" is set from @room when given). With
 * @creates, the room's events wait until the answer is handled. */
void         _confab_room_sync_request        (ConfabRoomSync        *self,
                                               ConfabRoom            *room,
                                               JsonObject            *frame,
                                               gboolean               creates,
                                               ConfabRoomRequestFunc  func,
                                               gpointer               user_data);
/* Calls @func once @what (@local_id for a chat or message) is true, at
 * once if it is already, or with an error if it cannot become true. */
void         _confab_room_wait                (ConfabRoom            *room,
                                               ConfabRoomWait         what,
                                               gint64                 local_id,
                                               ConfabRoomWaitFunc     func,
                                               gpointer               user_data);
gboolean     _confab_room_has_waiters         (ConfabRoom            *room,
                                               ConfabRoomWait         what,
                                               gint64                 local_id);
void         _confab_room_notify              (ConfabRoom            *room,
                                               ConfabRoomWait         what,
                                               gint64                 local_id,
                                               const GError          *error);
/* The event @seq (from an answer) is ours: it binds @local_id instead of
 * creating a row. */
void         _confab_room_bind_seq            (ConfabRoom            *room,
                                               gint64                 seq,
                                               ConfabRoomWait         what,
                                               gint64                 local_id);
gboolean     _confab_room_peek_bind           (ConfabRoom            *room,
                                               gint64                 seq,
                                               ConfabRoomWait         what,
                                               gint64                *local_id);
/* Removed from the room, or it was deleted: @room is freed, the project
 * unbound, ::project-lost emitted. */
void         _confab_room_sync_lose           (ConfabRoomSync        *self,
                                               ConfabRoom            *room,
                                               const GError          *error);
/* The project was deleted here: stops following its room (the membership
 * stays). @room is freed. */
void         _confab_room_sync_drop           (ConfabRoomSync        *self,
                                               ConfabRoom            *room);
/* Joins again from the project's room-seq. */
void         _confab_room_sync_resync         (ConfabRoomSync        *self,
                                               ConfabRoom            *room);

/* ---- confab-room-sync-events.c */
void         _confab_deferred_event_free      (DeferredEvent         *deferred);
/* Lookups by remote id where "none" is an answer (TRUE, *out NULL). */
gboolean     _confab_room_find_chat           (ConfabStore           *store,
                                               ConfabProject         *project,
                                               const char            *remote_id,
                                               ConfabChat           **chat,
                                               GError               **error);
gboolean     _confab_room_find_message        (ConfabStore           *store,
                                               ConfabProject         *project,
                                               const char            *remote_id,
                                               ConfabMessage        **message,
                                               GError               **error);
/* An event from the client: applied now, or once our answers are in. */
void         _confab_room_receive             (ConfabRoomSync        *self,
                                               ConfabRoom            *room,
                                               gint64                 seq,
                                               JsonObject            *frame);
/* Applies the events that waited, when no answer is awaited any more. */
void         _confab_room_drain               (ConfabRoomSync        *self,
                                               ConfabRoom            *room);

/* ---- confab-room-sync-live.c */
void         _confab_remote_stream_free       (RemoteStream          *stream);
/* What is known of another member's reply, or NULL. */
const char  *_confab_room_stream_text         (ConfabRoom            *room,
                                               const char            *remote_id);
void         _confab_room_upsert_member       (ConfabRoom            *room,
                                               const char            *user,
                                               const char            *role,
                                               gboolean               online);
void         _confab_room_remove_member       (ConfabRoom            *room,
                                               const char            *user);
void         _confab_room_ephemeral           (ConfabRoomSync        *self,
                                               ConfabRoom            *room,
                                               JsonObject            *frame);
void         _confab_room_set_members         (ConfabRoomSync        *self,
                                               ConfabRoom            *room,
                                               JsonArray             *members);
/* FALSE when the room was lost (we are not a member any more). */
gboolean     _confab_room_apply_joined        (ConfabRoomSync        *self,
                                               ConfabRoom            *room,
                                               JsonObject            *joined);

/* ---- confab-room-sync-publish.c */
/* chat.create, once; its remote id follows (wait for CONFAB_ROOM_WAIT_CHAT). */
void         _confab_room_publish_chat        (ConfabRoomSync        *self,
                                               ConfabRoom            *room,
                                               ConfabChat            *chat);
/* message.create; FALSE when its chat or thread is not shared yet. */
gboolean     _confab_room_publish_user_message (ConfabRoomSync       *self,
                                                ConfabRoom           *room,
                                                ConfabMessage        *message);
/* A frame of @type with the message's "chat" and "thread", or NULL when
 * they are not shared yet. */
JsonObject  *_confab_room_placed_frame        (ConfabRoomSync        *self,
                                               const char            *type,
                                               ConfabMessage         *message);
/* "PROVIDER:MODEL" of an assistant message. */
char        *_confab_message_model_id         (ConfabMessage         *message);
JsonObject  *_confab_stream_end_frame         (const char            *remote_id,
                                               const char            *text,
                                               ConfabMessageStatus    status,
                                               const char            *error_text);
void         _confab_relay_free               (ConfabRelay           *relay);
/* Sends again the ends of replies that could not be sent while offline. */
void         _confab_room_sync_resend_ends    (ConfabRoomSync        *self);

/* ---- confab-room-member.c */
ConfabRoomMember *_confab_room_member_new        (const char       *user,
                                                  ConfabRoomRole    role,
                                                  gboolean          online);
void              _confab_room_member_set_role   (ConfabRoomMember *self,
                                                  ConfabRoomRole    role);
void              _confab_room_member_set_online (ConfabRoomMember *self,
                                                  gboolean          online);

/* ---- Frame members, leniently: NULL/-1 when missing or of another type. */
static inline const char *
_confab_json_str (JsonObject *object,
                  const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static inline gint64
_confab_json_int (JsonObject *object,
                  const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;

  return json_node_get_int (node);
}

static inline JsonObject *
_confab_json_object (JsonObject *object,
                     const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static inline JsonArray *
_confab_json_array (JsonObject *object,
                    const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

G_END_DECLS
