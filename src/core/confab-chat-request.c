/* confab-chat-request.c: one request to a model, provider-neutral.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include "confab-provider-private.h"

struct _ConfabChatRequest
{
  gatomicrefcount  ref_count;
  char            *model;
  char            *system;
  GArray          *turns;        /* of ConfabTurn */
  gint64           max_tokens;
  double           temperature;
};

G_DEFINE_BOXED_TYPE (ConfabChatRequest, confab_chat_request,
                     confab_chat_request_ref, confab_chat_request_unref)

static void
clear_turn (gpointer data)
{
  ConfabTurn *turn = data;

  g_clear_pointer (&turn->text, g_free);
}

ConfabChatRequest *
confab_chat_request_new (const char *model)
{
  ConfabChatRequest *self;

  g_return_val_if_fail (model != NULL && *model != '\0', NULL);

  self = g_new0 (ConfabChatRequest, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->model = g_strdup (model);
  self->turns = g_array_new (FALSE, TRUE, sizeof (ConfabTurn));
  g_array_set_clear_func (self->turns, clear_turn);
  self->max_tokens = -1;
  self->temperature = -1;

  return self;
}

ConfabChatRequest *
confab_chat_request_ref (ConfabChatRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
confab_chat_request_unref (ConfabChatRequest *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->model);
  g_free (self->system);
  g_array_unref (self->turns);
  g_free (self);
}

const char *
confab_chat_request_get_model (ConfabChatRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->model;
}

void
confab_chat_request_set_system (ConfabChatRequest *self,
                                const char        *system)
{
  g_return_if_fail (self != NULL);

  /* An empty system prompt is no system prompt: providers reject some
   * empty fields (Gemini's empty parts). */
  if (system != NULL && *system == '\0')
    system = NULL;

  if (system != self->system)
    {
      g_free (self->system);
      self->system = g_strdup (system);
    }
}

const char *
confab_chat_request_get_system (ConfabChatRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->system;
}

void
confab_chat_request_add_turn (ConfabChatRequest *self,
                              ConfabRole         role,
                              const char        *text)
{
  ConfabTurn turn;

  g_return_if_fail (self != NULL);
  g_return_if_fail (role == CONFAB_ROLE_USER || role == CONFAB_ROLE_ASSISTANT);
  g_return_if_fail (text != NULL);

  turn.role = role;
  turn.text = g_strdup (text);
  g_array_append_val (self->turns, turn);
}

guint
confab_chat_request_get_n_turns (ConfabChatRequest *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->turns->len;
}

const ConfabTurn *
confab_chat_request_get_turn (ConfabChatRequest *self,
                              guint              index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->turns->len, NULL);

  return &g_array_index (self->turns, ConfabTurn, index);
}

void
confab_chat_request_set_max_tokens (ConfabChatRequest *self,
                                    gint64             max_tokens)
{
  g_return_if_fail (self != NULL);

  self->max_tokens = max_tokens > 0 ? max_tokens : -1;
}

gint64
confab_chat_request_get_max_tokens (ConfabChatRequest *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->max_tokens;
}

void
confab_chat_request_set_temperature (ConfabChatRequest *self,
                                     double             temperature)
{
  g_return_if_fail (self != NULL);

  self->temperature = temperature >= 0 ? temperature : -1;
}

double
confab_chat_request_get_temperature (ConfabChatRequest *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->temperature;
}

static void
turn_free (gpointer data)
{
  ConfabTurn *turn = data;

  g_free (turn->text);
  g_free (turn);
}

static ConfabTurn *
turn_new (ConfabRole  role,
          const char *text)
{
  ConfabTurn *turn = g_new0 (ConfabTurn, 1);

  turn->role = role;
  turn->text = g_strdup (text);

  return turn;
}

GPtrArray *
_confab_chat_request_nonempty_turns (ConfabChatRequest *self)
{
  GPtrArray *turns = g_ptr_array_new_with_free_func (turn_free);

  for (guint i = 0; i < self->turns->len; i++)
    {
      const ConfabTurn *turn = &g_array_index (self->turns, ConfabTurn, i);

      /* A failed reply stored with no text says nothing to the model. */
      if (turn->text[0] != '\0')
        g_ptr_array_add (turns, turn_new (turn->role, turn->text));
    }

  return turns;
}

GPtrArray *
_confab_chat_request_alternating_turns (ConfabChatRequest *self)
{
  g_autoptr(GPtrArray) nonempty = _confab_chat_request_nonempty_turns (self);
  GPtrArray *turns = g_ptr_array_new_with_free_func (turn_free);

  for (guint i = 0; i < nonempty->len; i++)
    {
      ConfabTurn *turn = g_ptr_array_index (nonempty, i);
      ConfabTurn *last = turns->len > 0 ? g_ptr_array_index (turns, turns->len - 1) : NULL;

      if (last == NULL && turn->role == CONFAB_ROLE_ASSISTANT)
        {
          /* Anthropic and Gemini reject a conversation that opens with the
           * model speaking (e.g. a greeting kept from a template). */
          g_ptr_array_add (turns, turn_new (CONFAB_ROLE_USER, CONFAB_PLACEHOLDER_USER_TURN));
          last = g_ptr_array_index (turns, 0);
        }

      if (last != NULL && last->role == turn->role)
        {
          /* Two questions in a row (an unanswered one, or several people in
           * a room): one turn, as both APIs demand alternation. */
          char *joined = g_strconcat (last->text, "\n\n", turn->text, NULL);

          g_free (last->text);
          last->text = joined;
        }
      else
        g_ptr_array_add (turns, turn_new (turn->role, turn->text));
    }

  return turns;
}
