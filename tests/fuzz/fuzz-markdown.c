/* fuzz-markdown.c: Markdown written by a model, to the blocks the chat
 * view draws (everything but the drawing)
 *
 * confab_markdown_parse promises well-formed markup for any bytes: each
 * block's markup must parse as GMarkup (Pango's markup is a subset), its
 * source range must lie in the input, and the summary must be UTF-8.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-markdown.h"
#include "fuzz-common.h"

static void
assert_markup (const char *markup)
{
  static const GMarkupParser parser = { 0 };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (markup == NULL)
    return;
  g_assert_true (g_utf8_validate (markup, -1, NULL));
  context = g_markup_parse_context_new (&parser, 0, NULL, NULL);
  if (!g_markup_parse_context_parse (context, "<markup>", -1, &error) ||
      !g_markup_parse_context_parse (context, markup, -1, &error) ||
      !g_markup_parse_context_parse (context, "</markup>", -1, &error) ||
      !g_markup_parse_context_end_parse (context, &error))
    g_error ("malformed markup “%s”: %s", markup, error->message);

  text = confab_markdown_markup_to_text (markup);
  g_assert_nonnull (text);
}

static void
check_blocks (GPtrArray *blocks,
              gsize      size,
              guint      depth)
{
  g_assert_cmpuint (depth, <, 10000);
  for (guint i = 0; blocks != NULL && i < blocks->len; i++)
    {
      ConfabMarkdownBlock *block = g_ptr_array_index (blocks, i);

      g_assert_cmpuint (block->source_start, <=, block->source_end);
      g_assert_cmpuint (block->source_end, <=, size);
      assert_markup (block->markup);
      if (block->text != NULL)
        g_assert_true (g_utf8_validate (block->text, -1, NULL));
      for (guint r = 0; block->rows != NULL && r < block->rows->len; r++)
        {
          char **cells = g_ptr_array_index (block->rows, r);

          for (guint c = 0; c < block->n_columns; c++)
            assert_markup (cells[c]);
        }
      check_blocks (block->children, size, depth + 1);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) blocks = NULL;
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *summary = NULL;

  g_autofree char *valid = NULL;

  fuzz_init_once ();
  blocks = confab_markdown_parse ((const char *) data, size);
  g_assert_nonnull (blocks);
  /* Source ranges are in the input made valid UTF-8. */
  valid = g_utf8_make_valid ((const char *) data, size);
  check_blocks (blocks, g_utf8_validate_len ((const char *) data, size, NULL) ? size
                                                                          : strlen (valid), 0);

  summary = confab_markdown_summary (text, 80);
  g_assert_true (g_utf8_validate (summary, -1, NULL));
  /* At most 80 characters, and the ellipsis when cut. */
  g_assert_cmpuint (g_utf8_strlen (summary, -1), <=, 81);
  return 0;
}
