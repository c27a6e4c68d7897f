/* confab-store-messages.c: messages, threads and search.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-store-private.h"

static ConfabMessageList *
lookup_live_list (ConfabStore *self,
                  gint64       chat_id,
                  gint64       parent_id)
{
  if (parent_id != 0)
    return _confab_weak_cache_lookup (self->thread_lists, parent_id);

  return _confab_weak_cache_lookup (self->main_lists, chat_id);
}

/* Re-reads the thread row after a reply came or went, for the parent's
 * reply-count and last-reply properties. */
static void
refresh_thread (ConfabStore *self,
                gint64       parent_id)
{
  static const char sql[] =
    "SELECT reply_count, last_reply FROM threads WHERE parent_id = ?1";
  ConfabMessage *parent = _confab_weak_cache_lookup (self->message_cache, parent_id);
  guint reply_count = 0;
  gint64 last_reply = 0;

  if (parent == NULL)
    return;

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, &error);

    if (stmt == NULL)
      {
        g_warning ("%s", error->message);
        return;
      }

    sqlite3_bind_int64 (stmt, 1, parent_id);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      {
        reply_count = (guint)sqlite3_column_int64 (stmt, 0);
        last_reply = sqlite3_column_int64 (stmt, 1);
      }
  }

  _confab_message_set_thread (parent, reply_count, last_reply);
}

/**
 * confab_store_add_message:
 *
 * Adds a message to the end of its chat's main line or of a thread, and
 * moves the chat up its project's list.
 *
 * Returns: (transfer full) (nullable): the message
 */
ConfabMessage *
confab_store_add_message (ConfabStore               *self,
                          const ConfabMessageDraft  *draft,
                          GError                   **error)
{
  /* A main-line message follows the end of the current line; a reply
   * takes its parent's active flag (see migration 3). */
  static const char sql[] =
    "INSERT INTO messages (chat_id, parent_id, role, author, provider, model, content,"
    "                      status, input_tokens, output_tokens, created, prev_id, active)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
    "   CASE WHEN ?2 IS NULL THEN"
    "     (SELECT max(id) FROM messages"
    "      WHERE chat_id = ?1 AND parent_id IS NULL AND active = 1) END,"
    "   COALESCE((SELECT active FROM messages WHERE id = ?2), 1))"
    " RETURNING id, prev_id, active";
  ConfabMessageData data = { 0 };
  ConfabMessageList *list;
  ConfabMessage *message;
  ConfabChat *chat;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (draft != NULL, NULL);
  g_return_val_if_fail (confab_role_to_string (draft->role) != NULL, NULL);
  g_return_val_if_fail (confab_message_status_to_string (draft->status) != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Threads are one level deep and never cross chats. */
  if (draft->parent_id != 0)
    {
      g_autoptr(ConfabMessage) parent = confab_store_lookup_message (self, draft->parent_id,
                                                                     error);

      if (parent == NULL)
        return NULL;

      if (confab_message_get_chat_id (parent) != draft->chat_id ||
          confab_message_get_parent_id (parent) != 0)
        {
          g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                       _("A reply must answer a message of the same chat’s main line"));
          return NULL;
        }
    }

  data.chat_id = draft->chat_id;
  data.parent_id = draft->parent_id;
  data.role = draft->role;
  data.author = draft->author;
  data.provider = draft->provider;
  data.model = draft->model;
  data.content = draft->content != NULL ? draft->content : "";
  data.status = draft->status;
  data.input_tokens = MAX (draft->input_tokens, -1);
  data.output_tokens = MAX (draft->output_tokens, -1);
  data.created = draft->created != 0 ? draft->created : g_get_real_time ();

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);
    int rc;

    if (stmt == NULL)
      return NULL;

    sqlite3_bind_int64 (stmt, 1, data.chat_id);
    if (data.parent_id != 0)
      sqlite3_bind_int64 (stmt, 2, data.parent_id);
    else
      sqlite3_bind_null (stmt, 2);
    sqlite3_bind_text (stmt, 3, confab_role_to_string (data.role), -1, SQLITE_STATIC);
    _confab_bind_text (stmt, 4, data.author);
    _confab_bind_text (stmt, 5, data.provider);
    _confab_bind_text (stmt, 6, data.model);
    _confab_bind_text (stmt, 7, data.content);
    sqlite3_bind_text (stmt, 8, confab_message_status_to_string (data.status), -1,
                       SQLITE_STATIC);
    _confab_bind_count (stmt, 9, data.input_tokens);
    _confab_bind_count (stmt, 10, data.output_tokens);
    sqlite3_bind_int64 (stmt, 11, data.created);

    rc = sqlite3_step (stmt);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
      {
        g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                     _("There is no chat %lld"), (long long)data.chat_id);
        return NULL;
      }
    else if (rc != SQLITE_ROW)
      {
        _confab_store_set_error (self, error, rc, _("Could not add the message"));
        return NULL;
      }

    data.id = sqlite3_column_int64 (stmt, 0);
    data.prev_id = sqlite3_column_int64 (stmt, 1);
    data.active = sqlite3_column_int (stmt, 2) != 0;
    data.n_alternatives = 1;

    /* Outside a transaction the commit runs when the statement finishes,
     * and a full disk is only reported then. */
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_DONE)
      {
        _confab_store_set_error (self, error, rc, _("Could not add the message"));
        return NULL;
      }
  }

  message = _confab_message_new (&data);
  _confab_weak_cache_insert (self->message_cache, data.id, message);

  /* Mirror what the triggers did to the chat and the thread row. */
  chat = _confab_weak_cache_lookup (self->chat_cache, data.chat_id);
  if (chat != NULL && data.created > confab_chat_get_updated (chat))
    {
      _confab_chat_set_updated (chat, data.created);
      _confab_store_resort_chat (self, chat);
    }

  if (data.parent_id != 0)
    refresh_thread (self, data.parent_id);
  else
    _confab_store_refresh_alternatives (self, data.chat_id, data.prev_id);

  list = lookup_live_list (self, data.chat_id, data.parent_id);
  if (list != NULL)
    _confab_message_list_added (list, message);

  return message;
}

/**
 * confab_store_lookup_message:
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with
 *   %CONFAB_STORE_ERROR_NOT_FOUND
 */
ConfabMessage *
confab_store_lookup_message (ConfabStore  *self,
                             gint64        id,
                             GError      **error)
{
  static const char sql[] =
    "SELECT " CONFAB_MESSAGE_COLUMNS " FROM " CONFAB_MESSAGE_FROM " WHERE m.id = ?1";
  g_autoptr(ConfabStmt) stmt = NULL;
  ConfabMessage *message;
  gboolean missing;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  message = _confab_weak_cache_lookup (self->message_cache, id);
  if (message != NULL)
    return g_object_ref (message);

  stmt = _confab_store_step_by_id (self, sql, id, _("Could not read the message"), &missing, error);
  if (stmt != NULL)
    return _confab_store_message_from_stmt (self, stmt);

  if (missing)
    g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                 _("There is no message %lld"), (long long)id);

  return NULL;
}

static gboolean
run_message_update (ConfabStore    *self,
                    ConfabStmt     *stmt,
                    ConfabMessage  *message,
                    GError        **error)
{
  if (!_confab_store_step_done (self, stmt, _("Could not save the message"), error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                   _("The message %lld no longer exists"),
                   (long long)confab_message_get_id (message));
      return FALSE;
    }

  return TRUE;
}

gboolean
confab_store_set_message_content (ConfabStore    *self,
                                  ConfabMessage  *message,
                                  const char     *content,
                                  GError        **error)
{
  static const char sql[] = "UPDATE messages SET content = ?2 WHERE id = ?1";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (content == NULL)
    content = "";

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

    if (stmt == NULL)
      return FALSE;

    sqlite3_bind_int64 (stmt, 1, confab_message_get_id (message));
    _confab_bind_text (stmt, 2, content);
    if (!run_message_update (self, stmt, message, error))
      return FALSE;
  }

  _confab_message_set_content (message, content);
  return TRUE;
}

/**
 * confab_store_finish_message:
 * @status: the final status, not %CONFAB_MESSAGE_STATUS_STREAMING
 * @input_tokens: -1 when unknown
 * @output_tokens: -1 when unknown
 *
 * Ends a streaming message; from now on its text is found by search.
 */
gboolean
confab_store_finish_message (ConfabStore          *self,
                             ConfabMessage        *message,
                             ConfabMessageStatus   status,
                             const char           *error_text,
                             gint64                input_tokens,
                             gint64                output_tokens,
                             GError              **error)
{
  static const char sql[] =
    "UPDATE messages SET status = ?2, error = ?3, input_tokens = ?4, output_tokens = ?5"
    " WHERE id = ?1";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (confab_message_status_to_string (status) != NULL, FALSE);
  g_return_val_if_fail (status != CONFAB_MESSAGE_STATUS_STREAMING, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (status != CONFAB_MESSAGE_STATUS_ERROR)
    error_text = NULL;

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

    if (stmt == NULL)
      return FALSE;

    sqlite3_bind_int64 (stmt, 1, confab_message_get_id (message));
    sqlite3_bind_text (stmt, 2, confab_message_status_to_string (status), -1, SQLITE_STATIC);
    _confab_bind_text (stmt, 3, error_text);
    _confab_bind_count (stmt, 4, input_tokens);
    _confab_bind_count (stmt, 5, output_tokens);
    if (!run_message_update (self, stmt, message, error))
      return FALSE;
  }

  _confab_message_finish (message, status, error_text, input_tokens, output_tokens);
  return TRUE;
}

/* Drops deleted rows from the identity cache: ids can be reused by SQLite
 * once the highest row is gone, and a stale object must never be handed
 * out for a new row. */
static void
forget_messages (ConfabStore *self,
                 gboolean   (*match) (ConfabMessage *message,
                                      gconstpointer  data),
                 gconstpointer data)
{
  g_autoptr(GPtrArray) messages = _confab_weak_cache_values (self->message_cache);

  for (guint i = 0; i < messages->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (messages, i);

      if (match (message, data))
        _confab_weak_cache_remove (self->message_cache, confab_message_get_id (message));
    }
}

static gboolean
is_reply_of (ConfabMessage *message,
             gconstpointer  data)
{
  return confab_message_get_parent_id (message) == *(const gint64 *)data;
}

static gboolean
is_in_chats (ConfabMessage *message,
             gconstpointer  data)
{
  const GArray *chat_ids = data;
  gint64 chat_id = confab_message_get_chat_id (message);

  for (guint i = 0; i < chat_ids->len; i++)
    if (g_array_index (chat_ids, gint64, i) == chat_id)
      return TRUE;

  return FALSE;
}

static void
forget_list (ConfabStore       *self,
             ConfabWeakCache   *cache,
             ConfabMessageList *list,
             gint64             key)
{
  g_object_ref (list);
  _confab_weak_cache_remove (cache, key);
  _confab_message_list_clear (list);
  g_object_unref (list);
}

/**
 * confab_store_delete_message:
 *
 * Deletes the message and, for a main-line message, its thread and replies:
 * the thread's live list becomes empty. What followed a main-line message
 * now follows the message before it (on every branch).
 */
gboolean
confab_store_delete_message (ConfabStore    *self,
                             ConfabMessage  *message,
                             GError        **error)
{
  static const char sql[] = "DELETE FROM messages WHERE id = ?1";
  /* prev_id has no foreign key (a cascade would need an index of its own):
   * the children are re-linked here, in the same transaction. */
  static const char relink_sql[] =
    "UPDATE messages SET prev_id = (SELECT prev_id FROM messages WHERE id = ?2)"
    " WHERE chat_id = ?1 AND parent_id IS NULL AND prev_id = ?2";
  g_autoptr(ConfabMessage) hold G_GNUC_UNUSED = NULL;
  ConfabMessageList *list;
  gint64 id;
  gint64 chat_id;
  gint64 parent_id;
  gint64 prev_id;
  gboolean active;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hold = g_object_ref (message);
  id = confab_message_get_id (message);
  chat_id = confab_message_get_chat_id (message);
  parent_id = confab_message_get_parent_id (message);
  prev_id = _confab_message_get_prev_id (message);
  active = confab_message_get_active (message);

  if (!confab_store_begin (self, error))
    return FALSE;

  if (parent_id == 0)
    {
      g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, relink_sql, error);

      if (stmt == NULL)
        goto failed;

      sqlite3_bind_int64 (stmt, 1, chat_id);
      sqlite3_bind_int64 (stmt, 2, id);
      if (!_confab_store_step_done (self, stmt, _("Could not delete the message"), error))
        goto failed;
    }

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

    if (stmt == NULL)
      goto failed;

    sqlite3_bind_int64 (stmt, 1, id);
    if (!_confab_store_step_done (self, stmt, _("Could not delete the message"), error))
      goto failed;

    if (sqlite3_changes (self->db) == 0)
      {
        g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                     _("The message %lld no longer exists"), (long long)id);
        goto failed;
      }
  }

  if (!confab_store_commit (self, error))
    goto failed;

  _confab_weak_cache_remove (self->message_cache, id);
  forget_messages (self, is_reply_of, &id);

  /* Off the current line, it was in no main-line list. */
  list = lookup_live_list (self, chat_id, parent_id);
  if (list != NULL && (active || parent_id != 0))
    _confab_message_list_removed (list, id);

  /* Its children joined the alternatives after its predecessor. */
  if (parent_id == 0)
    _confab_store_refresh_alternatives (self, chat_id, prev_id);

  list = _confab_weak_cache_lookup (self->thread_lists, id);
  if (list != NULL)
    forget_list (self, self->thread_lists, list, id);

  if (parent_id != 0)
    refresh_thread (self, parent_id);

  return TRUE;

failed:
  confab_store_rollback (self);
  return FALSE;
}

void
_confab_store_messages_of_chats_deleted (ConfabStore *self,
                                         GArray      *chat_ids)
{
  g_autoptr(GPtrArray) threads = _confab_weak_cache_values (self->thread_lists);

  forget_messages (self, is_in_chats, chat_ids);

  for (guint i = 0; i < chat_ids->len; i++)
    {
      gint64 chat_id = g_array_index (chat_ids, gint64, i);
      ConfabMessageList *list = _confab_weak_cache_lookup (self->main_lists, chat_id);

      if (list != NULL)
        forget_list (self, self->main_lists, list, chat_id);
    }

  for (guint i = 0; i < threads->len; i++)
    {
      ConfabMessageList *list = g_ptr_array_index (threads, i);
      gint64 chat_id = confab_message_list_get_chat_id (list);

      for (guint j = 0; j < chat_ids->len; j++)
        {
          if (g_array_index (chat_ids, gint64, j) == chat_id)
            {
              forget_list (self, self->thread_lists, list,
                           confab_message_list_get_parent_id (list));
              break;
            }
        }
    }
}

/**
 * confab_store_list_messages:
 * @parent_id: 0 for the main line, else the message whose thread to list
 *
 * Returns: (transfer full): a paged #GListModel of #ConfabMessage, oldest
 *   first; the same list is returned while it is alive
 */
ConfabMessageList *
confab_store_list_messages (ConfabStore *self,
                            gint64       chat_id,
                            gint64       parent_id)
{
  ConfabMessageList *list;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (chat_id > 0, NULL);
  g_return_val_if_fail (parent_id >= 0, NULL);

  list = lookup_live_list (self, chat_id, parent_id);
  if (list != NULL)
    return g_object_ref (list);

  list = _confab_message_list_new (self, chat_id, parent_id);
  if (parent_id != 0)
    _confab_weak_cache_insert (self->thread_lists, parent_id, list);
  else
    _confab_weak_cache_insert (self->main_lists, chat_id, list);

  return list;
}

/**
 * confab_store_get_thread_info:
 * @reply_count: (out) (optional):
 * @last_reply: (out) (optional): Unix time in microseconds, 0 when none
 *
 * A thread exists once a reply was added or a model was set for it; it
 * stays (with 0 replies) when its replies are deleted.
 *
 * Returns: %TRUE if @parent_id has a thread; %FALSE if not, or on error
 *   (then @error is set)
 */
gboolean
confab_store_get_thread_info (ConfabStore  *self,
                              gint64        parent_id,
                              guint        *reply_count,
                              gint64       *last_reply,
                              GError      **error)
{
  static const char sql[] =
    "SELECT reply_count, last_reply FROM threads WHERE parent_id = ?1";
  g_autoptr(ConfabStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (reply_count != NULL)
    *reply_count = 0;
  if (last_reply != NULL)
    *last_reply = 0;

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, parent_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (reply_count != NULL)
        *reply_count = (guint)sqlite3_column_int64 (stmt, 0);
      if (last_reply != NULL)
        *last_reply = sqlite3_column_int64 (stmt, 1);
      return TRUE;
    }

  if (rc != SQLITE_DONE)
    _confab_store_set_error (self, error, rc, _("Could not read the thread"));

  return FALSE;
}

/**
 * confab_store_set_thread_model:
 * @model: (nullable): "PROVIDER:MODEL" for replies in the thread, or %NULL
 *
 * Creates the thread (with no replies yet) if needed, so a model can be
 * picked before the first reply.
 */
gboolean
confab_store_set_thread_model (ConfabStore  *self,
                               gint64        parent_id,
                               const char   *model,
                               GError      **error)
{
  static const char sql[] =
    "INSERT INTO threads (parent_id, chat_id, model, reply_count, created)"
    " SELECT id, chat_id, ?2, 0, ?3 FROM messages WHERE id = ?1 AND parent_id IS NULL"
    " ON CONFLICT (parent_id) DO UPDATE SET model = excluded.model";
  g_autoptr(ConfabStmt) stmt = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, parent_id);
  _confab_bind_text (stmt, 2, model);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  if (!_confab_store_step_done (self, stmt, _("Could not save the thread"), error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                   _("There is no main-line message %lld to hold a thread"),
                   (long long)parent_id);
      return FALSE;
    }

  return TRUE;
}

/**
 * confab_store_dup_thread_model:
 *
 * Returns: (transfer full) (nullable): the model set with
 *   confab_store_set_thread_model(), or %NULL (also when there is no
 *   thread; @error is only set when reading fails)
 */
char *
confab_store_dup_thread_model (ConfabStore  *self,
                               gint64        parent_id,
                               GError      **error)
{
  static const char sql[] = "SELECT model FROM threads WHERE parent_id = ?1";
  g_autoptr(ConfabStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, parent_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup (_confab_column_text (stmt, 0));

  if (rc != SQLITE_DONE)
    _confab_store_set_error (self, error, rc, _("Could not read the thread"));

  return NULL;
}

/* The user types plain words, never FTS5 syntax: each word becomes a quoted
 * prefix term ("word"*), with quotes doubled, so `"`, `*`, `-`, `:`, `NEAR(`
 * or `OR` are just text. The terms are ANDed. NULL when there is no word. */
char *
_confab_store_build_match (const char *query)
{
  g_autoptr(GString) match = g_string_new (NULL);
  g_auto(GStrv) words = g_strsplit_set (query, " \t\r\n\f\v", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];

      if (*word == '\0')
        continue;

      if (match->len > 0)
        g_string_append_c (match, ' ');

      g_string_append_c (match, '"');
      for (const char *p = word; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (match, '"');
          g_string_append_c (match, *p);
        }
      g_string_append (match, "\"*");
    }

  if (match->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&match), FALSE);
}

/**
 * confab_store_search:
 * @query: plain text typed by the user
 * @limit: the most results to return, 0 for no limit
 *
 * Finds finished messages containing every word of @query (as a prefix,
 * ignoring case and accents), best match first (bm25).
 *
 * Returns: (transfer full) (element-type ConfabMessage) (nullable): the
 *   messages, or %NULL with @error set
 */
GPtrArray *
confab_store_search (ConfabStore  *self,
                     const char   *query,
                     guint         limit,
                     GError      **error)
{
  static const char sql[] =
    "WITH hits AS ("
    "  SELECT rowid, rank FROM messages_fts WHERE " CONFAB_SEARCH_RANKED_WHERE
    "  ORDER BY rank LIMIT ?2)"
    " SELECT " CONFAB_MESSAGE_COLUMNS
    " FROM hits JOIN messages m ON m.id = hits.rowid"
    " LEFT JOIN threads t ON t.parent_id = m.id"
    " ORDER BY hits.rank";
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(ConfabStmt) stmt = NULL;
  g_autofree char *match = NULL;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Invalid UTF-8 could not come from a text entry; treat it as no words. */
  if (!g_utf8_validate (query, -1, NULL) || (match = _confab_store_build_match (query)) == NULL)
    return g_steal_pointer (&results);

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64)limit : -1);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (results, _confab_store_message_from_stmt (self, stmt));

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_error (self, error, rc, _("Could not search the messages"));
      return NULL;
    }

  return g_steal_pointer (&results);
}
