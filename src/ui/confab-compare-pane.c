/* confab-compare-pane.c: the columns of a comparison.
 *
 * One ConfabCompareColumn per turn of the conductor (its GListModel), in
 * a homogeneous row that scrolls sideways when there are many, or one per
 * page of a carousel when folded. The columns live in self->columns and
 * move between the two containers, so a layout change keeps what they
 * show. A failed turn is one column saying so; the others go on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-compare-column.h"
#include "confab-compare-pane.h"
#include "confab-model-picker.h"

/* Below it, a row of columns would squash each answer. */
#define COLUMN_MIN_WIDTH 280

struct _ConfabComparePane
{
  GtkWidget          parent_instance;

  ConfabConductor   *conductor;
  GSignalGroup      *conductor_signals;
  GPtrArray         *columns;     /* ConfabCompareColumn, as the turns */
  gboolean           folded;

  /* Template widgets */
  GtkLabel          *title_label;
  GtkLabel          *prompt_label;
  GtkStack          *layout_stack;
  GtkScrolledWindow *columns_window;
  GtkBox            *columns_box;
  AdwCarousel       *carousel;
  GtkWidget         *synthesize_box;
  GtkButton         *synthesize_button;
  ConfabModelPicker *synthesis_picker;
  GtkLabel          *summary_label;
  GtkButton         *done_button;
};

G_DEFINE_FINAL_TYPE (ConfabComparePane, confab_compare_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONDUCTOR,
  PROP_FOLDED,
  N_PROPS
};

enum {
  DONE,
  KEPT,
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- Columns */

static void
detach_column (ConfabComparePane *self,
               GtkWidget         *column)
{
  GtkWidget *parent = gtk_widget_get_parent (column);

  if (parent == GTK_WIDGET (self->columns_box))
    gtk_box_remove (self->columns_box, column);
  else if (parent != NULL)
    adw_carousel_remove (self->carousel, column);
}

/* Puts the column at position of self->columns in its place on screen.
 * Only new columns and a layout change move columns: GTK 4.8 loses a
 * re-parented widget's accessible children. */
static void
attach_column (ConfabComparePane *self,
               guint              position)
{
  GtkWidget *column = g_ptr_array_index (self->columns, position);

  if (self->folded)
    {
      gtk_widget_set_size_request (column, -1, -1);
      gtk_widget_set_hexpand (column, TRUE);
      adw_carousel_insert (self->carousel, column, (int) position);
    }
  else
    {
      gtk_widget_set_size_request (column, COLUMN_MIN_WIDTH, -1);
      gtk_box_insert_child_after (self->columns_box, column,
                                  position > 0 ? g_ptr_array_index (self->columns, position - 1)
                                               : NULL);
    }
}

static void
detach_columns (ConfabComparePane *self)
{
  for (guint i = 0; i < self->columns->len; i++)
    detach_column (self, g_ptr_array_index (self->columns, i));
}

static void
attach_columns (ConfabComparePane *self)
{
  for (guint i = 0; i < self->columns->len; i++)
    attach_column (self, i);
  gtk_stack_set_visible_child_name (self->layout_stack, self->folded ? "carousel" : "columns");
}

static ConfabConductorTurn *
find_turn_with_text (ConfabComparePane *self)
{
  for (guint i = 0; i < self->columns->len; i++)
    {
      ConfabConductorTurn *turn =
        confab_compare_column_get_turn (g_ptr_array_index (self->columns, i));

      if (confab_conductor_turn_get_finished (turn) && *confab_conductor_turn_get_text (turn))
        return turn;
    }
  return NULL;
}

static void
confab_compare_pane_update (ConfabComparePane *self)
{
  ConfabMessage *prompt = NULL;
  gboolean can_synthesize;
  guint n_failed = 0;
  guint n_running = 0;
  g_autofree char *summary = NULL;

  if (self->conductor != NULL)
    prompt = confab_conductor_get_user_message (self->conductor);
  gtk_label_set_label (self->prompt_label, prompt ? confab_message_get_content (prompt) : "");

  for (guint i = 0; i < self->columns->len; i++)
    {
      ConfabConductorTurn *turn =
        confab_compare_column_get_turn (g_ptr_array_index (self->columns, i));

      if (!confab_conductor_turn_get_finished (turn))
        n_running++;
      else if (confab_conductor_turn_get_state (turn) == CONFAB_CONDUCTOR_TURN_FAILED)
        n_failed++;
    }

  if (n_running > 0)
    /* Translators: in the compare pane's bottom bar */
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u answering", "%u answering",
                                            n_running), n_running);
  else if (n_failed > 0)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u failed", "%u failed",
                                            n_failed), n_failed);
  gtk_label_set_label (self->summary_label, summary);

  can_synthesize = self->conductor != NULL
                   && confab_conductor_get_mode (self->conductor) == CONFAB_CONDUCTOR_MODE_COMPARE
                   && !confab_conductor_get_busy (self->conductor)
                   && find_turn_with_text (self) != NULL
                   && *confab_model_picker_get_model (self->synthesis_picker) != '\0';
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compare.synthesize", can_synthesize);
}

static void
on_column_keep_cb (ConfabComparePane   *self,
                   ConfabCompareColumn *column)
{
  ConfabConductorTurn *turn = confab_compare_column_get_turn (column);
  g_autoptr(GError) error = NULL;

  if (self->conductor == NULL)
    return;

  if (!confab_conductor_keep (self->conductor, turn, &error))
    g_signal_emit (self, signals[FAILED], 0, error);
  else
    g_signal_emit (self, signals[KEPT], 0, turn);
}

static void
on_turn_finished_cb (ConfabComparePane   *self,
                     GParamSpec          *pspec,
                     ConfabConductorTurn *turn)
{
  confab_compare_pane_update (self);
}

static GtkWidget *
create_column (ConfabComparePane   *self,
               ConfabConductorTurn *turn)
{
  GtkWidget *column = confab_compare_column_new (turn);

  g_object_ref_sink (column);
  g_signal_connect_object (column, "keep", G_CALLBACK (on_column_keep_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (turn, "notify::finished", G_CALLBACK (on_turn_finished_cb), self,
                           G_CONNECT_SWAPPED);
  return column;
}

static void
on_items_changed_cb (ConfabComparePane *self,
                     guint              position,
                     guint              removed,
                     guint              added,
                     GListModel        *model)
{
  GtkWidget *last_added = NULL;

  for (guint i = 0; i < removed; i++)
    {
      ConfabCompareColumn *column = g_ptr_array_index (self->columns, position);

      g_signal_handlers_disconnect_by_data (confab_compare_column_get_turn (column), self);
      detach_column (self, GTK_WIDGET (column));
      g_ptr_array_remove_index (self->columns, position);
    }
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(ConfabConductorTurn) turn = g_list_model_get_item (model, position + i);

      last_added = create_column (self, turn);
      g_ptr_array_insert (self->columns, position + i, last_added);
      attach_column (self, position + i);
    }

  /* Synthesis defaults to a model that just answered. */
  if (*confab_model_picker_get_model (self->synthesis_picker) == '\0' && self->columns->len > 0)
    confab_model_picker_set_model (self->synthesis_picker,
                                   confab_conductor_turn_get_model_id (
                                     confab_compare_column_get_turn (
                                       g_ptr_array_index (self->columns, 0))));

  /* A synthesis joining a comparison comes into view. */
  if (last_added != NULL && removed == 0 && position > 0 && self->folded)
    adw_carousel_scroll_to (self->carousel, last_added, TRUE);

  confab_compare_pane_update (self);
}

static void
clear_columns (ConfabComparePane *self)
{
  detach_columns (self);
  for (guint i = 0; i < self->columns->len; i++)
    g_signal_handlers_disconnect_by_data (
      confab_compare_column_get_turn (g_ptr_array_index (self->columns, i)), self);
  g_ptr_array_set_size (self->columns, 0);
}

static void
on_conductor_changed_cb (ConfabComparePane *self,
                         GParamSpec        *pspec,
                         ConfabConductor   *conductor)
{
  confab_compare_pane_update (self);
}

static void
on_synthesis_model_cb (ConfabComparePane *self,
                       GParamSpec        *pspec,
                       ConfabModelPicker *picker)
{
  confab_compare_pane_update (self);
}

/* ---- Actions */

static void
synthesize_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ConfabComparePane) self = user_data;
  g_autoptr(ConfabConductorTurn) turn = NULL;
  g_autoptr(GError) error = NULL;

  turn = confab_conductor_synthesize_finish (CONFAB_CONDUCTOR (source), result, &error);
  /* A synthesis that started and failed says so in its column. */
  if (turn == NULL && error != NULL)
    g_signal_emit (self, signals[FAILED], 0, error);
  confab_compare_pane_update (self);
}

static void
synthesize_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ConfabComparePane *self = CONFAB_COMPARE_PANE (widget);
  const char *model = confab_model_picker_get_model (self->synthesis_picker);

  if (self->conductor == NULL || *model == '\0')
    return;

  confab_conductor_synthesize_async (self->conductor, model, NULL, synthesize_cb,
                                     g_object_ref (self));
  confab_compare_pane_update (self);
}

static void
done_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  g_signal_emit (widget, signals[DONE], 0);
}

/* ---- API */

GtkWidget *
confab_compare_pane_new (void)
{
  return g_object_new (CONFAB_TYPE_COMPARE_PANE, NULL);
}

ConfabConductor *
confab_compare_pane_get_conductor (ConfabComparePane *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPARE_PANE (self), NULL);

  return self->conductor;
}

void
confab_compare_pane_set_conductor (ConfabComparePane *self,
                                   ConfabConductor   *conductor)
{
  g_return_if_fail (CONFAB_IS_COMPARE_PANE (self));
  g_return_if_fail (!conductor || CONFAB_IS_CONDUCTOR (conductor));

  if (self->conductor == conductor)
    return;

  clear_columns (self);
  g_set_object (&self->conductor, conductor);
  g_signal_group_set_target (self->conductor_signals, conductor);
  if (conductor != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (conductor));

      confab_model_picker_set_model (self->synthesis_picker, NULL);
      on_items_changed_cb (self, 0, 0, n, G_LIST_MODEL (conductor));
    }
  confab_compare_pane_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONDUCTOR]);
}

gboolean
confab_compare_pane_get_folded (ConfabComparePane *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPARE_PANE (self), FALSE);

  return self->folded;
}

void
confab_compare_pane_set_folded (ConfabComparePane *self,
                                gboolean           folded)
{
  g_return_if_fail (CONFAB_IS_COMPARE_PANE (self));

  folded = !!folded;
  if (self->folded == folded)
    return;

  detach_columns (self);
  self->folded = folded;
  attach_columns (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDED]);
}

/* ---- GObject and GtkWidget */

static gboolean
confab_compare_pane_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (CONFAB_COMPARE_PANE (widget)->done_button));
}

static void
confab_compare_pane_dispose (GObject *object)
{
  ConfabComparePane *self = CONFAB_COMPARE_PANE (object);

  if (self->conductor_signals != NULL)
    g_signal_group_set_target (self->conductor_signals, NULL);
  if (self->columns != NULL)
    clear_columns (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_COMPARE_PANE);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);
  g_clear_object (&self->conductor_signals);
  g_clear_object (&self->conductor);

  G_OBJECT_CLASS (confab_compare_pane_parent_class)->dispose (object);
}

static void
confab_compare_pane_finalize (GObject *object)
{
  ConfabComparePane *self = CONFAB_COMPARE_PANE (object);

  g_clear_pointer (&self->columns, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_compare_pane_parent_class)->finalize (object);
}

static void
confab_compare_pane_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabComparePane *self = CONFAB_COMPARE_PANE (object);

  switch (prop_id)
    {
    case PROP_CONDUCTOR:
      g_value_set_object (value, self->conductor);
      break;

    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_compare_pane_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ConfabComparePane *self = CONFAB_COMPARE_PANE (object);

  switch (prop_id)
    {
    case PROP_CONDUCTOR:
      confab_compare_pane_set_conductor (self, g_value_get_object (value));
      break;

    case PROP_FOLDED:
      confab_compare_pane_set_folded (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_compare_pane_class_init (ConfabComparePaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_compare_pane_dispose;
  object_class->finalize = confab_compare_pane_finalize;
  object_class->get_property = confab_compare_pane_get_property;
  object_class->set_property = confab_compare_pane_set_property;
  widget_class->grab_focus = confab_compare_pane_grab_focus;

  properties[PROP_CONDUCTOR] =
    g_param_spec_object ("conductor", NULL, NULL,
                         CONFAB_TYPE_CONDUCTOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabComparePane::done:
   *
   * Done (or Escape): back to the chat; the comparison goes on.
   */
  signals[DONE] =
    g_signal_new ("done",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * ConfabComparePane::kept:
   * @turn: the answer now on the chat's current line
   */
  signals[KEPT] =
    g_signal_new ("kept",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CONFAB_TYPE_CONDUCTOR_TURN);

  /**
   * ConfabComparePane::failed:
   * @error: why keeping or synthesizing could not be done
   */
  signals[FAILED] =
    g_signal_new ("failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  g_type_ensure (CONFAB_TYPE_MODEL_PICKER);
  g_type_ensure (CONFAB_TYPE_COMPARE_COLUMN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-compare-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabComparePane, title_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabComparePane, prompt_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabComparePane, layout_stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabComparePane, columns_window);
  gtk_widget_class_bind_template_child (widget_class, ConfabComparePane, columns_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabComparePane, carousel);
  gtk_widget_class_bind_template_child (widget_class, ConfabComparePane, synthesize_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabComparePane, synthesize_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabComparePane, synthesis_picker);
  gtk_widget_class_bind_template_child (widget_class, ConfabComparePane, summary_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabComparePane, done_button);

  gtk_widget_class_install_action (widget_class, "compare.synthesize", NULL, synthesize_action);
  gtk_widget_class_install_action (widget_class, "compare.done", NULL, done_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "compare.done", NULL);

  gtk_widget_class_set_css_name (widget_class, "comparepane");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
confab_compare_pane_init (ConfabComparePane *self)
{
  self->columns = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Comparison"),
                                  -1);

  self->conductor_signals = g_signal_group_new (CONFAB_TYPE_CONDUCTOR);
  g_signal_group_connect_object (self->conductor_signals, "items-changed",
                                 G_CALLBACK (on_items_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->conductor_signals, "notify::busy",
                                 G_CALLBACK (on_conductor_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->conductor_signals, "notify::mode",
                                 G_CALLBACK (on_conductor_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->conductor_signals, "notify::user-message",
                                 G_CALLBACK (on_conductor_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->synthesis_picker, "notify::model",
                           G_CALLBACK (on_synthesis_model_cb), self, G_CONNECT_SWAPPED);

  attach_columns (self);
  confab_compare_pane_update (self);
}
