/* confab-window-actions.c: the window's actions and the dialogs they open.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-project-settings-dialog.h"
#include "confab-window-private.h"

/* What to do with the name typed in a name dialog; target is the project
 * or chat the dialog was opened for. */
typedef void (*ConfabWindowTargetFunc) (ConfabWindow *self,
                                        GObject      *target,
                                        const char   *name);

typedef struct
{
  ConfabWindowTargetFunc  func;
  GObject                *target;
} DialogRequest;

static void
dialog_request_free (gpointer data)
{
  DialogRequest *request = data;

  g_clear_object (&request->target);
  g_free (request);
}

static AdwMessageDialog *
confab_window_new_dialog (ConfabWindow           *self,
                          const char             *heading,
                          const char             *body,
                          ConfabWindowTargetFunc  func,
                          GObject                *target)
{
  AdwMessageDialog *dialog;
  DialogRequest *request;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));

  request = g_new0 (DialogRequest, 1);
  request->func = func;
  request->target = target ? g_object_ref (target) : NULL;
  g_object_set_data_full (G_OBJECT (dialog), "confab-dialog-request",
                          request, dialog_request_free);

  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  adw_message_dialog_set_close_response (dialog, "cancel");

  return dialog;
}

static char *
dup_stripped_text (GtkEditable *editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (editable)));
}

static void
on_name_entry_changed_cb (AdwMessageDialog *dialog,
                          GtkEditable      *entry)
{
  g_autofree char *name = dup_stripped_text (entry);

  adw_message_dialog_set_response_enabled (dialog, "accept", name[0] != '\0');
}

static void
on_dialog_response_cb (ConfabWindow     *self,
                       const char       *response,
                       AdwMessageDialog *dialog)
{
  DialogRequest *request = g_object_get_data (G_OBJECT (dialog), "confab-dialog-request");
  GtkWidget *extra = adw_message_dialog_get_extra_child (dialog);
  g_autofree char *name = NULL;

  if (g_strcmp0 (response, "accept") != 0 || request == NULL)
    return;

  if (extra != NULL)
    {
      name = dup_stripped_text (GTK_EDITABLE (extra));
      /* Enter in the entry can get here even with the response disabled. */
      if (name[0] == '\0')
        return;
    }

  request->func (self, request->target, name);
}

static void
confab_window_ask_name (ConfabWindow           *self,
                        const char             *heading,
                        const char             *initial_name,
                        const char             *accept_label,
                        ConfabWindowTargetFunc  func,
                        GObject                *target)
{
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  dialog = confab_window_new_dialog (self, heading, NULL, func, target);
  adw_message_dialog_add_response (dialog, "accept", accept_label);
  adw_message_dialog_set_response_appearance (dialog, "accept", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "accept");

  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Name"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name"),
                                  -1);
  g_signal_connect_object (entry, "changed",
                           G_CALLBACK (on_name_entry_changed_cb), dialog,
                           G_CONNECT_SWAPPED);
  gtk_editable_set_text (GTK_EDITABLE (entry), initial_name ? initial_name : "");
  on_name_entry_changed_cb (dialog, GTK_EDITABLE (entry));
  adw_message_dialog_set_extra_child (dialog, entry);

  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (on_dialog_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));

  /* Typing right away should replace the old name. */
  gtk_widget_grab_focus (entry);
  gtk_editable_select_region (GTK_EDITABLE (entry), 0, -1);
}

/* ---- Projects */

static void
create_project (ConfabWindow *self,
                GObject      *target,
                const char   *name)
{
  g_autoptr (ConfabProject) project = NULL;
  g_autoptr (GError) error = NULL;

  project = confab_store_create_project (self->store, name, &error);
  if (project == NULL)
    {
      _confab_window_report_error (self, error);
      return;
    }

  _confab_window_select_project (self, project);
}

static void
rename_project (ConfabWindow *self,
                GObject      *target,
                const char   *name)
{
  g_autoptr (GError) error = NULL;

  if (!confab_store_rename_project (self->store, CONFAB_PROJECT (target), name, &error))
    _confab_window_report_error (self, error);
}

static void
new_project_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  confab_window_ask_name (CONFAB_WINDOW (widget),
                          _("New Project"), NULL, _("C_reate"),
                          create_project, NULL);
}

static void
rename_project_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabProject *project = _confab_window_get_project (self);

  if (project == NULL)
    return;

  confab_window_ask_name (self, _("Rename Project"),
                          confab_project_get_name (project), _("_Rename"),
                          rename_project, G_OBJECT (project));
}

static void
delete_project_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabProject *project = _confab_window_get_project (self);

  /* No confirmation: the toast's Undo brings it back with all its chats. */
  if (project != NULL)
    _confab_window_delete_later (self, G_OBJECT (project));
}

static void
project_settings_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabProject *project = _confab_window_get_project (self);
  ConfabProjectSettingsDialog *dialog;

  if (project == NULL)
    return;

  dialog = confab_project_settings_dialog_new (GTK_WINDOW (self), self->store, project);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Chats */

static void
rename_chat (ConfabWindow *self,
             GObject      *target,
             const char   *name)
{
  g_autoptr (GError) error = NULL;

  if (!confab_store_rename_chat (self->store, CONFAB_CHAT (target), name, &error))
    {
      _confab_window_report_error (self, error);
      return;
    }

  /* Renaming can move the chat in the list; keep it the open one. */
  if (_confab_window_get_chat (self) != CONFAB_CHAT (target))
    _confab_window_select_chat (self, CONFAB_CHAT (target), FALSE);
}

static void
new_chat_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabProject *project = _confab_window_get_project (self);
  g_autoptr (ConfabChat) chat = NULL;
  g_autoptr (GError) error = NULL;

  if (project == NULL || !_confab_window_rooms_check_write (self, project))
    return;

  chat = confab_store_create_chat (self->store, project, _("New Chat"), &error);
  if (chat == NULL)
    {
      _confab_window_report_error (self, error);
      return;
    }

  _confab_window_rooms_publish_chat (self, chat);
  _confab_window_select_chat (self, chat, TRUE);
}

static void
rename_chat_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabChat *chat = _confab_window_get_chat (self);

  if (chat == NULL)
    return;

  confab_window_ask_name (self, _("Rename Chat"),
                          confab_chat_get_title (chat), _("_Rename"),
                          rename_chat, G_OBJECT (chat));
}

static void
delete_chat_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabChat *chat = _confab_window_get_chat (self);

  if (chat != NULL)
    _confab_window_delete_later (self, G_OBJECT (chat));
}

static void
set_pinned (ConfabWindow *self,
            gboolean      pinned)
{
  g_autoptr (ConfabChat) chat = NULL;
  g_autoptr (GError) error = NULL;
  gboolean in_chat;

  if (_confab_window_get_chat (self) == NULL)
    return;

  chat = g_object_ref (_confab_window_get_chat (self));
  in_chat = adw_leaflet_get_visible_child (self->leaflet) == GTK_WIDGET (self->chat_view);

  if (!confab_store_set_chat_pinned (self->store, chat, pinned, &error))
    {
      _confab_window_report_error (self, error);
      return;
    }

  /* Moving to (or from) the top drops the selection: keep it selected, in
   * sight, and the user where they were. */
  _confab_window_select_chat (self, chat, in_chat);
  _confab_window_update_actions (self);
}

static void
pin_chat_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  set_pinned (CONFAB_WINDOW (widget), TRUE);
}

static void
unpin_chat_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  set_pinned (CONFAB_WINDOW (widget), FALSE);
}

static gboolean
set_archived (ConfabWindow *self,
              ConfabChat   *chat,
              gboolean      archived)
{
  g_autoptr (GError) error = NULL;

  if (!confab_store_set_chat_archived (self->store, chat, archived, &error))
    {
      _confab_window_report_error (self, error);
      return FALSE;
    }

  _confab_window_chats_changed (self);
  return TRUE;
}

static void
undo_archive (ConfabWindow *self,
              GObject      *item)
{
  if (set_archived (self, CONFAB_CHAT (item), FALSE) && _confab_window_get_chat (self) == NULL)
    _confab_window_select_chat (self, CONFAB_CHAT (item), FALSE);
}

static void
archive_chat_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  g_autoptr (ConfabChat) chat = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *title = NULL;

  if (_confab_window_get_chat (self) == NULL)
    return;

  /* Archiving hides it, which drops the selection and its last reference. */
  chat = g_object_ref (_confab_window_get_chat (self));
  if (!set_archived (self, chat, TRUE))
    return;

  escaped = g_markup_escape_text (confab_chat_get_title (chat), -1);
  title = g_strdup_printf (_("Chat “%s” archived"), escaped);
  _confab_window_toast_undo (self, title, G_OBJECT (chat), undo_archive);
}

static void
unarchive_chat_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabChat *chat = _confab_window_get_chat (self);

  if (chat != NULL)
    set_archived (self, chat, FALSE);
}

static void
move_chat_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  g_autoptr (ConfabProject) project = NULL;
  g_autoptr (ConfabChat) chat = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *escaped_chat = NULL;
  g_autofree char *escaped_project = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (_confab_window_get_chat (self) == NULL)
    return;

  /* Moving it out of the listed project drops the last reference. */
  chat = g_object_ref (_confab_window_get_chat (self));
  project = confab_store_lookup_project (self->store, g_variant_get_int64 (parameter), &error);
  if (project == NULL || !confab_store_move_chat (self->store, chat, project, &error))
    {
      _confab_window_report_error (self, error);
      return;
    }

  escaped_chat = g_markup_escape_text (confab_chat_get_title (chat), -1);
  escaped_project = g_markup_escape_text (confab_project_get_name (project), -1);
  title = g_strdup_printf (_("Chat “%s” moved to “%s”"), escaped_chat, escaped_project);
  toast = adw_toast_new (title);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  _confab_window_open_search (CONFAB_WINDOW (widget));
}

static void
search_chat_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  if (_confab_window_get_chat (self) == NULL)
    return;

  /* From the sidebar of a narrow window, the chat comes into view first. */
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->chat_view));
  confab_chat_view_begin_search (self->chat_view);
}

void
_confab_window_update_actions (ConfabWindow *self)
{
  ConfabChat *chat = _confab_window_get_chat (self);
  gboolean has_project = _confab_window_get_project (self) != NULL;
  gboolean has_chat = chat != NULL;
  gboolean pinned = has_chat && confab_chat_get_pinned (chat);
  gboolean archived = has_chat && confab_chat_get_archived (chat);
  guint n_targets = _confab_window_update_move_menu (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rename-project", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.project-settings", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-project", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-chat", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rename-chat", has_chat);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-chat", has_chat);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search-chat", has_chat);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-chat", has_chat);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.pin-chat", has_chat && !pinned);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.unpin-chat", pinned);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.archive-chat", has_chat && !archived);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.unarchive-chat", archived);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.move-chat", n_targets > 0);
  _confab_window_rooms_update_actions (self);
}

void
_confab_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.new-project", NULL, new_project_action);
  gtk_widget_class_install_action (widget_class, "win.rename-project", NULL, rename_project_action);
  gtk_widget_class_install_action (widget_class, "win.project-settings", NULL,
                                   project_settings_action);
  gtk_widget_class_install_action (widget_class, "win.delete-project", NULL, delete_project_action);
  gtk_widget_class_install_action (widget_class, "win.new-chat", NULL, new_chat_action);
  gtk_widget_class_install_action (widget_class, "win.rename-chat", NULL, rename_chat_action);
  gtk_widget_class_install_action (widget_class, "win.pin-chat", NULL, pin_chat_action);
  gtk_widget_class_install_action (widget_class, "win.unpin-chat", NULL, unpin_chat_action);
  gtk_widget_class_install_action (widget_class, "win.archive-chat", NULL, archive_chat_action);
  gtk_widget_class_install_action (widget_class, "win.unarchive-chat", NULL,
                                   unarchive_chat_action);
  gtk_widget_class_install_action (widget_class, "win.move-chat", "x", move_chat_action);
  gtk_widget_class_install_action (widget_class, "win.delete-chat", NULL, delete_chat_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.search-chat", NULL, search_chat_action);
  gtk_widget_class_install_property_action (widget_class, "win.show-archived", "show-archived");
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.new-project", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0,
                                       "win.rename-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}
