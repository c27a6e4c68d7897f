/* confab-store-projects.c: projects, and the always-alive list of them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-store-private.h"

static int
compare_projects (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  ConfabProject *project_a = (ConfabProject *)a;
  ConfabProject *project_b = (ConfabProject *)b;
  gint64 created_a = confab_project_get_created (project_a);
  gint64 created_b = confab_project_get_created (project_b);
  gint64 id_a = confab_project_get_id (project_a);
  gint64 id_b = confab_project_get_id (project_b);

  if (created_a != created_b)
    return created_a < created_b ? -1 : 1;

  return id_a < id_b ? -1 : (id_a > id_b);
}

gboolean
_confab_store_load_projects (ConfabStore  *self,
                             GError      **error)
{
  static const char sql[] =
    "SELECT " CONFAB_PROJECT_COLUMNS " FROM projects ORDER BY created, id";
  g_autoptr(GPtrArray) projects = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (projects, _confab_store_project_from_stmt (self, stmt));

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_error (self, error, rc, _("Could not read the projects"));
      return FALSE;
    }

  g_list_store_splice (self->projects, 0, g_list_model_get_n_items (G_LIST_MODEL (self->projects)),
                       projects->pdata, projects->len);

  return TRUE;
}

/**
 * confab_store_get_projects:
 *
 * Returns: (transfer none): a #GListModel of #ConfabProject, oldest first,
 *   alive as long as the store
 */
GListModel *
confab_store_get_projects (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  return G_LIST_MODEL (self->projects);
}

/**
 * confab_store_create_project:
 *
 * Returns: (transfer full) (nullable): the new project, also appended to
 *   confab_store_get_projects()
 */
ConfabProject *
confab_store_create_project (ConfabStore  *self,
                             const char   *name,
                             GError      **error)
{
  static const char sql[] =
    "INSERT INTO projects (name, created, updated) VALUES (?1, ?2, ?2)";
  ConfabProject *project;
  gint64 now = g_get_real_time ();
  gint64 id;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

    if (stmt == NULL)
      return NULL;

    _confab_bind_text (stmt, 1, name);
    sqlite3_bind_int64 (stmt, 2, now);
    if (!_confab_store_step_done (self, stmt, _("Could not create the project"), error))
      return NULL;

    id = sqlite3_last_insert_rowid (self->db);
  }

  project = _confab_project_new (id, name, NULL, NULL, now);
  _confab_weak_cache_insert (self->project_cache, id, project);
  g_list_store_insert_sorted (self->projects, project, compare_projects, NULL);

  return project;
}

/**
 * confab_store_lookup_project:
 *
 * Returns: (transfer full) (nullable): the project, or %NULL with
 *   %CONFAB_STORE_ERROR_NOT_FOUND
 */
ConfabProject *
confab_store_lookup_project (ConfabStore  *self,
                             gint64        id,
                             GError      **error)
{
  static const char sql[] =
    "SELECT " CONFAB_PROJECT_COLUMNS " FROM projects WHERE id = ?1";
  g_autoptr(ConfabStmt) stmt = NULL;
  ConfabProject *project;
  gboolean missing;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  project = _confab_weak_cache_lookup (self->project_cache, id);
  if (project != NULL)
    return g_object_ref (project);

  stmt = _confab_store_step_by_id (self, sql, id, _("Could not read the project"), &missing, error);
  if (stmt != NULL)
    return _confab_store_project_from_stmt (self, stmt);

  if (missing)
    g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                 _("There is no project %lld"), (long long)id);

  return NULL;
}

gboolean
_confab_store_update_project (ConfabStore    *self,
                              ConfabStmt     *stmt,
                              ConfabProject  *project,
                              GError        **error)
{
  if (!_confab_store_step_done (self, stmt, _("Could not change the project"), error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                   _("The project “%s” no longer exists"), confab_project_get_name (project));
      return FALSE;
    }

  return TRUE;
}

gboolean
confab_store_rename_project (ConfabStore    *self,
                             ConfabProject  *project,
                             const char     *name,
                             GError        **error)
{
  static const char sql[] = "UPDATE projects SET name = ?2, updated = ?3 WHERE id = ?1";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

    if (stmt == NULL)
      return FALSE;

    sqlite3_bind_int64 (stmt, 1, confab_project_get_id (project));
    _confab_bind_text (stmt, 2, name);
    sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
    if (!_confab_store_update_project (self, stmt, project, error))
      return FALSE;
  }

  _confab_project_set_name (project, name);

  return TRUE;
}

gboolean
confab_store_set_project_defaults (ConfabStore    *self,
                                   ConfabProject  *project,
                                   const char     *default_model,
                                   const char     *system_prompt,
                                   GError        **error)
{
  static const char sql[] =
    "UPDATE projects SET default_model = ?2, system_prompt = ?3, updated = ?4 WHERE id = ?1";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

    if (stmt == NULL)
      return FALSE;

    sqlite3_bind_int64 (stmt, 1, confab_project_get_id (project));
    _confab_bind_text (stmt, 2, default_model);
    _confab_bind_text (stmt, 3, system_prompt);
    sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
    if (!_confab_store_update_project (self, stmt, project, error))
      return FALSE;
  }

  g_object_freeze_notify (G_OBJECT (project));
  _confab_project_set_default_model (project, default_model);
  _confab_project_set_system_prompt (project, system_prompt);
  g_object_thaw_notify (G_OBJECT (project));

  return TRUE;
}

void
_confab_store_project_rolled_back (ConfabStore   *self,
                                   ConfabProject *project)
{
  g_autoptr(ConfabProject) hold G_GNUC_UNUSED = g_object_ref (project);
  gint64 id = confab_project_get_id (project);
  guint position;

  /* SQLite may hand the id out again: no stale object may answer to it. */
  _confab_weak_cache_remove (self->chat_lists, id);
  _confab_weak_cache_remove (self->project_cache, id);

  if (g_list_store_find (self->projects, project, &position))
    g_list_store_remove (self->projects, position);
}

gboolean
confab_store_delete_project (ConfabStore    *self,
                             ConfabProject  *project,
                             GError        **error)
{
  static const char chats_sql[] = "SELECT id FROM chats WHERE project_id = ?1";
  static const char delete_sql[] = "DELETE FROM projects WHERE id = ?1";
  g_autoptr(GArray) chat_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(ConfabProject) hold G_GNUC_UNUSED = NULL;
  gint64 id;
  guint position;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Removing it from the list may drop the last reference. */
  hold = g_object_ref (project);
  id = confab_project_get_id (project);

  /* The chats are gathered first: once the cascade ran they are gone, and
   * their live lists and objects still need to be told. */
  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, chats_sql, error);

    if (stmt == NULL)
      return FALSE;

    sqlite3_bind_int64 (stmt, 1, id);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 chat_id = sqlite3_column_int64 (stmt, 0);
        g_array_append_val (chat_ids, chat_id);
      }

    if (rc != SQLITE_DONE)
      {
        _confab_store_set_error (self, error, rc, _("Could not delete the project"));
        return FALSE;
      }
  }

  {
    g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, delete_sql, error);

    if (stmt == NULL)
      return FALSE;

    sqlite3_bind_int64 (stmt, 1, id);
    if (!_confab_store_step_done (self, stmt, _("Could not delete the project"), error))
      return FALSE;

    if (sqlite3_changes (self->db) == 0)
      {
        g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                     _("The project “%s” no longer exists"), confab_project_get_name (project));
        return FALSE;
      }
  }

  _confab_store_chats_deleted (self, chat_ids);
  _confab_weak_cache_remove (self->chat_lists, id);
  _confab_weak_cache_remove (self->project_cache, id);

  if (g_list_store_find (self->projects, project, &position))
    g_list_store_remove (self->projects, position);

  return TRUE;
}
