/* confab-room-session.h: the signed-in session on a confabd server, kept
 * between runs by the desktop and confab-cli.
 *
 * Per data directory (the app's, or confab-cli --data-dir): a small key
 * file, DATA_DIR/servers.ini, names the current server and the user on
 * each; the session token lives only in the keyring (libsecret, schema
 * "io.github.confab.Confab.RoomSession", attributes "server" and
 * "data-dir"), so each data directory has its own session per server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CONFAB_ROOM_SESSION_SCHEMA_NAME "io.github.confab.Confab.RoomSession"

typedef struct
{
  char *server_url;   /* normalized: http(s)://HOST[:PORT][/PATH] */
  char *user;
  char *token;        /* NULL when the keyring has none (signed out) */
} ConfabRoomSession;

ConfabRoomSession *confab_room_session_new           (const char         *server_url,
                                                      const char         *user,
                                                      const char         *token);
/* Wipes the token. */
void               confab_room_session_free          (ConfabRoomSession  *session);

/* http(s)://HOST[:PORT][/PATH] without a trailing slash, ws:// and wss://
 * taken as http:// and https://, the scheme and host in lower case; the
 * form sessions are keyed by. G_IO_ERROR_INVALID_ARGUMENT otherwise. */
char              *confab_room_session_normalize_url (const char         *url,
                                                      GError            **error);
/* $XDG_DATA_HOME/confab, the app's data directory. */
char              *confab_room_session_default_data_dir (void);

/* The session on @server_url, or on the current server when it is NULL.
 * NULL without error when there is none. @data_dir NULL: the app's. */
ConfabRoomSession *confab_room_session_load          (const char         *data_dir,
                                                      const char         *server_url,
                                                      GCancellable       *cancellable,
                                                      GError            **error);
/* Stores @session (the token in the keyring, the rest in the key file) and
 * makes its server the current one. */
gboolean           confab_room_session_save          (const char         *data_dir,
                                                      const ConfabRoomSession *session,
                                                      GCancellable       *cancellable,
                                                      GError            **error);
/* Forgets the session on @server_url (NULL: the current server). TRUE when
 * there was nothing to forget as well. */
gboolean           confab_room_session_delete        (const char         *data_dir,
                                                      const char         *server_url,
                                                      GCancellable       *cancellable,
                                                      GError            **error);

/* The same in a worker thread, for the desktop. */
void               confab_room_session_load_async    (const char         *data_dir,
                                                      const char         *server_url,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
ConfabRoomSession *confab_room_session_load_finish   (GAsyncResult       *result,
                                                      GError            **error);
void               confab_room_session_save_async    (const char         *data_dir,
                                                      const ConfabRoomSession *session,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
gboolean           confab_room_session_save_finish   (GAsyncResult       *result,
                                                      GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabRoomSession, confab_room_session_free)

G_END_DECLS
