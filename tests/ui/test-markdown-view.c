/* test-markdown-view.c: the message rendering widgets under a real display:
 * markup GtkLabel accepts, incremental updates, copying code, and a
 * streaming row that renders at most once per frame and interval.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "confab-code-block.h"
#include "confab-markdown-view.h"
#include "confab-message-row.h"
#include "confab-store-private.h"
#include "confab-test-markdown.h"
#include "confab-text-window.h"
#include "confab-test-utils.h"

/* ---- helpers */

static void
wait_until (gboolean (*done) (gpointer), gpointer data, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Runs the main loop for a while, frames included. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* The widget tree as text: types, and what labels and code blocks show. */
static void
describe (GtkWidget *widget,
          GString   *out,
          guint      depth)
{
  g_string_append_printf (out, "%*s%s", depth * 2, "", G_OBJECT_TYPE_NAME (widget));
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, " [%s]", gtk_label_get_label (GTK_LABEL (widget)));
  g_string_append_c (out, '\n');

  if (CONFAB_IS_CODE_BLOCK (widget))
    {
      g_string_append_printf (out, "%*scode %s [%s]\n", depth * 2 + 2, "",
                              confab_code_block_get_language (CONFAB_CODE_BLOCK (widget)),
                              confab_code_block_get_code (CONFAB_CODE_BLOCK (widget)));
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    describe (child, out, depth + 1);
}

static char *
describe_view (GtkWidget *view)
{
  GString *out = g_string_new (NULL);

  describe (view, out, 0);
  return g_string_free (out, FALSE);
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
find_label_text (GtkWidget  *widget,
                 const char *text)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (find_label_text (child, text))
      return TRUE;
  return FALSE;
}

/* The top-level widgets the view made (its box's children). */
static GtkWidget *
first_block_widget (GtkWidget *view)
{
  return gtk_widget_get_first_child (gtk_widget_get_first_child (view));
}

/* ---- the view */

static void
test_constructs (void)
{
  GtkWidget *view = g_object_ref_sink (confab_markdown_view_new ());
  g_autofree char *code = g_strconcat (confab_test_markdown_tour_code, "\n", NULL);
  GtkWidget *block, *grid;
  int rows = 0;

  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), confab_test_markdown_tour);

  g_assert_true (find_label_text (view, "Markdown Tour"));
  g_assert_true (find_label_text (view, "Apples & pears"));
  g_assert_true (find_label_text (view, "Blood oranges"));
  g_assert_true (find_label_text (view, "shown as text"));
  g_assert_true (find_label_text (view, "That is all."));

  block = find_widget (view, CONFAB_TYPE_CODE_BLOCK);
  g_assert_nonnull (block);
  g_assert_cmpstr (confab_code_block_get_language (CONFAB_CODE_BLOCK (block)), ==, "c");
  g_assert_cmpstr (confab_code_block_get_code (CONFAB_CODE_BLOCK (block)), ==, code);

  grid = find_widget (view, GTK_TYPE_GRID);
  g_assert_nonnull (grid);
  for (GtkWidget *cell = gtk_widget_get_first_child (grid); cell; cell = gtk_widget_get_next_sibling (cell))
    rows++;
  g_assert_cmpint (rows, ==, 4 * 3);
  g_assert_true (find_label_text (grid, "Python"));
  g_assert_true (gtk_widget_has_css_class (gtk_grid_get_child_at (GTK_GRID (grid), 0, 0), "header"));
  g_assert_cmpfloat (gtk_label_get_xalign (GTK_LABEL (gtk_grid_get_child_at (GTK_GRID (grid), 2, 1))),
                     ==, 1.0);

  g_assert_finalize_object (view);
}

/* GtkLabel warns (fatal here) about any markup it cannot parse. */
static void
test_hostile (void)
{
  static const char * const inputs[] = {
    "<", "&", "*", "**a", "<b>", "</span>", "[a](javascript:x)", "![", "`<`",
    "\x01\x02\x7f", "\xff\xfe", "\xc3", "&#0; &#xD800; &bogus;", "| <b> |\n|---|\n| & |",
    "[[x](https://a.example)](https://b.example)", "www.a.example/<script>",
    "```\n<&>\n```", "> > > - - - *deep*", "a\0b",
  };
  GtkWidget *view = g_object_ref_sink (confab_markdown_view_new ());
  static const char alphabet[] = "*_`~[]()<>!#-+|:\\&;\n \t>1.xhttps://w.\xc3\xa9\xff\x01";

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), inputs[i]);

  for (guint round = 0; round < 300; round++)
    {
      char text[200];
      guint len = g_test_rand_int_range (0, sizeof text - 1);

      for (guint i = 0; i < len; i++)
        text[i] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
      text[len] = '\0';
      confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), text);
    }

  g_assert_finalize_object (view);
}

static void
test_incremental (void)
{
  GtkWidget *view = g_object_ref_sink (confab_markdown_view_new ());
  GtkWidget *fresh = g_object_ref_sink (confab_markdown_view_new ());
  /* Long, but not so long that the view shows only its beginning. */
  g_autofree char *text = confab_test_long_markdown (600);
  g_autofree char *more = g_strconcat (text, "\nOne more paragraph.", NULL);
  g_autofree char *code1 = g_strconcat (more, "\n\n```py\nx = 1\n", NULL);
  g_autofree char *code2 = g_strconcat (code1, "y = 2\n", NULL);
  g_autofree char *streamed_tree = NULL;
  g_autofree char *fresh_tree = NULL;
  ConfabMarkdownViewStats stats;
  GtkWidget *first, *code_block;
  gsize len;

  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), text);
  g_assert_false (confab_markdown_view_get_truncated (CONFAB_MARKDOWN_VIEW (view)));
  confab_markdown_view_get_stats (CONFAB_MARKDOWN_VIEW (view), &stats);
  g_assert_cmpuint (stats.created, >, 200);
  first = first_block_widget (view);

  /* A new paragraph at the end: one widget more (or the last paragraph
   * group updated), everything else kept as it was. */
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), more);
  confab_markdown_view_get_stats (CONFAB_MARKDOWN_VIEW (view), &stats);
  g_assert_cmpuint (stats.created + stats.updated, ==, 1);
  g_assert_cmpuint (stats.removed, ==, 0);
  g_assert_cmpuint (stats.kept, >, 50);
  g_assert_true (first_block_widget (view) == first);

  /* A code block that grows: the same widget, its text appended. */
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), code1);
  code_block = gtk_widget_get_last_child (gtk_widget_get_first_child (view));
  g_assert_true (CONFAB_IS_CODE_BLOCK (code_block));
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), code2);
  confab_markdown_view_get_stats (CONFAB_MARKDOWN_VIEW (view), &stats);
  g_assert_cmpuint (stats.created, ==, 0);
  g_assert_cmpuint (stats.updated, ==, 1);
  g_assert_true (gtk_widget_get_last_child (gtk_widget_get_first_child (view)) == code_block);
  g_assert_cmpstr (confab_code_block_get_code (CONFAB_CODE_BLOCK (code_block)), ==, "x = 1\ny = 2\n");

  /* The tour streamed a few bytes at a time ends up exactly like the tour
   * rendered at once. */
  len = strlen (confab_test_markdown_tour);
  for (gsize cut = 0; cut <= len; cut += 3)
    {
      g_autofree char *prefix = g_strndup (confab_test_markdown_tour, cut);

      confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), prefix);
    }
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), confab_test_markdown_tour);
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (fresh), confab_test_markdown_tour);
  streamed_tree = describe_view (view);
  fresh_tree = describe_view (fresh);
  g_assert_cmpstr (streamed_tree, ==, fresh_tree);

  g_assert_finalize_object (view);
  g_assert_finalize_object (fresh);
}

/* ---- a text too long to show whole (issue #10) */

static void
on_open_full_text_cb (ConfabMarkdownView *view,
                      guint              *count)
{
  (*count)++;
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The label of the notice, when it shows. */
static GtkWidget *
find_notice (GtkWidget *view)
{
  for (GtkWidget *child = gtk_widget_get_first_child (view);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_has_css_class (child, "truncated-notice"))
      return gtk_widget_get_visible (child) ? find_widget (child, GTK_TYPE_LABEL) : NULL;
  return NULL;
}

static void
test_long (void)
{
  GtkWidget *view = g_object_ref_sink (confab_markdown_view_new ());
  g_autofree char *text = confab_test_long_markdown (180000);
  g_autofree char *longer = g_strconcat (text, "\nOne more paragraph.", NULL);
  gsize length = strlen (text);
  const char *shown;
  GtkWidget *notice, *button;
  ConfabMarkdownViewStats stats;
  guint opened = 0;
  gint64 start;
  double build_ms, update_ms;

  g_assert_cmpuint (length, >, 4 * 1000 * 1000);
  g_signal_connect (view, "open-full-text", G_CALLBACK (on_open_full_text_cb), &opened);

  /* 4 MB of Markdown: its beginning, whole lines, and a notice. */
  start = g_get_monotonic_time ();
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), text);
  build_ms = (g_get_monotonic_time () - start) / 1000.0;
  shown = confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (view));
  g_test_message ("a %" G_GSIZE_FORMAT "-byte text: %" G_GSIZE_FORMAT " bytes shown, built in "
                  "%.1f ms", length, strlen (shown), build_ms);
  g_assert_true (confab_markdown_view_get_truncated (CONFAB_MARKDOWN_VIEW (view)));
  g_assert_cmpuint (confab_markdown_view_get_text_length (CONFAB_MARKDOWN_VIEW (view)), ==, length);
  g_assert_cmpuint (strlen (shown), >, 8 * 1024);
  g_assert_cmpuint (strlen (shown), <, 64 * 1024);
  g_assert_true (strncmp (shown, text, strlen (shown)) == 0);
  g_assert_cmpint (shown[strlen (shown) - 1], ==, '\n');
  g_assert_false (find_label_text (view, "The end of the long reply."));
  /* The whole text took 10 s here before (bench/); a generous bound. */
  g_assert_cmpfloat (build_ms, <, 1000);
  notice = find_notice (view);
  g_assert_nonnull (notice);
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (notice)),
                            "only its beginning is shown here"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (notice)), "MiB long"));

  /* Streaming on past what is shown: no widget touched, nothing parsed. */
  start = g_get_monotonic_time ();
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), longer);
  update_ms = (g_get_monotonic_time () - start) / 1000.0;
  confab_markdown_view_get_stats (CONFAB_MARKDOWN_VIEW (view), &stats);
  g_test_message ("a streaming update of the 4 MB text: %.2f ms", update_ms);
  g_assert_cmpuint (stats.created + stats.updated + stats.removed + stats.kept, ==, 0);
  g_assert_true (confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (view)) == shown);
  g_assert_cmpuint (confab_markdown_view_get_text_length (CONFAB_MARKDOWN_VIEW (view)), ==,
                    strlen (longer));
  g_assert_cmpfloat (update_ms, <, 100);

  /* The button asks the owner to show it all. */
  button = find_button (view, "_Open Full Text");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (opened, ==, 1);

  /* Another, short text (a recycled row): all of it, no notice. */
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), "Short *and* sweet.");
  g_assert_false (confab_markdown_view_get_truncated (CONFAB_MARKDOWN_VIEW (view)));
  g_assert_null (find_notice (view));
  g_assert_cmpstr (confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (view)), ==,
                   "Short *and* sweet.");
  g_assert_true (find_label_text (view, "Short and sweet."));

  g_assert_finalize_object (view);
}

static void
test_long_kinds (void)
{
  GtkWidget *view = g_object_ref_sink (confab_markdown_view_new ());
  g_autoptr(GString) code = g_string_new ("Here it is:\n\n```c\n");
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GString) prose = g_string_new (NULL);
  const char *shown;

  /* Code costs less: 100 KB of it in a reply show whole. */
  while (code->len < 100 * 1000)
    g_string_append (code, "int value = compute (1, 2, \"text\"); /* a comment */\n");
  g_string_append (code, "```\n\nThat is all.\n");
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), code->str);
  g_assert_false (confab_markdown_view_get_truncated (CONFAB_MARKDOWN_VIEW (view)));
  g_assert_true (find_label_text (view, "That is all."));

  /* One line of 1 MB, no newline anywhere: cut at a character. */
  while (line->len < 1000 * 1000)
    g_string_append (line, "d\xc3\xa9j\xc3\xa0 vu ");
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), line->str);
  shown = confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (view));
  g_assert_true (confab_markdown_view_get_truncated (CONFAB_MARKDOWN_VIEW (view)));
  g_assert_cmpuint (strlen (shown), >, 16 * 1024);
  g_assert_cmpuint (strlen (shown), <=, 64 * 1024);
  g_assert_true (g_utf8_validate (shown, -1, NULL));

  /* Prose streaming past the limit: the shown part never changes after. */
  while (prose->len < 300 * 1000)
    {
      g_string_append_printf (prose, "Paragraph %u goes on for a while, as prose does. ",
                              (guint)prose->len);
      if (prose->len % 7 == 0)
        g_string_append (prose, "\n\n");
      confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), prose->str);
    }
  g_assert_true (confab_markdown_view_get_truncated (CONFAB_MARKDOWN_VIEW (view)));
  shown = confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (view));
  g_assert_true (strncmp (shown, prose->str, strlen (shown)) == 0);
  g_assert_cmpuint (strlen (shown), >, 16 * 1024);

  g_assert_finalize_object (view);
}

/* Not a pass/fail test: the numbers go to the log (see also bench/). */
static void
test_timing (void)
{
  GtkWidget *view = g_object_ref_sink (confab_markdown_view_new ());
  g_autofree char *text = confab_test_long_markdown (5000);
  g_autofree char *more = g_strconcat (text, "\nOne more paragraph.", NULL);
  gint64 start;
  double full, incremental;

  start = g_get_monotonic_time ();
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), text);
  full = (g_get_monotonic_time () - start) / 1000.0;

  start = g_get_monotonic_time ();
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), more);
  incremental = (g_get_monotonic_time () - start) / 1000.0;

  g_test_message ("5,000 lines: full build %.1f ms, one paragraph more %.2f ms", full, incremental);
  g_assert_finalize_object (view);
}

/* ---- the code block */

static void
on_clipboard_text_cb (GObject      *clipboard,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (clipboard), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_set (gpointer data)
{
  return *(char **)data != NULL;
}

static void
test_code_block_copy (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *block = confab_code_block_new ();
  GtkWidget *button;
  g_autofree char *text = NULL;

  confab_code_block_set_language (CONFAB_CODE_BLOCK (block), "py");
  confab_code_block_set_code (CONFAB_CODE_BLOCK (block), "print ('a')\n");
  confab_code_block_set_code (CONFAB_CODE_BLOCK (block), "print ('a')\nprint ('b')\n");
  gtk_window_set_child (GTK_WINDOW (window), block);
  gtk_window_present (GTK_WINDOW (window));

  button = find_widget (block, GTK_TYPE_BUTTON);
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "edit-copy-symbolic");
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "object-select-symbolic");

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (block), NULL,
                                 on_clipboard_text_cb, &text);
  wait_until (is_set, &text, "the clipboard");
  g_assert_cmpstr (text, ==, "print ('a')\nprint ('b')");

  /* New code is not what was copied any more. */
  confab_code_block_set_code (CONFAB_CODE_BLOCK (block), "print ('c')\n");
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "edit-copy-symbolic");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- the message row */

typedef struct
{
  ConfabMessageRow *row;
  guint             renders;
} RenderWait;

static gboolean
rendered_again (gpointer data)
{
  RenderWait *wait = data;

  return confab_message_row_get_n_renders (wait->row) > wait->renders;
}

/* A delta per call, as a provider streams them. */
typedef struct
{
  ConfabMessage *message;
  GString       *content;
  guint          left;
} Feed;

static gboolean
feed_cb (gpointer data)
{
  Feed *feed = data;

  /* In memory, as the chat controller streams (the store's writes are
   * batched, and a slow disk here would pace the deltas instead). */
  g_string_append_printf (feed->content, "w%u ", feed->left);
  _confab_message_set_content (feed->message, feed->content->str);
  return --feed->left > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static void
test_row_streaming (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
  g_autoptr(ConfabStore) store = confab_test_store_new (path);
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "Project");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "Chat");
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(ConfabMessage) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) content = g_string_new (NULL);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *row = confab_message_row_new ();
  GtkWidget *view;
  GtkWidget *spinner;
  RenderWait wait = { CONFAB_MESSAGE_ROW (row), 0 };
  Feed feed;
  gint64 start;
  gint64 elapsed_ms;
  guint renders;

  message = confab_test_add_message (store, confab_chat_get_id (chat), 0, CONFAB_ROLE_ASSISTANT,
                                     CONFAB_MESSAGE_STATUS_STREAMING, "");
  other = confab_test_add_text (store, chat, 0, "Another message");

  gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);
  gtk_window_set_child (GTK_WINDOW (window), row);
  confab_message_row_set_message (CONFAB_MESSAGE_ROW (row), message);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (is_mapped, row, "the row on screen");
  spin (100);
  renders = confab_message_row_get_n_renders (CONFAB_MESSAGE_ROW (row));
  /* Waiting for the first words: the spinner turns. */
  spinner = find_widget (row, GTK_TYPE_SPINNER);
  g_assert_true (gtk_widget_get_visible (spinner));
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));

  /* A burst of deltas between two frames: nothing rendered yet... */
  for (guint i = 0; i < 200; i++)
    {
      g_string_append_printf (content, "word%u ", i);
      if (i % 40 == 39)
        g_string_append (content, "\n\n");
      g_assert_true (confab_store_set_message_content (store, message, content->str, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (confab_message_row_get_n_renders (CONFAB_MESSAGE_ROW (row)), ==, renders);

  /* ...then one render on the next frame, and none while idle. */
  wait.renders = renders;
  wait_until (rendered_again, &wait, "a render on the next frame");
  g_assert_cmpuint (confab_message_row_get_n_renders (CONFAB_MESSAGE_ROW (row)), ==, renders + 1);
  spin (200);
  g_assert_cmpuint (confab_message_row_get_n_renders (CONFAB_MESSAGE_ROW (row)), ==, renders + 1);
  view = find_widget (row, CONFAB_TYPE_MARKDOWN_VIEW);
  g_assert_cmpstr (confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (view)), ==, content->str);
  /* The words show it streams: a spinner turning all along would
   * repaint the window every frame. */
  g_assert_false (gtk_widget_get_visible (spinner));
  g_assert_false (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));

  /* Deltas every 5 ms: at most one render per interval, not one per
   * frame (at 60 frames a second, 5 times as many). */
  /* A short text: laying out a long one can take longer than the interval
   * on a slow machine, and then every delta rightly renders. */
  g_string_assign (content, "Short.");
  _confab_message_set_content (message, content->str);
  spin (2 * CONFAB_FRAME_RENDER_INTERVAL_MS);
  renders = confab_message_row_get_n_renders (CONFAB_MESSAGE_ROW (row));
  feed = (Feed) { message, content, 80 };
  start = g_get_monotonic_time ();
  g_timeout_add (5, feed_cb, &feed);
  while (feed.left > 0)
    g_main_context_iteration (NULL, TRUE);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("%u renders for 80 deltas in %" G_GINT64_FORMAT " ms",
                  confab_message_row_get_n_renders (CONFAB_MESSAGE_ROW (row)) - renders, elapsed_ms);
  g_assert_cmpuint (confab_message_row_get_n_renders (CONFAB_MESSAGE_ROW (row)) - renders, <=,
                    elapsed_ms / CONFAB_FRAME_RENDER_INTERVAL_MS + 2);
  g_assert_cmpuint (confab_message_row_get_n_renders (CONFAB_MESSAGE_ROW (row)), >, renders);

  /* The last delta shows as soon as the reply finishes. */
  g_string_append (content, "**done**");
  g_assert_true (confab_store_set_message_content (store, message, content->str, &error));
  g_assert_true (confab_store_finish_message (store, message, CONFAB_MESSAGE_STATUS_COMPLETE,
                                              NULL, 10, 20, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (view)), ==, content->str);

  /* Recycled for another message: the first one no longer reaches it. */
  confab_message_row_set_message (CONFAB_MESSAGE_ROW (row), other);
  g_assert_true (find_label_text (row, "Another message"));
  renders = confab_message_row_get_n_renders (CONFAB_MESSAGE_ROW (row));
  g_assert_true (confab_store_set_message_content (store, message, "changed later", &error));
  spin (100);
  g_assert_cmpuint (confab_message_row_get_n_renders (CONFAB_MESSAGE_ROW (row)), ==, renders);
  g_assert_true (find_label_text (row, "Another message"));

  /* The search highlight follows the message id. */
  confab_message_row_set_highlight_id (CONFAB_MESSAGE_ROW (row), confab_message_get_id (other));
  g_assert_true (gtk_widget_has_css_class (row, "highlighted"));
  confab_message_row_set_message (CONFAB_MESSAGE_ROW (row), message);
  g_assert_false (gtk_widget_has_css_class (row, "highlighted"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&message);
  g_clear_object (&other);
  g_clear_object (&chat);
  g_clear_object (&project);
  g_clear_object (&store);
  confab_test_rm_rf (dir);
}

/* A message row with a 4 MB reply: its notice's button runs
 * message.open-full-text with the message's id; the window it opens has
 * all of the text, and copies all of it. */
static void
on_open_full_text_activate_cb (GSimpleAction *action,
                               GVariant      *parameter,
                               gint64        *id)
{
  *id = g_variant_get_int64 (parameter);
}

static void
test_row_long (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "confab.db", NULL);
  g_autoptr(ConfabStore) store = confab_test_store_new (path);
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "Project");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "Chat");
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) action = g_simple_action_new ("open-full-text", G_VARIANT_TYPE_INT64);
  g_autofree char *text = confab_test_long_markdown (180000);
  g_autofree char *copied = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *row = confab_message_row_new ();
  GtkWidget *view, *button, *avatar, *text_window, *text_view;
  graphene_rect_t avatar_bounds, view_bounds;
  GtkTextBuffer *buffer;
  gint64 opened = 0;
  gint64 start;

  message = confab_test_add_message (store, confab_chat_get_id (chat), 0, CONFAB_ROLE_ASSISTANT,
                                     CONFAB_MESSAGE_STATUS_COMPLETE, text);
  g_signal_connect (action, "activate", G_CALLBACK (on_open_full_text_activate_cb), &opened);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
  gtk_widget_insert_action_group (window, "message", G_ACTION_GROUP (group));

  gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);
  gtk_window_set_child (GTK_WINDOW (window), row);
  confab_message_row_set_message (CONFAB_MESSAGE_ROW (row), message);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (is_mapped, row, "the row on screen");
  spin (100);

  view = find_widget (row, CONFAB_TYPE_MARKDOWN_VIEW);
  g_assert_true (confab_markdown_view_get_truncated (CONFAB_MARKDOWN_VIEW (view)));
  g_assert_nonnull (find_notice (view));
  /* The avatar, then the text beside it. */
  avatar = find_widget (row, ADW_TYPE_AVATAR);
  g_assert_true (gtk_widget_compute_bounds (avatar, row, &avatar_bounds));
  g_assert_true (gtk_widget_compute_bounds (view, row, &view_bounds));
  g_assert_cmpfloat (view_bounds.origin.x, >=, avatar_bounds.origin.x + avatar_bounds.size.width);
  g_assert_cmpfloat (view_bounds.size.width, >, 300);

  button = find_button (view, "_Open Full Text");
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpint (opened, ==, confab_message_get_id (message));

  /* The window the chat view opens for it. */
  start = g_get_monotonic_time ();
  text_window = confab_text_window_new (GTK_WINDOW (window), "gpt-test",
                                        confab_message_get_content (message));
  gtk_window_present (GTK_WINDOW (text_window));
  wait_until (is_mapped, text_window, "the Full Text window on screen");
  g_test_message ("the Full Text window of a %" G_GSIZE_FORMAT "-byte text: on screen after "
                  "%.0f ms", strlen (text), (g_get_monotonic_time () - start) / 1000.0);
  text_view = find_widget (text_window, GTK_TYPE_TEXT_VIEW);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), ==, (int)strlen (text));
  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (text_view)));
  g_assert_false (gtk_text_view_get_monospace (GTK_TEXT_VIEW (text_view)));
  g_assert_true (find_label_text (text_window, "gpt-test"));
  g_assert_true (gtk_widget_activate_action (text_window, "text.copy", NULL));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (text_window), NULL,
                                 on_clipboard_text_cb, &copied);
  wait_until (is_set, &copied, "the clipboard");
  g_assert_cmpuint (strlen (copied), ==, strlen (text));
  g_assert_true (strcmp (copied, text) == 0);

  gtk_window_destroy (GTK_WINDOW (text_window));
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&message);
  g_clear_object (&chat);
  g_clear_object (&project);
  g_clear_object (&store);
  confab_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* No AT-SPI here (the registry would write to the TAP output). */
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/confab/ui/markdown-view/constructs", test_constructs);
  g_test_add_func ("/confab/ui/markdown-view/hostile", test_hostile);
  g_test_add_func ("/confab/ui/markdown-view/incremental", test_incremental);
  g_test_add_func ("/confab/ui/markdown-view/long", test_long);
  g_test_add_func ("/confab/ui/markdown-view/long-kinds", test_long_kinds);
  g_test_add_func ("/confab/ui/markdown-view/timing", test_timing);
  g_test_add_func ("/confab/ui/code-block/copy", test_code_block_copy);
  g_test_add_func ("/confab/ui/message-row/streaming", test_row_streaming);
  g_test_add_func ("/confab/ui/message-row/long", test_row_long);

  return g_test_run ();
}
