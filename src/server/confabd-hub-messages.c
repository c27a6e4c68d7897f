/* confabd-hub-messages.c: the frames about chats, messages, relayed
 * replies and typing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "confabd-hub-private.h"

#define HISTORY_DEFAULT_LIMIT 50

static gboolean
check_chat (ConfabdRequest  *request,
            const char      *chat,
            GError         **error)
{
  g_autoptr(GError) local_error = NULL;

  if (confabd_storage_chat_exists (request->hub->storage, request->room, chat, &local_error))
    return TRUE;
  if (local_error != NULL)
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), NULL);

  g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NOT_FOUND,
                       _("No such chat."));
  return FALSE;
}

/* A message of the room that is not deleted. */
static ConfabdMessage *
lookup_message (ConfabdRequest  *request,
                const char      *id,
                GError         **error)
{
  g_autoptr(ConfabdMessage) message = NULL;
  g_autoptr(GError) local_error = NULL;

  message = confabd_storage_lookup_message (request->hub->storage, request->room, id,
                                            &local_error);
  if (message == NULL)
    {
      _confabd_hub_storage_failed (error, g_steal_pointer (&local_error), _("No such message."));
      return NULL;
    }
  if (g_strcmp0 (message->status, "deleted") == 0)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NOT_FOUND,
                           _("No such message."));
      return NULL;
    }
  return g_steal_pointer (&message);
}

/* "thread": the parent message of a reply in a thread, in @chat, itself on
 * the chat's main line (threads do not nest). */
static gboolean
check_thread (ConfabdRequest  *request,
              const char      *chat,
              const char      *thread,
              GError         **error)
{
  g_autoptr(ConfabdMessage) parent = NULL;

  if (thread == NULL)
    return TRUE;

  parent = lookup_message (request, thread, error);
  if (parent == NULL)
    return FALSE;

  if (g_strcmp0 (parent->chat, chat) != 0 || parent->thread != NULL)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                           _("A thread starts from a message on its chat’s main line."));
      return FALSE;
    }
  return TRUE;
}

static void
set_string_or_null (JsonObject *object,
                    const char *member,
                    const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, member, value);
  else
    json_object_set_null_member (object, member);
}

/* ---- Chats */

gboolean
_confabd_hub_chat_create (ConfabdRequest  *request,
                          GError         **error)
{
  g_autofree char *id = confab_protocol_new_id ('c');
  const char *title;
  JsonObject *data;
  JsonObject *extra;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_WRITE, error) ||
      !_confabd_hub_get_name (request->frame, "title", FALSE, &title, error))
    return FALSE;

  data = json_object_new ();
  json_object_set_string_member (data, "chat", id);
  json_object_set_string_member (data, "title", title);
  extra = json_object_new ();
  json_object_set_string_member (extra, "chat", id);
  return _confabd_hub_commit (request, "chat.created", data, CONFABD_MESSAGE_CHANGE_NONE, NULL,
                              extra, error);
}

gboolean
_confabd_hub_chat_rename (ConfabdRequest  *request,
                          GError         **error)
{
  const char *chat;
  const char *title;
  JsonObject *data;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_WRITE, error) ||
      !confab_protocol_get_string (request->frame, "chat", FALSE, &chat, error) ||
      !_confabd_hub_get_name (request->frame, "title", FALSE, &title, error) ||
      !check_chat (request, chat, error))
    return FALSE;

  data = json_object_new ();
  json_object_set_string_member (data, "chat", chat);
  json_object_set_string_member (data, "title", title);
  return _confabd_hub_commit (request, "chat.renamed", data, CONFABD_MESSAGE_CHANGE_NONE, NULL,
                              NULL, error);
}

/* ---- History */

static JsonObject *
message_object (ConfabdMessage *message,
                ConfabdLiveRoom    *live)
{
  JsonObject *object = json_object_new ();
  const char *text = message->text != NULL ? message->text : "";

  /* A reply being relayed: what arrived so far, not the empty stored text. */
  if (live != NULL && g_strcmp0 (message->status, "streaming") == 0)
    {
      ConfabdStream *stream = confabd_live_room_lookup_stream (live, message->id);

      if (stream != NULL)
        text = stream->text->str;
    }

  json_object_set_string_member (object, "id", message->id);
  json_object_set_string_member (object, "chat", message->chat);
  set_string_or_null (object, "thread", message->thread);
  json_object_set_string_member (object, "author", message->author);
  json_object_set_string_member (object, "role", message->role);
  set_string_or_null (object, "model", message->model);
  json_object_set_string_member (object, "text", text);
  json_object_set_string_member (object, "status", message->status);
  json_object_set_int_member (object, "created", message->created);
  json_object_set_int_member (object, "edited", message->edited);
  json_object_set_int_member (object, "seq", message->seq);
  return object;
}

gboolean
_confabd_hub_history (ConfabdRequest  *request,
                      GError         **error)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *chat;
  const char *thread;
  const char *before;
  gint64 limit = HISTORY_DEFAULT_LIMIT;
  gboolean more = FALSE;
  ConfabdLiveRoom *live;
  JsonArray *array;
  JsonObject *reply;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_READ, error) ||
      !confab_protocol_get_string (request->frame, "chat", FALSE, &chat, error) ||
      !confab_protocol_get_string (request->frame, "thread", TRUE, &thread, error) ||
      !confab_protocol_get_string (request->frame, "before", TRUE, &before, error) ||
      !confab_protocol_get_int (request->frame, "limit", TRUE, &limit, error) ||
      !check_chat (request, chat, error))
    return FALSE;

  limit = CLAMP (limit, 1, CONFAB_PROTOCOL_MAX_HISTORY);

  /* One more than asked tells whether older ones remain. */
  messages = confabd_storage_list_messages (request->hub->storage, request->room, chat, thread,
                                            before, limit + 1, &local_error);
  if (messages == NULL)
    return _confabd_hub_storage_failed (error, g_steal_pointer (&local_error),
                                        _("No such message."));
  if (messages->len > limit)
    {
      more = TRUE;
      g_ptr_array_remove_range (messages, 0, messages->len - limit);
    }

  live = _confabd_hub_lookup_live (request->hub, request->room);
  array = json_array_sized_new (messages->len);
  for (guint i = 0; i < messages->len; i++)
    json_array_add_object_element (array, message_object (g_ptr_array_index (messages, i), live));

  reply = _confabd_hub_reply_new (request, "history");
  json_object_set_string_member (reply, "room", request->room);
  json_object_set_string_member (reply, "chat", chat);
  set_string_or_null (reply, "thread", thread);
  json_object_set_array_member (reply, "messages", array);
  json_object_set_boolean_member (reply, "more", more);
  _confabd_hub_reply (request, reply);
  return TRUE;
}

/* ---- Messages */

/* A new message of the sender's in @chat (@thread: its parent, or NULL)
 * with @role, and its event's data so far: "message", "chat", "thread". */
static JsonObject *
new_message (ConfabdRequest *request,
             ConfabdMessage *message,
             const char     *id,
             const char     *chat,
             const char     *thread,
             const char     *role)
{
  JsonObject *data;

  message->id = (char *) id;
  message->room = (char *) request->room;
  message->chat = (char *) chat;
  message->thread = (char *) thread;
  message->author = (char *) request->user;
  message->role = (char *) role;
  message->created = _confabd_hub_now_ms ();

  data = json_object_new ();
  json_object_set_string_member (data, "message", id);
  json_object_set_string_member (data, "chat", chat);
  set_string_or_null (data, "thread", thread);
  return data;
}

gboolean
_confabd_hub_message_create (ConfabdRequest  *request,
                             GError         **error)
{
  g_autofree char *id = confab_protocol_new_id ('m');
  const char *chat;
  const char *thread;
  const char *text;
  JsonObject *data;
  JsonObject *extra;
  ConfabdMessage message = { 0 };

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_WRITE, error) ||
      !confab_protocol_get_string (request->frame, "chat", FALSE, &chat, error) ||
      !confab_protocol_get_string (request->frame, "thread", TRUE, &thread, error) ||
      !_confabd_hub_get_text (request->frame, "text", FALSE, &text, error) ||
      !check_chat (request, chat, error) ||
      !check_thread (request, chat, thread, error))
    return FALSE;

  data = new_message (request, &message, id, chat, thread, "user");
  message.text = (char *) text;
  message.status = (char *) "complete";
  json_object_set_string_member (data, "text", text);
  json_object_set_string_member (data, "role", "user");
  extra = json_object_new ();
  json_object_set_string_member (extra, "message", id);
  return _confabd_hub_commit (request, "message.created", data, CONFABD_MESSAGE_CHANGE_INSERT,
                              &message, extra, error);
}

gboolean
_confabd_hub_thread_create (ConfabdRequest  *request,
                            GError         **error)
{
  g_autoptr(ConfabdMessage) parent = NULL;
  const char *id;
  const char *title;
  JsonObject *data;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_WRITE, error) ||
      !confab_protocol_get_string (request->frame, "message", FALSE, &id, error) ||
      !_confabd_hub_get_name (request->frame, "title", TRUE, &title, error))
    return FALSE;

  parent = lookup_message (request, id, error);
  if (parent == NULL)
    return FALSE;
  if (parent->thread != NULL)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                           _("A thread starts from a message on its chat’s main line."));
      return FALSE;
    }

  data = json_object_new ();
  json_object_set_string_member (data, "message", id);
  json_object_set_string_member (data, "chat", parent->chat);
  set_string_or_null (data, "title", title);
  return _confabd_hub_commit (request, "thread.created", data, CONFABD_MESSAGE_CHANGE_NONE,
                              NULL, NULL, error);
}

/* message.edit and message.delete: one's own, or anyone's for admins. */
static ConfabdMessage *
lookup_editable (ConfabdRequest  *request,
                 const char      *id,
                 GError         **error)
{
  g_autoptr(ConfabdMessage) message = lookup_message (request, id, error);

  if (message == NULL)
    return NULL;
  if (!g_str_equal (message->author, request->user) &&
      !_confabd_hub_require (request, CONFAB_ACTION_EDIT_OTHERS, error))
    return NULL;
  if (g_strcmp0 (message->status, "streaming") == 0)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_CONFLICT,
                           _("This reply is still streaming."));
      return NULL;
    }
  return g_steal_pointer (&message);
}

gboolean
_confabd_hub_message_edit (ConfabdRequest  *request,
                           GError         **error)
{
  g_autoptr(ConfabdMessage) message = NULL;
  ConfabdMessage change = { 0 };
  const char *id;
  const char *text;
  JsonObject *data;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_EDIT_OWN, error) ||
      !confab_protocol_get_string (request->frame, "message", FALSE, &id, error) ||
      !_confabd_hub_get_text (request->frame, "text", FALSE, &text, error))
    return FALSE;

  message = lookup_editable (request, id, error);
  if (message == NULL)
    return FALSE;

  change.id = (char *) id;
  change.room = (char *) request->room;
  change.text = (char *) text;
  change.edited = _confabd_hub_now_ms ();

  data = json_object_new ();
  json_object_set_string_member (data, "message", id);
  json_object_set_string_member (data, "text", text);
  return _confabd_hub_commit (request, "message.edited", data, CONFABD_MESSAGE_CHANGE_UPDATE,
                              &change, NULL, error);
}

gboolean
_confabd_hub_message_delete (ConfabdRequest  *request,
                             GError         **error)
{
  g_autoptr(ConfabdMessage) message = NULL;
  ConfabdMessage change = { 0 };
  const char *id;
  JsonObject *data;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_EDIT_OWN, error) ||
      !confab_protocol_get_string (request->frame, "message", FALSE, &id, error))
    return FALSE;

  message = lookup_editable (request, id, error);
  if (message == NULL)
    return FALSE;

  /* The text goes with the message: a deleted message keeps no content. */
  change.id = (char *) id;
  change.room = (char *) request->room;
  change.text = (char *) "";
  change.status = (char *) "deleted";
  change.edited = _confabd_hub_now_ms ();

  data = json_object_new ();
  json_object_set_string_member (data, "message", id);
  return _confabd_hub_commit (request, "message.deleted", data, CONFABD_MESSAGE_CHANGE_UPDATE,
                              &change, NULL, error);
}

/* ---- Relayed replies */

static gboolean
check_model (const char  *model,
             GError     **error)
{
  const char *colon = strchr (model, ':');

  if (colon == NULL || colon == model || colon[1] == '\0' || strlen (model) > CONFABD_MAX_NAME)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                           _("“model” must be PROVIDER:MODEL."));
      return FALSE;
    }
  return TRUE;
}

gboolean
_confabd_hub_stream_start (ConfabdRequest  *request,
                           GError         **error)
{
  g_autofree char *id = confab_protocol_new_id ('m');
  const char *chat;
  const char *thread;
  const char *model;
  ConfabdMessage message = { 0 };
  g_autoptr(ConfabdLiveRoom) live = NULL;
  JsonObject *data;
  JsonObject *extra;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_WRITE, error) ||
      !confab_protocol_get_string (request->frame, "chat", FALSE, &chat, error) ||
      !confab_protocol_get_string (request->frame, "thread", TRUE, &thread, error) ||
      !confab_protocol_get_string (request->frame, "model", FALSE, &model, error) ||
      !check_model (model, error) ||
      !check_chat (request, chat, error) ||
      !check_thread (request, chat, thread, error))
    return FALSE;

  data = new_message (request, &message, id, chat, thread, "assistant");
  message.model = (char *) model;
  message.text = (char *) "";
  message.status = (char *) "streaming";
  json_object_set_string_member (data, "model", model);
  json_object_set_string_member (data, "role", "assistant");
  extra = json_object_new ();
  json_object_set_string_member (extra, "message", id);

  /* Known before the ack goes out, so the first delta finds it. */
  live = _confabd_hub_ensure_live (request->hub, request->room);
  confabd_live_room_add_stream (live, id, chat, request->user, request->connection);

  if (!_confabd_hub_commit (request, "stream.started", data, CONFABD_MESSAGE_CHANGE_INSERT,
                            &message, extra, error))
    {
      confabd_live_room_remove_stream (live, id);
      _confabd_hub_forget_if_idle (request->hub, live);
      return FALSE;
    }
  return TRUE;
}

/* The stream of @id in the request's live room, or NULL; @live_out is set
 * to that room (a new reference, or NULL). */
static ConfabdStream *
own_stream_here (ConfabdRequest   *request,
                 const char       *id,
                 ConfabdLiveRoom **live_out)
{
  g_clear_object (live_out);
  *live_out = _confabd_hub_ref_live (request->hub, request->room);
  return *live_out != NULL ? confabd_live_room_lookup_stream (*live_out, id) : NULL;
}

/* The live stream of "message" relayed by the sender's user (and its live
 * room, a new reference in @live_out): not_found, conflict (not
 * streaming) or forbidden (someone else's) otherwise. The stream is valid
 * until the caller's next storage call. */
static ConfabdStream *
lookup_own_stream (ConfabdRequest    *request,
                   const char        *id,
                   ConfabdLiveRoom  **live_out,
                   GError           **error)
{
  ConfabdStream *stream = own_stream_here (request, id, live_out);
  g_autoptr(ConfabdMessage) message = NULL;

  if (stream == NULL)
    {
      message = lookup_message (request, id, error);
      if (message == NULL)
        return NULL;
      if (!g_str_equal (message->author, request->user))
        goto forbidden;
      /* The read let other work run: the stream may be here now. */
      stream = own_stream_here (request, id, live_out);
    }

  if (stream != NULL)
    {
      if (!g_str_equal (stream->author, request->user))
        goto forbidden;
      /* The caller may have reconnected (here, or here after its instance
       * went away, taking over the mirror): its new connection carries on. */
      if (stream->caller == NULL)
        _confabd_hub_own_stream (request->hub, id);
      stream->caller = request->connection;
      return stream;
    }

  /* Still streaming in the store but not relayed here: its instance died
   * (or this one restarted) and its author carries on through this one.
   * The deltas the old instance had are gone; stream.end brings them all. */
  if (g_strcmp0 (message->status, "streaming") == 0)
    {
      g_clear_object (live_out);
      *live_out = _confabd_hub_ensure_live (request->hub, request->room);
      stream = confabd_live_room_add_stream (*live_out, id, message->chat, request->user,
                                             request->connection);
      g_string_assign (stream->text, message->text != NULL ? message->text : "");
      stream->incomplete = TRUE;
      _confabd_hub_own_stream (request->hub, id);
      g_message ("%s: %s carries on reply %s in %s here",
                 confabd_connection_get_peer (request->connection), request->user, id,
                 request->room);
      return stream;
    }

  g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_CONFLICT,
                       _("This reply is not streaming."));
  return NULL;

forbidden:
  g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_FORBIDDEN,
                       _("Only the one relaying a reply can continue it."));
  return NULL;
}

gboolean
_confabd_hub_stream_delta (ConfabdRequest  *request,
                           GError         **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(ConfabdLiveRoom) live = NULL;
  ConfabdStream *stream;
  const char *id;
  const char *text;
  gint64 offset;
  gsize length;
  JsonObject *frame;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_WRITE, error) ||
      !confab_protocol_get_string (request->frame, "message", FALSE, &id, error) ||
      !_confabd_hub_get_text (request->frame, "text", FALSE, &text, error) ||
      !confab_protocol_get_int (request->frame, "offset", FALSE, &offset, error))
    return FALSE;

  stream = lookup_own_stream (request, id, &live, error);
  if (stream == NULL)
    return FALSE;

  length = strlen (text);
  /* A piece sent again (after a resend) is already there. */
  if (offset >= 0 && (guint64) offset + length <= stream->text->len)
    return TRUE;
  /* Taken over from an instance that went away with some deltas, later
   * ones are relayed as they come (clients place them by offset) and
   * stream.end brings the whole text. */
  if (offset != (gint64) stream->text->len &&
      !(stream->incomplete && offset > (gint64) stream->text->len))
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                   _("The delta’s offset %" G_GINT64_FORMAT " does not follow the %"
                     G_GSIZE_FORMAT " bytes received."), offset, stream->text->len);
      return FALSE;
    }
  if ((guint64) MAX (offset, (gint64) stream->text->len) + length > CONFAB_PROTOCOL_MAX_TEXT)
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                   _("The reply is over %d KiB."), CONFAB_PROTOCOL_MAX_TEXT / 1024);
      return FALSE;
    }

  if (offset == (gint64) stream->text->len)
    g_string_append_len (stream->text, text, length);

  node = _confabd_node_take_object (json_object_new ());
  frame = json_node_get_object (node);
  json_object_set_string_member (frame, "type", "stream.delta");
  json_object_set_string_member (frame, "room", request->room);
  json_object_set_string_member (frame, "message", id);
  json_object_set_string_member (frame, "text", text);
  json_object_set_int_member (frame, "offset", offset);
  json_object_set_string_member (frame, "author", request->user);
  _confabd_hub_relay (request->hub, live, node, request->connection);
  return TRUE;
}

gboolean
_confabd_hub_stream_end (ConfabdRequest  *request,
                         GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ConfabdMessage) message = NULL;
  ConfabdMessage change = { 0 };
  g_autoptr(ConfabdLiveRoom) live = NULL;
  ConfabdStream *stream;
  const char *id;
  const char *text;
  const char *status;
  const char *failure;
  gboolean relayed;
  JsonObject *data;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_WRITE, error) ||
      !confab_protocol_get_string (request->frame, "message", FALSE, &id, error) ||
      !_confabd_hub_get_text (request->frame, "text", TRUE, &text, error) ||
      !confab_protocol_get_string (request->frame, "status", FALSE, &status, error) ||
      !confab_protocol_get_string (request->frame, "error", TRUE, &failure, error))
    return FALSE;

  if (!g_str_equal (status, "complete") && !g_str_equal (status, "error") &&
      !g_str_equal (status, "cancelled"))
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                           _("“status” must be complete, error or cancelled."));
      return FALSE;
    }

  stream = lookup_own_stream (request, id, &live, &local_error);
  if (stream == NULL)
    {
      /* The caller finishing a reply its lost connection left interrupted:
       * accepted once, as the status changes with it. */
      if (!g_error_matches (local_error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_CONFLICT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      message = lookup_message (request, id, error);
      if (message == NULL)
        return FALSE;
      if (g_strcmp0 (message->status, "interrupted") != 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  change.id = (char *) id;
  change.room = (char *) request->room;
  change.text = (char *) text;
  change.status = (char *) status;

  data = json_object_new ();
  json_object_set_string_member (data, "message", id);
  json_object_set_string_member (data, "text", text);
  json_object_set_string_member (data, "status", status);
  set_string_or_null (data, "error", failure);

  /* Only whether it was relayed here counts past the next storage call. */
  relayed = stream != NULL;
  if (!_confabd_hub_commit (request, "stream.ended", data, CONFABD_MESSAGE_CHANGE_UPDATE,
                            &change, NULL, error))
    return FALSE;

  if (relayed)
    {
      confabd_live_room_remove_stream (live, id);
      _confabd_hub_forget_if_idle (request->hub, live);
    }
  return TRUE;
}

/* ---- Typing */

gboolean
_confabd_hub_typing (ConfabdRequest  *request,
                     GError         **error)
{
  g_autoptr(JsonNode) node = NULL;
  const char *chat;
  const char *thread;
  ConfabdLiveRoom *live;
  JsonObject *frame;

  if (!_confabd_hub_enter_room (request, error) ||
      !_confabd_hub_require (request, CONFAB_ACTION_TYPING, error) ||
      !confab_protocol_get_string (request->frame, "chat", FALSE, &chat, error) ||
      !confab_protocol_get_string (request->frame, "thread", TRUE, &thread, error))
    return FALSE;

  live = _confabd_hub_lookup_live (request->hub, request->room);
  if (live == NULL)
    return TRUE;

  node = _confabd_node_take_object (json_object_new ());
  frame = json_node_get_object (node);
  json_object_set_string_member (frame, "type", "typing");
  json_object_set_string_member (frame, "room", request->room);
  json_object_set_string_member (frame, "chat", chat);
  set_string_or_null (frame, "thread", thread);
  json_object_set_string_member (frame, "user", request->user);
  _confabd_hub_relay (request->hub, live, node, request->connection);
  return TRUE;
}
