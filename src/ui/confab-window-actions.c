/* confab-window-actions.c: the window's actions and the dialogs they open.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-window-private.h"

/* What to do with the name typed in a name dialog, or with a confirmed
 * deletion; target is the project or chat the dialog was opened for. */
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

static void
confab_window_ask_delete (ConfabWindow           *self,
                          const char             *heading,
                          const char             *body,
                          ConfabWindowTargetFunc  func,
                          GObject                *target)
{
  AdwMessageDialog *dialog;

  dialog = confab_window_new_dialog (self, heading, body, func, target);
  adw_message_dialog_add_response (dialog, "accept", _("_Delete"));
  adw_message_dialog_set_response_appearance (dialog, "accept", ADW_RESPONSE_DESTRUCTIVE);
  /* A stray Enter must not destroy anything. */
  adw_message_dialog_set_default_response (dialog, "cancel");

  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (on_dialog_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
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
delete_project (ConfabWindow *self,
                GObject      *target,
                const char   *name)
{
  g_autoptr (GError) error = NULL;

  if (!confab_store_delete_project (self->store, CONFAB_PROJECT (target), &error))
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
  g_autoptr (GListModel) chats = NULL;
  g_autofree char *body = NULL;
  guint n_chats;

  if (project == NULL)
    return;

  chats = confab_store_list_chats (self->store, project);
  n_chats = g_list_model_get_n_items (chats);

  /* Say exactly what goes: a project can hold a lot of history. */
  if (n_chats == 0)
    body = g_strdup_printf (_("The project “%s” will be permanently deleted."),
                            confab_project_get_name (project));
  else
    body = g_strdup_printf (ngettext ("The project “%s” and its %u chat, with all its "
                                      "messages, will be permanently deleted.",
                                      "The project “%s” and its %u chats, with all their "
                                      "messages, will be permanently deleted.",
                                      n_chats),
                            confab_project_get_name (project), n_chats);

  confab_window_ask_delete (self, _("Delete Project?"), body,
                            delete_project, G_OBJECT (project));
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
delete_chat (ConfabWindow *self,
             GObject      *target,
             const char   *name)
{
  g_autoptr (GError) error = NULL;

  if (!confab_store_delete_chat (self->store, CONFAB_CHAT (target), &error))
    _confab_window_report_error (self, error);
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

  if (project == NULL)
    return;

  chat = confab_store_create_chat (self->store, project, _("New Chat"), &error);
  if (chat == NULL)
    {
      _confab_window_report_error (self, error);
      return;
    }

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
  g_autofree char *body = NULL;

  if (chat == NULL)
    return;

  body = g_strdup_printf (_("The chat “%s” and all its messages will be permanently deleted."),
                          confab_chat_get_title (chat));
  confab_window_ask_delete (self, _("Delete Chat?"), body,
                            delete_chat, G_OBJECT (chat));
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

void
_confab_window_update_actions (ConfabWindow *self)
{
  gboolean has_project = _confab_window_get_project (self) != NULL;
  gboolean has_chat = _confab_window_get_chat (self) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rename-project", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-project", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-chat", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rename-chat", has_chat);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-chat", has_chat);
}

void
_confab_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.new-project", NULL, new_project_action);
  gtk_widget_class_install_action (widget_class, "win.rename-project", NULL, rename_project_action);
  gtk_widget_class_install_action (widget_class, "win.delete-project", NULL, delete_project_action);
  gtk_widget_class_install_action (widget_class, "win.new-chat", NULL, new_chat_action);
  gtk_widget_class_install_action (widget_class, "win.rename-chat", NULL, rename_chat_action);
  gtk_widget_class_install_action (widget_class, "win.delete-chat", NULL, delete_chat_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.new-project", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0,
                                       "win.rename-chat", NULL);
}
