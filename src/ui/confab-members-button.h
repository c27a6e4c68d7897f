/* confab-members-button.h: the chat header's button listing a shared
 * project's members: who, with which role, and who is online.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_MEMBERS_BUTTON (confab_members_button_get_type ())
G_DECLARE_FINAL_TYPE (ConfabMembersButton, confab_members_button, CONFAB, MEMBERS_BUTTON, GtkWidget)

/* A GListModel of ConfabRoomMember (confab_room_sync_get_members()). */
GListModel *confab_members_button_get_members (ConfabMembersButton *self);
void        confab_members_button_set_members (ConfabMembersButton *self,
                                               GListModel          *members);

G_END_DECLS
