/* test-cli.c: confab-cli end to end, as a script would run it, against
 * the in-process fake provider (so every request it sends is recorded):
 * streaming, switching models inside one chat, models, chats, show, exit
 * codes, Ctrl+C, keys in a real keyring (under run-with-keyring.sh),
 * --data-dir and both --base-url forms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <signal.h>
#include <string.h>

#include "confab-fake-provider.h"
#include "confab-provider-private.h"
#include "confab-test-cli.h"
#include "confab-test-utils.h"

#define GPT "openai:gpt-4o-mini"
#define CLAUDE "anthropic:claude-sonnet-4-5"
#define GEMINI "gemini:gemini-2.5-flash"

typedef ConfabTestCliFixture Fixture;
#define fixture_set_up confab_test_cli_fixture_set_up
#define fixture_tear_down confab_test_cli_fixture_tear_down

/* ------------------------------------------------------------------------ */
/* Running the program while the fake provider serves it. */

typedef ConfabTestCliRun Run;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, confab_test_cli_run_clear)
#define line_at confab_test_cli_line_at

static GSubprocess *
spawn_cli (Fixture            *fixture,
           const char * const *env,     /* "NAME=VALUE" or "-NAME" to unset */
           const char * const *args)
{
  return confab_test_cli_spawn (fixture->cli, env, args);
}

static void
run_cli (Fixture            *fixture,
         const char         *input,
         const char * const *env,
         const char * const *args,
         Run                *run)
{
  confab_test_cli_exec (fixture->cli, input, env, args, run);
}

/* Exactly one line on stderr, in the agreed form. */
#define assert_one_error_line(run) confab_test_cli_assert_one_error_line ((run), NULL)

static const char *
event_of (GPtrArray *lines,
          guint      index)
{
  return json_object_get_string_member (line_at (lines, index), "event");
}

#define ARGS(...) ((const char * const[]) { __VA_ARGS__, NULL })
#define ENV(...) ((const char * const[]) { __VA_ARGS__, NULL })

/* ------------------------------------------------------------------------ */

static void
test_help (Fixture       *fixture,
           gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) bare = { 0 };

  run_cli (fixture, NULL, NULL, ARGS ("--help"), &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  for (const char * const *word = ARGS ("models", "keys set PROVIDER", "keys delete PROVIDER",
                                        "chat [--new | --chat ID] -m MODEL", "--thread MSG_ID",
                                        "chats", "show CHAT_ID", "--json", "--data-dir DIR",
                                        "--base-url URL", "--base-url PROVIDER=URL",
                                        "OPENAI_API_KEY", "OLLAMA_HOST", "Exit status");
       *word != NULL; word++)
    if (strstr (run.out, *word) == NULL)
      g_error ("--help does not mention “%s”", *word);

  run_cli (fixture, NULL, NULL, ARGS ("--version"), &bare);
  g_assert_cmpint (bare.status, ==, 0);
  g_assert_true (g_str_has_prefix (bare.out, "confab-cli "));
}

static void
test_usage_errors (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const *cases[] = {
    (const char * const[]) { NULL },
    (const char * const[]) { "frobnicate", NULL },
    (const char * const[]) { "chat", "hello", NULL },
    (const char * const[]) { "chat", "-m", "gpt-4o", "hello", NULL },
    (const char * const[]) { "chat", "-m", "nosuch:model", "hello", NULL },
    (const char * const[]) { "chat", "-m", GPT, NULL },
    (const char * const[]) { "chat", "--new", "--chat", "1", "-m", GPT, "hi", NULL },
    (const char * const[]) { "chat", "--chat", "x", "-m", GPT, "hi", NULL },
    (const char * const[]) { "chats", "-m", GPT, NULL },
    (const char * const[]) { "show", NULL },
    (const char * const[]) { "show", "abc", NULL },
    (const char * const[]) { "show", "999", NULL },
    (const char * const[]) { "keys", "set", NULL },
    (const char * const[]) { "keys", "set", "nosuch", NULL },
    (const char * const[]) { "keys", "set", "ollama", NULL },
    (const char * const[]) { "models", "extra", NULL },
    (const char * const[]) { "--no-such-option", "chats", NULL },
    (const char * const[]) { "chats", "--base-url", "nosuch=http://x", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_auto(Run) run = { 0 };

      g_ptr_array_add (args, "--data-dir");
      g_ptr_array_add (args, fixture->dir);
      for (guint j = 0; cases[i][j] != NULL; j++)
        g_ptr_array_add (args, (gpointer) cases[i][j]);
      g_ptr_array_add (args, NULL);

      run_cli (fixture, "", ENV ("OPENAI_API_KEY=test-key"),
               (const char * const *) args->pdata, &run);
      if (run.status != 1)
        g_error ("case %u: exit %d, stderr %s", i, run.status, run.err);
      g_assert_cmpstr (run.out, ==, "");
      assert_one_error_line (&run);
    }

  /* Nothing above reached a provider. */
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 0);
}

static gint64
chat_id_of (JsonObject *object)
{
  const char *text = json_object_get_string_member (object, "chat_id");
  guint64 id = 0;

  g_assert_nonnull (text);
  g_assert_true (g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &id, NULL));
  return (gint64) id;
}

/* "role:text|…" of a recorded request's messages or contents. */
static char *
describe_request (Fixture    *fixture,
                  guint       index,
                  const char *route)
{
  const ConfabFakeRequest *request = confab_fake_provider_get_request (fixture->fake, index);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  JsonObject *body;
  JsonArray *array;

  g_assert_cmpstr (request->route, ==, route);
  root = _confab_json_parse (g_bytes_get_data (request->body, NULL),
                             g_bytes_get_size (request->body), NULL);
  body = json_node_get_object (root);
  array = json_object_has_member (body, "contents")
    ? json_object_get_array_member (body, "contents")
    : json_object_get_array_member (body, "messages");

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      const char *text;
      g_auto(GStrv) lines = NULL;
      g_autofree char *joined = NULL;

      if (json_object_has_member (object, "parts"))
        text = json_object_get_string_member (
                 json_array_get_object_element (json_object_get_array_member (object, "parts"),
                                                0),
                 "text");
      else
        text = json_object_get_string_member (object, "content");

      lines = g_strsplit (text, "\n", -1);
      joined = g_strjoinv ("\\n", lines);
      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append_printf (out, "%s:%s", json_object_get_string_member (object, "role"),
                              joined);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_chat_switch_models (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *url = confab_fake_provider_get_url (fixture->fake);
  g_autofree char *anthropic_url = g_strconcat ("anthropic=", url, "/v1", NULL);
  g_autofree char *gemini_env = g_strconcat ("GEMINI_BASE_URL=", url, NULL);
  g_autofree char *chat_arg = NULL;
  g_autofree char *shape = NULL;
  g_autofree char *expected_line = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GString) deltas = g_string_new (NULL);
  g_auto(Run) first = { 0 };
  g_auto(Run) second = { 0 };
  g_auto(Run) third = { 0 };
  g_auto(Run) listed = { 0 };
  g_auto(Run) shown = { 0 };
  g_auto(Run) plain_show = { 0 };
  g_auto(Run) threaded = { 0 };
  JsonObject *done;
  gint64 chat_id;
  g_autofree char *thread_parent = NULL;

  /* 1. A new chat with OpenAI: the reply streams as plain text. Global
   * options after the prompt, --base-url for every provider. */
  run_cli (fixture, NULL, ENV ("OPENAI_API_KEY=test-key"),
           ARGS ("chat", "--new", "-m", GPT, "Hello there", "--data-dir", fixture->dir,
                 "--base-url", url), &first);
  g_assert_cmpint (first.status, ==, 0);
  g_assert_cmpstr (first.out, ==, "Echo from gpt-4o-mini: Hello there\n");
  g_assert_cmpstr (first.err, ==, "");

  /* The chat's id, from chats --json. */
  run_cli (fixture, NULL, NULL, ARGS ("--json", "chats", "--data-dir", fixture->dir), &listed);
  g_assert_cmpint (listed.status, ==, 0);
  lines = confab_test_cli_parse_lines (listed.out);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_cmpstr (event_of (lines, 0), ==, "chat");
  chat_id = chat_id_of (line_at (lines, 0));
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "project"), ==, "Personal");
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "title"), ==,
                   "Hello there");
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "model"), ==, GPT);
  g_clear_pointer (&lines, g_ptr_array_unref);
  chat_arg = g_strdup_printf ("%" G_GINT64_FORMAT, chat_id);

  /* 2. Same chat, Anthropic, --json, --base-url PROVIDER=URL with /v1. */
  run_cli (fixture, NULL, ENV ("ANTHROPIC_API_KEY=test-key"),
           ARGS ("--json", "--data-dir", fixture->dir, "chat", "--chat", chat_arg,
                 "-m", CLAUDE, "--base-url", anthropic_url, "Second", "question"), &second);
  g_assert_cmpint (second.status, ==, 0);
  g_assert_cmpstr (second.err, ==, "");
  lines = confab_test_cli_parse_lines (second.out);
  g_assert_cmpuint (lines->len, >=, 3);
  g_assert_cmpstr (event_of (lines, 0), ==, "chat");
  g_assert_cmpint (chat_id_of (line_at (lines, 0)), ==, chat_id);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "model"), ==, CLAUDE);
  for (guint i = 1; i < lines->len - 1; i++)
    {
      g_assert_cmpstr (event_of (lines, i), ==, "delta");
      g_string_append (deltas, json_object_get_string_member (line_at (lines, i), "text"));
    }
  g_assert_cmpstr (deltas->str, ==, "Echo from claude-sonnet-4-5: Second question");
  done = line_at (lines, lines->len - 1);
  g_assert_cmpstr (json_object_get_string_member (done, "event"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (done, "stop_reason"), ==, "stop");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (done, "usage"),
                                               "output_tokens"), >, 0);
  g_clear_pointer (&lines, g_ptr_array_unref);

  /* 3. Same chat, Gemini, its base URL from the environment. */
  run_cli (fixture, NULL, ENV ("GEMINI_API_KEY=test-key", gemini_env),
           ARGS ("chat", "-m", GEMINI, "--chat", chat_arg, "--data-dir", fixture->dir,
                 "Third"), &third);
  g_assert_cmpint (third.status, ==, 0);
  g_assert_cmpstr (third.out, ==, "Echo from gemini-2.5-flash: Third\n");

  /* Each request carried the whole history, attributed, in its wire. */
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 3);
  shape = describe_request (fixture, 1, "anthropic");
  g_assert_cmpstr (shape, ==,
                   "user:Hello there|"
                   "assistant:[Reply from " GPT "]\\nEcho from gpt-4o-mini: Hello there|"
                   "user:Second question");
  g_clear_pointer (&shape, g_free);
  shape = describe_request (fixture, 2, "gemini");
  g_assert_cmpstr (shape, ==,
                   "user:Hello there|"
                   "model:[Reply from " GPT "]\\nEcho from gpt-4o-mini: Hello there|"
                   "user:Second question|"
                   "model:[Reply from " CLAUDE "]\\nEcho from claude-sonnet-4-5: Second question|"
                   "user:Third");

  /* show --json: the chat, then every message of the line, oldest first. */
  run_cli (fixture, NULL, NULL, ARGS ("show", chat_arg, "--json", "--data-dir", fixture->dir),
           &shown);
  g_assert_cmpint (shown.status, ==, 0);
  lines = confab_test_cli_parse_lines (shown.out);
  g_assert_cmpuint (lines->len, ==, 7);
  g_assert_cmpstr (event_of (lines, 0), ==, "chat");
  g_assert_cmpint (chat_id_of (line_at (lines, 0)), ==, chat_id);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "title"), ==,
                   "Hello there");
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "project"), ==,
                   "Personal");
  {
    static const char * const models[] = { NULL, GPT, NULL, CLAUDE, NULL, GEMINI };
    static const char * const texts[] = {
      "Hello there", "Echo from gpt-4o-mini: Hello there", "Second question",
      "Echo from claude-sonnet-4-5: Second question", "Third",
      "Echo from gemini-2.5-flash: Third",
    };
    gint64 previous_id = 0;
    gint64 now = g_get_real_time () / G_USEC_PER_SEC;

    for (guint i = 0; i < 6; i++)
      {
        JsonObject *message = line_at (lines, i + 1);
        gint64 id = g_ascii_strtoll (json_object_get_string_member (message, "id"), NULL, 10);
        gint64 created = json_object_get_int_member (message, "created");

        g_assert_cmpstr (json_object_get_string_member (message, "event"), ==, "message");
        g_assert_cmpint (id, >, previous_id);
        previous_id = id;
        g_assert_cmpstr (json_object_get_string_member (message, "role"), ==,
                         i % 2 == 0 ? "user" : "assistant");
        if (models[i] == NULL)
          g_assert_true (json_object_get_null_member (message, "model"));
        else
          g_assert_cmpstr (json_object_get_string_member (message, "model"), ==, models[i]);
        g_assert_cmpstr (json_object_get_string_member (message, "status"), ==, "complete");
        g_assert_cmpint (created, >, now - 600);
        g_assert_cmpint (created, <=, now + 1);
        g_assert_cmpstr (json_object_get_string_member (message, "text"), ==, texts[i]);
      }
    thread_parent = g_strdup (json_object_get_string_member (line_at (lines, 2), "id"));
  }

  /* Plain show and chats. */
  run_cli (fixture, NULL, NULL, ARGS ("show", "--data-dir", fixture->dir, chat_arg),
           &plain_show);
  g_assert_cmpint (plain_show.status, ==, 0);
  g_assert_nonnull (strstr (plain_show.out, " " CLAUDE " ==\nEcho from claude-sonnet-4-5: "));

  run_cli (fixture, NULL, NULL, ARGS ("chats", "--data-dir", fixture->dir), &listed);
  expected_line = g_strdup_printf ("%s\tPersonal\tHello there\t%s\n", chat_arg, GEMINI);
  g_assert_cmpstr (listed.out, ==, expected_line);

  /* A thread on the first answer: the chat is found from the message. */
  run_cli (fixture, NULL, ENV ("OPENAI_API_KEY=test-key"),
           ARGS ("chat", "--json", "--thread", thread_parent, "-m", GPT, "--base-url", url,
                 "--data-dir", fixture->dir, "In the thread"), &threaded);
  g_assert_cmpint (threaded.status, ==, 0);
  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = confab_test_cli_parse_lines (threaded.out);
  g_assert_cmpint (chat_id_of (line_at (lines, 0)), ==, chat_id);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "thread"), ==,
                   thread_parent);
  g_clear_pointer (&shape, g_free);
  shape = describe_request (fixture, 3, "openai");
  g_assert_cmpstr (shape, ==,
                   "user:Hello there|assistant:Echo from gpt-4o-mini: Hello there|"
                   "user:In the thread");
}

static void
test_models (Fixture       *fixture,
             gconstpointer  data)
{
  const char *url = confab_fake_provider_get_url (fixture->fake);
  g_autofree char *openai_env = g_strconcat ("OPENAI_BASE_URL=", url, NULL);
  g_autofree char *gemini_url = g_strconcat ("gemini=", url, NULL);
  g_autofree char *ollama_url = g_strconcat ("ollama=", url, NULL);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(Run) run = { 0 };
  g_auto(Run) failing = { 0 };
  g_auto(Run) none = { 0 };
  JsonArray *providers;

  run_cli (fixture, NULL, ENV ("OPENAI_API_KEY=test-key", "GEMINI_API_KEY=test-key", openai_env),
           ARGS ("models", "--json", "--base-url", gemini_url, "--base-url", ollama_url,
                 "--data-dir", fixture->dir), &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  lines = confab_test_cli_parse_lines (run.out);
  g_assert_cmpstr (event_of (lines, 0), ==, "models");
  providers = json_object_get_array_member (line_at (lines, 0), "providers");
  g_assert_cmpuint (json_array_get_length (providers), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (providers, 0), ==, "openai");
  g_assert_cmpstr (json_array_get_string_element (providers, 1), ==, "gemini");
  g_assert_cmpstr (json_array_get_string_element (providers, 2), ==, "ollama");

  for (guint i = 1; i < lines->len; i++)
    {
      JsonObject *model = line_at (lines, i);

      g_assert_cmpstr (json_object_get_string_member (model, "event"), ==, "model");
      g_hash_table_add (seen, (gpointer) json_object_get_string_member (model, "id"));
      if (g_str_equal (json_object_get_string_member (model, "id"), GPT))
        g_assert_cmpint (json_object_get_int_member (model, "context_window"), ==, 128000);
      if (g_str_equal (json_object_get_string_member (model, "id"), GEMINI))
        {
          g_assert_cmpint (json_object_get_int_member (model, "context_window"), ==, 1048576);
          g_assert_cmpstr (json_object_get_string_member (model, "provider"), ==, "gemini");
          g_assert_cmpstr (json_object_get_string_member (model, "model"), ==,
                           "gemini-2.5-flash");
        }
    }
  g_assert_true (g_hash_table_contains (seen, GPT));
  g_assert_true (g_hash_table_contains (seen, GEMINI));
  g_assert_true (g_hash_table_contains (seen, "ollama:llama3.2:latest"));

  /* One provider unreachable: the others still list, the failure is one
   * line, and the exit code says network. */
  run_cli (fixture, NULL, ENV ("OPENAI_API_KEY=test-key", "GEMINI_API_KEY=test-key"),
           ARGS ("models", "--base-url", gemini_url, "--base-url", "openai=http://127.0.0.1:1",
                 "--data-dir", fixture->dir), &failing);
  g_assert_cmpint (failing.status, ==, 3);
  assert_one_error_line (&failing);
  g_assert_nonnull (strstr (failing.err, "openai"));
  g_assert_nonnull (strstr (failing.out, GEMINI "\tgemini-2.5-flash\t1048576\n"));

  /* Nothing configured at all. */
  run_cli (fixture, NULL, ENV ("-DBUS_SESSION_BUS_ADDRESS"),
           ARGS ("models", "--data-dir", fixture->dir), &none);
  g_assert_cmpint (none.status, ==, 2);
  assert_one_error_line (&none);
}

static void
test_exit_codes (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char * const tokens[] = { "Partial", " answer", " that", " breaks", NULL };
  const char *url = confab_fake_provider_get_url (fixture->fake);
  g_autoptr(ConfabFakeScript) unauthorized = confab_fake_script_new ();
  g_autoptr(ConfabFakeScript) dropped = confab_fake_script_new ();
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *chat_arg = NULL;
  g_auto(Run) auth = { 0 };
  g_auto(Run) cut = { 0 };
  g_auto(Run) shown = { 0 };
  g_auto(Run) no_key = { 0 };
  g_auto(Run) listed = { 0 };
  JsonObject *error_event;
  JsonObject *reply;

  /* 401 → 2, with a JSON error event. */
  confab_fake_script_set_http_error (unauthorized, 401,
                                     "{\"error\":{\"message\":\"Incorrect API key provided\","
                                     "\"type\":\"invalid_request_error\","
                                     "\"code\":\"invalid_api_key\"}}", NULL);
  confab_fake_provider_push_script (fixture->fake, unauthorized);
  run_cli (fixture, NULL, ENV ("OPENAI_API_KEY=wrong"),
           ARGS ("chat", "--json", "-m", GPT, "--base-url", url, "--data-dir", fixture->dir,
                 "Hi"), &auth);
  g_assert_cmpint (auth.status, ==, 2);
  assert_one_error_line (&auth);
  lines = confab_test_cli_parse_lines (auth.out);
  g_assert_cmpstr (event_of (lines, 0), ==, "chat");
  chat_arg = g_strdup (json_object_get_string_member (line_at (lines, 0), "chat_id"));
  error_event = line_at (lines, lines->len - 1);
  g_assert_cmpstr (json_object_get_string_member (error_event, "event"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (error_event, "kind"), ==, "auth");
  g_assert_cmpstr (json_object_get_string_member (error_event, "status"), ==, "error");
  g_clear_pointer (&lines, g_ptr_array_unref);

  /* Dropped mid-reply → 3; the partial text was shown and is kept. */
  confab_fake_script_set_tokens (dropped, tokens);
  confab_fake_script_set_drop_after (dropped, 2);
  confab_fake_provider_push_script (fixture->fake, dropped);
  run_cli (fixture, NULL, ENV ("OPENAI_API_KEY=test-key"),
           ARGS ("chat", "--chat", chat_arg, "-m", GPT, "--base-url", url,
                 "--data-dir", fixture->dir, "Again"), &cut);
  g_assert_cmpint (cut.status, ==, 3);
  g_assert_cmpstr (cut.out, ==, "Partial answer\n");
  assert_one_error_line (&cut);

  run_cli (fixture, NULL, NULL,
           ARGS ("show", chat_arg, "--json", "--data-dir", fixture->dir), &shown);
  lines = confab_test_cli_parse_lines (shown.out);
  g_assert_cmpuint (lines->len, ==, 5);
  reply = line_at (lines, 2);
  g_assert_cmpstr (json_object_get_string_member (reply, "status"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (reply, "text"), ==, "");
  reply = line_at (lines, 3);
  g_assert_cmpstr (json_object_get_string_member (reply, "text"), ==, "Again");
  reply = line_at (lines, 4);
  g_assert_cmpstr (json_object_get_string_member (reply, "status"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (reply, "text"), ==, "Partial answer");
  g_assert_nonnull (json_object_get_string_member (reply, "error"));

  /* No key anywhere (and no keyring) → 2, and nothing is stored. */
  run_cli (fixture, NULL, ENV ("-DBUS_SESSION_BUS_ADDRESS"),
           ARGS ("chat", "-m", CLAUDE, "--base-url", url, "--data-dir", fixture->dir,
                 "Hello?"), &no_key);
  g_assert_cmpint (no_key.status, ==, 2);
  assert_one_error_line (&no_key);
  g_assert_nonnull (strstr (no_key.err, "ANTHROPIC_API_KEY"));
  run_cli (fixture, NULL, NULL, ARGS ("chats", "--data-dir", fixture->dir), &listed);
  g_assert_nonnull (strchr (listed.out, '\n'));
  g_assert_cmpstr (strchr (listed.out, '\n') + 1, ==, "");   /* still the one chat */
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 2);
}

static gboolean
on_poll (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

static void
spin_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_poll, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_sigint (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const tokens[] = { "One", " two", " three", " four", " five", " six",
                                         " seven", " eight", " nine", " ten", NULL };
  const char *url = confab_fake_provider_get_url (fixture->fake);
  g_autoptr(ConfabFakeScript) slow = confab_fake_script_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) shown = { 0 };
  JsonObject *reply;
  guint waited = 0;

  confab_fake_script_set_tokens (slow, tokens);
  confab_fake_script_set_delay (slow, 150);
  confab_fake_provider_push_script (fixture->fake, slow);

  process = spawn_cli (fixture, ENV ("OPENAI_API_KEY=test-key"),
                       ARGS ("chat", "-m", GPT, "--base-url", url, "--data-dir", fixture->dir,
                             "Count slowly"));
  /* Wait for the stream, then for a few words of it. */
  while (confab_fake_provider_get_n_requests (fixture->fake) == 0 && waited++ < 500)
    spin_ms (10);
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 1);
  spin_ms (500);
  g_subprocess_send_signal (process, SIGINT);
  confab_test_cli_finish (process, NULL, &run);

  g_assert_cmpint (run.status, ==, 130);
  assert_one_error_line (&run);
  g_assert_true (g_str_has_prefix (run.out, "One two"));
  g_assert_true (g_str_has_suffix (run.out, "\n"));

  run_cli (fixture, NULL, NULL, ARGS ("show", "1", "--json", "--data-dir", fixture->dir),
           &shown);
  lines = confab_test_cli_parse_lines (shown.out);
  g_assert_cmpuint (lines->len, ==, 3);
  reply = line_at (lines, 2);
  g_assert_cmpstr (json_object_get_string_member (reply, "status"), ==, "cancelled");
  /* What was shown is what was kept. */
  {
    g_autofree char *shown_text = g_strndup (run.out, strlen (run.out) - 1);
    g_assert_cmpstr (json_object_get_string_member (reply, "text"), ==, shown_text);
  }
}

static void
test_keys (Fixture       *fixture,
           gconstpointer  data)
{
  const char *url = confab_fake_provider_get_url (fixture->fake);
  const ConfabFakeRequest *request;
  g_auto(Run) set = { 0 };
  g_auto(Run) chat = { 0 };
  g_auto(Run) deleted = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) after = { 0 };
  g_auto(Run) env_wins = { 0 };

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no D-Bus session: run through tests/run-with-keyring.sh");
      return;
    }

  run_cli (fixture, "sk-from-keyring\n", NULL, ARGS ("keys", "set", "openai"), &set);
  g_assert_cmpint (set.status, ==, 0);
  g_assert_cmpstr (set.err, ==, "");

  /* No variable: the keyring's key is sent. */
  run_cli (fixture, NULL, NULL,
           ARGS ("chat", "-m", GPT, "--base-url", url, "--data-dir", fixture->dir, "Key?"),
           &chat);
  g_assert_cmpint (chat.status, ==, 0);
  request = confab_fake_provider_get_request (fixture->fake, 0);
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "Authorization"), ==,
                   "Bearer sk-from-keyring");

  /* The variable wins over the keyring. */
  run_cli (fixture, NULL, ENV ("OPENAI_API_KEY=from-env"),
           ARGS ("chat", "-m", GPT, "--base-url", url, "--data-dir", fixture->dir, "Key?"),
           &env_wins);
  g_assert_cmpint (env_wins.status, ==, 0);
  request = confab_fake_provider_get_request (fixture->fake, 1);
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "Authorization"), ==,
                   "Bearer from-env");

  run_cli (fixture, NULL, NULL, ARGS ("--json", "keys", "delete", "openai"), &deleted);
  g_assert_cmpint (deleted.status, ==, 0);
  g_assert_cmpstr (deleted.out, ==,
                   "{\"event\":\"key\",\"provider\":\"openai\",\"deleted\":true}\n");
  run_cli (fixture, NULL, NULL, ARGS ("keys", "delete", "openai"), &again);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_nonnull (strstr (again.out, "no API key"));

  run_cli (fixture, NULL, NULL,
           ARGS ("chat", "-m", GPT, "--base-url", url, "--data-dir", fixture->dir, "Key?"),
           &after);
  g_assert_cmpint (after.status, ==, 2);
  assert_one_error_line (&after);
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 2);
}

/* Whether @key appears in the file at @path (a missing file has none). */
static gboolean
file_contains (const char *path,
               const char *key)
{
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  return g_strstr_len (contents, length, key) != NULL;
}

/* Every file under @dir, recursively. */
static void
list_files (const char *dir,
            GPtrArray  *files)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        list_files (path, files);
      else
        g_ptr_array_add (files, g_steal_pointer (&path));
    }
}

/* docs/security.md: an API key never shows in the debug log (everything
 * GLib, libsoup and Confab print with G_MESSAGES_DEBUG=all), whether the
 * reply works or the provider refuses the key, nor in the store, nor in an
 * export. */
static void
test_keys_never_leak (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char key[] = "sk-LEAKCHECK-7d41c9e0b2a8";
  static const char env_key[] = "sk-ENVLEAKCHECK-3f9a11c6";
  const char *url = confab_fake_provider_get_url (fixture->fake);
  g_autofree char *export_path = g_build_filename (fixture->dir, "export.json", NULL);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *chat_arg = NULL;
  g_auto(Run) set = { 0 };
  g_auto(Run) chat = { 0 };
  g_auto(Run) refused = { 0 };
  g_auto(Run) from_env = { 0 };
  g_auto(Run) listed = { 0 };
  g_auto(Run) exported = { 0 };
  const Run *runs[] = { &set, &chat, &refused, &from_env, &listed, &exported };
  const char * const debug_env[] = { "G_MESSAGES_DEBUG=all", NULL };
  const char * const debug_env_key[] = { "G_MESSAGES_DEBUG=all", "OPENAI_API_KEY=sk-ENVLEAKCHECK-3f9a11c6", NULL };

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no D-Bus session: run through tests/run-with-keyring.sh");
      return;
    }

  g_assert_cmpstr (env_key, ==, debug_env_key[1] + strlen ("OPENAI_API_KEY="));
  run_cli (fixture, "sk-LEAKCHECK-7d41c9e0b2a8\n", debug_env, ARGS ("keys", "set", "openai"),
           &set);
  g_assert_cmpint (set.status, ==, 0);

  run_cli (fixture, NULL, debug_env,
           ARGS ("chat", "-m", GPT, "--base-url", url, "--data-dir", fixture->dir, "Hello"),
           &chat);
  g_assert_cmpint (chat.status, ==, 0);
  /* The log is on (GLib prints debug lines on stdout): the test would
   * prove nothing if it printed nothing. */
  g_assert_nonnull (strstr (chat.out, "-DEBUG: "));

  confab_fake_provider_set_model_failure (fixture->fake, "gpt-4o-mini", 401, 1);
  run_cli (fixture, NULL, debug_env,
           ARGS ("chat", "-m", GPT, "--base-url", url, "--data-dir", fixture->dir, "Again"),
           &refused);
  g_assert_cmpint (refused.status, !=, 0);

  run_cli (fixture, NULL, debug_env_key,
           ARGS ("chat", "-m", GPT, "--base-url", url, "--data-dir", fixture->dir, "Env"),
           &from_env);
  g_assert_cmpint (from_env.status, ==, 0);

  /* Without the log: its lines would share stdout with the JSON. */
  run_cli (fixture, NULL, NULL, ARGS ("--json", "chats", "--data-dir", fixture->dir), &listed);
  lines = confab_test_cli_parse_lines (listed.out);
  g_assert_cmpuint (lines->len, >=, 1);
  chat_arg = g_strdup_printf ("%" G_GINT64_FORMAT, chat_id_of (line_at (lines, 0)));
  run_cli (fixture, NULL, debug_env,
           ARGS ("export", chat_arg, "--format", "json", "-o", export_path, "--data-dir",
                 fixture->dir), &exported);
  g_assert_cmpint (exported.status, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_assert_null (strstr (runs[i]->out, key));
      g_assert_null (strstr (runs[i]->err, key));
      g_assert_null (strstr (runs[i]->out, env_key));
      g_assert_null (strstr (runs[i]->err, env_key));
    }

  /* The store (with its WAL), the export, anything else written there. */
  list_files (fixture->dir, files);
  g_assert_cmpuint (files->len, >=, 2);
  for (guint i = 0; i < files->len; i++)
    {
      g_test_message ("checked %s", (char *) g_ptr_array_index (files, i));
      g_assert_false (file_contains (g_ptr_array_index (files, i), key));
      g_assert_false (file_contains (g_ptr_array_index (files, i), env_key));
    }
}

static void
test_no_dbus (Fixture       *fixture,
              gconstpointer  data)
{
  const char *url = confab_fake_provider_get_url (fixture->fake);
  g_auto(Run) run = { 0 };

  /* A key in the environment: no keyring, no session bus, no problem. */
  run_cli (fixture, NULL, ENV ("OPENAI_API_KEY=test-key", "-DBUS_SESSION_BUS_ADDRESS"),
           ARGS ("chat", "-m", GPT, "--base-url", url, "--data-dir", fixture->dir, "Hi"), &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Echo from gpt-4o-mini: Hi\n");
  g_assert_cmpstr (run.err, ==, "");

  /* The prompt from stdin ("-"), and after "--" when it looks like an option. */
  run_cli (fixture, "From stdin\n", ENV ("OPENAI_API_KEY=test-key"),
           ARGS ("chat", "-m", GPT, "--base-url", url, "--data-dir", fixture->dir, "-"), &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Echo from gpt-4o-mini: From stdin\n");
  run_cli (fixture, NULL, ENV ("OPENAI_API_KEY=test-key"),
           ARGS ("chat", "-m", GPT, "--base-url", url, "--data-dir", fixture->dir, "--",
                 "-5 degrees?"), &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Echo from gpt-4o-mini: -5 degrees?\n");
}

static void
test_default_data_dir (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *url = confab_fake_provider_get_url (fixture->fake);
  g_autofree char *xdg = g_strconcat ("XDG_DATA_HOME=", fixture->dir, "/xdg", NULL);
  g_autofree char *db = g_build_filename (fixture->dir, "xdg", "confab", "confab.db", NULL);
  g_autofree char *other = g_build_filename (fixture->dir, "elsewhere", NULL);
  g_autofree char *other_db = g_build_filename (other, "confab.db", NULL);
  g_auto(Run) run = { 0 };
  g_auto(Run) listed = { 0 };
  g_auto(Run) elsewhere = { 0 };

  run_cli (fixture, NULL, ENV ("OPENAI_API_KEY=test-key", xdg),
           ARGS ("chat", "-m", GPT, "--base-url", url, "Stored where?"), &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));

  run_cli (fixture, NULL, ENV (xdg), ARGS ("chats"), &listed);
  g_assert_nonnull (strstr (listed.out, "\tStored where?\t" GPT "\n"));

  /* --data-dir wins, and is a different store. */
  run_cli (fixture, NULL, ENV (xdg), ARGS ("chats", "--data-dir", other), &elsewhere);
  g_assert_cmpint (elsewhere.status, ==, 0);
  g_assert_cmpstr (elsewhere.out, ==, "");
  g_assert_true (g_file_test (other_db, G_FILE_TEST_EXISTS));
}

/* import and export: all or nothing, and a round trip keeps the text. */
static void
test_import_export (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *chatgpt = g_test_build_filename (G_TEST_DIST, "fixtures", "import",
                                                    "chatgpt-conversations.json", NULL);
  g_autofree char *broken = g_test_build_filename (G_TEST_DIST, "fixtures", "import",
                                                   "chatgpt-truncated.json", NULL);
  g_autofree char *out = g_build_filename (fixture->dir, "chat.json", NULL);
  g_autofree char *exported = NULL;
  g_auto(Run) run = { 0 };
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) fields = NULL;

  run_cli (fixture, NULL, NULL, ARGS ("import", "--data-dir", fixture->dir, broken), &run);
  g_assert_cmpint (run.status, ==, 1);
  assert_one_error_line (&run);
  g_assert_nonnull (strstr (run.err, "line "));
  run_cli (fixture, NULL, NULL, ARGS ("chats", "--data-dir", fixture->dir), &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");

  run_cli (fixture, NULL, NULL, ARGS ("import", chatgpt, "--data-dir", fixture->dir), &run);
  g_assert_cmpint (run.status, ==, 0);
  lines = g_strsplit (g_strchomp (run.out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  fields = g_strsplit (lines[0], "\t", -1);
  g_assert_cmpuint (g_strv_length (fields), ==, 2);

  run_cli (fixture, NULL, NULL,
           ARGS ("export", fields[0], "--format", "markdown", "--data-dir", fixture->dir), &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "# "));
  g_assert_nonnull (strstr (run.out, fields[1]));

  run_cli (fixture, NULL, NULL,
           ARGS ("--data-dir", fixture->dir, "export", fields[0], "--format", "json", "-o", out),
           &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_file_get_contents (out, &exported, NULL, NULL));
  g_assert_nonnull (strstr (exported, "\"confab-chat\""));

  run_cli (fixture, NULL, NULL, ARGS ("import", "--json", out, "--data-dir", fixture->dir), &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "{\"event\":\"chat\""));
  g_assert_nonnull (strstr (run.out, fields[1]));

  run_cli (fixture, NULL, NULL,
           ARGS ("export", fields[0], "--format", "pdf", "--data-dir", fixture->dir), &run);
  g_assert_cmpint (run.status, ==, 1);
  assert_one_error_line (&run);
  run_cli (fixture, NULL, NULL, ARGS ("export", "424242", "--format", "json",
                                      "--data-dir", fixture->dir), &run);
  g_assert_cmpint (run.status, ==, 1);
  assert_one_error_line (&run);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/confab/cli/help", test_help);
  ADD ("/confab/cli/usage-errors", test_usage_errors);
  ADD ("/confab/cli/chat-switch-models", test_chat_switch_models);
  ADD ("/confab/cli/models", test_models);
  ADD ("/confab/cli/exit-codes", test_exit_codes);
  ADD ("/confab/cli/sigint", test_sigint);
  ADD ("/confab/cli/keys", test_keys);
  ADD ("/confab/cli/keys-never-leak", test_keys_never_leak);
  ADD ("/confab/cli/no-dbus", test_no_dbus);
  ADD ("/confab/cli/default-data-dir", test_default_data_dir);
  ADD ("/confab/cli/import-export", test_import_export);

  return confab_test_run ();
}
