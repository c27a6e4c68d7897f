/* test-usage.c: schema 5's tables through the store API: the @aliases of
 * mentions and how a prompt is read for them, prices per model, a chat's
 * usage and cost per model.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <math.h>
#include <string.h>

#include "confab-test-conductor.h"

typedef ConfabTestStore Fixture;

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, confab_test_store_setup, func, confab_test_store_teardown)

static char *
describe_aliases (ConfabStore *store)
{
  g_autoptr(GPtrArray) aliases = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  aliases = confab_store_list_aliases (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < aliases->len; i++)
    {
      ConfabModelAlias *alias = g_ptr_array_index (aliases, i);

      g_string_append_printf (out, "%s@%s=%s", i > 0 ? " " : "", alias->alias, alias->model);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_aliases (Fixture       *fixture,
              gconstpointer  data)
{
  const char *bad[] = { "", "@", "-gpt", "two words", "gpt!", "ünï",
                        "abcdefghijklmnopqrstuvwxyz0123456" /* 33 */ };
  g_autoptr(GError) error = NULL;
  g_autofree char *listed = NULL;

  listed = describe_aliases (fixture->store);
  g_assert_cmpstr (listed, ==,
                   "@claude=anthropic:claude-sonnet-4-5 @gemini=gemini:gemini-2.5-flash "
                   "@gpt=openai:gpt-4o-mini @llama=ollama:llama3.2");
  g_clear_pointer (&listed, g_free);

  /* Added, changed (whatever the case), deleted. */
  g_assert_true (confab_store_set_alias (fixture->store, "@4o", "openai:gpt-4o", &error));
  g_assert_true (confab_store_set_alias (fixture->store, "GPT", "openrouter:openai/gpt-5",
                                         &error));
  g_assert_true (confab_store_delete_alias (fixture->store, "@Claude", &error));
  g_assert_no_error (error);
  g_assert_false (confab_store_delete_alias (fixture->store, "claude", &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (confab_store_set_alias (fixture->store, bad[i], "openai:gpt-4o", &error));
      g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_assert_false (confab_store_set_alias (fixture->store, "ok", "gpt-4o", &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (confab_store_set_alias (fixture->store, "a.b_c-32charsxxxxxxxxxxxxxxxxxxx",
                                         "ollama:qwen3:8b", &error));
  g_assert_no_error (error);

  /* Kept across a restart. */
  confab_test_store_reopen (fixture);
  listed = describe_aliases (fixture->store);
  g_assert_cmpstr (listed, ==,
                   "@4o=openai:gpt-4o @a.b_c-32charsxxxxxxxxxxxxxxxxxxx=ollama:qwen3:8b "
                   "@gemini=gemini:gemini-2.5-flash @GPT=openrouter:openai/gpt-5 "
                   "@llama=ollama:llama3.2");
}

static void
test_parse_mentions (void)
{
  static const struct
  {
    const char *prompt;
    const char *models;
  } cases[] = {
    { "@claude @gpt what do you each think?", "C G" },
    { "@gpt, @claude: and you?", "G C" },
    { "Hey @GPT and @Claude.", "G C" },
    { "@gpt @gpt again, @GPT", "G" },
    { "mail ada@gpt.com or x@claude", "" },
    { "@claudette and @gpt4 are not aliases", "" },
    { "(@gemini) [@llama] \"@claude\"", "M L C" },
    { "@gpt-", "G" },
    { "@gpt-4o-mini is a model, @gpt. an alias", "G" },
    { "@flash too", "M" },
    { "", "" },
    { "@", "" },
    { "@@gpt", "" },
    { "é@gpt no, é @gpt yes", "G" },
  };
  g_autoptr(GPtrArray) aliases = g_ptr_array_new_with_free_func (
    (GDestroyNotify) confab_model_alias_free);

  g_ptr_array_add (aliases, confab_model_alias_new ("claude", "C"));
  g_ptr_array_add (aliases, confab_model_alias_new ("gpt", "G"));
  g_ptr_array_add (aliases, confab_model_alias_new ("gemini", "M"));
  g_ptr_array_add (aliases, confab_model_alias_new ("Flash", "M"));
  g_ptr_array_add (aliases, confab_model_alias_new ("llama", "L"));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) models = confab_mentions_parse (cases[i].prompt, aliases);
      g_autofree char *joined = g_strjoinv (" ", models);

      if (g_strcmp0 (joined, cases[i].models) != 0)
        g_error ("“%s”: got “%s”, expected “%s”", cases[i].prompt, joined, cases[i].models);
    }
}

static void
test_mention_prefix (void)
{
  static const struct
  {
    const char *text;
    gsize       cursor;
    const char *prefix;   /* NULL: none */
    gsize       start;
  } cases[] = {
    { "@", 1, "", 0 },
    { "hi @cl", 6, "cl", 3 },
    { "hi @cl and", 6, "cl", 3 },
    { "hi @cl and", 5, "c", 3 },
    { "hi @cl and", 10, NULL, 0 },
    { "ada@cl", 6, NULL, 0 },
    { "hi @-x", 6, NULL, 0 },
    { "hi", 9, NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize start = 99;
      g_autofree char *prefix = confab_mentions_dup_prefix_at (cases[i].text, cases[i].cursor,
                                                               &start);

      g_assert_cmpstr (prefix, ==, cases[i].prefix);
      if (prefix != NULL)
        g_assert_cmpuint (start, ==, cases[i].start);
    }
}

static void
test_prices (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(ConfabModelPrice) price = NULL;
  g_autoptr(GPtrArray) prices = NULL;
  g_autoptr(GError) error = NULL;

  price = confab_store_lookup_model_price (fixture->store, "openai:gpt-4o", &error);
  g_assert_null (price);
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (confab_store_set_model_price (fixture->store, "openai:gpt-4o", 2.5, 10,
                                               &error));
  g_assert_true (confab_store_set_model_price (fixture->store, "anthropic:claude-opus-4", 15,
                                               75, &error));
  g_assert_true (confab_store_set_model_price (fixture->store, "openai:gpt-4o", 2, 8, &error));
  g_assert_no_error (error);

  g_assert_false (confab_store_set_model_price (fixture->store, "openai:gpt-4o", -1, 8,
                                                &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (confab_store_set_model_price (fixture->store, "openai:gpt-4o", NAN, 8,
                                                &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (confab_store_set_model_price (fixture->store, "gpt-4o", 1, 1, &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_INVALID);
  g_clear_error (&error);

  price = confab_store_lookup_model_price (fixture->store, "openai:gpt-4o", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (price->input_per_mtok, ==, 2);
  g_assert_cmpfloat (price->output_per_mtok, ==, 8);
  g_assert_cmpfloat_with_epsilon (confab_model_price_cost (price, 1000000, 500000), 6.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (confab_model_price_cost (price, -1, 1000), 0.008, 1e-12);

  confab_test_store_reopen (fixture);
  prices = confab_store_list_model_prices (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (prices->len, ==, 2);
  g_assert_cmpstr (((ConfabModelPrice *) g_ptr_array_index (prices, 0))->model, ==,
                   "anthropic:claude-opus-4");
  g_assert_cmpfloat (((ConfabModelPrice *) g_ptr_array_index (prices, 0))->output_per_mtok,
                     ==, 75);

  g_assert_true (confab_store_delete_model_price (fixture->store, "anthropic:claude-opus-4",
                                                  &error));
  g_assert_true (confab_store_delete_model_price (fixture->store, "none:none", &error));
  g_assert_no_error (error);
  g_clear_pointer (&prices, g_ptr_array_unref);
  prices = confab_store_list_model_prices (fixture->store, &error);
  g_assert_cmpuint (prices->len, ==, 1);
}

static ConfabMessage *
add_reply (ConfabStore *store,
           gint64       chat_id,
           gint64       parent_id,
           const char  *author,
           const char  *provider,
           const char  *model,
           gint64       input_tokens,
           gint64       output_tokens)
{
  g_autoptr(GError) error = NULL;
  ConfabMessageDraft draft = { 0 };
  ConfabMessage *message;

  draft.chat_id = chat_id;
  draft.parent_id = parent_id;
  draft.role = CONFAB_ROLE_ASSISTANT;
  draft.author = author;
  draft.provider = provider;
  draft.model = model;
  draft.content = "reply";
  draft.status = CONFAB_MESSAGE_STATUS_COMPLETE;
  draft.input_tokens = input_tokens;
  draft.output_tokens = output_tokens;

  message = confab_store_add_message (store, &draft, &error);
  g_assert_no_error (error);
  return message;
}

static void
test_chat_usage (Fixture       *fixture,
                 gconstpointer  data)
{
  ConfabStore *store = fixture->store;
  g_autoptr(ConfabProject) project = confab_test_create_project (store, "P");
  g_autoptr(ConfabChat) chat = confab_test_create_chat (store, project, "c");
  g_autoptr(ConfabChat) other = confab_test_create_chat (store, project, "other");
  g_autoptr(ConfabMessage) prompt = confab_test_add_text (store, chat, 0, "hi");
  g_autoptr(ConfabMessage) first = NULL;
  g_autoptr(ConfabMessage) alternative = NULL;
  g_autoptr(GPtrArray) usage = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessageDraft draft = { 0 };
  gint64 id = confab_chat_get_id (chat);
  double cost = -1;
  static const struct
  {
    const char *model;
    guint       n_replies;
    guint       n_unknown;
    gint64      input;
    gint64      output;
    double      cost;
  } expected[] = {
    { "ChatGPT", 1, 0, 10, 20, -1 },
    { CLAUDE, 1, 0, 300, 50, (300 * 3.0 + 50 * 15.0) / 1e6 },
    { GEMINI, 1, 1, 0, 0, -1 },
    { GPT, 2, 0, 1500, 300, (1500 * 0.15 + 300 * 0.6) / 1e6 },
  };

  g_assert_true (confab_store_set_model_price (store, GPT, 0.15, 0.6, &error));
  g_assert_true (confab_store_set_model_price (store, CLAUDE, 3, 15, &error));
  g_assert_no_error (error);

  first = add_reply (store, id, 0, GPT, "openai", "gpt-4o-mini", 1000, 200);
  /* A compared answer off the current line was paid for too. */
  draft.chat_id = id;
  draft.role = CONFAB_ROLE_ASSISTANT;
  draft.author = CLAUDE;
  draft.provider = "anthropic";
  draft.model = "claude-sonnet-4-5";
  draft.content = "other version";
  draft.status = CONFAB_MESSAGE_STATUS_COMPLETE;
  draft.input_tokens = 300;
  draft.output_tokens = 50;
  alternative = confab_store_add_alternative (store, first, &draft, &error);
  g_assert_no_error (error);
  g_assert_true (confab_store_activate_branch (store, first, &error));
  g_object_unref (add_reply (store, id, confab_message_get_id (prompt), GEMINI, "gemini",
                             "gemini-2.5-flash", -1, -1));
  g_object_unref (add_reply (store, id, 0, GPT, "openai", "gpt-4o-mini", 500, 100));
  g_object_unref (add_reply (store, id, 0, "ChatGPT", NULL, NULL, 10, 20));
  g_object_unref (add_reply (store, confab_chat_get_id (other), 0, GPT, "openai",
                             "gpt-4o-mini", 99999, 99999));

  usage = confab_store_get_chat_usage (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (usage->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < usage->len; i++)
    {
      ConfabModelUsage *row = g_ptr_array_index (usage, i);

      g_assert_cmpstr (row->model, ==, expected[i].model);
      g_assert_cmpuint (row->n_replies, ==, expected[i].n_replies);
      g_assert_cmpuint (row->n_unknown, ==, expected[i].n_unknown);
      g_assert_cmpint (row->input_tokens, ==, expected[i].input);
      g_assert_cmpint (row->output_tokens, ==, expected[i].output);
      g_assert_cmpfloat_with_epsilon (row->cost, expected[i].cost, 1e-12);
    }

  g_assert_true (confab_store_get_message_cost (store, first, &cost, &error));
  g_assert_cmpfloat_with_epsilon (cost, (1000 * 0.15 + 200 * 0.6) / 1e6, 1e-12);
  g_assert_false (confab_store_get_message_cost (store, prompt, &cost, &error));
  g_assert_no_error (error);

  /* Prices change: the summary follows. */
  g_assert_true (confab_store_delete_model_price (store, CLAUDE, &error));
  g_clear_pointer (&usage, g_ptr_array_unref);
  usage = confab_store_get_chat_usage (store, id, &error);
  g_assert_cmpfloat (((ConfabModelUsage *) g_ptr_array_index (usage, 1))->cost, ==, -1);
}

static void
test_format_tokens (void)
{
  static const struct { gint64 tokens; const char *text; } cases[] = {
    { -1, "?" }, { 0, "0" }, { 999, "999" }, { 1234, "1.2k" }, { 34567, "35k" },
    { 1500000, "1.5M" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = confab_usage_format_tokens (cases[i].tokens);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

int
main (int   argc,
      char *argv[])
{
  confab_test_init (&argc, &argv);

  ADD_TEST ("/confab/usage/aliases", test_aliases);
  g_test_add_func ("/confab/usage/parse-mentions", test_parse_mentions);
  g_test_add_func ("/confab/usage/mention-prefix", test_mention_prefix);
  ADD_TEST ("/confab/usage/prices", test_prices);
  ADD_TEST ("/confab/usage/chat-usage", test_chat_usage);
  g_test_add_func ("/confab/usage/format-tokens", test_format_tokens);

  return confab_test_run ();
}
