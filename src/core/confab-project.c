/* confab-project.c: one project row, kept current by the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include "confab-store-private.h"

struct _ConfabProject
{
  GObject  parent_instance;

  gint64   id;
  char    *name;
  char    *system_prompt;
  char    *default_model;
  gint64   created;
  /* Shared projects (schema 4): all NULL/0 for a local one. */
  char    *room_id;
  char    *room_server;
  char    *room_role;
  gint64   room_seq;
};

G_DEFINE_FINAL_TYPE (ConfabProject, confab_project, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_SYSTEM_PROMPT,
  PROP_DEFAULT_MODEL,
  PROP_CREATED,
  PROP_ROOM_ID,
  PROP_ROOM_SERVER,
  PROP_ROOM_ROLE,
  PROP_ROOM_SEQ,
  PROP_SHARED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_project_finalize (GObject *object)
{
  ConfabProject *self = (ConfabProject *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->system_prompt, g_free);
  g_clear_pointer (&self->default_model, g_free);
  g_clear_pointer (&self->room_id, g_free);
  g_clear_pointer (&self->room_server, g_free);
  g_clear_pointer (&self->room_role, g_free);

  G_OBJECT_CLASS (confab_project_parent_class)->finalize (object);
}

static void
confab_project_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ConfabProject *self = CONFAB_PROJECT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_SYSTEM_PROMPT:
      g_value_set_string (value, self->system_prompt);
      break;

    case PROP_DEFAULT_MODEL:
      g_value_set_string (value, self->default_model);
      break;

    case PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;

    case PROP_ROOM_ID:
      g_value_set_string (value, self->room_id);
      break;

    case PROP_ROOM_SERVER:
      g_value_set_string (value, self->room_server);
      break;

    case PROP_ROOM_ROLE:
      g_value_set_string (value, self->room_role);
      break;

    case PROP_ROOM_SEQ:
      g_value_set_int64 (value, self->room_seq);
      break;

    case PROP_SHARED:
      g_value_set_boolean (value, self->room_id != NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_project_class_init (ConfabProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = confab_project_finalize;
  object_class->get_property = confab_project_get_property;

  /* Read-only: the store is the only writer, so the row and the object
   * cannot disagree. */
  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_SYSTEM_PROMPT] =
    g_param_spec_string ("system-prompt", NULL, NULL, NULL, flags);
  properties[PROP_DEFAULT_MODEL] =
    g_param_spec_string ("default-model", NULL, NULL, NULL, flags);
  properties[PROP_CREATED] =
    g_param_spec_int64 ("created", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_ROOM_ID] =
    g_param_spec_string ("room-id", NULL, NULL, NULL, flags);
  properties[PROP_ROOM_SERVER] =
    g_param_spec_string ("room-server", NULL, NULL, NULL, flags);
  /* "owner", "admin", "member" or "viewer" (confab_room_role_from_string). */
  properties[PROP_ROOM_ROLE] =
    g_param_spec_string ("room-role", NULL, NULL, NULL, flags);
  properties[PROP_ROOM_SEQ] =
    g_param_spec_int64 ("room-seq", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /* Bound to a room: what a "shared" badge binds to. */
  properties[PROP_SHARED] =
    g_param_spec_boolean ("shared", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_project_init (ConfabProject *self)
{
}

ConfabProject *
_confab_project_new (gint64      id,
                     const char *name,
                     const char *system_prompt,
                     const char *default_model,
                     gint64      created)
{
  ConfabProject *self = g_object_new (CONFAB_TYPE_PROJECT, NULL);

  self->id = id;
  self->name = g_strdup (name);
  self->system_prompt = g_strdup (system_prompt);
  self->default_model = g_strdup (default_model);
  self->created = created;

  return self;
}

void
_confab_project_set_name (ConfabProject *self,
                          const char    *name)
{
  g_return_if_fail (CONFAB_IS_PROJECT (self));

  if (_confab_set_str (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

void
_confab_project_set_system_prompt (ConfabProject *self,
                                   const char    *system_prompt)
{
  g_return_if_fail (CONFAB_IS_PROJECT (self));

  if (_confab_set_str (&self->system_prompt, system_prompt))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYSTEM_PROMPT]);
}

void
_confab_project_set_default_model (ConfabProject *self,
                                   const char    *default_model)
{
  g_return_if_fail (CONFAB_IS_PROJECT (self));

  if (_confab_set_str (&self->default_model, default_model))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT_MODEL]);
}

void
_confab_project_set_room (ConfabProject *self,
                          const char    *server,
                          const char    *room_id,
                          const char    *role,
                          gint64         seq)
{
  GObject *object = G_OBJECT (self);
  gboolean was_shared = self->room_id != NULL;

  g_return_if_fail (CONFAB_IS_PROJECT (self));

  g_object_freeze_notify (object);
  if (_confab_set_str (&self->room_server, server))
    g_object_notify_by_pspec (object, properties[PROP_ROOM_SERVER]);
  if (_confab_set_str (&self->room_id, room_id))
    g_object_notify_by_pspec (object, properties[PROP_ROOM_ID]);
  _confab_project_set_room_role (self, role);
  _confab_project_set_room_seq (self, seq);
  if (was_shared != (self->room_id != NULL))
    g_object_notify_by_pspec (object, properties[PROP_SHARED]);
  g_object_thaw_notify (object);
}

void
_confab_project_set_room_role (ConfabProject *self,
                               const char    *role)
{
  g_return_if_fail (CONFAB_IS_PROJECT (self));

  if (_confab_set_str (&self->room_role, role))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROOM_ROLE]);
}

void
_confab_project_set_room_seq (ConfabProject *self,
                              gint64         seq)
{
  g_return_if_fail (CONFAB_IS_PROJECT (self));

  if (self->room_seq == seq)
    return;

  self->room_seq = seq;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROOM_SEQ]);
}

gint64
confab_project_get_id (ConfabProject *self)
{
  g_return_val_if_fail (CONFAB_IS_PROJECT (self), 0);

  return self->id;
}

const char *
confab_project_get_name (ConfabProject *self)
{
  g_return_val_if_fail (CONFAB_IS_PROJECT (self), NULL);

  return self->name;
}

const char *
confab_project_get_system_prompt (ConfabProject *self)
{
  g_return_val_if_fail (CONFAB_IS_PROJECT (self), NULL);

  return self->system_prompt;
}

const char *
confab_project_get_default_model (ConfabProject *self)
{
  g_return_val_if_fail (CONFAB_IS_PROJECT (self), NULL);

  return self->default_model;
}

gint64
confab_project_get_created (ConfabProject *self)
{
  g_return_val_if_fail (CONFAB_IS_PROJECT (self), 0);

  return self->created;
}

gboolean
confab_project_get_shared (ConfabProject *self)
{
  g_return_val_if_fail (CONFAB_IS_PROJECT (self), FALSE);

  return self->room_id != NULL;
}

const char *
confab_project_get_room_id (ConfabProject *self)
{
  g_return_val_if_fail (CONFAB_IS_PROJECT (self), NULL);

  return self->room_id;
}

const char *
confab_project_get_room_server (ConfabProject *self)
{
  g_return_val_if_fail (CONFAB_IS_PROJECT (self), NULL);

  return self->room_server;
}

const char *
confab_project_get_room_role (ConfabProject *self)
{
  g_return_val_if_fail (CONFAB_IS_PROJECT (self), NULL);

  return self->room_role;
}

gint64
confab_project_get_room_seq (ConfabProject *self)
{
  g_return_val_if_fail (CONFAB_IS_PROJECT (self), 0);

  return self->room_seq;
}
