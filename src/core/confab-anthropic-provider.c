/* confab-anthropic-provider.c: Anthropic's Messages API.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include "confab-anthropic-provider.h"
#include "confab-provider-private.h"

#define ANTHROPIC_VERSION "2023-06-01"
/* The API requires max_tokens; every current model accepts this much. */
#define DEFAULT_MAX_TOKENS 4096

struct _ConfabAnthropicProvider
{
  ConfabProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (ConfabAnthropicProvider, confab_anthropic_provider, CONFAB_TYPE_PROVIDER)

static void
add_auth_headers (ConfabProvider *provider,
                  SoupMessage    *message)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  const char *key = confab_provider_get_api_key (provider);

  if (key != NULL)
    soup_message_headers_replace (headers, "x-api-key", key);
  soup_message_headers_replace (headers, "anthropic-version", ANTHROPIC_VERSION);
}

static SoupMessage *
confab_anthropic_provider_build_chat_message (ConfabProvider     *provider,
                                              ConfabChatRequest  *request,
                                              GError            **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GPtrArray) turns = NULL;
  g_autoptr(SoupMessage) message = NULL;
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
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, confab_chat_request_get_model (request));
  json_builder_set_member_name (builder, "max_tokens");
  json_builder_add_int_value (builder, max_tokens > 0 ? max_tokens : DEFAULT_MAX_TOKENS);

  /* The system prompt is not a message here. */
  if (system != NULL)
    {
      json_builder_set_member_name (builder, "system");
      json_builder_add_string_value (builder, system);
    }

  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < turns->len; i++)
    {
      const ConfabTurn *turn = g_ptr_array_index (turns, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder,
                                     turn->role == CONFAB_ROLE_ASSISTANT ? "assistant" : "user");
      json_builder_set_member_name (builder, "content");
      json_builder_add_string_value (builder, turn->text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (temperature >= 0)
    {
      /* Anthropic's range is 0–1, where others allow up to 2. */
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, MIN (temperature, 1.0));
    }

  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);

  message = _confab_provider_new_message (provider, SOUP_METHOD_POST, "/v1/messages");
  add_auth_headers (provider, message);
  _confab_provider_set_json_body (message, builder);
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "accept", "text/event-stream");

  return g_steal_pointer (&message);
}

static SoupMessage *
confab_anthropic_provider_build_models_message (ConfabProvider *provider)
{
  /* Pages hold 20 by default; one page of the maximum holds them all. */
  SoupMessage *message = _confab_provider_new_message (provider, SOUP_METHOD_GET,
                                                       "/v1/models?limit=1000");

  add_auth_headers (provider, message);

  return message;
}

static GPtrArray *
confab_anthropic_provider_parse_models (ConfabProvider  *provider,
                                        GBytes          *body,
                                        GError         **error)
{
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *list;

  root = _confab_json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  list = root && JSON_NODE_HOLDS_OBJECT (root)
    ? _confab_json_get_array (json_node_get_object (root), "data") : NULL;
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
      const char *id = _confab_json_get_string (object, "id");
      gint64 context = 0;
      gint64 max_output = 0;

      if (id == NULL || *id == '\0')
        continue;

      _confab_json_get_int (object, "max_input_tokens", &context);
      _confab_json_get_int (object, "max_tokens", &max_output);
      g_ptr_array_add (models,
                       confab_model_info_new (confab_provider_get_id (provider), id,
                                              _confab_json_get_string (object, "display_name"),
                                              context, max_output));
    }

  return g_steal_pointer (&models);
}

static GError *
confab_anthropic_provider_map_http_error (ConfabProvider     *provider,
                                          guint               status,
                                          SoupMessageHeaders *headers,
                                          GBytes             *body)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *fallback = NULL;
  JsonObject *error_object = NULL;
  const char *message;

  root = _confab_json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    error_object = _confab_json_get_object (json_node_get_object (root), "error");

  message = _confab_json_get_string (error_object, "message");
  if (message == NULL)
    message = fallback = _confab_body_to_detail (body);

  return _confab_provider_http_error (provider, status, headers,
                                      _confab_json_get_string (error_object, "type"),
                                      NULL, message, -1);
}

static void
confab_anthropic_provider_class_init (ConfabAnthropicProviderClass *klass)
{
  ConfabProviderClass *provider_class = CONFAB_PROVIDER_CLASS (klass);

  provider_class->build_chat_message = confab_anthropic_provider_build_chat_message;
  provider_class->build_models_message = confab_anthropic_provider_build_models_message;
  provider_class->parse_models = confab_anthropic_provider_parse_models;
  provider_class->map_http_error = confab_anthropic_provider_map_http_error;
}

static void
confab_anthropic_provider_init (ConfabAnthropicProvider *self)
{
  _confab_provider_set_wire_format (CONFAB_PROVIDER (self), CONFAB_WIRE_ANTHROPIC);
}

/* ------------------------------------------------------------------------ */

static const char *
normalize_stop_reason (const char *reason)
{
  if (g_str_equal (reason, "end_turn") || g_str_equal (reason, "stop_sequence"))
    return "stop";
  if (g_str_equal (reason, "max_tokens"))
    return "length";
  if (g_str_equal (reason, "refusal"))
    return "content_filter";

  return reason;
}

/* message_start's usage, or a whole non-streamed message's. */
static void
take_usage (ConfabStreamState *state,
            JsonObject        *usage)
{
  gint64 value;

  if (_confab_json_get_int (usage, "input_tokens", &value))
    {
      gint64 cached = 0;

      /* Cached prompt tokens are counted apart; the prompt is their sum. */
      if (_confab_json_get_int (usage, "cache_creation_input_tokens", &cached))
        value += cached;
      if (_confab_json_get_int (usage, "cache_read_input_tokens", &cached))
        value += cached;
      state->input_tokens = value;
    }
  if (_confab_json_get_int (usage, "output_tokens", &value))
    state->output_tokens = value;
}

static void
take_text_block (ConfabStreamState *state,
                 JsonObject        *block)
{
  /* Thinking and tool blocks are not the answer's text. */
  if (g_strcmp0 (_confab_json_get_string (block, "type"), "text") == 0)
    _confab_stream_state_add_text (state, _confab_json_get_string (block, "text"));
}

gboolean
_confab_anthropic_decode_event (ConfabStreamState     *state,
                                const ConfabSseEvent  *event,
                                GError               **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  const char *data_type;
  const char *type;

  root = _confab_json_parse (event->data, -1, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error,
                         _confab_stream_malformed_error (state, "an event is not valid JSON"));
      return FALSE;
    }
  object = json_node_get_object (root);

  /* The data names its type; the event: line is only a copy of it. */
  data_type = _confab_json_get_string (object, "type");
  type = data_type != NULL ? data_type : event->type;

  if (g_str_equal (type, "message_start"))
    {
      JsonObject *message = _confab_json_get_object (object, "message");

      _confab_stream_state_set_model (state, _confab_json_get_string (message, "model"));
      take_usage (state, _confab_json_get_object (message, "usage"));
    }
  else if (g_str_equal (type, "content_block_start"))
    {
      take_text_block (state, _confab_json_get_object (object, "content_block"));
    }
  else if (g_str_equal (type, "content_block_delta"))
    {
      JsonObject *delta = _confab_json_get_object (object, "delta");

      if (g_strcmp0 (_confab_json_get_string (delta, "type"), "text_delta") == 0)
        _confab_stream_state_add_text (state, _confab_json_get_string (delta, "text"));
    }
  else if (g_str_equal (type, "message_delta"))
    {
      JsonObject *delta = _confab_json_get_object (object, "delta");
      const char *reason = _confab_json_get_string (delta, "stop_reason");

      if (reason != NULL)
        _confab_stream_state_set_stop_reason (state, normalize_stop_reason (reason));
      /* Output tokens here are the total so far, not an increment. */
      take_usage (state, _confab_json_get_object (object, "usage"));
    }
  else if (g_str_equal (type, "message_stop"))
    {
      state->finished = TRUE;
    }
  else if (g_str_equal (type, "error"))
    {
      JsonObject *error_object = _confab_json_get_object (object, "error");

      g_propagate_error (error,
                         _confab_stream_provider_error (state, 0,
                                                        _confab_json_get_string (error_object,
                                                                                 "type"),
                                                        NULL,
                                                        _confab_json_get_string (error_object,
                                                                                 "message")));
      return FALSE;
    }
  else if (g_strcmp0 (data_type, "message") == 0)
    {
      /* A whole message: a server that ignored "stream": true. */
      JsonArray *content = _confab_json_get_array (object, "content");
      const char *reason = _confab_json_get_string (object, "stop_reason");

      _confab_stream_state_set_model (state, _confab_json_get_string (object, "model"));
      for (guint i = 0; content != NULL && i < json_array_get_length (content); i++)
        {
          JsonNode *node = json_array_get_element (content, i);

          if (JSON_NODE_HOLDS_OBJECT (node))
            take_text_block (state, json_node_get_object (node));
        }
      if (reason != NULL)
        _confab_stream_state_set_stop_reason (state, normalize_stop_reason (reason));
      take_usage (state, _confab_json_get_object (object, "usage"));
      state->finished = TRUE;
    }
  /* ping, content_block_stop and types added later: nothing to do. */

  return TRUE;
}
