/* test-confabd-faults.c: confabd killed, stopped or left by a client in
 * the middle of a relayed reply: what was acknowledged is there once, the
 * reply ends as interrupted, and its caller can still finish it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "confabd-test-client.h"

typedef ConfabdTestFixture Fixture;

typedef struct
{
  char *room;
  char *chat;
  char *ada_token;
  char *bob_token;
} Setup;

static void
setup_clear (Setup *setup)
{
  g_free (setup->room);
  g_free (setup->chat);
  g_free (setup->ada_token);
  g_free (setup->bob_token);
}

/* ada owns a room with a chat; bob is a member; both joined. */
static void
set_up_room (ConfabdTestClient *ada,
             ConfabdTestClient *bob,
             Setup             *setup)
{
  g_autoptr(JsonObject) frame = NULL;
  g_autoptr(JsonObject) invite = NULL;

  setup->ada_token = g_strdup (confabd_test_client_register (ada, "ada"));
  setup->bob_token = g_strdup (confabd_test_client_register (bob, "bob"));

  frame = confabd_test_client_ok (ada, "room", "{'type':'room.create','name':'Lab'}");
  setup->room = g_strdup (confabd_test_get_string (confabd_test_get_object (frame, "room"), "id"));
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "ack", "{'type':'chat.create','room':'%s','title':'C'}",
                                  setup->room);
  setup->chat = g_strdup (confabd_test_get_string (frame, "chat"));
  invite = confabd_test_client_ok (ada, "invite",
                                   "{'type':'invite.create','room':'%s','role':'member'}",
                                   setup->room);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (bob, "room", "{'type':'invite.accept','token':'%s'}",
                                  confabd_test_get_string (invite, "token"));

  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_join (ada, setup->room, 0, NULL);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_join (bob, setup->room, 0, NULL);
  confabd_test_client_clear (ada);
  confabd_test_client_clear (bob);
}

static char *
start_reply (ConfabdTestClient *client,
             Setup             *setup,
             gint64            *seq)
{
  g_autoptr(JsonObject) ack = NULL;

  ack = confabd_test_client_ok (client, "ack",
                                "{'type':'stream.start','room':'%s','chat':'%s','model':'openai:gpt-4o'}",
                                setup->room, setup->chat);
  if (seq != NULL)
    *seq = confabd_test_get_int (ack, "seq");
  return g_strdup (confabd_test_get_string (ack, "message"));
}

/* @from sends a delta; @to sees it relayed. */
static void
relay (ConfabdTestClient *from,
       ConfabdTestClient *to,
       Setup             *setup,
       const char        *message,
       const char        *text,
       gsize              offset)
{
  g_autoptr(JsonObject) delta = NULL;

  confabd_test_client_sendf (from,
                             "{'type':'stream.delta','room':'%s','message':'%s','text':'%s','offset':%"
                             G_GSIZE_FORMAT "}",
                             setup->room, message, text, offset);
  delta = confabd_test_client_next_of_type (to, "stream.delta");
  g_assert_cmpstr (confabd_test_get_string (delta, "message"), ==, message);
  g_assert_cmpstr (confabd_test_get_string (delta, "text"), ==, text);
}

/* The stored state of @message. */
static JsonObject *
lookup_message (ConfabdTestClient *client,
                Setup             *setup,
                const char        *message)
{
  g_autoptr(JsonObject) history = NULL;
  JsonArray *messages;

  history = confabd_test_client_ok (client, "history",
                                    "{'type':'history','room':'%s','chat':'%s'}",
                                    setup->room, setup->chat);
  messages = confabd_test_get_array (history, "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *object = json_array_get_object_element (messages, i);

      if (g_str_equal (confabd_test_get_string (object, "id"), message))
        return json_object_ref (object);
    }
  g_error ("message %s not in the history", message);
}

static void
assert_ended (JsonObject *event,
              const char *message,
              const char *status,
              const char *text)
{
  JsonObject *data = confabd_test_get_object (event, "data");

  g_assert_cmpstr (confabd_test_get_string (event, "event"), ==, "stream.ended");
  g_assert_cmpstr (confabd_test_get_string (event, "author"), ==, "ada");
  g_assert_cmpstr (confabd_test_get_string (data, "message"), ==, message);
  g_assert_cmpstr (confabd_test_get_string (data, "status"), ==, status);
  g_assert_cmpstr (confabd_test_get_string (data, "text"), ==, text);
}

/* The caller, back, finishes its reply: accepted once, seen by bob. */
static void
finish_interrupted (ConfabdTestClient *ada,
                    ConfabdTestClient *bob,
                    Setup             *setup,
                    const char        *message,
                    const char        *text)
{
  g_autoptr(JsonObject) frame = NULL;
  g_autoptr(JsonObject) stored = NULL;

  /* Not bob's to finish. */
  frame = confabd_test_client_fails (bob, "forbidden",
                                     "{'type':'stream.end','room':'%s','message':'%s','text':'x','status':'complete'}",
                                     setup->room, message);

  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "ack",
                                  "{'type':'stream.end','room':'%s','message':'%s','text':'%s','status':'complete'}",
                                  setup->room, message, text);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_next_event (bob, setup->room, "stream.ended");
  assert_ended (frame, message, "complete", text);

  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "conflict",
                                     "{'type':'stream.end','room':'%s','message':'%s','text':'again','status':'complete'}",
                                     setup->room, message);

  stored = lookup_message (bob, setup, message);
  g_assert_cmpstr (confabd_test_get_string (stored, "status"), ==, "complete");
  g_assert_cmpstr (confabd_test_get_string (stored, "text"), ==, text);
}

static void
test_kill_9 (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (fixture->daemon->uri, "ada");
  g_autoptr(ConfabdTestClient) bob = confabd_test_client_new (fixture->daemon->uri, "bob");
  g_autoptr(GHashTable) acked = g_hash_table_new (NULL, NULL);   /* seq → event name */
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) stored = NULL;
  g_autofree char *reply = NULL;
  Setup setup = { 0 };
  gint64 seq;

  set_up_room (ada, bob, &setup);
  /* room.created, member.joined, chat.created, member.joined */
  for (gint64 i = 1; i <= 4; i++)
    g_hash_table_insert (acked, GINT_TO_POINTER (i), (gpointer) "setup");

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(JsonObject) ack = NULL;

      ack = confabd_test_client_ok (ada, "ack",
                                    "{'type':'message.create','room':'%s','chat':'%s','text':'m%u'}",
                                    setup.room, setup.chat, i);
      g_hash_table_insert (acked, GINT_TO_POINTER (confabd_test_get_int (ack, "seq")),
                           (gpointer) "message.created");
    }
  reply = start_reply (ada, &setup, &seq);
  g_hash_table_insert (acked, GINT_TO_POINTER (seq), (gpointer) "stream.started");
  relay (ada, bob, &setup, reply, "Hel", 0);
  relay (ada, bob, &setup, reply, "lo", 3);

  confabd_test_daemon_kill (fixture->daemon);
  confabd_test_client_wait_closed (ada);
  confabd_test_client_wait_closed (bob);
  g_clear_pointer (&ada, confabd_test_client_free);
  g_clear_pointer (&bob, confabd_test_client_free);

  confabd_test_fixture_restart (fixture);
  bob = confabd_test_client_new (fixture->daemon->uri, "bob");
  confabd_test_client_auth (bob, setup.bob_token);
  joined = confabd_test_client_join (bob, setup.room, 0, &events);

  /* Every acknowledged event once, no gap, then the interruption the
   * restart stored (the deltas were never stored: no text). */
  g_assert_cmpuint (events->len, ==, g_hash_table_size (acked) + 1);
  g_assert_cmpint (confabd_test_get_int (joined, "last_seq"), ==, events->len);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (events, i);
      const char *name = g_hash_table_lookup (acked, GINT_TO_POINTER (i + 1));

      g_assert_cmpint (confabd_test_get_int (event, "seq"), ==, i + 1);
      if (i + 1 < events->len)
        {
          g_assert_nonnull (name);
          if (!g_str_equal (name, "setup"))
            g_assert_cmpstr (confabd_test_get_string (event, "event"), ==, name);
        }
      else
        assert_ended (event, reply, "interrupted", "");
    }
  g_assert_cmpuint (json_array_get_length (confabd_test_get_array (joined, "streams")), ==, 0);

  stored = lookup_message (bob, &setup, reply);
  g_assert_cmpstr (confabd_test_get_string (stored, "status"), ==, "interrupted");
  g_assert_cmpstr (confabd_test_get_string (stored, "role"), ==, "assistant");
  g_assert_cmpstr (confabd_test_get_string (stored, "model"), ==, "openai:gpt-4o");

  /* ada comes back and finishes the reply. */
  ada = confabd_test_client_new (fixture->daemon->uri, "ada");
  confabd_test_client_auth (ada, setup.ada_token);
  finish_interrupted (ada, bob, &setup, reply, "Hello, world");

  /* A second restart finds nothing left to interrupt. */
  g_clear_pointer (&ada, confabd_test_client_free);
  g_clear_pointer (&bob, confabd_test_client_free);
  g_assert_cmpint (confabd_test_daemon_stop (fixture->daemon, SIGTERM), ==, 0);
  confabd_test_fixture_restart (fixture);
  bob = confabd_test_client_new (fixture->daemon->uri, "bob");
  confabd_test_client_auth (bob, setup.bob_token);
  g_clear_pointer (&joined, json_object_unref);
  joined = confabd_test_client_join (bob, setup.room, 0, NULL);
  g_assert_cmpint (confabd_test_get_int (joined, "last_seq"), ==, g_hash_table_size (acked) + 2);

  setup_clear (&setup);
}

static void
test_client_dies (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (fixture->daemon->uri, "ada");
  g_autoptr(ConfabdTestClient) bob = confabd_test_client_new (fixture->daemon->uri, "bob");
  g_autoptr(ConfabdTestClient) late = NULL;
  g_autoptr(JsonObject) frame = NULL;
  g_autoptr(JsonObject) stored = NULL;
  g_autofree char *reply = NULL;
  Setup setup = { 0 };
  JsonArray *streams;
  JsonObject *stream;

  set_up_room (ada, bob, &setup);
  reply = start_reply (ada, &setup, NULL);
  relay (ada, bob, &setup, reply, "Par", 0);
  relay (ada, bob, &setup, reply, "tial", 3);

  /* Someone joining now gets the text so far. */
  late = confabd_test_client_new (fixture->daemon->uri, "bob, late");
  confabd_test_client_auth (late, setup.bob_token);
  frame = confabd_test_client_join (late, setup.room, 0, NULL);
  streams = confabd_test_get_array (frame, "streams");
  g_assert_cmpuint (json_array_get_length (streams), ==, 1);
  stream = json_array_get_object_element (streams, 0);
  g_assert_cmpstr (confabd_test_get_string (stream, "message"), ==, reply);
  g_assert_cmpstr (confabd_test_get_string (stream, "text"), ==, "Partial");
  g_assert_cmpstr (confabd_test_get_string (stream, "author"), ==, "ada");
  /* ... and the history too. */
  g_clear_pointer (&stored, json_object_unref);
  stored = lookup_message (late, &setup, reply);
  g_assert_cmpstr (confabd_test_get_string (stored, "status"), ==, "streaming");
  g_assert_cmpstr (confabd_test_get_string (stored, "text"), ==, "Partial");

  /* ada's connection drops without a word. */
  confabd_test_client_abort (ada);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_next_event (bob, setup.room, "stream.ended");
  assert_ended (frame, reply, "interrupted", "Partial");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_next_event (late, setup.room, "stream.ended");
  assert_ended (frame, reply, "interrupted", "Partial");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_next_of_type (bob, "presence");
  g_assert_false (json_object_get_boolean_member (frame, "online"));

  g_clear_pointer (&stored, json_object_unref);
  stored = lookup_message (bob, &setup, reply);
  g_assert_cmpstr (confabd_test_get_string (stored, "status"), ==, "interrupted");
  g_assert_cmpstr (confabd_test_get_string (stored, "text"), ==, "Partial");

  /* Its deltas are not taken any more. */
  g_clear_pointer (&ada, confabd_test_client_free);
  ada = confabd_test_client_new (fixture->daemon->uri, "ada again");
  confabd_test_client_auth (ada, setup.ada_token);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "conflict",
                                     "{'type':'stream.delta','room':'%s','message':'%s','text':'x','offset':7}",
                                     setup.room, reply);
  finish_interrupted (ada, bob, &setup, reply, "Partial reply, finished");

  confabd_test_daemon_assert_healthy (fixture->daemon);
  setup_clear (&setup);
}

static void
test_sigterm (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (fixture->daemon->uri, "ada");
  g_autoptr(ConfabdTestClient) bob = confabd_test_client_new (fixture->daemon->uri, "bob");
  g_autoptr(ConfabdTestClient) idle = confabd_test_client_new (fixture->daemon->uri, "idle");
  g_autoptr(JsonObject) frame = NULL;
  g_autoptr(JsonObject) stored = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *log = NULL;
  Setup setup = { 0 };
  guint ended = 0;

  set_up_room (ada, bob, &setup);
  reply = start_reply (ada, &setup, NULL);
  relay (ada, bob, &setup, reply, "Half", 0);

  /* Stored as interrupted, seen by bob, then every socket closes with 1001
   * and confabd exits 0. */
  g_assert_cmpint (confabd_test_daemon_stop (fixture->daemon, SIGTERM), ==, 0);
  frame = confabd_test_client_next_event (bob, setup.room, "stream.ended");
  assert_ended (frame, reply, "interrupted", "Half");
  g_assert_cmpuint (confabd_test_client_wait_closed (bob), ==, 1001);
  g_assert_cmpuint (confabd_test_client_wait_closed (ada), ==, 1001);
  g_assert_cmpuint (confabd_test_client_wait_closed (idle), ==, 1001);
  log = confabd_test_daemon_dup_log (fixture->daemon);
  g_assert_null (strstr (log, "did not answer"));

  /* Once: the next start finds nothing left streaming. */
  g_clear_pointer (&ada, confabd_test_client_free);
  g_clear_pointer (&bob, confabd_test_client_free);
  confabd_test_fixture_restart (fixture);
  bob = confabd_test_client_new (fixture->daemon->uri, "bob");
  confabd_test_client_auth (bob, setup.bob_token);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_join (bob, setup.room, 0, &events);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (events, i);

      g_assert_cmpint (confabd_test_get_int (event, "seq"), ==, i + 1);
      if (g_str_equal (confabd_test_get_string (event, "event"), "stream.ended"))
        ended++;
    }
  g_assert_cmpuint (ended, ==, 1);
  stored = lookup_message (bob, &setup, reply);
  g_assert_cmpstr (confabd_test_get_string (stored, "status"), ==, "interrupted");
  g_assert_cmpstr (confabd_test_get_string (stored, "text"), ==, "Half");

  setup_clear (&setup);
}

int
main (int   argc,
      char *argv[])
{
  confabd_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, confabd_test_fixture_setup, func, confabd_test_fixture_teardown)

  ADD ("/confabd/faults/kill-9", test_kill_9);
  ADD ("/confabd/faults/client-dies", test_client_dies);
  ADD ("/confabd/faults/sigterm", test_sigterm);

#undef ADD

  return g_test_run ();
}
