/* confab-participant.c: a round-table speaker.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-conductor"

#include "config.h"

#include <string.h>

#include "confab-participant.h"

struct _ConfabParticipant
{
  GObject  parent_instance;

  char    *model_id;
  char    *name;
  char    *persona;
};

G_DEFINE_FINAL_TYPE (ConfabParticipant, confab_participant, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODEL_ID,
  PROP_NAME,
  PROP_PERSONA,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_participant_constructed (GObject *object)
{
  ConfabParticipant *self = (ConfabParticipant *)object;

  G_OBJECT_CLASS (confab_participant_parent_class)->constructed (object);

  g_assert (self->model_id != NULL);

  if (self->name == NULL || *self->name == '\0')
    {
      const char *colon = strchr (self->model_id, ':');

      g_free (self->name);
      self->name = g_strdup (colon != NULL && colon[1] != '\0' ? colon + 1 : self->model_id);
    }
  if (self->persona != NULL && *self->persona == '\0')
    g_clear_pointer (&self->persona, g_free);
}

static void
confab_participant_finalize (GObject *object)
{
  ConfabParticipant *self = (ConfabParticipant *)object;

  g_free (self->model_id);
  g_free (self->name);
  g_free (self->persona);

  G_OBJECT_CLASS (confab_participant_parent_class)->finalize (object);
}

static void
confab_participant_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ConfabParticipant *self = CONFAB_PARTICIPANT (object);

  switch (prop_id)
    {
    case PROP_MODEL_ID:
      g_value_set_string (value, self->model_id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_PERSONA:
      g_value_set_string (value, self->persona);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_participant_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ConfabParticipant *self = CONFAB_PARTICIPANT (object);

  switch (prop_id)
    {
    case PROP_MODEL_ID:
      self->model_id = g_value_dup_string (value);
      break;

    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;

    case PROP_PERSONA:
      self->persona = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_participant_class_init (ConfabParticipantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = confab_participant_constructed;
  object_class->finalize = confab_participant_finalize;
  object_class->get_property = confab_participant_get_property;
  object_class->set_property = confab_participant_set_property;

  properties[PROP_MODEL_ID] =
    g_param_spec_string ("model-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PERSONA] =
    g_param_spec_string ("persona", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_participant_init (ConfabParticipant *self)
{
}

ConfabParticipant *
confab_participant_new (const char *model_id,
                        const char *name,
                        const char *persona)
{
  g_return_val_if_fail (model_id != NULL && *model_id != '\0', NULL);

  return g_object_new (CONFAB_TYPE_PARTICIPANT,
                       "model-id", model_id,
                       "name", name,
                       "persona", persona,
                       NULL);
}

const char *
confab_participant_get_model_id (ConfabParticipant *self)
{
  g_return_val_if_fail (CONFAB_IS_PARTICIPANT (self), NULL);

  return self->model_id;
}

const char *
confab_participant_get_name (ConfabParticipant *self)
{
  g_return_val_if_fail (CONFAB_IS_PARTICIPANT (self), NULL);

  return self->name;
}

const char *
confab_participant_get_persona (ConfabParticipant *self)
{
  g_return_val_if_fail (CONFAB_IS_PARTICIPANT (self), NULL);

  return self->persona;
}
