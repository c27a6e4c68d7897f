/* confab-window-menus.c: the context menus of the sidebar's rows (right
 * click, long press, Shift+F10 and the Menu key), the "Move to Project"
 * submenu built from the projects, and keyboard handling of the lists.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-window-private.h"

static void
confab_window_popup_menu (ConfabWindow *self,
                          GtkWidget    *list_view,
                          GtkWidget    *popover,
                          GtkWidget    *row_widget,
                          double        x,
                          double        y)
{
  graphene_point_t point;

  /* Menu actions act on the selection, so first select the row the menu is for.
   * The list item widget around each row provides this action. */
  if (!gtk_widget_activate_action (row_widget, "listitem.select", "(bb)", FALSE, FALSE))
    return;

  if (!gtk_widget_compute_point (list_view, self->sidebar,
                                 &GRAPHENE_POINT_INIT ((float) x, (float) y), &point))
    return;

  /* Remembered (weakly: rows are recycled) to get the focus back on close. */
  while (row_widget != NULL && gtk_widget_get_parent (row_widget) != list_view)
    row_widget = gtk_widget_get_parent (row_widget);
  g_weak_ref_set (g_object_get_data (G_OBJECT (popover), "confab-menu-row"), row_widget);

  gtk_popover_set_pointing_to (GTK_POPOVER (popover),
                               &(GdkRectangle) { (int) point.x, (int) point.y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (popover));
}

static void
on_list_context_pressed_cb (GtkGesture *gesture,
                            double      x,
                            double      y,
                            GtkWidget  *popover)
{
  GtkWidget *list_view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  ConfabWindow *self = CONFAB_WINDOW (gtk_widget_get_root (list_view));
  GtkWidget *picked;

  picked = gtk_widget_pick (list_view, x, y, GTK_PICK_DEFAULT);
  if (picked == NULL || picked == list_view)
    return;

  gtk_gesture_set_state (gesture, GTK_EVENT_SEQUENCE_CLAIMED);
  confab_window_popup_menu (self, list_view, popover, picked, x, y);
}

static void
on_list_right_click_pressed_cb (GtkGestureClick *gesture,
                                int              n_press,
                                double           x,
                                double           y,
                                GtkWidget       *popover)
{
  on_list_context_pressed_cb (GTK_GESTURE (gesture), x, y, popover);
}

static void
on_context_menu_closed_cb (GtkWidget  *list_view,
                           GtkPopover *popover)
{
  g_autoptr (GtkWidget) row = g_weak_ref_get (g_object_get_data (G_OBJECT (popover),
                                                                 "confab-menu-row"));

  /* Back on the row the menu was for, not wherever GTK falls back to, so
   * the keyboard goes on from there. A menu item's action runs after this
   * and may still move the focus (a dialog, the find bar). */
  if (row == NULL || !gtk_widget_grab_focus (row))
    gtk_widget_grab_focus (list_view);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
confab_window_add_context_menu (ConfabWindow *self,
                                GtkWidget    *list_view,
                                GtkWidget    *popover)
{
  GtkGesture *gesture;

  g_object_set_data_full (G_OBJECT (popover), "confab-menu-row",
                          g_new0 (GWeakRef, 1), weak_ref_free);
  g_signal_connect_object (popover, "closed", G_CALLBACK (on_context_menu_closed_cb),
                           list_view, G_CONNECT_SWAPPED);

  /* Popovers go on the sidebar box, whose layout leaves them alone; a list
   * view expects only its own rows as children. */
  gtk_widget_set_parent (popover, self->sidebar);

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_list_right_click_pressed_cb), popover);
  gtk_widget_add_controller (list_view, GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (gesture), TRUE);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_list_context_pressed_cb), popover);
  gtk_widget_add_controller (list_view, GTK_EVENT_CONTROLLER (gesture));
}

static gboolean
on_chats_list_event_cb (GtkEventControllerLegacy *controller,
                        GdkEvent                 *event,
                        ConfabWindow             *self)
{
  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_KEY_PRESS:
      self->chats_keyboard_nav = TRUE;
      break;

    case GDK_BUTTON_PRESS:
    case GDK_TOUCH_BEGIN:
      self->chats_keyboard_nav = FALSE;
      break;

    default:
      break;
    }

  return GDK_EVENT_PROPAGATE;
}

/* Delete on a focused row deletes it: the toast's Undo makes that safe. */
static void
confab_window_add_delete_shortcut (GtkWidget  *list_view,
                                   const char *action_name)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                                          gtk_named_action_new (action_name)));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_KP_Delete, 0),
                                                          gtk_named_action_new (action_name)));
  gtk_widget_add_controller (list_view, controller);
}

static gboolean
popup_focused_menu (GtkWidget *widget,
                    GVariant  *args,
                    gpointer   user_data)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GtkWidget *list_view;
  GtkWidget *popover;
  graphene_rect_t bounds;

  if (focus == NULL)
    return FALSE;

  /* Shift+F10 or the Menu key on a focused row, for keyboard users. */
  if (gtk_widget_is_ancestor (focus, GTK_WIDGET (self->chats_list)))
    {
      list_view = GTK_WIDGET (self->chats_list);
      popover = GTK_WIDGET (self->chat_popover);
    }
  else if (gtk_widget_is_ancestor (focus, GTK_WIDGET (self->projects_list)))
    {
      list_view = GTK_WIDGET (self->projects_list);
      popover = GTK_WIDGET (self->project_popover);
    }
  else
    return FALSE;

  if (!gtk_widget_compute_bounds (focus, list_view, &bounds))
    return FALSE;

  confab_window_popup_menu (self, list_view, popover, focus,
                            bounds.origin.x + 12, bounds.origin.y + bounds.size.height / 2);
  return TRUE;
}

/* Menu labels take "_" as a mnemonic marker; a name shows as typed. */
static char *
escape_mnemonic (const char *text)
{
  g_autoptr (GString) escaped = g_string_new (text);

  g_string_replace (escaped, "_", "__", 0);
  return g_string_free (g_steal_pointer (&escaped), FALSE);
}

static void
on_project_renamed_cb (ConfabWindow  *self,
                       GParamSpec    *pspec,
                       ConfabProject *project)
{
  _confab_window_update_actions (self);
}

/* "Move to Project" lists the other projects; without any, it is left out
 * rather than shown empty. */
guint
_confab_window_update_move_menu (ConfabWindow *self)
{
  GListModel *projects = G_LIST_MODEL (self->project_filter_model);
  ConfabChat *chat = _confab_window_get_chat (self);
  g_autoptr (GMenu) submenu = g_menu_new ();
  guint n_items = g_list_model_get_n_items (projects);
  guint n_targets;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr (ConfabProject) project = g_list_model_get_item (projects, i);
      g_autoptr (GMenuItem) item = NULL;
      g_autofree char *label = NULL;

      /* Renamed (here or in its settings), the menu must follow. */
      if (g_signal_handler_find (project, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA,
                                 0, 0, NULL, on_project_renamed_cb, self) == 0)
        g_signal_connect_object (project, "notify::name",
                                 G_CALLBACK (on_project_renamed_cb), self,
                                 G_CONNECT_SWAPPED);

      if (chat == NULL || confab_project_get_id (project) == confab_chat_get_project_id (chat))
        continue;

      label = escape_mnemonic (confab_project_get_name (project));
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "win.move-chat",
                                               g_variant_new_int64 (confab_project_get_id (project)));
      g_menu_append_item (submenu, item);
    }

  n_targets = g_menu_model_get_n_items (G_MENU_MODEL (submenu));

  g_menu_remove_all (self->move_section);
  if (n_targets > 0)
    g_menu_append_submenu (self->move_section, _("_Move to Project"), G_MENU_MODEL (submenu));

  return n_targets;
}

void
_confab_window_class_menus_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK,
                                popup_focused_menu, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Menu, 0,
                                popup_focused_menu, NULL);
}

void
_confab_window_menus_init (ConfabWindow *self)
{
  GtkEventController *controller;

  confab_window_add_context_menu (self, GTK_WIDGET (self->projects_list),
                                  GTK_WIDGET (self->project_popover));
  confab_window_add_context_menu (self, GTK_WIDGET (self->chats_list),
                                  GTK_WIDGET (self->chat_popover));
  confab_window_add_delete_shortcut (GTK_WIDGET (self->projects_list), "win.delete-project");
  confab_window_add_delete_shortcut (GTK_WIDGET (self->chats_list), "win.delete-chat");

  /* Watched in the capture phase, before the list acts on the input. */
  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "event", G_CALLBACK (on_chats_list_event_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->chats_list), controller);
}
