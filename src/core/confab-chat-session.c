/* confab-chat-session.c: one turn of a chat, from the prompt to the
 * stored reply.
 *
 * The order protects what the user wrote: the prompt is committed before
 * any network traffic, the reply row exists (status "streaming") before
 * the first byte, and whatever arrived is kept however the stream ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-session"

#include "config.h"

#include <string.h>

#include "confab-chat-session.h"
#include "confab-conversation.h"

struct _ConfabChatSession
{
  GObject               parent_instance;

  ConfabStore          *store;
  ConfabChat           *chat;
  ConfabProvider       *provider;
  char                 *model;
  char                 *model_id;
  gint64                parent_id;
  ConfabModelCatalogue *catalogue;

  /* The turn in flight, or the last one. */
  ConfabMessage        *user_message;
  ConfabMessage        *reply_message;
  ConfabReply          *reply;
  gulong                delta_id;
  gint64                last_write;    /* monotonic, microseconds */
  guint                 n_dropped;
  guint                 busy : 1;
};

G_DEFINE_FINAL_TYPE (ConfabChatSession, confab_chat_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_CHAT,
  PROP_PROVIDER,
  PROP_MODEL,
  PROP_MODEL_ID,
  PROP_PARENT_ID,
  PROP_CATALOGUE,
  PROP_BUSY,
  PROP_USER_MESSAGE,
  PROP_REPLY_MESSAGE,
  N_PROPS
};

enum {
  STARTED,
  DELTA,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
disconnect_reply (ConfabChatSession *self)
{
  if (self->reply != NULL && self->delta_id != 0)
    g_signal_handler_disconnect (self->reply, self->delta_id);
  self->delta_id = 0;
}

static void
confab_chat_session_constructed (GObject *object)
{
  ConfabChatSession *self = (ConfabChatSession *)object;

  G_OBJECT_CLASS (confab_chat_session_parent_class)->constructed (object);

  g_assert (CONFAB_IS_STORE (self->store));
  g_assert (CONFAB_IS_CHAT (self->chat));
  g_assert (CONFAB_IS_PROVIDER (self->provider));
  g_assert (self->model != NULL);

  self->model_id = g_strdup_printf ("%s:%s", confab_provider_get_id (self->provider),
                                    self->model);
}

static void
confab_chat_session_dispose (GObject *object)
{
  ConfabChatSession *self = (ConfabChatSession *)object;

  disconnect_reply (self);
  g_clear_object (&self->reply);
  g_clear_object (&self->user_message);
  g_clear_object (&self->reply_message);
  g_clear_object (&self->catalogue);

  G_OBJECT_CLASS (confab_chat_session_parent_class)->dispose (object);
}

static void
confab_chat_session_finalize (GObject *object)
{
  ConfabChatSession *self = (ConfabChatSession *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->chat);
  g_clear_object (&self->provider);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->model_id, g_free);

  G_OBJECT_CLASS (confab_chat_session_parent_class)->finalize (object);
}

static void
confab_chat_session_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabChatSession *self = CONFAB_CHAT_SESSION (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CHAT:
      g_value_set_object (value, self->chat);
      break;

    case PROP_PROVIDER:
      g_value_set_object (value, self->provider);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_MODEL_ID:
      g_value_set_string (value, self->model_id);
      break;

    case PROP_PARENT_ID:
      g_value_set_int64 (value, self->parent_id);
      break;

    case PROP_CATALOGUE:
      g_value_set_object (value, self->catalogue);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_USER_MESSAGE:
      g_value_set_object (value, self->user_message);
      break;

    case PROP_REPLY_MESSAGE:
      g_value_set_object (value, self->reply_message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_session_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ConfabChatSession *self = CONFAB_CHAT_SESSION (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_CHAT:
      self->chat = g_value_dup_object (value);
      break;

    case PROP_PROVIDER:
      self->provider = g_value_dup_object (value);
      break;

    case PROP_MODEL:
      self->model = g_value_dup_string (value);
      break;

    case PROP_PARENT_ID:
      confab_chat_session_set_parent_id (self, g_value_get_int64 (value));
      break;

    case PROP_CATALOGUE:
      confab_chat_session_set_catalogue (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_session_class_init (ConfabChatSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = confab_chat_session_constructed;
  object_class->dispose = confab_chat_session_dispose;
  object_class->finalize = confab_chat_session_finalize;
  object_class->get_property = confab_chat_session_get_property;
  object_class->set_property = confab_chat_session_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CONFAB_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHAT] =
    g_param_spec_object ("chat", NULL, NULL, CONFAB_TYPE_CHAT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROVIDER] =
    g_param_spec_object ("provider", NULL, NULL, CONFAB_TYPE_PROVIDER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL_ID] =
    g_param_spec_string ("model-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PARENT_ID] =
    g_param_spec_int64 ("parent-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CATALOGUE] =
    g_param_spec_object ("catalogue", NULL, NULL, CONFAB_TYPE_MODEL_CATALOGUE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* A composer binds its Send/Stop button to this. */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_MESSAGE] =
    g_param_spec_object ("user-message", NULL, NULL, CONFAB_TYPE_MESSAGE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPLY_MESSAGE] =
    g_param_spec_object ("reply-message", NULL, NULL, CONFAB_TYPE_MESSAGE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabChatSession::started:
   * @message: the reply's message, stored with status "streaming"
   */
  signals[STARTED] =
    g_signal_new ("started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CONFAB_TYPE_MESSAGE);

  /**
   * ConfabChatSession::delta:
   * @text: the new piece of the reply, never empty
   *
   * Emitted as each piece arrives, before it is necessarily in the store.
   */
  signals[DELTA] =
    g_signal_new ("delta",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * ConfabChatSession::finished:
   * @message: the reply's message, in its final state
   * @error: (nullable): why it failed or was cancelled
   */
  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  CONFAB_TYPE_MESSAGE,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
confab_chat_session_init (ConfabChatSession *self)
{
}

ConfabChatSession *
confab_chat_session_new (ConfabStore    *store,
                         ConfabChat     *chat,
                         ConfabProvider *provider,
                         const char     *model)
{
  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);
  g_return_val_if_fail (CONFAB_IS_CHAT (chat), NULL);
  g_return_val_if_fail (CONFAB_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (model != NULL && *model != '\0', NULL);

  return g_object_new (CONFAB_TYPE_CHAT_SESSION,
                       "store", store,
                       "chat", chat,
                       "provider", provider,
                       "model", model,
                       NULL);
}

ConfabStore *
confab_chat_session_get_store (ConfabChatSession *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SESSION (self), NULL);

  return self->store;
}

ConfabChat *
confab_chat_session_get_chat (ConfabChatSession *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SESSION (self), NULL);

  return self->chat;
}

ConfabProvider *
confab_chat_session_get_provider (ConfabChatSession *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SESSION (self), NULL);

  return self->provider;
}

const char *
confab_chat_session_get_model_id (ConfabChatSession *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SESSION (self), NULL);

  return self->model_id;
}

void
confab_chat_session_set_parent_id (ConfabChatSession *self,
                                   gint64             parent_id)
{
  g_return_if_fail (CONFAB_IS_CHAT_SESSION (self));
  g_return_if_fail (parent_id >= 0);
  g_return_if_fail (!self->busy);

  if (self->parent_id == parent_id)
    return;

  self->parent_id = parent_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARENT_ID]);
}

gint64
confab_chat_session_get_parent_id (ConfabChatSession *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SESSION (self), 0);

  return self->parent_id;
}

void
confab_chat_session_set_catalogue (ConfabChatSession    *self,
                                   ConfabModelCatalogue *catalogue)
{
  g_return_if_fail (CONFAB_IS_CHAT_SESSION (self));
  g_return_if_fail (catalogue == NULL || CONFAB_IS_MODEL_CATALOGUE (catalogue));

  if (g_set_object (&self->catalogue, catalogue))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATALOGUE]);
}

gboolean
confab_chat_session_get_busy (ConfabChatSession *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SESSION (self), FALSE);

  return self->busy;
}

ConfabMessage *
confab_chat_session_get_user_message (ConfabChatSession *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SESSION (self), NULL);

  return self->user_message;
}

ConfabMessage *
confab_chat_session_get_reply_message (ConfabChatSession *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SESSION (self), NULL);

  return self->reply_message;
}

ConfabReply *
confab_chat_session_get_reply (ConfabChatSession *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SESSION (self), NULL);

  return self->reply;
}

guint
confab_chat_session_get_n_dropped (ConfabChatSession *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SESSION (self), 0);

  return self->n_dropped;
}

/* ------------------------------------------------------------------------ */

static void
set_busy (ConfabChatSession *self,
          gboolean           busy)
{
  if (self->busy == !!busy)
    return;

  self->busy = !!busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Ends a turn that failed before the reply started. */
static void
fail_early (ConfabChatSession *self,
            GTask             *task,
            GError            *error)
{
  set_busy (self, FALSE);
  g_task_return_error (task, error);
}

static void
write_content (ConfabChatSession *self)
{
  g_autoptr(GError) error = NULL;
  const char *text = confab_reply_get_text (self->reply);

  self->last_write = g_get_monotonic_time ();

  if (g_strcmp0 (text, confab_message_get_content (self->reply_message)) == 0)
    return;

  /* The end of the turn writes again; a failure here only costs what a
   * crash in the next moments would lose. */
  if (!confab_store_set_message_content (self->store, self->reply_message, text, &error))
    g_message ("Could not save the reply so far: %s", error->message);
}

static void
on_reply_delta_cb (ConfabReply       *reply,
                   const char        *text,
                   ConfabChatSession *self)
{
  g_signal_emit (self, signals[DELTA], 0, text);

  /* Timestamps, not a timer: nothing to cancel, nothing firing when the
   * stream is idle. */
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
  ConfabChatSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) store_error = NULL;
  ConfabMessageStatus status;

  disconnect_reply (self);

  if (confab_reply_run_finish (reply, result, &error))
    status = CONFAB_MESSAGE_STATUS_COMPLETE;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    status = CONFAB_MESSAGE_STATUS_CANCELLED;
  else
    status = CONFAB_MESSAGE_STATUS_ERROR;

  write_content (self);
  if (!confab_store_finish_message (self->store, self->reply_message, status,
                                   error != NULL ? error->message : NULL,
                                   confab_reply_get_input_tokens (reply),
                                   confab_reply_get_output_tokens (reply),
                                   &store_error))
    g_message ("Could not save the end of the reply: %s", store_error->message);

  g_debug ("%s replied in chat %" G_GINT64_FORMAT ": %s, %" G_GSIZE_FORMAT " bytes",
           self->model_id, confab_chat_get_id (self->chat),
           confab_message_status_to_string (status), strlen (confab_reply_get_text (reply)));

  set_busy (self, FALSE);
  g_signal_emit (self, signals[FINISHED], 0, self->reply_message, error);

  /* The model's error says more than the store's; without one, a reply
   * that could not be saved is still a failure. */
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (store_error != NULL)
    g_task_return_error (task, g_steal_pointer (&store_error));
  else
    g_task_return_boolean (task, TRUE);
}

void
confab_chat_session_send_async (ConfabChatSession   *self,
                                const char          *prompt,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(ConfabChatRequest) request = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) ignored = NULL;
  GError *error = NULL;
  gint64 chat_id;
  gint64 context_window = 0;
  gint64 max_output = 0;
  ConfabMessageDraft draft = { 0 };

  g_return_if_fail (CONFAB_IS_CHAT_SESSION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_chat_session_send_async);

  if (self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "A reply is already being written in this chat.");
      return;
    }

  disconnect_reply (self);
  g_clear_object (&self->reply);
  if (self->user_message != NULL)
    {
      g_clear_object (&self->user_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_MESSAGE]);
    }
  if (self->reply_message != NULL)
    {
      g_clear_object (&self->reply_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLY_MESSAGE]);
    }
  self->n_dropped = 0;
  set_busy (self, TRUE);

  chat_id = confab_chat_get_id (self->chat);

  /* 1. The prompt, before anything can fail on the network. */
  if (prompt != NULL)
    {
      draft.chat_id = chat_id;
      draft.parent_id = self->parent_id;
      draft.role = CONFAB_ROLE_USER;
      draft.author = g_get_user_name ();
      draft.content = prompt;
      draft.status = CONFAB_MESSAGE_STATUS_COMPLETE;
      draft.input_tokens = -1;
      draft.output_tokens = -1;

      self->user_message = confab_store_add_message (self->store, &draft, &error);
      if (self->user_message == NULL)
        {
          fail_early (self, task, error);
          return;
        }
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_MESSAGE]);
    }

  /* The model last used is the one the chat (or thread) offers next; a
   * thread's model is its own and leaves the main line's alone. */
  if (self->parent_id == 0 &&
      !confab_store_set_chat_model (self->store, self->chat, self->model_id, &ignored))
    g_debug ("Could not record the model of chat %" G_GINT64_FORMAT ": %s",
             chat_id, ignored->message);
  g_clear_error (&ignored);
  if (self->parent_id != 0 &&
      !confab_store_set_thread_model (self->store, self->parent_id, self->model_id, &ignored))
    g_debug ("Could not record the model of the thread: %s", ignored->message);
  g_clear_error (&ignored);

  /* 2. The request, from the history as stored (the prompt included). */
  history = confab_conversation_collect (self->store, chat_id, self->parent_id, &error);
  if (history == NULL)
    {
      fail_early (self, task, error);
      return;
    }

  project = confab_store_lookup_project (self->store, confab_chat_get_project_id (self->chat),
                                         &ignored);
  if (self->catalogue != NULL)
    {
      context_window = confab_model_catalogue_get_context_window (self->catalogue,
                                                                  self->model_id);
      max_output = confab_model_catalogue_get_max_output (self->catalogue, self->model_id);
    }

  request = confab_conversation_build (history, self->model_id,
                                       project != NULL
                                         ? confab_project_get_system_prompt (project) : NULL,
                                       context_window, max_output, &self->n_dropped);

  /* 3. The reply's row, so a crash mid-stream still leaves a trace. */
  memset (&draft, 0, sizeof draft);
  draft.chat_id = chat_id;
  draft.parent_id = self->parent_id;
  draft.role = CONFAB_ROLE_ASSISTANT;
  draft.author = self->model_id;
  draft.provider = confab_provider_get_id (self->provider);
  draft.model = self->model;
  draft.content = "";
  draft.status = CONFAB_MESSAGE_STATUS_STREAMING;
  draft.input_tokens = -1;
  draft.output_tokens = -1;

  self->reply_message = confab_store_add_message (self->store, &draft, &error);
  if (self->reply_message == NULL)
    {
      fail_early (self, task, error);
      return;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLY_MESSAGE]);
  g_signal_emit (self, signals[STARTED], 0, self->reply_message);

  /* 4. Stream. */
  self->reply = confab_provider_chat (self->provider, request);
  self->delta_id = g_signal_connect (self->reply, "delta",
                                     G_CALLBACK (on_reply_delta_cb), self);
  self->last_write = g_get_monotonic_time ();
  confab_reply_run_async (self->reply, cancellable, on_reply_done_cb, g_steal_pointer (&task));
}

gboolean
confab_chat_session_send_finish (ConfabChatSession  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
