/* confab-first-run-page.c: what to do before the first chat can happen.
 *
 * Which providers are set up is read from the catalogue: those its last
 * refresh found, plus those with cached models (before the first refresh
 * of this run has finished). None: explain how to add a key. Only a local
 * Ollama: say it was found. Anything else: the page is not needed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-first-run-page.h"

typedef enum
{
  STATE_NOT_NEEDED,
  STATE_NO_PROVIDER,
  STATE_OLLAMA,
  STATE_OLLAMA_NO_MODELS,
} State;

struct _ConfabFirstRunPage
{
  GtkWidget             parent_instance;

  ConfabModelCatalogue *catalogue;
  gboolean              catalogue_from_app;
  GSignalGroup         *catalogue_signals;
  State                 state;
  gboolean              chat_open;

  /* Template widgets */
  AdwStatusPage        *status_page;
  GtkBox               *buttons_box;
  GtkButton            *new_chat_button;
  GtkButton            *preferences_button;
};

G_DEFINE_FINAL_TYPE (ConfabFirstRunPage, confab_first_run_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CATALOGUE,
  PROP_NEEDED,
  PROP_CHAT_OPEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static State
compute_state (ConfabModelCatalogue *catalogue)
{
  g_autoptr(GHashTable) providers = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) configured = NULL;
  guint n_items;
  guint n_ollama = 0;

  if (catalogue == NULL)
    return STATE_NOT_NEEDED;

  configured = confab_model_catalogue_dup_providers (catalogue);
  for (guint i = 0; configured[i] != NULL; i++)
    g_hash_table_add (providers, configured[i]);

  n_items = g_list_model_get_n_items (G_LIST_MODEL (catalogue));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(ConfabModelInfo) info = g_list_model_get_item (G_LIST_MODEL (catalogue), i);
      const char *provider = confab_model_info_get_provider (info);

      /* Interned: info and its strings go with the reference. */
      g_hash_table_add (providers, (gpointer) g_intern_string (provider));
      if (g_str_equal (provider, "ollama"))
        n_ollama++;
    }

  if (g_hash_table_size (providers) == 0)
    return STATE_NO_PROVIDER;

  if (g_hash_table_size (providers) == 1 && g_hash_table_contains (providers, "ollama"))
    return n_ollama > 0 ? STATE_OLLAMA : STATE_OLLAMA_NO_MODELS;

  return STATE_NOT_NEEDED;
}

static void
set_suggested (GtkWidget *button,
               gboolean   suggested)
{
  if (suggested)
    gtk_widget_add_css_class (button, "suggested-action");
  else
    gtk_widget_remove_css_class (button, "suggested-action");
}

static void
confab_first_run_page_update (ConfabFirstRunPage *self)
{
  State state = compute_state (self->catalogue);
  gboolean was_needed = self->state != STATE_NOT_NEEDED;
  const char *description = NULL;
  gboolean ollama_ready = state == STATE_OLLAMA;

  self->state = state;

  switch (state)
    {
    case STATE_NO_PROVIDER:
    case STATE_NOT_NEEDED:
      description = _("Add an API key in Preferences to talk to GPT, Claude or Gemini, "
                      "or run Ollama locally");
      break;

    case STATE_OLLAMA:
      description = _("Ollama found on this computer — pick a model and start chatting");
      break;

    case STATE_OLLAMA_NO_MODELS:
      description = _("Ollama is running on this computer but has no models yet: download "
                      "one with “ollama pull llama3.2”, or add an API key in Preferences");
      break;

    default:
      g_assert_not_reached ();
    }

  /* The title names the state it stands in for, as the chat view's own
   * empty states do; the description is the way out. */
  adw_status_page_set_title (self->status_page,
                             self->chat_open ? _("No Messages Yet") : _("No Chat Selected"));
  adw_status_page_set_description (self->status_page, description);

  /* The next step is a chat when a model can answer, else Preferences. */
  gtk_widget_set_visible (GTK_WIDGET (self->new_chat_button), !self->chat_open);
  set_suggested (GTK_WIDGET (self->new_chat_button), ollama_ready);
  set_suggested (GTK_WIDGET (self->preferences_button), !ollama_ready);
  /* The suggested one first. */
  gtk_box_reorder_child_after (self->buttons_box, GTK_WIDGET (self->preferences_button),
                               ollama_ready ? GTK_WIDGET (self->new_chat_button) : NULL);

  if (was_needed != (state != STATE_NOT_NEEDED))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDED]);
}

static void
on_catalogue_items_changed_cb (ConfabFirstRunPage *self,
                               guint               position,
                               guint               removed,
                               guint               added,
                               GListModel         *model)
{
  confab_first_run_page_update (self);
}

/* A refresh ended: which providers are set up may have changed. */
static void
on_catalogue_refreshing_cb (ConfabFirstRunPage   *self,
                            GParamSpec           *pspec,
                            ConfabModelCatalogue *catalogue)
{
  confab_first_run_page_update (self);
}

ConfabModelCatalogue *
confab_first_run_page_get_catalogue (ConfabFirstRunPage *self)
{
  g_return_val_if_fail (CONFAB_IS_FIRST_RUN_PAGE (self), NULL);

  return self->catalogue;
}

static void
confab_first_run_page_take_catalogue (ConfabFirstRunPage   *self,
                                      ConfabModelCatalogue *catalogue,
                                      gboolean              from_app)
{
  self->catalogue_from_app = from_app;

  if (!g_set_object (&self->catalogue, catalogue))
    return;

  g_signal_group_set_target (self->catalogue_signals, catalogue);
  confab_first_run_page_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATALOGUE]);
}

void
confab_first_run_page_set_catalogue (ConfabFirstRunPage   *self,
                                     ConfabModelCatalogue *catalogue)
{
  g_return_if_fail (CONFAB_IS_FIRST_RUN_PAGE (self));
  g_return_if_fail (!catalogue || CONFAB_IS_MODEL_CATALOGUE (catalogue));

  confab_first_run_page_take_catalogue (self, catalogue, FALSE);
}

gboolean
confab_first_run_page_get_needed (ConfabFirstRunPage *self)
{
  g_return_val_if_fail (CONFAB_IS_FIRST_RUN_PAGE (self), FALSE);

  return self->state != STATE_NOT_NEEDED;
}

gboolean
confab_first_run_page_get_chat_open (ConfabFirstRunPage *self)
{
  g_return_val_if_fail (CONFAB_IS_FIRST_RUN_PAGE (self), FALSE);

  return self->chat_open;
}

void
confab_first_run_page_set_chat_open (ConfabFirstRunPage *self,
                                     gboolean            chat_open)
{
  g_return_if_fail (CONFAB_IS_FIRST_RUN_PAGE (self));

  chat_open = !!chat_open;
  if (self->chat_open == chat_open)
    return;

  self->chat_open = chat_open;
  confab_first_run_page_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHAT_OPEN]);
}

static void
confab_first_run_page_root (GtkWidget *widget)
{
  ConfabFirstRunPage *self = CONFAB_FIRST_RUN_PAGE (widget);
  GApplication *app = g_application_get_default ();

  GTK_WIDGET_CLASS (confab_first_run_page_parent_class)->root (widget);

  if ((self->catalogue == NULL || self->catalogue_from_app) && CONFAB_IS_APPLICATION (app))
    {
      ConfabApplication *application = CONFAB_APPLICATION (app);

      confab_first_run_page_take_catalogue (self, confab_application_get_catalogue (application),
                                            TRUE);
    }
}

static void
confab_first_run_page_dispose (GObject *object)
{
  ConfabFirstRunPage *self = CONFAB_FIRST_RUN_PAGE (object);

  if (self->catalogue_signals != NULL)
    g_signal_group_set_target (self->catalogue_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_FIRST_RUN_PAGE);

  g_clear_object (&self->catalogue_signals);
  g_clear_object (&self->catalogue);

  G_OBJECT_CLASS (confab_first_run_page_parent_class)->dispose (object);
}

static void
confab_first_run_page_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ConfabFirstRunPage *self = CONFAB_FIRST_RUN_PAGE (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      g_value_set_object (value, self->catalogue);
      break;

    case PROP_NEEDED:
      g_value_set_boolean (value, confab_first_run_page_get_needed (self));
      break;

    case PROP_CHAT_OPEN:
      g_value_set_boolean (value, self->chat_open);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_first_run_page_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ConfabFirstRunPage *self = CONFAB_FIRST_RUN_PAGE (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      confab_first_run_page_set_catalogue (self, g_value_get_object (value));
      break;

    case PROP_CHAT_OPEN:
      confab_first_run_page_set_chat_open (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_first_run_page_class_init (ConfabFirstRunPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_first_run_page_dispose;
  object_class->get_property = confab_first_run_page_get_property;
  object_class->set_property = confab_first_run_page_set_property;

  widget_class->root = confab_first_run_page_root;

  properties[PROP_CATALOGUE] =
    g_param_spec_object ("catalogue", NULL, NULL,
                         CONFAB_TYPE_MODEL_CATALOGUE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_NEEDED] =
    g_param_spec_boolean ("needed", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CHAT_OPEN] =
    g_param_spec_boolean ("chat-open", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-first-run-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabFirstRunPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, ConfabFirstRunPage, buttons_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabFirstRunPage, new_chat_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabFirstRunPage, preferences_button);
}

static void
confab_first_run_page_init (ConfabFirstRunPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->catalogue_signals = g_signal_group_new (CONFAB_TYPE_MODEL_CATALOGUE);
  g_signal_group_connect_object (self->catalogue_signals, "items-changed",
                                 G_CALLBACK (on_catalogue_items_changed_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->catalogue_signals, "notify::refreshing",
                                 G_CALLBACK (on_catalogue_refreshing_cb), self,
                                 G_CONNECT_SWAPPED);

  confab_first_run_page_update (self);
}
