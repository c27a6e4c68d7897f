/* confab-secrets.h: API keys in the desktop keyring (libsecret).
 *
 * Keys are stored under the schema "io.github.confab.Confab.ApiKey" with the
 * attribute "provider" (a provider id such as "openai"). They are never
 * logged; free a returned key with confab_secrets_free_key(), which wipes
 * the memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "confab-provider.h"

G_BEGIN_DECLS

#define CONFAB_SECRETS_SCHEMA_NAME "io.github.confab.Confab.ApiKey"

#define CONFAB_SECRETS_ERROR (confab_secrets_error_quark ())

typedef enum
{
  CONFAB_SECRETS_ERROR_FAILED,
  /* No D-Bus session, or no Secret Service on it. */
  CONFAB_SECRETS_ERROR_UNAVAILABLE,
  /* The keyring is locked and was not unlocked. */
  CONFAB_SECRETS_ERROR_LOCKED,
} ConfabSecretsError;

GQuark   confab_secrets_error_quark      (void);

/* Drops the connection to the Secret Service, if one was made; for the end
 * of a program, so that leak checkers see everything freed. */
void     confab_secrets_disconnect       (void);

/* Wipes and frees a key returned below (NULL is fine). */
void     confab_secrets_free_key         (char          *key);

/* The key stored for provider_id, or NULL (no error) when there is none. */
void     confab_secrets_lookup_async     (const char           *provider_id,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
char    *confab_secrets_lookup_finish    (GAsyncResult         *result,
                                          GError              **error);
char    *confab_secrets_lookup_sync      (const char           *provider_id,
                                          GCancellable         *cancellable,
                                          GError              **error);

/* Stores (or replaces) the key of provider_id in the default keyring. */
void     confab_secrets_store_async      (const char           *provider_id,
                                          const char           *key,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean confab_secrets_store_finish     (GAsyncResult         *result,
                                          GError              **error);
gboolean confab_secrets_store_sync       (const char           *provider_id,
                                          const char           *key,
                                          GCancellable         *cancellable,
                                          GError              **error);

/* Removes the key of provider_id; *removed (optional) says whether there
 * was one. */
void     confab_secrets_clear_async      (const char           *provider_id,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean confab_secrets_clear_finish     (GAsyncResult         *result,
                                          gboolean             *removed,
                                          GError              **error);
gboolean confab_secrets_clear_sync       (const char           *provider_id,
                                          gboolean             *removed,
                                          GCancellable         *cancellable,
                                          GError              **error);

/* Gives provider its key: the one it has (from the environment, see
 * confab_provider_new()), else the keyring's. TRUE when the provider needs
 * no key or has one now; otherwise CONFAB_PROVIDER_ERROR_NO_KEY, saying why
 * the keyring did not help. The keyring is not touched when it is not
 * needed, so no D-Bus session is fine when the environment has the key. */
void     confab_secrets_apply_key_async  (ConfabProvider       *provider,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean confab_secrets_apply_key_finish (ConfabProvider       *provider,
                                          GAsyncResult         *result,
                                          GError              **error);
gboolean confab_secrets_apply_key_sync   (ConfabProvider       *provider,
                                          GCancellable         *cancellable,
                                          GError              **error);

G_END_DECLS
