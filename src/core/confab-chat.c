/* confab-chat.c: one chat row, kept current by the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include "confab-store-private.h"

struct _ConfabChat
{
  GObject   parent_instance;

  gint64    id;
  gint64    project_id;
  char     *title;
  char     *model;
  char     *draft;
  char     *remote_id;
  gint64    created;
  gint64    updated;
  guint     pinned : 1;
  guint     archived : 1;
};

G_DEFINE_FINAL_TYPE (ConfabChat, confab_chat, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PROJECT_ID,
  PROP_TITLE,
  PROP_MODEL,
  PROP_DRAFT,
  PROP_PINNED,
  PROP_ARCHIVED,
  PROP_CREATED,
  PROP_UPDATED,
  PROP_REMOTE_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_chat_finalize (GObject *object)
{
  ConfabChat *self = (ConfabChat *)object;

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->draft, g_free);
  g_clear_pointer (&self->remote_id, g_free);

  G_OBJECT_CLASS (confab_chat_parent_class)->finalize (object);
}

static void
confab_chat_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ConfabChat *self = CONFAB_CHAT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_PROJECT_ID:
      g_value_set_int64 (value, self->project_id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_DRAFT:
      g_value_set_string (value, self->draft);
      break;

    case PROP_PINNED:
      g_value_set_boolean (value, self->pinned);
      break;

    case PROP_ARCHIVED:
      g_value_set_boolean (value, self->archived);
      break;

    case PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;

    case PROP_UPDATED:
      g_value_set_int64 (value, self->updated);
      break;

    case PROP_REMOTE_ID:
      g_value_set_string (value, self->remote_id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_class_init (ConfabChatClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = confab_chat_finalize;
  object_class->get_property = confab_chat_get_property;

  /* Read-only: every change goes through ConfabStore, which writes the row
   * first and then updates the object. */
  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PROJECT_ID] =
    g_param_spec_int64 ("project-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL, flags);
  properties[PROP_DRAFT] =
    g_param_spec_string ("draft", NULL, NULL, NULL, flags);
  properties[PROP_PINNED] =
    g_param_spec_boolean ("pinned", NULL, NULL, FALSE, flags);
  properties[PROP_ARCHIVED] =
    g_param_spec_boolean ("archived", NULL, NULL, FALSE, flags);
  properties[PROP_CREATED] =
    g_param_spec_int64 ("created", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_UPDATED] =
    g_param_spec_int64 ("updated", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  /* The server's id in a shared project (schema 4), else NULL. */
  properties[PROP_REMOTE_ID] =
    g_param_spec_string ("remote-id", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_chat_init (ConfabChat *self)
{
}

ConfabChat *
_confab_chat_new (gint64      id,
                  gint64      project_id,
                  const char *title,
                  const char *model,
                  const char *draft,
                  gboolean    pinned,
                  gboolean    archived,
                  gint64      created,
                  gint64      updated)
{
  ConfabChat *self = g_object_new (CONFAB_TYPE_CHAT, NULL);

  self->id = id;
  self->project_id = project_id;
  self->title = g_strdup (title);
  self->model = g_strdup (model);
  self->draft = g_strdup (draft);
  self->pinned = !!pinned;
  self->archived = !!archived;
  self->created = created;
  self->updated = updated;

  return self;
}

void
_confab_chat_set_project_id (ConfabChat *self,
                             gint64      project_id)
{
  if (self->project_id == project_id)
    return;

  self->project_id = project_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT_ID]);
}

void
_confab_chat_set_remote_id (ConfabChat *self,
                            const char *remote_id)
{
  if (_confab_set_str (&self->remote_id, remote_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_ID]);
}

const char *
confab_chat_get_remote_id (ConfabChat *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT (self), NULL);

  return self->remote_id;
}

void
_confab_chat_set_title (ConfabChat *self,
                        const char *title)
{
  if (_confab_set_str (&self->title, title))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

void
_confab_chat_set_model (ConfabChat *self,
                        const char *model)
{
  if (_confab_set_str (&self->model, model))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

void
_confab_chat_set_draft (ConfabChat *self,
                        const char *draft)
{
  if (_confab_set_str (&self->draft, draft))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAFT]);
}

void
_confab_chat_set_pinned (ConfabChat *self,
                         gboolean    pinned)
{
  pinned = !!pinned;
  if (self->pinned == (guint)pinned)
    return;

  self->pinned = pinned;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
}

void
_confab_chat_set_archived (ConfabChat *self,
                           gboolean    archived)
{
  archived = !!archived;
  if (self->archived == (guint)archived)
    return;

  self->archived = archived;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ARCHIVED]);
}

void
_confab_chat_set_updated (ConfabChat *self,
                          gint64      updated)
{
  if (self->updated == updated)
    return;

  self->updated = updated;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED]);
}

int
_confab_chat_compare (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  const ConfabChat *chat_a = a;
  const ConfabChat *chat_b = b;

  if (chat_a->pinned != chat_b->pinned)
    return chat_a->pinned ? -1 : 1;

  if (chat_a->updated != chat_b->updated)
    return chat_a->updated > chat_b->updated ? -1 : 1;

  /* Equal times happen (same microsecond, imports): keep the order stable. */
  if (chat_a->id != chat_b->id)
    return chat_a->id > chat_b->id ? -1 : 1;

  return 0;
}

gint64
confab_chat_get_id (ConfabChat *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT (self), 0);

  return self->id;
}

gint64
confab_chat_get_project_id (ConfabChat *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT (self), 0);

  return self->project_id;
}

const char *
confab_chat_get_title (ConfabChat *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT (self), NULL);

  return self->title;
}

const char *
confab_chat_get_model (ConfabChat *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT (self), NULL);

  return self->model;
}

const char *
confab_chat_get_draft (ConfabChat *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT (self), NULL);

  return self->draft;
}

gboolean
confab_chat_get_pinned (ConfabChat *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT (self), FALSE);

  return self->pinned;
}

gboolean
confab_chat_get_archived (ConfabChat *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT (self), FALSE);

  return self->archived;
}

gint64
confab_chat_get_created (ConfabChat *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT (self), 0);

  return self->created;
}

gint64
confab_chat_get_updated (ConfabChat *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT (self), 0);

  return self->updated;
}
