/* confab-test-conductor.c: helpers for test-conductor.c, test-roundtable.c
 * and test-usage.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include "confab-provider-private.h"
#include "confab-test-conductor.h"

static const char * const base_url_vars[] = {
  "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GEMINI_BASE_URL", "OPENROUTER_BASE_URL",
  "OLLAMA_HOST",
};

void
confab_test_conductor_init (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (base_url_vars); i++)
    g_unsetenv (base_url_vars[i]);
  g_setenv ("OPENAI_API_KEY", "test-key", TRUE);
  g_setenv ("ANTHROPIC_API_KEY", "test-key", TRUE);
  g_setenv ("GEMINI_API_KEY", "test-key", TRUE);
  g_setenv ("OPENROUTER_API_KEY", "test-key", TRUE);
}

void
confab_test_conductor_setup (ConfabTestConductor *fixture,
                             gconstpointer        data)
{
  g_autoptr(GError) error = NULL;

  confab_test_store_setup (&fixture->base, data);
  fixture->fake = confab_fake_provider_new (0, &error);
  g_assert_no_error (error);

  fixture->catalogue = confab_model_catalogue_new (fixture->base.store);
  confab_model_catalogue_set_use_keyring (fixture->catalogue, FALSE);
  confab_model_catalogue_set_base_url (fixture->catalogue, NULL,
                                       confab_fake_provider_get_url (fixture->fake));

  fixture->project = confab_test_create_project (fixture->base.store, "Work");
  fixture->chat = confab_test_create_chat (fixture->base.store, fixture->project, "Chat");
  fixture->conductor = confab_conductor_new (fixture->base.store, fixture->chat,
                                             fixture->catalogue);
}

void
confab_test_conductor_teardown (ConfabTestConductor *fixture,
                                gconstpointer        data)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->conductor));
  g_clear_object (&fixture->chat);
  g_clear_object (&fixture->project);
  g_assert_finalize_object (g_steal_pointer (&fixture->catalogue));
  g_assert_finalize_object (g_steal_pointer (&fixture->fake));
  /* Let closed connections be noticed before the next test. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  confab_test_store_teardown (&fixture->base, data);
}

void
confab_test_async_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static gboolean
on_timeout_cb (gpointer user_data)
{
  g_error ("timed out waiting for an async result");
  return G_SOURCE_REMOVE;
}

GAsyncResult *
confab_test_await (GAsyncResult **result)
{
  guint timeout = g_timeout_add_seconds (60, on_timeout_cb, NULL);

  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);

  return *result;
}

ConfabFakeScript *
confab_test_script_new (const char * const *tokens,
                        guint               delay_ms)
{
  ConfabFakeScript *script = confab_fake_script_new ();

  confab_fake_script_set_tokens (script, tokens);
  confab_fake_script_set_delay (script, delay_ms);

  return script;
}

static void
append_turn (GString    *out,
             const char *role,
             const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  g_autofree char *joined = g_strjoinv ("\\n", lines);

  if (out->len > 0)
    g_string_append_c (out, '|');
  g_string_append_printf (out, "%s:%s", role, joined);
}

static const char *
first_part_text (JsonObject *object)
{
  JsonArray *parts = json_object_get_array_member (object, "parts");

  return json_object_get_string_member (json_array_get_object_element (parts, 0), "text");
}

char *
confab_test_describe_request (ConfabFakeProvider *fake,
                              guint               index)
{
  const ConfabFakeRequest *request = confab_fake_provider_get_request (fake, index);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  JsonObject *body;
  JsonArray *array;

  g_assert_nonnull (request);
  root = _confab_json_parse (g_bytes_get_data (request->body, NULL),
                             g_bytes_get_size (request->body), NULL);
  g_assert_nonnull (root);
  body = json_node_get_object (root);

  if (json_object_has_member (body, "system"))
    append_turn (out, "system", json_object_get_string_member (body, "system"));
  if (json_object_has_member (body, "systemInstruction"))
    append_turn (out, "system",
                 first_part_text (json_object_get_object_member (body, "systemInstruction")));

  array = json_object_has_member (body, "contents")
    ? json_object_get_array_member (body, "contents")
    : json_object_get_array_member (body, "messages");

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      append_turn (out, json_object_get_string_member (object, "role"),
                   json_object_has_member (object, "parts")
                     ? first_part_text (object)
                     : json_object_get_string_member (object, "content"));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

const char *
confab_test_request_model (ConfabFakeProvider *fake,
                           guint               index)
{
  const ConfabFakeRequest *request = confab_fake_provider_get_request (fake, index);

  g_assert_nonnull (request);
  return request->model;
}

char *
confab_test_describe_line (ConfabStore *store,
                           ConfabChat  *chat)
{
  g_autoptr(ConfabMessageList) line = confab_store_list_messages (store,
                                                                  confab_chat_get_id (chat), 0);
  g_autoptr(GString) out = g_string_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (line));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabMessage) message = g_list_model_get_item (G_LIST_MODEL (line), i);
      ConfabMessageStatus status = confab_message_get_status (message);

      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append (out, confab_message_get_content (message));
      if (status != CONFAB_MESSAGE_STATUS_COMPLETE)
        g_string_append_printf (out, "(%s)", confab_message_status_to_string (status));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
confab_test_describe_turns (GListModel *turns)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (turns); i++)
    {
      g_autoptr(ConfabConductorTurn) turn = g_list_model_get_item (turns, i);

      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append (out, confab_conductor_turn_get_name (turn));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
