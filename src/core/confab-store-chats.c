/* confab-store-chats.c: chats and the live per-project chat lists.
 *
 * A project's list is a GListStore kept sorted (pinned first, then most
 * recently updated) by moving single items when a chat changes, so a
 * GtkListView bound to it only redraws what moved.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-store-private.h"

static GListStore *
lookup_live_list (ConfabStore *self,
                  gint64       project_id)
{
  return _confab_weak_cache_lookup (self->chat_lists, project_id);
}

static void
remove_from_live_list (ConfabStore *self,
                       ConfabChat  *chat)
{
  GListStore *list = lookup_live_list (self, confab_chat_get_project_id (chat));
  guint position;

  if (list != NULL && g_list_store_find (list, chat, &position))
    g_list_store_remove (list, position);
}

static void
add_to_live_list (ConfabStore *self,
                  ConfabChat  *chat)
{
  GListStore *list = lookup_live_list (self, confab_chat_get_project_id (chat));

  if (list != NULL)
    g_list_store_insert_sorted (list, chat, _confab_chat_compare, NULL);
}

void
_confab_store_resort_chat (ConfabStore *self,
                           ConfabChat  *chat)
{
  GListStore *list = lookup_live_list (self, confab_chat_get_project_id (chat));
  GListModel *model;
  guint position;
  guint n_items;
  gboolean in_order = TRUE;

  if (list == NULL || !g_list_store_find (list, chat, &position))
    return;

  model = G_LIST_MODEL (list);
  /* The common case, a message in the chat already on top, moves nothing
   * and must not emit anything. */
  n_items = g_list_model_get_n_items (model);
  if (position > 0)
    {
      g_autoptr(ConfabChat) before = g_list_model_get_item (model, position - 1);
      in_order = _confab_chat_compare (before, chat, NULL) < 0;
    }
  if (in_order && position + 1 < n_items)
    {
      g_autoptr(ConfabChat) after = g_list_model_get_item (model, position + 1);
      in_order = _confab_chat_compare (chat, after, NULL) < 0;
    }

  if (in_order)
    return;

  g_object_ref (chat);
  g_list_store_remove (list, position);
  g_list_store_insert_sorted (list, chat, _confab_chat_compare, NULL);
  g_object_unref (chat);
}

void
_confab_store_chats_deleted (ConfabStore *self,
                             GArray      *chat_ids)
{
  for (guint i = 0; i < chat_ids->len; i++)
    {
      gint64 id = g_array_index (chat_ids, gint64, i);
      ConfabChat *chat = _confab_weak_cache_lookup (self->chat_cache, id);

      if (chat == NULL)
        continue;

      /* Forget it first: removing it from its list may finalize it. */
      _confab_weak_cache_remove (self->chat_cache, id);
      remove_from_live_list (self, chat);
    }

  _confab_store_messages_of_chats_deleted (self, chat_ids);
}

/**
 * confab_store_list_chats:
 *
 * Returns: (transfer full): a #GListModel of the project's #ConfabChat,
 *   pinned first, then the most recently updated. Archived chats are
 *   included (filter on #ConfabChat:archived). The same model is returned
 *   while it is alive.
 */
GListModel *
confab_store_list_chats (ConfabStore   *self,
                         ConfabProject *project)
{
  static const char sql[] =
    "SELECT " CONFAB_CHAT_COLUMNS " FROM chats WHERE project_id = ?1 "
    "ORDER BY pinned DESC, updated DESC, id DESC";
  g_autoptr(GPtrArray) chats = NULL;
  g_autoptr(GError) error = NULL;
  GListStore *list;
  gint64 project_id;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), NULL);

  project_id = confab_project_get_id (project);
  list = lookup_live_list (self, project_id);
  if (list != NULL)
    return g_object_ref (G_LIST_MODEL (list));

  chats = g_ptr_array_new_with_free_func (g_object_unref);

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, &error);
    int rc = SQLITE_DONE;

    if (stmt != NULL)
      {
        sqlite3_bind_int64 (stmt, 1, project_id);
        while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
          g_ptr_array_add (chats, _confab_store_chat_from_stmt (self, stmt));

        if (rc != SQLITE_DONE)
          _confab_store_set_error (self, &error, rc, _("Could not read the chats"));
      }
  }

  /* No GError in this call: an unreadable list shows empty and says why in
   * the log rather than failing the window. */
  if (error != NULL)
    g_warning ("%s", error->message);

  list = g_list_store_new (CONFAB_TYPE_CHAT);
  g_list_store_splice (list, 0, 0, chats->pdata, chats->len);
  _confab_weak_cache_insert (self->chat_lists, project_id, list);

  return G_LIST_MODEL (list);
}

/**
 * confab_store_create_chat:
 * @title: (nullable): the title, %NULL for none yet
 *
 * Returns: (transfer full) (nullable): the new chat, also inserted into the
 *   project's live list
 */
ConfabChat *
confab_store_create_chat (ConfabStore    *self,
                          ConfabProject  *project,
                          const char     *title,
                          GError        **error)
{
  static const char sql[] =
    "INSERT INTO chats (project_id, title, created, updated) VALUES (?1, ?2, ?3, ?3)";
  ConfabChat *chat;
  gint64 now = g_get_real_time ();
  gint64 id;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (title == NULL)
    title = "";

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

    if (stmt == NULL)
      return NULL;

    sqlite3_bind_int64 (stmt, 1, confab_project_get_id (project));
    _confab_bind_text (stmt, 2, title);
    sqlite3_bind_int64 (stmt, 3, now);
    if (!_confab_store_step_done (self, stmt, _("Could not create the chat"), error))
      return NULL;

    id = sqlite3_last_insert_rowid (self->db);
  }

  chat = _confab_chat_new (id, confab_project_get_id (project), title, NULL, NULL,
                           FALSE, FALSE, now, now);
  _confab_weak_cache_insert (self->chat_cache, id, chat);
  add_to_live_list (self, chat);

  return chat;
}

ConfabChat *
_confab_store_create_chat_full (ConfabStore    *self,
                                ConfabProject  *project,
                                const char     *title,
                                const char     *model,
                                gint64          created,
                                gint64          updated,
                                GError        **error)
{
  static const char sql[] =
    "INSERT INTO chats (project_id, title, model, created, updated) VALUES (?1, ?2, ?3, ?4, ?5)";
  ConfabChat *chat;
  gint64 id;

  if (title == NULL)
    title = "";
  updated = MAX (created, updated);

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

    if (stmt == NULL)
      return NULL;

    sqlite3_bind_int64 (stmt, 1, confab_project_get_id (project));
    _confab_bind_text (stmt, 2, title);
    _confab_bind_text (stmt, 3, model);
    sqlite3_bind_int64 (stmt, 4, created);
    sqlite3_bind_int64 (stmt, 5, updated);
    if (!_confab_store_step_done (self, stmt, _("Could not create the chat"), error))
      return NULL;

    id = sqlite3_last_insert_rowid (self->db);
  }

  chat = _confab_chat_new (id, confab_project_get_id (project), title, model, NULL,
                           FALSE, FALSE, created, updated);
  _confab_weak_cache_insert (self->chat_cache, id, chat);
  add_to_live_list (self, chat);

  return chat;
}

/**
 * confab_store_lookup_chat:
 *
 * Returns: (transfer full) (nullable): the chat, or %NULL with
 *   %CONFAB_STORE_ERROR_NOT_FOUND
 */
ConfabChat *
confab_store_lookup_chat (ConfabStore  *self,
                          gint64        id,
                          GError      **error)
{
  static const char sql[] = "SELECT " CONFAB_CHAT_COLUMNS " FROM chats WHERE id = ?1";
  g_autoptr(ConfabStmt) stmt = NULL;
  ConfabChat *chat;
  gboolean missing;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  chat = _confab_weak_cache_lookup (self->chat_cache, id);
  if (chat != NULL)
    return g_object_ref (chat);

  stmt = _confab_store_step_by_id (self, sql, id, _("Could not read the chat"), &missing, error);
  if (stmt != NULL)
    return _confab_store_chat_from_stmt (self, stmt);

  if (missing)
    g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                 _("There is no chat %lld"), (long long)id);

  return NULL;
}

/* Prepares an UPDATE of one chat whose ?1 is the chat id. */
static ConfabStmt *
prepare_update (ConfabStore  *self,
                const char   *sql,
                ConfabChat   *chat,
                GError      **error)
{
  ConfabStmt *stmt = _confab_store_prepare (self, sql, error);

  if (stmt != NULL)
    sqlite3_bind_int64 (stmt, 1, confab_chat_get_id (chat));

  return stmt;
}

static gboolean
run_update (ConfabStore  *self,
            ConfabStmt   *stmt,
            ConfabChat   *chat,
            GError      **error)
{
  if (!_confab_store_step_done (self, stmt, _("Could not change the chat"), error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                   _("The chat “%s” no longer exists"), confab_chat_get_title (chat));
      return FALSE;
    }

  return TRUE;
}

/* For the text columns: title, model, draft. */
static gboolean
update_text (ConfabStore  *self,
             ConfabChat   *chat,
             const char   *sql,
             const char   *value,
             GError      **error)
{
  g_autoptr(ConfabStmt) stmt = prepare_update (self, sql, chat, error);

  if (stmt == NULL)
    return FALSE;

  _confab_bind_text (stmt, 2, value);
  return run_update (self, stmt, chat, error);
}

static gboolean
update_int (ConfabStore  *self,
            ConfabChat   *chat,
            const char   *sql,
            gint64        value,
            GError      **error)
{
  g_autoptr(ConfabStmt) stmt = prepare_update (self, sql, chat, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 2, value);
  return run_update (self, stmt, chat, error);
}

gboolean
confab_store_rename_chat (ConfabStore  *self,
                          ConfabChat   *chat,
                          const char   *title,
                          GError      **error)
{
  static const char sql[] = "UPDATE chats SET title = ?2 WHERE id = ?1";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CHAT (chat), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (title == NULL)
    title = "";

  if (!update_text (self, chat, sql, title, error))
    return FALSE;

  _confab_chat_set_title (chat, title);
  return TRUE;
}

gboolean
confab_store_move_chat (ConfabStore    *self,
                        ConfabChat     *chat,
                        ConfabProject  *project,
                        GError        **error)
{
  static const char sql[] = "UPDATE chats SET project_id = ?2 WHERE id = ?1";
  g_autoptr(ConfabChat) hold G_GNUC_UNUSED = NULL;
  gint64 project_id;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CHAT (chat), FALSE);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  project_id = confab_project_get_id (project);
  if (project_id == confab_chat_get_project_id (chat))
    return TRUE;

  if (!update_int (self, chat, sql, project_id, error))
    return FALSE;

  /* The old list may hold the last reference. */
  hold = g_object_ref (chat);
  remove_from_live_list (self, chat);
  _confab_chat_set_project_id (chat, project_id);
  add_to_live_list (self, chat);

  return TRUE;
}

/**
 * confab_store_set_chat_model:
 * @model: (nullable): "PROVIDER:MODEL", or %NULL to clear
 */
gboolean
confab_store_set_chat_model (ConfabStore  *self,
                             ConfabChat   *chat,
                             const char   *model,
                             GError      **error)
{
  static const char sql[] = "UPDATE chats SET model = ?2 WHERE id = ?1";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CHAT (chat), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!update_text (self, chat, sql, model, error))
    return FALSE;

  _confab_chat_set_model (chat, model);
  return TRUE;
}

/**
 * confab_store_set_chat_draft:
 * @draft: (nullable): the unsent text, or %NULL to clear
 *
 * Does not count as activity: the chat keeps its place in the list.
 */
gboolean
confab_store_set_chat_draft (ConfabStore  *self,
                             ConfabChat   *chat,
                             const char   *draft,
                             GError      **error)
{
  static const char sql[] = "UPDATE chats SET draft = ?2 WHERE id = ?1";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CHAT (chat), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!update_text (self, chat, sql, draft, error))
    return FALSE;

  _confab_chat_set_draft (chat, draft);
  return TRUE;
}

gboolean
confab_store_set_chat_pinned (ConfabStore  *self,
                              ConfabChat   *chat,
                              gboolean      pinned,
                              GError      **error)
{
  static const char sql[] = "UPDATE chats SET pinned = ?2 WHERE id = ?1";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CHAT (chat), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pinned = !!pinned;
  if (!update_int (self, chat, sql, pinned, error))
    return FALSE;

  _confab_chat_set_pinned (chat, pinned);
  _confab_store_resort_chat (self, chat);
  return TRUE;
}

gboolean
confab_store_set_chat_archived (ConfabStore  *self,
                                ConfabChat   *chat,
                                gboolean      archived,
                                GError      **error)
{
  static const char sql[] = "UPDATE chats SET archived = ?2 WHERE id = ?1";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CHAT (chat), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  archived = !!archived;
  if (!update_int (self, chat, sql, archived, error))
    return FALSE;

  _confab_chat_set_archived (chat, archived);
  return TRUE;
}

/**
 * confab_store_delete_chat:
 *
 * Deletes the chat with its messages and threads; it leaves its project's
 * live list and its message lists become empty.
 */
gboolean
confab_store_delete_chat (ConfabStore  *self,
                          ConfabChat   *chat,
                          GError      **error)
{
  static const char sql[] = "DELETE FROM chats WHERE id = ?1";
  g_autoptr(GArray) ids = NULL;
  g_autoptr(ConfabChat) hold G_GNUC_UNUSED = NULL;
  gint64 id;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CHAT (chat), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_autoptr(ConfabStmt) stmt = prepare_update (self, sql, chat, error);

    if (stmt == NULL)
      return FALSE;

    if (!_confab_store_step_done (self, stmt, _("Could not delete the chat"), error))
      return FALSE;

    if (sqlite3_changes (self->db) == 0)
      {
        g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                     _("The chat “%s” no longer exists"), confab_chat_get_title (chat));
        return FALSE;
      }
  }

  hold = g_object_ref (chat);
  id = confab_chat_get_id (chat);
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (ids, id);
  _confab_store_chats_deleted (self, ids);

  return TRUE;
}
