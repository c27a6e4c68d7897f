/* confab-project-settings-dialog.c: a project's name, default model and
 * system prompt, saved together through the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include "confab-project-settings-dialog.h"

struct _ConfabProjectSettingsDialog
{
  AdwWindow        parent_instance;

  ConfabStore     *store;
  ConfabProject   *project;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  AdwEntryRow     *name_row;
  GtkEntry        *model_entry;
  GtkTextView     *prompt_view;
};

G_DEFINE_FINAL_TYPE (ConfabProjectSettingsDialog, confab_project_settings_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_PROJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

ConfabProjectSettingsDialog *
confab_project_settings_dialog_new (GtkWindow     *parent,
                                    ConfabStore   *store,
                                    ConfabProject *project)
{
  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);
  g_return_val_if_fail (CONFAB_IS_PROJECT (project), NULL);

  return g_object_new (CONFAB_TYPE_PROJECT_SETTINGS_DIALOG,
                       "transient-for", parent,
                       "store", store,
                       "project", project,
                       NULL);
}

ConfabProject *
confab_project_settings_dialog_get_project (ConfabProjectSettingsDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_PROJECT_SETTINGS_DIALOG (self), NULL);

  return self->project;
}

/* Stripped; NULL when nothing is left, which the store saves as "unset". */
static char *
dup_stripped_or_null (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text ? text : ""));

  return copy[0] != '\0' ? g_steal_pointer (&copy) : NULL;
}

static char *
dup_prompt (ConfabProjectSettingsDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->prompt_view);
  g_autofree char *text = NULL;
  GtkTextIter start;
  GtkTextIter end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return dup_stripped_or_null (text);
}

/* "provider:model", both halves present. The picker that comes later will
 * only offer valid names; typed text is checked just enough to catch a
 * forgotten provider. */
static gboolean
model_is_valid (const char *model)
{
  const char *colon;

  if (model == NULL)
    return TRUE;

  colon = strchr (model, ':');
  return colon != NULL && colon != model && colon[1] != '\0' && strchr (model, ' ') == NULL;
}

static void
on_changed_cb (ConfabProjectSettingsDialog *self,
               GtkEditable                 *editable)
{
  g_autofree char *name = dup_stripped_or_null (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  g_autofree char *model = dup_stripped_or_null (gtk_editable_get_text (GTK_EDITABLE (self->model_entry)));
  gboolean model_ok = model_is_valid (model);

  if (model_ok)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->model_entry), "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (self->model_entry),
                                  GTK_ACCESSIBLE_STATE_INVALID);
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->model_entry), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->model_entry),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "settings.save", name != NULL && model_ok);
}

static void
on_entry_activated_cb (ConfabProjectSettingsDialog *self,
                       AdwEntryRow                 *row)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "settings.save", NULL);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabProjectSettingsDialog *self = CONFAB_PROJECT_SETTINGS_DIALOG (widget);
  g_autofree char *name = dup_stripped_or_null (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  g_autofree char *model = dup_stripped_or_null (gtk_editable_get_text (GTK_EDITABLE (self->model_entry)));
  g_autofree char *prompt = dup_prompt (self);
  g_autoptr(GError) error = NULL;

  /* Enter in an entry gets here even while the action is disabled. */
  if (name == NULL || !model_is_valid (model))
    return;

  /* All or nothing: a half-saved project would be a surprise. */
  if (!confab_store_begin (self->store, &error))
    goto failed;

  if (g_strcmp0 (name, confab_project_get_name (self->project)) != 0 &&
      !confab_store_rename_project (self->store, self->project, name, &error))
    {
      confab_store_rollback (self->store);
      goto failed;
    }

  if (!confab_store_set_project_defaults (self->store, self->project, model, prompt, &error) ||
      !confab_store_commit (self->store, &error))
    {
      confab_store_rollback (self->store);
      goto failed;
    }

  gtk_window_close (GTK_WINDOW (self));
  return;

failed:
  {
    g_autofree char *escaped = g_markup_escape_text (error->message, -1);
    AdwToast *toast = adw_toast_new (escaped);

    adw_toast_set_timeout (toast, 10);
    adw_toast_overlay_add_toast (self->toast_overlay, toast);
  }
}

static void
confab_project_settings_dialog_constructed (GObject *object)
{
  ConfabProjectSettingsDialog *self = CONFAB_PROJECT_SETTINGS_DIALOG (object);
  const char *prompt;

  G_OBJECT_CLASS (confab_project_settings_dialog_parent_class)->constructed (object);

  g_assert (self->store != NULL);
  g_assert (self->project != NULL);

  adw_window_title_set_subtitle (self->window_title, confab_project_get_name (self->project));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), confab_project_get_name (self->project));

  if (confab_project_get_default_model (self->project) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->model_entry),
                           confab_project_get_default_model (self->project));

  prompt = confab_project_get_system_prompt (self->project);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->prompt_view),
                            prompt ? prompt : "", -1);

  on_changed_cb (self, NULL);
}

static void
confab_project_settings_dialog_map (GtkWidget *widget)
{
  ConfabProjectSettingsDialog *self = CONFAB_PROJECT_SETTINGS_DIALOG (widget);

  GTK_WIDGET_CLASS (confab_project_settings_dialog_parent_class)->map (widget);

  /* Renaming is the most common reason to come here. Only once mapped:
   * focusing earlier makes GTK 4.8 set up the window's accessible object
   * before it knows its dialog role. */
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

static void
confab_project_settings_dialog_dispose (GObject *object)
{
  ConfabProjectSettingsDialog *self = CONFAB_PROJECT_SETTINGS_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_PROJECT_SETTINGS_DIALOG);

  g_clear_object (&self->project);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_project_settings_dialog_parent_class)->dispose (object);
}

static void
confab_project_settings_dialog_get_property (GObject    *object,
                                             guint       prop_id,
                                             GValue     *value,
                                             GParamSpec *pspec)
{
  ConfabProjectSettingsDialog *self = CONFAB_PROJECT_SETTINGS_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_project_settings_dialog_set_property (GObject      *object,
                                             guint         prop_id,
                                             const GValue *value,
                                             GParamSpec   *pspec)
{
  ConfabProjectSettingsDialog *self = CONFAB_PROJECT_SETTINGS_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_PROJECT:
      self->project = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_project_settings_dialog_class_init (ConfabProjectSettingsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = confab_project_settings_dialog_constructed;
  object_class->dispose = confab_project_settings_dialog_dispose;
  object_class->get_property = confab_project_settings_dialog_get_property;
  object_class->set_property = confab_project_settings_dialog_set_property;

  widget_class->map = confab_project_settings_dialog_map;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CONFAB_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         CONFAB_TYPE_PROJECT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-project-settings-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabProjectSettingsDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ConfabProjectSettingsDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ConfabProjectSettingsDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabProjectSettingsDialog, model_entry);
  gtk_widget_class_bind_template_child (widget_class, ConfabProjectSettingsDialog, prompt_view);
  gtk_widget_class_bind_template_callback (widget_class, on_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);

  gtk_widget_class_install_action (widget_class, "settings.save", NULL, save_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "settings.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  /* A window, but announced as the dialog it is. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
}

static void
confab_project_settings_dialog_init (ConfabProjectSettingsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
