/* confab-message-menu.h: a message's menu (Copy, Edit, Regenerate…)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "confab-core.h"

G_BEGIN_DECLS

/* The menu of @message: the chat view's message.* actions (and
 * thread.open), with the message id as their target. */
GMenu *confab_message_menu_new      (ConfabMessage *message);

/* Opens @button's menu pointing at (@x, @y) in @widget, as a context menu
 * opens where the click was; the button's own click opens it under the
 * button again. */
void   confab_message_menu_popup_at (GtkMenuButton *button,
                                     GtkWidget     *widget,
                                     double         x,
                                     double         y);

G_END_DECLS
