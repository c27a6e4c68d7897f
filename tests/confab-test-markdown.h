/* confab-test-markdown.h: Markdown samples shared by the tests, the UI test
 * seeding and the benchmark.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A reply with one of each construct: headings, emphasis, lists, a task
 * list, a quote, a link, a table and a ```c block (its text below). */
extern const char confab_test_markdown_tour[];
extern const char confab_test_markdown_tour_code[];

/* A long reply of about @lines lines, the way models write them:
 * sections with a heading, a paragraph, a list, a code block and a table.
 * The last line is "The end of the long reply." */
char *confab_test_long_markdown (guint lines);

G_END_DECLS
