/* confab-model-catalogue-refresh.c: fetching the model lists of every
 * configured provider, in parallel, into the catalogue and its cache.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-catalogue"

#include "config.h"

#include "confab-model-catalogue-private.h"
#include "confab-provider-private.h"
#include "confab-secrets.h"

/* One Fetch per known provider, all in parallel. */

typedef struct
{
  guint      pending;
  GPtrArray *configured;   /* provider ids, in the known order */
  GError    *cancelled;
} RefreshData;

static void
refresh_data_free (RefreshData *data)
{
  g_ptr_array_unref (data->configured);
  g_clear_error (&data->cancelled);
  g_free (data);
}

typedef struct
{
  GTask          *task;
  char           *id;
  ConfabProvider *provider;
  GCancellable   *cancellable;   /* ours, for the probe's timeout */
  gulong          cancelled_id;
  guint           timeout_id;
  gboolean        timed_out;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  GCancellable *outer = g_task_get_cancellable (fetch->task);

  g_clear_handle_id (&fetch->timeout_id, g_source_remove);
  if (fetch->cancelled_id != 0)
    g_cancellable_disconnect (outer, fetch->cancelled_id);
  g_clear_object (&fetch->cancellable);
  g_clear_object (&fetch->provider);
  g_clear_object (&fetch->task);
  g_free (fetch->id);
  g_free (fetch);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  int rank_a = _confab_model_catalogue_provider_rank (*(const char **)a);
  int rank_b = _confab_model_catalogue_provider_rank (*(const char **)b);

  return rank_a < rank_b ? -1 : rank_a > rank_b;
}

/* Called once per provider, whatever happened to it. */
static void
fetch_done (Fetch *fetch)
{
  GTask *task = g_object_ref (fetch->task);
  ConfabModelCatalogue *self = g_task_get_source_object (task);
  RefreshData *data = g_task_get_task_data (task);

  fetch_free (fetch);

  if (--data->pending > 0)
    {
      g_object_unref (task);
      return;
    }

  g_ptr_array_sort (data->configured, compare_ids);
  g_strfreev (self->configured);
  self->configured = g_new0 (char *, data->configured->len + 1);
  for (guint i = 0; i < data->configured->len; i++)
    self->configured[i] = g_strdup (g_ptr_array_index (data->configured, i));

  _confab_model_catalogue_set_refreshing (self, FALSE);

  if (data->cancelled != NULL)
    g_task_return_error (task, g_steal_pointer (&data->cancelled));
  else if (data->configured->len == 0)
    g_task_return_new_error (task, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NO_KEY,
                             "No model provider is configured. Set an API key (OPENAI_API_KEY, "
                             "ANTHROPIC_API_KEY, GEMINI_API_KEY or OPENROUTER_API_KEY), add one "
                             "in Preferences or with “confab-cli keys set PROVIDER”, or start "
                             "Ollama.");
  else
    g_task_return_boolean (task, TRUE);

  g_object_unref (task);
}

/* The provider is not configured (no key, Ollama not running): its cached
 * models go, as they could not be used. */
static void
forget_provider (ConfabModelCatalogue *self,
                 const char           *id)
{
  g_autoptr(GError) error = NULL;

  if (!_confab_store_delete_models (self->store, id, &error))
    g_message ("Could not update the cached model list: %s", error->message);
  _confab_model_catalogue_replace_items (self, id, NULL);
}

/* Whether the user pointed this keyless provider somewhere on purpose
 * (its own base URL, or OLLAMA_HOST), so that a wrong answer is worth
 * reporting rather than taken for "not running". */
static gboolean
probe_was_asked_for (ConfabModelCatalogue *self,
                     const char           *id)
{
  const char *host = g_getenv ("OLLAMA_HOST");

  if (g_hash_table_contains (self->base_urls, id))
    return TRUE;

  return g_str_equal (id, "ollama") && host != NULL && *host != '\0';
}

static void
fetch_models_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Fetch *fetch = user_data;
  ConfabModelCatalogue *self = g_task_get_source_object (fetch->task);
  RefreshData *data = g_task_get_task_data (fetch->task);
  GCancellable *outer = g_task_get_cancellable (fetch->task);
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GPtrArray) completed = NULL;
  g_autoptr(GError) error = NULL;
  gboolean probe = !confab_provider_needs_key (fetch->provider);

  models = confab_provider_list_models_finish (CONFAB_PROVIDER (object), result, &error);

  if (models == NULL)
    {
      if (g_cancellable_is_cancelled (outer))
        {
          if (data->cancelled == NULL)
            data->cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                   "The model lists were not fetched: cancelled");
        }
      else if (probe && (fetch->timed_out ||
                         g_error_matches (error, CONFAB_PROVIDER_ERROR,
                                          CONFAB_PROVIDER_ERROR_NETWORK) ||
                         !probe_was_asked_for (self, fetch->id)))
        {
          /* Nothing answers (Ollama is not running), or something that is
           * not Ollama does (a gateway given for every provider): no error. */
          g_debug ("No %s at %s: %s", confab_provider_get_display_name (fetch->provider),
                   confab_provider_get_base_url (fetch->provider), error->message);
          forget_provider (self, fetch->id);
        }
      else if (!g_hash_table_contains (self->disabled, fetch->id))
        {
          g_ptr_array_add (data->configured, g_strdup (fetch->id));
          g_hash_table_replace (self->errors, g_strdup (fetch->id), g_steal_pointer (&error));
        }

      fetch_done (fetch);
      return;
    }

  /* Turned off while its list was on the way: keep it out of the view. */
  if (g_hash_table_contains (self->disabled, fetch->id))
    {
      fetch_done (fetch);
      return;
    }

  g_ptr_array_add (data->configured, g_strdup (fetch->id));

  completed = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < models->len; i++)
    g_ptr_array_add (completed,
                     _confab_model_catalogue_complete_info (g_ptr_array_index (models, i)));

  if (!_confab_store_replace_models (self->store, fetch->id, completed, g_get_real_time (),
                                     &error))
    g_message ("Could not cache the model list of %s: %s", fetch->id, error->message);

  _confab_model_catalogue_replace_items (self, fetch->id, completed);
  fetch_done (fetch);
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  Fetch *fetch = user_data;

  fetch->timeout_id = 0;
  fetch->timed_out = TRUE;
  g_cancellable_cancel (fetch->cancellable);

  return G_SOURCE_REMOVE;
}

static void
outer_cancelled_cb (GCancellable *outer,
                    GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

static void
fetch_list (Fetch *fetch)
{
  ConfabModelCatalogue *self = g_task_get_source_object (fetch->task);
  GCancellable *outer = g_task_get_cancellable (fetch->task);

  fetch->cancellable = g_cancellable_new ();
  if (outer != NULL)
    fetch->cancelled_id = g_cancellable_connect (outer, G_CALLBACK (outer_cancelled_cb),
                                                 g_object_ref (fetch->cancellable),
                                                 g_object_unref);

  /* A keyless provider is only a probe: an address where nothing listens
   * may swallow packets instead of refusing, so it gets little time. */
  if (!confab_provider_needs_key (fetch->provider))
    fetch->timeout_id = g_timeout_add (self->probe_timeout_ms, probe_timeout_cb, fetch);

  confab_provider_list_models_async (fetch->provider, fetch->cancellable,
                                     fetch_models_cb, fetch);
}

static void
fetch_key_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fetch *fetch = user_data;
  ConfabModelCatalogue *self = g_task_get_source_object (fetch->task);
  RefreshData *data = g_task_get_task_data (fetch->task);
  g_autoptr(GError) error = NULL;

  if (confab_secrets_apply_key_finish (fetch->provider, result, &error))
    {
      fetch_list (fetch);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (data->cancelled == NULL)
        data->cancelled = g_steal_pointer (&error);
    }
  else
    {
      /* No key anywhere: simply not configured. */
      g_debug ("%s is not configured: %s", fetch->id, error->message);
      forget_provider (self, fetch->id);
    }

  fetch_done (fetch);
}

void
confab_model_catalogue_refresh_async (ConfabModelCatalogue *self,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  const char **ids = confab_provider_list_known_ids ();
  RefreshData *data;

  g_return_if_fail (CONFAB_IS_MODEL_CATALOGUE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_model_catalogue_refresh_async);

  data = g_new0 (RefreshData, 1);
  data->configured = g_ptr_array_new_with_free_func (g_free);
  /* Held until every provider is done, so none finishes the task early. */
  data->pending = 1;
  g_task_set_task_data (task, data, (GDestroyNotify) refresh_data_free);

  g_hash_table_remove_all (self->errors);
  _confab_model_catalogue_set_refreshing (self, TRUE);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      Fetch *fetch;

      /* Turned off by the user: neither asked nor forgotten (its cache
       * stays for when it is turned on again). */
      if (g_hash_table_contains (self->disabled, ids[i]))
        continue;

      fetch = g_new0 (Fetch, 1);
      fetch->task = g_object_ref (task);
      fetch->id = g_strdup (ids[i]);
      fetch->provider = confab_model_catalogue_create_provider (self, ids[i], &error);
      data->pending++;

      if (fetch->provider == NULL)
        {
          /* A base URL that cannot work: the user asked for this provider. */
          g_ptr_array_add (data->configured, g_strdup (ids[i]));
          g_hash_table_replace (self->errors, g_strdup (ids[i]), g_steal_pointer (&error));
          fetch_done (fetch);
        }
      else if (confab_provider_needs_key (fetch->provider) &&
               confab_provider_get_api_key (fetch->provider) == NULL && !self->use_keyring)
        {
          forget_provider (self, ids[i]);
          fetch_done (fetch);
        }
      else
        confab_secrets_apply_key_async (fetch->provider, cancellable, fetch_key_cb, fetch);
    }

  /* Drops the hold taken above. */
  {
    Fetch *hold = g_new0 (Fetch, 1);

    hold->task = g_steal_pointer (&task);
    fetch_done (hold);
  }
}

gboolean
confab_model_catalogue_refresh_finish (ConfabModelCatalogue  *self,
                                       GAsyncResult          *result,
                                       GError               **error)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

