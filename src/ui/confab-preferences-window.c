/* confab-preferences-window.c: Preferences.
 *
 * Everything here is either a setting the application applies as it
 * changes (base URLs, turned-off providers, default model, style) or a key
 * in the keyring; nothing waits for an OK button.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-alias-row.h"
#include "confab-model-picker.h"
#include "confab-preferences-window.h"
#include "confab-price-row.h"
#include "confab-provider-row.h"

struct _ConfabPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  ConfabModelCatalogue *catalogue;
  GSettings            *settings;

  /* Template widgets */
  AdwPreferencesGroup  *providers_group;
  GtkButton            *refresh_button;
  ConfabModelPicker    *default_model_picker;
  AdwPreferencesGroup  *style_group;

  /* The Models page: mention aliases and prices, rows read again from
   * the store after each change made here. */
  AdwPreferencesGroup  *aliases_group;
  GtkEntry             *alias_entry;
  ConfabModelPicker    *alias_model_picker;
  GtkLabel             *alias_error_label;
  AdwPreferencesGroup  *prices_group;
  ConfabModelPicker    *price_model_picker;
  GtkLabel             *price_error_label;
  GPtrArray            *alias_rows;
  GPtrArray            *price_rows;
};

G_DEFINE_FINAL_TYPE (ConfabPreferencesWindow, confab_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_CATALOGUE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

ConfabPreferencesWindow *
confab_preferences_window_new (ConfabApplication *application)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (confab_application_get_catalogue (application) != NULL, NULL);

  /* The application is only set after construction: what the rows need
   * comes in construct properties. */
  return g_object_new (CONFAB_TYPE_PREFERENCES_WINDOW,
                       "application", application,
                       "catalogue", confab_application_get_catalogue (application),
                       "settings", confab_application_get_settings (application),
                       NULL);
}

static void
refresh (ConfabPreferencesWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (CONFAB_IS_APPLICATION (app))
    confab_application_refresh_models (CONFAB_APPLICATION (app));
}

static void
on_refresh_clicked_cb (ConfabPreferencesWindow *self,
                       GtkButton               *button)
{
  refresh (self);
}

static void
on_key_changed_cb (ConfabPreferencesWindow *self,
                   ConfabProviderRow       *row)
{
  refresh (self);
}

/* ---- The Models page */

static void reload_aliases (ConfabPreferencesWindow *self);
static void reload_prices  (ConfabPreferencesWindow *self);

static ConfabStore *
get_store (ConfabPreferencesWindow *self)
{
  return confab_model_catalogue_get_store (self->catalogue);
}

static void
show_error (GtkLabel   *label,
            const char *message)
{
  gtk_label_set_label (label, message);
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

static void
on_row_failed_cb (ConfabPreferencesWindow *self,
                  const char              *message)
{
  /* A toast's title is markup; the message is a store error's text. */
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (escaped));
}

static void
on_alias_removed_cb (ConfabPreferencesWindow *self)
{
  reload_aliases (self);
}

static void
on_price_removed_cb (ConfabPreferencesWindow *self)
{
  reload_prices (self);
}

static void
remove_rows (AdwPreferencesGroup *group,
             GPtrArray           *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static void
reload_aliases (ConfabPreferencesWindow *self)
{
  g_autoptr(GPtrArray) aliases = NULL;
  g_autoptr(GError) error = NULL;

  remove_rows (self->aliases_group, self->alias_rows);
  aliases = confab_store_list_aliases (get_store (self), &error);
  if (aliases == NULL)
    {
      show_error (self->alias_error_label, error->message);
      return;
    }

  for (guint i = 0; i < aliases->len; i++)
    {
      const ConfabModelAlias *alias = g_ptr_array_index (aliases, i);
      GtkWidget *row = confab_alias_row_new (get_store (self), self->catalogue,
                                             alias->alias, alias->model);

      g_signal_connect_object (row, "removed", G_CALLBACK (on_alias_removed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (row, "failed", G_CALLBACK (on_row_failed_cb), self,
                               G_CONNECT_SWAPPED);
      adw_preferences_group_add (self->aliases_group, row);
      g_ptr_array_add (self->alias_rows, row);
    }
}

static void
reload_prices (ConfabPreferencesWindow *self)
{
  g_autoptr(GPtrArray) prices = NULL;
  g_autoptr(GError) error = NULL;

  remove_rows (self->prices_group, self->price_rows);
  prices = confab_store_list_model_prices (get_store (self), &error);
  if (prices == NULL)
    {
      show_error (self->price_error_label, error->message);
      return;
    }

  for (guint i = 0; i < prices->len; i++)
    {
      GtkWidget *row = confab_price_row_new (get_store (self), g_ptr_array_index (prices, i));

      g_signal_connect_object (row, "removed", G_CALLBACK (on_price_removed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (row, "failed", G_CALLBACK (on_row_failed_cb), self,
                               G_CONNECT_SWAPPED);
      adw_preferences_group_add (self->prices_group, row);
      g_ptr_array_add (self->price_rows, row);
    }
}

static void
on_add_alias_cb (ConfabPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->alias_entry));
  const char *model = confab_model_picker_get_model (self->alias_model_picker);
  g_autofree char *alias = g_strstrip (g_strdup (text[0] == '@' ? text + 1 : text));
  g_autoptr(GError) error = NULL;

  if (!confab_mentions_is_valid_alias (alias))
    {
      g_autofree char *message = NULL;

      /* Translators: %d is the longest an alias may be */
      message = g_strdup_printf (_("An alias is a word of up to %d letters, digits, “_”, “-” "
                                   "or “.”, starting with a letter or a digit."),
                                 CONFAB_MENTIONS_ALIAS_MAX);
      show_error (self->alias_error_label, message);
      return;
    }
  if (model[0] == '\0')
    {
      show_error (self->alias_error_label, _("Choose the model the alias stands for."));
      return;
    }
  if (!confab_store_set_alias (get_store (self), alias, model, &error))
    {
      show_error (self->alias_error_label, error->message);
      return;
    }

  show_error (self->alias_error_label, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->alias_entry), "");
  confab_model_picker_set_model (self->alias_model_picker, "");
  reload_aliases (self);
}

static void
on_add_price_cb (ConfabPreferencesWindow *self)
{
  const char *model = confab_model_picker_get_model (self->price_model_picker);
  g_autoptr(ConfabModelPrice) price = NULL;
  g_autoptr(GError) error = NULL;

  if (model[0] == '\0')
    {
      show_error (self->price_error_label, _("Choose the model to set a price for."));
      return;
    }

  /* A model that has a price keeps it; a new one starts at 0, set below. */
  price = confab_store_lookup_model_price (get_store (self), model, NULL);
  if (price == NULL && !confab_store_set_model_price (get_store (self), model, 0, 0, &error))
    {
      show_error (self->price_error_label, error->message);
      return;
    }

  show_error (self->price_error_label, NULL);
  confab_model_picker_set_model (self->price_model_picker, "");
  reload_prices (self);
}

static void
confab_preferences_window_constructed (GObject *object)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (confab_preferences_window_parent_class)->constructed (object);

  g_assert (self->catalogue != NULL);

  for (const char **id = confab_provider_list_known_ids (); *id != NULL; id++)
    {
      GtkWidget *row = confab_provider_row_new (*id, self->catalogue, self->settings);

      g_signal_connect_object (row, "key-changed", G_CALLBACK (on_key_changed_cb), self,
                               G_CONNECT_SWAPPED);
      adw_preferences_group_add (self->providers_group, row);
    }

  /* One refresh at a time: the button waits for the running one. */
  g_object_bind_property (self->catalogue, "refreshing",
                          self->refresh_button, "sensitive",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);

  confab_model_picker_set_catalogue (self->default_model_picker, self->catalogue);
  confab_model_picker_set_catalogue (self->alias_model_picker, self->catalogue);
  confab_model_picker_set_catalogue (self->price_model_picker, self->catalogue);
  reload_aliases (self);
  reload_prices (self);

  if (self->settings != NULL)
    {
      g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
      g_autoptr(GAction) color_scheme = g_settings_create_action (self->settings,
                                                                  "color-scheme");

      g_settings_bind (self->settings, "default-model",
                       self->default_model_picker, "model",
                       G_SETTINGS_BIND_DEFAULT);
      g_action_map_add_action (G_ACTION_MAP (group), color_scheme);
      gtk_widget_insert_action_group (GTK_WIDGET (self), "prefs", G_ACTION_GROUP (group));
    }
  else
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->default_model_picker), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->style_group), FALSE);
    }
}

static void
confab_preferences_window_dispose (GObject *object)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_PREFERENCES_WINDOW);

  g_clear_object (&self->catalogue);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->alias_rows, g_ptr_array_unref);
  g_clear_pointer (&self->price_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_preferences_window_parent_class)->dispose (object);
}

static void
confab_preferences_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      g_value_set_object (value, self->catalogue);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_preferences_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      self->catalogue = g_value_dup_object (value);
      break;

    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_preferences_window_class_init (ConfabPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = confab_preferences_window_constructed;
  object_class->dispose = confab_preferences_window_dispose;
  object_class->get_property = confab_preferences_window_get_property;
  object_class->set_property = confab_preferences_window_set_property;

  properties[PROP_CATALOGUE] =
    g_param_spec_object ("catalogue", NULL, NULL,
                         CONFAB_TYPE_MODEL_CATALOGUE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* NULL when the schema is not installed: the settings are then fixed. */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CONFAB_TYPE_MODEL_PICKER);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/confab/Confab/"
                                                             "confab-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, providers_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow,
                                        default_model_picker);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, style_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, aliases_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, alias_entry);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow,
                                        alias_model_picker);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow,
                                        alias_error_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, prices_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow,
                                        price_model_picker);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow,
                                        price_error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_refresh_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_add_alias_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_add_price_cb);

  /* There is no search to end here: Escape closes, wherever the focus is. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
confab_preferences_window_init (ConfabPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Not owning: the groups hold the rows. */
  self->alias_rows = g_ptr_array_new ();
  self->price_rows = g_ptr_array_new ();
}
