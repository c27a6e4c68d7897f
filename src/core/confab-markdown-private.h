/* confab-markdown-private.h: shared by the Markdown parser and its text helpers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-markdown.h"

G_BEGIN_DECLS

/* Appends valid UTF-8 as markup text (XML specials escaped, control
 * characters dropped). */
void _confab_markdown_append_escaped (GString    *out,
                                      const char *text,
                                      gsize       len);
/* Appends what an entity ("&amp;", "&#123;") stands for, unescaped; an
 * unknown one as its own text. */
void _confab_markdown_append_entity  (GString    *out,
                                      const char *text,
                                      gsize       len);

G_END_DECLS
