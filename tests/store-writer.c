/* store-writer.c: a helper for the durability test. Writes replies the way
 * the app does while streaming (add as streaming, update, finish), one
 * committed message at a time, and prints each id once it is committed.
 * The test kills it at a random point and checks every printed id survived.
 *
 * Usage: store-writer PATH [COUNT]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <stdio.h>

#include "confab-core.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(ConfabChat) chat = NULL;
  guint64 count = G_MAXUINT64;

  if (argc < 2)
    {
      g_printerr ("Usage: %s PATH [COUNT]\n", argv[0]);
      return 2;
    }

  if (argc > 2)
    count = g_ascii_strtoull (argv[2], NULL, 10);

  store = confab_store_new (argv[1], &error);
  if (store == NULL ||
      (project = confab_store_create_project (store, "Durability", &error)) == NULL ||
      (chat = confab_store_create_chat (store, project, "Killed mid-stream", &error)) == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  for (guint64 i = 0; i < count; i++)
    {
      g_autoptr(ConfabMessage) message = NULL;
      g_autofree char *text = g_strdup_printf ("reply %" G_GUINT64_FORMAT, i);
      ConfabMessageDraft draft = {
        .chat_id = confab_chat_get_id (chat),
        .role = CONFAB_ROLE_ASSISTANT,
        .author = "test:writer",
        .provider = "test",
        .model = "writer",
        .content = "",
        .status = CONFAB_MESSAGE_STATUS_STREAMING,
        .input_tokens = -1,
        .output_tokens = -1,
      };

      message = confab_store_add_message (store, &draft, &error);
      if (message == NULL ||
          !confab_store_set_message_content (store, message, "reply", &error) ||
          !confab_store_set_message_content (store, message, text, &error) ||
          !confab_store_finish_message (store, message, CONFAB_MESSAGE_STATUS_COMPLETE,
                                        NULL, 3, (gint64)i, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }

      /* Only now is it committed: print and flush, so the test knows. */
      printf ("%" G_GINT64_FORMAT "\n", confab_message_get_id (message));
      fflush (stdout);
    }

  return 0;
}
