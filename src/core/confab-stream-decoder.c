/* confab-stream-decoder.c: the state of a streamed reply, and the glue from
 * raw bytes through the event-stream parser to a wire's event decoder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "confab-provider-private.h"

void
_confab_stream_state_init (ConfabStreamState *state,
                           const char        *provider_name,
                           const char        *requested_model)
{
  memset (state, 0, sizeof *state);
  state->provider_name = g_strdup (provider_name ? provider_name : "The provider");
  state->requested_model = g_strdup (requested_model);
  state->text = g_string_new (NULL);
  state->input_tokens = -1;
  state->output_tokens = -1;
  state->max_text = CONFAB_REPLY_MAX_TEXT_SIZE;
}

void
_confab_stream_state_clear (ConfabStreamState *state)
{
  g_clear_pointer (&state->provider_name, g_free);
  g_clear_pointer (&state->requested_model, g_free);
  if (state->text != NULL)
    g_string_free (g_steal_pointer (&state->text), TRUE);
  g_clear_pointer (&state->model, g_free);
  g_clear_pointer (&state->stop_reason, g_free);
}

void
_confab_stream_state_add_text (ConfabStreamState *state,
                               const char        *text)
{
  g_autofree char *valid = NULL;
  g_autofree char *cut = NULL;
  gsize room;
  gsize len;

  if (text == NULL || *text == '\0' || state->too_long)
    return;

  /* JSON-GLib decodes an escaped half of a surrogate pair ("\ud800") to
   * bytes that are not UTF-8; the text goes to GTK and the store, which
   * need UTF-8, so such a piece becomes U+FFFD (found by fuzz-decode). */
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  /* A server that never stops (or a model in a loop) must not grow the
   * reply, the store row and the view without end. */
  len = strlen (text);
  room = state->max_text > state->text->len ? state->max_text - state->text->len : 0;
  if (len > room)
    {
      gsize keep = room;

      while (keep > 0 && (text[keep] & 0xC0) == 0x80)
        keep--;
      state->too_long = TRUE;
      if (keep == 0)
        return;
      text = cut = g_strndup (text, keep);
    }

  g_string_append (state->text, text);
  if (state->text_func != NULL)
    state->text_func (text, state->text_data);
}

void
_confab_stream_state_set_model (ConfabStreamState *state,
                                const char        *model)
{
  if (model == NULL || *model == '\0' || g_strcmp0 (model, state->model) == 0)
    return;

  g_free (state->model);
  state->model = g_utf8_make_valid (model, -1);
}

void
_confab_stream_state_set_stop_reason (ConfabStreamState *state,
                                      const char        *stop_reason)
{
  if (stop_reason == NULL || g_strcmp0 (stop_reason, state->stop_reason) == 0)
    return;

  g_free (state->stop_reason);
  state->stop_reason = g_utf8_make_valid (stop_reason, -1);
}

GError *
_confab_stream_malformed_error (ConfabStreamState *state,
                                const char        *what)
{
  g_autofree char *message =
    g_strdup_printf ("The reply from %s could not be read: %s. The text so far is kept.",
                     state->provider_name, what);

  return _confab_provider_error_new (CONFAB_PROVIDER_ERROR_STREAM, -1, message);
}

GError *
_confab_stream_too_long_error (ConfabStreamState *state)
{
  g_autofree char *size = g_format_size_full (state->max_text, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *message = NULL;

  /* Translators: the first %s is a provider (“OpenAI”), the second a size
   * (“4.0 MiB”). */
  message = g_strdup_printf (_("The reply from %s was longer than %s and was cut off there. "
                               "The part that arrived is kept."),
                             state->provider_name, size);

  return _confab_provider_error_new (CONFAB_PROVIDER_ERROR_STREAM, -1, message);
}

GError *
_confab_stream_provider_error (ConfabStreamState *state,
                               guint              status,
                               const char        *type,
                               const char        *code,
                               const char        *message)
{
  ConfabProviderError kind = _confab_provider_classify (status, type, code, message);

  return _confab_provider_error_compose (state->provider_name, state->requested_model,
                                         kind, message ? message : type, -1);
}

gboolean
_confab_stream_state_check_finished (ConfabStreamState *state,
                                     GError           **error)
{
  g_autofree char *message = NULL;

  if (state->finished)
    return TRUE;

  /* A clean end, a proxy's timeout or a reset between two chunks all
   * look alike here (libsoup reads a chunked body cut at a chunk boundary
   * as its end). */
  if (state->text->len > 0)
    /* Translators: %s is a provider (“OpenAI”). */
    message = g_strdup_printf (_("The reply was cut off: the stream from %s ended before the "
                                 "reply was complete. The part that arrived is kept; try again."),
                               state->provider_name);
  else
    /* Translators: %s is a provider (“OpenAI”). */
    message = g_strdup_printf (_("The reply was cut off: the stream from %s ended before any of "
                                 "the reply arrived. Try again."),
                               state->provider_name);
  g_propagate_error (error,
                     _confab_provider_error_new (CONFAB_PROVIDER_ERROR_STREAM, -1, message));

  return FALSE;
}

ConfabStreamDecodeFunc
_confab_wire_get_decode_func (ConfabWireFormat wire)
{
  switch (wire)
    {
    case CONFAB_WIRE_OPENAI:
      return _confab_openai_decode_event;
    case CONFAB_WIRE_ANTHROPIC:
      return _confab_anthropic_decode_event;
    case CONFAB_WIRE_GEMINI:
      return _confab_gemini_decode_event;
    default:
      g_return_val_if_reached (NULL);
    }
}

struct _ConfabStreamDecoder
{
  ConfabSseParser        *parser;
  ConfabStreamDecodeFunc  func;
  ConfabStreamState      *state;
  GError                 *error;        /* the first one; later events are ignored */
  guint64                 n_progress;   /* events other than keep-alives */
  gsize                   max_event_size;
  gsize                   line_bytes;   /* since the last line end */
  gsize                   event_bytes;  /* since the last dispatched event */
};

ConfabStreamDecoder *
_confab_stream_decoder_new (ConfabStreamDecodeFunc  func,
                            ConfabStreamState      *state)
{
  ConfabStreamDecoder *self;

  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (state != NULL, NULL);

  self = g_new0 (ConfabStreamDecoder, 1);
  self->parser = confab_sse_parser_new ();
  self->func = func;
  self->state = state;
  self->max_event_size = CONFAB_STREAM_MAX_EVENT_SIZE;

  return self;
}

void
_confab_stream_decoder_free (ConfabStreamDecoder *self)
{
  if (self == NULL)
    return;

  confab_sse_parser_free (self->parser);
  g_clear_error (&self->error);
  g_free (self);
}

void
_confab_stream_decoder_set_max_event_size (ConfabStreamDecoder *self,
                                           gsize                max)
{
  g_return_if_fail (self != NULL);

  self->max_event_size = max;
}

static void
on_event (const ConfabSseEvent *event,
          gpointer              user_data)
{
  ConfabStreamDecoder *self = user_data;

  self->event_bytes = 0;

  if (self->error != NULL)
    return;

  /* Anthropic's keep-alive; the others send SSE comments, never events. */
  if (!g_str_equal (event->type, "ping"))
    self->n_progress++;

  self->func (self->state, event, &self->error);
  if (self->error == NULL && self->state->too_long)
    self->error = _confab_stream_too_long_error (self->state);
}

static GError *
too_large_error (ConfabStreamDecoder *self)
{
  g_autofree char *message =
    g_strdup_printf ("The reply from %s could not be read: one of its events is larger "
                     "than %" G_GSIZE_FORMAT " KiB.",
                     self->state->provider_name, self->max_event_size / 1024);

  return _confab_provider_error_new (CONFAB_PROVIDER_ERROR_STREAM, -1, message);
}

gboolean
_confab_stream_decoder_feed (ConfabStreamDecoder  *self,
                             const guint8         *data,
                             gsize                 len,
                             GError              **error)
{
  gsize last_end = len;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->error != NULL)
    goto failed;

  /* The parser buffers a line, and an event's data, without limit; count
   * what it holds and refuse a server that never ends one. */
  for (gsize i = len; i > 0; i--)
    if (data[i - 1] == '\n' || data[i - 1] == '\r')
      {
        last_end = i - 1;
        break;
      }
  if (last_end == len)
    self->line_bytes += len;
  else
    self->line_bytes = len - last_end - 1;
  self->event_bytes += len;

  if (self->line_bytes > self->max_event_size)
    {
      self->error = too_large_error (self);
      goto failed;
    }

  confab_sse_parser_feed (self->parser, data, len, on_event, self);

  if (self->error == NULL && self->event_bytes > self->max_event_size)
    self->error = too_large_error (self);

  if (self->error != NULL)
    goto failed;

  return TRUE;

failed:
  if (error != NULL)
    *error = g_error_copy (self->error);
  return FALSE;
}

gboolean
_confab_stream_decoder_finish (ConfabStreamDecoder  *self,
                               GError              **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->error != NULL)
    {
      if (error != NULL)
        *error = g_error_copy (self->error);
      return FALSE;
    }

  /* A half-sent last event is discarded, as the standard says; what matters
   * is whether the wire's final event arrived. */
  confab_sse_parser_finish (self->parser);

  return _confab_stream_state_check_finished (self->state, error);
}

gboolean
_confab_stream_decoder_in_event (ConfabStreamDecoder *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return confab_sse_parser_in_event (self->parser);
}

guint64
_confab_stream_decoder_get_n_ends (ConfabStreamDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return confab_sse_parser_get_n_ends (self->parser);
}

guint64
_confab_stream_decoder_get_n_progress (ConfabStreamDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_progress;
}
