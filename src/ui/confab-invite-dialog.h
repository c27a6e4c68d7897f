/* confab-invite-dialog.h: an invite to a shared project: its role, how many
 * may use it and for how long; then the code to send, with a Copy button.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-room-sync.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_INVITE_DIALOG (confab_invite_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ConfabInviteDialog, confab_invite_dialog, CONFAB, INVITE_DIALOG, AdwWindow)

ConfabInviteDialog *confab_invite_dialog_new (GtkWindow      *parent,
                                              ConfabRoomSync *sync,
                                              ConfabProject  *project);

G_END_DECLS
