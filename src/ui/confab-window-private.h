/* confab-window-private.h: what confab-window.c and confab-window-actions.c share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-chat-view.h"
#include "confab-room-account.h"
#include "confab-window.h"

G_BEGIN_DECLS

struct _ConfabWindow
{
  AdwApplicationWindow  parent_instance;

  ConfabStore          *store;
  /* NULL when the schema is not installed: the window still works, it just
   * forgets its state. */
  GSettings            *settings;
  /* Counts the archived chats whichever project's chats are listed. */
  GSignalGroup         *chats_signals;
  /* The selected project's chats, archived and pending deletes included;
   * the list shows them through chat_filter_model. */
  GListModel           *chats;
  /* Chats and projects deleted while their Undo toast shows: hidden by the
   * filters, deleted from the store when the toast goes away or the window
   * closes (confab-window-deletes.c). */
  GPtrArray            *pending_deletes;
  AdwToast             *undo_toast;
  GtkCustomFilter      *project_filter;
  GtkCustomFilter      *chat_filter;
  gboolean              show_archived;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkListView          *projects_list;
  GtkSingleSelection   *project_selection;
  GtkFilterListModel   *project_filter_model;
  GtkPopoverMenu       *project_popover;
  GtkStack             *chats_stack;
  GtkListView          *chats_list;
  GtkSingleSelection   *chat_selection;
  GtkFilterListModel   *chat_filter_model;
  GtkPopoverMenu       *chat_popover;
  GMenuModel           *chat_menu;
  /* Filled with the "Move to Project" submenu for the selected chat. */
  GMenu                *move_section;
  GtkToggleButton      *archived_button;
  ConfabChatView       *chat_view;

  /* Selection changes made by code, not by a click: they do not navigate. */
  guint                 selecting_in_code : 1;
  /* The last input in the chat list was a key: browsing, not opening. */
  guint                 chats_keyboard_nav : 1;
  guint                 closing : 1;
  /* Imports running (confab-window-transfer.c). */
  guint                 n_imports;

  /* Shared projects (confab-window-rooms.c). */
  ConfabRoomAccount    *room_account;
  GSignalGroup         *room_account_signals;
  GSignalGroup         *room_sync_signals;
  GSignalGroup         *room_project_signals;
  GCancellable         *room_cancellable;
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
void           _confab_window_set_show_archived  (ConfabWindow   *self,
                                                  gboolean        show_archived);
/* The chat list's filter: refilter after archiving or unarchiving. */
void           _confab_window_chats_changed      (ConfabWindow   *self);

/* ---- confab-window-menus.c */
void           _confab_window_class_menus_init   (GtkWidgetClass *widget_class);
void           _confab_window_menus_init         (ConfabWindow   *self);
/* Fills "Move to Project" for the selected chat; the number of targets. */
guint          _confab_window_update_move_menu   (ConfabWindow   *self);

/* ---- confab-window-deletes.c */
void           _confab_window_deletes_init       (ConfabWindow   *self);
/* Hides @item (a ConfabChat or ConfabProject) and offers to undo. */
void           _confab_window_delete_later       (ConfabWindow   *self,
                                                  GObject        *item);
/* Deletes for real what is waiting (the toast went away, or closing). */
void           _confab_window_commit_deletes     (ConfabWindow   *self);
/* Whether a chat (by its id or its project's) or a project is waiting to be
 * deleted; 0 ids are ignored. */
gboolean       _confab_window_is_pending         (ConfabWindow   *self,
                                                  gint64          chat_id,
                                                  gint64          project_id);
/* A toast with an Undo button; @undo runs with @item if it is clicked. */
void           _confab_window_toast_undo         (ConfabWindow   *self,
                                                  const char     *title,
                                                  GObject        *item,
                                                  void          (*undo) (ConfabWindow *self,
                                                                         GObject      *item));

/* ---- confab-window-transfer.c */
void           _confab_window_class_transfer_init (GtkWidgetClass *widget_class);
void           _confab_window_transfer_init      (ConfabWindow   *self);

/* ---- confab-window-rooms.c */
void           _confab_window_class_rooms_init   (GtkWidgetClass *widget_class);
void           _confab_window_rooms_init         (ConfabWindow   *self);
void           _confab_window_rooms_dispose      (ConfabWindow   *self);
void           _confab_window_rooms_update_actions (ConfabWindow *self);
/* FALSE (and a toast saying why) when @project is shared and cannot be
 * written in now. */
gboolean       _confab_window_rooms_check_write  (ConfabWindow   *self,
                                                  ConfabProject  *project);
/* A chat created in a shared project goes to its room. */
void           _confab_window_rooms_publish_chat (ConfabWindow   *self,
                                                  ConfabChat     *chat);

/* ---- confab-window-search.c */
void           _confab_window_open_search        (ConfabWindow   *self);
void           _confab_window_open_hit           (ConfabWindow   *self,
                                                  ConfabSearchHit *hit);

G_END_DECLS
