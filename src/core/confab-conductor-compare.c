/* confab-conductor-compare.c: one prompt to several models at once, keep
 * one answer, or have a model synthesize them; and @mentions, where the
 * models answer one after the other.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-conductor"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-conductor-private.h"
#include "confab-conversation.h"

/* ---- What compare and mentions share */

static gboolean
check_models (const char * const  *models,
              GError             **error)
{
  if (models == NULL || models[0] == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("No model was given"));
      return FALSE;
    }

  for (guint i = 0; models[i] != NULL; i++)
    {
      if (!confab_conversation_split_model (models[i], NULL, NULL, error))
        return FALSE;
      for (guint j = 0; j < i; j++)
        if (g_str_equal (models[i], models[j]))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         _("%s is given twice"), models[i]);
            return FALSE;
          }
    }

  return TRUE;
}

/* Compare and mentions: @prompt to @models, once the models are checked
 * and no other exchange runs; @then once the providers are resolved. */
static void
start_prompt (ConfabConductor     *self,
              ConfabConductorMode  mode,
              GTask               *task,
              GCancellable        *cancellable,
              const char          *prompt,
              const char * const  *models,
              ConfabConductorThen  then)
{
  GError *error = NULL;

  if (!check_models (models, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (!_confab_conductor_begin (self, mode, task, cancellable, TRUE))
    return;

  self->prompt = g_strdup (prompt);
  self->models = g_strdupv ((char **) models);
  _confab_conductor_resolve (self, NULL, then);
}

/* The first provider error when none of the exchange's models can run. */
static GError *
dup_error_if_none_runs (ConfabConductor *self)
{
  GError *first = NULL;

  for (guint i = 0; self->models[i] != NULL; i++)
    {
      g_autoptr(ConfabProvider) provider = NULL;
      g_autoptr(GError) error = NULL;

      provider = _confab_conductor_get_provider (self, self->models[i], &error);
      if (provider != NULL)
        {
          g_clear_error (&first);
          return NULL;
        }
      if (first == NULL)
        first = g_steal_pointer (&error);
    }

  return first;
}

static ConfabChatRequest *
build_answer (ConfabConductor *self,
              GPtrArray       *history,
              const char      *model_id)
{
  g_autofree char *system = _confab_conductor_dup_system_prompt (self);

  return _confab_conductor_answer_request (
    history, model_id, system,
    confab_model_catalogue_get_context_window (self->catalogue, model_id),
    confab_model_catalogue_get_max_output (self->catalogue, model_id));
}

/* ---- Compare */

static void
on_compare_turn_done_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  ConfabConductor *self = user_data;
  ConfabConductorTurn *turn = CONFAB_CONDUCTOR_TURN (object);

  _confab_conductor_turn_run_finish (turn, result, NULL);
  _confab_conductor_emit_finished (self, turn);

  if (--self->n_running == 0)
    _confab_conductor_end (self, NULL);
}

/* One reply row per model, alternatives of one position: each new one
 * takes the previous one's place, so the last added is current until the
 * first is made current again. */
static gboolean
add_compare_rows (ConfabConductor  *self,
                  GError          **error)
{
  ConfabMessage *first = NULL;
  ConfabMessage *previous = NULL;

  for (guint i = 0; i < self->turns->len; i++)
    {
      ConfabConductorTurn *turn = g_ptr_array_index (self->turns, i);
      const char *model_id = confab_conductor_turn_get_model_id (turn);
      g_autoptr(ConfabMessage) row = NULL;
      g_autofree char *provider = NULL;
      g_autofree char *model = NULL;
      ConfabMessageDraft draft;

      _confab_conductor_reply_draft (self, model_id, model_id, &provider, &model, &draft);
      row = previous == NULL ? confab_store_add_message (self->store, &draft, error)
                             : confab_store_add_alternative (self->store, previous, &draft, error);
      if (row == NULL)
        return FALSE;

      _confab_conductor_turn_set_message (turn, row);
      previous = row;
      if (first == NULL)
        first = row;
    }

  return previous == first || confab_store_activate_branch (self->store, first, error);
}

static void
compare_resolved (ConfabConductor *self)
{
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(ConfabMessage) prompt = NULL;
  GError *error = NULL;
  guint n;

  if (_confab_conductor_cancelled (self))
    {
      _confab_conductor_end (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                        _("Cancelled")));
      return;
    }

  /* No key anywhere: say so and store nothing, as a chat would. */
  error = dup_error_if_none_runs (self);
  if (error != NULL)
    {
      _confab_conductor_end (self, error);
      return;
    }

  prompt = _confab_conductor_add_user (self, self->prompt, &error);
  if (prompt == NULL)
    {
      _confab_conductor_end (self, error);
      return;
    }
  _confab_conductor_set_user_message (self, prompt);
  _confab_conductor_record_chat_model (self, self->models[0]);

  history = confab_conversation_collect (self->store, confab_chat_get_id (self->chat), 0,
                                         &error);
  if (history == NULL)
    {
      _confab_conductor_end (self, error);
      return;
    }

  n = g_strv_length (self->models);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabConductorTurn) turn = NULL;

      turn = _confab_conductor_turn_new (CONFAB_CONDUCTOR_TURN_ANSWER, self->models[i],
                                         NULL, 0);
      _confab_conductor_track_turn (self, turn);
    }

  if (!add_compare_rows (self, &error))
    {
      for (guint i = 0; i < n; i++)
        _confab_conductor_turn_fail (g_ptr_array_index (self->turns, i), self->store, error);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, n);
      _confab_conductor_end (self, error);
      return;
    }
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, n);

  /* Counted first: a turn that cannot start must not end the exchange
   * while others are still to start. */
  self->n_running = n + 1;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabConductorTurn) turn = g_object_ref (g_ptr_array_index (self->turns, i));
      g_autoptr(ConfabProvider) provider = NULL;
      g_autoptr(ConfabChatRequest) request = NULL;
      g_autoptr(GError) failure = NULL;

      provider = _confab_conductor_get_provider (self, self->models[i], &failure);
      if (provider == NULL)
        {
          _confab_conductor_turn_fail (turn, self->store, failure);
          _confab_conductor_emit_finished (self, turn);
          self->n_running--;
          continue;
        }

      request = build_answer (self, history, self->models[i]);
      _confab_conductor_emit_started (self, turn);
      _confab_conductor_turn_run_async (turn, self->store, provider, request,
                                        on_compare_turn_done_cb, self);
    }

  if (--self->n_running == 0)
    _confab_conductor_end (self, NULL);
}

void
confab_conductor_compare_async (ConfabConductor     *self,
                                const char          *prompt,
                                const char * const  *models,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CONFAB_IS_CONDUCTOR (self));
  g_return_if_fail (prompt != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_conductor_compare_async);
  /* Streams may have been cancelled; the exchange still ended normally. */
  g_task_set_check_cancellable (task, FALSE);

  start_prompt (self, CONFAB_CONDUCTOR_MODE_COMPARE, task, cancellable, prompt, models,
                compare_resolved);
}

gboolean
confab_conductor_compare_finish (ConfabConductor  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
confab_conductor_keep (ConfabConductor      *self,
                       ConfabConductorTurn  *turn,
                       GError              **error)
{
  ConfabMessage *message;

  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR_TURN (turn), FALSE);
  g_return_val_if_fail (g_ptr_array_find (self->turns, turn, NULL), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  message = confab_conductor_turn_get_message (turn);
  if (message == NULL)
    {
      g_set_error_literal (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                           _("This answer was never stored"));
      return FALSE;
    }

  if (!confab_store_activate_branch (self->store, message, error))
    return FALSE;

  _confab_conductor_record_chat_model (self, confab_conductor_turn_get_model_id (turn));
  return TRUE;
}

/* ---- Synthesis */

static void
on_synthesis_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  ConfabConductor *self = user_data;
  ConfabConductorTurn *turn = CONFAB_CONDUCTOR_TURN (object);

  _confab_conductor_turn_run_finish (turn, result, NULL);
  _confab_conductor_emit_finished (self, turn);
  _confab_conductor_end (self, NULL);
}

static GPtrArray *
dup_answers (ConfabConductor *self)
{
  GPtrArray *answers = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->turns->len; i++)
    {
      ConfabConductorTurn *turn = g_ptr_array_index (self->turns, i);

      if (confab_conductor_turn_get_kind (turn) == CONFAB_CONDUCTOR_TURN_ANSWER)
        g_ptr_array_add (answers, g_object_ref (turn));
    }

  return answers;
}

/* The answer on the current line; when the user went elsewhere, the
 * first answer is made current again so the synthesis has its place. */
static ConfabMessage *
current_answer (ConfabConductor  *self,
                GPtrArray        *answers,
                GError          **error)
{
  ConfabMessage *fallback = NULL;

  for (guint i = 0; i < answers->len; i++)
    {
      ConfabMessage *message = confab_conductor_turn_get_message (g_ptr_array_index (answers, i));

      if (message != NULL && confab_message_get_active (message))
        return message;
      if (fallback == NULL)
        fallback = message;
    }

  if (fallback == NULL || !confab_store_activate_branch (self->store, fallback, error))
    return NULL;

  return fallback;
}

/* The main line up to and including the compared prompt. */
static GPtrArray *
history_to_prompt (ConfabConductor  *self,
                   GError          **error)
{
  g_autoptr(GPtrArray) history = NULL;
  gint64 prompt_id = confab_message_get_id (self->user_message);

  history = confab_conversation_collect (self->store, confab_chat_get_id (self->chat), 0, error);
  if (history == NULL)
    return NULL;

  for (guint i = 0; i < history->len; i++)
    if (confab_message_get_id (g_ptr_array_index (history, i)) == prompt_id)
      {
        g_ptr_array_set_size (history, i + 1);
        return g_steal_pointer (&history);
      }

  g_set_error_literal (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                       _("The compared prompt is no longer in the conversation"));
  return NULL;
}

static void
synthesis_resolved (ConfabConductor *self)
{
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(ConfabChatRequest) request = NULL;
  g_autoptr(ConfabMessage) row = NULL;
  g_autoptr(ConfabConductorTurn) turn = NULL;
  g_autofree char *system = NULL;
  g_autofree char *provider_id = NULL;
  g_autofree char *model = NULL;
  const char *model_id = self->models[0];
  ConfabMessage *current;
  ConfabMessageDraft draft;
  GError *error = NULL;

  if (_confab_conductor_cancelled (self))
    {
      _confab_conductor_end (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                        _("Cancelled")));
      return;
    }

  provider = _confab_conductor_get_provider (self, model_id, &error);
  answers = dup_answers (self);
  if (provider == NULL ||
      (current = current_answer (self, answers, &error)) == NULL ||
      (history = history_to_prompt (self, &error)) == NULL)
    {
      _confab_conductor_end (self, error);
      return;
    }

  system = _confab_conductor_dup_system_prompt (self);
  request = _confab_conductor_synthesis_request (
    history, answers, model_id, system,
    confab_model_catalogue_get_context_window (self->catalogue, model_id),
    confab_model_catalogue_get_max_output (self->catalogue, model_id));

  /* One more version of the reply, and the current one. */
  _confab_conductor_reply_draft (self, model_id, model_id, &provider_id, &model, &draft);
  row = confab_store_add_alternative (self->store, current, &draft, &error);
  if (row == NULL)
    {
      _confab_conductor_end (self, error);
      return;
    }

  turn = _confab_conductor_turn_new (CONFAB_CONDUCTOR_TURN_SYNTHESIS, model_id, NULL, 0);
  _confab_conductor_turn_set_message (turn, row);
  _confab_conductor_append_turn (self, turn);
  _confab_conductor_record_chat_model (self, model_id);
  _confab_conductor_emit_started (self, turn);
  _confab_conductor_turn_run_async (turn, self->store, provider, request,
                                    on_synthesis_done_cb, self);
}

void
confab_conductor_synthesize_async (ConfabConductor     *self,
                                   const char          *model,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  const char * const models[] = { model, NULL };
  GError *error = NULL;
  gboolean any = FALSE;

  g_return_if_fail (CONFAB_IS_CONDUCTOR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_conductor_synthesize_async);
  g_task_set_check_cancellable (task, FALSE);

  if (!check_models (models, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  answers = dup_answers (self);
  for (guint i = 0; i < answers->len; i++)
    any |= *confab_conductor_turn_get_text (g_ptr_array_index (answers, i)) != '\0';

  if (!confab_conductor_get_busy (self) &&
      (self->mode != CONFAB_CONDUCTOR_MODE_COMPARE || self->user_message == NULL || !any))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               self->mode == CONFAB_CONDUCTOR_MODE_COMPARE && !any
                                 ? _("No model answered, so there is nothing to synthesize")
                                 : _("Compare models first, then synthesize their answers"));
      return;
    }

  if (!_confab_conductor_begin (self, CONFAB_CONDUCTOR_MODE_COMPARE, task, cancellable, FALSE))
    return;

  self->models = g_strdupv ((char **) models);
  _confab_conductor_resolve (self, NULL, synthesis_resolved);
}

ConfabConductorTurn *
confab_conductor_synthesize_finish (ConfabConductor  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Mentions */

static void run_next_mention (ConfabConductor *self);

static void
on_mention_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ConfabConductor *self = user_data;
  ConfabConductorTurn *turn = CONFAB_CONDUCTOR_TURN (object);

  _confab_conductor_turn_run_finish (turn, result, NULL);
  _confab_conductor_emit_finished (self, turn);
  run_next_mention (self);
}

static void
run_next_mention (ConfabConductor *self)
{
  while (self->next < self->turns->len)
    {
      ConfabConductorTurn *turn = g_ptr_array_index (self->turns, self->next++);
      const char *model_id = confab_conductor_turn_get_model_id (turn);
      g_autoptr(ConfabProvider) provider = NULL;
      g_autoptr(GPtrArray) history = NULL;
      g_autoptr(ConfabChatRequest) request = NULL;
      g_autoptr(ConfabMessage) row = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *provider_id = NULL;
      g_autofree char *model = NULL;
      ConfabMessageDraft draft;

      /* Cancelled while it waited. */
      if (confab_conductor_turn_get_finished (turn))
        {
          _confab_conductor_emit_finished (self, turn);
          continue;
        }

      provider = _confab_conductor_get_provider (self, model_id, &error);
      if (provider != NULL)
        history = confab_conversation_collect (self->store, confab_chat_get_id (self->chat), 0,
                                               &error);
      if (history != NULL)
        request = build_answer (self, history, model_id);

      /* A failure has its row too, so the chat shows who could not answer. */
      _confab_conductor_reply_draft (self, model_id, model_id, &provider_id, &model, &draft);
      row = confab_store_add_message (self->store, &draft, error == NULL ? &error : NULL);
      if (row != NULL)
        _confab_conductor_turn_set_message (turn, row);

      if (error != NULL)
        {
          _confab_conductor_turn_fail (turn, self->store, error);
          _confab_conductor_emit_finished (self, turn);
          continue;
        }

      _confab_conductor_emit_started (self, turn);
      _confab_conductor_turn_run_async (turn, self->store, provider, request,
                                        on_mention_done_cb, self);
      return;
    }

  _confab_conductor_end (self, NULL);
}

static void
mention_resolved (ConfabConductor *self)
{
  g_autoptr(ConfabMessage) prompt = NULL;
  GError *error = NULL;
  guint n = g_strv_length (self->models);

  if (_confab_conductor_cancelled (self))
    {
      _confab_conductor_end (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                        _("Cancelled")));
      return;
    }

  error = dup_error_if_none_runs (self);
  if (error == NULL)
    prompt = _confab_conductor_add_user (self, self->prompt, &error);
  if (prompt == NULL)
    {
      _confab_conductor_end (self, error);
      return;
    }
  _confab_conductor_set_user_message (self, prompt);
  _confab_conductor_record_chat_model (self, self->models[n - 1]);

  /* All of them at once, waiting, so a view shows who is still to come. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabConductorTurn) turn = NULL;

      turn = _confab_conductor_turn_new (CONFAB_CONDUCTOR_TURN_ANSWER, self->models[i], NULL, 0);
      _confab_conductor_track_turn (self, turn);
    }
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, n);

  run_next_mention (self);
}

void
confab_conductor_mention_async (ConfabConductor     *self,
                                const char          *prompt,
                                const char * const  *models,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_auto(GStrv) mentioned = NULL;
  GError *error = NULL;

  g_return_if_fail (CONFAB_IS_CONDUCTOR (self));
  g_return_if_fail (prompt != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_conductor_mention_async);
  g_task_set_check_cancellable (task, FALSE);

  if (models == NULL)
    {
      g_autoptr(GPtrArray) aliases = confab_store_list_aliases (self->store, &error);

      if (aliases == NULL)
        {
          g_task_return_error (task, error);
          return;
        }

      mentioned = confab_mentions_parse (prompt, aliases);
      if (mentioned[0] == NULL)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   _("The message mentions no model: write @ and an alias, "
                                     "such as @gpt or @claude"));
          return;
        }
      models = (const char * const *) mentioned;
    }

  start_prompt (self, CONFAB_CONDUCTOR_MODE_MENTIONS, task, cancellable, prompt, models,
                mention_resolved);
}

gboolean
confab_conductor_mention_finish (ConfabConductor  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
