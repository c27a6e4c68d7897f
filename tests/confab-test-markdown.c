/* confab-test-markdown.c: Markdown samples (see the header).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include "confab-test-markdown.h"

const char confab_test_markdown_tour_code[] =
  "#include <stdio.h>\n"
  "\n"
  "int\n"
  "main (void)\n"
  "{\n"
  "  /* Say hello. */\n"
  "  printf (\"Hello, %s!\\n\", \"world\");\n"
  "  return 0;\n"
  "}";

const char confab_test_markdown_tour[] =
  "# Markdown Tour\n"
  "\n"
  "Here is **bold**, *italic*, ~~struck~~ and `inline code`, with a "
  "[link to GNOME](https://www.gnome.org) and a bare https://example.org/page too.\n"
  "\n"
  "## Lists\n"
  "\n"
  "- Apples & pears\n"
  "- Oranges\n"
  "  - Blood oranges\n"
  "  - Navel oranges\n"
  "- [x] A finished task\n"
  "\n"
  "1. First step\n"
  "2. Second step\n"
  "3. Third step\n"
  "\n"
  "> A quoted remark, with *emphasis* <and> raw <b>HTML</b> shown as text.\n"
  "\n"
  "### Table\n"
  "\n"
  "| Language | Typing | Score |\n"
  "|:---------|:------:|------:|\n"
  "| C        | static |    10 |\n"
  "| Python   | dynamic |    9 |\n"
  "| Rust     | static |    10 |\n"
  "\n"
  "```c\n"
  "#include <stdio.h>\n"
  "\n"
  "int\n"
  "main (void)\n"
  "{\n"
  "  /* Say hello. */\n"
  "  printf (\"Hello, %s!\\n\", \"world\");\n"
  "  return 0;\n"
  "}\n"
  "```\n"
  "\n"
  "---\n"
  "\n"
  "That is all.\n";

char *
confab_test_long_markdown (guint lines)
{
  GString *text = g_string_new (NULL);
  guint line = 0;

  for (guint section = 0; line < lines; section++)
    {
      g_string_append_printf (text, "## Section %u\n\n", section);
      g_string_append_printf (text,
                              "Paragraph %u with **bold**, *italic*, `code` and a "
                              "[link](https://example.com/%u).\nIt goes on for a while "
                              "so that the line wraps in a narrow window.\n\n",
                              section, section);
      for (guint i = 0; i < 5; i++)
        g_string_append_printf (text, "- item %u.%u\n", section, i);
      g_string_append (text, "\n```c\n");
      for (guint i = 0; i < 12; i++)
        g_string_append_printf (text, "int value_%u_%u = %u; /* a comment */\n", section, i, i);
      g_string_append (text, "```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n");
      line += 2 + 3 + 5 + 1 + 13 + 6;
    }
  g_string_append (text, "The end of the long reply.\n");

  return g_string_free (text, FALSE);
}
