/* test-roundtable.c: round-tables over real HTTP against the fake
 * provider: three participants for two rounds (each request holds the
 * transcript with every speaker's name, in the order configured), a
 * moderator naming the speakers (and its nonsense), stop mid-round,
 * the token budget, pause with an interjection, and the transcript as
 * an ordinary chat afterwards.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include "confab-conductor-private.h"
#include "confab-export.h"
#include "confab-test-conductor.h"

typedef ConfabTestConductor Fixture;

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, confab_test_conductor_setup, func, \
              confab_test_conductor_teardown)
#define TOKENS(...) ((const char * const[]) { __VA_ARGS__, NULL })

#define TOPIC "Tabs or spaces?"

/* Ada the skeptic (GPT), Bob (Claude, no persona), Cy (Gemini). */
static void
add_participants (Fixture *fixture)
{
  g_autoptr(ConfabParticipant) ada = confab_participant_new (GPT, "Ada", "You doubt everything.");
  g_autoptr(ConfabParticipant) bob = confab_participant_new (CLAUDE, "Bob", NULL);
  g_autoptr(ConfabParticipant) cy = confab_participant_new (GEMINI, "Cy", "");

  confab_conductor_add_participant (fixture->conductor, ada);
  confab_conductor_add_participant (fixture->conductor, bob);
  confab_conductor_add_participant (fixture->conductor, cy);
}

/* The next request, whoever sends it, answers with text. */
static ConfabFakeScript *
push (Fixture    *fixture,
      const char *text)
{
  g_autoptr(ConfabFakeScript) script = confab_test_script_new (TOKENS (text), 0);

  confab_fake_provider_push_script (fixture->fake, script);
  return script; /* the provider holds it */
}

static void
run_roundtable (Fixture    *fixture,
                const char *topic)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_conductor_roundtable_async (fixture->conductor, topic, NULL, confab_test_async_cb,
                                     &result);
  g_assert_true (confab_conductor_roundtable_finish (fixture->conductor,
                                                     confab_test_await (&result), &error));
  g_assert_no_error (error);
  g_assert_false (confab_conductor_get_busy (fixture->conductor));
}

static char *
describe_rounds (Fixture *fixture)
{
  g_autoptr(GString) out = g_string_new (NULL);
  GListModel *turns = G_LIST_MODEL (fixture->conductor);

  for (guint i = 0; i < g_list_model_get_n_items (turns); i++)
    {
      g_autoptr(ConfabConductorTurn) turn = g_list_model_get_item (turns, i);

      g_string_append_printf (out, "%s%s/%u", i > 0 ? " " : "",
                              confab_conductor_turn_get_name (turn),
                              confab_conductor_turn_get_round (turn));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_round_robin (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *user = g_get_user_name ();
  g_autofree char *rounds = NULL;
  g_autofree char *line = NULL;
  g_autofree char *first = NULL;
  g_autofree char *fifth = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *after = NULL;
  g_autoptr(ConfabMessageList) list = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabChatSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  static const char * const models[] = {
    "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash",
    "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash",
  };

  add_participants (fixture);
  push (fixture, "A1 tabs hurt.");
  push (fixture, "B1 spaces align.");
  push (fixture, "C1 either, Ada.");
  push (fixture, "A2 still doubtful.");
  push (fixture, "B2 agree with Cy.");
  push (fixture, "C2 settled.");

  run_roundtable (fixture, TOPIC);

  g_assert_cmpint (confab_conductor_get_end_reason (fixture->conductor), ==,
                   CONFAB_ROUNDTABLE_END_ROUNDS);
  g_assert_cmpuint (confab_conductor_get_round (fixture->conductor), ==, 2);
  g_assert_cmpint (confab_conductor_get_tokens_used (fixture->conductor), >, 0);
  rounds = describe_rounds (fixture);
  g_assert_cmpstr (rounds, ==, "Ada/1 Bob/1 Cy/1 Ada/2 Bob/2 Cy/2");

  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 6);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpstr (confab_test_request_model (fixture->fake, i), ==, models[i]);

  /* Ada's first request: her persona, who is there, the topic. */
  first = confab_test_describe_request (fixture->fake, 0);
  expected = g_strdup_printf (
    "system:You doubt everything.\\n\\n"
    "You are Ada, in a round-table discussion between Ada (" GPT "), Bob (" CLAUDE ") and "
    "Cy (" GEMINI "), with the user listening and sometimes speaking. The topic: " TOPIC
    "\\n\\nIn the transcript, each message starts with its speaker's name in square brackets, "
    "such as \"[Ada]\"; your own earlier messages have none. Speak only as Ada: answer the "
    "others by name where it helps, make one contribution, never write the other "
    "participants' lines, and do not start with your name in brackets. This is round 1 of 2.|"
    "user:[%s (user)] " TOPIC "|user:[Round 1 of 2] Your turn, Ada.", user);
  g_assert_cmpstr (first, ==, expected);
  g_clear_pointer (&expected, g_free);

  /* Bob in round 2 (Anthropic joins a role's turns): everyone's words
   * with their names, his own as his. */
  fifth = confab_test_describe_request (fixture->fake, 4);
  expected = g_strdup_printf (
    "user:[%s (user)] " TOPIC "\\n\\n[Ada] A1 tabs hurt.|"
    "assistant:B1 spaces align.|"
    "user:[Cy] C1 either, Ada.\\n\\n[Ada] A2 still doubtful.\\n\\n"
    "[Round 2 of 2] Your turn, Bob.", user);
  g_assert_true (g_str_has_prefix (fifth, "system:You are Bob, in a round-table"));
  g_assert_nonnull (strstr (fifth, "This is round 2 of 2."));
  g_assert_true (g_str_has_suffix (fifth, expected));

  /* An ordinary chat: the topic, then each turn under its speaker's name. */
  line = confab_test_describe_line (fixture->base.store, fixture->chat);
  g_assert_cmpstr (line, ==, TOPIC "|A1 tabs hurt.|B1 spaces align.|C1 either, Ada.|"
                   "A2 still doubtful.|B2 agree with Cy.|C2 settled.");
  list = confab_store_list_messages (fixture->base.store, confab_chat_get_id (fixture->chat), 0);
  {
    g_autoptr(ConfabMessage) bob = g_list_model_get_item (G_LIST_MODEL (list), 2);

    g_assert_cmpstr (confab_message_get_author (bob), ==, "Bob");
    g_assert_cmpstr (confab_message_get_provider (bob), ==, "anthropic");
    g_assert_cmpstr (confab_message_get_model (bob), ==, "claude-sonnet-4-5");
    g_assert_cmpint (confab_message_get_role (bob), ==, CONFAB_ROLE_ASSISTANT);
  }
  g_assert_cmpuint (confab_test_search_count (fixture->base.store, "doubtful"), ==, 1);
  g_assert_true (confab_export_chat (fixture->base.store, fixture->chat,
                                     CONFAB_EXPORT_FORMAT_MARKDOWN, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write (out, "", 1, NULL, NULL) == 1);
  g_assert_nonnull (strstr (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                            "Cy"));

  /* Continued with any model: the speakers keep their names. */
  provider = confab_provider_new ("openai", confab_fake_provider_get_url (fixture->fake),
                                  &error);
  g_assert_no_error (error);
  confab_provider_set_api_key (provider, "test-key");
  session = confab_chat_session_new (fixture->base.store, fixture->chat, provider,
                                     "gpt-4o-mini");
  confab_chat_session_send_async (session, "Sum up.", NULL, confab_test_async_cb, &result);
  g_assert_true (confab_chat_session_send_finish (session, confab_test_await (&result),
                                                  &error));
  g_assert_no_error (error);
  after = confab_test_describe_request (fixture->fake, 6);
  g_assert_nonnull (strstr (after, "|assistant:[Reply from Ada (" GPT ")]\\nA1 tabs hurt.|"));
  g_assert_nonnull (strstr (after, "|assistant:[Reply from Bob (" CLAUDE ")]\\nB1 spaces"));
}

static void
test_moderator (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *rounds = NULL;
  g_autofree char *asked = NULL;
  g_autofree char *asked_again = NULL;

  add_participants (fixture);
  confab_conductor_set_moderator (fixture->conductor, "openai:moderator-1");

  push (fixture, "Cy");
  push (fixture, "C1");
  push (fixture, "Bob should speak now.");
  push (fixture, "B1");
  push (fixture, "nonsense!!!");       /* round-robin after Bob: Cy */
  push (fixture, "C2");
  push (fixture, "ADA");
  push (fixture, "A1");
  push (fixture, "Ada again");         /* the last speaker: round-robin, Bob */
  push (fixture, "B2");
  push (fixture, "Cy.");
  push (fixture, "C3");

  run_roundtable (fixture, TOPIC);

  rounds = describe_rounds (fixture);
  g_assert_cmpstr (rounds, ==, "Cy/1 Bob/1 Cy/1 Ada/2 Bob/2 Cy/2");
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 12);
  for (guint i = 0; i < 12; i += 2)
    g_assert_cmpstr (confab_test_request_model (fixture->fake, i), ==, "moderator-1");

  /* The moderator sees who is there and what was said; nothing of it is
   * stored. */
  asked = confab_test_describe_request (fixture->fake, 0);
  g_assert_true (g_str_has_prefix (asked, "system:You moderate a round-table discussion "
                                          "between Ada (" GPT "), Bob (" CLAUDE ") and Cy ("
                                          GEMINI "). The topic: " TOPIC));
  g_assert_true (g_str_has_suffix (asked, "|user:Who speaks next: Ada, Bob or Cy?"));
  asked_again = confab_test_describe_request (fixture->fake, 2);
  g_assert_true (g_str_has_suffix (asked_again, "|user:[Cy] C1|user:Who speaks next: Ada, "
                                                "Bob or Cy? (Cy spoke last.)"));
  g_assert_cmpint (confab_test_query_int (fixture->base.store, "SELECT count(*) FROM messages"),
                   ==, 7);
}

static void
on_delta_stop (ConfabConductor     *conductor,
               ConfabConductorTurn *turn,
               const char          *text,
               gpointer             user_data)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (conductor)) == 5)
    confab_conductor_stop (conductor);
}

static void
test_stop (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(ConfabFakeScript) stalls = confab_test_script_new (TOKENS ("B2 but", " wait"), 0);
  g_autoptr(ConfabConductorTurn) bob = NULL;
  g_autofree char *rounds = NULL;
  g_autofree char *line = NULL;

  add_participants (fixture);
  push (fixture, "A1");
  push (fixture, "B1");
  push (fixture, "C1");
  push (fixture, "A2");
  /* Bob's second turn says a little, then hangs until stopped. */
  confab_fake_script_set_stall_after (stalls, 1);
  confab_fake_provider_push_script (fixture->fake, stalls);
  push (fixture, "never said");
  g_signal_connect (fixture->conductor, "turn-delta", G_CALLBACK (on_delta_stop), NULL);

  run_roundtable (fixture, TOPIC);

  g_assert_cmpint (confab_conductor_get_end_reason (fixture->conductor), ==,
                   CONFAB_ROUNDTABLE_END_STOPPED);
  rounds = describe_rounds (fixture);
  g_assert_cmpstr (rounds, ==, "Ada/1 Bob/1 Cy/1 Ada/2 Bob/2");
  bob = g_list_model_get_item (G_LIST_MODEL (fixture->conductor), 4);
  g_assert_cmpint (confab_conductor_turn_get_state (bob), ==, CONFAB_CONDUCTOR_TURN_CANCELLED);
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 5);

  /* What was said stays, the interrupted turn with it. */
  line = confab_test_describe_line (fixture->base.store, fixture->chat);
  g_assert_cmpstr (line, ==, TOPIC "|A1|B1|C1|A2|B2 but(cancelled)");
}

static void
test_budget (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *rounds = NULL;

  add_participants (fixture);
  for (guint i = 0; i < 6; i++)
    confab_fake_script_set_usage (push (fixture, "Said."), 100, 50);
  confab_conductor_set_token_budget (fixture->conductor, 400);

  run_roundtable (fixture, TOPIC);

  /* 150 a turn: the fourth would start past 400. */
  g_assert_cmpint (confab_conductor_get_end_reason (fixture->conductor), ==,
                   CONFAB_ROUNDTABLE_END_BUDGET);
  g_assert_cmpint (confab_conductor_get_tokens_used (fixture->conductor), ==, 450);
  rounds = describe_rounds (fixture);
  g_assert_cmpstr (rounds, ==, "Ada/1 Bob/1 Cy/1");
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 3);
}

static void
on_finished_pause (ConfabConductor     *conductor,
                   ConfabConductorTurn *turn,
                   gpointer             user_data)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (conductor)) == 1)
    confab_conductor_pause (conductor);
}

static void
test_pause_interject (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(ConfabParticipant) ada = confab_participant_new (GPT, "Ada", NULL);
  g_autoptr(ConfabParticipant) bob = confab_participant_new (CLAUDE, NULL, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ConfabMessage) word = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *second = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *rounds = NULL;

  /* Without a name, a participant is called after its model. */
  g_assert_cmpstr (confab_participant_get_name (bob), ==, "claude-sonnet-4-5");
  confab_conductor_add_participant (fixture->conductor, ada);
  confab_conductor_add_participant (fixture->conductor, bob);
  confab_conductor_set_rounds (fixture->conductor, 1);
  push (fixture, "A1");
  push (fixture, "B1");
  g_signal_connect (fixture->conductor, "turn-finished", G_CALLBACK (on_finished_pause), NULL);

  /* Not running yet: nothing to interject into. */
  g_assert_null (confab_conductor_interject (fixture->conductor, "hello?", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);

  confab_conductor_roundtable_async (fixture->conductor, TOPIC, NULL, confab_test_async_cb,
                                     &result);
  while (confab_conductor_get_state (fixture->conductor) != CONFAB_CONDUCTOR_STATE_PAUSED)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->conductor)), ==, 1);

  /* Paused between turns: nothing more is asked. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 1);
  g_assert_null (result);

  word = confab_conductor_interject (fixture->conductor, "Keep it short.", &error);
  g_assert_no_error (error);
  g_assert_cmpint (confab_message_get_role (word), ==, CONFAB_ROLE_USER);
  confab_conductor_resume (fixture->conductor);
  g_assert_true (confab_conductor_roundtable_finish (fixture->conductor,
                                                     confab_test_await (&result), &error));
  g_assert_no_error (error);

  rounds = describe_rounds (fixture);
  g_assert_cmpstr (rounds, ==, "Ada/1 claude-sonnet-4-5/1");
  second = confab_test_describe_request (fixture->fake, 1);
  expected = g_strdup_printf ("|user:[%s (user)] " TOPIC "\\n\\n[Ada] A1\\n\\n[%s (user)] Keep "
                              "it short.\\n\\n[Round 1 of 1] Your turn, claude-sonnet-4-5.",
                              g_get_user_name (), g_get_user_name ());
  g_assert_true (g_str_has_suffix (second, expected));
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(ConfabParticipant) twin = confab_participant_new (GEMINI, "Ada", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Nobody to talk. */
  confab_conductor_roundtable_async (fixture->conductor, TOPIC, NULL, confab_test_async_cb,
                                     &result);
  confab_conductor_roundtable_finish (fixture->conductor, confab_test_await (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Two Adas. */
  add_participants (fixture);
  confab_conductor_add_participant (fixture->conductor, twin);
  confab_conductor_roundtable_async (fixture->conductor, TOPIC, NULL, confab_test_async_cb,
                                     &result);
  confab_conductor_roundtable_finish (fixture->conductor, confab_test_await (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&result);

  /* A voice without a key: nothing starts, nothing is stored. */
  confab_conductor_clear_participants (fixture->conductor);
  add_participants (fixture);
  g_unsetenv ("GEMINI_API_KEY");
  confab_conductor_roundtable_async (fixture->conductor, TOPIC, NULL, confab_test_async_cb,
                                     &result);
  confab_conductor_roundtable_finish (fixture->conductor, confab_test_await (&result), &error);
  g_setenv ("GEMINI_API_KEY", "test-key", TRUE);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NO_KEY);
  g_assert_cmpint (confab_test_query_int (fixture->base.store, "SELECT count(*) FROM messages"),
                   ==, 0);
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 0);
}

static void
test_parse_moderator (void)
{
  g_autoptr(GPtrArray) people = g_ptr_array_new_with_free_func (g_object_unref);
  static const struct
  {
    const char *answer;
    int         last;
    int         chosen;
  } cases[] = {
    { "Bob", -1, 1 },
    { "  bob.\n", -1, 1 },
    { "I think Ada Lovelace should.", -1, 2 },
    { "Ada, then Bob", -1, 0 },
    { "Ada, then Bob", 0, 1 },
    { "Adam", -1, -1 },
    { "Bobby and Adamant", -1, -1 },
    { "", -1, -1 },
    { "Éva!", -1, 3 },
    { "ÉVA", 3, -1 },
  };

  g_ptr_array_add (people, confab_participant_new (GPT, "Ada", NULL));
  g_ptr_array_add (people, confab_participant_new (GPT, "Bob", NULL));
  g_ptr_array_add (people, confab_participant_new (GPT, "Ada Lovelace", NULL));
  g_ptr_array_add (people, confab_participant_new (GPT, "Éva", NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (_confab_conductor_parse_moderator (cases[i].answer, people, cases[i].last) !=
        cases[i].chosen)
      g_error ("“%s”: expected %d", cases[i].answer, cases[i].chosen);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);
  confab_test_conductor_init ();

  ADD_TEST ("/confab/roundtable/round-robin", test_round_robin);
  ADD_TEST ("/confab/roundtable/moderator", test_moderator);
  ADD_TEST ("/confab/roundtable/stop", test_stop);
  ADD_TEST ("/confab/roundtable/budget", test_budget);
  ADD_TEST ("/confab/roundtable/pause-interject", test_pause_interject);
  ADD_TEST ("/confab/roundtable/refused", test_refused);
  g_test_add_func ("/confab/roundtable/parse-moderator", test_parse_moderator);

  return confab_test_run ();
}
