/* confabd-accounts.h: user accounts and sessions of confabd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confabd-bus.h"
#include "confabd-storage.h"

G_BEGIN_DECLS

/* A signed-in session, as answered by register, login and auth. */
typedef struct
{
  char   *user;
  char   *token;          /* only after register and login */
  char   *token_hash;     /* what the storage keeps */
  gint64  expires;        /* Unix seconds */
} ConfabdSession;

void confabd_session_free (ConfabdSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdSession, confabd_session_free)

#define CONFABD_TYPE_ACCOUNTS (confabd_accounts_get_type ())
G_DECLARE_FINAL_TYPE (ConfabdAccounts, confabd_accounts, CONFABD, ACCOUNTS, GObject)

ConfabdAccounts *confabd_accounts_new             (ConfabdStorage       *storage);
/* Several instances: failed logins are also counted in Redis, so the
 * limits hold whichever instance a client tries. */
void             confabd_accounts_set_bus         (ConfabdAccounts      *self,
                                                   ConfabdBus           *bus);

/* User names: 1–64 letters, digits, “.”, “_”, “-”; passwords: 8–1024 bytes.
 * INVALID otherwise. */
gboolean         confabd_accounts_check_user_name (const char           *name,
                                                   GError              **error);
gboolean         confabd_accounts_check_password  (const char           *password,
                                                   GError              **error);

/* Hashing and verification run in a worker thread. Errors are
 * CONFAB_PROTOCOL_ERROR (INVALID, CONFLICT, UNAUTHORIZED, RATE_LIMITED),
 * G_IO_ERROR_CANCELLED, or an internal failure of the storage. */
void             confabd_accounts_register_async  (ConfabdAccounts      *self,
                                                   const char           *user,
                                                   const char           *password,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
ConfabdSession  *confabd_accounts_register_finish (ConfabdAccounts      *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
/* @address: the client's address as the per-address rate limit counts
 * it (confabd_address_limit_key: an IPv6 client by its /64). */
void             confabd_accounts_login_async     (ConfabdAccounts      *self,
                                                   const char           *user,
                                                   const char           *password,
                                                   const char           *address,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
/* *@retry_after: seconds to wait, set with RATE_LIMITED. */
ConfabdSession  *confabd_accounts_login_finish    (ConfabdAccounts      *self,
                                                   GAsyncResult         *result,
                                                   gint64               *retry_after,
                                                   GError              **error);

/* A live session for @token, or EXPIRED. */
ConfabdSession  *confabd_accounts_auth            (ConfabdAccounts      *self,
                                                   const char           *token,
                                                   GError              **error);
gboolean         confabd_accounts_logout          (ConfabdAccounts      *self,
                                                   const char           *token_hash,
                                                   GError              **error);

G_END_DECLS
