/* bench-rooms-private.h: what the parts of bench-rooms share.
 *
 * bench-rooms.c         options, the scenarios' order, the table
 * bench-rooms-setup.c   confabd (one instance or several on a shared store),
 *                       the clients, accounts, rooms and joins
 * bench-rooms-load.c    sending, receiving and counting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-room-client.h"

G_BEGIN_DECLS

#define PASSWORD "bench password"
/* Without progress for this long a wait gives up and counts the rest as
 * lost. */
#define STALL_SECONDS 30

/* What a bench message was sent for. */
typedef enum
{
  KIND_BURST,            /* the messages scenario, in a connection's first burst */
  KIND_PACED,            /* the same, once paced */
  KIND_FANOUT,           /* the fan-out scenario, spread over clients and time */
  N_KINDS
} Kind;

typedef struct
{
  gint64 time;
  Kind   kind;
  guint  room;           /* index into Bench.rooms */
  guint  instance;       /* the sender's confabd */
  guint  arrivals;       /* clients it reached so far */
} Sent;

typedef struct _Bench Bench;

typedef struct
{
  Bench            *bench;
  guint             index;
  guint             instance;      /* the confabd it connects to */
  char             *name;
  ConfabRoomClient *client;
  GArray           *rooms;         /* guint: the indices of the rooms it joins */

  /* The client side of the rate limit. */
  double            tokens;
  gint64            refilled;
  guint             pump_id;
  guint             next;          /* the next message (or delta, or setup step) */
  gboolean          paced;         /* its first burst of messages is sent */

  /* What it received. */
  GPtrArray        *seqs;          /* per bench room: GArray of guint8 counts by seq, or NULL */
  GHashTable       *texts;         /* message text → count */
  guint             n_deltas;
  guint             n_delta_dups;
  guint             n_delta_gaps;
  gsize             delta_bytes;   /* offset of the next expected delta */
} Peer;

struct _Bench
{
  /* Options */
  int          n_clients;
  int          n_messages;
  int          n_rooms;
  int          n_deltas;
  double       rate;
  double       burst;
  gboolean     spread;             /* client i in room i % R only */
  double       fanout_rate;        /* messages/s over all clients; 0: no fan-out */
  double       fanout_seconds;
  int          n_instances;        /* confabd processes (peer_new says which client where) */
  char        *store;              /* --store for each confabd; NULL: SQLite in its data dir */
  char        *pg_admin;           /* make a fresh database here for the store */
  char        *redis;              /* --redis for each confabd */
  char       **cpu_of;             /* NAME=PID: also time these processes (and children) */

  char        *dir;
  char        *database;           /* the database made on pg_admin, dropped at the end */
  char        *setup_name;         /* "sqlite/1", "postgres/1", "postgres+redis/2" */
  GPtrArray   *confabds;           /* GSubprocess per instance */
  GPtrArray   *urls;               /* its URL */

  GPtrArray   *peers;
  GPtrArray   *rooms;              /* room ids */
  GHashTable  *room_index;         /* room id → index + 1 */
  GPtrArray   *chats;              /* a chat per room */
  GArray      *base_seqs;          /* gint64 per room: its last seq when joined */
  guint       *members;            /* per room: clients joined to it */

  /* Memory of each confabd (VmRSS, KiB) */
  guint64     *rss_start;
  guint64     *rss_joined;
  guint64     *rss_end;
  guint       *instance_clients;   /* per instance: clients connected to it */

  /* CPU seconds (user + system) of each confabd, each of cpu_of and
   * this process, in that order (cpu_sample) */
  GPtrArray   *cpu_names;          /* "confabd", "confabd #2", "redis", "bench-rooms" */
  GArray      *cpu_pids;           /* GPid; 0 for this process */
  double      *cpu_start;          /* once the instances are up */
  double      *cpu_joined;         /* once every client has joined */
  double      *cpu_end;

  /* Messages, by kind */
  GHashTable  *sent_at;            /* text → Sent */
  GArray      *latencies[N_KINDS]; /* double, seconds: one per delivery */
  GArray      *ack_latencies[N_KINDS];
  guint        n_sent[N_KINDS];
  guint        n_acks[N_KINDS];
  guint        n_refused[N_KINDS];
  guint       *acked[N_KINDS];     /* per room: messages stored */
  guint        delivered[N_KINDS]; /* first arrivals at a client */
  guint        dups[N_KINDS];
  gint64       first_send[N_KINDS];
  gint64       last_send[N_KINDS];
  gint64       last_delivery[N_KINDS];
  JsonArray   *server_rooms;       /* at the end: "rooms" (id, last_seq) */
  gint64       progress;           /* the last time anything arrived */

  /* Fan-out */
  guint        fanout_total;
  guint        fanout_next;
  gint64       fanout_start;
  guint        fanout_id;
  double      *fanout_cpu;         /* CPU seconds it took, as cpu_start */
  double       fanout_wall;
  GArray      *fanout_first;       /* per message: its first arrival's latency */
  GArray      *fanout_last;        /* and its last's, at the last client in the room */
  GArray      *fanout_here;        /* deliveries on the sender's instance */
  GArray      *fanout_elsewhere;   /* and on another one (through Redis) */

  /* The relay */
  Peer        *relay;              /* a plain member of the first room, or NULL */
  char        *stream;             /* the reply's message id */
  GArray      *delta_sent_at;      /* gint64 per delta */
  GArray      *delta_offsets;      /* gsize per delta */
  GString     *stream_text;
  GArray      *delta_latencies;
  gint64       first_delta;
  gint64       last_delta_delivery;
};

typedef gboolean (*Done) (Bench *bench);

static inline gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

/* bench-rooms-setup.c */
JsonNode   *parse_frame        (const char *format,
                                ...) G_GNUC_PRINTF (1, 2);
JsonObject *request            (Peer       *peer,
                                JsonNode   *frame);
gboolean    run_until          (Bench      *bench,
                                Done        done,
                                const char *what);
void        refill             (Peer       *peer);
guint       next_token_ms      (Peer       *peer);
gboolean    make_database      (Bench      *bench);
void        drop_database      (Bench      *bench);
void        start_confabds     (Bench      *bench,
                                const char *path);
void        stop_confabds      (Bench      *bench);
void        confabd_rss_kib    (Bench      *bench,
                                guint64    *rss);
void        cpu_sample         (Bench      *bench,
                                double     *seconds);
void        raise_fd_limit     (void);
gboolean    peer_in_room       (Peer       *peer,
                                guint       room);
void        peer_free          (Peer       *peer);
void        set_up             (Bench      *bench);

/* bench-rooms-load.c */
void        on_event_cb        (ConfabRoomClient *client,
                                const char       *room,
                                gint64            seq,
                                JsonObject       *frame,
                                Peer             *peer);
void        on_ephemeral_cb    (ConfabRoomClient *client,
                                const char       *room,
                                JsonObject       *frame,
                                Peer             *peer);
void        run_messages       (Bench      *bench);
void        run_fanout         (Bench      *bench);
void        run_relay          (Bench      *bench);
guint       expected_deliveries (Bench     *bench,
                                 Kind       kind);
void        check_logs         (Bench      *bench,
                                guint      *seq_lost,
                                guint      *seq_dup);

G_END_DECLS
