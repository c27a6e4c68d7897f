/* confab-room-account-private.h: what confab-room-account.c (the session,
 * its connection and sync) and confab-room-account-sign-in.c share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-room-account.h"

G_BEGIN_DECLS

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

  /* Restoring and connecting; cancelled by dispose. */
  GCancellable            *cancellable;
  guint                    retry_id;
  guint                    retry_ms;
};

/* Makes @client (signed in, or with a token to sign in with) the account's,
 * with a new sync; the previous client is closed. */
void _confab_room_account_install   (ConfabRoomAccount *self,
                                     ConfabRoomClient  *client,
                                     const char        *server_url,
                                     const char        *user);
/* Drops the client and the sync (signed out); the caller closes the client. */
void _confab_room_account_uninstall (ConfabRoomAccount *self);

G_END_DECLS
