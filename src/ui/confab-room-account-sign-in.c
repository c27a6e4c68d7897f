/* confab-room-account-sign-in.c: signing in (or creating the account) on a
 * server, signing out, and the words for what goes wrong.
 *
 * Signing in uses a client of its own: a failed attempt leaves the
 * current account as it was; a successful one replaces it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "confab-room-account-private.h"
#include "confab-room-session.h"

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
  _confab_room_account_install (self, client, sign_in->server_url,
                                confab_room_client_get_user (client));
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
  _confab_room_account_uninstall (self);

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

/* ---- Errors */

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
