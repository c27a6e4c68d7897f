/* bench-common.c: what the benchmarks' tables share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bench-common.h"

int
bench_compare_doubles (gconstpointer a,
                       gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

char *
bench_format_time (double seconds)
{
  if (seconds >= 1.0)
    return g_strdup_printf ("%.2f s", seconds);
  if (seconds >= 0.001)
    return g_strdup_printf ("%.1f ms", seconds * 1000);
  return g_strdup_printf ("%.0f µs", seconds * 1e6);
}
