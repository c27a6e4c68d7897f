/* confab-reply.c: one streamed reply: sends the request, reads the stream
 * incrementally and keeps whatever arrived, even when it fails.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include <string.h>

#include "confab-provider-private.h"
#include "confab-reply.h"

struct _ConfabReply
{
  GObject            parent_instance;

  ConfabProvider    *provider;
  ConfabChatRequest *request;
  ConfabStreamState  state;
  guint              started : 1;
};

G_DEFINE_FINAL_TYPE (ConfabReply, confab_reply, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROVIDER,
  PROP_REQUEST,
  PROP_TEXT,
  PROP_STOP_REASON,
  PROP_INPUT_TOKENS,
  PROP_OUTPUT_TOKENS,
  PROP_MODEL,
  N_PROPS
};

enum {
  DELTA,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  SoupMessage         *message;
  GInputStream        *stream;
  ConfabStreamDecoder *decoder;
} RunData;

static void
run_data_free (RunData *data)
{
  /* Never let the stream's dispose close it: libsoup would drain the body. */
  _confab_input_stream_abort (data->stream);
  g_clear_object (&data->stream);
  g_clear_object (&data->message);
  g_clear_pointer (&data->decoder, _confab_stream_decoder_free);
  g_free (data);
}

static void
emit_delta (const char *text,
            gpointer    user_data)
{
  ConfabReply *self = user_data;

  g_signal_emit (self, signals[DELTA], 0, text);
}

static void
confab_reply_constructed (GObject *object)
{
  ConfabReply *self = (ConfabReply *)object;

  G_OBJECT_CLASS (confab_reply_parent_class)->constructed (object);

  g_assert (self->provider != NULL);
  g_assert (self->request != NULL);

  _confab_stream_state_init (&self->state,
                             confab_provider_get_display_name (self->provider),
                             confab_chat_request_get_model (self->request));
  self->state.text_func = emit_delta;
  self->state.text_data = self;
}

static void
confab_reply_finalize (GObject *object)
{
  ConfabReply *self = (ConfabReply *)object;

  _confab_stream_state_clear (&self->state);
  g_clear_object (&self->provider);
  g_clear_pointer (&self->request, confab_chat_request_unref);

  G_OBJECT_CLASS (confab_reply_parent_class)->finalize (object);
}

static void
confab_reply_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ConfabReply *self = CONFAB_REPLY (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      g_value_set_object (value, self->provider);
      break;

    case PROP_REQUEST:
      g_value_set_boxed (value, self->request);
      break;

    case PROP_TEXT:
      g_value_set_string (value, confab_reply_get_text (self));
      break;

    case PROP_STOP_REASON:
      g_value_set_string (value, self->state.stop_reason);
      break;

    case PROP_INPUT_TOKENS:
      g_value_set_int64 (value, self->state.input_tokens);
      break;

    case PROP_OUTPUT_TOKENS:
      g_value_set_int64 (value, self->state.output_tokens);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->state.model);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_reply_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  ConfabReply *self = CONFAB_REPLY (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      self->provider = g_value_dup_object (value);
      break;

    case PROP_REQUEST:
      self->request = g_value_dup_boxed (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_reply_class_init (ConfabReplyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = confab_reply_constructed;
  object_class->finalize = confab_reply_finalize;
  object_class->get_property = confab_reply_get_property;
  object_class->set_property = confab_reply_set_property;

  properties[PROP_PROVIDER] =
    g_param_spec_object ("provider", NULL, NULL, CONFAB_TYPE_PROVIDER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REQUEST] =
    g_param_spec_boxed ("request", NULL, NULL, CONFAB_TYPE_CHAT_REQUEST,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Notified once at the end; follow "delta" while it streams. */
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STOP_REASON] =
    g_param_spec_string ("stop-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INPUT_TOKENS] =
    g_param_spec_int64 ("input-tokens", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OUTPUT_TOKENS] =
    g_param_spec_int64 ("output-tokens", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabReply::delta:
   * @text: the new piece of text, never empty
   */
  signals[DELTA] =
    g_signal_new ("delta",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
confab_reply_init (ConfabReply *self)
{
}

ConfabReply *
_confab_reply_new (ConfabProvider    *provider,
                   ConfabChatRequest *request)
{
  return g_object_new (CONFAB_TYPE_REPLY,
                       "provider", provider,
                       "request", request,
                       NULL);
}

/* ------------------------------------------------------------------------ */

static void
notify_results (ConfabReply *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STOP_REASON]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INPUT_TOKENS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTPUT_TOKENS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
return_error (GTask  *task,
              GError *error)
{
  ConfabReply *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);

  _confab_input_stream_abort (data->stream);
  if (self->state.text->len > 0)
    g_debug ("%s: reply failed after %" G_GSIZE_FORMAT " bytes of text: %s",
             confab_provider_get_id (self->provider), self->state.text->len, error->message);
  notify_results (self);
  g_task_return_error (task, error);
}

static void
return_success (GTask *task)
{
  ConfabReply *self = g_task_get_source_object (task);

  notify_results (self);
  g_task_return_boolean (task, TRUE);
}

static void read_next (GTask *task);

static void
on_read_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabReply *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL)
    {
      return_error (task, _confab_provider_map_network_error (self->provider, error, TRUE));
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      g_input_stream_close (data->stream, NULL, NULL);
      if (!_confab_stream_decoder_finish (data->decoder, &error))
        return_error (task, g_steal_pointer (&error));
      else
        return_success (task);
      return;
    }

  if (!_confab_stream_decoder_feed (data->decoder, g_bytes_get_data (bytes, NULL),
                                    g_bytes_get_size (bytes), &error))
    {
      return_error (task, g_steal_pointer (&error));
      return;
    }

  read_next (g_steal_pointer (&task));
}

static void
read_next (GTask *task)
{
  RunData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_input_stream_read_bytes_async (data->stream, CONFAB_STREAM_READ_SIZE, G_PRIORITY_DEFAULT,
                                   cancellable,
                                   on_read_cb, task);
}

static void
on_error_body_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabReply *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;

  body = _confab_read_bounded_finish (G_INPUT_STREAM (object), result, &error);
  if (body == NULL)
    {
      /* Lost while reading the error itself: the status still tells. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          return_error (task, g_steal_pointer (&error));
          return;
        }
      g_clear_error (&error);
    }

  return_error (task,
                _confab_provider_map_http_error_for_model (
                  self->provider,
                  confab_chat_request_get_model (self->request),
                  soup_message_get_status (data->message),
                  soup_message_get_response_headers (data->message),
                  body));
}

static void
on_json_body_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabReply *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;
  ConfabSseEvent event = { "message", NULL, "" };

  body = _confab_read_bounded_finish (G_INPUT_STREAM (object), result, &error);
  if (body == NULL)
    {
      return_error (task, _confab_provider_map_network_error (self->provider, error, TRUE));
      return;
    }

  /* A whole answer in one (a server that ignored "stream": true, or an
   * error object on a 200): decode it as a single event. */
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  event.data = text;
  if (!_confab_wire_get_decode_func (confab_provider_get_wire_format (self->provider))
         (&self->state, &event, &error) ||
      !_confab_stream_state_check_finished (&self->state, &error))
    return_error (task, g_steal_pointer (&error));
  else
    return_success (task);
}

static void
on_sent_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabReply *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  const char *content_type;
  guint status;

  data->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (data->stream == NULL)
    {
      return_error (task, _confab_provider_map_network_error (self->provider, error, FALSE));
      return;
    }

  status = soup_message_get_status (data->message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      _confab_read_bounded_async (data->stream, CONFAB_ERROR_BODY_MAX_SIZE,
                                  cancellable,
                                  on_error_body_cb, g_steal_pointer (&task));
      return;
    }

  content_type = soup_message_headers_get_content_type (
                   soup_message_get_response_headers (data->message), NULL);
  if (content_type != NULL && g_ascii_strcasecmp (content_type, "text/html") == 0)
    {
      g_autofree char *message =
        g_strdup_printf ("%s answered with a web page instead of a reply. Check the base URL "
                         "(%s); a proxy or a captive portal may be in the way.",
                         confab_provider_get_display_name (self->provider),
                         confab_provider_get_base_url (self->provider));

      return_error (task, _confab_provider_error_new (CONFAB_PROVIDER_ERROR_STREAM, -1, message));
      return;
    }
  if (content_type != NULL && g_ascii_strcasecmp (content_type, "application/json") == 0)
    {
      _confab_read_bounded_async (data->stream, CONFAB_STREAM_MAX_EVENT_SIZE,
                                  cancellable,
                                  on_json_body_cb, g_steal_pointer (&task));
      return;
    }

  data->decoder = _confab_stream_decoder_new (
                    _confab_wire_get_decode_func (confab_provider_get_wire_format (self->provider)),
                    &self->state);
  read_next (g_steal_pointer (&task));
}

void
confab_reply_run_async (ConfabReply         *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  RunData *data;

  g_return_if_fail (CONFAB_IS_REPLY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (!self->started);

  self->started = TRUE;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_reply_run_async);
  data = g_new0 (RunData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);

  if (g_task_return_error_if_cancelled (task))
    return;

  data->message = CONFAB_PROVIDER_GET_CLASS (self->provider)->build_chat_message (self->provider,
                                                                                  self->request,
                                                                                  &error);
  if (data->message == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  soup_session_send_async (_confab_provider_get_session (self->provider), data->message,
                           G_PRIORITY_DEFAULT, cancellable, on_sent_cb, g_steal_pointer (&task));
}

gboolean
confab_reply_run_finish (ConfabReply   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (CONFAB_IS_REPLY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
confab_reply_get_text (ConfabReply *self)
{
  g_return_val_if_fail (CONFAB_IS_REPLY (self), NULL);

  return self->state.text->str;
}

const char *
confab_reply_get_stop_reason (ConfabReply *self)
{
  g_return_val_if_fail (CONFAB_IS_REPLY (self), NULL);

  return self->state.stop_reason;
}

gint64
confab_reply_get_input_tokens (ConfabReply *self)
{
  g_return_val_if_fail (CONFAB_IS_REPLY (self), -1);

  return self->state.input_tokens;
}

gint64
confab_reply_get_output_tokens (ConfabReply *self)
{
  g_return_val_if_fail (CONFAB_IS_REPLY (self), -1);

  return self->state.output_tokens;
}

const char *
confab_reply_get_model (ConfabReply *self)
{
  g_return_val_if_fail (CONFAB_IS_REPLY (self), NULL);

  return self->state.model;
}
