/* confab-chat-view-private.h: shared by the chat view's files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-chat-controller.h"
#include "confab-chat-search-bar.h"
#include "confab-chat-view.h"
#include "confab-first-run-page.h"
#include "confab-composer.h"
#include "confab-members-button.h"
#include "confab-room-account.h"
#include "confab-room-banner.h"
#include "confab-thread-pane.h"
#include "confab-typing-indicator.h"

G_BEGIN_DECLS

struct _ConfabChatView
{
  GtkWidget          parent_instance;

  ConfabStore       *store;
  ConfabChat        *chat;
  ConfabMessageList *messages;
  /* Follow the chat's title and the message count whichever chat is shown. */
  GBindingGroup     *chat_bindings;
  GSignalGroup      *messages_signals;
  gboolean           folded;
  /* See confab_chat_view_set_highlight_id(). */
  gint64             highlight_id;

  /* Template widgets */
  AdwWindowTitle    *window_title;
  GtkMenuButton     *chat_menu_button;
  ConfabChatSearchBar *search_bar;
  GtkStack          *stack;
  ConfabFirstRunPage *first_run_page;
  GtkListView       *message_list;
  GtkNoSelection    *message_selection;
  GtkScrolledWindow *scrolled_window;

  /* The view was at the bottom before the content grew: keep it there. */
  gboolean           stick_to_bottom;
  double             last_value;
  guint              scroll_tick;
  gboolean           last_row_anchored;

  /* Sending and the thread pane, see confab-chat-view-actions.c. */
  /* One per chat, by id, so a reply keeps streaming in the background
   * while another chat is open; controller is the open chat's. */
  GHashTable        *controllers;
  ConfabChatController *controller;
  AdwFlap           *thread_flap;
  ConfabThreadPane  *thread_pane;
  ConfabComposer    *composer;
  /* Waiting for a model from the picker: "Regenerate With…" regenerates
   * this reply, "Switch Model" after an error answers the chat again. */
  gint64             regenerate_id;
  gboolean           retry_on_pick;

  /* Shared chats, see confab-chat-view-room.c. */
  ConfabRoomAccount *room_account;
  ConfabProject     *room_project;
  GSignalGroup      *room_account_signals;
  GSignalGroup      *room_project_signals;
  ConfabRoomBanner  *room_banner;
  ConfabMembersButton *members_button;
  ConfabTypingIndicator *typing_indicator;
  GtkLabel          *read_only_label;
};

/* confab-chat-view-actions.c: the composer, sending, message actions and
 * the thread pane. */
void _confab_chat_view_class_init_actions (GtkWidgetClass *widget_class);
void _confab_chat_view_init_actions       (ConfabChatView *self);
void _confab_chat_view_dispose_actions    (ConfabChatView *self);
/* Saves the draft of the chat being left and loads the new one's. */
void _confab_chat_view_leave_chat         (ConfabChatView *self);
void _confab_chat_view_enter_chat         (ConfabChatView *self);
/* The "Switched to …" marker of an assistant message at @position. */
char *_confab_chat_view_dup_switch_label  (ConfabChatView *self,
                                           guint           position);
/* Sends @prompt (NULL: answers the line again) with @model, in place of
 * @replace (an edited question, a regenerated reply) when not NULL. */
void  _confab_chat_view_send              (ConfabChatView *self,
                                           const char     *prompt,
                                           ConfabMessage  *replace,
                                           const char     *model);

/* confab-chat-view-errors.c: failed replies and their fixes. */
void  _confab_chat_view_add_toast         (ConfabChatView       *self,
                                           AdwToast             *toast);
/* Answers the line again after a failed reply, with @model. */
void  _confab_chat_view_retry             (ConfabChatView       *self,
                                           const char           *model);
/* ConfabChatController::failed of the view's controllers. */
void  _confab_chat_view_on_failed         (ConfabChatView       *self,
                                           const GError         *error,
                                           gboolean              prompt_stored,
                                           const char           *prompt,
                                           ConfabChatController *controller);

/* confab-chat-view-room.c: a shared project's chat (banner, members,
 * typing, read-only for viewers). */
void  _confab_chat_view_class_init_room   (GtkWidgetClass       *widget_class);
void  _confab_chat_view_room_init         (ConfabChatView       *self);
void  _confab_chat_view_room_dispose      (ConfabChatView       *self);

G_END_DECLS
