/* test-confabd-storage-events.c: confabd's storage (SQLite and PostgreSQL): the event
 * log and messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-json-guard.h"
#include "confabd-storage-test.h"

static void
test_events (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  ConfabdEvent now_event = { .room = (char *)"r1", .event = (char *)"room.renamed" };

  g_assert_cmpint (storage_append (fixture->storage, "r9", "room.created", NULL,
                                   CONFABD_MESSAGE_CHANGE_NONE, NULL, &error), ==, 0);
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  storage_create_room (fixture->storage);
  for (gint64 i = 1; i <= 5; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"user\":\"u%" G_GINT64_FORMAT "\",\"n\":[1]}",
                                               i);

      g_assert_cmpint (storage_append (fixture->storage, "r1", "member.joined", json,
                                       CONFABD_MESSAGE_CHANGE_NONE, NULL, &error), ==, i);
      g_assert_no_error (error);
    }

  /* The numbering goes on from the file, not from memory. */
  storage_reopen (fixture);
  g_assert_cmpint (storage_last_seq (fixture->storage), ==, 5);
  for (gint64 i = 6; i <= 8; i++)
    g_assert_cmpint (storage_append (fixture->storage, "r1", "member.removed", NULL,
                                     CONFABD_MESSAGE_CHANGE_NONE, NULL, &error), ==, i);
  g_assert_no_error (error);

  /* No time: now; and the data of room.renamed renames the room. */
  now_event.data = json_from_string ("{\"name\":\"Renamed\"}", NULL);
  g_assert_cmpint (confabd_storage_append_event (fixture->storage, &now_event,
                                                 CONFABD_MESSAGE_CHANGE_NONE, NULL, &error),
                   ==, 9);
  g_assert_no_error (error);
  g_assert_cmpint (now_event.time, >, 1700000000000);
  json_node_unref (now_event.data);
  {
    g_autoptr(ConfabdRoom) room = confabd_storage_lookup_room (fixture->storage, "r1", &error);

    g_assert_cmpstr (room->name, ==, "Renamed");
    g_assert_cmpint (room->last_seq, ==, 9);
  }

  events = confabd_storage_list_events (fixture->storage, "r1", 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 9);
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpint (((ConfabdEvent *)events->pdata[i])->seq, ==, i + 1);
  {
    ConfabdEvent *first = events->pdata[0];
    JsonObject *object = json_node_get_object (first->data);

    g_assert_cmpstr (first->room, ==, "r1");
    g_assert_cmpstr (first->event, ==, "member.joined");
    g_assert_cmpstr (first->author, ==, "ada");
    g_assert_cmpint (first->time, ==, 1767225600000);
    g_assert_cmpstr (json_object_get_string_member (object, "user"), ==, "u1");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "n")), ==, 1);
  }
  g_clear_pointer (&events, g_ptr_array_unref);

  events = confabd_storage_list_events (fixture->storage, "r1", 6, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpint (((ConfabdEvent *)events->pdata[0])->seq, ==, 7);
  g_assert_cmpint (((ConfabdEvent *)events->pdata[1])->seq, ==, 8);
  g_clear_pointer (&events, g_ptr_array_unref);

  events = confabd_storage_list_events (fixture->storage, "r1", 9, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 0);
}

/* Every failing append leaves the log, the room and the tables as they were. */
static void
test_events_atomic (Fixture       *fixture,
                    gconstpointer  data)
{
  ConfabdStorage *storage = fixture->storage;
  ConfabdMessage missing = { .id = (char *)"m404", .text = (char *)"x", .edited = 5 };
  ConfabdMessage no_chat = { .id = (char *)"m2", .chat = (char *)"c404",
                             .role = (char *)"user", .text = (char *)"x" };
  ConfabdMessage bad_status = { .id = (char *)"m3", .chat = (char *)"c1",
                                .role = (char *)"user", .status = (char *)"bogus" };
  ConfabdMessage no_parent = { .id = (char *)"m4", .chat = (char *)"c1", .thread = (char *)"m0",
                               .role = (char *)"user" };
  ConfabdMessage duplicate = { .id = (char *)"m1", .chat = (char *)"c1", .role = (char *)"user" };
  struct {
    const char           *event;
    const char           *data;
    ConfabdMessageChange  change;
    ConfabdMessage       *message;
    GQuark                domain;
    int                   code;
  } failing[] = {
    { "message.edited", NULL, CONFABD_MESSAGE_CHANGE_UPDATE, &missing,
      CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND },
    { "message.created", NULL, CONFABD_MESSAGE_CHANGE_INSERT, &no_chat,
      CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND },
    { "message.created", NULL, CONFABD_MESSAGE_CHANGE_INSERT, &no_parent,
      CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND },
    { "message.created", NULL, CONFABD_MESSAGE_CHANGE_INSERT, &duplicate,
      CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT },
    { "message.created", NULL, CONFABD_MESSAGE_CHANGE_INSERT, &bad_status,
      G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT },
    { "chat.created", "{\"chat\":\"c1\",\"title\":\"Again\"}", CONFABD_MESSAGE_CHANGE_NONE, NULL,
      CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT },
    { "chat.created", "{\"title\":\"No id\"}", CONFABD_MESSAGE_CHANGE_NONE, NULL,
      G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT },
    { "chat.renamed", "{\"chat\":\"c404\",\"title\":\"T\"}", CONFABD_MESSAGE_CHANGE_NONE, NULL,
      CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND },
  };

  storage_create_room (storage);
  storage_create_chat (storage, "c1");
  storage_post (storage, "m1", "c1", NULL, 1, NULL);
  g_assert_cmpint (storage_last_seq (storage), ==, 2);

  for (guint i = 0; i < G_N_ELEMENTS (failing); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ConfabdMessage) m1 = NULL;

      g_test_message ("failing append %u: %s", i, failing[i].event);
      g_assert_cmpint (storage_append (storage, "r1", failing[i].event, failing[i].data,
                                       failing[i].change, failing[i].message, &error), ==, 0);
      g_assert_error (error, failing[i].domain, failing[i].code);
      g_clear_error (&error);

      g_assert_cmpint (storage_last_seq (storage), ==, 2);
      g_assert_cmpint (storage_query_int (storage, "SELECT count(*) FROM events"), ==, 2);
      g_assert_cmpint (storage_query_int (storage, "SELECT count(*) FROM messages"), ==, 1);
      g_assert_cmpint (storage_query_int (storage, "SELECT count(*) FROM chats"), ==, 1);
      g_assert_cmpint (storage_query_int (storage, "SELECT title = 'T' FROM chats"), ==, 1);
      m1 = confabd_storage_lookup_message (storage, "r1", "m1", &error);
      g_assert_no_error (error);
      g_assert_cmpint (m1->seq, ==, 2);
      storage_assert_idle (storage);
    }

  /* And the next one follows without a gap. */
  g_assert_cmpint (storage_post (storage, "m2", "c1", NULL, 2, NULL), ==, 3);
}

static void
assert_page (GPtrArray  *page,
             const char *ids)
{
  g_auto(GStrv) expected = g_strsplit (ids, " ", -1);

  g_assert_cmpuint (page->len, ==, g_strv_length (expected));
  for (guint i = 0; i < page->len; i++)
    g_assert_cmpstr (((ConfabdMessage *)page->pdata[i])->id, ==, expected[i]);
}

static GPtrArray *
page (ConfabdStorage *storage,
      const char     *thread,
      const char     *before,
      guint           limit)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *messages = confabd_storage_list_messages (storage, "r1", "c1", thread, before,
                                                       limit, &error);

  g_assert_no_error (error);
  return messages;
}

static void
test_messages (Fixture       *fixture,
               gconstpointer  data)
{
  ConfabdStorage *storage = fixture->storage;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabdMessage) message = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  ConfabdMessage edit = { .id = (char *)"m3", .text = (char *)"edited", .edited = 42 };
  ConfabdMessage remove = { .id = (char *)"m5", .status = (char *)"deleted" };
  gint64 seq;

  storage_create_room (storage);
  g_assert_false (confabd_storage_chat_exists (storage, "r1", "c1", &error));
  g_assert_no_error (error);
  storage_create_chat (storage, "c1");
  storage_create_chat (storage, "c2");
  g_assert_true (confabd_storage_chat_exists (storage, "r1", "c1", &error));
  g_assert_false (confabd_storage_chat_exists (storage, "r2", "c1", &error));
  g_assert_no_error (error);
  g_assert_cmpint (storage_append (storage, "r1", "chat.renamed",
                                   "{\"chat\":\"c1\",\"title\":\"New\"}",
                                   CONFABD_MESSAGE_CHANGE_NONE, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (storage_query_int (storage, "SELECT count(*) FROM chats WHERE title = 'New'"),
                   ==, 1);

  /* m4 and m5 share a time: insertion order breaks the tie. */
  storage_post (storage, "m1", "c1", NULL, 100, NULL);
  storage_post (storage, "m2", "c1", NULL, 200, NULL);
  storage_post (storage, "m3", "c1", NULL, 300, NULL);
  storage_post (storage, "m5", "c1", NULL, 400, NULL);
  storage_post (storage, "m4", "c1", NULL, 400, NULL);
  storage_post (storage, "m6", "c1", NULL, 500, "complete");
  storage_post (storage, "t1", "c1", "m2", 250, NULL);
  storage_post (storage, "t2", "c1", "m2", 260, NULL);
  storage_post (storage, "x1", "c2", NULL, 600, NULL);

  message = confabd_storage_lookup_message (storage, "r1", "t1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (message->room, ==, "r1");
  g_assert_cmpstr (message->chat, ==, "c1");
  g_assert_cmpstr (message->thread, ==, "m2");
  g_assert_cmpstr (message->author, ==, "ada");
  g_assert_cmpstr (message->role, ==, "user");
  g_assert_null (message->model);
  g_assert_cmpstr (message->text, ==, "t1");
  g_assert_cmpstr (message->status, ==, "complete");
  g_assert_cmpint (message->created, ==, 250);
  g_assert_cmpint (message->edited, ==, 0);
  g_clear_pointer (&message, confabd_message_free);
  g_assert_null (confabd_storage_lookup_message (storage, "r1", "m404", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  seq = storage_append (storage, "r1", "message.edited", NULL, CONFABD_MESSAGE_CHANGE_UPDATE,
                        &edit, &error);
  g_assert_no_error (error);
  message = confabd_storage_lookup_message (storage, "r1", "m3", &error);
  g_assert_cmpstr (message->text, ==, "edited");
  g_assert_cmpstr (message->status, ==, "complete");
  g_assert_cmpint (message->edited, ==, 42);
  g_assert_cmpint (message->seq, ==, seq);
  g_clear_pointer (&message, confabd_message_free);

  messages = page (storage, NULL, NULL, 0);
  assert_page (messages, "m1 m2 m3 m5 m4 m6");
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = page (storage, NULL, NULL, 4);
  assert_page (messages, "m3 m5 m4 m6");
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = page (storage, NULL, "m4", 1);
  assert_page (messages, "m5");
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = page (storage, NULL, "m3", 5);
  assert_page (messages, "m1 m2");
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = page (storage, NULL, "m1", 5);
  assert_page (messages, "");
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = page (storage, "m2", NULL, 0);
  assert_page (messages, "t1 t2");
  g_clear_pointer (&messages, g_ptr_array_unref);

  /* Deleted messages leave the pages but still anchor one. */
  g_assert_cmpint (storage_append (storage, "r1", "message.deleted", NULL,
                                   CONFABD_MESSAGE_CHANGE_UPDATE, &remove, &error), >, 0);
  g_assert_no_error (error);
  messages = page (storage, NULL, NULL, 3);
  assert_page (messages, "m3 m4 m6");
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = page (storage, NULL, "m5", 0);
  assert_page (messages, "m1 m2 m3");
  g_clear_pointer (&messages, g_ptr_array_unref);

  /* An anchor from another chat, or none at all. */
  g_assert_null (confabd_storage_list_messages (storage, "r1", "c1", NULL, "x1", 5, &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (confabd_storage_list_messages (storage, "r1", "c1", NULL, "m404", 5, &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
}

static void
test_streaming (Fixture       *fixture,
                gconstpointer  data)
{
  ConfabdStorage *storage = fixture->storage;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) streaming = NULL;
  g_autoptr(ConfabdRoom) room2 = NULL;
  ConfabdMessage reply = { .id = (char *)"a2", .chat = (char *)"c2", .role = (char *)"assistant",
                           .model = (char *)"openai:gpt-4o", .status = (char *)"streaming" };
  ConfabdMessage end = { .id = (char *)"a1", .text = (char *)"so far",
                         .status = (char *)"interrupted" };

  storage_create_room (storage);
  room2 = confabd_storage_create_room (storage, "r2", "Two", "ada", &error);
  g_assert_no_error (error);
  storage_create_chat (storage, "c1");
  g_assert_cmpint (storage_append (storage, "r2", "chat.created", "{\"chat\":\"c2\"}",
                                   CONFABD_MESSAGE_CHANGE_NONE, NULL, &error), ==, 1);
  storage_post (storage, "m1", "c1", NULL, 1, NULL);
  storage_post (storage, "a1", "c1", NULL, 2, "streaming");
  g_assert_cmpint (storage_append (storage, "r2", "stream.started", NULL,
                                   CONFABD_MESSAGE_CHANGE_INSERT, &reply, &error), ==, 2);
  g_assert_no_error (error);

  storage_reopen (fixture);
  storage = fixture->storage;
  streaming = confabd_storage_list_streaming (storage, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (streaming->len, ==, 2);
  g_assert_cmpstr (((ConfabdMessage *)streaming->pdata[0])->id, ==, "a1");
  g_assert_cmpstr (((ConfabdMessage *)streaming->pdata[0])->room, ==, "r1");
  g_assert_cmpstr (((ConfabdMessage *)streaming->pdata[1])->id, ==, "a2");
  g_assert_cmpstr (((ConfabdMessage *)streaming->pdata[1])->model, ==, "openai:gpt-4o");
  g_assert_cmpstr (((ConfabdMessage *)streaming->pdata[1])->text, ==, "");
  g_clear_pointer (&streaming, g_ptr_array_unref);

  g_assert_cmpint (storage_append (storage, "r1", "stream.ended", NULL,
                                   CONFABD_MESSAGE_CHANGE_UPDATE, &end, &error), >, 0);
  g_assert_no_error (error);
  streaming = confabd_storage_list_streaming (storage, &error);
  g_assert_cmpuint (streaming->len, ==, 1);
  g_assert_cmpstr (((ConfabdMessage *)streaming->pdata[0])->id, ==, "a2");
}

/* Event data read back from the database goes through the same guard as
 * a client's frame: damaged rows (a second value, which JSON-GLib 1.6
 * would leak; nesting deep enough to exhaust its recursive parser) are an
 * error naming the event, never a crash or a leak (the ASan run). */
static void
test_events_damaged (Fixture       *fixture,
                     gconstpointer  data)
{
  const struct {
    const char *data;
    const char *says;
  } cases[] = {
    { "{\"a\":1}{\"b\":2}", "more than one JSON value" },
    { "{\"a\":\"\\ud800\\u0041\"}", "surrogate pair" },
    { "{\"a\":1 /* c */}", "comment" },
    { "[1]", "Not a JSON object" },
    { "{\"a\":", "Not valid JSON" },
    { "", "Empty JSON" },
  };
  g_autoptr(GError) error = NULL;

  storage_create_room (fixture->storage);
  g_assert_cmpint (storage_append (fixture->storage, "r1", "member.joined", "{\"user\":\"u1\"}",
                                   CONFABD_MESSAGE_CHANGE_NONE, NULL, &error), ==, 1);
  g_assert_no_error (error);

  for (guint i = 0; i <= G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) events = NULL;
      g_autoptr(GString) sql = g_string_new ("UPDATE events SET data = '");
      const char *says;

      if (i < G_N_ELEMENTS (cases))
        {
          g_string_append (sql, cases[i].data);
          says = cases[i].says;
        }
      else
        {
          /* Deeper than CONFAB_JSON_MAX_DEPTH. */
          g_string_append (sql, "{\"a\":");
          for (guint k = 0; k < 2 * CONFAB_JSON_MAX_DEPTH; k++)
            g_string_append_c (sql, '[');
          says = "nest too deep";
        }
      g_string_append (sql, "' WHERE room = 'r1' AND seq = 1");
      storage_exec (fixture->storage, sql->str);

      events = confabd_storage_list_events (fixture->storage, "r1", 0, 0, &error);
      g_assert_null (events);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "Event 1 of room r1 has damaged data"));
      if (strstr (error->message, says) == NULL)
        g_error ("case %u: \"%s\" does not say \"%s\"", i, error->message, says);
      g_clear_error (&error);
    }

  /* Mended, it reads again. */
  storage_exec (fixture->storage,
                "UPDATE events SET data = '{\"user\":\"u1\"}' WHERE room = 'r1' AND seq = 1");
  {
    g_autoptr(GPtrArray) events = confabd_storage_list_events (fixture->storage, "r1", 0, 0,
                                                               &error);

    g_assert_no_error (error);
    g_assert_cmpuint (events->len, ==, 1);
  }
  storage_assert_idle (fixture->storage);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  STORAGE_TEST_ADD ("events", test_events);
  STORAGE_TEST_ADD ("events-atomic", test_events_atomic);
  STORAGE_TEST_ADD ("events-damaged", test_events_damaged);
  STORAGE_TEST_ADD ("messages", test_messages);
  STORAGE_TEST_ADD ("streaming", test_streaming);

  return g_test_run ();
}
