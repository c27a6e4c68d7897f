/* confab-room-sync.c: shared projects: the rooms this sync follows, joining
 * them, and the public API. Applying events is in confab-room-sync-events.c,
 * publishing local changes in confab-room-sync-publish.c.
 *
 * The store is the only state that matters across restarts: a project's
 * room-seq says which events it holds, so joining "since room-seq" after a
 * restart or a reconnection replays exactly what is missing. Everything
 * kept here (answers awaited, streams in progress, members) can be lost
 * and rebuilt from the server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-rooms"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "confab-room-sync-private.h"

G_DEFINE_FINAL_TYPE (ConfabRoomSync, confab_room_sync, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_CLIENT,
  N_PROPS
};

enum {
  TYPING,
  ERROR,
  PROJECT_LOST,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- Servers: the URL as the client was given it, give or take a '/'. */

static gboolean
same_server (const char *a,
             const char *b)
{
  gsize la, lb;

  if (a == NULL || b == NULL)
    return FALSE;

  la = strlen (a);
  lb = strlen (b);
  while (la > 0 && a[la - 1] == '/')
    la--;
  while (lb > 0 && b[lb - 1] == '/')
    lb--;

  return la == lb && g_ascii_strncasecmp (a, b, la) == 0;
}

gboolean
_confab_room_sync_is_mine (ConfabRoomSync *self,
                           ConfabProject  *project)
{
  return confab_project_get_room_id (project) != NULL &&
         same_server (confab_project_get_room_server (project),
                      confab_room_client_get_server_url (self->client));
}

void
_confab_room_sync_emit_error (ConfabRoomSync *self,
                              gint64          project_id,
                              const GError   *error)
{
  g_autoptr(ConfabProject) project = confab_store_lookup_project (self->store, project_id, NULL);

  g_debug ("Room error in project %" G_GINT64_FORMAT ": %s", project_id, error->message);
  if (project != NULL)
    g_signal_emit (self, signals[ERROR], 0, project, error);
}

void
_confab_room_sync_emit_project_lost (ConfabRoomSync *self,
                                     ConfabProject  *project,
                                     const GError   *error)
{
  g_signal_emit (self, signals[PROJECT_LOST], 0, project, error);
}

/* ---- The client's signals */

static void
on_client_event_cb (ConfabRoomClient *client,
                    const char       *room_id,
                    gint64            seq,
                    JsonObject       *frame,
                    ConfabRoomSync   *self)
{
  ConfabRoom *room = _confab_room_sync_lookup_room (self, room_id);

  if (room != NULL)
    _confab_room_receive (self, room, seq, frame);
}

static void
on_client_ephemeral_cb (ConfabRoomClient *client,
                        const char       *room_id,
                        JsonObject       *frame,
                        ConfabRoomSync   *self)
{
  ConfabRoom *room = _confab_room_sync_lookup_room (self, room_id);

  if (room != NULL)
    _confab_room_ephemeral (self, room, frame);
}

static void
on_members_cb (ConfabRoomSync *self,
               ConfabRoom     *room,
               JsonObject     *answer,
               const GError   *error,
               gpointer        user_data)
{
  if (room != NULL && answer != NULL)
    _confab_room_set_members (self, room, _confab_json_array (answer, "members"));
}

static void
on_client_synced_cb (ConfabRoomClient *client,
                     const char       *room_id,
                     gint64            seq,
                     ConfabRoomSync   *self)
{
  ConfabRoom *room = _confab_room_sync_lookup_room (self, room_id);
  JsonObject *frame;

  /* The client re-joined by itself after reconnecting: who is online may
   * have changed meanwhile. (A join of ours reads the "joined" frame.) */
  if (room == NULL || !room->joined)
    return;

  frame = json_object_new ();
  json_object_set_string_member (frame, "type", "members");
  _confab_room_sync_request (self, room, frame, FALSE, on_members_cb, NULL);
}

static void
on_client_room_lost_cb (ConfabRoomClient *client,
                        const char       *room_id,
                        const GError     *error,
                        ConfabRoomSync   *self)
{
  ConfabRoom *room = _confab_room_sync_lookup_room (self, room_id);

  if (room != NULL)
    _confab_room_sync_lose (self, room, error);
}

static void
on_client_state_cb (ConfabRoomClient *client,
                    GParamSpec       *pspec,
                    ConfabRoomSync   *self)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  if (confab_room_client_get_state (client) != CONFAB_ROOM_CLIENT_CONNECTED ||
      confab_room_client_get_user (client) == NULL)
    return;

  /* Ids, not rooms: joining may drop a room whose project is gone. */
  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ids, g_strdup (key));

  /* The client re-joins what it follows; what it does not (never joined,
   * or stalled on an event) is joined here. */
  for (guint i = 0; i < ids->len; i++)
    {
      ConfabRoom *room = _confab_room_sync_lookup_room (self, g_ptr_array_index (ids, i));

      if (room == NULL)
        continue;

      room->resynced = FALSE;
      if (room->stalled)
        _confab_room_sync_resync (self, room);
      else
        _confab_room_join (self, room);
    }

  _confab_room_sync_resend_ends (self);
}

/* ---- GObject */

static void
confab_room_sync_constructed (GObject *object)
{
  ConfabRoomSync *self = (ConfabRoomSync *)object;
  GListModel *projects;

  G_OBJECT_CLASS (confab_room_sync_parent_class)->constructed (object);

  g_signal_connect_object (self->client, "event",
                           G_CALLBACK (on_client_event_cb), self, 0);
  g_signal_connect_object (self->client, "ephemeral",
                           G_CALLBACK (on_client_ephemeral_cb), self, 0);
  g_signal_connect_object (self->client, "synced",
                           G_CALLBACK (on_client_synced_cb), self, 0);
  g_signal_connect_object (self->client, "room-lost",
                           G_CALLBACK (on_client_room_lost_cb), self, 0);
  g_signal_connect_object (self->client, "notify::state",
                           G_CALLBACK (on_client_state_cb), self, 0);
  /* Signing in on a connected client (login after connecting). */
  g_signal_connect_object (self->client, "notify::user",
                           G_CALLBACK (on_client_state_cb), self, 0);

  projects = confab_store_get_projects (self->store);
  for (guint i = 0; i < g_list_model_get_n_items (projects); i++)
    {
      g_autoptr(ConfabProject) project = g_list_model_get_item (projects, i);

      if (_confab_room_sync_is_mine (self, project))
        _confab_room_sync_add_room (self, project);
    }
}

static void
confab_room_sync_dispose (GObject *object)
{
  ConfabRoomSync *self = (ConfabRoomSync *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_pointer (&self->relays, g_ptr_array_unref);
  if (self->rooms != NULL)
    _confab_room_sync_forget_rooms (self);

  G_OBJECT_CLASS (confab_room_sync_parent_class)->dispose (object);
}

static void
confab_room_sync_finalize (GObject *object)
{
  ConfabRoomSync *self = (ConfabRoomSync *)object;

  g_clear_pointer (&self->rooms, g_hash_table_unref);
  g_clear_pointer (&self->members, g_hash_table_unref);
  g_clear_object (&self->no_members);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_room_sync_parent_class)->finalize (object);
}

static void
confab_room_sync_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ConfabRoomSync *self = CONFAB_ROOM_SYNC (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_room_sync_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ConfabRoomSync *self = CONFAB_ROOM_SYNC (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_room_sync_class_init (ConfabRoomSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = confab_room_sync_constructed;
  object_class->dispose = confab_room_sync_dispose;
  object_class->finalize = confab_room_sync_finalize;
  object_class->get_property = confab_room_sync_get_property;
  object_class->set_property = confab_room_sync_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CONFAB_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, CONFAB_TYPE_ROOM_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TYPING] =
    g_signal_new ("typing", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, CONFAB_TYPE_CHAT, G_TYPE_INT64,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, CONFAB_TYPE_PROJECT,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[PROJECT_LOST] =
    g_signal_new ("project-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, CONFAB_TYPE_PROJECT,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
confab_room_sync_init (ConfabRoomSync *self)
{
  self->cancellable = g_cancellable_new ();
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify)_confab_room_free);
  self->members = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->no_members = g_list_store_new (CONFAB_TYPE_ROOM_MEMBER);
  self->relays = g_ptr_array_new_with_free_func ((GDestroyNotify)_confab_relay_free);
}

void
_confab_room_sync_emit_typing (ConfabRoomSync *self,
                               ConfabChat     *chat,
                               gint64          parent_id,
                               const char     *user)
{
  g_signal_emit (self, signals[TYPING], 0, chat, parent_id, user);
}

/* ---- Public API */

ConfabRoomSync *
confab_room_sync_new (ConfabStore      *store,
                      ConfabRoomClient *client)
{
  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);
  g_return_val_if_fail (CONFAB_IS_ROOM_CLIENT (client), NULL);

  return g_object_new (CONFAB_TYPE_ROOM_SYNC,
                       "store", store,
                       "client", client,
                       NULL);
}

ConfabRoomClient *
confab_room_sync_get_client (ConfabRoomSync *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_SYNC (self), NULL);

  return self->client;
}

ConfabStore *
confab_room_sync_get_store (ConfabRoomSync *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_SYNC (self), NULL);

  return self->store;
}

gboolean
confab_room_sync_is_shared (ConfabRoomSync *self,
                            ConfabProject  *project)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_SYNC (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), FALSE);

  return _confab_room_sync_is_mine (self, project);
}

ConfabRoomRole
confab_room_sync_get_role (ConfabRoomSync *self,
                           ConfabProject  *project)
{
  ConfabRoomRole role;

  g_return_val_if_fail (CONFAB_IS_ROOM_SYNC (self), CONFAB_ROOM_ROLE_NONE);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), CONFAB_ROOM_ROLE_NONE);

  if (!_confab_room_sync_is_mine (self, project) ||
      !confab_room_role_from_string (confab_project_get_room_role (project), &role))
    return CONFAB_ROOM_ROLE_NONE;

  return role;
}

/**
 * confab_room_sync_get_members:
 *
 * Returns: (transfer none): a #GListModel of #ConfabRoomMember, alive as
 *   long as the sync (emptied when the project is no longer shared)
 */
GListModel *
confab_room_sync_get_members (ConfabRoomSync *self,
                              ConfabProject  *project)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_SYNC (self), NULL);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), NULL);

  if (!_confab_room_sync_is_mine (self, project))
    return G_LIST_MODEL (self->no_members);

  return G_LIST_MODEL (_confab_room_sync_members_for (self, confab_project_get_id (project)));
}

gboolean
confab_room_sync_can_write (ConfabRoomSync  *self,
                            ConfabChat      *chat,
                            GError         **error)
{
  g_autoptr(ConfabProject) project = NULL;

  g_return_val_if_fail (CONFAB_IS_ROOM_SYNC (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CHAT (chat), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  project = confab_store_lookup_project (self->store, confab_chat_get_project_id (chat), NULL);
  if (project == NULL || !_confab_room_sync_is_mine (self, project))
    return TRUE;

  if (!confab_room_role_allows (confab_room_sync_get_role (self, project), CONFAB_ACTION_WRITE))
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_FORBIDDEN,
                   _("Viewers cannot write in “%s”."), confab_project_get_name (project));
      return FALSE;
    }

  if (confab_room_client_get_state (self->client) != CONFAB_ROOM_CLIENT_CONNECTED)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   _("“%s” is shared and the server cannot be reached."),
                   confab_project_get_name (project));
      return FALSE;
    }

  return TRUE;
}

/* ---- Joining through an invite */

static void
on_invite_joined_cb (ConfabRoomSync *self,
                     const GError   *error,
                     gpointer        user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabProject *project = g_task_get_task_data (task);

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_pointer (task, g_object_ref (project), g_object_unref);
}

static void
on_invite_accepted_cb (ConfabRoomSync *self,
                       ConfabRoom     *unused,
                       JsonObject     *answer,
                       const GError   *error,
                       gpointer        user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *info = _confab_json_object (answer, "room");
  const char *room_id = _confab_json_str (info, "id");
  const char *name = _confab_json_str (info, "name");
  const char *role = _confab_json_str (info, "role");
  const char *server = confab_room_client_get_server_url (self->client);
  GListModel *projects = confab_store_get_projects (self->store);
  ConfabRoom *room;

  if (error != NULL)
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  if (room_id == NULL)
    {
      g_task_return_new_error (task, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                               _("The server’s answer names no room."));
      return;
    }

  /* Already here (an invite accepted twice): the same project. */
  for (guint i = 0; project == NULL && i < g_list_model_get_n_items (projects); i++)
    {
      g_autoptr(ConfabProject) candidate = g_list_model_get_item (projects, i);

      if (_confab_room_sync_is_mine (self, candidate) &&
          g_strcmp0 (confab_project_get_room_id (candidate), room_id) == 0)
        project = g_steal_pointer (&candidate);
    }

  if (project == NULL)
    {
      project = confab_store_create_project (self->store, name != NULL ? name : room_id,
                                             &local_error);
      if (project == NULL ||
          !confab_store_bind_project_room (self->store, project, server, room_id, role, 0,
                                           &local_error))
        {
          if (project != NULL)
            confab_store_delete_project (self->store, project, NULL);
          g_task_return_error (task, g_steal_pointer (&local_error));
          return;
        }
    }

  g_task_set_task_data (task, g_object_ref (project), g_object_unref);
  room = _confab_room_sync_add_room (self, project);
  _confab_room_wait (room, CONFAB_ROOM_WAIT_JOINED, 0, on_invite_joined_cb,
                     g_steal_pointer (&task));
}

void
confab_room_sync_join_async (ConfabRoomSync      *self,
                             const char          *invite,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  JsonObject *frame;

  g_return_if_fail (CONFAB_IS_ROOM_SYNC (self));
  g_return_if_fail (invite != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_room_sync_join_async);

  frame = json_object_new ();
  json_object_set_string_member (frame, "type", "invite.accept");
  json_object_set_string_member (frame, "token", invite);
  _confab_room_sync_request (self, NULL, frame, FALSE, on_invite_accepted_cb,
                             g_steal_pointer (&task));
}

/**
 * confab_room_sync_join_finish:
 *
 * Returns: (transfer full) (nullable): the project
 */
ConfabProject *
confab_room_sync_join_finish (ConfabRoomSync  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_SYNC (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
