/* confab-store-usage.c: schema 5's tables: the @aliases of mentions, the
 * prices of models, and a chat's usage per model.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "confab-store-private.h"

static gboolean
check_model_id (const char  *model,
                GError     **error)
{
  const char *colon = model != NULL ? strchr (model, ':') : NULL;

  if (colon == NULL || colon == model || colon[1] == '\0')
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                   _("“%s” is not a model: write PROVIDER:MODEL"), model != NULL ? model : "");
      return FALSE;
    }

  return TRUE;
}

/* ---- Aliases */

GPtrArray *
confab_store_list_aliases (ConfabStore  *self,
                           GError      **error)
{
  static const char sql[] = "SELECT alias, model FROM model_aliases ORDER BY alias";
  g_autoptr(GPtrArray) aliases = NULL;
  g_autoptr(ConfabStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  aliases = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_model_alias_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (aliases, confab_model_alias_new (_confab_column_text (stmt, 0),
                                                      _confab_column_text (stmt, 1)));

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_error (self, error, rc, _("Could not read the model aliases"));
      return NULL;
    }

  return g_steal_pointer (&aliases);
}

static const char *
strip_at (const char *alias)
{
  return alias != NULL && alias[0] == '@' ? alias + 1 : alias;
}

gboolean
confab_store_set_alias (ConfabStore  *self,
                        const char   *alias,
                        const char   *model,
                        GError      **error)
{
  static const char sql[] =
    "INSERT INTO model_aliases (alias, model, created) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (alias) DO UPDATE SET alias = excluded.alias, model = excluded.model";
  g_autoptr(ConfabStmt) stmt = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  alias = strip_at (alias);
  if (!confab_mentions_is_valid_alias (alias))
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                   _("“%s” cannot be an alias: use up to %d letters, digits, “_”, “-” or “.”"),
                   alias != NULL ? alias : "", CONFAB_MENTIONS_ALIAS_MAX);
      return FALSE;
    }
  if (!check_model_id (model, error))
    return FALSE;

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  _confab_bind_text (stmt, 1, alias);
  _confab_bind_text (stmt, 2, model);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());

  return _confab_store_step_done (self, stmt, _("Could not save the alias"), error);
}

gboolean
confab_store_delete_alias (ConfabStore  *self,
                           const char   *alias,
                           GError      **error)
{
  static const char sql[] = "DELETE FROM model_aliases WHERE alias = ?1";
  g_autoptr(ConfabStmt) stmt = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (alias != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  alias = strip_at (alias);
  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  _confab_bind_text (stmt, 1, alias);
  if (!_confab_store_step_done (self, stmt, _("Could not delete the alias"), error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                   _("There is no alias “@%s”"), alias);
      return FALSE;
    }

  return TRUE;
}

/* ---- Prices */

gboolean
confab_store_set_model_price (ConfabStore  *self,
                              const char   *model,
                              double        input_per_mtok,
                              double        output_per_mtok,
                              GError      **error)
{
  static const char sql[] =
    "INSERT OR REPLACE INTO model_prices (model, input_per_mtok, output_per_mtok, updated)"
    " VALUES (?1, ?2, ?3, ?4)";
  g_autoptr(ConfabStmt) stmt = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_model_id (model, error))
    return FALSE;

  if (!isfinite (input_per_mtok) || !isfinite (output_per_mtok) ||
      input_per_mtok < 0 || output_per_mtok < 0)
    {
      g_set_error_literal (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                           _("A price cannot be negative"));
      return FALSE;
    }

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  _confab_bind_text (stmt, 1, model);
  sqlite3_bind_double (stmt, 2, input_per_mtok);
  sqlite3_bind_double (stmt, 3, output_per_mtok);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());

  return _confab_store_step_done (self, stmt, _("Could not save the price"), error);
}

gboolean
confab_store_delete_model_price (ConfabStore  *self,
                                 const char   *model,
                                 GError      **error)
{
  static const char sql[] = "DELETE FROM model_prices WHERE model = ?1";
  g_autoptr(ConfabStmt) stmt = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  _confab_bind_text (stmt, 1, model);
  return _confab_store_step_done (self, stmt, _("Could not delete the price"), error);
}

ConfabModelPrice *
confab_store_lookup_model_price (ConfabStore  *self,
                                 const char   *model,
                                 GError      **error)
{
  static const char sql[] =
    "SELECT input_per_mtok, output_per_mtok FROM model_prices WHERE model = ?1";
  g_autoptr(ConfabStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  _confab_bind_text (stmt, 1, model);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return confab_model_price_new (model, sqlite3_column_double (stmt, 0),
                                   sqlite3_column_double (stmt, 1));

  if (rc == SQLITE_DONE)
    g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                 _("No price is set for %s"), model);
  else
    _confab_store_set_error (self, error, rc, _("Could not read the prices"));

  return NULL;
}

GPtrArray *
confab_store_list_model_prices (ConfabStore  *self,
                                GError      **error)
{
  static const char sql[] =
    "SELECT model, input_per_mtok, output_per_mtok FROM model_prices ORDER BY model";
  g_autoptr(GPtrArray) prices = NULL;
  g_autoptr(ConfabStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  prices = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_model_price_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (prices, confab_model_price_new (_confab_column_text (stmt, 0),
                                                     sqlite3_column_double (stmt, 1),
                                                     sqlite3_column_double (stmt, 2)));

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_error (self, error, rc, _("Could not read the prices"));
      return NULL;
    }

  return g_steal_pointer (&prices);
}

/* ---- Usage */

gboolean
confab_store_get_message_cost (ConfabStore    *self,
                               ConfabMessage  *message,
                               double         *cost,
                               GError        **error)
{
  g_autoptr(ConfabModelPrice) price = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *model = NULL;
  const char *provider;

  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (cost != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *cost = 0;
  provider = confab_message_get_provider (message);
  if (confab_message_get_role (message) != CONFAB_ROLE_ASSISTANT || provider == NULL ||
      confab_message_get_model (message) == NULL)
    return FALSE;

  model = g_strdup_printf ("%s:%s", provider, confab_message_get_model (message));
  price = confab_store_lookup_model_price (self, model, &local_error);
  if (price == NULL)
    {
      if (!g_error_matches (local_error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND))
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  *cost = confab_model_price_cost (price, confab_message_get_input_tokens (message),
                                   confab_message_get_output_tokens (message));
  return TRUE;
}

GPtrArray *
confab_store_get_chat_usage (ConfabStore  *self,
                             gint64        chat_id,
                             GError      **error)
{
  /* Reads the chat's rows through messages_by_line (chat_id first). */
  static const char sql[] =
    "SELECT u.who, u.n, u.n_unknown, u.input, u.output,"
    "       p.input_per_mtok, p.output_per_mtok"
    " FROM (SELECT CASE WHEN provider IS NOT NULL AND model IS NOT NULL"
    "                   THEN provider || ':' || model ELSE COALESCE (author, '') END AS who,"
    "              count(*) AS n,"
    "              sum(input_tokens IS NULL AND output_tokens IS NULL) AS n_unknown,"
    "              COALESCE (sum(input_tokens), 0) AS input,"
    "              COALESCE (sum(output_tokens), 0) AS output"
    "         FROM messages WHERE chat_id = ?1 AND role = 'assistant' GROUP BY who) u"
    " LEFT JOIN model_prices p ON p.model = u.who"
    " ORDER BY u.who";
  g_autoptr(GPtrArray) usage = NULL;
  g_autoptr(ConfabStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _confab_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  usage = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_model_usage_free);
  sqlite3_bind_int64 (stmt, 1, chat_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ConfabModelUsage *row = g_new0 (ConfabModelUsage, 1);

      row->model = g_strdup (_confab_column_text (stmt, 0));
      row->n_replies = sqlite3_column_int (stmt, 1);
      row->n_unknown = sqlite3_column_int (stmt, 2);
      row->input_tokens = sqlite3_column_int64 (stmt, 3);
      row->output_tokens = sqlite3_column_int64 (stmt, 4);
      if (sqlite3_column_type (stmt, 5) == SQLITE_NULL)
        row->cost = -1;
      else
        {
          ConfabModelPrice price = { row->model, sqlite3_column_double (stmt, 5),
                                     sqlite3_column_double (stmt, 6) };

          row->cost = confab_model_price_cost (&price, row->input_tokens, row->output_tokens);
        }
      g_ptr_array_add (usage, row);
    }

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_error (self, error, rc, _("Could not read the chat’s usage"));
      return NULL;
    }

  return g_steal_pointer (&usage);
}
