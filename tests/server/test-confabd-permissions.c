/* test-confabd-permissions.c: every role (owner, admin, member, viewer, not
 * a member) × every room frame, against docs/protocol.md's table. A refused
 * frame gets forbidden (not_found for non-members) and stores nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confabd-test-client.h"

typedef ConfabdTestFixture Fixture;

enum { OWNER, ADMIN, MEMBER, VIEWER, NONE, N_ROLES };

static const char * const role_names[N_ROLES] = { "owner", "admin", "member", "viewer", "none" };

/* One frame and what each role gets: '+' accepted, 'f' forbidden,
 * 'n' not_found. Silent frames answer nothing when accepted. Placeholders:
 * {room} {chat} {own} (the actor's message) {other} (tm's message)
 * {stream} (the actor's reply; tm's for those who cannot start one)
 * {tmstream} (tm's reply) {spare} (an invite's token_id) {sparetoken} (another's token)
 * {self}. */
typedef struct
{
  const char *name;
  const char *frame;
  const char *expect;     /* owner, admin, member, viewer, none */
  gboolean    silent;
} Case;

static const Case cases[] = {
  { "join", "{'type':'join','room':'{room}'}", "++++n" },
  { "history", "{'type':'history','room':'{room}','chat':'{chat}'}", "++++n" },
  { "members", "{'type':'members','room':'{room}'}", "++++n" },
  { "leave", "{'type':'leave','room':'{room}'}", "++++n" },
  { "typing", "{'type':'typing','room':'{room}','chat':'{chat}'}", "+++fn", TRUE },
  { "chat.create", "{'type':'chat.create','room':'{room}','title':'New'}", "+++fn" },
  { "chat.rename", "{'type':'chat.rename','room':'{room}','chat':'{chat}','title':'Renamed'}",
    "+++fn" },
  { "message.create", "{'type':'message.create','room':'{room}','chat':'{chat}','text':'hi'}",
    "+++fn" },
  { "thread.create", "{'type':'thread.create','room':'{room}','message':'{other}'}", "+++fn" },
  { "stream.start",
    "{'type':'stream.start','room':'{room}','chat':'{chat}','model':'openai:gpt-4o'}", "+++fn" },
  { "stream.delta",
    "{'type':'stream.delta','room':'{room}','message':'{stream}','text':'Hi','offset':0}",
    "+++fn", TRUE },
  { "stream.end",
    "{'type':'stream.end','room':'{room}','message':'{stream}','text':'Hi','status':'complete'}",
    "+++fn" },
  { "stream.delta of someone else's reply",
    "{'type':'stream.delta','room':'{room}','message':'{tmstream}','text':'x','offset':0}",
    "ffffn", TRUE },
  { "stream.end of someone else's reply",
    "{'type':'stream.end','room':'{room}','message':'{tmstream}','text':'x','status':'complete'}",
    "ffffn" },
  { "message.edit own", "{'type':'message.edit','room':'{room}','message':'{own}','text':'e'}",
    "+++fn" },
  { "message.edit other's",
    "{'type':'message.edit','room':'{room}','message':'{other}','text':'e'}", "++ffn" },
  { "message.delete other's", "{'type':'message.delete','room':'{room}','message':'{other}'}",
    "++ffn" },
  { "message.delete own", "{'type':'message.delete','room':'{room}','message':'{own}'}",
    "+++fn" },
  { "invite.create member", "{'type':'invite.create','room':'{room}','role':'member'}", "++ffn" },
  { "invite.create viewer", "{'type':'invite.create','room':'{room}','role':'viewer'}", "++ffn" },
  { "invite.create admin", "{'type':'invite.create','room':'{room}','role':'admin'}", "+fffn" },
  { "invite.create owner", "{'type':'invite.create','room':'{room}','role':'owner'}", "ffffn" },
  { "invites", "{'type':'invites','room':'{room}'}", "++ffn" },
  { "invite.revoke", "{'type':'invite.revoke','room':'{room}','token_id':'{spare}'}", "++ffn" },
  { "invite.revoke by the token alone", "{'type':'invite.revoke','token':'{sparetoken}'}",
    "++ffn" },
  { "member.role member to viewer",
    "{'type':'member.role','room':'{room}','user':'tm','role':'viewer'}", "++ffn" },
  { "member.role viewer to member",
    "{'type':'member.role','room':'{room}','user':'tm','role':'member'}", "++ffn" },
  { "member.role member to admin",
    "{'type':'member.role','room':'{room}','user':'tm','role':'admin'}", "+fffn" },
  { "member.role admin to member",
    "{'type':'member.role','room':'{room}','user':'ta','role':'member'}", "+fffn" },
  { "member.role of the owner",
    "{'type':'member.role','room':'{room}','user':'ada','role':'admin'}", "ffffn" },
  { "member.role to owner",
    "{'type':'member.role','room':'{room}','user':'tm','role':'owner'}", "ffffn" },
  { "member.remove of the owner", "{'type':'member.remove','room':'{room}','user':'ada'}",
    "ffffn" },
  /* For the owner ta is a member by now (demoted above); tm an admin. */
  { "member.remove of an admin", "{'type':'member.remove','room':'{room}','user':'ta'}",
    "+fffn" },
  { "member.remove of a member", "{'type':'member.remove','room':'{room}','user':'tm'}",
    "++ffn" },
  { "room.rename", "{'type':'room.rename','room':'{room}','name':'Renamed'}", "+fffn" },
};

/* The last two, in an order that leaves the room to the other one. */
static const Case leave_self = {
  "member.remove of oneself", "{'type':'member.remove','room':'{room}','user':'{self}'}", "f+++n"
};
static const Case room_delete = {
  "room.delete", "{'type':'room.delete','room':'{room}'}", "+fffn"
};

typedef struct
{
  int                role;
  ConfabdTestClient *actor;
  char              *room;
  char              *chat;
  char              *own;
  char              *other;
  char              *stream;
  char              *tm_stream;
  char              *spare;
  char              *spare_token;
} Scene;

static void
scene_clear (Scene *scene)
{
  g_free (scene->room);
  g_free (scene->chat);
  g_free (scene->own);
  g_free (scene->other);
  g_free (scene->stream);
  g_free (scene->tm_stream);
  g_free (scene->spare);
  g_free (scene->spare_token);
}

static char *
answer_string (JsonObject *answer,
               const char *member)
{
  return g_strdup (confabd_test_get_string (answer, member));
}

static void
add_member (ConfabdTestClient *owner,
            ConfabdTestClient *client,
            const char        *room,
            const char        *role)
{
  g_autoptr(JsonObject) invite = NULL;
  g_autoptr(JsonObject) accepted = NULL;

  invite = confabd_test_client_ok (owner, "invite",
                                   "{'type':'invite.create','room':'%s','role':'%s'}", room, role);
  accepted = confabd_test_client_ok (client, "room", "{'type':'invite.accept','token':'%s'}",
                                     confabd_test_get_string (invite, "token"));
}

static char *
post (ConfabdTestClient *client,
      const char        *room,
      const char        *chat,
      const char        *text)
{
  g_autoptr(JsonObject) ack = NULL;

  ack = confabd_test_client_ok (client, "ack",
                                "{'type':'message.create','room':'%s','chat':'%s','text':'%s'}",
                                room, chat, text);
  return answer_string (ack, "message");
}

static char *
expand (const char *template,
        Scene      *scene)
{
  GString *frame = g_string_new (template);

  g_string_replace (frame, "'", "\"", 0);
  g_string_replace (frame, "{room}", scene->room, 0);
  g_string_replace (frame, "{chat}", scene->chat, 0);
  g_string_replace (frame, "{own}", scene->own, 0);
  g_string_replace (frame, "{other}", scene->other, 0);
  g_string_replace (frame, "{stream}", scene->stream != NULL ? scene->stream : scene->tm_stream, 0);
  g_string_replace (frame, "{tmstream}", scene->tm_stream, 0);
  g_string_replace (frame, "{spare}", scene->spare, 0);
  g_string_replace (frame, "{sparetoken}", scene->spare_token, 0);
  g_string_replace (frame, "{self}", scene->actor->user, 0);
  return g_string_free (frame, FALSE);
}

static void
run_case (const Case        *c,
          Scene             *scene,
          ConfabdTestClient *observer)
{
  char expect = c->expect[scene->role];
  g_autofree char *frame = expand (c->frame, scene);
  g_autoptr(JsonObject) answer = NULL;
  gint64 before = expect != '+' ? confabd_test_client_last_seq (observer, scene->room) : 0;
  const char *type;

  g_test_message ("%s: %s → %c", role_names[scene->role], c->name, expect);
  confabd_test_client_clear (scene->actor);

  if (c->silent && expect == '+')
    {
      /* Nothing comes back: a ping after it is answered first. */
      g_autoptr(JsonObject) pong = NULL;

      confabd_test_client_send (scene->actor, frame);
      pong = confabd_test_client_ok (scene->actor, "pong", "{'type':'ping'}");
      for (guint i = 0; i < confabd_test_client_n_queued (scene->actor); i++)
        {
          JsonObject *queued = g_queue_peek_nth (&scene->actor->frames, i);

          g_assert_cmpstr (json_object_get_string_member (queued, "type"), !=, "error");
        }
      return;
    }

  answer = confabd_test_client_request (scene->actor, "%s", frame);
  type = confabd_test_get_string (answer, "type");

  if (expect == '+')
    {
      if (g_str_equal (type, "error"))
        g_error ("%s: %s refused: %s", role_names[scene->role], c->name,
                 confabd_test_get_string (answer, "message"));
      if (g_str_equal (c->name, "stream.start"))
        scene->stream = answer_string (answer, "message");
      return;
    }

  g_assert_cmpstr (type, ==, "error");
  g_assert_cmpstr (confabd_test_get_string (answer, "code"), ==,
                   expect == 'f' ? "forbidden" : "not_found");
  /* Nothing stored. */
  g_assert_cmpint (confabd_test_client_last_seq (observer, scene->room), ==, before);
}

static void
setup_scene (Scene              *scene,
             int                 role,
             ConfabdTestClient  *actor,
             ConfabdTestClient  *ada,
             ConfabdTestClient  *tm,
             ConfabdTestClient  *ta)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *name = g_strdup_printf ("room of the %s", role_names[role]);

  memset (scene, 0, sizeof *scene);
  scene->role = role;
  scene->actor = actor;

  answer = confabd_test_client_ok (ada, "room", "{'type':'room.create','name':'%s'}", name);
  scene->room = answer_string (confabd_test_get_object (answer, "room"), "id");
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "ack", "{'type':'chat.create','room':'%s','title':'C'}",
                                   scene->room);
  scene->chat = answer_string (answer, "chat");

  add_member (ada, tm, scene->room, "member");
  add_member (ada, ta, scene->room, "admin");
  if (role == ADMIN || role == MEMBER || role == VIEWER)
    add_member (ada, actor, scene->room, role_names[role]);

  scene->other = post (tm, scene->room, scene->chat, "by tm");
  scene->own = role <= MEMBER ? post (actor, scene->room, scene->chat, "mine")
                              : g_strdup (scene->other);

  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (tm, "ack",
                                   "{'type':'stream.start','room':'%s','chat':'%s','model':'a:b'}",
                                   scene->room, scene->chat);
  scene->tm_stream = answer_string (answer, "message");

  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "invite",
                                   "{'type':'invite.create','room':'%s','role':'member'}",
                                   scene->room);
  scene->spare = answer_string (answer, "token_id");
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "invite",
                                   "{'type':'invite.create','room':'%s','role':'member'}",
                                   scene->room);
  scene->spare_token = answer_string (answer, "token");
}

/* The log has every seq from 1 to last_seq once. */
static void
assert_log_whole (ConfabdTestClient *observer,
                  const char        *room)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(JsonObject) joined = confabd_test_client_join (observer, room, 0, &events);
  gint64 last = confabd_test_get_int (joined, "last_seq");

  g_assert_cmpint (events->len, ==, last);
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpint (confabd_test_get_int (g_ptr_array_index (events, i), "seq"), ==, i + 1);
  confabd_test_client_clear (observer);
}

static void
test_matrix (Fixture       *fixture,
             gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  const char *users[N_ROLES] = { "ada", "adm", "mem", "vie", "out" };
  ConfabdTestClient *actors[N_ROLES];
  g_autoptr(ConfabdTestClient) tm = confabd_test_client_new (uri, "tm");
  g_autoptr(ConfabdTestClient) ta = confabd_test_client_new (uri, "ta");
  /* ada's other connections watch the log, one per room (each connection
   * has its own rate limit). */
  ConfabdTestClient *observers[N_ROLES];
  Scene scenes[N_ROLES];

  for (int r = 0; r < N_ROLES; r++)
    {
      actors[r] = confabd_test_client_new (uri, users[r]);
      confabd_test_client_register (actors[r], users[r]);
    }
  confabd_test_client_register (tm, "tm");
  confabd_test_client_register (ta, "ta");
  for (int r = 0; r < N_ROLES; r++)
    {
      observers[r] = confabd_test_client_new (uri, "observer");
      confabd_test_client_auth (observers[r], actors[OWNER]->token);
    }

  for (int r = 0; r < N_ROLES; r++)
    setup_scene (&scenes[r], r, actors[r], actors[OWNER], tm, ta);

  for (int r = 0; r < N_ROLES; r++)
    {
      ConfabdTestClient *observer = observers[r];

      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        run_case (&cases[i], &scenes[r], observer);

      if (r == OWNER)
        {
          run_case (&leave_self, &scenes[r], observer);
          assert_log_whole (observer, scenes[r].room);
          run_case (&room_delete, &scenes[r], observer);
          g_assert_cmpint (confabd_test_client_last_seq (observer, scenes[r].room), ==, -1);
        }
      else
        {
          run_case (&room_delete, &scenes[r], observer);
          run_case (&leave_self, &scenes[r], observer);
          assert_log_whole (observer, scenes[r].room);
        }
      confabd_test_client_clear (tm);
      confabd_test_client_clear (ta);
    }

  confabd_test_daemon_assert_healthy (fixture->daemon);

  for (int r = 0; r < N_ROLES; r++)
    {
      scene_clear (&scenes[r]);
      confabd_test_client_free (actors[r]);
      confabd_test_client_free (observers[r]);
    }
}

/* Only the caller of a reply may continue it, whatever its role; a removed
 * member's reply is interrupted and the others see it end. */
static void
test_stream_caller (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (uri, "ada");
  g_autoptr(ConfabdTestClient) bob = confabd_test_client_new (uri, "bob");
  g_autoptr(ConfabdTestClient) bob2 = confabd_test_client_new (uri, "bob's laptop");
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *room = NULL;
  g_autofree char *chat = NULL;
  g_autofree char *reply = NULL;
  JsonObject *data_object;

  confabd_test_client_register (ada, "ada");
  confabd_test_client_register (bob, "bob");
  confabd_test_client_auth (bob2, bob->token);

  answer = confabd_test_client_ok (ada, "room", "{'type':'room.create','name':'R'}");
  room = answer_string (confabd_test_get_object (answer, "room"), "id");
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "ack", "{'type':'chat.create','room':'%s','title':'C'}",
                                   room);
  chat = answer_string (answer, "chat");
  add_member (ada, bob, room, "member");

  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (bob, "ack",
                                   "{'type':'stream.start','room':'%s','chat':'%s','model':'a:b'}",
                                   room, chat);
  reply = answer_string (answer, "message");

  /* The owner cannot write into bob's reply. */
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_fails (ada, "forbidden",
                                      "{'type':'stream.delta','room':'%s','message':'%s','text':'x','offset':0}",
                                      room, reply);
  /* Nobody edits a reply being relayed, not even the owner. */
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_fails (ada, "conflict",
                                      "{'type':'message.edit','room':'%s','message':'%s','text':'x'}",
                                      room, reply);
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_fails (bob, "conflict",
                                      "{'type':'message.delete','room':'%s','message':'%s'}",
                                      room, reply);

  /* bob's other connection may carry on (a reconnection). */
  confabd_test_client_sendf (bob2,
                             "{'type':'stream.delta','room':'%s','message':'%s','text':'Par','offset':0}",
                             room, reply);
  /* A gap is refused, a piece sent twice is ignored. */
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_fails (bob2, "invalid",
                                      "{'type':'stream.delta','room':'%s','message':'%s','text':'x','offset':10}",
                                      room, reply);
  confabd_test_client_sendf (bob2,
                             "{'type':'stream.delta','room':'%s','message':'%s','text':'Par','offset':0}",
                             room, reply);
  confabd_test_client_sendf (bob2,
                             "{'type':'stream.delta','room':'%s','message':'%s','text':'tial','offset':3}",
                             room, reply);
  confabd_test_client_ping (bob2);

  /* The owner removes bob: the reply is stored as interrupted, with what
   * came so far. */
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_join (ada, room, 0, NULL);
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_join (bob2, room, 0, NULL);
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "ack",
                                   "{'type':'member.remove','room':'%s','user':'bob'}", room);
  /* bob sees it, and then nothing more of the room. */
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_next_event (bob2, room, "member.removed");
  g_assert_cmpstr (confabd_test_get_string (confabd_test_get_object (answer, "data"), "user"),
                   ==, "bob");
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_next_event (ada, room, "stream.ended");
  data_object = confabd_test_get_object (answer, "data");
  g_assert_cmpstr (confabd_test_get_string (data_object, "message"), ==, reply);
  g_assert_cmpstr (confabd_test_get_string (data_object, "status"), ==, "interrupted");
  g_assert_cmpstr (confabd_test_get_string (data_object, "text"), ==, "Partial");
  g_assert_cmpstr (confabd_test_get_string (answer, "author"), ==, "bob");

  /* bob saw his reply end too; then he is out. */
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_next_event (bob2, room, "stream.ended");
  confabd_test_client_clear (bob2);
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_ok (ada, "ack",
                                   "{'type':'chat.rename','room':'%s','chat':'%s','title':'Without bob'}",
                                   room, chat);
  confabd_test_client_assert_quiet (bob2, 200);
  g_clear_pointer (&answer, json_object_unref);
  answer = confabd_test_client_fails (bob, "not_found",
                                      "{'type':'stream.end','room':'%s','message':'%s','text':'x','status':'complete'}",
                                      room, reply);
}

int
main (int   argc,
      char *argv[])
{
  confabd_test_init (&argc, &argv);

  g_test_add ("/confabd/permissions/matrix", Fixture, NULL, confabd_test_fixture_setup,
              test_matrix, confabd_test_fixture_teardown);
  g_test_add ("/confabd/permissions/stream-caller", Fixture, NULL, confabd_test_fixture_setup,
              test_stream_caller, confabd_test_fixture_teardown);

  return g_test_run ();
}
