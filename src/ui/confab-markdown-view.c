/* confab-markdown-view.c: ConfabMarkdownBlocks as labels, boxes, grids and
 * code blocks.
 *
 * Every widget made for a block remembers the block's id. A new text is
 * parsed again and walked next to the widgets: an equal id keeps the widget
 * as it is, a block of the same kind updates it in place, anything else
 * replaces it. While a reply streams only its last block changes, so a
 * frame costs one parse and one label or one append to a source buffer,
 * however long the reply already is.
 *
 * A text far longer than any reply (a model in a loop, a server that never
 * stops: up to the 4 MiB the core keeps) is shown in part: laying out
 * Markdown as widgets costs milliseconds a KiB, and 4 MiB froze the window
 * for half a minute. Its beginning is rendered as usual, then a notice
 * with "Open Full Text" (the owner opens it: "open-full-text"). Only what
 * is shown is kept, so a huge streaming reply costs no copy of itself and
 * no parse of it per frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "confab-code-block.h"
#include "confab-markdown.h"
#include "confab-markdown-view.h"

/* Runs of paragraphs share a label, so a reply of thousands of short
 * paragraphs does not become thousands of widgets; small runs keep the
 * label that streams cheap to lay out again. */
#define GROUP_MAX_PARAGRAPHS 8
#define GROUP_MAX_BYTES      2048

/* How much of a long text is shown: whole lines from the start while
 * their cost fits in SHOWN_BUDGET, SHOWN_MAX bytes at most (shown_length ()).
 * The cost is what laying the widgets out takes: a byte of text, plus a
 * share for each line, which is often a block of its own (a list item, a
 * heading, a table row: a few widgets each). A code block is a GtkTextView
 * that lays its lines out lazily: they count an eighth, the block itself
 * like 1 KiB of text. Measured on a slow 2-core machine drawing in software,
 * for 4 MiB of each kind of Markdown: the view builds in 60 ms at most and
 * is on screen in 0.3 s, showing 32 KiB of prose (some 8,000 tokens, more
 * than most replies), 13 KiB of lists or tables, 18 KiB of sections with
 * headings, lists and code, 256 KiB of code. All of 4 MiB took 10 s to
 * build and 33 s to show. */
#define SHOWN_BUDGET      (48 * 1024)
#define SHOWN_MAX         (256 * 1024)
#define LINE_COST         64
#define FENCE_COST        1024
#define CODE_COST_DIVISOR 8

struct _ConfabMarkdownView
{
  GtkWidget                parent_instance;

  GtkBox                  *box;
  GtkWidget               *notice;
  GtkLabel                *notice_label;
  char                    *text;          /* what is shown */
  gsize                    shown_length;
  gsize                    text_length;   /* of the whole text */
  ConfabMarkdownViewStats  stats;
};

G_DEFINE_FINAL_TYPE (ConfabMarkdownView, confab_markdown_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TEXT,
  PROP_TRUNCATED,
  N_PROPS
};

enum {
  OPEN_FULL_TEXT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* What a widget shows: the kind of block and the id of what it shows. */
typedef struct
{
  guint   kind;
  guint64 id;
} Unit;

static GQuark unit_quark;

static Unit *
widget_get_unit (GtkWidget *widget)
{
  return g_object_get_qdata (G_OBJECT (widget), unit_quark);
}

static void
widget_set_unit (GtkWidget *widget,
                 guint      kind,
                 guint64    id)
{
  Unit *unit = widget_get_unit (widget);

  if (unit == NULL)
    {
      unit = g_new0 (Unit, 1);
      g_object_set_qdata_full (G_OBJECT (widget), unit_quark, unit, g_free);
    }
  unit->kind = kind;
  unit->id = id;
}

#define BLOCK(blocks, i) ((ConfabMarkdownBlock *)g_ptr_array_index ((blocks), (i)))

static guint
unit_kind (ConfabMarkdownBlock *block)
{
  /* A heading of another level is another widget (other style classes). */
  return block->type == CONFAB_MARKDOWN_HEADING ? block->type | block->level << 8 : block->type;
}

/* How many blocks from i one widget shows. */
static guint
unit_length (GPtrArray *blocks,
             guint      i)
{
  gsize bytes = 0;
  guint n = 0;

  if (BLOCK (blocks, i)->type != CONFAB_MARKDOWN_PARAGRAPH)
    return 1;

  /* Decided on what comes before a paragraph only, so the one that grows
   * while streaming never moves to another group. */
  while (i + n < blocks->len
         && BLOCK (blocks, i + n)->type == CONFAB_MARKDOWN_PARAGRAPH
         && n < GROUP_MAX_PARAGRAPHS
         && bytes < GROUP_MAX_BYTES)
    {
      bytes += strlen (BLOCK (blocks, i + n)->markup);
      n++;
    }

  return n;
}

static guint64
unit_id (GPtrArray *blocks,
         guint      i,
         guint      n)
{
  guint64 id = BLOCK (blocks, i)->id;

  for (guint k = 1; k < n; k++)
    id ^= BLOCK (blocks, i + k)->id + G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)
          + (id << 6) + (id >> 2);
  return id;
}

/* ---- links */

#if !GTK_CHECK_VERSION (4, 10, 0)
static void
on_uri_shown_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Nothing to open it with, say: the click did nothing, nothing broke. */
  if (!gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error))
    g_message ("Could not open the link: %s", error->message);
}
#else
static void
on_uri_launched_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!gtk_uri_launcher_launch_finish (GTK_URI_LAUNCHER (object), result, &error)
      && !g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED))
    g_message ("Could not open the link: %s", error->message);
}
#endif

/* A link opens when the user clicks it (or presses Enter on it), in the
 * browser or mail client. The parser only makes links that may be opened;
 * this is checked again here, as the last step before another program
 * gets the URI. Returns TRUE: GtkLabel's own handler never runs. */
static gboolean
on_activate_link_cb (GtkLabel   *label,
                     const char *uri,
                     gpointer    user_data)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (label));
  GtkWindow *window = GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;

  if (!confab_markdown_link_is_safe (uri))
    {
      g_message ("Not opening a link to “%s”: only http, https and mailto links open", uri);
      return TRUE;
    }

#if GTK_CHECK_VERSION (4, 10, 0)
  {
    g_autoptr(GtkUriLauncher) launcher = gtk_uri_launcher_new (uri);

    gtk_uri_launcher_launch (launcher, window, NULL, on_uri_launched_cb, NULL);
  }
#else
  gtk_show_uri_full (window, uri, GDK_CURRENT_TIME, NULL, on_uri_shown_cb, NULL);
#endif

  return TRUE;
}

/* ---- leaves */

static GtkWidget *
text_label_new (void)
{
  GtkWidget *label = g_object_new (GTK_TYPE_LABEL,
                                   "use-markup", TRUE,
                                   "wrap", TRUE,
                                   "wrap-mode", PANGO_WRAP_WORD_CHAR,
                                   "xalign", 0.0f,
                                   "selectable", TRUE,
                                   NULL);

  g_signal_connect (label, "activate-link", G_CALLBACK (on_activate_link_cb), NULL);
  return label;
}

static void
label_set_markup (GtkLabel   *label,
                  const char *markup)
{
  if (g_strcmp0 (gtk_label_get_label (label), markup) != 0)
    gtk_label_set_markup (label, markup);
}

static void
update_paragraphs (GtkLabel  *label,
                   GPtrArray *blocks,
                   guint      i,
                   guint      n)
{
  g_autoptr(GString) markup = NULL;

  if (n == 1)
    {
      label_set_markup (label, BLOCK (blocks, i)->markup);
      return;
    }

  markup = g_string_new (NULL);
  for (guint k = 0; k < n; k++)
    {
      if (k > 0)
        g_string_append (markup, "\n\n");
      g_string_append (markup, BLOCK (blocks, i + k)->markup);
    }
  label_set_markup (label, markup->str);
}

static GtkWidget *
heading_new (guint level)
{
  static const char * const classes[] = { "title-2", "title-3", "title-4", "heading" };
  GtkWidget *label = text_label_new ();

  gtk_widget_add_css_class (label, "markdown-heading");
  gtk_widget_add_css_class (label, classes[MIN (level, G_N_ELEMENTS (classes)) - 1]);
  return label;
}

static GtkWidget *
cell_label_new (void)
{
  GtkWidget *label = text_label_new ();

  gtk_widget_add_css_class (label, "cell");
  return label;
}

/* Cells are matched to the widgets at their place in the grid, so a table
 * that grows row by row only gets the new cells. */
static gboolean
update_table (ConfabMarkdownView  *self,
              GtkGrid             *grid,
              ConfabMarkdownBlock *block)
{
  guint n_columns = block->n_columns;
  guint n_rows = block->rows->len;
  g_autofree GtkWidget **cells = NULL;
  guint old_rows = 0;
  guint old_columns = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (grid), "n-columns"));

  if (old_columns != 0 && old_columns != n_columns)
    return FALSE;
  g_object_set_data (G_OBJECT (grid), "n-columns", GUINT_TO_POINTER (n_columns));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (grid));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int row;

      gtk_grid_query_child (grid, child, NULL, &row, NULL, NULL);
      old_rows = MAX (old_rows, (guint)row + 1);
    }

  cells = g_new0 (GtkWidget *, (gsize)MAX (old_rows, n_rows) * n_columns);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (grid)), *next;
       child != NULL;
       child = next)
    {
      int column, row;

      next = gtk_widget_get_next_sibling (child);
      gtk_grid_query_child (grid, child, &column, &row, NULL, NULL);
      if ((guint)row < n_rows && (guint)column < n_columns)
        cells[row * n_columns + column] = child;
      else
        gtk_grid_remove (grid, child);
    }

  for (guint r = 0; r < n_rows; r++)
    {
      char **row = g_ptr_array_index (block->rows, r);

      for (guint c = 0; c < n_columns; c++)
        {
          GtkWidget *cell = cells[r * n_columns + c];
          float xalign;

          if (cell == NULL)
            {
              cell = cell_label_new ();
              gtk_grid_attach (grid, cell, c, r, 1, 1);
              self->stats.created++;
            }

          label_set_markup (GTK_LABEL (cell), row[c]);
          switch (block->alignments[c])
            {
            case CONFAB_MARKDOWN_ALIGN_CENTER: xalign = 0.5f; break;
            case CONFAB_MARKDOWN_ALIGN_RIGHT: xalign = 1.0f; break;
            default: xalign = 0.0f;
            }
          gtk_label_set_xalign (GTK_LABEL (cell), xalign);
          if (r < block->n_header_rows)
            gtk_widget_add_css_class (cell, "header");
          else
            gtk_widget_remove_css_class (cell, "header");
          /* Stripes, and no bottom border under the last row. */
          if (r >= block->n_header_rows && (r - block->n_header_rows) % 2 == 1)
            gtk_widget_add_css_class (cell, "odd");
          else
            gtk_widget_remove_css_class (cell, "odd");
          if (r + 1 == n_rows)
            gtk_widget_add_css_class (cell, "last-row");
          else
            gtk_widget_remove_css_class (cell, "last-row");
        }
    }

  return TRUE;
}

/* ---- containers */

static void reconcile_blocks (ConfabMarkdownView *self,
                              GtkBox             *box,
                              GPtrArray          *blocks,
                              guint               depth);

static char *
list_bullet (ConfabMarkdownBlock *list,
             ConfabMarkdownBlock *item,
             guint                index,
             guint                depth)
{
  static const char * const bullets[] = { "\u2022", "\u25e6", "\u25aa" };

  if (item->task == CONFAB_MARKDOWN_TASK_OPEN)
    return g_strdup ("\u2610");
  if (item->task == CONFAB_MARKDOWN_TASK_DONE)
    return g_strdup ("\u2611");
  if (list->ordered)
    return g_strdup_printf ("%u.", list->start + index);
  return g_strdup (bullets[depth % G_N_ELEMENTS (bullets)]);
}

static GtkWidget *
list_item_new (gboolean ordered)
{
  GtkWidget *item = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *bullet = gtk_label_new (NULL);
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  gtk_widget_set_valign (bullet, GTK_ALIGN_START);
  gtk_label_set_xalign (GTK_LABEL (bullet), ordered ? 1.0f : 0.5f);
  gtk_widget_add_css_class (bullet, "bullet");
  if (ordered)
    gtk_widget_add_css_class (bullet, "numeric");
  /* The text already says it; a reader should not hear "bullet" each time. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (bullet), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_widget_set_hexpand (content, TRUE);
  gtk_box_append (GTK_BOX (item), bullet);
  gtk_box_append (GTK_BOX (item), content);
  return item;
}

static void
update_list (ConfabMarkdownView  *self,
             GtkBox              *box,
             ConfabMarkdownBlock *list,
             guint                depth)
{
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (box));
  int width_chars = 0;

  if (list->ordered)
    {
      g_autofree char *widest = g_strdup_printf ("%u.", list->start + list->children->len);

      width_chars = strlen (widest);
    }

  for (guint i = 0; i < list->children->len; i++)
    {
      ConfabMarkdownBlock *item = BLOCK (list->children, i);
      g_autofree char *bullet_text = list_bullet (list, item, i, depth);
      GtkWidget *bullet;
      Unit *unit;

      if (child == NULL)
        {
          child = list_item_new (list->ordered);
          gtk_box_append (box, child);
          self->stats.created++;
        }
      else if ((unit = widget_get_unit (child)) != NULL && unit->id == item->id)
        self->stats.kept++;
      else
        self->stats.updated++;

      bullet = gtk_widget_get_first_child (child);
      if (g_strcmp0 (gtk_label_get_label (GTK_LABEL (bullet)), bullet_text) != 0)
        gtk_label_set_label (GTK_LABEL (bullet), bullet_text);
      gtk_label_set_width_chars (GTK_LABEL (bullet), width_chars);

      unit = widget_get_unit (child);
      if (unit == NULL || unit->id != item->id)
        {
          reconcile_blocks (self, GTK_BOX (gtk_widget_get_last_child (child)), item->children,
                            depth + 1);
          widget_set_unit (child, CONFAB_MARKDOWN_LIST_ITEM, item->id);
        }

      child = gtk_widget_get_next_sibling (child);
    }

  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      gtk_box_remove (box, child);
      self->stats.removed++;
      child = next;
    }
}

/* Makes the empty widget for a block; update_unit() fills it. */
static GtkWidget *
create_unit (ConfabMarkdownBlock *block)
{
  GtkWidget *widget;

  switch (block->type)
    {
    case CONFAB_MARKDOWN_PARAGRAPH:
      return text_label_new ();

    case CONFAB_MARKDOWN_HEADING:
      return heading_new (block->level);

    case CONFAB_MARKDOWN_LIST:
      widget = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      gtk_widget_add_css_class (widget, "markdown-list");
      if (block->ordered)
        gtk_widget_add_css_class (widget, "ordered");
      return widget;

    case CONFAB_MARKDOWN_QUOTE:
      widget = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
      gtk_widget_add_css_class (widget, "markdown-quote");
      return widget;

    case CONFAB_MARKDOWN_CODE:
      return confab_code_block_new ();

    case CONFAB_MARKDOWN_TABLE:
      widget = gtk_grid_new ();
      gtk_widget_set_halign (widget, GTK_ALIGN_START);
      gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
      gtk_widget_add_css_class (widget, "markdown-table");
      return widget;

    case CONFAB_MARKDOWN_RULE:
      return gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);

    case CONFAB_MARKDOWN_LIST_ITEM:
    default:
      /* Items only ever appear inside lists (update_list). */
      g_return_val_if_reached (gtk_label_new (NULL));
    }
}

/* Returns FALSE when the widget cannot show the block: it is replaced. */
static gboolean
update_unit (ConfabMarkdownView *self,
             GtkWidget          *widget,
             GPtrArray          *blocks,
             guint               i,
             guint               n,
             guint               depth)
{
  ConfabMarkdownBlock *block = BLOCK (blocks, i);

  switch (block->type)
    {
    case CONFAB_MARKDOWN_PARAGRAPH:
      update_paragraphs (GTK_LABEL (widget), blocks, i, n);
      return TRUE;

    case CONFAB_MARKDOWN_HEADING:
      label_set_markup (GTK_LABEL (widget), block->markup);
      return TRUE;

    case CONFAB_MARKDOWN_LIST:
      /* Numbers and bullets are laid out differently: a new list. */
      if (gtk_widget_has_css_class (widget, "ordered") != block->ordered)
        return FALSE;
      update_list (self, GTK_BOX (widget), block, depth);
      return TRUE;

    case CONFAB_MARKDOWN_QUOTE:
      reconcile_blocks (self, GTK_BOX (widget), block->children, depth);
      return TRUE;

    case CONFAB_MARKDOWN_CODE:
      confab_code_block_set_language (CONFAB_CODE_BLOCK (widget), block->language);
      confab_code_block_set_code (CONFAB_CODE_BLOCK (widget), block->text);
      return TRUE;

    case CONFAB_MARKDOWN_TABLE:
      return update_table (self, GTK_GRID (widget), block);

    case CONFAB_MARKDOWN_RULE:
    case CONFAB_MARKDOWN_LIST_ITEM:
    default:
      return TRUE;
    }
}

/* Walks the blocks and the box's children side by side (see the top). */
static void
reconcile_blocks (ConfabMarkdownView *self,
                  GtkBox             *box,
                  GPtrArray          *blocks,
                  guint               depth)
{
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (box));
  GtkWidget *previous = NULL;

  for (guint i = 0, n; i < blocks->len; i += n)
    {
      ConfabMarkdownBlock *block = BLOCK (blocks, i);
      guint kind = unit_kind (block);
      guint64 id;
      Unit *unit;

      n = unit_length (blocks, i);
      id = unit_id (blocks, i, n);
      unit = child != NULL ? widget_get_unit (child) : NULL;

      if (unit != NULL && unit->kind == kind && unit->id == id)
        self->stats.kept++;
      else if (unit != NULL && unit->kind == kind
               && update_unit (self, child, blocks, i, n, depth))
        {
          unit->id = id;
          self->stats.updated++;
        }
      else
        {
          GtkWidget *widget = create_unit (block);

          update_unit (self, widget, blocks, i, n, depth);
          widget_set_unit (widget, kind, id);
          gtk_box_insert_child_after (box, widget, previous);
          if (child != NULL)
            {
              gtk_box_remove (box, child);
              self->stats.removed++;
            }
          self->stats.created++;
          child = widget;
        }

      previous = child;
      child = gtk_widget_get_next_sibling (child);
    }

  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      gtk_box_remove (box, child);
      self->stats.removed++;
      child = next;
    }
}

/* ---- a long text's beginning */

/* An opening or closing ``` or ~~~ fence, roughly: only costs depend on it. */
static gboolean
is_fence (const char *line,
          gsize       length)
{
  gsize i = 0;

  while (i < 3 && i < length && line[i] == ' ')
    i++;

  return length - i >= 3
         && (memcmp (line + i, "```", 3) == 0 || memcmp (line + i, "~~~", 3) == 0);
}

/* How many bytes from the start of text to show: all of it, or whole
 * lines while their cost fits in SHOWN_BUDGET. Looks at no more than
 * SHOWN_MAX bytes, whatever the length. */
static gsize
shown_length (const char *text,
              gsize       length)
{
  const char *end = text + MIN (length, SHOWN_MAX);
  const char *p = text;
  gsize cost = 0;
  gboolean code = FALSE;

  while (p < end)
    {
      const char *newline = memchr (p, '\n', end - p);
      const char *next = newline != NULL ? newline + 1 : text + length;
      gsize bytes = next - p;
      gboolean fence = is_fence (p, bytes);
      gsize line_cost;

      if (fence && !code)
        line_cost = FENCE_COST;
      else if (code)
        line_cost = bytes / CODE_COST_DIVISOR;
      else
        line_cost = bytes + (bytes > 1 ? LINE_COST : 0);

      if (next > end || cost + line_cost > SHOWN_BUDGET)
        break;

      cost += line_cost;
      if (fence)
        code = !code;
      p = next;
    }

  /* A first line too long for the budget: cut it at a character. */
  if (p == text && length > 0)
    {
      p = text + MIN (length, SHOWN_BUDGET);
      while (p > text && (*p & 0xC0) == 0x80)
        p--;
    }

  return p - text;
}

static void
on_open_full_text_cb (ConfabMarkdownView *self,
                      GtkButton          *button)
{
  g_signal_emit (self, signals[OPEN_FULL_TEXT], 0);
}

/* "This message is 4.0 MiB long…" and "Open Full Text" under the blocks. */
static GtkWidget *
notice_new (ConfabMarkdownView *self)
{
  GtkWidget *notice = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = g_object_new (GTK_TYPE_IMAGE,
                                  "icon-name", "dialog-information-symbolic",
                                  "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                  NULL);
  GtkWidget *label = g_object_new (GTK_TYPE_LABEL,
                                   "wrap", TRUE,
                                   "wrap-mode", PANGO_WRAP_WORD_CHAR,
                                   "xalign", 0.0f,
                                   "hexpand", TRUE,
                                   NULL);
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Open Full Text"));

  gtk_widget_add_css_class (notice, "truncated-notice");
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Show the whole text in a window"));
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_open_full_text_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (notice), icon);
  gtk_box_append (GTK_BOX (notice), label);
  gtk_box_append (GTK_BOX (notice), button);
  gtk_widget_set_visible (notice, FALSE);

  self->notice_label = GTK_LABEL (label);
  return notice;
}

static void
update_notice (ConfabMarkdownView *self)
{
  gboolean truncated = self->shown_length < self->text_length;

  if (truncated)
    {
      g_autofree char *size = g_format_size_full (self->text_length, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *text = NULL;

      /* Translators: %s is a size, "4.0 MiB" */
      text = g_strdup_printf (_("This message is %s long; only its beginning is shown here."),
                              size);
      if (g_strcmp0 (gtk_label_get_label (self->notice_label), text) != 0)
        gtk_label_set_label (self->notice_label, text);
    }

  if (gtk_widget_get_visible (self->notice) != truncated)
    {
      gtk_widget_set_visible (self->notice, truncated);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRUNCATED]);
    }
}

/* ---- rendering streamed text a dozen times a second */

void
confab_frame_render_init (ConfabFrameRender     *self,
                          GtkWidget             *owner,
                          ConfabFrameRenderFunc  render)
{
  g_return_if_fail (GTK_IS_WIDGET (owner));
  g_return_if_fail (render != NULL);

  *self = (ConfabFrameRender) { .owner = owner, .render = render };
}

void
confab_frame_render_cancel (ConfabFrameRender *self)
{
  if (self->tick != 0)
    {
      gtk_widget_remove_tick_callback (self->owner, self->tick);
      self->tick = 0;
    }
  g_clear_handle_id (&self->timeout, g_source_remove);
}

void
confab_frame_render_now (ConfabFrameRender *self)
{
  confab_frame_render_cancel (self);
  self->dirty = FALSE;
  self->n_renders++;
  self->last_render = g_get_monotonic_time ();
  self->render (self->owner);
}

static gboolean
frame_render_tick_cb (GtkWidget     *widget,
                      GdkFrameClock *frame_clock,
                      gpointer       user_data)
{
  ConfabFrameRender *self = user_data;

  /* One shot: the next change adds a new callback. */
  self->tick = 0;
  confab_frame_render_now (self);
  return G_SOURCE_REMOVE;
}

static gboolean
frame_render_timeout_cb (gpointer user_data)
{
  ConfabFrameRender *self = user_data;

  self->timeout = 0;
  confab_frame_render_now (self);
  return G_SOURCE_REMOVE;
}

void
confab_frame_render_queue (ConfabFrameRender *self)
{
  gint64 wait_ms;

  self->dirty = TRUE;

  if (self->tick != 0 || self->timeout != 0 || !gtk_widget_get_mapped (self->owner))
    return;

  wait_ms = (self->last_render - g_get_monotonic_time ()) / 1000 + CONFAB_FRAME_RENDER_INTERVAL_MS;
  if (wait_ms <= 0)
    self->tick = gtk_widget_add_tick_callback (self->owner, frame_render_tick_cb, self, NULL);
  else
    self->timeout = g_timeout_add (wait_ms, frame_render_timeout_cb, self);
}

/* ---- the view */

GtkWidget *
confab_markdown_view_new (void)
{
  return g_object_new (CONFAB_TYPE_MARKDOWN_VIEW, NULL);
}

const char *
confab_markdown_view_get_text (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), NULL);

  return self->text;
}

gboolean
confab_markdown_view_get_truncated (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), FALSE);

  return self->shown_length < self->text_length;
}

gsize
confab_markdown_view_get_text_length (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), 0);

  return self->text_length;
}

void
confab_markdown_view_set_text (ConfabMarkdownView *self,
                               const char         *text)
{
  g_autoptr(GPtrArray) blocks = NULL;
  gsize length;
  gsize shown;

  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  if (text == NULL)
    text = "";
  length = strlen (text);
  shown = shown_length (text, length);

  memset (&self->stats, 0, sizeof self->stats);
  self->text_length = length;
  /* A long reply streaming on past what is shown changes only the size. */
  if (shown == self->shown_length && memcmp (self->text, text, shown) == 0)
    {
      update_notice (self);
      return;
    }

  g_free (self->text);
  self->text = g_strndup (text, shown);
  self->shown_length = shown;

  blocks = confab_markdown_parse (self->text, shown);
  reconcile_blocks (self, self->box, blocks, 0);
  update_notice (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

void
confab_markdown_view_get_stats (ConfabMarkdownView      *self,
                                ConfabMarkdownViewStats *stats)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
}

static void
confab_markdown_view_dispose (GObject *object)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  if (self->box != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->box));
      self->box = NULL;
    }
  if (self->notice != NULL)
    {
      gtk_widget_unparent (self->notice);
      self->notice = NULL;
      self->notice_label = NULL;
    }

  G_OBJECT_CLASS (confab_markdown_view_parent_class)->dispose (object);
}

static void
confab_markdown_view_finalize (GObject *object)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  g_free (self->text);

  G_OBJECT_CLASS (confab_markdown_view_parent_class)->finalize (object);
}

static void
confab_markdown_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    case PROP_TRUNCATED:
      g_value_set_boolean (value, confab_markdown_view_get_truncated (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_markdown_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      confab_markdown_view_set_text (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_markdown_view_class_init (ConfabMarkdownViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_markdown_view_dispose;
  object_class->finalize = confab_markdown_view_finalize;
  object_class->get_property = confab_markdown_view_get_property;
  object_class->set_property = confab_markdown_view_set_property;

  /* Set: the whole text. Read: what is shown of it (all of it unless
   * :truncated). */
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TRUNCATED] =
    g_param_spec_boolean ("truncated", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* "Open Full Text" was clicked: the owner, which has the text, shows it. */
  signals[OPEN_FULL_TEXT] =
    g_signal_new ("open-full-text",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  unit_quark = g_quark_from_static_string ("confab-markdown-unit");

  gtk_widget_class_set_css_name (widget_class, "markdown");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

static void
confab_markdown_view_init (ConfabMarkdownView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);

  self->text = g_strdup ("");
  self->box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 12));
  gtk_widget_set_parent (GTK_WIDGET (self->box), GTK_WIDGET (self));
  self->notice = notice_new (self);
  gtk_widget_set_parent (self->notice, GTK_WIDGET (self));
}
