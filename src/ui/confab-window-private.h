/* confab-window-private.h: what confab-window.c and confab-window-actions.c share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-chat-view.h"
#include "confab-window.h"

G_BEGIN_DECLS

struct _ConfabWindow
{
  AdwApplicationWindow  parent_instance;

  ConfabStore          *store;
  /* NULL when the schema is not installed: the window still works, it just
   * forgets its state. */
  GSettings            *settings;
  /* Shows the "no chats" state whichever project's chats are listed. */
  GSignalGroup         *chats_signals;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkListView          *projects_list;
  GtkSingleSelection   *project_selection;
  GtkPopoverMenu       *project_popover;
  GtkStack             *chats_stack;
  GtkListView          *chats_list;
  GtkSingleSelection   *chat_selection;
  GtkPopoverMenu       *chat_popover;
  ConfabChatView       *chat_view;

  /* Selection changes made by code, not by a click: they do not navigate. */
  guint                 selecting_in_code : 1;
  guint                 closing : 1;
};

void           _confab_window_class_actions_init (GtkWidgetClass *widget_class);
void           _confab_window_update_actions     (ConfabWindow   *self);
void           _confab_window_report_error       (ConfabWindow   *self,
                                                  const GError   *error);
ConfabProject *_confab_window_get_project        (ConfabWindow   *self);
ConfabChat    *_confab_window_get_chat           (ConfabWindow   *self);
void           _confab_window_select_project     (ConfabWindow   *self,
                                                  ConfabProject  *project);
void           _confab_window_select_chat        (ConfabWindow   *self,
                                                  ConfabChat     *chat,
                                                  gboolean        show_content);

G_END_DECLS
