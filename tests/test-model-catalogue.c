/* test-model-catalogue.c: the model catalogue against the fake provider:
 * which providers count as configured, the lists cached in the store, one
 * provider failing without stopping the others, the quick Ollama probe,
 * and the context windows the conversation builder asks for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include "confab-fake-provider.h"
#include "confab-test-utils.h"

typedef struct
{
  ConfabTestStore     base;
  ConfabFakeProvider *fake;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  confab_test_store_setup (&fixture->base, data);
  fixture->fake = confab_fake_provider_new (0, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->fake));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  confab_test_store_teardown (&fixture->base, data);
}

static void
async_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
refresh (ConfabModelCatalogue  *catalogue,
         GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_model_catalogue_refresh_async (catalogue, NULL, async_cb, &result);
  g_assert_true (confab_model_catalogue_get_refreshing (catalogue));
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (confab_model_catalogue_get_refreshing (catalogue));

  return confab_model_catalogue_refresh_finish (catalogue, result, error);
}

static char *
list_ids (GListModel *model)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ConfabModelInfo) info = g_list_model_get_item (model, i);

      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, confab_model_info_get_full_id (info));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
join (GStrv strv)
{
  return g_strjoinv (" ", strv);
}

static void
count_changes (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               guint      *n_changes)
{
  (*n_changes)++;
}

static void
test_refresh_and_cache (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(ConfabModelCatalogue) catalogue = confab_model_catalogue_new (fixture->base.store);
  g_autoptr(ConfabModelCatalogue) reopened = NULL;
  g_autoptr(ConfabModelInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) providers = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *joined = NULL;
  guint n_changes = 0;

  /* Keys for OpenAI and Gemini are in the environment (see main()); the
   * fake answers for every provider, Ollama included. */
  confab_model_catalogue_set_use_keyring (catalogue, FALSE);
  confab_model_catalogue_set_base_url (catalogue, NULL,
                                       confab_fake_provider_get_url (fixture->fake));
  g_assert_cmpstr (confab_model_catalogue_get_base_url (catalogue, "anthropic"), ==,
                   confab_fake_provider_get_url (fixture->fake));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (catalogue)) ==
                 CONFAB_TYPE_MODEL_INFO);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (catalogue)), ==, 0);
  g_signal_connect (catalogue, "items-changed", G_CALLBACK (count_changes), &n_changes);

  g_assert_true (refresh (catalogue, &error));
  g_assert_no_error (error);

  providers = confab_model_catalogue_dup_providers (catalogue);
  joined = join (providers);
  g_assert_cmpstr (joined, ==, "openai gemini ollama");
  g_assert_null (confab_model_catalogue_get_provider_error (catalogue, "openai"));
  /* One change per provider that answered. */
  g_assert_cmpuint (n_changes, ==, 3);

  ids = list_ids (G_LIST_MODEL (catalogue));
  g_assert_cmpstr (ids, ==,
                   "openai:gpt-4o openai:gpt-4o-mini "
                   "gemini:gemini-2.0-flash gemini:gemini-2.5-flash "
                   "ollama:llama3.2:latest ollama:qwen3:8b");

  /* OpenAI's list says nothing of limits: the published figures fill in;
   * Gemini's own figures stay; Ollama's stay unknown. */
  info = confab_model_catalogue_lookup (catalogue, "openai:gpt-4o-mini");
  g_assert_nonnull (info);
  g_assert_cmpint (confab_model_info_get_context_window (info), ==, 128000);
  g_assert_cmpint (confab_model_info_get_max_output (info), ==, 16384);
  g_assert_cmpint (confab_model_catalogue_get_context_window (catalogue,
                                                              "gemini:gemini-2.5-flash"),
                   ==, 1048576);
  g_assert_cmpint (confab_model_catalogue_get_max_output (catalogue, "gemini:gemini-2.5-flash"),
                   ==, 65536);
  g_assert_cmpint (confab_model_catalogue_get_context_window (catalogue,
                                                              "ollama:llama3.2:latest"),
                   ==, 0);
  g_assert_null (confab_model_catalogue_lookup (catalogue, "openai:nope"));

  /* Cached in the store, and there for the next start before any fetch. */
  g_assert_cmpint (confab_test_query_int (fixture->base.store, "SELECT count(*) FROM models"),
                   ==, 6);
  g_assert_cmpint (confab_test_query_int (fixture->base.store,
                                          "SELECT count(*) FROM models WHERE fetched > 0 AND "
                                          "context_window IS NULL"),
                   ==, 2);
  reopened = confab_model_catalogue_new (fixture->base.store);
  g_clear_pointer (&ids, g_free);
  ids = list_ids (G_LIST_MODEL (reopened));
  g_assert_cmpstr (ids, ==,
                   "openai:gpt-4o openai:gpt-4o-mini "
                   "gemini:gemini-2.0-flash gemini:gemini-2.5-flash "
                   "ollama:llama3.2:latest ollama:qwen3:8b");
  g_assert_cmpint (confab_model_catalogue_get_context_window (reopened, "openai:gpt-4o"), ==,
                   128000);

  g_signal_handlers_disconnect_by_func (catalogue, count_changes, &n_changes);
}

static void
test_one_fails (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(ConfabModelCatalogue) catalogue = confab_model_catalogue_new (fixture->base.store);
  g_autoptr(GError) error = NULL;
  g_autofree char *ids = NULL;
  g_auto(GStrv) providers = NULL;
  g_autofree char *joined = NULL;
  const GError *failure;
  const char *url = confab_fake_provider_get_url (fixture->fake);

  confab_model_catalogue_set_use_keyring (catalogue, FALSE);
  confab_model_catalogue_set_base_url (catalogue, NULL, url);
  g_assert_true (refresh (catalogue, &error));

  /* Gemini becomes unreachable, Ollama stops answering. */
  confab_model_catalogue_set_base_url (catalogue, "gemini", "http://127.0.0.1:1");
  confab_model_catalogue_set_base_url (catalogue, "ollama", "127.0.0.1:1");
  g_assert_true (refresh (catalogue, &error));
  g_assert_no_error (error);

  providers = confab_model_catalogue_dup_providers (catalogue);
  joined = join (providers);
  g_assert_cmpstr (joined, ==, "openai gemini");
  failure = confab_model_catalogue_get_provider_error (catalogue, "gemini");
  g_assert_nonnull (failure);
  g_assert_true (g_error_matches (failure, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NETWORK));
  g_assert_null (confab_model_catalogue_get_provider_error (catalogue, "openai"));
  g_assert_null (confab_model_catalogue_get_provider_error (catalogue, "ollama"));

  /* The failed provider's models stay (cached), Ollama's go. */
  ids = list_ids (G_LIST_MODEL (catalogue));
  g_assert_cmpstr (ids, ==,
                   "openai:gpt-4o openai:gpt-4o-mini "
                   "gemini:gemini-2.0-flash gemini:gemini-2.5-flash");
  g_assert_cmpint (confab_test_query_int (fixture->base.store,
                                          "SELECT count(*) FROM models WHERE provider = 'ollama'"),
                   ==, 0);

  /* A base URL that cannot work is reported for its provider. */
  confab_model_catalogue_set_base_url (catalogue, "gemini", NULL);
  confab_model_catalogue_set_base_url (catalogue, "openai", "ftp://nope");
  g_assert_true (refresh (catalogue, &error));
  failure = confab_model_catalogue_get_provider_error (catalogue, "openai");
  g_assert_true (g_error_matches (failure, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_FAILED));
  g_assert_null (confab_model_catalogue_get_provider_error (catalogue, "gemini"));
}

/* Accepts connections and never answers, like a host that swallows them. */
static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             GPtrArray         *held)
{
  g_ptr_array_add (held, g_object_ref (connection));

  return TRUE;
}

static void
test_ollama_probe_timeout (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(ConfabModelCatalogue) catalogue = confab_model_catalogue_new (fixture->base.store);
  g_autoptr(GSocketService) silent = g_socket_service_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *ollama_url = NULL;
  g_auto(GStrv) providers = NULL;
  g_autofree char *joined = NULL;
  gint64 start;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (silent), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (silent, "incoming", G_CALLBACK (on_incoming), held);
  g_socket_service_start (silent);
  ollama_url = g_strdup_printf ("127.0.0.1:%u", port);

  confab_model_catalogue_set_use_keyring (catalogue, FALSE);
  confab_model_catalogue_set_base_url (catalogue, NULL,
                                       confab_fake_provider_get_url (fixture->fake));
  confab_model_catalogue_set_base_url (catalogue, "ollama", ollama_url);
  confab_model_catalogue_set_probe_timeout (catalogue, 300);

  start = g_get_monotonic_time ();
  g_assert_true (refresh (catalogue, &error));
  g_assert_no_error (error);
  /* Quick, and not an error: nothing that answers is not Ollama. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (held->len, >=, 1);
  providers = confab_model_catalogue_dup_providers (catalogue);
  joined = join (providers);
  g_assert_cmpstr (joined, ==, "openai gemini");
  g_assert_null (confab_model_catalogue_get_provider_error (catalogue, "ollama"));

  g_socket_service_stop (silent);
  g_socket_listener_close (G_SOCKET_LISTENER (silent));
}

/* Answers every request with 404, as a server that is not Ollama would. */
static gboolean
on_incoming_404 (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source,
                 gpointer           user_data)
{
  static const char answer[] =
    "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
    "Connection: close\r\n\r\n{}";
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  g_output_stream_write_all (out, answer, sizeof answer - 1, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  return TRUE;
}

static void
test_not_ollama (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ConfabModelCatalogue) catalogue = confab_model_catalogue_new (fixture->base.store);
  g_autoptr(GSocketService) other = g_socket_service_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *other_url = NULL;
  g_auto(GStrv) providers = NULL;
  g_auto(GStrv) again = NULL;
  g_autofree char *joined = NULL;
  const char *url = confab_fake_provider_get_url (fixture->fake);
  const GError *failure;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (other), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (other, "incoming", G_CALLBACK (on_incoming_404), NULL);
  g_socket_service_start (other);
  other_url = g_strdup_printf ("http://127.0.0.1:%u", port);

  /* A gateway for every provider that is not Ollama: Ollama is simply not
   * there, and that is not an error. */
  confab_model_catalogue_set_use_keyring (catalogue, FALSE);
  confab_model_catalogue_set_base_url (catalogue, NULL, other_url);
  confab_model_catalogue_set_base_url (catalogue, "openai", url);
  confab_model_catalogue_set_base_url (catalogue, "gemini", url);
  g_assert_true (refresh (catalogue, &error));
  g_assert_no_error (error);
  providers = confab_model_catalogue_dup_providers (catalogue);
  joined = join (providers);
  g_assert_cmpstr (joined, ==, "openai gemini");
  g_assert_null (confab_model_catalogue_get_provider_error (catalogue, "ollama"));

  /* Pointed there on purpose, the wrong answer is reported. */
  confab_model_catalogue_set_base_url (catalogue, "ollama", other_url);
  g_assert_true (refresh (catalogue, &error));
  again = confab_model_catalogue_dup_providers (catalogue);
  g_assert_cmpuint (g_strv_length (again), ==, 3);
  failure = confab_model_catalogue_get_provider_error (catalogue, "ollama");
  g_assert_nonnull (failure);
  g_assert_true (failure->domain == CONFAB_PROVIDER_ERROR);

  g_socket_service_stop (other);
  g_socket_listener_close (G_SOCKET_LISTENER (other));
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(ConfabModelCatalogue) catalogue = confab_model_catalogue_new (fixture->base.store);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_model_catalogue_set_use_keyring (catalogue, FALSE);
  confab_model_catalogue_set_base_url (catalogue, NULL,
                                       confab_fake_provider_get_url (fixture->fake));
  confab_model_catalogue_refresh_async (catalogue, cancellable, async_cb, &result);
  g_cancellable_cancel (cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (confab_model_catalogue_refresh_finish (catalogue, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (confab_model_catalogue_get_refreshing (catalogue));
}

static void
test_get_provider (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ConfabModelCatalogue) catalogue = confab_model_catalogue_new (fixture->base.store);
  g_autoptr(ConfabProvider) openai = NULL;
  g_autoptr(ConfabProvider) anthropic = NULL;
  g_autoptr(ConfabProvider) bogus = NULL;
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;

  confab_model_catalogue_set_use_keyring (catalogue, FALSE);
  confab_model_catalogue_set_base_url (catalogue, "openai", "http://127.0.0.1:9/v1/");

  confab_model_catalogue_get_provider_async (catalogue, "openai", NULL, async_cb, &first);
  while (first == NULL)
    g_main_context_iteration (NULL, TRUE);
  openai = confab_model_catalogue_get_provider_finish (catalogue, first, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_provider_get_api_key (openai), ==, "env-openai-key");
  g_assert_cmpstr (confab_provider_get_base_url (openai), ==, "http://127.0.0.1:9");

  /* No key in the environment and no keyring asked: NO_KEY. */
  confab_model_catalogue_get_provider_async (catalogue, "anthropic", NULL, async_cb, &second);
  while (second == NULL)
    g_main_context_iteration (NULL, TRUE);
  anthropic = confab_model_catalogue_get_provider_finish (catalogue, second, &error);
  g_assert_null (anthropic);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NO_KEY);
  g_clear_error (&error);

  bogus = confab_model_catalogue_create_provider (catalogue, "nosuch", &error);
  g_assert_null (bogus);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_FAILED);
}

static void
test_known_limits (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ConfabModelCatalogue) catalogue = confab_model_catalogue_new (fixture->base.store);

  /* Never fetched: the published figures, by longest prefix. */
  g_assert_cmpint (confab_model_catalogue_get_context_window (catalogue,
                                                              "openai:gpt-4o-2024-08-06"),
                   ==, 128000);
  g_assert_cmpint (confab_model_catalogue_get_context_window (catalogue, "openai:gpt-4.1-mini"),
                   ==, 1047576);
  g_assert_cmpint (confab_model_catalogue_get_context_window (catalogue, "openai:gpt-4"), ==,
                   8192);
  g_assert_cmpint (confab_model_catalogue_get_max_output (catalogue,
                                                          "anthropic:claude-sonnet-4-5"),
                   ==, 64000);
  g_assert_cmpint (confab_model_catalogue_get_context_window (catalogue,
                                                              "openrouter:openai/gpt-4o-mini"),
                   ==, 128000);
  /* Local models depend on how they were started: unknown. */
  g_assert_cmpint (confab_model_catalogue_get_context_window (catalogue, "ollama:gpt-4o"), ==, 0);
  g_assert_cmpint (confab_model_catalogue_get_context_window (catalogue, "openai:mystery"), ==,
                   0);
  g_assert_cmpint (confab_model_catalogue_get_context_window (catalogue, "not-a-model"), ==, 0);
}

/* A provider the user turned off leaves the list at once, is not asked on
 * the next refresh, and comes back from its cache when turned on again. */
static void
test_disabled_provider (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(ConfabModelCatalogue) catalogue = confab_model_catalogue_new (fixture->base.store);
  g_autoptr(GError) error = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *joined = NULL;
  g_auto(GStrv) providers = NULL;
  guint n_requests;

  confab_model_catalogue_set_use_keyring (catalogue, FALSE);
  confab_model_catalogue_set_base_url (catalogue, NULL,
                                       confab_fake_provider_get_url (fixture->fake));
  g_assert_true (confab_model_catalogue_get_provider_enabled (catalogue, "gemini"));
  g_assert_true (refresh (catalogue, &error));
  g_assert_no_error (error);

  confab_model_catalogue_set_provider_enabled (catalogue, "gemini", FALSE);
  g_assert_false (confab_model_catalogue_get_provider_enabled (catalogue, "gemini"));
  ids = list_ids (G_LIST_MODEL (catalogue));
  g_assert_cmpstr (ids, ==,
                   "openai:gpt-4o openai:gpt-4o-mini "
                   "ollama:llama3.2:latest ollama:qwen3:8b");
  providers = confab_model_catalogue_dup_providers (catalogue);
  joined = join (providers);
  g_assert_cmpstr (joined, ==, "openai ollama");

  /* Not asked, and its cache kept for later. */
  confab_fake_provider_clear_requests (fixture->fake);
  g_assert_true (refresh (catalogue, &error));
  g_assert_no_error (error);
  n_requests = confab_fake_provider_get_n_requests (fixture->fake);
  g_assert_cmpuint (n_requests, ==, 2);
  for (guint i = 0; i < n_requests; i++)
    g_assert_cmpstr (confab_fake_provider_get_request (fixture->fake, i)->route, !=,
                     "gemini-models");
  g_clear_pointer (&providers, g_strfreev);
  g_clear_pointer (&joined, g_free);
  providers = confab_model_catalogue_dup_providers (catalogue);
  joined = join (providers);
  g_assert_cmpstr (joined, ==, "openai ollama");
  g_assert_cmpint (confab_test_query_int (fixture->base.store,
                                          "SELECT count(*) FROM models WHERE provider = 'gemini'"),
                   ==, 2);

  /* Setting the same state again changes nothing. */
  confab_model_catalogue_set_provider_enabled (catalogue, "gemini", FALSE);
  confab_model_catalogue_set_provider_enabled (catalogue, "gemini", TRUE);
  confab_model_catalogue_set_provider_enabled (catalogue, "gemini", TRUE);
  g_clear_pointer (&ids, g_free);
  ids = list_ids (G_LIST_MODEL (catalogue));
  g_assert_cmpstr (ids, ==,
                   "openai:gpt-4o openai:gpt-4o-mini "
                   "gemini:gemini-2.0-flash gemini:gemini-2.5-flash "
                   "ollama:llama3.2:latest ollama:qwen3:8b");

  /* Every provider off: nothing is configured. */
  for (const char **id = confab_provider_list_known_ids (); *id != NULL; id++)
    confab_model_catalogue_set_provider_enabled (catalogue, *id, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (catalogue)), ==, 0);
  {
    g_autoptr(GAsyncResult) result = NULL;

    /* Nothing to ask: done before any request (refresh() expects one). */
    confab_model_catalogue_refresh_async (catalogue, NULL, async_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (confab_model_catalogue_get_refreshing (catalogue));
    g_assert_false (confab_model_catalogue_refresh_finish (catalogue, result, &error));
    g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NO_KEY);
  }
}

int
main (int   argc,
      char *argv[])
{
  /* Before any thread: keys for two providers, nothing else. */
  g_setenv ("OPENAI_API_KEY", "env-openai-key", TRUE);
  g_setenv ("GEMINI_API_KEY", "env-gemini-key", TRUE);
  g_unsetenv ("ANTHROPIC_API_KEY");
  g_unsetenv ("OPENROUTER_API_KEY");
  g_unsetenv ("OPENAI_BASE_URL");
  g_unsetenv ("ANTHROPIC_BASE_URL");
  g_unsetenv ("GEMINI_BASE_URL");
  g_unsetenv ("OPENROUTER_BASE_URL");
  g_unsetenv ("OLLAMA_HOST");

  confab_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/confab/model-catalogue/refresh-and-cache", test_refresh_and_cache);
  ADD ("/confab/model-catalogue/one-fails", test_one_fails);
  ADD ("/confab/model-catalogue/ollama-probe-timeout", test_ollama_probe_timeout);
  ADD ("/confab/model-catalogue/not-ollama", test_not_ollama);
  ADD ("/confab/model-catalogue/cancel", test_cancel);
  ADD ("/confab/model-catalogue/get-provider", test_get_provider);
  ADD ("/confab/model-catalogue/known-limits", test_known_limits);
  ADD ("/confab/model-catalogue/disabled-provider", test_disabled_provider);

  return confab_test_run ();
}
