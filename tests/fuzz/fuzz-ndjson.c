/* fuzz-ndjson.c: the NDJSON line reader, fed whole and in random pieces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-ndjson-reader.h"
#include "fuzz-common.h"

static void
collect_cb (const char *line,
            gsize       len,
            gpointer    user_data)
{
  GString *out = user_data;

  g_assert_true (line != NULL || len == 0);
  g_string_append_printf (out, "%" G_GSIZE_FORMAT ":", len);
  g_string_append_len (out, line, len);
  g_string_append_c (out, '\n');
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ConfabNdjsonReader) whole = confab_ndjson_reader_new ();
  g_autoptr(ConfabNdjsonReader) cut = confab_ndjson_reader_new ();
  g_autoptr(GString) whole_lines = g_string_new (NULL);
  g_autoptr(GString) cut_lines = g_string_new (NULL);
  FuzzSplit split;
  const uint8_t *piece;
  size_t length;

  fuzz_init_once ();
  fuzz_split_init (&split, data, size);

  confab_ndjson_reader_feed (whole, split.data, split.size, collect_cb, whole_lines);
  confab_ndjson_reader_finish (whole, collect_cb, whole_lines);

  while (fuzz_split_next (&split, &piece, &length))
    confab_ndjson_reader_feed (cut, piece, length, collect_cb, cut_lines);
  confab_ndjson_reader_finish (cut, collect_cb, cut_lines);

  g_assert_cmpuint (whole_lines->len, ==, cut_lines->len);
  g_assert_true (memcmp (whole_lines->str, cut_lines->str, whole_lines->len) == 0);
  return 0;
}
