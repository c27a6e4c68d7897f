/* test-chat-session.c: chat turns over real HTTP against the fake
 * provider: one chat that goes OpenAI → Anthropic → Gemini with the whole
 * history in each wire's shape, every failure stored with its partial
 * text, cancellation, usage, and throttled writes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include "confab-fake-provider.h"
#include "confab-provider-private.h"
#include "confab-test-utils.h"

#define GPT "openai:gpt-4o-mini"
#define CLAUDE "anthropic:claude-sonnet-4-5"
#define GEMINI "gemini:gemini-2.5-flash"

typedef struct
{
  ConfabTestStore     base;
  ConfabFakeProvider *fake;
  ConfabProject      *project;
  ConfabChat         *chat;
} Fixture;

static const char * const env_vars[] = {
  "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GEMINI_BASE_URL", "OPENROUTER_BASE_URL",
  "OLLAMA_HOST", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY",
};

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  confab_test_store_setup (&fixture->base, data);
  fixture->fake = confab_fake_provider_new (0, &error);
  g_assert_no_error (error);

  fixture->project = confab_test_create_project (fixture->base.store, "Work");
  g_assert_true (confab_store_set_project_defaults (fixture->base.store, fixture->project, NULL,
                                                    "Project rules.", NULL));
  fixture->chat = confab_test_create_chat (fixture->base.store, fixture->project, "Chat");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->chat);
  g_clear_object (&fixture->project);
  g_assert_finalize_object (g_steal_pointer (&fixture->fake));
  /* Let closed connections be noticed before the next test. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  confab_test_store_teardown (&fixture->base, data);
}

static ConfabChatSession *
session_for (Fixture    *fixture,
             const char *full_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  g_autofree char *provider_id = NULL;
  g_autofree char *model = NULL;

  g_assert_true (confab_conversation_split_model (full_id, &provider_id, &model, NULL));
  provider = confab_provider_new (provider_id, confab_fake_provider_get_url (fixture->fake),
                                  &error);
  g_assert_no_error (error);
  confab_provider_set_api_key (provider, "test-key");

  return confab_chat_session_new (fixture->base.store, fixture->chat, provider, model);
}

/* ------------------------------------------------------------------------ */
/* Running one turn to its end. */

typedef struct
{
  ConfabChatSession *session;
  GCancellable      *cancellable;
  GString           *deltas;
  guint              n_deltas;
  guint              cancel_at;        /* cancel on this delta (0: never) */
  gsize              max_stored_mid;   /* longest text seen in the store mid-stream */
  guint              n_finished;
  gboolean           done;
  GError            *error;
} Turn;

static void
on_delta (ConfabChatSession *session,
          const char        *text,
          Turn              *turn)
{
  ConfabMessage *reply = confab_chat_session_get_reply_message (session);
  g_autofree char *sql = NULL;
  g_autofree char *stored = NULL;

  g_assert_cmpstr (text, !=, "");
  g_string_append (turn->deltas, text);
  turn->n_deltas++;

  /* The row, not the object: what a crash right now would leave. */
  sql = g_strdup_printf ("SELECT content FROM messages WHERE id = %" G_GINT64_FORMAT,
                         confab_message_get_id (reply));
  stored = confab_test_query_text (confab_chat_session_get_store (session), sql);
  g_assert_true (g_str_has_prefix (turn->deltas->str, stored));
  turn->max_stored_mid = MAX (turn->max_stored_mid, strlen (stored));
  g_assert_cmpint (confab_message_get_status (reply), ==, CONFAB_MESSAGE_STATUS_STREAMING);

  if (turn->cancel_at != 0 && turn->n_deltas == turn->cancel_at)
    g_cancellable_cancel (turn->cancellable);
}

static void
on_finished (ConfabChatSession *session,
             ConfabMessage     *message,
             const GError      *error,
             Turn              *turn)
{
  g_assert_true (message == confab_chat_session_get_reply_message (session));
  g_assert_cmpint (confab_message_get_status (message), !=, CONFAB_MESSAGE_STATUS_STREAMING);
  turn->n_finished++;
}

static void
on_send_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Turn *turn = user_data;

  confab_chat_session_send_finish (CONFAB_CHAT_SESSION (object), result, &turn->error);
  turn->done = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  g_error ("timed out waiting for the reply");

  return G_SOURCE_REMOVE;
}

/* Returns the error (or NULL). */
static GError *
run_turn (ConfabChatSession *session,
          const char        *prompt,
          guint              cancel_at,
          Turn              *out)
{
  Turn turn = { 0 };
  gulong delta_id;
  gulong finished_id;
  guint timeout_id;

  turn.session = session;
  turn.deltas = g_string_new (NULL);
  turn.cancellable = g_cancellable_new ();
  turn.cancel_at = cancel_at;

  delta_id = g_signal_connect (session, "delta", G_CALLBACK (on_delta), &turn);
  finished_id = g_signal_connect (session, "finished", G_CALLBACK (on_finished), &turn);
  timeout_id = g_timeout_add_seconds (30, on_timeout, NULL);

  confab_chat_session_send_async (session, prompt, turn.cancellable, on_send_done, &turn);
  g_assert_true (confab_chat_session_get_busy (session));
  while (!turn.done)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (timeout_id);
  g_signal_handler_disconnect (session, delta_id);
  g_signal_handler_disconnect (session, finished_id);
  g_assert_false (confab_chat_session_get_busy (session));
  g_assert_cmpuint (turn.n_finished, ==, 1);

  g_clear_object (&turn.cancellable);
  if (out != NULL)
    *out = turn;
  else
    g_string_free (turn.deltas, TRUE);

  return turn.error;
}

/* ------------------------------------------------------------------------ */
/* The recorded requests. */

static JsonObject *
recorded_body (Fixture    *fixture,
               guint       index,
               const char *route,
               JsonNode  **root)
{
  const ConfabFakeRequest *request;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), >, index);
  request = confab_fake_provider_get_request (fixture->fake, index);
  g_assert_cmpstr (request->route, ==, route);

  *root = _confab_json_parse (g_bytes_get_data (request->body, NULL),
                              g_bytes_get_size (request->body), &error);
  g_assert_no_error (error);
  return json_node_get_object (*root);
}

/* "role:text|…" of {role, content} or Gemini's {role, parts:[{text}]}. */
static char *
describe (JsonArray *array)
{
  g_autoptr(GString) out = g_string_new (NULL);

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

static ConfabMessage *
message_at (ConfabStore *store,
            ConfabChat  *chat,
            guint        index)
{
  g_autoptr(ConfabMessageList) list = confab_store_list_messages (store,
                                                                  confab_chat_get_id (chat), 0);

  return g_list_model_get_item (G_LIST_MODEL (list), index);
}

/* ------------------------------------------------------------------------ */

static void
test_three_providers (Fixture       *fixture,
                      gconstpointer  data)
{
  ConfabStore *store = fixture->base.store;
  g_autoptr(ConfabMessageList) list = NULL;
  g_autoptr(GError) error = NULL;

  /* 1. OpenAI. */
  {
    g_autoptr(ConfabChatSession) session = session_for (fixture, GPT);
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *shape = NULL;
    JsonObject *body;
    Turn turn;

    error = run_turn (session, "Hello", 0, &turn);
    g_assert_no_error (error);
    g_assert_cmpstr (turn.deltas->str, ==, "Echo from gpt-4o-mini: Hello");
    g_string_free (turn.deltas, TRUE);
    g_assert_cmpstr (confab_message_get_content (confab_chat_session_get_reply_message (session)),
                     ==, "Echo from gpt-4o-mini: Hello");

    body = recorded_body (fixture, 0, "openai", &root);
    shape = describe (json_object_get_array_member (body, "messages"));
    /* Nothing to attribute yet: the project's prompt alone. */
    g_assert_cmpstr (shape, ==, "system:Project rules.|user:Hello");
  }

  /* 2. Anthropic, same chat. */
  {
    g_autoptr(ConfabChatSession) session = session_for (fixture, CLAUDE);
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *shape = NULL;
    JsonObject *body;
    const char *system;

    error = run_turn (session, "Second", 0, NULL);
    g_assert_no_error (error);

    body = recorded_body (fixture, 1, "anthropic", &root);
    shape = describe (json_object_get_array_member (body, "messages"));
    g_assert_cmpstr (shape, ==,
                     "user:Hello|"
                     "assistant:[Reply from " GPT "]\\nEcho from gpt-4o-mini: Hello|"
                     "user:Second");
    system = json_object_get_string_member (body, "system");
    g_assert_true (g_str_has_prefix (system, "Project rules.\n\n"));
    g_assert_nonnull (strstr (system, "[Reply from"));
    g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "claude-sonnet-4-5");
  }

  /* 3. Gemini, same chat: both earlier answers, attributed, as "model". */
  {
    g_autoptr(ConfabChatSession) session = session_for (fixture, GEMINI);
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *shape = NULL;
    JsonObject *body;
    JsonObject *instruction;
    const char *system;

    error = run_turn (session, "Third", 0, NULL);
    g_assert_no_error (error);

    body = recorded_body (fixture, 2, "gemini", &root);
    g_assert_cmpstr (confab_fake_provider_get_request (fixture->fake, 2)->model, ==,
                     "gemini-2.5-flash");
    shape = describe (json_object_get_array_member (body, "contents"));
    g_assert_cmpstr (shape, ==,
                     "user:Hello|"
                     "model:[Reply from " GPT "]\\nEcho from gpt-4o-mini: Hello|"
                     "user:Second|"
                     "model:[Reply from " CLAUDE "]\\nEcho from claude-sonnet-4-5: Second|"
                     "user:Third");
    instruction = json_object_get_object_member (body, "systemInstruction");
    g_assert_nonnull (instruction);
    system = json_object_get_string_member (
               json_array_get_object_element (json_object_get_array_member (instruction,
                                                                            "parts"), 0),
               "text");
    g_assert_true (g_str_has_prefix (system, "Project rules.\n\n"));
    g_assert_nonnull (strstr (system, "[Reply from"));
  }

  /* The store: six messages, each reply with its writer and usage. */
  list = confab_store_list_messages (store, confab_chat_get_id (fixture->chat), 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 6);
  {
    static const char * const writers[] = { GPT, CLAUDE, GEMINI };

    for (guint i = 0; i < 3; i++)
      {
        g_autoptr(ConfabMessage) user = g_list_model_get_item (G_LIST_MODEL (list), 2 * i);
        g_autoptr(ConfabMessage) reply = g_list_model_get_item (G_LIST_MODEL (list), 2 * i + 1);
        g_autofree char *writer = g_strdup_printf ("%s:%s", confab_message_get_provider (reply),
                                                   confab_message_get_model (reply));

        g_assert_cmpint (confab_message_get_role (user), ==, CONFAB_ROLE_USER);
        g_assert_cmpint (confab_message_get_role (reply), ==, CONFAB_ROLE_ASSISTANT);
        g_assert_cmpstr (confab_message_get_author (reply), ==, writers[i]);
        g_assert_cmpstr (writer, ==, writers[i]);
        g_assert_cmpint (confab_message_get_status (reply), ==, CONFAB_MESSAGE_STATUS_COMPLETE);
        g_assert_null (confab_message_get_error (reply));
        g_assert_cmpint (confab_message_get_input_tokens (reply), >, 0);
        g_assert_cmpint (confab_message_get_output_tokens (reply), >, 0);
      }
  }
  g_assert_cmpstr (confab_chat_get_model (fixture->chat), ==, GEMINI);
}

static void
test_usage (Fixture       *fixture,
            gconstpointer  data)
{
  static const char * const tokens[] = { "One", " two", " three", NULL };
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
  g_autoptr(ConfabChatSession) session = session_for (fixture, GPT);
  g_autoptr(GError) error = NULL;
  ConfabMessage *reply;

  confab_fake_script_set_tokens (script, tokens);
  confab_fake_script_set_usage (script, 11, 7);
  confab_fake_provider_push_script (fixture->fake, script);

  error = run_turn (session, "Count", 0, NULL);
  g_assert_no_error (error);

  reply = confab_chat_session_get_reply_message (session);
  g_assert_cmpstr (confab_message_get_content (reply), ==, "One two three");
  g_assert_cmpint (confab_message_get_input_tokens (reply), ==, 11);
  g_assert_cmpint (confab_message_get_output_tokens (reply), ==, 7);
  g_assert_cmpint (confab_test_query_int (fixture->base.store,
                                          "SELECT input_tokens + output_tokens FROM messages"
                                          " WHERE role = 'assistant'"),
                   ==, 18);
  g_assert_cmpstr (confab_reply_get_stop_reason (confab_chat_session_get_reply (session)), ==,
                   "stop");
}

static void
on_started_count (ConfabChatSession *session,
                  ConfabMessage     *message,
                  guint             *n_content)
{
  g_assert_cmpint (confab_message_get_status (message), ==, CONFAB_MESSAGE_STATUS_STREAMING);
  g_signal_connect (message, "notify::content", G_CALLBACK (confab_test_count_notify),
                    n_content);
}

static void
check_writes (Fixture *fixture,
              guint    delay_ms,
              guint    min_writes,
              guint    max_writes,
              gboolean written_mid_stream)
{
  static const char * const tokens[] = { "a", " b", " c", " d", " e", " f", " g", " h", NULL };
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
  g_autoptr(ConfabChatSession) session = session_for (fixture, GPT);
  g_autoptr(GError) error = NULL;
  ConfabMessage *reply;
  guint n_content = 0;
  Turn turn;

  confab_fake_script_set_tokens (script, tokens);
  confab_fake_script_set_delay (script, delay_ms);
  confab_fake_provider_push_script (fixture->fake, script);
  g_signal_connect (session, "started", G_CALLBACK (on_started_count), &n_content);

  error = run_turn (session, "Go", 0, &turn);
  g_assert_no_error (error);
  reply = confab_chat_session_get_reply_message (session);
  g_signal_handlers_disconnect_by_func (reply, confab_test_count_notify, &n_content);

  g_assert_cmpstr (confab_message_get_content (reply), ==, "a b c d e f g h");
  g_assert_cmpuint (turn.n_deltas, ==, 8);
  g_assert_cmpuint (n_content, >=, min_writes);
  g_assert_cmpuint (n_content, <=, max_writes);
  if (written_mid_stream)
    g_assert_cmpuint (turn.max_stored_mid, >, 0);
  g_string_free (turn.deltas, TRUE);
}

static void
test_throttle (Fixture       *fixture,
               gconstpointer  data)
{
  /* Fast: all of it well within 250 ms, so one write at the end. */
  check_writes (fixture, 0, 1, 1, FALSE);
  /* 8 × 100 ms: about one write per 250 ms, never one per piece. */
  check_writes (fixture, 100, 2, 5, TRUE);
}

/* ------------------------------------------------------------------------ */
/* Failures: each stores an error reply with the mapped message and the
 * partial text, and leaves the prompt intact. */

typedef struct
{
  const char         *name;
  const char         *model;
  guint               status;         /* HTTP error, or 0 */
  const char         *body;
  const char         *retry_after;
  guint               drop_after;     /* 0: none */
  guint               malformed_after;
  ConfabProviderError code;
  ConfabProviderError alt_code;       /* also acceptable */
  const char         *partial;
  const char         *words;          /* in the message */
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "401", GPT, 401,
    "{\"error\":{\"message\":\"Incorrect API key provided: sk-xx.\",\"type\":"
    "\"invalid_request_error\",\"code\":\"invalid_api_key\"}}",
    NULL, 0, 0, CONFAB_PROVIDER_ERROR_AUTH, CONFAB_PROVIDER_ERROR_AUTH, "", "key" },
  { "429", CLAUDE, 429,
    "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":"
    "\"Number of requests has exceeded your rate limit.\"}}",
    "7", 0, 0, CONFAB_PROVIDER_ERROR_RATE_LIMITED, CONFAB_PROVIDER_ERROR_RATE_LIMITED, "",
    "rate" },
  { "500", GEMINI, 500,
    "{\"error\":{\"code\":500,\"message\":\"Internal error encountered.\",\"status\":"
    "\"INTERNAL\"}}",
    NULL, 0, 0, CONFAB_PROVIDER_ERROR_OVERLOADED, CONFAB_PROVIDER_ERROR_OVERLOADED, "", NULL },
  { "dropped", CLAUDE, 0, NULL, NULL, 2, 0, CONFAB_PROVIDER_ERROR_NETWORK,
    CONFAB_PROVIDER_ERROR_STREAM, "Hello world", NULL },
  { "malformed", GPT, 0, NULL, NULL, 0, 2, CONFAB_PROVIDER_ERROR_STREAM,
    CONFAB_PROVIDER_ERROR_STREAM, "Hello world", NULL },
};

static void
test_error_case (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char * const tokens[] = { "Hello", " world", " and", " more", NULL };
  const ErrorCase *kase = data;
  ConfabStore *store = fixture->base.store;
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
  ConfabChatSession *session = session_for (fixture, kase->model);
  g_autoptr(ConfabMessage) user = NULL;
  g_autoptr(ConfabMessage) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = g_strdup_printf ("Prompt for %s", kase->name);
  gint64 chat_id;

  confab_fake_script_set_tokens (script, tokens);
  if (kase->status != 0)
    confab_fake_script_set_http_error (script, kase->status, kase->body, NULL);
  if (kase->retry_after != NULL)
    confab_fake_script_add_header (script, "Retry-After", kase->retry_after);
  if (kase->drop_after != 0)
    confab_fake_script_set_drop_after (script, kase->drop_after);
  if (kase->malformed_after != 0)
    confab_fake_script_set_malformed_after (script, kase->malformed_after);
  confab_fake_provider_push_script (fixture->fake, script);

  error = run_turn (session, prompt, 0, NULL);
  g_assert_nonnull (error);
  g_assert_true (error->domain == CONFAB_PROVIDER_ERROR);
  if (error->code != (int) kase->code && error->code != (int) kase->alt_code)
    g_error ("%s: unexpected error %d: %s", kase->name, error->code, error->message);
  if (kase->retry_after != NULL)
    g_assert_cmpint (confab_provider_error_get_retry_after (error), ==, 7);
  if (kase->words != NULL)
    {
      g_autofree char *lower = g_utf8_strdown (error->message, -1);
      g_assert_nonnull (strstr (lower, kase->words));
    }
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"), ==, 2);

  /* What a later run finds, from the file: nothing held in memory. */
  chat_id = confab_chat_get_id (fixture->chat);
  g_clear_object (&session);
  g_clear_object (&fixture->chat);
  confab_test_store_reopen (&fixture->base);
  store = fixture->base.store;
  fixture->chat = confab_store_lookup_chat (store, chat_id, NULL);
  g_assert_nonnull (fixture->chat);

  user = message_at (store, fixture->chat, 0);
  reply = message_at (store, fixture->chat, 1);
  g_assert_cmpstr (confab_message_get_content (user), ==, prompt);
  g_assert_cmpint (confab_message_get_status (user), ==, CONFAB_MESSAGE_STATUS_COMPLETE);
  g_assert_cmpint (confab_message_get_status (reply), ==, CONFAB_MESSAGE_STATUS_ERROR);
  g_assert_cmpstr (confab_message_get_error (reply), ==, error->message);
  g_assert_cmpstr (confab_message_get_content (reply), ==, kase->partial);
  g_assert_cmpstr (confab_message_get_author (reply), ==, kase->model);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const tokens[] = { "Slow", " words", " keep", " coming", " for", " a",
                                         " while", NULL };
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
  g_autoptr(ConfabChatSession) session = session_for (fixture, CLAUDE);
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  ConfabMessage *reply;
  Turn turn;

  confab_fake_script_set_tokens (script, tokens);
  confab_fake_script_set_delay (script, 100);
  confab_fake_provider_push_script (fixture->fake, script);

  error = run_turn (session, "Tell me slowly", 2, &turn);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  reply = confab_chat_session_get_reply_message (session);
  g_assert_cmpint (confab_message_get_status (reply), ==, CONFAB_MESSAGE_STATUS_CANCELLED);
  g_assert_null (confab_message_get_error (reply));
  /* What arrived is kept, and is what the user saw. */
  g_assert_cmpstr (confab_message_get_content (reply), ==, turn.deltas->str);
  g_assert_true (g_str_has_prefix (turn.deltas->str, "Slow words"));
  status = confab_test_query_text (fixture->base.store,
                                   "SELECT status FROM messages ORDER BY id DESC");
  g_assert_cmpstr (status, ==, "cancelled");
  g_string_free (turn.deltas, TRUE);
}

static void
test_thread_turn (Fixture       *fixture,
                  gconstpointer  data)
{
  ConfabStore *store = fixture->base.store;
  g_autoptr(ConfabChatSession) first = session_for (fixture, GPT);
  g_autoptr(ConfabChatSession) thread = session_for (fixture, CLAUDE);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *shape = NULL;
  g_autofree char *thread_model = NULL;
  g_autoptr(ConfabMessage) parent = NULL;
  JsonObject *body;
  guint reply_count = 0;

  error = run_turn (first, "Main question", 0, NULL);
  g_assert_no_error (error);
  parent = g_object_ref (confab_chat_session_get_reply_message (first));
  error = run_turn (first, "Later main question", 0, NULL);
  g_assert_no_error (error);

  confab_chat_session_set_parent_id (thread, confab_message_get_id (parent));
  error = run_turn (thread, "About that answer", 0, NULL);
  g_assert_no_error (error);

  /* Main line up to the parent, then the thread; the later main-line
   * turns stay out. */
  body = recorded_body (fixture, 2, "anthropic", &root);
  shape = describe (json_object_get_array_member (body, "messages"));
  g_assert_cmpstr (shape, ==,
                   "user:Main question|"
                   "assistant:[Reply from " GPT "]\\nEcho from gpt-4o-mini: Main question|"
                   "user:About that answer");

  g_assert_true (confab_store_get_thread_info (store, confab_message_get_id (parent),
                                               &reply_count, NULL, NULL));
  g_assert_cmpuint (reply_count, ==, 2);
  g_assert_cmpint (confab_message_get_parent_id (confab_chat_session_get_reply_message (thread)),
                   ==, confab_message_get_id (parent));
  thread_model = confab_store_dup_thread_model (store, confab_message_get_id (parent), NULL);
  g_assert_cmpstr (thread_model, ==, CLAUDE);
  /* The main line keeps offering its own model. */
  g_assert_cmpstr (confab_chat_get_model (fixture->chat), ==, GPT);
}

/* The refused second send only fills in its error. */
static void
on_busy_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (confab_chat_session_send_finish (CONFAB_CHAT_SESSION (object), result, error));
}

static void
test_busy (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(ConfabChatSession) session = session_for (fixture, GPT);
  g_autoptr(GError) busy_error = NULL;
  Turn turn = { 0 };

  turn.deltas = g_string_new (NULL);
  confab_chat_session_send_async (session, "One", NULL, on_send_done, &turn);
  confab_chat_session_send_async (session, "Two", NULL, on_busy_done, &busy_error);
  while (!turn.done || busy_error == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_no_error (turn.error);
  g_assert_error (busy_error, G_IO_ERROR, G_IO_ERROR_PENDING);
  /* Only the first prompt was stored. */
  g_assert_cmpint (confab_test_query_int (fixture->base.store,
                                          "SELECT count(*) FROM messages WHERE role = 'user'"),
                   ==, 1);
  g_string_free (turn.deltas, TRUE);
}

static void
test_retry (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
  g_autoptr(ConfabChatSession) session = session_for (fixture, GPT);
  g_autoptr(ConfabChatSession) retry = session_for (fixture, GEMINI);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *shape = NULL;
  JsonObject *body;

  confab_fake_script_set_http_error (script, 503, "{\"error\":{\"message\":\"busy\"}}", NULL);
  confab_fake_provider_push_script (fixture->fake, script);
  error = run_turn (session, "Question", 0, NULL);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_OVERLOADED);
  g_clear_error (&error);

  /* No new prompt: another model answers the history as it is; the empty
   * failed reply is left out of the request. */
  error = run_turn (retry, NULL, 0, NULL);
  g_assert_no_error (error);
  g_assert_null (confab_chat_session_get_user_message (retry));
  body = recorded_body (fixture, 1, "gemini", &root);
  shape = describe (json_object_get_array_member (body, "contents"));
  g_assert_cmpstr (shape, ==, "user:Question");
  g_assert_cmpint (confab_test_query_int (fixture->base.store, "SELECT count(*) FROM messages"),
                   ==, 3);
}

static void
test_catalogue_window (Fixture       *fixture,
                       gconstpointer  data)
{
  ConfabStore *store = fixture->base.store;
  g_autoptr(ConfabModelCatalogue) catalogue = confab_model_catalogue_new (store);
  g_autoptr(ConfabChatSession) session = session_for (fixture, GPT);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *block = g_strnfill (300000, 'z');
  JsonObject *body;
  JsonArray *messages;
  const char *marker;

  /* gpt-4o-mini: 128k tokens by the published figures, 16k of them kept
   * for the reply; 75k each, so one block fits. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ConfabMessage) question = confab_test_add_text (store, fixture->chat, 0, block);
    }

  confab_chat_session_set_catalogue (session, catalogue);
  error = run_turn (session, "Short question", 0, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (confab_chat_session_get_n_dropped (session), ==, 2);

  body = recorded_body (fixture, 0, "openai", &root);
  messages = json_object_get_array_member (body, "messages");
  /* system, marker, one block, the question */
  g_assert_cmpuint (json_array_get_length (messages), ==, 4);
  marker = json_object_get_string_member (json_array_get_object_element (messages, 1),
                                          "content");
  g_assert_true (g_str_has_prefix (marker, "[2 earlier messages were left out to fit " GPT));
}

/* The fake's model failures speak each wire's error shape, which maps to
 * the error a user can act on; once used up, the model answers again. */
static void
test_model_failures (Fixture       *fixture,
                     gconstpointer  data)
{
  static const struct
  {
    guint               status;
    ConfabProviderError code;
  } cases[] = {
    { 401, CONFAB_PROVIDER_ERROR_AUTH },
    { 404, CONFAB_PROVIDER_ERROR_MODEL_NOT_FOUND },
    { 429, CONFAB_PROVIDER_ERROR_RATE_LIMITED },
    { 529, CONFAB_PROVIDER_ERROR_OVERLOADED },
  };
  static const char * const models[] = { GPT, CLAUDE, GEMINI };

  for (guint m = 0; m < G_N_ELEMENTS (models); m++)
    for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
      {
        g_autoptr(ConfabChatSession) session = session_for (fixture, models[m]);
        g_autoptr(GError) error = NULL;

        confab_fake_provider_set_model_failure (fixture->fake, strchr (models[m], ':') + 1,
                                                cases[c].status, 1);
        error = run_turn (session, "Fail once", 0, NULL);
        if (!g_error_matches (error, CONFAB_PROVIDER_ERROR, cases[c].code))
          g_error ("%s, %u: unexpected error: %s", models[m], cases[c].status,
                   error != NULL ? error->message : "none");
        g_clear_error (&error);
        error = run_turn (session, "Then fine", 0, NULL);
        g_assert_no_error (error);
      }
}

int
main (int   argc,
      char *argv[])
{
  /* Before any thread exists: the tests configure providers explicitly. */
  for (guint i = 0; i < G_N_ELEMENTS (env_vars); i++)
    g_unsetenv (env_vars[i]);

  confab_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/confab/chat-session/three-providers", test_three_providers);
  ADD ("/confab/chat-session/usage", test_usage);
  ADD ("/confab/chat-session/throttle", test_throttle);
  ADD ("/confab/chat-session/cancel", test_cancel);
  ADD ("/confab/chat-session/thread", test_thread_turn);
  ADD ("/confab/chat-session/busy", test_busy);
  ADD ("/confab/chat-session/retry", test_retry);
  ADD ("/confab/chat-session/context-window", test_catalogue_window);
  ADD ("/confab/chat-session/model-failures", test_model_failures);
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/confab/chat-session/error/%s",
                                               error_cases[i].name);

      g_test_add (path, Fixture, &error_cases[i], fixture_set_up, test_error_case,
                  fixture_tear_down);
    }

  return confab_test_run ();
}
