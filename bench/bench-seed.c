/* bench-seed.c: fills a store for bench/bench-ui.py, through the store as
 * the app writes it (so the FTS index and counters are real).
 *
 *   bench-seed --db PATH [--chats C] [--messages M] [--open-chat K]
 *
 * C chats share M messages (user/assistant turns of made-up text, every
 * tenth reply with a list and a code block, as replies have), except the
 * one that opens first (pinned): it holds K of them. The defaults make
 * the big store: 10,000 chats, 1,000,000 messages, a chat of
 * 10,000 open.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-bench"

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>

#include "bench-common.h"
#include "confab-core.h"

static char *
reply_text (GRand *rand,
            guint  index)
{
  g_autofree char *first = bench_sentence (rand);
  g_autofree char *second = NULL;

  if (index % 10 != 0)
    return g_steal_pointer (&first);

  second = bench_sentence (rand);
  return g_strdup_printf ("%s\n\n- %s\n- %s\n\n```c\nint\nmain (void)\n{\n"
                          "  return %u;\n}\n```\n", first, second, first, index);
}

static void
add_messages (ConfabStore *store,
              ConfabChat  *chat,
              guint        n,
              GRand       *rand)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      gboolean reply = i % 2 == 1;
      g_autofree char *text = reply ? reply_text (rand, i / 2) : bench_sentence (rand);
      ConfabMessageDraft draft = {
        .chat_id = confab_chat_get_id (chat),
        .role = reply ? CONFAB_ROLE_ASSISTANT : CONFAB_ROLE_USER,
        .author = reply ? "openai:gpt-4o-mini" : "bench",
        .provider = reply ? "openai" : NULL,
        .model = reply ? "gpt-4o-mini" : NULL,
        .content = text,
        .status = CONFAB_MESSAGE_STATUS_COMPLETE,
        .input_tokens = reply ? 40 : -1,
        .output_tokens = reply ? 30 : -1,
      };
      g_autoptr(ConfabMessage) message = confab_store_add_message (store, &draft, &error);

      if (message == NULL)
        g_error ("%s", error->message);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  int chats = 10000;
  int messages = 1000000;
  int open_chat = 10000;
  gint64 start;
  guint per_chat;
  guint rest;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &path, "The store to create", "PATH" },
    { "chats", 'c', 0, G_OPTION_ARG_INT, &chats, "Chats (default 10000)", "C" },
    { "messages", 'n', 0, G_OPTION_ARG_INT, &messages, "Messages in all (default 1000000)",
      "M" },
    { "open-chat", 'k', 0, G_OPTION_ARG_INT, &open_chat,
      "Messages of the chat that opens first (default 10000)", "K" },
    { NULL }
  };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- fill a Confab store for the benchmarks");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || path == NULL
      || chats < 1 || open_chat < 0 || messages < open_chat)
    {
      g_printerr ("%s\n", error != NULL ? error->message
                                        : "--db is needed; --chats ≥ 1, --open-chat ≤ --messages");
      return 2;
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_printerr ("%s exists: the seed only makes new stores\n", path);
      return 2;
    }

  store = confab_store_new (path, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  project = confab_store_create_project (store, "Bench", &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  /* One transaction per chat: a crash leaves whole chats, and the WAL
   * stays small. */
  per_chat = chats > 1 ? (guint) (messages - open_chat) / (guint) (chats - 1) : 0;
  rest = chats > 1 ? (guint) (messages - open_chat) % (guint) (chats - 1) : 0;
  for (int c = 0; c < chats; c++)
    {
      g_autofree char *title = g_strdup_printf ("Chat %d", c + 1);
      g_autoptr(ConfabChat) chat = NULL;
      guint n = c == chats - 1 ? (guint) open_chat : per_chat + (c < (int) rest ? 1 : 0);

      if (!confab_store_begin (store, &error))
        g_error ("%s", error->message);
      chat = confab_store_create_chat (store, project,
                                       c == chats - 1 ? "The Open Chat" : title, &error);
      g_assert_no_error (error);
      add_messages (store, chat, n, rand);
      if (c == chats - 1 && !confab_store_set_chat_pinned (store, chat, TRUE, &error))
        g_error ("%s", error->message);
      if (!confab_store_commit (store, &error))
        g_error ("%s", error->message);
    }

  g_print ("%s: %d chats, %d messages (the open one: %d) in %.1f s\n", path, chats, messages,
           open_chat, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  return 0;
}
