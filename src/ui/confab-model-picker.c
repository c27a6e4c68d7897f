/* confab-model-picker.c: choosing the model for the next message.
 *
 * The popover's list is the catalogue through a filter on the search
 * terms; every term must appear in the provider's name or id, the model's
 * id or its display name, so "son 4" finds Claude Sonnet 4. GTK 4.8 has no
 * list sections, so each row names its provider; the catalogue keeps a
 * provider's models together.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-model-picker.h"
#include "confab-model-row.h"

struct _ConfabModelPicker
{
  GtkWidget             parent_instance;

  ConfabModelCatalogue *catalogue;
  /* The catalogue came from the application, not from the caller. */
  gboolean              catalogue_from_app;
  GSignalGroup         *catalogue_signals;
  char                 *model;
  /* Casefolded search terms; NULL or empty matches everything. */
  GStrv                 terms;
  GtkCustomFilter      *filter;
  /* Closing the list to choose: ::closed follows ::model-chosen. */
  gboolean              choosing;

  /* Template widgets */
  GtkMenuButton        *button;
  GtkLabel             *label;
  GtkPopover           *popover;
  GtkSearchEntry       *search_entry;
  GtkStack             *stack;
  GtkListView          *list_view;
  GtkSingleSelection   *selection;
  GtkFilterListModel   *filter_model;
};

G_DEFINE_FINAL_TYPE (ConfabModelPicker, confab_model_picker, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CATALOGUE,
  PROP_MODEL,
  N_PROPS
};

enum {
  MODEL_CHOSEN,
  CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
match_info (gpointer item,
            gpointer user_data)
{
  ConfabModelPicker *self = user_data;
  ConfabModelInfo *info = item;
  g_autofree char *haystack = NULL;
  g_autofree char *folded = NULL;
  const char *provider = confab_model_info_get_provider (info);

  if (self->terms == NULL || self->terms[0] == NULL)
    return TRUE;

  haystack = g_strjoin (" ",
                        confab_model_row_get_provider_name (provider),
                        provider,
                        confab_model_info_get_model (info),
                        confab_model_info_get_display_name (info)
                          ? confab_model_info_get_display_name (info) : "",
                        NULL);
  folded = g_utf8_casefold (haystack, -1);

  for (guint i = 0; self->terms[i] != NULL; i++)
    if (strstr (folded, self->terms[i]) == NULL)
      return FALSE;

  return TRUE;
}

static void
confab_model_picker_update_label (ConfabModelPicker *self)
{
  g_autoptr(ConfabModelInfo) info = NULL;
  g_autofree char *text = NULL;
  g_autofree char *accessible = NULL;
  g_autofree char *provider = NULL;
  g_autofree char *model = NULL;
  guint n_models = 0;

  if (self->catalogue != NULL)
    n_models = g_list_model_get_n_items (G_LIST_MODEL (self->catalogue));

  if (self->model[0] == '\0')
    text = g_strdup (n_models > 0 ? _("Choose a Model") : _("No Models"));
  else if (self->catalogue != NULL
           && (info = confab_model_catalogue_lookup (self->catalogue, self->model)) != NULL)
    {
      const char *name = confab_model_info_get_display_name (info);

      if (name == NULL || *name == '\0')
        name = confab_model_info_get_model (info);
      /* Translators: a model and its provider, "Claude Sonnet 4.5 · Anthropic". */
      const char *provider_id = confab_model_info_get_provider (info);

      text = g_strdup_printf (_("%s · %s"), name,
                              confab_model_row_get_provider_name (provider_id));
    }
  else if (confab_conversation_split_model (self->model, &provider, &model, NULL))
    text = g_strdup_printf (_("%s · %s"), model, confab_model_row_get_provider_name (provider));
  else
    text = g_strdup (self->model);

  gtk_label_set_label (self->label, text);

  /* The button's own name for screen readers says what it is for. */
  /* Translators: the model picker button, read by screen readers. */
  accessible = g_strdup_printf (_("Model: %s"), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
confab_model_picker_update_stack (ConfabModelPicker *self)
{
  const char *page;

  if (self->catalogue == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->catalogue)) == 0)
    page = "empty";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) == 0)
    page = "no-results";
  else
    page = "models";

  gtk_stack_set_visible_child_name (self->stack, page);
}

static void
on_catalogue_items_changed_cb (ConfabModelPicker *self,
                               guint              position,
                               guint              removed,
                               guint              added,
                               GListModel        *model)
{
  /* Display names arrive with a refresh; the empty state may end. */
  confab_model_picker_update_label (self);
  confab_model_picker_update_stack (self);
}

static void
on_filter_items_changed_cb (ConfabModelPicker *self,
                            guint              position,
                            guint              removed,
                            guint              added,
                            GListModel        *model)
{
  confab_model_picker_update_stack (self);
}

static void
select_position (ConfabModelPicker *self,
                 guint              position)
{
  gtk_single_selection_set_selected (self->selection, position);
  if (position != GTK_INVALID_LIST_POSITION)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u",
                                position);
}

/* The current model's row when it is listed, else the first. */
static void
select_current (ConfabModelPicker *self)
{
  GListModel *model = G_LIST_MODEL (self->filter_model);
  guint n_items = g_list_model_get_n_items (model);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(ConfabModelInfo) info = g_list_model_get_item (model, i);

      if (g_str_equal (confab_model_info_get_full_id (info), self->model))
        {
          select_position (self, i);
          return;
        }
    }

  select_position (self, n_items > 0 ? 0 : GTK_INVALID_LIST_POSITION);
}

static void
choose_position (ConfabModelPicker *self,
                 guint              position)
{
  g_autoptr(ConfabModelInfo) info = NULL;

  info = g_list_model_get_item (G_LIST_MODEL (self->filter_model), position);
  if (info == NULL)
    return;

  self->choosing = TRUE;
  gtk_popover_popdown (self->popover);
  self->choosing = FALSE;
  confab_model_picker_set_model (self, confab_model_info_get_full_id (info));
  g_signal_emit (self, signals[MODEL_CHOSEN], 0, self->model);
  g_signal_emit (self, signals[CLOSED], 0);
}

static void
on_popover_closed_cb (ConfabModelPicker *self,
                      GtkPopover        *popover)
{
  if (!self->choosing)
    g_signal_emit (self, signals[CLOSED], 0);
}

static void
on_popover_show_cb (ConfabModelPicker *self,
                    GtkPopover        *popover)
{
  /* Each opening starts from the whole list, at the current model. */
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_clear_pointer (&self->terms, g_strfreev);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_LESS_STRICT);
  confab_model_picker_update_stack (self);
  select_current (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
on_search_changed_cb (ConfabModelPicker *self,
                      GtkSearchEntry    *entry)
{
  g_autofree char *folded = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (entry)), -1);

  g_clear_pointer (&self->terms, g_strfreev);
  self->terms = g_strsplit_set (g_strstrip (folded), " \t", -1);
  /* Runs of spaces leave empty terms, which would match anything anyway. */
  {
    guint j = 0;

    for (guint i = 0; self->terms[i] != NULL; i++)
      {
        if (self->terms[i][0] != '\0')
          self->terms[j++] = self->terms[i];
        else
          g_free (self->terms[i]);
      }
    self->terms[j] = NULL;
  }

  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  confab_model_picker_update_stack (self);
  /* The best guess for Enter is the first match. */
  select_position (self, g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) > 0
                           ? 0 : GTK_INVALID_LIST_POSITION);
}

static void
on_search_activate_cb (ConfabModelPicker *self,
                       GtkSearchEntry    *entry)
{
  guint selected = gtk_single_selection_get_selected (self->selection);

  if (selected != GTK_INVALID_LIST_POSITION)
    choose_position (self, selected);
}

static void
on_stop_search_cb (ConfabModelPicker *self,
                   GtkSearchEntry    *entry)
{
  gtk_popover_popdown (self->popover);
}

static void
on_list_activate_cb (ConfabModelPicker *self,
                     guint              position,
                     GtkListView       *list_view)
{
  choose_position (self, position);
}

static void
on_preferences_clicked_cb (ConfabModelPicker *self,
                           GtkButton         *button)
{
  /* The preferences window opens over the popover otherwise. */
  gtk_popover_popdown (self->popover);
}

/* Up and Down move through the list while the search keeps the focus, so
 * one can type, go down two rows and press Enter. */
static gboolean
on_search_key_pressed_cb (ConfabModelPicker     *self,
                          guint                  keyval,
                          guint                  keycode,
                          GdkModifierType        state,
                          GtkEventControllerKey *controller)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  guint selected = gtk_single_selection_get_selected (self->selection);
  int delta;
  int target;

  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      delta = 1;
      break;

    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      delta = -1;
      break;

    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      delta = 8;
      break;

    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
      delta = -8;
      break;

    default:
      return GDK_EVENT_PROPAGATE;
    }

  if (n_items == 0)
    return GDK_EVENT_STOP;

  if (selected == GTK_INVALID_LIST_POSITION)
    target = 0;
  else
    target = CLAMP ((int) selected + delta, 0, (int) n_items - 1);

  select_position (self, target);

  return GDK_EVENT_STOP;
}

/* ---- Rows: one ConfabModelRow each, its check mark following :model. */

static void
on_row_setup_cb (ConfabModelPicker        *self,
                 GtkListItem              *list_item,
                 GtkSignalListItemFactory *factory)
{
  GtkWidget *row = confab_model_row_new ();

  g_object_bind_property (self, "model", row, "current-model", G_BINDING_SYNC_CREATE);
  gtk_list_item_set_child (list_item, row);
}

static void
on_row_bind_cb (ConfabModelPicker        *self,
                GtkListItem              *list_item,
                GtkSignalListItemFactory *factory)
{
  confab_model_row_set_info (CONFAB_MODEL_ROW (gtk_list_item_get_child (list_item)),
                             gtk_list_item_get_item (list_item));
}

static void
on_row_unbind_cb (ConfabModelPicker        *self,
                  GtkListItem              *list_item,
                  GtkSignalListItemFactory *factory)
{
  confab_model_row_set_info (CONFAB_MODEL_ROW (gtk_list_item_get_child (list_item)), NULL);
}

/* ---- Public API */

GtkWidget *
confab_model_picker_new (void)
{
  return g_object_new (CONFAB_TYPE_MODEL_PICKER, NULL);
}

ConfabModelCatalogue *
confab_model_picker_get_catalogue (ConfabModelPicker *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_PICKER (self), NULL);

  return self->catalogue;
}

static void
confab_model_picker_take_catalogue (ConfabModelPicker    *self,
                                    ConfabModelCatalogue *catalogue,
                                    gboolean              from_app)
{
  self->catalogue_from_app = from_app;

  if (!g_set_object (&self->catalogue, catalogue))
    return;

  g_signal_group_set_target (self->catalogue_signals, catalogue);
  gtk_filter_list_model_set_model (self->filter_model, G_LIST_MODEL (catalogue));
  confab_model_picker_update_label (self);
  confab_model_picker_update_stack (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATALOGUE]);
}

void
confab_model_picker_set_catalogue (ConfabModelPicker    *self,
                                   ConfabModelCatalogue *catalogue)
{
  g_return_if_fail (CONFAB_IS_MODEL_PICKER (self));
  g_return_if_fail (!catalogue || CONFAB_IS_MODEL_CATALOGUE (catalogue));

  confab_model_picker_take_catalogue (self, catalogue, FALSE);
}

const char *
confab_model_picker_get_model (ConfabModelPicker *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_PICKER (self), NULL);

  return self->model;
}

void
confab_model_picker_set_model (ConfabModelPicker *self,
                               const char        *full_id)
{
  g_return_if_fail (CONFAB_IS_MODEL_PICKER (self));

  if (full_id == NULL)
    full_id = "";

  if (g_str_equal (self->model, full_id))
    return;

  g_free (self->model);
  self->model = g_strdup (full_id);
  confab_model_picker_update_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

void
confab_model_picker_popup (ConfabModelPicker *self)
{
  g_return_if_fail (CONFAB_IS_MODEL_PICKER (self));

  gtk_menu_button_popup (self->button);
}

/* ---- GObject and GtkWidget */

static void
confab_model_picker_root (GtkWidget *widget)
{
  ConfabModelPicker *self = CONFAB_MODEL_PICKER (widget);
  GApplication *app = g_application_get_default ();

  GTK_WIDGET_CLASS (confab_model_picker_parent_class)->root (widget);

  /* Nobody gave a catalogue: the application's is the one to show. */
  if ((self->catalogue == NULL || self->catalogue_from_app) && CONFAB_IS_APPLICATION (app))
    {
      ConfabApplication *application = CONFAB_APPLICATION (app);

      confab_model_picker_take_catalogue (self, confab_application_get_catalogue (application),
                                          TRUE);
    }
}

static gboolean
confab_model_picker_focus (GtkWidget        *widget,
                           GtkDirectionType  direction)
{
  ConfabModelPicker *self = CONFAB_MODEL_PICKER (widget);

  return gtk_widget_child_focus (GTK_WIDGET (self->button), direction);
}

static gboolean
confab_model_picker_grab_focus (GtkWidget *widget)
{
  ConfabModelPicker *self = CONFAB_MODEL_PICKER (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->button));
}

static void
confab_model_picker_dispose (GObject *object)
{
  ConfabModelPicker *self = CONFAB_MODEL_PICKER (object);

  if (self->catalogue_signals != NULL)
    g_signal_group_set_target (self->catalogue_signals, NULL);
  /* The filter calls back into self: not after this. */
  if (self->filter_model != NULL)
    gtk_filter_list_model_set_filter (self->filter_model, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_MODEL_PICKER);

  g_clear_object (&self->catalogue_signals);
  g_clear_object (&self->catalogue);
  g_clear_object (&self->filter);

  G_OBJECT_CLASS (confab_model_picker_parent_class)->dispose (object);
}

static void
confab_model_picker_finalize (GObject *object)
{
  ConfabModelPicker *self = CONFAB_MODEL_PICKER (object);

  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->terms, g_strfreev);

  G_OBJECT_CLASS (confab_model_picker_parent_class)->finalize (object);
}

static void
confab_model_picker_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabModelPicker *self = CONFAB_MODEL_PICKER (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      g_value_set_object (value, self->catalogue);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_model_picker_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ConfabModelPicker *self = CONFAB_MODEL_PICKER (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      confab_model_picker_set_catalogue (self, g_value_get_object (value));
      break;

    case PROP_MODEL:
      confab_model_picker_set_model (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_model_picker_class_init (ConfabModelPickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_model_picker_dispose;
  object_class->finalize = confab_model_picker_finalize;
  object_class->get_property = confab_model_picker_get_property;
  object_class->set_property = confab_model_picker_set_property;

  widget_class->root = confab_model_picker_root;
  widget_class->focus = confab_model_picker_focus;
  widget_class->grab_focus = confab_model_picker_grab_focus;

  properties[PROP_CATALOGUE] =
    g_param_spec_object ("catalogue", NULL, NULL,
                         CONFAB_TYPE_MODEL_CATALOGUE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Never NULL: "" when no model is chosen, so it binds to a GSettings string. */
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL,
                         "",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabModelPicker::model-chosen:
   * @full_id: "PROVIDER:MODEL"
   *
   * The user picked a model from the list (also when it was already the
   * current one); :model changes with it. Not emitted by set_model ().
   */
  signals[MODEL_CHOSEN] =
    g_signal_new ("model-chosen",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * ConfabModelPicker::closed:
   *
   * The list closed, with a model chosen (after ::model-chosen) or not.
   */
  signals[CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-model-picker.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabModelPicker, button);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelPicker, label);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelPicker, popover);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelPicker, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelPicker, stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelPicker, list_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelPicker, selection);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelPicker, filter_model);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_closed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_preferences_clicked_cb);

  gtk_widget_class_set_css_name (widget_class, "modelpicker");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
confab_model_picker_init (ConfabModelPicker *self)
{
  GtkListItemFactory *factory;
  GtkEventController *controller;

  self->model = g_strdup ("");

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Model"),
                                  -1);

  self->filter = gtk_custom_filter_new (match_info, self, NULL);
  gtk_filter_list_model_set_filter (self->filter_model, GTK_FILTER (self->filter));

  self->catalogue_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_object (self->catalogue_signals, "items-changed",
                                 G_CALLBACK (on_catalogue_items_changed_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (on_filter_items_changed_cb), self,
                           G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_swapped (factory, "setup", G_CALLBACK (on_row_setup_cb), self);
  g_signal_connect_swapped (factory, "bind", G_CALLBACK (on_row_bind_cb), self);
  g_signal_connect_swapped (factory, "unbind", G_CALLBACK (on_row_unbind_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  /* Typing anywhere in the popover searches; arrows move from the entry. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->popover));
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "key-pressed", G_CALLBACK (on_search_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), controller);

  confab_model_picker_update_label (self);
  confab_model_picker_update_stack (self);
}
