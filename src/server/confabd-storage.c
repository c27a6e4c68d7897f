/* confabd-storage.c: the storage interface, its records and the backend choice
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <string.h>

#include "confabd-pg-storage.h"
#include "confabd-sqlite-storage.h"
#include "confabd-storage.h"

G_DEFINE_QUARK (confabd-storage-error-quark, confabd_storage_error)

G_DEFINE_INTERFACE (ConfabdStorage, confabd_storage, G_TYPE_OBJECT)

static void
confabd_storage_default_init (ConfabdStorageInterface *iface)
{
}

/* ---- Records */

const char *
confabd_event_get_data_string (const ConfabdEvent *event,
                               const char         *member)
{
  JsonNode *node;

  if (event->data == NULL || !JSON_NODE_HOLDS_OBJECT (event->data))
    return NULL;

  node = json_object_get_member (json_node_get_object (event->data), member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

gboolean
confabd_event_require_data_string (const ConfabdEvent  *event,
                                   const char          *member,
                                   GError             **error)
{
  if (confabd_event_get_data_string (event, member) != NULL)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "The event %s has no string “%s” in its data", event->event, member);
  return FALSE;
}

void
confabd_user_free (ConfabdUser *user)
{
  if (user == NULL)
    return;

  g_free (user->name);
  g_free (user->password_hash);
  g_free (user);
}

void
confabd_room_free (ConfabdRoom *room)
{
  if (room == NULL)
    return;

  g_free (room->id);
  g_free (room->name);
  g_free (room->owner);
  g_free (room);
}

void
confabd_member_free (ConfabdMember *member)
{
  if (member == NULL)
    return;

  g_free (member->user);
  g_free (member->role);
  g_free (member);
}

void
confabd_invite_free (ConfabdInvite *invite)
{
  if (invite == NULL)
    return;

  g_free (invite->token_id);
  g_free (invite->room);
  g_free (invite->role);
  g_free (invite->created_by);
  g_free (invite);
}

void
confabd_event_free (ConfabdEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->room);
  g_free (event->event);
  g_free (event->author);
  g_clear_pointer (&event->data, json_node_unref);
  g_free (event);
}

void
confabd_message_free (ConfabdMessage *message)
{
  if (message == NULL)
    return;

  g_free (message->id);
  g_free (message->room);
  g_free (message->chat);
  g_free (message->thread);
  g_free (message->author);
  g_free (message->role);
  g_free (message->model);
  g_free (message->text);
  g_free (message->status);
  g_free (message);
}

/* ---- Wrappers */

#define STORAGE_CALL(self, vfunc, fail, ...)                                  \
  G_STMT_START {                                                              \
    ConfabdStorageInterface *iface;                                           \
                                                                              \
    g_return_val_if_fail (CONFABD_IS_STORAGE (self), fail);                   \
    g_return_val_if_fail (error == NULL || *error == NULL, fail);             \
                                                                              \
    iface = CONFABD_STORAGE_GET_IFACE (self);                                 \
    g_return_val_if_fail (iface->vfunc != NULL, fail);                        \
    return iface->vfunc (self, __VA_ARGS__);                                  \
  } G_STMT_END

ConfabdUser *
confabd_storage_create_user (ConfabdStorage  *self,
                             const char      *name,
                             const char      *password_hash,
                             GError         **error)
{
  g_return_val_if_fail (name != NULL && password_hash != NULL, NULL);
  STORAGE_CALL (self, create_user, NULL, name, password_hash, error);
}

ConfabdUser *
confabd_storage_lookup_user (ConfabdStorage  *self,
                             const char      *name,
                             GError         **error)
{
  g_return_val_if_fail (name != NULL, NULL);
  STORAGE_CALL (self, lookup_user, NULL, name, error);
}

gboolean
confabd_storage_create_session (ConfabdStorage  *self,
                                const char      *token_hash,
                                const char      *user,
                                gint64           expires,
                                GError         **error)
{
  g_return_val_if_fail (token_hash != NULL && user != NULL, FALSE);
  STORAGE_CALL (self, create_session, FALSE, token_hash, user, expires, error);
}

char *
confabd_storage_lookup_session (ConfabdStorage  *self,
                                const char      *token_hash,
                                gint64           now,
                                gint64          *expires,
                                GError         **error)
{
  g_return_val_if_fail (token_hash != NULL, NULL);
  STORAGE_CALL (self, lookup_session, NULL, token_hash, now, expires, error);
}

gboolean
confabd_storage_revoke_session (ConfabdStorage  *self,
                                const char      *token_hash,
                                GError         **error)
{
  g_return_val_if_fail (token_hash != NULL, FALSE);
  STORAGE_CALL (self, revoke_session, FALSE, token_hash, error);
}

ConfabdRoom *
confabd_storage_create_room (ConfabdStorage  *self,
                             const char      *id,
                             const char      *name,
                             const char      *owner,
                             GError         **error)
{
  g_return_val_if_fail (id != NULL && name != NULL && owner != NULL, NULL);
  STORAGE_CALL (self, create_room, NULL, id, name, owner, error);
}

ConfabdRoom *
confabd_storage_lookup_room (ConfabdStorage  *self,
                             const char      *id,
                             GError         **error)
{
  g_return_val_if_fail (id != NULL, NULL);
  STORAGE_CALL (self, lookup_room, NULL, id, error);
}

GPtrArray *
confabd_storage_list_rooms (ConfabdStorage  *self,
                            const char      *user,
                            GPtrArray      **roles,
                            GError         **error)
{
  g_return_val_if_fail (user != NULL, NULL);
  STORAGE_CALL (self, list_rooms, NULL, user, roles, error);
}

gboolean
confabd_storage_delete_room (ConfabdStorage  *self,
                             const char      *id,
                             GError         **error)
{
  g_return_val_if_fail (id != NULL, FALSE);
  STORAGE_CALL (self, delete_room, FALSE, id, error);
}

char *
confabd_storage_lookup_role (ConfabdStorage  *self,
                             const char      *room,
                             const char      *user,
                             GError         **error)
{
  g_return_val_if_fail (room != NULL && user != NULL, NULL);
  STORAGE_CALL (self, lookup_role, NULL, room, user, error);
}

GPtrArray *
confabd_storage_list_members (ConfabdStorage  *self,
                              const char      *room,
                              GError         **error)
{
  g_return_val_if_fail (room != NULL, NULL);
  STORAGE_CALL (self, list_members, NULL, room, error);
}

gboolean
confabd_storage_set_member (ConfabdStorage  *self,
                            const char      *room,
                            const char      *user,
                            const char      *role,
                            GError         **error)
{
  g_return_val_if_fail (room != NULL && user != NULL && role != NULL, FALSE);
  STORAGE_CALL (self, set_member, FALSE, room, user, role, error);
}

gboolean
confabd_storage_remove_member (ConfabdStorage  *self,
                               const char      *room,
                               const char      *user,
                               GError         **error)
{
  g_return_val_if_fail (room != NULL && user != NULL, FALSE);
  STORAGE_CALL (self, remove_member, FALSE, room, user, error);
}

gboolean
confabd_storage_create_invite (ConfabdStorage       *self,
                               const char           *token_hash,
                               const ConfabdInvite  *invite,
                               GError              **error)
{
  g_return_val_if_fail (token_hash != NULL && invite != NULL, FALSE);
  g_return_val_if_fail (invite->token_id != NULL && invite->room != NULL, FALSE);
  g_return_val_if_fail (invite->role != NULL && invite->created_by != NULL, FALSE);
  STORAGE_CALL (self, create_invite, FALSE, token_hash, invite, error);
}

GPtrArray *
confabd_storage_list_invites (ConfabdStorage  *self,
                              const char      *room,
                              GError         **error)
{
  g_return_val_if_fail (room != NULL, NULL);
  STORAGE_CALL (self, list_invites, NULL, room, error);
}

ConfabdInvite *
confabd_storage_lookup_invite (ConfabdStorage  *self,
                               const char      *token_hash,
                               GError         **error)
{
  g_return_val_if_fail (token_hash != NULL, NULL);
  STORAGE_CALL (self, lookup_invite, NULL, token_hash, error);
}

ConfabdInvite *
confabd_storage_consume_invite (ConfabdStorage  *self,
                                const char      *token_hash,
                                gint64           now,
                                GError         **error)
{
  g_return_val_if_fail (token_hash != NULL, NULL);
  STORAGE_CALL (self, consume_invite, NULL, token_hash, now, error);
}

gboolean
confabd_storage_revoke_invite (ConfabdStorage  *self,
                               const char      *room,
                               const char      *token_id,
                               GError         **error)
{
  g_return_val_if_fail (room != NULL && token_id != NULL, FALSE);
  STORAGE_CALL (self, revoke_invite, FALSE, room, token_id, error);
}

gint64
confabd_storage_append_event (ConfabdStorage        *self,
                              ConfabdEvent          *event,
                              ConfabdMessageChange   change,
                              const ConfabdMessage  *message,
                              GError               **error)
{
  g_return_val_if_fail (event != NULL && event->room != NULL && event->event != NULL, 0);
  g_return_val_if_fail (event->data == NULL || JSON_NODE_HOLDS_OBJECT (event->data), 0);
  g_return_val_if_fail (change == CONFABD_MESSAGE_CHANGE_NONE ||
                        (message != NULL && message->id != NULL), 0);
  g_return_val_if_fail (message == NULL || message->room == NULL ||
                        g_str_equal (message->room, event->room), 0);
  STORAGE_CALL (self, append_event, 0, event, change, message, error);
}

GPtrArray *
confabd_storage_list_events (ConfabdStorage  *self,
                             const char      *room,
                             gint64           since,
                             guint            limit,
                             GError         **error)
{
  g_return_val_if_fail (room != NULL, NULL);
  STORAGE_CALL (self, list_events, NULL, room, since, limit, error);
}

ConfabdMessage *
confabd_storage_lookup_message (ConfabdStorage  *self,
                                const char      *room,
                                const char      *id,
                                GError         **error)
{
  g_return_val_if_fail (room != NULL && id != NULL, NULL);
  STORAGE_CALL (self, lookup_message, NULL, room, id, error);
}

GPtrArray *
confabd_storage_list_messages (ConfabdStorage  *self,
                               const char      *room,
                               const char      *chat,
                               const char      *thread,
                               const char      *before,
                               guint            limit,
                               GError         **error)
{
  g_return_val_if_fail (room != NULL && chat != NULL, NULL);
  STORAGE_CALL (self, list_messages, NULL, room, chat, thread, before, limit, error);
}

gboolean
confabd_storage_chat_exists (ConfabdStorage  *self,
                             const char      *room,
                             const char      *chat,
                             GError         **error)
{
  g_return_val_if_fail (room != NULL && chat != NULL, FALSE);
  STORAGE_CALL (self, chat_exists, FALSE, room, chat, error);
}

GPtrArray *
confabd_storage_list_streaming (ConfabdStorage  *self,
                                GError         **error)
{
  STORAGE_CALL (self, list_streaming, NULL, error);
}

/* ---- Choosing the backend */

ConfabdStorage *
confabd_storage_open (const char  *store_uri,
                      const char  *data_dir,
                      GError     **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (store_uri != NULL || data_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (store_uri == NULL)
    path = g_build_filename (data_dir, "confabd.sqlite", NULL);
  else if (g_str_has_prefix (store_uri, "sqlite:"))
    path = g_strdup (store_uri + strlen ("sqlite:"));
  else if (g_str_has_prefix (store_uri, "postgres://") ||
           g_str_has_prefix (store_uri, "postgresql://"))
    /* A libpq connection URI, as is. */
    return confabd_pg_storage_new (store_uri, error);
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "Unsupported store “%s”: expected sqlite:PATH or postgresql://…",
                   store_uri);
      return NULL;
    }

  if (*path == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The store “%s” names no file: expected sqlite:PATH", store_uri);
      return NULL;
    }

  return confabd_sqlite_storage_new (path, error);
}
