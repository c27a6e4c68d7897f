/* confabd-live-room.c: a room's live state in confabd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include "confabd-live-room.h"

struct _ConfabdLiveRoom
{
  GObject     parent_instance;

  char       *id;
  GPtrArray  *connections;   /* ConfabdConnection, owned */
  GHashTable *online;        /* user → number of their connections in the room */
  GHashTable *remote;        /* user → set of the other instances they are online on */
  GPtrArray  *streams;       /* ConfabdStream, oldest first */
  gint64      last_seq;
  GPtrArray  *held;          /* ConfabdEvent past a gap, by seq */
};

G_DEFINE_FINAL_TYPE (ConfabdLiveRoom, confabd_live_room, G_TYPE_OBJECT)

void
confabd_stream_free (ConfabdStream *stream)
{
  g_free (stream->message);
  g_free (stream->chat);
  g_free (stream->author);
  g_string_free (stream->text, TRUE);
  g_free (stream);
}

ConfabdLiveRoom *
confabd_live_room_new (const char *id)
{
  ConfabdLiveRoom *self;

  g_return_val_if_fail (id != NULL, NULL);

  self = g_object_new (CONFABD_TYPE_LIVE_ROOM, NULL);
  self->id = g_strdup (id);
  return self;
}

const char *
confabd_live_room_get_id (ConfabdLiveRoom *self)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), NULL);

  return self->id;
}

gboolean
confabd_live_room_add_connection (ConfabdLiveRoom       *self,
                             ConfabdConnection *connection)
{
  const char *user = confabd_connection_get_user (connection);
  guint count;

  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (g_ptr_array_find (self->connections, connection, NULL))
    return FALSE;

  g_ptr_array_add (self->connections, g_object_ref (connection));
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->online, user));
  g_hash_table_insert (self->online, g_strdup (user), GUINT_TO_POINTER (count + 1));
  return count == 0;
}

gboolean
confabd_live_room_remove_connection (ConfabdLiveRoom       *self,
                                ConfabdConnection *connection)
{
  const char *user = confabd_connection_get_user (connection);
  guint count;

  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), FALSE);

  /* The user is read before the connection may lose its last reference. */
  if (user == NULL || !g_ptr_array_find (self->connections, connection, NULL))
    return FALSE;

  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->online, user));
  if (count <= 1)
    g_hash_table_remove (self->online, user);
  else
    g_hash_table_insert (self->online, g_strdup (user), GUINT_TO_POINTER (count - 1));

  g_ptr_array_remove (self->connections, connection);
  return count <= 1;
}

gboolean
confabd_live_room_has_connection (ConfabdLiveRoom       *self,
                             ConfabdConnection *connection)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), FALSE);

  return g_ptr_array_find (self->connections, connection, NULL);
}

GPtrArray *
confabd_live_room_get_connections (ConfabdLiveRoom *self)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), NULL);

  return self->connections;
}

gboolean
confabd_live_room_is_online (ConfabdLiveRoom *self,
                             const char      *user)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), FALSE);

  return g_hash_table_contains (self->online, user) || g_hash_table_contains (self->remote, user);
}

gboolean
confabd_live_room_is_online_here (ConfabdLiveRoom *self,
                                  const char      *user)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), FALSE);

  return g_hash_table_contains (self->online, user);
}

gboolean
confabd_live_room_is_online_elsewhere (ConfabdLiveRoom *self,
                                       const char      *user)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), FALSE);

  return g_hash_table_contains (self->remote, user);
}

GList *
confabd_live_room_get_users_here (ConfabdLiveRoom *self)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), NULL);

  return g_hash_table_get_keys (self->online);
}

void
confabd_live_room_set_remote (ConfabdLiveRoom *self,
                              const char      *user,
                              const char      *instance,
                              gboolean         online)
{
  GHashTable *instances;

  g_return_if_fail (CONFABD_IS_LIVE_ROOM (self));

  instances = g_hash_table_lookup (self->remote, user);
  if (online)
    {
      if (instances == NULL)
        {
          instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_hash_table_insert (self->remote, g_strdup (user), instances);
        }
      g_hash_table_add (instances, g_strdup (instance));
    }
  else if (instances != NULL)
    {
      g_hash_table_remove (instances, instance);
      if (g_hash_table_size (instances) == 0)
        g_hash_table_remove (self->remote, user);
    }
}

GList *
confabd_live_room_get_remote_users (ConfabdLiveRoom *self)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), NULL);

  return g_hash_table_get_keys (self->remote);
}

void
confabd_live_room_clear_remote (ConfabdLiveRoom *self)
{
  g_return_if_fail (CONFABD_IS_LIVE_ROOM (self));

  g_hash_table_remove_all (self->remote);
}

void
confabd_live_room_send_text (ConfabdLiveRoom       *self,
                        const char        *text,
                        ConfabdConnection *except)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_if_fail (CONFABD_IS_LIVE_ROOM (self));

  for (guint i = 0; i < self->connections->len; i++)
    {
      ConfabdConnection *connection = g_ptr_array_index (self->connections, i);

      /* An ended session sees nothing more, though it sent no frame since. */
      if (connection != except && !confabd_connection_session_ended (connection, now))
        confabd_connection_send_text (connection, text);
    }
}

ConfabdStream *
confabd_live_room_add_stream (ConfabdLiveRoom       *self,
                         const char        *message,
                         const char        *chat,
                         const char        *author,
                         ConfabdConnection *caller)
{
  ConfabdStream *stream;

  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), NULL);
  g_return_val_if_fail (confabd_live_room_lookup_stream (self, message) == NULL, NULL);

  stream = g_new0 (ConfabdStream, 1);
  stream->message = g_strdup (message);
  stream->chat = g_strdup (chat);
  stream->author = g_strdup (author);
  stream->text = g_string_new (NULL);
  stream->caller = caller;
  g_ptr_array_add (self->streams, stream);
  return stream;
}

ConfabdStream *
confabd_live_room_lookup_stream (ConfabdLiveRoom *self,
                            const char  *message)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), NULL);

  /* A handful of replies at a time: a scan is all it takes. */
  for (guint i = 0; i < self->streams->len; i++)
    {
      ConfabdStream *stream = g_ptr_array_index (self->streams, i);

      if (g_str_equal (stream->message, message))
        return stream;
    }
  return NULL;
}

GPtrArray *
confabd_live_room_get_streams (ConfabdLiveRoom *self)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), NULL);

  return self->streams;
}

void
confabd_live_room_remove_stream (ConfabdLiveRoom *self,
                            const char  *message)
{
  ConfabdStream *stream;

  g_return_if_fail (CONFABD_IS_LIVE_ROOM (self));

  stream = confabd_live_room_lookup_stream (self, message);
  if (stream != NULL)
    g_ptr_array_remove (self->streams, stream);
}

ConfabdStream *
confabd_live_room_steal_stream (ConfabdLiveRoom *self,
                                const char      *message)
{
  ConfabdStream *stream;
  guint index;

  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), NULL);

  stream = confabd_live_room_lookup_stream (self, message);
  if (stream == NULL || !g_ptr_array_find (self->streams, stream, &index))
    return NULL;
  return g_ptr_array_steal_index (self->streams, index);
}

gint64
confabd_live_room_get_last_seq (ConfabdLiveRoom *self)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), 0);

  return self->last_seq;
}

void
confabd_live_room_set_last_seq (ConfabdLiveRoom *self,
                                gint64           seq)
{
  g_return_if_fail (CONFABD_IS_LIVE_ROOM (self));

  self->last_seq = seq;
}

void
confabd_live_room_hold_event (ConfabdLiveRoom *self,
                              ConfabdEvent    *event)
{
  guint i;

  g_return_if_fail (CONFABD_IS_LIVE_ROOM (self));

  for (i = self->held->len; i > 0; i--)
    {
      ConfabdEvent *other = g_ptr_array_index (self->held, i - 1);

      if (other->seq == event->seq)
        {
          confabd_event_free (event);
          return;
        }
      if (other->seq < event->seq)
        break;
    }
  g_ptr_array_insert (self->held, i, event);
}

ConfabdEvent *
confabd_live_room_pop_held (ConfabdLiveRoom *self,
                            gint64           up_to)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), NULL);

  if (self->held->len == 0 || ((ConfabdEvent *) g_ptr_array_index (self->held, 0))->seq > up_to)
    return NULL;
  return g_ptr_array_steal_index (self->held, 0);
}

gint64
confabd_live_room_get_held_until (ConfabdLiveRoom *self)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), 0);

  if (self->held->len == 0)
    return 0;
  return ((ConfabdEvent *) g_ptr_array_index (self->held, self->held->len - 1))->seq;
}

gboolean
confabd_live_room_is_idle (ConfabdLiveRoom *self)
{
  g_return_val_if_fail (CONFABD_IS_LIVE_ROOM (self), FALSE);

  return self->connections->len == 0 && self->streams->len == 0;
}

static void
confabd_live_room_finalize (GObject *object)
{
  ConfabdLiveRoom *self = CONFABD_LIVE_ROOM (object);

  g_clear_pointer (&self->connections, g_ptr_array_unref);
  g_clear_pointer (&self->online, g_hash_table_unref);
  g_clear_pointer (&self->remote, g_hash_table_unref);
  g_clear_pointer (&self->streams, g_ptr_array_unref);
  g_clear_pointer (&self->held, g_ptr_array_unref);
  g_free (self->id);

  G_OBJECT_CLASS (confabd_live_room_parent_class)->finalize (object);
}

static void
confabd_live_room_class_init (ConfabdLiveRoomClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confabd_live_room_finalize;
}

static void
confabd_live_room_init (ConfabdLiveRoom *self)
{
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
  self->online = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->remote = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_hash_table_unref);
  self->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) confabd_stream_free);
  self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) confabd_event_free);
}
