/* confab-gemini-provider.c: Google's Gemini API (generateContent, v1beta).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include <string.h>

#include "confab-gemini-provider.h"
#include "confab-provider-private.h"

struct _ConfabGeminiProvider
{
  ConfabProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (ConfabGeminiProvider, confab_gemini_provider, CONFAB_TYPE_PROVIDER)

static void
add_auth_header (ConfabProvider *provider,
                 SoupMessage    *message)
{
  const char *key = confab_provider_get_api_key (provider);

  /* A header rather than ?key=, which would end up in proxy logs. */
  if (key != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message),
                                  "x-goog-api-key", key);
}

static void
add_text_parts (JsonBuilder *builder,
                const char  *text)
{
  json_builder_set_member_name (builder, "parts");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
}

static SoupMessage *
confab_gemini_provider_build_chat_message (ConfabProvider     *provider,
                                           ConfabChatRequest  *request,
                                           GError            **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GPtrArray) turns = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  const char *model = confab_chat_request_get_model (request);
  const char *system = confab_chat_request_get_system (request);
  gint64 max_tokens = confab_chat_request_get_max_tokens (request);
  double temperature = confab_chat_request_get_temperature (request);

  if (confab_provider_get_api_key (provider) == NULL)
    {
      g_propagate_error (error, _confab_provider_no_key_error (provider));
      return NULL;
    }

  turns = _confab_chat_request_alternating_turns (request);
  if (turns->len == 0)
    {
      g_set_error_literal (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_BAD_REQUEST,
                           "There is nothing to send: the conversation is empty.");
      return NULL;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "contents");
  json_builder_begin_array (builder);
  for (guint i = 0; i < turns->len; i++)
    {
      const ConfabTurn *turn = g_ptr_array_index (turns, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder,
                                     turn->role == CONFAB_ROLE_ASSISTANT ? "model" : "user");
      add_text_parts (builder, turn->text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (system != NULL)
    {
      json_builder_set_member_name (builder, "systemInstruction");
      json_builder_begin_object (builder);
      add_text_parts (builder, system);
      json_builder_end_object (builder);
    }

  if (temperature >= 0 || max_tokens > 0)
    {
      json_builder_set_member_name (builder, "generationConfig");
      json_builder_begin_object (builder);
      if (temperature >= 0)
        {
          json_builder_set_member_name (builder, "temperature");
          json_builder_add_double_value (builder, temperature);
        }
      if (max_tokens > 0)
        {
          json_builder_set_member_name (builder, "maxOutputTokens");
          json_builder_add_int_value (builder, max_tokens);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  /* Names may come as listed ("models/NAME"). */
  if (g_str_has_prefix (model, "models/"))
    model += strlen ("models/");
  escaped = g_uri_escape_string (model, NULL, FALSE);
  path = g_strdup_printf ("/v1beta/models/%s:streamGenerateContent?alt=sse", escaped);

  message = _confab_provider_new_message (provider, SOUP_METHOD_POST, path);
  add_auth_header (provider, message);
  _confab_provider_set_json_body (message, builder);

  return g_steal_pointer (&message);
}

static SoupMessage *
confab_gemini_provider_build_models_message (ConfabProvider *provider)
{
  /* The default page is 50 models; 1000 is the most a page holds. */
  SoupMessage *message = _confab_provider_new_message (provider, SOUP_METHOD_GET,
                                                       "/v1beta/models?pageSize=1000");

  add_auth_header (provider, message);

  return message;
}

static gboolean
can_generate_content (JsonObject *model)
{
  JsonArray *methods = _confab_json_get_array (model, "supportedGenerationMethods");

  for (guint i = 0; methods != NULL && i < json_array_get_length (methods); i++)
    {
      JsonNode *node = json_array_get_element (methods, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
          g_str_equal (json_node_get_string (node), "generateContent"))
        return TRUE;
    }

  return FALSE;
}

static GPtrArray *
confab_gemini_provider_parse_models (ConfabProvider  *provider,
                                     GBytes          *body,
                                     GError         **error)
{
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *list;

  root = _confab_json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  list = root && JSON_NODE_HOLDS_OBJECT (root)
    ? _confab_json_get_array (json_node_get_object (root), "models") : NULL;
  if (list == NULL)
    {
      g_set_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_STREAM,
                   "The model list from %s could not be read.",
                   confab_provider_get_display_name (provider));
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *name = _confab_json_get_string (object, "name");
      gint64 context = 0;
      gint64 max_output = 0;

      /* Embedding and other models cannot chat. */
      if (name == NULL || !can_generate_content (object))
        continue;
      if (g_str_has_prefix (name, "models/"))
        name += strlen ("models/");
      if (*name == '\0')
        continue;

      _confab_json_get_int (object, "inputTokenLimit", &context);
      _confab_json_get_int (object, "outputTokenLimit", &max_output);
      g_ptr_array_add (models,
                       confab_model_info_new (confab_provider_get_id (provider), name,
                                              _confab_json_get_string (object, "displayName"),
                                              context, max_output));
    }

  return g_steal_pointer (&models);
}

/* Google's error object: code (HTTP status), status (a word), message and
 * typed details (ErrorInfo's reason, RetryInfo's delay). */
typedef struct
{
  gint64      code;
  const char *status;
  const char *message;
  const char *reason;
  gint64      retry_after;
} GoogleError;

static gboolean
parse_google_error (JsonNode    *root,
                    GoogleError *out)
{
  JsonObject *error_object;
  JsonArray *details;

  out->code = 0;
  out->status = out->message = out->reason = NULL;
  out->retry_after = -1;

  /* Some endpoints wrap it in an array. */
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root) &&
      json_array_get_length (json_node_get_array (root)) > 0)
    root = json_array_get_element (json_node_get_array (root), 0);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;

  error_object = _confab_json_get_object (json_node_get_object (root), "error");
  if (error_object == NULL)
    return FALSE;

  _confab_json_get_int (error_object, "code", &out->code);
  out->status = _confab_json_get_string (error_object, "status");
  out->message = _confab_json_get_string (error_object, "message");

  details = _confab_json_get_array (error_object, "details");
  for (guint i = 0; details != NULL && i < json_array_get_length (details); i++)
    {
      JsonNode *node = json_array_get_element (details, i);
      JsonObject *detail = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (out->reason == NULL)
        out->reason = _confab_json_get_string (detail, "reason");
      if (out->retry_after < 0)
        out->retry_after = _confab_parse_duration_seconds (_confab_json_get_string (detail,
                                                                                  "retryDelay"));
    }

  return TRUE;
}

static GError *
confab_gemini_provider_map_http_error (ConfabProvider     *provider,
                                       guint               status,
                                       SoupMessageHeaders *headers,
                                       GBytes             *body)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *fallback = NULL;
  GoogleError google;

  root = _confab_json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  if (!parse_google_error (root, &google))
    google.message = fallback = _confab_body_to_detail (body);

  /* A bad key is 400 INVALID_ARGUMENT with reason API_KEY_INVALID, not a 401:
   * the reason goes in as the code word so it classifies as AUTH. */
  return _confab_provider_http_error (provider, status, headers, google.status, google.reason,
                                      google.message, google.retry_after);
}

static void
confab_gemini_provider_class_init (ConfabGeminiProviderClass *klass)
{
  ConfabProviderClass *provider_class = CONFAB_PROVIDER_CLASS (klass);

  provider_class->build_chat_message = confab_gemini_provider_build_chat_message;
  provider_class->build_models_message = confab_gemini_provider_build_models_message;
  provider_class->parse_models = confab_gemini_provider_parse_models;
  provider_class->map_http_error = confab_gemini_provider_map_http_error;
}

static void
confab_gemini_provider_init (ConfabGeminiProvider *self)
{
  _confab_provider_set_wire_format (CONFAB_PROVIDER (self), CONFAB_WIRE_GEMINI);
}

/* ------------------------------------------------------------------------ */

static char *
normalize_finish_reason (const char *reason)
{
  static const char * const filtered[] = {
    "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
  };

  if (g_str_equal (reason, "STOP"))
    return g_strdup ("stop");
  if (g_str_equal (reason, "MAX_TOKENS"))
    return g_strdup ("length");
  for (guint i = 0; i < G_N_ELEMENTS (filtered); i++)
    if (g_str_equal (reason, filtered[i]))
      return g_strdup ("content_filter");

  return g_ascii_strdown (reason, -1);
}

gboolean
_confab_gemini_decode_event (ConfabStreamState     *state,
                             const ConfabSseEvent  *event,
                             GError               **error)
{
  g_autoptr(JsonNode) root = NULL;
  GoogleError google;
  JsonObject *object;
  JsonObject *feedback;
  JsonObject *usage;
  JsonArray *candidates;
  const char *block_reason;
  gint64 value;

  root = _confab_json_parse (event->data, -1, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error,
                         _confab_stream_malformed_error (state, "an event is not valid JSON"));
      return FALSE;
    }
  object = json_node_get_object (root);

  if (parse_google_error (root, &google))
    {
      guint status = google.code >= 400 && google.code < 600 ? google.code : 0;

      g_propagate_error (error, _confab_stream_provider_error (state, status, google.status,
                                                               google.reason, google.message));
      return FALSE;
    }

  /* A blocked prompt gets no candidates at all, only the reason. */
  feedback = _confab_json_get_object (object, "promptFeedback");
  block_reason = _confab_json_get_string (feedback, "blockReason");
  if (block_reason != NULL)
    {
      const char *explanation = _confab_json_get_string (feedback, "blockReasonMessage");
      g_autofree char *message =
        g_strdup_printf ("%s blocked the prompt (%s)%s%s. Rephrase it, or start a new chat.",
                         state->provider_name, block_reason,
                         explanation ? ": " : "", explanation ? explanation : "");

      g_propagate_error (error,
                         _confab_provider_error_new (CONFAB_PROVIDER_ERROR_BAD_REQUEST, -1,
                                                     message));
      return FALSE;
    }

  _confab_stream_state_set_model (state, _confab_json_get_string (object, "modelVersion"));

  candidates = _confab_json_get_array (object, "candidates");
  if (candidates != NULL && json_array_get_length (candidates) > 0)
    {
      JsonNode *node = json_array_get_element (candidates, 0);
      JsonObject *candidate = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonArray *parts = _confab_json_get_array (_confab_json_get_object (candidate, "content"),
                                                 "parts");
      const char *finish = _confab_json_get_string (candidate, "finishReason");

      for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
        {
          JsonNode *part_node = json_array_get_element (parts, i);
          JsonObject *part = JSON_NODE_HOLDS_OBJECT (part_node)
            ? json_node_get_object (part_node) : NULL;
          JsonNode *thought = part ? json_object_get_member (part, "thought") : NULL;

          /* Thought summaries are not the answer. */
          if (thought != NULL && JSON_NODE_HOLDS_VALUE (thought) &&
              json_node_get_value_type (thought) == G_TYPE_BOOLEAN &&
              json_node_get_boolean (thought))
            continue;

          _confab_stream_state_add_text (state, _confab_json_get_string (part, "text"));
        }

      if (finish != NULL && !g_str_equal (finish, "FINISH_REASON_UNSPECIFIED"))
        {
          g_autofree char *normalized = normalize_finish_reason (finish);

          _confab_stream_state_set_stop_reason (state, normalized);
          state->finished = TRUE;
        }
    }

  /* Sent on every chunk, as running totals: the last one wins. */
  usage = _confab_json_get_object (object, "usageMetadata");
  if (_confab_json_get_int (usage, "promptTokenCount", &value))
    state->input_tokens = value;
  if (_confab_json_get_int (usage, "candidatesTokenCount", &value))
    {
      gint64 thoughts = 0;

      /* Thinking is billed as output. */
      if (_confab_json_get_int (usage, "thoughtsTokenCount", &thoughts))
        value += thoughts;
      state->output_tokens = value;
    }

  return TRUE;
}
