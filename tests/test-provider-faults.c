/* test-provider-faults.c: a provider that misbehaves on the wire, over real
 * HTTP against the fake provider, in each wire format: nothing listening,
 * connection resets at every phase of an answer, a slow-loris server, a
 * stream of keep-alives and a reply that never ends. Each one ends the turn
 * with a clear error, keeps the prompt and the text that arrived, and hangs
 * nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "confab-fake-provider.h"
#include "confab-provider-private.h"
#include "confab-test-utils.h"

#if defined(__SANITIZE_ADDRESS__)
# define UNDER_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define UNDER_ASAN 1
# endif
#endif

typedef struct
{
  ConfabTestStore     base;
  ConfabFakeProvider *fake;
  ConfabChat         *chat;
} Fixture;

/* The three wires, one model each. */
static const char * const wires[] = { "openai", "anthropic", "gemini" };
static const char * const models[] = { "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash" };

static const char * const env_vars[] = {
  "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GEMINI_BASE_URL", "OPENROUTER_BASE_URL",
  "OLLAMA_HOST", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY",
};

static const char * const tokens[] = { "Hello", " world", " and", " more", NULL };

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabProject) project = NULL;

  confab_test_store_setup (&fixture->base, data);
  /* A fresh server, so a fresh connection: no pooled one to retry on. */
  fixture->fake = confab_fake_provider_new (0, &error);
  g_assert_no_error (error);

  project = confab_test_create_project (fixture->base.store, "Faults");
  fixture->chat = confab_test_create_chat (fixture->base.store, project, "Chat");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->chat);
  g_assert_finalize_object (g_steal_pointer (&fixture->fake));
  /* Let closed connections be noticed before the next test. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  confab_test_store_teardown (&fixture->base, data);
}

static ConfabChatSession *
session_at (Fixture    *fixture,
            guint       wire,
            const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabProvider) provider = NULL;

  provider = confab_provider_new (wires[wire], url, &error);
  g_assert_no_error (error);
  confab_provider_set_api_key (provider, "test-key");

  return confab_chat_session_new (fixture->base.store, fixture->chat, provider, models[wire]);
}

static ConfabChatSession *
session_for (Fixture *fixture,
             guint    wire)
{
  return session_at (fixture, wire, confab_fake_provider_get_url (fixture->fake));
}

/* ------------------------------------------------------------------------ */
/* One turn to its end, within a bound: nothing may hang. */

typedef struct
{
  gboolean done;
  GError  *error;
} Turn;

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
  g_error ("%s: the turn did not end in time", (const char *) user_data);

  return G_SOURCE_REMOVE;
}

/* Returns the error (or NULL); the time taken in *elapsed_ms. */
static GError *
run_turn (ConfabChatSession *session,
          const char        *prompt,
          guint              limit_s,
          gint64            *elapsed_ms)
{
  Turn turn = { 0 };
  gint64 start = g_get_monotonic_time ();
  guint timeout_id = g_timeout_add_seconds (limit_s, on_timeout, (gpointer) prompt);

  confab_chat_session_send_async (session, prompt, NULL, on_send_done, &turn);
  while (!turn.done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout_id);

  g_assert_false (confab_chat_session_get_busy (session));
  if (elapsed_ms != NULL)
    *elapsed_ms = (g_get_monotonic_time () - start) / 1000;

  return turn.error;
}

/* The prompt is stored whole; the reply is an error row that holds the
 * message shown and the text that arrived. */
static void
assert_stored (Fixture           *fixture,
               ConfabChatSession *session,
               const char        *prompt,
               const GError      *error,
               const char        *partial)
{
  ConfabStore *store = fixture->base.store;
  g_autoptr(ConfabMessageList) list = NULL;
  g_autoptr(ConfabMessage) user = NULL;
  g_autoptr(ConfabMessage) reply = NULL;
  guint n;

  list = confab_store_list_messages (store, confab_chat_get_id (fixture->chat), 0);
  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (n, >=, 2);
  user = g_list_model_get_item (G_LIST_MODEL (list), n - 2);
  reply = g_list_model_get_item (G_LIST_MODEL (list), n - 1);

  g_assert_cmpint (confab_message_get_role (user), ==, CONFAB_ROLE_USER);
  g_assert_cmpstr (confab_message_get_content (user), ==, prompt);
  g_assert_cmpint (confab_message_get_status (user), ==, CONFAB_MESSAGE_STATUS_COMPLETE);
  g_assert_cmpint (confab_message_get_id (reply), ==,
                   confab_message_get_id (confab_chat_session_get_reply_message (session)));
  g_assert_cmpint (confab_message_get_status (reply), ==, CONFAB_MESSAGE_STATUS_ERROR);
  g_assert_cmpstr (confab_message_get_error (reply), ==, error->message);
  if (partial != NULL)
    g_assert_cmpstr (confab_message_get_content (reply), ==, partial);
}

static void
assert_message_has (const GError *error,
                    const char   *words)
{
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” not in the error: %s", words, error->message);
}

/* The server noticed the client went: no stream left writing. */
static void
wait_streams_gone (Fixture *fixture)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (confab_fake_provider_get_n_streams (fixture->fake) > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* ------------------------------------------------------------------------ */
/* Nothing listening. */

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  /* Bound and closed without listen(): connecting there is refused. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  for (guint w = 0; w < G_N_ELEMENTS (wires); w++)
    {
      g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", free_port ());
      g_autoptr(ConfabChatSession) session = session_at (fixture, w, url);
      g_autofree char *prompt = g_strdup_printf ("Anyone there, %s?", wires[w]);
      g_autoptr(GError) error = run_turn (session, prompt, 10, NULL);

      g_test_message ("%s: %s", wires[w], error ? error->message : "no error");
      g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NETWORK);
      assert_message_has (error, "refused the connection");
      assert_stored (fixture, session, prompt, error, "");
    }
}

/* ------------------------------------------------------------------------ */
/* Connection resets. */

typedef struct
{
  ConfabFakeReset      when;
  guint                wire;
  gint                 code;      /* a ConfabProviderError */
  const char          *partial;   /* the text kept */
  const char          *words;     /* in the message */
} ResetCase;

/* A reset once the body has begun reads as its end: libsoup takes a
 * chunked body cut between two chunks for a whole one. The wire's final
 * event is missing, which says the reply is incomplete. */
#define RESET_CASES(wire)                                                                  \
  { CONFAB_FAKE_RESET_BEFORE_HEADERS, wire, CONFAB_PROVIDER_ERROR_NETWORK, "",                  \
    "closed the connection before answering. Try again" },                                 \
  { CONFAB_FAKE_RESET_AFTER_HEADERS, wire, CONFAB_PROVIDER_ERROR_STREAM, "",                    \
    "ended before any of the reply arrived. Try again." },                                 \
  { CONFAB_FAKE_RESET_MID_BODY, wire, CONFAB_PROVIDER_ERROR_STREAM, "Hello world",              \
    "ended before the reply was complete. The part that arrived is kept; try again." }

static const ResetCase reset_cases[] = {
  RESET_CASES (0),
  RESET_CASES (1),
  RESET_CASES (2),
};

static const char *
reset_name (ConfabFakeReset when)
{
  switch (when)
    {
    case CONFAB_FAKE_RESET_BEFORE_HEADERS:
      return "before-headers";
    case CONFAB_FAKE_RESET_AFTER_HEADERS:
      return "after-headers";
    case CONFAB_FAKE_RESET_MID_BODY:
      return "mid-body";
    case CONFAB_FAKE_RESET_NONE:
    default:
      g_assert_not_reached ();
    }
}

static void
test_reset (Fixture       *fixture,
            gconstpointer  data)
{
  const ResetCase *kase = data;
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
  g_autoptr(ConfabChatSession) session = session_for (fixture, kase->wire);
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = g_strdup_printf ("Reset %s", reset_name (kase->when));

  confab_fake_script_set_tokens (script, tokens);
  confab_fake_script_set_reset (script, kase->when, 2);
  confab_fake_provider_push_script (fixture->fake, script);

  error = run_turn (session, prompt, 10, NULL);
  g_test_message ("%s, %s: %s", wires[kase->wire], reset_name (kase->when),
                  error ? error->message : "no error");
  g_assert_error (error, CONFAB_PROVIDER_ERROR, kase->code);
  assert_message_has (error, kase->words);
  assert_stored (fixture, session, prompt, error, kase->partial);
  /* Answered once: libsoup did not quietly send it again. */
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fixture->fake), ==, 1);
  wait_streams_gone (fixture);
}

/* ------------------------------------------------------------------------ */
/* Deadlines. */

/* Under valgrind a turn takes seconds of its own: only lower bounds hold. */
static gboolean
slow_machine (void)
{
  return g_getenv ("CONFAB_UNDER_VALGRIND") != NULL;
}

static void
set_timeouts (ConfabChatSession *session,
              guint              event_ms,
              guint              keepalive_ms)
{
  g_object_set (confab_chat_session_get_provider (session),
                "event-timeout", event_ms,
                "keepalive-timeout", keepalive_ms,
                NULL);
}

/* A byte every 100 ms: each event would take many seconds, the stream
 * forever; libsoup's own timeout never fires. */
static void
test_slow_loris (Fixture       *fixture,
                 gconstpointer  data)
{
  guint wire = GPOINTER_TO_UINT (data);
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
  g_autoptr(ConfabChatSession) session = session_for (fixture, wire);
  g_autoptr(GError) error = NULL;
  gint64 elapsed = 0;

  set_timeouts (session, 600, 60 * 1000);
  confab_fake_script_set_tokens (script, tokens);
  confab_fake_script_set_trickle (script, 2, 1, 100);
  confab_fake_provider_push_script (fixture->fake, script);

  error = run_turn (session, "Slowly", 10, &elapsed);
  g_test_message ("%s: %s (%" G_GINT64_FORMAT " ms)", wires[wire],
                  error ? error->message : "no error", elapsed);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NETWORK);
  assert_message_has (error, "stopped sending in the middle of the reply");
  assert_message_has (error, "1 second");
  assert_message_has (error, "The part that arrived is kept");
  assert_stored (fixture, session, "Slowly", error, "Hello world");
  /* The event timeout after the last whole event, not much more. */
  g_assert_cmpint (elapsed, >=, 600);
  if (!slow_machine ())
    g_assert_cmpint (elapsed, <, 4000);
  /* The connection was given up: the server's writes failed. */
  wait_streams_gone (fixture);
}

/* Keep-alives further apart than the event timeout, for longer than it:
 * silence between events is not a stall, and the reply completes. */
static void
test_keepalives_kept (Fixture       *fixture,
                      gconstpointer  data)
{
  guint wire = GPOINTER_TO_UINT (data);
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
  g_autoptr(ConfabChatSession) session = session_for (fixture, wire);
  g_autoptr(GError) error = NULL;
  gint64 elapsed = 0;

  set_timeouts (session, 300, 10 * 1000);
  confab_fake_script_set_tokens (script, tokens);
  confab_fake_script_set_keepalives (script, 4, 400);
  confab_fake_provider_push_script (fixture->fake, script);

  error = run_turn (session, "Think first", 20, &elapsed);
  g_assert_no_error (error);
  g_assert_cmpint (elapsed, >=, 1600);
  g_assert_cmpstr (confab_message_get_content (confab_chat_session_get_reply_message (session)),
                   ==, "Hello world and more");
  g_assert_cmpint (confab_message_get_status (confab_chat_session_get_reply_message (session)),
                   ==, CONFAB_MESSAGE_STATUS_COMPLETE);
}

/* Keep-alives alone, for longer than the keep-alive bound: given up. */
static void
test_keepalives_only (Fixture       *fixture,
                      gconstpointer  data)
{
  guint wire = GPOINTER_TO_UINT (data);
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
  g_autoptr(ConfabChatSession) session = session_for (fixture, wire);
  g_autoptr(GError) error = NULL;
  gint64 elapsed = 0;

  set_timeouts (session, 300, 1000);
  confab_fake_script_set_tokens (script, tokens);
  confab_fake_script_set_keepalives (script, 40, 100);
  confab_fake_provider_push_script (fixture->fake, script);

  error = run_turn (session, "Never answers", 10, &elapsed);
  g_test_message ("%s: %s (%" G_GINT64_FORMAT " ms)", wires[wire],
                  error ? error->message : "no error", elapsed);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NETWORK);
  assert_message_has (error, "kept the connection open but sent nothing of the reply for "
                             "1 second");
  assert_stored (fixture, session, "Never answers", error, "");
  g_assert_cmpint (elapsed, >=, 1000);
  if (!slow_machine ())
    g_assert_cmpint (elapsed, <, 3500);
  wait_streams_gone (fixture);
}

/* ------------------------------------------------------------------------ */
/* A reply that never ends. */

/* Kilobytes of one field of /proc/self/status, -1 when unknown. */
static gint64
proc_status_kb (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, field);
  if (line == NULL)
    return -1;

  return g_ascii_strtoll (line + strlen (field), NULL, 10);
}

/* The peak from here on (Linux ≥ 4.0), so earlier tests do not count. */
static void
reset_peak_rss (void)
{
  FILE *file = fopen ("/proc/self/clear_refs", "w");

  if (file == NULL || fputs ("5", file) < 0 || fclose (file) != 0)
    g_test_message ("could not reset the peak RSS: %s", g_strerror (errno));
}

#define HUGE_CHUNK "All work and no play makes Jack a dull boy. "

static void
test_huge_reply (Fixture       *fixture,
                 gconstpointer  data)
{
  guint wire = GPOINTER_TO_UINT (data);
  g_autoptr(ConfabFakeScript) script = confab_fake_script_new ();
  g_autoptr(ConfabChatSession) session = session_for (fixture, wire);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) chunk = g_string_new (NULL);
  const char *piece[2] = { NULL, NULL };
  const char *text;
  gsize len;
  gint64 rss_before;
  gint64 peak = -1;
  gint64 elapsed = 0;

  /* 8 KiB-ish pieces, 50 MB in all. */
  while (chunk->len < 8000)
    g_string_append (chunk, HUGE_CHUNK);
  piece[0] = chunk->str;
  confab_fake_script_set_tokens (script, piece);
  confab_fake_script_set_repeat (script, 50 * 1000 * 1000 / chunk->len + 1);
  confab_fake_provider_push_script (fixture->fake, script);

  reset_peak_rss ();
  rss_before = proc_status_kb ("VmRSS:");

  error = run_turn (session, "Go on forever", 120, &elapsed);
  g_test_message ("%s: %s (%" G_GINT64_FORMAT " ms)", wires[wire],
                  error ? error->message : "no error", elapsed);
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_STREAM);
  /* g_format_size() puts a no-break space before the unit. */
  assert_message_has (error, "was longer than 4.0\u00a0MiB and was cut off there");
  assert_message_has (error, "The part that arrived is kept");

  /* Exactly the cap (the text is ASCII), and the text that was sent. */
  text = confab_message_get_content (confab_chat_session_get_reply_message (session));
  len = strlen (text);
  g_assert_cmpuint (len, ==, CONFAB_REPLY_MAX_TEXT_SIZE);
  for (gsize pos = 0; pos < len; pos += chunk->len)
    g_assert_true (memcmp (text + pos, chunk->str, MIN (chunk->len, len - pos)) == 0);
  assert_stored (fixture, session, "Go on forever", error, NULL);
  g_assert_cmpuint (confab_test_query_int (fixture->base.store,
                                           "SELECT length(content) FROM messages "
                                           "ORDER BY id DESC LIMIT 1"),
                    ==, CONFAB_REPLY_MAX_TEXT_SIZE);

  /* Reading stopped at the cap: the server's writes failed soon after. */
  wait_streams_gone (fixture);

  peak = proc_status_kb ("VmHWM:");
  g_test_message ("RSS before %" G_GINT64_FORMAT " KiB, peak %" G_GINT64_FORMAT " KiB",
                  rss_before, peak);
#ifdef UNDER_ASAN
  g_test_message ("AddressSanitizer keeps freed memory: the peak says nothing here");
#else
  if (g_getenv ("CONFAB_UNDER_VALGRIND") == NULL && rss_before > 0 && peak > 0)
    g_assert_cmpint (peak - rss_before, <, 64 * 1024);
#endif
}

/* The cap cuts between characters, never inside one. */
static void
test_cap_utf8 (void)
{
  static const char event[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":"
    "\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"}}]}\n\n";

  for (gsize max = 8; max <= 10; max++)
    {
      ConfabStreamState state;
      g_autoptr(ConfabStreamDecoder) decoder = NULL;
      g_autoptr(GError) error = NULL;

      _confab_stream_state_init (&state, "OpenAI", "gpt-4o-mini");
      state.max_text = max;
      decoder = _confab_stream_decoder_new (_confab_openai_decode_event, &state);
      g_assert_false (_confab_stream_decoder_feed (decoder, (const guint8 *) event,
                                                   strlen (event), &error));
      g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_STREAM);
      g_assert_true (state.too_long);
      g_assert_cmpuint (state.text->len, ==, max - max % 2);
      g_assert_true (g_utf8_validate (state.text->str, state.text->len, NULL));
      g_clear_pointer (&decoder, _confab_stream_decoder_free);
      _confab_stream_state_clear (&state);
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

  g_test_add ("/confab/provider-faults/refused", Fixture, NULL,
              fixture_set_up, test_refused, fixture_tear_down);

  for (guint i = 0; i < G_N_ELEMENTS (reset_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/confab/provider-faults/reset/%s/%s",
                                               reset_name (reset_cases[i].when),
                                               wires[reset_cases[i].wire]);

      g_test_add (path, Fixture, &reset_cases[i], fixture_set_up, test_reset,
                  fixture_tear_down);
    }

  for (guint w = 0; w < G_N_ELEMENTS (wires); w++)
    {
      static const struct
      {
        const char *name;
        void (*func) (Fixture *, gconstpointer);
      } tests[] = {
        { "slow-loris", test_slow_loris },
        { "keepalives-kept", test_keepalives_kept },
        { "keepalives-only", test_keepalives_only },
        { "huge-reply", test_huge_reply },
      };

      for (guint t = 0; t < G_N_ELEMENTS (tests); t++)
        {
          g_autofree char *path = g_strdup_printf ("/confab/provider-faults/%s/%s",
                                                   tests[t].name, wires[w]);

          g_test_add (path, Fixture, GUINT_TO_POINTER (w), fixture_set_up, tests[t].func,
                      fixture_tear_down);
        }
    }

  g_test_add_func ("/confab/provider-faults/cap-utf8", test_cap_utf8);

  return confab_test_run ();
}
