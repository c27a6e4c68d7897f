/* confab-message-menu.c: a message's menu (Copy, Edit, Regenerate…)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "confab-message-menu.h"

static void
append_action (GMenu      *menu,
               const char *label,
               const char *action,
               gint64      id)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, g_variant_new_int64 (id));
  g_menu_append_item (menu, item);
}

GMenu *
confab_message_menu_new (ConfabMessage *message)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) section = g_menu_new ();
  gint64 id = confab_message_get_id (message);
  gboolean main_line = confab_message_get_parent_id (message) == 0;
  ConfabRole role = confab_message_get_role (message);

  append_action (menu, _("_Copy"), "message.copy", id);
  if (main_line && role == CONFAB_ROLE_USER)
    append_action (menu, _("_Edit"), "message.edit", id);
  if (main_line && role == CONFAB_ROLE_ASSISTANT)
    {
      append_action (menu, _("_Regenerate"), "message.regenerate", id);
      append_action (menu, _("Regenerate _With…"), "message.regenerate-with", id);
    }
  if (main_line)
    append_action (menu, _("Reply in _Thread"), "thread.open", id);
  append_action (section, _("_Delete"), "message.delete", id);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  return menu;
}

static void
on_popover_closed_cb (GtkPopover *popover,
                      gpointer    user_data)
{
  gtk_popover_set_pointing_to (popover, NULL);
  g_signal_handlers_disconnect_by_func (popover, on_popover_closed_cb, user_data);
}

void
confab_message_menu_popup_at (GtkMenuButton *button,
                              GtkWidget     *widget,
                              double         x,
                              double         y)
{
  GtkPopover *popover;
  graphene_point_t point;

  g_return_if_fail (GTK_IS_MENU_BUTTON (button));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  /* In a reply taller than the window the button may be scrolled out of
   * sight: a popover pointing there would open off screen (and GTK 4.8
   * logs a critical, finding no monitor there). */
  popover = gtk_menu_button_get_popover (button);
  if (popover != NULL &&
      gtk_widget_compute_point (widget, GTK_WIDGET (button), &GRAPHENE_POINT_INIT (x, y), &point))
    {
      gtk_popover_set_pointing_to (popover, &(GdkRectangle) { point.x, point.y, 1, 1 });
      g_signal_connect (popover, "closed", G_CALLBACK (on_popover_closed_cb), NULL);
    }
  gtk_menu_button_popup (button);
}
