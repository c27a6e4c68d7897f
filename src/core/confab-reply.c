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

/* The deadlines (see CONFAB_STREAM_EVENT_TIMEOUT_MS) are one GSource per
 * run whose ready time is the earliest that can expire. It is moved earlier
 * only when an event starts; otherwise it fires when due, finds the real
 * deadline later and moves on: at most one wakeup per event timeout while
 * text flows, none at all when no reply runs. */
typedef struct
{
  ConfabReply         *reply;               /* the task's source object */
  SoupMessage         *message;
  GInputStream        *stream;
  ConfabStreamDecoder *decoder;
  /* Every operation takes this one, so a deadline can stop it; the
   * caller's cancellable cancels it too. */
  GCancellable        *cancellable;
  GCancellable        *caller_cancellable;
  gulong               caller_cancelled_id;
  GSource             *deadline;
  GError              *deadline_error;      /* why it fired */
  guint                event_timeout;       /* ms, 0: none */
  guint                keepalive_timeout;
  gint64               phase_started;       /* monotonic µs: sent, or headers in */
  gint64               event_started;       /* an event began arriving; 0: none */
  gint64               last_progress;       /* an event that was not a keep-alive */
  guint64              n_ends;
  guint64              n_progress;
} RunData;

static void
stop_deadline (RunData *data)
{
  if (data->deadline != NULL)
    {
      g_source_destroy (data->deadline);
      g_clear_pointer (&data->deadline, g_source_unref);
    }
}

static void
run_data_free (RunData *data)
{
  stop_deadline (data);
  if (data->caller_cancelled_id != 0)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_cancelled_id);
  g_clear_object (&data->caller_cancellable);
  g_clear_object (&data->cancellable);
  g_clear_error (&data->deadline_error);
  /* Never let the stream's dispose close it: libsoup would drain the body. */
  _confab_input_stream_abort (data->stream);
  g_clear_object (&data->stream);
  g_clear_object (&data->message);
  g_clear_pointer (&data->decoder, _confab_stream_decoder_free);
  g_free (data);
}

/* Keeps the earlier of *deadline and start + ms (unless start or ms is 0). */
static void
consider (gint64            *deadline,
          ConfabStreamStall *stall,
          guint             *timeout,
          gint64             start,
          guint              ms,
          ConfabStreamStall  kind)
{
  gint64 end = start + (gint64) ms * G_TIME_SPAN_MILLISECOND;

  if (start == 0 || ms == 0 || (*deadline >= 0 && *deadline <= end))
    return;

  *deadline = end;
  *stall = kind;
  *timeout = ms;
}

/* The first deadline to expire, -1 for none. */
static gint64
next_deadline (RunData           *data,
               ConfabStreamStall *stall,
               guint             *timeout)
{
  gint64 deadline = -1;

  if (data->decoder == NULL)
    {
      /* Headers, or a whole JSON or error body: silence is libsoup's
       * timeout, a trickle is bounded like keep-alives. */
      consider (&deadline, stall, timeout, data->phase_started, data->keepalive_timeout,
                CONFAB_STREAM_STALLED_BODY);
    }
  else
    {
      consider (&deadline, stall, timeout, data->last_progress, data->keepalive_timeout,
                CONFAB_STREAM_STALLED_KEEPALIVE);
      consider (&deadline, stall, timeout, data->event_started, data->event_timeout,
                CONFAB_STREAM_STALLED_EVENT);
    }

  return deadline;
}

static void
arm_deadline (RunData *data)
{
  ConfabStreamStall stall;
  guint timeout;
  gint64 deadline = next_deadline (data, &stall, &timeout);
  gint64 armed;

  if (data->deadline == NULL)
    return;

  armed = g_source_get_ready_time (data->deadline);
  if (deadline >= 0 && (armed < 0 || deadline < armed))
    g_source_set_ready_time (data->deadline, deadline);
}

static gboolean
on_deadline_cb (gpointer user_data)
{
  RunData *data = user_data;
  ConfabStreamStall stall = CONFAB_STREAM_STALLED_BODY;
  guint timeout = 0;
  gint64 deadline = next_deadline (data, &stall, &timeout);

  if (deadline < 0 || deadline > g_source_get_time (data->deadline))
    {
      g_source_set_ready_time (data->deadline, deadline);
      return G_SOURCE_CONTINUE;
    }

  g_source_set_ready_time (data->deadline, -1);
  if (data->deadline_error == NULL)
    data->deadline_error =
      _confab_provider_stalled_error (data->reply->provider, stall, timeout,
                                      data->reply->state.text->len > 0);
  /* The operation in flight ends with CANCELLED; return_error() swaps in
   * the reason. */
  g_cancellable_cancel (data->cancellable);

  return G_SOURCE_CONTINUE;
}

static gboolean
deadline_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs deadline_funcs = { NULL, NULL, deadline_dispatch, NULL, NULL, NULL };

static void
start_deadline (RunData *data)
{
  data->deadline = g_source_new (&deadline_funcs, sizeof (GSource));
  g_source_set_static_name (data->deadline, "[confab] reply deadline");
  g_source_set_callback (data->deadline, on_deadline_cb, data, NULL);
  g_source_set_ready_time (data->deadline, -1);
  g_source_attach (data->deadline, g_main_context_get_thread_default ());
  arm_deadline (data);
}

/* After bytes were fed: when the current event began, and when the last
 * one that was not a keep-alive ended. */
static void
track_stream (RunData *data)
{
  gint64 now = g_get_monotonic_time ();
  guint64 n_ends = _confab_stream_decoder_get_n_ends (data->decoder);
  guint64 n_progress = _confab_stream_decoder_get_n_progress (data->decoder);

  if (n_progress != data->n_progress)
    {
      data->n_progress = n_progress;
      data->last_progress = now;
    }

  if (!_confab_stream_decoder_in_event (data->decoder))
    data->event_started = 0;
  else if (data->event_started == 0 || n_ends != data->n_ends)
    data->event_started = now;
  data->n_ends = n_ends;

  arm_deadline (data);
}

static void
on_caller_cancelled (GCancellable *caller,
                     GCancellable *ours)
{
  g_cancellable_cancel (ours);
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

  /* Cancelled by a deadline, not by the caller: say which. */
  if (data->deadline_error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      error = g_steal_pointer (&data->deadline_error);
    }

  stop_deadline (data);
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
  RunData *data = g_task_get_task_data (task);

  stop_deadline (data);
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

  track_stream (data);
  read_next (g_steal_pointer (&task));
}

static void
read_next (GTask *task)
{
  RunData *data = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (data->stream, CONFAB_STREAM_READ_SIZE, G_PRIORITY_DEFAULT,
                                   data->cancellable,
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
         (&self->state, &event, &error))
    return_error (task, g_steal_pointer (&error));
  else if (self->state.too_long)
    return_error (task, _confab_stream_too_long_error (&self->state));
  else if (!_confab_stream_state_check_finished (&self->state, &error))
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
  GCancellable *cancellable = data->cancellable;
  g_autoptr(GError) error = NULL;
  const char *content_type;
  guint status;

  data->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (data->stream == NULL)
    {
      return_error (task, _confab_provider_map_network_error (self->provider, error, FALSE));
      return;
    }

  /* The answer has started: its own deadlines from now. */
  data->phase_started = g_get_monotonic_time ();
  data->last_progress = data->phase_started;

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
  arm_deadline (data);
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
  data->reply = self;
  data->cancellable = g_cancellable_new ();
  data->event_timeout = _confab_provider_get_event_timeout (self->provider);
  data->keepalive_timeout = _confab_provider_get_keepalive_timeout (self->provider);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (cancellable);
      data->caller_cancelled_id = g_cancellable_connect (cancellable,
                                                         G_CALLBACK (on_caller_cancelled),
                                                         data->cancellable, NULL);
    }

  data->message = CONFAB_PROVIDER_GET_CLASS (self->provider)->build_chat_message (self->provider,
                                                                                  self->request,
                                                                                  &error);
  if (data->message == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->phase_started = g_get_monotonic_time ();
  start_deadline (data);
  soup_session_send_async (_confab_provider_get_session (self->provider), data->message,
                           G_PRIORITY_DEFAULT, data->cancellable, on_sent_cb,
                           g_steal_pointer (&task));
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
