/* fuzz-frame.c: a room frame as confabd and the room client decode it
 *
 * Any bytes give a frame or a BAD_FRAME error; the members the handlers
 * read give a value or an INVALID error; a frame written back reads the
 * same.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-protocol.h"
#include "fuzz-common.h"

static const char * const string_members[] = {
  "room", "chat", "thread", "message", "text", "title", "name", "user", "role", "model",
  "status", "error", "token", "password", "code", "event", "author",
};

static const char * const int_members[] = { "since", "offset", "seq", "version", "last_seq" };

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonNode) id = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *type = NULL;
  const char *again_type = NULL;
  JsonObject *frame;

  fuzz_init_once ();
  node = confab_protocol_parse ((const char *) data, size, &type, &error);
  if (node == NULL)
    {
      g_assert_true (g_error_matches (error, CONFAB_PROTOCOL_ERROR,
                                      CONFAB_PROTOCOL_ERROR_BAD_FRAME));
      return 0;
    }
  g_assert_nonnull (type);
  frame = json_node_get_object (node);

  for (guint i = 0; i < G_N_ELEMENTS (string_members); i++)
    {
      g_autoptr(GError) member_error = NULL;
      const char *value = NULL;

      if (confab_protocol_get_string (frame, string_members[i], TRUE, &value, &member_error))
        g_assert_true (value == NULL || g_utf8_validate (value, -1, NULL));
      else
        g_assert_nonnull (member_error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (int_members); i++)
    {
      g_autoptr(GError) member_error = NULL;
      gint64 value = 0;

      if (!confab_protocol_get_int (frame, int_members[i], TRUE, &value, &member_error))
        g_assert_nonnull (member_error);
    }
  id = confab_protocol_dup_id (frame);

  text = confab_protocol_to_string (node);
  again = confab_protocol_parse (text, strlen (text), &again_type, NULL);
  g_assert_nonnull (again);
  g_assert_cmpstr (again_type, ==, type);
  return 0;
}
