/* confab-markdown-view.h: Markdown rendered with GTK widgets, updated in place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_MARKDOWN_VIEW (confab_markdown_view_get_type ())
G_DECLARE_FINAL_TYPE (ConfabMarkdownView, confab_markdown_view, CONFAB, MARKDOWN_VIEW, GtkWidget)

/* What the last confab_markdown_view_set_text() did, counted in rendered
 * pieces (a run of paragraphs, a heading, a list item, a code block...). */
typedef struct
{
  guint kept;
  guint updated;
  guint created;
  guint removed;
} ConfabMarkdownViewStats;

GtkWidget  *confab_markdown_view_new       (void);
const char *confab_markdown_view_get_text  (ConfabMarkdownView      *self);
/* Re-parses and changes only the widgets of blocks that changed. */
void        confab_markdown_view_set_text  (ConfabMarkdownView      *self,
                                            const char              *text);
void        confab_markdown_view_get_stats (ConfabMarkdownView      *self,
                                            ConfabMarkdownViewStats *stats);

G_END_DECLS
