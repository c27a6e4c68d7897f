/* confab-typing-indicator.c: who is typing in the open shared chat.
 *
 * The room relays a typing notice at most every 3 s per person while they
 * type; each one keeps its name up for 5 s. A single one-shot timeout, for
 * the next name to go, runs only while someone is shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-typing-indicator.h"

#define SHOW_US (5 * G_USEC_PER_SEC)

struct _ConfabTypingIndicator
{
  GtkWidget       parent_instance;

  ConfabRoomSync *sync;
  GSignalGroup   *sync_signals;
  gint64          chat_id;
  /* User name -> when to stop showing it (monotonic µs), in arrival order. */
  GHashTable     *until;
  GPtrArray      *order;
  guint           expire_id;

  GtkRevealer    *revealer;
  GtkLabel       *label;
};

G_DEFINE_FINAL_TYPE (ConfabTypingIndicator, confab_typing_indicator, GTK_TYPE_WIDGET)

static void schedule_expiry (ConfabTypingIndicator *self);

static void
update_label (ConfabTypingIndicator *self)
{
  g_autofree char *text = NULL;

  switch (self->order->len)
    {
    case 0:
      break;

    case 1:
      /* Translators: under a shared chat */
      text = g_strdup_printf (_("%s is typing…"), (char *) self->order->pdata[0]);
      break;

    case 2:
      text = g_strdup_printf (_("%s and %s are typing…"), (char *) self->order->pdata[0],
                              (char *) self->order->pdata[1]);
      break;

    default:
      text = g_strdup (_("Several people are typing…"));
      break;
    }

  if (text != NULL)
    {
      gtk_label_set_label (self->label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->label), TRUE);
    }
  gtk_revealer_set_reveal_child (self->revealer, text != NULL);
}

static void
on_child_revealed_cb (ConfabTypingIndicator *self,
                      GParamSpec            *pspec,
                      GtkRevealer           *revealer)
{
  /* Hidden all the way: out of the accessibility tree too (an unrevealed
   * child keeps its last size there). */
  if (!gtk_revealer_get_reveal_child (revealer) && !gtk_revealer_get_child_revealed (revealer))
    gtk_widget_set_visible (GTK_WIDGET (self->label), FALSE);
}

static void
forget_all (ConfabTypingIndicator *self)
{
  g_clear_handle_id (&self->expire_id, g_source_remove);
  g_hash_table_remove_all (self->until);
  g_ptr_array_set_size (self->order, 0);
  update_label (self);
}

static gboolean
on_expire_cb (gpointer user_data)
{
  ConfabTypingIndicator *self = user_data;
  gint64 now = g_get_monotonic_time ();

  self->expire_id = 0;
  for (guint i = self->order->len; i > 0; i--)
    {
      const char *user = self->order->pdata[i - 1];
      gint64 until = *(gint64 *) g_hash_table_lookup (self->until, user);

      if (until <= now)
        {
          g_hash_table_remove (self->until, user);
          g_ptr_array_remove_index (self->order, i - 1);
        }
    }

  update_label (self);
  schedule_expiry (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_expiry (ConfabTypingIndicator *self)
{
  gint64 next = G_MAXINT64;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer value;

  g_clear_handle_id (&self->expire_id, g_source_remove);
  if (g_hash_table_size (self->until) == 0)
    return;

  g_hash_table_iter_init (&iter, self->until);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    next = MIN (next, *(gint64 *) value);

  self->expire_id = g_timeout_add ((guint) MAX (0, (next - now) / 1000) + 1, on_expire_cb, self);
}

static void
on_typing_cb (ConfabTypingIndicator *self,
              ConfabChat            *chat,
              gint64                 parent_id,
              const char            *user,
              ConfabRoomSync        *sync)
{
  gint64 *until;

  if (chat == NULL || user == NULL || confab_chat_get_id (chat) != self->chat_id)
    return;

  until = g_hash_table_lookup (self->until, user);
  if (until == NULL)
    {
      until = g_new (gint64, 1);
      g_hash_table_insert (self->until, g_strdup (user), until);
      g_ptr_array_add (self->order, g_strdup (user));
    }
  *until = g_get_monotonic_time () + SHOW_US;

  update_label (self);
  schedule_expiry (self);
}

void
confab_typing_indicator_set_sync (ConfabTypingIndicator *self,
                                  ConfabRoomSync        *sync)
{
  g_return_if_fail (CONFAB_IS_TYPING_INDICATOR (self));
  g_return_if_fail (!sync || CONFAB_IS_ROOM_SYNC (sync));

  if (g_set_object (&self->sync, sync))
    {
      g_signal_group_set_target (self->sync_signals, sync);
      forget_all (self);
    }
}

void
confab_typing_indicator_set_chat (ConfabTypingIndicator *self,
                                  ConfabChat            *chat)
{
  gint64 chat_id;

  g_return_if_fail (CONFAB_IS_TYPING_INDICATOR (self));
  g_return_if_fail (!chat || CONFAB_IS_CHAT (chat));

  chat_id = chat != NULL ? confab_chat_get_id (chat) : 0;
  if (chat_id != self->chat_id)
    {
      self->chat_id = chat_id;
      forget_all (self);
    }
}

static void
confab_typing_indicator_dispose (GObject *object)
{
  ConfabTypingIndicator *self = CONFAB_TYPING_INDICATOR (object);

  g_clear_handle_id (&self->expire_id, g_source_remove);
  if (self->sync_signals != NULL)
    g_signal_group_set_target (self->sync_signals, NULL);
  g_clear_object (&self->sync_signals);
  g_clear_object (&self->sync);
  g_clear_pointer ((GtkWidget **) &self->revealer, gtk_widget_unparent);

  G_OBJECT_CLASS (confab_typing_indicator_parent_class)->dispose (object);
}

static void
confab_typing_indicator_finalize (GObject *object)
{
  ConfabTypingIndicator *self = CONFAB_TYPING_INDICATOR (object);

  g_hash_table_unref (self->until);
  g_ptr_array_unref (self->order);

  G_OBJECT_CLASS (confab_typing_indicator_parent_class)->finalize (object);
}

static void
confab_typing_indicator_class_init (ConfabTypingIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_typing_indicator_dispose;
  object_class->finalize = confab_typing_indicator_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "typingindicator");
}

static void
confab_typing_indicator_init (ConfabTypingIndicator *self)
{
  self->until = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->order = g_ptr_array_new_with_free_func (g_free);

  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->label, 0);
  gtk_label_set_ellipsize (self->label, PANGO_ELLIPSIZE_END);
  gtk_widget_set_margin_top (GTK_WIDGET (self->label), 4);
  gtk_widget_add_css_class (GTK_WIDGET (self->label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->label), "dim-label");

  self->revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_transition_type (self->revealer, GTK_REVEALER_TRANSITION_TYPE_SLIDE_UP);
  gtk_revealer_set_child (self->revealer, GTK_WIDGET (self->label));
  gtk_widget_set_parent (GTK_WIDGET (self->revealer), GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self->label), FALSE);
  g_signal_connect_object (self->revealer, "notify::child-revealed",
                           G_CALLBACK (on_child_revealed_cb), self, G_CONNECT_SWAPPED);

  self->sync_signals = g_signal_group_new (CONFAB_TYPE_ROOM_SYNC);
  g_signal_group_connect_swapped (self->sync_signals, "typing",
                                  G_CALLBACK (on_typing_cb), self);
}
