/* confab-room-session.c: the session on a confabd server, between runs.
 *
 * The token is a password for the account: it only passes through here,
 * goes to the keyring and nowhere else (not the key file, not a log).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-room-session"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "confab-room-session.h"
#include "confab-secrets.h"

#define KEY_FILE_NAME  "servers.ini"
#define MAIN_GROUP     "confab"
#define SERVER_PREFIX  "server "

static const SecretSchema session_schema = {
  CONFAB_ROOM_SESSION_SCHEMA_NAME,
  SECRET_SCHEMA_NONE,
  {
    { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "data-dir", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

ConfabRoomSession *
confab_room_session_new (const char *server_url,
                         const char *user,
                         const char *token)
{
  ConfabRoomSession *session = g_new0 (ConfabRoomSession, 1);

  session->server_url = g_strdup (server_url);
  session->user = g_strdup (user);
  session->token = g_strdup (token);

  return session;
}

void
confab_room_session_free (ConfabRoomSession *session)
{
  if (session == NULL)
    return;

  if (session->token != NULL)
    explicit_bzero (session->token, strlen (session->token));
  g_free (session->token);
  g_free (session->server_url);
  g_free (session->user);
  g_free (session);
}

static ConfabRoomSession *
session_copy (const ConfabRoomSession *session)
{
  return confab_room_session_new (session->server_url, session->user, session->token);
}

char *
confab_room_session_normalize_url (const char  *url,
                                   GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  const char *scheme;
  const char *http_scheme;
  gsize length;

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("No server address was given."));
      return NULL;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (scheme != NULL && (g_ascii_strcasecmp (scheme, "http") == 0 ||
                         g_ascii_strcasecmp (scheme, "ws") == 0))
    http_scheme = "http";
  else if (scheme != NULL && (g_ascii_strcasecmp (scheme, "https") == 0 ||
                              g_ascii_strcasecmp (scheme, "wss") == 0))
    http_scheme = "https";
  else
    http_scheme = NULL;

  if (http_scheme == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL ||
      g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a server address; use http://HOST:PORT or https://HOST:PORT."),
                   url);
      return NULL;
    }

  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  path = g_strdup (g_uri_get_path (uri));
  length = strlen (path);
  while (length > 0 && path[length - 1] == '/')
    path[--length] = '\0';
  /* A ws:// URL may name the endpoint; the session is the server's. */
  if (g_ascii_strncasecmp (scheme, "ws", 2) == 0 && g_str_has_suffix (path, "/ws"))
    path[length - 3] = '\0';

  {
    g_autoptr(GUri) normalized = g_uri_build (G_URI_FLAGS_NONE, http_scheme, NULL, host,
                                              g_uri_get_port (uri), path, NULL, NULL);

    return g_uri_to_string (normalized);
  }
}

char *
confab_room_session_default_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "confab", NULL);
}

/* The absolute data directory: the keyring attribute that tells two
 * --data-dir apart. */
static char *
resolve_data_dir (const char *data_dir)
{
  g_autofree char *dir = data_dir != NULL ? g_strdup (data_dir)
                                          : confab_room_session_default_data_dir ();

  return g_canonicalize_filename (dir, NULL);
}

/* ------------------------------------------------------------------------ */
/* The keyring. */

/* Without a session bus GDBus would try to autolaunch one: say
 * "unavailable" right away instead (as confab-secrets.c does). */
static gboolean
check_session_bus (GError **error)
{
  const char *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  g_autofree char *socket = NULL;

  if (address != NULL && *address != '\0')
    return TRUE;

  socket = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);
  if (g_file_test (socket, G_FILE_TEST_EXISTS))
    return TRUE;

  g_set_error_literal (error, CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_UNAVAILABLE,
                       _("The keyring is not available: there is no D-Bus session."));
  return FALSE;
}

static void
propagate_keyring_error (GError **error,
                         GError  *local_error)
{
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, local_error);
  else if (g_error_matches (local_error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    {
      g_set_error (error, CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_LOCKED,
                   _("The keyring is locked: unlock it and try again. (%s)"),
                   local_error->message);
      g_error_free (local_error);
    }
  else
    {
      g_set_error (error, CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_UNAVAILABLE,
                   _("The keyring is not available: %s"), local_error->message);
      g_error_free (local_error);
    }
}

/* libsecret's _sync calls run their own main context, and the D-Bus
 * proxies they make subscribe signals on it: when those proxies go away
 * (secret_service_disconnect() at exit) the cleanup is queued on a context
 * nobody runs, which LeakSanitizer reports once network traffic has
 * started GIO's workers first. The async calls, completed by running the
 * caller's own thread-default context, keep everything on a context that
 * lives on. */
static void
keyring_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
keyring_wait (GAsyncResult **result)
{
  GMainContext *context = g_main_context_ref_thread_default ();

  while (*result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_unref (context);

  return *result;
}

static char *
lookup_token (const char    *server_url,
              const char    *data_dir,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GError *local_error = NULL;
  GList *items;
  const char *data;
  gsize length = 0;

  if (!check_session_bus (error))
    return NULL;

  secret_service_get (SECRET_SERVICE_OPEN_SESSION, cancellable, keyring_cb, &result);
  service = secret_service_get_finish (keyring_wait (&result), &local_error);
  g_clear_object (&result);
  if (service == NULL)
    {
      propagate_keyring_error (error, local_error);
      return NULL;
    }

  /* A search, not secret_password_lookup(), which leaks in libsecret
   * 0.20.5 (see confab-secrets.c). */
  attributes = secret_attributes_build (&session_schema,
                                        "server", server_url,
                                        "data-dir", data_dir,
                                        NULL);
  secret_service_search (service, &session_schema, attributes,
                         SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                         cancellable, keyring_cb, &result);
  items = secret_service_search_finish (service, keyring_wait (&result), &local_error);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error);
      return NULL;
    }
  if (items == NULL)
    return NULL;

  value = secret_item_get_secret (items->data);
  g_list_free_full (items, g_object_unref);
  if (value == NULL)
    {
      g_set_error_literal (error, CONFAB_SECRETS_ERROR, CONFAB_SECRETS_ERROR_LOCKED,
                           _("The keyring is locked: unlock it and try again."));
      return NULL;
    }

  data = secret_value_get (value, &length);
  return g_strndup (data, length);
}

static gboolean
store_token (const char    *server_url,
             const char    *user,
             const char    *data_dir,
             const char    *token,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *label = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GError *local_error = NULL;

  if (!check_session_bus (error))
    return FALSE;

  label = g_strdup_printf (_("Confab: session of %s on %s"), user, server_url);
  secret_password_store (&session_schema, SECRET_COLLECTION_DEFAULT, label, token,
                         cancellable, keyring_cb, &result,
                         "server", server_url,
                         "data-dir", data_dir,
                         NULL);
  if (!secret_password_store_finish (keyring_wait (&result), &local_error))
    {
      propagate_keyring_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

static gboolean
clear_token (const char    *server_url,
             const char    *data_dir,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *local_error = NULL;

  if (!check_session_bus (error))
    return FALSE;

  secret_password_clear (&session_schema, cancellable, keyring_cb, &result,
                         "server", server_url,
                         "data-dir", data_dir,
                         NULL);
  secret_password_clear_finish (keyring_wait (&result), &local_error);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* The key file. */

static GKeyFile *
load_key_file (const char  *data_dir,
               GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *path = g_build_filename (data_dir, KEY_FILE_NAME, NULL);
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not read %s: %s"), path, local_error->message);
      return NULL;
    }

  return g_steal_pointer (&key_file);
}

static gboolean
save_key_file (GKeyFile    *key_file,
               const char  *data_dir,
               GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, KEY_FILE_NAME, NULL);
  g_autoptr(GError) local_error = NULL;

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create %s: %s"), data_dir, g_strerror (saved));
      return FALSE;
    }

  if (!g_key_file_save_to_file (key_file, path, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write %s: %s"), path, local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* The server asked for, normalized, or the current one (NULL: none). */
static gboolean
pick_server (GKeyFile    *key_file,
             const char  *server_url,
             char       **picked,
             GError     **error)
{
  *picked = NULL;

  if (server_url != NULL)
    {
      *picked = confab_room_session_normalize_url (server_url, error);
      return *picked != NULL;
    }

  *picked = g_key_file_get_string (key_file, MAIN_GROUP, "current", NULL);
  return TRUE;
}

ConfabRoomSession *
confab_room_session_load (const char    *data_dir,
                          const char    *server_url,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autofree char *dir = resolve_data_dir (data_dir);
  g_autoptr(GKeyFile) key_file = NULL;
  g_autofree char *server = NULL;
  g_autofree char *group = NULL;
  g_autofree char *user = NULL;
  GError *local_error = NULL;
  char *token;
  ConfabRoomSession *session;

  key_file = load_key_file (dir, error);
  if (key_file == NULL || !pick_server (key_file, server_url, &server, error))
    return NULL;
  if (server == NULL)
    return NULL;

  group = g_strconcat (SERVER_PREFIX, server, NULL);
  user = g_key_file_get_string (key_file, group, "user", NULL);
  if (user == NULL)
    return NULL;

  token = lookup_token (server, dir, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  session = confab_room_session_new (server, user, NULL);
  session->token = token;
  return session;
}

gboolean
confab_room_session_save (const char               *data_dir,
                          const ConfabRoomSession  *session,
                          GCancellable             *cancellable,
                          GError                  **error)
{
  g_autofree char *dir = resolve_data_dir (data_dir);
  g_autoptr(GKeyFile) key_file = NULL;
  g_autofree char *server = NULL;
  g_autofree char *group = NULL;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (session->user != NULL && session->token != NULL, FALSE);

  server = confab_room_session_normalize_url (session->server_url, error);
  if (server == NULL)
    return FALSE;

  key_file = load_key_file (dir, error);
  if (key_file == NULL)
    return FALSE;

  /* The keyring first: a key file that names a session without a token
   * would only say "signed out". */
  if (!store_token (server, session->user, dir, session->token, cancellable, error))
    return FALSE;

  group = g_strconcat (SERVER_PREFIX, server, NULL);
  g_key_file_set_string (key_file, group, "user", session->user);
  g_key_file_set_string (key_file, MAIN_GROUP, "current", server);

  return save_key_file (key_file, dir, error);
}

gboolean
confab_room_session_delete (const char    *data_dir,
                            const char    *server_url,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autofree char *dir = resolve_data_dir (data_dir);
  g_autoptr(GKeyFile) key_file = NULL;
  g_autofree char *server = NULL;
  g_autofree char *group = NULL;
  g_autofree char *current = NULL;

  key_file = load_key_file (dir, error);
  if (key_file == NULL || !pick_server (key_file, server_url, &server, error))
    return FALSE;
  if (server == NULL)
    return TRUE;

  if (!clear_token (server, dir, cancellable, error))
    return FALSE;

  group = g_strconcat (SERVER_PREFIX, server, NULL);
  if (!g_key_file_has_group (key_file, group))
    return TRUE;

  g_key_file_remove_group (key_file, group, NULL);
  current = g_key_file_get_string (key_file, MAIN_GROUP, "current", NULL);
  if (g_strcmp0 (current, server) == 0)
    g_key_file_remove_key (key_file, MAIN_GROUP, "current", NULL);

  return save_key_file (key_file, dir, error);
}

/* ------------------------------------------------------------------------ */
/* In a thread. */

typedef struct
{
  char              *data_dir;
  char              *server_url;
  ConfabRoomSession *session;
} TaskData;

static void
task_data_free (TaskData *data)
{
  g_free (data->data_dir);
  g_free (data->server_url);
  confab_room_session_free (data->session);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TaskData *data = task_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  GError *error = NULL;
  ConfabRoomSession *session;

  /* The worker's own context, for the keyring calls to complete on. */
  g_main_context_push_thread_default (context);
  session = confab_room_session_load (data->data_dir, data->server_url, cancellable, &error);
  g_main_context_pop_thread_default (context);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, session, (GDestroyNotify) confab_room_session_free);
}

void
confab_room_session_load_async (const char          *data_dir,
                                const char          *server_url,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  TaskData *data = g_new0 (TaskData, 1);

  g_task_set_source_tag (task, confab_room_session_load_async);
  data->data_dir = g_strdup (data_dir);
  data->server_url = g_strdup (server_url);
  g_task_set_task_data (task, data, (GDestroyNotify) task_data_free);
  g_task_run_in_thread (task, load_thread);
}

/**
 * confab_room_session_load_finish:
 *
 * Returns: (transfer full) (nullable): the session, or %NULL without error
 *   when there is none
 */
ConfabRoomSession *
confab_room_session_load_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TaskData *data = task_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  GError *error = NULL;
  gboolean saved;

  g_main_context_push_thread_default (context);
  saved = confab_room_session_save (data->data_dir, data->session, cancellable, &error);
  g_main_context_pop_thread_default (context);
  if (!saved)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
confab_room_session_save_async (const char              *data_dir,
                                const ConfabRoomSession *session,
                                GCancellable            *cancellable,
                                GAsyncReadyCallback      callback,
                                gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *data;

  g_return_if_fail (session != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  data = g_new0 (TaskData, 1);
  g_task_set_source_tag (task, confab_room_session_save_async);
  data->data_dir = g_strdup (data_dir);
  data->session = session_copy (session);
  g_task_set_task_data (task, data, (GDestroyNotify) task_data_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
confab_room_session_save_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
