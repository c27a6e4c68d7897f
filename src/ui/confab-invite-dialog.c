/* confab-invite-dialog.c: creates an invite to a shared project's room and
 * shows its code, to copy and send. Admins invite members and viewers;
 * the owner admins too (docs/protocol.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-invite-dialog.h"
#include "confab-room-account.h"

static const gint64 expiries[] = {
  24 * 60 * 60,          /* In a day */
  7 * 24 * 60 * 60,      /* In a week */
  30 * 24 * 60 * 60,     /* In 30 days */
};

struct _ConfabInviteDialog
{
  AdwWindow        parent_instance;

  ConfabRoomSync  *sync;
  ConfabProject   *project;
  GCancellable    *cancellable;
  /* The roles offered, in the order of the role row. */
  ConfabRoomRole   roles[3];
  guint            n_roles;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkLabel        *description_label;
  GtkWidget       *options_group;
  AdwComboRow     *role_row;
  GtkSpinButton   *uses_spin;
  AdwComboRow     *expiry_row;
  GtkSpinner      *spinner;
  GtkLabel        *error_label;
  GtkWidget       *result_group;
  GtkEntry        *token_entry;
};

G_DEFINE_FINAL_TYPE (ConfabInviteDialog, confab_invite_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_SYNC,
  PROP_PROJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

ConfabInviteDialog *
confab_invite_dialog_new (GtkWindow      *parent,
                          ConfabRoomSync *sync,
                          ConfabProject  *project)
{
  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CONFAB_IS_ROOM_SYNC (sync), NULL);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), NULL);

  return g_object_new (CONFAB_TYPE_INVITE_DIALOG,
                       "transient-for", parent,
                       "sync", sync,
                       "project", project,
                       NULL);
}

static ConfabRoomRole
selected_role (ConfabInviteDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->role_row);

  return selected < self->n_roles ? self->roles[selected] : CONFAB_ROOM_ROLE_MEMBER;
}

static const char *
describe_role (ConfabRoomRole role)
{
  switch (role)
    {
    case CONFAB_ROOM_ROLE_ADMIN:
      return _("Admins can also invite people and remove members.");
    case CONFAB_ROOM_ROLE_VIEWER:
      return _("Viewers can read the chats, not write in them.");
    case CONFAB_ROOM_ROLE_MEMBER:
    case CONFAB_ROOM_ROLE_OWNER:
    case CONFAB_ROOM_ROLE_NONE:
    default:
      return _("Members can read the chats, write in them and ask models.");
    }
}

static void
on_role_changed_cb (ConfabInviteDialog *self,
                    GParamSpec         *pspec,
                    AdwComboRow        *row)
{
  g_autofree char *text = NULL;

  if (self->project == NULL)
    return;

  text = g_strdup_printf (_("Invite people to “%s”. %s"),
                          confab_project_get_name (self->project),
                          describe_role (selected_role (self)));
  gtk_label_set_label (self->description_label, text);
}

static void
set_busy (ConfabInviteDialog *self,
          gboolean            busy)
{
  if (!busy)
    g_clear_object (&self->cancellable);

  gtk_widget_set_sensitive (self->options_group, !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invite.create", !busy);
}

static void
on_invite_created_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ConfabInviteDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *message = NULL;
  g_autofree char *until = NULL;
  g_autoptr(GDateTime) expires = NULL;
  g_autoptr(GDateTime) now = NULL;
  gint64 uses;

  token = confab_room_sync_invite_finish (CONFAB_ROOM_SYNC (object), result, &error);
  if (token == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      message = confab_room_account_describe_error (error,
                                                    confab_project_get_room_server (self->project),
                                                    NULL, FALSE);
      gtk_label_set_label (self->error_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      set_busy (self, FALSE);
      return;
    }

  set_busy (self, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->token_entry), token);
  gtk_widget_set_visible (self->result_group, TRUE);

  now = g_date_time_new_now_local ();
  expires = g_date_time_add_seconds (now,
                                     expiries[MIN (adw_combo_row_get_selected (self->expiry_row),
                                                   G_N_ELEMENTS (expiries) - 1)]);
  until = g_date_time_format (expires, "%x");
  uses = gtk_spin_button_get_value_as_int (self->uses_spin);
  if (uses == 0)
    message = g_strdup_printf (_("Send this code to the people you invite. Anyone who has it "
                                 "can join until %s."), until);
  else
    message = g_strdup_printf (ngettext ("Send this code to the person you invite. It lets "
                                         "%d person join, until %s.",
                                         "Send this code to the people you invite. It lets "
                                         "%d people join, until %s.",
                                         uses),
                               (int) uses, until);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->result_group), message);
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ConfabInviteDialog *self = CONFAB_INVITE_DIALOG (widget);
  guint expiry = adw_combo_row_get_selected (self->expiry_row);

  if (self->cancellable != NULL)
    return;

  self->cancellable = g_cancellable_new ();
  /* Away from the options before they turn insensitive (a focused entry
   * would keep blinking without focus in GTK 4.8). */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  set_busy (self, TRUE);
  confab_room_sync_invite_async (self->sync, self->project, selected_role (self),
                                 gtk_spin_button_get_value_as_int (self->uses_spin),
                                 expiries[MIN (expiry, G_N_ELEMENTS (expiries) - 1)],
                                 self->cancellable, on_invite_created_cb, g_object_ref (self));
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabInviteDialog *self = CONFAB_INVITE_DIALOG (widget);
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_entry));

  if (*token == '\0')
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), token);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Invite code copied")));
}

static void
confab_invite_dialog_constructed (GObject *object)
{
  ConfabInviteDialog *self = CONFAB_INVITE_DIALOG (object);
  g_autoptr(GtkStringList) roles = gtk_string_list_new (NULL);
  ConfabRoomRole own = confab_room_sync_get_role (self->sync, self->project);

  G_OBJECT_CLASS (confab_invite_dialog_parent_class)->constructed (object);

  adw_window_title_set_subtitle (self->window_title, confab_project_get_name (self->project));

  self->roles[self->n_roles++] = CONFAB_ROOM_ROLE_MEMBER;
  gtk_string_list_append (roles, _("Member"));
  self->roles[self->n_roles++] = CONFAB_ROOM_ROLE_VIEWER;
  gtk_string_list_append (roles, _("Viewer"));
  if (confab_room_role_allows (own, CONFAB_ACTION_INVITE_ADMIN))
    {
      self->roles[self->n_roles++] = CONFAB_ROOM_ROLE_ADMIN;
      gtk_string_list_append (roles, _("Admin"));
    }
  adw_combo_row_set_model (self->role_row, G_LIST_MODEL (roles));
  adw_combo_row_set_selected (self->role_row, 0);
  on_role_changed_cb (self, NULL, self->role_row);
  /* A week, as the server's default. */
  adw_combo_row_set_selected (self->expiry_row, 1);
}

static void
confab_invite_dialog_dispose (GObject *object)
{
  ConfabInviteDialog *self = CONFAB_INVITE_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_INVITE_DIALOG);
  g_clear_object (&self->sync);
  g_clear_object (&self->project);

  G_OBJECT_CLASS (confab_invite_dialog_parent_class)->dispose (object);
}

static void
confab_invite_dialog_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabInviteDialog *self = CONFAB_INVITE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      g_value_set_object (value, self->sync);
      break;

    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_invite_dialog_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ConfabInviteDialog *self = CONFAB_INVITE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      self->sync = g_value_dup_object (value);
      break;

    case PROP_PROJECT:
      self->project = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_invite_dialog_class_init (ConfabInviteDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = confab_invite_dialog_constructed;
  object_class->dispose = confab_invite_dialog_dispose;
  object_class->get_property = confab_invite_dialog_get_property;
  object_class->set_property = confab_invite_dialog_set_property;

  properties[PROP_SYNC] =
    g_param_spec_object ("sync", NULL, NULL,
                         CONFAB_TYPE_ROOM_SYNC,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         CONFAB_TYPE_PROJECT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-invite-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabInviteDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ConfabInviteDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ConfabInviteDialog, description_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabInviteDialog, options_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabInviteDialog, role_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabInviteDialog, uses_spin);
  gtk_widget_class_bind_template_child (widget_class, ConfabInviteDialog, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabInviteDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ConfabInviteDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabInviteDialog, result_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabInviteDialog, token_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_role_changed_cb);

  gtk_widget_class_install_action (widget_class, "invite.create", NULL, create_action);
  gtk_widget_class_install_action (widget_class, "invite.copy", NULL, copy_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
}

static void
confab_invite_dialog_init (ConfabInviteDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
