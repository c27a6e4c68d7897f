/* confab-model-info.c: a model as a provider lists it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include "confab-model-info.h"

struct _ConfabModelInfo
{
  GObject  parent_instance;

  char    *provider;
  char    *model;
  char    *full_id;
  char    *display_name;
  gint64   context_window;
  gint64   max_output;
};

G_DEFINE_FINAL_TYPE (ConfabModelInfo, confab_model_info, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROVIDER,
  PROP_MODEL,
  PROP_FULL_ID,
  PROP_DISPLAY_NAME,
  PROP_CONTEXT_WINDOW,
  PROP_MAX_OUTPUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_model_info_finalize (GObject *object)
{
  ConfabModelInfo *self = (ConfabModelInfo *)object;

  g_clear_pointer (&self->provider, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->full_id, g_free);
  g_clear_pointer (&self->display_name, g_free);

  G_OBJECT_CLASS (confab_model_info_parent_class)->finalize (object);
}

static void
confab_model_info_constructed (GObject *object)
{
  ConfabModelInfo *self = (ConfabModelInfo *)object;

  G_OBJECT_CLASS (confab_model_info_parent_class)->constructed (object);

  self->full_id = g_strdup_printf ("%s:%s",
                                   self->provider ? self->provider : "",
                                   self->model ? self->model : "");
  /* A list row always has something to show. */
  if (self->display_name == NULL || *self->display_name == '\0')
    {
      g_free (self->display_name);
      self->display_name = g_strdup (self->model);
    }
}

static void
confab_model_info_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ConfabModelInfo *self = CONFAB_MODEL_INFO (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      g_value_set_string (value, self->provider);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_FULL_ID:
      g_value_set_string (value, self->full_id);
      break;

    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;

    case PROP_CONTEXT_WINDOW:
      g_value_set_int64 (value, self->context_window);
      break;

    case PROP_MAX_OUTPUT:
      g_value_set_int64 (value, self->max_output);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_model_info_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ConfabModelInfo *self = CONFAB_MODEL_INFO (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      self->provider = g_value_dup_string (value);
      break;

    case PROP_MODEL:
      self->model = g_value_dup_string (value);
      break;

    case PROP_DISPLAY_NAME:
      self->display_name = g_value_dup_string (value);
      break;

    case PROP_CONTEXT_WINDOW:
      self->context_window = g_value_get_int64 (value);
      break;

    case PROP_MAX_OUTPUT:
      self->max_output = g_value_get_int64 (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_model_info_class_init (ConfabModelInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_model_info_finalize;
  object_class->constructed = confab_model_info_constructed;
  object_class->get_property = confab_model_info_get_property;
  object_class->set_property = confab_model_info_set_property;

  properties[PROP_PROVIDER] =
    g_param_spec_string ("provider", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FULL_ID] =
    g_param_spec_string ("full-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONTEXT_WINDOW] =
    g_param_spec_int64 ("context-window", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_OUTPUT] =
    g_param_spec_int64 ("max-output", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_model_info_init (ConfabModelInfo *self)
{
}

ConfabModelInfo *
confab_model_info_new (const char *provider,
                       const char *model,
                       const char *display_name,
                       gint64      context_window,
                       gint64      max_output)
{
  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (model != NULL, NULL);

  return g_object_new (CONFAB_TYPE_MODEL_INFO,
                       "provider", provider,
                       "model", model,
                       "display-name", display_name,
                       "context-window", MAX (context_window, 0),
                       "max-output", MAX (max_output, 0),
                       NULL);
}

const char *
confab_model_info_get_provider (ConfabModelInfo *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_INFO (self), NULL);

  return self->provider;
}

const char *
confab_model_info_get_model (ConfabModelInfo *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_INFO (self), NULL);

  return self->model;
}

const char *
confab_model_info_get_full_id (ConfabModelInfo *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_INFO (self), NULL);

  return self->full_id;
}

const char *
confab_model_info_get_display_name (ConfabModelInfo *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_INFO (self), NULL);

  return self->display_name;
}

gint64
confab_model_info_get_context_window (ConfabModelInfo *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_INFO (self), 0);

  return self->context_window;
}

gint64
confab_model_info_get_max_output (ConfabModelInfo *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_INFO (self), 0);

  return self->max_output;
}
