/* fuzz-import.c: an export file, ChatGPT's conversations.json or a Confab
 * JSON export, read as importing it would (format detected, every chat
 * and message checked) up to where it would be stored: any bytes give
 * chats or a clear error, never a crash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-import-private.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) chats = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_init_once ();
  chats = _confab_import_read_bytes ((const char *) data, size, "fuzz.json", &error);
  g_assert_true ((chats != NULL) != (error != NULL));
  g_assert_true (chats == NULL || chats->len > 0);
  return 0;
}
