/* confab-sign-in-dialog.h: signing in to a confabd server, or creating an
 * account there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-room-account.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_SIGN_IN_DIALOG (confab_sign_in_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ConfabSignInDialog, confab_sign_in_dialog, CONFAB, SIGN_IN_DIALOG, AdwWindow)

/* Filled with the account's last server and user. */
ConfabSignInDialog *confab_sign_in_dialog_new (GtkWindow         *parent,
                                               ConfabRoomAccount *account);
/* Another server than the account's last one (a shared project's). */
void                confab_sign_in_dialog_set_server (ConfabSignInDialog *self,
                                                      const char         *server_url);

G_END_DECLS
