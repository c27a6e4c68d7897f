/* bench-store.c: timings of the store's hot paths, for bench/run.
 *
 *   insert   N messages added in one transaction (a fresh file each run)
 *   open     open the store, list a chat of N messages, read its last
 *            item: the time until a chat view can show its first page
 *   search   FTS queries over N messages, best 50 first
 *
 * Usage: bench-store [--runs R] [--messages N] [--big] [--dir DIR]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-bench"

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <sqlite3.h>

#include "bench-common.h"
#include "confab-core.h"

static ConfabStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  ConfabStore *store = confab_store_new (path, &error);

  if (store == NULL)
    g_error ("%s", error->message);

  return store;
}

/* Fills a new database at @path with one chat of @n messages. */
static double
fill (const char *path,
      guint       n)
{
  g_autoptr(ConfabStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(ConfabChat) chat = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  gint64 start;

  project = confab_store_create_project (store, "Bench", &error);
  g_assert_no_error (error);
  chat = confab_store_create_chat (store, project, "Bench", &error);
  g_assert_no_error (error);

  /* Text is made up front so only the store is timed. */
  for (guint i = 0; i < MIN (n, 10000u); i++)
    g_ptr_array_add (texts, bench_sentence (rand));

  start = g_get_monotonic_time ();

  if (!confab_store_begin (store, &error))
    g_error ("%s", error->message);

  for (guint i = 0; i < n; i++)
    {
      ConfabMessageDraft draft = {
        .chat_id = confab_chat_get_id (chat),
        .role = i % 2 ? CONFAB_ROLE_ASSISTANT : CONFAB_ROLE_USER,
        .author = i % 2 ? "bench:model" : "bench",
        .content = g_ptr_array_index (texts, i % texts->len),
        .status = CONFAB_MESSAGE_STATUS_COMPLETE,
        .input_tokens = -1,
        .output_tokens = -1,
      };
      g_autoptr(ConfabMessage) message = confab_store_add_message (store, &draft, &error);

      if (message == NULL)
        g_error ("%s", error->message);
    }

  if (!confab_store_commit (store, &error))
    g_error ("%s", error->message);

  return (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;
}

static void
remove_db (const char *path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_remove (file);
    }
}

static double
open_last_page (const char *path,
                guint       n)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr(ConfabStore) store = open_store (path);
  /* What the window does: first project, its first chat, the chat's end. */
  g_autoptr(ConfabProject) project = g_list_model_get_item (confab_store_get_projects (store), 0);
  g_autoptr(GListModel) chats = confab_store_list_chats (store, project);
  g_autoptr(ConfabChat) chat = g_list_model_get_item (chats, 0);
  g_autoptr(ConfabMessageList) list = confab_store_list_messages (store,
                                                                  confab_chat_get_id (chat), 0);
  g_autoptr(ConfabMessage) last = g_list_model_get_item (G_LIST_MODEL (list), n - 1);
  double elapsed = (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;

  if (last == NULL || g_list_model_get_n_items (G_LIST_MODEL (list)) != n ||
      confab_message_list_get_pages_loaded (list) != 1)
    g_error ("The chat did not open as expected");

  return elapsed;
}

static double
search (ConfabStore *store,
        const char  *query,
        guint       *n_found)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GPtrArray) results = confab_store_search (store, query, 50, &error);
  double elapsed = (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;

  if (results == NULL)
    g_error ("%s", error->message);
  *n_found = results->len;

  return elapsed;
}

static void
report (const char *scenario,
        GArray     *times)
{
  g_autofree char *median = NULL;
  g_autofree char *min = NULL;
  g_autofree char *max = NULL;
  double *t = (double *)times->data;
  guint n = times->len;

  g_array_sort (times, bench_compare_doubles);
  median = bench_format_time (n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2);
  min = bench_format_time (t[0]);
  max = bench_format_time (t[n - 1]);

  g_print ("%-52s | %10s | %10s | %10s\n", scenario, median, min, max);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *user_dir = NULL;
  g_autofree char *insert_path = NULL;
  g_autofree char *open_path = NULL;
  g_autofree char *search_path = NULL;
  g_autofree char *scenario = NULL;
  int runs = 5;
  int messages = 100000;
  gboolean big = FALSE;
  guint search_n;
  GOptionEntry entries[] = {
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Runs per scenario (default 5)", "R" },
    { "messages", 'n', 0, G_OPTION_ARG_INT, &messages, "Chat size (default 100000)", "N" },
    { "big", 0, 0, G_OPTION_ARG_NONE, &big, "Search over 1,000,000 messages", NULL },
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &user_dir, "Work here (default: a temp dir)",
      "DIR" },
    { NULL }
  };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- time the Confab store");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || runs < 1 || messages < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--runs and --messages must be > 0");
      return 2;
    }

  if (user_dir != NULL)
    {
      g_mkdir_with_parents (user_dir, 0700);
      dir = g_strdup (user_dir);
    }
  else
    dir = g_dir_make_tmp ("confab-bench-XXXXXX", &error);
  g_assert_no_error (error);

  insert_path = g_build_filename (dir, "insert.db", NULL);
  open_path = g_build_filename (dir, "open.db", NULL);
  search_path = g_build_filename (dir, "search.db", NULL);
  search_n = big ? 1000000 : (guint)messages;

  g_print ("%d runs each, SQLite %s, files in %s\n\n", runs, sqlite3_libversion (), dir);
  g_print ("%-52s | %10s | %10s | %10s\n", "scenario", "median", "min", "max");
  g_print ("%s\n", "-----------------------------------------------------+------------+"
                   "------------+-----------");

  {
    g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

    for (int i = 0; i < runs; i++)
      {
        double t;

        remove_db (insert_path);
        t = fill (insert_path, messages);
        g_array_append_val (times, t);
      }
    scenario = g_strdup_printf ("insert %d messages (one transaction)", messages);
    report (scenario, times);
    g_clear_pointer (&scenario, g_free);
  }

  {
    g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

    remove_db (open_path);
    g_rename (insert_path, open_path);
    remove_db (insert_path);
    for (int i = 0; i < runs; i++)
      {
        double t = open_last_page (open_path, messages);
        g_array_append_val (times, t);
      }
    scenario = g_strdup_printf ("open %d-message chat, read last page", messages);
    report (scenario, times);
    g_clear_pointer (&scenario, g_free);
  }

  {
    g_autofree char *common = bench_word (0);
    g_autofree char *rare = bench_word (BENCH_VOCABULARY - 7);
    g_autofree char *pair = g_strdup_printf ("%s %s", common, rare);
    const char *queries[] = { common, rare, pair, "zzz" };
    const char *labels[] = { "common word", "rare word", "two words", "no match" };
    g_autoptr(ConfabStore) store = NULL;

    if (search_n == (guint)messages)
      {
        g_free (search_path);
        search_path = g_strdup (open_path);
      }
    else
      {
        g_print ("(filling %u messages for search...)\n", search_n);
        remove_db (search_path);
        fill (search_path, search_n);
      }

    store = open_store (search_path);
    for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
      {
        g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
        guint found = 0;

        for (int i = 0; i < runs; i++)
          {
            double t = search (store, queries[q], &found);
            g_array_append_val (times, t);
          }
        scenario = g_strdup_printf ("search %s over %u (%u hits shown)", labels[q], search_n,
                                    found);
        report (scenario, times);
        g_clear_pointer (&scenario, g_free);
      }
  }

  if (user_dir == NULL)
    {
      remove_db (open_path);
      remove_db (search_path);
      g_rmdir (dir);
    }

  return 0;
}
