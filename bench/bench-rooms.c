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
 * memory with no client, with all joined and at the end.
 *
 * Usage: bench-rooms [--clients N] [--messages M] [--rooms R] [--spread]
 *                    [--fanout-rate F] [--fanout-seconds S] [--deltas D]
 *                    [--rate F] [--burst B] [--confabd PATH] [--keep]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-bench"

#include "config.h"

#include <locale.h>
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
  report ("fan-out: message.create → its ack", "-", bench->ack_latencies[KIND_FANOUT],
          bench->n_refused[KIND_FANOUT], G_MAXUINT);
}

static void
report_memory (Bench *bench)
{
  g_print ("confabd VmRSS: %.1f MB with no client, %.1f MB with %d joined "
           "(%.1f KB per connection), %.1f MB at the end (%.1f KB per connection)\n",
           bench->rss_start / 1024.0, bench->rss_joined / 1024.0, bench->n_clients,
           ((double) bench->rss_joined - bench->rss_start) / bench->n_clients,
           bench->rss_end / 1024.0,
           ((double) bench->rss_end - bench->rss_start) / bench->n_clients);
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
  if (bench->stream_text != NULL)
    g_string_free (bench->stream_text, TRUE);
  g_clear_object (&bench->confabd);
  g_free (bench->stream);
  g_free (bench->url);
  g_free (bench->dir);
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
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the data directory and the log", NULL },
    { NULL }
  };
  guint seq_lost = 0;
  guint seq_dup = 0;
  guint delta_lost = 0;
  guint delta_dup = 0;
  guint n_receivers = 0;
  guint all_lost, all_dup;
  gint64 setup_start;
  double setup_seconds;

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
  if (confabd_path == NULL)
    confabd_path = g_strdup (CONFABD_PATH);

  raise_fd_limit ();
  bench_init (&bench);
  start_confabd (&bench, confabd_path);
  /* Once it has settled after opening its store. */
  g_usleep (G_USEC_PER_SEC / 2);
  bench.rss_start = confabd_rss_kib (&bench);
  setup_start = now_us ();
  set_up (&bench);
  setup_seconds = seconds (setup_start, now_us ());
  bench.rss_joined = confabd_rss_kib (&bench);
  bench.relay = bench.n_deltas > 0 ? find_relay (&bench) : NULL;

  g_print ("confabd rooms over loopback: %d clients in %d room%s%s; %u CPUs\n"
           "each connection paced to %.0f frames/s after a burst of %.0f "
           "(the server allows 40/s, bursts of 200)\n",
           bench.n_clients, bench.n_rooms, bench.n_rooms > 1 ? "s" : "",
           bench.spread ? " (client i in room i mod R)" : ", every client in each",
           g_get_num_processors (), bench.rate, bench.burst);
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
  bench.rss_end = confabd_rss_kib (&bench);

  for (guint i = 0; bench.relay != NULL && i < bench.peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (bench.peers, i);

      if (peer == bench.relay || !peer_in_room (peer, 0))
        continue;
      n_receivers++;
      delta_lost += bench.n_deltas - MIN (peer->n_deltas, (guint) bench.n_deltas);
      delta_dup += peer->n_delta_dups;
    }

  print_row ((const char *[]) { "scenario", "rate", "p50", "p90", "p99", "max", "lost", "dup" });
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

      g_print ("fan-out: %u deliveries in %.2f s (%.0f/s); CPU over its %.1f s: "
               "confabd %.0f%%, bench-rooms %.0f%% of a core\n", n, elapsed,
               elapsed > 0 ? n / elapsed : 0, bench.fanout_wall,
               100 * bench.fanout_cpu_confabd / bench.fanout_wall,
               100 * bench.fanout_cpu_self / bench.fanout_wall);
    }
  g_print ("setting up (%d accounts, %d room%s, %u joins): %.2f s\n",
           bench.n_clients, bench.n_rooms, bench.n_rooms > 1 ? "s" : "",
           bench.spread ? (guint) bench.n_clients : (guint) (bench.n_clients * bench.n_rooms),
           setup_seconds);
  report_memory (&bench);

  g_clear_pointer (&bench.peers, g_ptr_array_unref);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  stop_confabd (&bench);
  if (keep)
    g_print ("\ndata and log in %s\n", bench.dir);
  else
    confab_test_rm_rf (bench.dir);

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
