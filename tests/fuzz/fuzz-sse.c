/* fuzz-sse.c: the SSE parser, fed whole and in random pieces
 *
 * Whatever the bytes, the parser must not crash, and cutting the stream
 * into pieces must not change the events it yields.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-sse-parser.h"
#include "fuzz-common.h"

static void
collect_cb (const ConfabSseEvent *event,
            gpointer              user_data)
{
  GString *out = user_data;

  g_assert_nonnull (event->type);
  g_assert_nonnull (event->data);
  g_string_append_printf (out, "%s\x1f%s\x1f%s\x1e", event->type, event->data,
                          event->last_event_id != NULL ? event->last_event_id : "");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ConfabSseParser) whole = confab_sse_parser_new ();
  g_autoptr(ConfabSseParser) cut = confab_sse_parser_new ();
  g_autoptr(GString) whole_events = g_string_new (NULL);
  g_autoptr(GString) cut_events = g_string_new (NULL);
  FuzzSplit split;
  const uint8_t *piece;
  size_t length;
  gboolean whole_ok, cut_ok;

  fuzz_init_once ();
  fuzz_split_init (&split, data, size);

  confab_sse_parser_feed (whole, split.data, split.size, collect_cb, whole_events);
  whole_ok = confab_sse_parser_finish (whole);

  while (fuzz_split_next (&split, &piece, &length))
    confab_sse_parser_feed (cut, piece, length, collect_cb, cut_events);
  cut_ok = confab_sse_parser_finish (cut);

  g_assert_cmpint (whole_ok, ==, cut_ok);
  g_assert_cmpstr (whole_events->str, ==, cut_events->str);
  g_assert_cmpint (confab_sse_parser_get_retry (whole), ==, confab_sse_parser_get_retry (cut));
  return 0;
}
