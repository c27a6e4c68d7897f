/* confab-roundtable-dialog.c: the round-table's setup. Every change is
 * checked at once: the first problem shows under the form and Start
 * waits until there is none, so a round-table never fails on its setup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-model-picker.h"
#include "confab-roundtable-dialog.h"

/* As confab-cli's --rounds. */
#define MAX_ROUNDS 100

typedef struct
{
  GtkWidget         *row;     /* owned by participants_group */
  ConfabModelPicker *picker;
  GtkEditable       *name;
  GtkEditable       *persona;
  GtkWidget         *remove;
} Participant;

struct _ConfabRoundtableDialog
{
  AdwWindow             parent_instance;

  ConfabConductor      *conductor;
  char                 *model;
  gboolean              has_messages;
  GPtrArray            *participants;   /* Participant */

  /* Template widgets */
  GtkTextView          *topic_view;
  AdwPreferencesGroup  *participants_group;
  GtkSpinButton        *rounds_spin;
  AdwComboRow          *order_row;
  AdwActionRow         *moderator_row;
  ConfabModelPicker    *moderator_picker;
  GtkSpinButton        *budget_spin;
  GtkLabel             *error_label;
};

G_DEFINE_FINAL_TYPE (ConfabRoundtableDialog, confab_roundtable_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_CONDUCTOR,
  PROP_MODEL,
  PROP_HAS_MESSAGES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  START,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

ConfabRoundtableDialog *
confab_roundtable_dialog_new (GtkWindow       *parent,
                              ConfabConductor *conductor,
                              const char      *topic,
                              const char      *model,
                              gboolean         has_messages)
{
  ConfabRoundtableDialog *self;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (conductor), NULL);

  self = g_object_new (CONFAB_TYPE_ROUNDTABLE_DIALOG,
                       "transient-for", parent,
                       "conductor", conductor,
                       "model", model,
                       "has-messages", has_messages,
                       NULL);
  if (topic != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->topic_view), topic, -1);
  return self;
}

static ConfabModelCatalogue *
get_catalogue (ConfabRoundtableDialog *self)
{
  return confab_conductor_get_catalogue (self->conductor);
}

/* The catalogue's display name, else the id after "PROVIDER:". */
static char *
model_name (ConfabRoundtableDialog *self,
            const char             *full_id)
{
  ConfabModelCatalogue *catalogue = get_catalogue (self);
  g_autoptr(ConfabModelInfo) info = NULL;
  const char *colon;

  if (full_id == NULL || *full_id == '\0')
    return g_strdup ("");
  if (catalogue != NULL)
    info = confab_model_catalogue_lookup (catalogue, full_id);
  if (info != NULL && confab_model_info_get_display_name (info) != NULL)
    return g_strdup (confab_model_info_get_display_name (info));
  colon = strchr (full_id, ':');
  return g_strdup (colon != NULL ? colon + 1 : full_id);
}

/* What the participant is called: the name typed, else the one the
 * conductor will give it (the model's). */
static char *
participant_name (Participant *participant)
{
  g_autofree char *typed = g_strstrip (g_strdup (gtk_editable_get_text (participant->name)));
  const char *model = confab_model_picker_get_model (participant->picker);
  g_autoptr(ConfabParticipant) probe = NULL;

  if (*typed != '\0')
    return g_steal_pointer (&typed);
  if (*model == '\0')
    return g_strdup ("");
  probe = confab_participant_new (model, NULL, NULL);
  return g_strdup (confab_participant_get_name (probe));
}

static char *
dup_topic (ConfabRoundtableDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->topic_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

static gboolean
moderated (ConfabRoundtableDialog *self)
{
  return adw_combo_row_get_selected (self->order_row) == 1;
}

/* The first problem with the setup, or NULL when it can start. */
static char *
dup_problem (ConfabRoundtableDialog *self)
{
  g_autofree char *topic = dup_topic (self);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  if (self->participants->len < 2)
    return g_strdup (_("A round-table needs at least two participants."));

  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *participant = g_ptr_array_index (self->participants, i);
      g_autofree char *name = NULL;

      if (*confab_model_picker_get_model (participant->picker) == '\0')
        return g_strdup_printf (_("Choose a model for participant %u."), i + 1);

      name = participant_name (participant);
      for (guint j = 0; j < names->len; j++)
        if (g_utf8_collate (name, g_ptr_array_index (names, j)) == 0)
          return g_strdup_printf (_("Two participants are called “%s”: give them different "
                                    "names."), name);
      g_ptr_array_add (names, g_steal_pointer (&name));
    }

  if (moderated (self) && *confab_model_picker_get_model (self->moderator_picker) == '\0')
    return g_strdup (_("Choose the moderator’s model."));

  if (*topic == '\0' && !self->has_messages)
    return g_strdup (_("Write a topic: this chat has no messages to go on from."));

  if (confab_conductor_get_busy (self->conductor))
    return g_strdup (_("Models are still answering in this chat. Wait for them or stop them "
                       "first."));

  return NULL;
}

static void
confab_roundtable_dialog_validate (ConfabRoundtableDialog *self)
{
  g_autofree char *problem = NULL;

  if (self->participants == NULL || self->conductor == NULL)
    return;

  problem = dup_problem (self);
  gtk_label_set_label (self->error_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), problem != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "roundtable.start", problem == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "roundtable.add-participant",
                                 self->participants->len < 12);
  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *participant = g_ptr_array_index (self->participants, i);

      /* Two at least, or it is not a round-table. */
      gtk_widget_set_sensitive (participant->remove, self->participants->len > 2);
    }
}

static void
on_changed_cb (ConfabRoundtableDialog *self)
{
  confab_roundtable_dialog_validate (self);
}

static void
participant_update_placeholder (ConfabRoundtableDialog *self,
                                Participant            *participant)
{
  g_autofree char *name = model_name (self, confab_model_picker_get_model (participant->picker));

  gtk_entry_set_placeholder_text (GTK_ENTRY (participant->name), *name != '\0' ? name : _("Name"));
}

static void
on_participant_model_cb (ConfabRoundtableDialog *self,
                         GParamSpec             *pspec,
                         ConfabModelPicker      *picker)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *participant = g_ptr_array_index (self->participants, i);

      if (participant->picker == picker)
        participant_update_placeholder (self, participant);
    }
  confab_roundtable_dialog_validate (self);
}

/* Accessible names follow the rows' numbers, which change on removal. */
static void
renumber (ConfabRoundtableDialog *self)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *participant = g_ptr_array_index (self->participants, i);
      g_autofree char *model = g_strdup_printf (_("Model of Participant %u"), i + 1);
      g_autofree char *name = g_strdup_printf (_("Name of Participant %u"), i + 1);
      g_autofree char *persona = g_strdup_printf (_("Persona of Participant %u"), i + 1);
      g_autofree char *remove = g_strdup_printf (_("Remove Participant %u"), i + 1);

      gtk_accessible_update_property (GTK_ACCESSIBLE (participant->picker),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, model, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (participant->name),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (participant->persona),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, persona, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (participant->remove),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, remove, -1);
    }
}

static void
on_remove_clicked_cb (ConfabRoundtableDialog *self,
                      GtkButton              *button)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *participant = g_ptr_array_index (self->participants, i);

      if (participant->remove == GTK_WIDGET (button))
        {
          adw_preferences_group_remove (self->participants_group, participant->row);
          g_ptr_array_remove_index (self->participants, i);
          break;
        }
    }
  renumber (self);
  confab_roundtable_dialog_validate (self);
}

static gboolean
model_taken (ConfabRoundtableDialog *self,
             const char             *model)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *participant = g_ptr_array_index (self->participants, i);

      if (g_strcmp0 (confab_model_picker_get_model (participant->picker), model) == 0)
        return TRUE;
    }
  return FALSE;
}

/* A listed model no participant has yet; else the first listed one. */
static char *
dup_next_model (ConfabRoundtableDialog *self)
{
  GListModel *models = G_LIST_MODEL (get_catalogue (self));
  g_autofree char *first = NULL;
  guint n = models != NULL ? g_list_model_get_n_items (models) : 0;

  if (self->model != NULL && *self->model != '\0' && !model_taken (self, self->model))
    return g_strdup (self->model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabModelInfo) info = g_list_model_get_item (models, i);
      const char *full_id = confab_model_info_get_full_id (info);

      if (!model_taken (self, full_id))
        return g_strdup (full_id);
      if (first == NULL)
        first = g_strdup (full_id);
    }
  return first != NULL ? g_steal_pointer (&first) : g_strdup (self->model);
}

static void
add_participant (ConfabRoundtableDialog *self)
{
  Participant *participant = g_new0 (Participant, 1);
  g_autofree char *model = dup_next_model (self);
  GtkWidget *box, *line;

  participant->row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (participant->row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (participant->row), FALSE);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (participant->row), box);

  line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (box), line);

  participant->picker = CONFAB_MODEL_PICKER (confab_model_picker_new ());
  confab_model_picker_set_catalogue (participant->picker, get_catalogue (self));
  if (model != NULL)
    confab_model_picker_set_model (participant->picker, model);
  gtk_widget_set_hexpand (GTK_WIDGET (participant->picker), TRUE);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (participant->picker));
  g_signal_connect_object (participant->picker, "notify::model",
                           G_CALLBACK (on_participant_model_cb), self, G_CONNECT_SWAPPED);

  participant->name = GTK_EDITABLE (gtk_entry_new ());
  gtk_editable_set_width_chars (participant->name, 12);
  gtk_widget_set_tooltip_text (GTK_WIDGET (participant->name),
                               _("The name it speaks under; the model’s name if empty"));
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (participant->name));
  g_signal_connect_object (participant->name, "changed",
                           G_CALLBACK (on_changed_cb), self, G_CONNECT_SWAPPED);

  participant->remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (participant->remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (participant->remove, _("Remove Participant"));
  gtk_widget_add_css_class (participant->remove, "flat");
  gtk_box_append (GTK_BOX (line), participant->remove);
  g_signal_connect_object (participant->remove, "clicked",
                           G_CALLBACK (on_remove_clicked_cb), self, G_CONNECT_SWAPPED);

  participant->persona = GTK_EDITABLE (gtk_entry_new ());
  gtk_entry_set_placeholder_text (GTK_ENTRY (participant->persona),
                                  _("Persona (optional), e.g. “You are a careful sceptic”"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (participant->persona));

  g_ptr_array_add (self->participants, participant);
  participant_update_placeholder (self, participant);
  adw_preferences_group_add (self->participants_group, participant->row);
  renumber (self);
  confab_roundtable_dialog_validate (self);
}

static void
add_participant_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ConfabRoundtableDialog *self = CONFAB_ROUNDTABLE_DIALOG (widget);
  Participant *participant;

  add_participant (self);
  participant = g_ptr_array_index (self->participants, self->participants->len - 1);
  gtk_widget_grab_focus (GTK_WIDGET (participant->name));
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ConfabRoundtableDialog *self = CONFAB_ROUNDTABLE_DIALOG (widget);
  g_autofree char *problem = dup_problem (self);
  g_autofree char *topic = NULL;

  if (problem != NULL)
    {
      confab_roundtable_dialog_validate (self);
      return;
    }

  confab_conductor_clear_participants (self->conductor);
  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *participant = g_ptr_array_index (self->participants, i);
      g_autofree char *name = participant_name (participant);
      g_autofree char *persona = g_strstrip (g_strdup (gtk_editable_get_text (participant->persona)));
      g_autoptr(ConfabParticipant) item = NULL;

      item = confab_participant_new (confab_model_picker_get_model (participant->picker), name,
                                     *persona != '\0' ? persona : NULL);
      confab_conductor_add_participant (self->conductor, item);
    }
  confab_conductor_set_rounds (self->conductor,
                               (guint) gtk_spin_button_get_value_as_int (self->rounds_spin));
  confab_conductor_set_moderator (self->conductor,
                                  moderated (self)
                                  ? confab_model_picker_get_model (self->moderator_picker)
                                  : NULL);
  confab_conductor_set_token_budget (self->conductor,
                                     (gint64) gtk_spin_button_get_value (self->budget_spin));

  topic = dup_topic (self);
  g_signal_emit (self, signals[START], 0, *topic != '\0' ? topic : NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_order_changed_cb (ConfabRoundtableDialog *self)
{
  /* Still being built. */
  if (self->moderator_row == NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->moderator_row), moderated (self));
  confab_roundtable_dialog_validate (self);
}

static void
confab_roundtable_dialog_constructed (GObject *object)
{
  ConfabRoundtableDialog *self = CONFAB_ROUNDTABLE_DIALOG (object);

  G_OBJECT_CLASS (confab_roundtable_dialog_parent_class)->constructed (object);

  confab_model_picker_set_catalogue (self->moderator_picker, get_catalogue (self));
  if (self->model != NULL)
    confab_model_picker_set_model (self->moderator_picker, self->model);
  gtk_spin_button_set_value (self->rounds_spin, CONFAB_CONDUCTOR_DEFAULT_ROUNDS);

  add_participant (self);
  add_participant (self);

  /* The busy check depends on it: a comparison that ends frees Start. */
  g_signal_connect_object (self->conductor, "notify::busy",
                           G_CALLBACK (on_changed_cb), self, G_CONNECT_SWAPPED);
  on_order_changed_cb (self);
}

static void
confab_roundtable_dialog_dispose (GObject *object)
{
  ConfabRoundtableDialog *self = CONFAB_ROUNDTABLE_DIALOG (object);

  g_clear_pointer (&self->participants, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_ROUNDTABLE_DIALOG);
  g_clear_object (&self->conductor);

  G_OBJECT_CLASS (confab_roundtable_dialog_parent_class)->dispose (object);
}

static void
confab_roundtable_dialog_finalize (GObject *object)
{
  ConfabRoundtableDialog *self = CONFAB_ROUNDTABLE_DIALOG (object);

  g_free (self->model);

  G_OBJECT_CLASS (confab_roundtable_dialog_parent_class)->finalize (object);
}

static void
confab_roundtable_dialog_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  ConfabRoundtableDialog *self = CONFAB_ROUNDTABLE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CONDUCTOR:
      g_value_set_object (value, self->conductor);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_HAS_MESSAGES:
      g_value_set_boolean (value, self->has_messages);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_roundtable_dialog_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  ConfabRoundtableDialog *self = CONFAB_ROUNDTABLE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CONDUCTOR:
      self->conductor = g_value_dup_object (value);
      break;

    case PROP_MODEL:
      self->model = g_value_dup_string (value);
      break;

    case PROP_HAS_MESSAGES:
      self->has_messages = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_roundtable_dialog_class_init (ConfabRoundtableDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = confab_roundtable_dialog_constructed;
  object_class->dispose = confab_roundtable_dialog_dispose;
  object_class->finalize = confab_roundtable_dialog_finalize;
  object_class->get_property = confab_roundtable_dialog_get_property;
  object_class->set_property = confab_roundtable_dialog_set_property;

  properties[PROP_CONDUCTOR] =
    g_param_spec_object ("conductor", NULL, NULL, CONFAB_TYPE_CONDUCTOR, construct);
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, construct);
  properties[PROP_HAS_MESSAGES] =
    g_param_spec_boolean ("has-messages", NULL, NULL, FALSE, construct);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabRoundtableDialog::start:
   * @topic: (nullable): the topic, NULL to go on from the chat
   *
   * The conductor is set up: run the round-table.
   */
  signals[START] =
    g_signal_new ("start", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (CONFAB_TYPE_MODEL_PICKER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-roundtable-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabRoundtableDialog, topic_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabRoundtableDialog, participants_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabRoundtableDialog, rounds_spin);
  gtk_widget_class_bind_template_child (widget_class, ConfabRoundtableDialog, order_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabRoundtableDialog, moderator_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabRoundtableDialog, moderator_picker);
  gtk_widget_class_bind_template_child (widget_class, ConfabRoundtableDialog, budget_spin);
  gtk_widget_class_bind_template_child (widget_class, ConfabRoundtableDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_order_changed_cb);

  gtk_widget_class_install_action (widget_class, "roundtable.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "roundtable.add-participant", NULL,
                                   add_participant_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
}

static void
confab_roundtable_dialog_init (ConfabRoundtableDialog *self)
{
  self->participants = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_spin_button_set_range (self->rounds_spin, 1, MAX_ROUNDS);
}
