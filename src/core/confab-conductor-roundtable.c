/* confab-conductor-roundtable.c: models take turns on a topic for a
 * number of rounds, each seeing the whole transcript with every
 * speaker's name; the user can interject, pause, resume or stop.
 *
 * The turns run one at a time; between two of them nothing is in
 * flight, which is where a pause waits and where a stop ends it. A
 * moderator, when set, is asked before each turn who speaks next; its
 * calls are not stored (only their tokens count toward the budget).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-conductor"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-conductor-private.h"
#include "confab-conversation.h"

/* ---- Setting it up */

void
confab_conductor_add_participant (ConfabConductor   *self,
                                  ConfabParticipant *participant)
{
  g_return_if_fail (CONFAB_IS_CONDUCTOR (self));
  g_return_if_fail (CONFAB_IS_PARTICIPANT (participant));
  g_return_if_fail (self->mode != CONFAB_CONDUCTOR_MODE_ROUNDTABLE ||
                    !confab_conductor_get_busy (self));

  g_list_store_append (self->participants, participant);
}

void
confab_conductor_clear_participants (ConfabConductor *self)
{
  g_return_if_fail (CONFAB_IS_CONDUCTOR (self));
  g_return_if_fail (self->mode != CONFAB_CONDUCTOR_MODE_ROUNDTABLE ||
                    !confab_conductor_get_busy (self));

  g_list_store_remove_all (self->participants);
}

GListModel *
confab_conductor_get_participants (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), NULL);

  return G_LIST_MODEL (self->participants);
}

void
confab_conductor_set_rounds (ConfabConductor *self,
                             guint            rounds)
{
  g_return_if_fail (CONFAB_IS_CONDUCTOR (self));
  g_return_if_fail (rounds > 0);

  self->rounds = rounds;
}

guint
confab_conductor_get_rounds (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), 0);

  return self->rounds;
}

void
confab_conductor_set_moderator (ConfabConductor *self,
                                const char      *model)
{
  g_return_if_fail (CONFAB_IS_CONDUCTOR (self));

  g_free (self->moderator);
  self->moderator = model != NULL && *model != '\0' ? g_strdup (model) : NULL;
}

const char *
confab_conductor_get_moderator (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), NULL);

  return self->moderator;
}

void
confab_conductor_set_token_budget (ConfabConductor *self,
                                   gint64           tokens)
{
  g_return_if_fail (CONFAB_IS_CONDUCTOR (self));
  g_return_if_fail (tokens >= 0);

  self->token_budget = tokens;
}

gint64
confab_conductor_get_token_budget (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), 0);

  return self->token_budget;
}

guint
confab_conductor_get_round (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), 0);

  return self->round;
}

gint64
confab_conductor_get_tokens_used (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), 0);

  return self->tokens_used;
}

ConfabRoundtableEnd
confab_conductor_get_end_reason (ConfabConductor *self)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), CONFAB_ROUNDTABLE_END_NONE);

  return self->end_reason;
}

/* ---- Running it */

static void next_turn (ConfabConductor *self);

static GPtrArray *
dup_participants (ConfabConductor *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->participants));
  GPtrArray *participants = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (participants,
                     g_list_model_get_item (G_LIST_MODEL (self->participants), i));

  return participants;
}

static void
finish (ConfabConductor     *self,
        ConfabRoundtableEnd  reason)
{
  g_clear_handle_id (&self->resume_id, g_source_remove);
  self->paused = FALSE;
  self->end_reason = reason;
  _confab_conductor_notify (self, "end-reason");
  g_debug ("Round-table ended (%d) after round %u, %" G_GINT64_FORMAT " tokens",
           reason, self->round, self->tokens_used);
  _confab_conductor_end (self, NULL);
}

static void
count_tokens (ConfabConductor     *self,
              ConfabConductorTurn *turn)
{
  gint64 input = confab_conductor_turn_get_input_tokens (turn);
  gint64 output = confab_conductor_turn_get_output_tokens (turn);

  /* A provider that says nothing still spent what it wrote. */
  if (output < 0)
    output = confab_conversation_estimate_tokens (confab_conductor_turn_get_text (turn));

  self->tokens_used += MAX (input, 0) + output;
  _confab_conductor_notify (self, "tokens-used");
}

static ConfabChatRequest *
build_request (ConfabConductor  *self,
               GPtrArray        *participants,
               guint             speaker,
               const char       *moderator,
               GError          **error)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *system = NULL;
  const char *topic = self->user_message != NULL
                        ? confab_message_get_content (self->user_message) : NULL;

  messages = confab_conversation_collect (self->store, confab_chat_get_id (self->chat), 0, error);
  if (messages == NULL)
    return NULL;

  system = _confab_conductor_dup_system_prompt (self);
  return _confab_conductor_speaker_request (messages, participants, speaker, moderator,
                                            self->last_speaker, topic, self->round,
                                            self->rounds, system);
}

static void
on_speaker_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ConfabConductor *self = user_data;
  ConfabConductorTurn *turn = CONFAB_CONDUCTOR_TURN (object);

  _confab_conductor_turn_run_finish (turn, result, NULL);
  g_clear_object (&self->current);
  count_tokens (self, turn);
  if (confab_conductor_turn_get_state (turn) == CONFAB_CONDUCTOR_TURN_FAILED)
    self->failed_in_round++;
  _confab_conductor_emit_finished (self, turn);
  next_turn (self);
}

/* A turn that could not start counts as said (and failed), so the
 * round-table moves on. */
static void
speaker_failed (ConfabConductor     *self,
                ConfabConductorTurn *turn,
                const GError        *error)
{
  _confab_conductor_turn_fail (turn, self->store, error);
  _confab_conductor_emit_finished (self, turn);
  next_turn (self);
}

static void
start_speaker (ConfabConductor *self,
               guint            index)
{
  g_autoptr(GPtrArray) participants = dup_participants (self);
  ConfabParticipant *participant = g_ptr_array_index (participants, index);
  const char *model_id = confab_participant_get_model_id (participant);
  const char *name = confab_participant_get_name (participant);
  g_autoptr(ConfabConductorTurn) turn = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabChatRequest) request = NULL;
  g_autoptr(ConfabMessage) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *provider_id = NULL;
  g_autofree char *model = NULL;
  ConfabMessageDraft draft;

  turn = _confab_conductor_turn_new (CONFAB_CONDUCTOR_TURN_SPEAKER, model_id, name, self->round);

  /* Counted as soon as it is someone's turn. */
  self->speaker = index;
  self->last_speaker = index;
  self->turns_in_round++;

  provider = _confab_conductor_get_provider (self, model_id, &error);
  if (provider != NULL)
    request = build_request (self, participants, index, NULL, &error);
  if (request != NULL)
    {
      _confab_conductor_reply_draft (self, model_id, name, &provider_id, &model, &draft);
      row = confab_store_add_message (self->store, &draft, &error);
    }

  if (row != NULL)
    _confab_conductor_turn_set_message (turn, row);
  _confab_conductor_append_turn (self, turn);

  if (error != NULL)
    {
      self->failed_in_round++;
      speaker_failed (self, turn, error);
      return;
    }

  /* The chat goes on with the last speaker's model, as after any reply. */
  _confab_conductor_record_chat_model (self, model_id);
  self->current = g_object_ref (turn);
  _confab_conductor_emit_started (self, turn);
  _confab_conductor_turn_run_async (turn, self->store, provider, request,
                                    on_speaker_done_cb, self);
}

static void
on_moderator_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  ConfabConductor *self = user_data;
  ConfabConductorTurn *turn = CONFAB_CONDUCTOR_TURN (object);
  g_autoptr(GPtrArray) participants = dup_participants (self);
  int chosen = -1;

  _confab_conductor_turn_run_finish (turn, result, NULL);
  g_clear_object (&self->current);
  count_tokens (self, turn);

  if (confab_conductor_turn_get_state (turn) == CONFAB_CONDUCTOR_TURN_COMPLETE)
    chosen = _confab_conductor_parse_moderator (confab_conductor_turn_get_text (turn),
                                                participants, self->last_speaker);
  if (chosen < 0)
    {
      g_debug ("The moderator named nobody (“%s”): round-robin",
               confab_conductor_turn_get_text (turn));
      chosen = (self->last_speaker + 1) % (int) participants->len;
    }

  self->chosen = chosen;
  next_turn (self);
}

static void
ask_moderator (ConfabConductor *self)
{
  g_autoptr(GPtrArray) participants = dup_participants (self);
  g_autoptr(ConfabConductorTurn) turn = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabChatRequest) request = NULL;
  g_autoptr(GError) error = NULL;

  provider = _confab_conductor_get_provider (self, self->moderator, &error);
  if (provider != NULL)
    request = build_request (self, participants, 0, self->moderator, &error);
  if (request == NULL)
    {
      g_debug ("No moderator (%s): round-robin", error->message);
      self->chosen = (self->last_speaker + 1) % (int) participants->len;
      next_turn (self);
      return;
    }

  turn = _confab_conductor_turn_new (CONFAB_CONDUCTOR_TURN_ANSWER, self->moderator,
                                     _("Moderator"), self->round);
  self->current = g_object_ref (turn);
  _confab_conductor_turn_run_async (turn, self->store, provider, request,
                                    on_moderator_done_cb, self);
}

static void
next_turn (ConfabConductor *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->participants));

  if (self->stopping)
    {
      finish (self, CONFAB_ROUNDTABLE_END_STOPPED);
      return;
    }
  if (self->paused)
    {
      _confab_conductor_set_state (self, CONFAB_CONDUCTOR_STATE_PAUSED);
      return;
    }

  if (self->turns_in_round >= n)
    {
      if (self->failed_in_round >= n)
        {
          finish (self, CONFAB_ROUNDTABLE_END_FAILED);
          return;
        }
      if (self->round >= self->rounds)
        {
          finish (self, CONFAB_ROUNDTABLE_END_ROUNDS);
          return;
        }
      self->round++;
      self->turns_in_round = 0;
      self->failed_in_round = 0;
      _confab_conductor_notify (self, "round");
    }

  if (self->token_budget > 0 && self->tokens_used >= self->token_budget)
    {
      finish (self, CONFAB_ROUNDTABLE_END_BUDGET);
      return;
    }

  if (self->chosen >= 0)
    {
      int chosen = self->chosen;

      self->chosen = -1;
      start_speaker (self, chosen);
    }
  else if (self->moderator != NULL)
    ask_moderator (self);
  else
    start_speaker (self, (self->last_speaker + 1) % (int) n);
}

static void
roundtable_resolved (ConfabConductor *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->participants));
  GError *error = NULL;

  /* Stopped before it began: nothing was said. */
  if (_confab_conductor_cancelled (self))
    {
      finish (self, CONFAB_ROUNDTABLE_END_STOPPED);
      return;
    }

  /* A round-table missing a voice is not worth starting. */
  for (guint i = 0; i <= n; i++)
    {
      g_autoptr(ConfabParticipant) participant = NULL;
      g_autoptr(ConfabProvider) provider = NULL;
      const char *model_id;

      if (i < n)
        {
          participant = g_list_model_get_item (G_LIST_MODEL (self->participants), i);
          model_id = confab_participant_get_model_id (participant);
        }
      else if ((model_id = self->moderator) == NULL)
        break;

      provider = _confab_conductor_get_provider (self, model_id, &error);
      if (provider == NULL)
        {
          _confab_conductor_end (self, error);
          return;
        }
    }

  if (self->prompt != NULL)
    {
      g_autoptr(ConfabMessage) topic = _confab_conductor_add_user (self, self->prompt, &error);

      if (topic == NULL)
        {
          _confab_conductor_end (self, error);
          return;
        }
      _confab_conductor_set_user_message (self, topic);
    }

  self->round = 1;
  _confab_conductor_notify (self, "round");
  next_turn (self);
}

void
confab_conductor_roundtable_async (ConfabConductor     *self,
                                   const char          *topic,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) participants = NULL;
  g_autoptr(GStrvBuilder) models = g_strv_builder_new ();
  GError *error = NULL;

  g_return_if_fail (CONFAB_IS_CONDUCTOR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_conductor_roundtable_async);
  g_task_set_check_cancellable (task, FALSE);

  participants = dup_participants (self);
  if (participants->len == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("A round-table needs participants"));
      return;
    }

  for (guint i = 0; i < participants->len; i++)
    {
      ConfabParticipant *participant = g_ptr_array_index (participants, i);

      if (!confab_conversation_split_model (confab_participant_get_model_id (participant),
                                            NULL, NULL, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      for (guint j = 0; j < i; j++)
        if (g_utf8_collate (confab_participant_get_name (participant),
                            confab_participant_get_name (g_ptr_array_index (participants,
                                                                            j))) == 0)
          {
            g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                     _("Two participants are called “%s”: give them "
                                       "different names"),
                                     confab_participant_get_name (participant));
            return;
          }
      g_strv_builder_add (models, confab_participant_get_model_id (participant));
    }
  if (self->moderator != NULL &&
      !confab_conversation_split_model (self->moderator, NULL, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (!_confab_conductor_begin (self, CONFAB_CONDUCTOR_MODE_ROUNDTABLE, task, cancellable,
                                TRUE))
    return;

  self->round = 0;
  self->turns_in_round = 0;
  self->failed_in_round = 0;
  self->last_speaker = -1;
  self->speaker = -1;
  self->chosen = -1;
  self->tokens_used = 0;
  self->paused = FALSE;
  self->stopping = FALSE;
  self->end_reason = CONFAB_ROUNDTABLE_END_NONE;
  _confab_conductor_notify (self, "round");
  _confab_conductor_notify (self, "tokens-used");
  _confab_conductor_notify (self, "end-reason");

  self->prompt = topic != NULL && *topic != '\0' ? g_strdup (topic) : NULL;
  self->models = g_strv_builder_end (models);
  _confab_conductor_resolve (self, self->moderator, roundtable_resolved);
}

gboolean
confab_conductor_roundtable_finish (ConfabConductor  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Steering it */

static gboolean
running_roundtable (ConfabConductor *self)
{
  return self->mode == CONFAB_CONDUCTOR_MODE_ROUNDTABLE && self->task != NULL;
}

static gboolean
on_resume_cb (gpointer user_data)
{
  ConfabConductor *self = user_data;

  self->resume_id = 0;
  /* While the providers are being found, their answer carries on. */
  if (running_roundtable (self) && self->current == NULL && self->n_resolving == 0)
    next_turn (self);

  return G_SOURCE_REMOVE;
}

/* Between turns: carry on from the main loop, never from inside the
 * caller's handler. */
static void
schedule_next (ConfabConductor *self)
{
  if (self->current == NULL && self->resume_id == 0)
    self->resume_id = g_idle_add (on_resume_cb, self);
}

void
confab_conductor_pause (ConfabConductor *self)
{
  g_return_if_fail (CONFAB_IS_CONDUCTOR (self));

  if (!running_roundtable (self) || self->stopping || self->paused)
    return;

  self->paused = TRUE;
  _confab_conductor_set_state (self, CONFAB_CONDUCTOR_STATE_PAUSED);
}

void
confab_conductor_resume (ConfabConductor *self)
{
  g_return_if_fail (CONFAB_IS_CONDUCTOR (self));

  if (!running_roundtable (self) || !self->paused)
    return;

  self->paused = FALSE;
  _confab_conductor_set_state (self, CONFAB_CONDUCTOR_STATE_RUNNING);
  schedule_next (self);
}

void
confab_conductor_stop (ConfabConductor *self)
{
  g_return_if_fail (CONFAB_IS_CONDUCTOR (self));

  if (!running_roundtable (self))
    return;

  self->stopping = TRUE;
  if (self->current != NULL)
    confab_conductor_turn_cancel (self->current);
  else
    schedule_next (self);
}

void
_confab_conductor_roundtable_cancel (ConfabConductor *self)
{
  confab_conductor_stop (self);
}

ConfabMessage *
confab_conductor_interject (ConfabConductor  *self,
                            const char       *text,
                            GError          **error)
{
  g_return_val_if_fail (CONFAB_IS_CONDUCTOR (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!running_roundtable (self) || self->round == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("No round-table is running in this chat"));
      return NULL;
    }

  /* A streaming reply's row is older, so the line reads in order: the
   * turn being said, then the interjection, which every later turn sees. */
  return _confab_conductor_add_user (self, text, error);
}
