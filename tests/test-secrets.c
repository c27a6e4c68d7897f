/* test-secrets.c: API keys through libsecret against a real gnome-keyring
 * in a private D-Bus session (run by run-with-keyring.sh), and what
 * happens without any session bus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include "confab-test-utils.h"

static gboolean
have_keyring (void)
{
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    return TRUE;

  g_test_skip ("no D-Bus session: run through tests/run-with-keyring.sh");
  return FALSE;
}

static void
async_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

static void
test_round_trip_sync (void)
{
  g_autoptr(GError) error = NULL;
  gboolean removed = TRUE;
  char *key;

  if (!have_keyring ())
    return;

  key = confab_secrets_lookup_sync ("anthropic", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (key);

  g_assert_true (confab_secrets_store_sync ("anthropic", "sk-ant-first", NULL, &error));
  g_assert_no_error (error);
  key = confab_secrets_lookup_sync ("anthropic", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "sk-ant-first");
  confab_secrets_free_key (key);

  /* Storing again replaces, and other providers are apart. */
  confab_secrets_store_sync ("anthropic", "sk-ant-second", NULL, &error);
  g_assert_no_error (error);
  confab_secrets_store_sync ("gemini", "gm-key", NULL, &error);
  g_assert_no_error (error);
  key = confab_secrets_lookup_sync ("anthropic", NULL, &error);
  g_assert_cmpstr (key, ==, "sk-ant-second");
  confab_secrets_free_key (key);
  key = confab_secrets_lookup_sync ("gemini", NULL, &error);
  g_assert_cmpstr (key, ==, "gm-key");
  confab_secrets_free_key (key);

  g_assert_true (confab_secrets_clear_sync ("anthropic", &removed, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (removed);
  g_assert_true (confab_secrets_clear_sync ("anthropic", &removed, NULL, &error));
  g_assert_false (removed);
  key = confab_secrets_lookup_sync ("anthropic", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (key);

  g_assert_true (confab_secrets_clear_sync ("gemini", NULL, NULL, &error));
  g_assert_no_error (error);

  /* Nonsense is refused before the keyring is asked. */
  g_assert_false (confab_secrets_store_sync ("openai", "", NULL, &error));
  g_assert_error (error, CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_null (confab_secrets_lookup_sync ("", NULL, &error));
  g_assert_error (error, CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_FAILED);
}

static void
test_round_trip_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GAsyncResult) looked_up = NULL;
  g_autoptr(GAsyncResult) cleared = NULL;
  g_autoptr(GAsyncResult) again = NULL;
  gboolean removed = FALSE;
  char *key;

  if (!have_keyring ())
    return;

  confab_secrets_store_async ("openai", "sk-test-1234", NULL, async_cb, &stored);
  g_assert_true (confab_secrets_store_finish (wait_for (&stored), &error));
  g_assert_no_error (error);

  confab_secrets_lookup_async ("openai", NULL, async_cb, &looked_up);
  key = confab_secrets_lookup_finish (wait_for (&looked_up), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "sk-test-1234");
  confab_secrets_free_key (key);

  confab_secrets_clear_async ("openai", NULL, async_cb, &cleared);
  g_assert_true (confab_secrets_clear_finish (wait_for (&cleared), &removed, &error));
  g_assert_no_error (error);
  g_assert_true (removed);

  confab_secrets_lookup_async ("openai", NULL, async_cb, &again);
  key = confab_secrets_lookup_finish (wait_for (&again), &error);
  g_assert_no_error (error);
  g_assert_null (key);
}

/* The item is findable by other tools under our schema's name. */
static void
test_schema_attributes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *secret_tool = g_find_program_in_path ("secret-tool");
  int status = -1;
  const char *argv[] = { "secret-tool", "lookup", "xdg:schema", CONFAB_SECRETS_SCHEMA_NAME,
                         "provider", "openrouter", NULL };

  if (!have_keyring ())
    return;
  if (secret_tool == NULL)
    {
      g_test_skip ("secret-tool is not installed");
      return;
    }

  g_assert_true (confab_secrets_store_sync ("openrouter", "or-key", NULL, &error));
  g_assert_no_error (error);

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "or-key");

  g_assert_true (confab_secrets_clear_sync ("openrouter", NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_apply_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabProvider) openai = confab_provider_new ("openai", NULL, NULL);
  g_autoptr(ConfabProvider) gemini = confab_provider_new ("gemini", NULL, NULL);
  g_autoptr(ConfabProvider) ollama = confab_provider_new ("ollama", NULL, NULL);
  g_autoptr(ConfabProvider) anthropic = confab_provider_new ("anthropic", NULL, NULL);
  g_autoptr(GAsyncResult) result = NULL;

  if (!have_keyring ())
    return;

  g_assert_true (confab_secrets_store_sync ("openai", "from-keyring", NULL, &error));
  g_assert_no_error (error);

  /* No key yet: the keyring's. */
  g_assert_null (confab_provider_get_api_key (openai));
  confab_secrets_apply_key_async (openai, NULL, async_cb, &result);
  g_assert_true (confab_secrets_apply_key_finish (openai, wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (confab_provider_get_api_key (openai), ==, "from-keyring");

  /* A key already there (the environment's) wins. */
  confab_provider_set_api_key (anthropic, "from-env");
  g_assert_true (confab_secrets_store_sync ("anthropic", "from-keyring", NULL, &error));
  g_assert_true (confab_secrets_apply_key_sync (anthropic, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (confab_provider_get_api_key (anthropic), ==, "from-env");

  /* Ollama needs none. */
  g_assert_true (confab_secrets_apply_key_sync (ollama, NULL, &error));
  g_assert_no_error (error);

  /* Nowhere: a clear NO_KEY naming the variable. */
  g_assert_false (confab_secrets_apply_key_sync (gemini, NULL, &error));
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NO_KEY);
  g_assert_nonnull (strstr (error->message, "GEMINI_API_KEY"));

  g_assert_true (confab_secrets_clear_sync ("openai", NULL, NULL, NULL));
  g_assert_true (confab_secrets_clear_sync ("anthropic", NULL, NULL, NULL));
}

/* Without any session bus: an error at once, never an attempt to start
 * one; a key from the environment needs no keyring at all. */
static void
test_no_session (void)
{
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ConfabProvider) with_env = confab_provider_new ("openai", NULL, NULL);
    g_autoptr(ConfabProvider) without = confab_provider_new ("anthropic", NULL, NULL);
    char *key;

    key = confab_secrets_lookup_sync ("openai", NULL, &error);
    g_assert_null (key);
    g_assert_error (error, CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_UNAVAILABLE);
    g_clear_error (&error);

    g_assert_false (confab_secrets_store_sync ("openai", "k", NULL, &error));
    g_assert_error (error, CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_UNAVAILABLE);
    g_clear_error (&error);

    confab_provider_set_api_key (with_env, "from-env");
    g_assert_true (confab_secrets_apply_key_sync (with_env, NULL, &error));
    g_assert_no_error (error);

    g_assert_false (confab_secrets_apply_key_sync (without, NULL, &error));
    g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NO_KEY);
    g_assert_nonnull (strstr (error->message, "ANTHROPIC_API_KEY"));
    g_assert_nonnull (strstr (error->message, "D-Bus"));
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* The keys of the developer's environment must not leak in. */
  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("ANTHROPIC_API_KEY");
  g_unsetenv ("GEMINI_API_KEY");
  g_unsetenv ("OPENROUTER_API_KEY");

  confab_test_init (&argc, &argv);

  g_test_add_func ("/confab/secrets/round-trip-sync", test_round_trip_sync);
  g_test_add_func ("/confab/secrets/round-trip-async", test_round_trip_async);
  g_test_add_func ("/confab/secrets/schema-attributes", test_schema_attributes);
  g_test_add_func ("/confab/secrets/apply-key", test_apply_key);
  g_test_add_func ("/confab/secrets/no-session", test_no_session);

  status = confab_test_run ();
  confab_secrets_disconnect ();

  return status;
}
