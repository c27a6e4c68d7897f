/* confab-chat-view-private.h: shared by the chat view's files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-chat-controller.h"
#include "confab-chat-search-bar.h"
#include "confab-compare-pane.h"
#include "confab-chat-view.h"
#include "confab-first-run-page.h"
#include "confab-composer.h"
#include "confab-members-button.h"
#include "confab-room-account.h"
#include "confab-room-banner.h"
#include "confab-roundtable-bar.h"
#include "confab-thread-pane.h"
#include "confab-typing-indicator.h"

G_BEGIN_DECLS

struct _ConfabChatView
{
  GtkWidget          parent_instance;

  ConfabStore       *store;
  ConfabChat        *chat;
  ConfabMessageList *messages;
  /* What the list shows of messages: its end, grown as the user scrolls
   * up (see confab-tail-model.c); grow_tick grows it on the next frame. */
  ConfabTailModel   *tail;
  guint              grow_tick;
  /* Following the end of a long chat: trim_tick lets go of the rows far
   * above, and until the view is back at the bottom the value falling
   * (their height gone) is not the user scrolling up. */
  guint              trim_tick;
  gboolean           trimmed;
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

  /* Several models, see confab-chat-view-conductor.c: one conductor per
   * chat, by id (a comparison or round-table goes on in the background);
   * conductor is the open chat's. */
  GHashTable        *conductors;
  ConfabConductor   *conductor;

  /* Comparing, see confab-chat-view-compare.c: the pane (a stack page);
   * set while a Send starts a comparison, so it does not close the pane. */
  ConfabComparePane *compare_pane;
  gboolean           compare_starting;

  /* Round-tables, see confab-chat-view-roundtable.c: the bar above the
   * composer, following the open chat's conductor. */
  ConfabRoundtableBar *roundtable_bar;
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
AdwToast *_confab_chat_view_toast_new_plain (const char *text);
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

/* confab-chat-view-conductor.c: several models in one chat (the
 * conductor of each chat, @mentions, interjections, what is busy). */
void  _confab_chat_view_conductor_init    (ConfabChatView       *self);
void  _confab_chat_view_conductor_dispose (ConfabChatView       *self);
/* Picks the open chat's conductor (created on first use). */
void  _confab_chat_view_conductor_enter_chat (ConfabChatView    *self);
/* The open chat's conductor, created if needed; NULL without a chat. */
ConfabConductor *_confab_chat_view_get_conductor (ConfabChatView *self);
/* Something streams in the open chat (a single reply or the conductor's
 * comparison/mentions; a round-table leaves the composer free to
 * interject). */
gboolean _confab_chat_view_get_busy       (ConfabChatView       *self);
/* Re-reads what is busy into the composer and the actions. */
void  _confab_chat_view_update_busy       (ConfabChatView       *self);
/* Handles @text when it is for several models: an interjection while a
 * round-table runs, a comparison (the composer's compare models), or
 * @mentions. FALSE: an ordinary message, for the chat controller. */
gboolean _confab_chat_view_conduct        (ConfabChatView       *self,
                                           const char           *text);
/* Empties the composer and the chat's stored draft once a prompt was
 * handed over (edit mode ends too). */
void  _confab_chat_view_clear_composer    (ConfabChatView       *self);
/* The conductor failed before or while storing @prompt (NULL: none):
 * shows why and gives an unsent prompt back to the composer. */
void  _confab_chat_view_conductor_failed  (ConfabChatView       *self,
                                           ConfabConductor      *conductor,
                                           const char           *prompt,
                                           const GError         *error);

/* confab-chat-view-compare.c: a comparison's answers side by side. */
void  _confab_chat_view_class_init_compare (GtkWidgetClass      *widget_class);
void  _confab_chat_view_compare_init      (ConfabChatView       *self);
/* Starts comparing @models' answers to @prompt and shows them. */
void  _confab_chat_view_compare           (ConfabChatView       *self,
                                           const char           *prompt,
                                           const char * const   *models);
/* The open chat's comparison is to be shown instead of the messages. */
gboolean _confab_chat_view_compare_shown  (ConfabChatView       *self);
/* confab-chat-view.c: picks the stack page for what the view shows. */
void  _confab_chat_view_update_page       (ConfabChatView       *self);
/* Scrolls to the last message and follows the end again. */
void  _confab_chat_view_scroll_to_end     (ConfabChatView       *self);

/* confab-chat-view-roundtable.c: setting up and running a round-table. */
void  _confab_chat_view_class_init_roundtable (GtkWidgetClass   *widget_class);
void  _confab_chat_view_roundtable_init   (ConfabChatView       *self);

G_END_DECLS
