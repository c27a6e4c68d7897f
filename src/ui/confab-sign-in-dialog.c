/* confab-sign-in-dialog.c: server address, user name and password; Sign In
 * or Create Account, with the reason when it fails (wrong password, server
 * unreachable, registration closed…). Closes itself once signed in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-sign-in-dialog.h"

struct _ConfabSignInDialog
{
  AdwWindow           parent_instance;

  ConfabRoomAccount  *account;
  GCancellable       *cancellable;   /* the attempt running, NULL when idle */
  gboolean            create;        /* the attempt creates the account */

  /* Template widgets */
  GtkWidget          *rows;
  AdwEntryRow        *server_row;
  AdwEntryRow        *user_row;
  AdwEntryRow        *password_row;
  GtkLabel           *error_label;
  GtkSpinner         *spinner;
};

G_DEFINE_FINAL_TYPE (ConfabSignInDialog, confab_sign_in_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

ConfabSignInDialog *
confab_sign_in_dialog_new (GtkWindow         *parent,
                           ConfabRoomAccount *account)
{
  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CONFAB_IS_ROOM_ACCOUNT (account), NULL);

  return g_object_new (CONFAB_TYPE_SIGN_IN_DIALOG,
                       "transient-for", parent,
                       "account", account,
                       NULL);
}

void
confab_sign_in_dialog_set_server (ConfabSignInDialog *self,
                                  const char         *server_url)
{
  const char *current;

  g_return_if_fail (CONFAB_IS_SIGN_IN_DIALOG (self));

  current = confab_room_account_get_server_url (self->account);
  if (server_url == NULL || g_strcmp0 (server_url, current) == 0)
    return;

  /* The user there is likely another one. */
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url);
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), "");
}

static char *
dup_row_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
update_actions (ConfabSignInDialog *self)
{
  g_autofree char *server = dup_row_text (self->server_row);
  g_autofree char *user = dup_row_text (self->user_row);
  /* Spaces are part of a password. */
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  gboolean ready = self->cancellable == NULL && *server != '\0' && *user != '\0' &&
                   *password != '\0';

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.sign-in", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.create", ready);
}

static void
show_error (ConfabSignInDialog *self,
            const char         *message)
{
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (ConfabSignInDialog *self,
          gboolean            busy)
{
  if (!busy)
    g_clear_object (&self->cancellable);

  gtk_widget_set_sensitive (self->rows, !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  update_actions (self);
}

static void
on_changed_cb (ConfabSignInDialog *self,
               GtkEditable        *editable)
{
  update_actions (self);
}

/* The main window's toast overlay is its content. */
static void
toast_parent (ConfabSignInDialog *self,
              const char         *title)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  GtkWidget *content = ADW_IS_APPLICATION_WINDOW (parent)
                       ? adw_application_window_get_content (ADW_APPLICATION_WINDOW (parent))
                       : NULL;
  g_autofree char *escaped = g_markup_escape_text (title, -1);

  if (ADW_IS_TOAST_OVERLAY (content))
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (content), adw_toast_new (escaped));
}

static void
on_signed_in_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ConfabSignInDialog) self = user_data;
  ConfabRoomAccount *account = CONFAB_ROOM_ACCOUNT (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;

  if (!confab_room_account_sign_in_finish (account, result, &error))
    {
      /* Closed meanwhile: nobody to tell. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      server = dup_row_text (self->server_row);
      user = dup_row_text (self->user_row);
      message = confab_room_account_describe_error (error, server, user, self->create);
      g_debug ("Signing in failed: %s", error->message);
      set_busy (self, FALSE);
      show_error (self, message);
      gtk_widget_grab_focus (error->domain == CONFAB_PROTOCOL_ERROR
                             ? GTK_WIDGET (self->password_row)
                             : GTK_WIDGET (self->server_row));
      return;
    }

  set_busy (self, FALSE);
  message = g_strdup_printf (_("Signed in to %s as %s"),
                             confab_room_account_get_server_url (account),
                             confab_room_account_get_user (account));
  toast_parent (self, message);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
start (ConfabSignInDialog *self,
       gboolean            create)
{
  g_autofree char *server = dup_row_text (self->server_row);
  g_autofree char *user = dup_row_text (self->user_row);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (self->cancellable != NULL || *server == '\0' || *user == '\0' || *password == '\0')
    return;

  self->create = create;
  self->cancellable = g_cancellable_new ();
  show_error (self, NULL);
  /* Away from the rows before they turn insensitive: GTK 4.8 would leave
   * the focused entry's cursor blinking without focus (and warn). */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  set_busy (self, TRUE);
  confab_room_account_sign_in_async (self->account, server, user, password, create,
                                     self->cancellable, on_signed_in_cb, g_object_ref (self));
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  start (CONFAB_SIGN_IN_DIALOG (widget), FALSE);
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  start (CONFAB_SIGN_IN_DIALOG (widget), TRUE);
}

static void
confab_sign_in_dialog_constructed (GObject *object)
{
  ConfabSignInDialog *self = CONFAB_SIGN_IN_DIALOG (object);
  const char *server = confab_room_account_get_server_url (self->account);
  const char *user = confab_room_account_get_user (self->account);

  G_OBJECT_CLASS (confab_sign_in_dialog_parent_class)->constructed (object);

  /* Signing in again, most likely where one was before. */
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server ? server : "");
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user ? user : "");
  update_actions (self);
}

static void
confab_sign_in_dialog_map (GtkWidget *widget)
{
  ConfabSignInDialog *self = CONFAB_SIGN_IN_DIALOG (widget);

  GTK_WIDGET_CLASS (confab_sign_in_dialog_parent_class)->map (widget);

  /* Only once mapped: focusing earlier makes GTK 4.8 set up the window's
   * accessible object before it knows its dialog role. Signing in again
   * most likely needs only the password. */
  if (*gtk_editable_get_text (GTK_EDITABLE (self->server_row)) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
  else if (*gtk_editable_get_text (GTK_EDITABLE (self->user_row)) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->user_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

static void
confab_sign_in_dialog_dispose (GObject *object)
{
  ConfabSignInDialog *self = CONFAB_SIGN_IN_DIALOG (object);

  /* Closing the dialog gives up the attempt. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_SIGN_IN_DIALOG);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (confab_sign_in_dialog_parent_class)->dispose (object);
}

static void
confab_sign_in_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ConfabSignInDialog *self = CONFAB_SIGN_IN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_sign_in_dialog_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ConfabSignInDialog *self = CONFAB_SIGN_IN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_sign_in_dialog_class_init (ConfabSignInDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = confab_sign_in_dialog_constructed;
  object_class->dispose = confab_sign_in_dialog_dispose;
  object_class->get_property = confab_sign_in_dialog_get_property;
  object_class->set_property = confab_sign_in_dialog_set_property;

  widget_class->map = confab_sign_in_dialog_map;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL,
                         CONFAB_TYPE_ROOM_ACCOUNT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-sign-in-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabSignInDialog, rows);
  gtk_widget_class_bind_template_child (widget_class, ConfabSignInDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabSignInDialog, user_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabSignInDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabSignInDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabSignInDialog, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_changed_cb);

  gtk_widget_class_install_action (widget_class, "sign-in.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "sign-in.create", NULL, create_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  /* A window, but announced as the dialog it is. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
}

static void
confab_sign_in_dialog_init (ConfabSignInDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
