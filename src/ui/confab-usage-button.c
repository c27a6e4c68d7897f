/* confab-usage-button.c: what the open chat used, per model.
 *
 * The store is read each time the popover opens: usage only changes when
 * a reply finishes, and nobody looks at it in between, so nothing is
 * watched or polled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-model-row.h"
#include "confab-preferences-window.h"
#include "confab-usage-button.h"

struct _ConfabUsageButton
{
  GtkWidget      parent_instance;

  ConfabStore   *store;
  ConfabChat    *chat;

  /* Template widgets */
  GtkMenuButton *button;
  GtkPopover    *popover;
  GtkLabel      *empty_label;
  GtkListBox    *list;
  GtkLabel      *total_label;
};

G_DEFINE_FINAL_TYPE (ConfabUsageButton, confab_usage_button, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_CHAT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
confab_usage_format_cost (double cost)
{
  /* Enough digits that a single short reply does not read as 0. */
  if (cost >= 1)
    return g_strdup_printf ("%.2f", cost);
  if (cost >= 0.01)
    return g_strdup_printf ("%.4f", cost);
  return g_strdup_printf ("%.6f", cost);
}

char *
confab_usage_describe_model (const char *full_id)
{
  GApplication *app = g_application_get_default ();
  ConfabModelCatalogue *catalogue = NULL;
  g_autoptr(ConfabModelInfo) info = NULL;
  g_autofree char *provider = NULL;
  g_autofree char *model = NULL;

  g_return_val_if_fail (full_id != NULL, NULL);

  if (CONFAB_IS_APPLICATION (app))
    catalogue = confab_application_get_catalogue (CONFAB_APPLICATION (app));
  if (catalogue != NULL)
    info = confab_model_catalogue_lookup (catalogue, full_id);
  if (info != NULL)
    {
      const char *name = confab_model_info_get_display_name (info);
      const char *provider_id = confab_model_info_get_provider (info);

      if (name == NULL || *name == '\0')
        name = confab_model_info_get_model (info);
      /* Translators: a model and its provider, "Claude Sonnet 4.5 · Anthropic". */
      return g_strdup_printf (_("%s · %s"), name, confab_model_row_get_provider_name (provider_id));
    }
  if (confab_conversation_split_model (full_id, &provider, &model, NULL))
    return g_strdup_printf (_("%s · %s"), model, confab_model_row_get_provider_name (provider));
  return g_strdup (full_id);
}

void
confab_usage_show_model_preferences (GtkWidget *widget)
{
  GApplication *app = g_application_get_default ();

  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (!GTK_IS_APPLICATION (app))
    return;

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (CONFAB_IS_PREFERENCES_WINDOW (l->data))
      adw_preferences_window_set_visible_page_name (l->data, "models");
}

static void
on_set_price_clicked_cb (GtkButton         *button,
                         ConfabUsageButton *self)
{
  gtk_popover_popdown (self->popover);
  confab_usage_show_model_preferences (GTK_WIDGET (self));
}

static GtkWidget *
create_row (ConfabUsageButton      *self,
            const ConfabModelUsage *usage)
{
  g_autofree char *title = confab_usage_describe_model (usage->model);
  g_autofree char *replies = NULL;
  g_autofree char *input = confab_usage_format_tokens (usage->input_tokens);
  g_autofree char *output = confab_usage_format_tokens (usage->output_tokens);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *suffix;

  replies = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u reply", "%u replies",
                                          usage->n_replies),
                             usage->n_replies);
  g_string_append (subtitle, replies);
  g_string_append (subtitle, " · ");
  /* Translators: tokens sent and received, "1.2k in · 412 out" */
  g_string_append_printf (subtitle, _("%s in · %s out"), input, output);
  if (usage->n_unknown > 0)
    {
      g_string_append (subtitle, " · ");
      g_string_append_printf (subtitle,
                              g_dngettext (GETTEXT_PACKAGE, "%u without usage",
                                           "%u without usage", usage->n_unknown),
                              usage->n_unknown);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  gtk_widget_set_tooltip_text (row, usage->model);

  if (usage->cost >= 0)
    {
      g_autofree char *cost = confab_usage_format_cost (usage->cost);

      suffix = gtk_label_new (cost);
      gtk_widget_add_css_class (suffix, "numeric");
    }
  else
    {
      GtkWidget *label = gtk_label_new (_("No price set"));
      GtkWidget *button = gtk_button_new_with_label (_("Set Price…"));

      suffix = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _("Prices are set in Preferences"));
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_set_price_clicked_cb), self, 0);
      gtk_box_append (GTK_BOX (suffix), label);
      gtk_box_append (GTK_BOX (suffix), button);
    }
  gtk_widget_set_valign (suffix, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix);

  return row;
}

static void
confab_usage_button_reload (ConfabUsageButton *self)
{
  g_autoptr(GPtrArray) usage = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = NULL;
  g_autofree char *output = NULL;
  g_autoptr(GString) total = g_string_new (NULL);
  GtkWidget *child;
  gint64 input_tokens = 0;
  gint64 output_tokens = 0;
  double cost = 0;
  guint n_priced = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  if (self->store != NULL && self->chat != NULL)
    {
      usage = confab_store_get_chat_usage (self->store, confab_chat_get_id (self->chat), &error);
      if (usage == NULL)
        g_warning ("Could not read the chat’s usage: %s", error->message);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), usage == NULL || usage->len == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->list), usage != NULL && usage->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->total_label), usage != NULL && usage->len > 0);
  if (usage == NULL || usage->len == 0)
    return;

  for (guint i = 0; i < usage->len; i++)
    {
      const ConfabModelUsage *row = g_ptr_array_index (usage, i);

      gtk_list_box_append (self->list, create_row (self, row));
      input_tokens += row->input_tokens;
      output_tokens += row->output_tokens;
      if (row->cost >= 0)
        {
          cost += row->cost;
          n_priced++;
        }
    }

  input = confab_usage_format_tokens (input_tokens);
  output = confab_usage_format_tokens (output_tokens);
  /* Translators: the usage popover's last line, "Total: 1.2k in · 412 out" */
  g_string_append_printf (total, _("Total: %s in · %s out"), input, output);
  if (n_priced > 0)
    {
      g_autofree char *formatted = confab_usage_format_cost (cost);

      g_string_append (total, " · ");
      if (n_priced < usage->len)
        /* Translators: the cost of the models that have a price, when some have none */
        g_string_append_printf (total, _("%s for the priced models"), formatted);
      else
        /* Translators: the cost of the whole chat */
        g_string_append_printf (total, _("cost %s"), formatted);
    }
  gtk_label_set_label (self->total_label, total->str);
}

static void
on_popover_show_cb (ConfabUsageButton *self,
                    GtkPopover        *popover)
{
  confab_usage_button_reload (self);
}

ConfabStore *
confab_usage_button_get_store (ConfabUsageButton *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE_BUTTON (self), NULL);

  return self->store;
}

void
confab_usage_button_set_store (ConfabUsageButton *self,
                               ConfabStore       *store)
{
  g_return_if_fail (CONFAB_IS_USAGE_BUTTON (self));
  g_return_if_fail (!store || CONFAB_IS_STORE (store));

  if (g_set_object (&self->store, store))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

ConfabChat *
confab_usage_button_get_chat (ConfabUsageButton *self)
{
  g_return_val_if_fail (CONFAB_IS_USAGE_BUTTON (self), NULL);

  return self->chat;
}

void
confab_usage_button_set_chat (ConfabUsageButton *self,
                              ConfabChat        *chat)
{
  g_return_if_fail (CONFAB_IS_USAGE_BUTTON (self));
  g_return_if_fail (!chat || CONFAB_IS_CHAT (chat));

  if (!g_set_object (&self->chat, chat))
    return;

  gtk_widget_set_visible (GTK_WIDGET (self), chat != NULL);
  if (gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    confab_usage_button_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHAT]);
}

static void
confab_usage_button_dispose (GObject *object)
{
  ConfabUsageButton *self = CONFAB_USAGE_BUTTON (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_USAGE_BUTTON);
  g_clear_object (&self->store);
  g_clear_object (&self->chat);

  G_OBJECT_CLASS (confab_usage_button_parent_class)->dispose (object);
}

static void
confab_usage_button_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabUsageButton *self = CONFAB_USAGE_BUTTON (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CHAT:
      g_value_set_object (value, self->chat);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_usage_button_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ConfabUsageButton *self = CONFAB_USAGE_BUTTON (object);

  switch (prop_id)
    {
    case PROP_STORE:
      confab_usage_button_set_store (self, g_value_get_object (value));
      break;

    case PROP_CHAT:
      confab_usage_button_set_chat (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_usage_button_class_init (ConfabUsageButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_usage_button_dispose;
  object_class->get_property = confab_usage_button_get_property;
  object_class->set_property = confab_usage_button_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CONFAB_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CHAT] =
    g_param_spec_object ("chat", NULL, NULL,
                         CONFAB_TYPE_CHAT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-usage-button.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageButton, button);
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageButton, popover);
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageButton, empty_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageButton, list);
  gtk_widget_class_bind_template_child (widget_class, ConfabUsageButton, total_label);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_show_cb);
}

static void
confab_usage_button_init (ConfabUsageButton *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
