/* test-provider-stream.c: replies over real HTTP on 127.0.0.1 against the
 * fake provider: every wire streams, recorded streams served at odd split
 * points decode the same, errors map, and failures keep the partial text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-fake-provider.h"
#include "confab-provider-private.h"

#define ROME "The capital of Italy is Rome (“Roma”) — la Città Eterna."

typedef struct
{
  ConfabFakeProvider *fake;
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

  fixture->fake = confab_fake_provider_new (0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->fake);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->fake));
  /* Let closed connections be noticed before the next test. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "providers", name, NULL);
}

static ConfabProvider *
provider_for (Fixture    *fixture,
              const char *id)
{
  g_autoptr(GError) error = NULL;
  ConfabProvider *provider = confab_provider_new (id, confab_fake_provider_get_url (fixture->fake),
                                                  &error);

  g_assert_no_error (error);
  if (confab_provider_needs_key (provider))
    confab_provider_set_api_key (provider, "test-key");

  return provider;
}

static ConfabChatRequest *
simple_request (const char *model,
                const char *text)
{
  ConfabChatRequest *request = confab_chat_request_new (model);

  confab_chat_request_set_system (request, "Be brief.");
  confab_chat_request_add_turn (request, CONFAB_ROLE_USER, text);

  return request;
}

/* ------------------------------------------------------------------------ */
/* Running a reply to the end. */

typedef struct
{
  gboolean      done;
  gboolean      ok;
  GError       *error;
  GString      *deltas;
  guint         n_deltas;
  GCancellable *cancellable;
  guint         cancel_at_delta;   /* 0: never */
} Run;

static void
on_delta (ConfabReply *reply,
          const char  *text,
          Run         *run)
{
  g_assert_cmpstr (text, !=, "");
  g_string_append (run->deltas, text);
  run->n_deltas++;

  if (run->cancel_at_delta != 0 && run->n_deltas == run->cancel_at_delta)
    g_cancellable_cancel (run->cancellable);
}

static void
on_run_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  run->ok = confab_reply_run_finish (CONFAB_REPLY (object), result, &run->error);
  run->done = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  g_error ("timed out waiting for %s", (const char *) user_data);

  return G_SOURCE_REMOVE;
}

static void
spin_until (gboolean   *flag,
            const char *what)
{
  guint id = g_timeout_add_seconds (30, on_timeout, (gpointer) what);

  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

/* Returns the error (or NULL); the reply keeps text, usage and the rest. */
static GError *
run_reply (ConfabReply *reply,
           Run         *run)
{
  gulong id;

  run->deltas = g_string_new (NULL);
  id = g_signal_connect (reply, "delta", G_CALLBACK (on_delta), run);
  confab_reply_run_async (reply, run->cancellable, on_run_done, run);
  spin_until (&run->done, "a reply");
  g_signal_handler_disconnect (reply, id);

  /* The deltas are the text, nothing lost or doubled. */
  g_assert_cmpstr (run->deltas->str, ==, confab_reply_get_text (reply));
  g_assert_true (run->ok == (run->error == NULL));
  g_string_free (run->deltas, TRUE);

  return run->error;
}

static GError *
chat (ConfabProvider    *provider,
      ConfabChatRequest *request,
      ConfabReply      **reply_out)
{
  Run run = { 0 };
  ConfabReply *reply = confab_provider_chat (provider, request);
  GError *error = run_reply (reply, &run);

  *reply_out = reply;

  return error;
}

static ConfabFakeScript *
tokens_script (guint delay_ms)
{
  static const char * const tokens[] = { "Alpha", " beta", " gamma", " delta", " epsilon", NULL };
  ConfabFakeScript *script = confab_fake_script_new ();

  confab_fake_script_set_tokens (script, tokens);
  confab_fake_script_set_delay (script, delay_ms);

  return script;
}

static const char * const all_ids[] = { "openai", "anthropic", "gemini", "openrouter", "ollama" };

/* ------------------------------------------------------------------------ */

static void
test_echo (Fixture       *fixture,
           gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (all_ids); i++)
    {
      g_autoptr(ConfabProvider) provider = provider_for (fixture, all_ids[i]);
      g_autoptr(ConfabChatRequest) request = simple_request ("fake-model", "Hello there");
      g_autoptr(ConfabReply) reply = NULL;
      g_autoptr(GError) error = NULL;
      const ConfabFakeRequest *seen;
      g_autoptr(JsonNode) body = NULL;

      g_test_message ("%s", all_ids[i]);
      confab_fake_provider_clear_requests (fixture->fake);

      error = chat (provider, request, &reply);
      g_assert_no_error (error);
      g_assert_cmpstr (confab_reply_get_text (reply), ==, "Echo from fake-model: Hello there");
      g_assert_cmpstr (confab_reply_get_stop_reason (reply), ==, "stop");
      /* "Be brief." and "Hello there" */
      g_assert_cmpint (confab_reply_get_input_tokens (reply), ==, 4);
      g_assert_cmpint (confab_reply_get_output_tokens (reply), ==, 5);
      g_assert_cmpstr (confab_reply_get_model (reply), ==, "fake-model");

      g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 1);
      seen = confab_fake_provider_get_request (fixture->fake, 0);
      g_assert_cmpstr (seen->method, ==, "POST");
      g_assert_cmpstr (seen->model, ==, "fake-model");
      body = json_from_string (g_bytes_get_data (seen->body, NULL), NULL);
      g_assert_nonnull (body);

      if (g_str_equal (all_ids[i], "anthropic"))
        {
          g_assert_cmpstr (seen->path, ==, "/v1/messages");
          g_assert_cmpstr (soup_message_headers_get_one (seen->headers, "x-api-key"), ==,
                           "test-key");
          g_assert_cmpstr (soup_message_headers_get_one (seen->headers, "anthropic-version"), ==,
                           "2023-06-01");
        }
      else if (g_str_equal (all_ids[i], "gemini"))
        {
          g_assert_cmpstr (seen->path, ==, "/v1beta/models/fake-model:streamGenerateContent");
          g_assert_cmpstr (seen->query, ==, "alt=sse");
          g_assert_cmpstr (soup_message_headers_get_one (seen->headers, "x-goog-api-key"), ==,
                           "test-key");
        }
      else
        {
          g_assert_cmpstr (seen->path, ==, "/v1/chat/completions");
          g_assert_cmpstr (soup_message_headers_get_one (seen->headers, "Authorization"), ==,
                           g_str_equal (all_ids[i], "ollama") ? NULL : "Bearer test-key");
          g_assert_true (json_object_get_boolean_member (json_node_get_object (body), "stream"));
        }
      if (g_str_equal (all_ids[i], "openrouter"))
        g_assert_cmpstr (soup_message_headers_get_one (seen->headers, "X-Title"), ==, "Confab");

      g_assert_finalize_object (g_steal_pointer (&reply));
    }
}

static void
test_tokens (Fixture       *fixture,
             gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (all_ids); i++)
    {
      g_autoptr(ConfabProvider) provider = provider_for (fixture, all_ids[i]);
      g_autoptr(ConfabChatRequest) request = simple_request ("m", "Go");
      g_autoptr(ConfabFakeScript) script = tokens_script (10);
      g_autoptr(ConfabReply) reply = confab_provider_chat (provider, request);
      g_autoptr(GError) error = NULL;
      Run run = { 0 };

      confab_fake_script_set_usage (script, 11, 22);
      confab_fake_script_set_finish_reason (script, "length");
      confab_fake_provider_push_script (fixture->fake, script);

      error = run_reply (reply, &run);
      g_assert_no_error (error);
      g_assert_cmpstr (confab_reply_get_text (reply), ==, "Alpha beta gamma delta epsilon");
      g_assert_cmpstr (confab_reply_get_stop_reason (reply), ==, "length");
      g_assert_cmpint (confab_reply_get_input_tokens (reply), ==, 11);
      g_assert_cmpint (confab_reply_get_output_tokens (reply), ==, 22);
      /* Written apart, they arrive apart: this is streaming, not a body. */
      g_assert_cmpuint (run.n_deltas, >=, 2);
    }
}

typedef struct
{
  const char  *file;
  const char  *id;
  const char  *text;
  const char  *stop_reason;
  gint64       input_tokens;
  gint64       output_tokens;
  ConfabProviderError error_code;   /* FAILED: none */
} ReplayCase;

static const ReplayCase replay_cases[] = {
  { "openai-chat-stream.sse", "openai", ROME, "stop", 52, 17, CONFAB_PROVIDER_ERROR_FAILED },
  { "ollama-openai-chat-stream.sse", "ollama", "The capital of Italy is Rome.", "stop", 58, 8,
    CONFAB_PROVIDER_ERROR_FAILED },
  { "anthropic-stream.sse", "anthropic", ROME, "stop", 31, 19, CONFAB_PROVIDER_ERROR_FAILED },
  { "gemini-stream.sse", "gemini", ROME "\n", "stop", 24, 14, CONFAB_PROVIDER_ERROR_FAILED },
  { "anthropic-error-overloaded.sse", "anthropic", "The capital of", NULL, 31, 1,
    CONFAB_PROVIDER_ERROR_OVERLOADED },
};

static void
test_replay (Fixture       *fixture,
             gconstpointer  data)
{
  /* Odd places: inside "data:", inside UTF-8 characters, inside CRLF. */
  static const gsize odd[] = { 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597 };

  for (guint i = 0; i < G_N_ELEMENTS (replay_cases); i++)
    {
      const ReplayCase *kase = &replay_cases[i];
      g_autofree char *path = fixture_path (kase->file);

      for (guint step = 0; step < 3; step++)
        {
          g_autoptr(ConfabProvider) provider = provider_for (fixture, kase->id);
          g_autoptr(ConfabChatRequest) request = simple_request ("m", "Italy?");
          g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
          g_autoptr(ConfabReply) reply = NULL;
          g_autoptr(GError) error = NULL;
          g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gsize));

          /* The Fibonacci cuts, every 7 bytes, every 61 bytes. */
          if (step == 0)
            g_array_append_vals (cuts, odd, G_N_ELEMENTS (odd));
          for (gsize at = step == 1 ? 7 : 61; step > 0 && at < 4096; at += step == 1 ? 7 : 61)
            g_array_append_val (cuts, at);

          g_test_message ("%s, cuts %u", kase->file, step);
          confab_fake_script_set_replay_file (script, path, NULL,
                                              (const gsize *) cuts->data, cuts->len, &error);
          g_assert_no_error (error);
          confab_fake_script_set_delay (script, 1);
          confab_fake_provider_push_script (fixture->fake, script);

          error = chat (provider, request, &reply);
          if (kase->error_code == CONFAB_PROVIDER_ERROR_FAILED)
            g_assert_no_error (error);
          else
            g_assert_error (error, CONFAB_PROVIDER_ERROR, (int) kase->error_code);
          g_assert_cmpstr (confab_reply_get_text (reply), ==, kase->text);
          g_assert_cmpstr (confab_reply_get_stop_reason (reply), ==, kase->stop_reason);
          g_assert_cmpint (confab_reply_get_input_tokens (reply), ==, kase->input_tokens);
          g_assert_cmpint (confab_reply_get_output_tokens (reply), ==, kase->output_tokens);
        }
    }
}

static void
push_http_error (Fixture    *fixture,
                 guint       status,
                 const char *fixture_file,
                 const char *body)
{
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
  g_autofree char *contents = NULL;

  if (fixture_file != NULL)
    {
      g_autofree char *path = fixture_path (fixture_file);
      g_autoptr(GError) error = NULL;

      g_file_get_contents (path, &contents, NULL, &error);
      g_assert_no_error (error);
      body = contents;
    }

  confab_fake_script_set_http_error (script, status, body, NULL);
  if (status == 429)
    confab_fake_script_add_header (script, "Retry-After", "7");
  confab_fake_provider_push_script (fixture->fake, script);
}

static GError *
chat_expecting_error (Fixture    *fixture,
                      const char *id,
                      const char *model)
{
  g_autoptr(ConfabProvider) provider = provider_for (fixture, id);
  g_autoptr(ConfabChatRequest) request = simple_request (model, "Hi");
  g_autoptr(ConfabReply) reply = NULL;
  GError *error = chat (provider, request, &reply);

  g_assert_nonnull (error);
  g_test_message ("%s: %s", id, error->message);
  g_assert_cmpstr (confab_reply_get_text (reply), ==, "");

  return error;
}

static void
test_http_errors (Fixture       *fixture,
                  gconstpointer  data)
{
  GError *error;

  push_http_error (fixture, 401, "openai-error-401.json", NULL);
  error = chat_expecting_error (fixture, "openai", "gpt-4o-mini");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_AUTH);
  g_assert_true (g_str_has_prefix (error->message, "The API key for OpenAI was refused."));
  g_clear_error (&error);

  push_http_error (fixture, 429, "openai-error-429-rate-limit.json", NULL);
  error = chat_expecting_error (fixture, "openai", "gpt-4o-mini");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_RATE_LIMITED);
  g_assert_cmpint (confab_provider_error_get_retry_after (error), ==, 7);
  g_clear_error (&error);

  push_http_error (fixture, 500, NULL, "{\"error\":{\"message\":\"The server had an error\","
                                       "\"type\":\"server_error\"}}");
  error = chat_expecting_error (fixture, "openrouter", "x/y");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_OVERLOADED);
  g_assert_true (strstr (error->message, "The server had an error") != NULL);
  g_clear_error (&error);

  push_http_error (fixture, 404, "ollama-error-404.json", NULL);
  error = chat_expecting_error (fixture, "ollama", "llama9");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_MODEL_NOT_FOUND);
  g_assert_true (strstr (error->message, "“llama9”") != NULL);
  g_clear_error (&error);

  push_http_error (fixture, 400, "openai-error-400-context-length.json", NULL);
  error = chat_expecting_error (fixture, "openai", "gpt-4o-mini");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_CONTEXT_LENGTH);
  g_clear_error (&error);

  push_http_error (fixture, 400, "gemini-error-400-api-key.json", NULL);
  error = chat_expecting_error (fixture, "gemini", "gemini-2.0-flash");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_AUTH);
  g_clear_error (&error);

  push_http_error (fixture, 401, "anthropic-error-401.json", NULL);
  error = chat_expecting_error (fixture, "anthropic", "claude-sonnet-4-5");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_AUTH);
  g_clear_error (&error);

  push_http_error (fixture, 529, NULL, "{\"type\":\"error\",\"error\":{\"type\":"
                                       "\"overloaded_error\",\"message\":\"Overloaded\"}}");
  error = chat_expecting_error (fixture, "anthropic", "claude-sonnet-4-5");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_OVERLOADED);
  g_clear_error (&error);
}

/* A script that goes wrong after two tokens, per wire. */
typedef void (*Breaker) (ConfabFakeScript *script);

static void
break_drop (ConfabFakeScript *script)
{
  confab_fake_script_set_drop_after (script, 2);
}

static void
break_malformed (ConfabFakeScript *script)
{
  confab_fake_script_set_malformed_after (script, 2);
}

static void
break_omit_final (ConfabFakeScript *script)
{
  confab_fake_script_set_omit_final (script, TRUE);
}

static void
break_error_event (ConfabFakeScript *script)
{
  confab_fake_script_set_error_event_after (script, 2, "overloaded_error", "Overloaded");
}

static void
run_broken (Fixture    *fixture,
            Breaker     breaker,
            const char *expected_text,
            GQuark      domain,
            int         code,
            int         alt_code)
{
  for (guint i = 0; i < G_N_ELEMENTS (all_ids); i++)
    {
      g_autoptr(ConfabProvider) provider = provider_for (fixture, all_ids[i]);
      g_autoptr(ConfabChatRequest) request = simple_request ("m", "Go");
      g_autoptr(ConfabFakeScript) script = tokens_script (2);
      g_autoptr(ConfabReply) reply = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", all_ids[i]);
      breaker (script);
      confab_fake_provider_push_script (fixture->fake, script);

      error = chat (provider, request, &reply);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      if (!g_error_matches (error, domain, alt_code))
        g_assert_error (error, domain, code);
      g_assert_cmpstr (confab_reply_get_text (reply), ==, expected_text);

      /* The session is still good for the next request. */
      {
        g_autoptr(ConfabChatRequest) next = simple_request ("m", "Again");
        g_autoptr(ConfabReply) next_reply = NULL;
        g_autoptr(GError) next_error = chat (provider, next, &next_reply);

        g_assert_no_error (next_error);
        g_assert_cmpstr (confab_reply_get_text (next_reply), ==, "Echo from m: Again");
      }
    }
}

static void
test_dropped (Fixture       *fixture,
              gconstpointer  data)
{
  run_broken (fixture, break_drop, "Alpha beta", CONFAB_PROVIDER_ERROR,
              CONFAB_PROVIDER_ERROR_NETWORK, CONFAB_PROVIDER_ERROR_STREAM);
}

static void
test_malformed (Fixture       *fixture,
                gconstpointer  data)
{
  run_broken (fixture, break_malformed, "Alpha beta", CONFAB_PROVIDER_ERROR,
              CONFAB_PROVIDER_ERROR_STREAM, CONFAB_PROVIDER_ERROR_STREAM);
}

static void
test_cut_off (Fixture       *fixture,
              gconstpointer  data)
{
  run_broken (fixture, break_omit_final, "Alpha beta gamma delta epsilon", CONFAB_PROVIDER_ERROR,
              CONFAB_PROVIDER_ERROR_STREAM, CONFAB_PROVIDER_ERROR_STREAM);
}

static void
test_error_event (Fixture       *fixture,
                  gconstpointer  data)
{
  run_broken (fixture, break_error_event, "Alpha beta", CONFAB_PROVIDER_ERROR,
              CONFAB_PROVIDER_ERROR_OVERLOADED, CONFAB_PROVIDER_ERROR_OVERLOADED);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);

  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (all_ids); i++)
    {
      g_autoptr(ConfabProvider) provider = provider_for (fixture, all_ids[i]);
      g_autoptr(ConfabChatRequest) request = simple_request ("m", "Go");
      g_autoptr(ConfabFakeScript) slow = tokens_script (30);
      g_autoptr(ConfabFakeScript) stalled = tokens_script (1);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(ConfabReply) reply = confab_provider_chat (provider, request);
      g_autoptr(ConfabReply) reply2 = NULL;
      g_autoptr(GError) error = NULL;
      Run run = { 0 };
      Run run2 = { 0 };

      g_test_message ("%s", all_ids[i]);

      /* From the delta handler, while tokens keep coming. */
      confab_fake_provider_push_script (fixture->fake, slow);
      run.cancellable = cancellable;
      run.cancel_at_delta = 2;
      error = run_reply (reply, &run);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_true (g_str_has_prefix ("Alpha beta gamma delta epsilon",
                                       confab_reply_get_text (reply)));
      g_assert_cmpstr (confab_reply_get_text (reply), !=, "");
      g_clear_error (&error);

      /* From outside, while the server sends nothing: no waiting for it. */
      confab_fake_script_set_stall_after (stalled, 2);
      confab_fake_provider_push_script (fixture->fake, stalled);
      g_clear_object (&cancellable);
      cancellable = g_cancellable_new ();
      run2.cancellable = cancellable;
      reply2 = confab_provider_chat (provider, request);
      g_timeout_add (300, cancel_cb, cancellable);
      error = run_reply (reply2, &run2);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpstr (confab_reply_get_text (reply2), ==, "Alpha beta");
      g_clear_error (&error);
    }

  /* Cancelled before it starts. */
  {
    g_autoptr(ConfabProvider) provider = provider_for (fixture, "openai");
    g_autoptr(ConfabChatRequest) request = simple_request ("m", "Go");
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(ConfabReply) reply = confab_provider_chat (provider, request);
    g_autoptr(GError) error = NULL;
    Run run = { 0 };

    g_cancellable_cancel (cancellable);
    run.cancellable = cancellable;
    error = run_reply (reply, &run);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabChatRequest) request = simple_request ("m", "Hi");
  g_autoptr(ConfabReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *host = NULL;
  guint16 port;

  /* A port that was free a moment ago and has no listener now. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  url = g_strdup_printf ("http://127.0.0.1:%u/v1", port);
  host = g_strdup_printf ("127.0.0.1:%u", port);
  provider = confab_provider_new ("openai", url, &error);
  g_assert_no_error (error);
  confab_provider_set_api_key (provider, "k");

  error = chat (provider, request, &reply);
  g_test_message ("%s", error->message);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NETWORK);
  g_assert_true (strstr (error->message, host) != NULL);
  g_assert_true (strstr (error->message, "OpenAI") != NULL);
}

static void
test_no_key (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(ConfabProvider) provider = provider_for (fixture, "gemini");
  g_autoptr(ConfabChatRequest) request = simple_request ("m", "Hi");
  g_autoptr(ConfabReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  confab_provider_set_api_key (provider, NULL);
  error = chat (provider, request, &reply);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NO_KEY);
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 0);
}

static void
test_json_body (Fixture       *fixture,
                gconstpointer  data)
{
  static const char whole[] =
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"m-1\",\"choices\":"
    "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"All at once\"},"
    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3}}";
  g_autoptr(ConfabProvider) provider = provider_for (fixture, "openai");
  g_autoptr(ConfabChatRequest) request = simple_request ("m", "Hi");
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
  g_autoptr(GBytes) body = g_bytes_new_static (whole, strlen (whole));
  g_autoptr(ConfabReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* A server that ignored "stream": true. */
  confab_fake_script_set_replay (script, body, "application/json", NULL, 0);
  confab_fake_provider_push_script (fixture->fake, script);
  error = chat (provider, request, &reply);
  g_assert_no_error (error);
  g_assert_cmpstr (confab_reply_get_text (reply), ==, "All at once");
  g_assert_cmpstr (confab_reply_get_model (reply), ==, "m-1");
  g_clear_object (&reply);

  /* A captive portal's page on a 200. */
  {
    g_autoptr(ConfabFakeScript) page = confab_fake_script_new ();
    g_autoptr(GBytes) html = g_bytes_new_static ("<html>Log in</html>", 19);

    confab_fake_script_set_replay (page, html, "text/html; charset=utf-8", NULL, 0);
    confab_fake_provider_push_script (fixture->fake, page);
    error = chat (provider, request, &reply);
    g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_STREAM);
    g_assert_true (strstr (error->message, "web page") != NULL);
  }
}

/* ------------------------------------------------------------------------ */

typedef struct
{
  gboolean   done;
  GPtrArray *models;
  GError    *error;
} ListRun;

static void
on_models (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ListRun *run = user_data;

  run->models = confab_provider_list_models_finish (CONFAB_PROVIDER (object), result,
                                                    &run->error);
  run->done = TRUE;
}

static GPtrArray *
list_models (ConfabProvider  *provider,
             GError         **error)
{
  ListRun run = { 0 };

  confab_provider_list_models_async (provider, NULL, on_models, &run);
  spin_until (&run.done, "a model list");
  if (run.error != NULL)
    g_propagate_error (error, run.error);

  return run.models;
}

static void
test_models (Fixture       *fixture,
             gconstpointer  data)
{
  static const struct {
    const char *id, *first, *path;
    gint64 context;
  } cases[] = {
    { "openai", "gpt-4o-mini", "/v1/models", 0 },
    { "anthropic", "claude-sonnet-4-5", "/v1/models", 200000 },
    { "gemini", "gemini-2.5-flash", "/v1beta/models", 1048576 },
    { "openrouter", "gpt-4o-mini", "/v1/models", 0 },
    { "ollama", "llama3.2:latest", "/api/tags", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ConfabProvider) provider = provider_for (fixture, cases[i].id);
      g_autoptr(GPtrArray) models = NULL;
      g_autoptr(GError) error = NULL;
      const ConfabFakeRequest *seen;
      ConfabModelInfo *first;

      confab_fake_provider_clear_requests (fixture->fake);
      models = list_models (provider, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (models->len, ==, 2);
      first = g_ptr_array_index (models, 0);
      g_assert_cmpstr (confab_model_info_get_model (first), ==, cases[i].first);
      g_assert_cmpint (confab_model_info_get_context_window (first), ==, cases[i].context);
      g_assert_cmpstr (confab_model_info_get_provider (first), ==, cases[i].id);

      seen = confab_fake_provider_get_request (fixture->fake, 0);
      g_assert_cmpstr (seen->method, ==, "GET");
      g_assert_cmpstr (seen->path, ==, cases[i].path);
    }

  /* Errors map as for chats. */
  {
    g_autoptr(ConfabProvider) provider = provider_for (fixture, "anthropic");
    g_autoptr(GPtrArray) models = NULL;
    g_autoptr(GError) error = NULL;

    push_http_error (fixture, 401, "anthropic-error-401.json", NULL);
    models = list_models (provider, &error);
    g_assert_null (models);
    g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_AUTH);
  }
  {
    g_autoptr(ConfabProvider) provider = provider_for (fixture, "openai");
    g_autoptr(GPtrArray) models = NULL;
    g_autoptr(GError) error = NULL;

    confab_provider_set_api_key (provider, NULL);
    models = list_models (provider, &error);
    g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NO_KEY);
  }
}

static void
test_concurrent (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ConfabProvider) provider = provider_for (fixture, "anthropic");
  g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func (g_object_unref);
  Run runs[6] = { 0 };
  gboolean all_done = FALSE;

  /* Several replies at once share the session without mixing up text. */
  confab_fake_provider_set_default_delay (fixture->fake, 3);
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autofree char *text = g_strdup_printf ("Question %u", i);
      g_autoptr(ConfabChatRequest) request = simple_request ("m", text);
      ConfabReply *reply = confab_provider_chat (provider, request);

      g_ptr_array_add (replies, reply);
      runs[i].deltas = g_string_new (NULL);
      g_signal_connect (reply, "delta", G_CALLBACK (on_delta), &runs[i]);
      confab_reply_run_async (reply, NULL, on_run_done, &runs[i]);
    }

  while (!all_done)
    {
      g_main_context_iteration (NULL, TRUE);
      all_done = TRUE;
      for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
        all_done &= runs[i].done;
    }

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autofree char *expected = g_strdup_printf ("Echo from m: Question %u", i);

      g_assert_no_error (runs[i].error);
      g_assert_cmpstr (confab_reply_get_text (g_ptr_array_index (replies, i)), ==, expected);
      g_assert_cmpstr (runs[i].deltas->str, ==, expected);
      g_string_free (runs[i].deltas, TRUE);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (env_vars); i++)
    g_unsetenv (env_vars[i]);

#define ADD(path, func) \
  g_test_add ("/confab/provider-stream/" path, Fixture, NULL, fixture_set_up, func, \
              fixture_tear_down)
  ADD ("echo", test_echo);
  ADD ("tokens", test_tokens);
  ADD ("replay", test_replay);
  ADD ("http-errors", test_http_errors);
  ADD ("dropped", test_dropped);
  ADD ("malformed", test_malformed);
  ADD ("cut-off", test_cut_off);
  ADD ("error-event", test_error_event);
  ADD ("cancel", test_cancel);
  ADD ("refused", test_refused);
  ADD ("no-key", test_no_key);
  ADD ("json-body", test_json_body);
  ADD ("models", test_models);
  ADD ("concurrent", test_concurrent);
#undef ADD

  return g_test_run ();
}
