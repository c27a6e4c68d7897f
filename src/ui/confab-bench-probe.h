/* confab-bench-probe.h: timestamps for bench/ (only with CONFAB_BENCH_PROBE
 * set; otherwise nothing is connected and nothing runs).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Prints "confab-bench EVENT USEC" lines on stdout, USEC from
 * g_get_monotonic_time () (CLOCK_MONOTONIC, as a runner's own clock):
 *   first-frame  the window's first paint;
 *   chat-frame   the first paint showing a message row;
 * CONFAB_BENCH_PROBE is a comma-separated list of what to do next:
 *   scroll       through the chat to its top, then back to its end, a
 *                25th of it (at least a page) per frame ("scrolled" when
 *                back);
 *   send=TEXT    send TEXT from the composer ("reply-done" when the reply
 *                ended);
 *   quit         quit after the last event.
 * Anything else (e.g. "1"): just the timestamps. */
void confab_bench_probe_attach (GtkWindow *window);

G_END_DECLS
