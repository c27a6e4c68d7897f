/* test-model-picker.c: the model picker, its rows and the first-run page
 * under a real display, against a catalogue filled from the in-process fake
 * provider: labels, search terms, choosing with Enter, context sizes, and
 * which first-run state shows for which providers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <adwaita.h>

#include "confab-fake-provider.h"
#include "confab-first-run-page.h"
#include "confab-model-picker.h"
#include "confab-model-row.h"
#include "confab-test-utils.h"

typedef struct
{
  char                 *dir;
  ConfabStore          *store;
  ConfabFakeProvider   *fake;
  ConfabModelCatalogue *catalogue;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  fixture->dir = confab_test_make_tmpdir ();
  path = g_build_filename (fixture->dir, "confab.db", NULL);
  fixture->store = confab_test_store_new (path);
  fixture->fake = confab_fake_provider_new (0, &error);
  g_assert_no_error (error);
  fixture->catalogue = confab_model_catalogue_new (fixture->store);
  /* Keys from the environment only, and no real Ollama by accident. */
  confab_model_catalogue_set_use_keyring (fixture->catalogue, FALSE);
  confab_model_catalogue_set_base_url (fixture->catalogue, "ollama", "127.0.0.1:9");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_unsetenv ("OPENAI_API_KEY");
  g_assert_finalize_object (g_steal_pointer (&fixture->catalogue));
  g_assert_finalize_object (g_steal_pointer (&fixture->fake));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (g_steal_pointer (&fixture->store));
  confab_test_rm_rf (fixture->dir);
  g_free (fixture->dir);
}

static void
async_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Refreshes; "nothing configured" is an answer here, not a failure. */
static void
refresh (ConfabModelCatalogue *catalogue)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_model_catalogue_refresh_async (catalogue, NULL, async_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!confab_model_catalogue_refresh_finish (catalogue, result, &error))
    g_assert_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_NO_KEY);
}

/* OpenAI (a key in the environment) and Ollama, both at the fake. */
static void
fill (Fixture *fixture)
{
  const char *url = confab_fake_provider_get_url (fixture->fake);

  g_setenv ("OPENAI_API_KEY", "test-key", TRUE);
  confab_model_catalogue_set_base_url (fixture->catalogue, "openai", url);
  confab_model_catalogue_set_base_url (fixture->catalogue, "ollama", url);
  refresh (fixture->catalogue);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->catalogue)), ==, 4);
}

static GtkWidget *
find_child (GtkWidget *widget,
            GType      type)
{
  if (g_type_is_a (G_OBJECT_TYPE (widget), type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_child (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static const char *
button_label (ConfabModelPicker *picker)
{
  GtkWidget *button = find_child (GTK_WIDGET (picker), GTK_TYPE_MENU_BUTTON);
  GtkWidget *label = find_child (button, GTK_TYPE_LABEL);

  return gtk_label_get_label (GTK_LABEL (label));
}

static GtkWidget *
popover_child (ConfabModelPicker *picker,
               GType              type)
{
  GtkWidget *button = find_child (GTK_WIDGET (picker), GTK_TYPE_MENU_BUTTON);

  return find_child (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button))), type);
}

/* The models the list offers, as full ids. */
static char *
listed (ConfabModelPicker *picker)
{
  GtkListView *list = GTK_LIST_VIEW (popover_child (picker, GTK_TYPE_LIST_VIEW));
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (list));
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ConfabModelInfo) info = g_list_model_get_item (model, i);

      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, confab_model_info_get_full_id (info));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
search (ConfabModelPicker *picker,
        const char        *text)
{
  GtkWidget *entry = popover_child (picker, GTK_TYPE_SEARCH_ENTRY);

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  /* GtkSearchEntry tells about changes after a short delay. */
  g_signal_emit_by_name (entry, "search-changed");
}

static void
count_chosen (ConfabModelPicker *picker,
              const char        *full_id,
              GString           *chosen)
{
  g_string_append_printf (chosen, "%s;", full_id);
}

static void
test_format_context (void)
{
  static const struct { gint64 tokens; const char *text; } cases[] = {
    { 128000, "128K context" },
    { 200000, "200K context" },
    { 16385, "16K context" },
    { 8192, "8K context" },
    { 1048576, "1M context" },
    { 1047576, "1M context" },
    { 1500000, "1.5M context" },
    { 2000000, "2M context" },
    { 512, "512 context" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = confab_model_row_format_context (cases[i].tokens);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
  g_assert_null (confab_model_row_format_context (0));

  g_assert_cmpstr (confab_model_row_get_provider_name ("anthropic"), ==, "Anthropic");
  g_assert_cmpstr (confab_model_row_get_provider_name ("openrouter"), ==, "OpenRouter");
  g_assert_cmpstr (confab_model_row_get_provider_name ("mystery"), ==, "mystery");
}

static void
test_picker (Fixture       *fixture,
             gconstpointer  data)
{
  ConfabModelPicker *picker;
  g_autoptr(GString) chosen = g_string_new (NULL);
  GtkWidget *window;
  GtkWidget *entry;
  GtkStack *stack;
  g_autofree char *ids = NULL;

  window = gtk_window_new ();
  picker = CONFAB_MODEL_PICKER (confab_model_picker_new ());
  g_object_ref (picker);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (picker));
  g_signal_connect (picker, "model-chosen", G_CALLBACK (count_chosen), chosen);

  /* No catalogue, or an empty one: nothing to choose. */
  g_assert_cmpstr (confab_model_picker_get_model (picker), ==, "");
  g_assert_cmpstr (button_label (picker), ==, "No Models");
  confab_model_picker_set_catalogue (picker, fixture->catalogue);
  g_assert_cmpstr (button_label (picker), ==, "No Models");

  /* Models arrive: the list follows the catalogue. */
  fill (fixture);
  g_assert_cmpstr (button_label (picker), ==, "Choose a Model");
  ids = listed (picker);
  g_assert_cmpstr (ids, ==,
                   "openai:gpt-4o openai:gpt-4o-mini ollama:llama3.2:latest ollama:qwen3:8b");

  /* A listed model by its name; an unlisted one by its id, kept as is. */
  confab_model_picker_set_model (picker, "openai:gpt-4o-mini");
  g_assert_cmpstr (button_label (picker), ==, "gpt-4o-mini · OpenAI");
  confab_model_picker_set_model (picker, "anthropic:claude-sonnet-4-5");
  g_assert_cmpstr (button_label (picker), ==, "claude-sonnet-4-5 · Anthropic");
  g_assert_cmpstr (confab_model_picker_get_model (picker), ==, "anthropic:claude-sonnet-4-5");
  confab_model_picker_set_model (picker, NULL);
  g_assert_cmpstr (confab_model_picker_get_model (picker), ==, "");

  /* Every term must match somewhere: provider name or id, model, name. */
  search (picker, "OLLAMA");
  g_clear_pointer (&ids, g_free);
  ids = listed (picker);
  g_assert_cmpstr (ids, ==, "ollama:llama3.2:latest ollama:qwen3:8b");
  search (picker, "  openai   MINI ");
  g_clear_pointer (&ids, g_free);
  ids = listed (picker);
  g_assert_cmpstr (ids, ==, "openai:gpt-4o-mini");
  search (picker, "openai qwen");
  g_clear_pointer (&ids, g_free);
  ids = listed (picker);
  g_assert_cmpstr (ids, ==, "");

  /* Enter takes the first match. */
  search (picker, "qwen");
  entry = popover_child (picker, GTK_TYPE_SEARCH_ENTRY);
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (confab_model_picker_get_model (picker), ==, "ollama:qwen3:8b");
  g_assert_cmpstr (chosen->str, ==, "ollama:qwen3:8b;");
  g_assert_cmpstr (button_label (picker), ==, "qwen3:8b · Ollama");

  /* Setting the model is not choosing it. */
  confab_model_picker_set_model (picker, "openai:gpt-4o");
  g_assert_cmpstr (chosen->str, ==, "ollama:qwen3:8b;");

  /* The provider's models leave: the empty state is back. */
  confab_model_catalogue_set_provider_enabled (fixture->catalogue, "openai", FALSE);
  confab_model_catalogue_set_provider_enabled (fixture->catalogue, "ollama", FALSE);
  g_assert_cmpstr (button_label (picker), ==, "gpt-4o · OpenAI");
  stack = GTK_STACK (popover_child (picker, GTK_TYPE_STACK));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (picker);
}

static void
test_first_run (Fixture       *fixture,
                gconstpointer  data)
{
  ConfabFirstRunPage *page;
  const char *url = confab_fake_provider_get_url (fixture->fake);
  GtkWidget *status;

  page = g_object_new (CONFAB_TYPE_FIRST_RUN_PAGE, NULL);
  g_object_ref_sink (page);
  status = find_child (GTK_WIDGET (page), ADW_TYPE_STATUS_PAGE);

  /* Without a catalogue there is nothing to say. */
  g_assert_false (confab_first_run_page_get_needed (page));

  /* Nothing set up: how to add a key. */
  confab_first_run_page_set_catalogue (page, fixture->catalogue);
  refresh (fixture->catalogue);
  g_assert_true (confab_first_run_page_get_needed (page));
  g_assert_true (g_str_has_prefix (adw_status_page_get_description (ADW_STATUS_PAGE (status)),
                                   "Add an API key in Preferences"));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==, "No Chat Selected");
  confab_first_run_page_set_chat_open (page, TRUE);
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==, "No Messages Yet");

  /* Only a local Ollama: it was found. */
  confab_model_catalogue_set_base_url (fixture->catalogue, "ollama", url);
  refresh (fixture->catalogue);
  g_assert_true (confab_first_run_page_get_needed (page));
  g_assert_true (g_str_has_prefix (adw_status_page_get_description (ADW_STATUS_PAGE (status)),
                                   "Ollama found on this computer"));

  /* A cloud provider with a key: not a first run any more. */
  g_setenv ("OPENAI_API_KEY", "test-key", TRUE);
  confab_model_catalogue_set_base_url (fixture->catalogue, "openai", url);
  refresh (fixture->catalogue);
  g_assert_false (confab_first_run_page_get_needed (page));

  /* That provider turned off: back to Ollama alone. */
  confab_model_catalogue_set_provider_enabled (fixture->catalogue, "openai", FALSE);
  g_assert_true (confab_first_run_page_get_needed (page));

  g_assert_finalize_object (page);
}

int
main (int   argc,
      char *argv[])
{
  const char *variables[] = {
    "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY",
    "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GEMINI_BASE_URL", "OPENROUTER_BASE_URL",
    "OLLAMA_HOST",
  };

  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    g_unsetenv (variables[i]);
  /* No AT-SPI here (the registry would write to the TAP output). */
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/confab/ui/model-row/format", test_format_context);
  g_test_add ("/confab/ui/model-picker/choose", Fixture, NULL,
              fixture_set_up, test_picker, fixture_tear_down);
  g_test_add ("/confab/ui/first-run-page/states", Fixture, NULL,
              fixture_set_up, test_first_run, fixture_tear_down);

  return g_test_run ();
}
