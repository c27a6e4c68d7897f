/* test-conductor.c: several models in one chat, over real HTTP against
 * the fake provider with a scripted persona per model: compare (one model
 * failing mid-stream while the others finish), keeping one answer,
 * synthesis, @mentions in order, cancelling one stream, a missing key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include "confab-test-conductor.h"

typedef ConfabTestConductor Fixture;

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, confab_test_conductor_setup, func, \
              confab_test_conductor_teardown)
#define TOKENS(...) ((const char * const[]) { __VA_ARGS__, NULL })
#define MODELS(...) ((const char * const[]) { __VA_ARGS__, NULL })

#define GPT_SAYS "GPT thinks: Paris, of course."
#define CLAUDE_PARTIAL "Claude muses: "
#define GEMINI_SAYS "Gemini reports: Paris (2.1M people)."

/* The personas: GPT and Gemini answer, Claude breaks off after two
 * pieces with Anthropic's in-stream error. Slow enough that the three
 * streams overlap. */
static void
script_personas (Fixture  *fixture,
                 gboolean  claude_fails)
{
  g_autoptr(ConfabFakeScript) gpt = confab_test_script_new (
    TOKENS ("GPT thinks: ", "Paris, ", "of course."), 20);
  g_autoptr(ConfabFakeScript) claude = confab_test_script_new (
    TOKENS ("Claude muses: ", "perhaps ", "Lyon?", " No: Paris."), 20);
  g_autoptr(ConfabFakeScript) gemini = confab_test_script_new (
    TOKENS ("Gemini reports: ", "Paris ", "(2.1M people)."), 20);

  if (claude_fails)
    confab_fake_script_set_error_event_after (claude, 1, "overloaded_error",
                                              "Overloaded, try later");

  confab_fake_provider_set_model_script (fixture->fake, "gpt-4o-mini", gpt);
  confab_fake_provider_set_model_script (fixture->fake, "claude-sonnet-4-5", claude);
  confab_fake_provider_set_model_script (fixture->fake, "gemini-2.5-flash", gemini);
}

typedef struct
{
  guint     n_started;
  guint     n_finished;
  guint     n_deltas;
  guint     streaming_at_first_finish;
  GString  *deltas[3];
} Watch;

static void
on_turn_started (ConfabConductor     *conductor,
                 ConfabConductorTurn *turn,
                 Watch               *watch)
{
  g_assert_nonnull (confab_conductor_turn_get_message (turn));
  g_assert_cmpint (confab_message_get_status (confab_conductor_turn_get_message (turn)), ==,
                   CONFAB_MESSAGE_STATUS_STREAMING);
  watch->n_started++;
}

static void
on_turn_delta (ConfabConductor     *conductor,
               ConfabConductorTurn *turn,
               const char          *text,
               Watch               *watch)
{
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ConfabConductorTurn) item = g_list_model_get_item (G_LIST_MODEL (conductor), i);

      if (item == turn && watch->deltas[i] != NULL)
        g_string_append (watch->deltas[i], text);
    }
  watch->n_deltas++;
}

static void
on_turn_finished (ConfabConductor     *conductor,
                  ConfabConductorTurn *turn,
                  Watch               *watch)
{
  g_assert_true (confab_conductor_turn_get_finished (turn));
  g_assert_cmpint (confab_message_get_status (confab_conductor_turn_get_message (turn)), !=,
                   CONFAB_MESSAGE_STATUS_STREAMING);

  /* The streams run side by side: when the first one ends, the others
   * are already under way. */
  if (watch->n_finished++ == 0)
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (conductor)); i++)
      {
        g_autoptr(ConfabConductorTurn) item = g_list_model_get_item (G_LIST_MODEL (conductor), i);

        if (confab_conductor_turn_get_state (item) == CONFAB_CONDUCTOR_TURN_STREAMING)
          watch->streaming_at_first_finish++;
      }
}

static void
compare (Fixture            *fixture,
         const char         *prompt,
         const char * const *models,
         Watch              *watch)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (watch != NULL)
    {
      g_signal_connect (fixture->conductor, "turn-started", G_CALLBACK (on_turn_started), watch);
      g_signal_connect (fixture->conductor, "turn-delta", G_CALLBACK (on_turn_delta), watch);
      g_signal_connect (fixture->conductor, "turn-finished", G_CALLBACK (on_turn_finished),
                        watch);
    }

  confab_conductor_compare_async (fixture->conductor, prompt, models, NULL,
                                  confab_test_async_cb, &result);
  g_assert_true (confab_conductor_get_busy (fixture->conductor));
  g_assert_true (confab_conductor_compare_finish (fixture->conductor,
                                                  confab_test_await (&result), &error));
  g_assert_no_error (error);
  g_assert_false (confab_conductor_get_busy (fixture->conductor));

  if (watch != NULL)
    g_signal_handlers_disconnect_by_data (fixture->conductor, watch);
}

static ConfabConductorTurn *
turn_at (Fixture *fixture,
         guint    index)
{
  ConfabConductorTurn *turn = g_list_model_get_item (G_LIST_MODEL (fixture->conductor), index);

  g_assert_nonnull (turn);
  g_object_unref (turn); /* the conductor keeps it */
  return turn;
}

static void
test_compare (Fixture       *fixture,
              gconstpointer  data)
{
  ConfabStore *store = fixture->base.store;
  Watch watch = { 0 };
  g_autoptr(GPtrArray) alternatives = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  ConfabConductorTurn *claude;

  for (guint i = 0; i < 3; i++)
    watch.deltas[i] = g_string_new (NULL);
  script_personas (fixture, TRUE);

  compare (fixture, "Capital of France?", MODELS (GPT, CLAUDE, GEMINI), &watch);

  /* Every stream ran; the failure is Claude's alone. */
  g_assert_cmpuint (watch.n_started, ==, 3);
  g_assert_cmpuint (watch.n_finished, ==, 3);
  g_assert_cmpuint (watch.streaming_at_first_finish, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->conductor)), ==, 3);
  g_assert_cmpuint (confab_conductor_get_n_failed (fixture->conductor), ==, 1);
  g_assert_cmpint (confab_conductor_get_mode (fixture->conductor), ==,
                   CONFAB_CONDUCTOR_MODE_COMPARE);

  g_assert_cmpstr (confab_conductor_turn_get_model_id (turn_at (fixture, 0)), ==, GPT);
  g_assert_cmpint (confab_conductor_turn_get_state (turn_at (fixture, 0)), ==,
                   CONFAB_CONDUCTOR_TURN_COMPLETE);
  g_assert_cmpstr (confab_conductor_turn_get_text (turn_at (fixture, 0)), ==, GPT_SAYS);
  g_assert_cmpstr (watch.deltas[0]->str, ==, GPT_SAYS);
  g_assert_cmpint (confab_conductor_turn_get_output_tokens (turn_at (fixture, 0)), >, 0);

  claude = turn_at (fixture, 1);
  g_assert_cmpstr (confab_conductor_turn_get_model_id (claude), ==, CLAUDE);
  g_assert_cmpint (confab_conductor_turn_get_state (claude), ==, CONFAB_CONDUCTOR_TURN_FAILED);
  g_assert_cmpstr (confab_conductor_turn_get_text (claude), ==, CLAUDE_PARTIAL);
  g_assert_error (confab_conductor_turn_get_error (claude), CONFAB_PROVIDER_ERROR,
                  CONFAB_PROVIDER_ERROR_OVERLOADED);

  g_assert_cmpint (confab_conductor_turn_get_state (turn_at (fixture, 2)), ==,
                   CONFAB_CONDUCTOR_TURN_COMPLETE);
  g_assert_cmpstr (confab_conductor_turn_get_text (turn_at (fixture, 2)), ==, GEMINI_SAYS);
  g_assert_cmpstr (watch.deltas[2]->str, ==, GEMINI_SAYS);

  /* Stored: the prompt, then the three answers as alternatives of one
   * reply, in the order given, each in its final state. */
  alternatives = confab_store_list_alternatives (
    store, confab_conductor_turn_get_message (turn_at (fixture, 0)), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alternatives->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      ConfabMessage *message = g_ptr_array_index (alternatives, i);
      ConfabConductorTurn *turn = turn_at (fixture, i);

      g_assert_true (message == confab_conductor_turn_get_message (turn));
      g_assert_cmpuint (confab_message_get_n_alternatives (message), ==, 3);
      g_assert_cmpuint (confab_message_get_alternative_index (message), ==, i);
      g_assert_true (confab_message_get_active (message) == (i == 0));
      g_assert_cmpstr (confab_message_get_author (message), ==,
                       confab_conductor_turn_get_model_id (turn));
      g_assert_cmpstr (confab_message_get_content (message), ==,
                       confab_conductor_turn_get_text (turn));
    }
  g_assert_cmpint (confab_message_get_status (g_ptr_array_index (alternatives, 1)), ==,
                   CONFAB_MESSAGE_STATUS_ERROR);
  g_assert_nonnull (strstr (confab_message_get_error (g_ptr_array_index (alternatives, 1)),
                            "Overloaded, try later"));
  g_assert_cmpint (confab_message_get_status (g_ptr_array_index (alternatives, 2)), ==,
                   CONFAB_MESSAGE_STATUS_COMPLETE);
  g_assert_cmpint (confab_message_get_output_tokens (g_ptr_array_index (alternatives, 2)), >,
                   0);

  line = confab_test_describe_line (store, fixture->chat);
  g_assert_cmpstr (line, ==, "Capital of France?|" GPT_SAYS);
  g_assert_true (confab_message_get_id (confab_conductor_get_user_message (fixture->conductor)) <
                 confab_message_get_id (g_ptr_array_index (alternatives, 0)));

  /* Nobody saw another's answer. */
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *shape = confab_test_describe_request (fixture->fake, i);

      g_assert_cmpstr (shape, ==, "user:Capital of France?");
    }

  for (guint i = 0; i < 3; i++)
    g_string_free (watch.deltas[i], TRUE);
}

static void
test_keep (Fixture       *fixture,
           gconstpointer  data)
{
  ConfabStore *store = fixture->base.store;
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabChatSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) alternatives = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *shape = NULL;

  script_personas (fixture, FALSE);
  compare (fixture, "Capital of France?", MODELS (GPT, CLAUDE, GEMINI), NULL);

  g_assert_true (confab_conductor_keep (fixture->conductor, turn_at (fixture, 2), &error));
  g_assert_no_error (error);
  line = confab_test_describe_line (store, fixture->chat);
  g_assert_cmpstr (line, ==, "Capital of France?|" GEMINI_SAYS);
  g_assert_cmpstr (confab_chat_get_model (fixture->chat), ==, GEMINI);

  /* The others stay reachable from the message. */
  alternatives = confab_store_list_alternatives (
    store, confab_conductor_turn_get_message (turn_at (fixture, 2)), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alternatives->len, ==, 3);
  g_assert_false (confab_message_get_active (g_ptr_array_index (alternatives, 0)));
  g_assert_true (confab_message_get_active (g_ptr_array_index (alternatives, 2)));

  /* The chat goes on from the kept answer only. */
  confab_fake_provider_set_model_script (fixture->fake, "gpt-4o-mini", NULL);
  provider = confab_provider_new ("openai", confab_fake_provider_get_url (fixture->fake),
                                  &error);
  g_assert_no_error (error);
  confab_provider_set_api_key (provider, "test-key");
  session = confab_chat_session_new (store, fixture->chat, provider, "gpt-4o-mini");
  confab_chat_session_send_async (session, "And Germany?", NULL, confab_test_async_cb, &result);
  g_assert_true (confab_chat_session_send_finish (session, confab_test_await (&result), &error));
  g_assert_no_error (error);

  shape = confab_test_describe_request (fixture->fake, 3);
  g_assert_cmpstr (shape, ==,
                   "system:" "Some earlier replies in this conversation were written by other "
                   "AI models. Each of them starts with a line such as \"[Reply from "
                   "openai:gpt-4o]\" naming the model that wrote it; replies without such a "
                   "line are your own. Do not start your reply with such a line.|"
                   "user:Capital of France?|"
                   "assistant:[Reply from " GEMINI "]\\n" GEMINI_SAYS "|"
                   "user:And Germany?");

  /* And another answer can still be kept. */
  g_assert_true (confab_conductor_keep (fixture->conductor, turn_at (fixture, 0), &error));
  g_assert_no_error (error);
  g_clear_pointer (&line, g_free);
  line = confab_test_describe_line (store, fixture->chat);
  g_assert_cmpstr (line, ==, "Capital of France?|" GPT_SAYS);
}

static void
test_synthesize (Fixture       *fixture,
                 gconstpointer  data)
{
  ConfabStore *store = fixture->base.store;
  g_autoptr(ConfabFakeScript) judge = NULL;
  g_autoptr(ConfabConductorTurn) synthesis = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) alternatives = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *shape = NULL;
  ConfabMessage *message;

  /* Synthesizing needs a comparison first. */
  confab_conductor_synthesize_async (fixture->conductor, CLAUDE, NULL, confab_test_async_cb,
                                     &result);
  g_assert_null (confab_conductor_synthesize_finish (fixture->conductor,
                                                     confab_test_await (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_clear_object (&result);

  script_personas (fixture, TRUE);
  compare (fixture, "Capital of France?", MODELS (GPT, CLAUDE, GEMINI), NULL);

  judge = confab_test_script_new (TOKENS ("All agree: ", "Paris."), 0);
  confab_fake_provider_set_model_script (fixture->fake, "claude-sonnet-4-5", judge);
  confab_conductor_synthesize_async (fixture->conductor, CLAUDE, NULL, confab_test_async_cb,
                                     &result);
  synthesis = confab_conductor_synthesize_finish (fixture->conductor,
                                                  confab_test_await (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (synthesis);
  g_assert_cmpint (confab_conductor_turn_get_kind (synthesis), ==,
                   CONFAB_CONDUCTOR_TURN_SYNTHESIS);
  g_assert_cmpint (confab_conductor_turn_get_state (synthesis), ==,
                   CONFAB_CONDUCTOR_TURN_COMPLETE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->conductor)), ==, 4);
  g_assert_true (turn_at (fixture, 3) == synthesis);

  /* Its request: the prompt, then every answer with text, attributed
   * (the failed one marked incomplete). */
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 4);
  g_assert_cmpstr (confab_test_request_model (fixture->fake, 3), ==, "claude-sonnet-4-5");
  shape = confab_test_describe_request (fixture->fake, 3);
  g_assert_cmpstr (shape, ==,
                   "user:Capital of France?\\n\\n"
                   "Several AI models answered my last message. Their answers follow, each "
                   "under the name of the model that wrote it.\\n\\n"
                   "[Answer from " GPT "]\\n" GPT_SAYS "\\n\\n"
                   "[Answer from " CLAUDE "]\\n" CLAUDE_PARTIAL "\\n(incomplete)\\n\\n"
                   "[Answer from " GEMINI "]\\n" GEMINI_SAYS "\\n\\n"
                   "Write the single best answer to my message from them: keep what is right "
                   "and useful in each, settle where they disagree and correct their mistakes. "
                   "Answer my message directly; do not describe the answers or name the models "
                   "unless that helps.");

  /* Stored as one more version of the reply, the current one. */
  message = confab_conductor_turn_get_message (synthesis);
  g_assert_cmpstr (confab_message_get_content (message), ==, "All agree: Paris.");
  g_assert_cmpstr (confab_message_get_author (message), ==, CLAUDE);
  g_assert_true (confab_message_get_active (message));
  alternatives = confab_store_list_alternatives (store, message, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alternatives->len, ==, 4);
  g_assert_true (g_ptr_array_index (alternatives, 3) == message);
  line = confab_test_describe_line (store, fixture->chat);
  g_assert_cmpstr (line, ==, "Capital of France?|All agree: Paris.");
}

static void
mention (Fixture            *fixture,
         const char         *prompt,
         const char * const *models,
         GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_conductor_mention_async (fixture->conductor, prompt, models, NULL,
                                  confab_test_async_cb, &result);
  confab_conductor_mention_finish (fixture->conductor, confab_test_await (&result), error);
}

static void
test_mentions (Fixture       *fixture,
               gconstpointer  data)
{
  ConfabStore *store = fixture->base.store;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *names = NULL;

  script_personas (fixture, FALSE);

  /* Mentioning nobody known stores nothing. */
  mention (fixture, "what do you think, @nobody?", NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"), ==, 0);

  mention (fixture, "@Claude, then @gpt: capital of France?", NULL, &error);
  g_assert_no_error (error);

  names = confab_test_describe_turns (G_LIST_MODEL (fixture->conductor));
  g_assert_cmpstr (names, ==, CLAUDE "|" GPT);
  g_assert_cmpint (confab_conductor_get_mode (fixture->conductor), ==,
                   CONFAB_CONDUCTOR_MODE_MENTIONS);

  /* In order, on the current line. */
  line = confab_test_describe_line (store, fixture->chat);
  g_assert_cmpstr (line, ==,
                   "@Claude, then @gpt: capital of France?|"
                   "Claude muses: perhaps Lyon? No: Paris.|" GPT_SAYS);

  /* The second request holds the first answer, attributed. */
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 2);
  g_assert_cmpstr (confab_test_request_model (fixture->fake, 0), ==, "claude-sonnet-4-5");
  g_assert_cmpstr (confab_test_request_model (fixture->fake, 1), ==, "gpt-4o-mini");
  first = confab_test_describe_request (fixture->fake, 0);
  g_assert_cmpstr (first, ==, "user:@Claude, then @gpt: capital of France?");
  second = confab_test_describe_request (fixture->fake, 1);
  g_assert_true (g_str_has_suffix (second,
                                   "|user:@Claude, then @gpt: capital of France?"
                                   "|assistant:[Reply from " CLAUDE "]\\n"
                                   "Claude muses: perhaps Lyon? No: Paris."
                                   "|user:[The replies after my last message came from other "
                                   "models. Now give your own answer to it; you may build on "
                                   "theirs or disagree.]"));
}

static void
test_mentions_failure (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *shape = NULL;
  g_autoptr(ConfabMessage) failed = NULL;

  /* A custom alias (any case), and the first mentioned model refusing. */
  g_assert_true (confab_store_set_alias (fixture->base.store, "@Flash", GEMINI, &error));
  g_assert_no_error (error);
  confab_fake_provider_set_model_failure (fixture->fake, "gemini-2.5-flash", 503, 0);

  mention (fixture, "@flash @gpt hello", NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (confab_conductor_turn_get_state (turn_at (fixture, 0)), ==,
                   CONFAB_CONDUCTOR_TURN_FAILED);
  g_assert_cmpint (confab_conductor_turn_get_state (turn_at (fixture, 1)), ==,
                   CONFAB_CONDUCTOR_TURN_COMPLETE);
  failed = g_object_ref (confab_conductor_turn_get_message (turn_at (fixture, 0)));
  g_assert_cmpint (confab_message_get_status (failed), ==, CONFAB_MESSAGE_STATUS_ERROR);

  line = confab_test_describe_line (fixture->base.store, fixture->chat);
  g_assert_cmpstr (line, ==, "@flash @gpt hello|(error)|Echo from gpt-4o-mini: @flash @gpt hello");
  /* An empty failure says nothing to the next model. */
  shape = confab_test_describe_request (fixture->fake, 1);
  g_assert_cmpstr (shape, ==, "user:@flash @gpt hello");
}

static void
on_delta_cancel (ConfabConductor     *conductor,
                 ConfabConductorTurn *turn,
                 const char          *text,
                 gpointer             user_data)
{
  if (g_str_equal (confab_conductor_turn_get_model_id (turn), CLAUDE))
    confab_conductor_turn_cancel (turn);
}

static void
test_cancel_one (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ConfabFakeScript) stalls = confab_test_script_new (TOKENS ("Thinking", "..."), 0);

  /* Claude says one piece and then nothing, until it is stopped. */
  confab_fake_script_set_stall_after (stalls, 1);
  confab_fake_provider_set_model_script (fixture->fake, "claude-sonnet-4-5", stalls);
  g_signal_connect (fixture->conductor, "turn-delta", G_CALLBACK (on_delta_cancel), NULL);

  compare (fixture, "Hi", MODELS (CLAUDE, GPT), NULL);

  g_assert_cmpint (confab_conductor_turn_get_state (turn_at (fixture, 0)), ==,
                   CONFAB_CONDUCTOR_TURN_CANCELLED);
  g_assert_cmpint (confab_conductor_turn_get_state (turn_at (fixture, 1)), ==,
                   CONFAB_CONDUCTOR_TURN_COMPLETE);
  g_assert_cmpuint (confab_conductor_get_n_failed (fixture->conductor), ==, 0);
  g_assert_cmpstr (confab_message_get_content (
                     confab_conductor_turn_get_message (turn_at (fixture, 0))), ==, "Thinking");
  g_assert_cmpint (confab_message_get_status (
                     confab_conductor_turn_get_message (turn_at (fixture, 0))), ==,
                   CONFAB_MESSAGE_STATUS_CANCELLED);
  g_assert_cmpstr (confab_conductor_turn_get_text (turn_at (fixture, 1)), ==,
                   "Echo from gpt-4o-mini: Hi");
}

static void
test_missing_key (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_unsetenv ("ANTHROPIC_API_KEY");

  /* Claude alone cannot: nothing is stored. */
  confab_conductor_compare_async (fixture->conductor, "Hi", MODELS (CLAUDE), NULL,
                                  confab_test_async_cb, &result);
  g_assert_false (confab_conductor_compare_finish (fixture->conductor,
                                                   confab_test_await (&result), &error));
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NO_KEY);
  g_clear_error (&error);
  g_assert_cmpint (confab_test_query_int (fixture->base.store,
                                          "SELECT count(*) FROM messages"), ==, 0);

  /* With another model, Claude fails alone, its failure stored. */
  compare (fixture, "Hi", MODELS (CLAUDE, GPT), NULL);
  g_assert_cmpint (confab_conductor_turn_get_state (turn_at (fixture, 0)), ==,
                   CONFAB_CONDUCTOR_TURN_FAILED);
  g_assert_error (confab_conductor_turn_get_error (turn_at (fixture, 0)), CONFAB_PROVIDER_ERROR,
                  CONFAB_PROVIDER_ERROR_NO_KEY);
  g_assert_cmpint (confab_message_get_status (
                     confab_conductor_turn_get_message (turn_at (fixture, 0))), ==,
                   CONFAB_MESSAGE_STATUS_ERROR);
  g_assert_cmpint (confab_conductor_turn_get_state (turn_at (fixture, 1)), ==,
                   CONFAB_CONDUCTOR_TURN_COMPLETE);
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 1);

  g_setenv ("ANTHROPIC_API_KEY", "test-key", TRUE);
}

static void
test_bad_arguments (Fixture       *fixture,
                    gconstpointer  data)
{
  const char * const *cases[] = {
    MODELS (GPT, GPT),
    MODELS ("gpt-4o"),
    (const char * const[]) { NULL },
  };
  g_autoptr(GAsyncResult) busy = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      confab_conductor_compare_async (fixture->conductor, "Hi", cases[i], NULL,
                                      confab_test_async_cb, &result);
      g_assert_false (confab_conductor_compare_finish (fixture->conductor,
                                                       confab_test_await (&result), &error));
      g_assert_nonnull (error);
    }

  /* One exchange at a time. */
  confab_conductor_compare_async (fixture->conductor, "Hi", MODELS (GPT), NULL,
                                  confab_test_async_cb, &busy);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    confab_conductor_mention_async (fixture->conductor, "@gpt hi", NULL, NULL,
                                    confab_test_async_cb, &result);
    confab_conductor_mention_finish (fixture->conductor, confab_test_await (&result), &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  }
  g_assert_true (confab_conductor_compare_finish (fixture->conductor,
                                                  confab_test_await (&busy), NULL));
  g_assert_cmpint (confab_test_query_int (fixture->base.store,
                                          "SELECT count(*) FROM messages"), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);
  confab_test_conductor_init ();

  ADD_TEST ("/confab/conductor/compare", test_compare);
  ADD_TEST ("/confab/conductor/keep", test_keep);
  ADD_TEST ("/confab/conductor/synthesize", test_synthesize);
  ADD_TEST ("/confab/conductor/mentions", test_mentions);
  ADD_TEST ("/confab/conductor/mentions-failure", test_mentions_failure);
  ADD_TEST ("/confab/conductor/cancel-one", test_cancel_one);
  ADD_TEST ("/confab/conductor/missing-key", test_missing_key);
  ADD_TEST ("/confab/conductor/bad-arguments", test_bad_arguments);

  return confab_test_run ();
}
