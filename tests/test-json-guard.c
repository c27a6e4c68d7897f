/* test-json-guard.c: the checks untrusted JSON passes before JSON-GLib.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "confab-json-guard.h"

typedef struct
{
  const char     *text;
  gssize          length;
  guint           max_depth;
  ConfabJsonFault fault;
} Case;

static void
test_json_guard_cases (void)
{
  const Case cases[] = {
    /* Sound, or broken in ways JSON-GLib reports itself. */
    { "", -1, 4, CONFAB_JSON_FAULT_NONE },
    { " \t\r\n", -1, 4, CONFAB_JSON_FAULT_NONE },
    { "{}", -1, 4, CONFAB_JSON_FAULT_NONE },
    { "[1,[2,[3]]]\r\n", -1, 4, CONFAB_JSON_FAULT_NONE },
    { " {\"a\":\"}]{\\\"\"} \n", -1, 4, CONFAB_JSON_FAULT_NONE },
    { "\"x\"", -1, 4, CONFAB_JSON_FAULT_NONE },
    { "-4.5e3 ", -1, 4, CONFAB_JSON_FAULT_NONE },
    { "true", -1, 4, CONFAB_JSON_FAULT_NONE },
    { "{\"a\":", -1, 4, CONFAB_JSON_FAULT_NONE },
    { "\"abc", -1, 4, CONFAB_JSON_FAULT_NONE },
    { "\"ends in a backslash\\", -1, 4, CONFAB_JSON_FAULT_NONE },
    { "[[[[]]]]", -1, 4, CONFAB_JSON_FAULT_NONE },
    { "[\"[[[[[[\"]", -1, 1, CONFAB_JSON_FAULT_NONE },
    /* Only the first @length bytes count. */
    { "{}{}", 2, 4, CONFAB_JSON_FAULT_NONE },
    /* Too deep. */
    { "[[[[[]]]]]", -1, 4, CONFAB_JSON_FAULT_TOO_DEEP },
    { "{\"a\":{\"b\":[[", -1, 3, CONFAB_JSON_FAULT_TOO_DEEP },
    /* More than one value: JSON-GLib would keep the first, leak the rest. */
    { "{}{}", -1, 4, CONFAB_JSON_FAULT_TRAILING },
    { "[][]\n", -1, 4, CONFAB_JSON_FAULT_TRAILING },
    { "{\"type\":\"ping\"} {\"type\":\"ping\"}", -1, 4, CONFAB_JSON_FAULT_TRAILING },
    { "1 2", -1, 4, CONFAB_JSON_FAULT_TRAILING },
    { "\"a\"\"b\"", -1, 4, CONFAB_JSON_FAULT_TRAILING },
    { "[1] x", -1, 4, CONFAB_JSON_FAULT_TRAILING },
    { "null,", -1, 4, CONFAB_JSON_FAULT_TRAILING },
    { "{}}", -1, 4, CONFAB_JSON_FAULT_TRAILING },
    { "{}\0{}", 5, 4, CONFAB_JSON_FAULT_TRAILING },
    /* A high surrogate, then an escape that is no low one: JSON-GLib would
     * fail and leak the string read so far. */
    { "{\"a\":\"abc\\ud800\\u0041\"}", -1, 4, CONFAB_JSON_FAULT_BAD_SURROGATE },
    { "[\"\\uD800\\uD800\"]", -1, 4, CONFAB_JSON_FAULT_BAD_SURROGATE },
    { "{\"\\udbff\\uzzzz\":1}", -1, 4, CONFAB_JSON_FAULT_BAD_SURROGATE },
    { "\"\\ud800\\u12\"", -1, 4, CONFAB_JSON_FAULT_BAD_SURROGATE },
    { "[\"\\udc00\\udc00\"]", -1, 4, CONFAB_JSON_FAULT_BAD_SURROGATE },
    { "[\"\\ud800\\u\"]", -1, 4, CONFAB_JSON_FAULT_BAD_SURROGATE },
    /* JSON-GLib reads "\ud8:" as U+D800 and takes the quote after
     * "\ud8" as part of the escape (found by fuzz-dispatch). */
    { "[\"\\ud8:\\ud8:\"]", -1, 4, CONFAB_JSON_FAULT_BAD_SURROGATE },
    { "[\"\\ud8\"\\u0041\"]", -1, 4, CONFAB_JSON_FAULT_BAD_SURROGATE },
    { "[\"\\u\\ud800\\u0041\"]", -1, 4, CONFAB_JSON_FAULT_BAD_SURROGATE },
    /* Comments and single-quoted strings, which JSON-GLib reads each
     * version its own way: 1.6 reads the first as two arrays ("/" to "/"
     * is a comment) and leaks the second (found by fuzz-import). A quote
     * or a bracket in one could hide a bad escape or a second value. */
    { "[/*/][]", -1, 4, CONFAB_JSON_FAULT_NOT_JSON },
    { "[/[[][**/] []]\n", -1, 4, CONFAB_JSON_FAULT_NOT_JSON },
    { "[\"a\" /* \" */, \"\\ud800\\u0041\"]", -1, 4, CONFAB_JSON_FAULT_NOT_JSON },
    { "['a\"b', \"\\ud800\\u0041\"]", -1, 4, CONFAB_JSON_FAULT_NOT_JSON },
    { "[/**/\"\\ud800\\u0041\"]", -1, 4, CONFAB_JSON_FAULT_NOT_JSON },
    { "{\"a\":1 // note\n}", -1, 4, CONFAB_JSON_FAULT_NOT_JSON },
    { "'single'", -1, 4, CONFAB_JSON_FAULT_NOT_JSON },
    { "1/x/2", -1, 4, CONFAB_JSON_FAULT_NOT_JSON },
    { "[1 /* unterminated \"\\ud800\\u0041", -1, 4, CONFAB_JSON_FAULT_NOT_JSON },
    /* Inside a string, both are text. */
    { "[\"a/*b*/c\", \"it's\", \"//\"]", -1, 4, CONFAB_JSON_FAULT_NONE },
    /* A valid pair, and lone halves JSON-GLib reads without leaking. */
    { "[\"\\ud83d\\ude00\", \"\\uDBFF\\uDFFF\"]", -1, 4, CONFAB_JSON_FAULT_NONE },
    { "[\"\\ud800x\", \"\\udc00\", \"\\ud800\\n\", \"\\ud800\"]", -1, 4,
      CONFAB_JSON_FAULT_NONE },
    { "\"\\ud800\\", -1, 4, CONFAB_JSON_FAULT_NONE },
    { "[\"\\udbff\\udfff\", \"\\ud8\\u0041\"]", -1, 4, CONFAB_JSON_FAULT_NONE },
    { "\"\\u", -1, 4, CONFAB_JSON_FAULT_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %s", i, cases[i].text);
      g_assert_cmpint (confab_json_check (cases[i].text, cases[i].length, cases[i].max_depth),
                       ==, cases[i].fault);

      /* What passes, JSON-GLib reads without leaking (LeakSanitizer, in
       * the ASan build, would fail this test), whether or not it is JSON. */
      if (cases[i].fault == CONFAB_JSON_FAULT_NONE)
        {
          g_autoptr(JsonParser) parser = json_parser_new_immutable ();

          json_parser_load_from_data (parser, cases[i].text, cases[i].length, NULL);
        }
    }
}

/* What passes parses into exactly the value the bytes hold: JSON-GLib
 * never gets to see a second one. */
static void
test_json_guard_passes_whole_values (void)
{
  const char *values[] = {
    "{\"a\":[1,2,{\"b\":\"]}\"}]}", "[]", "\"text\"", "12", "null",
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *again = NULL;
      g_autofree char *doubled = g_strconcat (values[i], " ", values[i], NULL);

      g_assert_cmpint (confab_json_check (values[i], -1, CONFAB_JSON_MAX_DEPTH), ==,
                       CONFAB_JSON_FAULT_NONE);
      node = json_from_string (values[i], &error);
      g_assert_no_error (error);
      again = json_to_string (node, FALSE);
      g_assert_cmpstr (again, ==, values[i]);

      g_assert_cmpint (confab_json_check (doubled, -1, CONFAB_JSON_MAX_DEPTH), ==,
                       CONFAB_JSON_FAULT_TRAILING);
    }
}

/* Random arrays of strings made of the pieces that matter to escapes,
 * with now and then a 'single-quoted' string or a comment: whatever
 * passes, JSON-GLib reads without leaking. The property only fails under
 * LeakSanitizer (the ASan build runs it), which names the parse; rerun
 * with the seed the log prints. */
static void
test_json_guard_random_escapes (void)
{
  static const char * const pieces[] = {
    "\\u", "\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\ud8", "\\uD83D", "\\uDE00",
    "\\u0041", "\\u12", "\\", "\"", "'", "*/", "u", "d8", ":", "]", "x", "\\n",
  };
  static const char * const quotes[][2] = { { "\"", "\"" }, { "'", "'" }, { "/*", "*/" } };
  guint n_passed = 0, n_refused = 0;

  for (guint round = 0; round < 50000; round++)
    {
      g_autoptr(GString) text = g_string_new ("[");
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      guint n_elements = g_test_rand_int_range (1, 5);

      for (guint e = 0; e < n_elements; e++)
        {
          /* Mostly JSON strings; now and then what the guard refuses. */
          guint r = g_test_rand_int_range (0, 16);
          guint q = r < G_N_ELEMENTS (quotes) ? r : 0;
          guint n_pieces = g_test_rand_int_range (0, 4);

          if (e > 0 && q != 2)
            g_string_append (text, ", ");
          g_string_append (text, quotes[q][0]);
          for (guint i = 0; i < n_pieces; i++)
            g_string_append (text, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
          g_string_append (text, quotes[q][1]);
        }
      g_string_append (text, "]");
      /* Cut short, now and then. */
      if (g_test_rand_int_range (0, 4) == 0)
        g_string_truncate (text, g_test_rand_int_range (1, text->len + 1));

      if (confab_json_check (text->str, text->len, CONFAB_JSON_MAX_DEPTH) != CONFAB_JSON_FAULT_NONE)
        {
          n_refused++;
          continue;
        }
      n_passed++;
      json_parser_load_from_data (parser, text->str, text->len, NULL);
    }
  g_test_message ("%u passed, %u refused", n_passed, n_refused);
  g_assert_cmpuint (n_refused, >, 1000);
  g_assert_cmpuint (n_passed, >, n_refused);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-guard/cases", test_json_guard_cases);
  g_test_add_func ("/json-guard/passes-whole-values", test_json_guard_passes_whole_values);
  g_test_add_func ("/json-guard/random-escapes", test_json_guard_random_escapes);

  return g_test_run ();
}
