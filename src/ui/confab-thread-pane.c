/* confab-thread-pane.c: a thread's parent and replies, and its composer.
 *
 * The list shows the parent first, then confab_store_list_messages() of
 * the thread, through a GtkFlattenListModel. The thread's model choice is
 * stored with the thread (confab_store_set_thread_model()), so it stays
 * apart from the main line's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-chat-controller.h"
#include "confab-composer.h"
#include "confab-message-row.h"
#include "confab-thread-pane.h"

struct _ConfabThreadPane
{
  GtkWidget             parent_instance;

  ConfabStore          *store;
  ConfabChat           *chat;
  ConfabMessage        *parent;
  ConfabChatController *controller;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkScrolledWindow    *scrolled_window;
  GtkListView          *reply_list;
  GtkNoSelection       *reply_selection;
  ConfabComposer       *composer;
};

G_DEFINE_FINAL_TYPE (ConfabThreadPane, confab_thread_pane, GTK_TYPE_WIDGET)

static void
scroll_to_end (ConfabThreadPane *self)
{
  GListModel *model = G_LIST_MODEL (self->reply_selection);
  guint n_items = g_list_model_get_n_items (model);

  if (n_items > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->reply_list),
                                "list.scroll-to-item", "u", n_items - 1);
}

static void
on_items_changed_cb (ConfabThreadPane *self,
                     guint             position,
                     guint             removed,
                     guint             added,
                     GListModel       *model)
{
  if (added > 0)
    scroll_to_end (self);
}

GtkWidget *
confab_thread_pane_new (void)
{
  return g_object_new (CONFAB_TYPE_THREAD_PANE, NULL);
}

ConfabMessage *
confab_thread_pane_get_parent (ConfabThreadPane *self)
{
  g_return_val_if_fail (CONFAB_IS_THREAD_PANE (self), NULL);

  return self->parent;
}

void
confab_thread_pane_set_parent (ConfabThreadPane *self,
                               ConfabStore      *store,
                               ConfabChat       *chat,
                               ConfabMessage    *parent,
                               const char       *default_model)
{
  g_autoptr(GListStore) parts = NULL;
  g_autoptr(GListStore) head = NULL;
  g_autofree char *model = NULL;
  GtkFlattenListModel *flat;

  g_return_if_fail (CONFAB_IS_THREAD_PANE (self));

  g_set_object (&self->store, store);
  g_set_object (&self->chat, chat);
  g_set_object (&self->parent, parent);

  confab_chat_controller_set_store (self->controller, store);
  confab_chat_controller_set_chat (self->controller, parent ? chat : NULL,
                                   parent ? confab_message_get_id (parent) : 0);
  confab_composer_set_editing (self->composer, NULL);
  confab_composer_set_text (self->composer, NULL);

  if (parent == NULL || store == NULL || chat == NULL)
    {
      gtk_no_selection_set_model (self->reply_selection, NULL);
      return;
    }

  head = g_list_store_new (CONFAB_TYPE_MESSAGE);
  g_list_store_append (head, parent);
  parts = g_list_store_new (G_TYPE_LIST_MODEL);
  g_list_store_append (parts, head);
  {
    g_autoptr(ConfabMessageList) replies =
      confab_store_list_messages (store, confab_chat_get_id (chat),
                                  confab_message_get_id (parent));
    g_list_store_append (parts, replies);
  }
  flat = gtk_flatten_list_model_new (G_LIST_MODEL (g_steal_pointer (&parts)));
  g_signal_connect_object (flat, "items-changed", G_CALLBACK (on_items_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_no_selection_set_model (self->reply_selection, G_LIST_MODEL (flat));
  g_object_unref (flat);
  scroll_to_end (self);

  model = confab_store_dup_thread_model (store, confab_message_get_id (parent), NULL);
  confab_composer_set_model (self->composer, model ? model : default_model);
  confab_composer_focus (self->composer);
}

static void
on_composer_send_cb (ConfabThreadPane *self,
                     const char       *text,
                     ConfabComposer   *composer)
{
  const char *model = confab_composer_get_model (composer);

  if (self->parent == NULL)
    return;

  confab_chat_controller_send (self->controller, text, model, NULL);
  if (confab_chat_controller_get_busy (self->controller))
    {
      /* Given back by on_failed_cb if it never reached the store. */
      confab_composer_set_text (composer, NULL);
      /* Stored now, with the first message too (the thread row is made
       * for it), so the choice holds even when the reply fails. */
      confab_store_set_thread_model (self->store, confab_message_get_id (self->parent),
                                     model, NULL);
    }
}

static void
on_composer_stop_cb (ConfabThreadPane *self,
                     ConfabComposer   *composer)
{
  confab_chat_controller_stop (self->controller);
}

static void
on_failed_cb (ConfabThreadPane     *self,
              const GError         *error,
              gboolean              prompt_stored,
              const char           *prompt,
              ConfabChatController *controller)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (!prompt_stored && prompt != NULL)
    {
      g_autofree char *current = confab_composer_dup_text (self->composer);

      if (current[0] == '\0')
        confab_composer_set_text (self->composer, prompt);
    }

  if (overlay != NULL)
    {
      /* A toast's title is markup. */
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (escaped));
    }
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  /* The chat view owns the revealer the pane sits in. */
  gtk_widget_activate_action (widget, "chat.close-thread", NULL);
}

static void
on_row_setup_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 gpointer                  user_data)
{
  gtk_list_item_set_activatable (list_item, FALSE);
  gtk_list_item_set_child (list_item, confab_message_row_new ());
}

static void
on_row_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  confab_message_row_set_message (CONFAB_MESSAGE_ROW (gtk_list_item_get_child (list_item)),
                                  gtk_list_item_get_item (list_item));
}

static void
on_row_unbind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  gpointer                  user_data)
{
  confab_message_row_set_message (CONFAB_MESSAGE_ROW (gtk_list_item_get_child (list_item)), NULL);
}

static void
confab_thread_pane_dispose (GObject *object)
{
  ConfabThreadPane *self = CONFAB_THREAD_PANE (object);

  if (self->controller != NULL)
    confab_chat_controller_stop (self->controller);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_THREAD_PANE);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);

  g_clear_object (&self->controller);
  g_clear_object (&self->parent);
  g_clear_object (&self->chat);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_thread_pane_parent_class)->dispose (object);
}

static void
confab_thread_pane_class_init (ConfabThreadPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_thread_pane_dispose;

  g_type_ensure (CONFAB_TYPE_COMPOSER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-thread-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabThreadPane, window_title);
  gtk_widget_class_bind_template_child (widget_class, ConfabThreadPane, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, ConfabThreadPane, reply_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabThreadPane, reply_selection);
  gtk_widget_class_bind_template_child (widget_class, ConfabThreadPane, composer);
  gtk_widget_class_bind_template_callback (widget_class, on_composer_send_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_composer_stop_cb);

  gtk_widget_class_install_action (widget_class, "thread.close", NULL, close_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "thread.close", NULL);
}

static void
confab_thread_pane_init (ConfabThreadPane *self)
{
  GtkListItemFactory *factory;
  GApplication *app = g_application_get_default ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->controller = confab_chat_controller_new ();
  if (CONFAB_IS_APPLICATION (app))
    confab_chat_controller_set_catalogue (self->controller,
                                          confab_application_get_catalogue (CONFAB_APPLICATION (app)));
  g_object_bind_property (self->controller, "busy", self->composer, "busy", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->controller, "failed", G_CALLBACK (on_failed_cb), self,
                           G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_row_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_row_bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_row_unbind_cb), NULL);
  gtk_list_view_set_factory (self->reply_list, factory);
  g_object_unref (factory);
}
