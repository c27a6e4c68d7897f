/* confab-window.c: the main window, its selection and its saved state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-chat-row.h"
#include "confab-window-private.h"

G_DEFINE_FINAL_TYPE (ConfabWindow, confab_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SHOW_ARCHIVED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

ConfabWindow *
confab_window_new (ConfabApplication *application,
                   ConfabStore       *store)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);

  return g_object_new (CONFAB_TYPE_WINDOW,
                       "application", application,
                       "store", store,
                       NULL);
}

ConfabStore *
confab_window_get_store (ConfabWindow *self)
{
  g_return_val_if_fail (CONFAB_IS_WINDOW (self), NULL);

  return self->store;
}

ConfabProject *
_confab_window_get_project (ConfabWindow *self)
{
  return gtk_single_selection_get_selected_item (self->project_selection);
}

ConfabChat *
_confab_window_get_chat (ConfabWindow *self)
{
  return gtk_single_selection_get_selected_item (self->chat_selection);
}

void
_confab_window_report_error (ConfabWindow *self,
                             const GError *error)
{
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  g_return_if_fail (error != NULL);

  g_debug ("Reporting store error: %s", error->message);

  /* Toast titles are Pango markup; the message may contain a path with "&". */
  escaped = g_markup_escape_text (error->message, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Projects and chats both have an "id"; ids survive a restart, objects do not. */
static guint
find_position_by_id (GListModel *model,
                     gint64      id)
{
  guint n_items = model ? g_list_model_get_n_items (model) : 0;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (model, i);
      gint64 item_id = 0;

      g_object_get (item, "id", &item_id, NULL);
      if (item_id == id)
        return i;
    }

  return GTK_INVALID_LIST_POSITION;
}

void
_confab_window_select_project (ConfabWindow  *self,
                               ConfabProject *project)
{
  guint position;

  g_return_if_fail (CONFAB_IS_PROJECT (project));

  position = find_position_by_id (gtk_single_selection_get_model (self->project_selection),
                                  confab_project_get_id (project));
  if (position != GTK_INVALID_LIST_POSITION)
    {
      gtk_single_selection_set_selected (self->project_selection, position);
      gtk_widget_activate_action (GTK_WIDGET (self->projects_list),
                                  "list.scroll-to-item", "u", position);
    }
}

void
_confab_window_select_chat (ConfabWindow *self,
                            ConfabChat   *chat,
                            gboolean      show_content)
{
  guint position;

  g_return_if_fail (CONFAB_IS_CHAT (chat));

  position = find_position_by_id (gtk_single_selection_get_model (self->chat_selection),
                                  confab_chat_get_id (chat));
  if (position == GTK_INVALID_LIST_POSITION)
    return;

  self->selecting_in_code = TRUE;
  gtk_single_selection_set_selected (self->chat_selection, position);
  self->selecting_in_code = FALSE;

  gtk_widget_activate_action (GTK_WIDGET (self->chats_list),
                              "list.scroll-to-item", "u", position);

  if (show_content)
    adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->chat_view));
}

static void
confab_window_update_chats_page (ConfabWindow *self)
{
  GListModel *chats = gtk_single_selection_get_model (self->chat_selection);
  const char *page;

  if (_confab_window_get_project (self) == NULL)
    page = "no-project";
  else if (chats == NULL || g_list_model_get_n_items (chats) == 0)
    page = "no-chats";
  else
    page = "chats";

  gtk_stack_set_visible_child_name (self->chats_stack, page);
}

/* The toggle shows while there is something it would show or hide. */
static void
confab_window_update_archived (ConfabWindow *self)
{
  guint n_items = self->chats ? g_list_model_get_n_items (self->chats) : 0;
  guint n_archived = 0;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(ConfabChat) chat = g_list_model_get_item (self->chats, i);

      if (confab_chat_get_archived (chat) &&
          !_confab_window_is_pending (self, confab_chat_get_id (chat), 0))
        n_archived++;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->archived_button),
                          n_archived > 0 || self->show_archived);
}

void
_confab_window_chats_changed (ConfabWindow *self)
{
  gtk_filter_changed (GTK_FILTER (self->chat_filter), GTK_FILTER_CHANGE_DIFFERENT);
  confab_window_update_archived (self);
  _confab_window_update_actions (self);
}

void
_confab_window_set_show_archived (ConfabWindow *self,
                                  gboolean      show_archived)
{
  show_archived = !!show_archived;
  if (self->show_archived == show_archived)
    return;

  self->show_archived = show_archived;
  gtk_filter_changed (GTK_FILTER (self->chat_filter),
                      show_archived ? GTK_FILTER_CHANGE_LESS_STRICT
                                    : GTK_FILTER_CHANGE_MORE_STRICT);
  confab_window_update_archived (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_ARCHIVED]);
}

static void
on_chats_items_changed_cb (ConfabWindow *self,
                           guint         position,
                           guint         removed,
                           guint         added,
                           GListModel   *model)
{
  confab_window_update_archived (self);
}

static void
on_visible_chats_changed_cb (ConfabWindow *self,
                             guint         position,
                             guint         removed,
                             guint         added,
                             GListModel   *model)
{
  confab_window_update_chats_page (self);
}

static void
on_projects_changed_cb (ConfabWindow *self,
                        guint         position,
                        guint         removed,
                        guint         added,
                        GListModel   *model)
{
  /* The "Move to Project" menu lists the others. */
  _confab_window_update_actions (self);
}

static void
confab_window_save_selection (ConfabWindow *self)
{
  ConfabProject *project;
  ConfabChat *chat;

  if (self->settings == NULL || self->closing)
    return;

  project = _confab_window_get_project (self);
  chat = _confab_window_get_chat (self);

  g_settings_set_int64 (self->settings, "last-project",
                        project ? confab_project_get_id (project) : 0);
  g_settings_set_int64 (self->settings, "last-chat",
                        chat ? confab_chat_get_id (chat) : 0);
}

static void
on_project_selected_cb (ConfabWindow       *self,
                        GParamSpec         *pspec,
                        GtkSingleSelection *selection)
{
  ConfabProject *project;
  g_autoptr (GListModel) chats = NULL;

  if (self->closing)
    return;

  project = _confab_window_get_project (self);
  if (project != NULL)
    chats = confab_store_list_chats (self->store, project);

  g_set_object (&self->chats, chats);
  g_signal_group_set_target (self->chats_signals, chats);
  gtk_filter_list_model_set_model (self->chat_filter_model, chats);

  confab_window_update_archived (self);
  confab_window_update_chats_page (self);
  _confab_window_update_actions (self);
  confab_window_save_selection (self);
}

static void
on_chat_selected_cb (ConfabWindow       *self,
                     GParamSpec         *pspec,
                     GtkSingleSelection *selection)
{
  GtkWidget *focus;
  ConfabChat *chat;

  if (self->closing)
    return;

  chat = _confab_window_get_chat (self);
  focus = gtk_root_get_focus (GTK_ROOT (self));
  confab_chat_view_set_chat (self->chat_view, chat);

  /* Opening a chat puts the focus in its composer, which is what a click
   * means; arrow keys in the list only browse, and must stay in the list
   * or the next key press would land in the composer. */
  if (self->chats_keyboard_nav && focus != NULL &&
      gtk_widget_is_ancestor (focus, GTK_WIDGET (self->chats_list)) &&
      gtk_root_get_focus (GTK_ROOT (self)) != focus)
    gtk_widget_grab_focus (focus);

  /* On a narrow window a click on a chat opens it, and an open chat that
   * goes away (deleted) leaves the user on the list rather than on nothing. */
  if (adw_leaflet_get_folded (self->leaflet))
    {
      if (chat != NULL && !self->selecting_in_code)
        adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->chat_view));
      else if (chat == NULL)
        adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
    }

  _confab_window_update_actions (self);
  confab_window_save_selection (self);
}

static void
on_chat_activated_cb (ConfabWindow *self,
                      guint         position,
                      GtkListView  *list_view)
{
  /* Enter on an already selected chat, or a click on it when folded. */
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->chat_view));
}

static void
on_leaflet_folded_cb (ConfabWindow *self,
                      GParamSpec   *pspec,
                      AdwLeaflet   *leaflet)
{
  /* Unfolding shows both; when folding, keep the user in the open chat, or
   * on the list when there is none. */
  if (!self->closing && adw_leaflet_get_folded (leaflet))
    adw_leaflet_set_visible_child (leaflet,
                                   _confab_window_get_chat (self) != NULL
                                   ? GTK_WIDGET (self->chat_view)
                                   : self->sidebar);
}

static void
confab_window_load_state (ConfabWindow *self)
{
  GListModel *projects = confab_store_get_projects (self->store);
  gint64 last_project = 0;
  gint64 last_chat = 0;
  guint position;

  if (self->settings != NULL)
    {
      last_project = g_settings_get_int64 (self->settings, "last-project");
      last_chat = g_settings_get_int64 (self->settings, "last-chat");
    }

  /* A first start should not greet the user with an empty, useless sidebar. */
  if (g_list_model_get_n_items (projects) == 0)
    {
      g_autoptr (ConfabProject) project = NULL;
      g_autoptr (GError) error = NULL;

      project = confab_store_create_project (self->store, _("Personal"), &error);
      if (project == NULL)
        _confab_window_report_error (self, error);
    }

  self->selecting_in_code = TRUE;
  gtk_filter_list_model_set_model (self->project_filter_model, projects);

  position = find_position_by_id (projects, last_project);
  if (position != GTK_INVALID_LIST_POSITION)
    gtk_single_selection_set_selected (self->project_selection, position);

  position = find_position_by_id (gtk_single_selection_get_model (self->chat_selection),
                                  last_chat);
  if (position != GTK_INVALID_LIST_POSITION)
    gtk_single_selection_set_selected (self->chat_selection, position);
  self->selecting_in_code = FALSE;

  confab_window_update_chats_page (self);
  _confab_window_update_actions (self);
}

static gboolean
on_close_request_cb (ConfabWindow *self,
                     GtkWindow    *window)
{
  int width;
  int height;

  confab_window_save_selection (self);
  self->closing = TRUE;

  /* Quitting is the last chance for what waits behind an Undo toast. */
  _confab_window_commit_deletes (self);

  if (self->settings == NULL)
    return FALSE;

  /* GTK keeps the unmaximized size here, which is the one worth restoring. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));

  return FALSE;
}

static GSettings *
confab_window_create_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  /* g_settings_new () aborts on a missing schema; an uninstalled run without
   * GSETTINGS_SCHEMA_DIR should still open the user's chats. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  if (schema == NULL)
    {
      g_warning ("GSettings schema %s is not installed; the window will not "
                 "remember its state", APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static void
confab_window_constructed (GObject *object)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  G_OBJECT_CLASS (confab_window_parent_class)->constructed (object);

  g_assert (self->store != NULL);

  confab_chat_view_set_store (self->chat_view, self->store);
  confab_window_load_state (self);
}

static void
confab_window_dispose (GObject *object)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  /* Tearing down the lists changes the selection: that is not the user's. */
  self->closing = TRUE;

  /* Destroyed without a close request (the application ending): still
   * never lose a pending delete. */
  if (self->store != NULL && self->pending_deletes != NULL)
    _confab_window_commit_deletes (self);

  if (self->chats_signals != NULL)
    g_signal_group_set_target (self->chats_signals, NULL);

  if (self->project_popover != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->project_popover));
  if (self->chat_popover != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->chat_popover));

  _confab_window_rooms_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_WINDOW);

  g_clear_object (&self->chats_signals);
  g_clear_object (&self->chats);
  g_clear_object (&self->project_filter);
  g_clear_object (&self->chat_filter);
  g_clear_pointer (&self->pending_deletes, g_ptr_array_unref);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_window_parent_class)->dispose (object);
}

static void
confab_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SHOW_ARCHIVED:
      g_value_set_boolean (value, self->show_archived);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_SHOW_ARCHIVED:
      _confab_window_set_show_archived (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_window_class_init (ConfabWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = confab_window_constructed;
  object_class->dispose = confab_window_dispose;
  object_class->get_property = confab_window_get_property;
  object_class->set_property = confab_window_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CONFAB_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* Archived chats are listed too (dimmed); the win.show-archived toggle. */
  properties[PROP_SHOW_ARCHIVED] =
    g_param_spec_boolean ("show-archived", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The row templates look these types up by name. */
  g_type_ensure (CONFAB_TYPE_CHAT_VIEW);
  g_type_ensure (CONFAB_TYPE_CHAT_ROW);
  g_type_ensure (CONFAB_TYPE_PROJECT);
  g_type_ensure (CONFAB_TYPE_CHAT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, projects_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, project_selection);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, project_filter_model);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, project_popover);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, chats_stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, chats_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, chat_selection);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, chat_filter_model);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, chat_popover);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, chat_menu);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, move_section);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, archived_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, chat_view);
  gtk_widget_class_bind_template_callback (widget_class, on_close_request_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_folded_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_project_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_chat_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_chat_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_chats_changed_cb);

  _confab_window_class_actions_init (widget_class);
  _confab_window_class_menus_init (widget_class);
  _confab_window_class_transfer_init (widget_class);
  _confab_window_class_rooms_init (widget_class);
}

static void
confab_window_init (ConfabWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  _confab_window_deletes_init (self);
  g_signal_connect_object (self->project_filter_model, "items-changed",
                           G_CALLBACK (on_projects_changed_cb), self, G_CONNECT_SWAPPED);
  /* One menu for a chat, in the sidebar and in the chat's header. */
  confab_chat_view_set_menu_model (self->chat_view, self->chat_menu);

  self->chats_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_object (self->chats_signals,
                                 "items-changed",
                                 G_CALLBACK (on_chats_items_changed_cb),
                                 self,
                                 G_CONNECT_SWAPPED);

  _confab_window_menus_init (self);
  _confab_window_transfer_init (self);
  _confab_window_rooms_init (self);

  self->settings = confab_window_create_settings ();
  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
}
