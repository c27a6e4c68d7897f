/* confab-compare-button.c: which models the next message is compared on.
 *
 * The popover holds one check button per catalogue model, rebuilt when
 * the catalogue changes (a handful of models: no list view needed). The
 * models are kept in the order they were checked, which is the order of
 * the answers; a model the catalogue does not list (yet) stays selected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-compare-button.h"
#include "confab-model-row.h"

struct _ConfabCompareButton
{
  GtkWidget             parent_instance;

  ConfabModelCatalogue *catalogue;
  gboolean              catalogue_from_app;
  GSignalGroup         *catalogue_signals;
  GPtrArray            *models;      /* char *, "PROVIDER:MODEL" */
  GStrv                 models_strv; /* what get_models() returns */
  /* Setting the checks from :models must not write them back. */
  gboolean              syncing;

  /* Template widgets */
  GtkMenuButton        *button;
  GtkLabel             *count_label;
  GtkPopover           *popover;
  GtkStack             *stack;
  GtkBox               *models_box;
  GtkLabel             *status_label;
  GtkButton            *clear_button;
};

G_DEFINE_FINAL_TYPE (ConfabCompareButton, confab_compare_button, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CATALOGUE,
  PROP_MODELS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static int
find_model (ConfabCompareButton *self,
            const char          *full_id)
{
  for (guint i = 0; i < self->models->len; i++)
    if (g_str_equal (g_ptr_array_index (self->models, i), full_id))
      return (int) i;
  return -1;
}

static void
confab_compare_button_update (ConfabCompareButton *self)
{
  guint n = self->models->len;
  g_autofree char *count = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *status = NULL;

  g_clear_pointer (&self->models_strv, g_strfreev);
  if (n > 0)
    {
      self->models_strv = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        self->models_strv[i] = g_strdup (g_ptr_array_index (self->models, i));
    }

  /* On (two or more) it stands out, with the count: the next Send is not
   * an ordinary one. */
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), n >= 2);
  if (n >= 2)
    {
      count = g_strdup_printf ("%u", n);
      gtk_label_set_label (self->count_label, count);
      /* Translators: the compare button's tooltip while it is on. */
      tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Comparing %u Model", "Comparing %u Models", n), n);
      gtk_widget_add_css_class (GTK_WIDGET (self->button), "compare-on");
      gtk_widget_add_css_class (GTK_WIDGET (self->button), "suggested-action");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->button), "compare-on");
      gtk_widget_remove_css_class (GTK_WIDGET (self->button), "suggested-action");
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), tooltip ? tooltip : _("Compare Models"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  tooltip ? tooltip : "",
                                  -1);

  if (n == 0)
    status = g_strdup (_("Off"));
  else if (n == 1)
    status = g_strdup (_("Check one more model"));
  else
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u model checked", "%u models checked", n), n);
  gtk_label_set_label (self->status_label, status);
  gtk_widget_set_sensitive (GTK_WIDGET (self->clear_button), n > 0);
}

static void
on_check_toggled_cb (ConfabCompareButton *self,
                     GtkCheckButton      *check)
{
  const char *full_id = g_object_get_data (G_OBJECT (check), "confab-model");
  int index;

  if (self->syncing || full_id == NULL)
    return;

  index = find_model (self, full_id);
  if (gtk_check_button_get_active (check) && index < 0)
    g_ptr_array_add (self->models, g_strdup (full_id));
  else if (!gtk_check_button_get_active (check) && index >= 0)
    g_ptr_array_remove_index (self->models, index);
  else
    return;

  confab_compare_button_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODELS]);
}

static void
sync_checks (ConfabCompareButton *self)
{
  self->syncing = TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->models_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *full_id = g_object_get_data (G_OBJECT (child), "confab-model");

      if (full_id != NULL)
        gtk_check_button_set_active (GTK_CHECK_BUTTON (child), find_model (self, full_id) >= 0);
    }
  self->syncing = FALSE;
}

static GtkWidget *
create_check (ConfabCompareButton *self,
              ConfabModelInfo     *info)
{
  const char *name = confab_model_info_get_display_name (info);
  const char *provider = confab_model_row_get_provider_name (confab_model_info_get_provider (info));
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title = NULL;
  GtkWidget *caption;
  g_autofree char *accessible = NULL;

  if (name == NULL || *name == '\0')
    name = confab_model_info_get_model (info);

  title = gtk_label_new (name);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (title, TRUE);
  caption = gtk_label_new (provider);
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), caption);
  gtk_check_button_set_child (GTK_CHECK_BUTTON (check), box);

  /* As the model picker names a model: "Claude Sonnet 4.5 · Anthropic". */
  accessible = g_strdup_printf (_("%s · %s"), name, provider);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  gtk_widget_set_tooltip_text (check, confab_model_info_get_full_id (info));
  g_object_set_data_full (G_OBJECT (check), "confab-model",
                          g_strdup (confab_model_info_get_full_id (info)), g_free);
  g_signal_connect_object (check, "toggled", G_CALLBACK (on_check_toggled_cb), self,
                           G_CONNECT_SWAPPED);
  return check;
}

static void
rebuild_checks (ConfabCompareButton *self)
{
  GtkWidget *child;
  guint n_items = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->models_box))) != NULL)
    gtk_box_remove (self->models_box, child);

  if (self->catalogue != NULL)
    n_items = g_list_model_get_n_items (G_LIST_MODEL (self->catalogue));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(ConfabModelInfo) info = g_list_model_get_item (G_LIST_MODEL (self->catalogue), i);

      gtk_box_append (self->models_box, create_check (self, info));
    }

  gtk_stack_set_visible_child_name (self->stack, n_items > 0 ? "models" : "empty");
  sync_checks (self);
}

static void
on_catalogue_items_changed_cb (ConfabCompareButton *self,
                               guint                position,
                               guint                removed,
                               guint                added,
                               GListModel          *model)
{
  rebuild_checks (self);
}

static void
on_clear_clicked_cb (ConfabCompareButton *self,
                     GtkButton           *button)
{
  confab_compare_button_set_models (self, NULL);
  gtk_popover_popdown (self->popover);
}

GtkWidget *
confab_compare_button_new (void)
{
  return g_object_new (CONFAB_TYPE_COMPARE_BUTTON, NULL);
}

ConfabModelCatalogue *
confab_compare_button_get_catalogue (ConfabCompareButton *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPARE_BUTTON (self), NULL);

  return self->catalogue;
}

static void
confab_compare_button_take_catalogue (ConfabCompareButton  *self,
                                      ConfabModelCatalogue *catalogue,
                                      gboolean              from_app)
{
  self->catalogue_from_app = from_app;
  if (!g_set_object (&self->catalogue, catalogue))
    return;

  g_signal_group_set_target (self->catalogue_signals, catalogue);
  rebuild_checks (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATALOGUE]);
}

void
confab_compare_button_set_catalogue (ConfabCompareButton  *self,
                                     ConfabModelCatalogue *catalogue)
{
  g_return_if_fail (CONFAB_IS_COMPARE_BUTTON (self));
  g_return_if_fail (!catalogue || CONFAB_IS_MODEL_CATALOGUE (catalogue));

  confab_compare_button_take_catalogue (self, catalogue, FALSE);
}

const char * const *
confab_compare_button_get_models (ConfabCompareButton *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPARE_BUTTON (self), NULL);

  return (const char * const *) self->models_strv;
}

void
confab_compare_button_set_models (ConfabCompareButton *self,
                                  const char * const  *models)
{
  g_return_if_fail (CONFAB_IS_COMPARE_BUTTON (self));

  if (models != NULL && models[0] == NULL)
    models = NULL;
  if ((models == NULL && self->models_strv == NULL)
      || (models != NULL && self->models_strv != NULL
          && g_strv_equal (models, (const char * const *) self->models_strv)))
    return;

  g_ptr_array_set_size (self->models, 0);
  for (guint i = 0; models != NULL && models[i] != NULL; i++)
    if (find_model (self, models[i]) < 0)
      g_ptr_array_add (self->models, g_strdup (models[i]));

  sync_checks (self);
  confab_compare_button_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODELS]);
}

void
confab_compare_button_popup (ConfabCompareButton *self)
{
  g_return_if_fail (CONFAB_IS_COMPARE_BUTTON (self));

  gtk_menu_button_popup (self->button);
}

static void
confab_compare_button_root (GtkWidget *widget)
{
  ConfabCompareButton *self = CONFAB_COMPARE_BUTTON (widget);
  GApplication *app = g_application_get_default ();

  GTK_WIDGET_CLASS (confab_compare_button_parent_class)->root (widget);

  /* Nobody gave a catalogue: the application's is the one to show. */
  if ((self->catalogue == NULL || self->catalogue_from_app) && CONFAB_IS_APPLICATION (app))
    confab_compare_button_take_catalogue (self,
                                          confab_application_get_catalogue (CONFAB_APPLICATION (app)),
                                          TRUE);
}

static gboolean
confab_compare_button_focus (GtkWidget        *widget,
                             GtkDirectionType  direction)
{
  return gtk_widget_child_focus (GTK_WIDGET (CONFAB_COMPARE_BUTTON (widget)->button), direction);
}

static gboolean
confab_compare_button_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (CONFAB_COMPARE_BUTTON (widget)->button));
}

static void
confab_compare_button_dispose (GObject *object)
{
  ConfabCompareButton *self = CONFAB_COMPARE_BUTTON (object);

  if (self->catalogue_signals != NULL)
    g_signal_group_set_target (self->catalogue_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_COMPARE_BUTTON);
  g_clear_object (&self->catalogue_signals);
  g_clear_object (&self->catalogue);

  G_OBJECT_CLASS (confab_compare_button_parent_class)->dispose (object);
}

static void
confab_compare_button_finalize (GObject *object)
{
  ConfabCompareButton *self = CONFAB_COMPARE_BUTTON (object);

  g_clear_pointer (&self->models, g_ptr_array_unref);
  g_clear_pointer (&self->models_strv, g_strfreev);

  G_OBJECT_CLASS (confab_compare_button_parent_class)->finalize (object);
}

static void
confab_compare_button_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ConfabCompareButton *self = CONFAB_COMPARE_BUTTON (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      g_value_set_object (value, self->catalogue);
      break;

    case PROP_MODELS:
      g_value_set_boxed (value, self->models_strv);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_compare_button_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ConfabCompareButton *self = CONFAB_COMPARE_BUTTON (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      confab_compare_button_set_catalogue (self, g_value_get_object (value));
      break;

    case PROP_MODELS:
      confab_compare_button_set_models (self, g_value_get_boxed (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_compare_button_class_init (ConfabCompareButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_compare_button_dispose;
  object_class->finalize = confab_compare_button_finalize;
  object_class->get_property = confab_compare_button_get_property;
  object_class->set_property = confab_compare_button_set_property;
  widget_class->root = confab_compare_button_root;
  widget_class->focus = confab_compare_button_focus;
  widget_class->grab_focus = confab_compare_button_grab_focus;

  properties[PROP_CATALOGUE] =
    g_param_spec_object ("catalogue", NULL, NULL,
                         CONFAB_TYPE_MODEL_CATALOGUE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * ConfabCompareButton:models:
   *
   * The checked models, in the order they were checked; NULL when none.
   */
  properties[PROP_MODELS] =
    g_param_spec_boxed ("models", NULL, NULL,
                        G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-compare-button.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareButton, button);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareButton, count_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareButton, popover);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareButton, stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareButton, models_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareButton, status_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabCompareButton, clear_button);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_clicked_cb);

  gtk_widget_class_set_css_name (widget_class, "comparebutton");
}

static void
confab_compare_button_init (ConfabCompareButton *self)
{
  self->models = g_ptr_array_new_with_free_func (g_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->catalogue_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_object (self->catalogue_signals, "items-changed",
                                 G_CALLBACK (on_catalogue_items_changed_cb), self,
                                 G_CONNECT_SWAPPED);

  rebuild_checks (self);
  confab_compare_button_update (self);
}
