/* confabd-test-cluster.h: two confabd instances on one PostgreSQL and one
 * Redis, behind HAProxy, for the scale-out tests
 *
 * The tests run under tests/server/run-with-services.sh, which starts the
 * private PostgreSQL and Redis; the fixture starts the instances and the
 * proxy (a fresh database and an empty Redis for each test).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confabd-test-client.h"

G_BEGIN_DECLS

#define CONFABD_TEST_N_INSTANCES 2

typedef struct
{
  char              *tmp_dir;
  char              *store;
  char              *dirs[CONFABD_TEST_N_INSTANCES];
  ConfabdTestDaemon *daemons[CONFABD_TEST_N_INSTANCES];
  GSubprocess       *proxy;
  char              *proxy_uri;
} ConfabdTestCluster;

/* For g_test_add: skips the test without PostgreSQL, Redis or haproxy. */
void               confabd_test_cluster_set_up      (ConfabdTestCluster  *fixture,
                                                     gconstpointer        data);
/* Stops the instances still running (exit 0 required) and the proxy. */
void               confabd_test_cluster_tear_down   (ConfabdTestCluster  *fixture,
                                                     gconstpointer        data);
/* Through the proxy, once the instance a client used is gone; signed in
 * with @token. */
ConfabdTestClient *confabd_test_cluster_reconnect   (ConfabdTestCluster  *fixture,
                                                     const char          *name,
                                                     const char          *token);
/* Starts Redis again (after a test shut it down), daemonized on the same
 * port; confabd_test_cluster_finish stops it at the end. */
void               confabd_test_cluster_restart_redis (ConfabdTestCluster *fixture);
void               confabd_test_cluster_finish      (void);
/* redis-cli on the test's Redis: COMMAND ARGS…, NULL-terminated. */
void               confabd_test_redis_cli           (const char          *command,
                                                     ...) G_GNUC_NULL_TERMINATED;

typedef struct
{
  char *room;
  char *chat;
  gint64 last_seq;   /* after everyone joined */
} ConfabdTestRoom;

void               confabd_test_room_clear          (ConfabdTestRoom     *room);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ConfabdTestRoom, confabd_test_room_clear)

/* The first client owns a room with a chat; the others are members; all
 * joined, queues empty. */
void               confabd_test_cluster_room        (ConfabdTestClient  **clients,
                                                     guint                n_clients,
                                                     ConfabdTestRoom     *room);
/* ada (signed up on instance A, with her token if @ada_token) and bob (on
 * B) in a room of hers: confabd_test_cluster_room. */
void               confabd_test_cluster_pair        (ConfabdTestCluster  *fixture,
                                                     ConfabdTestClient  **ada,
                                                     ConfabdTestClient  **bob,
                                                     ConfabdTestRoom     *room,
                                                     char               **ada_token);
/* @client's next events in @room after @after up to @last_seq, checked
 * one by one. */
GPtrArray         *confabd_test_take_events         (ConfabdTestClient   *client,
                                                     const char          *room,
                                                     gint64               after,
                                                     gint64               last_seq);
const char        *confabd_test_event_message       (JsonObject          *event);
void               confabd_test_assert_same_events  (GPtrArray           *a,
                                                     GPtrArray           *b);
/* Nothing but presence (which heartbeats bring any time) within @ms. */
void               confabd_test_assert_quiet        (ConfabdTestClient   *client,
                                                     guint                ms);
/* The first frame of @type with @member = @value (NULL: any), waiting up
 * to @seconds. */
JsonObject        *confabd_test_wait_for_frame      (ConfabdTestClient   *client,
                                                     const char          *type,
                                                     const char          *member,
                                                     const char          *value,
                                                     guint                seconds);
/* The chat's messages in @client's history: id → text, each once. */
GHashTable        *confabd_test_history             (ConfabdTestClient   *client,
                                                     ConfabdTestRoom     *room);

G_END_DECLS
