/* confab-room-banner.c: what stands between a shared chat and its room:
 * offline (with the last error and Retry Now), the session ended by the
 * server, or not signed in to the project's server (Sign In…). Hidden for
 * local projects and while online.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-room-banner.h"

typedef enum
{
  BANNER_HIDDEN,
  BANNER_OFFLINE,
  BANNER_EXPIRED,
  BANNER_SIGNED_OUT,
} BannerMode;

struct _ConfabRoomBanner
{
  GtkWidget          parent_instance;

  ConfabRoomAccount *account;
  ConfabProject     *project;
  GSignalGroup      *account_signals;
  GSignalGroup      *project_signals;
  BannerMode         mode;

  /* Template widgets */
  GtkRevealer       *revealer;
  GtkLabel          *title_label;
  GtkLabel          *detail_label;
  GtkButton         *action_button;
};

G_DEFINE_FINAL_TYPE (ConfabRoomBanner, confab_room_banner, GTK_TYPE_WIDGET)

static BannerMode
compute_mode (ConfabRoomBanner *self)
{
  if (self->project == NULL || !confab_project_get_shared (self->project))
    return BANNER_HIDDEN;

  if (self->account == NULL || !confab_room_account_is_shared_here (self->account, self->project))
    return BANNER_SIGNED_OUT;

  switch (confab_room_account_get_status (self->account))
    {
    case CONFAB_ROOM_ACCOUNT_OFFLINE:
      return BANNER_OFFLINE;
    case CONFAB_ROOM_ACCOUNT_EXPIRED:
      return BANNER_EXPIRED;
    case CONFAB_ROOM_ACCOUNT_SIGNED_OUT:
      return BANNER_SIGNED_OUT;
    case CONFAB_ROOM_ACCOUNT_CONNECTING:
    case CONFAB_ROOM_ACCOUNT_ONLINE:
    default:
      return BANNER_HIDDEN;
    }
}

static void
update (ConfabRoomBanner *self)
{
  const char *error = self->account ? confab_room_account_get_last_error (self->account) : NULL;
  g_autofree char *detail = NULL;
  const char *title = NULL;
  const char *action = NULL;

  self->mode = compute_mode (self);

  switch (self->mode)
    {
    case BANNER_OFFLINE:
      title = _("Offline — reconnecting…");
      action = _("_Retry Now");
      detail = g_strdup (error != NULL ? error
                                       : _("The server cannot be reached. New messages will "
                                           "show up once it is back."));
      break;

    case BANNER_EXPIRED:
      title = _("Signed out by the server");
      action = _("_Sign In…");
      detail = g_strdup (error != NULL ? error : _("Sign in again to follow this project."));
      break;

    case BANNER_SIGNED_OUT:
      title = _("Not signed in");
      action = _("_Sign In…");
      detail = g_strdup_printf (_("This project is shared on %s: sign in there to see new "
                                  "messages and write."),
                                confab_project_get_room_server (self->project));
      break;

    case BANNER_HIDDEN:
    default:
      break;
    }

  /* Kept while hiding, so the text does not vanish mid-transition; the
   * button is off by then. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->action_button), title != NULL);
  if (title != NULL)
    {
      gtk_label_set_label (self->title_label, title);
      gtk_label_set_label (self->detail_label, detail);
      gtk_button_set_label (self->action_button, action);
      gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
    }
  gtk_revealer_set_reveal_child (self->revealer, title != NULL);
}

static void
on_changed_cb (ConfabRoomBanner *self)
{
  update (self);
}

static void
on_child_revealed_cb (ConfabRoomBanner *self,
                      GParamSpec       *pspec,
                      GtkRevealer      *revealer)
{
  /* Out of the accessibility tree too once closed. */
  if (!gtk_revealer_get_reveal_child (revealer) && !gtk_revealer_get_child_revealed (revealer))
    gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

static void
on_action_clicked_cb (ConfabRoomBanner *self,
                      GtkButton        *button)
{
  /* What the button said when clicked: it may have been clicked on its
   * way out (online again meanwhile), when it does nothing. */
  switch (self->mode)
    {
    case BANNER_OFFLINE:
      if (self->account != NULL)
        confab_room_account_retry (self->account);
      break;

    case BANNER_EXPIRED:
    case BANNER_SIGNED_OUT:
      if (self->project != NULL && confab_project_get_room_server (self->project) != NULL)
        gtk_widget_activate_action (GTK_WIDGET (self), "app.sign-in-to", "s",
                                    confab_project_get_room_server (self->project));
      break;

    case BANNER_HIDDEN:
    default:
      break;
    }
}

void
confab_room_banner_set_account (ConfabRoomBanner  *self,
                                ConfabRoomAccount *account)
{
  g_return_if_fail (CONFAB_IS_ROOM_BANNER (self));
  g_return_if_fail (!account || CONFAB_IS_ROOM_ACCOUNT (account));

  if (g_set_object (&self->account, account))
    {
      g_signal_group_set_target (self->account_signals, account);
      update (self);
    }
}

void
confab_room_banner_set_project (ConfabRoomBanner *self,
                                ConfabProject    *project)
{
  g_return_if_fail (CONFAB_IS_ROOM_BANNER (self));
  g_return_if_fail (!project || CONFAB_IS_PROJECT (project));

  if (g_set_object (&self->project, project))
    {
      g_signal_group_set_target (self->project_signals, project);
      update (self);
    }
}

static void
confab_room_banner_dispose (GObject *object)
{
  ConfabRoomBanner *self = CONFAB_ROOM_BANNER (object);

  if (self->account_signals != NULL)
    g_signal_group_set_target (self->account_signals, NULL);
  if (self->project_signals != NULL)
    g_signal_group_set_target (self->project_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_ROOM_BANNER);
  g_clear_object (&self->account_signals);
  g_clear_object (&self->project_signals);
  g_clear_object (&self->account);
  g_clear_object (&self->project);

  G_OBJECT_CLASS (confab_room_banner_parent_class)->dispose (object);
}

static void
confab_room_banner_class_init (ConfabRoomBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_room_banner_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-room-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabRoomBanner, revealer);
  gtk_widget_class_bind_template_child (widget_class, ConfabRoomBanner, title_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabRoomBanner, detail_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabRoomBanner, action_button);
  gtk_widget_class_bind_template_callback (widget_class, on_action_clicked_cb);

  gtk_widget_class_set_css_name (widget_class, "roombanner");
}

static void
confab_room_banner_init (ConfabRoomBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->account_signals = g_signal_group_new (CONFAB_TYPE_ROOM_ACCOUNT);
  g_signal_group_connect_swapped (self->account_signals, "notify::status",
                                  G_CALLBACK (on_changed_cb), self);
  g_signal_group_connect_swapped (self->account_signals, "notify::last-error",
                                  G_CALLBACK (on_changed_cb), self);
  g_signal_group_connect_swapped (self->account_signals, "notify::sync",
                                  G_CALLBACK (on_changed_cb), self);

  self->project_signals = g_signal_group_new (CONFAB_TYPE_PROJECT);
  g_signal_group_connect_swapped (self->project_signals, "notify::shared",
                                  G_CALLBACK (on_changed_cb), self);
  g_signal_group_connect_swapped (self->project_signals, "notify::room-server",
                                  G_CALLBACK (on_changed_cb), self);

  g_signal_connect_object (self->revealer, "notify::child-revealed",
                           G_CALLBACK (on_child_revealed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
