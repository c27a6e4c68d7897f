/* confab-price-row.c: a model's price per million tokens, in Preferences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-price-row.h"
#include "confab-usage-button.h"

struct _ConfabPriceRow
{
  ConfabStoreRow  parent_instance;

  char           *model;
  GtkSpinButton  *input_spin;
  GtkSpinButton  *output_spin;
};

G_DEFINE_FINAL_TYPE (ConfabPriceRow, confab_price_row, CONFAB_TYPE_STORE_ROW)

GtkWidget *
confab_price_spin_button_new (const char *accessible_label,
                              double      value)
{
  /* A spin button refuses what is not a number and anything negative. */
  GtkWidget *spin = gtk_spin_button_new_with_range (0, 1000000, 0.01);

  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), 2);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (spin, accessible_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label,
                                  -1);
  return spin;
}

static void
on_value_changed_cb (ConfabPriceRow *self)
{
  g_autoptr(GError) error = NULL;

  if (!confab_store_set_model_price (confab_store_row_get_store (CONFAB_STORE_ROW (self)),
                                     self->model,
                                     gtk_spin_button_get_value (self->input_spin),
                                     gtk_spin_button_get_value (self->output_spin),
                                     &error))
    confab_store_row_failed (CONFAB_STORE_ROW (self), error);
}

static gboolean
confab_price_row_remove (ConfabStoreRow  *row,
                         ConfabStore     *store,
                         GError         **error)
{
  return confab_store_delete_model_price (store, CONFAB_PRICE_ROW (row)->model, error);
}

GtkWidget *
confab_price_row_new (ConfabStore            *store,
                      const ConfabModelPrice *price)
{
  ConfabPriceRow *self;
  g_autofree char *title = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);
  g_return_val_if_fail (price != NULL && price->model != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_PRICE_ROW, NULL);
  confab_store_row_set_store (CONFAB_STORE_ROW (self), store);
  self->model = g_strdup (price->model);

  title = confab_usage_describe_model (price->model);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), price->model);

  /* Translators: a price's spin button, "Input price of gpt-4o · OpenAI" */
  label = g_strdup_printf (_("Input price of %s"), title);
  self->input_spin = GTK_SPIN_BUTTON (confab_price_spin_button_new (label, price->input_per_mtok));
  g_free (label);
  /* Translators: a price's spin button, "Output price of gpt-4o · OpenAI" */
  label = g_strdup_printf (_("Output price of %s"), title);
  self->output_spin = GTK_SPIN_BUTTON (confab_price_spin_button_new (label,
                                                                     price->output_per_mtok));
  g_signal_connect_object (self->input_spin, "value-changed", G_CALLBACK (on_value_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->output_spin, "value-changed", G_CALLBACK (on_value_changed_cb),
                           self, G_CONNECT_SWAPPED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->input_spin));
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->output_spin));

  g_free (label);
  /* Translators: the button removing a model's price, "Remove Price of gpt-4o · OpenAI" */
  label = g_strdup_printf (_("Remove Price of %s"), title);
  confab_store_row_add_remove_button (CONFAB_STORE_ROW (self), label);

  return GTK_WIDGET (self);
}

const char *
confab_price_row_get_model (ConfabPriceRow *self)
{
  g_return_val_if_fail (CONFAB_IS_PRICE_ROW (self), NULL);

  return self->model;
}

static void
confab_price_row_finalize (GObject *object)
{
  ConfabPriceRow *self = CONFAB_PRICE_ROW (object);

  g_free (self->model);

  G_OBJECT_CLASS (confab_price_row_parent_class)->finalize (object);
}

static void
confab_price_row_class_init (ConfabPriceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ConfabStoreRowClass *row_class = CONFAB_STORE_ROW_CLASS (klass);

  object_class->finalize = confab_price_row_finalize;
  row_class->remove = confab_price_row_remove;
}

static void
confab_price_row_init (ConfabPriceRow *self)
{
}
