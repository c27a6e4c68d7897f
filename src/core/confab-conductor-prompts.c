/* confab-conductor-prompts.c: what each model is sent when several take
 * part: a later mention, a synthesis, a round-table speaker, its
 * moderator. Pure functions over stored messages.
 *
 * Only providers' own roles exist on the wire (user, assistant), so who
 * said what is written into the text: "[Reply from P:M]" as in any chat
 * (confab-conversation.c), "[Answer from P:M]" for the answers a synthesis
 * reads, "[NAME] " before every message of a round-table's transcript.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-conductor"

#include "config.h"

#include <string.h>

#include "confab-conductor-private.h"
#include "confab-conversation.h"
#include "confab-participant.h"

#define INCOMPLETE_MARK "(incomplete)"

/* After another model's reply: Anthropic would take a request ending with
 * an assistant turn as the start of its own answer. */
#define MENTION_CUE \
  "[The replies after my last message came from other models. Now give your own answer " \
  "to it; you may build on theirs or disagree.]"

#define SYNTHESIS_INTRO \
  "Several AI models answered my last message. Their answers follow, each under the " \
  "name of the model that wrote it."
#define SYNTHESIS_OUTRO \
  "Write the single best answer to my message from them: keep what is right and useful " \
  "in each, settle where they disagree and correct their mistakes. Answer my message " \
  "directly; do not describe the answers or name the models unless that helps."

ConfabChatRequest *
_confab_conductor_answer_request (GPtrArray  *history,
                                  const char *target,
                                  const char *system_prompt,
                                  gint64      context_window,
                                  gint64      max_output)
{
  ConfabChatRequest *request;
  guint n;

  request = confab_conversation_build (history, target, system_prompt, context_window,
                                       max_output, NULL);
  if (request == NULL)
    return NULL;

  n = confab_chat_request_get_n_turns (request);
  if (n > 0 && confab_chat_request_get_turn (request, n - 1)->role == CONFAB_ROLE_ASSISTANT)
    confab_chat_request_add_turn (request, CONFAB_ROLE_USER, MENTION_CUE);

  return request;
}

ConfabChatRequest *
_confab_conductor_synthesis_request (GPtrArray  *history,
                                     GPtrArray  *answers,
                                     const char *target,
                                     const char *system_prompt,
                                     gint64      context_window,
                                     gint64      max_output)
{
  g_autoptr(GString) text = g_string_new (SYNTHESIS_INTRO);
  ConfabChatRequest *request;

  for (guint i = 0; i < answers->len; i++)
    {
      ConfabConductorTurn *turn = g_ptr_array_index (answers, i);
      const char *said = confab_conductor_turn_get_text (turn);

      if (*said == '\0')
        continue;

      g_string_append_printf (text, "\n\n[Answer from %s]\n%s",
                              confab_conductor_turn_get_name (turn), said);
      if (confab_conductor_turn_get_state (turn) != CONFAB_CONDUCTOR_TURN_COMPLETE)
        g_string_append (text, "\n" INCOMPLETE_MARK);
    }
  g_string_append (text, "\n\n" SYNTHESIS_OUTRO);

  /* The answers take their share of the window before the history does. */
  if (context_window > 0)
    context_window = MAX (context_window - confab_conversation_estimate_tokens (text->str), 1);

  request = confab_conversation_build (history, target, system_prompt, context_window,
                                       max_output, NULL);
  if (request != NULL)
    confab_chat_request_add_turn (request, CONFAB_ROLE_USER, text->str);

  return request;
}

/* ---- Round-tables */

/* "A (P:M), B (P:M) and C (P:M)" */
static void
append_names (GString    *out,
              GPtrArray  *participants,
              gboolean    with_models,
              const char *last_word)
{
  for (guint i = 0; i < participants->len; i++)
    {
      ConfabParticipant *participant = g_ptr_array_index (participants, i);

      if (i > 0)
        g_string_append (out, i + 1 == participants->len ? last_word : ", ");
      g_string_append (out, confab_participant_get_name (participant));
      if (with_models)
        g_string_append_printf (out, " (%s)", confab_participant_get_model_id (participant));
    }
}

static void
append_system (GString    *system,
               const char *text)
{
  if (text == NULL || *text == '\0')
    return;

  if (system->len > 0)
    g_string_append (system, "\n\n");
  g_string_append (system, text);
}

/* "[NAME] text" for a message someone else wrote. */
static char *
label_message (ConfabMessage *message)
{
  const char *author = confab_message_get_author (message);
  g_autoptr(GString) text = g_string_new (NULL);

  if (confab_message_get_role (message) == CONFAB_ROLE_USER)
    {
      if (author != NULL && *author != '\0')
        g_string_append_printf (text, "[%s (user)] ", author);
      else
        g_string_append (text, "[User] ");
    }
  else if (author != NULL && *author != '\0')
    g_string_append_printf (text, "[%s] ", author);
  else if (confab_message_get_model (message) != NULL)
    g_string_append_printf (text, "[%s] ", confab_message_get_model (message));
  else
    g_string_append (text, "[Assistant] ");

  g_string_append (text, confab_message_get_content (message));

  return g_string_free (g_steal_pointer (&text), FALSE);
}

ConfabChatRequest *
_confab_conductor_speaker_request (GPtrArray  *messages,
                                   GPtrArray  *participants,
                                   guint       speaker,
                                   const char *moderator_id,
                                   int         last_speaker,
                                   const char *topic,
                                   guint       round,
                                   guint       rounds,
                                   const char *system_prompt)
{
  g_autoptr(GString) system = g_string_new (NULL);
  g_autoptr(GString) note = g_string_new (NULL);
  g_autoptr(GString) cue = g_string_new (NULL);
  g_autofree char *model = NULL;
  ConfabParticipant *self = NULL;
  ConfabChatRequest *request;
  const char *name = NULL;
  const char *target;

  g_return_val_if_fail (participants != NULL && participants->len > 0, NULL);

  if (moderator_id == NULL)
    {
      g_return_val_if_fail (speaker < participants->len, NULL);
      self = g_ptr_array_index (participants, speaker);
      name = confab_participant_get_name (self);
      target = confab_participant_get_model_id (self);
    }
  else
    target = moderator_id;

  if (!confab_conversation_split_model (target, NULL, &model, NULL))
    {
      g_critical ("“%s” is not PROVIDER:MODEL", target);
      return NULL;
    }

  if (self != NULL)
    {
      g_string_append_printf (note, "You are %s, in a round-table discussion between ", name);
      append_names (note, participants, TRUE, " and ");
      g_string_append (note, ", with the user listening and sometimes speaking.");
    }
  else
    {
      g_string_append (note, "You moderate a round-table discussion between ");
      append_names (note, participants, TRUE, " and ");
      g_string_append (note, ".");
    }
  if (topic != NULL && *topic != '\0')
    g_string_append_printf (note, " The topic: %s", topic);
  g_string_append (note,
                   "\n\nIn the transcript, each message starts with its speaker's name in "
                   "square brackets, such as \"[");
  g_string_append (note, confab_participant_get_name (g_ptr_array_index (participants, 0)));
  g_string_append (note, "]\"");
  if (self != NULL)
    g_string_append_printf (note,
                            "; your own earlier messages have none. Speak only as %s: answer "
                            "the others by name where it helps, make one contribution, never "
                            "write the other participants' lines, and do not start with your "
                            "name in brackets. This is round %u of %u.",
                            name, round, rounds);
  else
    g_string_append (note,
                     ". Decide who should speak next to move the discussion forward. "
                     "Answer with that participant's name only.");

  if (self != NULL)
    append_system (system, confab_participant_get_persona (self));
  append_system (system, note->str);
  append_system (system, system_prompt);

  request = confab_chat_request_new (model);

  for (guint i = 0; messages != NULL && i < messages->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (messages, i);
      ConfabRole role = confab_message_get_role (message);
      const char *content = confab_message_get_content (message);
      g_autofree char *text = NULL;
      gboolean own;

      if (role == CONFAB_ROLE_SYSTEM)
        {
          append_system (system, content);
          continue;
        }
      if (content == NULL || *content == '\0')
        continue;

      own = self != NULL && role == CONFAB_ROLE_ASSISTANT &&
            g_strcmp0 (confab_message_get_author (message), name) == 0;
      text = own ? g_strdup (content) : label_message (message);
      if (role == CONFAB_ROLE_ASSISTANT &&
          confab_message_get_status (message) != CONFAB_MESSAGE_STATUS_COMPLETE)
        {
          g_autofree char *marked = g_strconcat (text, "\n" INCOMPLETE_MARK, NULL);

          g_free (text);
          text = g_steal_pointer (&marked);
        }

      /* The others speak to it as a user would; the wire joins adjacent
       * turns of one role. */
      confab_chat_request_add_turn (request, own ? CONFAB_ROLE_ASSISTANT : CONFAB_ROLE_USER, text);
    }

  if (self != NULL)
    g_string_append_printf (cue, "[Round %u of %u] Your turn, %s.", round, rounds, name);
  else
    {
      g_string_append (cue, "Who speaks next: ");
      append_names (cue, participants, FALSE, " or ");
      g_string_append (cue, "?");
      if (last_speaker >= 0 && (guint) last_speaker < participants->len)
        g_string_append_printf (cue, " (%s spoke last.)",
                                confab_participant_get_name (
                                  g_ptr_array_index (participants, last_speaker)));
    }
  confab_chat_request_add_turn (request, CONFAB_ROLE_USER, cue->str);

  confab_chat_request_set_system (request, system->str);

  return request;
}

/* Where @name first stands as a whole word in @haystack (both folded),
 * or -1. */
static gssize
find_word (const char *haystack,
           const char *name)
{
  gsize len = strlen (name);

  if (len == 0)
    return -1;

  for (const char *p = strstr (haystack, name); p != NULL; p = strstr (p + 1, name))
    {
      gboolean start_ok = p == haystack ||
                          !g_unichar_isalnum (g_utf8_get_char (g_utf8_find_prev_char (haystack,
                                                                                      p)));
      gboolean end_ok = p[len] == '\0' || !g_unichar_isalnum (g_utf8_get_char (p + len));

      if (start_ok && end_ok)
        return p - haystack;
    }

  return -1;
}

int
_confab_conductor_parse_moderator (const char *answer,
                                   GPtrArray  *participants,
                                   int         last_speaker)
{
  g_autofree char *folded = NULL;
  gssize best_at = -1;
  gsize best_len = 0;
  int best = -1;

  if (answer == NULL || participants == NULL)
    return -1;

  folded = g_utf8_casefold (answer, -1);

  for (guint i = 0; i < participants->len; i++)
    {
      g_autofree char *name = g_utf8_casefold (
        confab_participant_get_name (g_ptr_array_index (participants, i)), -1);
      gssize at;

      if ((int) i == last_speaker)
        continue;

      at = find_word (folded, name);
      if (at < 0)
        continue;

      /* The earliest name wins; at one place, the longer ("Ada Lovelace"
       * over "Ada"). */
      if (best < 0 || at < best_at || (at == best_at && strlen (name) > best_len))
        {
          best = i;
          best_at = at;
          best_len = strlen (name);
        }
    }

  return best;
}
