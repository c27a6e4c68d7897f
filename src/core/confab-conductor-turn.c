/* confab-conductor-turn.c: one stream of a multi-model exchange, from the
 * request to its stored reply.
 *
 * Like a chat session's turn, whatever arrived is kept however the stream
 * ends; unlike it, the reply row is made by the conductor (it may be one
 * alternative among several) and each turn has its own cancellable, so
 * stopping one never touches the others.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-conductor"

#include "config.h"

#include "confab-chat-session.h"
#include "confab-conductor-private.h"

struct _ConfabConductorTurn
{
  GObject                  parent_instance;

  ConfabConductorTurnKind  kind;
  char                    *model_id;
  char                    *name;
  guint                    round;

  ConfabConductorTurnState state;
  GString                 *text;
  GError                  *error;
  gint64                   input_tokens;
  gint64                   output_tokens;
  char                    *stop_reason;
  ConfabMessage           *message;

  GCancellable            *cancellable;
  ConfabStore             *store;       /* while running */
  ConfabReply             *reply;
  gulong                   delta_id;
  gint64                   last_write;  /* monotonic, microseconds */
};

G_DEFINE_FINAL_TYPE (ConfabConductorTurn, confab_conductor_turn, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_MODEL_ID,
  PROP_NAME,
  PROP_ROUND,
  PROP_STATE,
  PROP_FINISHED,
  PROP_TEXT,
  PROP_ERROR,
  PROP_INPUT_TOKENS,
  PROP_OUTPUT_TOKENS,
  PROP_STOP_REASON,
  PROP_MESSAGE,
  N_PROPS
};

enum {
  DELTA,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const GEnumValue state_values[] = {
  { CONFAB_CONDUCTOR_TURN_PENDING, "CONFAB_CONDUCTOR_TURN_PENDING", "pending" },
  { CONFAB_CONDUCTOR_TURN_STREAMING, "CONFAB_CONDUCTOR_TURN_STREAMING", "streaming" },
  { CONFAB_CONDUCTOR_TURN_COMPLETE, "CONFAB_CONDUCTOR_TURN_COMPLETE", "complete" },
  { CONFAB_CONDUCTOR_TURN_FAILED, "CONFAB_CONDUCTOR_TURN_FAILED", "failed" },
  { CONFAB_CONDUCTOR_TURN_CANCELLED, "CONFAB_CONDUCTOR_TURN_CANCELLED", "cancelled" },
  { 0, NULL, NULL }
};

static const GEnumValue kind_values[] = {
  { CONFAB_CONDUCTOR_TURN_ANSWER, "CONFAB_CONDUCTOR_TURN_ANSWER", "answer" },
  { CONFAB_CONDUCTOR_TURN_SYNTHESIS, "CONFAB_CONDUCTOR_TURN_SYNTHESIS", "synthesis" },
  { CONFAB_CONDUCTOR_TURN_SPEAKER, "CONFAB_CONDUCTOR_TURN_SPEAKER", "speaker" },
  { 0, NULL, NULL }
};

GType
confab_conductor_turn_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id,
                       g_enum_register_static (g_intern_static_string ("ConfabConductorTurnState"),
                                               state_values));

  return type_id;
}

GType
confab_conductor_turn_kind_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id,
                       g_enum_register_static (g_intern_static_string ("ConfabConductorTurnKind"),
                                               kind_values));

  return type_id;
}

static void
disconnect_reply (ConfabConductorTurn *self)
{
  if (self->reply != NULL && self->delta_id != 0)
    g_signal_handler_disconnect (self->reply, self->delta_id);
  self->delta_id = 0;
}

static void
confab_conductor_turn_dispose (GObject *object)
{
  ConfabConductorTurn *self = (ConfabConductorTurn *)object;

  disconnect_reply (self);
  g_clear_object (&self->reply);
  g_clear_object (&self->message);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_conductor_turn_parent_class)->dispose (object);
}

static void
confab_conductor_turn_finalize (GObject *object)
{
  ConfabConductorTurn *self = (ConfabConductorTurn *)object;

  g_free (self->model_id);
  g_free (self->name);
  g_free (self->stop_reason);
  g_string_free (self->text, TRUE);
  g_clear_error (&self->error);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (confab_conductor_turn_parent_class)->finalize (object);
}

static void
confab_conductor_turn_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ConfabConductorTurn *self = CONFAB_CONDUCTOR_TURN (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;

    case PROP_MODEL_ID:
      g_value_set_string (value, self->model_id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_ROUND:
      g_value_set_uint (value, self->round);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_FINISHED:
      g_value_set_boolean (value, confab_conductor_turn_get_finished (self));
      break;

    case PROP_TEXT:
      g_value_set_string (value, self->text->str);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    case PROP_INPUT_TOKENS:
      g_value_set_int64 (value, self->input_tokens);
      break;

    case PROP_OUTPUT_TOKENS:
      g_value_set_int64 (value, self->output_tokens);
      break;

    case PROP_STOP_REASON:
      g_value_set_string (value, self->stop_reason);
      break;

    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conductor_turn_class_init (ConfabConductorTurnClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = confab_conductor_turn_dispose;
  object_class->finalize = confab_conductor_turn_finalize;
  object_class->get_property = confab_conductor_turn_get_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, CONFAB_TYPE_CONDUCTOR_TURN_KIND,
                       CONFAB_CONDUCTOR_TURN_ANSWER, flags);
  properties[PROP_MODEL_ID] = g_param_spec_string ("model-id", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_ROUND] = g_param_spec_uint ("round", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CONFAB_TYPE_CONDUCTOR_TURN_STATE,
                       CONFAB_CONDUCTOR_TURN_PENDING, flags);
  properties[PROP_FINISHED] = g_param_spec_boolean ("finished", NULL, NULL, FALSE, flags);
  /* Notified on every piece: a view batches its updates per frame. */
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, "", flags);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, flags);
  properties[PROP_INPUT_TOKENS] =
    g_param_spec_int64 ("input-tokens", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_OUTPUT_TOKENS] =
    g_param_spec_int64 ("output-tokens", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_STOP_REASON] = g_param_spec_string ("stop-reason", NULL, NULL, NULL, flags);
  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL, CONFAB_TYPE_MESSAGE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabConductorTurn::delta:
   * @text: the new piece, never empty
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
confab_conductor_turn_init (ConfabConductorTurn *self)
{
  self->text = g_string_new (NULL);
  self->input_tokens = -1;
  self->output_tokens = -1;
  self->cancellable = g_cancellable_new ();
}

ConfabConductorTurn *
_confab_conductor_turn_new (ConfabConductorTurnKind  kind,
                            const char              *model_id,
                            const char              *name,
                            guint                    round)
{
  ConfabConductorTurn *self = g_object_new (CONFAB_TYPE_CONDUCTOR_TURN, NULL);

  self->kind = kind;
  self->model_id = g_strdup (model_id);
  self->name = g_strdup (name != NULL ? name : model_id);
  self->round = round;

  return self;
}

/* ---- Getters */

ConfabConductorTurnKind
confab_conductor_turn_get_kind (ConfabConductorTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (self), CONFAB_CONDUCTOR_TURN_ANSWER);

  return self->kind;
}

const char *
confab_conductor_turn_get_model_id (ConfabConductorTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (self), NULL);

  return self->model_id;
}

const char *
confab_conductor_turn_get_name (ConfabConductorTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (self), NULL);

  return self->name;
}

guint
confab_conductor_turn_get_round (ConfabConductorTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (self), 0);

  return self->round;
}

ConfabConductorTurnState
confab_conductor_turn_get_state (ConfabConductorTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (self), CONFAB_CONDUCTOR_TURN_PENDING);

  return self->state;
}

gboolean
confab_conductor_turn_get_finished (ConfabConductorTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (self), FALSE);

  return self->state >= CONFAB_CONDUCTOR_TURN_COMPLETE;
}

const char *
confab_conductor_turn_get_text (ConfabConductorTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (self), NULL);

  return self->text->str;
}

const GError *
confab_conductor_turn_get_error (ConfabConductorTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (self), NULL);

  return self->error;
}

gint64
confab_conductor_turn_get_input_tokens (ConfabConductorTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (self), -1);

  return self->input_tokens;
}

gint64
confab_conductor_turn_get_output_tokens (ConfabConductorTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (self), -1);

  return self->output_tokens;
}

const char *
confab_conductor_turn_get_stop_reason (ConfabConductorTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (self), NULL);

  return self->stop_reason;
}

ConfabMessage *
confab_conductor_turn_get_message (ConfabConductorTurn *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (self), NULL);

  return self->message;
}

void
_confab_conductor_turn_set_message (ConfabConductorTurn *self,
                                    ConfabMessage       *message)
{
  g_return_if_fail (CONFAB_IS_CONDUCTOR_TURN (self));

  if (g_set_object (&self->message, message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

/* ---- Running */

static void
set_state (ConfabConductorTurn      *self,
           ConfabConductorTurnState  state)
{
  gboolean was_finished = confab_conductor_turn_get_finished (self);

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (was_finished != confab_conductor_turn_get_finished (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISHED]);
}

static void
end_with (ConfabConductorTurn *self,
          const GError        *error)
{
  ConfabConductorTurnState state;

  if (error == NULL)
    state = CONFAB_CONDUCTOR_TURN_COMPLETE;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    state = CONFAB_CONDUCTOR_TURN_CANCELLED;
  else
    state = CONFAB_CONDUCTOR_TURN_FAILED;

  g_clear_error (&self->error);
  if (error != NULL)
    {
      self->error = g_error_copy (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  set_state (self, state);
}

static void
write_content (ConfabConductorTurn *self)
{
  g_autoptr(GError) error = NULL;

  self->last_write = g_get_monotonic_time ();

  if (self->message == NULL ||
      g_strcmp0 (self->text->str, confab_message_get_content (self->message)) == 0)
    return;

  /* The end of the turn writes again. */
  if (!confab_store_set_message_content (self->store, self->message, self->text->str, &error))
    g_message ("Could not save the reply so far: %s", error->message);
}

/* Stores the end of the reply: its status, error and usage. */
static void
finish_message (ConfabConductorTurn *self,
                const GError        *error)
{
  g_autoptr(GError) store_error = NULL;
  ConfabMessageStatus status;

  if (self->message == NULL || self->store == NULL)
    return;

  if (error == NULL)
    status = CONFAB_MESSAGE_STATUS_COMPLETE;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    status = CONFAB_MESSAGE_STATUS_CANCELLED;
  else
    status = CONFAB_MESSAGE_STATUS_ERROR;

  write_content (self);
  if (!confab_store_finish_message (self->store, self->message, status,
                                   error != NULL ? error->message : NULL,
                                   self->input_tokens, self->output_tokens, &store_error))
    g_message ("Could not save the end of the reply: %s", store_error->message);
}

void
_confab_conductor_turn_fail (ConfabConductorTurn *self,
                             ConfabStore         *store,
                             const GError        *error)
{
  g_return_if_fail (CONFAB_IS_CONDUCTOR_TURN (self));
  g_return_if_fail (error != NULL);

  if (confab_conductor_turn_get_finished (self) && self->message == NULL)
    return;

  g_set_object (&self->store, store);
  finish_message (self, error);
  g_clear_object (&self->store);
  if (!confab_conductor_turn_get_finished (self))
    end_with (self, error);
}

static void
on_reply_delta_cb (ConfabReply         *reply,
                   const char          *text,
                   ConfabConductorTurn *self)
{
  g_string_append (self->text, text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  g_signal_emit (self, signals[DELTA], 0, text);

  if (g_get_monotonic_time () - self->last_write >=
      CONFAB_CHAT_SESSION_WRITE_INTERVAL_MS * G_TIME_SPAN_MILLISECOND)
    write_content (self);
}

static void
on_reply_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ConfabReply *reply = CONFAB_REPLY (object);
  g_autoptr(GTask) task = user_data;
  ConfabConductorTurn *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  disconnect_reply (self);
  confab_reply_run_finish (reply, result, &error);

  self->input_tokens = confab_reply_get_input_tokens (reply);
  self->output_tokens = confab_reply_get_output_tokens (reply);
  g_free (self->stop_reason);
  self->stop_reason = g_strdup (confab_reply_get_stop_reason (reply));

  finish_message (self, error);
  g_clear_object (&self->store);

  g_debug ("%s (%s) ended: %s", self->name, self->model_id,
           error != NULL ? error->message : "complete");

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INPUT_TOKENS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTPUT_TOKENS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STOP_REASON]);
  end_with (self, error);
  g_object_thaw_notify (G_OBJECT (self));

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
_confab_conductor_turn_run_async (ConfabConductorTurn *self,
                                  ConfabStore         *store,
                                  ConfabProvider      *provider,
                                  ConfabChatRequest   *request,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CONFAB_IS_CONDUCTOR_TURN (self));
  g_return_if_fail (CONFAB_IS_STORE (store));
  g_return_if_fail (CONFAB_IS_PROVIDER (provider));
  g_return_if_fail (request != NULL);
  g_return_if_fail (self->reply == NULL);

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, _confab_conductor_turn_run_async);
  g_set_object (&self->store, store);

  /* Cancelled while it waited: it never starts. */
  if (confab_conductor_turn_get_finished (self) || g_cancellable_is_cancelled (self->cancellable))
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "Stopped before it started");

      finish_message (self, error);
      g_clear_object (&self->store);
      if (!confab_conductor_turn_get_finished (self))
        end_with (self, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  set_state (self, CONFAB_CONDUCTOR_TURN_STREAMING);
  self->reply = confab_provider_chat (provider, request);
  self->delta_id = g_signal_connect (self->reply, "delta", G_CALLBACK (on_reply_delta_cb), self);
  self->last_write = g_get_monotonic_time ();
  confab_reply_run_async (self->reply, self->cancellable, on_reply_done_cb,
                          g_steal_pointer (&task));
}

gboolean
_confab_conductor_turn_run_finish (ConfabConductorTurn  *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
confab_conductor_turn_cancel (ConfabConductorTurn *self)
{
  g_return_if_fail (CONFAB_IS_CONDUCTOR_TURN (self));

  if (confab_conductor_turn_get_finished (self))
    return;

  g_cancellable_cancel (self->cancellable);

  /* A waiting turn ends now, so a view shows it at once. */
  if (self->state == CONFAB_CONDUCTOR_TURN_PENDING)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "Stopped before it started");
      end_with (self, error);
    }
}
