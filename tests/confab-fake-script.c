/* confab-fake-script.c: what the fake provider answers one request with,
 * and the wire events it writes for it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include <json-glib/json-glib.h>

#include "confab-fake-provider-private.h"

G_DEFINE_BOXED_TYPE (ConfabFakeScript, confab_fake_script,
                     confab_fake_script_ref, confab_fake_script_unref)

ConfabFakeScript *
confab_fake_script_new (void)
{
  ConfabFakeScript *self = g_new0 (ConfabFakeScript, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->input_tokens = -1;
  self->output_tokens = -1;
  self->header_names = g_ptr_array_new_with_free_func (g_free);
  self->header_values = g_ptr_array_new_with_free_func (g_free);
  self->splits = g_array_new (FALSE, FALSE, sizeof (gsize));
  self->repeat = 1;

  return self;
}

ConfabFakeScript *
confab_fake_script_ref (ConfabFakeScript *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
confab_fake_script_unref (ConfabFakeScript *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_strfreev (self->tokens);
  g_free (self->finish_reason);
  g_free (self->http_body);
  g_free (self->http_content_type);
  g_ptr_array_unref (self->header_names);
  g_ptr_array_unref (self->header_values);
  g_free (self->error_type);
  g_free (self->error_message);
  g_clear_pointer (&self->replay, g_bytes_unref);
  g_free (self->replay_content_type);
  g_array_unref (self->splits);
  g_free (self);
}

void
confab_fake_script_set_tokens (ConfabFakeScript   *self,
                               const char * const *tokens)
{
  g_return_if_fail (self != NULL);

  g_strfreev (self->tokens);
  self->tokens = g_strdupv ((char **) tokens);
}

void
confab_fake_script_set_delay (ConfabFakeScript *self,
                              guint             delay_ms)
{
  g_return_if_fail (self != NULL);

  self->delay_ms = delay_ms;
}

void
confab_fake_script_set_usage (ConfabFakeScript *self,
                              gint64            input_tokens,
                              gint64            output_tokens)
{
  g_return_if_fail (self != NULL);

  self->input_tokens = input_tokens;
  self->output_tokens = output_tokens;
}

void
confab_fake_script_set_finish_reason (ConfabFakeScript *self,
                                      const char       *reason)
{
  g_return_if_fail (self != NULL);

  g_free (self->finish_reason);
  self->finish_reason = g_strdup (reason);
}

void
confab_fake_script_set_http_error (ConfabFakeScript *self,
                                   guint             status,
                                   const char       *body,
                                   const char       *content_type)
{
  g_return_if_fail (self != NULL);

  self->http_status = status;
  g_free (self->http_body);
  self->http_body = g_strdup (body ? body : "");
  g_free (self->http_content_type);
  self->http_content_type = g_strdup (content_type ? content_type : "application/json");
}

void
confab_fake_script_add_header (ConfabFakeScript *self,
                               const char       *name,
                               const char       *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL && value != NULL);

  g_ptr_array_add (self->header_names, g_strdup (name));
  g_ptr_array_add (self->header_values, g_strdup (value));
}

static void
set_end (ConfabFakeScript *self,
         FakeEnd           end,
         guint             n_tokens)
{
  g_return_if_fail (self != NULL);

  self->end = end;
  self->end_after = n_tokens;
}

void
confab_fake_script_set_malformed_after (ConfabFakeScript *self,
                                        guint             n_tokens)
{
  set_end (self, FAKE_END_MALFORMED, n_tokens);
}

void
confab_fake_script_set_drop_after (ConfabFakeScript *self,
                                   guint             n_tokens)
{
  set_end (self, FAKE_END_DROP, n_tokens);
}

void
confab_fake_script_set_stall_after (ConfabFakeScript *self,
                                    guint             n_tokens)
{
  set_end (self, FAKE_END_STALL, n_tokens);
}

void
confab_fake_script_set_error_event_after (ConfabFakeScript *self,
                                          guint             n_tokens,
                                          const char       *type,
                                          const char       *message)
{
  set_end (self, FAKE_END_ERROR_EVENT, n_tokens);
  g_free (self->error_type);
  self->error_type = g_strdup (type);
  g_free (self->error_message);
  self->error_message = g_strdup (message);
}

void
confab_fake_script_set_reset (ConfabFakeScript *self,
                              ConfabFakeReset   when,
                              guint             n_tokens)
{
  g_return_if_fail (self != NULL);

  self->reset = when;
  if (when == CONFAB_FAKE_RESET_NONE)
    set_end (self, FAKE_END_NORMAL, 0);
  else
    set_end (self, FAKE_END_RESET, when == CONFAB_FAKE_RESET_MID_BODY ? n_tokens : 0);
}

void
confab_fake_script_set_trickle (ConfabFakeScript *self,
                                guint             n_tokens,
                                guint             bytes,
                                guint             interval_ms)
{
  g_return_if_fail (self != NULL);

  self->trickle_after = n_tokens;
  self->trickle_bytes = bytes;
  self->trickle_interval = interval_ms;
}

void
confab_fake_script_set_keepalives (ConfabFakeScript *self,
                                   guint             count,
                                   guint             interval_ms)
{
  g_return_if_fail (self != NULL);

  self->n_keepalives = count;
  self->keepalive_interval = interval_ms;
}

void
confab_fake_script_set_repeat (ConfabFakeScript *self,
                               guint             n_times)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (n_times >= 1);

  self->repeat = n_times;
}

void
confab_fake_script_set_omit_final (ConfabFakeScript *self,
                                   gboolean          omit)
{
  g_return_if_fail (self != NULL);

  self->omit_final = !!omit;
}

void
confab_fake_script_set_replay (ConfabFakeScript *self,
                               GBytes           *body,
                               const char       *content_type,
                               const gsize      *splits,
                               guint             n_splits)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (body != NULL);

  g_clear_pointer (&self->replay, g_bytes_unref);
  self->replay = g_bytes_ref (body);
  g_free (self->replay_content_type);
  self->replay_content_type = g_strdup (content_type ? content_type : "text/event-stream");
  g_array_set_size (self->splits, 0);
  if (n_splits > 0)
    g_array_append_vals (self->splits, splits, n_splits);
}

gboolean
confab_fake_script_set_replay_file (ConfabFakeScript  *self,
                                    const char        *path,
                                    const char        *content_type,
                                    const gsize       *splits,
                                    guint              n_splits,
                                    GError           **error)
{
  g_autoptr(GBytes) body = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;

  body = g_bytes_new_take (contents, len);
  confab_fake_script_set_replay (self, body, content_type, splits, n_splits);

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Plans. */

FakePlan *
_confab_fake_plan_new (void)
{
  FakePlan *plan = g_new0 (FakePlan, 1);

  plan->pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  plan->delays = g_array_new (FALSE, FALSE, sizeof (guint));
  plan->repeat = 1;

  return plan;
}

void
_confab_fake_plan_free (FakePlan *plan)
{
  g_ptr_array_unref (plan->pieces);
  g_array_unref (plan->delays);
  g_free (plan);
}

void
_confab_fake_plan_add (FakePlan *plan,
                       GBytes   *piece,
                       guint     delay_ms)
{
  g_ptr_array_add (plan->pieces, piece);
  g_array_append_val (plan->delays, delay_ms);
}

void
_confab_fake_plan_trickle (FakePlan *plan,
                           guint     first,
                           guint     bytes,
                           guint     interval_ms)
{
  g_autoptr(GByteArray) rest = g_byte_array_new ();
  gsize pos = 0;

  g_return_if_fail (bytes > 0);

  if (first >= plan->pieces->len)
    return;

  for (guint i = first; i < plan->pieces->len; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (plan->pieces, i), &len);

      g_byte_array_append (rest, data, len);
    }
  g_ptr_array_set_size (plan->pieces, first);
  g_array_set_size (plan->delays, first);

  while (pos < rest->len)
    {
      gsize len = MIN (bytes, rest->len - pos);

      _confab_fake_plan_add (plan, g_bytes_new (rest->data + pos, len), interval_ms);
      pos += len;
    }
}

/* ------------------------------------------------------------------------ */
/* Writing the wire formats. */

static char *
builder_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static GBytes *
sse_event (const char *name,
           const char *data,
           gboolean    crlf)
{
  const char *nl = crlf ? "\r\n" : "\n";
  char *text;

  if (name != NULL)
    text = g_strdup_printf ("event: %s%sdata: %s%s%s", name, nl, data, nl, nl);
  else
    text = g_strdup_printf ("data: %s%s%s", data, nl, nl);

  return g_bytes_new_take (text, strlen (text));
}

/* -------- OpenAI -------- */

static GBytes *
openai_chunk (const char *model,
              const char *role,
              const char *content,
              const char *finish,
              gint64      input_tokens,
              gint64      output_tokens)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *json = NULL;
  gboolean usage = input_tokens >= 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, "chatcmpl-fake0001");
  json_builder_set_member_name (b, "object");
  json_builder_add_string_value (b, "chat.completion.chunk");
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, 1751024406);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, model);
  json_builder_set_member_name (b, "choices");
  json_builder_begin_array (b);
  if (!usage)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "index");
      json_builder_add_int_value (b, 0);
      json_builder_set_member_name (b, "delta");
      json_builder_begin_object (b);
      if (role != NULL)
        {
          json_builder_set_member_name (b, "role");
          json_builder_add_string_value (b, role);
        }
      if (content != NULL)
        {
          json_builder_set_member_name (b, "content");
          json_builder_add_string_value (b, content);
        }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "finish_reason");
      if (finish != NULL)
        json_builder_add_string_value (b, finish);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (usage)
    {
      json_builder_set_member_name (b, "usage");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "prompt_tokens");
      json_builder_add_int_value (b, input_tokens);
      json_builder_set_member_name (b, "completion_tokens");
      json_builder_add_int_value (b, output_tokens);
      json_builder_set_member_name (b, "total_tokens");
      json_builder_add_int_value (b, input_tokens + output_tokens);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  json = builder_to_string (b);

  return sse_event (NULL, json, FALSE);
}

/* -------- Anthropic -------- */

static GBytes *
anthropic_event (const char *type,
                 const char *json)
{
  return sse_event (type, json, FALSE);
}

static GBytes *
anthropic_message_start (const char *model,
                         gint64      input_tokens)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *json = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "message_start");
  json_builder_set_member_name (b, "message");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, "msg_fake0001");
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "message");
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "assistant");
  json_builder_set_member_name (b, "content");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, model);
  json_builder_set_member_name (b, "stop_reason");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "usage");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "input_tokens");
  json_builder_add_int_value (b, input_tokens);
  json_builder_set_member_name (b, "output_tokens");
  json_builder_add_int_value (b, 1);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);

  json = builder_to_string (b);

  return anthropic_event ("message_start", json);
}

static GBytes *
anthropic_text_delta (const char *text)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *json = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "content_block_delta");
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "delta");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "text_delta");
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, text);
  json_builder_end_object (b);
  json_builder_end_object (b);

  json = builder_to_string (b);

  return anthropic_event ("content_block_delta", json);
}

static GBytes *
anthropic_message_delta (const char *stop_reason,
                         gint64      output_tokens)
{
  g_autofree char *json =
    g_strdup_printf ("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"%s\","
                     "\"stop_sequence\":null},\"usage\":{\"output_tokens\":%" G_GINT64_FORMAT "}}",
                     stop_reason, output_tokens);

  return anthropic_event ("message_delta", json);
}

/* -------- Gemini -------- */

static GBytes *
gemini_chunk (const char *model,
              const char *text,
              const char *finish,
              gint64      input_tokens,
              gint64      output_tokens)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *json = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "candidates");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "content");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "parts");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, text);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "model");
  json_builder_end_object (b);
  if (finish != NULL)
    {
      json_builder_set_member_name (b, "finishReason");
      json_builder_add_string_value (b, finish);
    }
  json_builder_end_object (b);
  json_builder_end_array (b);
  /* Running totals on every chunk, as Gemini does. */
  json_builder_set_member_name (b, "usageMetadata");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "promptTokenCount");
  json_builder_add_int_value (b, input_tokens);
  if (finish != NULL)
    {
      json_builder_set_member_name (b, "candidatesTokenCount");
      json_builder_add_int_value (b, output_tokens);
    }
  json_builder_set_member_name (b, "totalTokenCount");
  json_builder_add_int_value (b, input_tokens + (finish ? output_tokens : 0));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "modelVersion");
  json_builder_add_string_value (b, model);
  json_builder_end_object (b);

  json = builder_to_string (b);

  return sse_event (NULL, json, TRUE);
}

static const char *
wire_finish_word (const char *route,
                  const char *reason)
{
  gboolean length = g_strcmp0 (reason, "length") == 0;

  if (g_str_equal (route, "anthropic"))
    return length ? "max_tokens" : "end_turn";
  if (g_str_equal (route, "gemini"))
    return length ? "MAX_TOKENS" : "STOP";

  return length ? "length" : "stop";
}

static GBytes *
error_event (const char       *route,
             ConfabFakeScript *script)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *json = NULL;
  const char *type = script->error_type ? script->error_type : "overloaded_error";
  const char *message = script->error_message ? script->error_message : "Overloaded";
  gboolean anthropic = g_str_equal (route, "anthropic");
  gboolean gemini = g_str_equal (route, "gemini");

  json_builder_begin_object (b);
  if (anthropic)
    {
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "error");
    }
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  if (gemini)
    {
      json_builder_set_member_name (b, "code");
      json_builder_add_int_value (b, 503);
    }
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, gemini ? "status" : "type");
  json_builder_add_string_value (b, type);
  json_builder_end_object (b);
  json_builder_end_object (b);

  json = builder_to_string (b);

  return sse_event (anthropic ? "error" : NULL, json, gemini);
}

static GBytes *
keepalive_event (const char *route)
{
  const char *text;

  if (g_str_equal (route, "anthropic"))
    text = "event: ping\ndata: {\"type\": \"ping\"}\n\n";
  else if (g_str_equal (route, "gemini"))
    text = ": keep-alive\r\n\r\n";
  else
    text = ": OPENROUTER PROCESSING\n\n";

  return g_bytes_new_static (text, strlen (text));
}

static GBytes *
malformed_event (const char *route)
{
  const char *text;

  if (g_str_equal (route, "anthropic"))
    text = "event: content_block_delta\n"
           "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_del\n\n";
  else if (g_str_equal (route, "gemini"))
    text = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"bro\r\n\r\n";
  else
    text = "data: {\"id\":\"chatcmpl-fake0001\",\"choices\":[{\"index\":0,"
           "\"delta\":{\"content\":\"bro\n\n";

  return g_bytes_new_static (text, strlen (text));
}

void
_confab_fake_script_build_stream (ConfabFakeScript   *script,
                                  const char         *route,
                                  const char         *model,
                                  const char * const *tokens,
                                  gint64              input_tokens,
                                  guint               delay_ms,
                                  FakePlan           *plan)
{
  g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint n_tokens = g_strv_length ((char **) tokens);
  guint n_sent = script->end == FAKE_END_NORMAL ? n_tokens : MIN (script->end_after, n_tokens);
  gint64 output_tokens = script->output_tokens >= 0 ? script->output_tokens
                                                    : (gint64) n_tokens * script->repeat;
  const char *finish = wire_finish_word (route, script->finish_reason);
  gboolean final = script->end == FAKE_END_NORMAL && !script->omit_final;
  guint n_head;
  guint first;

  if (script->input_tokens >= 0)
    input_tokens = script->input_tokens;

  if (g_str_equal (route, "anthropic"))
    {
      g_ptr_array_add (pieces, anthropic_message_start (model, input_tokens));
      g_ptr_array_add (pieces,
                       anthropic_event ("content_block_start",
                                        "{\"type\":\"content_block_start\",\"index\":0,"
                                        "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
      g_ptr_array_add (pieces, anthropic_event ("ping", "{\"type\": \"ping\"}"));
      n_head = pieces->len;
      for (guint i = 0; i < n_sent; i++)
        g_ptr_array_add (pieces, anthropic_text_delta (tokens[i]));
      if (final)
        {
          g_ptr_array_add (pieces,
                           anthropic_event ("content_block_stop",
                                            "{\"type\":\"content_block_stop\",\"index\":0}"));
          g_ptr_array_add (pieces, anthropic_message_delta (finish, output_tokens));
          g_ptr_array_add (pieces, anthropic_event ("message_stop", "{\"type\":\"message_stop\"}"));
        }
    }
  else if (g_str_equal (route, "gemini"))
    {
      n_head = 0;
      /* The finish reason rides on the last chunk, so a repeated reply
       * ends with a chunk of its own. */
      for (guint i = 0; i < n_sent; i++)
        g_ptr_array_add (pieces, gemini_chunk (model, tokens[i],
                                               final && i + 1 == n_sent && script->repeat == 1
                                                 ? finish : NULL,
                                               input_tokens, output_tokens));
      if (final && (n_sent == 0 || script->repeat > 1))
        g_ptr_array_add (pieces, gemini_chunk (model, "", finish, input_tokens, output_tokens));
    }
  else
    {
      g_ptr_array_add (pieces, openai_chunk (model, "assistant", "", NULL, -1, -1));
      n_head = pieces->len;
      for (guint i = 0; i < n_sent; i++)
        g_ptr_array_add (pieces, openai_chunk (model, NULL, tokens[i], NULL, -1, -1));
      if (final)
        {
          g_ptr_array_add (pieces, openai_chunk (model, NULL, NULL, finish, -1, -1));
          g_ptr_array_add (pieces, openai_chunk (model, NULL, NULL, NULL,
                                                 input_tokens, output_tokens));
          g_ptr_array_add (pieces, sse_event (NULL, "[DONE]", FALSE));
        }
    }

  if (script->end == FAKE_END_MALFORMED)
    g_ptr_array_add (pieces, malformed_event (route));
  else if (script->end == FAKE_END_ERROR_EVENT)
    g_ptr_array_add (pieces, error_event (route, script));

  /* A reset right after the headers sends no body at all. */
  if (script->end == FAKE_END_RESET && script->reset == CONFAB_FAKE_RESET_AFTER_HEADERS)
    return;

  first = plan->pieces->len;
  for (guint i = 0; i < pieces->len; i++)
    {
      if (i == n_head)
        for (guint k = 0; k < script->n_keepalives; k++)
          _confab_fake_plan_add (plan, keepalive_event (route), script->keepalive_interval);
      _confab_fake_plan_add (plan, g_bytes_ref (g_ptr_array_index (pieces, i)), delay_ms);
    }
  if (n_head >= pieces->len)
    for (guint k = 0; k < script->n_keepalives; k++)
      _confab_fake_plan_add (plan, keepalive_event (route), script->keepalive_interval);

  plan->repeat_start = first + n_head + script->n_keepalives;
  plan->repeat_end = plan->repeat_start + n_sent;
  plan->repeat = script->repeat;

  if (script->trickle_bytes > 0)
    {
      _confab_fake_plan_trickle (plan, plan->repeat_start + script->trickle_after,
                                 script->trickle_bytes, script->trickle_interval);
      plan->repeat_end = plan->repeat_start;
    }
}
