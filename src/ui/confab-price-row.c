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
  AdwActionRow   parent_instance;

  ConfabStore   *store;
  char          *model;
  GtkSpinButton *input_spin;
  GtkSpinButton *output_spin;
};

G_DEFINE_FINAL_TYPE (ConfabPriceRow, confab_price_row, ADW_TYPE_ACTION_ROW)

enum {
  REMOVED,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

  if (!confab_store_set_model_price (self->store, self->model,
                                     gtk_spin_button_get_value (self->input_spin),
                                     gtk_spin_button_get_value (self->output_spin),
                                     &error))
    g_signal_emit (self, signals[FAILED], 0, error->message);
}

static void
on_remove_clicked_cb (ConfabPriceRow *self)
{
  g_autoptr(GError) error = NULL;

  if (confab_store_delete_model_price (self->store, self->model, &error))
    g_signal_emit (self, signals[REMOVED], 0);
  else
    g_signal_emit (self, signals[FAILED], 0, error->message);
}

GtkWidget *
confab_price_row_new (ConfabStore            *store,
                      const ConfabModelPrice *price)
{
  ConfabPriceRow *self;
  g_autofree char *title = NULL;
  g_autofree char *label = NULL;
  GtkWidget *button;

  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);
  g_return_val_if_fail (price != NULL && price->model != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_PRICE_ROW, NULL);
  self->store = g_object_ref (store);
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

  g_clear_object (&self->store);
  g_free (self->model);

  G_OBJECT_CLASS (confab_price_row_parent_class)->finalize (object);
}

static void
confab_price_row_class_init (ConfabPriceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_price_row_finalize;

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
confab_price_row_init (ConfabPriceRow *self)
{
}
