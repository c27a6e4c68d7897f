/* confab-chat-row.c: a chat in the sidebar.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-chat-row.h"

struct _ConfabChatRow
{
  GtkWidget      parent_instance;

  ConfabChat    *chat;
  /* Rows are recycled: the bindings and handlers follow whichever chat the
   * row shows and drop the previous one. */
  GBindingGroup *bindings;
  GSignalGroup  *signals;

  /* Template widgets */
  GtkLabel      *title_label;
  GtkImage      *pin_image;
};

G_DEFINE_FINAL_TYPE (ConfabChatRow, confab_chat_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CHAT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_chat_row_update_archived (ConfabChatRow *self)
{
  gboolean archived = self->chat != NULL && confab_chat_get_archived (self->chat);

  /* Dimmed for the eye, described for screen readers. */
  if (archived)
    gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->title_label), "dim-label");

  if (archived)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->title_label),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Archived"),
                                    -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->title_label),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
on_archived_changed_cb (ConfabChatRow *self,
                        GParamSpec    *pspec,
                        ConfabChat    *chat)
{
  confab_chat_row_update_archived (self);
}

ConfabChat *
confab_chat_row_get_chat (ConfabChatRow *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_ROW (self), NULL);

  return self->chat;
}

void
confab_chat_row_set_chat (ConfabChatRow *self,
                          ConfabChat    *chat)
{
  g_return_if_fail (CONFAB_IS_CHAT_ROW (self));
  g_return_if_fail (!chat || CONFAB_IS_CHAT (chat));

  if (!g_set_object (&self->chat, chat))
    return;

  g_binding_group_set_source (self->bindings, chat);
  g_signal_group_set_target (self->signals, chat);
  confab_chat_row_update_archived (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHAT]);
}

static void
confab_chat_row_dispose (GObject *object)
{
  ConfabChatRow *self = CONFAB_CHAT_ROW (object);

  if (self->bindings != NULL)
    g_binding_group_set_source (self->bindings, NULL);
  if (self->signals != NULL)
    g_signal_group_set_target (self->signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_CHAT_ROW);

  g_clear_object (&self->bindings);
  g_clear_object (&self->signals);
  g_clear_object (&self->chat);

  G_OBJECT_CLASS (confab_chat_row_parent_class)->dispose (object);
}

static void
confab_chat_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ConfabChatRow *self = CONFAB_CHAT_ROW (object);

  switch (prop_id)
    {
    case PROP_CHAT:
      g_value_set_object (value, self->chat);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_row_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ConfabChatRow *self = CONFAB_CHAT_ROW (object);

  switch (prop_id)
    {
    case PROP_CHAT:
      confab_chat_row_set_chat (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_row_class_init (ConfabChatRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_chat_row_dispose;
  object_class->get_property = confab_chat_row_get_property;
  object_class->set_property = confab_chat_row_set_property;

  properties[PROP_CHAT] =
    g_param_spec_object ("chat", NULL, NULL,
                         CONFAB_TYPE_CHAT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-chat-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabChatRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatRow, pin_image);
}

static void
confab_chat_row_init (ConfabChatRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->bindings = g_binding_group_new ();
  g_binding_group_bind (self->bindings, "title", self->title_label, "label",
                        G_BINDING_SYNC_CREATE);
  g_binding_group_bind (self->bindings, "pinned", self->pin_image, "visible",
                        G_BINDING_SYNC_CREATE);

  self->signals = g_signal_group_new (CONFAB_TYPE_CHAT);
  g_signal_group_connect_object (self->signals, "notify::archived",
                                 G_CALLBACK (on_archived_changed_cb), self,
                                 G_CONNECT_SWAPPED);
}
