/* confab-search-hit.c: one search result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include "confab-store-private.h"

struct _ConfabSearchHit
{
  GObject     parent_instance;

  gint64      message_id;
  gint64      chat_id;
  gint64      parent_id;
  gint64      project_id;
  ConfabRole  role;
  char       *author;
  char       *chat_title;
  char       *project_name;
  gint64      created;
  char       *snippet;
};

G_DEFINE_FINAL_TYPE (ConfabSearchHit, confab_search_hit, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MESSAGE_ID,
  PROP_CHAT_ID,
  PROP_PARENT_ID,
  PROP_PROJECT_ID,
  PROP_ROLE,
  PROP_AUTHOR,
  PROP_CHAT_TITLE,
  PROP_PROJECT_NAME,
  PROP_CREATED,
  PROP_SNIPPET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_search_hit_finalize (GObject *object)
{
  ConfabSearchHit *self = (ConfabSearchHit *)object;

  g_clear_pointer (&self->author, g_free);
  g_clear_pointer (&self->chat_title, g_free);
  g_clear_pointer (&self->project_name, g_free);
  g_clear_pointer (&self->snippet, g_free);

  G_OBJECT_CLASS (confab_search_hit_parent_class)->finalize (object);
}

static void
confab_search_hit_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ConfabSearchHit *self = CONFAB_SEARCH_HIT (object);

  switch (prop_id)
    {
    case PROP_MESSAGE_ID:
      g_value_set_int64 (value, self->message_id);
      break;

    case PROP_CHAT_ID:
      g_value_set_int64 (value, self->chat_id);
      break;

    case PROP_PARENT_ID:
      g_value_set_int64 (value, self->parent_id);
      break;

    case PROP_PROJECT_ID:
      g_value_set_int64 (value, self->project_id);
      break;

    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;

    case PROP_AUTHOR:
      g_value_set_string (value, self->author);
      break;

    case PROP_CHAT_TITLE:
      g_value_set_string (value, self->chat_title);
      break;

    case PROP_PROJECT_NAME:
      g_value_set_string (value, self->project_name);
      break;

    case PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;

    case PROP_SNIPPET:
      g_value_set_string (value, self->snippet);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_search_hit_class_init (ConfabSearchHitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = confab_search_hit_finalize;
  object_class->get_property = confab_search_hit_get_property;

  properties[PROP_MESSAGE_ID] =
    g_param_spec_int64 ("message-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_CHAT_ID] =
    g_param_spec_int64 ("chat-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PARENT_ID] =
    g_param_spec_int64 ("parent-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PROJECT_ID] =
    g_param_spec_int64 ("project-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL, CONFAB_TYPE_ROLE, CONFAB_ROLE_USER, flags);
  properties[PROP_AUTHOR] =
    g_param_spec_string ("author", NULL, NULL, NULL, flags);
  properties[PROP_CHAT_TITLE] =
    g_param_spec_string ("chat-title", NULL, NULL, NULL, flags);
  properties[PROP_PROJECT_NAME] =
    g_param_spec_string ("project-name", NULL, NULL, NULL, flags);
  properties[PROP_CREATED] =
    g_param_spec_int64 ("created", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_SNIPPET] =
    g_param_spec_string ("snippet", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_search_hit_init (ConfabSearchHit *self)
{
}

ConfabSearchHit *
_confab_search_hit_new (const ConfabSearchHitData *data)
{
  ConfabSearchHit *self = g_object_new (CONFAB_TYPE_SEARCH_HIT, NULL);

  self->message_id = data->message_id;
  self->chat_id = data->chat_id;
  self->parent_id = data->parent_id;
  self->project_id = data->project_id;
  self->role = data->role;
  self->author = g_strdup (data->author);
  self->chat_title = g_strdup (data->chat_title);
  self->project_name = g_strdup (data->project_name);
  self->created = data->created;
  self->snippet = g_strdup (data->snippet);

  return self;
}

gint64
confab_search_hit_get_message_id (ConfabSearchHit *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_HIT (self), 0);

  return self->message_id;
}

gint64
confab_search_hit_get_chat_id (ConfabSearchHit *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_HIT (self), 0);

  return self->chat_id;
}

gint64
confab_search_hit_get_parent_id (ConfabSearchHit *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_HIT (self), 0);

  return self->parent_id;
}

gint64
confab_search_hit_get_project_id (ConfabSearchHit *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_HIT (self), 0);

  return self->project_id;
}

ConfabRole
confab_search_hit_get_role (ConfabSearchHit *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_HIT (self), CONFAB_ROLE_USER);

  return self->role;
}

const char *
confab_search_hit_get_author (ConfabSearchHit *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_HIT (self), NULL);

  return self->author;
}

const char *
confab_search_hit_get_chat_title (ConfabSearchHit *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_HIT (self), NULL);

  return self->chat_title;
}

const char *
confab_search_hit_get_project_name (ConfabSearchHit *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_HIT (self), NULL);

  return self->project_name;
}

gint64
confab_search_hit_get_created (ConfabSearchHit *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_HIT (self), 0);

  return self->created;
}

const char *
confab_search_hit_get_snippet (ConfabSearchHit *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_HIT (self), NULL);

  return self->snippet;
}
