/* confab-store-search.c: search results for a result list, and where a
 * message sits in its chat, so a result can be opened and scrolled to.
 *
 * Searching runs either on the store's own connection (sync) or in a worker
 * thread on a second, read-only connection (async). The store's connection
 * is used from the main thread only; SQLite in WAL mode lets another
 * connection read committed data while the main one keeps writing, so a
 * slow query over a big store never blocks the UI, and a new keystroke
 * interrupts the old query (sqlite3_interrupt) instead of waiting for it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-store-private.h"

/* snippet() marks the matches with these bytes, which never appear in text a
 * user typed; the markup is built from them after escaping the rest. */
#define MARK_OPEN  '\x01'
#define MARK_CLOSE '\x02'
#define SNIPPET_TOKENS "16"

#define HIT_COLUMNS \
  "m.id, m.chat_id, m.parent_id, m.role, m.author, m.created, c.title, p.id, p.name"

/* Best match first over every chat (among the newest matches, see
 * CONFAB_SEARCH_RANKED_WHERE). ORDER BY rank is done inside FTS5, so
 * snippet() only runs for the rows that are returned. */
static const char all_sql[] =
  "WITH hits AS ("
  "  SELECT rowid AS id, rank,"
  "         snippet(messages_fts, 0, char(1), char(2), '…', " SNIPPET_TOKENS ") AS snip"
  "  FROM messages_fts WHERE " CONFAB_SEARCH_RANKED_WHERE " ORDER BY rank LIMIT ?2)"
  " SELECT " HIT_COLUMNS ", hits.snip"
  " FROM hits JOIN messages m ON m.id = hits.id"
  " JOIN chats c ON c.id = m.chat_id JOIN projects p ON p.id = c.project_id"
  " ORDER BY hits.rank";

/* One chat, newest first: the order a find bar walks up a conversation.
 * Only what the chat shows: its current line and the threads on it
 * (replies share their parent's active flag), not the versions an edit or
 * a regeneration left behind; searching everything finds those too. */
static const char chat_sql[] =
  "SELECT " HIT_COLUMNS ","
  "       snippet(messages_fts, 0, char(1), char(2), '…', " SNIPPET_TOKENS ")"
  " FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid"
  " JOIN chats c ON c.id = m.chat_id JOIN projects p ON p.id = c.project_id"
  " WHERE messages_fts MATCH ?1 AND m.chat_id = ?3 AND m.active = 1"
  " ORDER BY m.id DESC LIMIT ?2";

/* Escapes the excerpt and turns the marks into balanced <b></b>; line
 * breaks become spaces, as an excerpt is shown on one line. */
static char *
snippet_to_markup (const char *raw)
{
  g_autofree char *valid = g_utf8_make_valid (raw ? raw : "", -1);
  g_autoptr(GString) markup = g_string_new (NULL);
  const char *start = valid;
  gboolean bold = FALSE;

  for (const char *p = valid; ; p++)
    {
      g_autofree char *escaped = NULL;
      char c = *p;

      /* Control characters are single bytes, never inside a UTF-8 sequence. */
      if (c != '\0' && (guchar)c >= 0x20)
        continue;

      escaped = g_markup_escape_text (start, p - start);
      g_string_append (markup, escaped);
      start = p + 1;

      if (c == '\0')
        break;
      else if (c == MARK_OPEN && !bold)
        g_string_append (markup, "<b>");
      else if (c == MARK_CLOSE && bold)
        g_string_append (markup, "</b>");
      else if (c != MARK_OPEN && c != MARK_CLOSE)
        g_string_append_c (markup, ' ');

      if (c == MARK_OPEN || c == MARK_CLOSE)
        bold = c == MARK_OPEN;
    }

  if (bold)
    g_string_append (markup, "</b>");

  return g_string_free (g_steal_pointer (&markup), FALSE);
}

static ConfabSearchHit *
hit_from_stmt (sqlite3_stmt *stmt)
{
  ConfabSearchHitData data = { 0 };
  g_autofree char *snippet = NULL;

  data.message_id = sqlite3_column_int64 (stmt, 0);
  data.chat_id = sqlite3_column_int64 (stmt, 1);
  data.parent_id = sqlite3_column_int64 (stmt, 2);  /* NULL reads as 0 */
  if (!confab_role_from_string (_confab_column_text (stmt, 3), &data.role))
    data.role = CONFAB_ROLE_USER;
  data.author = _confab_column_text (stmt, 4);
  data.created = sqlite3_column_int64 (stmt, 5);
  data.chat_title = _confab_column_text (stmt, 6);
  data.project_id = sqlite3_column_int64 (stmt, 7);
  data.project_name = _confab_column_text (stmt, 8);
  snippet = snippet_to_markup (_confab_column_text (stmt, 9));
  data.snippet = snippet;

  return _confab_search_hit_new (&data);
}

/* Runs on whichever connection it is given, prepared afresh: the worker's
 * connection lives for one search only. */
static GPtrArray *
run_search (sqlite3     *db,
            const char  *match,
            gint64       chat_id,
            guint        limit,
            GError     **error)
{
  g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, chat_id != 0 ? chat_sql : all_sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64)limit : -1);
      if (chat_id != 0)
        sqlite3_bind_int64 (stmt, 3, chat_id);

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (hits, hit_from_stmt (stmt));
    }

  if (rc != SQLITE_DONE)
    {
      if (rc == SQLITE_INTERRUPT)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The search was cancelled"));
      else
        g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                     _("Could not search the messages: %s"), sqlite3_errmsg (db));
      sqlite3_finalize (stmt);
      return NULL;
    }

  sqlite3_finalize (stmt);
  return g_steal_pointer (&hits);
}

/**
 * confab_store_search_hits:
 * @query: plain text typed by the user (every word, as a prefix)
 * @chat_id: 0 to search every chat (earlier versions of edited messages
 *   too), best match first; or a chat's id to search what it shows (its
 *   current line and the threads on it), newest first
 * @limit: the most results to return, 0 for no limit
 *
 * Like confab_store_search(), with what a result list shows: the chat,
 * its project and an excerpt of the message with the matches in bold.
 *
 * Returns: (transfer full) (element-type ConfabSearchHit) (nullable): the
 *   hits (empty when @query has no word), or %NULL with @error set
 */
GPtrArray *
confab_store_search_hits (ConfabStore  *self,
                          const char   *query,
                          gint64        chat_id,
                          guint         limit,
                          GError      **error)
{
  g_autofree char *match = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (query, -1, NULL) || (match = _confab_store_build_match (query)) == NULL)
    return g_ptr_array_new_with_free_func (g_object_unref);

  return run_search (self->db, match, chat_id, limit, error);
}

typedef struct
{
  char   *path;
  char   *match;
  gint64  chat_id;
  guint   limit;
} SearchData;

static void
search_data_free (gpointer data)
{
  SearchData *search = data;

  g_free (search->path);
  g_free (search->match);
  g_free (search);
}

static void
interrupt_cb (GCancellable *cancellable,
              sqlite3      *db)
{
  sqlite3_interrupt (db);
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchData *search = task_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *hits = NULL;
  sqlite3 *db = NULL;
  gulong handler = 0;
  int rc;

  rc = sqlite3_open_v2 (search->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (&error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                   _("Could not search the messages: %s"),
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A checkpoint by the main connection can hold the lock for a moment. */
  sqlite3_busy_timeout (db, 2000);

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (interrupt_cb), db, NULL);

  if (!g_cancellable_set_error_if_cancelled (cancellable, &error))
    hits = run_search (db, search->match, search->chat_id, search->limit, &error);

  /* Waits for a running interrupt_cb, so the connection outlives it. */
  g_cancellable_disconnect (cancellable, handler);
  sqlite3_close (db);

  if (hits == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, hits, (GDestroyNotify)g_ptr_array_unref);
}

/**
 * confab_store_search_hits_async:
 *
 * Runs confab_store_search_hits() in a worker thread on its own read-only
 * connection. It sees what the store has committed; cancelling interrupts
 * the query. An in-memory store (no file another connection could open) is
 * searched on the calling thread instead.
 */
void
confab_store_search_hits_async (ConfabStore         *self,
                                const char          *query,
                                gint64               chat_id,
                                guint                limit,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *match = NULL;
  const char *path;
  SearchData *search;

  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (query != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_store_search_hits_async);

  if (!g_utf8_validate (query, -1, NULL) || (match = _confab_store_build_match (query)) == NULL)
    {
      g_task_return_pointer (task, g_ptr_array_new_with_free_func (g_object_unref),
                             (GDestroyNotify)g_ptr_array_unref);
      return;
    }

  path = sqlite3_db_filename (self->db, "main");
  if (path == NULL || *path == '\0')
    {
      g_autoptr(GError) error = NULL;
      GPtrArray *hits = run_search (self->db, match, chat_id, limit, &error);

      if (hits == NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, hits, (GDestroyNotify)g_ptr_array_unref);
      return;
    }

  search = g_new0 (SearchData, 1);
  search->path = g_strdup (path);
  search->match = g_steal_pointer (&match);
  search->chat_id = chat_id;
  search->limit = limit;
  g_task_set_task_data (task, search, search_data_free);
  g_task_run_in_thread (task, search_thread);
}

/**
 * confab_store_search_hits_finish:
 *
 * Returns: (transfer full) (element-type ConfabSearchHit) (nullable): the
 *   hits, or %NULL with @error set (%G_IO_ERROR_CANCELLED when cancelled)
 */
GPtrArray *
confab_store_search_hits_finish (ConfabStore   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        confab_store_search_hits_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * confab_store_get_message_position:
 * @position: (out): the index of @message in the #ConfabMessageList of its
 *   line (the chat's current line, or the thread it is a reply in)
 *
 * Counts over the index the messages before it, without reading any, so a
 * view can scroll a paged list straight to a message deep in a long chat.
 *
 * Returns: %FALSE with @error set: %CONFAB_STORE_ERROR_NOT_FOUND when the
 *   message no longer exists, %CONFAB_STORE_ERROR_INVALID when it is a
 *   version off the current line (confab_store_activate_branch() first)
 */
gboolean
confab_store_get_message_position (ConfabStore    *self,
                                   ConfabMessage  *message,
                                   guint          *position,
                                   GError        **error)
{
  static const char sql[] =
    /* The list's own filter: on a branched chat, the current line only
     * (a message off it has no position until its branch is activated). */
    "SELECT (SELECT count(*) FROM messages m"
    "        WHERE " CONFAB_LINE_WHERE " AND m.id < ?3),"
    "       EXISTS (SELECT 1 FROM messages WHERE id = ?3),"
    "       EXISTS (SELECT 1 FROM messages m WHERE " CONFAB_LINE_WHERE " AND m.id = ?3)";
  g_autoptr(ConfabStmt) stmt = NULL;
  gint64 parent_id;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (position != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, confab_message_get_chat_id (message));
  parent_id = confab_message_get_parent_id (message);
  if (parent_id != 0)
    sqlite3_bind_int64 (stmt, 2, parent_id);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_int64 (stmt, 3, confab_message_get_id (message));

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _confab_store_set_error (self, error, rc, _("Could not read the messages"));
      return FALSE;
    }

  if (sqlite3_column_int (stmt, 1) == 0)
    {
      g_set_error_literal (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                           _("The message no longer exists"));
      return FALSE;
    }

  if (sqlite3_column_int (stmt, 2) == 0)
    {
      g_set_error_literal (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                           _("The message is not in the current version of its chat"));
      return FALSE;
    }

  *position = (guint)sqlite3_column_int64 (stmt, 0);
  return TRUE;
}
