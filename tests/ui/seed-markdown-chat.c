/* seed-markdown-chat.c: writes the chat the message rendering UI test opens,
 * through the store like the app would: a Markdown tour, a thread, a failed
 * and a stopped reply, and a very long reply at the end.
 *
 * Usage: seed-markdown-chat DATABASE [LINES]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <stdio.h>

#include "confab-core.h"
#include "confab-test-markdown.h"

static ConfabMessage *
add (ConfabStore          *store,
     ConfabChat           *chat,
     gint64                parent_id,
     ConfabRole            role,
     const char           *provider,
     const char           *model,
     const char           *content,
     gint64                created,
     GError              **error)
{
  g_autofree char *author = NULL;
  ConfabMessageDraft draft = {
    .chat_id = confab_chat_get_id (chat),
    .parent_id = parent_id,
    .role = role,
    .provider = provider,
    .model = model,
    .content = content,
    .status = CONFAB_MESSAGE_STATUS_COMPLETE,
    .input_tokens = -1,
    .output_tokens = -1,
    .created = created,
  };

  author = provider ? g_strdup_printf ("%s:%s", provider, model) : g_strdup ("Alice");
  draft.author = author;
  return confab_store_add_message (store, &draft, error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(ConfabChat) chat = NULL;
  g_autoptr(ConfabMessage) tour = NULL;
  g_autoptr(ConfabMessage) reply = NULL;
  g_autoptr(ConfabMessage) failed = NULL;
  g_autoptr(ConfabMessage) stopped = NULL;
  g_autoptr(ConfabMessage) question = NULL;
  g_autoptr(ConfabMessage) answer = NULL;
  g_autoptr(ConfabMessage) asked = NULL;
  g_autoptr(ConfabMessage) long_reply = NULL;
  g_autofree char *long_text = NULL;
  guint lines = 3000;
  /* Minutes apart, ending now, so the times read like a conversation. */
  gint64 t = g_get_real_time () - 20 * 60 * G_USEC_PER_SEC;
  gint64 minute = 60 * G_USEC_PER_SEC;

  if (argc < 2)
    {
      g_printerr ("Usage: %s DATABASE [LINES]\n", argv[0]);
      return 2;
    }
  if (argc > 2)
    lines = (guint)g_ascii_strtoull (argv[2], NULL, 10);
  long_text = confab_test_long_markdown (lines);

  store = confab_store_new (argv[1], &error);
  if (store == NULL
      || (project = confab_store_create_project (store, "Showcase", &error)) == NULL
      || (chat = confab_store_create_chat (store, project, "Markdown Tour", &error)) == NULL
      || !confab_store_begin (store, &error)
      || (question = add (store, chat, 0, CONFAB_ROLE_USER, NULL, NULL,
                          "Can you show me what **Markdown** looks like in Confab?",
                          t, &error)) == NULL
      || (tour = add (store, chat, 0, CONFAB_ROLE_ASSISTANT, "anthropic", "claude-sonnet-4-5",
                      confab_test_markdown_tour, t + minute, &error)) == NULL
      || (reply = add (store, chat, confab_message_get_id (tour), CONFAB_ROLE_USER, NULL, NULL,
                       "Nice table!", t + 2 * minute, &error)) == NULL
      || (asked = add (store, chat, 0, CONFAB_ROLE_USER, NULL, NULL,
                       "And what does *Gemini* say?", t + 3 * minute, &error)) == NULL
      || (failed = add (store, chat, 0, CONFAB_ROLE_ASSISTANT, "gemini", "gemini-2.5-flash",
                        "", t + 4 * minute, &error)) == NULL
      || !confab_store_finish_message (store, failed, CONFAB_MESSAGE_STATUS_ERROR,
                                       "The model is overloaded (HTTP 503). Try again in a moment.",
                                       -1, -1, &error)
      || (stopped = add (store, chat, 0, CONFAB_ROLE_ASSISTANT, "openai", "gpt-4o",
                         "Sure! Let me start with the basics of", t + 5 * minute, &error)) == NULL
      || !confab_store_finish_message (store, stopped, CONFAB_MESSAGE_STATUS_CANCELLED, NULL,
                                       -1, -1, &error)
      || (answer = add (store, chat, 0, CONFAB_ROLE_USER, NULL, NULL,
                        "Now write something very long, please.", t + 6 * minute, &error)) == NULL
      || (long_reply = add (store, chat, 0, CONFAB_ROLE_ASSISTANT, "ollama", "llama3.2",
                            long_text, t + 7 * minute, &error)) == NULL
      || !confab_store_commit (store, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print ("%" G_GINT64_FORMAT "\n", confab_chat_get_id (chat));
  return 0;
}
