/* confab-model-catalogue.h: the models of every configured provider, cached
 * in the store, as a GListModel of ConfabModelInfo.
 *
 * A provider is configured when it has a key (environment, then keyring);
 * Ollama when something answers on its base URL (OLLAMA_HOST or
 * 127.0.0.1:11434), probed with a short timeout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "confab-model-info.h"
#include "confab-provider.h"
#include "confab-store.h"

G_BEGIN_DECLS

/* How long Ollama gets to answer before it counts as not running. */
#define CONFAB_MODEL_CATALOGUE_PROBE_TIMEOUT_MS 1500

#define CONFAB_TYPE_MODEL_CATALOGUE (confab_model_catalogue_get_type ())
G_DECLARE_FINAL_TYPE (ConfabModelCatalogue, confab_model_catalogue,
                      CONFAB, MODEL_CATALOGUE, GObject)

/* Starts with the models cached in the store (nothing is fetched yet). */
ConfabModelCatalogue *confab_model_catalogue_new              (ConfabStore          *store);
ConfabStore          *confab_model_catalogue_get_store        (ConfabModelCatalogue *self);

/* The base URL for provider_id, or for every provider when provider_id is
 * NULL (a provider's own setting wins); NULL url removes it. Without one,
 * the provider's environment variable or default applies. */
void                  confab_model_catalogue_set_base_url     (ConfabModelCatalogue *self,
                                                               const char           *provider_id,
                                                               const char           *base_url);
const char           *confab_model_catalogue_get_base_url     (ConfabModelCatalogue *self,
                                                               const char           *provider_id);
/* Off: keys come from the environment only (tests, or a keyring that
 * must not be asked). On by default. */
void                  confab_model_catalogue_set_use_keyring  (ConfabModelCatalogue *self,
                                                               gboolean              use_keyring);
void                  confab_model_catalogue_set_probe_timeout (ConfabModelCatalogue *self,
                                                                guint                 timeout_ms);

/* A disabled provider is left out: its models leave the list (their cache
 * stays, for when it is enabled again) and refreshes skip it. All are
 * enabled by default. */
void                  confab_model_catalogue_set_provider_enabled (ConfabModelCatalogue *self,
                                                                   const char           *provider_id,
                                                                   gboolean              enabled);
gboolean              confab_model_catalogue_get_provider_enabled (ConfabModelCatalogue *self,
                                                                   const char           *provider_id);

/* A provider at its base URL with the environment's key (if any). */
ConfabProvider       *confab_model_catalogue_create_provider  (ConfabModelCatalogue *self,
                                                               const char           *provider_id,
                                                               GError              **error);
/* The same, with its key from the keyring when the environment had none;
 * CONFAB_PROVIDER_ERROR_NO_KEY when it needs one and there is none. */
void                  confab_model_catalogue_get_provider_async  (ConfabModelCatalogue *self,
                                                                  const char           *provider_id,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
ConfabProvider       *confab_model_catalogue_get_provider_finish (ConfabModelCatalogue *self,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);

/* Fetches the lists of every configured provider, in parallel, and caches
 * them. One provider failing does not stop the others: its cached models
 * stay and confab_model_catalogue_get_provider_error() tells why. Fails
 * only when cancelled, or with CONFAB_PROVIDER_ERROR_NO_KEY when no
 * provider at all is configured. */
void                  confab_model_catalogue_refresh_async    (ConfabModelCatalogue *self,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gboolean              confab_model_catalogue_refresh_finish   (ConfabModelCatalogue *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);
gboolean              confab_model_catalogue_get_refreshing   (ConfabModelCatalogue *self);
/* The providers found configured by the last refresh, in a stable order. */
GStrv                 confab_model_catalogue_dup_providers    (ConfabModelCatalogue *self);
/* Why provider_id's list could not be fetched in the last refresh, or NULL. */
const GError         *confab_model_catalogue_get_provider_error (ConfabModelCatalogue *self,
                                                                 const char           *provider_id);

/* The model "PROVIDER:MODEL" if listed (transfer full), else NULL. */
ConfabModelInfo      *confab_model_catalogue_lookup           (ConfabModelCatalogue *self,
                                                               const char           *full_id);
/* Tokens, 0 when unknown: from the list, else from what the providers
 * publish for their well-known models. */
gint64                confab_model_catalogue_get_context_window (ConfabModelCatalogue *self,
                                                                 const char           *full_id);
gint64                confab_model_catalogue_get_max_output   (ConfabModelCatalogue *self,
                                                               const char           *full_id);

G_END_DECLS
