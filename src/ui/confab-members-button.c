/* confab-members-button.c: a menu button whose popover lists the members
 * of a shared project, each row following its member as the room's
 * events and presence change it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-members-button.h"
#include "confab-room-sync.h"

struct _ConfabMembersButton
{
  GtkWidget   parent_instance;

  GListModel *members;

  /* Template widgets */
  GtkWidget  *button;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (ConfabMembersButton, confab_members_button, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MEMBERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
role_title (ConfabRoomRole role)
{
  switch (role)
    {
    case CONFAB_ROOM_ROLE_OWNER:
      return C_("room role", "Owner");
    case CONFAB_ROOM_ROLE_ADMIN:
      return C_("room role", "Admin");
    case CONFAB_ROOM_ROLE_MEMBER:
      return C_("room role", "Member");
    case CONFAB_ROOM_ROLE_VIEWER:
      return C_("room role", "Viewer");
    case CONFAB_ROOM_ROLE_NONE:
    default:
      return "";
    }
}

/* For screen readers: "ada, owner, online". */
static const char *
role_word (ConfabRoomRole role)
{
  switch (role)
    {
    case CONFAB_ROOM_ROLE_OWNER:
      return C_("room role, in a sentence", "owner");
    case CONFAB_ROOM_ROLE_ADMIN:
      return C_("room role, in a sentence", "admin");
    case CONFAB_ROOM_ROLE_MEMBER:
      return C_("room role, in a sentence", "member");
    case CONFAB_ROOM_ROLE_VIEWER:
      return C_("room role, in a sentence", "viewer");
    case CONFAB_ROOM_ROLE_NONE:
    default:
      return "";
    }
}

static void
update_row (GtkWidget        *row,
            GParamSpec       *pspec,
            ConfabRoomMember *member)
{
  GtkWidget *dot = g_object_get_data (G_OBJECT (row), "confab-dot");
  GtkLabel *role_label = g_object_get_data (G_OBJECT (row), "confab-role");
  gboolean online = confab_room_member_get_online (member);
  ConfabRoomRole role = confab_room_member_get_role (member);
  g_autofree char *description = NULL;

  if (online)
    gtk_widget_add_css_class (dot, "online");
  else
    gtk_widget_remove_css_class (dot, "online");
  gtk_widget_set_tooltip_text (dot, online ? _("Online") : _("Offline"));
  gtk_label_set_label (role_label, role_title (role));

  /* Translators: a room member in the members list, for screen readers:
   * "ada, owner, online" */
  description = g_strdup_printf (_("%s, %s, %s"), confab_room_member_get_user (member),
                                 role_word (role), online ? _("online") : _("offline"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  -1);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  ConfabRoomMember *member = CONFAB_ROOM_MEMBER (item);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *dot = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *user = gtk_label_new (confab_room_member_get_user (member));
  GtkWidget *role = gtk_label_new (NULL);

  gtk_widget_set_valign (dot, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (dot, "presence-dot");
  gtk_label_set_xalign (GTK_LABEL (user), 0);
  gtk_label_set_ellipsize (GTK_LABEL (user), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (user, TRUE);
  gtk_widget_add_css_class (role, "dim-label");
  gtk_widget_add_css_class (role, "caption");

  gtk_box_append (GTK_BOX (box), dot);
  gtk_box_append (GTK_BOX (box), user);
  gtk_box_append (GTK_BOX (box), role);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);

  g_object_set_data (G_OBJECT (row), "confab-dot", dot);
  g_object_set_data (G_OBJECT (row), "confab-role", role);
  /* The row goes with the member (the list box rebuilds on changes). */
  g_signal_connect_object (member, "notify::online", G_CALLBACK (update_row), row,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (member, "notify::role", G_CALLBACK (update_row), row,
                           G_CONNECT_SWAPPED);
  update_row (row, NULL, member);

  return row;
}

GListModel *
confab_members_button_get_members (ConfabMembersButton *self)
{
  g_return_val_if_fail (CONFAB_IS_MEMBERS_BUTTON (self), NULL);

  return self->members;
}

void
confab_members_button_set_members (ConfabMembersButton *self,
                                   GListModel          *members)
{
  g_return_if_fail (CONFAB_IS_MEMBERS_BUTTON (self));
  g_return_if_fail (!members || G_IS_LIST_MODEL (members));

  if (!g_set_object (&self->members, members))
    return;

  gtk_list_box_bind_model (self->list, members, create_row, NULL, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMBERS]);
}

static void
confab_members_button_dispose (GObject *object)
{
  ConfabMembersButton *self = CONFAB_MEMBERS_BUTTON (object);

  if (self->list != NULL)
    gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_MEMBERS_BUTTON);
  g_clear_object (&self->members);

  G_OBJECT_CLASS (confab_members_button_parent_class)->dispose (object);
}

static void
confab_members_button_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ConfabMembersButton *self = CONFAB_MEMBERS_BUTTON (object);

  switch (prop_id)
    {
    case PROP_MEMBERS:
      g_value_set_object (value, self->members);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_members_button_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ConfabMembersButton *self = CONFAB_MEMBERS_BUTTON (object);

  switch (prop_id)
    {
    case PROP_MEMBERS:
      confab_members_button_set_members (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_members_button_class_init (ConfabMembersButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_members_button_dispose;
  object_class->get_property = confab_members_button_get_property;
  object_class->set_property = confab_members_button_set_property;

  properties[PROP_MEMBERS] =
    g_param_spec_object ("members", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-members-button.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabMembersButton, button);
  gtk_widget_class_bind_template_child (widget_class, ConfabMembersButton, list);
}

static void
confab_members_button_init (ConfabMembersButton *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
