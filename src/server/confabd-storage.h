/* confabd-storage.h: where confabd keeps accounts, rooms and their events
 *
 * An interface so another backend (PostgreSQL, for scale-out) can replace
 * SQLite without touching the room logic. Calls are synchronous: the SQLite
 * backend answers in microseconds on the main loop; the PostgreSQL backend
 * bounds every wait (see confabd-pg-db.c), an async variant is future work. Every write is durable when the call returns (the
 * room logic acknowledges an event only after append_event returned TRUE).
 *
 * Errors: CONFABD_STORAGE_ERROR for what the caller can act on (not found,
 * conflict), anything else (G_IO_ERROR…) is an internal failure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CONFABD_STORAGE_ERROR (confabd_storage_error_quark ())

typedef enum
{
  CONFABD_STORAGE_ERROR_NOT_FOUND,
  CONFABD_STORAGE_ERROR_CONFLICT,   /* a unique name taken, a state that does not allow it */
  CONFABD_STORAGE_ERROR_CORRUPT,    /* not a confabd database, or a newer schema */
} ConfabdStorageError;

GQuark confabd_storage_error_quark (void);

/* ---- Records (plain structs, owned by the caller, freed with their _free) */

typedef struct
{
  gint64  id;
  char   *name;
  char   *password_hash;     /* argon2id encoded string */
  gint64  created;           /* Unix seconds */
} ConfabdUser;

typedef struct
{
  char   *id;                /* "r…" */
  char   *name;
  char   *owner;             /* user name */
  gint64  last_seq;
  gint64  created;           /* Unix seconds */
} ConfabdRoom;

typedef struct
{
  char   *user;
  char   *role;              /* "owner", "admin", "member", "viewer" */
  gint64  joined;            /* Unix seconds */
} ConfabdMember;

typedef struct
{
  char   *token_id;          /* a short public id, to list and revoke */
  char   *room;
  char   *role;
  gint64  uses_left;         /* -1: unlimited */
  gint64  expires;           /* Unix seconds */
  char   *created_by;
  gboolean revoked;
} ConfabdInvite;

typedef struct
{
  char      *room;
  gint64     seq;
  char      *event;          /* "message.created"… */
  char      *author;
  gint64     time;           /* Unix milliseconds */
  JsonNode  *data;           /* an object */
} ConfabdEvent;

/* A message's current state, for history pages and permission checks. */
typedef struct
{
  char   *id;                /* "m…" */
  char   *room;
  char   *chat;              /* "c…" */
  char   *thread;            /* the parent message id, or NULL */
  char   *author;
  char   *role;              /* "user" or "assistant" */
  char   *model;             /* PROVIDER:MODEL for assistant messages */
  char   *text;
  char   *status;            /* "complete", "streaming", "interrupted", "error", "cancelled", "deleted" */
  gint64  created;           /* Unix milliseconds */
  gint64  edited;            /* 0 if never */
  gint64  seq;               /* the event that last changed it */
} ConfabdMessage;

/* The string member @member of @event's data, or NULL. */
const char *confabd_event_get_data_string     (const ConfabdEvent  *event,
                                               const char          *member);
/* The same, as a check: G_IO_ERROR_INVALID_ARGUMENT when it is missing. */
gboolean    confabd_event_require_data_string (const ConfabdEvent  *event,
                                               const char          *member,
                                               GError             **error);

void confabd_user_free    (ConfabdUser    *user);
void confabd_room_free    (ConfabdRoom    *room);
void confabd_member_free  (ConfabdMember  *member);
void confabd_invite_free  (ConfabdInvite  *invite);
void confabd_event_free   (ConfabdEvent   *event);
void confabd_message_free (ConfabdMessage *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdUser, confabd_user_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdRoom, confabd_room_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdMember, confabd_member_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdInvite, confabd_invite_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdEvent, confabd_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdMessage, confabd_message_free)

/* ---- The interface */

#define CONFABD_TYPE_STORAGE (confabd_storage_get_type ())
G_DECLARE_INTERFACE (ConfabdStorage, confabd_storage, CONFABD, STORAGE, GObject)

/* A message change that goes with an event, applied in the same transaction
 * as the event (so the message table never disagrees with the log). */
typedef enum
{
  CONFABD_MESSAGE_CHANGE_NONE,
  CONFABD_MESSAGE_CHANGE_INSERT,   /* message: every field but seq */
  CONFABD_MESSAGE_CHANGE_UPDATE,   /* message->id, ->text and ->status (NULL: unchanged), ->edited */
} ConfabdMessageChange;

struct _ConfabdStorageInterface
{
  GTypeInterface parent_iface;

  /* Accounts */
  ConfabdUser   *(*create_user)        (ConfabdStorage *self, const char *name,
                                        const char *password_hash, GError **error);
  ConfabdUser   *(*lookup_user)        (ConfabdStorage *self, const char *name, GError **error);

  /* Sessions: only the SHA-256 (hex) of a token is ever stored. */
  gboolean       (*create_session)     (ConfabdStorage *self, const char *token_hash,
                                        const char *user, gint64 expires, GError **error);
  /* The user of a live session (not expired, not revoked), else NOT_FOUND. */
  char          *(*lookup_session)     (ConfabdStorage *self, const char *token_hash,
                                        gint64 now, gint64 *expires, GError **error);
  gboolean       (*revoke_session)     (ConfabdStorage *self, const char *token_hash, GError **error);

  /* Rooms and members. create_room also makes @owner a member with the
   * role "owner" (same transaction); the owner's role never changes and the
   * owner cannot be removed (CONFLICT), nor can anyone else become "owner". */
  ConfabdRoom   *(*create_room)        (ConfabdStorage *self, const char *id, const char *name,
                                        const char *owner, GError **error);
  ConfabdRoom   *(*lookup_room)        (ConfabdStorage *self, const char *id, GError **error);
  /* The rooms @user belongs to (ConfabdRoom), with *roles (char*) in parallel. */
  GPtrArray     *(*list_rooms)         (ConfabdStorage *self, const char *user,
                                        GPtrArray **roles, GError **error);
  gboolean       (*delete_room)        (ConfabdStorage *self, const char *id, GError **error);
  /* The role, or NULL with NOT_FOUND when @user is not a member. */
  char          *(*lookup_role)        (ConfabdStorage *self, const char *room, const char *user,
                                        GError **error);
  GPtrArray     *(*list_members)       (ConfabdStorage *self, const char *room, GError **error);
  /* Adds or changes (upsert). */
  gboolean       (*set_member)         (ConfabdStorage *self, const char *room, const char *user,
                                        const char *role, GError **error);
  gboolean       (*remove_member)      (ConfabdStorage *self, const char *room, const char *user,
                                        GError **error);

  /* Invites: the token is stored hashed, token_id is public. list_invites
   * gives the ones neither revoked nor used up (expired ones included),
   * oldest first. revoke_invite takes the token_id or the token's hash. */
  gboolean       (*create_invite)      (ConfabdStorage *self, const char *token_hash,
                                        const ConfabdInvite *invite, GError **error);
  GPtrArray     *(*list_invites)       (ConfabdStorage *self, const char *room, GError **error);
  /* The invite whatever its state (NOT_FOUND if none), without using it. */
  ConfabdInvite *(*lookup_invite)      (ConfabdStorage *self, const char *token_hash,
                                        GError **error);
  /* Checks the invite is live at @now (else NOT_FOUND / CONFLICT for used up
   * or expired or revoked) and takes one use, atomically. */
  ConfabdInvite *(*consume_invite)     (ConfabdStorage *self, const char *token_hash,
                                        gint64 now, GError **error);
  gboolean       (*revoke_invite)      (ConfabdStorage *self, const char *room,
                                        const char *token_id, GError **error);

  /* Events: assigns the room's next seq (returned, and set in event->seq),
   * applies the message change, commits durably. On failure nothing changed.
   * The backend also keeps what the event names up to date in the same
   * transaction: chats ("chat.created", "chat.renamed": data.chat, data.title)
   * and the room's name ("room.renamed": data.name). event->time 0: now
   * (set in event->time); an inserted message's created 0: event->time. */
  gint64         (*append_event)       (ConfabdStorage *self, ConfabdEvent *event,
                                        ConfabdMessageChange change,
                                        const ConfabdMessage *message, GError **error);
  /* Events with seq > since, oldest first, at most @limit (0: all). */
  GPtrArray     *(*list_events)        (ConfabdStorage *self, const char *room, gint64 since,
                                        guint limit, GError **error);
  ConfabdMessage *(*lookup_message)    (ConfabdStorage *self, const char *room, const char *id,
                                        GError **error);
  /* A chat's main-line or thread messages (not deleted) before @before (NULL:
   * the newest), at most @limit (0: all), oldest first. @before must be a
   * message of this chat (else NOT_FOUND). */
  GPtrArray     *(*list_messages)      (ConfabdStorage *self, const char *room, const char *chat,
                                        const char *thread, const char *before, guint limit,
                                        GError **error);
  /* FALSE without @error when there is no such chat. */
  gboolean       (*chat_exists)        (ConfabdStorage *self, const char *room, const char *chat,
                                        GError **error);
  /* Messages left "streaming" (by a crash): ConfabdMessage. */
  GPtrArray     *(*list_streaming)     (ConfabdStorage *self, GError **error);
};

/* Thin wrappers, one per vfunc, same arguments. */
ConfabdUser    *confabd_storage_create_user    (ConfabdStorage *self, const char *name,
                                                const char *password_hash, GError **error);
ConfabdUser    *confabd_storage_lookup_user    (ConfabdStorage *self, const char *name,
                                                GError **error);
gboolean        confabd_storage_create_session (ConfabdStorage *self, const char *token_hash,
                                                const char *user, gint64 expires, GError **error);
char           *confabd_storage_lookup_session (ConfabdStorage *self, const char *token_hash,
                                                gint64 now, gint64 *expires, GError **error);
gboolean        confabd_storage_revoke_session (ConfabdStorage *self, const char *token_hash,
                                                GError **error);
ConfabdRoom    *confabd_storage_create_room    (ConfabdStorage *self, const char *id,
                                                const char *name, const char *owner,
                                                GError **error);
ConfabdRoom    *confabd_storage_lookup_room    (ConfabdStorage *self, const char *id,
                                                GError **error);
GPtrArray      *confabd_storage_list_rooms     (ConfabdStorage *self, const char *user,
                                                GPtrArray **roles, GError **error);
gboolean        confabd_storage_delete_room    (ConfabdStorage *self, const char *id,
                                                GError **error);
char           *confabd_storage_lookup_role    (ConfabdStorage *self, const char *room,
                                                const char *user, GError **error);
GPtrArray      *confabd_storage_list_members   (ConfabdStorage *self, const char *room,
                                                GError **error);
gboolean        confabd_storage_set_member     (ConfabdStorage *self, const char *room,
                                                const char *user, const char *role,
                                                GError **error);
gboolean        confabd_storage_remove_member  (ConfabdStorage *self, const char *room,
                                                const char *user, GError **error);
gboolean        confabd_storage_create_invite  (ConfabdStorage *self, const char *token_hash,
                                                const ConfabdInvite *invite, GError **error);
GPtrArray      *confabd_storage_list_invites   (ConfabdStorage *self, const char *room,
                                                GError **error);
ConfabdInvite  *confabd_storage_lookup_invite  (ConfabdStorage *self, const char *token_hash,
                                                GError **error);
ConfabdInvite  *confabd_storage_consume_invite (ConfabdStorage *self, const char *token_hash,
                                                gint64 now, GError **error);
gboolean        confabd_storage_revoke_invite  (ConfabdStorage *self, const char *room,
                                                const char *token_id, GError **error);
gint64          confabd_storage_append_event   (ConfabdStorage *self, ConfabdEvent *event,
                                                ConfabdMessageChange change,
                                                const ConfabdMessage *message, GError **error);
GPtrArray      *confabd_storage_list_events    (ConfabdStorage *self, const char *room,
                                                gint64 since, guint limit, GError **error);
ConfabdMessage *confabd_storage_lookup_message (ConfabdStorage *self, const char *room,
                                                const char *id, GError **error);
GPtrArray      *confabd_storage_list_messages  (ConfabdStorage *self, const char *room,
                                                const char *chat, const char *thread,
                                                const char *before, guint limit,
                                                GError **error);
gboolean        confabd_storage_chat_exists    (ConfabdStorage *self, const char *room,
                                                const char *chat, GError **error);
GPtrArray      *confabd_storage_list_streaming (ConfabdStorage *self, GError **error);

/* Opens the backend a --store value names: "sqlite:PATH" (or NULL: SQLite in
 * @data_dir/confabd.sqlite), or "postgres://…" / "postgresql://…" (a libpq
 * connection URI, given to libpq as is). Other schemes fail with
 * G_IO_ERROR_NOT_SUPPORTED. */
ConfabdStorage *confabd_storage_open           (const char *store_uri, const char *data_dir,
                                                GError **error);

G_END_DECLS
