/* confab-model-row.c: one model in the model picker's list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-model-row.h"

struct _ConfabModelRow
{
  GtkWidget        parent_instance;

  ConfabModelInfo *info;
  char            *current_model;

  /* Template widgets */
  GtkLabel        *title_label;
  GtkLabel        *provider_label;
  GtkLabel        *subtitle_label;
  GtkImage        *check_image;
};

G_DEFINE_FINAL_TYPE (ConfabModelRow, confab_model_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_INFO,
  PROP_CURRENT_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
confab_model_row_get_provider_name (const char *provider_id)
{
  static GHashTable *names;
  const char *name;

  g_return_val_if_fail (provider_id != NULL, NULL);

  /* The names live with the providers; a provider object is made once per
   * id to read it, at a fixed URL so that no environment variable can make
   * it fail. Only ever used from the main thread. */
  if (names == NULL)
    names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  name = g_hash_table_lookup (names, provider_id);
  if (name == NULL)
    {
      g_autoptr(ConfabProvider) provider = confab_provider_new (provider_id, "http://127.0.0.1",
                                                                NULL);

      name = provider != NULL ? confab_provider_get_display_name (provider) : provider_id;
      g_hash_table_insert (names, g_strdup (provider_id), g_strdup (name));
      name = g_hash_table_lookup (names, provider_id);
    }

  return name;
}

char *
confab_model_row_format_context (gint64 context_window)
{
  g_autofree char *size = NULL;

  if (context_window <= 0)
    return NULL;

  /* As the providers advertise them: 1,048,576 is "1M", 128,000 "128K". */
  if (context_window >= 1000000)
    {
      gint64 tenths = (context_window + 50000) / 100000;

      size = tenths % 10 == 0
             ? g_strdup_printf ("%" G_GINT64_FORMAT "M", tenths / 10)
             : g_strdup_printf ("%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT "M",
                                tenths / 10, tenths % 10);
    }
  else if (context_window >= 1000)
    size = g_strdup_printf ("%" G_GINT64_FORMAT "K", (context_window + 500) / 1000);
  else
    size = g_strdup_printf ("%" G_GINT64_FORMAT, context_window);

  /* Translators: %s is a size in tokens such as "128K". */
  return g_strdup_printf (_("%s context"), size);
}

static void
confab_model_row_update (ConfabModelRow *self)
{
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *context = NULL;
  const char *display_name;
  const char *provider;
  const char *model;

  if (self->info == NULL)
    {
      gtk_label_set_label (self->title_label, NULL);
      gtk_label_set_label (self->provider_label, NULL);
      gtk_label_set_label (self->subtitle_label, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->check_image), FALSE);
      return;
    }

  display_name = confab_model_info_get_display_name (self->info);
  model = confab_model_info_get_model (self->info);
  if (display_name == NULL || *display_name == '\0')
    display_name = model;

  gtk_label_set_label (self->title_label, display_name);
  provider = confab_model_row_get_provider_name (confab_model_info_get_provider (self->info));
  gtk_label_set_label (self->provider_label, provider);

  /* The id is what the CLI and the API take: shown unless it is the title. */
  if (g_strcmp0 (display_name, model) != 0)
    g_string_append (subtitle, model);
  context = confab_model_row_format_context (confab_model_info_get_context_window (self->info));
  if (context != NULL)
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, context);
    }
  gtk_label_set_label (self->subtitle_label, subtitle->str);
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), subtitle->len > 0);

  gtk_widget_set_visible (GTK_WIDGET (self->check_image),
                          g_strcmp0 (self->current_model,
                                     confab_model_info_get_full_id (self->info)) == 0);
}

GtkWidget *
confab_model_row_new (void)
{
  return g_object_new (CONFAB_TYPE_MODEL_ROW, NULL);
}

ConfabModelInfo *
confab_model_row_get_info (ConfabModelRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_ROW (self), NULL);

  return self->info;
}

void
confab_model_row_set_info (ConfabModelRow  *self,
                           ConfabModelInfo *info)
{
  g_return_if_fail (CONFAB_IS_MODEL_ROW (self));
  g_return_if_fail (!info || CONFAB_IS_MODEL_INFO (info));

  if (g_set_object (&self->info, info))
    {
      confab_model_row_update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INFO]);
    }
}

const char *
confab_model_row_get_current_model (ConfabModelRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_ROW (self), NULL);

  return self->current_model;
}

void
confab_model_row_set_current_model (ConfabModelRow *self,
                                    const char     *full_id)
{
  g_return_if_fail (CONFAB_IS_MODEL_ROW (self));

  if (g_strcmp0 (self->current_model, full_id) != 0)
    {
      g_free (self->current_model);
      self->current_model = g_strdup (full_id);
      confab_model_row_update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_MODEL]);
    }
}

static void
confab_model_row_dispose (GObject *object)
{
  ConfabModelRow *self = CONFAB_MODEL_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_MODEL_ROW);
  /* dispose_template () only drops the children bound to fields. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);

  g_clear_object (&self->info);
  g_clear_pointer (&self->current_model, g_free);

  G_OBJECT_CLASS (confab_model_row_parent_class)->dispose (object);
}

static void
confab_model_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ConfabModelRow *self = CONFAB_MODEL_ROW (object);

  switch (prop_id)
    {
    case PROP_INFO:
      g_value_set_object (value, self->info);
      break;

    case PROP_CURRENT_MODEL:
      g_value_set_string (value, self->current_model);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_model_row_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ConfabModelRow *self = CONFAB_MODEL_ROW (object);

  switch (prop_id)
    {
    case PROP_INFO:
      confab_model_row_set_info (self, g_value_get_object (value));
      break;

    case PROP_CURRENT_MODEL:
      confab_model_row_set_current_model (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_model_row_class_init (ConfabModelRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_model_row_dispose;
  object_class->get_property = confab_model_row_get_property;
  object_class->set_property = confab_model_row_set_property;

  properties[PROP_INFO] =
    g_param_spec_object ("info", NULL, NULL,
                         CONFAB_TYPE_MODEL_INFO,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* "PROVIDER:MODEL" of the picker's model: that row shows a check mark. */
  properties[PROP_CURRENT_MODEL] =
    g_param_spec_string ("current-model", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-model-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabModelRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelRow, provider_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelRow, check_image);
}

static void
confab_model_row_init (ConfabModelRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
