/* confab-compare-column.c: one turn of a comparison.
 *
 * Streams like a message row (ConfabFrameRender): each delta only marks
 * the column dirty and it renders on the next frame, and the view updates
 * only the blocks that changed. The end of the turn renders at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "confab-compare-column.h"
#include "confab-markdown-view.h"
#include "confab-model-row.h"
#include "confab-text-window.h"

struct _ConfabCompareColumn
{
  GtkWidget            parent_instance;

  ConfabConductorTurn *turn;
  ConfabFrameRender    frame_render;

  /* Template widgets */
  GtkLabel            *kind_label;
  GtkLabel            *name_label;
  GtkLabel            *provider_label;
  GtkSpinner          *spinner;
  GtkLabel            *state_label;
  GtkScrolledWindow   *scrolled_window;
  ConfabMarkdownView  *markdown_view;
  GtkLabel            *tokens_label;
  GtkButton           *stop_button;
  GtkButton           *keep_button;
};

G_DEFINE_FINAL_TYPE (ConfabCompareColumn, confab_compare_column, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TURN,
  N_PROPS
};

enum {
  KEEP,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
confab_compare_column_render (GtkWidget *widget)
{
  ConfabCompareColumn *self = CONFAB_COMPARE_COLUMN (widget);

  confab_markdown_view_set_text (self->markdown_view,
                                 self->turn ? confab_conductor_turn_get_text (self->turn) : "");
}

static void confab_compare_column_update_state (ConfabCompareColumn *self);

/* The answer was too long to show whole (confab-markdown-view.c). */
static void
on_open_full_text_cb (ConfabCompareColumn *self,
                      ConfabMarkdownView  *view)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *window;

  if (self->turn == NULL)
    return;

  window = confab_text_window_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   confab_conductor_turn_get_name (self->turn),
                                   confab_conductor_turn_get_text (self->turn));
  gtk_window_present (GTK_WINDOW (window));
}

static void
on_text_changed_cb (ConfabCompareColumn *self,
                    GParamSpec          *pspec,
                    ConfabConductorTurn *turn)
{
  /* A column out of sight (another carousel page, another chat) renders
   * when it is mapped again. */
  if (confab_conductor_turn_get_finished (turn))
    confab_frame_render_now (&self->frame_render);
  else
    confab_frame_render_queue (&self->frame_render);

  if (gtk_spinner_get_spinning (self->spinner))
    confab_compare_column_update_state (self);
}

static char *
format_tokens (ConfabConductorTurn *turn)
{
  gint64 input = confab_conductor_turn_get_input_tokens (turn);
  gint64 output = confab_conductor_turn_get_output_tokens (turn);

  if (input < 0 && output < 0)
    return NULL;
  if (input < 0)
    /* Translators: the tokens of an answer in the compare pane */
    return g_strdup_printf (_("%" G_GINT64_FORMAT " tokens out"), output);
  if (output < 0)
    return g_strdup_printf (_("%" G_GINT64_FORMAT " tokens in"), input);
  /* Translators: the tokens of an answer in the compare pane */
  return g_strdup_printf (_("%" G_GINT64_FORMAT " in · %" G_GINT64_FORMAT " out tokens"),
                          input, output);
}

static void
confab_compare_column_update_state (ConfabCompareColumn *self)
{
  ConfabConductorTurnState state = CONFAB_CONDUCTOR_TURN_PENDING;
  gboolean running;
  gboolean has_text = FALSE;
  g_autofree char *state_text = NULL;
  g_autofree char *tokens = NULL;
  g_autofree char *accessible = NULL;

  if (self->turn != NULL)
    {
      state = confab_conductor_turn_get_state (self->turn);
      has_text = *confab_conductor_turn_get_text (self->turn) != '\0';
      tokens = format_tokens (self->turn);
    }
  running = state == CONFAB_CONDUCTOR_TURN_PENDING || state == CONFAB_CONDUCTOR_TURN_STREAMING;

  /* Waiting for the first words only: the growing text shows the rest, and
   * a turning spinner would repaint the window every frame. */
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), running && !has_text);
  gtk_spinner_set_spinning (self->spinner, running && !has_text);

  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "dim-label");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "failed");
  switch (state)
    {
    case CONFAB_CONDUCTOR_TURN_PENDING:
      state_text = g_strdup (_("Waiting…"));
      gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "dim-label");
      break;

    case CONFAB_CONDUCTOR_TURN_FAILED:
      {
        const GError *error = confab_conductor_turn_get_error (self->turn);

        /* Translators: an answer in the compare pane that failed, with why */
        state_text = g_strdup_printf (_("Failed: %s"),
                                      error != NULL ? error->message : _("unknown error"));
        gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "error");
        gtk_widget_add_css_class (GTK_WIDGET (self), "failed");
      }
      break;

    case CONFAB_CONDUCTOR_TURN_CANCELLED:
      state_text = g_strdup (_("Stopped"));
      gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "dim-label");
      break;

    case CONFAB_CONDUCTOR_TURN_STREAMING:
    case CONFAB_CONDUCTOR_TURN_COMPLETE:
    default:
      break;
    }
  gtk_label_set_label (self->state_label, state_text);
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), state_text != NULL);

  gtk_label_set_label (self->tokens_label, tokens);
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), running);
  gtk_widget_set_visible (GTK_WIDGET (self->keep_button), !running && has_text);

  if (self->turn != NULL)
    {
      const char *name = gtk_label_get_label (self->name_label);

      /* The column as a whole, for screen readers: who and how it went. */
      if (state_text != NULL)
        accessible = g_strdup_printf ("%s · %s: %s", name,
                                      gtk_label_get_label (self->provider_label), state_text);
      else
        accessible = g_strdup_printf ("%s · %s", name, gtk_label_get_label (self->provider_label));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, accessible,
                                      -1);
    }

  /* The last delta shows at once when the turn ends. */
  if (self->frame_render.dirty && !running)
    confab_frame_render_now (&self->frame_render);
}

static void
on_state_changed_cb (ConfabCompareColumn *self,
                     GParamSpec          *pspec,
                     ConfabConductorTurn *turn)
{
  confab_compare_column_update_state (self);
}

static void
on_stop_clicked_cb (ConfabCompareColumn *self,
                    GtkButton           *button)
{
  if (self->turn != NULL)
    confab_conductor_turn_cancel (self->turn);
}

static void
on_keep_clicked_cb (ConfabCompareColumn *self,
                    GtkButton           *button)
{
  if (self->turn != NULL)
    g_signal_emit (self, signals[KEEP], 0);
}

static void
confab_compare_column_set_turn (ConfabCompareColumn *self,
                                ConfabConductorTurn *turn)
{
  const char *model_id;
  const char *colon;
  g_autofree char *provider = NULL;
  g_autofree char *label = NULL;

  g_assert (self->turn == NULL);
  if (turn == NULL)
    return;

  self->turn = g_object_ref (turn);
  model_id = confab_conductor_turn_get_model_id (turn);
  colon = model_id != NULL ? strchr (model_id, ':') : NULL;
  if (colon != NULL)
    provider = g_strndup (model_id, colon - model_id);

  gtk_label_set_label (self->name_label, colon != NULL ? colon + 1 : model_id);
  gtk_label_set_label (self->provider_label,
                       provider != NULL ? confab_model_row_get_provider_name (provider) : "");
  gtk_widget_set_visible (GTK_WIDGET (self->kind_label),
                          confab_conductor_turn_get_kind (turn) == CONFAB_CONDUCTOR_TURN_SYNTHESIS);

  /* How the test and screen readers tell the columns apart. */
  if (confab_conductor_turn_get_kind (turn) == CONFAB_CONDUCTOR_TURN_SYNTHESIS)
    /* Translators: the synthesis column's name, "Synthesis by fake-one · OpenAI" */
    label = g_strdup_printf (_("Synthesis by %s · %s"),
                             gtk_label_get_label (self->name_label),
                             gtk_label_get_label (self->provider_label));
  else
    label = g_strdup_printf (_("%s · %s"), gtk_label_get_label (self->name_label),
                             gtk_label_get_label (self->provider_label));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), model_id);

  g_signal_connect_object (turn, "notify::text", G_CALLBACK (on_text_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (turn, "notify::state", G_CALLBACK (on_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (turn, "notify::output-tokens", G_CALLBACK (on_state_changed_cb),
                           self, G_CONNECT_SWAPPED);

  confab_frame_render_now (&self->frame_render);
  confab_compare_column_update_state (self);
}

GtkWidget *
confab_compare_column_new (ConfabConductorTurn *turn)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (turn), NULL);

  return g_object_new (CONFAB_TYPE_COMPARE_COLUMN, "turn", turn, NULL);
}

ConfabConductorTurn *
confab_compare_column_get_turn (ConfabCompareColumn *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPARE_COLUMN (self), NULL);

  return self->turn;
}

guint
confab_compare_column_get_n_renders (ConfabCompareColumn *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPARE_COLUMN (self), 0);

  return self->frame_render.n_renders;
}

static void
confab_compare_column_map (GtkWidget *widget)
{
  ConfabCompareColumn *self = CONFAB_COMPARE_COLUMN (widget);

  GTK_WIDGET_CLASS (confab_compare_column_parent_class)->map (widget);

  if (self->frame_render.dirty)
    confab_frame_render_now (&self->frame_render);
}

static void
confab_compare_column_unmap (GtkWidget *widget)
{
  ConfabCompareColumn *self = CONFAB_COMPARE_COLUMN (widget);

  /* Stays dirty: rendered when mapped again. */
  confab_frame_render_cancel (&self->frame_render);

  GTK_WIDGET_CLASS (confab_compare_column_parent_class)->unmap (widget);
}

static void
confab_compare_column_dispose (GObject *object)
{
  ConfabCompareColumn *self = CONFAB_COMPARE_COLUMN (object);

  if (self->turn != NULL)
    g_signal_handlers_disconnect_by_data (self->turn, self);
  g_clear_object (&self->turn);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_COMPARE_COLUMN);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (confab_compare_column_parent_class)->dispose (object);
}

static void
confab_compare_column_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ConfabCompareColumn *self = CONFAB_COMPARE_COLUMN (object);

  switch (prop_id)
    {
    case PROP_TURN:
      g_value_set_object (value, self->turn);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_compare_column_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ConfabCompareColumn *self = CONFAB_COMPARE_COLUMN (object);

  switch (prop_id)
    {
    case PROP_TURN:
      confab_compare_column_set_turn (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_compare_column_class_init (ConfabCompareColumnClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_compare_column_dispose;
  object_class->get_property = confab_compare_column_get_property;
  object_class->set_property = confab_compare_column_set_property;
  widget_class->map = confab_compare_column_map;
  widget_class->unmap = confab_compare_column_unmap;

  properties[PROP_TURN] =
    g_param_spec_object ("turn", NULL, NULL,
                         CONFAB_TYPE_CONDUCTOR_TURN,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabCompareColumn::keep:
   *
   * "Keep This Answer" was clicked.
   */
  signals[KEEP] =
    g_signal_new ("keep",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (CONFAB_TYPE_MARKDOWN_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-compare-column.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareColumn, kind_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareColumn, name_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareColumn, provider_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareColumn, spinner);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareColumn, state_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareColumn, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareColumn, markdown_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareColumn, tokens_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareColumn, stop_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareColumn, keep_button);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_keep_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_open_full_text_cb);

  gtk_widget_class_set_css_name (widget_class, "comparecolumn");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
confab_compare_column_init (ConfabCompareColumn *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  confab_frame_render_init (&self->frame_render, GTK_WIDGET (self),
                            confab_compare_column_render);
}
