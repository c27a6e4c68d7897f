/* confab-message.c: one message row, kept current by the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include "confab-store-private.h"

struct _ConfabMessage
{
  GObject             parent_instance;

  gint64              id;
  gint64              chat_id;
  gint64              parent_id;
  char               *author;
  char               *provider;
  char               *model;
  char               *content;
  char               *error;
  char               *remote_id;
  gint64              input_tokens;
  gint64              output_tokens;
  gint64              created;
  gint64              last_reply;
  gint64              prev_id;
  gint64              branch;
  guint               reply_count;
  guint               n_alternatives;
  guint               alternative_index;
  ConfabRole          role;
  ConfabMessageStatus status;
  gboolean            active;
};

G_DEFINE_FINAL_TYPE (ConfabMessage, confab_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CHAT_ID,
  PROP_PARENT_ID,
  PROP_ROLE,
  PROP_AUTHOR,
  PROP_PROVIDER,
  PROP_MODEL,
  PROP_CONTENT,
  PROP_STATUS,
  PROP_ERROR,
  PROP_INPUT_TOKENS,
  PROP_OUTPUT_TOKENS,
  PROP_CREATED,
  PROP_REPLY_COUNT,
  PROP_LAST_REPLY,
  PROP_ACTIVE,
  PROP_BRANCH,
  PROP_N_ALTERNATIVES,
  PROP_ALTERNATIVE_INDEX,
  PROP_REMOTE_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_message_finalize (GObject *object)
{
  ConfabMessage *self = (ConfabMessage *)object;

  g_clear_pointer (&self->author, g_free);
  g_clear_pointer (&self->provider, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->content, g_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->remote_id, g_free);

  G_OBJECT_CLASS (confab_message_parent_class)->finalize (object);
}

static void
confab_message_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ConfabMessage *self = CONFAB_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_CHAT_ID:
      g_value_set_int64 (value, self->chat_id);
      break;

    case PROP_PARENT_ID:
      g_value_set_int64 (value, self->parent_id);
      break;

    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;

    case PROP_AUTHOR:
      g_value_set_string (value, self->author);
      break;

    case PROP_PROVIDER:
      g_value_set_string (value, self->provider);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_CONTENT:
      g_value_set_string (value, self->content);
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;

    case PROP_INPUT_TOKENS:
      g_value_set_int64 (value, self->input_tokens);
      break;

    case PROP_OUTPUT_TOKENS:
      g_value_set_int64 (value, self->output_tokens);
      break;

    case PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;

    case PROP_REPLY_COUNT:
      g_value_set_uint (value, self->reply_count);
      break;

    case PROP_LAST_REPLY:
      g_value_set_int64 (value, self->last_reply);
      break;

    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;

    case PROP_BRANCH:
      g_value_set_int64 (value, self->branch);
      break;

    case PROP_N_ALTERNATIVES:
      g_value_set_uint (value, self->n_alternatives);
      break;

    case PROP_ALTERNATIVE_INDEX:
      g_value_set_uint (value, self->alternative_index);
      break;

    case PROP_REMOTE_ID:
      g_value_set_string (value, self->remote_id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_class_init (ConfabMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = confab_message_finalize;
  object_class->get_property = confab_message_get_property;

  /* Read-only: writes go through ConfabStore so the database stays the
   * source of truth and every view of the message sees the change. */
  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_CHAT_ID] =
    g_param_spec_int64 ("chat-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PARENT_ID] =
    g_param_spec_int64 ("parent-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL,
                       CONFAB_TYPE_ROLE, CONFAB_ROLE_USER, flags);
  properties[PROP_AUTHOR] =
    g_param_spec_string ("author", NULL, NULL, NULL, flags);
  properties[PROP_PROVIDER] =
    g_param_spec_string ("provider", NULL, NULL, NULL, flags);
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL, flags);
  properties[PROP_CONTENT] =
    g_param_spec_string ("content", NULL, NULL, NULL, flags);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       CONFAB_TYPE_MESSAGE_STATUS, CONFAB_MESSAGE_STATUS_COMPLETE, flags);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL, flags);
  properties[PROP_INPUT_TOKENS] =
    g_param_spec_int64 ("input-tokens", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_OUTPUT_TOKENS] =
    g_param_spec_int64 ("output-tokens", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_CREATED] =
    g_param_spec_int64 ("created", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_REPLY_COUNT] =
    g_param_spec_uint ("reply-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LAST_REPLY] =
    g_param_spec_int64 ("last-reply", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  /* Branches: whether the message is on its chat's current line (a thread
   * reply follows its parent), the cut it left that line with (0 while
   * active), and its place among the versions at its point of the
   * conversation, for a "2/3 ‹ ›" switcher. */
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, TRUE, flags);
  properties[PROP_BRANCH] =
    g_param_spec_int64 ("branch", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_N_ALTERNATIVES] =
    g_param_spec_uint ("n-alternatives", NULL, NULL, 1, G_MAXUINT, 1, flags);
  properties[PROP_ALTERNATIVE_INDEX] =
    g_param_spec_uint ("alternative-index", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /* The server's id in a shared project (schema 4), else NULL. */
  properties[PROP_REMOTE_ID] =
    g_param_spec_string ("remote-id", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_message_init (ConfabMessage *self)
{
  self->input_tokens = -1;
  self->output_tokens = -1;
  self->active = TRUE;
  self->n_alternatives = 1;
}

ConfabMessage *
_confab_message_new (const ConfabMessageData *data)
{
  ConfabMessage *self = g_object_new (CONFAB_TYPE_MESSAGE, NULL);

  self->id = data->id;
  self->chat_id = data->chat_id;
  self->parent_id = data->parent_id;
  self->role = data->role;
  self->author = g_strdup (data->author);
  self->provider = g_strdup (data->provider);
  self->model = g_strdup (data->model);
  self->content = g_strdup (data->content != NULL ? data->content : "");
  self->status = data->status;
  self->error = g_strdup (data->error);
  self->input_tokens = data->input_tokens;
  self->output_tokens = data->output_tokens;
  self->created = data->created;
  self->reply_count = data->reply_count;
  self->last_reply = data->last_reply;
  self->prev_id = data->prev_id;
  self->branch = data->branch;
  self->active = !!data->active;
  self->n_alternatives = MAX (data->n_alternatives, 1);
  self->alternative_index = MIN (data->alternative_index, self->n_alternatives - 1);
  self->remote_id = g_strdup (data->remote_id);

  return self;
}

void
_confab_message_set_remote_id (ConfabMessage *self,
                               const char    *remote_id)
{
  if (_confab_set_str (&self->remote_id, remote_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_ID]);
}

const char *
confab_message_get_remote_id (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);

  return self->remote_id;
}

void
_confab_message_set_content (ConfabMessage *self,
                             const char    *content)
{
  if (_confab_set_str (&self->content, content != NULL ? content : ""))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTENT]);
}

void
_confab_message_finish (ConfabMessage       *self,
                        ConfabMessageStatus  status,
                        const char          *error,
                        gint64               input_tokens,
                        gint64               output_tokens)
{
  GObject *object = G_OBJECT (self);

  input_tokens = MAX (input_tokens, -1);
  output_tokens = MAX (output_tokens, -1);

  /* One batch of notifications, so a row rebinds once per finish. */
  g_object_freeze_notify (object);

  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (object, properties[PROP_STATUS]);
    }

  if (_confab_set_str (&self->error, error))
    g_object_notify_by_pspec (object, properties[PROP_ERROR]);

  if (self->input_tokens != input_tokens)
    {
      self->input_tokens = input_tokens;
      g_object_notify_by_pspec (object, properties[PROP_INPUT_TOKENS]);
    }

  if (self->output_tokens != output_tokens)
    {
      self->output_tokens = output_tokens;
      g_object_notify_by_pspec (object, properties[PROP_OUTPUT_TOKENS]);
    }

  g_object_thaw_notify (object);
}

void
_confab_message_set_thread (ConfabMessage *self,
                            guint          reply_count,
                            gint64         last_reply)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);

  if (self->reply_count != reply_count)
    {
      self->reply_count = reply_count;
      g_object_notify_by_pspec (object, properties[PROP_REPLY_COUNT]);
    }

  if (self->last_reply != last_reply)
    {
      self->last_reply = last_reply;
      g_object_notify_by_pspec (object, properties[PROP_LAST_REPLY]);
    }

  g_object_thaw_notify (object);
}

gint64
_confab_message_get_prev_id (ConfabMessage *self)
{
  return self->prev_id;
}

void
_confab_message_set_prev_id (ConfabMessage *self,
                             gint64         prev_id)
{
  /* Not a property: only the store follows the tree. */
  self->prev_id = prev_id;
}

void
_confab_message_set_branch (ConfabMessage *self,
                            gboolean       active,
                            gint64         branch)
{
  GObject *object = G_OBJECT (self);

  active = !!active;

  g_object_freeze_notify (object);

  if (self->active != active)
    {
      self->active = active;
      g_object_notify_by_pspec (object, properties[PROP_ACTIVE]);
    }

  if (self->branch != branch)
    {
      self->branch = branch;
      g_object_notify_by_pspec (object, properties[PROP_BRANCH]);
    }

  g_object_thaw_notify (object);
}

void
_confab_message_set_alternatives (ConfabMessage *self,
                                  guint          n_alternatives,
                                  guint          alternative_index)
{
  GObject *object = G_OBJECT (self);

  n_alternatives = MAX (n_alternatives, 1);
  alternative_index = MIN (alternative_index, n_alternatives - 1);

  g_object_freeze_notify (object);

  if (self->n_alternatives != n_alternatives)
    {
      self->n_alternatives = n_alternatives;
      g_object_notify_by_pspec (object, properties[PROP_N_ALTERNATIVES]);
    }

  if (self->alternative_index != alternative_index)
    {
      self->alternative_index = alternative_index;
      g_object_notify_by_pspec (object, properties[PROP_ALTERNATIVE_INDEX]);
    }

  g_object_thaw_notify (object);
}

gint64
confab_message_get_id (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);

  return self->id;
}

gint64
confab_message_get_chat_id (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);

  return self->chat_id;
}

gint64
confab_message_get_parent_id (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);

  return self->parent_id;
}

ConfabRole
confab_message_get_role (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), CONFAB_ROLE_USER);

  return self->role;
}

const char *
confab_message_get_author (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);

  return self->author;
}

const char *
confab_message_get_provider (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);

  return self->provider;
}

const char *
confab_message_get_model (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);

  return self->model;
}

const char *
confab_message_get_speaker (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);

  if (self->role != CONFAB_ROLE_ASSISTANT || self->model == NULL || *self->model == '\0'
      || self->author == NULL || *self->author == '\0')
    return NULL;
  /* "PROVIDER:MODEL", or the bare model of a relayed reply. */
  if (strchr (self->author, ':') != NULL || g_str_equal (self->author, self->model))
    return NULL;

  return self->author;
}

const char *
confab_message_get_content (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);

  return self->content;
}

ConfabMessageStatus
confab_message_get_status (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), CONFAB_MESSAGE_STATUS_COMPLETE);

  return self->status;
}

const char *
confab_message_get_error (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);

  return self->error;
}

gint64
confab_message_get_input_tokens (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), -1);

  return self->input_tokens;
}

gint64
confab_message_get_output_tokens (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), -1);

  return self->output_tokens;
}

gint64
confab_message_get_created (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);

  return self->created;
}

guint
confab_message_get_reply_count (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);

  return self->reply_count;
}

gint64
confab_message_get_last_reply (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);

  return self->last_reply;
}

gboolean
confab_message_get_active (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), FALSE);

  return self->active;
}

gint64
confab_message_get_branch (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);

  return self->branch;
}

guint
confab_message_get_n_alternatives (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 1);

  return self->n_alternatives;
}

guint
confab_message_get_alternative_index (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);

  return self->alternative_index;
}
