/* test-provider-config.c: providers without a network: the factory, base
 * URL and key rules, and the mapping of recorded error replies to one clear
 * message each.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-provider-private.h"

#define FIXTURE_SYSTEM "You are a terse assistant. Answer in one sentence."

static const char * const env_vars[] = {
  "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GEMINI_BASE_URL", "OPENROUTER_BASE_URL",
  "OLLAMA_HOST", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY",
};

static void
clear_env (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (env_vars); i++)
    g_unsetenv (env_vars[i]);
}

static GBytes *
load_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "providers", name,
                                                 NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, len);
}

static ConfabProvider *
make_provider (const char *id,
               const char *key)
{
  g_autoptr(GError) error = NULL;
  ConfabProvider *provider = confab_provider_new (id, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (provider);
  confab_provider_set_api_key (provider, key);

  return provider;
}

static ConfabChatRequest *
fixture_request (const char *model)
{
  ConfabChatRequest *request = confab_chat_request_new (model);

  confab_chat_request_set_system (request, FIXTURE_SYSTEM);
  confab_chat_request_add_turn (request, CONFAB_ROLE_USER, "What is the capital of France?");
  confab_chat_request_add_turn (request, CONFAB_ROLE_ASSISTANT, "The capital of France is Paris.");
  confab_chat_request_add_turn (request, CONFAB_ROLE_USER, "And of Italy?");

  return request;
}

static SoupMessage *
build (ConfabProvider    *provider,
       ConfabChatRequest *request,
       GError           **error)
{
  return CONFAB_PROVIDER_GET_CLASS (provider)->build_chat_message (provider, request, error);
}

static void
test_request_no_key (void)
{
  const char *ids[] = { "openai", "anthropic", "gemini", "openrouter" };
  const char *vars[] = { "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY",
                         "OPENROUTER_API_KEY" };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(ConfabProvider) provider = make_provider (ids[i], NULL);
      g_autoptr(ConfabChatRequest) request = fixture_request ("m");
      g_autoptr(GError) error = NULL;
      g_autoptr(SoupMessage) message = build (provider, request, &error);
      g_autofree char *expected =
        g_strdup_printf ("No API key for %s. Add one in Preferences or set %s.",
                         confab_provider_get_display_name (provider), vars[i]);

      g_assert_null (message);
      g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NO_KEY);
      g_assert_cmpstr (error->message, ==, expected);
      g_assert_cmpstr (confab_provider_get_key_env_var (provider), ==, vars[i]);
    }
}

/* ------------------------------------------------------------------------ */
/* Providers, base URLs and keys. */

static void
test_factory (void)
{
  static const struct {
    const char *id, *name, *url;
    ConfabWireFormat wire;
  } known[] = {
    { "openai", "OpenAI", "https://api.openai.com", CONFAB_WIRE_OPENAI },
    { "anthropic", "Anthropic", "https://api.anthropic.com", CONFAB_WIRE_ANTHROPIC },
    { "gemini", "Gemini", "https://generativelanguage.googleapis.com", CONFAB_WIRE_GEMINI },
    { "openrouter", "OpenRouter", "https://openrouter.ai/api", CONFAB_WIRE_OPENAI },
    { "ollama", "Ollama", "http://127.0.0.1:11434", CONFAB_WIRE_OPENAI },
  };
  const char **ids = confab_provider_list_known_ids ();
  g_autoptr(GError) error = NULL;
  ConfabProvider *provider;

  g_assert_cmpuint (g_strv_length ((char **) ids), ==, G_N_ELEMENTS (known));
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      provider = make_provider (known[i].id, NULL);
      g_assert_cmpstr (ids[i], ==, known[i].id);
      g_assert_cmpstr (confab_provider_get_id (provider), ==, known[i].id);
      g_assert_cmpstr (confab_provider_get_display_name (provider), ==, known[i].name);
      g_assert_cmpstr (confab_provider_get_base_url (provider), ==, known[i].url);
      g_assert_cmpint (confab_provider_get_wire_format (provider), ==, known[i].wire);
      g_assert_null (confab_provider_get_api_key (provider));
      g_assert_finalize_object (provider);
    }

  provider = confab_provider_new ("mistral", NULL, &error);
  g_assert_null (provider);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_FAILED);
  g_clear_error (&error);

  provider = confab_provider_new ("openai", "ftp://example.com", &error);
  g_assert_null (provider);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_FAILED);
}

static void
assert_base_url (const char *id,
                 const char *env_var,
                 const char *env_value,
                 const char *explicit_url,
                 const char *expected)
{
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  clear_env ();
  if (env_var != NULL)
    g_setenv (env_var, env_value, TRUE);
  provider = confab_provider_new (id, explicit_url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_provider_get_base_url (provider), ==, expected);
  clear_env ();
}

static void
test_base_urls (void)
{
  assert_base_url ("openai", "OPENAI_BASE_URL", "http://localhost:8080/v1/", NULL,
                   "http://localhost:8080");
  assert_base_url ("openai", "OPENAI_BASE_URL", "http://localhost:8080", NULL,
                   "http://localhost:8080");
  assert_base_url ("openai", "OPENAI_BASE_URL", "http://localhost:1/v1",
                   "https://proxy.example.com/openai/v1", "https://proxy.example.com/openai");
  assert_base_url ("anthropic", "ANTHROPIC_BASE_URL", "https://gw.example.com/anthropic/", NULL,
                   "https://gw.example.com/anthropic");
  assert_base_url ("gemini", "GEMINI_BASE_URL",
                   "https://generativelanguage.googleapis.com/v1beta", NULL,
                   "https://generativelanguage.googleapis.com");
  assert_base_url ("openrouter", "OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1", NULL,
                   "https://openrouter.ai/api");
  assert_base_url ("ollama", "OLLAMA_HOST", "gpu-box:11500", NULL, "http://gpu-box:11500");
  assert_base_url ("ollama", "OLLAMA_HOST", "0.0.0.0", NULL, "http://0.0.0.0:11434");
  assert_base_url ("ollama", "OLLAMA_HOST", "https://ollama.example.com", NULL,
                   "https://ollama.example.com");
  assert_base_url ("openai", NULL, NULL, "127.0.0.1:9000", "http://127.0.0.1:9000");
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_key_from_env (void)
{
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  guint notified = 0;

  clear_env ();
  g_setenv ("ANTHROPIC_API_KEY", "sk-ant-from-env", TRUE);
  provider = confab_provider_new ("anthropic", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_provider_get_api_key (provider), ==, "sk-ant-from-env");
  clear_env ();

  g_signal_connect (provider, "notify::api-key", G_CALLBACK (count_notify), &notified);
  confab_provider_set_api_key (provider, "other");
  confab_provider_set_api_key (provider, "other");
  g_assert_cmpuint (notified, ==, 1);
  confab_provider_set_api_key (provider, "");
  g_assert_null (confab_provider_get_api_key (provider));
}

/* ------------------------------------------------------------------------ */
/* Error mapping. */

static SoupMessageHeaders *
load_headers (const char *file)
{
  g_autoptr(GBytes) raw = load_fixture (file);
  g_autofree char *text = g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);

  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      const char *colon = strchr (lines[i], ':');
      g_autofree char *name = g_strndup (lines[i], colon - lines[i]);

      soup_message_headers_append (headers, name, colon + 2);
    }

  return headers;
}

static GError *
map_error (const char         *id,
           const char         *model,
           guint               status,
           SoupMessageHeaders *headers,
           const char         *file,
           const char         *literal)
{
  g_autoptr(ConfabProvider) provider = make_provider (id, "k");
  g_autoptr(GBytes) body = file ? load_fixture (file)
                                : g_bytes_new (literal, literal ? strlen (literal) : 0);

  return _confab_provider_map_http_error_for_model (provider, model, status, headers, body);
}

static void
assert_contains (const GError *error,
                 const char   *part)
{
  if (strstr (error->message, part) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, part);
}

static void
test_errors_fixtures (void)
{
  g_autoptr(SoupMessageHeaders) headers = load_headers ("openai-error-429.headers");
  GError *error;

  error = map_error ("openai", "gpt-4o-mini", 401, NULL, "openai-error-401.json", NULL);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_AUTH);
  assert_contains (error, "The API key for OpenAI was refused. "
                          "Check it in Preferences → Providers.");
  assert_contains (error, "Incorrect API key provided");
  g_assert_cmpint (confab_provider_error_get_retry_after (error), ==, -1);
  g_clear_error (&error);

  error = map_error ("openai", "gpt-4o-mini", 429, headers, "openai-error-429-rate-limit.json",
                     NULL);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_RATE_LIMITED);
  g_assert_cmpint (confab_provider_error_get_retry_after (error), ==, 1);
  assert_contains (error, "try again in 1 second");
  assert_contains (error, "Rate limit reached for gpt-4o-mini");
  {
    /* The value travels with copies of the error. */
    g_autoptr(GError) copy = g_error_copy (error);

    g_assert_cmpint (confab_provider_error_get_retry_after (copy), ==, 1);
  }
  g_clear_error (&error);

  error = map_error ("openai", "gpt-4o-mini", 400, NULL, "openai-error-400-context-length.json",
                     NULL);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_CONTEXT_LENGTH);
  assert_contains (error, "maximum context length is 128000 tokens");
  assert_contains (error, "gpt-4o-mini");
  g_clear_error (&error);

  error = map_error ("anthropic", "claude-sonnet-4-5", 401, NULL, "anthropic-error-401.json",
                     NULL);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_AUTH);
  assert_contains (error, "The API key for Anthropic was refused.");
  assert_contains (error, "invalid x-api-key");
  g_clear_error (&error);

  /* Gemini's bad key is a 400. */
  error = map_error ("gemini", "gemini-2.0-flash", 400, NULL, "gemini-error-400-api-key.json",
                     NULL);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_AUTH);
  assert_contains (error, "The API key for Gemini was refused.");
  assert_contains (error, "API key not valid");
  g_clear_error (&error);

  error = map_error ("ollama", "llama9", 404, NULL, "ollama-error-404.json", NULL);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_MODEL_NOT_FOUND);
  assert_contains (error, "Ollama has no model “llama9”");
  assert_contains (error, "model 'llama9' not found");
  g_clear_error (&error);
}

static void
test_errors_other (void)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 120);
  g_autofree char *date = NULL;
  GError *error;

  /* A proxy's HTML page: the status still says what happened. */
  error = map_error ("openai", "m", 502, NULL, NULL, "<html><body>Bad gateway</body></html>");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_OVERLOADED);
  assert_contains (error, "OpenAI is overloaded; try again in a moment or switch model.");
  assert_contains (error, "HTTP 502");
  g_clear_error (&error);

  error = map_error ("anthropic", "m", 529, NULL, NULL,
                     "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                     "\"message\":\"Overloaded\"}}");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_OVERLOADED);
  assert_contains (error, "Overloaded");
  g_clear_error (&error);

  error = map_error ("anthropic", "m", 400, NULL, NULL,
                     "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                     "\"message\":\"prompt is too long: 208310 tokens > 200000 maximum\"}}");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_CONTEXT_LENGTH);
  g_clear_error (&error);

  error = map_error ("anthropic", "m", 400, NULL, NULL,
                     "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                     "\"message\":\"temperature: range is 0-1\"}}");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_BAD_REQUEST);
  assert_contains (error, "Anthropic rejected the request. Anthropic said: temperature");
  g_clear_error (&error);

  error = map_error ("openrouter", "m", 402, NULL, NULL,
                     "{\"error\":{\"code\":402,\"message\":\"Insufficient credits\"}}");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_BAD_REQUEST);
  assert_contains (error, "Insufficient credits");
  g_clear_error (&error);

  /* Retry-After as an HTTP date. */
  date = g_date_time_format (later, "%a, %d %b %Y %H:%M:%S GMT");
  soup_message_headers_replace (headers, "Retry-After", date);
  error = map_error ("anthropic", "m", 429, headers, NULL,
                     "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
                     "\"message\":\"Slow down\"}}");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_RATE_LIMITED);
  g_assert_cmpint (confab_provider_error_get_retry_after (error), >=, 115);
  g_assert_cmpint (confab_provider_error_get_retry_after (error), <=, 120);
  g_clear_error (&error);

  /* Gemini says when in the body. */
  error = map_error ("gemini", "m", 429, NULL, NULL,
                     "{\"error\":{\"code\":429,\"message\":\"Quota exceeded\",\"status\":"
                     "\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":"
                     "\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"37s\"}]}}");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_RATE_LIMITED);
  g_assert_cmpint (confab_provider_error_get_retry_after (error), ==, 37);
  g_clear_error (&error);

  error = map_error ("openai", "gpt-9", 404, NULL, NULL,
                     "{\"error\":{\"message\":\"The model `gpt-9` does not exist\","
                     "\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_MODEL_NOT_FOUND);
  assert_contains (error, "OpenAI has no model “gpt-9”");
  g_clear_error (&error);

  /* Errors built elsewhere in the domain carry no delay. */
  error = g_error_new_literal (CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_RATE_LIMITED, "x");
  g_assert_cmpint (confab_provider_error_get_retry_after (error), ==, -1);
  g_clear_error (&error);
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
  g_assert_cmpint (confab_provider_error_get_retry_after (error), ==, -1);
  g_clear_error (&error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  clear_env ();

  g_test_add_func ("/confab/provider-config/no-key", test_request_no_key);
  g_test_add_func ("/confab/provider-config/factory", test_factory);
  g_test_add_func ("/confab/provider-config/base-urls", test_base_urls);
  g_test_add_func ("/confab/provider-config/key-from-env", test_key_from_env);
  g_test_add_func ("/confab/provider-config/errors/fixtures", test_errors_fixtures);
  g_test_add_func ("/confab/provider-config/errors/other", test_errors_other);

  return g_test_run ();
}
