/* confabd-test-client.c: a raw WebSocket client of confabd for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confabd-test-client.h"

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
message_cb (SoupWebsocketConnection *websocket,
            gint                     type,
            GBytes                  *message,
            ConfabdTestClient       *client)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (message, &size);

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  node = json_from_string (data, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_queue_push_tail (&client->frames, json_object_ref (json_node_get_object (node)));
}

static void
closed_cb (SoupWebsocketConnection *websocket,
           ConfabdTestClient       *client)
{
  client->closed = TRUE;
  client->close_code = soup_websocket_connection_get_close_code (websocket);
  g_test_message ("%s: closed (%u, %s)", client->name, client->close_code,
                  soup_websocket_connection_get_close_data (websocket));
}

/* libsoup's reason for closing from this end, which "closed" does not say. */
static void
error_cb (SoupWebsocketConnection *websocket,
          GError                  *error,
          ConfabdTestClient       *client)
{
  g_test_message ("%s: %s", client->name, error->message);
}

/* A test must not send on a closed connection: says which and why. */
static void
assert_open (ConfabdTestClient *client)
{
  if (client->closed)
    g_error ("%s: sending on a connection closed (%u)", client->name, client->close_code);
}

ConfabdTestClient *
confabd_test_client_new_raw (const char *uri,
                             const char *name)
{
  return confabd_test_client_new_forwarded (uri, name, NULL);
}

ConfabdTestClient *
confabd_test_client_new_forwarded (const char *uri,
                                   const char *name,
                                   const char *forwarded_for)
{
  ConfabdTestClient *client = g_new0 (ConfabdTestClient, 1);
  g_autofree char *ws_uri = g_strconcat (uri, "/ws", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", ws_uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *what = g_strdup_printf ("%s to connect to %s", name, ws_uri);

  if (forwarded_for != NULL)
    soup_message_headers_append (soup_message_get_request_headers (msg), "X-Forwarded-For",
                                 forwarded_for);

  client->name = g_strdup (name);
  client->next_id = 1;
  g_queue_init (&client->frames);
  client->session = soup_session_new ();

  soup_session_websocket_connect_async (client->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, confabd_test_result_cb, &result);
  confabd_test_await (&result, CONFABD_TEST_TIMEOUT, what);

  client->websocket = soup_session_websocket_connect_finish (client->session, result, &error);
  g_assert_no_error (error);
  soup_websocket_connection_set_max_incoming_payload_size (client->websocket, 64 * 1024 * 1024);
  g_signal_connect (client->websocket, "message", G_CALLBACK (message_cb), client);
  g_signal_connect (client->websocket, "closed", G_CALLBACK (closed_cb), client);
  g_signal_connect (client->websocket, "error", G_CALLBACK (error_cb), client);
  return client;
}

ConfabdTestClient *
confabd_test_client_new (const char *uri,
                         const char *name)
{
  ConfabdTestClient *client = confabd_test_client_new_raw (uri, name);
  g_autoptr(JsonObject) welcome = NULL;

  welcome = confabd_test_client_ok (client, "welcome",
                                    "{'type':'hello','version':1,'client':'test/1'}");
  g_assert_cmpint (confabd_test_get_int (welcome, "version"), ==, 1);
  g_assert_cmpint (confabd_test_get_int (welcome, "max_frame"), ==, 256 * 1024);
  return client;
}

void
confabd_test_client_free (ConfabdTestClient *client)
{
  if (client == NULL)
    return;

  if (client->websocket != NULL)
    {
      g_signal_handlers_disconnect_by_data (client->websocket, client);
      if (soup_websocket_connection_get_state (client->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&client->websocket);
    }
  g_clear_object (&client->session);
  g_queue_clear_full (&client->frames, (GDestroyNotify) json_object_unref);
  g_free (client->name);
  g_free (client->user);
  g_free (client->token);
  g_free (client);
}

/* ' stands for " in the formats of the tests. */
static char *
format_frame (const char *format,
              va_list     args)
{
  g_autofree char *real = g_strdup (format);

  for (char *p = real; *p != '\0'; p++)
    if (*p == '\'')
      *p = '"';

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  return g_strdup_vprintf (real, args);
#pragma GCC diagnostic pop
}

void
confabd_test_client_send (ConfabdTestClient *client,
                          const char        *text)
{
  assert_open (client);
  soup_websocket_connection_send_text (client->websocket, text);
}

void
confabd_test_client_sendf (ConfabdTestClient *client,
                           const char        *format,
                           ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = format_frame (format, args);
  va_end (args);
  confabd_test_client_send (client, text);
}

void
confabd_test_client_send_binary (ConfabdTestClient *client,
                                 gconstpointer      data,
                                 gsize              length)
{
  assert_open (client);
  soup_websocket_connection_send_binary (client->websocket, data, length);
}

typedef gboolean (*FrameMatch) (JsonObject *frame,
                                gconstpointer a,
                                gconstpointer b);

/* Takes the first frame matching out of the queue, waiting for it. */
static JsonObject *
take (ConfabdTestClient *client,
      FrameMatch         match,
      gconstpointer      a,
      gconstpointer      b,
      const char        *what)
{
  gboolean timed_out = FALSE;
  guint timeout_id = 0;
  guint seen = 0;

  for (;;)
    {
      GList *link = g_queue_peek_head_link (&client->frames);

      for (guint i = 0; i < seen && link != NULL; i++)
        link = link->next;
      for (; link != NULL; link = link->next, seen++)
        if (match == NULL || match (link->data, a, b))
          {
            JsonObject *frame = link->data;

            g_queue_delete_link (&client->frames, link);
            if (timeout_id != 0)
              g_source_remove (timeout_id);
            return frame;
          }

      if (client->closed)
        g_error ("%s: closed (%u) while waiting for %s", client->name, client->close_code, what);
      if (timed_out)
        {
          g_autoptr(GString) queued = g_string_new (NULL);

          for (GList *l = g_queue_peek_head_link (&client->frames); l != NULL; l = l->next)
            {
              g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), l->data);
              g_autofree char *text = json_to_string (node, FALSE);

              g_string_append_printf (queued, "\n  %s", text);
            }
          g_error ("%s: timed out waiting for %s; queued:%s", client->name, what, queued->str);
        }
      if (timeout_id == 0)
        timeout_id = g_timeout_add_seconds (CONFABD_TEST_TIMEOUT, timeout_cb, &timed_out);
      g_main_context_iteration (NULL, TRUE);
    }
}

JsonObject *
confabd_test_client_next (ConfabdTestClient *client)
{
  return take (client, NULL, NULL, NULL, "a frame");
}

static gboolean
match_type (JsonObject    *frame,
            gconstpointer  type,
            gconstpointer  unused)
{
  return g_strcmp0 (json_object_get_string_member_with_default (frame, "type", NULL), type) == 0;
}

JsonObject *
confabd_test_client_next_of_type (ConfabdTestClient *client,
                                  const char        *type)
{
  g_autofree char *what = g_strdup_printf ("a “%s” frame", type);

  return take (client, match_type, type, NULL, what);
}

static gboolean
match_event (JsonObject    *frame,
             gconstpointer  room,
             gconstpointer  event)
{
  return match_type (frame, "event", NULL) &&
         g_strcmp0 (json_object_get_string_member_with_default (frame, "room", NULL), room) == 0 &&
         (event == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (frame, "event", NULL), event) == 0);
}

JsonObject *
confabd_test_client_next_event (ConfabdTestClient *client,
                                const char        *room,
                                const char        *event)
{
  g_autofree char *what = g_strdup_printf ("event %s in %s", event != NULL ? event : "(any)",
                                           room);

  return take (client, match_event, room, event, what);
}

guint
confabd_test_client_n_queued (ConfabdTestClient *client)
{
  return g_queue_get_length (&client->frames);
}

void
confabd_test_client_clear (ConfabdTestClient *client)
{
  g_queue_clear_full (&client->frames, (GDestroyNotify) json_object_unref);
  g_queue_init (&client->frames);
}

void
confabd_test_client_assert_quiet (ConfabdTestClient *client,
                                  guint              ms)
{
  confabd_test_run_for (ms);
  if (!g_queue_is_empty (&client->frames))
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (),
                                                        g_queue_peek_head (&client->frames));
      g_autofree char *text = json_to_string (node, FALSE);

      g_error ("%s: unexpected frame %s", client->name, text);
    }
}

static gboolean
match_re (JsonObject    *frame,
          gconstpointer  id,
          gconstpointer  unused)
{
  JsonNode *re = json_object_get_member (frame, "re");

  return re != NULL && json_node_get_value_type (re) == G_TYPE_INT64 &&
         json_node_get_int (re) == *(const gint64 *) id;
}

static JsonObject *
request_valist (ConfabdTestClient *client,
                const char        *format,
                va_list            args)
{
  g_autofree char *text = format_frame (format, args);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *with_id = NULL;
  g_autofree char *what = NULL;
  gint64 id = client->next_id++;

  node = json_from_string (text, &error);
  g_assert_no_error (error);
  json_object_set_int_member (json_node_get_object (node), "id", id);
  with_id = json_to_string (node, FALSE);
  confabd_test_client_send (client, with_id);

  what = g_strdup_printf ("the answer to %s", with_id);
  return take (client, match_re, &id, NULL, what);
}

JsonObject *
confabd_test_client_request (ConfabdTestClient *client,
                             const char        *format,
                             ...)
{
  JsonObject *answer;
  va_list args;

  va_start (args, format);
  answer = request_valist (client, format, args);
  va_end (args);
  return answer;
}

static char *
frame_to_string (JsonObject *frame)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), frame);

  return json_to_string (node, FALSE);
}

JsonObject *
confabd_test_client_ok (ConfabdTestClient *client,
                        const char        *type,
                        const char        *format,
                        ...)
{
  JsonObject *answer;
  va_list args;

  va_start (args, format);
  answer = request_valist (client, format, args);
  va_end (args);

  if (g_strcmp0 (json_object_get_string_member_with_default (answer, "type", NULL), type) != 0)
    {
      g_autofree char *text = frame_to_string (answer);

      g_error ("%s: expected “%s”, got %s", client->name, type, text);
    }
  return answer;
}

JsonObject *
confabd_test_client_fails (ConfabdTestClient *client,
                           const char        *code,
                           const char        *format,
                           ...)
{
  JsonObject *answer;
  va_list args;

  va_start (args, format);
  answer = request_valist (client, format, args);
  va_end (args);

  if (g_strcmp0 (json_object_get_string_member_with_default (answer, "type", NULL), "error") != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (answer, "code", NULL), code) != 0)
    {
      g_autofree char *text = frame_to_string (answer);

      g_error ("%s: expected error “%s”, got %s", client->name, code, text);
    }
  /* Every refusal explains itself. */
  g_assert_nonnull (json_object_get_string_member_with_default (answer, "message", NULL));
  return answer;
}

JsonObject *
confabd_test_client_join (ConfabdTestClient  *client,
                          const char         *room,
                          gint64              since,
                          GPtrArray         **events)
{
  gint64 id = client->next_id++;
  g_autofree char *text = g_strdup_printf ("{\"type\":\"join\",\"id\":%" G_GINT64_FORMAT
                                           ",\"room\":\"%s\",\"since\":%" G_GINT64_FORMAT "}",
                                           id, room, since);
  g_autoptr(GPtrArray) replay = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  gboolean timed_out = FALSE;
  guint timeout_id;

  confabd_test_client_send (client, text);
  timeout_id = g_timeout_add_seconds (CONFABD_TEST_TIMEOUT, timeout_cb, &timed_out);

  for (;;)
    {
      GList *answer = g_queue_peek_head_link (&client->frames);

      while (answer != NULL && !match_re (answer->data, &id, NULL))
        answer = answer->next;

      if (answer != NULL && !match_type (answer->data, "joined", NULL))
        {
          JsonObject *error = answer->data;

          g_queue_delete_link (&client->frames, answer);
          g_source_remove (timeout_id);
          if (events != NULL)
            *events = g_steal_pointer (&replay);
          return error;
        }

      if (answer != NULL)
        {
          GList *end = answer->next;

          /* The replay and "synced" come right after "joined". */
          while (end != NULL && match_type (end->data, "event", NULL))
            end = end->next;
          if (end != NULL)
            {
              JsonObject *joined = answer->data;

              g_assert_true (match_type (end->data, "synced", NULL));
              g_assert_cmpstr (confabd_test_get_string (end->data, "room"), ==, room);
              g_assert_cmpint (confabd_test_get_int (end->data, "seq"), ==,
                               confabd_test_get_int (joined, "last_seq"));
              for (GList *l = answer->next; l != end; l = l->next)
                g_ptr_array_add (replay, json_object_ref (l->data));
              while (answer->next != end)
                {
                  json_object_unref (answer->next->data);
                  g_queue_delete_link (&client->frames, answer->next);
                }
              json_object_unref (end->data);
              g_queue_delete_link (&client->frames, end);
              g_queue_delete_link (&client->frames, answer);
              g_source_remove (timeout_id);
              if (events != NULL)
                *events = g_steal_pointer (&replay);
              return joined;
            }
        }

      if (client->closed || timed_out)
        g_error ("%s: no answer to %s", client->name, text);
      g_main_context_iteration (NULL, TRUE);
    }
}

void
confabd_test_client_ping (ConfabdTestClient *client)
{
  g_autoptr(JsonObject) pong = confabd_test_client_ok (client, "pong", "{'type':'ping'}");
}

static const char *
take_session (ConfabdTestClient *client,
              const char        *user,
              JsonObject        *session)
{
  g_assert_cmpstr (confabd_test_get_string (session, "user"), ==, user);
  g_assert_cmpint (confabd_test_get_int (session, "expires"), >,
                   g_get_real_time () / G_USEC_PER_SEC);
  g_free (client->user);
  client->user = g_strdup (user);
  if (json_object_has_member (session, "token"))
    {
      g_free (client->token);
      client->token = g_strdup (confabd_test_get_string (session, "token"));
    }
  return client->token;
}

const char *
confabd_test_client_register (ConfabdTestClient *client,
                              const char        *user)
{
  g_autoptr(JsonObject) session = NULL;

  session = confabd_test_client_ok (client, "session",
                                    "{'type':'register','user':'%s','password':'%s'}",
                                    user, CONFABD_TEST_PASSWORD);
  g_assert_true (json_object_has_member (session, "token"));
  return take_session (client, user, session);
}

const char *
confabd_test_client_login (ConfabdTestClient *client,
                           const char        *user)
{
  g_autoptr(JsonObject) session = NULL;

  session = confabd_test_client_ok (client, "session",
                                    "{'type':'login','user':'%s','password':'%s'}",
                                    user, CONFABD_TEST_PASSWORD);
  g_assert_true (json_object_has_member (session, "token"));
  return take_session (client, user, session);
}

void
confabd_test_client_auth (ConfabdTestClient *client,
                          const char        *token)
{
  g_autoptr(JsonObject) session = NULL;
  g_autofree char *user = NULL;

  session = confabd_test_client_ok (client, "session", "{'type':'auth','token':'%s'}", token);
  g_assert_false (json_object_has_member (session, "token"));
  user = g_strdup (confabd_test_get_string (session, "user"));
  take_session (client, user, session);
  g_free (client->token);
  client->token = g_strdup (token);
}

gushort
confabd_test_client_wait_closed (ConfabdTestClient *client)
{
  g_autofree char *what = g_strdup_printf ("%s to be closed", client->name);

  confabd_test_wait (&client->closed, what);
  return client->close_code;
}

void
confabd_test_client_abort (ConfabdTestClient *client)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (client->websocket);

  g_signal_handlers_disconnect_by_data (client->websocket, client);
  g_io_stream_close (stream, NULL, NULL);
  client->closed = TRUE;
}

const char *
confabd_test_get_string (JsonObject *frame,
                         const char *member)
{
  JsonNode *node = json_object_get_member (frame, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *text = frame_to_string (frame);

      g_error ("no string “%s” in %s", member, text);
    }
  return json_node_get_string (node);
}

gint64
confabd_test_get_int (JsonObject *frame,
                      const char *member)
{
  JsonNode *node = json_object_get_member (frame, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_autofree char *text = frame_to_string (frame);

      g_error ("no integer “%s” in %s", member, text);
    }
  return json_node_get_int (node);
}

JsonObject *
confabd_test_get_object (JsonObject *frame,
                         const char *member)
{
  JsonNode *node = json_object_get_member (frame, member);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *text = frame_to_string (frame);

      g_error ("no object “%s” in %s", member, text);
    }
  return json_node_get_object (node);
}

JsonArray *
confabd_test_get_array (JsonObject *frame,
                        const char *member)
{
  JsonNode *node = json_object_get_member (frame, member);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree char *text = frame_to_string (frame);

      g_error ("no array “%s” in %s", member, text);
    }
  return json_node_get_array (node);
}

gint64
confabd_test_client_last_seq (ConfabdTestClient *client,
                              const char        *room)
{
  g_autoptr(JsonObject) rooms = confabd_test_client_ok (client, "rooms", "{'type':'rooms'}");
  JsonArray *array = confabd_test_get_array (rooms, "rooms");

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_str_equal (confabd_test_get_string (object, "id"), room))
        return confabd_test_get_int (object, "last_seq");
    }
  return -1;   /* deleted, or not a member */
}
