/* confab-store-rooms.c: shared projects (schema 4): a project bound to a
 * room on a server, the server's ids of its chats and messages, and the
 * room's events applied exactly once.
 *
 * The store knows nothing of the protocol: ConfabRoomSync decides what an
 * event means and makes the writes inside confab_store_apply_room_event(),
 * which commits them together with the room's new sequence number.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-store-private.h"

/* Forgets the server ids of a project's chats and messages, in the rows
 * (inside the caller's transaction) or in the live objects. */
static gboolean
clear_remote_ids (ConfabStore    *self,
                  gint64          project_id,
                  GError        **error)
{
  static const char chats_sql[] =
    "UPDATE chats SET remote_id = NULL WHERE project_id = ?1 AND remote_id IS NOT NULL";
  static const char messages_sql[] =
    "UPDATE messages SET remote_id = NULL"
    " WHERE remote_id IS NOT NULL"
    " AND chat_id IN (SELECT id FROM chats WHERE project_id = ?1)";
  const char *statements[] = { messages_sql, chats_sql };

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, statements[i], error);

      if (stmt == NULL)
        return FALSE;

      sqlite3_bind_int64 (stmt, 1, project_id);
      if (!_confab_store_step_done (self, stmt, _("Could not change the project"), error))
        return FALSE;
    }

  return TRUE;
}

static void
clear_live_remote_ids (ConfabStore *self,
                       gint64       project_id)
{
  g_autoptr(GPtrArray) chats = _confab_weak_cache_values (self->chat_cache);
  g_autoptr(GPtrArray) messages = _confab_weak_cache_values (self->message_cache);

  for (guint i = 0; i < chats->len; i++)
    {
      ConfabChat *chat = g_ptr_array_index (chats, i);

      if (confab_chat_get_project_id (chat) == project_id)
        _confab_chat_set_remote_id (chat, NULL);
    }

  /* A message's chat may not be alive: ask the row's project instead. */
  for (guint i = 0; i < messages->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (messages, i);
      g_autoptr(ConfabChat) chat = NULL;

      if (confab_message_get_remote_id (message) == NULL)
        continue;

      chat = confab_store_lookup_chat (self, confab_message_get_chat_id (message), NULL);
      if (chat != NULL && confab_chat_get_project_id (chat) == project_id)
        _confab_message_set_remote_id (message, NULL);
    }
}

/**
 * confab_store_bind_project_room:
 * @server: the server's URL
 * @room_id: the room's id ("r…")
 * @role: the user's role in the room ("owner", "admin", "member", "viewer")
 * @seq: the last event of the room already in the store (0: none)
 *
 * Makes @project the local copy of a room. A room has at most one local
 * project per server (%CONFAB_STORE_ERROR_INVALID otherwise).
 */
gboolean
confab_store_bind_project_room (ConfabStore    *self,
                                ConfabProject  *project,
                                const char     *server,
                                const char     *room_id,
                                const char     *role,
                                gint64          seq,
                                GError        **error)
{
  static const char sql[] =
    "UPDATE projects SET room_server = ?2, room_id = ?3, room_role = ?4, room_seq = ?5"
    " WHERE id = ?1";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (server != NULL && room_id != NULL, FALSE);
  g_return_val_if_fail (seq >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

    if (stmt == NULL)
      return FALSE;

    sqlite3_bind_int64 (stmt, 1, confab_project_get_id (project));
    _confab_bind_text (stmt, 2, server);
    _confab_bind_text (stmt, 3, room_id);
    _confab_bind_text (stmt, 4, role);
    sqlite3_bind_int64 (stmt, 5, seq);
    if (!_confab_store_update_project (self, stmt, project, error))
      return FALSE;
  }

  _confab_project_set_room (project, server, room_id, role, seq);

  return TRUE;
}

/**
 * confab_store_unbind_project_room:
 *
 * Makes @project local again (left, removed, or the room was deleted): it
 * keeps its chats and messages, which forget their server ids.
 */
gboolean
confab_store_unbind_project_room (ConfabStore    *self,
                                  ConfabProject  *project,
                                  GError        **error)
{
  static const char sql[] =
    "UPDATE projects SET room_server = NULL, room_id = NULL, room_role = NULL, room_seq = 0"
    " WHERE id = ?1";
  gint64 id;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  id = confab_project_get_id (project);

  if (!confab_store_begin (self, error))
    return FALSE;

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

    if (stmt == NULL)
      goto failed;

    sqlite3_bind_int64 (stmt, 1, id);
    if (!_confab_store_update_project (self, stmt, project, error))
      goto failed;
  }

  if (!clear_remote_ids (self, id, error) ||
      !confab_store_commit (self, error))
    goto failed;

  clear_live_remote_ids (self, id);
  _confab_project_set_room (project, NULL, NULL, NULL, 0);

  return TRUE;

failed:
  confab_store_rollback (self);
  return FALSE;
}

gboolean
confab_store_set_project_room_role (ConfabStore    *self,
                                    ConfabProject  *project,
                                    const char     *role,
                                    GError        **error)
{
  static const char sql[] = "UPDATE projects SET room_role = ?2 WHERE id = ?1";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

    if (stmt == NULL)
      return FALSE;

    sqlite3_bind_int64 (stmt, 1, confab_project_get_id (project));
    _confab_bind_text (stmt, 2, role);
    if (!_confab_store_update_project (self, stmt, project, error))
      return FALSE;
  }

  _confab_project_set_room_role (project, role);

  return TRUE;
}

/**
 * confab_store_apply_room_event:
 * @seq: the event's sequence number in the project's room
 * @func: makes the event's writes (through the store)
 * @applied: (out) (optional): FALSE when @seq was applied before
 *
 * Runs @func and moves the project's room_seq to @seq in one transaction,
 * so an event is applied exactly once, even across a crash. An event
 * applied before (@seq ≤ room_seq) is skipped; one that skips a number
 * fails with %CONFAB_STORE_ERROR_INVALID and changes nothing. When @func
 * fails, nothing is written (the live objects it changed are not rolled
 * back).
 */
gboolean
confab_store_apply_room_event (ConfabStore              *self,
                               ConfabProject            *project,
                               gint64                    seq,
                               ConfabStoreRoomEventFunc  func,
                               gpointer                  user_data,
                               gboolean                 *applied,
                               GError                  **error)
{
  static const char read_sql[] = "SELECT room_seq FROM projects WHERE id = ?1";
  static const char write_sql[] = "UPDATE projects SET room_seq = ?2 WHERE id = ?1";
  gint64 id;
  gint64 current;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (applied != NULL)
    *applied = FALSE;

  id = confab_project_get_id (project);

  /* BEGIN IMMEDIATE: the seq read below cannot change under us. */
  if (!confab_store_begin (self, error))
    return FALSE;

  {
    g_autoptr(ConfabStmt) stmt = NULL;
    gboolean missing;

    stmt = _confab_store_step_by_id (self, read_sql, id, _("Could not read the project"),
                                     &missing, error);
    if (stmt == NULL)
      {
        if (missing)
          g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                       _("The project “%s” no longer exists"),
                       confab_project_get_name (project));
        goto failed;
      }

    current = sqlite3_column_int64 (stmt, 0);
  }

  if (seq <= current)
    {
      confab_store_rollback (self);
      _confab_project_set_room_seq (project, current);
      return TRUE;
    }

  if (seq != current + 1)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                   _("Event %lld of the room of “%s” came before event %lld"),
                   (long long)seq, confab_project_get_name (project),
                   (long long)current + 1);
      goto failed;
    }

  if (!func (self, project, user_data, error))
    goto failed;

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, write_sql, error);

    if (stmt == NULL)
      goto failed;

    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_int64 (stmt, 2, seq);
    if (!_confab_store_update_project (self, stmt, project, error))
      goto failed;
  }

  if (!confab_store_commit (self, error))
    goto failed;

  _confab_project_set_room_seq (project, seq);
  if (applied != NULL)
    *applied = TRUE;

  return TRUE;

failed:
  confab_store_rollback (self);
  return FALSE;
}

/* Steps @sql (?1 the project id, ?2 the remote id) to its row; no row is
 * CONFAB_STORE_ERROR_NOT_FOUND with @missing_format ("… “%s”"). */
static ConfabStmt *
step_by_remote_id (ConfabStore    *self,
                   const char     *sql,
                   ConfabProject  *project,
                   const char     *remote_id,
                   const char     *missing_format,
                   const char     *read_failed,
                   GError        **error)
{
  g_autoptr(ConfabStmt) stmt = NULL;
  int rc;

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, confab_project_get_id (project));
  _confab_bind_text (stmt, 2, remote_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_steal_pointer (&stmt);

  /* Both callers pass a literal (translated) format with one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  if (rc == SQLITE_DONE)
    g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                 missing_format, remote_id);
  else
    _confab_store_set_error (self, error, rc, read_failed);
#pragma GCC diagnostic pop

  return NULL;
}

/**
 * confab_store_lookup_chat_by_remote_id:
 *
 * Returns: (transfer full) (nullable): the chat of @project with that
 *   server id, or %NULL with %CONFAB_STORE_ERROR_NOT_FOUND
 */
ConfabChat *
confab_store_lookup_chat_by_remote_id (ConfabStore    *self,
                                       ConfabProject  *project,
                                       const char     *remote_id,
                                       GError        **error)
{
  static const char sql[] =
    "SELECT " CONFAB_CHAT_COLUMNS " FROM chats WHERE remote_id = ?2 AND project_id = ?1";
  g_autoptr(ConfabStmt) stmt = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), NULL);
  g_return_val_if_fail (remote_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = step_by_remote_id (self, sql, project, remote_id, _("There is no chat “%s”"),
                            _("Could not read the chat"), error);
  if (stmt == NULL)
    return NULL;

  return _confab_store_chat_from_stmt (self, stmt);
}

/**
 * confab_store_lookup_message_by_remote_id:
 *
 * Returns: (transfer full) (nullable): the message of @project with that
 *   server id, or %NULL with %CONFAB_STORE_ERROR_NOT_FOUND
 */
ConfabMessage *
confab_store_lookup_message_by_remote_id (ConfabStore    *self,
                                          ConfabProject  *project,
                                          const char     *remote_id,
                                          GError        **error)
{
  static const char sql[] =
    "SELECT " CONFAB_MESSAGE_COLUMNS " FROM " CONFAB_MESSAGE_FROM
    " WHERE m.remote_id = ?2"
    " AND (SELECT c.project_id FROM chats c WHERE c.id = m.chat_id) = ?1";
  g_autoptr(ConfabStmt) stmt = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), NULL);
  g_return_val_if_fail (remote_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = step_by_remote_id (self, sql, project, remote_id, _("There is no message “%s”"),
                            _("Could not read the message"), error);
  if (stmt == NULL)
    return NULL;

  return _confab_store_message_from_stmt (self, stmt);
}

/* For the UPDATEs below: ?1 the row id, ?2 the remote id. */
static gboolean
set_remote_id (ConfabStore  *self,
               const char   *sql,
               gint64        id,
               const char   *remote_id,
               GError      **error)
{
  g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  _confab_bind_text (stmt, 2, remote_id);
  if (!_confab_store_step_done (self, stmt, _("Could not save the server’s id"), error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                   _("It no longer exists"));
      return FALSE;
    }

  return TRUE;
}

/**
 * confab_store_set_chat_remote_id:
 * @remote_id: (nullable): the server's id of the chat, %NULL to forget it
 */
gboolean
confab_store_set_chat_remote_id (ConfabStore  *self,
                                 ConfabChat   *chat,
                                 const char   *remote_id,
                                 GError      **error)
{
  static const char sql[] = "UPDATE chats SET remote_id = ?2 WHERE id = ?1";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CHAT (chat), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!set_remote_id (self, sql, confab_chat_get_id (chat), remote_id, error))
    return FALSE;

  _confab_chat_set_remote_id (chat, remote_id);
  return TRUE;
}

/**
 * confab_store_set_message_remote_id:
 * @remote_id: (nullable): the server's id of the message, %NULL to forget it
 */
gboolean
confab_store_set_message_remote_id (ConfabStore    *self,
                                    ConfabMessage  *message,
                                    const char     *remote_id,
                                    GError        **error)
{
  static const char sql[] = "UPDATE messages SET remote_id = ?2 WHERE id = ?1";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!set_remote_id (self, sql, confab_message_get_id (message), remote_id, error))
    return FALSE;

  _confab_message_set_remote_id (message, remote_id);
  return TRUE;
}
