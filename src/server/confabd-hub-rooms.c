/* confabd-hub-rooms.c: the frames about rooms, invites and members
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "confabd-hub-private.h"

#define INVITE_TOKEN_BYTES      24
#define INVITE_DEFAULT_EXPIRES  (7 * 24 * 3600)
#define INVITE_MAX_EXPIRES      (366 * 24 * 3600)

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---- Rooms */

gboolean
_confabd_hub_room_create (ConfabdRequest  *request,
                          GError         **error)
{
  ConfabdStorage *storage = request->hub->storage;
  g_autoptr(ConfabdRoom) room = NULL;
  g_autoptr(ConfabdEvent) created = NULL;
  g_autoptr(ConfabdEvent) joined = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *id = confab_protocol_new_id ('r');
  const char *name;
  JsonObject *data;
  JsonObject *reply;

  if (!_confabd_hub_get_name (request->frame, "name", FALSE, &name, error))
    return FALSE;

  room = confabd_storage_create_room (storage, id, name, request->user, &local_error);
  if (room == NULL)
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);

  /* create_room made the creator a member, as the owner. */
  data = json_object_new ();
  json_object_set_string_member (data, "name", name);
  created = _confabd_hub_append (request->hub, id, "room.created", request->user, data,
                                 CONFABD_MESSAGE_CHANGE_NONE, NULL, &local_error);
  if (created == NULL)
    goto failed;

  data = json_object_new ();
  json_object_set_string_member (data, "user", request->user);
  json_object_set_string_member (data, "role", "owner");
  joined = _confabd_hub_append (request->hub, id, "member.joined", request->user, data,
                                CONFABD_MESSAGE_CHANGE_NONE, NULL, &local_error);
  if (joined == NULL)
    goto failed;

  g_message ("%s: room %s created by %s", confabd_connection_get_peer (request->connection),
             id, request->user);
  room->last_seq = joined->seq;
  reply = _confabd_hub_reply_new (request, "room");
  json_object_set_object_member (reply, "room", _confabd_hub_room_object (room, "owner"));
  _confabd_hub_reply (request, reply);
  return TRUE;

failed:
  /* Nothing half made stays behind. */
  confabd_storage_delete_room (storage, id, NULL);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
_confabd_hub_rooms (ConfabdRequest  *request,
                    GError         **error)
{
  g_autoptr(GPtrArray) rooms = NULL;
  g_autoptr(GPtrArray) roles = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonArray *array;
  JsonObject *reply;

  rooms = confabd_storage_list_rooms (request->hub->storage, request->user, &roles,
                                      &local_error);
  if (rooms == NULL)
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);

  array = json_array_sized_new (rooms->len);
  for (guint i = 0; i < rooms->len; i++)
    json_array_add_object_element (array,
                                   _confabd_hub_room_object (g_ptr_array_index (rooms, i),
                                                             g_ptr_array_index (roles, i)));

  reply = _confabd_hub_reply_new (request, "rooms");
  json_object_set_array_member (reply, "rooms", array);
  _confabd_hub_reply (request, reply);
  return TRUE;
}

gboolean
_confabd_hub_room_rename (ConfabdRequest  *request,
                          GError         **error)
{
  const char *name;
  JsonObject *data;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_MANAGE_ROOM, error) ||
      !_confabd_hub_get_name (request->frame, "name", FALSE, &name, error))
    return FALSE;

  data = json_object_new ();
  json_object_set_string_member (data, "name", name);
  return _confabd_hub_commit (request, "room.renamed", data, CONFABD_MESSAGE_CHANGE_NONE, NULL,
                              NULL, error);
}

gboolean
_confabd_hub_room_delete (ConfabdRequest  *request,
                          GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *room = NULL;
  g_autoptr(ConfabdEvent) event = NULL;
  ConfabdLiveRoom *live;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_MANAGE_ROOM, error))
    return FALSE;

  /* The last event, seen by everyone in the room, then the room goes; the
   * ack comes once it is gone, so the owner's next frame cannot find it. */
  event = _confabd_hub_append (request->hub, request->room, "room.deleted", request->user,
                               json_object_new (), CONFABD_MESSAGE_CHANGE_NONE, NULL, error);
  if (event == NULL)
    return FALSE;
  _confabd_hub_broadcast (request->hub, event);

  room = g_strdup (request->room);
  live = _confabd_hub_lookup_live (request->hub, room);
  if (live != NULL)
    g_hash_table_remove (request->hub->rooms, room);

  if (!confabd_storage_delete_room (request->hub->storage, room, &local_error))
    g_warning ("Cannot delete room %s: %s", room, local_error->message);
  else
    g_message ("%s: room %s deleted by %s", confabd_connection_get_peer (request->connection),
               room, request->user);
  _confabd_hub_ack_seq (request, event->seq, NULL);
  return TRUE;
}

/* ---- Invites */

/* The public id of an invite, derived from its token so that the token
 * alone is enough to revoke it. */
static char *
invite_token_id (const char *token_hash)
{
  return g_strdup_printf ("i%.16s", token_hash);
}

gboolean
_confabd_hub_invite_create (ConfabdRequest  *request,
                            GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *token_id = NULL;
  const char *role_name;
  ConfabRoomRole role;
  gint64 uses = 1;
  gint64 expires = INVITE_DEFAULT_EXPIRES;
  ConfabdInvite invite = { 0 };
  JsonObject *reply;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_INVITE, error) ||
      !confab_protocol_get_string (request->frame, "role", FALSE, &role_name, error) ||
      !confab_protocol_get_int (request->frame, "uses", TRUE, &uses, error) ||
      !confab_protocol_get_int (request->frame, "expires", TRUE, &expires, error))
    return FALSE;

  if (!confab_room_role_from_string (role_name, &role))
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                   _("“%s” is not a role."), role_name);
      return FALSE;
    }
  if (role == CONFAB_ROOM_ROLE_OWNER)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_FORBIDDEN,
                           _("Nobody can be invited as the owner."));
      return FALSE;
    }
  if (role == CONFAB_ROOM_ROLE_ADMIN &&
      !_confabd_hub_require (request, CONFAB_ACTION_INVITE_ADMIN, error))
    return FALSE;
  if (uses < 0 || uses > G_MAXINT32)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                           _("“uses” must be 0 (unlimited) or more."));
      return FALSE;
    }
  if (expires < 1 || expires > INVITE_MAX_EXPIRES)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                           _("“expires” must be between 1 second and 1 year."));
      return FALSE;
    }

  token = confab_protocol_new_token (INVITE_TOKEN_BYTES);
  token_hash = confab_protocol_hash_token (token);
  token_id = invite_token_id (token_hash);

  invite.token_id = token_id;
  invite.room = (char *) request->room;
  invite.role = (char *) role_name;
  invite.uses_left = uses == 0 ? -1 : uses;
  invite.expires = now_seconds () + expires;
  invite.created_by = (char *) request->user;

  if (!confabd_storage_create_invite (request->hub->storage, token_hash, &invite, &local_error))
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);

  reply = _confabd_hub_reply_new (request, "invite");
  json_object_set_string_member (reply, "room", request->room);
  json_object_set_string_member (reply, "token", token);
  json_object_set_string_member (reply, "token_id", token_id);
  json_object_set_string_member (reply, "role", role_name);
  json_object_set_int_member (reply, "uses", uses);
  json_object_set_int_member (reply, "expires", invite.expires);
  _confabd_hub_reply (request, reply);
  return TRUE;
}

gboolean
_confabd_hub_invites (ConfabdRequest  *request,
                      GError         **error)
{
  g_autoptr(GPtrArray) invites = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 now = now_seconds ();
  JsonArray *array;
  JsonObject *reply;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_INVITE, error))
    return FALSE;

  invites = confabd_storage_list_invites (request->hub->storage, request->room, &local_error);
  if (invites == NULL)
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);

  array = json_array_new ();
  for (guint i = 0; i < invites->len; i++)
    {
      ConfabdInvite *invite = g_ptr_array_index (invites, i);
      JsonObject *object;

      /* Only the ones that still let someone in. */
      if (invite->revoked || invite->expires <= now || invite->uses_left == 0)
        continue;

      object = json_object_new ();
      json_object_set_string_member (object, "token_id", invite->token_id);
      json_object_set_string_member (object, "role", invite->role);
      json_object_set_int_member (object, "uses_left", MAX (invite->uses_left, 0));
      json_object_set_int_member (object, "expires", invite->expires);
      json_object_set_string_member (object, "created_by", invite->created_by);
      json_array_add_object_element (array, object);
    }

  reply = _confabd_hub_reply_new (request, "invites");
  json_object_set_string_member (reply, "room", request->room);
  json_object_set_array_member (reply, "invites", array);
  _confabd_hub_reply (request, reply);
  return TRUE;
}

gboolean
_confabd_hub_invite_revoke (ConfabdRequest  *request,
                            GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *derived = NULL;
  g_autoptr(ConfabdInvite) named = NULL;
  g_autoptr(GPtrArray) invites = NULL;
  const char *token;
  const char *token_id;
  guint i;

  if (!confab_protocol_get_string (request->frame, "token", TRUE, &token, error) ||
      !confab_protocol_get_string (request->frame, "token_id", TRUE, &token_id, error))
    return FALSE;

  if (token != NULL)
    {
      token_hash = confab_protocol_hash_token (token);
      token_id = derived = invite_token_id (token_hash);
    }
  else if (token_id == NULL)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                           _("“token” or “token_id” is missing."));
      return FALSE;
    }

  /* The token names its room, so "room" may be left out with it; the
   * sender must still be allowed to invite there. */
  if (token_hash != NULL && !json_object_has_member (request->frame, "room"))
    {
      named = confabd_storage_lookup_invite (request->hub->storage, token_hash, &local_error);
      if (named == NULL)
        return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error),
                                            _("No such invite."));
      if (!_confabd_hub_enter_room_id (request, named->room, _("No such invite."), error))
        return FALSE;
    }
  else if (!_confabd_hub_enter_room (request, error))
    return FALSE;

  if (!_confabd_hub_require (request, CONFAB_ACTION_INVITE, error))
    return FALSE;

  /* Revoked or used up already: there is nothing to revoke. */
  invites = confabd_storage_list_invites (request->hub->storage, request->room, &local_error);
  if (invites == NULL)
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);
  for (i = 0; i < invites->len; i++)
    {
      ConfabdInvite *invite = g_ptr_array_index (invites, i);

      if (g_str_equal (invite->token_id, token_id) && !invite->revoked && invite->uses_left != 0)
        break;
    }
  if (i == invites->len)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NOT_FOUND,
                           _("No such invite."));
      return FALSE;
    }

  if (!confabd_storage_revoke_invite (request->hub->storage, request->room, token_id,
                                      &local_error))
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error),
                                        _("No such invite."));

  _confabd_hub_ack (request);
  return TRUE;
}

gboolean
_confabd_hub_invite_accept (ConfabdRequest  *request,
                            GError         **error)
{
  ConfabdStorage *storage = request->hub->storage;
  g_autoptr(ConfabdInvite) invite = NULL;
  g_autoptr(ConfabdRoom) room = NULL;
  g_autoptr(ConfabdEvent) event = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *current = NULL;
  const char *token;
  JsonObject *data;
  JsonObject *reply;

  if (!confab_protocol_get_string (request->frame, "token", FALSE, &token, error))
    return FALSE;

  token_hash = confab_protocol_hash_token (token);
  invite = confabd_storage_consume_invite (storage, token_hash, now_seconds (), &local_error);
  if (invite == NULL)
    {
      if (g_error_matches (local_error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT))
        {
          g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_EXPIRED,
                               _("This invite expired, was used up or was revoked."));
          return FALSE;
        }
      return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error),
                                          _("No such invite."));
    }

  room = confabd_storage_lookup_room (storage, invite->room, &local_error);
  if (room == NULL)
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error),
                                        _("No such invite."));

  /* A member already: the invite changes nothing (never a demotion). */
  current = confabd_storage_lookup_role (storage, invite->room, request->user, &local_error);
  if (current == NULL && !g_error_matches (local_error, CONFABD_STORAGE_ERROR,
                                           CONFABD_STORAGE_ERROR_NOT_FOUND))
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);
  g_clear_error (&local_error);

  if (current == NULL)
    {
      if (!confabd_storage_set_member (storage, invite->room, request->user, invite->role,
                                       &local_error))
        return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);

      data = json_object_new ();
      json_object_set_string_member (data, "user", request->user);
      json_object_set_string_member (data, "role", invite->role);
      event = _confabd_hub_append (request->hub, invite->room, "member.joined", request->user,
                                   data, CONFABD_MESSAGE_CHANGE_NONE, NULL, error);
      if (event == NULL)
        {
          confabd_storage_remove_member (storage, invite->room, request->user, NULL);
          return FALSE;
        }
      room->last_seq = event->seq;
      g_message ("%s: %s joined room %s as %s",
                 confabd_connection_get_peer (request->connection), request->user,
                 invite->room, invite->role);
    }

  reply = _confabd_hub_reply_new (request, "room");
  json_object_set_object_member (reply, "room",
                                 _confabd_hub_room_object (room, current != NULL ? current
                                                                                 : invite->role));
  _confabd_hub_reply (request, reply);

  if (event != NULL)
    _confabd_hub_broadcast (request->hub, event);
  return TRUE;
}

/* ---- Joining */

static JsonArray *
members_array (ConfabdLiveRoom *live,
               GPtrArray   *members)
{
  JsonArray *array = json_array_sized_new (members->len);

  for (guint i = 0; i < members->len; i++)
    {
      ConfabdMember *member = g_ptr_array_index (members, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "user", member->user);
      json_object_set_string_member (object, "role", member->role);
      json_object_set_boolean_member (object, "online",
                                      live != NULL && confabd_live_room_is_online (live, member->user));
      json_array_add_object_element (array, object);
    }
  return array;
}

gboolean
_confabd_hub_join (ConfabdRequest  *request,
                   GError         **error)
{
  ConfabdStorage *storage = request->hub->storage;
  g_autoptr(ConfabdRoom) room = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ConfabdLiveRoom) live = NULL;
  JsonArray *streams_array;
  JsonObject *reply;
  GPtrArray *streams;
  gint64 since = 0;
  gint64 read_up_to;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_READ, error) ||
      !confab_protocol_get_int (request->frame, "since", TRUE, &since, error))
    return FALSE;

  if (since < 0)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                           _("“since” must be 0 or more."));
      return FALSE;
    }

  /* The replay must meet the live events exactly, though every read lets
   * other work run (events reach the live room meanwhile, from here or
   * from other instances). So: read, bring the live room up to what was
   * read, and read again until the replay reaches the live room's last
   * seq; then, with no storage call left, join it. */
  room = confabd_storage_lookup_room (storage, request->room, &local_error);
  if (room == NULL)
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error),
                                        _("No such room."));
  members = confabd_storage_list_members (storage, request->room, &local_error);
  if (members == NULL)
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) confabd_event_free);
  read_up_to = since;
  for (;;)
    {
      GPtrArray *more;

      /* After the first read, only what came since. */
      more = confabd_storage_list_events (storage, request->room, read_up_to, 0, &local_error);
      if (more == NULL)
        return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);
      g_ptr_array_extend_and_steal (events, more);
      if (events->len > 0)
        read_up_to = MAX (read_up_to,
                          ((ConfabdEvent *) g_ptr_array_index (events, events->len - 1))->seq);
      read_up_to = MAX (read_up_to, room->last_seq);

      g_clear_object (&live);
      live = _confabd_hub_ensure_live (request->hub, request->room);
      if (!_confabd_hub_catch_up (request->hub, live, read_up_to, &local_error))
        {
          _confabd_hub_forget_if_idle (request->hub, live);
          return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);
        }
      /* Still the room's live room, and the replay reaches its last seq. */
      if (_confabd_hub_lookup_live (request->hub, request->room) == live &&
          confabd_live_room_get_last_seq (live) <= read_up_to)
        break;
    }

  room->last_seq = confabd_live_room_get_last_seq (live);
  while (events->len > 0 &&
         ((ConfabdEvent *) g_ptr_array_index (events, events->len - 1))->seq > room->last_seq)
    g_ptr_array_remove_index (events, events->len - 1);
  _confabd_hub_add_to_live (request->hub, live, request->connection);

  streams = confabd_live_room_get_streams (live);
  streams_array = json_array_sized_new (streams->len);
  for (guint i = 0; i < streams->len; i++)
    {
      ConfabdStream *stream = g_ptr_array_index (streams, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "message", stream->message);
      json_object_set_string_member (object, "chat", stream->chat);
      json_object_set_string_member (object, "text", stream->text->str);
      json_object_set_string_member (object, "author", stream->author);
      json_array_add_object_element (streams_array, object);
    }

  reply = _confabd_hub_reply_new (request, "joined");
  json_object_set_object_member (reply, "room", _confabd_hub_room_object (room,
                                                                          confab_room_role_to_string (request->role)));
  json_object_set_array_member (reply, "members", members_array (live, members));
  json_object_set_int_member (reply, "last_seq", room->last_seq);
  json_object_set_array_member (reply, "streams", streams_array);
  _confabd_hub_reply (request, reply);

  for (guint i = 0; i < events->len; i++)
    {
      g_autoptr(JsonNode) frame = _confabd_hub_event_frame (g_ptr_array_index (events, i));

      confabd_connection_send (request->connection, frame);
    }

  reply = json_object_new ();
  json_object_set_string_member (reply, "type", "synced");
  json_object_set_string_member (reply, "room", request->room);
  json_object_set_int_member (reply, "seq", room->last_seq);
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), reply);

    json_object_unref (reply);
    confabd_connection_send (request->connection, node);
  }

  g_debug ("%s: %s joined %s since %" G_GINT64_FORMAT ", %u events replayed",
           confabd_connection_get_peer (request->connection), request->user, request->room,
           since, events->len);
  return TRUE;
}

gboolean
_confabd_hub_leave (ConfabdRequest  *request,
                    GError         **error)
{
  ConfabdLiveRoom *live;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_READ, error))
    return FALSE;

  live = _confabd_hub_lookup_live (request->hub, request->room);
  if (live != NULL)
    _confabd_hub_leave_live (request->hub, live, request->connection);

  _confabd_hub_ack (request);
  return TRUE;
}

gboolean
_confabd_hub_members (ConfabdRequest  *request,
                      GError         **error)
{
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *reply;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_READ, error))
    return FALSE;

  members = confabd_storage_list_members (request->hub->storage, request->room, &local_error);
  if (members == NULL)
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);

  reply = _confabd_hub_reply_new (request, "members");
  json_object_set_string_member (reply, "room", request->room);
  json_object_set_array_member (reply, "members",
                                members_array (_confabd_hub_lookup_live (request->hub,
                                                                         request->room),
                                               members));
  _confabd_hub_reply (request, reply);
  return TRUE;
}

/* ---- Members */

/* The target's role, with not_found when @user is not a member. */
static gboolean
lookup_target (ConfabdRequest  *request,
               const char      *user,
               ConfabRoomRole      *role,
               GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;

  name = confabd_storage_lookup_role (request->hub->storage, request->room, user, &local_error);
  if (name == NULL)
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error),
                                        _("No such member."));
  if (!confab_room_role_from_string (name, role))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "unknown role “%s” of %s in %s", name, user, request->room);
      return FALSE;
    }
  return TRUE;
}

static gboolean
refuse_owner_change (GError **error)
{
  g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_FORBIDDEN,
                       _("Nobody can change or remove the owner, or make someone the owner."));
  return FALSE;
}

gboolean
_confabd_hub_member_role (ConfabdRequest  *request,
                          GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *user;
  const char *role_name;
  ConfabRoomRole role, current;
  JsonObject *data;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_MANAGE_MEMBERS, error) ||
      !confab_protocol_get_string (request->frame, "user", FALSE, &user, error) ||
      !confab_protocol_get_string (request->frame, "role", FALSE, &role_name, error))
    return FALSE;

  if (!confab_room_role_from_string (role_name, &role))
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                   _("“%s” is not a role."), role_name);
      return FALSE;
    }

  if (!lookup_target (request, user, &current, error))
    return FALSE;
  if (current == CONFAB_ROOM_ROLE_OWNER || role == CONFAB_ROOM_ROLE_OWNER)
    return refuse_owner_change (error);
  if ((current == CONFAB_ROOM_ROLE_ADMIN || role == CONFAB_ROOM_ROLE_ADMIN) &&
      !_confabd_hub_require (request, CONFAB_ACTION_MANAGE_ADMINS, error))
    return FALSE;

  if (current == role)
    {
      _confabd_hub_ack (request);
      return TRUE;
    }

  if (!confabd_storage_set_member (request->hub->storage, request->room, user, role_name,
                                   &local_error))
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);

  data = json_object_new ();
  json_object_set_string_member (data, "user", user);
  json_object_set_string_member (data, "role", role_name);
  if (!_confabd_hub_commit (request, "member.role", data, CONFABD_MESSAGE_CHANGE_NONE, NULL,
                            NULL, error))
    {
      confabd_storage_set_member (request->hub->storage, request->room, user,
                                  confab_room_role_to_string (current), NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
_confabd_hub_member_remove (ConfabdRequest  *request,
                            GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *user;
  ConfabRoomRole current;
  JsonObject *data;

  if (!_confabd_hub_enter_room (request, error) ||
      !confab_protocol_get_string (request->frame, "user", FALSE, &user, error))
    return FALSE;

  if (g_str_equal (user, request->user))
    {
      /* Leaving: anyone but the owner. */
      current = request->role;
      if (current == CONFAB_ROOM_ROLE_OWNER)
        {
          g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_FORBIDDEN,
                               _("The owner cannot leave the room."));
          return FALSE;
        }
    }
  else
    {
      if (!_confabd_hub_require (request, CONFAB_ACTION_MANAGE_MEMBERS, error) ||
          !lookup_target (request, user, &current, error))
        return FALSE;
      if (current == CONFAB_ROOM_ROLE_OWNER)
        return refuse_owner_change (error);
      if (current == CONFAB_ROOM_ROLE_ADMIN &&
          !_confabd_hub_require (request, CONFAB_ACTION_MANAGE_ADMINS, error))
        return FALSE;
    }

  if (!confabd_storage_remove_member (request->hub->storage, request->room, user, &local_error))
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error),
                                        _("No such member."));

  data = json_object_new ();
  json_object_set_string_member (data, "user", user);
  if (!_confabd_hub_commit (request, "member.removed", data, CONFABD_MESSAGE_CHANGE_NONE, NULL,
                            NULL, error))
    {
      confabd_storage_set_member (request->hub->storage, request->room, user,
                                  confab_room_role_to_string (current), NULL);
      return FALSE;
    }

  /* They saw the event; now they are out of the live room. */
  _confabd_hub_kick (request->hub, request->room, user);
  return TRUE;
}
