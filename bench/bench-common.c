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


char *
bench_word (guint index)
{
  static const char *const syllables[] = {
    "ka", "lo", "mi", "ne", "su", "ra", "to", "vi", "pe", "zu",
    "an", "el", "or", "ix", "um", "ba", "de", "fo", "gu", "hy",
  };
  GString *str = g_string_new (NULL);

  /* Distinct, pronounceable, deterministic: index in base 20. */
  do
    {
      g_string_append (str, syllables[index % 20]);
      index /= 20;
    }
  while (index > 0);
  g_string_append (str, "n");

  return g_string_free (str, FALSE);
}

/* Skewed towards the first words, like real text: word 0 is in most
 * messages, the last ones are rare. */
char *
bench_sentence (GRand *rand)
{
  GString *str = g_string_new (NULL);
  guint n_words = g_rand_int_range (rand, 8, 40);

  for (guint i = 0; i < n_words; i++)
    {
      double r = g_rand_double (rand);
      g_autofree char *w = bench_word ((guint)(r * r * r * BENCH_VOCABULARY));

      if (i > 0)
        g_string_append_c (str, ' ');
      g_string_append (str, w);
    }

  return g_string_free (str, FALSE);
}
