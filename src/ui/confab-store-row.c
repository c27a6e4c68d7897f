/* confab-store-row.c: a Preferences row editing one item of the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include "confab-store-row.h"

typedef struct
{
  ConfabStore *store;
} ConfabStoreRowPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (ConfabStoreRow, confab_store_row, ADW_TYPE_ACTION_ROW)

enum {
  REMOVED,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

ConfabStore *
confab_store_row_get_store (ConfabStoreRow *self)
{
  ConfabStoreRowPrivate *priv = confab_store_row_get_instance_private (self);

  g_return_val_if_fail (CONFAB_IS_STORE_ROW (self), NULL);

  return priv->store;
}

void
confab_store_row_set_store (ConfabStoreRow *self,
                            ConfabStore    *store)
{
  ConfabStoreRowPrivate *priv = confab_store_row_get_instance_private (self);

  g_return_if_fail (CONFAB_IS_STORE_ROW (self));
  g_return_if_fail (CONFAB_IS_STORE (store));

  g_set_object (&priv->store, store);
}

void
confab_store_row_failed (ConfabStoreRow *self,
                         const GError   *error)
{
  g_return_if_fail (CONFAB_IS_STORE_ROW (self));
  g_return_if_fail (error != NULL);

  g_signal_emit (self, signals[FAILED], 0, error->message);
}

static void
on_remove_clicked_cb (ConfabStoreRow *self)
{
  ConfabStoreRowPrivate *priv = confab_store_row_get_instance_private (self);
  g_autoptr(GError) error = NULL;

  if (CONFAB_STORE_ROW_GET_CLASS (self)->remove (self, priv->store, &error))
    g_signal_emit (self, signals[REMOVED], 0);
  else
    confab_store_row_failed (self, error);
}

void
confab_store_row_add_remove_button (ConfabStoreRow *self,
                                    const char     *label)
{
  GtkWidget *button;

  g_return_if_fail (CONFAB_IS_STORE_ROW (self));
  g_return_if_fail (label != NULL);

  button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_remove_clicked_cb),
                           self, G_CONNECT_SWAPPED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), button);
}

static void
confab_store_row_finalize (GObject *object)
{
  ConfabStoreRow *self = CONFAB_STORE_ROW (object);
  ConfabStoreRowPrivate *priv = confab_store_row_get_instance_private (self);

  g_clear_object (&priv->store);

  G_OBJECT_CLASS (confab_store_row_parent_class)->finalize (object);
}

static void
confab_store_row_class_init (ConfabStoreRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_store_row_finalize;

  signals[REMOVED] =
    g_signal_new ("removed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  signals[FAILED] =
    g_signal_new ("failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
confab_store_row_init (ConfabStoreRow *self)
{
}
