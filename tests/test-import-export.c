/* test-import-export.c: Markdown and Confab JSON export, and importing
 * Confab JSON and ChatGPT conversations.json.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "confab-test-utils.h"
#include "confab-export.h"
#include "confab-import.h"

typedef ConfabTestStore Fixture;

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, confab_test_store_setup, func, confab_test_store_teardown)

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "import", name, NULL);
}

static ConfabMessage *
add_full (ConfabStore         *store,
          ConfabChat          *chat,
          gint64               parent_id,
          ConfabRole           role,
          const char          *author,
          const char          *provider,
          const char          *model,
          ConfabMessageStatus  status,
          const char          *content,
          gint64               input_tokens,
          gint64               output_tokens,
          gint64               created)
{
  g_autoptr(GError) error = NULL;
  ConfabMessageDraft draft = {
    .chat_id = confab_chat_get_id (chat),
    .parent_id = parent_id,
    .role = role,
    .author = author,
    .provider = provider,
    .model = model,
    .content = content,
    .status = status,
    .input_tokens = input_tokens,
    .output_tokens = output_tokens,
    .created = created,
  };
  ConfabMessage *message = confab_store_add_message (store, &draft, &error);

  g_assert_no_error (error);
  return message;
}

static ConfabMessage *
item_at (ConfabStore *store,
         gint64       chat_id,
         gint64       parent_id,
         guint        position)
{
  g_autoptr(ConfabMessageList) list = confab_store_list_messages (store, chat_id, parent_id);
  ConfabMessage *message = g_list_model_get_item (G_LIST_MODEL (list), position);

  g_assert_nonnull (message);
  return message;
}

static guint
line_length (ConfabStore *store,
             gint64       chat_id,
             gint64       parent_id)
{
  g_autoptr(ConfabMessageList) list = confab_store_list_messages (store, chat_id, parent_id);

  return g_list_model_get_n_items (G_LIST_MODEL (list));
}

static char *
export_to_string (ConfabStore        *store,
                  ConfabChat         *chat,
                  ConfabExportFormat  format)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_export_chat (store, chat, format, stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (stream, "", 1, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (stream, NULL, &error));

  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (stream));
}

static GPtrArray *
import_string (ConfabStore    *store,
               const char     *text,
               ConfabProject  *project,
               GError        **error)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (g_strdup (text), -1,
                                                                          g_free);
  GPtrArray *chats = NULL;

  if (!confab_import_stream (store, stream, "test.json", project, &chats, NULL, error))
    return NULL;

  return chats;
}

static void
assert_same_message (ConfabMessage *a,
                     ConfabMessage *b)
{
  g_assert_cmpint (confab_message_get_role (a), ==, confab_message_get_role (b));
  g_assert_cmpstr (confab_message_get_author (a), ==, confab_message_get_author (b));
  g_assert_cmpstr (confab_message_get_provider (a), ==, confab_message_get_provider (b));
  g_assert_cmpstr (confab_message_get_model (a), ==, confab_message_get_model (b));
  g_assert_cmpstr (confab_message_get_content (a), ==, confab_message_get_content (b));
  g_assert_cmpint (confab_message_get_status (a), ==, confab_message_get_status (b));
  g_assert_cmpstr (confab_message_get_error (a), ==, confab_message_get_error (b));
  g_assert_cmpint (confab_message_get_created (a), ==, confab_message_get_created (b));
  g_assert_cmpint (confab_message_get_input_tokens (a), ==, confab_message_get_input_tokens (b));
  g_assert_cmpint (confab_message_get_output_tokens (a), ==,
                   confab_message_get_output_tokens (b));
  g_assert_cmpuint (confab_message_get_reply_count (a), ==, confab_message_get_reply_count (b));
}

/* A chat with what an export must carry: every role and status, unicode,
 * tokens, a thread, and an old branch that must stay out. */
static ConfabChat *
make_chat (ConfabStore   *store,
           ConfabProject *project)
{
  const gint64 t = G_GINT64_CONSTANT (1714557600123456);
  ConfabChat *chat = confab_test_create_chat (store, project, "Ärger mit “Quotes” & <tags> 🚀");
  g_autoptr(ConfabMessage) system = NULL;
  g_autoptr(ConfabMessage) question = NULL;
  g_autoptr(ConfabMessage) old = NULL;
  g_autoptr(ConfabMessage) answer = NULL;
  g_autoptr(ConfabMessage) reply = NULL;
  g_autoptr(ConfabMessage) failed = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_store_set_chat_model (store, chat, "openai:gpt-4o", &error));

  system = add_full (store, chat, 0, CONFAB_ROLE_SYSTEM, NULL, NULL, NULL,
                     CONFAB_MESSAGE_STATUS_COMPLETE, "Be terse.", -1, -1, t);
  question = add_full (store, chat, 0, CONFAB_ROLE_USER, "alice", NULL, NULL,
                       CONFAB_MESSAGE_STATUS_COMPLETE,
                       "Line one\n\n```c\nint x = \"quoted\\n\";\n```\n日本語 ✓", -1, -1, t + 1);
  old = add_full (store, chat, 0, CONFAB_ROLE_ASSISTANT, "openai:gpt-4o", "openai", "gpt-4o",
                  CONFAB_MESSAGE_STATUS_COMPLETE, "superseded answer", 10, 3, t + 2);
  {
    ConfabMessageDraft draft = {
      .chat_id = confab_chat_get_id (chat),
      .role = CONFAB_ROLE_ASSISTANT,
      .author = "anthropic:claude-sonnet-4-5",
      .provider = "anthropic",
      .model = "claude-sonnet-4-5",
      .content = "The **answer** — 42.",
      .status = CONFAB_MESSAGE_STATUS_COMPLETE,
      .input_tokens = 120,
      .output_tokens = 7,
      .created = t + 3,
    };

    answer = confab_store_add_alternative (store, old, &draft, &error);
    g_assert_no_error (error);
  }
  reply = add_full (store, chat, confab_message_get_id (answer), CONFAB_ROLE_USER, "bob", NULL,
                    NULL, CONFAB_MESSAGE_STATUS_COMPLETE, "Why 42?\n> quoted line", -1, -1,
                    t + 4);
  failed = add_full (store, chat, 0, CONFAB_ROLE_ASSISTANT, "gemini:gemini-2.5-flash", "gemini",
                     "gemini-2.5-flash", CONFAB_MESSAGE_STATUS_STREAMING, "partial", -1, -1,
                     t + 5);
  g_assert_true (confab_store_finish_message (store, failed, CONFAB_MESSAGE_STATUS_ERROR,
                                              "rate limited", 5, -1, &error));
  g_assert_no_error (error);

  return chat;
}

/* ---- Export */

static void
test_export_json_round_trip (Fixture       *fixture,
                             gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "Work");
  g_autoptr(ConfabProject) target = confab_test_create_project (store, "Target");
  g_autoptr(ConfabChat) chat = make_chat (store, project);
  g_autoptr(GPtrArray) chats = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = export_to_string (store, chat, CONFAB_EXPORT_FORMAT_JSON);
  g_autofree char *again = NULL;
  JsonObject *root;
  JsonObject *exported_chat;
  ConfabChat *copy;
  gint64 chat_id;
  gint64 copy_id;
  guint n;

  g_test_message ("%s", json);

  /* The documented shape. */
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "confab-chat");
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, 1);
  exported_chat = json_array_get_object_element (json_object_get_array_member (root, "chats"), 0);
  g_assert_cmpstr (json_object_get_string_member (exported_chat, "project"), ==, "Work");
  g_assert_cmpstr (json_object_get_string_member (exported_chat, "model"), ==, "openai:gpt-4o");
  /* The current line only: system, question, answer, failed. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (exported_chat,
                                                                         "messages")), ==, 4);
  g_assert_null (strstr (json, "superseded"));

  /* Import it back into another project: a new chat, the same content. */
  chats = import_string (store, json, target, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chats->len, ==, 1);
  copy = g_ptr_array_index (chats, 0);
  chat_id = confab_chat_get_id (chat);
  copy_id = confab_chat_get_id (copy);
  g_assert_cmpint (copy_id, !=, chat_id);
  g_assert_cmpint (confab_chat_get_project_id (copy), ==, confab_project_get_id (target));
  g_assert_cmpstr (confab_chat_get_title (copy), ==, confab_chat_get_title (chat));
  g_assert_cmpstr (confab_chat_get_model (copy), ==, "openai:gpt-4o");
  g_assert_cmpint (confab_chat_get_created (copy), ==, confab_chat_get_created (chat));

  n = line_length (store, chat_id, 0);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpuint (line_length (store, copy_id, 0), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMessage) a = item_at (store, chat_id, 0, i);
      g_autoptr(ConfabMessage) b = item_at (store, copy_id, 0, i);

      g_assert_cmpint (confab_message_get_id (a), !=, confab_message_get_id (b));
      assert_same_message (a, b);

      if (confab_message_get_reply_count (a) > 0)
        {
          g_autoptr(ConfabMessage) ra = item_at (store, chat_id, confab_message_get_id (a), 0);
          g_autoptr(ConfabMessage) rb = item_at (store, copy_id, confab_message_get_id (b), 0);

          assert_same_message (ra, rb);
          g_assert_cmpint (confab_message_get_parent_id (rb), ==, confab_message_get_id (b));
        }
    }

  /* Exporting the copy gives the same document but for ids and times of
   * export. */
  again = export_to_string (store, copy, CONFAB_EXPORT_FORMAT_JSON);
  {
    g_autoptr(GRegex) volatile_fields = g_regex_new ("\"(id|exported|project)\": ?[^,]*,", 0, 0,
                                                     NULL);
    g_autofree char *a = g_regex_replace_literal (volatile_fields, json, -1, 0, "", 0, NULL);
    g_autofree char *b = g_regex_replace_literal (volatile_fields, again, -1, 0, "", 0, NULL);

    g_assert_cmpstr (a, ==, b);
  }
}

static void
test_export_markdown (Fixture       *fixture,
                      gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "Work");
  g_autoptr(ConfabChat) chat = make_chat (store, project);
  g_autoptr(ConfabChat) empty = confab_test_create_chat (store, project, NULL);
  g_autofree char *markdown = export_to_string (store, chat, CONFAB_EXPORT_FORMAT_MARKDOWN);
  g_autofree char *empty_markdown = NULL;
  g_autoptr(ConfabMessage) question = item_at (store, confab_chat_get_id (chat), 0, 1);
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *header = NULL;

  g_test_message ("%s", markdown);

  time = g_date_time_new_from_unix_local (confab_message_get_created (question) / G_USEC_PER_SEC);
  stamp = g_date_time_format (time, "%Y-%m-%d %H:%M");
  header = g_strdup_printf ("\n### alice · %s\n\nLine one\n\n```c\n", stamp);

  g_assert_true (g_str_has_prefix (markdown, "# Ärger mit “Quotes” & <tags> 🚀\n\n### System · "));
  g_assert_nonnull (strstr (markdown, header));
  g_assert_nonnull (strstr (markdown, "日本語 ✓\n"));
  g_assert_nonnull (strstr (markdown, "### anthropic:claude-sonnet-4-5 · "));
  g_assert_nonnull (strstr (markdown, "The **answer** — 42.\n"));
  /* The thread, quoted under its message. */
  g_assert_nonnull (strstr (markdown, "42.\n\n> **Thread** · 1 reply\n>\n> #### bob · "));
  g_assert_nonnull (strstr (markdown, "\n>\n> Why 42?\n> > quoted line\n"));
  g_assert_nonnull (strstr (markdown, "### gemini:gemini-2.5-flash · "));
  g_assert_nonnull (strstr (markdown, "partial\n\n*rate limited*\n"));
  /* The old branch is not part of the conversation any more. */
  g_assert_null (strstr (markdown, "superseded"));

  empty_markdown = export_to_string (store, empty, CONFAB_EXPORT_FORMAT_MARKDOWN);
  g_assert_cmpstr (empty_markdown, ==, "# Untitled chat\n\n");
}

static void
test_export_formats (void)
{
  ConfabExportFormat format;

  g_assert_true (confab_export_format_from_string ("markdown", &format));
  g_assert_cmpint (format, ==, CONFAB_EXPORT_FORMAT_MARKDOWN);
  g_assert_true (confab_export_format_from_string ("md", &format));
  g_assert_true (confab_export_format_from_string ("json", &format));
  g_assert_cmpint (format, ==, CONFAB_EXPORT_FORMAT_JSON);
  g_assert_cmpstr (confab_export_format_get_extension (format), ==, "json");
  g_assert_false (confab_export_format_from_string ("html", &format));
  g_assert_false (confab_export_format_from_string (NULL, &format));
}

/* ---- Import */

static void
test_import_chatgpt (Fixture       *fixture,
                     gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autofree char *path = fixture_path ("chatgpt-conversations.json");
  g_autoptr(GPtrArray) chats = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(GPtrArray) found = NULL;
  ConfabChat *zurich;
  ConfabChat *unicode;
  gint64 id;
  static const struct
  {
    ConfabRole  role;
    const char *model;
    gint64      created;
    const char *text;
  } expected[] = {
    { CONFAB_ROLE_USER, NULL, G_GINT64_CONSTANT (1700000001250000),
      "Plan a day in Zürich — which café first?" },
    { CONFAB_ROLE_ASSISTANT, "gpt-4", G_GINT64_CONSTANT (1700000005000000),
      "Start at Confiserie Sprüngli 🍫 on Paradeplatz." },
    { CONFAB_ROLE_USER, NULL, G_GINT64_CONSTANT (1700000200000000),
      "What about museums and the lake?" },
    { CONFAB_ROLE_ASSISTANT, "gpt-4o", G_GINT64_CONSTANT (1700000210750000),
      "See the Kunsthaus, then walk along the Zürichsee 🌊.\n\n- Bellevue\n- Seefeld" },
  };

  g_assert_true (confab_import_file (store, path, NULL, &chats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (chats->len, ==, 2);

  /* Into a new "Imported" project. */
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_projects (store)), ==, 1);
  project = g_list_model_get_item (confab_store_get_projects (store), 0);
  g_assert_cmpstr (confab_project_get_name (project), ==, "Imported");

  zurich = g_ptr_array_index (chats, 0);
  id = confab_chat_get_id (zurich);
  g_assert_cmpstr (confab_chat_get_title (zurich), ==, "A day in Zürich ☕");
  g_assert_cmpint (confab_chat_get_created (zurich), ==, G_GINT64_CONSTANT (1700000000500000));
  g_assert_cmpint (confab_chat_get_updated (zurich), ==, G_GINT64_CONSTANT (1700000300000000));
  g_assert_cmpint (confab_chat_get_project_id (zurich), ==, confab_project_get_id (project));

  /* The current_node line only: no system message, no empty node, no
   * tool call or result, none of the other branches. */
  g_assert_cmpuint (line_length (store, id, 0), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(ConfabMessage) message = item_at (store, id, 0, i);

      g_assert_cmpint (confab_message_get_role (message), ==, expected[i].role);
      g_assert_cmpstr (confab_message_get_model (message), ==, expected[i].model);
      g_assert_cmpint (confab_message_get_created (message), ==, expected[i].created);
      g_assert_cmpstr (confab_message_get_content (message), ==, expected[i].text);
      g_assert_cmpint (confab_message_get_status (message), ==, CONFAB_MESSAGE_STATUS_COMPLETE);

      if (expected[i].role == CONFAB_ROLE_ASSISTANT)
        {
          g_autofree char *author = g_strdup_printf ("openai:%s", expected[i].model);

          g_assert_cmpstr (confab_message_get_provider (message), ==, "openai");
          g_assert_cmpstr (confab_message_get_author (message), ==, author);
        }
      else
        {
          g_assert_null (confab_message_get_provider (message));
          g_assert_cmpstr (confab_message_get_author (message), ==, g_get_user_name ());
        }
    }
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"), ==, 6);

  /* The second: an image marker, the conversation's default model, and a
   * missing time taken from the message before. */
  unicode = g_ptr_array_index (chats, 1);
  id = confab_chat_get_id (unicode);
  g_assert_cmpstr (confab_chat_get_title (unicode), ==, "Ünïcödé ✓ 日本語");
  g_assert_cmpuint (line_length (store, id, 0), ==, 2);
  {
    g_autoptr(ConfabMessage) question = item_at (store, id, 0, 0);
    g_autoptr(ConfabMessage) answer = item_at (store, id, 0, 1);

    g_assert_cmpstr (confab_message_get_content (question), ==,
                     "[image]\n\nWas steht auf dem Schild? 日本語で答えて");
    g_assert_cmpstr (confab_message_get_content (answer), ==, "「出口」— “Ausgang” 🚪");
    g_assert_cmpstr (confab_message_get_model (answer), ==, "gpt-4o-mini");
    g_assert_cmpint (confab_message_get_created (answer), ==,
                     confab_message_get_created (question));
  }

  /* Searchable at once. */
  found = confab_store_search (store, "Sprüngli", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);

  /* A second import goes into the same "Imported" project. */
  g_clear_pointer (&chats, g_ptr_array_unref);
  g_assert_true (confab_import_file (store, path, NULL, &chats, &error));
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_projects (store)), ==, 1);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM chats"), ==, 4);
}

/* What the fixture does not cover: no current_node, a single
 * conversation, conversations with nothing to show. */
static void
test_import_chatgpt_fallbacks (Fixture       *fixture,
                               gconstpointer  data)
{
  static const char single[] =
    "{\"title\": \"one\", \"mapping\": {"
    " \"a\": {\"id\": \"a\", \"message\": null, \"parent\": null, \"children\": [\"b\"]},"
    " \"b\": {\"id\": \"b\", \"message\": {\"author\": {\"role\": \"user\"}, \"create_time\": 5,"
    "        \"content\": {\"content_type\": \"text\", \"parts\": [\"hi\"]}},"
    "        \"parent\": \"a\", \"children\": [\"c\", \"d\"]},"
    " \"c\": {\"id\": \"c\", \"message\": {\"author\": {\"role\": \"assistant\"},"
    "        \"content\": {\"content_type\": \"text\", \"parts\": [\"old\"]}},"
    "        \"parent\": \"b\", \"children\": []},"
    " \"d\": {\"id\": \"d\", \"message\": {\"author\": {\"role\": \"assistant\"},"
    "        \"content\": {\"content_type\": \"text\", \"parts\": [\"newest\"]}},"
    "        \"parent\": \"b\", \"children\": []}}}";
  static const char only_system[] =
    "[{\"title\": \"s\", \"mapping\": {"
    " \"a\": {\"id\": \"a\", \"message\": {\"author\": {\"role\": \"system\"},"
    "        \"content\": {\"content_type\": \"text\", \"parts\": [\"You are ChatGPT\"]}},"
    "        \"parent\": null, \"children\": []}}, \"current_node\": \"a\"}]";
  ConfabStore *store = fixture->store;
  g_autoptr(GPtrArray) chats = NULL;
  g_autoptr(GError) error = NULL;

  chats = import_string (store, single, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chats->len, ==, 1);
  {
    gint64 id = confab_chat_get_id (g_ptr_array_index (chats, 0));
    g_autoptr(ConfabMessage) answer = item_at (store, id, 0, 1);

    g_assert_cmpuint (line_length (store, id, 0), ==, 2);
    g_assert_cmpstr (confab_message_get_content (answer), ==, "newest");
    g_assert_null (confab_message_get_model (answer));
    g_assert_cmpstr (confab_message_get_author (answer), ==, "openai");
    g_assert_cmpint (confab_message_get_created (answer), ==, 5 * G_USEC_PER_SEC);
  }

  g_assert_null (import_string (store, only_system, NULL, &error));
  g_assert_error (error, CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_EMPTY);
  g_clear_error (&error);

  /* An empty file, and JSON that is not a document at all. */
  g_assert_null (import_string (store, "", NULL, &error));
  g_assert_error (error, CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_PARSE);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_null (import_string (store, "42", NULL, &error));
  g_assert_error (error, CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_UNKNOWN_FORMAT);
  g_clear_error (&error);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM chats"), ==, 1);
}

static void
test_import_confab (Fixture       *fixture,
                    gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "Mine");
  g_autofree char *path = fixture_path ("confab-export.json");
  g_autoptr(GPtrArray) chats = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabMessage) question = NULL;
  g_autoptr(ConfabMessage) answer = NULL;
  g_autoptr(ConfabMessage) failed = NULL;
  g_autoptr(ConfabMessage) reply = NULL;
  ConfabChat *chat;
  gint64 id;

  g_assert_true (confab_import_file (store, path, project, &chats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (chats->len, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_projects (store)), ==, 1);

  chat = g_ptr_array_index (chats, 0);
  id = confab_chat_get_id (chat);
  g_assert_cmpstr (confab_chat_get_title (chat), ==, "Größen & Gewichte 📏");
  g_assert_cmpstr (confab_chat_get_model (chat), ==, "anthropic:claude-sonnet-4-5");
  g_assert_cmpint (confab_chat_get_created (chat), ==, G_GINT64_CONSTANT (1714557600000000));
  /* The newest thing in it is the thread's last reply. */
  g_assert_cmpint (confab_chat_get_updated (chat), ==, G_GINT64_CONSTANT (1714557902000000));
  g_assert_cmpuint (line_length (store, id, 0), ==, 4);

  question = item_at (store, id, 0, 1);
  g_assert_cmpstr (confab_message_get_author (question), ==, "alice");
  g_assert_cmpint (confab_message_get_created (question), ==, G_GINT64_CONSTANT (1714557601500000));
  g_assert_cmpuint (confab_message_get_reply_count (question), ==, 2);
  g_assert_cmpuint (line_length (store, id, confab_message_get_id (question)), ==, 2);
  reply = item_at (store, id, confab_message_get_id (question), 1);
  g_assert_cmpstr (confab_message_get_content (reply), ==, "Yes: 0.99997 kg at 4 °C.");
  g_assert_cmpstr (confab_message_get_model (reply), ==, "gpt-4o-mini");
  g_assert_cmpint (confab_message_get_input_tokens (reply), ==, 30);

  answer = item_at (store, id, 0, 2);
  g_assert_cmpstr (confab_message_get_content (answer), ==, "About **1 kg** — “ein Kilogramm”.");
  g_assert_cmpstr (confab_message_get_provider (answer), ==, "anthropic");
  g_assert_cmpint (confab_message_get_output_tokens (answer), ==, 5);
  g_assert_cmpint (confab_message_get_created (answer), ==, G_GINT64_CONSTANT (1714557603250000));

  failed = item_at (store, id, 0, 3);
  g_assert_cmpint (confab_message_get_status (failed), ==, CONFAB_MESSAGE_STATUS_ERROR);
  g_assert_cmpstr (confab_message_get_error (failed), ==, "The provider refused: rate limited");
  g_assert_cmpint (confab_message_get_input_tokens (failed), ==, -1);

  /* An empty chat is a chat too; its time was Unix seconds. */
  chat = g_ptr_array_index (chats, 1);
  g_assert_cmpuint (line_length (store, confab_chat_get_id (chat), 0), ==, 0);
  g_assert_cmpint (confab_chat_get_created (chat), ==, G_GINT64_CONSTANT (1714557600000000));
}

typedef struct
{
  const char *file;
  GQuark      domain;
  int         code;
  const char *where; /* in the message, with the file name */
} Broken;

static void
test_import_broken (Fixture       *fixture,
                    gconstpointer  data)
{
  const Broken broken[] = {
    { "chatgpt-truncated.json", CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_PARSE,
      "is not valid JSON: line 174, column 18: " },
    { "chatgpt-wrong-shape.json", CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_INVALID,
      "conversation 2 (“Ünïcödé ✓ 日本語”), node “c2a”: “parts” must be an array" },
    { "chatgpt-missing-parent.json", CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_INVALID,
      "node “gone”, the parent of “u1”, is not in the mapping" },
    { "confab-wrong-shape.json", CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_INVALID,
      "chats[0].messages[2]: “role” must be" },
    { "confab-newer.json", CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_UNSUPPORTED_VERSION,
      "newer version of Confab" },
    { "not-an-export.json", CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_UNKNOWN_FORMAT,
      "neither a Confab chat export nor a ChatGPT conversations.json" },
    { "no-conversations.json", CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_EMPTY,
      "no conversation" },
    { "does-not-exist.json", G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "Could not read" },
    /* 100,000 levels: JSON-GLib's recursive parser would exhaust the stack. */
    { "deeply-nested.json", CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_PARSE,
      "nests more than 256 levels deep" },
    /* An export followed by more: JSON-GLib would import the first value
     * and leak the rest. */
    { "two-values.json", CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_PARSE,
      "holds more than one JSON value" },
  };
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "Existing");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "kept");
  g_autoptr(GListModel) chats_model = confab_store_list_chats (store, project);
  g_autoptr(ConfabTestChanges) project_changes =
    confab_test_changes_new (confab_store_get_projects (store));
  g_autoptr(ConfabTestChanges) chat_changes = confab_test_changes_new (chats_model);

  g_object_unref (confab_test_add_text (store, chat, 0, "hello"));

  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autofree char *path = fixture_path (broken[i].file);
      g_autoptr(GPtrArray) chats = NULL;
      g_autoptr(GError) error = NULL;

      for (guint with_project = 0; with_project < 2; with_project++)
        {
          g_assert_false (confab_import_file (store, path, with_project ? project : NULL, &chats,
                                              &error));
          g_test_message ("%s", error->message);
          g_assert_error (error, broken[i].domain, broken[i].code);
          g_assert_null (chats);
          /* It names the file and says what is wrong where. */
          g_assert_nonnull (strstr (error->message, broken[i].file));
          g_assert_nonnull (strstr (error->message, broken[i].where));
          g_clear_error (&error);

          /* Nothing was created, nothing flickered in the models. */
          g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM projects"), ==, 1);
          g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM chats"), ==, 1);
          g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"), ==, 1);
          confab_test_assert_changes (project_changes, "");
          confab_test_assert_changes (chat_changes, "");
        }
    }
}

/* A write that fails half-way (a full disk) leaves nothing behind, in the
 * database or in the live models. */
static void
test_import_rollback (Fixture       *fixture,
                      gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(GString) json = g_string_new ("{\"format\": \"confab-chat\", \"version\": 1,"
                                          " \"chats\": [");
  g_autofree char *big = g_strnfill (16 * 1024, 'x');
  g_autofree char *limit = NULL;
  g_autoptr(GPtrArray) chats = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabTestChanges) project_changes =
    confab_test_changes_new (confab_store_get_projects (store));

  for (guint i = 0; i < 20; i++)
    g_string_append_printf (json, "%s{\"title\": \"c%u\", \"messages\": [{\"role\": \"user\","
                            " \"text\": \"%s\"}]}", i > 0 ? "," : "", i, big);
  g_string_append (json, "]}");

  limit = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                           confab_test_query_int (store, "PRAGMA page_count") + 40);
  confab_test_exec (store, limit);

  chats = import_string (store, json->str, NULL, &error);
  g_assert_null (chats);
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NO_SPACE);
  g_clear_error (&error);

  /* The project was shown, then taken back. */
  confab_test_assert_changes (project_changes, "0:-0+1 0:-1+0");
  g_assert_cmpuint (g_list_model_get_n_items (confab_store_get_projects (store)), ==, 0);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM chats"), ==, 0);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM messages"), ==, 0);

  /* With room, the same import works. */
  confab_test_exec (store, "PRAGMA max_page_count = 1000000");
  chats = import_string (store, json->str, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chats->len, ==, 20);
}

typedef struct
{
  GMainLoop *loop;
  GPtrArray *chats;
  GError    *error;
} AsyncResult;

static void
on_imported_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncResult *async = user_data;

  async->chats = confab_import_file_finish (CONFAB_STORE (source), result, &async->error);
  g_main_loop_quit (async->loop);
}

static void
test_import_async (Fixture       *fixture,
                   gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autofree char *good = fixture_path ("chatgpt-conversations.json");
  g_autofree char *bad = fixture_path ("chatgpt-truncated.json");
  AsyncResult async = { g_main_loop_new (NULL, FALSE), NULL, NULL };

  confab_import_file_async (store, good, NULL, NULL, on_imported_cb, &async);
  g_main_loop_run (async.loop);
  g_assert_no_error (async.error);
  g_assert_cmpuint (async.chats->len, ==, 2);
  g_clear_pointer (&async.chats, g_ptr_array_unref);

  confab_import_file_async (store, bad, NULL, NULL, on_imported_cb, &async);
  g_main_loop_run (async.loop);
  g_assert_error (async.error, CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_PARSE);
  g_assert_null (async.chats);
  g_clear_error (&async.error);
  g_assert_cmpint (confab_test_query_int (store, "SELECT count(*) FROM chats"), ==, 2);

  g_main_loop_unref (async.loop);
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

  g_test_add_func ("/confab/export/formats", test_export_formats);
  ADD_TEST ("/confab/export/json-round-trip", test_export_json_round_trip);
  ADD_TEST ("/confab/export/markdown", test_export_markdown);
  ADD_TEST ("/confab/import/chatgpt", test_import_chatgpt);
  ADD_TEST ("/confab/import/chatgpt-fallbacks", test_import_chatgpt_fallbacks);
  ADD_TEST ("/confab/import/confab", test_import_confab);
  ADD_TEST ("/confab/import/broken", test_import_broken);
  ADD_TEST ("/confab/import/rollback", test_import_rollback);
  ADD_TEST ("/confab/import/async", test_import_async);

  return confab_test_run ();
}
