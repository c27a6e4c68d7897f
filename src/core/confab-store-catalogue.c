/* confab-store-catalogue.c: the model catalogue's cache table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include "confab-model-catalogue-private.h"
#include "confab-store-private.h"

GPtrArray *
_confab_store_load_models (ConfabStore  *self,
                          GError      **error)
{
  static const char sql[] =
    "SELECT provider, model, display_name, context_window, max_output FROM models"
    " ORDER BY provider, model";
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(ConfabStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (models,
                     confab_model_info_new (_confab_column_text (stmt, 0),
                                            _confab_column_text (stmt, 1),
                                            _confab_column_text (stmt, 2),
                                            sqlite3_column_int64 (stmt, 3),
                                            sqlite3_column_int64 (stmt, 4)));

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_error (self, error, rc, "Could not read the model list");
      return NULL;
    }

  return g_steal_pointer (&models);
}

static gboolean
delete_models (ConfabStore  *self,
               const char   *provider,
               GError      **error)
{
  static const char sql[] = "DELETE FROM models WHERE provider = ?1";
  g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;

  _confab_bind_text (stmt, 1, provider);
  return _confab_store_step_done (self, stmt, "Could not update the model list", error);
}

gboolean
_confab_store_delete_models (ConfabStore  *self,
                             const char   *provider,
                             GError      **error)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (provider != NULL, FALSE);

  return delete_models (self, provider, error);
}

gboolean
_confab_store_replace_models (ConfabStore  *self,
                              const char   *provider,
                              GPtrArray    *models,
                              gint64        fetched,
                              GError      **error)
{
  static const char sql[] =
    "INSERT OR REPLACE INTO models"
    " (provider, model, display_name, context_window, max_output, fetched)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (provider != NULL, FALSE);
  g_return_val_if_fail (models != NULL, FALSE);

  /* One transaction: the list is never seen half replaced. */
  if (!confab_store_begin (self, error))
    return FALSE;

  if (!delete_models (self, provider, error))
    goto fail;

  for (guint i = 0; i < models->len; i++)
    {
      ConfabModelInfo *info = g_ptr_array_index (models, i);
      g_autoptr(ConfabStmt) stmt = _confab_store_prepare (self, sql, error);

      if (stmt == NULL)
        goto fail;

      _confab_bind_text (stmt, 1, provider);
      _confab_bind_text (stmt, 2, confab_model_info_get_model (info));
      _confab_bind_text (stmt, 3, confab_model_info_get_display_name (info));
      /* 0 is "unknown" in ConfabModelInfo, NULL in the table. */
      _confab_bind_count (stmt, 4, confab_model_info_get_context_window (info) > 0
                                   ? confab_model_info_get_context_window (info) : -1);
      _confab_bind_count (stmt, 5, confab_model_info_get_max_output (info) > 0
                                   ? confab_model_info_get_max_output (info) : -1);
      sqlite3_bind_int64 (stmt, 6, fetched);

      if (!_confab_store_step_done (self, stmt, "Could not update the model list", error))
        goto fail;
    }

  return confab_store_commit (self, error);

fail:
  confab_store_rollback (self);
  return FALSE;
}
