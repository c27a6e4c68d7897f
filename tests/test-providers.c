/* test-providers.c: the provider layer without a network: recorded streams
 * replayed through the pure decoders (whole, split at every byte, cut short
 * at every byte), request bodies and headers against the recorded ones, and
 * model lists. Errors and configuration: test-provider-config.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-provider-private.h"

#define FIXTURE_SYSTEM "You are a terse assistant. Answer in one sentence."
#define ROME "The capital of Italy is Rome (“Roma”) — la Città Eterna."

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

/* ------------------------------------------------------------------------ */
/* Replaying streams through the decoders. */

typedef struct
{
  const char       *file;
  ConfabWireFormat  wire;
  const char       *text;
  const char       *stop_reason;
  gint64            input_tokens;
  gint64            output_tokens;
  const char       *model;
  ConfabProviderError error_code;   /* FAILED here: no error expected */
} StreamCase;

static const StreamCase stream_cases[] = {
  { "openai-chat-stream.sse", CONFAB_WIRE_OPENAI, ROME, "stop", 52, 17,
    "gpt-4o-mini-2024-07-18", CONFAB_PROVIDER_ERROR_FAILED },
  { "ollama-openai-chat-stream.sse", CONFAB_WIRE_OPENAI, "The capital of Italy is Rome.", "stop",
    58, 8, "llama3.2", CONFAB_PROVIDER_ERROR_FAILED },
  { "anthropic-stream.sse", CONFAB_WIRE_ANTHROPIC, ROME, "stop", 31, 19,
    "claude-sonnet-4-5-20250929", CONFAB_PROVIDER_ERROR_FAILED },
  { "gemini-stream.sse", CONFAB_WIRE_GEMINI, ROME "\n", "stop", 24, 14, "gemini-2.0-flash",
    CONFAB_PROVIDER_ERROR_FAILED },
  { "anthropic-error-overloaded.sse", CONFAB_WIRE_ANTHROPIC, "The capital of", NULL, 31, 1,
    "claude-sonnet-4-5-20250929", CONFAB_PROVIDER_ERROR_OVERLOADED },
};

static void
collect_delta (const char *text,
               gpointer    user_data)
{
  g_string_append (user_data, text);
}

/* Feeds bytes[0..limit) cut at the given offsets; returns the error, if
 * any, and leaves the outcome in state. */
static GError *
replay (const StreamCase  *kase,
        GBytes            *bytes,
        const gsize       *cuts,
        guint              n_cuts,
        gsize              limit,
        ConfabStreamState *state)
{
  g_autoptr(ConfabStreamDecoder) decoder = NULL;
  g_autoptr(GString) deltas = g_string_new (NULL);
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  GError *error = NULL;
  gsize pos = 0;

  _confab_stream_state_init (state, "Test", "test-model");
  state->text_func = collect_delta;
  state->text_data = deltas;
  decoder = _confab_stream_decoder_new (_confab_wire_get_decode_func (kase->wire), state);

  for (guint i = 0; i <= n_cuts && error == NULL; i++)
    {
      gsize end = i < n_cuts ? MIN (cuts[i], limit) : limit;

      if (end < pos)
        continue;
      _confab_stream_decoder_feed (decoder, data + pos, end - pos, &error);
      pos = end;
    }
  if (error == NULL)
    _confab_stream_decoder_finish (decoder, &error);

  /* What "delta" reported is exactly the text kept. */
  g_assert_cmpstr (deltas->str, ==, state->text->str);

  return error;
}

static void
assert_outcome (const StreamCase  *kase,
                ConfabStreamState *state,
                GError            *error)
{
  g_assert_cmpstr (state->text->str, ==, kase->text);
  g_assert_cmpstr (state->stop_reason, ==, kase->stop_reason);
  g_assert_cmpint (state->input_tokens, ==, kase->input_tokens);
  g_assert_cmpint (state->output_tokens, ==, kase->output_tokens);
  g_assert_cmpstr (state->model, ==, kase->model);

  if (kase->error_code == CONFAB_PROVIDER_ERROR_FAILED)
    g_assert_no_error (error);
  else
    g_assert_error (error, CONFAB_PROVIDER_ERROR, (int) kase->error_code);
}

static void
test_decode_fixture (gconstpointer data)
{
  const StreamCase *kase = data;
  g_autoptr(GBytes) bytes = load_fixture (kase->file);
  gsize len = g_bytes_get_size (bytes);
  ConfabStreamState state;
  GError *error;

  /* Whole. */
  error = replay (kase, bytes, NULL, 0, len, &state);
  assert_outcome (kase, &state, error);
  g_clear_error (&error);
  _confab_stream_state_clear (&state);

  /* Split in two at every byte. */
  for (gsize at = 0; at <= len; at++)
    {
      error = replay (kase, bytes, &at, 1, len, &state);
      assert_outcome (kase, &state, error);
      g_clear_error (&error);
      _confab_stream_state_clear (&state);
    }

  /* Byte by byte. */
  {
    g_autofree gsize *every = g_new0 (gsize, len + 1);

    for (gsize i = 0; i < len; i++)
      every[i] = i + 1;
    error = replay (kase, bytes, every, len, len, &state);
    assert_outcome (kase, &state, error);
    g_clear_error (&error);
    _confab_stream_state_clear (&state);
  }

  /* Cut short at every byte: either complete already, or a clear error
   * with the text so far kept. */
  for (gsize cut = 0; cut < len; cut++)
    {
      error = replay (kase, bytes, NULL, 0, cut, &state);
      g_assert_true (g_str_has_prefix (kase->text, state.text->str));
      if (error == NULL)
        {
          g_assert_cmpint (kase->error_code, ==, CONFAB_PROVIDER_ERROR_FAILED);
          g_assert_cmpstr (state.text->str, ==, kase->text);
          g_assert_cmpstr (state.stop_reason, ==, kase->stop_reason);
        }
      else if (!g_error_matches (error, CONFAB_PROVIDER_ERROR, kase->error_code))
        {
          g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_STREAM);
          g_assert_true (strstr (error->message, "cut off") != NULL);
        }
      g_clear_error (&error);
      _confab_stream_state_clear (&state);
    }
}

/* Decodes a literal stream whole; returns the error. */
static GError *
decode_literal (ConfabWireFormat   wire,
                const char        *stream,
                ConfabStreamState *state)
{
  StreamCase kase = { "literal", wire, NULL, NULL, 0, 0, NULL, 0 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (stream, strlen (stream));

  return replay (&kase, bytes, NULL, 0, strlen (stream), state);
}

static void
test_decode_openai_variants (void)
{
  ConfabStreamState state;
  GError *error;

  /* A compatible server: role and content together, comments anywhere,
   * finish without [DONE]. */
  error = decode_literal (CONFAB_WIRE_OPENAI,
                          ": OPENROUTER PROCESSING\n\n"
                          "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                          "\"content\":\"Hel\"}}]}\n\n"
                          ":keep-alive\n"
                          "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},"
                          "\"finish_reason\":\"length\"}]}\n\n",
                          &state);
  g_assert_no_error (error);
  g_assert_cmpstr (state.text->str, ==, "Hello");
  g_assert_cmpstr (state.stop_reason, ==, "length");
  g_assert_cmpint (state.input_tokens, ==, -1);
  _confab_stream_state_clear (&state);

  /* An error object in the stream. */
  error = decode_literal (CONFAB_WIRE_OPENAI,
                          "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Par\"}}]}\n\n"
                          "data: {\"error\":{\"message\":\"Upstream overloaded\","
                          "\"type\":\"server_error\",\"code\":502}}\n\n",
                          &state);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_OVERLOADED);
  g_assert_true (strstr (error->message, "Upstream overloaded") != NULL);
  g_assert_cmpstr (state.text->str, ==, "Par");
  g_clear_error (&error);
  _confab_stream_state_clear (&state);

  /* Malformed JSON: STREAM, text kept. */
  error = decode_literal (CONFAB_WIRE_OPENAI,
                          "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Par\"}}]}\n\n"
                          "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"is\n\n"
                          "data: [DONE]\n\n",
                          &state);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_STREAM);
  g_assert_cmpstr (state.text->str, ==, "Par");
  g_clear_error (&error);
  _confab_stream_state_clear (&state);

  /* Ended cleanly but early. */
  error = decode_literal (CONFAB_WIRE_OPENAI,
                          "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Par\"}}]}\n\n",
                          &state);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_STREAM);
  g_assert_true (g_str_has_prefix (error->message, "The reply was cut off"));
  g_assert_cmpstr (state.text->str, ==, "Par");
  g_clear_error (&error);
  _confab_stream_state_clear (&state);

  /* A server that answered with a whole completion. */
  error = decode_literal (CONFAB_WIRE_OPENAI,
                          "data: {\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                          "\"content\":\"Whole\"},\"finish_reason\":\"tool_calls\"}],"
                          "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n",
                          &state);
  g_assert_no_error (error);
  g_assert_cmpstr (state.text->str, ==, "Whole");
  g_assert_cmpstr (state.stop_reason, ==, "tool_use");
  g_assert_cmpint (state.output_tokens, ==, 1);
  _confab_stream_state_clear (&state);
}

static void
test_decode_anthropic_variants (void)
{
  ConfabStreamState state;
  GError *error;

  /* No message_stop: cut off. */
  error = decode_literal (CONFAB_WIRE_ANTHROPIC,
                          "event: content_block_delta\n"
                          "data: {\"type\":\"content_block_delta\",\"index\":0,"
                          "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"
                          "event: message_delta\n"
                          "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                          "\"max_tokens\"},\"usage\":{\"output_tokens\":4}}\n\n",
                          &state);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_STREAM);
  g_assert_cmpstr (state.text->str, ==, "Hi");
  g_assert_cmpstr (state.stop_reason, ==, "length");
  g_assert_cmpint (state.output_tokens, ==, 4);
  g_clear_error (&error);
  _confab_stream_state_clear (&state);

  /* Thinking is not text; unknown events are ignored. */
  error = decode_literal (CONFAB_WIRE_ANTHROPIC,
                          "event: content_block_delta\n"
                          "data: {\"type\":\"content_block_delta\",\"index\":0,"
                          "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"hmm\"}}\n\n"
                          "event: future_event\ndata: {\"type\":\"future_event\"}\n\n"
                          "event: content_block_delta\n"
                          "data: {\"type\":\"content_block_delta\",\"index\":1,"
                          "\"delta\":{\"type\":\"text_delta\",\"text\":\"Yes\"}}\n\n"
                          "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
                          &state);
  g_assert_no_error (error);
  g_assert_cmpstr (state.text->str, ==, "Yes");
  _confab_stream_state_clear (&state);

  /* A rate limit reported in the stream. */
  error = decode_literal (CONFAB_WIRE_ANTHROPIC,
                          "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
                          "\"rate_limit_error\",\"message\":\"Slow down\"}}\n\n",
                          &state);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_RATE_LIMITED);
  g_assert_true (strstr (error->message, "Slow down") != NULL);
  g_clear_error (&error);
  _confab_stream_state_clear (&state);
}

static void
test_decode_gemini_variants (void)
{
  ConfabStreamState state;
  GError *error;

  error = decode_literal (CONFAB_WIRE_GEMINI,
                          "data: {\"promptFeedback\": {\"blockReason\": \"SAFETY\"},"
                          "\"usageMetadata\": {\"promptTokenCount\": 9}}\r\n\r\n",
                          &state);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_BAD_REQUEST);
  g_assert_true (strstr (error->message, "blocked the prompt (SAFETY)") != NULL);
  g_clear_error (&error);
  _confab_stream_state_clear (&state);

  error = decode_literal (CONFAB_WIRE_GEMINI,
                          "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"x\","
                          "\"thought\": true}, {\"text\": \"Done\"}]},"
                          "\"finishReason\": \"MAX_TOKENS\"}],"
                          "\"usageMetadata\": {\"promptTokenCount\": 2,"
                          " \"candidatesTokenCount\": 3,"
                          " \"thoughtsTokenCount\": 4}}\r\n\r\n",
                          &state);
  g_assert_no_error (error);
  g_assert_cmpstr (state.text->str, ==, "Done");
  g_assert_cmpstr (state.stop_reason, ==, "length");
  g_assert_cmpint (state.output_tokens, ==, 7);
  _confab_stream_state_clear (&state);

  error = decode_literal (CONFAB_WIRE_GEMINI,
                          "data: {\"error\": {\"code\": 503,"
                          " \"message\": \"The model is overloaded.\","
                          " \"status\": \"UNAVAILABLE\"}}\r\n\r\n",
                          &state);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_OVERLOADED);
  g_clear_error (&error);
  _confab_stream_state_clear (&state);
}

static void
test_decode_limit (void)
{
  g_autoptr(ConfabStreamDecoder) decoder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big = g_strnfill (300, 'x');
  ConfabStreamState state;

  _confab_stream_state_init (&state, "Test", NULL);
  decoder = _confab_stream_decoder_new (_confab_openai_decode_event, &state);
  _confab_stream_decoder_set_max_event_size (decoder, 256);

  g_assert_true (_confab_stream_decoder_feed (decoder, (const guint8 *) "data: ", 6, NULL));
  for (guint i = 0; i < 3 && error == NULL; i++)
    _confab_stream_decoder_feed (decoder, (const guint8 *) big, 100, &error);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_STREAM);
  g_clear_error (&error);

  /* The error sticks. */
  g_assert_false (_confab_stream_decoder_finish (decoder, &error));
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_STREAM);

  _confab_stream_state_clear (&state);
}

/* ------------------------------------------------------------------------ */
/* Requests. */

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

static char *
canonical_json (const char *data,
                gssize      len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, data, len, &error);
  g_assert_no_error (error);
  json_generator_set_root (generator, json_parser_get_root (parser));

  return json_generator_to_data (generator, NULL);
}

/* The request line and headers of a *-request.http file must be what the
 * message carries. */
static void
assert_http (SoupMessage *message,
             const char  *http_file)
{
  g_autoptr(GBytes) http = load_fixture (http_file);
  g_autofree char *text = g_strndup (g_bytes_get_data (http, NULL), g_bytes_get_size (http));
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);
  g_auto(GStrv) request_line = g_strsplit (lines[0], " ", 3);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  GUri *uri = soup_message_get_uri (message);
  g_autofree char *path_query = NULL;

  path_query = g_uri_get_query (uri)
    ? g_strconcat (g_uri_get_path (uri), "?", g_uri_get_query (uri), NULL)
    : g_strdup (g_uri_get_path (uri));
  g_assert_cmpstr (soup_message_get_method (message), ==, request_line[0]);
  g_assert_cmpstr (path_query, ==, request_line[1]);

  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      const char *colon = strchr (lines[i], ':');
      g_autofree char *name = g_strndup (lines[i], colon - lines[i]);
      const char *value = colon + 2;

      if (g_ascii_strcasecmp (name, "Host") == 0)
        g_assert_cmpstr (g_uri_get_host (uri), ==, value);
      else
        g_assert_cmpstr (soup_message_headers_get_one (headers, name), ==, value);
    }
}

static void
assert_body (SoupMessage *message,
             const char  *json_file)
{
  g_autoptr(GBytes) expected = load_fixture (json_file);
  GBytes *body = _confab_message_get_request_body (message);
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;

  g_assert_nonnull (body);
  want = canonical_json (g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
  got = canonical_json (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  /* Same members, same values, same order. */
  g_assert_cmpstr (got, ==, want);
}

static SoupMessage *
build (ConfabProvider    *provider,
       ConfabChatRequest *request,
       GError           **error)
{
  return CONFAB_PROVIDER_GET_CLASS (provider)->build_chat_message (provider, request, error);
}

static void
test_request_openai (void)
{
  g_autoptr(ConfabProvider) provider = make_provider ("openai",
                                                      "sk-proj-FAKEKEYFAKEKEYFAKEKEY0000");
  g_autoptr(ConfabChatRequest) request = fixture_request ("gpt-4o-mini");
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  confab_chat_request_set_temperature (request, 0.7);
  confab_chat_request_set_max_tokens (request, 256);
  message = build (provider, request, &error);
  g_assert_no_error (error);
  assert_body (message, "openai-chat-request.json");
  assert_http (message, "openai-chat-request.http");
}

static void
test_request_anthropic (void)
{
  g_autoptr(ConfabProvider) provider =
    make_provider ("anthropic", "sk-ant-api03-FAKEKEYFAKEKEYFAKEKEY-0000AA");
  g_autoptr(ConfabChatRequest) request = fixture_request ("claude-sonnet-4-5");
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  confab_chat_request_set_max_tokens (request, 1024);
  message = build (provider, request, &error);
  g_assert_no_error (error);
  assert_body (message, "anthropic-messages-request.json");
  assert_http (message, "anthropic-messages-request.http");
}

static void
test_request_gemini (void)
{
  g_autoptr(ConfabProvider) provider =
    make_provider ("gemini", "AIzaSyFAKEKEYFAKEKEYFAKEKEYFAKEKEY0000");
  g_autoptr(ConfabChatRequest) request = fixture_request ("gemini-2.0-flash");
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  confab_chat_request_set_temperature (request, 0.7);
  confab_chat_request_set_max_tokens (request, 1024);
  message = build (provider, request, &error);
  g_assert_no_error (error);
  assert_body (message, "gemini-request.json");
  assert_http (message, "gemini-request.http");
}

static JsonArray *
body_array (SoupMessage *message,
            const char  *member,
            JsonNode   **root_out)
{
  GBytes *body = _confab_message_get_request_body (message);

  *root_out = json_from_string (g_bytes_get_data (body, NULL), NULL);
  g_assert_nonnull (*root_out);

  return json_object_get_array_member (json_node_get_object (*root_out), member);
}

static void
test_request_alternation (void)
{
  g_autoptr(ConfabProvider) anthropic = make_provider ("anthropic", "k");
  g_autoptr(ConfabProvider) gemini = make_provider ("gemini", "k");
  g_autoptr(ConfabChatRequest) request = confab_chat_request_new ("m");
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *turns;

  confab_chat_request_add_turn (request, CONFAB_ROLE_ASSISTANT, "Hello, how can I help?");
  confab_chat_request_add_turn (request, CONFAB_ROLE_USER, "First");
  confab_chat_request_add_turn (request, CONFAB_ROLE_USER, "Second");
  confab_chat_request_add_turn (request, CONFAB_ROLE_ASSISTANT, "");
  confab_chat_request_add_turn (request, CONFAB_ROLE_USER, "Third");

  message = build (anthropic, request, &error);
  g_assert_no_error (error);
  turns = body_array (message, "messages", &root);
  g_assert_cmpuint (json_array_get_length (turns), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (turns, 0),
                                                  "role"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (turns, 0),
                                                  "content"), ==, CONFAB_PLACEHOLDER_USER_TURN);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (turns, 1),
                                                  "role"), ==, "assistant");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (turns, 2),
                                                  "content"), ==, "First\n\nSecond\n\nThird");
  /* max_tokens is required: a default is sent. */
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "max_tokens"),
                   ==, 4096);
  g_clear_object (&message);
  g_clear_pointer (&root, json_node_unref);

  message = build (gemini, request, &error);
  g_assert_no_error (error);
  turns = body_array (message, "contents", &root);
  g_assert_cmpuint (json_array_get_length (turns), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (turns, 1),
                                                  "role"), ==, "model");
  g_assert_false (json_object_has_member (json_node_get_object (root), "generationConfig"));
  g_assert_false (json_object_has_member (json_node_get_object (root), "systemInstruction"));
}

static void
test_request_openrouter_ollama (void)
{
  g_autoptr(ConfabProvider) openrouter = make_provider ("openrouter", "sk-or-fake");
  g_autoptr(ConfabProvider) ollama = make_provider ("ollama", NULL);
  g_autoptr(ConfabChatRequest) request = fixture_request ("openai/gpt-4o-mini");
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SoupMessageHeaders *headers;

  confab_chat_request_set_max_tokens (request, 100);
  message = build (openrouter, request, &error);
  g_assert_no_error (error);
  url = g_uri_to_string (soup_message_get_uri (message));
  g_assert_cmpstr (url, ==, "https://openrouter.ai/api/v1/chat/completions");
  headers = soup_message_get_request_headers (message);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "HTTP-Referer"), !=, NULL);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "X-Title"), ==, "Confab");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Authorization"), ==,
                   "Bearer sk-or-fake");
  body_array (message, "messages", &root);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "max_tokens"),
                   ==, 100);
  g_assert_false (json_object_has_member (json_node_get_object (root),
                                          "max_completion_tokens"));
  g_clear_object (&message);
  g_clear_pointer (&url, g_free);

  /* Ollama needs no key and sends none. */
  g_assert_false (confab_provider_needs_key (ollama));
  message = build (ollama, request, &error);
  g_assert_no_error (error);
  url = g_uri_to_string (soup_message_get_uri (message));
  g_assert_cmpstr (url, ==, "http://127.0.0.1:11434/v1/chat/completions");
  g_assert_null (soup_message_headers_get_one (soup_message_get_request_headers (message),
                                               "Authorization"));
}

/* ------------------------------------------------------------------------ */
/* Model lists. */

static GPtrArray *
parse_models (const char *id,
              const char *file)
{
  g_autoptr(ConfabProvider) provider = make_provider (id, "k");
  g_autoptr(GBytes) body = load_fixture (file);
  g_autoptr(GError) error = NULL;
  GPtrArray *models;

  models = CONFAB_PROVIDER_GET_CLASS (provider)->parse_models (provider, body, &error);
  g_assert_no_error (error);
  g_assert_nonnull (models);

  return models;
}

#define MODEL(list, i) ((ConfabModelInfo *) g_ptr_array_index ((list), (i)))

static void
test_models (void)
{
  g_autoptr(GPtrArray) openai = parse_models ("openai", "openai-models.json");
  g_autoptr(GPtrArray) anthropic = parse_models ("anthropic", "anthropic-models.json");
  g_autoptr(GPtrArray) gemini = parse_models ("gemini", "gemini-models.json");
  g_autoptr(GPtrArray) ollama = parse_models ("ollama", "ollama-tags.json");
  g_autoptr(ConfabProvider) provider = make_provider ("openai", "k");
  g_autoptr(GBytes) junk = g_bytes_new_static ("<html>", 6);
  g_autoptr(GError) error = NULL;

  /* Embeddings, speech, images and moderation are left out. */
  g_assert_cmpuint (openai->len, ==, 5);
  g_assert_cmpstr (confab_model_info_get_model (MODEL (openai, 0)), ==, "gpt-4o-mini");
  g_assert_cmpstr (confab_model_info_get_full_id (MODEL (openai, 0)), ==, "openai:gpt-4o-mini");
  g_assert_cmpstr (confab_model_info_get_model (MODEL (openai, 4)), ==, "o3-mini");
  g_assert_cmpint (confab_model_info_get_context_window (MODEL (openai, 0)), ==, 0);

  g_assert_cmpuint (anthropic->len, ==, 4);
  g_assert_cmpstr (confab_model_info_get_model (MODEL (anthropic, 0)), ==,
                   "claude-sonnet-4-5-20250929");
  g_assert_cmpstr (confab_model_info_get_display_name (MODEL (anthropic, 0)), ==,
                   "Claude Sonnet 4.5");
  g_assert_cmpint (confab_model_info_get_context_window (MODEL (anthropic, 0)), ==, 200000);
  g_assert_cmpint (confab_model_info_get_max_output (MODEL (anthropic, 0)), ==, 64000);
  g_assert_cmpint (confab_model_info_get_context_window (MODEL (anthropic, 2)), ==, 0);

  /* Only what can generateContent; names without "models/". */
  g_assert_cmpuint (gemini->len, ==, 2);
  g_assert_cmpstr (confab_model_info_get_full_id (MODEL (gemini, 0)), ==,
                   "gemini:gemini-2.0-flash");
  g_assert_cmpstr (confab_model_info_get_display_name (MODEL (gemini, 0)), ==,
                   "Gemini 2.0 Flash");
  g_assert_cmpint (confab_model_info_get_context_window (MODEL (gemini, 1)), ==, 1048576);
  g_assert_cmpint (confab_model_info_get_max_output (MODEL (gemini, 1)), ==, 65536);

  g_assert_cmpuint (ollama->len, ==, 3);
  g_assert_cmpstr (confab_model_info_get_full_id (MODEL (ollama, 0)), ==,
                   "ollama:llama3.2:latest");
  g_assert_cmpstr (confab_model_info_get_model (MODEL (ollama, 2)), ==,
                   "example-user/custom-model:q8_0");
  g_assert_cmpstr (confab_model_info_get_display_name (MODEL (ollama, 1)), ==, "qwen3:8b");

  g_assert_null (CONFAB_PROVIDER_GET_CLASS (provider)->parse_models (provider, junk, &error));
  g_assert_nonnull (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  clear_env ();

  for (guint i = 0; i < G_N_ELEMENTS (stream_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/confab/providers/decode/%s",
                                               stream_cases[i].file);

      g_test_add_data_func (name, &stream_cases[i], test_decode_fixture);
    }
  g_test_add_func ("/confab/providers/decode/openai-variants", test_decode_openai_variants);
  g_test_add_func ("/confab/providers/decode/anthropic-variants",
                   test_decode_anthropic_variants);
  g_test_add_func ("/confab/providers/decode/gemini-variants", test_decode_gemini_variants);
  g_test_add_func ("/confab/providers/decode/limit", test_decode_limit);
  g_test_add_func ("/confab/providers/request/openai", test_request_openai);
  g_test_add_func ("/confab/providers/request/anthropic", test_request_anthropic);
  g_test_add_func ("/confab/providers/request/gemini", test_request_gemini);
  g_test_add_func ("/confab/providers/request/alternation", test_request_alternation);
  g_test_add_func ("/confab/providers/request/openrouter-ollama", test_request_openrouter_ollama);
  g_test_add_func ("/confab/providers/models", test_models);

  return g_test_run ();
}
