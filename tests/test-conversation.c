/* test-conversation.c: the conversation builder without HTTP: attribution
 * of other models' replies, incomplete replies, thread context, trimming
 * to the context window, and the request bodies each wire builds from it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include "confab-provider-private.h"
#include "confab-test-utils.h"

typedef ConfabTestStore Fixture;

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, confab_test_store_setup, func, confab_test_store_teardown)

#define GPT "openai:gpt-4o-mini"
#define CLAUDE "anthropic:claude-sonnet-4-5"
#define GEMINI "gemini:gemini-2.5-flash"

static ConfabMessage *
add (ConfabStore         *store,
     ConfabChat          *chat,
     gint64               parent_id,
     ConfabRole           role,
     const char          *writer,    /* "PROVIDER:MODEL" for replies */
     ConfabMessageStatus  status,
     const char          *content)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *provider = NULL;
  g_autofree char *model = NULL;
  ConfabMessageDraft draft = {
    .chat_id = confab_chat_get_id (chat),
    .parent_id = parent_id,
    .role = role,
    .author = role == CONFAB_ROLE_USER ? "tester" : writer,
    .content = content,
    .status = status,
    .input_tokens = -1,
    .output_tokens = -1,
  };
  ConfabMessage *message;

  if (role == CONFAB_ROLE_ASSISTANT && writer != NULL)
    {
      g_assert_true (confab_conversation_split_model (writer, &provider, &model, NULL));
      draft.provider = provider;
      draft.model = model;
    }

  message = confab_store_add_message (store, &draft, &error);
  g_assert_no_error (error);
  return message;
}

#define ADD_USER(text) \
  g_object_unref (add (store, chat, 0, CONFAB_ROLE_USER, NULL, \
                       CONFAB_MESSAGE_STATUS_COMPLETE, text))
#define ADD_REPLY(writer, text) \
  g_object_unref (add (store, chat, 0, CONFAB_ROLE_ASSISTANT, writer, \
                       CONFAB_MESSAGE_STATUS_COMPLETE, text))

static GPtrArray *
collect (ConfabStore *store,
         ConfabChat  *chat,
         gint64       parent_id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *messages = confab_conversation_collect (store, confab_chat_get_id (chat),
                                                     parent_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (messages);
  return messages;
}

/* The turns as "user:TEXT|assistant:TEXT", newlines shown as "\n". */
static char *
describe_turns (ConfabChatRequest *request)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < confab_chat_request_get_n_turns (request); i++)
    {
      const ConfabTurn *turn = confab_chat_request_get_turn (request, i);
      g_auto(GStrv) lines = g_strsplit (turn->text, "\n", -1);
      g_autofree char *text = g_strjoinv ("\\n", lines);

      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append_printf (out, "%s:%s", confab_role_to_string (turn->role), text);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_split_model (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *provider = NULL;
  g_autofree char *model = NULL;

  g_assert_true (confab_conversation_split_model ("ollama:llama3.2:latest", &provider, &model,
                                                  &error));
  g_assert_no_error (error);
  g_assert_cmpstr (provider, ==, "ollama");
  g_assert_cmpstr (model, ==, "llama3.2:latest");
  g_clear_pointer (&provider, g_free);
  g_clear_pointer (&model, g_free);

  g_assert_true (confab_conversation_split_model ("openrouter:openai/gpt-4o", &provider, &model,
                                                  NULL));
  g_assert_cmpstr (provider, ==, "openrouter");
  g_assert_cmpstr (model, ==, "openai/gpt-4o");

  g_assert_false (confab_conversation_split_model ("gpt-4o", NULL, NULL, &error));
  g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (confab_conversation_split_model (":gpt", NULL, NULL, NULL));
  g_assert_false (confab_conversation_split_model ("openai:", NULL, NULL, NULL));
}

static void
test_estimate (void)
{
  g_assert_cmpint (confab_conversation_estimate_tokens (""), ==, 0);
  g_assert_cmpint (confab_conversation_estimate_tokens (NULL), ==, 0);
  g_assert_cmpint (confab_conversation_estimate_tokens ("abcd"), ==, 1);
  g_assert_cmpint (confab_conversation_estimate_tokens ("abcde"), ==, 2);
  /* Bytes, not characters: "é" is two. */
  g_assert_cmpint (confab_conversation_estimate_tokens ("éééé"), ==, 2);
}

static void
test_attribution (Fixture       *fixture,
                  gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "C");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(ConfabChatRequest) request = NULL;
  g_autofree char *turns = NULL;
  const char *system;
  guint dropped = 99;

  ADD_USER ("What is 2+2?");
  ADD_REPLY (GPT, "4.");
  ADD_USER ("And 3+3?");
  ADD_REPLY (CLAUDE, "6.");
  ADD_USER ("Who said what?");

  messages = collect (store, chat, 0);
  g_assert_cmpuint (messages->len, ==, 5);

  /* For Claude: GPT's answer is attributed, its own is not. */
  request = confab_conversation_build (messages, CLAUDE, "Be brief.", 0, 0, &dropped);
  g_assert_cmpuint (dropped, ==, 0);
  g_assert_cmpstr (confab_chat_request_get_model (request), ==, "claude-sonnet-4-5");
  turns = describe_turns (request);
  g_assert_cmpstr (turns, ==,
                   "user:What is 2+2?|"
                   "assistant:[Reply from " GPT "]\\n4.|"
                   "user:And 3+3?|"
                   "assistant:6.|"
                   "user:Who said what?");
  system = confab_chat_request_get_system (request);
  g_assert_true (g_str_has_prefix (system, "Be brief.\n\n"));
  g_assert_nonnull (strstr (system, "[Reply from"));
  g_clear_pointer (&request, confab_chat_request_unref);
  g_clear_pointer (&turns, g_free);

  /* For a third model both are attributed. */
  request = confab_conversation_build (messages, GEMINI, NULL, 0, 0, NULL);
  turns = describe_turns (request);
  g_assert_cmpstr (turns, ==,
                   "user:What is 2+2?|"
                   "assistant:[Reply from " GPT "]\\n4.|"
                   "user:And 3+3?|"
                   "assistant:[Reply from " CLAUDE "]\\n6.|"
                   "user:Who said what?");
  g_assert_nonnull (confab_chat_request_get_system (request));
  g_clear_pointer (&request, confab_chat_request_unref);
  g_clear_pointer (&turns, g_free);
}

static void
test_single_model (Fixture       *fixture,
                   gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "C");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(ConfabChatRequest) request = NULL;
  g_autofree char *turns = NULL;

  ADD_USER ("Hi");
  ADD_REPLY (GPT, "Hello!");
  ADD_USER ("Bye");

  /* One model all along: no marks, no note, no system prompt at all. */
  messages = collect (store, chat, 0);
  request = confab_conversation_build (messages, GPT, NULL, 0, 0, NULL);
  turns = describe_turns (request);
  g_assert_cmpstr (turns, ==, "user:Hi|assistant:Hello!|user:Bye");
  g_assert_null (confab_chat_request_get_system (request));
}

static void
test_incomplete (Fixture       *fixture,
                 gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "C");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(ConfabChatRequest) request = NULL;
  g_autofree char *turns = NULL;
  g_autoptr(ConfabMessage) failed = NULL;
  g_autoptr(ConfabMessage) cancelled = NULL;
  g_autoptr(ConfabMessage) empty = NULL;
  g_autoptr(ConfabMessage) stale = NULL;

  ADD_USER ("One");
  failed = add (store, chat, 0, CONFAB_ROLE_ASSISTANT, CLAUDE, CONFAB_MESSAGE_STATUS_STREAMING,
                "Partial an");
  g_assert_true (confab_store_finish_message (store, failed, CONFAB_MESSAGE_STATUS_ERROR,
                                              "Connection lost", -1, -1, NULL));
  ADD_USER ("Two");
  cancelled = add (store, chat, 0, CONFAB_ROLE_ASSISTANT, GPT, CONFAB_MESSAGE_STATUS_CANCELLED,
                   "Stopped mid");
  ADD_USER ("Three");
  empty = add (store, chat, 0, CONFAB_ROLE_ASSISTANT, GPT, CONFAB_MESSAGE_STATUS_ERROR, "");
  ADD_USER ("Four");
  /* Left "streaming" by a crash. */
  stale = add (store, chat, 0, CONFAB_ROLE_ASSISTANT, GPT, CONFAB_MESSAGE_STATUS_STREAMING,
               "Half");
  ADD_USER ("Five");

  messages = collect (store, chat, 0);
  request = confab_conversation_build (messages, GPT, NULL, 0, 0, NULL);
  turns = describe_turns (request);
  /* The empty failed reply says nothing and is left out. */
  g_assert_cmpstr (turns, ==,
                   "user:One|"
                   "assistant:[Reply from " CLAUDE "]\\nPartial an\\n(incomplete)|"
                   "user:Two|"
                   "assistant:Stopped mid\\n(incomplete)|"
                   "user:Three|"
                   "user:Four|"
                   "assistant:Half\\n(incomplete)|"
                   "user:Five");
}

static void
test_system_messages (Fixture       *fixture,
                      gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "C");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(ConfabChatRequest) request = NULL;
  g_autofree char *turns = NULL;

  g_object_unref (add (store, chat, 0, CONFAB_ROLE_SYSTEM, NULL, CONFAB_MESSAGE_STATUS_COMPLETE,
                       "Answer in French."));
  ADD_USER ("Hello");

  messages = collect (store, chat, 0);
  request = confab_conversation_build (messages, GPT, "Project prompt.", 0, 0, NULL);
  turns = describe_turns (request);
  g_assert_cmpstr (turns, ==, "user:Hello");
  g_assert_cmpstr (confab_chat_request_get_system (request), ==,
                   "Project prompt.\n\nAnswer in French.");
}

static void
test_thread_context (Fixture       *fixture,
                     gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "C");
  g_autoptr(ConfabChat) other = confab_test_create_chat (store, project, "D");
  g_autoptr(ConfabMessage) parent = NULL;
  g_autoptr(ConfabMessage) reply = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) main_line = NULL;
  g_autoptr(ConfabChatRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *turns = NULL;
  gint64 parent_id;

  ADD_USER ("Main one");
  parent = add (store, chat, 0, CONFAB_ROLE_ASSISTANT, GPT, CONFAB_MESSAGE_STATUS_COMPLETE,
                "Main answer");
  parent_id = confab_message_get_id (parent);
  ADD_USER ("Main two (after the parent)");
  ADD_REPLY (GPT, "Main answer two");

  g_object_unref (add (store, chat, parent_id, CONFAB_ROLE_USER, NULL,
                       CONFAB_MESSAGE_STATUS_COMPLETE, "Thread question"));
  reply = add (store, chat, parent_id, CONFAB_ROLE_ASSISTANT, CLAUDE,
               CONFAB_MESSAGE_STATUS_COMPLETE, "Thread answer");
  g_object_unref (add (store, chat, parent_id, CONFAB_ROLE_USER, NULL,
                       CONFAB_MESSAGE_STATUS_COMPLETE, "Thread follow-up"));

  /* The thread sees the main line up to its parent, then itself. */
  messages = collect (store, chat, parent_id);
  g_assert_cmpuint (messages->len, ==, 5);
  request = confab_conversation_build (messages, CLAUDE, NULL, 0, 0, NULL);
  turns = describe_turns (request);
  g_assert_cmpstr (turns, ==,
                   "user:Main one|"
                   "assistant:[Reply from " GPT "]\\nMain answer|"
                   "user:Thread question|"
                   "assistant:Thread answer|"
                   "user:Thread follow-up");

  /* The main line never sees the thread. */
  main_line = collect (store, chat, 0);
  g_assert_cmpuint (main_line->len, ==, 4);

  /* A parent of another chat, or a thread reply as parent, is refused. */
  g_assert_null (confab_conversation_collect (store, confab_chat_get_id (other), parent_id,
                                              &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (confab_conversation_collect (store, confab_chat_get_id (chat),
                                              confab_message_get_id (reply), &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (confab_conversation_collect (store, confab_chat_get_id (chat), 999999,
                                              &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
}

/* ------------------------------------------------------------------------ */
/* What each wire makes of it. */

static JsonObject *
request_body (const char        *provider_id,
              ConfabChatRequest *request,
              JsonNode         **root)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabProvider) provider = confab_provider_new (provider_id, NULL, &error);
  g_autoptr(SoupMessage) message = NULL;
  GBytes *body;

  g_assert_no_error (error);
  confab_provider_set_api_key (provider, "test-key");
  message = CONFAB_PROVIDER_GET_CLASS (provider)->build_chat_message (provider, request, &error);
  g_assert_no_error (error);
  body = _confab_message_get_request_body (message);
  g_assert_nonnull (body);

  *root = _confab_json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  g_assert_no_error (error);

  return json_node_get_object (*root);
}

/* "role:text|role:text" of an array of {role, content} or Gemini's
 * {role, parts:[{text}]}. */
static char *
describe_messages (JsonArray *array)
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

static void
test_wire_shapes (Fixture       *fixture,
                  gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "C");
  g_autoptr(ConfabMessage) lost = NULL;
  g_autoptr(GPtrArray) messages = NULL;

  ADD_USER ("First");
  ADD_REPLY (GPT, "Answer one");
  ADD_USER ("Second");
  /* A failed reply without text: the two questions meet. */
  lost = add (store, chat, 0, CONFAB_ROLE_ASSISTANT, CLAUDE, CONFAB_MESSAGE_STATUS_ERROR, "");
  ADD_USER ("Second, again");

  messages = collect (store, chat, 0);

  {
    g_autoptr(ConfabChatRequest) request = confab_conversation_build (messages, GPT, "Sys.",
                                                                      0, 0, NULL);
    g_autoptr(JsonNode) root = NULL;
    JsonObject *body = request_body ("openai", request, &root);
    g_autofree char *shape = describe_messages (json_object_get_array_member (body, "messages"));

    /* OpenAI: the system prompt is the first message; same roles in a row
     * are allowed and stay apart. */
    g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "gpt-4o-mini");
    g_assert_cmpstr (shape, ==,
                     "system:Sys.|user:First|assistant:Answer one|user:Second|"
                     "user:Second, again");
  }

  {
    g_autoptr(ConfabChatRequest) request = confab_conversation_build (messages, CLAUDE, "Sys.",
                                                                      0, 0, NULL);
    g_autoptr(JsonNode) root = NULL;
    JsonObject *body = request_body ("anthropic", request, &root);
    g_autofree char *shape = describe_messages (json_object_get_array_member (body, "messages"));

    /* Anthropic: system apart, GPT attributed, the two questions merged. */
    g_assert_true (g_str_has_prefix (json_object_get_string_member (body, "system"),
                                     "Sys.\n\n"));
    g_assert_cmpstr (shape, ==,
                     "user:First|assistant:[Reply from " GPT "]\\nAnswer one|"
                     "user:Second\\n\\nSecond, again");
  }

  {
    g_autoptr(ConfabChatRequest) request = confab_conversation_build (messages, GEMINI, "Sys.",
                                                                      0, 0, NULL);
    g_autoptr(JsonNode) root = NULL;
    JsonObject *body = request_body ("gemini", request, &root);
    g_autofree char *shape = describe_messages (json_object_get_array_member (body, "contents"));
    JsonObject *instruction = json_object_get_object_member (body, "systemInstruction");
    const char *system_text =
      json_object_get_string_member (
        json_array_get_object_element (json_object_get_array_member (instruction, "parts"), 0),
        "text");

    /* Gemini: roles user/model, systemInstruction, merged questions. */
    g_assert_true (g_str_has_prefix (system_text, "Sys.\n\n"));
    g_assert_cmpstr (shape, ==,
                     "user:First|model:[Reply from " GPT "]\\nAnswer one|"
                     "user:Second\\n\\nSecond, again");
  }
}

/* ------------------------------------------------------------------------ */
/* Trimming */

static void
test_trim (Fixture       *fixture,
           gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "C");
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *block = g_strnfill (400, 'x');   /* 100 tokens + 4 per turn */
  guint dropped = 0;

  /* 10 exchanges of ~104 tokens per message, then the question. */
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *question = g_strdup_printf ("Q%u %s", i, block);
      g_autofree char *answer = g_strdup_printf ("A%u %s", i, block);

      ADD_USER (question);
      ADD_REPLY (GPT, answer);
    }
  ADD_USER ("The latest question");
  messages = collect (store, chat, 0);
  g_assert_cmpuint (messages->len, ==, 21);

  /* Unknown window: everything goes. */
  {
    g_autoptr(ConfabChatRequest) request = confab_conversation_build (messages, GPT, NULL, 0, 0,
                                                                      &dropped);

    g_assert_cmpuint (dropped, ==, 0);
    g_assert_cmpuint (confab_chat_request_get_n_turns (request), ==, 21);
  }

  /* A window of 2000 with 500 for the reply: ~1500 for the history, so
   * about 14 messages fit; the oldest go, a marker says how many. */
  {
    g_autoptr(ConfabChatRequest) request = confab_conversation_build (messages, GPT, NULL, 2000,
                                                                      500, &dropped);
    const ConfabTurn *first;
    const ConfabTurn *second;
    const ConfabTurn *last;
    g_autofree char *expected = NULL;
    gint64 total = 0;
    guint n = confab_chat_request_get_n_turns (request);

    g_assert_cmpuint (dropped, >, 0);
    g_assert_cmpuint (dropped, <, 21);
    g_assert_cmpuint (n, ==, 21 - dropped + 1);

    first = confab_chat_request_get_turn (request, 0);
    expected = g_strdup_printf ("[%u earlier messages were left out to fit " GPT
                                "'s context window]", dropped);
    g_assert_cmpint (first->role, ==, CONFAB_ROLE_USER);
    g_assert_cmpstr (first->text, ==, expected);

    /* What follows is the newest part, in order, ending with the question. */
    second = confab_chat_request_get_turn (request, 1);
    g_assert_cmpstr (second->text, ==,
                     confab_message_get_content (g_ptr_array_index (messages, dropped)));
    last = confab_chat_request_get_turn (request, n - 1);
    g_assert_cmpstr (last->text, ==, "The latest question");

    for (guint i = 0; i < n; i++)
      total += confab_conversation_estimate_tokens (confab_chat_request_get_turn (request,
                                                                                  i)->text) +
               CONFAB_CONVERSATION_TOKENS_PER_TURN;
    g_assert_cmpint (total, <=, 2000 - 500);
    /* And not more was dropped than needed: one more message (105 tokens)
     * would not have fit (give or take the marker's digits). */
    g_assert_cmpint (total + 105, >, 2000 - 500 - 10);
  }

  /* A window too small for anything: the latest question still goes. */
  {
    g_autoptr(ConfabChatRequest) request = confab_conversation_build (messages, GPT, "System.",
                                                                      40, 0, &dropped);
    const ConfabTurn *last;
    guint n = confab_chat_request_get_n_turns (request);

    g_assert_cmpuint (dropped, ==, 20);
    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpstr (confab_chat_request_get_turn (request, 0)->text, ==,
                     "[20 earlier messages were left out to fit " GPT "'s context window]");
    last = confab_chat_request_get_turn (request, 1);
    g_assert_cmpstr (last->text, ==, "The latest question");
    g_assert_cmpstr (confab_chat_request_get_system (request), ==, "System.");
  }
}

static void
test_trim_keeps_long_prompt (Fixture       *fixture,
                             gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "C");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(ConfabChatRequest) request = NULL;
  g_autofree char *huge = g_strnfill (40000, 'y');
  guint dropped = 0;

  ADD_USER ("Earlier");
  ADD_REPLY (CLAUDE, "Earlier answer");
  ADD_USER (huge);

  /* The prompt alone is over the window: it is sent anyway (the provider
   * says clearly that it is too long), everything before it goes. */
  messages = collect (store, chat, 0);
  request = confab_conversation_build (messages, GPT, NULL, 1000, 100, &dropped);
  g_assert_cmpuint (dropped, ==, 2);
  g_assert_cmpuint (confab_chat_request_get_n_turns (request), ==, 2);
  g_assert_cmpstr (confab_chat_request_get_turn (request, 0)->text, ==,
                   "[2 earlier messages were left out to fit " GPT "'s context window]");
  g_assert_cmpstr (confab_chat_request_get_turn (request, 1)->text, ==, huge);
  /* The attributed reply was dropped, so no note about attribution. */
  g_assert_null (confab_chat_request_get_system (request));
}

static void
test_title (void)
{
  g_autofree char *simple = confab_conversation_make_title ("  What is   the capital\tof Italy?\n"
                                                            "Second line");
  g_autofree char *empty = confab_conversation_make_title (" \n\n ");
  g_autofree char *longer = confab_conversation_make_title (
    "Please explain in great detail how the Roman aqueducts carried water over such long "
    "distances");
  g_autofree char *unicode = confab_conversation_make_title ("Ça va ? — très bien");

  g_assert_cmpstr (simple, ==, "What is the capital of Italy?");
  g_assert_cmpstr (empty, ==, "New chat");
  g_assert_true (g_str_has_suffix (longer, "…"));
  g_assert_cmpint (g_utf8_strlen (longer, -1), <=, 61);
  g_assert_true (g_str_has_prefix (longer, "Please explain in great detail how the Roman"));
  g_assert_cmpstr (unicode, ==, "Ça va ? — très bien");
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

  g_test_add_func ("/confab/conversation/split-model", test_split_model);
  g_test_add_func ("/confab/conversation/estimate", test_estimate);
  g_test_add_func ("/confab/conversation/title", test_title);
  ADD_TEST ("/confab/conversation/attribution", test_attribution);
  ADD_TEST ("/confab/conversation/single-model", test_single_model);
  ADD_TEST ("/confab/conversation/incomplete", test_incomplete);
  ADD_TEST ("/confab/conversation/system-messages", test_system_messages);
  ADD_TEST ("/confab/conversation/thread-context", test_thread_context);
  ADD_TEST ("/confab/conversation/wire-shapes", test_wire_shapes);
  ADD_TEST ("/confab/conversation/trim", test_trim);
  ADD_TEST ("/confab/conversation/trim-keeps-long-prompt", test_trim_keeps_long_prompt);

  return confab_test_run ();
}
