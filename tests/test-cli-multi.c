/* test-cli-multi.c: confab-cli compare and roundtable end to end, as a
 * script would run them, against the in-process fake provider with a
 * scripted persona per model: the plain output's order and headers,
 * --json events, exit codes when a model fails, --synthesize, what is
 * stored, Ctrl+C.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <signal.h>
#include <string.h>

#include "confab-fake-provider.h"
#include "confab-test-cli.h"
#include "confab-test-utils.h"

#define GPT "openai:gpt-4o-mini"
#define CLAUDE "anthropic:claude-sonnet-4-5"
#define GEMINI "gemini:gemini-2.5-flash"

#define ARGS(...) ((const char * const[]) { __VA_ARGS__, NULL })
#define TOKENS(...) ((const char * const[]) { __VA_ARGS__, NULL })
#define KEYS ((const char * const[]) { "OPENAI_API_KEY=k", "ANTHROPIC_API_KEY=k", \
                                       "GEMINI_API_KEY=k", NULL })

typedef ConfabTestCliRun Run;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, confab_test_cli_run_clear)
#define line_at confab_test_cli_line_at

typedef ConfabTestCliFixture Fixture;
#define fixture_set_up confab_test_cli_fixture_set_up
#define fixture_tear_down confab_test_cli_fixture_tear_down

/* confab-cli with the store in the fixture's directory and every
 * provider at the fake. */
static GSubprocess *
spawn (Fixture            *fixture,
       const char * const *env,
       const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, "--data-dir");
  g_ptr_array_add (argv, fixture->dir);
  g_ptr_array_add (argv, "--base-url");
  g_ptr_array_add (argv, (gpointer) confab_fake_provider_get_url (fixture->fake));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  return confab_test_cli_spawn (fixture->cli, env, (const char * const *) argv->pdata);
}

static void
run_cli (Fixture            *fixture,
         const char * const *env,
         const char * const *args,
         Run                *run)
{
  g_autoptr(GSubprocess) process = spawn (fixture, env, args);

  confab_test_cli_finish (process, NULL, run);
}

#define assert_one_error_line confab_test_cli_assert_one_error_line

static const char *
member (GPtrArray  *lines,
        guint       index,
        const char *name)
{
  return json_object_get_string_member (line_at (lines, index), name);
}

static char *
describe_request (Fixture *fixture,
                  guint    index)
{
  const ConfabFakeRequest *request = confab_fake_provider_get_request (fixture->fake, index);
  g_autofree char *body = g_strndup (g_bytes_get_data (request->body, NULL),
                                     g_bytes_get_size (request->body));
  g_autoptr(JsonNode) root = json_from_string (body, NULL);
  JsonArray *messages = json_object_get_array_member (json_node_get_object (root), "messages");
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      g_string_append_printf (out, "%s%s:%s", i > 0 ? "|" : "",
                              json_object_get_string_member (message, "role"),
                              json_object_get_string_member (message, "content"));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
script_model (Fixture            *fixture,
              const char         *model,
              const char * const *tokens,
              guint               error_after)
{
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();

  confab_fake_script_set_tokens (script, tokens);
  confab_fake_script_set_delay (script, 10);
  if (error_after > 0)
    confab_fake_script_set_error_event_after (script, error_after, "overloaded_error",
                                              "Overloaded, try later");
  confab_fake_provider_set_model_script (fixture->fake, model, script);
}

/* ------------------------------------------------------------------------ */

static void
test_help_and_usage (Fixture       *fixture,
                     gconstpointer  data)
{
  const char * const *cases[] = {
    ARGS ("compare", "-m", GPT, "one model only"),
    ARGS ("compare", "-m", GPT, "-m", CLAUDE),
    ARGS ("compare", "-m", GPT, "-m", "claude", "no provider"),
    ARGS ("compare", "-m", GPT, "-m", GPT, "twice"),
    ARGS ("compare", "-m", GPT, "-m", CLAUDE, "--synthesize", "gpt", "hi"),
    ARGS ("compare", "-m", GPT, "-m", CLAUDE, "--rounds", "2", "hi"),
    ARGS ("compare", "-m", GPT, "-m", CLAUDE, "--thread", "1", "hi"),
    ARGS ("compare", "-m", GPT, "-m", CLAUDE, "--new", "--chat", "1", "hi"),
    ARGS ("roundtable", "-m", GPT, "topic"),
    ARGS ("roundtable", "-m", GPT "=Ada", "-m", CLAUDE "=Ada", "topic"),
    ARGS ("roundtable", "-m", GPT, "-m", CLAUDE, "--rounds", "0", "topic"),
    ARGS ("roundtable", "-m", GPT, "-m", CLAUDE, "--rounds", "many", "topic"),
    ARGS ("roundtable", "-m", GPT, "-m", CLAUDE, "--budget", "-5", "topic"),
    ARGS ("roundtable", "-m", GPT, "-m", CLAUDE, "--moderator", "mod", "topic"),
    ARGS ("roundtable", "-m", GPT, "-m", CLAUDE, "--synthesize", GPT, "topic"),
    ARGS ("roundtable", "-m", GPT, "-m", CLAUDE),
    ARGS ("chats", "--budget", "10"),
  };
  g_auto(Run) help = { 0 };

  run_cli (fixture, NULL, ARGS ("--help"), &help);
  g_assert_cmpint (help.status, ==, 0);
  for (const char * const *word = ARGS (
         "compare -m MODEL -m MODEL [-m …] [--synthesize MODEL] [--json] PROMPT",
         "roundtable -m MODEL[=NAME] -m MODEL[=NAME] [--rounds N] [--json] TOPIC",
         "== MODEL ==", "== synthesis (MODEL) ==", "== NAME (MODEL), round R ==",
         "--moderator MODEL", "--budget TOKENS", "some models failed");
       *word != NULL; word++)
    if (strstr (help.out, *word) == NULL)
      g_error ("--help does not mention “%s”", *word);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      run_cli (fixture, KEYS, cases[i], &run);
      if (run.status != 1)
        g_error ("case %u: exit %d, stderr %s", i, run.status, run.err);
      g_assert_cmpstr (run.out, ==, "");
      assert_one_error_line (&run, NULL);
    }

  /* Nothing reached a provider, nothing was stored. */
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 0);
  {
    g_auto(Run) chats = { 0 };

    run_cli (fixture, NULL, ARGS ("chats"), &chats);
    g_assert_cmpstr (chats.out, ==, "");
  }
}

static void
test_compare (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *db = g_build_filename (fixture->dir, "confab.db", NULL);
  g_autofree char *synthesis_request = NULL;
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(ConfabMessage) kept = NULL;
  g_autoptr(GPtrArray) alternatives = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) shown = { 0 };

  script_model (fixture, "gpt-4o-mini", TOKENS ("GPT: ", "Paris."), 0);
  script_model (fixture, "claude-sonnet-4-5", TOKENS ("Claude: ", "maybe ", "Lyon"), 1);
  script_model (fixture, "gemini-2.5-flash", TOKENS ("Gemini: ", "Paris, ", "France."), 0);
  script_model (fixture, "gpt-4o", TOKENS ("Final: ", "Paris."), 0);

  run_cli (fixture, KEYS,
           ARGS ("compare", "-m", GPT, "-m", CLAUDE, "-m", GEMINI,
                 "--synthesize", "openai:gpt-4o", "Capital of France?"), &run);

  /* Claude failed, the others still printed, in the order given. */
  g_assert_cmpint (run.status, ==, 3);
  g_assert_cmpstr (run.out, ==,
                   "== " GPT " ==\nGPT: Paris.\n"
                   "== " CLAUDE " ==\nClaude: \n"
                   "== " GEMINI " ==\nGemini: Paris, France.\n"
                   "== synthesis (openai:gpt-4o) ==\nFinal: Paris.\n");
  assert_one_error_line (&run, CLAUDE ": ");

  /* The synthesis read every answer, attributed. */
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 4);
  synthesis_request = describe_request (fixture, 3);
  g_assert_nonnull (strstr (synthesis_request, "[Answer from " GPT "]\nGPT: Paris."));
  g_assert_nonnull (strstr (synthesis_request, "[Answer from " CLAUDE "]\nClaude: \n(incomplete)"));
  g_assert_nonnull (strstr (synthesis_request, "[Answer from " GEMINI "]\nGemini: Paris, France."));

  /* The chat shows the prompt and the synthesis ... */
  run_cli (fixture, NULL, ARGS ("show", "1", "--json"), &shown);
  g_assert_cmpint (shown.status, ==, 0);
  lines = confab_test_cli_parse_lines (shown.out);
  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_cmpstr (member (lines, 1, "text"), ==, "Capital of France?");
  g_assert_cmpstr (member (lines, 2, "text"), ==, "Final: Paris.");
  g_assert_cmpstr (member (lines, 2, "model"), ==, "openai:gpt-4o");

  /* ... with the answers as its alternatives, each in its final state. */
  store = confab_store_new (db, &error);
  g_assert_no_error (error);
  kept = confab_store_lookup_message (store, g_ascii_strtoll (member (lines, 2, "id"), NULL, 10),
                                      &error);
  g_assert_no_error (error);
  alternatives = confab_store_list_alternatives (store, kept, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alternatives->len, ==, 4);
  {
    static const char * const authors[] = { GPT, CLAUDE, GEMINI, "openai:gpt-4o" };
    static const ConfabMessageStatus states[] = {
      CONFAB_MESSAGE_STATUS_COMPLETE, CONFAB_MESSAGE_STATUS_ERROR,
      CONFAB_MESSAGE_STATUS_COMPLETE, CONFAB_MESSAGE_STATUS_COMPLETE,
    };

    for (guint i = 0; i < 4; i++)
      {
        ConfabMessage *message = g_ptr_array_index (alternatives, i);

        g_assert_cmpstr (confab_message_get_author (message), ==, authors[i]);
        g_assert_cmpint (confab_message_get_status (message), ==, states[i]);
      }
  }
}

static void
test_compare_json (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GString) gpt = g_string_new (NULL);
  g_autoptr(GString) gemini = g_string_new (NULL);
  g_auto(Run) run = { 0 };
  guint n_done = 0;
  JsonObject *end;

  script_model (fixture, "gpt-4o-mini", TOKENS ("GPT: ", "Paris."), 0);
  script_model (fixture, "gemini-2.5-flash", TOKENS ("Gemini: ", "Paris."), 0);

  run_cli (fixture, KEYS, ARGS ("--json", "compare", "-m", GEMINI, "-m", GPT, "Capital?"), &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");

  lines = confab_test_cli_parse_lines (run.out);
  g_assert_cmpstr (member (lines, 0, "event"), ==, "chat");
  g_assert_cmpstr (member (lines, 0, "chat_id"), ==, "1");
  g_assert_cmpstr (member (lines, 0, "title"), ==, "Capital?");
  g_assert_cmpstr (json_array_get_string_element (
                     json_object_get_array_member (line_at (lines, 0), "models"), 0), ==, GEMINI);

  for (guint i = 1; i < lines->len - 1; i++)
    {
      const char *event = member (lines, i, "event");
      const char *model = member (lines, i, "model");

      if (g_str_equal (event, "delta"))
        g_string_append (g_str_equal (model, GPT) ? gpt : gemini, member (lines, i, "text"));
      else
        {
          g_assert_cmpstr (event, ==, "done");
          g_assert_cmpstr (member (lines, i, "status"), ==, "complete");
          g_assert_true (json_object_has_member (line_at (lines, i), "usage"));
          n_done++;
        }
    }
  g_assert_cmpuint (n_done, ==, 2);
  g_assert_cmpstr (gpt->str, ==, "GPT: Paris.");
  g_assert_cmpstr (gemini->str, ==, "Gemini: Paris.");

  end = line_at (lines, lines->len - 1);
  g_assert_cmpstr (json_object_get_string_member (end, "event"), ==, "end");
  g_assert_cmpint (json_object_get_int_member (end, "answered"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (end, "failed"), ==, 0);
}

static void
test_no_key (Fixture       *fixture,
             gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) chats = { 0 };

  run_cli (fixture, NULL, ARGS ("compare", "-m", GPT, "-m", CLAUDE, "hi"), &run);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  assert_one_error_line (&run, "OPENAI_API_KEY");

  run_cli (fixture, NULL, ARGS ("roundtable", "-m", GPT, "-m", CLAUDE, "topic"), &run);
  g_assert_cmpint (run.status, ==, 2);
  assert_one_error_line (&run, "OPENAI_API_KEY");

  /* Not even an empty chat was left. */
  run_cli (fixture, NULL, ARGS ("chats"), &chats);
  g_assert_cmpstr (chats.out, ==, "");
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 0);
}

static void
push (Fixture    *fixture,
      const char *text)
{
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();

  confab_fake_script_set_tokens (script, TOKENS (text));
  confab_fake_provider_push_script (fixture->fake, script);
}

static void
test_roundtable (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *fourth = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) json = { 0 };
  g_auto(Run) shown = { 0 };

  push (fixture, "A1");
  push (fixture, "B1");
  push (fixture, "C1");
  push (fixture, "A2");
  push (fixture, "B2");
  push (fixture, "C2");

  run_cli (fixture, KEYS,
           ARGS ("roundtable", "-m", GPT "=Ada", "-m", CLAUDE "=Bob", "-m", GEMINI,
                 "--rounds", "2", "Tabs or spaces?"), &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==,
                   "== Ada (" GPT "), round 1 ==\nA1\n"
                   "== Bob (" CLAUDE "), round 1 ==\nB1\n"
                   "== gemini-2.5-flash (" GEMINI "), round 1 ==\nC1\n"
                   "== Ada (" GPT "), round 2 ==\nA2\n"
                   "== Bob (" CLAUDE "), round 2 ==\nB2\n"
                   "== gemini-2.5-flash (" GEMINI "), round 2 ==\nC2\n");

  /* Ada's second request holds everyone's turns, named. */
  fourth = describe_request (fixture, 3);
  g_assert_nonnull (strstr (fourth, "|assistant:A1|user:[Bob] B1|user:[gemini-2.5-flash] C1|"
                                    "user:[Round 2 of 2] Your turn, Ada."));

  /* An ordinary chat afterwards. */
  run_cli (fixture, NULL, ARGS ("show", "1"), &shown);
  g_assert_cmpint (shown.status, ==, 0);
  g_assert_nonnull (strstr (shown.out, "Tabs or spaces?"));
  g_assert_nonnull (strstr (shown.out, "C2"));

  /* --json: the chat with its participants, each turn's events, the end. */
  push (fixture, "x1");
  push (fixture, "y1");
  run_cli (fixture, KEYS,
           ARGS ("roundtable", "--json", "-m", GPT "=X", "-m", GEMINI "=Y", "--rounds", "1",
                 "Short"), &json);
  g_assert_cmpint (json.status, ==, 0);
  lines = confab_test_cli_parse_lines (json.out);
  g_assert_cmpstr (member (lines, 0, "event"), ==, "chat");
  g_assert_cmpstr (member (lines, 0, "chat_id"), ==, "2");
  g_assert_cmpuint (json_array_get_length (
                      json_object_get_array_member (line_at (lines, 0), "participants")), ==, 2);
  {
    static const char * const events[] = { "turn", "delta", "done", "turn", "delta", "done",
                                           "end" };
    static const char * const names[] = { "X", "X", "X", "Y", "Y", "Y", NULL };

    g_assert_cmpuint (lines->len, ==, 8);
    for (guint i = 0; i < G_N_ELEMENTS (events); i++)
      {
        g_assert_cmpstr (member (lines, i + 1, "event"), ==, events[i]);
        if (names[i] != NULL)
          {
            g_assert_cmpstr (member (lines, i + 1, "name"), ==, names[i]);
            g_assert_cmpint (json_object_get_int_member (line_at (lines, i + 1), "round"), ==, 1);
          }
      }
    g_assert_cmpstr (member (lines, 2, "text"), ==, "x1");
    g_assert_cmpstr (member (lines, 7, "reason"), ==, "rounds");
  }
}

static gboolean
on_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_roundtable_ctrl_c (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(ConfabFakeScript) stalls = confab_fake_script_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) shown = { 0 };
  gboolean timed_out = FALSE;
  guint timeout_id;

  push (fixture, "A1");
  confab_fake_script_set_tokens (stalls, TOKENS ("B1 so", " far"));
  confab_fake_script_set_stall_after (stalls, 1);
  confab_fake_provider_push_script (fixture->fake, stalls);

  process = spawn (fixture, KEYS, ARGS ("roundtable", "-m", GPT "=Ada", "-m", CLAUDE "=Bob",
                                        "Go"));
  /* Bob's stream hangs after its first piece. */
  timeout_id = g_timeout_add_seconds (60, on_timeout_cb, &timed_out);
  while (!timed_out && (confab_fake_provider_get_n_requests (fixture->fake) < 2 ||
                        confab_fake_provider_get_n_streams (fixture->fake) < 1))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout_id);
  g_subprocess_send_signal (process, SIGINT);
  confab_test_cli_finish (process, NULL, &run);

  g_assert_cmpint (run.status, ==, 130);
  assert_one_error_line (&run, "what was said was kept");
  g_assert_true (g_str_has_prefix (run.out, "== Ada (" GPT "), round 1 ==\nA1\n"
                                            "== Bob (" CLAUDE "), round 1 ==\n"));

  run_cli (fixture, NULL, ARGS ("show", "1", "--json"), &shown);
  lines = confab_test_cli_parse_lines (shown.out);
  g_assert_cmpuint (lines->len, ==, 4);
  g_assert_cmpstr (member (lines, 2, "text"), ==, "A1");
  g_assert_cmpstr (member (lines, 3, "status"), ==, "cancelled");
  g_assert_cmpstr (member (lines, 3, "model"), ==, CLAUDE);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/confab/cli-multi/help-and-usage", test_help_and_usage);
  ADD ("/confab/cli-multi/compare", test_compare);
  ADD ("/confab/cli-multi/compare-json", test_compare_json);
  ADD ("/confab/cli-multi/no-key", test_no_key);
  ADD ("/confab/cli-multi/roundtable", test_roundtable);
  ADD ("/confab/cli-multi/roundtable-ctrl-c", test_roundtable_ctrl_c);
#undef ADD

  return confab_test_run ();
}
