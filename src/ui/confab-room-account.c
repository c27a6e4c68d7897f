/* confab-room-account.c: the session on a confabd server, its connection
 * and the sync of the shared projects.
 *
 * The client reconnects by itself once it has been connected; a first
 * connection that fails (the server is down when the app starts) it leaves
 * to its caller, so the account retries that one itself, with the same
 * backoff. Either way nothing runs while connected. Signing in and out
 * are in confab-room-account-sign-in.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-room-account-private.h"
#include "confab-room-session.h"

#define RETRY_MIN_MS 1000
#define RETRY_MAX_MS 60000

G_DEFINE_FINAL_TYPE (ConfabRoomAccount, confab_room_account, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (ConfabRoomAccountStatus, confab_room_account_status,
  G_DEFINE_ENUM_VALUE (CONFAB_ROOM_ACCOUNT_SIGNED_OUT, "signed-out"),
  G_DEFINE_ENUM_VALUE (CONFAB_ROOM_ACCOUNT_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (CONFAB_ROOM_ACCOUNT_ONLINE, "online"),
  G_DEFINE_ENUM_VALUE (CONFAB_ROOM_ACCOUNT_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (CONFAB_ROOM_ACCOUNT_EXPIRED, "expired"))

enum {
  PROP_0,
  PROP_STORE,
  PROP_DATA_DIR,
  PROP_CLIENT,
  PROP_SYNC,
  PROP_SIGNED_IN,
  PROP_STATUS,
  PROP_USER,
  PROP_SERVER_URL,
  PROP_LAST_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void confab_room_account_connect (ConfabRoomAccount *self);

/* A refusal (bad token, wrong version) will not change by retrying. */
static gboolean
is_permanent (const GError *error)
{
  return error != NULL && error->domain == CONFAB_PROTOCOL_ERROR &&
         error->code != CONFAB_PROTOCOL_ERROR_RATE_LIMITED &&
         error->code != CONFAB_PROTOCOL_ERROR_INTERNAL;
}

static void
set_string (ConfabRoomAccount  *self,
            char              **field,
            const char         *value,
            GParamSpec         *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
update_status (ConfabRoomAccount *self)
{
  ConfabRoomAccountStatus status = CONFAB_ROOM_ACCOUNT_SIGNED_OUT;
  const GError *error = NULL;

  if (self->client != NULL)
    {
      error = confab_room_client_get_last_error (self->client);

      switch (confab_room_client_get_state (self->client))
        {
        case CONFAB_ROOM_CLIENT_CONNECTED:
          status = CONFAB_ROOM_ACCOUNT_ONLINE;
          error = NULL;
          break;

        case CONFAB_ROOM_CLIENT_RECONNECTING:
          status = CONFAB_ROOM_ACCOUNT_OFFLINE;
          break;

        case CONFAB_ROOM_CLIENT_CONNECTING:
        case CONFAB_ROOM_CLIENT_DISCONNECTED:
        default:
          /* A new attempt after a failure is still "offline". */
          if (is_permanent (error))
            status = CONFAB_ROOM_ACCOUNT_EXPIRED;
          else if (error != NULL || self->status == CONFAB_ROOM_ACCOUNT_OFFLINE)
            status = CONFAB_ROOM_ACCOUNT_OFFLINE;
          else
            status = CONFAB_ROOM_ACCOUNT_CONNECTING;
          break;
        }
    }

  if (status == CONFAB_ROOM_ACCOUNT_ONLINE)
    {
      self->retry_ms = RETRY_MIN_MS;
      g_clear_handle_id (&self->retry_id, g_source_remove);
    }

  /* The reason stays while offline, also during the next attempt. */
  if (error != NULL || status == CONFAB_ROOM_ACCOUNT_ONLINE ||
      status == CONFAB_ROOM_ACCOUNT_SIGNED_OUT)
    set_string (self, &self->last_error, error ? error->message : NULL,
                properties[PROP_LAST_ERROR]);

  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
}

static void
on_client_state_cb (ConfabRoomAccount *self,
                    GParamSpec        *pspec,
                    ConfabRoomClient  *client)
{
  if (client == self->client)
    update_status (self);
}

static void
on_client_user_cb (ConfabRoomAccount *self,
                   GParamSpec        *pspec,
                   ConfabRoomClient  *client)
{
  if (client == self->client && confab_room_client_get_user (client) != NULL)
    set_string (self, &self->user, confab_room_client_get_user (client), properties[PROP_USER]);
}

static gboolean
on_retry_timeout_cb (gpointer user_data)
{
  ConfabRoomAccount *self = user_data;

  self->retry_id = 0;
  confab_room_account_connect (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_retry (ConfabRoomAccount *self)
{
  guint delay;

  g_clear_handle_id (&self->retry_id, g_source_remove);
  /* Jitter, as the client does, so a restarted server is not stormed. */
  delay = g_random_int_range (self->retry_ms / 2, self->retry_ms + 1);
  self->retry_ms = MIN (self->retry_ms * 2, RETRY_MAX_MS);
  g_debug ("Connecting to %s again in %u ms", self->server_url, delay);
  self->retry_id = g_timeout_add (delay, on_retry_timeout_cb, self);
}

static void
on_connected_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ConfabRoomAccount) self = user_data;
  ConfabRoomClient *client = CONFAB_ROOM_CLIENT (object);
  g_autoptr(GError) error = NULL;

  if (confab_room_client_connect_finish (client, result, &error) || client != self->client)
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_debug ("Cannot connect to %s: %s", self->server_url, error->message);
  update_status (self);

  /* Once connected the client retries by itself (RECONNECTING); before
   * that, a failure leaves it at rest. */
  if (!is_permanent (error) &&
      confab_room_client_get_state (client) == CONFAB_ROOM_CLIENT_DISCONNECTED)
    schedule_retry (self);
}

static void
confab_room_account_connect (ConfabRoomAccount *self)
{
  if (self->client == NULL)
    return;

  g_clear_handle_id (&self->retry_id, g_source_remove);
  confab_room_client_connect_async (self->client, self->cancellable, on_connected_cb,
                                    g_object_ref (self));
}

static void
uninstall (ConfabRoomAccount *self)
{
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);

  /* The sync first: it holds on to the client. */
  if (self->sync != NULL)
    {
      g_object_run_dispose (G_OBJECT (self->sync));
      g_clear_object (&self->sync);
    }
  g_clear_object (&self->client);
}

void
_confab_room_account_install (ConfabRoomAccount *self,
                               ConfabRoomClient  *client,
                               const char        *server_url,
                               const char        *user)
{
  g_object_freeze_notify (G_OBJECT (self));

  if (self->client != NULL)
    {
      g_autoptr(ConfabRoomClient) old = g_object_ref (self->client);

      uninstall (self);
      confab_room_client_close (old);
    }

  self->client = g_object_ref (client);
  self->retry_ms = RETRY_MIN_MS;
  g_signal_connect_object (client, "notify::state", G_CALLBACK (on_client_state_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "notify::user", G_CALLBACK (on_client_user_cb), self,
                           G_CONNECT_SWAPPED);
  self->sync = confab_room_sync_new (self->store, client);

  set_string (self, &self->server_url, server_url, properties[PROP_SERVER_URL]);
  set_string (self, &self->user, user, properties[PROP_USER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
  update_status (self);

  g_object_thaw_notify (G_OBJECT (self));
}

void
_confab_room_account_uninstall (ConfabRoomAccount *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  uninstall (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
  update_status (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- Restoring the saved session */

static void
on_session_loaded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ConfabRoomAccount) self = user_data;
  g_autoptr(ConfabRoomSession) session = NULL;
  g_autoptr(ConfabRoomClient) client = NULL;
  g_autoptr(GError) error = NULL;

  session = confab_room_session_load_finish (result, &error);
  if (session == NULL)
    {
      /* No keyring is not worth a warning: the user signs in again. */
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Cannot restore the server session: %s", error->message);
      return;
    }

  /* Remember who it was, to offer signing in again. */
  if (session->token == NULL || self->client != NULL)
    {
      if (self->client == NULL)
        {
          set_string (self, &self->server_url, session->server_url, properties[PROP_SERVER_URL]);
          set_string (self, &self->user, session->user, properties[PROP_USER]);
        }
      return;
    }

  client = confab_room_client_new (session->server_url);
  confab_room_client_set_token (client, session->token);
  _confab_room_account_install (self, client, session->server_url, session->user);
  confab_room_account_connect (self);
}

void
confab_room_account_restore (ConfabRoomAccount *self)
{
  g_return_if_fail (CONFAB_IS_ROOM_ACCOUNT (self));

  confab_room_session_load_async (self->data_dir, NULL, self->cancellable,
                                  on_session_loaded_cb, g_object_ref (self));
}

void
confab_room_account_retry (ConfabRoomAccount *self)
{
  g_return_if_fail (CONFAB_IS_ROOM_ACCOUNT (self));

  if (self->client != NULL &&
      confab_room_client_get_state (self->client) != CONFAB_ROOM_CLIENT_CONNECTED)
    confab_room_account_connect (self);
}

/* ---- Questions */

gboolean
confab_room_account_is_shared_here (ConfabRoomAccount *self,
                                    ConfabProject     *project)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_ACCOUNT (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), FALSE);

  return self->sync != NULL && confab_room_sync_is_shared (self->sync, project);
}

gboolean
confab_room_account_check_write (ConfabRoomAccount  *self,
                                 ConfabProject      *project,
                                 GError            **error)
{
  ConfabRoomRole role;

  g_return_val_if_fail (CONFAB_IS_ROOM_ACCOUNT (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), FALSE);

  if (!confab_project_get_shared (project))
    return TRUE;

  /* Written here only, it would never reach the others. */
  if (!confab_room_account_is_shared_here (self, project))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   _("“%s” is shared on %s: sign in there to write in it."),
                   confab_project_get_name (project), confab_project_get_room_server (project));
      return FALSE;
    }

  role = confab_room_sync_get_role (self->sync, project);
  if (!confab_room_role_allows (role, CONFAB_ACTION_WRITE))
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_FORBIDDEN,
                   _("You can read “%s” but not write in it: you joined it as a viewer."),
                   confab_project_get_name (project));
      return FALSE;
    }

  if (self->status != CONFAB_ROOM_ACCOUNT_ONLINE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   _("“%s” is shared and the server cannot be reached now: your message "
                     "was not sent."),
                   confab_project_get_name (project));
      return FALSE;
    }

  return TRUE;
}

/* ---- Getters */

ConfabRoomAccount *
confab_room_account_new (ConfabStore *store,
                         const char  *data_dir)
{
  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);

  return g_object_new (CONFAB_TYPE_ROOM_ACCOUNT,
                       "store", store,
                       "data-dir", data_dir,
                       NULL);
}

ConfabRoomClient *
confab_room_account_get_client (ConfabRoomAccount *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_ACCOUNT (self), NULL);

  return self->client;
}

ConfabRoomSync *
confab_room_account_get_sync (ConfabRoomAccount *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_ACCOUNT (self), NULL);

  return self->sync;
}

gboolean
confab_room_account_get_signed_in (ConfabRoomAccount *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_ACCOUNT (self), FALSE);

  return self->client != NULL;
}

ConfabRoomAccountStatus
confab_room_account_get_status (ConfabRoomAccount *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_ACCOUNT (self), CONFAB_ROOM_ACCOUNT_SIGNED_OUT);

  return self->status;
}

const char *
confab_room_account_get_user (ConfabRoomAccount *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_ACCOUNT (self), NULL);

  return self->user;
}

const char *
confab_room_account_get_server_url (ConfabRoomAccount *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_ACCOUNT (self), NULL);

  return self->server_url;
}

const char *
confab_room_account_get_last_error (ConfabRoomAccount *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_ACCOUNT (self), NULL);

  return self->last_error;
}

/* ---- GObject */

static void
confab_room_account_dispose (GObject *object)
{
  ConfabRoomAccount *self = CONFAB_ROOM_ACCOUNT (object);

  g_cancellable_cancel (self->cancellable);
  if (self->client != NULL)
    {
      g_autoptr(ConfabRoomClient) client = g_object_ref (self->client);

      uninstall (self);
      confab_room_client_close (client);
    }

  G_OBJECT_CLASS (confab_room_account_parent_class)->dispose (object);
}

static void
confab_room_account_finalize (GObject *object)
{
  ConfabRoomAccount *self = CONFAB_ROOM_ACCOUNT (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_free (self->data_dir);
  g_free (self->user);
  g_free (self->server_url);
  g_free (self->last_error);

  G_OBJECT_CLASS (confab_room_account_parent_class)->finalize (object);
}

static void
confab_room_account_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabRoomAccount *self = CONFAB_ROOM_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;

    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_SYNC:
      g_value_set_object (value, self->sync);
      break;

    case PROP_SIGNED_IN:
      g_value_set_boolean (value, self->client != NULL);
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_USER:
      g_value_set_string (value, self->user);
      break;

    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;

    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_room_account_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ConfabRoomAccount *self = CONFAB_ROOM_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_room_account_class_init (ConfabRoomAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = confab_room_account_dispose;
  object_class->finalize = confab_room_account_finalize;
  object_class->get_property = confab_room_account_get_property;
  object_class->set_property = confab_room_account_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CONFAB_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, CONFAB_TYPE_ROOM_CLIENT, ro);
  properties[PROP_SYNC] =
    g_param_spec_object ("sync", NULL, NULL, CONFAB_TYPE_ROOM_SYNC, ro);
  properties[PROP_SIGNED_IN] =
    g_param_spec_boolean ("signed-in", NULL, NULL, FALSE, ro);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, CONFAB_TYPE_ROOM_ACCOUNT_STATUS,
                       CONFAB_ROOM_ACCOUNT_SIGNED_OUT, ro);
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL, ro);
  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL, ro);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_room_account_init (ConfabRoomAccount *self)
{
  self->cancellable = g_cancellable_new ();
  self->retry_ms = RETRY_MIN_MS;
}
