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
/* What is shown of the text: all of it, unless it is truncated. */
const char *confab_markdown_view_get_text  (ConfabMarkdownView      *self);
/* Re-parses and changes only the widgets of blocks that changed. A very
 * long text shows its beginning (up to 256 KiB of code, less of Markdown
 * that is costlier to lay out) and a notice with "Open Full Text", which
 * emits ::open-full-text; nothing of the rest is kept. */
void        confab_markdown_view_set_text  (ConfabMarkdownView      *self,
                                            const char              *text);
gboolean    confab_markdown_view_get_truncated   (ConfabMarkdownView *self);
/* In bytes, of the whole text last set. */
gsize       confab_markdown_view_get_text_length (ConfabMarkdownView *self);
void        confab_markdown_view_get_stats (ConfabMarkdownView      *self,
                                            ConfabMarkdownViewStats *stats);

/* Streamed text rendered at most every CONFAB_FRAME_RENDER_INTERVAL_MS, for a
 * widget showing it in a ConfabMarkdownView (a message row, a compare
 * column): while it streams, a change only marks it dirty. The first change
 * after a pause renders on the next frame (a one-shot tick callback); later
 * ones wait for the interval (a one-shot timeout), so a reply streaming at
 * 100 tokens/s costs about 12 Markdown passes, layouts and paints a second
 * instead of one per frame. Reading text that grows 12 times a second looks
 * as fluid as at 60; painting a window 60 times a second is what made
 * streaming cost (see docs/performance.md). An owner out of sight (unmapped)
 * has no callback at all. Embedded in the owner's instance struct; render ()
 * puts the owner's text in its view. */
#define CONFAB_FRAME_RENDER_INTERVAL_MS 80

typedef void (*ConfabFrameRenderFunc) (GtkWidget *owner);

typedef struct
{
  GtkWidget             *owner;
  ConfabFrameRenderFunc  render;
  guint                  tick;
  guint                  timeout;
  gint64                 last_render;
  gboolean               dirty;
  guint                  n_renders;
} ConfabFrameRender;

void confab_frame_render_init   (ConfabFrameRender     *self,
                                 GtkWidget             *owner,
                                 ConfabFrameRenderFunc  render);
/* Renders at once (a new text, the end of a stream). */
void confab_frame_render_now    (ConfabFrameRender     *self);
/* Marks it dirty; renders on the next frame, or once the interval since the
 * last render has passed, while the owner is mapped. */
void confab_frame_render_queue  (ConfabFrameRender     *self);
/* Drops a pending render (the owner is unmapped); it stays dirty. */
void confab_frame_render_cancel (ConfabFrameRender     *self);

G_END_DECLS
