/* bench-search.c: search over an existing store as the app's search
 * dialog does it (confab_store_search_hits over every chat, best 50),
 * for bench/bench-ui.py. Prints one line per query:
 *   QUERY<TAB>RESULTS<TAB>MEDIAN_S<TAB>MIN_S<TAB>MAX_S
 *
 *   bench-search --db PATH [--runs R] QUERY...
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-bench"

#include "config.h"

#include <locale.h>

#include "bench-common.h"
#include "confab-core.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ConfabStore) store = NULL;
  int runs = 7;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &path, "The store to search", "PATH" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Runs per query (default 7)", "R" },
    { NULL }
  };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("QUERY… - time searches of a Confab store");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || path == NULL || runs < 1
      || argc < 2)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--db and a query are needed");
      return 2;
    }

  store = confab_store_new (path, &error);
  if (store == NULL)
    g_error ("%s", error->message);

  for (int q = 1; q < argc; q++)
    {
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
      guint found = 0;
      double *t;

      /* The first run pays for reading the index from disk, as the first
       * search after start does: it is counted like the others. */
      for (int r = 0; r < runs; r++)
        {
          gint64 start = g_get_monotonic_time ();
          g_autoptr(GPtrArray) hits = confab_store_search_hits (store, argv[q], 0, 50, &error);
          double elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

          if (hits == NULL)
            g_error ("%s", error->message);
          found = hits->len;
          g_array_append_val (times, elapsed);
        }

      g_array_sort (times, bench_compare_doubles);
      t = (double *) times->data;
      g_print ("%s\t%u\t%.6f\t%.6f\t%.6f\n", argv[q], found,
               times->len % 2 ? t[times->len / 2]
                              : (t[times->len / 2 - 1] + t[times->len / 2]) / 2,
               t[0], t[times->len - 1]);
    }

  return 0;
}
