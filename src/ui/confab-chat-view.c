/* confab-chat-view.c: the chat's title and messages, or an empty state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-chat-view.h"

struct _ConfabChatView
{
  GtkWidget          parent_instance;

  ConfabStore       *store;
  ConfabChat        *chat;
  ConfabMessageList *messages;
  /* Follow the chat's title and the message count whichever chat is shown. */
  GBindingGroup     *chat_bindings;
  GSignalGroup      *messages_signals;
  gboolean           folded;

  /* Template widgets */
  AdwWindowTitle    *window_title;
  GtkMenuButton     *chat_menu_button;
  GtkStack          *stack;
  GtkListView       *message_list;
  GtkNoSelection    *message_selection;
};

G_DEFINE_FINAL_TYPE (ConfabChatView, confab_chat_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_CHAT,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_chat_view_update_page (ConfabChatView *self)
{
  const char *page;

  if (self->chat == NULL)
    page = "no-chat";
  else if (self->messages == NULL
           || g_list_model_get_n_items (G_LIST_MODEL (self->messages)) == 0)
    page = "no-messages";
  else
    page = "messages";

  gtk_stack_set_visible_child_name (self->stack, page);
  /* An empty title would still be read out by screen readers. */
  gtk_widget_set_visible (GTK_WIDGET (self->window_title), self->chat != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->chat_menu_button), self->chat != NULL);
}

static void
on_messages_items_changed_cb (ConfabChatView *self,
                              guint           position,
                              guint           removed,
                              guint           added,
                              GListModel     *model)
{
  confab_chat_view_update_page (self);
}

static void
confab_chat_view_load_messages (ConfabChatView *self)
{
  guint n_items;

  g_clear_object (&self->messages);

  /* Without a chat, show nothing rather than keeping the old one's rows. */
  if (self->chat != NULL && self->store != NULL)
    self->messages = confab_store_list_messages (self->store,
                                                 confab_chat_get_id (self->chat),
                                                 0);

  g_signal_group_set_target (self->messages_signals, self->messages);
  gtk_no_selection_set_model (self->message_selection, G_LIST_MODEL (self->messages));
  confab_chat_view_update_page (self);

  /* A chat reads from the bottom, like every messenger. */
  n_items = self->messages ? g_list_model_get_n_items (G_LIST_MODEL (self->messages)) : 0;
  if (n_items > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->message_list),
                                "list.scroll-to-item", "u", n_items - 1);
}

ConfabStore *
confab_chat_view_get_store (ConfabChatView *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_VIEW (self), NULL);

  return self->store;
}

void
confab_chat_view_set_store (ConfabChatView *self,
                            ConfabStore    *store)
{
  g_return_if_fail (CONFAB_IS_CHAT_VIEW (self));
  g_return_if_fail (!store || CONFAB_IS_STORE (store));

  if (g_set_object (&self->store, store))
    {
      confab_chat_view_load_messages (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
    }
}

ConfabChat *
confab_chat_view_get_chat (ConfabChatView *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_VIEW (self), NULL);

  return self->chat;
}

void
confab_chat_view_set_chat (ConfabChatView *self,
                           ConfabChat     *chat)
{
  g_return_if_fail (CONFAB_IS_CHAT_VIEW (self));
  g_return_if_fail (!chat || CONFAB_IS_CHAT (chat));

  if (g_set_object (&self->chat, chat))
    {
      g_binding_group_set_source (self->chat_bindings, chat);
      if (chat == NULL)
        adw_window_title_set_title (self->window_title, NULL);
      confab_chat_view_load_messages (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHAT]);
    }
}

gboolean
confab_chat_view_get_folded (ConfabChatView *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_VIEW (self), FALSE);

  return self->folded;
}

void
confab_chat_view_set_folded (ConfabChatView *self,
                             gboolean        folded)
{
  g_return_if_fail (CONFAB_IS_CHAT_VIEW (self));

  folded = !!folded;

  if (self->folded != folded)
    {
      self->folded = folded;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDED]);
    }
}

static void
confab_chat_view_dispose (GObject *object)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (object);

  if (self->chat_bindings != NULL)
    g_binding_group_set_source (self->chat_bindings, NULL);
  if (self->messages_signals != NULL)
    g_signal_group_set_target (self->messages_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_CHAT_VIEW);
  /* dispose_template () only drops the children bound to fields. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);

  g_clear_object (&self->chat_bindings);
  g_clear_object (&self->messages_signals);
  g_clear_object (&self->messages);
  g_clear_object (&self->chat);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_chat_view_parent_class)->dispose (object);
}

static void
confab_chat_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CHAT:
      g_value_set_object (value, self->chat);
      break;

    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      confab_chat_view_set_store (self, g_value_get_object (value));
      break;

    case PROP_CHAT:
      confab_chat_view_set_chat (self, g_value_get_object (value));
      break;

    case PROP_FOLDED:
      confab_chat_view_set_folded (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_view_class_init (ConfabChatViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_chat_view_dispose;
  object_class->get_property = confab_chat_view_get_property;
  object_class->set_property = confab_chat_view_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CONFAB_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CHAT] =
    g_param_spec_object ("chat", NULL, NULL,
                         CONFAB_TYPE_CHAT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The row template looks the message type up by name. */
  g_type_ensure (CONFAB_TYPE_MESSAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-chat-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, window_title);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, chat_menu_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, message_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, message_selection);
}

static void
confab_chat_view_init (ConfabChatView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->chat_bindings = g_binding_group_new ();
  g_binding_group_bind (self->chat_bindings, "title",
                        self->window_title, "title",
                        G_BINDING_SYNC_CREATE);

  self->messages_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_object (self->messages_signals,
                                 "items-changed",
                                 G_CALLBACK (on_messages_items_changed_cb),
                                 self,
                                 G_CONNECT_SWAPPED);

  confab_chat_view_update_page (self);
}
