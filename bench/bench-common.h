/* bench-common.h: what the benchmarks' tables share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* For g_array_sort over doubles. */
int   bench_compare_doubles (gconstpointer a,
                             gconstpointer b);
/* "1.23 s", "4.5 ms" or "678 µs". */
char *bench_format_time     (double        seconds);

G_END_DECLS
