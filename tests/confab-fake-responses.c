/* confab-fake-responses.c: what the fake provider reads from requests and
 * the non-streamed answers it gives (model lists, errors).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include "confab-fake-provider-private.h"

static guint
count_words (const char *text)
{
  guint n = 0;
  gboolean in_word = FALSE;

  for (const char *p = text; *p; p++)
    {
      gboolean space = g_ascii_isspace (*p);

      if (!space && !in_word)
        n++;
      in_word = !space;
    }

  return n;
}

/* Words of every "content" and "text" string: the default input usage. */
guint
_confab_fake_count_request_words (JsonNode   *node,
                     const char *member)
{
  guint n = 0;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &child))
        n += _confab_fake_count_request_words (child, name);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        n += _confab_fake_count_request_words (json_array_get_element (array, i), member);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
           (g_strcmp0 (member, "content") == 0 || g_strcmp0 (member, "text") == 0 ||
            g_strcmp0 (member, "system") == 0))
    n += count_words (json_node_get_string (node));

  return n;
}

static char *
text_of_content (JsonNode *content)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (content == NULL)
    return g_strdup ("");

  if (JSON_NODE_HOLDS_VALUE (content) && json_node_get_value_type (content) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (content));

  if (JSON_NODE_HOLDS_ARRAY (content))
    {
      JsonArray *parts = json_node_get_array (content);

      for (guint i = 0; i < json_array_get_length (parts); i++)
        {
          JsonNode *part = json_array_get_element (parts, i);

          if (JSON_NODE_HOLDS_OBJECT (part) &&
              json_object_has_member (json_node_get_object (part), "text"))
            g_string_append (text, json_object_get_string_member_with_default (
                                     json_node_get_object (part), "text", ""));
        }
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The last thing the user said, in any of the three request shapes. */
char *
_confab_fake_last_user_text (JsonNode   *root,
                const char *route)
{
  gboolean gemini = g_str_equal (route, "gemini");
  JsonObject *object;
  JsonArray *list;
  JsonNode *member;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return g_strdup ("");
  object = json_node_get_object (root);
  member = json_object_get_member (object, gemini ? "contents" : "messages");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return g_strdup ("");
  list = json_node_get_array (member);

  for (guint i = json_array_get_length (list); i > 0; i--)
    {
      JsonNode *node = json_array_get_element (list, i - 1);
      JsonObject *turn = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (turn == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (turn, "role", ""), "user") != 0)
        continue;

      return text_of_content (json_object_get_member (turn, gemini ? "parts" : "content"));
    }

  return g_strdup ("");
}

/* "Echo from M: hi there" → "Echo", " from", " M:", " hi", " there". */
char **
_confab_fake_split_words (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *start = text;

  for (const char *p = text; *p; p++)
    if (p > start && g_ascii_isspace (*p) && !g_ascii_isspace (p[-1]))
      {
        g_autofree char *piece = g_strndup (start, p - start);

        g_strv_builder_add (builder, piece);
        start = p;
      }
  if (*start)
    g_strv_builder_add (builder, start);

  return g_strv_builder_end (builder);
}

void
_confab_fake_respond_json (SoupServerMessage *msg,
              guint              status,
              const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    json, strlen (json));
}

void
_confab_fake_respond_not_found (SoupServerMessage *msg,
                   const char        *path)
{
  g_autofree char *escaped = g_strescape (path, NULL);
  g_autofree char *json =
    g_strdup_printf ("{\"error\":{\"message\":\"No route for %s\","
                     "\"type\":\"invalid_request_error\","
                     "\"code\":\"not_found\"}}", escaped);

  _confab_fake_respond_json (msg, SOUP_STATUS_NOT_FOUND, json);
}

/* What each real server says with an error status: OpenAI's message, type
 * and code, Anthropic's error type (and message when it words it its own
 * way), Gemini's status (and message). {model} is the model asked for. */
typedef struct
{
  guint       status;
  const char *message;
  const char *openai_type;
  const char *openai_code;
  const char *anthropic_type;
  const char *anthropic_message;
  const char *gemini_status;
  const char *gemini_message;
} FakeErrorText;

static const FakeErrorText error_texts[] = {
  { 400, "The request is not valid.", "invalid_request_error", NULL,
    "invalid_request_error", NULL, "INVALID_ARGUMENT", NULL },
  { 401, "Incorrect API key provided: fake. You can find your API key at "
         "https://platform.openai.com/account/api-keys.",
    "invalid_request_error", "invalid_api_key",
    "authentication_error", "invalid x-api-key",
    "UNAUTHENTICATED", "Request had invalid authentication credentials." },
  { 403, "You are not allowed to sample from {model}.", "invalid_request_error", NULL,
    "permission_error", "Your API key does not have permission to use the specified resource.",
    "PERMISSION_DENIED", "Permission denied on resource project fake." },
  { 404, "The model `{model}` does not exist or you do not have access to it.",
    "invalid_request_error", "model_not_found",
    "not_found_error", "model: {model}",
    "NOT_FOUND", "models/{model} is not found for API version v1beta, or is not supported "
                 "for generateContent." },
  { 429, "Rate limit reached for {model} on requests per min (RPM): Limit 3, Used 3, "
         "Requested 1.", "requests", "rate_limit_exceeded",
    "rate_limit_error", "Number of requests has exceeded your rate limit.",
    "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)." },
  { 500, "The server had an error while processing your request. Sorry about that!",
    "server_error", NULL, "api_error", "Internal server error",
    "INTERNAL", "Internal error encountered." },
  { 503, "The engine is currently overloaded, please try again later.", "server_error", NULL,
    "overloaded_error", "Overloaded",
    "UNAVAILABLE", "The model is overloaded. Please try again later." },
  { 529, "The engine is currently overloaded, please try again later.", "server_error", NULL,
    "overloaded_error", "Overloaded",
    "UNAVAILABLE", "The model is overloaded. Please try again later." },
};

char *
_confab_fake_error_body (const char *route,
                         guint       status,
                         const char *model)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *message = NULL;
  const FakeErrorText *text = NULL;
  const char *format;
  const char *hole;

  for (guint i = 0; i < G_N_ELEMENTS (error_texts); i++)
    if (error_texts[i].status == status)
      text = &error_texts[i];
  if (text == NULL)
    text = status >= 500 ? &error_texts[5] : &error_texts[0];

  if (g_strcmp0 (route, "anthropic") == 0 && text->anthropic_message != NULL)
    format = text->anthropic_message;
  else if (g_strcmp0 (route, "gemini") == 0 && text->gemini_message != NULL)
    format = text->gemini_message;
  else
    format = text->message;
  hole = strstr (format, "{model}");
  if (hole != NULL)
    message = g_strdup_printf ("%.*s%s%s", (int) (hole - format), format,
                               model ? model : "unknown", hole + strlen ("{model}"));
  else
    message = g_strdup (format);

  json_builder_begin_object (b);
  if (g_strcmp0 (route, "anthropic") == 0)
    {
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "error");
      json_builder_set_member_name (b, "error");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, text->anthropic_type);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, message);
      json_builder_end_object (b);
    }
  else if (g_strcmp0 (route, "gemini") == 0)
    {
      json_builder_set_member_name (b, "error");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_int_value (b, status);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, message);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, text->gemini_status);
      json_builder_end_object (b);
    }
  else
    {
      json_builder_set_member_name (b, "error");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, message);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, text->openai_type);
      json_builder_set_member_name (b, "param");
      json_builder_add_null_value (b);
      json_builder_set_member_name (b, "code");
      if (text->openai_code != NULL)
        json_builder_add_string_value (b, text->openai_code);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static const char * const default_openai_models[] = { "gpt-4o-mini", "gpt-4o", NULL };
static const char * const default_anthropic_models[] = { "claude-sonnet-4-5", "claude-haiku-4-5",
                                                         NULL };
static const char * const default_gemini_models[] = { "gemini-2.5-flash", "gemini-2.0-flash",
                                                      NULL };
static const char * const default_ollama_models[] = { "llama3.2:latest", "qwen3:8b", NULL };

void
_confab_fake_respond_models (SoupServerMessage  *msg,
                             const char         *route,
                             const char * const *custom)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  const char * const *models;
  gboolean anthropic = g_str_equal (route, "anthropic-models");
  gboolean gemini = g_str_equal (route, "gemini-models");
  gboolean ollama = g_str_equal (route, "ollama-tags");

  if (custom != NULL)
    models = custom;
  else if (anthropic)
    models = default_anthropic_models;
  else if (gemini)
    models = default_gemini_models;
  else if (ollama)
    models = default_ollama_models;
  else
    models = default_openai_models;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, gemini || ollama ? "models" : "data");
  json_builder_begin_array (b);
  for (guint i = 0; models[i] != NULL; i++)
    {
      json_builder_begin_object (b);
      if (gemini)
        {
          g_autofree char *name = g_strconcat ("models/", models[i], NULL);

          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, name);
          json_builder_set_member_name (b, "displayName");
          json_builder_add_string_value (b, models[i]);
          json_builder_set_member_name (b, "inputTokenLimit");
          json_builder_add_int_value (b, 1048576);
          json_builder_set_member_name (b, "outputTokenLimit");
          json_builder_add_int_value (b, 65536);
          json_builder_set_member_name (b, "supportedGenerationMethods");
          json_builder_begin_array (b);
          json_builder_add_string_value (b, "generateContent");
          json_builder_add_string_value (b, "countTokens");
          json_builder_end_array (b);
        }
      else if (ollama)
        {
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, models[i]);
          json_builder_set_member_name (b, "model");
          json_builder_add_string_value (b, models[i]);
          json_builder_set_member_name (b, "size");
          json_builder_add_int_value (b, 2019393189);
        }
      else
        {
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, models[i]);
          if (anthropic)
            {
              json_builder_set_member_name (b, "type");
              json_builder_add_string_value (b, "model");
              json_builder_set_member_name (b, "display_name");
              json_builder_add_string_value (b, models[i]);
              json_builder_set_member_name (b, "max_input_tokens");
              json_builder_add_int_value (b, 200000);
              json_builder_set_member_name (b, "max_tokens");
              json_builder_add_int_value (b, 64000);
            }
          else
            {
              json_builder_set_member_name (b, "object");
              json_builder_add_string_value (b, "model");
              json_builder_set_member_name (b, "owned_by");
              json_builder_add_string_value (b, "confab-fake");
            }
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (anthropic)
    {
      json_builder_set_member_name (b, "has_more");
      json_builder_add_boolean_value (b, FALSE);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);
  _confab_fake_respond_json (msg, SOUP_STATUS_OK, json);
}

/* Which API a request is for, from its path (and for the shared
 * GET /v1/models, from Anthropic's version header). */
