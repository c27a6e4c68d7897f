/* confab-window-rooms.c: shared projects in the window: sharing the
 * selected project, inviting people to it, joining one with an invite
 * code, publishing new chats of a shared project, and the sync's errors as
 * toasts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-invite-dialog.h"
#include "confab-window-private.h"

static ConfabRoomSync *
room_sync (ConfabWindow *self)
{
  return self->room_account != NULL ? confab_room_account_get_sync (self->room_account) : NULL;
}

static const char *
server_url (ConfabWindow *self)
{
  return self->room_account != NULL ? confab_room_account_get_server_url (self->room_account)
                                    : NULL;
}

static void
toast (ConfabWindow *self,
       const char   *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- Sharing */

typedef struct
{
  ConfabWindow  *self;
  ConfabProject *project;
} ShareData;

static void
share_data_free (ShareData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->project);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShareData, share_data_free)

static void
on_shared_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ShareData) data = user_data;
  ConfabWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *escaped = NULL;
  AdwToast *done;

  if (!confab_room_sync_share_finish (CONFAB_ROOM_SYNC (object), result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      message = confab_room_account_describe_error (error, server_url (self), NULL, FALSE);
      title = g_strdup_printf (_("Could not share “%s”: %s"),
                               confab_project_get_name (data->project), message);
      toast (self, title);
      return;
    }

  escaped = g_markup_escape_text (confab_project_get_name (data->project), -1);
  title = g_strdup_printf (_("“%s” is shared"), escaped);
  done = adw_toast_new (title);
  adw_toast_set_button_label (done, _("_Invite People…"));
  adw_toast_set_action_name (done, "win.invite-people");
  adw_toast_set_timeout (done, 10);
  adw_toast_overlay_add_toast (self->toast_overlay, done);
  _confab_window_update_actions (self);
}

static void
on_share_response_cb (ConfabWindow     *self,
                      const char       *response,
                      AdwMessageDialog *dialog)
{
  ConfabProject *project = g_object_get_data (G_OBJECT (dialog), "confab-project");
  ConfabRoomSync *sync = room_sync (self);
  ShareData *data;

  if (!g_str_equal (response, "share") || project == NULL || sync == NULL)
    return;

  data = g_new0 (ShareData, 1);
  data->self = g_object_ref (self);
  data->project = g_object_ref (project);
  confab_room_sync_share_async (sync, project, self->room_cancellable, on_shared_cb, data);
}

static void
share_project_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabProject *project = _confab_window_get_project (self);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (project == NULL || confab_project_get_shared (project))
    return;

  /* Sharing needs an account: first that, then the user shares again. */
  if (room_sync (self) == NULL)
    {
      gtk_widget_activate_action (widget, "app.sign-in", NULL);
      return;
    }

  heading = g_strdup_printf (_("Share “%s”?"), confab_project_get_name (project));
  body = g_strdup_printf (_("Its chats are copied to %s, where the people you invite can read "
                            "them and, unless they are viewers, write in them and ask models. "
                            "Each person’s models answer with their own keys."),
                          confab_room_account_get_server_url (self->room_account));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "share", _("_Share"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "share",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "share");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "confab-project", g_object_ref (project),
                          g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_share_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Inviting */

static gboolean
can_invite (ConfabWindow  *self,
            ConfabProject *project)
{
  ConfabRoomSync *sync = room_sync (self);

  return project != NULL && sync != NULL &&
         confab_room_sync_is_shared (sync, project) &&
         confab_room_role_allows (confab_room_sync_get_role (sync, project),
                                  CONFAB_ACTION_INVITE);
}

static void
invite_people_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabProject *project = _confab_window_get_project (self);
  ConfabInviteDialog *dialog;

  if (!can_invite (self, project))
    return;

  dialog = confab_invite_dialog_new (GTK_WINDOW (self), room_sync (self), project);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Joining */

static void
on_joined_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ConfabWindow) self = user_data;
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(GListModel) chats = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;

  project = confab_room_sync_join_finish (CONFAB_ROOM_SYNC (object), result, &error);
  if (project == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      if (g_error_matches (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NOT_FOUND) ||
          g_error_matches (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_EXPIRED))
        message = g_strdup (_("This invite code is not valid: it may have been mistyped, "
                              "used up or revoked, or it has expired."));
      else
        message = confab_room_account_describe_error (error, server_url (self), NULL, FALSE);
      title = g_strdup_printf (_("Could not join: %s"), message);
      toast (self, title);
      return;
    }

  /* There, and open: the newest chat, as a click on it would. */
  _confab_window_select_project (self, project);
  chats = confab_store_list_chats (self->store, project);
  if (g_list_model_get_n_items (chats) > 0)
    {
      g_autoptr(ConfabChat) chat = g_list_model_get_item (chats, 0);

      _confab_window_select_chat (self, chat, TRUE);
    }

  title = g_strdup_printf (_("You joined “%s”"), confab_project_get_name (project));
  toast (self, title);
}

static void
on_invite_code_changed_cb (AdwMessageDialog *dialog,
                           GtkEditable      *entry)
{
  g_autofree char *code = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "join", code[0] != '\0');
}

static void
on_join_response_cb (ConfabWindow     *self,
                     const char       *response,
                     AdwMessageDialog *dialog)
{
  GtkWidget *entry = adw_message_dialog_get_extra_child (dialog);
  ConfabRoomSync *sync = room_sync (self);
  g_autofree char *code = NULL;

  if (!g_str_equal (response, "join") || sync == NULL)
    return;

  /* Codes get pasted with a stray space or line break. */
  code = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  if (code[0] == '\0')
    return;

  confab_room_sync_join_async (sync, code, self->room_cancellable, on_joined_cb,
                               g_object_ref (self));
}

static void
join_project_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;

  if (room_sync (self) == NULL)
    return;

  body = g_strdup_printf (_("Paste the invite code you were given for a project on %s."),
                          confab_room_account_get_server_url (self->room_account));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Join a Shared Project"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "join", _("_Join"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "join",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "join");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "join", FALSE);

  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Invite Code"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Invite Code"),
                                  -1);
  g_signal_connect_object (entry, "changed", G_CALLBACK (on_invite_code_changed_cb), dialog,
                           G_CONNECT_SWAPPED);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  g_signal_connect_object (dialog, "response", G_CALLBACK (on_join_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* ---- Writing in a shared project from the sidebar */

gboolean
_confab_window_rooms_check_write (ConfabWindow  *self,
                                  ConfabProject *project)
{
  g_autoptr(GError) error = NULL;

  if (project == NULL || !confab_project_get_shared (project))
    return TRUE;

  if (self->room_account == NULL)
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                         _("“%s” is shared: sign in to its server to write in it."),
                         confab_project_get_name (project));
  else if (confab_room_account_check_write (self->room_account, project, &error))
    return TRUE;

  _confab_window_report_error (self, error);
  return FALSE;
}

void
_confab_window_rooms_publish_chat (ConfabWindow *self,
                                   ConfabChat   *chat)
{
  ConfabRoomSync *sync = room_sync (self);

  /* A no-op for a chat of a local project. */
  if (sync != NULL)
    confab_room_sync_publish_chat (sync, chat);
}

/* ---- Following the account and the selected project */

void
_confab_window_rooms_update_actions (ConfabWindow *self)
{
  ConfabProject *project = _confab_window_get_project (self);
  gboolean signed_in = room_sync (self) != NULL;

  /* Called from init on, before this file's part is set up. */
  if (self->room_project_signals != NULL)
    g_signal_group_set_target (self->room_project_signals, project);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.share-project",
                                 project != NULL && !confab_project_get_shared (project) &&
                                 self->room_account != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.invite-people",
                                 can_invite (self, project));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.join-project", signed_in);
}

static void
on_room_changed_cb (ConfabWindow *self)
{
  _confab_window_rooms_update_actions (self);
}

static void
on_sync_error_cb (ConfabWindow   *self,
                  ConfabProject  *project,
                  const GError   *error,
                  ConfabRoomSync *sync)
{
  g_autofree char *title = NULL;

  title = g_strdup_printf (_("“%s”: %s"), confab_project_get_name (project), error->message);
  toast (self, title);
}

static void
on_project_lost_cb (ConfabWindow   *self,
                    ConfabProject  *project,
                    const GError   *error,
                    ConfabRoomSync *sync)
{
  g_autofree char *title = NULL;

  title = g_strdup_printf (_("“%s” is no longer shared with you; its chats stay on this "
                             "computer. (%s)"),
                           confab_project_get_name (project), error->message);
  toast (self, title);
  _confab_window_update_actions (self);
}

void
_confab_window_rooms_init (ConfabWindow *self)
{
  GApplication *app = g_application_get_default ();

  self->room_cancellable = g_cancellable_new ();
  if (CONFAB_IS_APPLICATION (app))
    self->room_account = confab_application_get_room_account (CONFAB_APPLICATION (app));
  if (self->room_account != NULL)
    g_object_ref (self->room_account);

  self->room_account_signals = g_signal_group_new (CONFAB_TYPE_ROOM_ACCOUNT);
  g_signal_group_connect_swapped (self->room_account_signals, "notify::sync",
                                  G_CALLBACK (on_room_changed_cb), self);
  g_signal_group_connect_swapped (self->room_account_signals, "notify::status",
                                  G_CALLBACK (on_room_changed_cb), self);

  self->room_sync_signals = g_signal_group_new (CONFAB_TYPE_ROOM_SYNC);
  g_signal_group_connect_swapped (self->room_sync_signals, "error",
                                  G_CALLBACK (on_sync_error_cb), self);
  g_signal_group_connect_swapped (self->room_sync_signals, "project-lost",
                                  G_CALLBACK (on_project_lost_cb), self);
  if (self->room_account != NULL)
    g_object_bind_property (self->room_account, "sync",
                            self->room_sync_signals, "target", G_BINDING_SYNC_CREATE);

  self->room_project_signals = g_signal_group_new (CONFAB_TYPE_PROJECT);
  g_signal_group_connect_swapped (self->room_project_signals, "notify::shared",
                                  G_CALLBACK (on_room_changed_cb), self);
  g_signal_group_connect_swapped (self->room_project_signals, "notify::room-role",
                                  G_CALLBACK (on_room_changed_cb), self);

  g_signal_group_set_target (self->room_account_signals, self->room_account);
}

void
_confab_window_rooms_dispose (ConfabWindow *self)
{
  if (self->room_cancellable != NULL)
    g_cancellable_cancel (self->room_cancellable);
  g_clear_object (&self->room_cancellable);
  if (self->room_account_signals != NULL)
    g_signal_group_set_target (self->room_account_signals, NULL);
  if (self->room_project_signals != NULL)
    g_signal_group_set_target (self->room_project_signals, NULL);
  g_clear_object (&self->room_account_signals);
  g_clear_object (&self->room_project_signals);
  g_clear_object (&self->room_sync_signals);
  g_clear_object (&self->room_account);
}

void
_confab_window_class_rooms_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.share-project", NULL, share_project_action);
  gtk_widget_class_install_action (widget_class, "win.invite-people", NULL, invite_people_action);
  gtk_widget_class_install_action (widget_class, "win.join-project", NULL, join_project_action);
}
