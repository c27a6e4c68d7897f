/* test-confabd-scale.c: two confabd instances on one PostgreSQL and one
 * Redis, behind HAProxy: one order of events for everyone, an instance
 * killed mid-reply, Redis restarted, PostgreSQL stopped
 *
 * Runs under tests/server/run-with-services.sh, which starts the private
 * PostgreSQL and Redis; the test starts the instances and the proxy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>

#include "confabd-test-cluster.h"

typedef ConfabdTestCluster Fixture;

/* ---- Tests */

/* Sends "part I. " for I in [@first, @end) as deltas of @message, appending
 * them to @reply (whose length is the next offset). */
static void
send_parts (ConfabdTestClient *client,
            ConfabdTestRoom   *room,
            const char        *message,
            GString           *reply,
            guint              first,
            guint              end)
{
  for (guint i = first; i < end; i++)
    {
      g_autofree char *piece = g_strdup_printf ("part %u. ", i);

      confabd_test_client_sendf (client, "{'type':'stream.delta','room':'%s','message':'%s',"
                                 "'text':'%s','offset':%" G_GSIZE_FORMAT "}",
                                 room->room, message, piece, reply->len);
      g_string_append (reply, piece);
    }
}

#define PER_CLIENT 30

/* ada on instance A, bob on B, carol through the proxy, all writing at
 * once: everyone gets the same events, numbered 1, 2, 3… without a gap. */
static void
test_one_order (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(ConfabdTestClient) carol = NULL;
  GPtrArray *seen[3];
  g_auto(ConfabdTestRoom) room = { 0 };
  ConfabdTestClient *clients[3];
  gint64 last_seq;

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  ada = confabd_test_client_new (fixture->daemons[0]->uri, "ada");
  bob = confabd_test_client_new (fixture->daemons[1]->uri, "bob");
  carol = confabd_test_client_new (fixture->proxy_uri, "carol");
  confabd_test_client_register (ada, "ada");
  confabd_test_client_register (bob, "bob");
  confabd_test_client_register (carol, "carol");
  clients[0] = ada;
  clients[1] = bob;
  clients[2] = carol;
  confabd_test_cluster_room (clients, 3, &room);

  for (guint i = 0; i < PER_CLIENT; i++)
    for (guint c = 0; c < 3; c++)
      confabd_test_client_sendf (clients[c],
                                 "{'type':'message.create','id':%u,'room':'%s','chat':'%s',"
                                 "'text':'%s %u'}", 1000 + i, room.room, room.chat,
                                 clients[c]->name, i);

  last_seq = room.last_seq + 3 * PER_CLIENT;
  for (guint c = 0; c < 3; c++)
    seen[c] = confabd_test_take_events (clients[c], room.room, room.last_seq, last_seq);
  confabd_test_assert_same_events (seen[0], seen[1]);
  confabd_test_assert_same_events (seen[0], seen[2]);

  /* Every acknowledgement names the event its sender sees for it. */
  for (guint c = 0; c < 3; c++)
    for (guint i = 0; i < PER_CLIENT; i++)
      {
        g_autoptr(JsonObject) ack = confabd_test_client_next_of_type (clients[c], "ack");
        gint64 seq = confabd_test_get_int (ack, "seq");
        JsonObject *event = g_ptr_array_index (seen[c], seq - room.last_seq - 1);

        g_assert_cmpstr (confabd_test_get_string (event, "author"), ==, clients[c]->name);
        g_assert_cmpstr (confabd_test_event_message (event), ==, confabd_test_get_string (ack, "message"));
      }

  for (guint c = 0; c < 3; c++)
    {
      confabd_test_assert_quiet (clients[c], 300);
      g_ptr_array_unref (seen[c]);
    }
}

/* kill -9 of the instance relaying ada's reply while she writes: she
 * reconnects through the proxy to the other one, finishes the reply there,
 * and everyone converges on every acknowledged event, once. */
static void
test_kill_instance (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) delta = NULL;
  g_autoptr(JsonObject) ended = NULL;
  g_autoptr(GHashTable) texts = NULL;
  g_autoptr(GPtrArray) acked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ada_view = NULL;
  g_autoptr(GPtrArray) bob_view = NULL;
  g_autoptr(GString) reply = g_string_new (NULL);
  g_autofree char *token = NULL;
  g_autofree char *message = NULL;
  g_auto(ConfabdTestRoom) room = { 0 };
  gint64 last_seq = 0;

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  confabd_test_cluster_pair (fixture, &ada, &bob, &room, &token);

  /* A reply relayed through A, seen live by bob on B. */
  ack = confabd_test_client_ok (ada, "ack",
                                "{'type':'stream.start','room':'%s','chat':'%s',"
                                "'model':'openai:gpt-4o'}", room.room, room.chat);
  message = g_strdup (confabd_test_get_string (ack, "message"));
  send_parts (ada, &room, message, reply, 0, 5);
  delta = confabd_test_client_next_of_type (bob, "stream.delta");
  g_assert_cmpstr (confabd_test_get_string (delta, "message"), ==, message);
  g_assert_cmpint (confabd_test_get_int (delta, "offset"), ==, 0);

  /* Messages: ten acknowledged, then five more in flight as A dies. */
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(JsonObject) sent = NULL;

      sent = confabd_test_client_ok (ada, "ack", "{'type':'message.create','room':'%s',"
                                     "'chat':'%s','text':'before %u'}", room.room, room.chat, i);
      g_ptr_array_add (acked, g_strdup (confabd_test_get_string (sent, "message")));
    }
  for (guint i = 0; i < 5; i++)
    confabd_test_client_sendf (ada, "{'type':'message.create','room':'%s','chat':'%s',"
                               "'text':'in flight %u'}", room.room, room.chat, i);
  confabd_test_daemon_kill (fixture->daemons[0]);
  confabd_test_client_wait_closed (ada);
  g_clear_pointer (&ada, confabd_test_client_free);

  /* Back through the proxy (to B, the one left), where the reply goes on. */
  ada = confabd_test_cluster_reconnect (fixture, "ada", token);
  g_clear_pointer (&ack, json_object_unref);
  ack = confabd_test_client_join (ada, room.room, 0, &ada_view);
  g_assert_cmpstr (confabd_test_get_string (ack, "type"), ==, "joined");
  send_parts (ada, &room, message, reply, 5, 8);
  g_clear_pointer (&ack, json_object_unref);
  ack = confabd_test_client_ok (ada, "ack", "{'type':'stream.end','room':'%s','message':'%s',"
                                "'text':'%s','status':'complete'}", room.room, message,
                                reply->str);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(JsonObject) sent = NULL;

      sent = confabd_test_client_ok (ada, "ack", "{'type':'message.create','room':'%s',"
                                     "'chat':'%s','text':'after %u'}", room.room, room.chat, i);
      g_ptr_array_add (acked, g_strdup (confabd_test_get_string (sent, "message")));
      last_seq = confabd_test_get_int (sent, "seq");
    }

  /* bob saw the reply end with its whole text, and the same events as a
   * fresh replay gives ada. */
  ended = confabd_test_client_next_event (bob, room.room, "stream.ended");
  g_assert_cmpstr (confabd_test_get_string (confabd_test_get_object (ended, "data"), "text"), ==,
                   reply->str);
  g_assert_cmpstr (confabd_test_get_string (confabd_test_get_object (ended, "data"), "status"),
                   ==, "complete");
  g_clear_pointer (&ada, confabd_test_client_free);
  ada = confabd_test_cluster_reconnect (fixture, "ada", token);
  g_clear_pointer (&ack, json_object_unref);
  g_clear_pointer (&ada_view, g_ptr_array_unref);
  ack = confabd_test_client_join (ada, room.room, room.last_seq, &ada_view);
  g_assert_cmpint (confabd_test_get_int (ack, "last_seq"), ==, last_seq);
  g_assert_cmpuint (ada_view->len, ==, last_seq - room.last_seq);
  for (guint i = 0; i < ada_view->len; i++)
    g_assert_cmpint (confabd_test_get_int (g_ptr_array_index (ada_view, i), "seq"), ==,
                     room.last_seq + 1 + i);

  confabd_test_client_clear (bob);
  g_clear_pointer (&ack, json_object_unref);
  ack = confabd_test_client_join (bob, room.room, room.last_seq, &bob_view);
  confabd_test_assert_same_events (ada_view, bob_view);

  texts = confabd_test_history (bob, &room);
  for (guint i = 0; i < acked->len; i++)
    g_assert_true (g_hash_table_contains (texts, g_ptr_array_index (acked, i)));
  g_assert_cmpstr (g_hash_table_lookup (texts, message), ==, reply->str);
}

/* Instance A dies with ada's reply half relayed and she does not come
 * back: within a heartbeat after A's key expired, B tells bob she is
 * offline and ends the reply as interrupted with what it mirrored. */
static void
test_instance_dies (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) presence = NULL;
  g_autoptr(JsonObject) ended = NULL;
  g_autoptr(GHashTable) texts = NULL;
  g_autoptr(GString) reply = g_string_new (NULL);
  g_autofree char *message = NULL;
  g_auto(ConfabdTestRoom) room = { 0 };
  JsonObject *ended_data;

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  confabd_test_cluster_pair (fixture, &ada, &bob, &room, NULL);

  ack = confabd_test_client_ok (ada, "ack",
                                "{'type':'stream.start','room':'%s','chat':'%s',"
                                "'model':'openai:gpt-4o'}", room.room, room.chat);
  message = g_strdup (confabd_test_get_string (ack, "message"));
  json_object_unref (confabd_test_client_next_event (bob, room.room, "stream.started"));
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) delta = NULL;
      gsize offset = reply->len;

      send_parts (ada, &room, message, reply, i, i + 1);
      delta = confabd_test_client_next_of_type (bob, "stream.delta");
      g_assert_cmpint (confabd_test_get_int (delta, "offset"), ==, offset);
    }

  confabd_test_daemon_kill (fixture->daemons[0]);

  /* B may first tell bob ada is online (its heartbeat read her in), then
   * offline once her instance's entries expired. */
  do
    {
      g_clear_pointer (&presence, json_object_unref);
      presence = confabd_test_wait_for_frame (bob, "presence", "user", "ada", 40);
    }
  while (json_object_get_boolean_member (presence, "online"));
  ended = confabd_test_wait_for_frame (bob, "event", "event", "stream.ended", 40);
  ended_data = confabd_test_get_object (ended, "data");
  g_assert_cmpstr (confabd_test_get_string (ended_data, "message"), ==, message);
  g_assert_cmpstr (confabd_test_get_string (ended_data, "status"), ==, "interrupted");
  g_assert_cmpstr (confabd_test_get_string (ended_data, "text"), ==, reply->str);

  texts = confabd_test_history (bob, &room);
  g_assert_cmpstr (g_hash_table_lookup (texts, message), ==, reply->str);
  /* Ended once, by one instance. */
  confabd_test_assert_quiet (bob, 300);
}

/* Redis goes away while ada writes on A; bob on B gets nothing live
 * meanwhile, then everything, in order, once the instances are back on
 * Redis (filled from PostgreSQL). */
static void
test_redis_restart (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_auto(ConfabdTestRoom) room = { 0 };

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  confabd_test_cluster_pair (fixture, &ada, &bob, &room, NULL);

  g_clear_pointer (&events, g_ptr_array_unref);
  json_object_unref (confabd_test_client_ok (ada, "ack", "{'type':'message.create','room':'%s',"
                                             "'chat':'%s','text':'one'}", room.room, room.chat));
  events = confabd_test_take_events (bob, room.room, room.last_seq, room.last_seq + 1);

  confabd_test_redis_cli ("shutdown", "nosave", NULL);
  for (guint i = 0; i < 3; i++)
    json_object_unref (confabd_test_client_ok (ada, "ack", "{'type':'message.create',"
                                               "'room':'%s','chat':'%s','text':'while down %u'}",
                                               room.room, room.chat, i));
  /* Nothing can reach B now. */
  confabd_test_assert_quiet (bob, 500);

  confabd_test_cluster_restart_redis (fixture);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = confabd_test_take_events (bob, room.room, room.last_seq + 1, room.last_seq + 4);
  g_assert_cmpstr (confabd_test_get_string (confabd_test_get_object (g_ptr_array_index (events, 2),
                                                                     "data"), "text"), ==,
                   "while down 2");

  /* And live again. */
  json_object_unref (confabd_test_client_ok (ada, "ack", "{'type':'message.create','room':'%s',"
                                             "'chat':'%s','text':'back'}", room.room, room.chat));
  g_clear_pointer (&events, g_ptr_array_unref);
  events = confabd_test_take_events (bob, room.room, room.last_seq + 4, room.last_seq + 5);
  confabd_test_assert_quiet (bob, 300);
}

/* A logout on instance A closes the connections of that session on B
 * too (through the bus), and only those. */
static void
test_revocation (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(ConfabdTestClient) thief = NULL;
  g_autoptr(ConfabdTestClient) again = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *token = NULL;
  g_auto(ConfabdTestRoom) room = { 0 };

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  confabd_test_cluster_pair (fixture, &ada, &bob, &room, &token);
  thief = confabd_test_client_new (fixture->daemons[1]->uri, "thief on B");
  confabd_test_client_auth (thief, token);
  answer = confabd_test_client_join (thief, room.room, 0, NULL);
  confabd_test_client_clear (thief);

  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "ack", "{'type':'logout'}");
  g_assert_cmpuint (confabd_test_client_wait_closed (thief), ==, 1008);

  /* Bob's session on B is another one, and the token is refused there. */
  confabd_test_client_ping (bob);
  again = confabd_test_client_new (fixture->daemons[1]->uri, "again on B");
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_fails (again, "expired", "{'type':'auth','token':'%s'}", token);
  for (guint i = 0; i < CONFABD_TEST_N_INSTANCES; i++)
    confabd_test_daemon_assert_healthy (fixture->daemons[i]);
}

/* Garbage on the Redis bus (a stray publisher, a broken instance) is
 * ignored by every instance: no crash, no critical (the tests run confabd
 * with fatal criticals and warnings), no leak (the ASan run checks the
 * daemons' exit), and the room goes on live. */
static void
test_bus_garbage (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GString) deep = g_string_new ("{\"from\":\"x\",\"kind\":\"event\",\"frame\":");
  g_autofree char *channel = NULL;
  g_auto(ConfabdTestRoom) room = { 0 };
  const char *garbage[] = {
    "",
    "not json",
    "[1,2]",
    /* JSON-GLib 1.6 keeps the first value and leaks the second. */
    "{\"from\":\"x\",\"kind\":\"event\",\"frame\":{}}{\"a\":[1,2,3]}",
    "{\"from\":\"x\",\"kind\":\"event\",\"frame\":{\"t\":\"\\ud800\\u0041\"}}",
    "{\"from\":{},\"kind\":\"event\",\"frame\":{}}",
    "{\"from\":\"x\",\"kind\":7,\"frame\":{}}",
    "{\"from\":\"x\",\"kind\":\"gossip\",\"frame\":{}}",
    "{\"from\":\"x\",\"kind\":\"event\",\"frame\":[]}",
    NULL,
  };

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  confabd_test_cluster_pair (fixture, &ada, &bob, &room, NULL);

  for (guint k = 0; k < 100000; k++)
    g_string_append_c (deep, '[');
  garbage[G_N_ELEMENTS (garbage) - 1] = deep->str;
  channel = g_strconcat ("confab:room:", room.room, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      confabd_test_redis_cli ("publish", channel, garbage[i], NULL);
      confabd_test_redis_cli ("publish", "confab:sessions", garbage[i], NULL);
    }
  confabd_test_redis_cli ("publish", "confab:sessions",
                          "{\"from\":\"x\",\"kind\":\"revoke\",\"frame\":{\"session\":7}}", NULL);

  /* Both instances still up, and the room live across them. */
  for (guint i = 0; i < CONFABD_TEST_N_INSTANCES; i++)
    confabd_test_daemon_assert_healthy (fixture->daemons[i]);
  json_object_unref (confabd_test_client_ok (ada, "ack", "{'type':'message.create','room':'%s',"
                                             "'chat':'%s','text':'still live'}", room.room,
                                             room.chat));
  events = confabd_test_take_events (bob, room.room, room.last_seq, room.last_seq + 1);
  g_assert_cmpstr (confabd_test_get_string (confabd_test_get_object (g_ptr_array_index (events, 0),
                                                                     "data"), "text"), ==,
                   "still live");
  confabd_test_assert_quiet (bob, 300);
}

/* PostgreSQL stopped: a write gets "unavailable" at once (no hang, no
 * crash), the server stays up, and the same write works once it is back. */
static void
test_postgres_down (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) bob = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *health = NULL;
  g_auto(ConfabdTestRoom) room = { 0 };
  gint64 started;
  gboolean stored = FALSE;

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  confabd_test_cluster_pair (fixture, &ada, &bob, &room, NULL);

  confabd_test_pg_stop ();
  started = g_get_monotonic_time ();
  refused = confabd_test_client_fails (ada, "unavailable", "{'type':'message.create',"
                                       "'room':'%s','chat':'%s','text':'kept'}", room.room,
                                       room.chat);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (confabd_test_get_int (refused, "retry_after"), >, 0);
  g_assert_nonnull (strstr (confabd_test_get_string (refused, "message"), "database"));
  for (guint i = 0; i < CONFABD_TEST_N_INSTANCES; i++)
    confabd_test_daemon_assert_healthy (fixture->daemons[i]);
  confabd_test_client_ping (bob);

  confabd_test_pg_start ();
  /* What a client does with "unavailable": the same frame, a bit later. */
  for (guint tries = 0; !stored; tries++)
    {
      g_autoptr(JsonObject) answer = NULL;

      g_assert_cmpuint (tries, <, 20);
      answer = confabd_test_client_request (ada, "{'type':'message.create','room':'%s',"
                                            "'chat':'%s','text':'kept'}", room.room, room.chat);
      stored = g_strcmp0 (confabd_test_get_string (answer, "type"), "ack") == 0;
      if (!stored)
        {
          g_assert_cmpstr (confabd_test_get_string (answer, "code"), ==, "unavailable");
          confabd_test_run_for (500);
        }
    }

  event = confabd_test_client_next_event (bob, room.room, "message.created");
  g_assert_cmpint (confabd_test_get_int (event, "seq"), ==, room.last_seq + 1);
  g_assert_cmpstr (confabd_test_get_string (confabd_test_get_object (event, "data"), "text"), ==,
                   "kept");

  /* Restarted while nobody wrote: the pooled connections are dead, and
   * the next write must not be the one to find out. */
  confabd_test_pg_stop ();
  confabd_test_pg_start ();
  json_object_unref (confabd_test_client_ok (ada, "ack", "{'type':'message.create','room':'%s',"
                                             "'chat':'%s','text':'after a restart'}", room.room,
                                             room.chat));
  json_object_unref (confabd_test_client_ok (bob, "ack", "{'type':'message.create','room':'%s',"
                                             "'chat':'%s','text':'on B too'}", room.room,
                                             room.chat));
}

#define SCALE_TEST_ADD(name, func) \
  g_test_add ("/confabd/scale/" name, ConfabdTestCluster, NULL,                            \
              confabd_test_cluster_set_up, func, confabd_test_cluster_tear_down)

int
main (int   argc,
      char *argv[])
{
  int status;

  confabd_test_init (&argc, &argv);

  SCALE_TEST_ADD ("one-order", test_one_order);
  SCALE_TEST_ADD ("kill-instance", test_kill_instance);
  SCALE_TEST_ADD ("instance-dies", test_instance_dies);
  SCALE_TEST_ADD ("redis-restart", test_redis_restart);
  SCALE_TEST_ADD ("postgres-down", test_postgres_down);
  SCALE_TEST_ADD ("bus-garbage", test_bus_garbage);
  SCALE_TEST_ADD ("revocation", test_revocation);

  status = g_test_run ();
  confabd_test_cluster_finish ();
  return status;
}
