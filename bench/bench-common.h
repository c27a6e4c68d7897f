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

/* Words of the made-up vocabulary: index 0 is the most common. */
#define BENCH_VOCABULARY 5000
char *bench_word            (guint         index);
/* Made-up text with a skewed vocabulary (common words in most messages,
 * rare ones in few), the same for the same GRand seed. */
char *bench_sentence        (GRand        *rand);

G_END_DECLS
