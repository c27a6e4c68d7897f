/* confab-room-account.h: the desktop's account on a confabd server: the
 * saved session, the connection (ConfabRoomClient) and the shared projects'
 * sync (ConfabRoomSync) while signed in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "confab-core.h"
#include "confab-room-client.h"
#include "confab-room-sync.h"

G_BEGIN_DECLS

typedef enum
{
  CONFAB_ROOM_ACCOUNT_SIGNED_OUT,   /* no session: nothing is shared from here */
  CONFAB_ROOM_ACCOUNT_CONNECTING,   /* the first connection since starting */
  CONFAB_ROOM_ACCOUNT_ONLINE,
  CONFAB_ROOM_ACCOUNT_OFFLINE,      /* lost or unreachable; trying again */
  CONFAB_ROOM_ACCOUNT_EXPIRED,      /* the server refused the session */
} ConfabRoomAccountStatus;

GType confab_room_account_status_get_type (void) G_GNUC_CONST;
#define CONFAB_TYPE_ROOM_ACCOUNT_STATUS (confab_room_account_status_get_type ())

#define CONFAB_TYPE_ROOM_ACCOUNT (confab_room_account_get_type ())
G_DECLARE_FINAL_TYPE (ConfabRoomAccount, confab_room_account, CONFAB, ROOM_ACCOUNT, GObject)

/* @data_dir NULL: the app's (where the store is). */
ConfabRoomAccount       *confab_room_account_new            (ConfabStore       *store,
                                                             const char        *data_dir);
/* Loads the saved session and connects in the background. */
void                     confab_room_account_restore        (ConfabRoomAccount *self);

/* NULL while signed out. */
ConfabRoomClient        *confab_room_account_get_client     (ConfabRoomAccount *self);
ConfabRoomSync          *confab_room_account_get_sync       (ConfabRoomAccount *self);
gboolean                 confab_room_account_get_signed_in  (ConfabRoomAccount *self);
ConfabRoomAccountStatus  confab_room_account_get_status     (ConfabRoomAccount *self);
/* The signed-in user and server, or the last ones (to sign in again). */
const char              *confab_room_account_get_user       (ConfabRoomAccount *self);
const char              *confab_room_account_get_server_url (ConfabRoomAccount *self);
/* Why the account is offline or signed out by the server, or NULL. */
const char              *confab_room_account_get_last_error (ConfabRoomAccount *self);

/* Connects to @server_url, signs in (or creates the account with @create),
 * keeps the session and makes this the account, replacing the previous
 * one. The errors are meant for the user: see
 * confab_room_account_describe_error(). */
void                     confab_room_account_sign_in_async  (ConfabRoomAccount   *self,
                                                             const char          *server_url,
                                                             const char          *user,
                                                             const char          *password,
                                                             gboolean             create,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean                 confab_room_account_sign_in_finish (ConfabRoomAccount   *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);
/* Ends the session on the server (when it can be reached) and forgets it
 * here; shared projects stay, read-only until the next sign-in. */
void                     confab_room_account_sign_out       (ConfabRoomAccount *self);
/* Connects now rather than at the next attempt. */
void                     confab_room_account_retry          (ConfabRoomAccount *self);

/* Whether the user may write in @project now: always for a local project;
 * for a shared one, when signed in to its server, online and not a viewer.
 * The error says why not, for the user. */
gboolean                 confab_room_account_check_write    (ConfabRoomAccount *self,
                                                             ConfabProject     *project,
                                                             GError           **error);
/* Whether @project is shared on the signed-in server. */
gboolean                 confab_room_account_is_shared_here (ConfabRoomAccount *self,
                                                             ConfabProject     *project);

/* A sentence for the user about a sign-in or room request failure. */
char                    *confab_room_account_describe_error (const GError      *error,
                                                             const char        *server_url,
                                                             const char        *user,
                                                             gboolean           create);

G_END_DECLS
