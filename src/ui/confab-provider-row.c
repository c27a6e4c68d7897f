/* confab-provider-row.c: one provider in Preferences.
 *
 * The key goes straight from the entry to the keyring and the entry is
 * emptied: the row only ever learns whether a key is stored, never shows
 * it. The base URL and the on/off switch are settings the application
 * applies to the catalogue (see confab-application.c); a key change is
 * announced with ::key-changed so the lists are fetched again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-provider-row.h"

typedef enum
{
  KEY_UNKNOWN,      /* the keyring has not answered yet */
  KEY_NONE,
  KEY_STORED,
  KEY_UNAVAILABLE,  /* no keyring, or it refused: see key_error */
} KeyState;

struct _ConfabProviderRow
{
  AdwExpanderRow        parent_instance;

  char                 *provider_id;
  ConfabModelCatalogue *catalogue;
  GSettings            *settings;
  GCancellable         *cancellable;

  char                 *display_name;
  /* What applies without a base URL of ours: the environment's or the
   * provider's usual one. */
  char                 *default_url;
  const char           *key_env_var;
  gboolean              needs_key;
  gboolean              env_has_key;
  KeyState              key_state;
  char                 *key_error;
  /* A keyring operation is running: its buttons wait. */
  gboolean              busy;

  GtkSwitch            *enable_switch;

  /* Template widgets */
  AdwPasswordEntryRow  *key_row;
  AdwActionRow         *stored_key_row;
  GtkButton            *remove_key_button;
  AdwEntryRow          *url_row;
  AdwActionRow         *status_row;
};

G_DEFINE_FINAL_TYPE (ConfabProviderRow, confab_provider_row, ADW_TYPE_EXPANDER_ROW)

enum {
  PROP_0,
  PROP_PROVIDER_ID,
  PROP_CATALOGUE,
  PROP_SETTINGS,
  N_PROPS
};

enum {
  KEY_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
show_toast (ConfabProviderRow *self,
            const char        *text)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (escaped));
}

static gboolean
is_enabled (ConfabProviderRow *self)
{
  return confab_model_catalogue_get_provider_enabled (self->catalogue, self->provider_id);
}

/* "127.0.0.1:11434" from the base URL in use, for the Ollama status. */
static char *
dup_address (ConfabProviderRow *self)
{
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(GUri) uri = NULL;

  provider = confab_model_catalogue_create_provider (self->catalogue, self->provider_id, NULL);
  if (provider != NULL)
    uri = g_uri_parse (confab_provider_get_base_url (provider), G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return g_strdup (self->default_url ? self->default_url : "");

  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));

  return g_strdup (g_uri_get_host (uri));
}

static char *
dup_key_summary (ConfabProviderRow *self)
{
  if (self->env_has_key)
    /* Translators: %s is an environment variable, OPENAI_API_KEY. */
    return g_strdup_printf (_("Key from %s"), self->key_env_var);

  switch (self->key_state)
    {
    case KEY_UNKNOWN:
      return g_strdup (_("Checking the keyring…"));
    case KEY_NONE:
      return g_strdup (_("No API key"));
    case KEY_STORED:
      return g_strdup (_("Key stored in the keyring"));
    case KEY_UNAVAILABLE:
      return g_strdup (_("The keyring is not available"));
    default:
      g_assert_not_reached ();
    }
}

static const char *
error_summary (const GError *error)
{
  if (g_error_matches (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_AUTH))
    return _("The API key was refused");
  if (g_error_matches (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NETWORK))
    return _("Cannot connect");
  if (g_error_matches (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_RATE_LIMITED))
    return _("Too many requests, try again later");

  return _("Could not list the models");
}

static void
confab_provider_row_update (ConfabProviderRow *self)
{
  g_auto(GStrv) configured = confab_model_catalogue_dup_providers (self->catalogue);
  const GError *error = confab_model_catalogue_get_provider_error (self->catalogue,
                                                                   self->provider_id);
  gboolean refreshing = confab_model_catalogue_get_refreshing (self->catalogue);
  gboolean found = g_strv_contains ((const char * const *) configured, self->provider_id);
  gboolean enabled = is_enabled (self);
  g_autofree char *summary = NULL;
  g_autofree char *status = NULL;
  g_autofree char *stored = NULL;
  GListModel *models = G_LIST_MODEL (self->catalogue);
  guint n_models = 0;

  for (guint i = 0; i < g_list_model_get_n_items (models); i++)
    {
      g_autoptr(ConfabModelInfo) info = g_list_model_get_item (models, i);

      n_models += g_str_equal (confab_model_info_get_provider (info), self->provider_id);
    }

  if (!enabled)
    {
      summary = g_strdup (_("Turned off"));
      status = g_strdup (_("Turned off: its models are not listed"));
    }
  else if (!self->needs_key)
    {
      g_autofree char *address = dup_address (self);

      if (error != NULL)
        {
          summary = g_strdup (error_summary (error));
          status = g_strdup (error->message);
        }
      else if (found || n_models > 0)
        {
          /* Translators: %s is a host and port, 127.0.0.1:11434. */
          summary = g_strdup_printf (_("Detected at %s"), address);
          if (n_models > 0)
            status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "Detected at %s, %u model",
                                                   "Detected at %s, %u models", n_models),
                                      address, n_models);
          else
            status = g_strdup_printf (_("Detected at %s, but it has no models yet: "
                                        "download one with “ollama pull”"), address);
        }
      else if (refreshing)
        {
          summary = g_strdup (_("Checking…"));
          status = g_strdup (_("Checking…"));
        }
      else
        {
          summary = g_strdup (_("Not running"));
          /* Translators: %s is a host and port, 127.0.0.1:11434. */
          status = g_strdup_printf (_("Not running at %s"), address);
        }
    }
  else
    {
      summary = dup_key_summary (self);

      if (error != NULL)
        {
          g_free (summary);
          summary = g_strdup (error_summary (error));
          status = g_strdup (error->message);
        }
      else if (refreshing)
        status = g_strdup (_("Checking…"));
      else if (n_models > 0)
        status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "%u model found", "%u models found", n_models),
                                  n_models);
      else if (found)
        status = g_strdup (_("No models found"));
      else if (self->env_has_key || self->key_state == KEY_STORED)
        status = g_strdup (_("Not checked yet"));
      else
        status = g_strdup (_("Add a key to list its models"));
    }

  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), summary);
  adw_action_row_set_subtitle (self->status_row, status);

  /* The stored key, separately from the one in use. */
  switch (self->key_state)
    {
    case KEY_UNKNOWN:
      stored = g_strdup (_("Checking the keyring…"));
      break;
    case KEY_NONE:
      stored = g_strdup (_("No key stored"));
      break;
    case KEY_STORED:
      stored = g_strdup (_("Key stored in the keyring"));
      break;
    case KEY_UNAVAILABLE:
      /* Translators: %s says why, from the keyring. */
      stored = g_strdup_printf (_("The keyring is not available: %s"), self->key_error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (self->env_has_key)
    {
      g_autofree char *both = NULL;

      /* Translators: the first %s is the keyring state, the second an
       * environment variable. */
      both = g_strdup_printf (_("%s. %s is set, and that key is used instead."),
                              stored, self->key_env_var);
      g_free (stored);
      stored = g_steal_pointer (&both);
    }
  adw_action_row_set_subtitle (self->stored_key_row, stored);

  gtk_widget_set_visible (GTK_WIDGET (self->remove_key_button), self->key_state == KEY_STORED);
  /* Not the key entry: it has the focus then, and GTK 4.8 does not take
   * the focus out of a text that turns insensitive cleanly. A second
   * Apply meanwhile is ignored instead. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->remove_key_button), !self->busy);
}

static void
on_catalogue_items_changed_cb (ConfabProviderRow *self,
                               guint              position,
                               guint              removed,
                               guint              added,
                               GListModel        *model)
{
  confab_provider_row_update (self);
}

static void
on_catalogue_refreshing_cb (ConfabProviderRow    *self,
                            GParamSpec           *pspec,
                            ConfabModelCatalogue *catalogue)
{
  confab_provider_row_update (self);
}

/* ---- The key, in the keyring */

static void
set_key_state (ConfabProviderRow *self,
               KeyState           state,
               const GError      *error)
{
  self->key_state = state;
  g_clear_pointer (&self->key_error, g_free);
  if (error != NULL)
    self->key_error = g_strdup (error->message);
  confab_provider_row_update (self);
}

static void
lookup_key_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ConfabProviderRow) self = user_data;
  g_autoptr(GError) error = NULL;
  char *key;

  key = confab_secrets_lookup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    set_key_state (self, KEY_UNAVAILABLE, error);
  else
    set_key_state (self, key != NULL ? KEY_STORED : KEY_NONE, NULL);

  /* Only whether there is one matters here. */
  confab_secrets_free_key (key);
}

static void
lookup_key (ConfabProviderRow *self)
{
  if (!self->needs_key)
    return;

  confab_secrets_lookup_async (self->provider_id, self->cancellable, lookup_key_cb,
                               g_object_ref (self));
}

static void
store_key_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ConfabProviderRow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_secrets_store_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->busy = FALSE;
      confab_provider_row_update (self);
      show_toast (self, error->message);
      return;
    }

  self->busy = FALSE;
  set_key_state (self, KEY_STORED, NULL);
  show_toast (self, _("Key saved in the keyring"));
  g_signal_emit (self, signals[KEY_CHANGED], 0);
}

static void
on_key_apply_cb (ConfabProviderRow *self,
                 AdwEntryRow       *row)
{
  g_autofree char *key = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  if (key[0] == '\0' || self->busy)
    return;

  /* The entry is the only other copy: emptied at once. The row takes
   * that for a new edit and would offer Apply again; turning the button
   * off and on forgets the edit. */
  gtk_editable_set_text (GTK_EDITABLE (row), "");
  adw_entry_row_set_show_apply_button (row, FALSE);
  adw_entry_row_set_show_apply_button (row, TRUE);

  self->busy = TRUE;
  confab_provider_row_update (self);
  confab_secrets_store_async (self->provider_id, key, self->cancellable, store_key_cb,
                              g_object_ref (self));
  /* Wipe our copy the way the secrets module wipes its own. */
  confab_secrets_free_key (g_steal_pointer (&key));
}

static void
clear_key_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ConfabProviderRow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_secrets_clear_finish (result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->busy = FALSE;
      confab_provider_row_update (self);
      show_toast (self, error->message);
      return;
    }

  self->busy = FALSE;
  set_key_state (self, KEY_NONE, NULL);
  show_toast (self, _("Key removed from the keyring"));
  g_signal_emit (self, signals[KEY_CHANGED], 0);
}

static void
on_remove_key_clicked_cb (ConfabProviderRow *self,
                          GtkButton         *button)
{
  if (self->busy)
    return;

  self->busy = TRUE;
  confab_provider_row_update (self);
  confab_secrets_clear_async (self->provider_id, self->cancellable, clear_key_cb,
                              g_object_ref (self));
}

/* ---- Settings: the base URL and the switch */

static void
write_base_url (ConfabProviderRow *self,
                const char        *url)
{
  g_autoptr(GVariant) old = g_settings_get_value (self->settings, "base-urls");
  GVariantBuilder builder;
  GVariantIter iter;
  const char *id;
  const char *value;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&s&s}", &id, &value))
    if (!g_str_equal (id, self->provider_id))
      g_variant_builder_add (&builder, "{ss}", id, value);
  if (url != NULL)
    g_variant_builder_add (&builder, "{ss}", self->provider_id, url);

  g_settings_set_value (self->settings, "base-urls", g_variant_builder_end (&builder));
}

static void
set_url_invalid (ConfabProviderRow *self,
                 gboolean           invalid)
{
  if (invalid)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->url_row), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->url_row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->url_row), "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (self->url_row), GTK_ACCESSIBLE_STATE_INVALID);
    }
}

static void
on_url_apply_cb (ConfabProviderRow *self,
                 AdwEntryRow       *row)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  g_autoptr(ConfabProvider) check = NULL;
  g_autoptr(GError) error = NULL;

  if (self->settings == NULL)
    return;

  /* Empty: back to the environment's or the usual address. */
  if (url[0] == '\0')
    {
      set_url_invalid (self, FALSE);
      write_base_url (self, NULL);
      return;
    }

  check = confab_provider_new (self->provider_id, url, &error);
  if (check == NULL)
    {
      set_url_invalid (self, TRUE);
      show_toast (self, error->message);
      return;
    }

  set_url_invalid (self, FALSE);
  write_base_url (self, url);
}

static void
on_url_changed_cb (ConfabProviderRow *self,
                   GtkEditable       *editable)
{
  set_url_invalid (self, FALSE);
}

static void
on_switch_active_cb (ConfabProviderRow *self,
                     GParamSpec        *pspec,
                     GtkSwitch         *widget)
{
  gboolean active = gtk_switch_get_active (widget);
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) disabled = NULL;

  if (self->settings == NULL)
    return;

  old = g_settings_get_strv (self->settings, "disabled-providers");
  if (active != g_strv_contains ((const char * const *) old, self->provider_id))
    return;

  builder = g_strv_builder_new ();
  for (guint i = 0; old[i] != NULL; i++)
    if (!g_str_equal (old[i], self->provider_id))
      g_strv_builder_add (builder, old[i]);
  if (!active)
    g_strv_builder_add (builder, self->provider_id);
  disabled = g_strv_builder_end (builder);

  g_settings_set_strv (self->settings, "disabled-providers", (const char * const *) disabled);
}

static void
on_disabled_changed_cb (ConfabProviderRow *self,
                        const char        *key,
                        GSettings         *settings)
{
  g_auto(GStrv) disabled = g_settings_get_strv (settings, "disabled-providers");

  gtk_switch_set_active (self->enable_switch,
                         !g_strv_contains ((const char * const *) disabled, self->provider_id));
  /* The application has told the catalogue by now (it connected first). */
  confab_provider_row_update (self);
}

/* ---- GObject */

GtkWidget *
confab_provider_row_new (const char           *provider_id,
                         ConfabModelCatalogue *catalogue,
                         GSettings            *settings)
{
  g_return_val_if_fail (provider_id != NULL, NULL);
  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (catalogue), NULL);
  g_return_val_if_fail (!settings || G_IS_SETTINGS (settings), NULL);

  return g_object_new (CONFAB_TYPE_PROVIDER_ROW,
                       "provider-id", provider_id,
                       "catalogue", catalogue,
                       "settings", settings,
                       NULL);
}

const char *
confab_provider_row_get_provider_id (ConfabProviderRow *self)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER_ROW (self), NULL);

  return self->provider_id;
}

/* The base URL field shows the address that applies when it is empty. */
static void
set_url_placeholder (ConfabProviderRow *self)
{
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (self->url_row));

  if (self->default_url != NULL && GTK_IS_TEXT (delegate))
    gtk_text_set_placeholder_text (GTK_TEXT (delegate), self->default_url);
}

static void
confab_provider_row_constructed (GObject *object)
{
  ConfabProviderRow *self = CONFAB_PROVIDER_ROW (object);
  g_autoptr(ConfabProvider) provider = NULL;
  g_autofree char *label = NULL;

  G_OBJECT_CLASS (confab_provider_row_parent_class)->constructed (object);

  g_assert (self->provider_id != NULL && self->catalogue != NULL);

  /* Without a URL of ours: what the environment or the provider says. */
  provider = confab_provider_new (self->provider_id, NULL, NULL);
  if (provider != NULL)
    self->default_url = g_strdup (confab_provider_get_base_url (provider));
  else
    /* The environment's URL is not valid; a fixed one still gives the names. */
    provider = confab_provider_new (self->provider_id, "http://127.0.0.1", NULL);
  g_return_if_fail (provider != NULL);

  self->display_name = g_strdup (confab_provider_get_display_name (provider));
  self->needs_key = confab_provider_needs_key (provider);
  self->key_env_var = confab_provider_get_key_env_var (provider);
  self->env_has_key = self->needs_key && confab_provider_get_api_key (provider) != NULL;
  self->key_state = self->needs_key ? KEY_UNKNOWN : KEY_NONE;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), self->display_name);
  gtk_widget_set_visible (GTK_WIDGET (self->key_row), self->needs_key);
  gtk_widget_set_visible (GTK_WIDGET (self->stored_key_row), self->needs_key);
  set_url_placeholder (self);

  /* Translators: %s is a provider, "OpenAI"; read by screen readers. */
  label = g_strdup_printf (_("Use %s"), self->display_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->enable_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_switch_set_active (self->enable_switch, is_enabled (self));

  if (self->settings != NULL)
    {
      g_autoptr(GVariant) urls = g_settings_get_value (self->settings, "base-urls");
      const char *url = NULL;

      if (g_variant_lookup (urls, self->provider_id, "&s", &url))
        gtk_editable_set_text (GTK_EDITABLE (self->url_row), url);

      g_signal_connect_object (self->settings, "changed::disabled-providers",
                               G_CALLBACK (on_disabled_changed_cb), self, G_CONNECT_SWAPPED);
    }
  else
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->enable_switch), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->url_row), FALSE);
    }
  g_signal_connect_object (self->enable_switch, "notify::active",
                           G_CALLBACK (on_switch_active_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->catalogue, "items-changed",
                           G_CALLBACK (on_catalogue_items_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->catalogue, "notify::refreshing",
                           G_CALLBACK (on_catalogue_refreshing_cb), self, G_CONNECT_SWAPPED);

  confab_provider_row_update (self);
  lookup_key (self);
}

static void
confab_provider_row_dispose (GObject *object)
{
  ConfabProviderRow *self = CONFAB_PROVIDER_ROW (object);

  g_cancellable_cancel (self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_PROVIDER_ROW);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->catalogue);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (confab_provider_row_parent_class)->dispose (object);
}

static void
confab_provider_row_finalize (GObject *object)
{
  ConfabProviderRow *self = CONFAB_PROVIDER_ROW (object);

  g_free (self->provider_id);
  g_free (self->display_name);
  g_free (self->default_url);
  g_free (self->key_error);

  G_OBJECT_CLASS (confab_provider_row_parent_class)->finalize (object);
}

static void
confab_provider_row_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabProviderRow *self = CONFAB_PROVIDER_ROW (object);

  switch (prop_id)
    {
    case PROP_PROVIDER_ID:
      g_value_set_string (value, self->provider_id);
      break;

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
confab_provider_row_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ConfabProviderRow *self = CONFAB_PROVIDER_ROW (object);

  switch (prop_id)
    {
    case PROP_PROVIDER_ID:
      self->provider_id = g_value_dup_string (value);
      break;

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
confab_provider_row_class_init (ConfabProviderRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = confab_provider_row_constructed;
  object_class->dispose = confab_provider_row_dispose;
  object_class->finalize = confab_provider_row_finalize;
  object_class->get_property = confab_provider_row_get_property;
  object_class->set_property = confab_provider_row_set_property;

  properties[PROP_PROVIDER_ID] =
    g_param_spec_string ("provider-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CATALOGUE] =
    g_param_spec_object ("catalogue", NULL, NULL,
                         CONFAB_TYPE_MODEL_CATALOGUE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabProviderRow::key-changed:
   *
   * A key was stored or removed: the model lists are worth fetching again.
   */
  signals[KEY_CHANGED] =
    g_signal_new ("key-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-provider-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, key_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, stored_key_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, remove_key_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, url_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabProviderRow, status_row);
  gtk_widget_class_bind_template_callback (widget_class, on_key_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_key_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_url_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_url_changed_cb);
}

static void
confab_provider_row_init (ConfabProviderRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  /* In the row's header, next to the arrow: on/off without expanding. */
  self->enable_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->enable_switch), GTK_ALIGN_CENTER);
#if ADW_CHECK_VERSION (1, 4, 0)
  adw_expander_row_add_suffix (ADW_EXPANDER_ROW (self), GTK_WIDGET (self->enable_switch));
#else
  adw_expander_row_add_action (ADW_EXPANDER_ROW (self), GTK_WIDGET (self->enable_switch));
#endif
}
