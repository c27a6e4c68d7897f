/* confab-room-sync-events.c: a room's events applied to the local store,
 * each in one transaction with the project's room-seq, in order, once.
 * Events that one of our requests made wait for its answer, which says
 * which local row they are.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-rooms"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "confab-room-sync-private.h"

struct _DeferredEvent
{
  gint64      seq;
  JsonObject *frame;
};

void
_confab_deferred_event_free (DeferredEvent *deferred)
{
  json_object_unref (deferred->frame);
  g_free (deferred);
}

static const char *
me (ConfabRoomSync *self)
{
  return confab_room_client_get_user (self->client);
}

/* Lookups where "not there" is an answer, not an error. */
gboolean
_confab_room_find_chat (ConfabStore    *store,
                        ConfabProject  *project,
                        const char     *remote_id,
                        ConfabChat    **chat,
                        GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  *chat = NULL;
  if (remote_id == NULL)
    return TRUE;

  *chat = confab_store_lookup_chat_by_remote_id (store, project, remote_id, &local_error);
  if (*chat != NULL ||
      g_error_matches (local_error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND))
    return TRUE;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
_confab_room_find_message (ConfabStore    *store,
                           ConfabProject  *project,
                           const char     *remote_id,
                           ConfabMessage **message,
                           GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  *message = NULL;
  if (remote_id == NULL)
    return TRUE;

  *message = confab_store_lookup_message_by_remote_id (store, project, remote_id, &local_error);
  if (*message != NULL ||
      g_error_matches (local_error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND))
    return TRUE;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* ---- Applying one event */

typedef struct
{
  ConfabRoomSync *self;
  ConfabRoom     *room;
  gint64          seq;
  const char     *event;
  const char     *author;
  JsonObject     *data;
  gint64          time;           /* µs; 0: now */
  gint64          bound_chat;     /* our own chat or message, bound */
  gint64          bound_message;
} ApplyContext;

static gboolean
peek_bind (ApplyContext   *ctx,
           ConfabRoomWait  what,
           gint64         *local_id)
{
  return _confab_room_peek_bind (ctx->room, ctx->seq, what, local_id);
}

static gboolean
apply_chat_created (ApplyContext   *ctx,
                    ConfabProject  *project,
                    GError        **error)
{
  ConfabStore *store = ctx->self->store;
  const char *remote_id = _confab_json_str (ctx->data, "chat");
  g_autoptr(ConfabChat) chat = NULL;
  gint64 local_id;

  if (remote_id == NULL)
    return TRUE;

  if (peek_bind (ctx, CONFAB_ROOM_WAIT_CHAT, &local_id) &&
      (chat = confab_store_lookup_chat (store, local_id, NULL)) != NULL)
    {
      ctx->bound_chat = local_id;
      return confab_store_set_chat_remote_id (store, chat, remote_id, error);
    }

  if (!_confab_room_find_chat (store, project, remote_id, &chat, error))
    return FALSE;
  if (chat != NULL)
    return TRUE;

  chat = confab_store_create_chat (store, project, _confab_json_str (ctx->data, "title"), error);
  return chat != NULL && confab_store_set_chat_remote_id (store, chat, remote_id, error);
}

/* The chat and the thread parent (0: the main line) an event names. */
static gboolean
find_place (ApplyContext   *ctx,
            ConfabProject  *project,
            ConfabChat    **chat,
            gint64         *parent_id,
            GError        **error)
{
  ConfabStore *store = ctx->self->store;
  g_autoptr(ConfabMessage) parent = NULL;

  *parent_id = 0;
  if (!_confab_room_find_chat (store, project, _confab_json_str (ctx->data, "chat"), chat, error) ||
      !_confab_room_find_message (store, project, _confab_json_str (ctx->data, "thread"),
                                  &parent, error))
    return FALSE;

  /* A thread whose message is unknown here: keep the reply on the main
   * line rather than lose it. */
  if (parent != NULL && *chat != NULL &&
      confab_message_get_chat_id (parent) == confab_chat_get_id (*chat) &&
      confab_message_get_parent_id (parent) == 0)
    *parent_id = confab_message_get_id (parent);

  return TRUE;
}

static gboolean
apply_message_added (ApplyContext   *ctx,
                     ConfabProject  *project,
                     gboolean        stream,
                     GError        **error)
{
  ConfabStore *store = ctx->self->store;
  const char *remote_id = _confab_json_str (ctx->data, "message");
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(ConfabChat) chat = NULL;
  g_autofree char *provider = NULL;
  ConfabMessageDraft draft = { 0 };
  const char *model = NULL;
  const char *colon;
  gint64 local_id;

  if (remote_id == NULL)
    return TRUE;

  if (peek_bind (ctx, CONFAB_ROOM_WAIT_MESSAGE, &local_id) &&
      (message = confab_store_lookup_message (store, local_id, NULL)) != NULL)
    {
      ctx->bound_message = local_id;
      return confab_store_set_message_remote_id (store, message, remote_id, error);
    }

  /* Ours (bound from the answer), or applied before its seq was. */
  if (!_confab_room_find_message (store, project, remote_id, &message, error))
    return FALSE;
  if (message != NULL)
    return TRUE;

  if (!find_place (ctx, project, &chat, &draft.parent_id, error))
    return FALSE;
  if (chat == NULL)
    {
      g_debug ("Event %" G_GINT64_FORMAT " names an unknown chat; skipped", ctx->seq);
      return TRUE;
    }

  draft.chat_id = confab_chat_get_id (chat);
  draft.input_tokens = -1;
  draft.output_tokens = -1;
  draft.created = ctx->time;

  if (stream)
    {
      const char *known = _confab_room_stream_text (ctx->room, remote_id);

      /* Assistant replies carry their model as author, like local ones. */
      model = _confab_json_str (ctx->data, "model");
      colon = model != NULL ? strchr (model, ':') : NULL;
      if (colon != NULL)
        provider = g_strndup (model, colon - model);
      draft.role = CONFAB_ROLE_ASSISTANT;
      draft.author = model;
      draft.provider = provider;
      draft.model = colon != NULL ? colon + 1 : model;
      draft.content = known != NULL ? known : "";
      draft.status = CONFAB_MESSAGE_STATUS_STREAMING;
    }
  else
    {
      draft.role = CONFAB_ROLE_USER;
      draft.author = ctx->author;
      draft.content = _confab_json_str (ctx->data, "text");
      draft.status = CONFAB_MESSAGE_STATUS_COMPLETE;
    }

  message = confab_store_add_message (store, &draft, error);
  return message != NULL && confab_store_set_message_remote_id (store, message, remote_id, error);
}

static gboolean
apply_stream_ended (ApplyContext   *ctx,
                    ConfabProject  *project,
                    GError        **error)
{
  ConfabStore *store = ctx->self->store;
  const char *remote_id = _confab_json_str (ctx->data, "message");
  const char *text = _confab_json_str (ctx->data, "text");
  const char *status_name = _confab_json_str (ctx->data, "status");
  const char *error_text = _confab_json_str (ctx->data, "error");
  g_autoptr(ConfabMessage) message = NULL;
  ConfabMessageStatus status;

  /* Our own reply still being relayed: the session writes it. */
  if (remote_id == NULL || g_hash_table_contains (ctx->room->relays, remote_id))
    return TRUE;

  if (!_confab_room_find_message (store, project, remote_id, &message, error))
    return FALSE;
  if (message == NULL)
    return TRUE;

  /* The store has no "interrupted": the text so far, as an error. */
  if (!confab_message_status_from_string (status_name, &status) ||
      status == CONFAB_MESSAGE_STATUS_STREAMING)
    {
      status = CONFAB_MESSAGE_STATUS_ERROR;
      if (error_text == NULL)
        error_text = _("The reply was interrupted.");
    }

  if (text == NULL)
    text = confab_message_get_content (message);

  if (status == confab_message_get_status (message) &&
      g_str_equal (text, confab_message_get_content (message)))
    return TRUE;

  return confab_store_set_message_content (store, message, text, error) &&
         confab_store_finish_message (store, message, status, error_text,
                                      confab_message_get_input_tokens (message),
                                      confab_message_get_output_tokens (message), error);
}

static gboolean
apply_message_changed (ApplyContext   *ctx,
                       ConfabProject  *project,
                       gboolean        deleted,
                       GError        **error)
{
  ConfabStore *store = ctx->self->store;
  const char *text = _confab_json_str (ctx->data, "text");
  g_autoptr(ConfabMessage) message = NULL;

  if (!_confab_room_find_message (store, project, _confab_json_str (ctx->data, "message"),
                                  &message, error))
    return FALSE;
  if (message == NULL)
    return TRUE;

  if (deleted)
    return confab_store_delete_message (store, message, error);

  if (text == NULL || g_str_equal (text, confab_message_get_content (message)))
    return TRUE;

  return confab_store_set_message_content (store, message, text, error);
}

static gboolean
apply_renamed (ApplyContext   *ctx,
               ConfabProject  *project,
               GError        **error)
{
  ConfabStore *store = ctx->self->store;
  const char *chat_id = _confab_json_str (ctx->data, "chat");
  const char *name = _confab_json_str (ctx->data, chat_id != NULL ? "title" : "name");
  g_autoptr(ConfabChat) chat = NULL;

  if (name == NULL)
    return TRUE;

  if (chat_id == NULL)
    return g_str_equal (name, confab_project_get_name (project)) ||
           confab_store_rename_project (store, project, name, error);

  if (!_confab_room_find_chat (store, project, chat_id, &chat, error))
    return FALSE;

  return chat == NULL || g_str_equal (name, confab_chat_get_title (chat)) ||
         confab_store_rename_chat (store, chat, name, error);
}

static gboolean
apply_event_cb (ConfabStore    *store,
                ConfabProject  *project,
                gpointer        user_data,
                GError        **error)
{
  ApplyContext *ctx = user_data;
  const char *event = ctx->event;

  if (g_str_equal (event, "chat.created"))
    return apply_chat_created (ctx, project, error);
  if (g_str_equal (event, "message.created"))
    return apply_message_added (ctx, project, FALSE, error);
  if (g_str_equal (event, "stream.started"))
    return apply_message_added (ctx, project, TRUE, error);
  if (g_str_equal (event, "stream.ended"))
    return apply_stream_ended (ctx, project, error);
  if (g_str_equal (event, "message.edited"))
    return apply_message_changed (ctx, project, FALSE, error);
  if (g_str_equal (event, "message.deleted"))
    return apply_message_changed (ctx, project, TRUE, error);
  if (g_str_equal (event, "chat.renamed") || g_str_equal (event, "room.renamed") ||
      g_str_equal (event, "room.created"))
    return apply_renamed (ctx, project, error);

  if (g_str_equal (event, "member.role") &&
      g_strcmp0 (_confab_json_str (ctx->data, "user"), me (ctx->self)) == 0)
    {
      const char *role = _confab_json_str (ctx->data, "role");

      return role == NULL || g_strcmp0 (role, confab_project_get_room_role (project)) == 0 ||
             confab_store_set_project_room_role (store, project, role, error);
    }

  /* thread.created (a thread exists here with its first reply), member
   * events (members are not stored), events of later versions. */
  return TRUE;
}

/* What follows a committed event. FALSE when the room is gone. */
static gboolean
apply_effects (ApplyContext  *ctx,
               ConfabProject *project)
{
  ConfabRoomSync *self = ctx->self;
  ConfabRoom *room = ctx->room;
  const char *event = ctx->event;
  const char *user = _confab_json_str (ctx->data, "user");
  g_autoptr(GError) lost = NULL;

  g_hash_table_remove (room->binds, &ctx->seq);
  if (ctx->bound_chat != 0)
    _confab_room_notify (room, CONFAB_ROOM_WAIT_CHAT, ctx->bound_chat, NULL);
  if (ctx->bound_message != 0)
    _confab_room_notify (room, CONFAB_ROOM_WAIT_MESSAGE, ctx->bound_message, NULL);

  if (g_str_equal (event, "stream.ended"))
    g_hash_table_remove (room->streams, _confab_json_str (ctx->data, "message"));
  else if (g_str_equal (event, "member.joined") || g_str_equal (event, "member.role"))
    _confab_room_upsert_member (room, user, _confab_json_str (ctx->data, "role"), room->joined);
  else if (g_str_equal (event, "member.removed"))
    {
      _confab_room_remove_member (room, user);

      /* In a replay, an old removal: the join itself says we are in. */
      if (room->joined && g_strcmp0 (user, me (self)) == 0)
        lost = g_error_new (CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_FORBIDDEN,
                            _("You were removed from “%s”."),
                            confab_project_get_name (project));
    }
  else if (g_str_equal (event, "room.deleted"))
    lost = g_error_new (CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NOT_FOUND,
                        _("The room “%s” was deleted."), confab_project_get_name (project));

  if (lost != NULL)
    {
      _confab_room_sync_lose (self, room, lost);
      return FALSE;
    }

  return TRUE;
}

/* FALSE when nothing more may be applied now (the room is gone, or waits
 * for a re-join). */
static gboolean
room_apply (ConfabRoomSync *self,
            ConfabRoom     *room,
            gint64          seq,
            JsonObject     *frame)
{
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(GError) error = NULL;
  ApplyContext ctx = { 0 };
  gboolean applied = FALSE;
  gint64 time;

  project = confab_store_lookup_project (self->store, room->project_id, NULL);
  if (project == NULL)
    {
      _confab_room_sync_drop (self, room);
      return FALSE;
    }

  ctx.self = self;
  ctx.room = room;
  ctx.seq = seq;
  ctx.event = _confab_json_str (frame, "event");
  ctx.author = _confab_json_str (frame, "author");
  ctx.data = _confab_json_object (frame, "data");
  time = _confab_json_int (frame, "time");
  ctx.time = time > 0 ? time * 1000 : 0;
  if (ctx.event == NULL)
    ctx.event = "";

  if (!confab_store_apply_room_event (self->store, project, seq, apply_event_cb, &ctx,
                                      &applied, &error))
    {
      g_debug ("Event %" G_GINT64_FORMAT " (%s) of room %s failed: %s",
               seq, ctx.event, room->id, error->message);

      /* A gap (events the store missed): join again from what it has,
       * once per connection so a confused server cannot make us spin. */
      if (g_error_matches (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID) &&
          !room->resynced)
        {
          _confab_room_sync_resync (self, room);
          return FALSE;
        }

      /* Stop here rather than apply later events over a missing one; the
       * next connection joins again from the last applied event. */
      _confab_room_sync_emit_error (self, room->project_id, error);
      room->stalled = TRUE;
      return FALSE;
    }

  if (!applied)
    return TRUE;

  return apply_effects (&ctx, project);
}

void
_confab_room_drain (ConfabRoomSync *self,
                    ConfabRoom     *room)
{
  while (room->n_pending == 0 && !room->stalled && !g_queue_is_empty (&room->deferred))
    {
      DeferredEvent *deferred = g_queue_pop_head (&room->deferred);
      gboolean go_on = room_apply (self, room, deferred->seq, deferred->frame);

      _confab_deferred_event_free (deferred);
      if (!go_on)
        return;
    }
}

void
_confab_room_receive (ConfabRoomSync *self,
                      ConfabRoom     *room,
                      gint64          seq,
                      JsonObject     *frame)
{
  if (room->stalled)
    return;

  /* One of our requests may have made this event: its answer (already
   * received) says so, and must be handled first. */
  if (room->n_pending > 0 || !g_queue_is_empty (&room->deferred))
    {
      DeferredEvent *deferred = g_new0 (DeferredEvent, 1);

      deferred->seq = seq;
      deferred->frame = json_object_ref (frame);
      g_queue_push_tail (&room->deferred, deferred);
      return;
    }

  room_apply (self, room, seq, frame);
}
