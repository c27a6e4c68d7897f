/* confabd-pg-events.c: the durable event log, chats and messages in
 * PostgreSQL
 *
 * append_event is the one write path for a room's content. Its first
 * statement, UPDATE rooms SET last_seq = last_seq + 1 … RETURNING, both
 * gives the event its seq and locks the room's row until the commit: two
 * confabd processes writing one room queue there, so the log never has a
 * duplicate or a gap, and the event, the message change, the names it
 * changes and last_seq commit together or not at all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include "confab-json-guard.h"
#include "confabd-pg-storage-private.h"

#define N_PARAMS(params) ((int)G_N_ELEMENTS (params))

#define MESSAGE_COLUMNS \
  "id, room, chat, thread, author, role, model, text, status, created, edited, seq"

static ConfabdMessage *
message_from_row (const PGresult *result,
                  int             row)
{
  ConfabdMessage *message = g_new0 (ConfabdMessage, 1);

  message->id = _confabd_pg_dup (result, row, 0);
  message->room = _confabd_pg_dup (result, row, 1);
  message->chat = _confabd_pg_dup (result, row, 2);
  message->thread = _confabd_pg_dup (result, row, 3);
  message->author = _confabd_pg_dup (result, row, 4);
  message->role = _confabd_pg_dup (result, row, 5);
  message->model = _confabd_pg_dup (result, row, 6);
  message->text = _confabd_pg_dup (result, row, 7);
  message->status = _confabd_pg_dup (result, row, 8);
  message->created = _confabd_pg_get_int (result, row, 9);
  message->edited = _confabd_pg_get_int (result, row, 10);
  message->seq = _confabd_pg_get_int (result, row, 11);
  return message;
}

static GPtrArray *
collect_messages (const PGresult *result)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify)confabd_message_free);

  for (int row = 0; row < PQntuples (result); row++)
    g_ptr_array_add (messages, message_from_row (result, row));
  return messages;
}

/* A string member of the event's data, or NULL. */
/* ---- The parts of append_event, each inside its transaction */

static gboolean
insert_message (ConfabdPgStorage      *self,
                ConfabdPgConn         *pc,
                const char            *room,
                gint64                 seq,
                gint64                 time,
                const ConfabdMessage  *message,
                GError               **error)
{
  /* pos: the creating event's seq, the insertion order within the room. */
  static const char sql[] =
    "INSERT INTO messages (" MESSAGE_COLUMNS ", pos)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)";
  g_autoptr(PGresult) result = NULL;
  char created_buf[24], edited_buf[24], seq_buf[24];
  const char *params[] = {
    message->id, room, message->chat, message->thread, message->author, message->role,
    message->model, message->text != NULL ? message->text : "",
    message->status != NULL ? message->status : "complete",
    _confabd_pg_int (created_buf, message->created != 0 ? message->created : time),
    _confabd_pg_int (edited_buf, message->edited), _confabd_pg_int (seq_buf, seq),
  };

  result = _confabd_pg_exec (self, pc, sql, N_PARAMS (params), params,
                             "Could not store the message", error);
  return result != NULL;
}

static gboolean
update_message (ConfabdPgStorage      *self,
                ConfabdPgConn         *pc,
                const char            *room,
                gint64                 seq,
                const ConfabdMessage  *message,
                GError               **error)
{
  /* NULL text or status, 0 edited: left as they are. */
  static const char sql[] =
    "UPDATE messages SET text = coalesce ($3, text), status = coalesce ($4, status),"
    " edited = CASE WHEN $5::bigint != 0 THEN $5::bigint ELSE edited END, seq = $6"
    " WHERE room = $1 AND id = $2";
  char edited_buf[24], seq_buf[24];
  const char *params[] = {
    room, message->id, message->text, message->status,
    _confabd_pg_int (edited_buf, message->edited), _confabd_pg_int (seq_buf, seq),
  };

  return _confabd_pg_exec_changed (self, pc, sql, N_PARAMS (params), params,
                                   "No such message", error);
}

/* The chats and room names the event names (see append_event in the header). */
static gboolean
apply_names (ConfabdPgStorage    *self,
             ConfabdPgConn       *pc,
             const ConfabdEvent  *event,
             gint64               time,
             GError             **error)
{
  static const char create_chat_sql[] =
    "INSERT INTO chats (room, id, title, created_by, created) VALUES ($1, $2, $3, $4, $5)";
  static const char rename_chat_sql[] =
    "UPDATE chats SET title = $3 WHERE room = $1 AND id = $2";
  static const char rename_room_sql[] = "UPDATE rooms SET name = $2 WHERE id = $1";

  if (g_str_equal (event->event, "chat.created"))
    {
      g_autoptr(PGresult) result = NULL;
      const char *title = confabd_event_get_data_string (event, "title");
      char time_buf[24];
      const char *params[] = { event->room, confabd_event_get_data_string (event, "chat"),
                               title != NULL ? title : "", event->author,
                               _confabd_pg_int (time_buf, time) };

      if (!confabd_event_require_data_string (event, "chat", error))
        return FALSE;
      result = _confabd_pg_exec (self, pc, create_chat_sql, N_PARAMS (params), params,
                                 "Could not create the chat", error);
      return result != NULL;
    }

  if (g_str_equal (event->event, "chat.renamed"))
    {
      const char *params[] = { event->room, confabd_event_get_data_string (event, "chat"),
                               confabd_event_get_data_string (event, "title") };

      if (!confabd_event_require_data_string (event, "chat", error) || !confabd_event_require_data_string (event, "title", error))
        return FALSE;
      return _confabd_pg_exec_changed (self, pc, rename_chat_sql, N_PARAMS (params), params,
                                       "No such chat", error);
    }

  if (g_str_equal (event->event, "room.renamed"))
    {
      const char *params[] = { event->room, confabd_event_get_data_string (event, "name") };

      if (!confabd_event_require_data_string (event, "name", error))
        return FALSE;
      return _confabd_pg_exec_changed (self, pc, rename_room_sql, N_PARAMS (params), params,
                                       "No such room", error);
    }

  return TRUE;
}

static gboolean
append_in_transaction (ConfabdPgStorage      *self,
                       ConfabdPgConn         *pc,
                       const ConfabdEvent    *event,
                       const char            *data,
                       gint64                 time,
                       ConfabdMessageChange   change,
                       const ConfabdMessage  *message,
                       gint64                *seq,
                       GError               **error)
{
  static const char bump_sql[] =
    "UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq";
  static const char insert_sql[] =
    "INSERT INTO events (room, seq, event, author, time, data) VALUES ($1, $2, $3, $4, $5, $6)";
  g_autoptr(PGresult) result = NULL;
  const char *bump_params[] = { event->room };
  char seq_buf[24], time_buf[24];

  /* Locks the room's row until the commit: writers of one room queue here. */
  if ((result = _confabd_pg_exec_row (self, pc, bump_sql, N_PARAMS (bump_params), bump_params,
                                      "No such room", error)) == NULL)
    return FALSE;
  *seq = _confabd_pg_get_int (result, 0, 0);
  g_clear_pointer (&result, PQclear);

  {
    const char *params[] = { event->room, _confabd_pg_int (seq_buf, *seq), event->event,
                             event->author, _confabd_pg_int (time_buf, time), data };

    if ((result = _confabd_pg_exec (self, pc, insert_sql, N_PARAMS (params), params,
                                    "Could not store the event", error)) == NULL)
      return FALSE;
  }

  switch (change)
    {
    case CONFABD_MESSAGE_CHANGE_NONE:
      break;

    case CONFABD_MESSAGE_CHANGE_INSERT:
      if (!insert_message (self, pc, event->room, *seq, time, message, error))
        return FALSE;
      break;

    case CONFABD_MESSAGE_CHANGE_UPDATE:
      if (!update_message (self, pc, event->room, *seq, message, error))
        return FALSE;
      break;

    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unknown message change %d", (int)change);
      return FALSE;
    }

  return apply_names (self, pc, event, time, error);
}

gint64
_confabd_pg_append_event (ConfabdStorage        *storage,
                          ConfabdEvent          *event,
                          ConfabdMessageChange   change,
                          const ConfabdMessage  *message,
                          GError               **error)
{
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autofree char *data = NULL;
  gint64 time = event->time != 0 ? event->time : g_get_real_time () / 1000;
  gint64 seq = 0;

  data = event->data != NULL ? json_to_string (event->data, FALSE) : g_strdup ("{}");

  if ((pc = _confabd_pg_acquire (self, error)) == NULL)
    return 0;

  /* A deadlock or serialization failure is tried once more. */
  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      if (_confabd_pg_begin (self, pc, &local_error) &&
          append_in_transaction (self, pc, event, data, time, change, message, &seq,
                                 &local_error) &&
          _confabd_pg_commit (self, pc, &local_error))
        break;

      _confabd_pg_rollback (self, pc);
      if (attempt > 0 || !_confabd_pg_is_retryable (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return 0;
        }
      g_debug ("Retrying an append to room %s: %s", event->room, local_error->message);
    }

  event->seq = seq;
  event->time = time;
  return seq;
}

/* ---- Reading */

GPtrArray *
_confabd_pg_list_events (ConfabdStorage  *storage,
                         const char      *room,
                         gint64           since,
                         guint            limit,
                         GError         **error)
{
  /* LIMIT NULL: all of them. */
  static const char sql[] =
    "SELECT seq, event, author, time, data FROM events"
    " WHERE room = $1 AND seq > $2 ORDER BY seq LIMIT $3";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GPtrArray) events = NULL;
  char since_buf[24], limit_buf[24];
  const char *params[] = { room, _confabd_pg_int (since_buf, since),
                           limit != 0 ? _confabd_pg_int (limit_buf, limit) : NULL };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      (result = _confabd_pg_exec (self, pc, sql, N_PARAMS (params), params,
                                  "Could not read the events", error)) == NULL)
    return NULL;

  events = g_ptr_array_new_with_free_func ((GDestroyNotify)confabd_event_free);
  for (int row = 0; row < PQntuples (result); row++)
    {
      g_autoptr(ConfabdEvent) event = g_new0 (ConfabdEvent, 1);
      g_autoptr(GError) local_error = NULL;

      event->room = g_strdup (room);
      event->seq = _confabd_pg_get_int (result, row, 0);
      event->event = _confabd_pg_dup (result, row, 1);
      event->author = _confabd_pg_dup (result, row, 2);
      event->time = _confabd_pg_get_int (result, row, 3);
      event->data = confab_json_parse_object (PQgetvalue (result, row, 4), &local_error);
      if (event->data == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Event %" G_GINT64_FORMAT " of room %s has damaged data: %s",
                       event->seq, room, local_error->message);
          return NULL;
        }

      g_ptr_array_add (events, g_steal_pointer (&event));
    }

  return g_steal_pointer (&events);
}

ConfabdMessage *
_confabd_pg_lookup_message (ConfabdStorage  *storage,
                            const char      *room,
                            const char      *id,
                            GError         **error)
{
  static const char sql[] = "SELECT " MESSAGE_COLUMNS " FROM messages WHERE room = $1 AND id = $2";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  const char *params[] = { room, id };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      (result = _confabd_pg_exec_row (self, pc, sql, N_PARAMS (params), params,
                                      "No such message", error)) == NULL)
    return NULL;

  return message_from_row (result, 0);
}

GPtrArray *
_confabd_pg_list_messages (ConfabdStorage  *storage,
                           const char      *room,
                           const char      *chat,
                           const char      *thread,
                           const char      *before,
                           guint            limit,
                           GError         **error)
{
  static const char anchor_sql[] =
    "SELECT created, pos FROM messages WHERE room = $1 AND id = $2 AND chat = $3";
  /* Newest first from the anchor back, through messages_by_line; one
   * statement for the main line and one for a thread, so each has a plan
   * that uses the index. */
  static const char line_sql[] =
    "SELECT " MESSAGE_COLUMNS " FROM messages"
    " WHERE room = $1 AND chat = $2 AND thread IS NULL AND status != 'deleted'"
    "   AND (created, pos) < ($3, $4)"
    " ORDER BY created DESC, pos DESC LIMIT $5";
  static const char thread_sql[] =
    "SELECT " MESSAGE_COLUMNS " FROM messages"
    " WHERE room = $1 AND chat = $2 AND thread = $6 AND status != 'deleted'"
    "   AND (created, pos) < ($3, $4)"
    " ORDER BY created DESC, pos DESC LIMIT $5";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  char created_buf[24], pos_buf[24], limit_buf[24];
  const char *params[] = {
    room, chat, _confabd_pg_int (created_buf, G_MAXINT64), _confabd_pg_int (pos_buf, G_MAXINT64),
    limit != 0 ? _confabd_pg_int (limit_buf, limit) : NULL, thread,
  };
  GPtrArray *messages;

  if ((pc = _confabd_pg_acquire (self, error)) == NULL)
    return NULL;

  if (before != NULL)
    {
      const char *anchor_params[] = { room, before, chat };

      if ((result = _confabd_pg_exec_row (self, pc, anchor_sql, N_PARAMS (anchor_params),
                                          anchor_params, "No such message in this chat",
                                          error)) == NULL)
        return NULL;
      g_strlcpy (created_buf, PQgetvalue (result, 0, 0), sizeof created_buf);
      g_strlcpy (pos_buf, PQgetvalue (result, 0, 1), sizeof pos_buf);
      g_clear_pointer (&result, PQclear);
    }

  if (thread == NULL)
    result = _confabd_pg_exec (self, pc, line_sql, N_PARAMS (params) - 1, params,
                               "Could not read the messages", error);
  else
    result = _confabd_pg_exec (self, pc, thread_sql, N_PARAMS (params), params,
                               "Could not read the messages", error);
  if (result == NULL)
    return NULL;

  messages = collect_messages (result);

  /* Oldest first, as the page is shown. */
  for (guint i = 0; i < messages->len / 2; i++)
    {
      gpointer tmp = messages->pdata[i];

      messages->pdata[i] = messages->pdata[messages->len - 1 - i];
      messages->pdata[messages->len - 1 - i] = tmp;
    }

  return messages;
}

gboolean
_confabd_pg_chat_exists (ConfabdStorage  *storage,
                         const char      *room,
                         const char      *chat,
                         GError         **error)
{
  static const char sql[] = "SELECT 1 FROM chats WHERE room = $1 AND id = $2";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  const char *params[] = { room, chat };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      (result = _confabd_pg_exec (self, pc, sql, N_PARAMS (params), params,
                                  "Could not read the chats", error)) == NULL)
    return FALSE;

  return PQntuples (result) > 0;
}

GPtrArray *
_confabd_pg_list_streaming (ConfabdStorage  *storage,
                            GError         **error)
{
  static const char sql[] =
    "SELECT " MESSAGE_COLUMNS " FROM messages WHERE status = 'streaming'"
    " ORDER BY created, room, pos";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      (result = _confabd_pg_exec (self, pc, sql, 0, NULL,
                                  "Could not read the messages", error)) == NULL)
    return NULL;

  return collect_messages (result);
}
