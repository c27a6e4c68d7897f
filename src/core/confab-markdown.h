/* confab-markdown.h: Markdown (GitHub dialect, through md4c) to a small,
 * toolkit-free block model whose inline text is ready-made Pango markup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CONFAB_MARKDOWN_PARAGRAPH,
  CONFAB_MARKDOWN_HEADING,
  CONFAB_MARKDOWN_LIST,
  CONFAB_MARKDOWN_LIST_ITEM,
  CONFAB_MARKDOWN_QUOTE,
  CONFAB_MARKDOWN_CODE,
  CONFAB_MARKDOWN_TABLE,
  CONFAB_MARKDOWN_RULE,
} ConfabMarkdownBlockType;

typedef enum
{
  CONFAB_MARKDOWN_ALIGN_DEFAULT,
  CONFAB_MARKDOWN_ALIGN_LEFT,
  CONFAB_MARKDOWN_ALIGN_CENTER,
  CONFAB_MARKDOWN_ALIGN_RIGHT,
} ConfabMarkdownAlign;

typedef enum
{
  CONFAB_MARKDOWN_TASK_NONE,
  CONFAB_MARKDOWN_TASK_OPEN,
  CONFAB_MARKDOWN_TASK_DONE,
} ConfabMarkdownTask;

typedef struct _ConfabMarkdownBlock ConfabMarkdownBlock;

/* Which fields are used depends on the type; the others are 0 or NULL. */
struct _ConfabMarkdownBlock
{
  ConfabMarkdownBlockType type;

  /* A hash of everything the block renders (its type, text, children...):
   * equal ids mean the same widgets, so a renderer can keep the blocks in
   * front of the one that grows while a reply streams. */
  guint64 id;

  /* The bytes of the input the block's text came from, first to last text
   * byte (markers such as "#" or a closing fence may lie outside). Of the
   * input made valid UTF-8, when it was not (each bad byte U+FFFD). */
  gsize source_start;
  gsize source_end;

  /* PARAGRAPH, HEADING: escaped Pango markup (GtkLabel's <a href> included). */
  char *markup;
  /* HEADING: 1 to 6. */
  guint level;

  /* LIST: numbered from start when ordered. */
  gboolean ordered;
  guint start;
  /* LIST_ITEM: the GitHub "[ ]" / "[x]" box, if any. */
  ConfabMarkdownTask task;

  /* CODE: the fence's language word (NULL without one) and the raw text. */
  char *language;
  char *text;

  /* LIST: its LIST_ITEMs. LIST_ITEM, QUOTE: the blocks inside. */
  GPtrArray *children;

  /* TABLE: rows of n_columns markup strings (char **), header rows first. */
  guint n_columns;
  guint n_header_rows;
  ConfabMarkdownAlign *alignments;
  GPtrArray *rows;
};

void       confab_markdown_block_free (ConfabMarkdownBlock *block);

/* Never fails: any bytes (invalid UTF-8, NULs, raw HTML, control
 * characters) give well-formed markup. Returns the top-level blocks. */
GPtrArray *confab_markdown_parse      (const char          *text,
                                       gssize               len);

/* Whether a link in a message may become clickable and be handed to the
 * browser or mail client: http and https URLs with a host, and mailto
 * addresses, without blanks, control or invisible formatting characters.
 * Anything else (javascript:, file:, data:, other applications' schemes,
 * relative paths) is shown as text only. */
gboolean   confab_markdown_link_is_safe   (const char *uri);

/* The plain text of a markup string (for accessibility and tests). */
char      *confab_markdown_markup_to_text (const char *markup);

/* How the text starts, as plain text on one line of at most max_chars
 * characters (an ellipsis marks a cut): a message's accessible label. */
char      *confab_markdown_summary        (const char *text,
                                           guint       max_chars);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabMarkdownBlock, confab_markdown_block_free)

G_END_DECLS
