/* confab-bench-probe.c: what bench/bench-ui.py reads off the running app.
 *
 * The runner cannot see frames from outside, so the app reports them; all
 * of it hangs off one frame-clock handler that exists only under
 * CONFAB_BENCH_PROBE and goes away once its work is done (the idle
 * scenario then measures the app as users run it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <stdio.h>

#include "confab-bench-probe.h"
#include "confab-composer.h"
#include "confab-message-row.h"

typedef enum
{
  STEP_FIRST_FRAME,
  STEP_CHAT_FRAME,
  STEP_SCROLL_UP,
  STEP_SCROLL_DOWN,
  STEP_SEND,
  STEP_REPLY,
  STEP_DONE,
} Step;

typedef struct
{
  GtkWindow      *window;       /* weak */
  GdkFrameClock  *clock;
  gulong          handler;
  Step            step;
  gboolean        scroll;
  gboolean        updating;
  char           *send;
  gboolean        quit;
  gboolean        reply_started;
  guint           reply_frames;
  double          last_upper;
  GtkAdjustment  *adjustment;
  ConfabComposer *composer;
} Probe;

static void probe_next (Probe *probe);

static void
report (const char *event)
{
  printf ("confab-bench %s %" G_GINT64_FORMAT "\n", event, g_get_monotonic_time ());
  fflush (stdout);
}

static GtkWidget *
find_mapped (GtkWidget *widget,
             GType      type)
{
  if (!gtk_widget_get_mapped (widget))
    return NULL;
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_mapped (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
probe_free (Probe *probe)
{
  if (probe->clock != NULL && probe->handler != 0)
    g_signal_handler_disconnect (probe->clock, probe->handler);
  if (probe->clock != NULL && probe->updating)
    gdk_frame_clock_end_updating (probe->clock);
  g_clear_object (&probe->clock);
  g_clear_object (&probe->adjustment);
  g_clear_object (&probe->composer);
  g_clear_weak_pointer (&probe->window);
  g_free (probe->send);
  g_free (probe);
}

static void
probe_finish (Probe *probe)
{
  GtkWindow *window = probe->window;
  gboolean quit = probe->quit;

  probe->step = STEP_DONE;
  probe_free (probe);
  if (quit && window != NULL)
    gtk_window_destroy (window);
}

static void
on_busy_cb (ConfabComposer *composer,
            GParamSpec     *pspec,
            Probe          *probe)
{
  if (confab_composer_get_busy (composer))
    {
      probe->reply_started = TRUE;
      return;
    }
  if (!probe->reply_started)
    return;

  g_signal_handlers_disconnect_by_data (composer, probe);
  /* Before "reply-done": the runner stops reading there. */
  printf ("confab-bench reply-frames %u\n", probe->reply_frames);
  report ("reply-done");
  probe_finish (probe);
}

static void
start_send (Probe *probe)
{
  GtkWidget *composer = find_mapped (GTK_WIDGET (probe->window), CONFAB_TYPE_COMPOSER);

  if (composer == NULL)
    {
      g_printerr ("confab-bench: no composer to send from\n");
      probe_finish (probe);
      return;
    }

  /* From here the composer's busy state ends it; frames are only counted. */
  probe->step = STEP_REPLY;
  g_set_object (&probe->composer, CONFAB_COMPOSER (composer));
  g_signal_connect (composer, "notify::busy", G_CALLBACK (on_busy_cb), probe);
  confab_composer_set_text (probe->composer, probe->send);
  report ("send");
  gtk_widget_activate_action (composer, "composer.send", NULL);
}

/* A 25th of the chat per frame: each step lands the list somewhere new
 * (GTK 4.8 rebuilds up to 200 rows around it), and a 10,000-message chat
 * takes seconds, not the many minutes of a page at a time. */
static gboolean
scroll_step (Probe *probe)
{
  double value = gtk_adjustment_get_value (probe->adjustment);
  double upper = gtk_adjustment_get_upper (probe->adjustment);
  double page = MAX (gtk_adjustment_get_page_size (probe->adjustment), upper / 25);
  double page_size;

  if (probe->step == STEP_SCROLL_UP)
    {
      /* At the top of what the list shows, it shows more (the chat view
       * grows its tail): the top of the chat is where it stops growing. */
      if (value <= 0 && upper == probe->last_upper)
        return TRUE;
      probe->last_upper = upper;
      gtk_adjustment_set_value (probe->adjustment, MAX (0, value - page));
      return FALSE;
    }

  page_size = gtk_adjustment_get_page_size (probe->adjustment);
  if (value >= upper - page_size - 1)
    return TRUE;
  gtk_adjustment_set_value (probe->adjustment, MIN (upper - page_size, value + page));
  return FALSE;
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   Probe         *probe)
{
  GtkWidget *row;
  GtkWidget *scroller;

  if (probe->window == NULL)
    {
      probe_free (probe);
      return;
    }

  switch (probe->step)
    {
    case STEP_FIRST_FRAME:
      report ("first-frame");
      probe->step = STEP_CHAT_FRAME;
      G_GNUC_FALLTHROUGH;

    case STEP_CHAT_FRAME:
      row = find_mapped (GTK_WIDGET (probe->window), CONFAB_TYPE_MESSAGE_ROW);
      /* An empty store shows no chat: the runner stops waiting. */
      if (row == NULL)
        return;
      report ("chat-frame");
      scroller = gtk_widget_get_ancestor (row, GTK_TYPE_SCROLLED_WINDOW);
      if (probe->scroll && scroller != NULL)
        {
          g_set_object (&probe->adjustment,
                        gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)));
          probe->step = STEP_SCROLL_UP;
          return;
        }
      probe_next (probe);
      return;

    case STEP_SCROLL_UP:
    case STEP_SCROLL_DOWN:
      if (!scroll_step (probe))
        return;
      if (probe->step == STEP_SCROLL_UP)
        {
          probe->step = STEP_SCROLL_DOWN;
          return;
        }
      report ("scrolled");
      gdk_frame_clock_end_updating (probe->clock);
      probe->updating = FALSE;
      probe_next (probe);
      return;

    case STEP_REPLY:
      probe->reply_frames++;
      return;

    case STEP_SEND:
    case STEP_DONE:
    default:
      return;
    }
}

static void
probe_next (Probe *probe)
{
  if (probe->send != NULL)
    start_send (probe);
  else
    probe_finish (probe);
}

static void
on_realize_cb (GtkWidget *widget,
               Probe     *probe)
{
  g_signal_handlers_disconnect_by_func (widget, on_realize_cb, probe);
  probe->clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  probe->handler = g_signal_connect (probe->clock, "after-paint",
                                     G_CALLBACK (on_after_paint_cb), probe);
  /* The scroll steps need a frame after each change. */
  if (probe->scroll)
    {
      gdk_frame_clock_begin_updating (probe->clock);
      probe->updating = TRUE;
    }
}

void
confab_bench_probe_attach (GtkWindow *window)
{
  const char *spec = g_getenv ("CONFAB_BENCH_PROBE");
  g_auto(GStrv) words = NULL;
  Probe *probe;

  if (spec == NULL || *spec == '\0')
    return;

  probe = g_new0 (Probe, 1);
  g_set_weak_pointer (&probe->window, window);
  words = g_strsplit (spec, ",", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_str_equal (words[i], "scroll"))
        probe->scroll = TRUE;
      else if (g_str_equal (words[i], "quit"))
        probe->quit = TRUE;
      else if (g_str_has_prefix (words[i], "send="))
        probe->send = g_strdup (words[i] + strlen ("send="));
    }

  g_signal_connect (window, "realize", G_CALLBACK (on_realize_cb), probe);
}
