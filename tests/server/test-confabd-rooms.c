/* test-confabd-rooms.c: confabd's rooms, invites, live events, resync and
 * history, over real WebSockets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "confabd-test-client.h"

typedef ConfabdTestFixture Fixture;

/* ---- Helpers */

static char *
create_room (ConfabdTestClient *client,
             const char        *name)
{
  g_autoptr(JsonObject) answer = confabd_test_client_ok (client, "room",
                                                         "{'type':'room.create','name':'%s'}",
                                                         name);
  JsonObject *room = confabd_test_get_object (answer, "room");

  g_assert_cmpstr (confabd_test_get_string (room, "name"), ==, name);
  g_assert_cmpstr (confabd_test_get_string (room, "role"), ==, "owner");
  g_assert_true (g_str_has_prefix (confabd_test_get_string (room, "id"), "r"));
  return g_strdup (confabd_test_get_string (room, "id"));
}

static char *
invite (ConfabdTestClient *client,
        const char        *room,
        const char        *role)
{
  g_autoptr(JsonObject) answer = NULL;

  answer = confabd_test_client_ok (client, "invite",
                                   "{'type':'invite.create','room':'%s','role':'%s'}", room, role);
  g_assert_cmpstr (confabd_test_get_string (answer, "role"), ==, role);
  return g_strdup (confabd_test_get_string (answer, "token"));
}

static void
accept (ConfabdTestClient *client,
        const char        *token,
        const char        *room,
        const char        *role)
{
  g_autoptr(JsonObject) answer = NULL;
  JsonObject *object;

  answer = confabd_test_client_ok (client, "room", "{'type':'invite.accept','token':'%s'}",
                                   token);
  object = confabd_test_get_object (answer, "room");
  g_assert_cmpstr (confabd_test_get_string (object, "id"), ==, room);
  g_assert_cmpstr (confabd_test_get_string (object, "role"), ==, role);
}

static void
add_member (ConfabdTestClient *owner,
            ConfabdTestClient *client,
            const char        *room,
            const char        *role)
{
  g_autofree char *token = invite (owner, room, role);

  accept (client, token, room, role);
}

static char *
create_chat (ConfabdTestClient *client,
             const char        *room,
             const char        *title)
{
  g_autoptr(JsonObject) ack = NULL;

  ack = confabd_test_client_ok (client, "ack", "{'type':'chat.create','room':'%s','title':'%s'}",
                                room, title);
  g_assert_true (g_str_has_prefix (confabd_test_get_string (ack, "chat"), "c"));
  g_assert_cmpstr (confabd_test_get_string (ack, "room"), ==, room);
  g_assert_cmpint (confabd_test_get_int (ack, "seq"), >, 0);
  return g_strdup (confabd_test_get_string (ack, "chat"));
}

static char *
post (ConfabdTestClient *client,
      const char        *room,
      const char        *chat,
      const char        *text,
      gint64            *seq)
{
  g_autoptr(JsonObject) ack = NULL;

  ack = confabd_test_client_ok (client, "ack",
                                "{'type':'message.create','room':'%s','chat':'%s','text':'%s'}",
                                room, chat, text);
  g_assert_cmpstr (confabd_test_get_string (ack, "room"), ==, room);
  if (seq != NULL)
    *seq = confabd_test_get_int (ack, "seq");
  return g_strdup (confabd_test_get_string (ack, "message"));
}

static gint64
join (ConfabdTestClient *client,
      const char        *room)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(JsonObject) joined = confabd_test_client_join (client, room, 0, &events);

  g_assert_cmpstr (json_object_get_string_member (joined, "type"), ==, "joined");
  g_assert_cmpint (events->len, ==, confabd_test_get_int (joined, "last_seq"));
  return confabd_test_get_int (joined, "last_seq");
}

static char *
frame_text (JsonObject *frame)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), frame);

  return json_to_string (node, FALSE);
}

/* ---- Rooms and invites */

static void
test_invites (Fixture       *fixture,
              gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (uri, "ada");
  g_autoptr(ConfabdTestClient) bob = confabd_test_client_new (uri, "bob");
  g_autoptr(ConfabdTestClient) cyd = confabd_test_client_new (uri, "cyd");
  g_autoptr(ConfabdTestClient) dan = confabd_test_client_new (uri, "dan");
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *room = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_id = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  JsonArray *array;
  JsonObject *object;

  confabd_test_client_register (ada, "ada");
  confabd_test_client_register (bob, "bob");
  confabd_test_client_register (cyd, "cyd");
  confabd_test_client_register (dan, "dan");

  room = create_room (ada, "Lab");
  frame = confabd_test_client_ok (ada, "rooms", "{'type':'rooms'}");
  array = confabd_test_get_array (frame, "rooms");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  object = json_array_get_object_element (array, 0);
  g_assert_cmpstr (confabd_test_get_string (object, "id"), ==, room);
  g_assert_cmpstr (confabd_test_get_string (object, "role"), ==, "owner");
  /* room.created and member.joined */
  g_assert_cmpint (confabd_test_get_int (object, "last_seq"), ==, 2);

  /* Two uses. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "invite",
                                  "{'type':'invite.create','room':'%s','role':'member','uses':2}",
                                  room);
  g_assert_cmpint (confabd_test_get_int (frame, "uses"), ==, 2);
  g_assert_cmpint (confabd_test_get_int (frame, "expires"), >=, now + 7 * 24 * 3600);
  g_assert_cmpint (confabd_test_get_int (frame, "expires"), <=, now + 7 * 24 * 3600 + 60);
  token = g_strdup (confabd_test_get_string (frame, "token"));
  accept (bob, token, room, "member");
  accept (cyd, token, room, "member");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (dan, "expired", "{'type':'invite.accept','token':'%s'}",
                                     token);
  g_clear_pointer (&token, g_free);

  /* Expiry. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "invite",
                                  "{'type':'invite.create','room':'%s','role':'viewer','expires':1}",
                                  room);
  token = g_strdup (confabd_test_get_string (frame, "token"));
  confabd_test_run_for (2100);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (dan, "expired", "{'type':'invite.accept','token':'%s'}",
                                     token);
  g_clear_pointer (&token, g_free);

  /* Unlimited, listed, revoked by its public id. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "invite",
                                  "{'type':'invite.create','room':'%s','role':'admin','uses':0}",
                                  room);
  token = g_strdup (confabd_test_get_string (frame, "token"));
  token_id = g_strdup (confabd_test_get_string (frame, "token_id"));
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "invites", "{'type':'invites','room':'%s'}", room);
  array = confabd_test_get_array (frame, "invites");
  /* The used-up and the expired ones are not listed. */
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  object = json_array_get_object_element (array, 0);
  g_assert_cmpstr (confabd_test_get_string (object, "token_id"), ==, token_id);
  g_assert_cmpstr (confabd_test_get_string (object, "role"), ==, "admin");
  g_assert_cmpint (confabd_test_get_int (object, "uses_left"), ==, 0);
  g_assert_cmpstr (confabd_test_get_string (object, "created_by"), ==, "ada");
  g_assert_false (json_object_has_member (object, "token"));
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "ack",
                                  "{'type':'invite.revoke','room':'%s','token_id':'%s'}",
                                  room, token_id);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (dan, "expired", "{'type':'invite.accept','token':'%s'}",
                                     token);
  /* Nothing left to revoke. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "not_found",
                                     "{'type':'invite.revoke','room':'%s','token_id':'%s'}",
                                     room, token_id);
  g_clear_pointer (&token, g_free);

  /* Revoked by the token itself. */
  token = invite (ada, room, "viewer");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "ack", "{'type':'invite.revoke','room':'%s','token':'%s'}",
                                  room, token);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (dan, "expired", "{'type':'invite.accept','token':'%s'}",
                                     token);
  g_clear_pointer (&token, g_free);

  /* The token alone names its room: revoked by whoever may invite there,
   * refused to a member, unknown to anyone else. */
  token = invite (ada, room, "viewer");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (bob, "forbidden", "{'type':'invite.revoke','token':'%s'}",
                                     token);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (dan, "not_found", "{'type':'invite.revoke','token':'%s'}",
                                     token);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "ack", "{'type':'invite.revoke','token':'%s'}", token);
  g_assert_cmpstr (confabd_test_get_string (frame, "room"), ==, room);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "not_found", "{'type':'invite.revoke','token':'%s'}",
                                     token);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (dan, "expired", "{'type':'invite.accept','token':'%s'}",
                                     token);
  g_clear_pointer (&token, g_free);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "not_found",
                                     "{'type':'invite.revoke','token':'no-such-token'}");
  /* A token_id does not name its room. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "invalid", "{'type':'invite.revoke','token_id':'%s'}",
                                     token_id);

  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (dan, "not_found",
                                     "{'type':'invite.accept','token':'no-such-token'}");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "not_found",
                                     "{'type':'invite.revoke','room':'%s','token_id':'inope'}",
                                     room);

  /* Bad invites. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "forbidden",
                                     "{'type':'invite.create','room':'%s','role':'owner'}", room);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "invalid",
                                     "{'type':'invite.create','room':'%s','role':'king'}", room);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "invalid",
                                     "{'type':'invite.create','room':'%s','role':'member','uses':-1}",
                                     room);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "invalid",
                                     "{'type':'invite.create','room':'%s','role':'member','expires':0}",
                                     room);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "invalid",
                                     "{'type':'invite.create','room':'%s','role':'member','expires':40000000}",
                                     room);

  /* dan comes in as a viewer; an invite to a member changes nothing. */
  add_member (ada, dan, room, "viewer");
  token = invite (ada, room, "viewer");
  accept (bob, token, room, "member");

  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (bob, "members", "{'type':'members','room':'%s'}", room);
  array = confabd_test_get_array (frame, "members");
  g_assert_cmpuint (json_array_get_length (array), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      const char *user;
      const char *role;

      object = json_array_get_object_element (array, i);
      user = confabd_test_get_string (object, "user");
      role = confabd_test_get_string (object, "role");
      g_assert_false (json_object_get_boolean_member (object, "online"));
      if (g_str_equal (user, "ada"))
        g_assert_cmpstr (role, ==, "owner");
      else if (g_str_equal (user, "dan"))
        g_assert_cmpstr (role, ==, "viewer");
      else
        g_assert_cmpstr (role, ==, "member");
    }

  /* The owner renames the room; everyone's list follows. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "ack", "{'type':'room.rename','room':'%s','name':'Den'}",
                                  room);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (dan, "rooms", "{'type':'rooms'}");
  object = json_array_get_object_element (confabd_test_get_array (frame, "rooms"), 0);
  g_assert_cmpstr (confabd_test_get_string (object, "name"), ==, "Den");
  g_assert_cmpstr (confabd_test_get_string (object, "role"), ==, "viewer");
}

/* ---- Live events */

/* The events of @room in @client's queue, in order, as "seq:event:text". */
static char *
take_events (ConfabdTestClient *client,
             const char        *room,
             guint              n)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) frame = confabd_test_client_next_event (client, room, NULL);
      g_autofree char *text = frame_text (frame);

      g_string_append_printf (out, "%s\n", text);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_broadcast (Fixture       *fixture,
                gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (uri, "ada");
  g_autoptr(ConfabdTestClient) bob = confabd_test_client_new (uri, "bob");
  g_autoptr(ConfabdTestClient) cyd = confabd_test_client_new (uri, "cyd");
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *room_a = NULL;
  g_autofree char *room_b = NULL;
  g_autofree char *chat_a = NULL;
  g_autofree char *chat_b = NULL;
  g_autofree char *ada_seen = NULL;
  g_autofree char *bob_seen = NULL;
  g_autofree char *cyd_seen = NULL;
  g_autofree char *reply_ada = NULL;
  g_autofree char *reply_bob = NULL;
  g_autofree char *id = NULL;
  const char *deltas[][3] = {
    /* who, text, offset */
    { "ada", "Hel", "0" }, { "bob", "Wor", "0" }, { "ada", "lo", "3" },
    { "bob", "ld", "3" }, { "ada", " there", "5" },
  };
  GString *cyd_text_ada = g_string_new (NULL);
  GString *cyd_text_bob = g_string_new (NULL);
  GString *bob_text_ada = g_string_new (NULL);
  GString *ada_text_bob = g_string_new (NULL);

  confabd_test_client_register (ada, "ada");
  confabd_test_client_register (bob, "bob");
  confabd_test_client_register (cyd, "cyd");

  room_a = create_room (ada, "A");
  room_b = create_room (ada, "B");
  add_member (ada, bob, room_a, "member");
  add_member (ada, cyd, room_a, "member");
  add_member (ada, bob, room_b, "member");

  join (ada, room_a);
  join (ada, room_b);
  join (bob, room_a);
  join (bob, room_b);
  join (cyd, room_a);
  frame = confabd_test_client_fails (cyd, "not_found", "{'type':'join','room':'%s'}", room_b);

  /* Presence: ada saw bob (twice: two rooms) and cyd come; bob saw cyd. */
  for (guint i = 0; i < 3; i++)
    {
      g_clear_pointer (&frame, json_object_unref);
      frame = confabd_test_client_next_of_type (ada, "presence");
      g_assert_true (json_object_get_boolean_member (frame, "online"));
    }
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_next_of_type (bob, "presence");
  g_assert_cmpstr (confabd_test_get_string (frame, "user"), ==, "cyd");
  g_assert_cmpuint (confabd_test_client_n_queued (ada), ==, 0);
  g_assert_cmpuint (confabd_test_client_n_queued (bob), ==, 0);
  g_assert_cmpuint (confabd_test_client_n_queued (cyd), ==, 0);

  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (cyd, "members", "{'type':'members','room':'%s'}", room_a);
  for (guint i = 0; i < 3; i++)
    g_assert_true (json_object_get_boolean_member (
                     json_array_get_object_element (confabd_test_get_array (frame, "members"), i),
                     "online"));

  /* Messages from everyone, in both rooms. */
  chat_a = create_chat (ada, room_a, "General");
  chat_b = create_chat (bob, room_b, "Private");
  g_free (post (ada, room_a, chat_a, "hello from ada", NULL));
  g_free (post (bob, room_a, chat_a, "hello from bob", NULL));
  g_free (post (cyd, room_a, chat_a, "hello from cyd", NULL));
  g_free (post (bob, room_b, chat_b, "secret from bob", NULL));
  g_free (post (ada, room_b, chat_b, "secret from ada", NULL));

  /* Everyone in a room sees the same events in the same order. */
  ada_seen = take_events (ada, room_a, 4);
  bob_seen = take_events (bob, room_a, 4);
  cyd_seen = take_events (cyd, room_a, 4);
  g_assert_cmpstr (ada_seen, ==, bob_seen);
  g_assert_cmpstr (ada_seen, ==, cyd_seen);
  g_assert_nonnull (strstr (ada_seen, "\"seq\":7,\"event\":\"message.created\""));
  g_assert_nonnull (strstr (ada_seen, "hello from cyd"));
  g_clear_pointer (&ada_seen, g_free);
  g_clear_pointer (&bob_seen, g_free);
  ada_seen = take_events (ada, room_b, 3);
  bob_seen = take_events (bob, room_b, 3);
  g_assert_cmpstr (ada_seen, ==, bob_seen);
  g_assert_nonnull (strstr (ada_seen, "secret from ada"));
  /* cyd is not in B. */
  confabd_test_client_assert_quiet (cyd, 100);

  /* Typing goes to the others. */
  confabd_test_client_sendf (bob, "{'type':'typing','room':'%s','chat':'%s'}", room_a, chat_a);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_next_of_type (cyd, "typing");
  g_assert_cmpstr (confabd_test_get_string (frame, "user"), ==, "bob");
  g_assert_cmpstr (confabd_test_get_string (frame, "chat"), ==, chat_a);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_next_of_type (ada, "typing");
  confabd_test_client_assert_quiet (bob, 100);

  /* Two replies relayed at once in A. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "ack",
                                  "{'type':'stream.start','room':'%s','chat':'%s','model':'openai:gpt-4o'}",
                                  room_a, chat_a);
  reply_ada = g_strdup (confabd_test_get_string (frame, "message"));
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (bob, "ack",
                                  "{'type':'stream.start','room':'%s','chat':'%s','model':'anthropic:claude'}",
                                  room_a, chat_a);
  reply_bob = g_strdup (confabd_test_get_string (frame, "message"));

  for (guint i = 0; i < G_N_ELEMENTS (deltas); i++)
    {
      gboolean from_ada = g_str_equal (deltas[i][0], "ada");
      ConfabdTestClient *sender = from_ada ? ada : bob;
      ConfabdTestClient *peer = from_ada ? bob : ada;
      const char *message = from_ada ? reply_ada : reply_bob;
      g_autoptr(JsonObject) at_cyd = NULL;
      g_autoptr(JsonObject) at_peer = NULL;

      confabd_test_client_sendf (sender,
                                 "{'type':'stream.delta','room':'%s','message':'%s','text':'%s','offset':%s}",
                                 room_a, message, deltas[i][1], deltas[i][2]);
      at_cyd = confabd_test_client_next_of_type (cyd, "stream.delta");
      at_peer = confabd_test_client_next_of_type (peer, "stream.delta");
      g_assert_cmpstr (confabd_test_get_string (at_cyd, "message"), ==, message);
      g_assert_cmpstr (confabd_test_get_string (at_peer, "message"), ==, message);
      g_assert_cmpstr (confabd_test_get_string (at_cyd, "author"), ==, deltas[i][0]);
      g_assert_cmpint (confabd_test_get_int (at_cyd, "offset"), ==,
                       g_ascii_strtoll (deltas[i][2], NULL, 10));
      g_string_append (from_ada ? cyd_text_ada : cyd_text_bob,
                       confabd_test_get_string (at_cyd, "text"));
      g_string_append (from_ada ? bob_text_ada : ada_text_bob,
                       confabd_test_get_string (at_peer, "text"));
    }
  g_assert_cmpstr (cyd_text_ada->str, ==, "Hello there");
  g_assert_cmpstr (bob_text_ada->str, ==, "Hello there");
  g_assert_cmpstr (cyd_text_bob->str, ==, "World");
  g_assert_cmpstr (ada_text_bob->str, ==, "World");
  /* The sender does not get its own deltas back. */
  g_assert_cmpuint (confabd_test_client_n_queued (ada), ==, 2);   /* the two stream.started */

  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (bob, "ack",
                                  "{'type':'stream.end','room':'%s','message':'%s','text':'World','status':'complete'}",
                                  room_a, reply_bob);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "ack",
                                  "{'type':'stream.end','room':'%s','message':'%s','text':'Hello there','status':'complete'}",
                                  room_a, reply_ada);

  g_clear_pointer (&ada_seen, g_free);
  g_clear_pointer (&bob_seen, g_free);
  g_clear_pointer (&cyd_seen, g_free);
  ada_seen = take_events (ada, room_a, 4);
  bob_seen = take_events (bob, room_a, 4);
  cyd_seen = take_events (cyd, room_a, 4);
  g_assert_cmpstr (ada_seen, ==, bob_seen);
  g_assert_cmpstr (ada_seen, ==, cyd_seen);
  g_assert_nonnull (strstr (ada_seen, "\"text\":\"Hello there\",\"status\":\"complete\""));
  id = g_strdup_printf ("\"model\":\"anthropic:claude\"");
  g_assert_nonnull (strstr (ada_seen, id));

  /* Someone leaving is seen as going offline. */
  g_clear_pointer (&cyd, confabd_test_client_free);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_next_of_type (ada, "presence");
  g_assert_cmpstr (confabd_test_get_string (frame, "user"), ==, "cyd");
  g_assert_false (json_object_get_boolean_member (frame, "online"));

  g_string_free (cyd_text_ada, TRUE);
  g_string_free (cyd_text_bob, TRUE);
  g_string_free (bob_text_ada, TRUE);
  g_string_free (ada_text_bob, TRUE);
}

static void
test_resync (Fixture       *fixture,
             gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (uri, "ada");
  g_autoptr(ConfabdTestClient) bob = confabd_test_client_new (uri, "bob");
  g_autoptr(JsonObject) frame = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *room = NULL;
  g_autofree char *chat = NULL;
  g_autofree char *token = NULL;
  gint64 seqs[3];
  gint64 last;

  confabd_test_client_register (ada, "ada");
  token = g_strdup (confabd_test_client_register (bob, "bob"));
  room = create_room (ada, "Lab");
  add_member (ada, bob, room, "member");
  chat = create_chat (ada, room, "General");
  g_free (post (ada, room, chat, "before", NULL));

  last = join (bob, room);
  g_assert_cmpint (last, ==, 5);

  /* The sender gets the ack first, then the event it made. */
  confabd_test_client_sendf (bob, "{'type':'message.create','id':'m','room':'%s','chat':'%s',"
                             "'text':'mine'}", room, chat);
  frame = confabd_test_client_next (bob);
  g_assert_cmpstr (confabd_test_get_string (frame, "type"), ==, "ack");
  g_assert_cmpint (confabd_test_get_int (frame, "seq"), ==, last + 1);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_next (bob);
  g_assert_cmpstr (confabd_test_get_string (frame, "type"), ==, "event");
  g_assert_cmpint (confabd_test_get_int (frame, "seq"), ==, last + 1);
  g_clear_pointer (&frame, json_object_unref);
  last++;

  /* bob's connection drops; three messages go by. */
  g_clear_pointer (&bob, confabd_test_client_free);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *text = g_strdup_printf ("missed %u", i);

      g_free (post (ada, room, chat, text, &seqs[i]));
      g_assert_cmpint (seqs[i], ==, last + 1 + i);
    }

  /* Back, from the last seq seen: exactly the missed events, in order. */
  bob = confabd_test_client_new (uri, "bob again");
  confabd_test_client_auth (bob, token);
  joined = confabd_test_client_join (bob, room, last, &events);
  g_assert_cmpint (confabd_test_get_int (joined, "last_seq"), ==, last + 3);
  g_assert_cmpuint (events->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *event = g_ptr_array_index (events, i);
      g_autofree char *text = g_strdup_printf ("missed %u", i);

      g_assert_cmpint (confabd_test_get_int (event, "seq"), ==, seqs[i]);
      g_assert_cmpstr (confabd_test_get_string (event, "event"), ==, "message.created");
      g_assert_cmpstr (confabd_test_get_string (event, "author"), ==, "ada");
      g_assert_cmpstr (confabd_test_get_string (confabd_test_get_object (event, "data"), "text"),
                       ==, text);
    }
  confabd_test_client_assert_quiet (bob, 100);

  /* Live again: the next one arrives once. */
  g_free (post (ada, room, chat, "live", NULL));
  frame = confabd_test_client_next_event (bob, room, "message.created");
  g_assert_cmpint (confabd_test_get_int (frame, "seq"), ==, last + 4);
  confabd_test_client_assert_quiet (bob, 100);

  /* since 0 is the whole log; since last_seq is nothing. */
  g_clear_pointer (&joined, json_object_unref);
  g_clear_pointer (&events, g_ptr_array_unref);
  joined = confabd_test_client_join (bob, room, 0, &events);
  g_assert_cmpuint (events->len, ==, last + 4);
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpint (confabd_test_get_int (g_ptr_array_index (events, i), "seq"), ==, i + 1);
  g_clear_pointer (&joined, json_object_unref);
  g_clear_pointer (&events, g_ptr_array_unref);
  joined = confabd_test_client_join (bob, room, last + 4, &events);
  g_assert_cmpuint (events->len, ==, 0);

  /* leave stops the live events. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (bob, "ack", "{'type':'leave','room':'%s'}", room);
  g_free (post (ada, room, chat, "unseen", NULL));
  confabd_test_client_assert_quiet (bob, 200);
}

static void
test_history (Fixture       *fixture,
              gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (uri, "ada");
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *room = NULL;
  g_autofree char *chat = NULL;
  g_autofree char *reply_id = NULL;
  char *ids[7];
  JsonArray *messages;
  JsonObject *message;

  confabd_test_client_register (ada, "ada");
  room = create_room (ada, "Lab");
  chat = create_chat (ada, room, "General");
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *text = g_strdup_printf ("m%u", i + 1);

      ids[i] = post (ada, room, chat, text, NULL);
    }

  /* Newest last, page by page. */
  frame = confabd_test_client_ok (ada, "history",
                                  "{'type':'history','room':'%s','chat':'%s','limit':3}", room, chat);
  messages = confabd_test_get_array (frame, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 3);
  g_assert_true (json_object_get_boolean_member (frame, "more"));
  for (guint i = 0; i < 3; i++)
    {
      message = json_array_get_object_element (messages, i);
      g_assert_cmpstr (confabd_test_get_string (message, "id"), ==, ids[4 + i]);
    }
  message = json_array_get_object_element (messages, 2);
  g_assert_cmpstr (confabd_test_get_string (message, "text"), ==, "m7");
  g_assert_cmpstr (confabd_test_get_string (message, "author"), ==, "ada");
  g_assert_cmpstr (confabd_test_get_string (message, "role"), ==, "user");
  g_assert_cmpstr (confabd_test_get_string (message, "status"), ==, "complete");
  g_assert_cmpstr (confabd_test_get_string (message, "chat"), ==, chat);
  g_assert_cmpint (confabd_test_get_int (message, "created"), >, 0);

  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "history",
                                  "{'type':'history','room':'%s','chat':'%s','limit':3,'before':'%s'}",
                                  room, chat, ids[4]);
  messages = confabd_test_get_array (frame, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 3);
  g_assert_true (json_object_get_boolean_member (frame, "more"));
  g_assert_cmpstr (confabd_test_get_string (json_array_get_object_element (messages, 0), "id"),
                   ==, ids[1]);

  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "history",
                                  "{'type':'history','room':'%s','chat':'%s','limit':3,'before':'%s'}",
                                  room, chat, ids[1]);
  messages = confabd_test_get_array (frame, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
  g_assert_false (json_object_get_boolean_member (frame, "more"));
  g_assert_cmpstr (confabd_test_get_string (json_array_get_object_element (messages, 0), "id"),
                   ==, ids[0]);

  /* A thread has its own history; the main line does not show it. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "ack",
                                  "{'type':'thread.create','room':'%s','message':'%s','title':'Aside'}",
                                  room, ids[0]);
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&frame, json_object_unref);
      frame = confabd_test_client_ok (ada, "ack",
                                      "{'type':'message.create','room':'%s','chat':'%s','thread':'%s','text':'t%u'}",
                                      room, chat, ids[0], i + 1);
    }
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "history",
                                  "{'type':'history','room':'%s','chat':'%s','thread':'%s'}",
                                  room, chat, ids[0]);
  messages = confabd_test_get_array (frame, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  message = json_array_get_object_element (messages, 1);
  g_assert_cmpstr (confabd_test_get_string (message, "text"), ==, "t2");
  g_assert_cmpstr (confabd_test_get_string (message, "thread"), ==, ids[0]);
  reply_id = g_strdup (confabd_test_get_string (message, "id"));
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "invalid",
                                     "{'type':'message.create','room':'%s','chat':'%s','thread':'%s','text':'nested'}",
                                     room, chat, reply_id);

  /* Edits and deletions show in the history. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "ack",
                                  "{'type':'message.edit','room':'%s','message':'%s','text':'m7 edited'}",
                                  room, ids[6]);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "ack",
                                  "{'type':'message.delete','room':'%s','message':'%s'}",
                                  room, ids[5]);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "history",
                                  "{'type':'history','room':'%s','chat':'%s','limit':1000}",
                                  room, chat);
  messages = confabd_test_get_array (frame, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 6);
  g_assert_false (json_object_get_boolean_member (frame, "more"));
  message = json_array_get_object_element (messages, 5);
  g_assert_cmpstr (confabd_test_get_string (message, "text"), ==, "m7 edited");
  g_assert_cmpint (confabd_test_get_int (message, "edited"), >, 0);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "not_found",
                                     "{'type':'message.edit','room':'%s','message':'%s','text':'x'}",
                                     room, ids[5]);

  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "not_found",
                                     "{'type':'history','room':'%s','chat':'cnope'}", room);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "not_found",
                                     "{'type':'history','room':'%s','chat':'%s','before':'mnope'}",
                                     room, chat);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_free (ids[i]);
}

static void
test_room_delete (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (uri, "ada");
  g_autoptr(ConfabdTestClient) bob = confabd_test_client_new (uri, "bob");
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *room = NULL;

  confabd_test_client_register (ada, "ada");
  confabd_test_client_register (bob, "bob");
  room = create_room (ada, "Doomed");
  add_member (ada, bob, room, "admin");
  join (bob, room);

  frame = confabd_test_client_ok (ada, "ack", "{'type':'room.delete','room':'%s'}", room);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_next_event (bob, room, "room.deleted");
  g_assert_cmpstr (confabd_test_get_string (frame, "author"), ==, "ada");

  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (bob, "not_found", "{'type':'join','room':'%s'}", room);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (bob, "rooms", "{'type':'rooms'}");
  g_assert_cmpuint (json_array_get_length (confabd_test_get_array (frame, "rooms")), ==, 0);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (ada, "rooms", "{'type':'rooms'}");
  g_assert_cmpuint (json_array_get_length (confabd_test_get_array (frame, "rooms")), ==, 0);
}

/* --store sqlite:PATH keeps everything in that file, across restarts. */
static void
test_store_path (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *path = g_build_filename (dir, "elsewhere", "rooms.sqlite", NULL);
  g_autofree char *store = g_strconcat ("sqlite:", path, NULL);
  g_autofree char *default_path = g_build_filename (data_dir, "confabd.sqlite", NULL);
  const char *args[] = { "--allow-register", "--store", store, NULL };
  g_autoptr(ConfabdTestDaemon) daemon = NULL;
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *room = NULL;

  daemon = confabd_test_daemon_start (data_dir, args, NULL);
  ada = confabd_test_client_new (daemon->uri, "ada");
  confabd_test_client_register (ada, "ada");
  room = create_room (ada, "Kept");
  g_clear_pointer (&ada, confabd_test_client_free);
  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);
  g_clear_pointer (&daemon, confabd_test_daemon_free);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (default_path, G_FILE_TEST_EXISTS));

  daemon = confabd_test_daemon_start (data_dir, args, NULL);
  ada = confabd_test_client_new (daemon->uri, "ada");
  confabd_test_client_login (ada, "ada");
  frame = confabd_test_client_ok (ada, "rooms", "{'type':'rooms'}");
  g_assert_cmpstr (confabd_test_get_string (json_array_get_object_element (confabd_test_get_array (frame, "rooms"), 0),
                                            "id"), ==, room);
  g_clear_pointer (&ada, confabd_test_client_free);
  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);
  confab_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  confabd_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, confabd_test_fixture_setup, func, confabd_test_fixture_teardown)

  ADD ("/confabd/rooms/invites", test_invites);
  ADD ("/confabd/rooms/broadcast", test_broadcast);
  ADD ("/confabd/rooms/resync", test_resync);
  ADD ("/confabd/rooms/history", test_history);
  ADD ("/confabd/rooms/delete", test_room_delete);
  g_test_add_func ("/confabd/rooms/store-path", test_store_path);

#undef ADD

  return g_test_run ();
}
