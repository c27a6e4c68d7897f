/* confab-conductor.c: several provider streams for one chat: the object,
 * its items, and compare, keep, synthesize and mentions (round-tables in
 * confab-conductor-roundtable.c, requests in confab-conductor-prompts.c).
 *
 * Every exchange first gets the providers it needs (keys may come from
 * the keyring), then stores the prompt, then the reply rows, then
 * streams: as in a chat session, what the user wrote is committed before
 * any network traffic and each reply row exists before its first byte.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-conductor"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "confab-conductor-private.h"
#include "confab-conversation.h"

static void confab_conductor_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabConductor, confab_conductor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      confab_conductor_list_model_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_CHAT,
  PROP_CATALOGUE,
  PROP_MODE,
  PROP_STATE,
  PROP_BUSY,
  PROP_USER_MESSAGE,
  PROP_N_FAILED,
  PROP_ROUND,
  PROP_TOKENS_USED,
  PROP_END_REASON,
  N_PROPS
};

enum {
  TURN_STARTED,
  TURN_DELTA,
  TURN_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

#define DEFINE_ENUM(func, Name, ...) \
  GType func (void) \
  { \
    static gsize type_id = 0; \
    static const GEnumValue values[] = { __VA_ARGS__, { 0, NULL, NULL } }; \
    if (g_once_init_enter (&type_id)) \
      g_once_init_leave (&type_id, g_enum_register_static (g_intern_static_string (Name), \
                                                           values)); \
    return type_id; \
  }

DEFINE_ENUM (confab_conductor_mode_get_type, "ConfabConductorMode",
             { CONFAB_CONDUCTOR_MODE_NONE, "CONFAB_CONDUCTOR_MODE_NONE", "none" },
             { CONFAB_CONDUCTOR_MODE_COMPARE, "CONFAB_CONDUCTOR_MODE_COMPARE", "compare" },
             { CONFAB_CONDUCTOR_MODE_MENTIONS, "CONFAB_CONDUCTOR_MODE_MENTIONS", "mentions" },
             { CONFAB_CONDUCTOR_MODE_ROUNDTABLE, "CONFAB_CONDUCTOR_MODE_ROUNDTABLE",
               "roundtable" })
DEFINE_ENUM (confab_conductor_state_get_type, "ConfabConductorState",
             { CONFAB_CONDUCTOR_STATE_IDLE, "CONFAB_CONDUCTOR_STATE_IDLE", "idle" },
             { CONFAB_CONDUCTOR_STATE_RUNNING, "CONFAB_CONDUCTOR_STATE_RUNNING", "running" },
             { CONFAB_CONDUCTOR_STATE_PAUSED, "CONFAB_CONDUCTOR_STATE_PAUSED", "paused" })
DEFINE_ENUM (confab_roundtable_end_get_type, "ConfabRoundtableEnd",
             { CONFAB_ROUNDTABLE_END_NONE, "CONFAB_ROUNDTABLE_END_NONE", "none" },
             { CONFAB_ROUNDTABLE_END_ROUNDS, "CONFAB_ROUNDTABLE_END_ROUNDS", "rounds" },
             { CONFAB_ROUNDTABLE_END_STOPPED, "CONFAB_ROUNDTABLE_END_STOPPED", "stopped" },
             { CONFAB_ROUNDTABLE_END_BUDGET, "CONFAB_ROUNDTABLE_END_BUDGET", "budget" },
             { CONFAB_ROUNDTABLE_END_FAILED, "CONFAB_ROUNDTABLE_END_FAILED", "failed" })

/* ---- GListModel */

static GType
list_get_item_type (GListModel *model)
{
  return CONFAB_TYPE_CONDUCTOR_TURN;
}

static guint
list_get_n_items (GListModel *model)
{
  return CONFAB_CONDUCTOR (model)->turns->len;
}

static gpointer
list_get_item (GListModel *model,
               guint       position)
{
  ConfabConductor *self = CONFAB_CONDUCTOR (model);

  if (position >= self->turns->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->turns, position));
}

static void
confab_conductor_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

/* ---- GObject */

static void
confab_conductor_dispose (GObject *object)
{
  ConfabConductor *self = (ConfabConductor *)object;

  /* Nothing can be running: a running exchange's task holds a ref. */
  g_clear_handle_id (&self->resume_id, g_source_remove);
  g_clear_object (&self->current);
  g_clear_object (&self->user_message);
  g_clear_object (&self->catalogue);

  G_OBJECT_CLASS (confab_conductor_parent_class)->dispose (object);
}

static void
confab_conductor_finalize (GObject *object)
{
  ConfabConductor *self = (ConfabConductor *)object;

  g_ptr_array_unref (self->turns);
  g_clear_object (&self->participants);
  g_clear_pointer (&self->providers, g_hash_table_unref);
  g_clear_pointer (&self->provider_errors, g_hash_table_unref);
  g_clear_pointer (&self->prompt, g_free);
  g_clear_pointer (&self->models, g_strfreev);
  g_clear_pointer (&self->moderator, g_free);
  g_clear_object (&self->chat);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_conductor_parent_class)->finalize (object);
}

static void
confab_conductor_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ConfabConductor *self = CONFAB_CONDUCTOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CHAT:
      g_value_set_object (value, self->chat);
      break;

    case PROP_CATALOGUE:
      g_value_set_object (value, self->catalogue);
      break;

    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, confab_conductor_get_busy (self));
      break;

    case PROP_USER_MESSAGE:
      g_value_set_object (value, self->user_message);
      break;

    case PROP_N_FAILED:
      g_value_set_uint (value, confab_conductor_get_n_failed (self));
      break;

    case PROP_ROUND:
      g_value_set_uint (value, self->round);
      break;

    case PROP_TOKENS_USED:
      g_value_set_int64 (value, self->tokens_used);
      break;

    case PROP_END_REASON:
      g_value_set_enum (value, self->end_reason);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conductor_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ConfabConductor *self = CONFAB_CONDUCTOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_CHAT:
      self->chat = g_value_dup_object (value);
      break;

    case PROP_CATALOGUE:
      self->catalogue = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conductor_class_init (ConfabConductorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                G_PARAM_STATIC_STRINGS;
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = confab_conductor_dispose;
  object_class->finalize = confab_conductor_finalize;
  object_class->get_property = confab_conductor_get_property;
  object_class->set_property = confab_conductor_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CONFAB_TYPE_STORE, construct);
  properties[PROP_CHAT] =
    g_param_spec_object ("chat", NULL, NULL, CONFAB_TYPE_CHAT, construct);
  properties[PROP_CATALOGUE] =
    g_param_spec_object ("catalogue", NULL, NULL, CONFAB_TYPE_MODEL_CATALOGUE, construct);
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL, CONFAB_TYPE_CONDUCTOR_MODE,
                       CONFAB_CONDUCTOR_MODE_NONE, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CONFAB_TYPE_CONDUCTOR_STATE,
                       CONFAB_CONDUCTOR_STATE_IDLE, flags);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, flags);
  properties[PROP_USER_MESSAGE] =
    g_param_spec_object ("user-message", NULL, NULL, CONFAB_TYPE_MESSAGE, flags);
  properties[PROP_N_FAILED] =
    g_param_spec_uint ("n-failed", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_ROUND] = g_param_spec_uint ("round", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_TOKENS_USED] =
    g_param_spec_int64 ("tokens-used", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_END_REASON] =
    g_param_spec_enum ("end-reason", NULL, NULL, CONFAB_TYPE_ROUNDTABLE_END,
                       CONFAB_ROUNDTABLE_END_NONE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabConductor::turn-started:
   * @turn: a turn that starts streaming (its message is stored)
   */
  signals[TURN_STARTED] =
    g_signal_new ("turn-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CONFAB_TYPE_CONDUCTOR_TURN);
  /**
   * ConfabConductor::turn-delta:
   * @turn: the turn
   * @text: its new piece
   */
  signals[TURN_DELTA] =
    g_signal_new ("turn-delta", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, CONFAB_TYPE_CONDUCTOR_TURN,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * ConfabConductor::turn-finished:
   * @turn: a turn that ended (complete, failed or cancelled), stored
   */
  signals[TURN_FINISHED] =
    g_signal_new ("turn-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CONFAB_TYPE_CONDUCTOR_TURN);
}

static void
confab_conductor_init (ConfabConductor *self)
{
  self->turns = g_ptr_array_new_with_free_func (g_object_unref);
  self->participants = g_list_store_new (CONFAB_TYPE_PARTICIPANT);
  self->rounds = CONFAB_CONDUCTOR_DEFAULT_ROUNDS;
  self->last_speaker = -1;
}

ConfabConductor *
confab_conductor_new (ConfabStore          *store,
                      ConfabChat           *chat,
                      ConfabModelCatalogue *catalogue)
{
  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);
  g_return_val_if_fail (CONFAB_IS_CHAT (chat), NULL);
  g_return_val_if_fail (CONFAB_IS_MODEL_CATALOGUE (catalogue), NULL);

  return g_object_new (CONFAB_TYPE_CONDUCTOR,
                       "store", store,
                       "chat", chat,
                       "catalogue", catalogue,
                       NULL);
}

ConfabStore *
confab_conductor_get_store (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), NULL);
  return self->store;
}

ConfabChat *
confab_conductor_get_chat (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), NULL);
  return self->chat;
}

ConfabModelCatalogue *
confab_conductor_get_catalogue (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), NULL);
  return self->catalogue;
}

ConfabConductorMode
confab_conductor_get_mode (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), CONFAB_CONDUCTOR_MODE_NONE);
  return self->mode;
}

ConfabConductorState
confab_conductor_get_state (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), CONFAB_CONDUCTOR_STATE_IDLE);
  return self->state;
}

gboolean
confab_conductor_get_busy (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), FALSE);
  return self->state != CONFAB_CONDUCTOR_STATE_IDLE;
}

ConfabMessage *
confab_conductor_get_user_message (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), NULL);
  return self->user_message;
}

guint
confab_conductor_get_n_failed (ConfabConductor *self)
{
  guint n = 0;

  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), 0);

  for (guint i = 0; i < self->turns->len; i++)
    if (confab_conductor_turn_get_state (g_ptr_array_index (self->turns, i)) ==
        CONFAB_CONDUCTOR_TURN_FAILED)
      n++;

  return n;
}

void
confab_conductor_cancel (ConfabConductor *self)
{
  g_return_if_fail (CONFAB_IS_CONDUCTOR (self));

  if (!confab_conductor_get_busy (self))
    return;

  /* Also what has not started yet (providers still being found). */
  self->stopping = TRUE;

  if (self->mode == CONFAB_CONDUCTOR_MODE_ROUNDTABLE)
    {
      _confab_conductor_roundtable_cancel (self);
      return;
    }

  /* A copy: cancelling a waiting turn notifies, and a handler may look. */
  {
    g_autoptr(GPtrArray) turns = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint i = 0; i < self->turns->len; i++)
      g_ptr_array_add (turns, g_object_ref (g_ptr_array_index (self->turns, i)));
    for (guint i = 0; i < turns->len; i++)
      confab_conductor_turn_cancel (g_ptr_array_index (turns, i));
  }
}

/* ---- What the exchanges share */

void
_confab_conductor_notify (ConfabConductor *self,
                          const char      *property)
{
  g_object_notify (G_OBJECT (self), property);
}

void
_confab_conductor_set_state (ConfabConductor      *self,
                             ConfabConductorState  state)
{
  gboolean was_busy = confab_conductor_get_busy (self);

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (was_busy != confab_conductor_get_busy (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
on_cancelled_cb (GCancellable    *cancellable,
                 ConfabConductor *self)
{
  confab_conductor_cancel (self);
}

gboolean
_confab_conductor_begin (ConfabConductor     *self,
                         ConfabConductorMode  mode,
                         GTask               *task,
                         GCancellable        *cancellable,
                         gboolean             clear)
{
  if (confab_conductor_get_busy (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Models are already answering in this chat"));
      return FALSE;
    }
  if (g_task_return_error_if_cancelled (task))
    return FALSE;

  self->task = g_object_ref (task);
  g_set_object (&self->cancellable, cancellable);
  if (cancellable != NULL)
    self->cancelled_id = g_signal_connect (cancellable, "cancelled",
                                           G_CALLBACK (on_cancelled_cb), self);

  g_clear_pointer (&self->providers, g_hash_table_unref);
  g_clear_pointer (&self->provider_errors, g_hash_table_unref);
  self->providers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->provider_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) g_error_free);
  self->n_running = 0;
  self->next = 0;
  self->stopping = FALSE;

  g_object_freeze_notify (G_OBJECT (self));
  if (clear)
    {
      guint removed = self->turns->len;

      g_ptr_array_set_size (self->turns, 0);
      if (removed > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
      if (self->user_message != NULL)
        {
          g_clear_object (&self->user_message);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_MESSAGE]);
        }
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FAILED]);
    }
  if (self->mode != mode)
    {
      self->mode = mode;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
    }
  _confab_conductor_set_state (self, CONFAB_CONDUCTOR_STATE_RUNNING);
  g_object_thaw_notify (G_OBJECT (self));

  return TRUE;
}

void
_confab_conductor_end (ConfabConductor *self,
                       GError          *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_return_if_fail (task != NULL);

  if (self->cancellable != NULL && self->cancelled_id != 0)
    g_signal_handler_disconnect (self->cancellable, self->cancelled_id);
  self->cancelled_id = 0;
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->prompt, g_free);
  g_clear_pointer (&self->models, g_strfreev);
  /* Keys stay in memory no longer than the exchange. */
  g_hash_table_remove_all (self->providers);

  _confab_conductor_set_state (self, CONFAB_CONDUCTOR_STATE_IDLE);

  if (error != NULL)
    g_task_return_error (task, error);
  else if (g_task_get_source_tag (task) == confab_conductor_synthesize_async)
    g_task_return_pointer (task, g_object_ref (g_ptr_array_index (self->turns,
                                                                  self->turns->len - 1)),
                           g_object_unref);
  else
    g_task_return_boolean (task, TRUE);
}

gboolean
_confab_conductor_cancelled (ConfabConductor *self)
{
  return self->stopping ||
         (self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable));
}

typedef struct
{
  ConfabConductor     *self;
  char                *provider_id;
  ConfabConductorThen  then;
} Resolving;

static void
on_provider_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Resolving *resolving = user_data;
  ConfabConductor *self = resolving->self;
  g_autoptr(GError) error = NULL;
  ConfabProvider *provider;

  provider = confab_model_catalogue_get_provider_finish (CONFAB_MODEL_CATALOGUE (object),
                                                         result, &error);
  if (provider != NULL)
    g_hash_table_insert (self->providers, g_strdup (resolving->provider_id), provider);
  else
    g_hash_table_insert (self->provider_errors, g_strdup (resolving->provider_id),
                         g_steal_pointer (&error));

  if (--self->n_resolving == 0)
    resolving->then (self);

  g_free (resolving->provider_id);
  g_free (resolving);
}

void
_confab_conductor_resolve (ConfabConductor     *self,
                           const char          *extra,
                           ConfabConductorThen  then)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  guint n_models = self->models != NULL ? g_strv_length (self->models) : 0;

  for (guint i = 0; i <= n_models; i++)
    {
      const char *model_id = i < n_models ? self->models[i] : extra;
      char *provider_id = NULL;

      if (model_id == NULL ||
          !confab_conversation_split_model (model_id, &provider_id, NULL, NULL))
        continue;
      if (g_ptr_array_find_with_equal_func (ids, provider_id, g_str_equal, NULL))
        g_free (provider_id);
      else
        g_ptr_array_add (ids, provider_id);
    }

  g_assert (ids->len > 0);
  self->n_resolving = ids->len;
  for (guint i = 0; i < ids->len; i++)
    {
      Resolving *resolving = g_new0 (Resolving, 1);

      resolving->self = self;
      resolving->provider_id = g_strdup (g_ptr_array_index (ids, i));
      resolving->then = then;
      confab_model_catalogue_get_provider_async (self->catalogue, resolving->provider_id,
                                                 self->cancellable, on_provider_cb, resolving);
    }
}

ConfabProvider *
_confab_conductor_get_provider (ConfabConductor  *self,
                                const char       *model_id,
                                GError          **error)
{
  g_autofree char *provider_id = NULL;
  ConfabProvider *provider;
  const GError *failure;

  if (!confab_conversation_split_model (model_id, &provider_id, NULL, error))
    return NULL;

  provider = g_hash_table_lookup (self->providers, provider_id);
  if (provider != NULL)
    return g_object_ref (provider);

  failure = g_hash_table_lookup (self->provider_errors, provider_id);
  if (failure != NULL)
    g_propagate_error (error, g_error_copy (failure));
  else
    g_set_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_FAILED,
                 _("No provider for %s"), model_id);

  return NULL;
}

ConfabMessage *
_confab_conductor_add_user (ConfabConductor  *self,
                            const char       *text,
                            GError          **error)
{
  ConfabMessageDraft draft = { 0 };

  draft.chat_id = confab_chat_get_id (self->chat);
  draft.role = CONFAB_ROLE_USER;
  draft.author = g_get_user_name ();
  draft.content = text;
  draft.status = CONFAB_MESSAGE_STATUS_COMPLETE;
  draft.input_tokens = -1;
  draft.output_tokens = -1;

  return confab_store_add_message (self->store, &draft, error);
}

void
_confab_conductor_reply_draft (ConfabConductor     *self,
                               const char          *model_id,
                               const char          *author,
                               char               **provider,
                               char               **model,
                               ConfabMessageDraft  *draft)
{
  if (!confab_conversation_split_model (model_id, provider, model, NULL))
    g_assert_not_reached ();

  memset (draft, 0, sizeof *draft);
  draft->chat_id = confab_chat_get_id (self->chat);
  draft->role = CONFAB_ROLE_ASSISTANT;
  draft->author = author;
  draft->provider = *provider;
  draft->model = *model;
  draft->content = "";
  draft->status = CONFAB_MESSAGE_STATUS_STREAMING;
  draft->input_tokens = -1;
  draft->output_tokens = -1;
}

char *
_confab_conductor_dup_system_prompt (ConfabConductor *self)
{
  g_autoptr(ConfabProject) project = NULL;

  project = confab_store_lookup_project (self->store, confab_chat_get_project_id (self->chat),
                                         NULL);

  return project != NULL ? g_strdup (confab_project_get_system_prompt (project)) : NULL;
}

static void
on_turn_delta_cb (ConfabConductorTurn *turn,
                  const char          *text,
                  ConfabConductor     *self)
{
  g_signal_emit (self, signals[TURN_DELTA], 0, turn, text);
}

void
_confab_conductor_track_turn (ConfabConductor     *self,
                              ConfabConductorTurn *turn)
{
  g_signal_connect_object (turn, "delta", G_CALLBACK (on_turn_delta_cb), self, 0);
  g_ptr_array_add (self->turns, g_object_ref (turn));
}

void
_confab_conductor_append_turn (ConfabConductor     *self,
                               ConfabConductorTurn *turn)
{
  _confab_conductor_track_turn (self, turn);
  g_list_model_items_changed (G_LIST_MODEL (self), self->turns->len - 1, 0, 1);
}

void
_confab_conductor_emit_started (ConfabConductor     *self,
                                ConfabConductorTurn *turn)
{
  g_signal_emit (self, signals[TURN_STARTED], 0, turn);
}

void
_confab_conductor_emit_finished (ConfabConductor     *self,
                                 ConfabConductorTurn *turn)
{
  if (confab_conductor_turn_get_state (turn) == CONFAB_CONDUCTOR_TURN_FAILED)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FAILED]);
  g_signal_emit (self, signals[TURN_FINISHED], 0, turn);
}

void
_confab_conductor_set_user_message (ConfabConductor *self,
                                    ConfabMessage   *message)
{
  if (g_set_object (&self->user_message, message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_MESSAGE]);
}

void
_confab_conductor_record_chat_model (ConfabConductor *self,
                                     const char      *model_id)
{
  g_autoptr(GError) error = NULL;

  if (!confab_store_set_chat_model (self->store, self->chat, model_id, &error))
    g_debug ("Could not record the model of the chat: %s", error->message);
}
