/* confab-composer.c: the text view, model picker and Send/Stop button.
 *
 * The composer only collects: ::send hands the text to whoever sends it
 * (the chat view or the thread pane), which then sets :busy while the
 * reply streams and clears the text once the prompt is stored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-compare-button.h"
#include "confab-composer.h"
#include "confab-mention-completion.h"
#include "confab-model-picker.h"

struct _ConfabComposer
{
  GtkWidget          parent_instance;

  ConfabMessage     *editing;
  gboolean           busy;
  /* Two or more: Send compares their answers (see :compare-models). */
  GStrv              compare_models;
  /* The compare button is offered (the chat's composer, not a thread's). */
  gboolean           can_compare;
  /* "@gp" offers "@gpt"; made after our key handler so it runs first. */
  ConfabMentionCompletion *mention_completion;
  /* Set by the chat view while a round-table runs (NULL: the usual). */
  char              *placeholder;

  /* Template widgets */
  GtkRevealer       *edit_revealer;
  GtkScrolledWindow *scrolled_window;
  GtkTextView       *text_view;
  GtkLabel          *placeholder_label;
  ConfabModelPicker *model_picker;
  GtkButton         *send_button;
  GtkButton         *stop_button;
};

G_DEFINE_FINAL_TYPE (ConfabComposer, confab_composer, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_BUSY,
  PROP_EDITING,
  PROP_COMPARE_MODELS,
  PROP_CAN_COMPARE,
  N_PROPS
};

enum {
  SEND,
  STOP,
  MODEL_CHOSEN,
  PICKER_CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static char *
model_display_name (const char *full_id)
{
  GApplication *app = g_application_get_default ();
  ConfabModelCatalogue *catalogue = NULL;
  g_autoptr(ConfabModelInfo) info = NULL;
  const char *colon;

  if (full_id == NULL || *full_id == '\0')
    return NULL;

  if (CONFAB_IS_APPLICATION (app))
    catalogue = confab_application_get_catalogue (CONFAB_APPLICATION (app));
  if (catalogue != NULL)
    info = confab_model_catalogue_lookup (catalogue, full_id);
  if (info != NULL && confab_model_info_get_display_name (info) != NULL)
    return g_strdup (confab_model_info_get_display_name (info));

  colon = strchr (full_id, ':');
  return g_strdup (colon ? colon + 1 : full_id);
}

static void
confab_composer_update (ConfabComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  g_autofree char *name = model_display_name (confab_composer_get_model (self));
  g_autofree char *placeholder = NULL;
  gboolean empty = gtk_text_buffer_get_char_count (buffer) == 0;
  guint n_compare = self->can_compare && self->compare_models != NULL
                    ? g_strv_length (self->compare_models) : 0;

  if (self->placeholder != NULL)
    placeholder = g_strdup (self->placeholder);
  else if (n_compare >= 2)
    /* Translators: the placeholder of the message entry when comparing */
    placeholder = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Compare %u model…",
                                                "Compare %u models…", n_compare), n_compare);
  else if (name != NULL)
    /* Translators: the placeholder of the message entry */
    placeholder = g_strdup_printf (_("Message %s…"), name);
  else
    placeholder = g_strdup (_("Message…"));
  gtk_label_set_label (self->placeholder_label, placeholder);
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_label), empty);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view),
                                  GTK_ACCESSIBLE_PROPERTY_PLACEHOLDER, placeholder,
                                  -1);

  gtk_widget_set_visible (GTK_WIDGET (self->send_button), !self->busy);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->send_button),
                               n_compare >= 2 ? _("Compare (Enter)") : _("Send (Enter)"));
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", !self->busy && !empty);
  /* Escape also leaves edit mode; otherwise it goes on to the window. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.stop",
                                 self->busy || self->editing != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.cancel-edit",
                                 self->editing != NULL);
  gtk_revealer_set_reveal_child (self->edit_revealer, self->editing != NULL);
}

static void
on_buffer_changed_cb (ConfabComposer *self,
                      GtkTextBuffer  *buffer)
{
  confab_composer_update (self);
}

static void
on_model_changed_cb (ConfabComposer *self,
                     GParamSpec     *pspec,
                     GObject        *picker)
{
  confab_composer_update (self);
  /* A model is picked to write to it next. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    confab_composer_focus (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

static void
on_model_chosen_cb (ConfabComposer *self,
                    const char     *full_id,
                    GObject        *picker)
{
  g_signal_emit (self, signals[MODEL_CHOSEN], 0, full_id);
}

static void
on_picker_closed_cb (ConfabComposer *self,
                     GObject        *picker)
{
  g_signal_emit (self, signals[PICKER_CLOSED], 0);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabComposer *self = CONFAB_COMPOSER (widget);
  g_autofree char *text = confab_composer_dup_text (self);
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  /* Whitespace only is an accident, not a message. */
  if (self->busy || stripped[0] == '\0')
    return;

  g_signal_emit (self, signals[SEND], 0, text);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabComposer *self = CONFAB_COMPOSER (widget);

  if (self->busy)
    g_signal_emit (self, signals[STOP], 0);
  else if (self->editing != NULL)
    confab_composer_set_editing (self, NULL);
}

static void
cancel_edit_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ConfabComposer *self = CONFAB_COMPOSER (widget);

  confab_composer_set_editing (self, NULL);
  confab_composer_set_text (self, NULL);
}

static gboolean
on_key_pressed_cb (GtkEventControllerKey *controller,
                   guint                  keyval,
                   guint                  keycode,
                   GdkModifierType        state,
                   ConfabComposer        *self)
{
  /* Caught before the text view, which would insert a newline: Enter
   * sends, Shift+Enter (or an input method composing) is left alone. */
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter)
      && (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) == 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "composer.send", NULL);
      return GDK_EVENT_STOP;
    }

  return GDK_EVENT_PROPAGATE;
}

GtkWidget *
confab_composer_new (void)
{
  return g_object_new (CONFAB_TYPE_COMPOSER, NULL);
}

char *
confab_composer_dup_text (ConfabComposer *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
confab_composer_set_text (ConfabComposer *self,
                          const char     *text)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text ? text : "", -1);
}

const char *
confab_composer_get_model (ConfabComposer *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), NULL);

  return confab_model_picker_get_model (self->model_picker);
}

void
confab_composer_set_model (ConfabComposer *self,
                           const char     *model)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));

  /* The picker notifies, and we with it. */
  confab_model_picker_set_model (self->model_picker, model);
}

gboolean
confab_composer_get_busy (ConfabComposer *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), FALSE);

  return self->busy;
}

void
confab_composer_set_busy (ConfabComposer *self,
                          gboolean        busy)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));

  busy = !!busy;
  if (self->busy != busy)
    {
      self->busy = busy;
      confab_composer_update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
}

ConfabMessage *
confab_composer_get_editing (ConfabComposer *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), NULL);

  return self->editing;
}

void
confab_composer_set_editing (ConfabComposer *self,
                             ConfabMessage  *message)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));
  g_return_if_fail (!message || CONFAB_IS_MESSAGE (message));

  if (g_set_object (&self->editing, message))
    {
      if (message != NULL)
        {
          confab_composer_set_text (self, confab_message_get_content (message));
          confab_composer_focus (self);
        }
      confab_composer_update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITING]);
    }
}

const char * const *
confab_composer_get_compare_models (ConfabComposer *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), NULL);

  return (const char * const *) self->compare_models;
}

void
confab_composer_set_compare_models (ConfabComposer     *self,
                                    const char * const *models)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));

  if (models != NULL && models[0] == NULL)
    models = NULL;
  if ((models == NULL && self->compare_models == NULL)
      || (models != NULL && self->compare_models != NULL
          && g_strv_equal (models, (const char * const *) self->compare_models)))
    return;

  g_clear_pointer (&self->compare_models, g_strfreev);
  self->compare_models = g_strdupv ((char **) models);
  confab_composer_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPARE_MODELS]);
}

gboolean
confab_composer_get_can_compare (ConfabComposer *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), FALSE);

  return self->can_compare;
}

void
confab_composer_set_can_compare (ConfabComposer *self,
                                 gboolean        can_compare)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));

  can_compare = !!can_compare;
  if (self->can_compare != can_compare)
    {
      self->can_compare = can_compare;
      confab_composer_update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_COMPARE]);
    }
}

void
confab_composer_pick_model (ConfabComposer *self)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));

  confab_model_picker_popup (self->model_picker);
}

void
confab_composer_set_placeholder (ConfabComposer *self,
                                 const char     *placeholder)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));

  if (g_strcmp0 (self->placeholder, placeholder) == 0)
    return;
  g_free (self->placeholder);
  self->placeholder = g_strdup (placeholder);
  confab_composer_update (self);
}

void
confab_composer_focus (ConfabComposer *self)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static gboolean
confab_composer_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (CONFAB_COMPOSER (widget)->text_view));
}

static void
confab_composer_dispose (GObject *object)
{
  ConfabComposer *self = CONFAB_COMPOSER (object);

  /* Takes its popover off the text view, which cannot dispose of it. */
  g_clear_object (&self->mention_completion);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_COMPOSER);
  /* dispose_template () only drops the children bound to fields. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);
  g_clear_object (&self->editing);
  g_clear_pointer (&self->compare_models, g_strfreev);
  g_clear_pointer (&self->placeholder, g_free);

  G_OBJECT_CLASS (confab_composer_parent_class)->dispose (object);
}

static void
confab_composer_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ConfabComposer *self = CONFAB_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_string (value, confab_composer_get_model (self));
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_COMPARE_MODELS:
      g_value_set_boxed (value, self->compare_models);
      break;

    case PROP_CAN_COMPARE:
      g_value_set_boolean (value, self->can_compare);
      break;

    case PROP_EDITING:
      g_value_set_object (value, self->editing);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_composer_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ConfabComposer *self = CONFAB_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      confab_composer_set_model (self, g_value_get_string (value));
      break;

    case PROP_BUSY:
      confab_composer_set_busy (self, g_value_get_boolean (value));
      break;

    case PROP_COMPARE_MODELS:
      confab_composer_set_compare_models (self, g_value_get_boxed (value));
      break;

    case PROP_CAN_COMPARE:
      confab_composer_set_can_compare (self, g_value_get_boolean (value));
      break;

    case PROP_EDITING:
      confab_composer_set_editing (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_composer_class_init (ConfabComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_composer_dispose;
  object_class->get_property = confab_composer_get_property;
  object_class->set_property = confab_composer_set_property;
  widget_class->grab_focus = confab_composer_grab_focus;

  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ConfabComposer:compare-models:
   *
   * The models ("PROVIDER:MODEL") the next message is sent to at once,
   * to compare their answers; NULL or fewer than two: the one :model.
   */
  properties[PROP_COMPARE_MODELS] =
    g_param_spec_boxed ("compare-models", NULL, NULL,
                        G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * ConfabComposer:can-compare:
   *
   * Whether the "Compare Models" button is shown (the chat view's
   * composer; a thread is answered by one model).
   */
  properties[PROP_CAN_COMPARE] =
    g_param_spec_boolean ("can-compare", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_EDITING] =
    g_param_spec_object ("editing", NULL, NULL,
                         CONFAB_TYPE_MESSAGE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabComposer::send:
   * @text: the message as typed
   */
  signals[SEND] =
    g_signal_new ("send",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  signals[STOP] =
    g_signal_new ("stop",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * ConfabComposer::model-chosen:
   * @full_id: "PROVIDER:MODEL"
   *
   * A model was picked from the list, also the current one again (unlike
   * notify::model), e.g. for "Regenerate With…".
   */
  signals[MODEL_CHOSEN] =
    g_signal_new ("model-chosen",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * ConfabComposer::picker-closed:
   *
   * The model list closed, after ::model-chosen if a model was picked.
   */
  signals[PICKER_CLOSED] =
    g_signal_new ("picker-closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (CONFAB_TYPE_MODEL_PICKER);
  g_type_ensure (CONFAB_TYPE_COMPARE_BUTTON);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, edit_revealer);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, text_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, model_picker);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, send_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, stop_button);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "composer.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "composer.cancel-edit", NULL,
                                   cancel_edit_action);

  /* Escape stops the reply (or leaves edit mode) while typing. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "composer.stop", NULL);
}

static void
confab_composer_init (ConfabComposer *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view), "changed",
                           G_CALLBACK (on_buffer_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model_picker, "notify::model",
                           G_CALLBACK (on_model_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model_picker, "model-chosen",
                           G_CALLBACK (on_model_chosen_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model_picker, "closed",
                           G_CALLBACK (on_picker_closed_cb), self, G_CONNECT_SWAPPED);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), controller);
  self->mention_completion = confab_mention_completion_new (self->text_view);

  confab_composer_update (self);
}
