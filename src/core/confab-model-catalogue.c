/* confab-model-catalogue.c: the models of every configured provider.
 *
 * The list the UI binds to is the store's cache, so the model picker fills
 * instantly and still works offline; a refresh asks every configured
 * provider at once and replaces each provider's part as its answer comes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-catalogue"

#include "config.h"

#include <string.h>

#include "confab-conversation.h"
#include "confab-model-catalogue.h"
#include "confab-model-catalogue-private.h"
#include "confab-provider-private.h"
#include "confab-secrets.h"


static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabModelCatalogue, confab_model_catalogue, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_REFRESHING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------------ */
/* What the providers publish for their well-known models, used only when a
 * list says nothing (OpenAI's gives no limits at all). Longest prefix wins. */

typedef struct
{
  const char *prefix;
  gint64      context_window;
  gint64      max_output;
} KnownLimits;

static const KnownLimits known_limits[] = {
  { "gpt-3.5-turbo", 16385, 4096 },
  { "gpt-4", 8192, 8192 },
  { "gpt-4-turbo", 128000, 4096 },
  { "gpt-4o", 128000, 16384 },
  { "gpt-4.1", 1047576, 32768 },
  { "gpt-5", 400000, 128000 },
  { "o1", 200000, 100000 },
  { "o3", 200000, 100000 },
  { "o4-mini", 200000, 100000 },
  { "claude-", 200000, 8192 },
  { "claude-3-7-sonnet", 200000, 64000 },
  { "claude-sonnet-4", 200000, 64000 },
  { "claude-haiku-4", 200000, 64000 },
  { "claude-opus-4", 200000, 32000 },
  { "gemini-", 1048576, 8192 },
  { "gemini-2.5", 1048576, 65536 },
};

static const char * const cloud_providers[] = { "openai", "anthropic", "gemini", "openrouter" };

static const KnownLimits *
find_known_limits (const char *provider,
                   const char *model)
{
  const KnownLimits *best = NULL;
  const char *slash;
  gboolean cloud = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (cloud_providers); i++)
    cloud |= g_strcmp0 (provider, cloud_providers[i]) == 0;
  /* A local model's window depends on how it was started. */
  if (!cloud || model == NULL)
    return NULL;

  /* OpenRouter names them "openai/gpt-4o". */
  slash = strrchr (model, '/');
  if (slash != NULL)
    model = slash + 1;

  for (guint i = 0; i < G_N_ELEMENTS (known_limits); i++)
    if (g_str_has_prefix (model, known_limits[i].prefix) &&
        (best == NULL || strlen (known_limits[i].prefix) > strlen (best->prefix)))
      best = &known_limits[i];

  return best;
}

/* The list's figures, completed from the table. */
ConfabModelInfo *
_confab_model_catalogue_complete_info (ConfabModelInfo *info)
{
  const KnownLimits *known;
  gint64 context_window = confab_model_info_get_context_window (info);
  gint64 max_output = confab_model_info_get_max_output (info);

  if (context_window > 0 && max_output > 0)
    return g_object_ref (info);

  known = find_known_limits (confab_model_info_get_provider (info),
                             confab_model_info_get_model (info));
  if (known == NULL)
    return g_object_ref (info);

  return confab_model_info_new (confab_model_info_get_provider (info),
                                confab_model_info_get_model (info),
                                confab_model_info_get_display_name (info),
                                context_window > 0 ? context_window : known->context_window,
                                max_output > 0 ? max_output : known->max_output);
}

/* ------------------------------------------------------------------------ */
/* GListModel */

static GType
confab_model_catalogue_get_item_type (GListModel *model)
{
  return CONFAB_TYPE_MODEL_INFO;
}

static guint
confab_model_catalogue_get_n_items (GListModel *model)
{
  return CONFAB_MODEL_CATALOGUE (model)->items->len;
}

static gpointer
confab_model_catalogue_get_item (GListModel *model,
                                 guint       position)
{
  ConfabModelCatalogue *self = CONFAB_MODEL_CATALOGUE (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = confab_model_catalogue_get_item_type;
  iface->get_n_items = confab_model_catalogue_get_n_items;
  iface->get_item = confab_model_catalogue_get_item;
}

/* Known providers first, in their usual order, then any other. */
int
_confab_model_catalogue_provider_rank (const char *provider)
{
  const char **ids = confab_provider_list_known_ids ();

  for (int i = 0; ids[i] != NULL; i++)
    if (g_strcmp0 (ids[i], provider) == 0)
      return i;

  return G_MAXINT;
}

static int
compare_infos (gconstpointer a,
               gconstpointer b)
{
  ConfabModelInfo *info_a = *(ConfabModelInfo **)a;
  ConfabModelInfo *info_b = *(ConfabModelInfo **)b;
  int rank_a = _confab_model_catalogue_provider_rank (confab_model_info_get_provider (info_a));
  int rank_b = _confab_model_catalogue_provider_rank (confab_model_info_get_provider (info_b));

  if (rank_a != rank_b)
    return rank_a < rank_b ? -1 : 1;
  if (g_strcmp0 (confab_model_info_get_provider (info_a),
                 confab_model_info_get_provider (info_b)) != 0)
    return g_strcmp0 (confab_model_info_get_provider (info_a),
                      confab_model_info_get_provider (info_b));

  return g_strcmp0 (confab_model_info_get_model (info_a), confab_model_info_get_model (info_b));
}

/* Replaces provider's models with models (NULL: none) and tells the view
 * about the one range that changed. */
void
_confab_model_catalogue_replace_items (ConfabModelCatalogue *self,
               const char           *provider,
               GPtrArray            *models)
{
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  guint start = G_MAXUINT;
  guint n_removed = 0;
  guint position;

  for (guint i = 0; i < self->items->len; i++)
    if (g_strcmp0 (confab_model_info_get_provider (g_ptr_array_index (self->items, i)),
                   provider) == 0)
      {
        if (start == G_MAXUINT)
          start = i;
        n_removed++;
      }

  if (models != NULL)
    for (guint i = 0; i < models->len; i++)
      g_ptr_array_add (added, g_object_ref (g_ptr_array_index (models, i)));
  g_ptr_array_sort (added, compare_infos);

  if (start == G_MAXUINT)
    {
      /* Where the provider's block goes in the order. */
      int rank = _confab_model_catalogue_provider_rank (provider);

      start = 0;
      while (start < self->items->len)
        {
          ConfabModelInfo *info = g_ptr_array_index (self->items, start);
          int other = _confab_model_catalogue_provider_rank (confab_model_info_get_provider (info));

          if (other > rank ||
              (other == rank && g_strcmp0 (confab_model_info_get_provider (info), provider) > 0))
            break;
          start++;
        }
    }

  if (n_removed == 0 && added->len == 0)
    return;

  g_ptr_array_remove_range (self->items, start, n_removed);
  position = start;
  for (guint i = 0; i < added->len; i++)
    g_ptr_array_insert (self->items, position++, g_object_ref (g_ptr_array_index (added, i)));

  g_list_model_items_changed (G_LIST_MODEL (self), start, n_removed, added->len);
}

/* ------------------------------------------------------------------------ */

static void
confab_model_catalogue_constructed (GObject *object)
{
  ConfabModelCatalogue *self = (ConfabModelCatalogue *)object;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cached = NULL;

  G_OBJECT_CLASS (confab_model_catalogue_parent_class)->constructed (object);

  g_assert (CONFAB_IS_STORE (self->store));

  cached = _confab_store_load_models (self->store, &error);
  if (cached == NULL)
    {
      /* An empty picker until the next refresh; nothing is lost. */
      g_message ("Could not read the cached model list: %s", error->message);
      return;
    }

  for (guint i = 0; i < cached->len; i++)
    g_ptr_array_add (self->items, g_object_ref (g_ptr_array_index (cached, i)));
  g_ptr_array_sort (self->items, compare_infos);
}

static void
confab_model_catalogue_finalize (GObject *object)
{
  ConfabModelCatalogue *self = (ConfabModelCatalogue *)object;

  g_clear_object (&self->store);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->base_urls, g_hash_table_unref);
  g_clear_pointer (&self->errors, g_hash_table_unref);
  g_clear_pointer (&self->disabled, g_hash_table_unref);
  g_clear_pointer (&self->configured, g_strfreev);

  G_OBJECT_CLASS (confab_model_catalogue_parent_class)->finalize (object);
}

static void
confab_model_catalogue_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  ConfabModelCatalogue *self = CONFAB_MODEL_CATALOGUE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_REFRESHING:
      g_value_set_boolean (value, self->n_refreshing > 0);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_model_catalogue_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  ConfabModelCatalogue *self = CONFAB_MODEL_CATALOGUE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_model_catalogue_class_init (ConfabModelCatalogueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = confab_model_catalogue_constructed;
  object_class->finalize = confab_model_catalogue_finalize;
  object_class->get_property = confab_model_catalogue_get_property;
  object_class->set_property = confab_model_catalogue_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CONFAB_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* For a spinner next to the model picker. */
  properties[PROP_REFRESHING] =
    g_param_spec_boolean ("refreshing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_model_catalogue_init (ConfabModelCatalogue *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->base_urls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_error_free);
  self->disabled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->configured = g_new0 (char *, 1);
  self->probe_timeout_ms = CONFAB_MODEL_CATALOGUE_PROBE_TIMEOUT_MS;
  self->use_keyring = TRUE;
}

ConfabModelCatalogue *
confab_model_catalogue_new (ConfabStore *store)
{
  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);

  return g_object_new (CONFAB_TYPE_MODEL_CATALOGUE, "store", store, NULL);
}

ConfabStore *
confab_model_catalogue_get_store (ConfabModelCatalogue *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (self), NULL);

  return self->store;
}

void
confab_model_catalogue_set_base_url (ConfabModelCatalogue *self,
                                     const char           *provider_id,
                                     const char           *base_url)
{
  g_return_if_fail (CONFAB_IS_MODEL_CATALOGUE (self));

  if (base_url != NULL && *base_url == '\0')
    base_url = NULL;

  if (provider_id == NULL)
    {
      g_free (self->base_url);
      self->base_url = g_strdup (base_url);
    }
  else if (base_url == NULL)
    g_hash_table_remove (self->base_urls, provider_id);
  else
    g_hash_table_replace (self->base_urls, g_strdup (provider_id), g_strdup (base_url));
}

const char *
confab_model_catalogue_get_base_url (ConfabModelCatalogue *self,
                                     const char           *provider_id)
{
  const char *url;

  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (self), NULL);

  url = provider_id != NULL ? g_hash_table_lookup (self->base_urls, provider_id) : NULL;

  return url != NULL ? url : self->base_url;
}

void
confab_model_catalogue_set_use_keyring (ConfabModelCatalogue *self,
                                        gboolean              use_keyring)
{
  g_return_if_fail (CONFAB_IS_MODEL_CATALOGUE (self));

  self->use_keyring = !!use_keyring;
}

void
confab_model_catalogue_set_probe_timeout (ConfabModelCatalogue *self,
                                          guint                 timeout_ms)
{
  g_return_if_fail (CONFAB_IS_MODEL_CATALOGUE (self));

  self->probe_timeout_ms = MAX (timeout_ms, 1);
}

/* Drops provider_id from the providers found configured. */
static void
remove_configured (ConfabModelCatalogue *self,
                   const char           *provider_id)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; self->configured[i] != NULL; i++)
    if (!g_str_equal (self->configured[i], provider_id))
      g_strv_builder_add (builder, self->configured[i]);

  g_strfreev (self->configured);
  self->configured = g_strv_builder_end (builder);
}

void
confab_model_catalogue_set_provider_enabled (ConfabModelCatalogue *self,
                                             const char           *provider_id,
                                             gboolean              enabled)
{
  g_autoptr(GPtrArray) cached = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CONFAB_IS_MODEL_CATALOGUE (self));
  g_return_if_fail (provider_id != NULL);

  if (!!enabled == !g_hash_table_contains (self->disabled, provider_id))
    return;

  if (!enabled)
    {
      g_hash_table_add (self->disabled, g_strdup (provider_id));
      g_hash_table_remove (self->errors, provider_id);
      remove_configured (self, provider_id);
      _confab_model_catalogue_replace_items (self, provider_id, NULL);
      return;
    }

  g_hash_table_remove (self->disabled, provider_id);

  /* Its cached models come back at once, as at startup; the next refresh
   * tells whether they are still there. */
  cached = _confab_store_load_models (self->store, &error);
  if (cached == NULL)
    {
      g_message ("Could not read the cached model list: %s", error->message);
      return;
    }

  models = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < cached->len; i++)
    {
      ConfabModelInfo *info = g_ptr_array_index (cached, i);

      if (g_str_equal (confab_model_info_get_provider (info), provider_id))
        g_ptr_array_add (models, g_object_ref (info));
    }
  _confab_model_catalogue_replace_items (self, provider_id, models);
}

gboolean
confab_model_catalogue_get_provider_enabled (ConfabModelCatalogue *self,
                                             const char           *provider_id)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (self), FALSE);
  g_return_val_if_fail (provider_id != NULL, FALSE);

  return !g_hash_table_contains (self->disabled, provider_id);
}

ConfabProvider *
confab_model_catalogue_create_provider (ConfabModelCatalogue  *self,
                                        const char            *provider_id,
                                        GError               **error)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (self), NULL);
  g_return_val_if_fail (provider_id != NULL, NULL);

  return confab_provider_new (provider_id,
                              confab_model_catalogue_get_base_url (self, provider_id),
                              error);
}

static void
get_provider_key_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ConfabProvider *provider = CONFAB_PROVIDER (object);
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!confab_secrets_apply_key_finish (provider, result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (provider), g_object_unref);
}

void
confab_model_catalogue_get_provider_async (ConfabModelCatalogue *self,
                                           const char           *provider_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  GError *error = NULL;

  g_return_if_fail (CONFAB_IS_MODEL_CATALOGUE (self));
  g_return_if_fail (provider_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_model_catalogue_get_provider_async);

  provider = confab_model_catalogue_create_provider (self, provider_id, &error);
  if (provider == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (!self->use_keyring && confab_provider_needs_key (provider) &&
      confab_provider_get_api_key (provider) == NULL)
    {
      g_task_return_error (task,
                           g_error_new (CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NO_KEY,
                                        "No API key for %s. Set %s.",
                                        confab_provider_get_display_name (provider),
                                        confab_provider_get_key_env_var (provider)));
      return;
    }

  confab_secrets_apply_key_async (provider, cancellable, get_provider_key_cb,
                                  g_steal_pointer (&task));
}

/**
 * confab_model_catalogue_get_provider_finish:
 *
 * Returns: (transfer full): the provider, ready to use
 */
ConfabProvider *
confab_model_catalogue_get_provider_finish (ConfabModelCatalogue  *self,
                                            GAsyncResult          *result,
                                            GError               **error)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Refreshing: see confab-model-catalogue-refresh.c */

void
_confab_model_catalogue_set_refreshing (ConfabModelCatalogue *self,
                                        gboolean              refreshing)
{
  gboolean was = self->n_refreshing > 0;

  if (refreshing)
    self->n_refreshing++;
  else
    self->n_refreshing--;

  if (was != (self->n_refreshing > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESHING]);
}

gboolean
confab_model_catalogue_get_refreshing (ConfabModelCatalogue *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (self), FALSE);

  return self->n_refreshing > 0;
}

GStrv
confab_model_catalogue_dup_providers (ConfabModelCatalogue *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (self), NULL);

  return g_strdupv (self->configured);
}

const GError *
confab_model_catalogue_get_provider_error (ConfabModelCatalogue *self,
                                           const char           *provider_id)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (self), NULL);
  g_return_val_if_fail (provider_id != NULL, NULL);

  return g_hash_table_lookup (self->errors, provider_id);
}

/* ------------------------------------------------------------------------ */
/* Lookups */

ConfabModelInfo *
confab_model_catalogue_lookup (ConfabModelCatalogue *self,
                               const char           *full_id)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (self), NULL);
  g_return_val_if_fail (full_id != NULL, NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      ConfabModelInfo *info = g_ptr_array_index (self->items, i);

      if (g_str_equal (confab_model_info_get_full_id (info), full_id))
        return g_object_ref (info);
    }

  return NULL;
}

static void
get_limits (ConfabModelCatalogue *self,
            const char           *full_id,
            gint64               *context_window,
            gint64               *max_output)
{
  g_autoptr(ConfabModelInfo) info = confab_model_catalogue_lookup (self, full_id);
  g_autofree char *provider = NULL;
  g_autofree char *model = NULL;
  const KnownLimits *known;

  *context_window = 0;
  *max_output = 0;

  if (info != NULL)
    {
      *context_window = confab_model_info_get_context_window (info);
      *max_output = confab_model_info_get_max_output (info);
    }

  if (*context_window > 0 && *max_output > 0)
    return;

  /* Not listed (never fetched, or the list has no limits). */
  if (!confab_conversation_split_model (full_id, &provider, &model, NULL))
    return;
  known = find_known_limits (provider, model);
  if (known == NULL)
    return;

  if (*context_window <= 0)
    *context_window = known->context_window;
  if (*max_output <= 0)
    *max_output = known->max_output;
}

gint64
confab_model_catalogue_get_context_window (ConfabModelCatalogue *self,
                                           const char           *full_id)
{
  gint64 context_window;
  gint64 max_output;

  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (self), 0);
  g_return_val_if_fail (full_id != NULL, 0);

  get_limits (self, full_id, &context_window, &max_output);
  return context_window;
}

gint64
confab_model_catalogue_get_max_output (ConfabModelCatalogue *self,
                                       const char           *full_id)
{
  gint64 context_window;
  gint64 max_output;

  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (self), 0);
  g_return_val_if_fail (full_id != NULL, 0);

  get_limits (self, full_id, &context_window, &max_output);
  return max_output;
}
