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
  ConfabStoreRow     parent_instance;

  char              *alias;
  ConfabModelPicker *picker;
};

G_DEFINE_FINAL_TYPE (ConfabAliasRow, confab_alias_row, CONFAB_TYPE_STORE_ROW)

static void
on_model_changed_cb (ConfabAliasRow *self)
{
  const char *model = confab_model_picker_get_model (self->picker);
  g_autoptr(GError) error = NULL;

  if (model[0] == '\0')
    return;
  if (!confab_store_set_alias (confab_store_row_get_store (CONFAB_STORE_ROW (self)),
                               self->alias, model, &error))
    confab_store_row_failed (CONFAB_STORE_ROW (self), error);
}

static gboolean
confab_alias_row_remove (ConfabStoreRow  *row,
                         ConfabStore     *store,
                         GError         **error)
{
  ConfabAliasRow *self = CONFAB_ALIAS_ROW (row);
  g_autoptr(GError) local_error = NULL;

  /* Gone already is as good as removed. */
  if (confab_store_delete_alias (store, self->alias, &local_error)
      || g_error_matches (local_error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND))
    return TRUE;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
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

  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);
  g_return_val_if_fail (alias != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_ALIAS_ROW, NULL);
  confab_store_row_set_store (CONFAB_STORE_ROW (self), store);
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
  confab_store_row_add_remove_button (CONFAB_STORE_ROW (self), remove_label);

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

  g_free (self->alias);

  G_OBJECT_CLASS (confab_alias_row_parent_class)->finalize (object);
}

static void
confab_alias_row_class_init (ConfabAliasRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ConfabStoreRowClass *row_class = CONFAB_STORE_ROW_CLASS (klass);

  object_class->finalize = confab_alias_row_finalize;
  row_class->remove = confab_alias_row_remove;
}

static void
confab_alias_row_init (ConfabAliasRow *self)
{
}
