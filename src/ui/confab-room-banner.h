/* confab-room-banner.h: the strip above a shared chat saying the server
 * cannot be reached (reconnecting, with Retry Now) or the session ended.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-room-account.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_ROOM_BANNER (confab_room_banner_get_type ())
G_DECLARE_FINAL_TYPE (ConfabRoomBanner, confab_room_banner, CONFAB, ROOM_BANNER, GtkWidget)

void     confab_room_banner_set_account (ConfabRoomBanner  *self,
                                         ConfabRoomAccount *account);
/* The project of the chat shown: the banner only shows for a shared one. */
void     confab_room_banner_set_project (ConfabRoomBanner  *self,
                                         ConfabProject     *project);

G_END_DECLS
