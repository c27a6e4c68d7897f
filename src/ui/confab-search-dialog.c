/* confab-search-dialog.c: search every chat.
 *
 * Each change of the query (GtkSearchEntry already waits for a pause in the
 * typing) cancels the search still running and starts another in a worker
 * thread (confab_store_search_hits_async), so a big store never blocks the
 * dialog and results never arrive out of order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include "confab-search-dialog.h"
#include "confab-search-row.h"

/* Enough to find something; more would only be scrolled past. */
#define MAX_RESULTS 100

struct _ConfabSearchDialog
{
  AdwWindow           parent_instance;

  ConfabStore        *store;
  GListStore         *results;
  GCancellable       *cancellable;

  /* Template widgets */
  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  GtkListView        *results_list;
  GtkSingleSelection *selection;
  GtkFilterListModel *filter_model;
};

G_DEFINE_FINAL_TYPE (ConfabSearchDialog, confab_search_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_FILTER,
  N_PROPS
};

enum {
  HIT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

ConfabSearchDialog *
confab_search_dialog_new (GtkWindow   *parent,
                          ConfabStore *store,
                          GtkFilter   *filter)
{
  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);
  g_return_val_if_fail (!filter || GTK_IS_FILTER (filter), NULL);

  return g_object_new (CONFAB_TYPE_SEARCH_DIALOG,
                       "transient-for", parent,
                       "store", store,
                       "filter", filter,
                       NULL);
}

ConfabStore *
confab_search_dialog_get_store (ConfabSearchDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_DIALOG (self), NULL);

  return self->store;
}

GtkFilter *
confab_search_dialog_get_filter (ConfabSearchDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_SEARCH_DIALOG (self), NULL);

  return gtk_filter_list_model_get_filter (self->filter_model);
}

void
confab_search_dialog_set_filter (ConfabSearchDialog *self,
                                 GtkFilter          *filter)
{
  g_return_if_fail (CONFAB_IS_SEARCH_DIALOG (self));
  g_return_if_fail (!filter || GTK_IS_FILTER (filter));

  if (gtk_filter_list_model_get_filter (self->filter_model) == filter)
    return;

  gtk_filter_list_model_set_filter (self->filter_model, filter);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
}

static void
confab_search_dialog_update_page (ConfabSearchDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  const char *page;

  if (text[0] == '\0')
    page = "start";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) == 0)
    page = "empty";
  else
    page = "results";

  gtk_stack_set_visible_child_name (self->stack, page);
}

static void
search_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ConfabSearchDialog) self = user_data;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;

  hits = confab_store_search_hits_finish (CONFAB_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (hits == NULL)
    {
      /* Shown as "no results": there is nothing the user could do about it. */
      g_debug ("Search failed: %s", error->message);
      hits = g_ptr_array_new ();
    }

  g_list_store_splice (self->results, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->results)),
                       hits->pdata, hits->len);
  confab_search_dialog_update_page (self);

  if (g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) > 0)
    {
      gtk_single_selection_set_selected (self->selection, 0);
      gtk_widget_activate_action (GTK_WIDGET (self->results_list),
                                  "list.scroll-to-item", "u", 0);
    }
}

static void
on_search_changed_cb (ConfabSearchDialog *self,
                      GtkSearchEntry     *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (text[0] == '\0')
    {
      g_list_store_remove_all (self->results);
      confab_search_dialog_update_page (self);
      return;
    }

  /* The old results stay until the new ones come, so the list does not
   * flicker while typing. */
  self->cancellable = g_cancellable_new ();
  confab_store_search_hits_async (self->store, text, 0, MAX_RESULTS, self->cancellable,
                                  search_done_cb, g_object_ref (self));
}

static void
confab_search_dialog_activate_position (ConfabSearchDialog *self,
                                        guint               position)
{
  g_autoptr(ConfabSearchHit) hit = NULL;

  hit = g_list_model_get_item (G_LIST_MODEL (self->filter_model), position);
  if (hit == NULL)
    return;

  /* Emitted before closing: handlers are gone once the window is destroyed. */
  g_signal_emit (self, signals[HIT_ACTIVATED], 0, hit);
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_result_activated_cb (ConfabSearchDialog *self,
                        guint               position,
                        GtkListView        *list_view)
{
  confab_search_dialog_activate_position (self, position);
}

static void
on_entry_activate_cb (ConfabSearchDialog *self,
                      GtkSearchEntry     *entry)
{
  guint position = gtk_single_selection_get_selected (self->selection);

  if (position != GTK_INVALID_LIST_POSITION)
    confab_search_dialog_activate_position (self, position);
}

static void
on_stop_search_cb (ConfabSearchDialog *self,
                   GtkSearchEntry     *entry)
{
  gtk_window_close (GTK_WINDOW (self));
}

/* Moves the selection while the focus stays in the entry, so the user can
 * type, pick with the arrows and press Enter without leaving the keyboard
 * row they are on. */
static void
confab_search_dialog_move_selection (ConfabSearchDialog *self,
                                     int                 delta)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  guint position = gtk_single_selection_get_selected (self->selection);

  if (n_items == 0)
    return;

  if (position == GTK_INVALID_LIST_POSITION)
    position = 0;
  else if (delta < 0)
    position = position > 0 ? position - 1 : 0;
  else
    position = MIN (position + 1, n_items - 1);

  gtk_single_selection_set_selected (self->selection, position);
  gtk_widget_activate_action (GTK_WIDGET (self->results_list),
                              "list.scroll-to-item", "u", position);
}

static void
on_next_match_cb (ConfabSearchDialog *self,
                  GtkSearchEntry     *entry)
{
  confab_search_dialog_move_selection (self, 1);
}

static void
on_previous_match_cb (ConfabSearchDialog *self,
                      GtkSearchEntry     *entry)
{
  confab_search_dialog_move_selection (self, -1);
}

static gboolean
on_entry_key_pressed_cb (GtkEventControllerKey *controller,
                         guint                  keyval,
                         guint                  keycode,
                         GdkModifierType        state,
                         ConfabSearchDialog    *self)
{
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      confab_search_dialog_move_selection (self, 1);
      return TRUE;

    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      confab_search_dialog_move_selection (self, -1);
      return TRUE;

    default:
      return FALSE;
    }
}

static void
on_filter_items_changed_cb (ConfabSearchDialog *self,
                            guint               position,
                            guint               removed,
                            guint               added,
                            GListModel         *model)
{
  confab_search_dialog_update_page (self);
}

static void
confab_search_dialog_dispose (GObject *object)
{
  ConfabSearchDialog *self = CONFAB_SEARCH_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_SEARCH_DIALOG);

  g_clear_object (&self->results);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_search_dialog_parent_class)->dispose (object);
}

static void
confab_search_dialog_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabSearchDialog *self = CONFAB_SEARCH_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_FILTER:
      g_value_set_object (value, confab_search_dialog_get_filter (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_search_dialog_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ConfabSearchDialog *self = CONFAB_SEARCH_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_FILTER:
      confab_search_dialog_set_filter (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_search_dialog_class_init (ConfabSearchDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_search_dialog_dispose;
  object_class->get_property = confab_search_dialog_get_property;
  object_class->set_property = confab_search_dialog_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CONFAB_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FILTER] =
    g_param_spec_object ("filter", NULL, NULL,
                         GTK_TYPE_FILTER,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabSearchDialog::hit-activated:
   * @hit: the #ConfabSearchHit the user chose
   */
  signals[HIT_ACTIVATED] =
    g_signal_new ("hit-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CONFAB_TYPE_SEARCH_HIT);

  /* The row template looks its type up by name. */
  g_type_ensure (CONFAB_TYPE_SEARCH_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-search-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabSearchDialog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ConfabSearchDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabSearchDialog, results_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabSearchDialog, selection);
  gtk_widget_class_bind_template_child (widget_class, ConfabSearchDialog, filter_model);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_next_match_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_previous_match_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_result_activated_cb);

  /* Escape closes wherever the focus is (the entry handles it itself). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  /* A window, but announced as the dialog it is. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
}

static void
confab_search_dialog_init (ConfabSearchDialog *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->results = g_list_store_new (CONFAB_TYPE_SEARCH_HIT);
  gtk_filter_list_model_set_model (self->filter_model, G_LIST_MODEL (self->results));
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (on_filter_items_changed_cb), self,
                           G_CONNECT_SWAPPED);

  /* In the capture phase, before the entry's text moves the cursor. */
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_entry_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), controller);

  /* Typing anywhere in the dialog goes to the query. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));

  confab_search_dialog_update_page (self);
}
