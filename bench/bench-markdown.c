/* bench-markdown.c: how long a long reply takes to parse, to turn into
 * widgets, to update while it streams and to lay out. Not a test: timings
 * vary by machine. Needs a display (xvfb-run -a works).
 *
 * Usage: bench-markdown [--lines N] [--runs N]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-bench"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <adwaita.h>

#include "confab-markdown.h"
#include "confab-markdown-view.h"
#include "confab-test-markdown.h"

static int lines = 5000;
static int runs = 5;

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static void
print_row (const char *scenario,
           GArray     *ms)
{
  g_array_sort (ms, compare_doubles);
  printf ("| %-44s | %9.2f | %9.2f | %9.2f |\n", scenario,
          g_array_index (ms, double, ms->len / 2),
          g_array_index (ms, double, 0),
          g_array_index (ms, double, ms->len - 1));
  fflush (stdout);
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   gboolean      *painted)
{
  *painted = TRUE;
}

/* From present () to the end of the first frame: measuring, allocating
 * and drawing every widget of the reply. */
static double
first_frame_ms (const char *text)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *view = confab_markdown_view_new ();
  gboolean painted = FALSE;
  GdkFrameClock *clock;
  double start;

  gtk_window_set_default_size (GTK_WINDOW (window), 800, 700);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_window_set_child (GTK_WINDOW (window), scroller);

  start = now_ms ();
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), text);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_realize (window);
  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint_cb), &painted);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  start = now_ms () - start;

  g_signal_handlers_disconnect_by_func (clock, on_after_paint_cb, &painted);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return start;
}

int
main (int   argc,
      char *argv[])
{
  GOptionEntry entries[] = {
    { "lines", 0, 0, G_OPTION_ARG_INT, &lines, "Lines in the reply (5000)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs per scenario (5)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;
  gsize len;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_printerr ("No display: run it under xvfb-run -a\n");
      return 77;
    }
  adw_init ();

  text = confab_test_long_markdown (lines);
  len = strlen (text);
  printf ("Markdown rendering, a %d-line reply (%zu bytes), %d runs\n\n", lines, len, runs);
  printf ("| %-44s | %9s | %9s | %9s |\n", "scenario", "median ms", "min ms", "max ms");
  printf ("|%.46s|%.11s|%.11s|%.11s|\n",
          "----------------------------------------------", "-----------", "-----------",
          "-----------");

  {
    g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));

    for (int r = 0; r < runs; r++)
      {
        double start = now_ms ();
        g_autoptr(GPtrArray) blocks = confab_markdown_parse (text, len);
        double t = now_ms () - start;

        g_array_append_val (ms, t);
      }
    print_row ("parse (md4c to blocks)", ms);
  }

  {
    g_autoptr(GArray) full = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) paragraph = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) delta = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) code = g_array_new (FALSE, FALSE, sizeof (double));

    for (int r = 0; r < runs; r++)
      {
        GtkWidget *view = g_object_ref_sink (confab_markdown_view_new ());
        g_autofree char *more = g_strconcat (text, "\nOne more paragraph.", NULL);
        g_autofree char *word = g_strconcat (more, " And a word", NULL);
        g_autofree char *fence = g_strconcat (word, "\n\n```c\nint a;\n", NULL);
        g_autofree char *line = g_strconcat (fence, "int b;\n", NULL);
        double start, t;

        start = now_ms ();
        confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), text);
        t = now_ms () - start;
        g_array_append_val (full, t);

        start = now_ms ();
        confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), more);
        t = now_ms () - start;
        g_array_append_val (paragraph, t);

        start = now_ms ();
        confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), word);
        t = now_ms () - start;
        g_array_append_val (delta, t);

        confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), fence);
        start = now_ms ();
        confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), line);
        t = now_ms () - start;
        g_array_append_val (code, t);

        g_object_unref (view);
      }

    print_row ("set_text, full build", full);
    print_row ("set_text, streaming: a new paragraph", paragraph);
    print_row ("set_text, streaming: a word more", delta);
    print_row ("set_text, streaming: a code line more", code);
  }

  {
    g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));

    for (int r = 0; r < runs; r++)
      {
        double t = first_frame_ms (text);

        g_array_append_val (ms, t);
      }
    title = g_strdup_printf ("first frame (build, layout, draw; %s)",
                             g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default");
    print_row (title, ms);
  }

  return 0;
}
