/* confab-chat-view-room.c: the chat view on a shared project's chat: the
 * banner when the server cannot be reached, the members button, who is
 * typing, a viewer's read-only composer, and telling the room that the
 * user types.
 *
 * Messages need nothing here: the sync writes the room's into the store,
 * whose live list the view shows, and sending relays through the chat
 * controller.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-chat-view-private.h"

static ConfabRoomSync *
room_sync (ConfabChatView *self)
{
  return self->room_account != NULL ? confab_room_account_get_sync (self->room_account) : NULL;
}

/* Shared on the server the account is signed in to. */
static gboolean
shared_here (ConfabChatView *self)
{
  return self->room_account != NULL && self->room_project != NULL &&
         confab_room_account_is_shared_here (self->room_account, self->room_project);
}

static void
confab_chat_view_room_update (ConfabChatView *self)
{
  ConfabRoomSync *sync = room_sync (self);
  gboolean here = shared_here (self);
  gboolean viewer = FALSE;

  confab_room_banner_set_account (self->room_banner, self->room_account);
  confab_room_banner_set_project (self->room_banner, self->room_project);

  gtk_widget_set_visible (GTK_WIDGET (self->members_button), here);
  confab_members_button_set_members (self->members_button,
                                     here ? confab_room_sync_get_members (sync, self->room_project)
                                          : NULL);

  confab_typing_indicator_set_sync (self->typing_indicator, here ? sync : NULL);
  confab_typing_indicator_set_chat (self->typing_indicator, here ? self->chat : NULL);

  if (here)
    viewer = !confab_room_role_allows (confab_room_sync_get_role (sync, self->room_project),
                                       CONFAB_ACTION_WRITE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->composer), !viewer);
  gtk_widget_set_visible (GTK_WIDGET (self->read_only_label), viewer);
}

static void
on_room_changed_cb (ConfabChatView *self)
{
  confab_chat_view_room_update (self);
}

static void
on_chat_changed_cb (ConfabChatView *self,
                    GParamSpec     *pspec,
                    gpointer        user_data)
{
  g_autoptr(ConfabProject) project = NULL;

  if (self->chat != NULL && self->store != NULL)
    project = confab_store_lookup_project (self->store, confab_chat_get_project_id (self->chat),
                                           NULL);

  /* The store hands out one object per row, so its notifications follow
   * the room (shared, role changes). */
  if (g_set_object (&self->room_project, project))
    g_signal_group_set_target (self->room_project_signals, project);

  confab_chat_view_room_update (self);
}

/* A key typed or text pasted in the composer (not a draft loaded, not the
 * text cleared after sending: those are not the user's edits). */
static void
on_composer_user_edit_cb (ConfabChatView *self,
                          GtkTextBuffer  *buffer)
{
  ConfabRoomSync *sync = room_sync (self);

  if (sync != NULL && self->chat != NULL && shared_here (self) &&
      gtk_text_buffer_get_char_count (buffer) > 0)
    confab_room_sync_typing (sync, self->chat, 0);
}

/* The composer's text view, found rather than asked for: the composer
 * only hands out its text. */
static GtkTextView *
find_text_view (GtkWidget *widget)
{
  if (GTK_IS_TEXT_VIEW (widget))
    return GTK_TEXT_VIEW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkTextView *found = find_text_view (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

void
_confab_chat_view_room_init (ConfabChatView *self)
{
  GApplication *app = g_application_get_default ();
  GtkTextView *text_view;

  /* Widget tests run the view without the app: then nothing is shared. */
  if (CONFAB_IS_APPLICATION (app))
    self->room_account = confab_application_get_room_account (CONFAB_APPLICATION (app));
  if (self->room_account != NULL)
    g_object_ref (self->room_account);

  self->room_account_signals = g_signal_group_new (CONFAB_TYPE_ROOM_ACCOUNT);
  g_signal_group_connect_swapped (self->room_account_signals, "notify::sync",
                                  G_CALLBACK (on_room_changed_cb), self);
  g_signal_group_connect_swapped (self->room_account_signals, "notify::status",
                                  G_CALLBACK (on_room_changed_cb), self);
  g_signal_group_set_target (self->room_account_signals, self->room_account);

  self->room_project_signals = g_signal_group_new (CONFAB_TYPE_PROJECT);
  g_signal_group_connect_swapped (self->room_project_signals, "notify::shared",
                                  G_CALLBACK (on_room_changed_cb), self);
  g_signal_group_connect_swapped (self->room_project_signals, "notify::room-role",
                                  G_CALLBACK (on_room_changed_cb), self);
  g_signal_group_connect_swapped (self->room_project_signals, "notify::room-server",
                                  G_CALLBACK (on_room_changed_cb), self);

  g_signal_connect (self, "notify::chat", G_CALLBACK (on_chat_changed_cb), NULL);
  g_signal_connect (self, "notify::store", G_CALLBACK (on_chat_changed_cb), NULL);

  text_view = find_text_view (GTK_WIDGET (self->composer));
  if (text_view != NULL)
    g_signal_connect_object (gtk_text_view_get_buffer (text_view), "end-user-action",
                             G_CALLBACK (on_composer_user_edit_cb), self, G_CONNECT_SWAPPED);

  confab_chat_view_room_update (self);
}

void
_confab_chat_view_room_dispose (ConfabChatView *self)
{
  if (self->room_account_signals != NULL)
    g_signal_group_set_target (self->room_account_signals, NULL);
  if (self->room_project_signals != NULL)
    g_signal_group_set_target (self->room_project_signals, NULL);
  g_clear_object (&self->room_account_signals);
  g_clear_object (&self->room_project_signals);
  g_clear_object (&self->room_project);
  g_clear_object (&self->room_account);
}

void
_confab_chat_view_class_init_room (GtkWidgetClass *widget_class)
{
  g_type_ensure (CONFAB_TYPE_MEMBERS_BUTTON);
  g_type_ensure (CONFAB_TYPE_ROOM_BANNER);
  g_type_ensure (CONFAB_TYPE_TYPING_INDICATOR);

  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, members_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, room_banner);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, typing_indicator);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, read_only_label);
}
