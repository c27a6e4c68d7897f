/* confab-chat-view-actions.c: sending from the composer, the message
 * actions and the thread pane of the chat view (failed replies are
 * confab-chat-view-errors.c's).
 *
 * Message actions take the message id ("x") as their parameter, so the
 * rows' menus need no pointer to the view: the action is looked up from
 * the row up to the view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-chat-view-private.h"
#include "confab-text-window.h"

static ConfabModelCatalogue *
get_catalogue (void)
{
  GApplication *app = g_application_get_default ();

  return CONFAB_IS_APPLICATION (app)
         ? confab_application_get_catalogue (CONFAB_APPLICATION (app)) : NULL;
}

static char *
model_display_name (const char *full_id)
{
  ConfabModelCatalogue *catalogue = get_catalogue ();
  g_autoptr(ConfabModelInfo) info = NULL;
  const char *colon = strchr (full_id, ':');

  if (catalogue != NULL)
    info = confab_model_catalogue_lookup (catalogue, full_id);
  if (info != NULL && confab_model_info_get_display_name (info) != NULL)
    return g_strdup (confab_model_info_get_display_name (info));

  return g_strdup (colon ? colon + 1 : full_id);
}

/* The chat's model, else its project's, else the app's default, else the
 * first model listed. */
static char *
confab_chat_view_dup_default_model (ConfabChatView *self)
{
  GApplication *app = g_application_get_default ();
  ConfabModelCatalogue *catalogue = get_catalogue ();
  g_autoptr(ConfabProject) project = NULL;
  g_autofree char *setting = NULL;

  if (self->chat != NULL && confab_chat_get_model (self->chat) != NULL
      && *confab_chat_get_model (self->chat) != '\0')
    return g_strdup (confab_chat_get_model (self->chat));

  if (self->chat != NULL && self->store != NULL)
    project = confab_store_lookup_project (self->store,
                                           confab_chat_get_project_id (self->chat), NULL);
  if (project != NULL && confab_project_get_default_model (project) != NULL
      && *confab_project_get_default_model (project) != '\0')
    return g_strdup (confab_project_get_default_model (project));

  if (CONFAB_IS_APPLICATION (app) && confab_application_get_settings (CONFAB_APPLICATION (app)))
    setting = g_settings_get_string (confab_application_get_settings (CONFAB_APPLICATION (app)),
                                     "default-model");
  if (setting != NULL && *setting != '\0')
    return g_steal_pointer (&setting);

  if (catalogue != NULL && g_list_model_get_n_items (G_LIST_MODEL (catalogue)) > 0)
    {
      g_autoptr(ConfabModelInfo) info = g_list_model_get_item (G_LIST_MODEL (catalogue), 0);

      return g_strdup (confab_model_info_get_full_id (info));
    }

  return NULL;
}

static char *
message_full_model (ConfabMessage *message)
{
  if (confab_message_get_provider (message) == NULL || confab_message_get_model (message) == NULL)
    return NULL;

  return g_strdup_printf ("%s:%s", confab_message_get_provider (message),
                          confab_message_get_model (message));
}

char *
_confab_chat_view_dup_switch_label (ConfabChatView *self,
                                    guint           position)
{
  GListModel *model = G_LIST_MODEL (self->messages);
  g_autoptr(ConfabMessage) message = NULL;
  g_autofree char *current = NULL;
  g_autofree char *name = NULL;

  /* The list shows the tail of the messages: the reply before the first
   * row shown is still compared with. */
  if (model == NULL)
    return NULL;
  position += confab_tail_model_get_start (self->tail);
  message = g_list_model_get_item (model, position);
  if (message == NULL || confab_message_get_role (message) != CONFAB_ROLE_ASSISTANT)
    return NULL;
  /* At a round-table each speaker has a name and a model of its own. */
  if (confab_message_get_speaker (message) != NULL)
    return NULL;
  current = message_full_model (message);
  if (current == NULL)
    return NULL;

  /* Against the reply before it: a user message in between is the norm. */
  for (guint i = position; i > 0; i--)
    {
      g_autoptr(ConfabMessage) previous = g_list_model_get_item (model, i - 1);
      g_autofree char *before = NULL;

      if (previous == NULL || confab_message_get_role (previous) != CONFAB_ROLE_ASSISTANT)
        continue;
      before = message_full_model (previous);
      if (before == NULL || g_str_equal (before, current))
        return NULL;

      name = model_display_name (current);
      /* Translators: a marker between messages where the model changed */
      return g_strdup_printf (_("Switched to %s"), name);
    }

  return NULL;
}

static void on_busy_changed_cb (ConfabChatView       *self,
                                GParamSpec           *pspec,
                                ConfabChatController *controller);
static ConfabChatController *confab_chat_view_add_controller (ConfabChatView *self);

/* ---- Drafts: stored when leaving a chat and when the window goes. */

void
_confab_chat_view_leave_chat (ConfabChatView *self)
{
  g_autofree char *text = NULL;
  const char *stored;
  g_autoptr(GError) error = NULL;

  if (self->chat == NULL || self->store == NULL || self->composer == NULL)
    return;

  text = confab_composer_dup_text (self->composer);
  stored = confab_chat_get_draft (self->chat);
  if (g_strcmp0 (stored ? stored : "", text) != 0
      && !confab_store_set_chat_draft (self->store, self->chat, *text ? text : NULL, &error))
    g_warning ("Cannot save the draft: %s", error->message);
}

void
_confab_chat_view_enter_chat (ConfabChatView *self)
{
  g_autofree char *model = NULL;

  if (self->composer == NULL)
    return;

  self->regenerate_id = 0;
  self->retry_on_pick = FALSE;
  gtk_widget_activate_action (GTK_WIDGET (self), "chat.close-thread", NULL);
  self->controller = NULL;
  if (self->chat != NULL)
    {
      gint64 id = confab_chat_get_id (self->chat);

      self->controller = g_hash_table_lookup (self->controllers, &id);
      if (self->controller == NULL)
        {
          self->controller = confab_chat_view_add_controller (self);
          g_hash_table_insert (self->controllers, g_memdup2 (&id, sizeof id), self->controller);
        }
      confab_chat_controller_set_store (self->controller, self->store);
      confab_chat_controller_set_chat (self->controller, self->chat, 0);
    }
  _confab_chat_view_conductor_enter_chat (self);
  on_busy_changed_cb (self, NULL, self->controller);
  confab_composer_set_editing (self->composer, NULL);
  confab_composer_set_text (self->composer, self->chat ? confab_chat_get_draft (self->chat) : NULL);
  model = confab_chat_view_dup_default_model (self);
  confab_composer_set_model (self->composer, model);
  /* No focus grab here: a chat selected in the sidebar keeps the focus
   * there (Delete, F2 act on the row). */
  gtk_widget_set_visible (GTK_WIDGET (self->composer), self->chat != NULL);
}

/* ---- Sending */

void
_confab_chat_view_send (ConfabChatView *self,
                        const char     *prompt,
                        ConfabMessage  *replace,
                        const char     *model)
{
  g_autoptr(GError) error = NULL;

  if (self->chat == NULL || model == NULL)
    return;

  /* The model picked for this message is the chat's from now on. */
  if (g_strcmp0 (confab_chat_get_model (self->chat), model) != 0
      && !confab_store_set_chat_model (self->store, self->chat, model, &error))
    g_warning ("Cannot store the chat's model: %s", error->message);

  if (self->controller == NULL)
    return;
  confab_chat_controller_set_store (self->controller, self->store);
  confab_chat_controller_send (self->controller, prompt, model, replace);
}

static void
on_composer_send_cb (ConfabChatView *self,
                     const char     *text,
                     ConfabComposer *composer)
{
  g_autoptr(ConfabMessage) editing = NULL;

  if (_confab_chat_view_conduct (self, text))
    return;

  g_set_object (&editing, confab_composer_get_editing (composer));
  _confab_chat_view_send (self, text, editing, confab_composer_get_model (composer));
  if (self->controller == NULL || !confab_chat_controller_get_busy (self->controller))
    return;

  /* on_failed_cb () gives the text back if it never reached the store. */
  _confab_chat_view_clear_composer (self);
}

static void
on_composer_stop_cb (ConfabChatView *self,
                     ConfabComposer *composer)
{
  if (self->controller != NULL)
    confab_chat_controller_stop (self->controller);
  /* A round-table is stopped from its bar, not by a stray Escape. */
  if (self->conductor != NULL
      && confab_conductor_get_mode (self->conductor) != CONFAB_CONDUCTOR_MODE_ROUNDTABLE)
    confab_conductor_cancel (self->conductor);
}

static ConfabMessage *
lookup_message (ConfabChatView *self,
                GVariant       *parameter)
{
  g_autoptr(GError) error = NULL;
  ConfabMessage *message;

  if (self->store == NULL)
    return NULL;

  message = confab_store_lookup_message (self->store, g_variant_get_int64 (parameter), &error);
  if (message == NULL)
    g_debug ("No message to act on: %s", error->message);
  return message;
}

static void
confab_chat_view_regenerate (ConfabChatView *self,
                             gint64          message_id,
                             const char     *model)
{
  g_autoptr(ConfabMessage) message = NULL;

  message = lookup_message (self, g_variant_new_int64 (message_id));
  if (message != NULL)
    _confab_chat_view_send (self, NULL, message, model);
}

static void
on_composer_model_chosen_cb (ConfabChatView *self,
                             const char     *model,
                             ConfabComposer *composer)
{
  gint64 regenerate_id = self->regenerate_id;
  gboolean retry = self->retry_on_pick;

  self->regenerate_id = 0;
  self->retry_on_pick = FALSE;
  if (regenerate_id != 0)
    confab_chat_view_regenerate (self, regenerate_id, model);
  else if (retry)
    _confab_chat_view_retry (self, model);
}

static void
on_composer_picker_closed_cb (ConfabChatView *self,
                              ConfabComposer *composer)
{
  /* Closed without a choice: the next pick only picks. */
  self->regenerate_id = 0;
  self->retry_on_pick = FALSE;
}

/* ---- chat.* */

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);

  gtk_widget_activate_action (GTK_WIDGET (self->composer), "composer.send", NULL);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  on_composer_stop_cb (CONFAB_CHAT_VIEW (widget), NULL);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);

  _confab_chat_view_retry (self, confab_composer_get_model (self->composer));
}

static void
switch_model_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);

  self->regenerate_id = 0;
  self->retry_on_pick = FALSE;
  confab_composer_pick_model (self->composer);
}

static void
close_thread_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);

  adw_flap_set_reveal_flap (self->thread_flap, FALSE);
  confab_thread_pane_set_parent (self->thread_pane, NULL, NULL, NULL, NULL);
}

static void
on_thread_flap_progress_cb (ConfabChatView *self,
                            GParamSpec     *pspec,
                            AdwFlap        *flap)
{
  /* Closed all the way: out of sight, and of the accessibility tree. */
  if (!adw_flap_get_reveal_flap (flap) && adw_flap_get_reveal_progress (flap) <= 0)
    gtk_widget_set_visible (GTK_WIDGET (self->thread_pane), FALSE);
}

static void
on_thread_flap_reveal_cb (ConfabChatView *self,
                          GParamSpec     *pspec,
                          AdwFlap        *flap)
{
  /* Folded, the flap also closes itself (Escape, a swipe). */
  if (!adw_flap_get_reveal_flap (flap)
      && confab_thread_pane_get_parent (self->thread_pane) != NULL)
    confab_thread_pane_set_parent (self->thread_pane, NULL, NULL, NULL, NULL);
}

/* ---- message.* and thread.open */

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);
  g_autoptr(ConfabMessage) message = lookup_message (self, parameter);

  if (message != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                            confab_message_get_content (message));
}

/* A message too long for the chat, whole in a window of its own. */
static void
open_full_text_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);
  g_autoptr(ConfabMessage) message = lookup_message (self, parameter);
  GtkRoot *root = gtk_widget_get_root (widget);
  const char *author;
  GtkWidget *window;

  if (message == NULL)
    return;

  author = confab_message_get_model (message);
  if (author == NULL || *author == '\0')
    author = confab_message_get_author (message);
  window = confab_text_window_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, author,
                                   confab_message_get_content (message));
  gtk_window_present (GTK_WINDOW (window));
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);
  g_autoptr(ConfabMessage) message = lookup_message (self, parameter);

  if (message != NULL && confab_message_get_role (message) == CONFAB_ROLE_USER
      && confab_message_get_parent_id (message) == 0)
    confab_composer_set_editing (self->composer, message);
}

static void
regenerate_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);
  g_autoptr(ConfabMessage) message = lookup_message (self, parameter);
  g_autofree char *model = NULL;

  if (message == NULL || confab_message_get_role (message) != CONFAB_ROLE_ASSISTANT)
    return;

  /* With the model that wrote it, unless that is unknown. */
  model = message_full_model (message);
  _confab_chat_view_send (self, NULL, message,
                          model ? model : confab_composer_get_model (self->composer));
}

static void
regenerate_with_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);

  self->regenerate_id = g_variant_get_int64 (parameter);
  self->retry_on_pick = FALSE;
  confab_composer_pick_model (self->composer);
}

static void
on_delete_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       ConfabChatView   *self)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "message-id"));

  if (!g_str_equal (response, "delete"))
    return;

  message = lookup_message (self, g_variant_new_int64 (id));
  if (message != NULL && !confab_store_delete_message (self->store, message, &error))
    _confab_chat_view_add_toast (self, _confab_chat_view_toast_new_plain (error->message));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  /* A confirmation, not an Undo toast: a deleted message cannot be put
   * back in its place on the line through the store. */
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Delete Message?"),
                                   _("The message and its thread are deleted for good."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "message-id",
                     GSIZE_TO_POINTER ((gsize) g_variant_get_int64 (parameter)));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
switch_version (ConfabChatView *self,
                GVariant       *parameter,
                int             step)
{
  g_autoptr(ConfabMessage) message = lookup_message (self, parameter);
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GError) error = NULL;
  guint index;

  if (message == NULL)
    return;

  versions = confab_store_list_alternatives (self->store, message, &error);
  if (versions == NULL)
    {
      _confab_chat_view_add_toast (self, _confab_chat_view_toast_new_plain (error->message));
      return;
    }

  index = confab_message_get_alternative_index (message);
  if ((step < 0 && index == 0) || (step > 0 && index + 1 >= versions->len))
    return;

  if (!confab_store_activate_branch (self->store, g_ptr_array_index (versions, index + step),
                                     &error))
    _confab_chat_view_add_toast (self, _confab_chat_view_toast_new_plain (error->message));
}

static void
previous_version_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  switch_version (CONFAB_CHAT_VIEW (widget), parameter, -1);
}

static void
next_version_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  switch_version (CONFAB_CHAT_VIEW (widget), parameter, 1);
}

static void
thread_open_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);
  g_autoptr(ConfabMessage) message = lookup_message (self, parameter);

  if (message == NULL || self->chat == NULL)
    return;

  /* A reply's thread is its parent's: threads do not nest. */
  if (confab_message_get_parent_id (message) != 0)
    {
      gint64 parent_id = confab_message_get_parent_id (message);

      g_clear_object (&message);
      message = lookup_message (self, g_variant_new_int64 (parent_id));
      if (message == NULL)
        return;
    }

  confab_thread_pane_set_parent (self->thread_pane, self->store, self->chat, message,
                                 confab_composer_get_model (self->composer));
  gtk_widget_set_visible (GTK_WIDGET (self->thread_pane), TRUE);
  adw_flap_set_reveal_flap (self->thread_flap, TRUE);
}

void
_confab_chat_view_class_init_actions (GtkWidgetClass *widget_class)
{
  g_type_ensure (CONFAB_TYPE_COMPOSER);
  g_type_ensure (CONFAB_TYPE_THREAD_PANE);

  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, composer);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, thread_flap);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, thread_pane);
  gtk_widget_class_bind_template_callback (widget_class, on_composer_send_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_composer_stop_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_composer_model_chosen_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_composer_picker_closed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_thread_flap_reveal_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_thread_flap_progress_cb);

  gtk_widget_class_install_action (widget_class, "chat.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "chat.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "chat.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "chat.switch-model", NULL, switch_model_action);
  gtk_widget_class_install_action (widget_class, "chat.close-thread", NULL, close_thread_action);
  gtk_widget_class_install_action (widget_class, "message.copy", "x", copy_action);
  gtk_widget_class_install_action (widget_class, "message.open-full-text", "x",
                                   open_full_text_action);
  gtk_widget_class_install_action (widget_class, "message.edit", "x", edit_action);
  gtk_widget_class_install_action (widget_class, "message.regenerate", "x", regenerate_action);
  gtk_widget_class_install_action (widget_class, "message.regenerate-with", "x",
                                   regenerate_with_action);
  gtk_widget_class_install_action (widget_class, "message.delete", "x", delete_action);
  gtk_widget_class_install_action (widget_class, "message.previous-version", "x",
                                   previous_version_action);
  gtk_widget_class_install_action (widget_class, "message.next-version", "x",
                                   next_version_action);
  gtk_widget_class_install_action (widget_class, "thread.open", "x", thread_open_action);

  /* Escape stops the reply wherever the focus is in the chat. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "chat.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "chat.switch-model", NULL);
  /* As in the thread pane, from anywhere in the chat. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "chat.close-thread", NULL);
}

static void
on_busy_changed_cb (ConfabChatView       *self,
                    GParamSpec           *pspec,
                    ConfabChatController *controller)
{
  /* Another chat's reply, streaming in the background. */
  if (controller != self->controller)
    return;

  _confab_chat_view_update_busy (self);
}

static ConfabChatController *
confab_chat_view_add_controller (ConfabChatView *self)
{
  ConfabChatController *controller = confab_chat_controller_new ();

  g_signal_connect_object (controller, "notify::busy",
                           G_CALLBACK (on_busy_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "failed",
                           G_CALLBACK (_confab_chat_view_on_failed), self, G_CONNECT_SWAPPED);
  return controller;
}

void
_confab_chat_view_init_actions (ConfabChatView *self)
{
  self->controllers = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                             g_free, g_object_unref);
  on_busy_changed_cb (self, NULL, NULL);
}

void
_confab_chat_view_dispose_actions (ConfabChatView *self)
{
  /* Closing the window keeps what was typed. */
  _confab_chat_view_leave_chat (self);
  self->controller = NULL;
  if (self->controllers != NULL)
    {
      GHashTableIter iter;
      gpointer controller;

      g_hash_table_iter_init (&iter, self->controllers);
      while (g_hash_table_iter_next (&iter, NULL, &controller))
        confab_chat_controller_stop (controller);
    }
  g_clear_pointer (&self->controllers, g_hash_table_unref);
}
