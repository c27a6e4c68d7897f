/* confab-room-sync-live.c: what a room says beyond its stored events:
 * its members and who is online, other members' replies streaming in
 * (written to their local message as the deltas arrive), typing, and a
 * join's answer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-rooms"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "confab-room-sync-private.h"

/* Another member's reply: the text known so far. Deltas may arrive before
 * their stream.started is applied, or out of order with a join's
 * "streams", so pieces past the end wait in @pieces until they fit. */
struct _RemoteStream
{
  ConfabRoom *room;
  char       *remote_id;
  GString    *text;
  GPtrArray  *pieces;     /* Piece * */
  guint       flush_id;
};

typedef struct
{
  gsize  offset;
  char  *text;
} Piece;

static void
piece_free (Piece *piece)
{
  g_free (piece->text);
  g_free (piece);
}

void
_confab_remote_stream_free (RemoteStream *stream)
{
  g_clear_handle_id (&stream->flush_id, g_source_remove);
  g_string_free (stream->text, TRUE);
  g_ptr_array_unref (stream->pieces);
  g_free (stream->remote_id);
  g_free (stream);
}

static const char *
me (ConfabRoomSync *self)
{
  return confab_room_client_get_user (self->client);
}

/* ---- Members */

static ConfabRoomMember *
find_member (ConfabRoom *room,
             const char *user,
             guint      *position)
{
  GListModel *model = G_LIST_MODEL (room->members);

  for (guint i = 0; user != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ConfabRoomMember) member = g_list_model_get_item (model, i);

      if (g_strcmp0 (confab_room_member_get_user (member), user) == 0)
        {
          if (position != NULL)
            *position = i;
          return member; /* the list holds it */
        }
    }

  return NULL;
}

void
_confab_room_upsert_member (ConfabRoom *room,
                            const char *user,
                            const char *role_name,
                            gboolean    online)
{
  ConfabRoomMember *member = find_member (room, user, NULL);
  ConfabRoomRole role = CONFAB_ROOM_ROLE_NONE;

  if (user == NULL)
    return;

  confab_room_role_from_string (role_name, &role);
  if (member != NULL)
    {
      if (role != CONFAB_ROOM_ROLE_NONE)
        _confab_room_member_set_role (member, role);
      return;
    }

  member = _confab_room_member_new (user, role, online);
  g_list_store_append (room->members, member);
  g_object_unref (member);
}

void
_confab_room_remove_member (ConfabRoom *room,
                            const char *user)
{
  guint position;

  if (find_member (room, user, &position) != NULL)
    g_list_store_remove (room->members, position);
}

void
_confab_room_set_members (ConfabRoomSync *self,
                          ConfabRoom     *room,
                          JsonArray      *members)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  if (members == NULL)
    return;

  /* The objects of members still there are kept, so rows bound to them
   * stay bound. */
  for (guint i = 0; i < json_array_get_length (members); i++)
    {
      JsonNode *node = json_array_get_element (members, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *user = _confab_json_str (object, "user");
      ConfabRoomRole role = CONFAB_ROOM_ROLE_NONE;
      gboolean online = confab_protocol_get_boolean (object, "online", FALSE);
      ConfabRoomMember *member;

      if (user == NULL)
        continue;

      confab_room_role_from_string (_confab_json_str (object, "role"), &role);
      member = find_member (room, user, NULL);
      if (member != NULL)
        {
          g_object_ref (member);
          _confab_room_member_set_role (member, role);
          _confab_room_member_set_online (member, online);
        }
      else
        member = _confab_room_member_new (user, role, online);
      g_ptr_array_add (items, member);
    }

  g_list_store_splice (room->members, 0, g_list_model_get_n_items (G_LIST_MODEL (room->members)),
                       items->pdata, items->len);
}

/* ---- Other members' replies, streaming in */

static gboolean
stream_flush_cb (gpointer user_data)
{
  RemoteStream *stream = user_data;
  ConfabRoomSync *self = stream->room->sync;
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  stream->flush_id = 0;

  project = confab_store_lookup_project (self->store, stream->room->project_id, NULL);
  if (project == NULL ||
      !_confab_room_find_message (self->store, project, stream->remote_id, &message, &error) ||
      message == NULL)
    return G_SOURCE_REMOVE;

  /* Only ever forward: the store may already hold more (the end). */
  if (confab_message_get_status (message) == CONFAB_MESSAGE_STATUS_STREAMING &&
      strlen (confab_message_get_content (message)) < stream->text->len &&
      !confab_store_set_message_content (self->store, message, stream->text->str, &error))
    _confab_room_sync_emit_error (self, stream->room->project_id, error);

  return G_SOURCE_REMOVE;
}

static void
stream_schedule_flush (RemoteStream *stream)
{
  if (stream->flush_id == 0)
    stream->flush_id = g_timeout_add (CONFAB_ROOM_SYNC_FLUSH_MS, stream_flush_cb, stream);
}

/* The stream of @remote_id, created (from what the store has) if needed;
 * NULL when the store holds it finished already. */
static RemoteStream *
stream_get (ConfabRoomSync *self,
            ConfabRoom     *room,
            const char     *remote_id)
{
  RemoteStream *stream = g_hash_table_lookup (room->streams, remote_id);
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(ConfabMessage) message = NULL;

  if (stream != NULL)
    return stream;

  project = confab_store_lookup_project (self->store, room->project_id, NULL);
  if (project == NULL ||
      !_confab_room_find_message (self->store, project, remote_id, &message, NULL))
    return NULL;
  if (message != NULL && confab_message_get_status (message) != CONFAB_MESSAGE_STATUS_STREAMING)
    return NULL;

  stream = g_new0 (RemoteStream, 1);
  stream->room = room;
  stream->remote_id = g_strdup (remote_id);
  stream->text = g_string_new (message != NULL ? confab_message_get_content (message) : NULL);
  stream->pieces = g_ptr_array_new_with_free_func ((GDestroyNotify)piece_free);
  g_hash_table_insert (room->streams, stream->remote_id, stream);

  return stream;
}

/* Adds @text at byte @offset of the reply; what is known already is kept. */
static void
stream_add (RemoteStream *stream,
            gsize         offset,
            const char   *text)
{
  gsize length = strlen (text);
  gboolean grew = TRUE;

  if (offset > stream->text->len)
    {
      Piece *piece = g_new0 (Piece, 1);

      piece->offset = offset;
      piece->text = g_strdup (text);
      g_ptr_array_add (stream->pieces, piece);
      return;
    }

  if (offset + length > stream->text->len)
    g_string_append (stream->text, text + (stream->text->len - offset));

  /* Pieces that fit now. */
  while (grew)
    {
      grew = FALSE;
      for (guint i = 0; i < stream->pieces->len; i++)
        {
          Piece *piece = g_ptr_array_index (stream->pieces, i);
          gsize end = piece->offset + strlen (piece->text);

          if (piece->offset > stream->text->len)
            continue;

          if (end > stream->text->len)
            {
              g_string_append (stream->text, piece->text + (stream->text->len - piece->offset));
              grew = TRUE;
            }
          g_ptr_array_remove_index_fast (stream->pieces, i);
          break;
        }
    }

  stream_schedule_flush (stream);
}

const char *
_confab_room_stream_text (ConfabRoom *room,
                          const char *remote_id)
{
  RemoteStream *stream = g_hash_table_lookup (room->streams, remote_id);

  return stream != NULL ? stream->text->str : NULL;
}

/* ---- Ephemeral frames */

static void
receive_typing (ConfabRoomSync *self,
                ConfabRoom     *room,
                JsonObject     *frame)
{
  const char *user = _confab_json_str (frame, "user");
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(ConfabChat) chat = NULL;
  g_autoptr(ConfabMessage) parent = NULL;

  if (user == NULL || g_strcmp0 (user, me (self)) == 0)
    return;

  project = confab_store_lookup_project (self->store, room->project_id, NULL);
  if (project == NULL ||
      !_confab_room_find_chat (self->store, project, _confab_json_str (frame, "chat"),
                               &chat, NULL) ||
      chat == NULL ||
      !_confab_room_find_message (self->store, project, _confab_json_str (frame, "thread"),
                                  &parent, NULL))
    return;

  _confab_room_sync_emit_typing (self, chat, parent != NULL ? confab_message_get_id (parent) : 0,
                                 user);
}

void
_confab_room_ephemeral (ConfabRoomSync *self,
                        ConfabRoom     *room,
                        JsonObject     *frame)
{
  const char *type = _confab_json_str (frame, "type");

  if (g_strcmp0 (type, "stream.delta") == 0)
    {
      const char *remote_id = _confab_json_str (frame, "message");
      const char *text = _confab_json_str (frame, "text");
      gint64 offset = _confab_json_int (frame, "offset");
      RemoteStream *stream;

      /* Our own, echoed: the session writes it. */
      if (remote_id == NULL || text == NULL || offset < 0 ||
          g_hash_table_contains (room->relays, remote_id))
        return;

      stream = stream_get (self, room, remote_id);
      if (stream != NULL)
        stream_add (stream, offset, text);
    }
  else if (g_strcmp0 (type, "typing") == 0)
    receive_typing (self, room, frame);
  else if (g_strcmp0 (type, "presence") == 0)
    {
      ConfabRoomMember *member = find_member (room, _confab_json_str (frame, "user"), NULL);

      if (member != NULL)
        _confab_room_member_set_online (member,
                                        confab_protocol_get_boolean (frame, "online", FALSE));
    }
}

/* ---- A join's answer: members, our role, the replies streaming now */

gboolean
_confab_room_apply_joined (ConfabRoomSync *self,
                           ConfabRoom     *room,
                           JsonObject     *joined)
{
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *members = _confab_json_array (joined, "members");
  JsonArray *streams = _confab_json_array (joined, "streams");
  const char *role = _confab_json_str (_confab_json_object (joined, "room"), "role");

  project = confab_store_lookup_project (self->store, room->project_id, NULL);
  if (project == NULL)
    return FALSE;

  _confab_room_set_members (self, room, members);

  if (role != NULL && g_strcmp0 (role, confab_project_get_room_role (project)) != 0 &&
      !confab_store_set_project_room_role (self->store, project, role, &error))
    {
      _confab_room_sync_emit_error (self, room->project_id, error);
      g_clear_error (&error);
    }

  for (guint i = 0; streams != NULL && i < json_array_get_length (streams); i++)
    {
      JsonNode *node = json_array_get_element (streams, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *remote_id = _confab_json_str (object, "message");
      const char *text = _confab_json_str (object, "text");
      RemoteStream *stream;

      if (remote_id == NULL || text == NULL || g_hash_table_contains (room->relays, remote_id))
        continue;

      stream = stream_get (self, room, remote_id);
      if (stream != NULL)
        stream_add (stream, 0, text);
    }

  /* Removed while away (the replay had the removal before the join). */
  if (members != NULL && me (self) != NULL && find_member (room, me (self), NULL) == NULL)
    {
      error = g_error_new (CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_FORBIDDEN,
                           _("You are no longer a member of “%s”."),
                           confab_project_get_name (project));
      _confab_room_sync_lose (self, room, error);
      return FALSE;
    }

  return TRUE;
}
