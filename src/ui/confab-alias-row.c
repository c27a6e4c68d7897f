/* confab-alias-row.c: "@gpt" → a model, in Preferences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-alias-row.h"
#include "confab-model-picker.h"

struct _ConfabAliasRow
{
  AdwActionRow       parent_instance;

  ConfabStore       *store;
  char              *alias;
  ConfabModelPicker *picker;
};

G_DEFINE_FINAL_TYPE (ConfabAliasRow, confab_alias_row, ADW_TYPE_ACTION_ROW)

enum {
  REMOVED,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_model_changed_cb (ConfabAliasRow *self)
{
  const char *model = confab_model_picker_get_model (self->picker);
  g_autoptr(GError) error = NULL;

  if (model[0] == '\0')
    return;
  if (!confab_store_set_alias (self->store, self->alias, model, &error))
    g_signal_emit (self, signals[FAILED], 0, error->message);
}

static void
on_remove_clicked_cb (ConfabAliasRow *self)
{
  g_autoptr(GError) error = NULL;

  if (confab_store_delete_alias (self->store, self->alias, &error)
      || g_error_matches (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND))
    g_signal_emit (self, signals[REMOVED], 0);
  else
    g_signal_emit (self, signals[FAILED], 0, error->message);
}

GtkWidget *
confab_alias_row_new (ConfabStore          *store,
                      ConfabModelCatalogue *catalogue,
                      const char           *alias,
                      const char           *model)
{
  ConfabAliasRow *self;
  g_autofree char *title = NULL;
  g_autofree char *remove_label = NULL;
  GtkWidget *button;

  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);
  g_return_val_if_fail (alias != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_ALIAS_ROW, NULL);
  self->store = g_object_ref (store);
  self->alias = g_strdup (alias);

  title = g_strconcat ("@", alias, NULL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);

  self->picker = CONFAB_MODEL_PICKER (confab_model_picker_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->picker), GTK_ALIGN_CENTER);
  if (catalogue != NULL)
    confab_model_picker_set_catalogue (self->picker, catalogue);
  confab_model_picker_set_model (self->picker, model);
  g_signal_connect_object (self->picker, "notify::model", G_CALLBACK (on_model_changed_cb),
                           self, G_CONNECT_SWAPPED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->picker));

  /* Translators: the button removing a mention alias, "Remove @gpt" */
  remove_label = g_strdup_printf (_("Remove %s"), title);
  button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, remove_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label,
                                  -1);
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_remove_clicked_cb),
                           self, G_CONNECT_SWAPPED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), button);

  return GTK_WIDGET (self);
}

const char *
confab_alias_row_get_alias (ConfabAliasRow *self)
{
  g_return_val_if_fail (CONFAB_IS_ALIAS_ROW (self), NULL);

  return self->alias;
}

static void
confab_alias_row_finalize (GObject *object)
{
  ConfabAliasRow *self = CONFAB_ALIAS_ROW (object);

  g_clear_object (&self->store);
  g_free (self->alias);

  G_OBJECT_CLASS (confab_alias_row_parent_class)->finalize (object);
}

static void
confab_alias_row_class_init (ConfabAliasRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_alias_row_finalize;

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
confab_alias_row_init (ConfabAliasRow *self)
{
}
