/* confab-model-catalogue-private.h: what the catalogue's files share
 * (confab-model-catalogue.c, its refresh in confab-model-catalogue-refresh.c)
 * and its cache in the store (the "models" table, schema version 2). Not
 * part of the app's API.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-model-catalogue.h"

G_BEGIN_DECLS

struct _ConfabModelCatalogue
{
  GObject      parent_instance;

  ConfabStore *store;
  GPtrArray   *items;        /* ConfabModelInfo, in provider then model order */
  char        *base_url;     /* for every provider */
  GHashTable  *base_urls;    /* provider id -> base URL */
  GHashTable  *errors;       /* provider id -> GError, from the last refresh */
  GHashTable  *disabled;     /* provider ids turned off by the user */
  GStrv        configured;
  guint        n_refreshing;
  guint        probe_timeout_ms;
  guint        use_keyring : 1;
};

/* Known providers first, in their usual order, then any other. */
int              _confab_model_catalogue_provider_rank   (const char           *provider);
/* A listed model with the limits its list left out filled in from what the
 * providers publish (a new reference). */
ConfabModelInfo *_confab_model_catalogue_complete_info   (ConfabModelInfo      *info);
/* Replaces the provider's models (NULL: none), telling the view. */
void             _confab_model_catalogue_replace_items   (ConfabModelCatalogue *self,
                                                          const char           *provider,
                                                          GPtrArray            *models);
void             _confab_model_catalogue_set_refreshing  (ConfabModelCatalogue *self,
                                                          gboolean              refreshing);

/* ---- The cache: confab-store-catalogue.c */

/* Every cached model (ConfabModelInfo), by provider then model. */
GPtrArray *_confab_store_load_models    (ConfabStore  *store,
                                         GError      **error);
/* Replaces the cached list of provider with models (ConfabModelInfo of
 * that provider), all in one transaction. */
gboolean   _confab_store_replace_models (ConfabStore  *store,
                                         const char   *provider,
                                         GPtrArray    *models,
                                         gint64        fetched,
                                         GError      **error);
gboolean   _confab_store_delete_models  (ConfabStore  *store,
                                         const char   *provider,
                                         GError      **error);

G_END_DECLS
