/* test-sse.c: the event-stream parser and NDJSON reader against the recorded
 * edge cases, fed whole, split at every byte and byte by byte.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>

#include "confab-ndjson-reader.h"
#include "confab-sse-parser.h"

typedef struct
{
  char *type;
  char *data;
  char *id;
} Event;

static void
event_free (gpointer p)
{
  Event *e = p;

  g_free (e->type);
  g_free (e->data);
  g_free (e->id);
  g_free (e);
}

static void
collect_event (const ConfabSseEvent *event,
               gpointer              user_data)
{
  GPtrArray *events = user_data;
  Event *e = g_new0 (Event, 1);

  e->type = g_strdup (event->type);
  e->data = g_strdup (event->data);
  e->id = g_strdup (event->last_event_id);
  g_ptr_array_add (events, e);
}

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "providers", name, NULL);
}

static GBytes *
load_fixture (const char *name)
{
  g_autofree char *path = fixture_path (name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, len);
}

/* Feeds the stream cut at the given offsets. */
static GPtrArray *
parse_split (GBytes *bytes,
             gsize  *cuts,
             guint   n_cuts,
             gint64 *retry)
{
  g_autoptr(ConfabSseParser) parser = confab_sse_parser_new ();
  GPtrArray *events = g_ptr_array_new_with_free_func (event_free);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gsize pos = 0;

  for (guint i = 0; i <= n_cuts; i++)
    {
      gsize end = i < n_cuts ? MIN (cuts[i], len) : len;

      confab_sse_parser_feed (parser, data + pos, end - pos, collect_event, events);
      pos = end;
    }

  confab_sse_parser_finish (parser);
  *retry = confab_sse_parser_get_retry (parser);

  return events;
}

static void
assert_events (GPtrArray  *events,
               JsonArray  *expected,
               JsonNode   *expected_retry,
               gint64      retry,
               const char *what)
{
  if (events->len != json_array_get_length (expected))
    g_error ("%s: %u events, expected %u", what, events->len,
             json_array_get_length (expected));

  for (guint i = 0; i < events->len; i++)
    {
      Event *e = g_ptr_array_index (events, i);
      JsonObject *x = json_array_get_object_element (expected, i);

      g_assert_cmpstr (e->type, ==, json_object_get_string_member (x, "type"));
      g_assert_cmpstr (e->data, ==, json_object_get_string_member (x, "data"));
      g_assert_cmpstr (e->id, ==, json_object_get_string_member (x, "lastEventId"));
    }

  if (JSON_NODE_HOLDS_NULL (expected_retry))
    g_assert_cmpint (retry, ==, -1);
  else
    g_assert_cmpint (retry, ==, json_node_get_int (expected_retry));
}

static void
test_sse_edge_cases (void)
{
  g_autofree char *path = fixture_path ("sse-edge-cases.expected.json");
  g_autoptr(JsonParser) json = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *cases;

  json_parser_load_from_file (json, path, &error);
  g_assert_no_error (error);
  cases = json_object_get_array_member (json_node_get_object (json_parser_get_root (json)),
                                        "cases");
  g_assert_cmpuint (json_array_get_length (cases), >, 0);

  for (guint c = 0; c < json_array_get_length (cases); c++)
    {
      JsonObject *kase = json_array_get_object_element (cases, c);
      const char *file = json_object_get_string_member (kase, "file");
      JsonArray *expected = json_object_get_array_member (kase, "events");
      JsonNode *expected_retry = json_object_get_member (kase, "retry");
      JsonArray *boundaries = json_object_get_array_member (kase, "chunk_boundaries");
      g_autoptr(GBytes) bytes = load_fixture (file);
      gsize len = g_bytes_get_size (bytes);
      g_autoptr(GPtrArray) whole = NULL;
      g_autoptr(GPtrArray) recorded = NULL;
      g_autofree gsize *cuts = NULL;
      gint64 retry;

      g_test_message ("%s", file);

      whole = parse_split (bytes, NULL, 0, &retry);
      assert_events (whole, expected, expected_retry, retry, file);

      /* The recorded chunk boundaries. */
      cuts = g_new0 (gsize, json_array_get_length (boundaries) + 1);
      for (guint i = 0; i < json_array_get_length (boundaries); i++)
        cuts[i] = json_array_get_int_element (boundaries, i);
      recorded = parse_split (bytes, cuts, json_array_get_length (boundaries), &retry);
      assert_events (recorded, expected, expected_retry, retry, file);

      /* Every two-chunk split. */
      for (gsize at = 0; at <= len; at++)
        {
          g_autoptr(GPtrArray) split = parse_split (bytes, &at, 1, &retry);
          assert_events (split, expected, expected_retry, retry, file);
        }

      /* Byte by byte. */
      {
        g_autofree gsize *every = g_new0 (gsize, len + 1);
        g_autoptr(GPtrArray) bytewise = NULL;

        for (gsize i = 0; i < len; i++)
          every[i] = i + 1;
        bytewise = parse_split (bytes, every, len, &retry);
        assert_events (bytewise, expected, expected_retry, retry, file);
      }
    }
}

static void
test_sse_fields (void)
{
  static const char stream[] =
    "\xEF\xBB\xBF" "retry: 1500\n"
    "id: 7\n"
    "event: update\n"
    "data: x\n"
    "\n"
    "retry: soon\n"      /* not digits: ignored */
    "data\n"             /* no colon: an empty data line */
    "\n"
    "id: a\0b\n"         /* NUL in an id: ignored */
    "data: y\n"
    "\n"
    "event: lonely\n"    /* no data: nothing dispatched */
    "\n"
    "data: cut";         /* no closing blank line: discarded at the end */
  g_autoptr(ConfabSseParser) parser = confab_sse_parser_new ();
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (event_free);
  Event *e;

  confab_sse_parser_feed (parser, (const guint8 *) stream, sizeof stream - 1,
                          collect_event, events);
  g_assert_true (confab_sse_parser_finish (parser));
  g_assert_cmpint (confab_sse_parser_get_retry (parser), ==, 1500);

  g_assert_cmpuint (events->len, ==, 3);
  e = events->pdata[0];
  g_assert_cmpstr (e->type, ==, "update");
  g_assert_cmpstr (e->data, ==, "x");
  g_assert_cmpstr (e->id, ==, "7");
  e = events->pdata[1];
  g_assert_cmpstr (e->type, ==, "message");
  g_assert_cmpstr (e->data, ==, "");
  g_assert_cmpstr (e->id, ==, "7");
  e = events->pdata[2];
  g_assert_cmpstr (e->data, ==, "y");
  g_assert_cmpstr (e->id, ==, "7");

  /* A clean end reports nothing pending. */
  confab_sse_parser_feed (parser, (const guint8 *) "data: z\n\n", 9, collect_event, events);
  g_assert_false (confab_sse_parser_finish (parser));
  g_assert_cmpuint (events->len, ==, 4);
}

static void
test_sse_invalid_utf8 (void)
{
  static const char stream[] = "data: a\xFF\xFE" "b\n\n";
  g_autoptr(ConfabSseParser) parser = confab_sse_parser_new ();
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (event_free);

  confab_sse_parser_feed (parser, (const guint8 *) stream, sizeof stream - 1,
                          collect_event, events);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_true (g_utf8_validate (((Event *) events->pdata[0])->data, -1, NULL));
  g_assert_cmpstr (((Event *) events->pdata[0])->data, ==, "a\xEF\xBF\xBD\xEF\xBF\xBD" "b");
}

/* Every recorded provider stream parses to the same events however it is cut. */
static void
test_sse_provider_streams (void)
{
  static const char *files[] = {
    "openai-chat-stream.sse", "anthropic-stream.sse", "anthropic-error-overloaded.sse",
    "gemini-stream.sse", "ollama-openai-chat-stream.sse",
  };

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autoptr(GBytes) bytes = load_fixture (files[f]);
      gsize len = g_bytes_get_size (bytes);
      g_autoptr(GPtrArray) whole = NULL;
      gint64 retry;

      whole = parse_split (bytes, NULL, 0, &retry);
      g_assert_cmpuint (whole->len, >, 1);
      for (guint i = 0; i < whole->len; i++)
        g_assert_true (((Event *) whole->pdata[i])->data[0] != '\0');

      for (gsize at = 0; at <= len; at++)
        {
          g_autoptr(GPtrArray) split = parse_split (bytes, &at, 1, &retry);

          g_assert_cmpuint (split->len, ==, whole->len);
          for (guint i = 0; i < whole->len; i++)
            {
              Event *a = whole->pdata[i], *b = split->pdata[i];

              g_assert_cmpstr (a->type, ==, b->type);
              g_assert_cmpstr (a->data, ==, b->data);
            }
        }
    }
}

/* What the reply's deadlines read: whether an event is partly in, and how
 * many ended. Keep-alive comments never leave one open. */
static void
test_sse_in_event (void)
{
  static const struct
  {
    const char *bytes;
    gboolean    in_event;
    guint64     n_ends;
    guint       n_events;
  } steps[] = {
    { ": OPENROUTER PROCESSING\n\n", FALSE, 1, 0 },
    { ": ping\n", FALSE, 1, 0 },               /* a comment line, no blank line */
    { "da", TRUE, 1, 0 },                      /* half a line */
    { "ta: {\"a\":1}\n", TRUE, 1, 0 },          /* a field, no blank line yet */
    { ": inside\n", TRUE, 1, 0 },              /* a comment inside an event */
    { "\r\n", FALSE, 2, 1 },
    { "event: ping\ndata: {}\n\ndata: x", TRUE, 3, 2 },
    { "\n\n", FALSE, 4, 3 },
    { "event: empty\n\n", FALSE, 5, 3 },       /* ended, nothing dispatched */
  };
  g_autoptr(ConfabSseParser) parser = confab_sse_parser_new ();
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (event_free);

  g_assert_false (confab_sse_parser_in_event (parser));
  g_assert_cmpuint (confab_sse_parser_get_n_ends (parser), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      confab_sse_parser_feed (parser, (const guint8 *) steps[i].bytes, strlen (steps[i].bytes),
                              collect_event, events);
      g_assert_cmpint (confab_sse_parser_in_event (parser), ==, steps[i].in_event);
      g_assert_cmpuint (confab_sse_parser_get_n_ends (parser), ==, steps[i].n_ends);
      g_assert_cmpuint (events->len, ==, steps[i].n_events);
    }
}

static void
collect_line (const char *line,
              gsize       len,
              gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strndup (line, len));
}

static void
test_ndjson_fixture (void)
{
  g_autoptr(GBytes) bytes = load_fixture ("ollama-chat.ndjson");
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autoptr(GPtrArray) whole = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(ConfabNdjsonReader) reader = confab_ndjson_reader_new ();

  confab_ndjson_reader_feed (reader, data, len, collect_line, whole);
  confab_ndjson_reader_finish (reader, collect_line, whole);
  g_assert_cmpuint (whole->len, >, 2);

  for (guint i = 0; i < whole->len; i++)
    {
      g_autoptr(JsonParser) json = json_parser_new ();
      g_autoptr(GError) error = NULL;

      json_parser_load_from_data (json, whole->pdata[i], -1, &error);
      g_assert_no_error (error);
    }

  for (gsize at = 0; at <= len; at++)
    {
      g_autoptr(ConfabNdjsonReader) r = confab_ndjson_reader_new ();
      g_autoptr(GPtrArray) split = g_ptr_array_new_with_free_func (g_free);

      confab_ndjson_reader_feed (r, data, at, collect_line, split);
      confab_ndjson_reader_feed (r, data + at, len - at, collect_line, split);
      confab_ndjson_reader_finish (r, collect_line, split);

      g_assert_cmpuint (split->len, ==, whole->len);
      for (guint i = 0; i < whole->len; i++)
        g_assert_cmpstr (split->pdata[i], ==, whole->pdata[i]);
    }
}

static void
test_ndjson_framing (void)
{
  static const char stream[] = "{\"a\":1}\r\n\n  \n{\"b\":2}\n{\"c\":3}";
  g_autoptr(ConfabNdjsonReader) reader = confab_ndjson_reader_new ();
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  confab_ndjson_reader_feed (reader, (const guint8 *) stream, sizeof stream - 1,
                             collect_line, lines);
  g_assert_cmpuint (lines->len, ==, 2);
  confab_ndjson_reader_finish (reader, collect_line, lines);
  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_cmpstr (lines->pdata[0], ==, "{\"a\":1}");
  g_assert_cmpstr (lines->pdata[1], ==, "{\"b\":2}");
  g_assert_cmpstr (lines->pdata[2], ==, "{\"c\":3}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/confab/sse/edge-cases", test_sse_edge_cases);
  g_test_add_func ("/confab/sse/fields", test_sse_fields);
  g_test_add_func ("/confab/sse/invalid-utf8", test_sse_invalid_utf8);
  g_test_add_func ("/confab/sse/provider-streams", test_sse_provider_streams);
  g_test_add_func ("/confab/sse/in-event", test_sse_in_event);
  g_test_add_func ("/confab/ndjson/fixture", test_ndjson_fixture);
  g_test_add_func ("/confab/ndjson/framing", test_ndjson_framing);

  return g_test_run ();
}
