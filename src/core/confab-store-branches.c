/* confab-store-branches.c: edit and resend, regenerate, and switching
 * between the versions of a conversation.
 *
 * The model is described with migration 3 in confab-store-schema.c: a
 * chat's main line is a tree linked by prev_id, the current line is the
 * path of active messages, and a cut tail shares one branch number so it
 * can be switched back to as a whole. Every change here is one
 * transaction; the live objects and the chat's ConfabMessageList are
 * brought in line only once it committed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-store-private.h"

/* The way up from ?1 while the messages are off the current line: ?1's
 * inactive ancestors (with ?1) and the first active one, where the path
 * joins the current line. */
#define WALK_UP \
  "WITH RECURSIVE up (id, prev_id, active) AS (" \
  "  SELECT id, prev_id, active FROM messages WHERE id = ?1" \
  "  UNION ALL" \
  "  SELECT m.id, m.prev_id, m.active FROM messages m JOIN up ON m.id = up.prev_id" \
  "  WHERE up.active = 0)"

typedef struct
{
  gint64   id;
  gint64   branch;
  gboolean active;
} BranchState;

static gboolean
check_main_line (ConfabMessage  *message,
                 GError        **error)
{
  if (confab_message_get_parent_id (message) != 0)
    {
      g_set_error_literal (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                           _("Thread replies have no alternative versions"));
      return FALSE;
    }

  return TRUE;
}

/* Runs a statement whose only parameter ?1 is @id. */
static gboolean
run_update (ConfabStore  *self,
            const char   *sql,
            gint64        id,
            const char   *what,
            GError      **error)
{
  g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  return _confab_store_step_done (self, stmt, what, error);
}

/* A number no inactive message holds, larger than the others so it is
 * easy to tell which cut is the newest. */
static gint64
next_branch (ConfabStore  *self,
             GError      **error)
{
  static const char sql[] =
    "SELECT COALESCE(max(branch), 0) + 1 FROM messages WHERE branch IS NOT NULL";
  g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return 0;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _confab_store_set_error (self, error, rc, _("Could not read the branches"));
      return 0;
    }

  return sqlite3_column_int64 (stmt, 0);
}

/* Takes the current line of @chat_id off from @from_id (included) to its
 * end, as one new branch. Returns the branch, or 0 on error. */
static gint64
cut_line (ConfabStore  *self,
          gint64        chat_id,
          gint64        from_id,
          GError      **error)
{
  static const char sql[] =
    "UPDATE messages SET active = 0, branch = ?3"
    " WHERE chat_id = ?1 AND parent_id IS NULL AND active = 1 AND id >= ?2";
  g_autoptr(ConfabStmt) stmt = NULL;
  gint64 branch = next_branch (self, error);

  if (branch == 0)
    return 0;

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return 0;

  sqlite3_bind_int64 (stmt, 1, chat_id);
  sqlite3_bind_int64 (stmt, 2, from_id);
  sqlite3_bind_int64 (stmt, 3, branch);
  if (!_confab_store_step_done (self, stmt, _("Could not start a new branch"), error))
    return 0;

  return branch;
}

/* Thread replies take their parent's flag again, so a thread goes where
 * its message goes. Only the threads of the chat are visited. */
static gboolean
mirror_threads (ConfabStore  *self,
                gint64        chat_id,
                GError      **error)
{
  static const char sql[] =
    "UPDATE messages SET active = (SELECT p.active FROM messages p WHERE p.id = messages.parent_id)"
    " WHERE parent_id IN (SELECT parent_id FROM threads WHERE chat_id = ?1)"
    "   AND active != (SELECT p.active FROM messages p WHERE p.id = messages.parent_id)";

  return run_update (self, sql, chat_id, _("Could not move the threads"), error);
}

/* Brings the live messages of the chat and its main-line list in line
 * with the database after the line below @fork_id changed. */
static void
sync_chat (ConfabStore *self,
           gint64       chat_id,
           gint64       fork_id)
{
  static const char sql[] = "SELECT active, branch FROM messages WHERE id = ?1";
  g_autoptr(GPtrArray) messages = _confab_weak_cache_values (self->message_cache);
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (BranchState));
  ConfabMessageList *list;

  /* Read everything first: a notify handler may use the store, and no
   * statement may be running when it does. */
  for (guint i = 0; i < messages->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (messages, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(ConfabStmt) stmt = NULL;
      BranchState state = { confab_message_get_id (message), 0, FALSE };

      if (confab_message_get_chat_id (message) != chat_id)
        continue;

      stmt = _confab_store_prepare (self, sql, &error);
      if (stmt == NULL)
        {
          g_warning ("%s", error->message);
          return;
        }

      sqlite3_bind_int64 (stmt, 1, state.id);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        continue;

      state.active = sqlite3_column_int (stmt, 0) != 0;
      state.branch = sqlite3_column_int64 (stmt, 1);
      g_array_append_val (states, state);
    }

  for (guint i = 0; i < states->len; i++)
    {
      BranchState *state = &g_array_index (states, BranchState, i);
      ConfabMessage *message = _confab_weak_cache_lookup (self->message_cache, state->id);

      if (message != NULL)
        _confab_message_set_branch (message, state->active, state->branch);
    }

  list = _confab_weak_cache_lookup (self->main_lists, chat_id);
  if (list != NULL)
    _confab_message_list_reload_from (list, fork_id);
}

void
_confab_store_refresh_alternatives (ConfabStore *self,
                                    gint64       chat_id,
                                    gint64       prev_id)
{
  static const char sql[] =
    "SELECT id FROM messages WHERE chat_id = ?1 AND parent_id IS NULL AND prev_id IS ?2"
    " ORDER BY id";
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, &error);
    int rc;

    if (stmt == NULL)
      {
        g_warning ("%s", error->message);
        return;
      }

    sqlite3_bind_int64 (stmt, 1, chat_id);
    if (prev_id != 0)
      sqlite3_bind_int64 (stmt, 2, prev_id);
    else
      sqlite3_bind_null (stmt, 2);

    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);
        g_array_append_val (ids, id);
      }

    if (rc != SQLITE_DONE)
      {
        _confab_store_set_error (self, &error, rc, _("Could not read the branches"));
        g_warning ("%s", error->message);
        return;
      }
  }

  for (guint i = 0; i < ids->len; i++)
    {
      ConfabMessage *message = _confab_weak_cache_lookup (self->message_cache,
                                                          g_array_index (ids, gint64, i));

      if (message == NULL)
        continue;

      /* After a delete, children of the deleted message arrive here. */
      _confab_message_set_prev_id (message, prev_id);
      _confab_message_set_alternatives (message, ids->len, i);
    }
}

/* Whether the row of @id is on the current line; NOT_FOUND when the
 * message is gone (the object may outlive its row). */
static gboolean
read_active (ConfabStore  *self,
             gint64        id,
             gboolean     *active,
             GError      **error)
{
  static const char sql[] = "SELECT active FROM messages WHERE id = ?1";
  g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *active = sqlite3_column_int (stmt, 0) != 0;
      return TRUE;
    }

  if (rc == SQLITE_DONE)
    g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                 _("The message %lld no longer exists"), (long long)id);
  else
    _confab_store_set_error (self, error, rc, _("Could not read the branches"));

  return FALSE;
}

/**
 * confab_store_branch_from:
 * @message: a message on its chat's current line (not a thread reply)
 *
 * Takes @message and everything after it off the current line, as one
 * branch that stays stored, searchable and listed by
 * confab_store_list_alternatives(). The next message added to the main
 * line follows the message before @message: it is the new version at that
 * point ("edit and resend", "regenerate"). The chat's message list drops
 * the tail in one items-changed. See also confab_store_add_alternative().
 *
 * Returns: the branch number now held by the cut messages, or 0 with
 *   @error set
 */
gint64
confab_store_branch_from (ConfabStore    *self,
                          ConfabMessage  *message,
                          GError        **error)
{
  gboolean active = FALSE;
  gint64 chat_id;
  gint64 branch;

  g_return_val_if_fail (CONFAB_IS_STORE (self), 0);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!check_main_line (message, error))
    return 0;

  if (!confab_message_get_active (message))
    {
      g_set_error_literal (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                           _("Only a message of the current conversation can be "
                             "edited or regenerated; switch to its branch first"));
      return 0;
    }

  chat_id = confab_message_get_chat_id (message);

  if (!confab_store_begin (self, error))
    return 0;

  /* The object may outlive its row; cutting "from" a deleted message
   * would cut whatever follows its id. */
  if (!read_active (self, confab_message_get_id (message), &active, error))
    goto failed;

  if (!active)
    {
      g_set_error_literal (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                           _("The message is no longer on the current line"));
      goto failed;
    }

  branch = cut_line (self, chat_id, confab_message_get_id (message), error);
  if (branch == 0 ||
      !mirror_threads (self, chat_id, error) ||
      !confab_store_commit (self, error))
    goto failed;

  sync_chat (self, chat_id, _confab_message_get_prev_id (message));

  return branch;

failed:
  confab_store_rollback (self);
  return 0;
}

/**
 * confab_store_add_alternative:
 * @message: the message on the current line to replace
 * @draft: the new version; its chat is @message's, its parent_id 0
 *
 * confab_store_branch_from() and confab_store_add_message() in one
 * transaction: a new version of @message (an edited user message, or a
 * regenerated reply, usually streaming) that ends the current line, with
 * @message and what followed it kept as an alternative.
 *
 * Returns: (transfer full) (nullable): the new message
 */
ConfabMessage *
confab_store_add_alternative (ConfabStore               *self,
                              ConfabMessage             *message,
                              const ConfabMessageDraft  *draft,
                              GError                   **error)
{
  g_autoptr(ConfabMessage) added = NULL;
  gboolean cut;
  gint64 chat_id;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), NULL);
  g_return_val_if_fail (draft != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  chat_id = confab_message_get_chat_id (message);
  if (draft->chat_id != chat_id || draft->parent_id != 0)
    {
      g_set_error_literal (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                           _("A new version must be on the same chat’s main line"));
      return NULL;
    }

  if (!confab_store_begin (self, error))
    return NULL;

  cut = confab_store_branch_from (self, message, error) != 0;
  if (cut &&
      (added = confab_store_add_message (self, draft, error)) != NULL &&
      confab_store_commit (self, error))
    return g_steal_pointer (&added);

  confab_store_rollback (self);

  /* The savepoint inside already told the live objects: tell them again
   * what the database holds now. */
  if (cut)
    {
      if (added != NULL)
        _confab_weak_cache_remove (self->message_cache, confab_message_get_id (added));
      sync_chat (self, chat_id, _confab_message_get_prev_id (message));
      _confab_store_refresh_alternatives (self, chat_id, _confab_message_get_prev_id (message));
    }

  return NULL;
}

/**
 * confab_store_list_alternatives:
 * @message: any message
 *
 * The versions at @message's point of the conversation, oldest first,
 * @message among them: the messages that follow the same message. Each
 * has its own line after it (confab_store_list_branch_line()); switch to
 * one with confab_store_activate_branch(). A thread reply is its only
 * version.
 *
 * Returns: (transfer full) (element-type ConfabMessage) (nullable): the
 *   messages, or %NULL with @error set
 */
GPtrArray *
confab_store_list_alternatives (ConfabStore    *self,
                                ConfabMessage  *message,
                                GError        **error)
{
  static const char sql[] =
    "SELECT " CONFAB_MESSAGE_COLUMNS " FROM " CONFAB_MESSAGE_FROM
    " WHERE m.chat_id = ?1 AND m.parent_id IS NULL AND m.prev_id IS ?2 ORDER BY m.id";
  g_autoptr(GPtrArray) alternatives = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(ConfabStmt) stmt = NULL;
  gint64 prev_id;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (confab_message_get_parent_id (message) != 0)
    {
      g_ptr_array_add (alternatives, g_object_ref (message));
      return g_steal_pointer (&alternatives);
    }

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  prev_id = _confab_message_get_prev_id (message);
  sqlite3_bind_int64 (stmt, 1, confab_message_get_chat_id (message));
  if (prev_id != 0)
    sqlite3_bind_int64 (stmt, 2, prev_id);
  else
    sqlite3_bind_null (stmt, 2);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (alternatives, _confab_store_message_from_stmt (self, stmt));

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_error (self, error, rc, _("Could not read the branches"));
      return NULL;
    }

  return g_steal_pointer (&alternatives);
}

/**
 * confab_store_list_branch_line:
 * @message: a main-line message
 *
 * @message and the messages that follow it on its line: the rest of the
 * current line when @message is on it, otherwise the line that followed
 * it when it was last current (what confab_store_activate_branch() would
 * show). For a preview of an alternative; may be long.
 *
 * Returns: (transfer full) (element-type ConfabMessage) (nullable): the
 *   messages, oldest first, or %NULL with @error set
 */
GPtrArray *
confab_store_list_branch_line (ConfabStore    *self,
                               ConfabMessage  *message,
                               GError        **error)
{
  static const char active_sql[] =
    "SELECT " CONFAB_MESSAGE_COLUMNS " FROM " CONFAB_MESSAGE_FROM
    " WHERE m.chat_id = ?1 AND m.parent_id IS NULL AND m.active = 1 AND m.id >= ?2"
    " ORDER BY m.id";
  static const char branch_sql[] =
    "SELECT " CONFAB_MESSAGE_COLUMNS " FROM " CONFAB_MESSAGE_FROM
    " WHERE m.branch = ?1 AND m.active = 0 AND m.id >= ?2 ORDER BY m.id";
  g_autoptr(GPtrArray) line = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(ConfabStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (confab_message_get_parent_id (message) != 0 ||
      (!confab_message_get_active (message) && confab_message_get_branch (message) == 0))
    {
      g_ptr_array_add (line, g_object_ref (message));
      return g_steal_pointer (&line);
    }

  if (confab_message_get_active (message))
    {
      stmt = _confab_store_prepare (self, active_sql, error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, confab_message_get_chat_id (message));
    }
  else
    {
      /* A cut tail is one path, so the part of it from @message on is
       * exactly what followed @message. */
      stmt = _confab_store_prepare (self, branch_sql, error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, confab_message_get_branch (message));
    }
  sqlite3_bind_int64 (stmt, 2, confab_message_get_id (message));

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (line, _confab_store_message_from_stmt (self, stmt));

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_error (self, error, rc, _("Could not read the branch"));
      return NULL;
    }

  return g_steal_pointer (&line);
}

/* The nearest active message on the way up from @id, 0 when the way
 * reaches the start of the chat. */
static gboolean
find_fork (ConfabStore  *self,
           gint64        id,
           gint64       *fork_id,
           GError      **error)
{
  static const char sql[] = WALK_UP " SELECT id FROM up WHERE active = 1";
  g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *fork_id = sqlite3_column_int64 (stmt, 0);
      return TRUE;
    }

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_error (self, error, rc, _("Could not read the branches"));
      return FALSE;
    }

  *fork_id = 0;
  return TRUE;
}

/**
 * confab_store_activate_branch:
 * @message: any message of the chat
 *
 * Makes the line through @message the chat's current line: from the
 * start of the chat to @message, then what followed @message when it was
 * last current. What was current below the point where the two lines
 * part becomes a branch, kept like any other. For a thread reply, the
 * line through its parent. Nothing changes when @message is already on
 * the current line.
 *
 * The chat's message list replaces its tail in one items-changed.
 */
gboolean
confab_store_activate_branch (ConfabStore    *self,
                              ConfabMessage  *message,
                              GError        **error)
{
  static const char tail_sql[] =
    "UPDATE messages SET active = 1, branch = NULL"
    " WHERE branch = (SELECT branch FROM messages WHERE id = ?1) AND active = 0 AND id > ?1";
  static const char path_sql[] =
    WALK_UP
    " UPDATE messages SET active = 1, branch = NULL"
    " WHERE id IN (SELECT id FROM up WHERE active = 0)";
  g_autoptr(ConfabMessage) parent = NULL;
  gboolean active = FALSE;
  gint64 chat_id;
  gint64 id;
  gint64 fork_id = 0;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (confab_message_get_parent_id (message) != 0)
    {
      parent = confab_store_lookup_message (self, confab_message_get_parent_id (message), error);
      if (parent == NULL)
        return FALSE;
      message = parent;
    }

  if (confab_message_get_active (message))
    return TRUE;

  chat_id = confab_message_get_chat_id (message);
  id = confab_message_get_id (message);

  if (!confab_store_begin (self, error))
    return FALSE;

  if (!read_active (self, id, &active, error))
    {
      confab_store_rollback (self);
      return FALSE;
    }

  /* Stale object: the database is right, the objects catch up. */
  if (active)
    {
      confab_store_rollback (self);
      sync_chat (self, chat_id, 0);
      return TRUE;
    }

  /* Order matters: the old tail gets its new branch before anything is
   * activated, and @message's tail is found through its branch before the
   * walk up clears it. */
  if (!find_fork (self, id, &fork_id, error) ||
      cut_line (self, chat_id, fork_id + 1, error) == 0 ||
      !run_update (self, tail_sql, id, _("Could not switch the branch"), error) ||
      !run_update (self, path_sql, id, _("Could not switch the branch"), error) ||
      !mirror_threads (self, chat_id, error) ||
      !confab_store_commit (self, error))
    {
      confab_store_rollback (self);
      return FALSE;
    }

  sync_chat (self, chat_id, fork_id);

  return TRUE;
}
