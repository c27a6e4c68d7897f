/* confab-conversation.c: the history of a chat as a provider-neutral
 * request, with replies of other models attributed and the oldest turns
 * left out when the target model's context window is too small.
 *
 * Everything here but confab_conversation_collect() is pure, so the rules
 * are tested without a store or HTTP.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-conversation"

#include "config.h"

#include <string.h>

#include "confab-conversation.h"
#include "confab-provider.h"

#define INCOMPLETE_MARK "(incomplete)"
#define TITLE_MAX_CHARS 60

/* Said once, in the system prompt, so the target knows what the marks
 * mean and does not imitate them. */
#define ATTRIBUTION_NOTE \
  "Some earlier replies in this conversation were written by other AI models. Each of " \
  "them starts with a line such as \"[Reply from openai:gpt-4o]\" naming the model that " \
  "wrote it; replies without such a line are your own. Do not start your reply with " \
  "such a line."

typedef struct
{
  ConfabRole  role;
  char       *text;
  gint64      tokens;
  gboolean    attributed;
} Turn;

static void
turn_clear (gpointer data)
{
  Turn *turn = data;

  g_clear_pointer (&turn->text, g_free);
}

gboolean
confab_conversation_split_model (const char  *full_id,
                                 char       **provider,
                                 char       **model,
                                 GError     **error)
{
  const char *colon;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  colon = full_id != NULL ? strchr (full_id, ':') : NULL;
  if (colon == NULL || colon == full_id || colon[1] == '\0')
    {
      g_set_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_FAILED,
                   "“%s” is not a model: write PROVIDER:MODEL, e.g. openai:gpt-4o-mini.",
                   full_id != NULL ? full_id : "");
      return FALSE;
    }

  if (provider != NULL)
    *provider = g_strndup (full_id, colon - full_id);
  if (model != NULL)
    *model = g_strdup (colon + 1);

  return TRUE;
}

gint64
confab_conversation_estimate_tokens (const char *text)
{
  gsize len = text != NULL ? strlen (text) : 0;

  return (gint64)((len + CONFAB_CONVERSATION_BYTES_PER_TOKEN - 1) /
                  CONFAB_CONVERSATION_BYTES_PER_TOKEN);
}

static gint64
turn_cost (const char *text)
{
  return confab_conversation_estimate_tokens (text) + CONFAB_CONVERSATION_TOKENS_PER_TURN;
}

GPtrArray *
confab_conversation_collect (ConfabStore  *store,
                             gint64        chat_id,
                             gint64        parent_id,
                             GError      **error)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(ConfabMessageList) main_line = NULL;
  gboolean found_parent = FALSE;
  guint n;

  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);
  g_return_val_if_fail (chat_id > 0, NULL);
  g_return_val_if_fail (parent_id >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (parent_id != 0)
    {
      g_autoptr(ConfabMessage) parent = confab_store_lookup_message (store, parent_id, error);

      if (parent == NULL)
        return NULL;

      if (confab_message_get_chat_id (parent) != chat_id ||
          confab_message_get_parent_id (parent) != 0)
        {
          g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID,
                       "Message %" G_GINT64_FORMAT " is not on the main line of chat %"
                       G_GINT64_FORMAT,
                       parent_id, chat_id);
          return NULL;
        }
    }

  main_line = confab_store_list_messages (store, chat_id, 0);
  n = g_list_model_get_n_items (G_LIST_MODEL (main_line));
  for (guint i = 0; i < n && !found_parent; i++)
    {
      ConfabMessage *message = g_list_model_get_item (G_LIST_MODEL (main_line), i);

      if (message == NULL)
        continue;

      /* A thread sees the main line only up to the message it answers. */
      found_parent = parent_id != 0 && confab_message_get_id (message) == parent_id;
      g_ptr_array_add (messages, message);
    }

  if (parent_id != 0)
    {
      g_autoptr(ConfabMessageList) thread = NULL;

      if (!found_parent)
        {
          g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                       "Message %" G_GINT64_FORMAT " was not found in chat %" G_GINT64_FORMAT,
                       parent_id, chat_id);
          return NULL;
        }

      thread = confab_store_list_messages (store, chat_id, parent_id);
      n = g_list_model_get_n_items (G_LIST_MODEL (thread));
      for (guint i = 0; i < n; i++)
        {
          ConfabMessage *message = g_list_model_get_item (G_LIST_MODEL (thread), i);

          if (message != NULL)
            g_ptr_array_add (messages, message);
        }
    }

  return g_steal_pointer (&messages);
}

/* Who wrote an assistant message, as "PROVIDER:MODEL" when known; a
 * round-table speaker as "NAME (PROVIDER:MODEL)", so a chat continued
 * after one still tells its voices apart. */
static char *
dup_writer (ConfabMessage *message)
{
  const char *provider = confab_message_get_provider (message);
  const char *model = confab_message_get_model (message);
  const char *author = confab_message_get_author (message);

  if (provider != NULL && *provider != '\0' && model != NULL && *model != '\0')
    {
      if (author != NULL && *author != '\0' && strchr (author, ':') == NULL &&
          g_strcmp0 (author, provider) != 0)
        return g_strdup_printf ("%s (%s:%s)", author, provider, model);
      return g_strdup_printf ("%s:%s", provider, model);
    }
  if (author != NULL && *author != '\0')
    return g_strdup (author);

  return NULL;
}

static gboolean
is_incomplete (ConfabMessage *message)
{
  /* A reply still "streaming" in the history was interrupted (a crash, or
   * it is being written elsewhere): either way it is not a whole answer. */
  return confab_message_get_status (message) != CONFAB_MESSAGE_STATUS_COMPLETE;
}

/* The turn for one message, or NULL when it says nothing to the model. */
static char *
message_text (ConfabMessage *message,
              const char    *target,
              gboolean      *attributed)
{
  const char *content = confab_message_get_content (message);
  g_autoptr(GString) text = NULL;

  *attributed = FALSE;

  if (content == NULL || *content == '\0')
    return NULL;

  text = g_string_new (NULL);

  if (confab_message_get_role (message) == CONFAB_ROLE_ASSISTANT)
    {
      g_autofree char *writer = dup_writer (message);

      if (writer == NULL || g_strcmp0 (writer, target) != 0)
        {
          g_string_append_printf (text, "[Reply from %s]\n",
                                  writer != NULL ? writer : "another model");
          *attributed = TRUE;
        }
    }

  g_string_append (text, content);

  if (confab_message_get_role (message) == CONFAB_ROLE_ASSISTANT && is_incomplete (message))
    g_string_append (text, "\n" INCOMPLETE_MARK);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
marker_text (guint       n_dropped,
             const char *target)
{
  if (n_dropped == 1)
    return g_strdup_printf ("[1 earlier message was left out to fit %s's context window]",
                            target);

  return g_strdup_printf ("[%u earlier messages were left out to fit %s's context window]",
                          n_dropped, target);
}

ConfabChatRequest *
confab_conversation_build (GPtrArray  *messages,
                           const char *target,
                           const char *system_prompt,
                           gint64      context_window,
                           gint64      max_output,
                           guint      *n_dropped)
{
  g_autoptr(GArray) turns = g_array_new (FALSE, TRUE, sizeof (Turn));
  g_autoptr(GString) system = g_string_new (NULL);
  g_autofree char *model = NULL;
  ConfabChatRequest *request;
  gboolean any_attributed = FALSE;
  gboolean kept_attributed = FALSE;
  int latest_user = -1;
  guint first = 0;

  g_return_val_if_fail (messages != NULL, NULL);
  g_return_val_if_fail (target != NULL, NULL);

  if (!confab_conversation_split_model (target, NULL, &model, NULL))
    {
      g_critical ("“%s” is not PROVIDER:MODEL", target);
      return NULL;
    }

  g_array_set_clear_func (turns, turn_clear);

  if (system_prompt != NULL && *system_prompt != '\0')
    g_string_append (system, system_prompt);

  for (guint i = 0; i < messages->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (messages, i);
      ConfabRole role = confab_message_get_role (message);
      Turn turn = { 0 };

      g_return_val_if_fail (CONFAB_IS_MESSAGE (message), NULL);

      /* The request has no system turns: a stored system message (an
       * import, a room's topic) joins the system prompt. */
      if (role == CONFAB_ROLE_SYSTEM)
        {
          const char *content = confab_message_get_content (message);

          if (content != NULL && *content != '\0')
            {
              if (system->len > 0)
                g_string_append (system, "\n\n");
              g_string_append (system, content);
            }
          continue;
        }

      turn.text = message_text (message, target, &turn.attributed);
      if (turn.text == NULL)
        continue;

      turn.role = role;
      turn.tokens = turn_cost (turn.text);
      any_attributed |= turn.attributed;
      g_array_append_val (turns, turn);

      if (role == CONFAB_ROLE_USER)
        latest_user = turns->len - 1;
    }

  if (context_window > 0 && turns->len > 0)
    {
      gint64 reply_room = max_output > 0 ? max_output : CONFAB_CONVERSATION_DEFAULT_REPLY_TOKENS;
      gint64 budget;
      gint64 total = 0;
      guint floor;

      /* A model's output limit can be most of its window (reasoning
       * models); the history must still get the larger part. */
      reply_room = MIN (reply_room, context_window / 4);
      budget = context_window - reply_room - turn_cost (system->str);
      if (any_attributed)
        budget -= turn_cost (ATTRIBUTION_NOTE);

      for (guint i = 0; i < turns->len; i++)
        total += g_array_index (turns, Turn, i).tokens;

      if (total > budget)
        {
          g_autofree char *marker = marker_text (G_MAXUINT, target);
          gint64 room = budget - turn_cost (marker);

          /* The question being asked stays, even alone and too long: the
           * provider's own error says more than a silently empty request. */
          floor = latest_user >= 0 ? (guint)latest_user : turns->len - 1;
          while (first < floor && total > room)
            total -= g_array_index (turns, Turn, first++).tokens;
        }
    }

  request = confab_chat_request_new (model);

  if (first > 0)
    {
      g_autofree char *marker = marker_text (first, target);

      /* A user turn: it reads as context given to the model, and keeps
       * the request starting with the user for the strict wires. */
      confab_chat_request_add_turn (request, CONFAB_ROLE_USER, marker);
      g_debug ("Left out %u of %u messages to fit %s's context window of %" G_GINT64_FORMAT
               " tokens", first, turns->len, target, context_window);
    }

  for (guint i = first; i < turns->len; i++)
    {
      const Turn *turn = &g_array_index (turns, Turn, i);

      kept_attributed |= turn->attributed;
      confab_chat_request_add_turn (request, turn->role, turn->text);
    }

  if (kept_attributed)
    {
      if (system->len > 0)
        g_string_append (system, "\n\n");
      g_string_append (system, ATTRIBUTION_NOTE);
    }

  if (system->len > 0)
    confab_chat_request_set_system (request, system->str);

  if (n_dropped != NULL)
    *n_dropped = first;

  return request;
}

char *
confab_conversation_make_title (const char *prompt)
{
  g_autoptr(GString) title = g_string_new (NULL);
  const char *p = prompt;

  if (prompt == NULL)
    return g_strdup ("New chat");

  /* The first line with words in it. */
  while (*p != '\0' && g_ascii_isspace (*p))
    p++;

  for (; *p != '\0' && *p != '\n' && *p != '\r'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          if (title->len > 0 && title->str[title->len - 1] != ' ')
            g_string_append_c (title, ' ');
        }
      else
        g_string_append_unichar (title, c);
    }

  while (title->len > 0 && title->str[title->len - 1] == ' ')
    g_string_truncate (title, title->len - 1);

  if (title->len == 0)
    return g_strdup ("New chat");

  if (g_utf8_strlen (title->str, -1) > TITLE_MAX_CHARS)
    {
      char *cut = g_utf8_offset_to_pointer (title->str, TITLE_MAX_CHARS);
      char *space;

      *cut = '\0';
      /* At a word boundary when there is one not too far back. */
      space = strrchr (title->str, ' ');
      if (space != NULL && g_utf8_strlen (title->str, space - title->str) > TITLE_MAX_CHARS / 2)
        *space = '\0';
      g_string_set_size (title, strlen (title->str));
      g_string_append (title, "…");
    }

  return g_string_free (g_steal_pointer (&title), FALSE);
}
