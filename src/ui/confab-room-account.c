/* confab-room-account.c: the session on a confabd server, its connection
 * and the sync of the shared projects.
 *
 * The client reconnects by itself once it has been connected; a first
 * connection that fails (the server is down when the app starts) it leaves
 * to its caller, so the account retries that one itself, with the same
 * backoff. Either way nothing runs while connected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "confab-room-account.h"
#include "confab-room-session.h"

#define RETRY_MIN_MS 1000
#define RETRY_MAX_MS 60000

struct _ConfabRoomAccount
{
  GObject                  parent_instance;

  ConfabStore             *store;
  char                    *data_dir;

  ConfabRoomClient        *client;
  ConfabRoomSync          *sync;
  ConfabRoomAccountStatus  status;
  char                    *user;
  char                    *server_url;
  char                    *last_error;

  /* Restoring and connecting; cancelled by dispose and sign-out. */
  GCancellable            *cancellable;
  guint                    retry_id;
  guint                    retry_ms;
};

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

/* Makes @client (signed in or with a token) the account's. */
static void
install (ConfabRoomAccount *self,
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
  install (self, client, session->server_url, session->user);
  confab_room_account_connect (self);
}

void
confab_room_account_restore (ConfabRoomAccount *self)
{
  g_return_if_fail (CONFAB_IS_ROOM_ACCOUNT (self));

  confab_room_session_load_async (self->data_dir, NULL, self->cancellable,
                                  on_session_loaded_cb, g_object_ref (self));
}

/* ---- Signing in */

typedef struct
{
  ConfabRoomClient *client;
  char             *server_url;
  char             *user;
  char             *password;
  gboolean          create;
} SignIn;

static void
sign_in_free (SignIn *sign_in)
{
  if (sign_in->client != NULL)
    {
      /* Only an attempt that failed is still here. */
      confab_room_client_close (sign_in->client);
      g_clear_object (&sign_in->client);
    }
  if (sign_in->password != NULL)
    explicit_bzero (sign_in->password, strlen (sign_in->password));
  g_free (sign_in->password);
  g_free (sign_in->server_url);
  g_free (sign_in->user);
  g_free (sign_in);
}

static void
on_session_saved_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabRoomAccount *self = g_task_get_source_object (task);
  SignIn *sign_in = g_task_get_task_data (task);
  g_autoptr(ConfabRoomClient) client = NULL;
  g_autoptr(GError) error = NULL;

  /* Signed in all the same: only the next start will ask again. */
  if (!confab_room_session_save_finish (result, &error))
    g_message ("The server session is not kept: %s", error->message);

  if (g_task_return_error_if_cancelled (task))
    return;

  client = g_steal_pointer (&sign_in->client);
  confab_room_client_set_auto_reconnect (client, TRUE);
  install (self, client, sign_in->server_url, confab_room_client_get_user (client));
  g_task_return_boolean (task, TRUE);
}

static void
on_signed_in_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabRoomAccount *self = g_task_get_source_object (task);
  SignIn *sign_in = g_task_get_task_data (task);
  ConfabRoomClient *client = CONFAB_ROOM_CLIENT (object);
  g_autoptr(ConfabRoomSession) session = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  if (!confab_room_client_login_finish (client, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  session = confab_room_session_new (sign_in->server_url, confab_room_client_get_user (client),
                                     confab_room_client_get_token (client));
  cancellable = g_task_get_cancellable (task);
  confab_room_session_save_async (self->data_dir, session, cancellable,
                                  on_session_saved_cb, g_steal_pointer (&task));
}

static void
on_sign_in_connected_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignIn *sign_in = g_task_get_task_data (task);
  ConfabRoomClient *client = CONFAB_ROOM_CLIENT (object);
  GCancellable *cancellable;
  GError *error = NULL;

  if (!confab_room_client_connect_finish (client, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* Not g_task_get_cancellable (task) in the call: the steal may come first. */
  cancellable = g_task_get_cancellable (task);
  confab_room_client_login_async (client, sign_in->user, sign_in->password, sign_in->create,
                                  cancellable, on_signed_in_cb, g_steal_pointer (&task));
}

void
confab_room_account_sign_in_async (ConfabRoomAccount   *self,
                                   const char          *server_url,
                                   const char          *user,
                                   const char          *password,
                                   gboolean             create,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *with_scheme = NULL;
  GError *error = NULL;
  SignIn *sign_in;

  g_return_if_fail (CONFAB_IS_ROOM_ACCOUNT (self));
  g_return_if_fail (server_url != NULL && user != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_room_account_sign_in_async);

  /* "confab.example.org" is meant as https. */
  server_url = g_strstrip (with_scheme = g_strdup (server_url));
  if (*server_url != '\0' && strstr (server_url, "://") == NULL)
    {
      char *https = g_strconcat ("https://", server_url, NULL);

      g_free (with_scheme);
      server_url = with_scheme = https;
    }

  sign_in = g_new0 (SignIn, 1);
  sign_in->user = g_strdup (user);
  sign_in->password = g_strdup (password);
  sign_in->create = create;
  g_task_set_task_data (task, sign_in, (GDestroyNotify) sign_in_free);

  sign_in->server_url = confab_room_session_normalize_url (server_url, &error);
  if (sign_in->server_url == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Its own client: a failed attempt leaves the current account alone. */
  sign_in->client = confab_room_client_new (sign_in->server_url);
  confab_room_client_set_auto_reconnect (sign_in->client, FALSE);
  confab_room_client_connect_async (sign_in->client, cancellable, on_sign_in_connected_cb,
                                    g_steal_pointer (&task));
}

gboolean
confab_room_account_sign_in_finish (ConfabRoomAccount  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_ACCOUNT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Signing out */

static void
on_logged_out_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ConfabRoomClient *client = CONFAB_ROOM_CLIENT (object);
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = confab_room_client_request_finish (client, result, &error);
  if (answer == NULL)
    g_debug ("The server did not end the session: %s", error->message);
  confab_room_client_close (client);
  g_object_unref (client);
}

static void
delete_session_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  ConfabRoomAccount *self = source_object;
  GError *error = NULL;

  if (confab_room_session_delete (self->data_dir, task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_session_deleted_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_message ("Cannot forget the server session: %s", error->message);
}

void
confab_room_account_sign_out (ConfabRoomAccount *self)
{
  g_autoptr(ConfabRoomClient) client = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CONFAB_IS_ROOM_ACCOUNT (self));

  if (self->client == NULL)
    return;

  client = g_object_ref (self->client);
  g_object_freeze_notify (G_OBJECT (self));
  uninstall (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
  update_status (self);
  g_object_thaw_notify (G_OBJECT (self));

  /* Revoking the token is a courtesy; forgetting it is what matters. */
  if (confab_room_client_get_state (client) == CONFAB_ROOM_CLIENT_CONNECTED)
    {
      g_autoptr(JsonNode) frame = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "type", "logout");
      json_node_take_object (frame, object);
      confab_room_client_set_auto_reconnect (client, FALSE);
      confab_room_client_request_async (client, frame, NULL, on_logged_out_cb,
                                        g_object_ref (client));
    }
  else
    confab_room_client_close (client);

  task = g_task_new (self, NULL, on_session_deleted_cb, NULL);
  g_task_set_source_tag (task, confab_room_account_sign_out);
  g_task_set_task_data (task, g_strdup (self->server_url), g_free);
  g_task_run_in_thread (task, delete_session_thread);
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

char *
confab_room_account_describe_error (const GError *error,
                                    const char   *server_url,
                                    const char   *user,
                                    gboolean      create)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == CONFAB_PROTOCOL_ERROR)
    {
      switch (error->code)
        {
        case CONFAB_PROTOCOL_ERROR_UNAUTHORIZED:
          return g_strdup (_("Wrong user name or password."));

        case CONFAB_PROTOCOL_ERROR_REGISTER_CLOSED:
          return g_strdup (_("This server does not let anyone create an account. Ask its "
                             "administrator for one, then sign in."));

        case CONFAB_PROTOCOL_ERROR_CONFLICT:
          if (create && user != NULL)
            return g_strdup_printf (_("The user name “%s” is already taken on this server."),
                                    user);
          break;

        case CONFAB_PROTOCOL_ERROR_RATE_LIMITED:
          return g_strdup (_("Too many attempts. Wait a few minutes, then try again."));

        case CONFAB_PROTOCOL_ERROR_EXPIRED:
          return g_strdup (_("Your session on the server has ended. Sign in again."));

        case CONFAB_PROTOCOL_ERROR_BAD_VERSION:
          return g_strdup (_("This server speaks another version of Confab’s protocol: "
                             "update Confab or the server."));

        default:
          break;
        }

      /* The server's own words are meant for people (a bad user name…). */
      return g_strdup (error->message);
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    return g_strdup (error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_("Cancelled."));

  /* Everything else is about reaching it: sockets, names, TLS, HTTP. */
  return g_strdup_printf (_("Cannot reach the server at %s. Check the address and your "
                            "connection. (%s)"),
                          server_url != NULL ? server_url : "?", error->message);
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
