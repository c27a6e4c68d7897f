/* confab-chat-controller.c: one turn at a time of a ConfabChatSession.
 *
 * The views own a controller each (the chat view for the main line, the
 * thread pane for its thread), so a thread can answer while the main line
 * streams.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-chat-controller.h"

struct _ConfabChatController
{
  GObject               parent_instance;

  ConfabStore          *store;
  ConfabModelCatalogue *catalogue;
  ConfabChat           *chat;
  gint64                parent_id;

  /* The running turn, NULL when idle. */
  GCancellable         *cancellable;
  ConfabChatSession    *session;
};

G_DEFINE_FINAL_TYPE (ConfabChatController, confab_chat_controller, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum {
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  ConfabChatController *self;
  GCancellable         *cancellable;
  char                 *prompt;
  char                 *model;
  ConfabMessage        *replace;
} SendData;

static void
send_data_free (SendData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->cancellable);
  g_clear_pointer (&data->prompt, g_free);
  g_clear_pointer (&data->model, g_free);
  g_clear_object (&data->replace);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SendData, send_data_free)

static ConfabRoomAccount *
get_room_account (void)
{
  GApplication *app = g_application_get_default ();

  return CONFAB_IS_APPLICATION (app)
         ? confab_application_get_room_account (CONFAB_APPLICATION (app)) : NULL;
}

static ConfabRoomSync *
get_room_sync (void)
{
  ConfabRoomAccount *account = get_room_account ();

  return account != NULL ? confab_room_account_get_sync (account) : NULL;
}

/* A shared chat takes messages only when the room can get them (online,
 * not a viewer): written here alone they would never reach the others. */
static gboolean
confab_chat_controller_check_write (ConfabChatController  *self,
                                    GError               **error)
{
  ConfabRoomAccount *account = get_room_account ();
  g_autoptr(ConfabProject) project = NULL;

  project = confab_store_lookup_project (self->store, confab_chat_get_project_id (self->chat),
                                         NULL);
  if (project == NULL || !confab_project_get_shared (project))
    return TRUE;

  if (account == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   _("“%s” is shared: sign in to its server to write in it."),
                   confab_project_get_name (project));
      return FALSE;
    }

  return confab_room_account_check_write (account, project, error);
}

ConfabChatController *
confab_chat_controller_new (void)
{
  return g_object_new (CONFAB_TYPE_CHAT_CONTROLLER, NULL);
}

void
confab_chat_controller_set_store (ConfabChatController *self,
                                  ConfabStore          *store)
{
  g_return_if_fail (CONFAB_IS_CHAT_CONTROLLER (self));

  g_set_object (&self->store, store);
}

void
confab_chat_controller_set_catalogue (ConfabChatController *self,
                                      ConfabModelCatalogue *catalogue)
{
  g_return_if_fail (CONFAB_IS_CHAT_CONTROLLER (self));

  g_set_object (&self->catalogue, catalogue);
}

void
confab_chat_controller_set_chat (ConfabChatController *self,
                                 ConfabChat           *chat,
                                 gint64                parent_id)
{
  g_return_if_fail (CONFAB_IS_CHAT_CONTROLLER (self));

  if (chat == self->chat && parent_id == self->parent_id)
    return;

  /* The session keeps streaming into the store if we let it: a reply the
   * user cannot see or stop any more is worse than a cancelled one. */
  confab_chat_controller_stop (self);
  g_set_object (&self->chat, chat);
  self->parent_id = parent_id;
}

ConfabChat *
confab_chat_controller_get_chat (ConfabChatController *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_CONTROLLER (self), NULL);

  return self->chat;
}

gboolean
confab_chat_controller_get_busy (ConfabChatController *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_CONTROLLER (self), FALSE);

  return self->cancellable != NULL;
}

static void
confab_chat_controller_done (ConfabChatController *self,
                             GCancellable         *cancellable)
{
  /* A newer turn may have started after a stop: leave it alone. */
  if (self->cancellable != cancellable)
    return;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
confab_chat_controller_fail (SendData     *data,
                             const GError *error,
                             gboolean      prompt_stored)
{
  ConfabChatController *self = data->self;

  confab_chat_controller_done (self, data->cancellable);
  /* Stopping is what the user asked for: no error to show. */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (self, signals[FAILED], 0, error, prompt_stored,
                   prompt_stored ? NULL : data->prompt);
}

static void
on_sent_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SendData) data = user_data;
  ConfabChatSession *session = CONFAB_CHAT_SESSION (object);
  g_autoptr(GError) error = NULL;

  if (!confab_chat_session_send_finish (session, result, &error))
    {
      gboolean stored = data->prompt == NULL
                        || confab_chat_session_get_user_message (session) != NULL;

      confab_chat_controller_fail (data, error, stored);
      return;
    }

  confab_chat_controller_done (data->self, data->cancellable);
}

static void
on_provider_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SendData) data = user_data;
  ConfabChatController *self = data->self;
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabChatSession) session = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;
  const char *model;
  const char *prompt = data->prompt;

  provider = confab_model_catalogue_get_provider_finish (CONFAB_MODEL_CATALOGUE (object),
                                                         result, &error);
  if (provider == NULL)
    {
      confab_chat_controller_fail (data, error, FALSE);
      return;
    }
  if (g_cancellable_set_error_if_cancelled (data->cancellable, &error) || self->chat == NULL)
    {
      confab_chat_controller_done (self, data->cancellable);
      return;
    }

  /* Edit: the new user message replaces the old one, the reply follows.
   * Regenerate: the reply and what followed move to another branch. */
  if (data->replace != NULL)
    {
      if (confab_message_get_role (data->replace) == CONFAB_ROLE_USER && prompt != NULL)
        {
          ConfabMessageDraft draft = {
            .chat_id = confab_message_get_chat_id (data->replace),
            .role = CONFAB_ROLE_USER,
            .author = g_get_user_name (),
            .content = prompt,
            .status = CONFAB_MESSAGE_STATUS_COMPLETE,
            .input_tokens = -1,
            .output_tokens = -1,
          };
          g_autoptr(ConfabMessage) added = NULL;

          added = confab_store_add_alternative (self->store, data->replace, &draft, &error);
          if (added == NULL)
            {
              confab_chat_controller_fail (data, error, FALSE);
              return;
            }
          prompt = NULL;
        }
      else if (confab_store_branch_from (self->store, data->replace, &error) == 0)
        {
          confab_chat_controller_fail (data, error, TRUE);
          return;
        }
    }

  model = strchr (data->model, ':') + 1;
  session = confab_chat_session_new (self->store, self->chat, provider, model);
  confab_chat_session_set_parent_id (session, self->parent_id);
  confab_chat_session_set_catalogue (session, self->catalogue);
  g_set_object (&self->session, session);
  /* In a shared chat the room sees the prompt and the reply as it streams. */
  if (get_room_sync () != NULL)
    confab_room_sync_relay (get_room_sync (), session);
  /* Not data->cancellable in the call: the steal may be evaluated first. */
  cancellable = data->cancellable;
  confab_chat_session_send_async (session, prompt, cancellable,
                                  on_sent_cb, g_steal_pointer (&data));
}

void
confab_chat_controller_send (ConfabChatController *self,
                             const char           *prompt,
                             const char           *model_id,
                             ConfabMessage        *replace)
{
  g_autoptr(SendData) data = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *provider_id = NULL;
  const char *colon;

  g_return_if_fail (CONFAB_IS_CHAT_CONTROLLER (self));
  g_return_if_fail (!replace || CONFAB_IS_MESSAGE (replace));

  if (self->cancellable != NULL || self->chat == NULL || self->store == NULL)
    return;

  /* Refused before anything is stored, so the prompt goes back. */
  if (!confab_chat_controller_check_write (self, &error))
    {
      g_signal_emit (self, signals[FAILED], 0, error, FALSE, prompt);
      return;
    }

  data = g_new0 (SendData, 1);
  data->self = g_object_ref (self);
  data->prompt = g_strdup (prompt);
  data->model = g_strdup (model_id);
  data->replace = replace ? g_object_ref (replace) : NULL;

  /* The app makes its catalogue with the store, after the views. */
  if (self->catalogue == NULL && CONFAB_IS_APPLICATION (g_application_get_default ()))
    confab_chat_controller_set_catalogue (self,
      confab_application_get_catalogue (CONFAB_APPLICATION (g_application_get_default ())));

  colon = model_id ? strchr (model_id, ':') : NULL;
  if (colon == NULL || colon == model_id || colon[1] == '\0' || self->catalogue == NULL)
    {
      error = g_error_new_literal (CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_MODEL_NOT_FOUND,
                                   _("No model chosen"));
      g_signal_emit (self, signals[FAILED], 0, error, FALSE, prompt);
      return;
    }

  self->cancellable = g_cancellable_new ();
  data->cancellable = g_object_ref (self->cancellable);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  provider_id = g_strndup (model_id, colon - model_id);
  confab_model_catalogue_get_provider_async (self->catalogue, provider_id, self->cancellable,
                                             on_provider_cb, g_steal_pointer (&data));
}

void
confab_chat_controller_stop (ConfabChatController *self)
{
  g_return_if_fail (CONFAB_IS_CHAT_CONTROLLER (self));

  /* The session finishes the reply as cancelled, keeping its text. */
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      confab_chat_controller_done (self, self->cancellable);
    }
}

static void
confab_chat_controller_dispose (GObject *object)
{
  ConfabChatController *self = CONFAB_CHAT_CONTROLLER (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->chat);
  g_clear_object (&self->catalogue);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_chat_controller_parent_class)->dispose (object);
}

static void
confab_chat_controller_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  ConfabChatController *self = CONFAB_CHAT_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, confab_chat_controller_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_controller_class_init (ConfabChatControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_chat_controller_dispose;
  object_class->get_property = confab_chat_controller_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabChatController::failed:
   * @error: what went wrong
   * @prompt_stored: whether the prompt is in the store
   * @prompt: (nullable): the prompt to give back when it is not
   */
  signals[FAILED] =
    g_signal_new ("failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_BOOLEAN,
                  G_TYPE_STRING);
}

static void
confab_chat_controller_init (ConfabChatController *self)
{
}
