/* confab-chat-search-bar.c: find in the open chat.
 *
 * Matches come from the full-text index (confab_store_search_hits_async,
 * restricted to the chat, newest first), not from the rows on screen: a
 * long chat is paged and most of it is never loaded. Enter walks up to
 * older matches, Shift+Enter back down; each step emits ::message-found
 * and the chat view scrolls to the message and highlights it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-chat-search-bar.h"

/* More matches than anyone steps through one by one. */
#define MAX_MATCHES 1000

struct _ConfabChatSearchBar
{
  GtkWidget       parent_instance;

  ConfabStore    *store;
  ConfabChat     *chat;
  GCancellable   *cancellable;
  GPtrArray      *hits;     /* ConfabSearchHit, newest first; NULL: none asked */
  guint           current;  /* index into hits */

  /* Template widgets */
  GtkSearchBar   *search_bar;
  GtkSearchEntry *search_entry;
  GtkLabel       *count_label;
};

G_DEFINE_FINAL_TYPE (ConfabChatSearchBar, confab_chat_search_bar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_CHAT,
  PROP_ACTIVE,
  N_PROPS
};

enum {
  MESSAGE_FOUND,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
confab_chat_search_bar_update (ConfabChatSearchBar *self)
{
  guint n_hits = self->hits ? self->hits->len : 0;
  g_autofree char *count = NULL;
  gboolean none = self->hits != NULL && n_hits == 0;

  if (n_hits > 0)
    /* Translators: the current match and how many there are, "3 of 12" */
    count = g_strdup_printf (_("%u of %u"), self->current + 1, n_hits);
  else if (none)
    count = g_strdup (_("No matches"));

  gtk_label_set_label (self->count_label, count ? count : "");

  if (none)
    gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "find.older", n_hits > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "find.newer", n_hits > 1);
}

static void
confab_chat_search_bar_show_current (ConfabChatSearchBar *self)
{
  confab_chat_search_bar_update (self);

  if (self->hits != NULL && self->current < self->hits->len)
    g_signal_emit (self, signals[MESSAGE_FOUND], 0,
                   g_ptr_array_index (self->hits, self->current));
}

static void
confab_chat_search_bar_clear (ConfabChatSearchBar *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->hits, g_ptr_array_unref);
  self->current = 0;
  confab_chat_search_bar_update (self);
}

static void
search_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ConfabChatSearchBar) self = user_data;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;

  hits = confab_store_search_hits_finish (CONFAB_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (hits == NULL)
    {
      g_debug ("Search in the chat failed: %s", error->message);
      hits = g_ptr_array_new ();
    }

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->hits, g_ptr_array_unref);
  self->hits = g_steal_pointer (&hits);
  self->current = 0;
  confab_chat_search_bar_show_current (self);
}

static void
on_search_changed_cb (ConfabChatSearchBar *self,
                      GtkSearchEntry      *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  confab_chat_search_bar_clear (self);

  if (text[0] == '\0' || self->chat == NULL || self->store == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  confab_store_search_hits_async (self->store, text, confab_chat_get_id (self->chat),
                                  MAX_MATCHES, self->cancellable,
                                  search_done_cb, g_object_ref (self));
}

static void
confab_chat_search_bar_step (ConfabChatSearchBar *self,
                             int                  direction)
{
  guint n_hits = self->hits ? self->hits->len : 0;

  if (n_hits == 0)
    return;

  /* Wraps around, like find in a browser. */
  if (direction > 0)
    self->current = (self->current + 1) % n_hits;
  else
    self->current = (self->current + n_hits - 1) % n_hits;

  confab_chat_search_bar_show_current (self);
}

static void
on_older_cb (ConfabChatSearchBar *self,
             GtkSearchEntry      *entry)
{
  confab_chat_search_bar_step (self, 1);
}

static void
on_newer_cb (ConfabChatSearchBar *self,
             GtkSearchEntry      *entry)
{
  confab_chat_search_bar_step (self, -1);
}

static void
older_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  confab_chat_search_bar_step (CONFAB_CHAT_SEARCH_BAR (widget), 1);
}

static void
newer_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  confab_chat_search_bar_step (CONFAB_CHAT_SEARCH_BAR (widget), -1);
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  confab_chat_search_bar_end (CONFAB_CHAT_SEARCH_BAR (widget));
}

static gboolean
on_entry_key_pressed_cb (GtkEventControllerKey *controller,
                         guint                  keyval,
                         guint                  keycode,
                         GdkModifierType        state,
                         ConfabChatSearchBar   *self)
{
  GdkModifierType mods = state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK);

  /* Shift+Enter goes back down; Up and Down move the way the view does. */
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) && mods == GDK_SHIFT_MASK)
    confab_chat_search_bar_step (self, -1);
  else if ((keyval == GDK_KEY_Up || keyval == GDK_KEY_KP_Up) && mods == 0)
    confab_chat_search_bar_step (self, 1);
  else if ((keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down) && mods == 0)
    confab_chat_search_bar_step (self, -1);
  else
    return FALSE;

  return TRUE;
}

static void
on_search_mode_cb (ConfabChatSearchBar *self,
                   GParamSpec          *pspec,
                   GtkSearchBar        *search_bar)
{
  /* Closing forgets the query, so the next Ctrl+F starts afresh. */
  if (!gtk_search_bar_get_search_mode (search_bar))
    {
      confab_chat_search_bar_clear (self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

void
confab_chat_search_bar_begin (ConfabChatSearchBar *self)
{
  g_return_if_fail (CONFAB_IS_CHAT_SEARCH_BAR (self));

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

void
confab_chat_search_bar_end (ConfabChatSearchBar *self)
{
  g_return_if_fail (CONFAB_IS_CHAT_SEARCH_BAR (self));

  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

gboolean
confab_chat_search_bar_get_active (ConfabChatSearchBar *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SEARCH_BAR (self), FALSE);

  return gtk_search_bar_get_search_mode (self->search_bar);
}

ConfabStore *
confab_chat_search_bar_get_store (ConfabChatSearchBar *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SEARCH_BAR (self), NULL);

  return self->store;
}

void
confab_chat_search_bar_set_store (ConfabChatSearchBar *self,
                                  ConfabStore         *store)
{
  g_return_if_fail (CONFAB_IS_CHAT_SEARCH_BAR (self));
  g_return_if_fail (!store || CONFAB_IS_STORE (store));

  if (g_set_object (&self->store, store))
    {
      confab_chat_search_bar_end (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
    }
}

ConfabChat *
confab_chat_search_bar_get_chat (ConfabChatSearchBar *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_SEARCH_BAR (self), NULL);

  return self->chat;
}

void
confab_chat_search_bar_set_chat (ConfabChatSearchBar *self,
                                 ConfabChat          *chat)
{
  g_return_if_fail (CONFAB_IS_CHAT_SEARCH_BAR (self));
  g_return_if_fail (!chat || CONFAB_IS_CHAT (chat));

  if (g_set_object (&self->chat, chat))
    {
      confab_chat_search_bar_end (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHAT]);
    }
}

static void
confab_chat_search_bar_dispose (GObject *object)
{
  ConfabChatSearchBar *self = CONFAB_CHAT_SEARCH_BAR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->hits, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_CHAT_SEARCH_BAR);

  g_clear_object (&self->chat);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_chat_search_bar_parent_class)->dispose (object);
}

static void
confab_chat_search_bar_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  ConfabChatSearchBar *self = CONFAB_CHAT_SEARCH_BAR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CHAT:
      g_value_set_object (value, self->chat);
      break;

    case PROP_ACTIVE:
      g_value_set_boolean (value, confab_chat_search_bar_get_active (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_search_bar_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  ConfabChatSearchBar *self = CONFAB_CHAT_SEARCH_BAR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      confab_chat_search_bar_set_store (self, g_value_get_object (value));
      break;

    case PROP_CHAT:
      confab_chat_search_bar_set_chat (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_search_bar_class_init (ConfabChatSearchBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_chat_search_bar_dispose;
  object_class->get_property = confab_chat_search_bar_get_property;
  object_class->set_property = confab_chat_search_bar_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CONFAB_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CHAT] =
    g_param_spec_object ("chat", NULL, NULL,
                         CONFAB_TYPE_CHAT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabChatSearchBar::message-found:
   * @hit: the #ConfabSearchHit to show
   */
  signals[MESSAGE_FOUND] =
    g_signal_new ("message-found",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CONFAB_TYPE_SEARCH_HIT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-chat-search-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabChatSearchBar, search_bar);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatSearchBar, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatSearchBar, count_label);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_older_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_newer_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_mode_cb);

  gtk_widget_class_install_action (widget_class, "find.older", NULL, older_action);
  gtk_widget_class_install_action (widget_class, "find.newer", NULL, newer_action);
  gtk_widget_class_install_action (widget_class, "find.close", NULL, close_action);
}

static void
confab_chat_search_bar_init (ConfabChatSearchBar *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));

  /* In the capture phase, before the entry itself takes Shift+Enter. */
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_entry_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), controller);

  confab_chat_search_bar_update (self);
}
