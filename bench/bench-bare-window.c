/* bench-bare-window.c: the floor Confab is measured against: a libadwaita
 * application with one AdwApplicationWindow and its header bar, reporting
 * its first paint the way the app does (src/ui/confab-bench-probe.c), and
 * drawn by the renderer the app would choose (src/ui/confab-renderer-policy.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include <adwaita.h>

#include "confab-renderer-policy.h"

static void
on_after_paint_cb (GdkFrameClock *clock,
                   gpointer       user_data)
{
  printf ("confab-bench first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);
  g_signal_handlers_disconnect_by_func (clock, on_after_paint_cb, user_data);
}

static void
on_realize_cb (GtkWidget *widget,
               gpointer   user_data)
{
  g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                    G_CALLBACK (on_after_paint_cb), NULL);
}

static void
on_startup_cb (GApplication *app,
               gpointer      user_data)
{
  /* The renderer the app would choose on this machine (cairo for llvmpipe
   * on GTK 4.8): the floor draws the way Confab does. */
  confab_renderer_policy_apply (gdk_display_get_default ());
}

static void
on_activate_cb (GtkApplication *app,
                gpointer        user_data)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  /* The app's default size, so both paint the same area. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_set_title (GTK_WINDOW (window), "Bare");
  g_signal_connect (window, "realize", G_CALLBACK (on_realize_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = adw_application_new ("io.github.confab.BareWindow",
                                                       G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "startup", G_CALLBACK (on_startup_cb), NULL);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
