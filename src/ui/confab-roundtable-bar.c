/* confab-roundtable-bar.c: what a running round-table is doing, and its
 * controls. It reads everything from the conductor it follows (the open
 * chat's), so switching chats only swaps the conductor.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-roundtable-bar.h"

struct _ConfabRoundtableBar
{
  GtkWidget        parent_instance;

  ConfabConductor *conductor;
  GSignalGroup    *conductor_signals;

  /* Template widgets */
  GtkLabel        *status_label;
  GtkLabel        *tokens_label;
  GtkButton       *pause_button;
  GtkButton       *resume_button;
};

G_DEFINE_FINAL_TYPE (ConfabRoundtableBar, confab_roundtable_bar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONDUCTOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
confab_roundtable_bar_new (void)
{
  return g_object_new (CONFAB_TYPE_ROUNDTABLE_BAR, NULL);
}

/* The turn being said: the conductor's last one while it streams. A
 * moderator's call is not among the items. */
static ConfabConductorTurn *
dup_speaking_turn (ConfabConductor *conductor)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conductor));
  g_autoptr(ConfabConductorTurn) turn = NULL;

  if (n == 0)
    return NULL;
  turn = g_list_model_get_item (G_LIST_MODEL (conductor), n - 1);
  if (confab_conductor_turn_get_kind (turn) != CONFAB_CONDUCTOR_TURN_SPEAKER
      || confab_conductor_turn_get_finished (turn))
    return NULL;
  return g_steal_pointer (&turn);
}

static void
confab_roundtable_bar_update (ConfabRoundtableBar *self)
{
  ConfabConductor *conductor = self->conductor;
  g_autoptr(ConfabConductorTurn) turn = NULL;
  g_autofree char *round = NULL;
  g_autofree char *status = NULL;
  g_autofree char *tokens = NULL;
  g_autofree char *used_text = NULL;
  gboolean paused;
  gint64 budget;
  gint64 used;

  if (conductor == NULL
      || confab_conductor_get_mode (conductor) != CONFAB_CONDUCTOR_MODE_ROUNDTABLE
      || !confab_conductor_get_busy (conductor))
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      /* Nothing stale for assistive technologies, which may still see it. */
      gtk_label_set_label (self->status_label, "");
      gtk_label_set_label (self->tokens_label, "");
      return;
    }

  paused = confab_conductor_get_state (conductor) == CONFAB_CONDUCTOR_STATE_PAUSED;
  turn = dup_speaking_turn (conductor);
  if (confab_conductor_get_round (conductor) == 0)
    round = g_strdup (_("Starting"));
  else
    /* Translators: a round-table's progress, "Round 1 of 2" */
    round = g_strdup_printf (_("Round %u of %u"), confab_conductor_get_round (conductor),
                             confab_conductor_get_rounds (conductor));

  if (paused && turn != NULL)
    /* Translators: %s is the round, then a speaker's name */
    status = g_strdup_printf (_("%s · Paused after %s’s turn"), round,
                              confab_conductor_turn_get_name (turn));
  else if (paused)
    status = g_strdup_printf (_("%s · Paused"), round);
  else if (turn != NULL)
    /* Translators: %s is the round, then a speaker's name */
    status = g_strdup_printf (_("%s · %s is speaking…"), round,
                              confab_conductor_turn_get_name (turn));
  else if (confab_conductor_get_round (conductor) > 0
           && confab_conductor_get_moderator (conductor) != NULL)
    status = g_strdup_printf (_("%s · The moderator picks the next speaker…"), round);
  else
    status = g_steal_pointer (&round);
  gtk_label_set_label (self->status_label, status);

  budget = confab_conductor_get_token_budget (conductor);
  used = confab_conductor_get_tokens_used (conductor);
  used_text = g_strdup_printf ("%" G_GINT64_FORMAT, used);
  if (budget > 0)
    {
      g_autofree char *budget_text = g_strdup_printf ("%" G_GINT64_FORMAT, budget);

      /* Translators: tokens used of a round-table's budget, "1200 / 5000 tokens" */
      tokens = g_strdup_printf (_("%s / %s tokens"), used_text, budget_text);
    }
  else
    tokens = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s token", "%s tokens",
                                           (gulong) used),
                              used_text);
  gtk_label_set_label (self->tokens_label, tokens);

  gtk_widget_set_visible (GTK_WIDGET (self->pause_button), !paused);
  gtk_widget_set_visible (GTK_WIDGET (self->resume_button), paused);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
}

static void
on_conductor_changed_cb (ConfabRoundtableBar *self)
{
  confab_roundtable_bar_update (self);
}

static void
on_pause_clicked_cb (ConfabRoundtableBar *self,
                     GtkButton           *button)
{
  if (self->conductor != NULL)
    confab_conductor_pause (self->conductor);
}

static void
on_resume_clicked_cb (ConfabRoundtableBar *self,
                      GtkButton           *button)
{
  if (self->conductor != NULL)
    confab_conductor_resume (self->conductor);
}

static void
on_stop_clicked_cb (ConfabRoundtableBar *self,
                    GtkButton           *button)
{
  if (self->conductor != NULL)
    confab_conductor_stop (self->conductor);
}

ConfabConductor *
confab_roundtable_bar_get_conductor (ConfabRoundtableBar *self)
{
  g_return_val_if_fail (CONFAB_IS_ROUNDTABLE_BAR (self), NULL);

  return self->conductor;
}

void
confab_roundtable_bar_set_conductor (ConfabRoundtableBar *self,
                                     ConfabConductor     *conductor)
{
  g_return_if_fail (CONFAB_IS_ROUNDTABLE_BAR (self));
  g_return_if_fail (!conductor || CONFAB_IS_CONDUCTOR (conductor));

  if (g_set_object (&self->conductor, conductor))
    {
      g_signal_group_set_target (self->conductor_signals, conductor);
      confab_roundtable_bar_update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONDUCTOR]);
    }
}

static void
confab_roundtable_bar_dispose (GObject *object)
{
  ConfabRoundtableBar *self = CONFAB_ROUNDTABLE_BAR (object);

  if (self->conductor_signals != NULL)
    g_signal_group_set_target (self->conductor_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_ROUNDTABLE_BAR);
  /* dispose_template () only drops the children bound to fields. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);
  g_clear_object (&self->conductor_signals);
  g_clear_object (&self->conductor);

  G_OBJECT_CLASS (confab_roundtable_bar_parent_class)->dispose (object);
}

static void
confab_roundtable_bar_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ConfabRoundtableBar *self = CONFAB_ROUNDTABLE_BAR (object);

  switch (prop_id)
    {
    case PROP_CONDUCTOR:
      g_value_set_object (value, self->conductor);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_roundtable_bar_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ConfabRoundtableBar *self = CONFAB_ROUNDTABLE_BAR (object);

  switch (prop_id)
    {
    case PROP_CONDUCTOR:
      confab_roundtable_bar_set_conductor (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_roundtable_bar_class_init (ConfabRoundtableBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_roundtable_bar_dispose;
  object_class->get_property = confab_roundtable_bar_get_property;
  object_class->set_property = confab_roundtable_bar_set_property;

  properties[PROP_CONDUCTOR] =
    g_param_spec_object ("conductor", NULL, NULL,
                         CONFAB_TYPE_CONDUCTOR,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "roundtablebar");
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-roundtable-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabRoundtableBar, status_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabRoundtableBar, tokens_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabRoundtableBar, pause_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabRoundtableBar, resume_button);
  gtk_widget_class_bind_template_callback (widget_class, on_pause_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_resume_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_clicked_cb);
}

static void
confab_roundtable_bar_init (ConfabRoundtableBar *self)
{
  static const char * const notifies[] = {
    "notify::mode", "notify::busy", "notify::state", "notify::round",
    "notify::tokens-used", "turn-started", "turn-finished", "items-changed",
  };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->conductor_signals = g_signal_group_new (CONFAB_TYPE_CONDUCTOR);
  for (guint i = 0; i < G_N_ELEMENTS (notifies); i++)
    g_signal_group_connect_object (self->conductor_signals, notifies[i],
                                   G_CALLBACK (on_conductor_changed_cb), self,
                                   G_CONNECT_SWAPPED);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
