/* confab-search-row.c: one search result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-search-row.h"

struct _ConfabSearchRow
{
  GtkWidget        parent_instance;

  /* Hits never change, so the row fills its labels once per hit. */
  ConfabSearchHit *hit;

  /* Template widgets */
  GtkLabel        *chat_label;
  GtkLabel        *project_label;
  GtkLabel        *time_label;
  GtkLabel        *snippet_label;
};

G_DEFINE_FINAL_TYPE (ConfabSearchRow, confab_search_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_HIT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
confab_search_row_format_time (gint64 created_usec)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (created_usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (when == NULL)
    return g_strdup ("");

  if (g_date_time_get_year (when) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    /* Translators: a time today, see g_date_time_format() */
    return g_date_time_format (when, _("%H:%M"));

  if (g_date_time_get_year (when) == g_date_time_get_year (now))
    /* Translators: a day this year, see g_date_time_format() */
    return g_date_time_format (when, _("%b %e"));

  return g_date_time_format (when, "%x");
}

static void
confab_search_row_update (ConfabSearchRow *self)
{
  g_autofree char *time = NULL;
  const char *title = NULL;
  const char *project = NULL;
  const char *snippet = NULL;

  if (self->hit != NULL)
    {
      title = confab_search_hit_get_chat_title (self->hit);
      project = confab_search_hit_get_project_name (self->hit);
      snippet = confab_search_hit_get_snippet (self->hit);
      time = confab_search_row_format_time (confab_search_hit_get_created (self->hit));
    }

  gtk_label_set_label (self->chat_label, title ? title : "");
  gtk_label_set_label (self->project_label, project ? project : "");
  gtk_label_set_label (self->time_label, time ? g_strstrip (time) : "");
  /* The store escaped the excerpt; only its <b> tags are markup. */
  gtk_label_set_markup (self->snippet_label, snippet ? snippet : "");
}

ConfabSearchHit *
confab_search_row_get_hit (ConfabSearchRow *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_ROW (self), NULL);

  return self->hit;
}

void
confab_search_row_set_hit (ConfabSearchRow *self,
                           ConfabSearchHit *hit)
{
  g_return_if_fail (CONFAB_IS_SEARCH_ROW (self));
  g_return_if_fail (!hit || CONFAB_IS_SEARCH_HIT (hit));

  if (g_set_object (&self->hit, hit))
    {
      confab_search_row_update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIT]);
    }
}

static void
confab_search_row_dispose (GObject *object)
{
  ConfabSearchRow *self = CONFAB_SEARCH_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_SEARCH_ROW);
  /* dispose_template () only drops the children bound to fields. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);

  g_clear_object (&self->hit);

  G_OBJECT_CLASS (confab_search_row_parent_class)->dispose (object);
}

static void
confab_search_row_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ConfabSearchRow *self = CONFAB_SEARCH_ROW (object);

  switch (prop_id)
    {
    case PROP_HIT:
      g_value_set_object (value, self->hit);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_search_row_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ConfabSearchRow *self = CONFAB_SEARCH_ROW (object);

  switch (prop_id)
    {
    case PROP_HIT:
      confab_search_row_set_hit (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_search_row_class_init (ConfabSearchRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_search_row_dispose;
  object_class->get_property = confab_search_row_get_property;
  object_class->set_property = confab_search_row_set_property;

  properties[PROP_HIT] =
    g_param_spec_object ("hit", NULL, NULL,
                         CONFAB_TYPE_SEARCH_HIT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-search-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabSearchRow, chat_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabSearchRow, project_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabSearchRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabSearchRow, snippet_label);
}

static void
confab_search_row_init (ConfabSearchRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
