/* confab-openai-provider.c: Chat Completions, as OpenAI defines it and as
 * OpenRouter, Ollama's /v1 and other compatible servers speak it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include <string.h>

#include "confab-openai-provider.h"
#include "confab-provider-private.h"

struct _ConfabOpenaiProvider
{
  ConfabProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (ConfabOpenaiProvider, confab_openai_provider, CONFAB_TYPE_PROVIDER)

static gboolean
is_id (ConfabProvider *provider,
       const char     *id)
{
  return g_strcmp0 (confab_provider_get_id (provider), id) == 0;
}

static void
add_authorization (ConfabProvider *provider,
                   SoupMessage    *message)
{
  const char *key = confab_provider_get_api_key (provider);

  if (key != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (message),
                                    "Authorization", value);
    }
}

static SoupMessage *
confab_openai_provider_build_chat_message (ConfabProvider     *provider,
                                           ConfabChatRequest  *request,
                                           GError            **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GPtrArray) turns = NULL;
  g_autoptr(SoupMessage) message = NULL;
  const char *system = confab_chat_request_get_system (request);
  gint64 max_tokens = confab_chat_request_get_max_tokens (request);
  double temperature = confab_chat_request_get_temperature (request);

  if (confab_provider_needs_key (provider) && confab_provider_get_api_key (provider) == NULL)
    {
      g_propagate_error (error, _confab_provider_no_key_error (provider));
      return NULL;
    }

  turns = _confab_chat_request_nonempty_turns (request);
  if (turns->len == 0)
    {
      g_set_error_literal (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_BAD_REQUEST,
                           "There is nothing to send: the conversation is empty.");
      return NULL;
    }

  /* Member order as OpenAI's own client writes it (see the fixtures). */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, confab_chat_request_get_model (request));

  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  if (system != NULL)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, "system");
      json_builder_set_member_name (builder, "content");
      json_builder_add_string_value (builder, system);
      json_builder_end_object (builder);
    }
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

  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  /* Without it the stream carries no token counts. */
  json_builder_set_member_name (builder, "stream_options");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "include_usage");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);

  if (temperature >= 0)
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, temperature);
    }
  if (max_tokens > 0)
    {
      /* OpenAI deprecated max_tokens (its reasoning models refuse it);
       * compatible servers (Ollama, vLLM, many OpenRouter routes) only
       * know max_tokens. */
      json_builder_set_member_name (builder, is_id (provider, "openai")
                                               ? "max_completion_tokens" : "max_tokens");
      json_builder_add_int_value (builder, max_tokens);
    }
  json_builder_end_object (builder);

  message = _confab_provider_new_message (provider, SOUP_METHOD_POST, "/v1/chat/completions");
  add_authorization (provider, message);
  _confab_provider_set_json_body (message, builder);
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "text/event-stream");
  _confab_provider_add_extra_headers (provider, message);

  return g_steal_pointer (&message);
}

static SoupMessage *
confab_openai_provider_build_models_message (ConfabProvider *provider)
{
  SoupMessage *message;

  /* Ollama's /v1/models exists but its native list says more. */
  if (is_id (provider, "ollama"))
    message = _confab_provider_new_message (provider, SOUP_METHOD_GET, "/api/tags");
  else
    message = _confab_provider_new_message (provider, SOUP_METHOD_GET, "/v1/models");

  add_authorization (provider, message);
  _confab_provider_add_extra_headers (provider, message);

  return message;
}

/* OpenAI lists every model it has; these cannot chat. */
static gboolean
is_chat_model (const char *id)
{
  static const char * const not_chat[] = {
    "embedding", "whisper", "tts", "dall-e", "moderation", "davinci", "babbage",
    "transcribe", "realtime", "image",
  };

  for (guint i = 0; i < G_N_ELEMENTS (not_chat); i++)
    if (strstr (id, not_chat[i]) != NULL)
      return FALSE;

  return TRUE;
}

static GPtrArray *
confab_openai_provider_parse_models (ConfabProvider  *provider,
                                     GBytes          *body,
                                     GError         **error)
{
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) root = NULL;
  gboolean ollama = is_id (provider, "ollama");
  const char *provider_id = confab_provider_get_id (provider);
  JsonArray *list;

  root = _confab_json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  list = root && JSON_NODE_HOLDS_OBJECT (root)
    ? _confab_json_get_array (json_node_get_object (root), ollama ? "models" : "data")
    : NULL;
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
      const char *id;
      const char *name = NULL;
      gint64 context = 0;
      gint64 max_output = 0;

      id = _confab_json_get_string (object, ollama ? "name" : "id");
      if (id == NULL || *id == '\0')
        continue;

      if (is_id (provider, "openai") && !is_chat_model (id))
        continue;

      /* OpenRouter says more than OpenAI does. */
      name = _confab_json_get_string (object, "name");
      _confab_json_get_int (object, "context_length", &context);
      _confab_json_get_int (_confab_json_get_object (object, "top_provider"),
                            "max_completion_tokens", &max_output);

      g_ptr_array_add (models, confab_model_info_new (provider_id, id, name, context, max_output));
    }

  return g_steal_pointer (&models);
}

static GError *
confab_openai_provider_map_http_error (ConfabProvider     *provider,
                                       guint               status,
                                       SoupMessageHeaders *headers,
                                       GBytes             *body)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *code_str = NULL;
  g_autofree char *fallback = NULL;
  const char *message = NULL;
  const char *type = NULL;

  root = _confab_json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonNode *error_node = json_object_get_member (object, "error");

      if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
        {
          JsonObject *error_object = json_node_get_object (error_node);
          gint64 code_int;

          message = _confab_json_get_string (error_object, "message");
          type = _confab_json_get_string (error_object, "type");
          /* OpenAI's code is a word, OpenRouter's a number. */
          if (_confab_json_get_string (error_object, "code") != NULL)
            code_str = g_strdup (_confab_json_get_string (error_object, "code"));
          else if (_confab_json_get_int (error_object, "code", &code_int))
            code_str = g_strdup_printf ("%" G_GINT64_FORMAT, code_int);
        }
      else if (error_node != NULL)
        /* Ollama: {"error":"model 'x' not found"} */
        message = _confab_json_get_string (object, "error");
      else
        message = _confab_json_get_string (object, "message");
    }

  if (message == NULL)
    message = fallback = _confab_body_to_detail (body);

  return _confab_provider_http_error (provider, status, headers, type, code_str, message, -1);
}

static void
confab_openai_provider_class_init (ConfabOpenaiProviderClass *klass)
{
  ConfabProviderClass *provider_class = CONFAB_PROVIDER_CLASS (klass);

  provider_class->build_chat_message = confab_openai_provider_build_chat_message;
  provider_class->build_models_message = confab_openai_provider_build_models_message;
  provider_class->parse_models = confab_openai_provider_parse_models;
  provider_class->map_http_error = confab_openai_provider_map_http_error;
}

static void
confab_openai_provider_init (ConfabOpenaiProvider *self)
{
  _confab_provider_set_wire_format (CONFAB_PROVIDER (self), CONFAB_WIRE_OPENAI);
}

/* ------------------------------------------------------------------------ */

static const char *
normalize_finish_reason (const char *reason)
{
  if (g_str_equal (reason, "tool_calls") || g_str_equal (reason, "function_call"))
    return "tool_use";

  return reason;
}

static gboolean
is_done_sentinel (const char *data)
{
  while (g_ascii_isspace (*data))
    data++;
  if (!g_str_has_prefix (data, "[DONE]"))
    return FALSE;
  data += strlen ("[DONE]");
  while (g_ascii_isspace (*data))
    data++;

  return *data == '\0';
}

static GError *
error_from_object (ConfabStreamState *state,
                   JsonObject        *object)
{
  JsonNode *node = json_object_get_member (object, "error");
  JsonObject *error_object;
  g_autofree char *code_str = NULL;
  const char *code;
  gint64 code_int = 0;
  guint status = 0;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return _confab_stream_provider_error (state, 0, NULL, NULL, json_node_get_string (node));

  error_object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  code = _confab_json_get_string (error_object, "code");
  /* OpenRouter relays the upstream HTTP status as a numeric code. */
  if (code == NULL && _confab_json_get_int (error_object, "code", &code_int))
    {
      code = code_str = g_strdup_printf ("%" G_GINT64_FORMAT, code_int);
      if (code_int >= 400 && code_int < 600)
        status = code_int;
    }

  return _confab_stream_provider_error (state, status,
                                        _confab_json_get_string (error_object, "type"),
                                        code,
                                        _confab_json_get_string (error_object, "message"));
}

gboolean
_confab_openai_decode_event (ConfabStreamState     *state,
                             const ConfabSseEvent  *event,
                             GError               **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonArray *choices;
  JsonObject *usage;
  gint64 value;

  if (is_done_sentinel (event->data))
    {
      state->finished = TRUE;
      return TRUE;
    }

  root = _confab_json_parse (event->data, -1, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error,
                         _confab_stream_malformed_error (state, "an event is not valid JSON"));
      return FALSE;
    }
  object = json_node_get_object (root);

  if (json_object_has_member (object, "error") &&
      !JSON_NODE_HOLDS_NULL (json_object_get_member (object, "error")))
    {
      g_propagate_error (error, error_from_object (state, object));
      return FALSE;
    }

  _confab_stream_state_set_model (state, _confab_json_get_string (object, "model"));

  choices = _confab_json_get_array (object, "choices");
  for (guint i = 0; choices != NULL && i < json_array_get_length (choices); i++)
    {
      JsonNode *node = json_array_get_element (choices, i);
      JsonObject *choice = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *delta;
      const char *finish;
      gint64 index = 0;

      /* Only one answer is asked for; ignore any other. */
      if (_confab_json_get_int (choice, "index", &index) && index != 0)
        continue;

      /* "message" when a server answered without streaming. */
      delta = _confab_json_get_object (choice, "delta");
      if (delta == NULL)
        delta = _confab_json_get_object (choice, "message");

      _confab_stream_state_add_text (state, _confab_json_get_string (delta, "content"));
      /* A refusal is the model's answer too; show it rather than nothing. */
      _confab_stream_state_add_text (state, _confab_json_get_string (delta, "refusal"));

      finish = _confab_json_get_string (choice, "finish_reason");
      if (finish != NULL)
        {
          _confab_stream_state_set_stop_reason (state, normalize_finish_reason (finish));
          state->finished = TRUE;
        }
    }

  usage = _confab_json_get_object (object, "usage");
  if (_confab_json_get_int (usage, "prompt_tokens", &value))
    state->input_tokens = value;
  if (_confab_json_get_int (usage, "completion_tokens", &value))
    state->output_tokens = value;

  return TRUE;
}
