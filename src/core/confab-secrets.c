/* confab-secrets.c: API keys in the desktop keyring through libsecret.
 *
 * Keys only pass through here; nothing logs them (not even at debug level)
 * and the copies libsecret hands back are wiped when freed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-secrets"

#include "config.h"

#include <string.h>

#include <libsecret/secret.h>

#include "confab-provider-private.h"
#include "confab-secrets.h"

G_DEFINE_QUARK (confab-secrets-error-quark, confab_secrets_error)

static const SecretSchema api_key_schema = {
  CONFAB_SECRETS_SCHEMA_NAME,
  SECRET_SCHEMA_NONE,
  {
    { "provider", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

/* For the label the keyring manager (Seahorse) shows. */
static const char *
provider_label (const char *provider_id)
{
  static const struct {
    const char *id;
    const char *name;
  } names[] = {
    { "openai", "OpenAI" },
    { "anthropic", "Anthropic" },
    { "gemini", "Gemini" },
    { "openrouter", "OpenRouter" },
    { "ollama", "Ollama" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i].id, provider_id))
      return names[i].name;

  return provider_id;
}

void
confab_secrets_disconnect (void)
{
  secret_service_disconnect ();
}

void
confab_secrets_free_key (char *key)
{
  if (key == NULL)
    return;

  /* Not secret_password_free(): keys here come from g_strndup(). */
  memset (key, 0, strlen (key));
  g_free (key);
}

/* Without a session bus GDBus would try to autolaunch one (dbus-launch),
 * which can leave a stray daemon behind or hang without a display: say
 * "unavailable" right away instead. */
static gboolean
check_session_bus (GError **error)
{
  const char *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  g_autofree char *socket = NULL;

  if (address != NULL && *address != '\0')
    return TRUE;

  socket = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);
  if (g_file_test (socket, G_FILE_TEST_EXISTS))
    return TRUE;

  g_set_error_literal (error, CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_UNAVAILABLE,
                       "The keyring is not available: there is no D-Bus session.");
  return FALSE;
}

/* libsecret reports D-Bus and Secret Service failures in their own words;
 * this says what they mean for the user. */
static GError *
map_error (GError *error)
{
  GError *mapped;

  if (error->domain == CONFAB_SECRETS_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    mapped = g_error_new (CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_LOCKED,
                          "The keyring is locked: unlock it and try again. (%s)",
                          error->message);
  else if (error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR ||
           error->domain == G_SPAWN_ERROR)
    mapped = g_error_new (CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_UNAVAILABLE,
                          "The keyring is not available: %s", error->message);
  else
    mapped = g_error_new (CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_FAILED,
                          "The keyring failed: %s", error->message);

  g_error_free (error);
  return mapped;
}

static gboolean
check_provider_id (const char  *provider_id,
                   GError     **error)
{
  if (provider_id != NULL && *provider_id != '\0')
    return TRUE;

  g_set_error_literal (error, CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_FAILED,
                       "No provider was named.");
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Lookup.
 *
 * Through a search rather than secret_password_lookup(): in libsecret
 * 0.20.5 (Debian 12) the latter leaks a D-Bus reply on every key it finds,
 * which LeakSanitizer reports in every program that reads a key. */

#define SEARCH_FLAGS (SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS)

static char *
dup_secret (GList   *items,
            GError **error)
{
  g_autoptr(SecretValue) value = NULL;
  const char *data;
  gsize length = 0;

  if (items == NULL)
    return NULL;

  value = secret_item_get_secret (items->data);
  if (value == NULL)
    {
      /* Found, but it stayed locked (no prompt could unlock it). */
      g_set_error_literal (error, CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_LOCKED,
                           "The keyring is locked: unlock it and try again.");
      return NULL;
    }

  data = secret_value_get (value, &length);
  return g_strndup (data, length);
}

static void
lookup_search_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GList *items = secret_service_search_finish (SECRET_SERVICE (object), result, &error);
  char *key;

  if (error != NULL)
    {
      g_task_return_error (task, map_error (error));
      return;
    }

  key = dup_secret (items, &error);
  g_list_free_full (items, g_object_unref);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, key, (GDestroyNotify) confab_secrets_free_key);
}

static void
lookup_service_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  service = secret_service_get_finish (result, &error);
  if (service == NULL)
    {
      g_task_return_error (task, map_error (error));
      return;
    }

  attributes = secret_attributes_build (&api_key_schema,
                                        "provider", g_task_get_task_data (task),
                                        NULL);
  secret_service_search (service, &api_key_schema, attributes, SEARCH_FLAGS, cancellable,
                         lookup_search_cb, g_steal_pointer (&task));
}

void
confab_secrets_lookup_async (const char          *provider_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_secrets_lookup_async);

  if (!check_provider_id (provider_id, &error) || !check_session_bus (&error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_set_task_data (task, g_strdup (provider_id), g_free);
  secret_service_get (SECRET_SERVICE_OPEN_SESSION, cancellable,
                      lookup_service_cb, g_steal_pointer (&task));
}

/**
 * confab_secrets_lookup_finish:
 *
 * Returns: (transfer full) (nullable): the key, to free with
 *   confab_secrets_free_key(); %NULL without error when there is none
 */
char *
confab_secrets_lookup_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
confab_secrets_lookup_sync (const char    *provider_id,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  GList *items;
  char *key;

  if (!check_provider_id (provider_id, error) || !check_session_bus (error))
    return NULL;

  service = secret_service_get_sync (SECRET_SERVICE_OPEN_SESSION, cancellable, &local_error);
  if (service == NULL)
    {
      g_propagate_error (error, map_error (local_error));
      return NULL;
    }

  attributes = secret_attributes_build (&api_key_schema, "provider", provider_id, NULL);
  items = secret_service_search_sync (service, &api_key_schema, attributes, SEARCH_FLAGS,
                                      cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, map_error (local_error));
      return NULL;
    }

  key = dup_secret (items, error);
  g_list_free_full (items, g_object_unref);

  return key;
}

/* ------------------------------------------------------------------------ */
/* Store. */

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, map_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
check_key (const char  *key,
           GError     **error)
{
  if (key != NULL && *key != '\0')
    return TRUE;

  g_set_error_literal (error, CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_FAILED,
                       "The key is empty.");
  return FALSE;
}

void
confab_secrets_store_async (const char          *provider_id,
                            const char          *key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;
  GError *error = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_secrets_store_async);

  if (!check_provider_id (provider_id, &error) || !check_key (key, &error) ||
      !check_session_bus (&error))
    {
      g_task_return_error (task, error);
      return;
    }

  label = g_strdup_printf ("Confab: API key for %s", provider_label (provider_id));
  secret_password_store (&api_key_schema, SECRET_COLLECTION_DEFAULT, label, key,
                         cancellable, store_cb, g_steal_pointer (&task),
                         "provider", provider_id,
                         NULL);
}

gboolean
confab_secrets_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
confab_secrets_store_sync (const char    *provider_id,
                           const char    *key,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autofree char *label = NULL;
  GError *local_error = NULL;

  if (!check_provider_id (provider_id, error) || !check_key (key, error) ||
      !check_session_bus (error))
    return FALSE;

  label = g_strdup_printf ("Confab: API key for %s", provider_label (provider_id));
  if (!secret_password_store_sync (&api_key_schema, SECRET_COLLECTION_DEFAULT, label, key,
                                   cancellable, &local_error,
                                   "provider", provider_id,
                                   NULL))
    {
      g_propagate_error (error, map_error (local_error));
      return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Clear. */

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gboolean removed = secret_password_clear_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, map_error (error));
  else
    g_task_return_int (task, removed);
}

void
confab_secrets_clear_async (const char          *provider_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_secrets_clear_async);

  if (!check_provider_id (provider_id, &error) || !check_session_bus (&error))
    {
      g_task_return_error (task, error);
      return;
    }

  secret_password_clear (&api_key_schema, cancellable, clear_cb, g_steal_pointer (&task),
                         "provider", provider_id,
                         NULL);
}

gboolean
confab_secrets_clear_finish (GAsyncResult  *result,
                             gboolean      *removed,
                             GError       **error)
{
  GError *local_error = NULL;
  gssize value;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  value = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  if (removed != NULL)
    *removed = value != 0;

  return TRUE;
}

gboolean
confab_secrets_clear_sync (const char    *provider_id,
                           gboolean      *removed,
                           GCancellable  *cancellable,
                           GError       **error)
{
  GError *local_error = NULL;
  gboolean value;

  if (!check_provider_id (provider_id, error) || !check_session_bus (error))
    return FALSE;

  value = secret_password_clear_sync (&api_key_schema, cancellable, &local_error,
                                      "provider", provider_id,
                                      NULL);
  if (local_error != NULL)
    {
      g_propagate_error (error, map_error (local_error));
      return FALSE;
    }

  if (removed != NULL)
    *removed = value;

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* A provider's key: environment first, then the keyring. */

static GError *
no_key_error (ConfabProvider *provider,
              const GError   *keyring_error)
{
  g_autoptr(GString) message = g_string_new (NULL);

  g_string_append_printf (message,
                          "No API key for %s. Set %s, or add a key in Preferences or with "
                          "“confab-cli keys set %s”.",
                          confab_provider_get_display_name (provider),
                          confab_provider_get_key_env_var (provider),
                          confab_provider_get_id (provider));
  if (keyring_error != NULL)
    g_string_append_printf (message, " (%s)", keyring_error->message);

  return _confab_provider_error_new (CONFAB_PROVIDER_ERROR_NO_KEY, -1, message->str);
}

static gboolean
has_key_or_needs_none (ConfabProvider *provider)
{
  return !confab_provider_needs_key (provider) || confab_provider_get_api_key (provider) != NULL;
}

static void
apply_key_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabProvider *provider = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  char *key = confab_secrets_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (key == NULL)
    {
      g_task_return_error (task, no_key_error (provider, error));
      return;
    }

  confab_provider_set_api_key (provider, key);
  confab_secrets_free_key (key);
  g_task_return_boolean (task, TRUE);
}

void
confab_secrets_apply_key_async (ConfabProvider      *provider,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CONFAB_IS_PROVIDER (provider));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (provider, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_secrets_apply_key_async);

  if (has_key_or_needs_none (provider))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  confab_secrets_lookup_async (confab_provider_get_id (provider), cancellable,
                               apply_key_cb, g_steal_pointer (&task));
}

gboolean
confab_secrets_apply_key_finish (ConfabProvider  *provider,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
confab_secrets_apply_key_sync (ConfabProvider  *provider,
                               GCancellable    *cancellable,
                               GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  char *key;

  g_return_val_if_fail (CONFAB_IS_PROVIDER (provider), FALSE);

  if (has_key_or_needs_none (provider))
    return TRUE;

  key = confab_secrets_lookup_sync (confab_provider_get_id (provider), cancellable,
                                    &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (key == NULL)
    {
      g_propagate_error (error, no_key_error (provider, local_error));
      return FALSE;
    }

  confab_provider_set_api_key (provider, key);
  confab_secrets_free_key (key);
  return TRUE;
}
