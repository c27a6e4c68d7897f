/* bench-rooms-private.h: what the parts of bench-rooms share.
 *
 * bench-rooms.c         options, the scenarios' order, the table
 * bench-rooms-setup.c   confabd, the clients, accounts, rooms and joins
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
  guint  arrivals;       /* clients it reached so far */
} Sent;

typedef struct _Bench Bench;

typedef struct
{
  Bench            *bench;
  guint             index;
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

  char        *dir;
  GSubprocess *confabd;
  char        *url;

  GPtrArray   *peers;
  GPtrArray   *rooms;              /* room ids */
  GHashTable  *room_index;         /* room id → index + 1 */
  GPtrArray   *chats;              /* a chat per room */
  GArray      *base_seqs;          /* gint64 per room: its last seq when joined */
  guint       *members;            /* per room: clients joined to it */

  /* Memory of confabd (VmRSS, KiB) */
  guint64      rss_start;
  guint64      rss_joined;
  guint64      rss_end;

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
  double       fanout_cpu_confabd; /* CPU seconds it took, confabd's and ours */
  double       fanout_cpu_self;
  double       fanout_wall;
  GArray      *fanout_first;       /* per message: its first arrival's latency */
  GArray      *fanout_last;        /* and its last's, at the last client in the room */

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
void        start_confabd      (Bench      *bench,
                                const char *path);
void        stop_confabd       (Bench      *bench);
guint64     confabd_rss_kib    (Bench      *bench);
void        cpu_seconds        (Bench      *bench,
                                double     *confabd,
                                double     *self);
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
