/* bench-rooms.c: load on a real confabd over loopback, for bench/run.
 *
 * Starts the confabd of the build tree on 127.0.0.1:0 with a fresh data
 * directory, registers N users, shares R rooms with them and has every
 * client join every room (with --spread: client i joins room i mod R only)
 * through its own ConfabRoomClient. Then (bench-rooms-load.c):
 *
 *   messages  each client posts M messages (message.create, round its
 *             rooms), all clients at once; every client in the room, the
 *             sender included, must receive every message exactly once
 *   acks      message.create → its ack
 *   fan-out   with --fanout-rate F: F messages per second spread evenly
 *             over the clients and the time, for --fanout-seconds S; the
 *             latency from the send to each receiver's arrival
 *   relay     a plain member of the first room relays a reply of D
 *             stream.delta frames; the others in the room receive them
 *
 * Every connection is paced by a token bucket just inside the server's
 * per-connection limit (docs/protocol.md: 40 frames/s, bursts of 200), so
 * no frame is refused: a client sends its burst at once, then at most
 * --rate frames/s.
 *
 * At the end every client must have seen each seq of its rooms after its
 * join exactly once, and every message and delta once: the lost and dup
 * columns (exit status 1 otherwise). Below the table: confabd's resident
 * memory with no client, with all joined and at the end, and its CPU time.
 *
 * The store is SQLite in the data directory unless --store names another
 * (postgres://…: an empty database), or --pg-admin names a PostgreSQL
 * server on which the bench makes a fresh database (and drops it at the
 * end). --instances K starts K confabd processes on that store, linked by
 * --redis; client i connects to instance i mod K (with --spread, the
 * clients of each room take turns), so a message reaches the receivers
 * on other instances through Redis. The table's first column names the
 * setup: sqlite/1, postgres/1, postgres+redis/2.
 * --cpu-of NAME=PID adds a process and its children (PostgreSQL's
 * postmaster, redis-server) to the CPU figures.
 *
 * Usage: bench-rooms [--clients N] [--messages M] [--rooms R] [--spread]
 *                    [--fanout-rate F] [--fanout-seconds S] [--deltas D]
 *                    [--rate F] [--burst B] [--confabd PATH] [--keep]
 *                    [--store URI | --pg-admin URI] [--redis URI]
 *                    [--instances K] [--cpu-of NAME=PID]…
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-bench"

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "bench-common.h"
#include "bench-rooms-private.h"
#include "confab-test-utils.h"

/* ------------------------------------------------------------------------ */
/* The table */

/* Nearest rank. */
static char *
percentile (GArray *sorted,
            double  q)
{
  guint rank;

  if (sorted->len == 0)
    return g_strdup ("-");
  rank = (guint) (q * sorted->len + 0.999999);
  rank = CLAMP (rank, 1, sorted->len);
  return bench_format_time (g_array_index (sorted, double, rank - 1));
}

/* Column widths in characters (printf pads bytes: "→" and "µ" are more). */
static const int widths[] = { -48, 15, 8, 8, 8, 8, 4, 4 };

static void
print_row (const char * const *cells)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      int width = ABS (widths[i]);
      glong length = g_utf8_strlen (cells[i], -1);
      g_autofree char *padding = g_strnfill (MAX (0, width - length), ' ');

      if (i > 0)
        g_string_append (line, " | ");
      if (widths[i] < 0)
        g_string_append_printf (line, "%s%s", cells[i], padding);
      else
        g_string_append_printf (line, "%s%s", padding, cells[i]);
    }
  g_print ("%s\n", line->str);
}

static void
print_rule (void)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *dashes = g_strnfill (ABS (widths[i]) + (i > 0) + 1, '-');

      if (i > 0)
        g_string_append_c (line, '+');
      g_string_append (line, dashes);
    }
  g_print ("%s\n", line->str);
}

static void
report (const char *scenario,
        const char *rate,
        GArray     *latencies,
        guint       lost,
        guint       dup)
{
  g_autofree char *p50 = NULL;
  g_autofree char *p90 = NULL;
  g_autofree char *p99 = NULL;
  g_autofree char *max = NULL;
  g_autofree char *lost_text = g_strdup_printf ("%u", lost);
  g_autofree char *dup_text = g_strdup_printf ("%u", dup);

  g_array_sort (latencies, bench_compare_doubles);
  p50 = percentile (latencies, 0.50);
  p90 = percentile (latencies, 0.90);
  p99 = percentile (latencies, 0.99);
  max = percentile (latencies, 1.0);
  print_row ((const char *[]) { scenario, rate, p50, p90, p99, max,
                                lost == G_MAXUINT ? "" : lost_text,
                                dup == G_MAXUINT ? (lost == G_MAXUINT ? "" : "-") : dup_text });
}

static double
seconds (gint64 from,
         gint64 to)
{
  return (to - from) / (double) G_USEC_PER_SEC;
}

static guint
lost_of (Bench *bench,
         Kind   kind)
{
  guint expected = expected_deliveries (bench, kind);

  return expected - MIN (expected, bench->delivered[kind]);
}

static void
report_messages (Bench *bench)
{
  guint total = bench->n_sent[KIND_BURST] + bench->n_sent[KIND_PACED];
  gint64 last = MAX (bench->last_delivery[KIND_BURST], bench->last_delivery[KIND_PACED]);
  double elapsed = seconds (bench->first_send[KIND_BURST], last);
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) acks = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *scenario = g_strdup_printf ("%u messages, send → each client in the room",
                                               total);
  g_autofree char *rate = g_strdup_printf ("%.0f msg/s", elapsed > 0 ? total / elapsed : 0);
  g_autofree char *burst = g_strdup_printf ("  of which %u sent at once",
                                            bench->n_sent[KIND_BURST]);
  g_autofree char *paced = g_strdup_printf ("  of which %u paced at %.0f/s",
                                            bench->n_sent[KIND_PACED], bench->rate);

  for (Kind kind = KIND_BURST; kind <= KIND_PACED; kind++)
    {
      g_array_append_vals (all, bench->latencies[kind]->data, bench->latencies[kind]->len);
      g_array_append_vals (acks, bench->ack_latencies[kind]->data,
                           bench->ack_latencies[kind]->len);
    }
  report (scenario, rate, all, lost_of (bench, KIND_BURST) + lost_of (bench, KIND_PACED),
          bench->dups[KIND_BURST] + bench->dups[KIND_PACED]);
  report (burst, "-", bench->latencies[KIND_BURST], G_MAXUINT, G_MAXUINT);
  report (paced, "-", bench->latencies[KIND_PACED], G_MAXUINT, G_MAXUINT);
  report ("message.create → its ack", "-", acks,
          bench->n_refused[KIND_BURST] + bench->n_refused[KIND_PACED], G_MAXUINT);
}

static void
report_fanout (Bench *bench)
{
  guint sent = bench->n_sent[KIND_FANOUT];
  double sending = seconds (bench->first_send[KIND_FANOUT], bench->last_send[KIND_FANOUT]);
  g_autofree char *scenario = g_strdup_printf ("fan-out: %u messages → each client in the room",
                                               sent);
  /* n messages sent over the n - 1 intervals between them */
  g_autofree char *rate = g_strdup_printf ("%.0f msg/s",
                                           sending > 0 ? (sent - 1) / sending : 0);

  report (scenario, rate, bench->latencies[KIND_FANOUT], lost_of (bench, KIND_FANOUT),
          bench->dups[KIND_FANOUT]);
  report ("  its first client", "-", bench->fanout_first, G_MAXUINT, G_MAXUINT);
  report ("  its last client", "-", bench->fanout_last, G_MAXUINT, G_MAXUINT);
  if (bench->n_instances > 1)
    {
      report ("  clients on the sender's instance", "-", bench->fanout_here, G_MAXUINT,
              G_MAXUINT);
      report ("  clients on another (through Redis)", "-", bench->fanout_elsewhere, G_MAXUINT,
              G_MAXUINT);
    }
  report ("fan-out: message.create → its ack", "-", bench->ack_latencies[KIND_FANOUT],
          bench->n_refused[KIND_FANOUT], G_MAXUINT);
}

/* Per instance, over the connections it has. */
static void
report_memory (Bench *bench)
{
  for (guint i = 0; i < (guint) bench->n_instances; i++)
    {
      guint clients = bench->instance_clients[i];
      double per = clients > 0 ? 1.0 / clients : 0;

      g_print ("%s VmRSS: %.1f MB with no client, %.1f MB with %u joined "
               "(%.1f KB per connection), %.1f MB at the end (%.1f KB per connection)\n",
               (char *) g_ptr_array_index (bench->cpu_names, i),
               bench->rss_start[i] / 1024.0, bench->rss_joined[i] / 1024.0, clients,
               ((double) bench->rss_joined[i] - bench->rss_start[i]) * per,
               bench->rss_end[i] / 1024.0,
               ((double) bench->rss_end[i] - bench->rss_start[i]) * per);
    }
}

/* "confabd 18%, bench-rooms 77%" of @cpu over @wall seconds. */
static char *
format_cpu (Bench  *bench,
            double *cpu,
            double  wall)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < bench->cpu_pids->len; i++)
    g_string_append_printf (text, "%s%s %.0f%%", i > 0 ? ", " : "",
                            (char *) g_ptr_array_index (bench->cpu_names, i),
                            100 * cpu[i] / wall);
  return g_string_free (text, FALSE);
}

/* The CPU seconds each process used from @from to @to (samples), and
 * their share of one core over @wall seconds. */
static void
report_cpu (Bench        *bench,
            const char   *what,
            const double *from,
            const double *to,
            double        wall)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < bench->cpu_pids->len; i++)
    g_string_append_printf (text, "%s%s %.1f s (%.0f%%)", i > 0 ? ", " : "",
                            (char *) g_ptr_array_index (bench->cpu_names, i), to[i] - from[i],
                            wall > 0 ? 100 * (to[i] - from[i]) / wall : 0);
  g_print ("CPU (user + system), %s (%.1f s): %s\n", what, wall, text->str);
}

/* ------------------------------------------------------------------------ */

static void
bench_free (Bench *bench)
{
  g_clear_pointer (&bench->peers, g_ptr_array_unref);
  g_clear_pointer (&bench->rooms, g_ptr_array_unref);
  g_clear_pointer (&bench->room_index, g_hash_table_unref);
  g_clear_pointer (&bench->chats, g_ptr_array_unref);
  g_clear_pointer (&bench->base_seqs, g_array_unref);
  g_clear_pointer (&bench->members, g_free);
  g_clear_pointer (&bench->sent_at, g_hash_table_unref);
  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      g_clear_pointer (&bench->latencies[kind], g_array_unref);
      g_clear_pointer (&bench->ack_latencies[kind], g_array_unref);
      g_clear_pointer (&bench->acked[kind], g_free);
    }
  g_clear_pointer (&bench->fanout_first, g_array_unref);
  g_clear_pointer (&bench->fanout_last, g_array_unref);
  g_clear_pointer (&bench->delta_sent_at, g_array_unref);
  g_clear_pointer (&bench->delta_offsets, g_array_unref);
  g_clear_pointer (&bench->delta_latencies, g_array_unref);
  g_clear_pointer (&bench->fanout_here, g_array_unref);
  g_clear_pointer (&bench->fanout_elsewhere, g_array_unref);
  if (bench->stream_text != NULL)
    g_string_free (bench->stream_text, TRUE);
  g_clear_pointer (&bench->confabds, g_ptr_array_unref);
  g_clear_pointer (&bench->urls, g_ptr_array_unref);
  g_clear_pointer (&bench->cpu_names, g_ptr_array_unref);
  g_clear_pointer (&bench->cpu_pids, g_array_unref);
  g_clear_pointer (&bench->rss_start, g_free);
  g_clear_pointer (&bench->rss_joined, g_free);
  g_clear_pointer (&bench->rss_end, g_free);
  g_clear_pointer (&bench->instance_clients, g_free);
  g_clear_pointer (&bench->cpu_start, g_free);
  g_clear_pointer (&bench->cpu_joined, g_free);
  g_clear_pointer (&bench->cpu_end, g_free);
  g_clear_pointer (&bench->fanout_cpu, g_free);
  g_free (bench->stream);
  g_free (bench->dir);
  g_free (bench->database);
  g_free (bench->setup_name);
  g_free (bench->store);
  g_free (bench->pg_admin);
  g_free (bench->redis);
  g_strfreev (bench->cpu_of);
}

static void
bench_init (Bench *bench)
{
  g_autoptr(GError) error = NULL;

  bench->dir = g_dir_make_tmp ("confab-bench-rooms-XXXXXX", &error);
  g_assert_no_error (error);
  bench->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_free);
  bench->rooms = g_ptr_array_new_with_free_func (g_free);
  bench->room_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  bench->chats = g_ptr_array_new_with_free_func (g_free);
  bench->base_seqs = g_array_new (FALSE, TRUE, sizeof (gint64));
  bench->members = g_new0 (guint, bench->n_rooms);
  bench->sent_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      bench->latencies[kind] = g_array_new (FALSE, FALSE, sizeof (double));
      bench->ack_latencies[kind] = g_array_new (FALSE, FALSE, sizeof (double));
      bench->acked[kind] = g_new0 (guint, bench->n_rooms);
    }
  bench->fanout_first = g_array_new (FALSE, FALSE, sizeof (double));
  bench->fanout_last = g_array_new (FALSE, FALSE, sizeof (double));
  bench->fanout_here = g_array_new (FALSE, FALSE, sizeof (double));
  bench->fanout_elsewhere = g_array_new (FALSE, FALSE, sizeof (double));
  bench->confabds = g_ptr_array_new_with_free_func (g_object_unref);
  bench->urls = g_ptr_array_new_with_free_func (g_free);
  bench->cpu_names = g_ptr_array_new_with_free_func (g_free);
  bench->cpu_pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  bench->rss_start = g_new0 (guint64, bench->n_instances);
  bench->rss_joined = g_new0 (guint64, bench->n_instances);
  bench->rss_end = g_new0 (guint64, bench->n_instances);
  bench->instance_clients = g_new0 (guint, bench->n_instances);
  bench->delta_sent_at = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench->delta_offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  bench->delta_latencies = g_array_new (FALSE, FALSE, sizeof (double));
  bench->stream_text = g_string_new (NULL);
}

/* A plain member of the first room (not the owner, who sent the setup's
 * frames), or NULL if it has none. */
static Peer *
find_relay (Bench *bench)
{
  for (guint i = 1; i < bench->peers->len; i++)
    if (peer_in_room (g_ptr_array_index (bench->peers, i), 0))
      return g_ptr_array_index (bench->peers, i);
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *confabd_path = NULL;
  gboolean keep = FALSE;
  Bench bench = {
    .n_clients = 8,
    .n_messages = 200,
    .n_rooms = 1,
    .n_deltas = 2000,
    .rate = 39.0,
    .burst = 190.0,
    .fanout_seconds = 10.0,
    .n_instances = 1,
  };
  GOptionEntry entries[] = {
    { "clients", 'c', 0, G_OPTION_ARG_INT, &bench.n_clients, "Clients (default 8)", "N" },
    { "messages", 'm', 0, G_OPTION_ARG_INT, &bench.n_messages,
      "Messages each client sends at once (default 200; 0: none)", "M" },
    { "rooms", 'r', 0, G_OPTION_ARG_INT, &bench.n_rooms,
      "Rooms, every client in each; the messages go round them (default 1)", "R" },
    { "spread", 0, 0, G_OPTION_ARG_NONE, &bench.spread,
      "Client i joins room i mod R only", NULL },
    { "fanout-rate", 0, 0, G_OPTION_ARG_DOUBLE, &bench.fanout_rate,
      "Fan-out: messages per second over all clients (default 0: none)", "F" },
    { "fanout-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &bench.fanout_seconds,
      "How long the fan-out sends (default 10)", "S" },
    { "deltas", 'd', 0, G_OPTION_ARG_INT, &bench.n_deltas,
      "stream.delta frames of the relayed reply (default 2000; 0: none)", "D" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &bench.rate,
      "Frames per second per connection once the burst is spent (default 39; the server "
      "allows 40)", "F" },
    { "burst", 0, 0, G_OPTION_ARG_DOUBLE, &bench.burst,
      "Frames a connection may send at once (default 190; the server allows 200)", "B" },
    { "confabd", 0, 0, G_OPTION_ARG_FILENAME, &confabd_path,
      "The server to run (default: the build tree's)", "PATH" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep,
      "Keep the data directories, the logs (and the database --pg-admin made)", NULL },
    { "store", 0, 0, G_OPTION_ARG_STRING, &bench.store,
      "confabd's --store: sqlite:PATH or an empty postgres://… database (default: SQLite in "
      "a fresh data directory)", "URI" },
    { "pg-admin", 0, 0, G_OPTION_ARG_STRING, &bench.pg_admin,
      "Make a fresh database for the store on this PostgreSQL server (psql -c 'CREATE "
      "DATABASE …'), dropped at the end", "URI" },
    { "redis", 0, 0, G_OPTION_ARG_STRING, &bench.redis,
      "confabd's --redis, linking the instances", "redis://HOST:PORT" },
    { "instances", 'k', 0, G_OPTION_ARG_INT, &bench.n_instances,
      "confabd processes on the same store (default 1; more need PostgreSQL and --redis); "
      "client i connects to instance i mod K (spread: (i mod R + i div R) mod K)", "K" },
    { "cpu-of", 0, 0, G_OPTION_ARG_STRING_ARRAY, &bench.cpu_of,
      "Also report the CPU time of this process and its children (repeatable)", "NAME=PID" },
    { NULL }
  };
  guint seq_lost = 0;
  guint seq_dup = 0;
  guint delta_lost = 0;
  guint delta_dup = 0;
  guint n_receivers = 0;
  guint all_lost, all_dup;
  gint64 setup_start, joined;
  double setup_seconds;
  gboolean postgres;

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- load on a confabd over loopback");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      bench.n_clients < 2 || bench.n_messages < 0 || bench.n_rooms < 1 || bench.n_deltas < 0 ||
      bench.rate <= 0 || bench.burst < 1 || bench.fanout_rate < 0 || bench.fanout_seconds <= 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message
                                        : "needs 2 clients or more, and positive counts");
      return 2;
    }
  /* Spread evenly, each connection sends F/N per second: inside its limit. */
  if (bench.fanout_rate / bench.n_clients > bench.rate)
    {
      g_printerr ("--fanout-rate %.0f over %d clients exceeds %.0f frames/s per connection\n",
                  bench.fanout_rate, bench.n_clients, bench.rate);
      return 2;
    }
  if (bench.store != NULL && bench.pg_admin != NULL)
    {
      g_printerr ("--store and --pg-admin: give one (--pg-admin makes the store)\n");
      return 2;
    }
  postgres = bench.pg_admin != NULL ||
             (bench.store != NULL && !g_str_has_prefix (bench.store, "sqlite:"));
  /* Several instances share their rooms only through one database and
   * Redis; on SQLite or without Redis they would be separate servers. */
  if (bench.n_instances < 1 || (bench.n_instances > 1 && (!postgres || bench.redis == NULL)))
    {
      g_printerr ("--instances %d: 1, or more with a PostgreSQL store and --redis\n",
                  bench.n_instances);
      return 2;
    }
  for (guint i = 0; bench.cpu_of != NULL && bench.cpu_of[i] != NULL; i++)
    {
      const char *equals = strchr (bench.cpu_of[i], '=');

      if (equals == NULL || equals == bench.cpu_of[i] || atoi (equals + 1) <= 0)
        {
          g_printerr ("--cpu-of %s: expected NAME=PID\n", bench.cpu_of[i]);
          return 2;
        }
    }
  if (confabd_path == NULL)
    confabd_path = g_strdup (CONFABD_PATH);
  bench.setup_name = g_strdup_printf ("%s%s/%d", postgres ? "postgres" : "sqlite",
                                      bench.redis != NULL ? "+redis" : "", bench.n_instances);

  raise_fd_limit ();
  bench_init (&bench);
  if (bench.pg_admin != NULL && !make_database (&bench))
    {
      confab_test_rm_rf (bench.dir);
      bench_free (&bench);
      return 2;
    }
  start_confabds (&bench, confabd_path);
  bench.cpu_start = g_new0 (double, bench.cpu_pids->len);
  bench.cpu_joined = g_new0 (double, bench.cpu_pids->len);
  bench.cpu_end = g_new0 (double, bench.cpu_pids->len);
  bench.fanout_cpu = g_new0 (double, bench.cpu_pids->len);
  /* Once they have settled after opening the store. */
  g_usleep (G_USEC_PER_SEC / 2);
  confabd_rss_kib (&bench, bench.rss_start);
  cpu_sample (&bench, bench.cpu_start);
  setup_start = now_us ();
  set_up (&bench);
  setup_seconds = seconds (setup_start, now_us ());
  confabd_rss_kib (&bench, bench.rss_joined);
  cpu_sample (&bench, bench.cpu_joined);
  joined = now_us ();
  bench.relay = bench.n_deltas > 0 ? find_relay (&bench) : NULL;

  g_print ("confabd rooms over loopback: %d clients in %d room%s%s; %u CPUs\n"
           "each connection paced to %.0f frames/s after a burst of %.0f "
           "(the server allows 40/s, bursts of 200)\n",
           bench.n_clients, bench.n_rooms, bench.n_rooms > 1 ? "s" : "",
           bench.spread ? " (client i in room i mod R)" : ", every client in each",
           g_get_num_processors (), bench.rate, bench.burst);
  g_print ("setup %s: %d confabd instance%s, store %s%s%s%s\n", bench.setup_name,
           bench.n_instances, bench.n_instances > 1 ? "s" : "",
           bench.store != NULL ? bench.store : "SQLite in its data directory",
           bench.redis != NULL ? ", Redis " : "", bench.redis != NULL ? bench.redis : "",
           bench.n_instances == 1 ? ""
           : bench.spread ? "; client i on instance (i mod R + i div R) mod K: rooms span them"
           : "; client i on instance i mod K");
  if (bench.n_messages > 0)
    g_print ("messages: %d from each client at once\n", bench.n_messages);
  if (bench.fanout_rate > 0)
    g_print ("fan-out: %.0f messages/s over all clients (%.2f/s each) for %.0f s\n",
             bench.fanout_rate, bench.fanout_rate / bench.n_clients, bench.fanout_seconds);
  if (bench.relay != NULL)
    g_print ("relay: %d stream.delta frames in the first room\n", bench.n_deltas);
  g_print ("\n");

  if (bench.n_messages > 0)
    run_messages (&bench);
  if (bench.fanout_rate > 0)
    run_fanout (&bench);
  if (bench.relay != NULL)
    run_relay (&bench);
  check_logs (&bench, &seq_lost, &seq_dup);
  confabd_rss_kib (&bench, bench.rss_end);
  cpu_sample (&bench, bench.cpu_end);

  for (guint i = 0; bench.relay != NULL && i < bench.peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (bench.peers, i);

      if (peer == bench.relay || !peer_in_room (peer, 0))
        continue;
      n_receivers++;
      delta_lost += bench.n_deltas - MIN (peer->n_deltas, (guint) bench.n_deltas);
      delta_dup += peer->n_delta_dups;
    }

  {
    g_autofree char *first = g_strdup_printf ("scenario: %s", bench.setup_name);

    print_row ((const char *[]) { first, "rate", "p50", "p90", "p99", "max", "lost", "dup" });
  }
  print_rule ();
  if (bench.n_messages > 0)
    report_messages (&bench);
  if (bench.fanout_rate > 0)
    report_fanout (&bench);
  if (bench.relay != NULL)
    {
      double relay_elapsed = seconds (bench.first_delta, bench.last_delta_delivery);
      g_autofree char *scenario = g_strdup_printf ("stream relay, %d deltas → %u clients",
                                                   bench.n_deltas, n_receivers);
      g_autofree char *rate = g_strdup_printf ("%.0f deltas/s",
                                               relay_elapsed > 0 ? bench.n_deltas / relay_elapsed
                                                                 : 0);

      report (scenario, rate, bench.delta_latencies, delta_lost, delta_dup);
    }
  {
    g_autoptr(GArray) none = g_array_new (FALSE, FALSE, sizeof (double));

    report ("every event after the join, each client", "-", none, seq_lost, seq_dup);
  }

  g_print ("\n");
  if (bench.n_messages > 0)
    {
      guint n = bench.delivered[KIND_BURST] + bench.delivered[KIND_PACED];
      double elapsed = seconds (bench.first_send[KIND_BURST],
                                MAX (bench.last_delivery[KIND_BURST],
                                     bench.last_delivery[KIND_PACED]));

      g_print ("messages: %u deliveries in %.2f s (%.0f/s)\n", n, elapsed,
               elapsed > 0 ? n / elapsed : 0);
    }
  if (bench.fanout_rate > 0)
    {
      guint n = bench.delivered[KIND_FANOUT];
      double elapsed = seconds (bench.first_send[KIND_FANOUT], bench.last_delivery[KIND_FANOUT]);
      g_autofree char *cpu = format_cpu (&bench, bench.fanout_cpu, bench.fanout_wall);

      g_print ("fan-out: %u deliveries in %.2f s (%.0f/s); CPU over its %.1f s: "
               "%s of a core\n", n, elapsed, elapsed > 0 ? n / elapsed : 0, bench.fanout_wall,
               cpu);
    }
  g_print ("setting up (%d accounts, %d room%s, %u joins): %.2f s\n",
           bench.n_clients, bench.n_rooms, bench.n_rooms > 1 ? "s" : "",
           bench.spread ? (guint) bench.n_clients : (guint) (bench.n_clients * bench.n_rooms),
           setup_seconds);
  report_memory (&bench);
  report_cpu (&bench, "setting up", bench.cpu_start, bench.cpu_joined,
              seconds (setup_start, joined));
  report_cpu (&bench, "the scenarios and the check", bench.cpu_joined, bench.cpu_end,
              seconds (joined, now_us ()));

  g_clear_pointer (&bench.peers, g_ptr_array_unref);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  stop_confabds (&bench);
  if (keep)
    g_print ("\ndata and logs in %s%s%s\n", bench.dir,
             bench.database != NULL ? ", database " : "",
             bench.database != NULL ? bench.database : "");
  else
    {
      confab_test_rm_rf (bench.dir);
      drop_database (&bench);
    }

  all_lost = seq_lost + delta_lost + bench.n_refused[KIND_BURST] + bench.n_refused[KIND_PACED] +
             bench.n_refused[KIND_FANOUT];
  all_dup = seq_dup + delta_dup;
  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      all_lost += lost_of (&bench, kind);
      all_dup += bench.dups[kind];
    }
  bench_free (&bench);
  return all_lost == 0 && all_dup == 0 ? 0 : 1;
}
