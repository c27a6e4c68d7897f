/* confabd-sqlite-events.c: the durable event log, chats and messages
 *
 * append_event is the one write path for a room's content: the event, the
 * message change that goes with it, the chat or room name it names and the
 * room's last_seq commit together or not at all, so the tables always agree
 * with the log and seq never has a gap.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include "confab-json-guard.h"
#include "confabd-sqlite-storage-private.h"

#define MESSAGE_COLUMNS \
  "id, room, chat, thread, author, role, model, text, status, created, edited, seq"

static ConfabdMessage *
message_from_row (ConfabdStmt *stmt)
{
  ConfabdMessage *message = g_new0 (ConfabdMessage, 1);

  message->id = _confabd_column_dup (stmt, 0);
  message->room = _confabd_column_dup (stmt, 1);
  message->chat = _confabd_column_dup (stmt, 2);
  message->thread = _confabd_column_dup (stmt, 3);
  message->author = _confabd_column_dup (stmt, 4);
  message->role = _confabd_column_dup (stmt, 5);
  message->model = _confabd_column_dup (stmt, 6);
  message->text = _confabd_column_dup (stmt, 7);
  message->status = _confabd_column_dup (stmt, 8);
  message->created = sqlite3_column_int64 (stmt, 9);
  message->edited = sqlite3_column_int64 (stmt, 10);
  message->seq = sqlite3_column_int64 (stmt, 11);
  return message;
}

/* Reads every row of a statement whose columns are MESSAGE_COLUMNS. */
static GPtrArray *
collect_messages (ConfabdSqliteStorage  *self,
                  ConfabdStmt           *stmt,
                  GError               **error)
{
  g_autoptr(GPtrArray) messages = NULL;
  int rc;

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify)confabd_message_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (messages, message_from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      _confabd_sqlite_set_error (self, error, rc, "Could not read the messages");
      return NULL;
    }

  return g_steal_pointer (&messages);
}

/* A string member of the event's data, or NULL. */
/* ---- The parts of append_event, each inside its transaction */

static gboolean
insert_message (ConfabdSqliteStorage  *self,
                const char            *room,
                gint64                 seq,
                gint64                 time,
                const ConfabdMessage  *message,
                GError               **error)
{
  static const char sql[] =
    "INSERT INTO messages (" MESSAGE_COLUMNS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
  g_autoptr(ConfabdStmt) stmt = NULL;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return FALSE;

  _confabd_bind_text (stmt, 1, message->id);
  _confabd_bind_text (stmt, 2, room);
  _confabd_bind_text (stmt, 3, message->chat);
  _confabd_bind_text (stmt, 4, message->thread);
  _confabd_bind_text (stmt, 5, message->author);
  _confabd_bind_text (stmt, 6, message->role);
  _confabd_bind_text (stmt, 7, message->model);
  _confabd_bind_text (stmt, 8, message->text != NULL ? message->text : "");
  _confabd_bind_text (stmt, 9, message->status != NULL ? message->status : "complete");
  sqlite3_bind_int64 (stmt, 10, message->created != 0 ? message->created : time);
  sqlite3_bind_int64 (stmt, 11, message->edited);
  sqlite3_bind_int64 (stmt, 12, seq);
  return _confabd_sqlite_step_done (self, stmt, "Could not store the message", error);
}

static gboolean
update_message (ConfabdSqliteStorage  *self,
                const char            *room,
                gint64                 seq,
                const ConfabdMessage  *message,
                GError               **error)
{
  /* NULL text or status, 0 edited: left as they are. */
  static const char sql[] =
    "UPDATE messages SET text = coalesce (?3, text), status = coalesce (?4, status),"
    " edited = CASE WHEN ?5 != 0 THEN ?5 ELSE edited END, seq = ?6"
    " WHERE room = ?1 AND id = ?2";
  g_autoptr(ConfabdStmt) stmt = NULL;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return FALSE;

  _confabd_bind_text (stmt, 1, room);
  _confabd_bind_text (stmt, 2, message->id);
  _confabd_bind_text (stmt, 3, message->text);
  _confabd_bind_text (stmt, 4, message->status);
  sqlite3_bind_int64 (stmt, 5, message->edited);
  sqlite3_bind_int64 (stmt, 6, seq);
  return _confabd_sqlite_step_changed (self, stmt, "No such message", error);
}

/* The chats and room names the event names (see append_event in the header). */
static gboolean
apply_names (ConfabdSqliteStorage  *self,
             const ConfabdEvent    *event,
             gint64                 time,
             GError               **error)
{
  static const char create_chat_sql[] =
    "INSERT INTO chats (room, id, title, created_by, created) VALUES (?1, ?2, ?3, ?4, ?5)";
  static const char rename_chat_sql[] =
    "UPDATE chats SET title = ?3 WHERE room = ?1 AND id = ?2";
  static const char rename_room_sql[] = "UPDATE rooms SET name = ?2 WHERE id = ?1";
  g_autoptr(ConfabdStmt) stmt = NULL;

  if (g_str_equal (event->event, "chat.created"))
    {
      const char *title = confabd_event_get_data_string (event, "title");

      if (!confabd_event_require_data_string (event, "chat", error) ||
          (stmt = _confabd_sqlite_prepare (self, create_chat_sql, error)) == NULL)
        return FALSE;

      _confabd_bind_text (stmt, 1, event->room);
      _confabd_bind_text (stmt, 2, confabd_event_get_data_string (event, "chat"));
      _confabd_bind_text (stmt, 3, title != NULL ? title : "");
      _confabd_bind_text (stmt, 4, event->author);
      sqlite3_bind_int64 (stmt, 5, time);
      return _confabd_sqlite_step_done (self, stmt, "Could not create the chat", error);
    }

  if (g_str_equal (event->event, "chat.renamed"))
    {
      if (!confabd_event_require_data_string (event, "chat", error) ||
          !confabd_event_require_data_string (event, "title", error) ||
          (stmt = _confabd_sqlite_prepare (self, rename_chat_sql, error)) == NULL)
        return FALSE;

      _confabd_bind_text (stmt, 1, event->room);
      _confabd_bind_text (stmt, 2, confabd_event_get_data_string (event, "chat"));
      _confabd_bind_text (stmt, 3, confabd_event_get_data_string (event, "title"));
      return _confabd_sqlite_step_changed (self, stmt, "No such chat", error);
    }

  if (g_str_equal (event->event, "room.renamed"))
    {
      if (!confabd_event_require_data_string (event, "name", error) ||
          (stmt = _confabd_sqlite_prepare (self, rename_room_sql, error)) == NULL)
        return FALSE;

      _confabd_bind_text (stmt, 1, event->room);
      _confabd_bind_text (stmt, 2, confabd_event_get_data_string (event, "name"));
      return _confabd_sqlite_step_changed (self, stmt, "No such room", error);
    }

  return TRUE;
}

static gboolean
append_in_transaction (ConfabdSqliteStorage  *self,
                       const ConfabdEvent    *event,
                       const char            *data,
                       gint64                 time,
                       ConfabdMessageChange   change,
                       const ConfabdMessage  *message,
                       gint64                *seq,
                       GError               **error)
{
  static const char last_seq_sql[] = "SELECT last_seq FROM rooms WHERE id = ?1";
  static const char insert_sql[] =
    "INSERT INTO events (room, seq, event, author, time, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  static const char bump_sql[] = "UPDATE rooms SET last_seq = ?2 WHERE id = ?1";
  g_autoptr(ConfabdStmt) last_seq = NULL;
  g_autoptr(ConfabdStmt) insert = NULL;
  g_autoptr(ConfabdStmt) bump = NULL;

  if ((last_seq = _confabd_sqlite_prepare (self, last_seq_sql, error)) == NULL)
    return FALSE;
  _confabd_bind_text (last_seq, 1, event->room);
  if (!_confabd_sqlite_step_row (self, last_seq, "No such room", error))
    return FALSE;
  *seq = sqlite3_column_int64 (last_seq, 0) + 1;
  g_clear_pointer (&last_seq, _confabd_stmt_release);

  if ((insert = _confabd_sqlite_prepare (self, insert_sql, error)) == NULL)
    return FALSE;
  _confabd_bind_text (insert, 1, event->room);
  sqlite3_bind_int64 (insert, 2, *seq);
  _confabd_bind_text (insert, 3, event->event);
  _confabd_bind_text (insert, 4, event->author);
  sqlite3_bind_int64 (insert, 5, time);
  _confabd_bind_text (insert, 6, data);
  if (!_confabd_sqlite_step_done (self, insert, "Could not store the event", error))
    return FALSE;

  switch (change)
    {
    case CONFABD_MESSAGE_CHANGE_NONE:
      break;

    case CONFABD_MESSAGE_CHANGE_INSERT:
      if (!insert_message (self, event->room, *seq, time, message, error))
        return FALSE;
      break;

    case CONFABD_MESSAGE_CHANGE_UPDATE:
      if (!update_message (self, event->room, *seq, message, error))
        return FALSE;
      break;

    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unknown message change %d", (int)change);
      return FALSE;
    }

  if (!apply_names (self, event, time, error))
    return FALSE;

  if ((bump = _confabd_sqlite_prepare (self, bump_sql, error)) == NULL)
    return FALSE;
  _confabd_bind_text (bump, 1, event->room);
  sqlite3_bind_int64 (bump, 2, *seq);
  return _confabd_sqlite_step_changed (self, bump, "No such room", error);
}

gint64
_confabd_sqlite_append_event (ConfabdStorage        *storage,
                              ConfabdEvent          *event,
                              ConfabdMessageChange   change,
                              const ConfabdMessage  *message,
                              GError               **error)
{
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autofree char *data = NULL;
  gint64 time = event->time != 0 ? event->time : g_get_real_time () / 1000;
  gint64 seq = 0;

  data = event->data != NULL ? json_to_string (event->data, FALSE) : g_strdup ("{}");

  /* IMMEDIATE: last_seq cannot move between its read and the bump, even
   * with another connection to the file. */
  if (!_confabd_sqlite_begin (self, error))
    return 0;

  if (!append_in_transaction (self, event, data, time, change, message, &seq, error))
    {
      _confabd_sqlite_rollback (self);
      return 0;
    }

  if (!_confabd_sqlite_commit (self, error))
    return 0;

  event->seq = seq;
  event->time = time;
  return seq;
}

/* ---- Reading */

GPtrArray *
_confabd_sqlite_list_events (ConfabdStorage  *storage,
                             const char      *room,
                             gint64           since,
                             guint            limit,
                             GError         **error)
{
  static const char sql[] =
    "SELECT seq, event, author, time, data FROM events"
    " WHERE room = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(ConfabdStmt) stmt = NULL;
  int rc;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return NULL;

  events = g_ptr_array_new_with_free_func ((GDestroyNotify)confabd_event_free);
  _confabd_bind_text (stmt, 1, room);
  sqlite3_bind_int64 (stmt, 2, since);
  sqlite3_bind_int64 (stmt, 3, limit != 0 ? (gint64)limit : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(ConfabdEvent) event = g_new0 (ConfabdEvent, 1);
      g_autoptr(GError) local_error = NULL;
      const char *data = (const char *)sqlite3_column_text (stmt, 4);

      event->room = g_strdup (room);
      event->seq = sqlite3_column_int64 (stmt, 0);
      event->event = _confabd_column_dup (stmt, 1);
      event->author = _confabd_column_dup (stmt, 2);
      event->time = sqlite3_column_int64 (stmt, 3);
      event->data = confab_json_parse_object (data != NULL ? data : "", &local_error);
      if (event->data == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Event %" G_GINT64_FORMAT " of room %s has damaged data: %s",
                       event->seq, room, local_error->message);
          return NULL;
        }

      g_ptr_array_add (events, g_steal_pointer (&event));
    }

  if (rc != SQLITE_DONE)
    {
      _confabd_sqlite_set_error (self, error, rc, "Could not read the events");
      return NULL;
    }

  return g_steal_pointer (&events);
}

ConfabdMessage *
_confabd_sqlite_lookup_message (ConfabdStorage  *storage,
                                const char      *room,
                                const char      *id,
                                GError         **error)
{
  static const char sql[] =
    "SELECT " MESSAGE_COLUMNS " FROM messages WHERE room = ?1 AND id = ?2";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return NULL;

  _confabd_bind_text (stmt, 1, room);
  _confabd_bind_text (stmt, 2, id);
  if (!_confabd_sqlite_step_row (self, stmt, "No such message", error))
    return NULL;

  return message_from_row (stmt);
}

GPtrArray *
_confabd_sqlite_list_messages (ConfabdStorage  *storage,
                               const char      *room,
                               const char      *chat,
                               const char      *thread,
                               const char      *before,
                               guint            limit,
                               GError         **error)
{
  static const char anchor_sql[] =
    "SELECT created, rowid FROM messages WHERE room = ?1 AND id = ?2 AND chat = ?3";
  /* Newest first from the anchor back, through messages_by_line. */
  static const char page_sql[] =
    "SELECT " MESSAGE_COLUMNS " FROM messages"
    " WHERE room = ?1 AND chat = ?2 AND thread IS ?3 AND status != 'deleted'"
    "   AND (created, rowid) < (?4, ?5)"
    " ORDER BY created DESC, rowid DESC LIMIT ?6";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;
  gint64 anchor_created = G_MAXINT64;
  gint64 anchor_rowid = G_MAXINT64;
  GPtrArray *messages;

  if (before != NULL)
    {
      g_autoptr(ConfabdStmt) anchor = _confabd_sqlite_prepare (self, anchor_sql, error);

      if (anchor == NULL)
        return NULL;
      _confabd_bind_text (anchor, 1, room);
      _confabd_bind_text (anchor, 2, before);
      _confabd_bind_text (anchor, 3, chat);
      if (!_confabd_sqlite_step_row (self, anchor, "No such message in this chat", error))
        return NULL;
      anchor_created = sqlite3_column_int64 (anchor, 0);
      anchor_rowid = sqlite3_column_int64 (anchor, 1);
    }

  if ((stmt = _confabd_sqlite_prepare (self, page_sql, error)) == NULL)
    return NULL;

  _confabd_bind_text (stmt, 1, room);
  _confabd_bind_text (stmt, 2, chat);
  _confabd_bind_text (stmt, 3, thread);
  sqlite3_bind_int64 (stmt, 4, anchor_created);
  sqlite3_bind_int64 (stmt, 5, anchor_rowid);
  sqlite3_bind_int64 (stmt, 6, limit != 0 ? (gint64)limit : -1);

  messages = collect_messages (self, stmt, error);
  if (messages == NULL)
    return NULL;

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
_confabd_sqlite_chat_exists (ConfabdStorage  *storage,
                             const char      *room,
                             const char      *chat,
                             GError         **error)
{
  static const char sql[] = "SELECT 1 FROM chats WHERE room = ?1 AND id = ?2";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;
  int rc;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return FALSE;

  _confabd_bind_text (stmt, 1, room);
  _confabd_bind_text (stmt, 2, chat);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;

  if (rc != SQLITE_DONE)
    _confabd_sqlite_set_error (self, error, rc, "Could not read the chats");
  return FALSE;
}

GPtrArray *
_confabd_sqlite_list_streaming (ConfabdStorage  *storage,
                                GError         **error)
{
  static const char sql[] =
    "SELECT " MESSAGE_COLUMNS " FROM messages WHERE status = 'streaming'"
    " ORDER BY created, rowid";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return NULL;

  return collect_messages (self, stmt, error);
}
