/* bench-rooms-setup.c: confabd and the clients of bench-rooms, set up.
 *
 * Accounts are registered a few at a time (argon2id in confabd's worker
 * threads: slow by design, so as many in flight as it hashes in parallel
 * keep it busy without queueing a thousand connections behind them);
 * registering has no limit per address, only failed logins have. Invites
 * are accepted and rooms joined more at a time. Every client stays inside
 * the server's frame limit throughout (the token bucket below).
 *
 * With --instances K, K confabd share one store (and Redis), each with its
 * own data directory; the clients are dealt round them (peer_new).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-bench"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench-rooms-private.h"

/* Registrations in flight: a few per CPU of confabd's hashing. */
#define REGISTER_WINDOW 8
/* Clients accepting invites or joining at the same time. */
#define JOIN_WINDOW     32

/* ------------------------------------------------------------------------ */
/* Waiting, as the tests do: run the main loop until a result is there. */

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static GAsyncResult *
await_result (GAsyncResult **result,
              const char    *what)
{
  gint64 deadline = now_us () + 60 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (100, tick_cb, NULL);

  while (*result == NULL)
    {
      if (now_us () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  return *result;
}

/* Runs until @done, or until nothing arrived for STALL_SECONDS. */
gboolean
run_until (Bench      *bench,
           Done        done,
           const char *what)
{
  guint tick = g_timeout_add (50, tick_cb, NULL);
  gboolean ok = TRUE;

  bench->progress = now_us ();
  while (!done (bench))
    {
      if (now_us () - bench->progress > STALL_SECONDS * G_USEC_PER_SEC)
        {
          g_printerr ("no progress for %d s waiting for %s: counting the rest as lost\n",
                      STALL_SECONDS, what);
          ok = FALSE;
          break;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  return ok;
}

JsonNode *
parse_frame (const char *format,
             ...)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;
  JsonNode *node;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  node = json_from_string (text, &error);
  if (node == NULL)
    g_error ("%s: %s", text, error->message);
  return node;
}

/* ------------------------------------------------------------------------ */
/* Pacing: the server's token bucket, a little inside it. */

void
refill (Peer *peer)
{
  Bench *bench = peer->bench;
  gint64 now = now_us ();

  peer->tokens = MIN (bench->burst,
                      peer->tokens + (now - peer->refilled) * bench->rate / G_USEC_PER_SEC);
  peer->refilled = now;
}

/* Milliseconds until the next token. */
guint
next_token_ms (Peer *peer)
{
  return (guint) ((1.0 - peer->tokens) * 1000 / peer->bench->rate) + 1;
}

static gboolean
token_due_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* For the frames sent one at a time (the owner's, stream.end). */
static void
wait_for_token (Peer *peer)
{
  for (refill (peer); peer->tokens < 1.0; refill (peer))
    {
      gboolean due = FALSE;

      g_timeout_add (next_token_ms (peer), token_due_cb, &due);
      while (!due)
        g_main_context_iteration (NULL, TRUE);
    }
}

/* Sends @frame (taken) once the pacing allows, and waits for the answer. */
JsonObject *
request (Peer     *peer,
         JsonNode *frame)
{
  g_autoptr(JsonNode) owned = frame;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;

  wait_for_token (peer);
  peer->tokens -= 1.0;
  confab_room_client_request_async (peer->client, owned, NULL, result_cb, &result);
  answer = confab_room_client_request_finish (peer->client, await_result (&result, "an answer"),
                                              &error);
  if (answer == NULL)
    g_error ("%s: %s", peer->name, error->message);
  return json_object_ref (json_node_get_object (answer));
}

/* ------------------------------------------------------------------------ */
/* confabd */

/* A thousand sockets need more than the usual soft limit of 1024 file
 * descriptors; confabd inherits the raised limit (and raises its own). */
void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        g_printerr ("cannot raise the file descriptor limit: %s\n", g_strerror (errno));
    }
}

/* Runs @sql on the --pg-admin server. */
static gboolean
run_psql (Bench      *bench,
          const char *sql)
{
  g_autofree char *psql = g_find_program_in_path ("psql");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  if (psql == NULL)
    {
      g_printerr ("--pg-admin needs psql in PATH\n");
      return FALSE;
    }
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, psql, "-X", "-q",
                              "-v", "ON_ERROR_STOP=1", "-d", bench->pg_admin, "-c", sql, NULL);
  if (process == NULL || !g_subprocess_wait_check (process, NULL, &error))
    {
      g_printerr ("psql %s: %s\n", sql, error->message);
      return FALSE;
    }
  return TRUE;
}

/* A fresh database on the --pg-admin server for the store, as the tests
 * make theirs (tests/server/confabd-test-daemon.c). */
gboolean
make_database (Bench *bench)
{
  g_autoptr(GUri) admin = NULL;
  g_autoptr(GUri) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *sql = NULL;

  admin = g_uri_parse (bench->pg_admin, G_URI_FLAGS_ENCODED, &error);
  if (admin == NULL)
    {
      g_printerr ("--pg-admin %s: %s\n", bench->pg_admin, error->message);
      return FALSE;
    }
  name = g_strdup_printf ("confab_bench_%d_%08x", (int) getpid (), g_random_int ());
  sql = g_strdup_printf ("CREATE DATABASE %s", name);
  if (!run_psql (bench, sql))
    return FALSE;
  bench->database = g_steal_pointer (&name);

  /* The same server, user and parameters; another path. */
  path = g_strconcat ("/", bench->database, NULL);
  store = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (admin), g_uri_get_userinfo (admin),
                       g_uri_get_host (admin), g_uri_get_port (admin), path,
                       g_uri_get_query (admin), g_uri_get_fragment (admin));
  bench->store = g_uri_to_string (store);
  return TRUE;
}

/* FORCE: a backend of a confabd just stopped may not have gone yet. */
void
drop_database (Bench *bench)
{
  g_autofree char *sql = NULL;

  if (bench->database == NULL)
    return;
  sql = g_strdup_printf ("DROP DATABASE IF EXISTS %s WITH (FORCE)", bench->database);
  run_psql (bench, sql);
}

static GSubprocess *
start_confabd (Bench      *bench,
               const char *path,
               guint       instance)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *log = g_strdup_printf ("%s/confabd-%u.log", bench->dir, instance + 1);
  g_autofree char *line = NULL;
  const char *prefix = "confabd listening on ";
  GSubprocess *confabd;

  g_ptr_array_add (argv, g_strdup (path));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1:0"));
  /* Its own, even on a shared store: an instance refuses a data
   * directory another one uses. */
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_strdup_printf ("%s/data-%u", bench->dir, instance + 1));
  g_ptr_array_add (argv, g_strdup ("--allow-register"));
  if (bench->store != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--store"));
      g_ptr_array_add (argv, g_strdup (bench->store));
    }
  if (bench->redis != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--redis"));
      g_ptr_array_add (argv, g_strdup (bench->redis));
    }
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* A file, not a pipe nobody reads. */
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  /* Its per-frame debug lines would be part of what is measured. */
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  confabd = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (confabd == NULL)
    g_error ("cannot start %s: %s", path, error->message);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (confabd));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, prefix))
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents (log, &text, NULL, NULL))
        g_printerr ("%s", text);
      g_error ("confabd did not start (see %s)", log);
    }
  g_ptr_array_add (bench->urls, g_strdup (line + strlen (prefix)));
  return confabd;
}

/* One after the other: the first creates the store's schema. */
void
start_confabds (Bench      *bench,
                const char *path)
{
  GPid self = 0;

  for (guint i = 0; i < (guint) bench->n_instances; i++)
    {
      GSubprocess *confabd = start_confabd (bench, path, i);
      GPid pid = atoi (g_subprocess_get_identifier (confabd));

      g_ptr_array_add (bench->confabds, confabd);
      g_ptr_array_add (bench->cpu_names, bench->n_instances == 1
                                           ? g_strdup ("confabd")
                                           : g_strdup_printf ("confabd #%u", i + 1));
      g_array_append_val (bench->cpu_pids, pid);
    }
  for (guint i = 0; bench->cpu_of != NULL && bench->cpu_of[i] != NULL; i++)
    {
      const char *equals = strchr (bench->cpu_of[i], '=');
      GPid pid = atoi (equals + 1);

      g_ptr_array_add (bench->cpu_names, g_strndup (bench->cpu_of[i], equals - bench->cpu_of[i]));
      g_array_append_val (bench->cpu_pids, pid);
    }
  g_ptr_array_add (bench->cpu_names, g_strdup ("bench-rooms"));
  g_array_append_val (bench->cpu_pids, self);
}

void
stop_confabds (Bench *bench)
{
  for (guint i = 0; i < bench->confabds->len; i++)
    g_subprocess_send_signal (g_ptr_array_index (bench->confabds, i), SIGTERM);
  for (guint i = 0; i < bench->confabds->len; i++)
    {
      GSubprocess *confabd = g_ptr_array_index (bench->confabds, i);
      g_autoptr(GError) error = NULL;

      if (!g_subprocess_wait (confabd, NULL, &error))
        g_error ("%s", error->message);
      if (!g_subprocess_get_if_exited (confabd) || g_subprocess_get_exit_status (confabd) != 0)
        g_printerr ("confabd did not exit cleanly (see %s/confabd-%u.log)\n", bench->dir, i + 1);
    }
}

/* Each instance's resident memory (VmRSS in /proc/PID/status), in KiB; 0
 * if unknown. */
void
confabd_rss_kib (Bench   *bench,
                 guint64 *rss)
{
  for (guint i = 0; i < bench->confabds->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/status",
                                               g_subprocess_get_identifier (
                                                 g_ptr_array_index (bench->confabds, i)));
      g_autofree char *status = NULL;
      const char *line;

      if (!g_file_get_contents (path, &status, NULL, NULL) ||
          (line = strstr (status, "\nVmRSS:")) == NULL)
        rss[i] = 0;
      else
        rss[i] = g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
    }
}

/* From /proc/PID/stat: its parent, and its CPU time and that of the
 * children it waited for, in clock ticks. */
static gboolean
read_stat (const char *pid,
           GPid       *parent,
           guint64    *ticks)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *stat = NULL;
  const char *p;
  int ppid;
  guint64 user, system;
  gint64 children_user, children_system;

  /* Fields 4 and 14 to 17; the name (2) is in parentheses. */
  if (!g_file_get_contents (path, &stat, NULL, NULL) || (p = strrchr (stat, ')')) == NULL ||
      sscanf (p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %" G_GUINT64_FORMAT
              " %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &ppid,
              &user, &system, &children_user, &children_system) != 5)
    return FALSE;
  *parent = ppid;
  *ticks = user + system + children_user + children_system;
  return TRUE;
}

/* CPU seconds of @root and everything under it: PostgreSQL's work is in
 * a backend per connection. A process counts itself while it runs and in
 * its parent's children's time once reaped: each tick once. */
static double
tree_cpu_seconds (GPid        root,
                  GHashTable *parents,
                  GHashTable *ticks)
{
  guint64 total = GPOINTER_TO_SIZE (g_hash_table_lookup (ticks, GINT_TO_POINTER (root)));
  GHashTableIter iter;
  gpointer pid, parent;

  g_hash_table_iter_init (&iter, parents);
  while (g_hash_table_iter_next (&iter, &pid, &parent))
    {
      /* Its ancestors, up to init. */
      for (GPid up = GPOINTER_TO_INT (parent); up > 1;
           up = GPOINTER_TO_INT (g_hash_table_lookup (parents, GINT_TO_POINTER (up))))
        if (up == root)
          {
            total += GPOINTER_TO_SIZE (g_hash_table_lookup (ticks, pid));
            break;
          }
    }
  return total / (double) sysconf (_SC_CLK_TCK);
}

/* CPU time (user and system) used so far by each of cpu_pids: which of
 * the processes is busy. */
void
cpu_sample (Bench  *bench,
            double *seconds)
{
  g_autoptr(GHashTable) parents = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) ticks = g_hash_table_new (NULL, NULL);
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      GPid parent;
      guint64 count;

      if (g_ascii_isdigit (name[0]) && read_stat (name, &parent, &count))
        {
          g_hash_table_insert (parents, GINT_TO_POINTER (atoi (name)), GINT_TO_POINTER (parent));
          g_hash_table_insert (ticks, GINT_TO_POINTER (atoi (name)), GSIZE_TO_POINTER (count));
        }
    }

  for (guint i = 0; i < bench->cpu_pids->len; i++)
    {
      GPid pid = g_array_index (bench->cpu_pids, GPid, i);

      if (pid == 0)
        {
          struct rusage usage;

          getrusage (RUSAGE_SELF, &usage);
          seconds[i] = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
                       usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
        }
      else
        seconds[i] = tree_cpu_seconds (pid, parents, ticks);
    }
}

/* ------------------------------------------------------------------------ */
/* The clients */

gboolean
peer_in_room (Peer  *peer,
              guint  room)
{
  return room < peer->seqs->len && g_ptr_array_index (peer->seqs, room) != NULL;
}

/* The rooms it is not in have none. */
static void
counts_free (gpointer counts)
{
  if (counts != NULL)
    g_array_unref (counts);
}

static Peer *
peer_new (Bench *bench,
          guint  index)
{
  Peer *peer = g_new0 (Peer, 1);

  peer->bench = bench;
  peer->index = index;
  /* Round-robin over the instances, as a load balancer would. Spread,
   * client i is the (i div R)th of room i mod R: counting that round too
   * makes each room's clients alternate between the instances (with i mod
   * K alone, R a multiple of K would put each room on one instance). */
  peer->instance = (bench->spread ? index % bench->n_rooms + index / bench->n_rooms : index) %
                   bench->n_instances;
  bench->instance_clients[peer->instance]++;
  peer->name = g_strdup_printf ("bench%u", index + 1);
  peer->client = confab_room_client_new (g_ptr_array_index (bench->urls, peer->instance));
  /* A drop is a failure here, not something to hide by reconnecting. */
  confab_room_client_set_auto_reconnect (peer->client, FALSE);
  peer->rooms = g_array_new (FALSE, FALSE, sizeof (guint));
  peer->seqs = g_ptr_array_new_with_free_func (counts_free);
  g_ptr_array_set_size (peer->seqs, bench->n_rooms);
  peer->texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  peer->tokens = bench->burst;
  peer->refilled = now_us ();
  for (guint r = 0; r < (guint) bench->n_rooms; r++)
    if (!bench->spread || index % bench->n_rooms == r)
      {
        g_array_append_val (peer->rooms, r);
        g_ptr_array_index (peer->seqs, r) = g_array_new (FALSE, TRUE, sizeof (guint8));
      }

  g_signal_connect (peer->client, "event", G_CALLBACK (on_event_cb), peer);
  g_signal_connect (peer->client, "ephemeral", G_CALLBACK (on_ephemeral_cb), peer);
  return peer;
}

void
peer_free (Peer *peer)
{
  g_clear_handle_id (&peer->pump_id, g_source_remove);
  confab_room_client_close (peer->client);
  g_signal_handlers_disconnect_by_data (peer->client, peer);
  g_clear_object (&peer->client);
  g_array_unref (peer->rooms);
  g_ptr_array_unref (peer->seqs);
  g_hash_table_unref (peer->texts);
  g_free (peer->name);
  g_free (peer);
}

/* ------------------------------------------------------------------------ */
/* Phases: every client goes through its steps, @window clients at a time.
 * A step is one frame (and its answer), sent when the pacing allows. */

typedef struct
{
  const char *what;
  guint       window;
  guint     (*n_steps) (Peer *peer);
  void      (*start)   (Peer *peer, GAsyncReadyCallback callback);
  void      (*finish)  (Peer *peer, GAsyncResult *result);
} Phase;

static const Phase *phase;
static guint phase_next_peer;
static guint phase_in_flight;
static guint phase_done;

static void phase_step (Peer *peer);

static void
phase_start_peer (Bench *bench)
{
  while (phase_in_flight < phase->window && phase_next_peer < bench->peers->len)
    {
      Peer *peer = g_ptr_array_index (bench->peers, phase_next_peer++);

      peer->next = 0;
      if (phase->n_steps (peer) == 0)
        {
          phase_done++;
          continue;
        }
      phase_in_flight++;
      phase_step (peer);
    }
}

static void
phase_step_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Peer *peer = user_data;

  phase->finish (peer, result);
  peer->bench->progress = now_us ();
  if (++peer->next < phase->n_steps (peer))
    {
      phase_step (peer);
      return;
    }
  phase_in_flight--;
  phase_done++;
  phase_start_peer (peer->bench);
}

static gboolean
phase_step_due_cb (gpointer user_data)
{
  Peer *peer = user_data;

  peer->pump_id = 0;
  phase_step (peer);
  return G_SOURCE_REMOVE;
}

static void
phase_step (Peer *peer)
{
  refill (peer);
  if (peer->tokens < 1.0)
    {
      peer->pump_id = g_timeout_add (next_token_ms (peer), phase_step_due_cb, peer);
      return;
    }
  peer->tokens -= 1.0;
  phase->start (peer, phase_step_cb);
}

static gboolean
phase_finished (Bench *bench)
{
  return phase_done == bench->peers->len;
}

static void
run_phase (Bench       *bench,
           const Phase *which)
{
  phase = which;
  phase_next_peer = phase_in_flight = phase_done = 0;
  phase_start_peer (bench);
  if (!run_until (bench, phase_finished, which->what))
    g_error ("setting up failed: %s", which->what);
  phase = NULL;
}

/* Registering: hello, then register. */

static guint
register_steps (Peer *peer)
{
  return 2;
}

static void
register_start (Peer                *peer,
                GAsyncReadyCallback  callback)
{
  if (peer->next == 0)
    confab_room_client_connect_async (peer->client, NULL, callback, peer);
  else
    confab_room_client_login_async (peer->client, peer->name, PASSWORD, TRUE, NULL, callback,
                                    peer);
}

static void
register_finish (Peer         *peer,
                 GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (peer->next == 0)
    ok = confab_room_client_connect_finish (peer->client, result, &error);
  else
    ok = confab_room_client_login_finish (peer->client, result, &error);
  if (!ok)
    g_error ("%s: %s", peer->name, error->message);
}

static const Phase registering = {
  "the registrations", REGISTER_WINDOW, register_steps, register_start, register_finish
};

/* Accepting the invites of its rooms (the owner created them). */

static char **invite_tokens;

static guint
accept_steps (Peer *peer)
{
  return peer->index == 0 ? 0 : peer->rooms->len;
}

static void
accept_start (Peer                *peer,
              GAsyncReadyCallback  callback)
{
  guint r = g_array_index (peer->rooms, guint, peer->next);
  g_autoptr(JsonNode) frame = parse_frame ("{\"type\":\"invite.accept\",\"token\":\"%s\"}",
                                           invite_tokens[r]);

  confab_room_client_request_async (peer->client, frame, NULL, callback, peer);
}

static void
accept_finish (Peer         *peer,
               GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;

  answer = confab_room_client_request_finish (peer->client, result, &error);
  if (answer == NULL)
    g_error ("%s: %s", peer->name, error->message);
}

static const Phase accepting = {
  "the invites", JOIN_WINDOW, accept_steps, accept_start, accept_finish
};

/* Joining its rooms, from their seq once everyone is a member: a client
 * that has the history, as the app does after its first sync. (Replaying
 * a thousand member.joined events to a thousand clients would make the
 * setup quadratic; the tests cover the replay.) */

static guint
join_steps (Peer *peer)
{
  return peer->rooms->len;
}

static void
join_start (Peer                *peer,
            GAsyncReadyCallback  callback)
{
  Bench *bench = peer->bench;
  guint r = g_array_index (peer->rooms, guint, peer->next);

  confab_room_client_join_async (peer->client, g_ptr_array_index (bench->rooms, r),
                                 g_array_index (bench->base_seqs, gint64, r), NULL, callback,
                                 peer);
}

static void
join_finish (Peer         *peer,
             GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) joined = NULL;

  joined = confab_room_client_join_finish (peer->client, result, &error);
  if (joined == NULL)
    g_error ("%s: %s", peer->name, error->message);
  peer->bench->members[g_array_index (peer->rooms, guint, peer->next)]++;
}

static const Phase joining = {
  "the joins", JOIN_WINDOW, join_steps, join_start, join_finish
};

void
set_up (Bench *bench)
{
  Peer *owner;
  g_autoptr(JsonObject) list = NULL;
  JsonArray *array;

  for (int i = 0; i < bench->n_clients; i++)
    g_ptr_array_add (bench->peers, peer_new (bench, i));
  run_phase (bench, &registering);
  owner = g_ptr_array_index (bench->peers, 0);

  invite_tokens = g_new0 (char *, bench->n_rooms + 1);
  for (int r = 0; r < bench->n_rooms; r++)
    {
      g_autoptr(JsonObject) room = NULL;
      g_autoptr(JsonObject) invite = NULL;
      g_autoptr(JsonObject) ack = NULL;
      const char *id;

      room = request (owner, parse_frame ("{\"type\":\"room.create\",\"name\":\"Bench %d\"}",
                                          r + 1));
      id = json_object_get_string_member (json_object_get_object_member (room, "room"), "id");
      g_ptr_array_add (bench->rooms, g_strdup (id));
      g_hash_table_insert (bench->room_index, g_strdup (id), GUINT_TO_POINTER (r + 1));

      invite = request (owner, parse_frame ("{\"type\":\"invite.create\",\"room\":\"%s\","
                                            "\"role\":\"member\",\"uses\":0}", id));
      invite_tokens[r] = g_strdup (json_object_get_string_member (invite, "token"));

      ack = request (owner, parse_frame ("{\"type\":\"chat.create\",\"room\":\"%s\","
                                         "\"title\":\"General\"}", id));
      g_ptr_array_add (bench->chats, g_strdup (json_object_get_string_member (ack, "chat")));
    }
  run_phase (bench, &accepting);
  g_clear_pointer (&invite_tokens, g_strfreev);

  list = request (owner, parse_frame ("{\"type\":\"rooms\"}"));
  array = json_object_get_array_member (list, "rooms");
  g_array_set_size (bench->base_seqs, bench->n_rooms);
  for (guint a = 0; a < json_array_get_length (array); a++)
    {
      JsonObject *room = json_array_get_object_element (array, a);
      guint r = GPOINTER_TO_UINT (g_hash_table_lookup (bench->room_index,
                                                       json_object_get_string_member (room,
                                                                                      "id")));

      if (r > 0)
        g_array_index (bench->base_seqs, gint64, r - 1) =
          json_object_get_int_member (room, "last_seq");
    }
  run_phase (bench, &joining);
}
