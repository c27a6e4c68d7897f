/* confab-application.c: opens the store once and hands it to the window;
 * owns the model catalogue and keeps it in step with the settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-renderer-policy.h"
#include "confab-bench-probe.h"
#include "confab-preferences-window.h"
#include "confab-sign-in-dialog.h"
#include "confab-window.h"

struct _ConfabApplication
{
  AdwApplication        parent_instance;

  ConfabStore          *store;
  ConfabModelCatalogue *catalogue;
  GSettings            *settings;
  /* The refresh running, cancelled when a newer one starts. */
  GCancellable         *refresh_cancellable;
  /* At most one, raised again by app.preferences. */
  GtkWindow            *preferences;
  /* Shared projects: the server session, created with the store. */
  ConfabRoomAccount    *room_account;
};

G_DEFINE_FINAL_TYPE (ConfabApplication, confab_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_STORE,
  PROP_CATALOGUE,
  PROP_ROOM_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

ConfabApplication *
confab_application_new (void)
{
  /* Overriding the id (--gapplication-app-id) runs a second instance
   * beside the first, as the rooms test does with two homes. */
  return g_object_new (CONFAB_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS | G_APPLICATION_CAN_OVERRIDE_APP_ID,
                       "resource-base-path", "/io/github/confab/Confab",
                       NULL);
}

ConfabStore *
confab_application_get_store (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);

  return self->store;
}

ConfabModelCatalogue *
confab_application_get_catalogue (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);

  return self->catalogue;
}

GSettings *
confab_application_get_settings (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);

  return self->settings;
}

ConfabRoomAccount *
confab_application_get_room_account (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);

  return self->room_account;
}

static void
update_room_actions (ConfabApplication *self)
{
  gboolean signed_in = self->room_account != NULL &&
                       confab_room_account_get_signed_in (self->room_account);

  /* Also while the server refuses the session: signing in again fixes it. */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                            "sign-in")),
                               self->room_account != NULL &&
                               (!signed_in || confab_room_account_get_status (self->room_account)
                                              == CONFAB_ROOM_ACCOUNT_EXPIRED));
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                            "sign-in-to")),
                               self->room_account != NULL);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                            "sign-out")),
                               signed_in);
}

static void
on_room_account_signed_in_cb (ConfabApplication *self,
                              GParamSpec        *pspec,
                              ConfabRoomAccount *account)
{
  update_room_actions (self);
}

/* Restores the server session in the background: the window does not
 * wait for the keyring or the network. */
static void
confab_application_create_room_account (ConfabApplication *self)
{
  self->room_account = confab_room_account_new (self->store, NULL);
  g_signal_connect_object (self->room_account, "notify::signed-in",
                           G_CALLBACK (on_room_account_signed_in_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->room_account, "notify::status",
                           G_CALLBACK (on_room_account_signed_in_cb), self, G_CONNECT_SWAPPED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROOM_ACCOUNT]);
  update_room_actions (self);
  confab_room_account_restore (self->room_account);
}

static void
refresh_models_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ConfabApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The preferences and the picker show each provider's state from the
   * catalogue; here only what nobody else will show is worth a line. */
  if (!confab_model_catalogue_refresh_finish (CONFAB_MODEL_CATALOGUE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NO_KEY))
        g_debug ("Model lists not refreshed: %s", error->message);
      else
        g_message ("Could not refresh the model lists: %s", error->message);
    }
}

void
confab_application_refresh_models (ConfabApplication *self)
{
  g_return_if_fail (CONFAB_IS_APPLICATION (self));

  if (self->catalogue == NULL)
    return;

  /* An older refresh may still be waiting on a URL that was just changed:
   * its answers must not land after the new ones. */
  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  self->refresh_cancellable = g_cancellable_new ();

  confab_model_catalogue_refresh_async (self->catalogue, self->refresh_cancellable,
                                        refresh_models_cb, g_object_ref (self));
}

/* Base URLs and turned-off providers from the settings into the catalogue. */
static void
configure_catalogue (ConfabApplication *self)
{
  g_autoptr(GVariant) urls = NULL;
  g_auto(GStrv) disabled = NULL;

  if (self->settings == NULL || self->catalogue == NULL)
    return;

  urls = g_settings_get_value (self->settings, "base-urls");
  disabled = g_settings_get_strv (self->settings, "disabled-providers");

  for (const char **id = confab_provider_list_known_ids (); *id != NULL; id++)
    {
      const char *url = NULL;
      gboolean enabled = !g_strv_contains ((const char * const *) disabled, *id);

      if (!g_variant_lookup (urls, *id, "&s", &url))
        url = NULL;
      confab_model_catalogue_set_base_url (self->catalogue, *id, url);
      confab_model_catalogue_set_provider_enabled (self->catalogue, *id, enabled);
    }
}

static void
on_provider_settings_changed_cb (ConfabApplication *self,
                                 const char        *key,
                                 GSettings         *settings)
{
  configure_catalogue (self);
  confab_application_refresh_models (self);
}

static void
confab_application_create_catalogue (ConfabApplication *self)
{
  self->catalogue = confab_model_catalogue_new (self->store);
  configure_catalogue (self);
  if (self->settings != NULL)
    {
      g_signal_connect_object (self->settings, "changed::base-urls",
                               G_CALLBACK (on_provider_settings_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::disabled-providers",
                               G_CALLBACK (on_provider_settings_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATALOGUE]);

  /* Nothing to set up before there is a catalogue (see startup). */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                            "preferences")),
                               TRUE);
}

static const char *
advice_for_error (const GError *error)
{
  if (g_error_matches (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NEWER_SCHEMA))
    return _("Update Confab to the latest version to open it.");

  if (g_error_matches (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_A_DATABASE))
    return _("Move the file somewhere else to start over with no chats, "
             "or put a good copy back from a backup.");

  return _("Check that the folder can be written to and that the disk is not full, "
           "then start Confab again.");
}

static void
show_open_error (ConfabApplication *self,
                 const GError      *error)
{
  AdwMessageDialog *dialog;
  GtkWidget *parent;

  /* No main window opens on a store we cannot use: the dialog is the only
   * visible window, so the application quits when it closes and nothing is
   * ever written. It still gets a (never shown) parent, as libadwaita wants
   * every message dialog to have one. */
  parent = adw_application_window_new (GTK_APPLICATION (self));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (parent),
                                                       _("Cannot Open Your Chats"), NULL));
  adw_message_dialog_format_body (dialog, "%s\n\n%s", error->message, advice_for_error (error));
  adw_message_dialog_add_response (dialog, "quit", _("_Quit"));
  adw_message_dialog_set_default_response (dialog, "quit");
  adw_message_dialog_set_close_response (dialog, "quit");
  gtk_window_set_title (GTK_WINDOW (dialog), _("Confab"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (gtk_window_destroy), parent,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
confab_application_activate (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }

  if (self->store == NULL)
    {
      path = confab_store_default_path ();
      self->store = confab_store_new (path, &error);

      if (self->store == NULL)
        {
          g_debug ("Cannot open %s: %s", path, error->message);
          show_open_error (self, error);
          return;
        }

      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
      confab_application_create_catalogue (self);
      confab_application_create_room_account (self);
    }

  window = GTK_WINDOW (confab_window_new (self, self->store));
  confab_bench_probe_attach (window);
  gtk_window_present (window);

  /* The cached lists fill the picker at once; fresh ones arrive later,
   * without holding up the first frame. */
  if (self->refresh_cancellable == NULL)
    confab_application_refresh_models (self);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  ConfabApplication *self = user_data;
  g_autoptr (GPtrArray) windows = g_ptr_array_new_with_free_func (g_object_unref);

  /* Close rather than destroy, so every window saves its state in
   * close-request; the application ends with its last window. Closing
   * changes the list, so walk a copy. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    g_ptr_array_add (windows, g_object_ref (l->data));

  for (guint i = 0; i < windows->len; i++)
    gtk_window_close (g_ptr_array_index (windows, i));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  ConfabApplication *self = user_data;
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "modal", TRUE,
                        "application-name", _("Confab"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Confab developers"),
                        "copyright", _("© The Confab developers"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "comments", _("Chat with AI models from many providers, "
                                      "organized in projects"),
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
shortcuts_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  ConfabApplication *self = user_data;
  g_autoptr (GtkBuilder) builder = NULL;
  GtkWindow *window;

  /* Built on demand rather than by GtkApplication from gtk/help-overlay.ui:
   * that one stays around as a hidden toplevel, and GTK 4.8's AT-SPI root
   * hits an assertion when a screen reader asks for a toplevel index that
   * is out of date and lands on a hidden window. */
  builder = gtk_builder_new_from_resource ("/io/github/confab/Confab/confab-shortcuts-window.ui");
  window = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));
  /* Named, or it goes by the program's name ("confab") as a window. */
  gtk_window_set_title (window, _("Shortcuts"));
  gtk_window_set_transient_for (window, gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (window);
}

static void
on_preferences_parent_destroy_cb (GtkWindow *parent,
                                  GtkWindow *preferences)
{
  if (gtk_window_get_transient_for (preferences) == parent)
    gtk_window_set_transient_for (preferences, NULL);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  ConfabApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (self->catalogue == NULL)
    return;

  if (self->preferences == NULL)
    {
      self->preferences = GTK_WINDOW (confab_preferences_window_new (self));
      g_object_add_weak_pointer (G_OBJECT (self->preferences), (gpointer *) &self->preferences);
    }

  if (parent != self->preferences && parent != gtk_window_get_transient_for (self->preferences))
    {
      gtk_window_set_transient_for (self->preferences, parent);
      /* GTK 4.8 keeps pointing at a destroyed transient parent (and touches
       * it when the child goes): let go of it in time. */
      if (parent != NULL)
        g_signal_connect_object (parent, "destroy", G_CALLBACK (on_preferences_parent_destroy_cb),
                                 self->preferences, 0);
    }
  gtk_window_present (self->preferences);
}

static void
sign_in_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  ConfabApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  ConfabSignInDialog *dialog;

  if (self->room_account == NULL)
    return;

  dialog = confab_sign_in_dialog_new (parent, self->room_account);
  /* app.sign-in-to: a shared project's server, from its banner. */
  if (parameter != NULL)
    confab_sign_in_dialog_set_server (dialog, g_variant_get_string (parameter, NULL));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sign_out_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  ConfabApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *title = NULL;
  g_autofree char *escaped = NULL;
  GtkWidget *content;

  if (self->room_account == NULL || !confab_room_account_get_signed_in (self->room_account))
    return;

  escaped = g_markup_escape_text (confab_room_account_get_server_url (self->room_account), -1);
  title = g_strdup_printf (_("Signed out of %s"), escaped);
  confab_room_account_sign_out (self->room_account);

  /* The main window's content is its toast overlay. */
  content = ADW_IS_APPLICATION_WINDOW (parent)
            ? adw_application_window_get_content (ADW_APPLICATION_WINDOW (parent)) : NULL;
  if (ADW_IS_TOAST_OVERLAY (content))
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (content), adw_toast_new (title));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "shortcuts", shortcuts_action },
  { "preferences", preferences_action },
  { "sign-in", sign_in_action },
  { "sign-in-to", sign_in_action, "s" },
  { "sign-out", sign_out_action },
};

static GSettings *
create_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* g_settings_new () aborts on a missing schema (see confab-window.c). */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

static gboolean
color_scheme_from_setting (GValue   *value,
                           GVariant *variant,
                           gpointer  user_data)
{
  const char *scheme = g_variant_get_string (variant, NULL);

  if (g_str_equal (scheme, "light"))
    g_value_set_enum (value, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else if (g_str_equal (scheme, "dark"))
    g_value_set_enum (value, ADW_COLOR_SCHEME_FORCE_DARK);
  else
    g_value_set_enum (value, ADW_COLOR_SCHEME_DEFAULT);

  return TRUE;
}

static void
confab_application_startup (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (confab_application_parent_class)->startup (app);

  confab_renderer_policy_apply (gdk_display_get_default ());

  self->settings = create_settings ();
  if (self->settings != NULL)
    g_settings_bind_with_mapping (self->settings, "color-scheme",
                                  adw_style_manager_get_default (), "color-scheme",
                                  G_SETTINGS_BIND_GET,
                                  color_scheme_from_setting, NULL, NULL, NULL);

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts", shortcuts_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  /* Enabled with the catalogue, once the store is open. */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                            "preferences")),
                               FALSE);
  /* Enabled with the room account, once the store is open. */
  update_room_actions (self);
  gtk_window_set_default_icon_name (APP_ID);
}

static void
confab_application_shutdown (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);

  g_cancellable_cancel (self->refresh_cancellable);

  G_APPLICATION_CLASS (confab_application_parent_class)->shutdown (app);
}

static void
confab_application_dispose (GObject *object)
{
  ConfabApplication *self = CONFAB_APPLICATION (object);

  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  g_clear_object (&self->room_account);
  g_clear_object (&self->catalogue);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_application_parent_class)->dispose (object);
}

static void
confab_application_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ConfabApplication *self = CONFAB_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CATALOGUE:
      g_value_set_object (value, self->catalogue);
      break;

    case PROP_ROOM_ACCOUNT:
      g_value_set_object (value, self->room_account);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_application_class_init (ConfabApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = confab_application_dispose;
  object_class->get_property = confab_application_get_property;

  app_class->activate = confab_application_activate;
  app_class->startup = confab_application_startup;
  app_class->shutdown = confab_application_shutdown;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CONFAB_TYPE_STORE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CATALOGUE] =
    g_param_spec_object ("catalogue", NULL, NULL,
                         CONFAB_TYPE_MODEL_CATALOGUE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ROOM_ACCOUNT] =
    g_param_spec_object ("room-account", NULL, NULL,
                         CONFAB_TYPE_ROOM_ACCOUNT,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_application_init (ConfabApplication *self)
{
}
