/* confab-chat-view.c: the chat's title and messages, or an empty state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-chat-view-private.h"
#include "confab-chat-search-bar.h"
#include "confab-first-run-page.h"
#include "confab-message-row.h"
#include "confab-usage-button.h"


G_DEFINE_FINAL_TYPE (ConfabChatView, confab_chat_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_CHAT,
  PROP_FOLDED,
  PROP_HIGHLIGHT_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_chat_view_update_page (ConfabChatView *self)
{
  const char *page;

  if (self->chat == NULL)
    page = "no-chat";
  else if (self->messages == NULL
           || g_list_model_get_n_items (G_LIST_MODEL (self->messages)) == 0)
    page = "no-messages";
  else
    page = "messages";

  /* Nothing to chat with yet: say how to change that instead. */
  confab_first_run_page_set_chat_open (self->first_run_page, self->chat != NULL);
  if (!g_str_equal (page, "messages") && confab_first_run_page_get_needed (self->first_run_page))
    page = "first-run";
  /* A comparison's answers side by side (confab-chat-view-compare.c). */
  if (self->chat != NULL && _confab_chat_view_compare_shown (self))
    page = "compare";

  gtk_stack_set_visible_child_name (self->stack, page);
  /* An empty title would still be read out by screen readers. */
  gtk_widget_set_visible (GTK_WIDGET (self->window_title), self->chat != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->chat_menu_button), self->chat != NULL);
}

void
_confab_chat_view_update_page (ConfabChatView *self)
{
  confab_chat_view_update_page (self);
}

static void
on_first_run_needed_cb (ConfabChatView     *self,
                        GParamSpec         *pspec,
                        ConfabFirstRunPage *page)
{
  confab_chat_view_update_page (self);
}

static void
on_messages_items_changed_cb (ConfabChatView *self,
                              guint           position,
                              guint           removed,
                              guint           added,
                              GListModel     *model)
{
  confab_chat_view_update_page (self);
}

/* Rows a chat opens with: a tall window's worth. GTK 4.8 builds a row for
 * every item near the one it scrolls to, up to 200, at ~10 ms each. */
#define TAIL_SIZE 12

/* While the view follows the end of a chat, the tail lets go of what is
 * far above once it shows TRIM_AT items, keeping the last TRIM_TO. GTK 4.8's
 * list keeps a row for each of up to 200 items alive, about 200 KiB each,
 * so a long session would otherwise hold ~40 MB of rows no one sees
 * (tests/ui/test-memory.py). Scrolling up grows the tail again. */
#define TRIM_AT 64
#define TRIM_TO 32

/* The item shown last, in the list's own positions. */
static guint
n_shown (ConfabChatView *self)
{
  return g_list_model_get_n_items (G_LIST_MODEL (self->tail));
}

void
_confab_chat_view_scroll_to_end (ConfabChatView *self)
{
  self->stick_to_bottom = TRUE;
  if (n_shown (self) > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->message_list),
                                "list.scroll-to-item", "u", n_shown (self) - 1);
}

static void
confab_chat_view_load_messages (ConfabChatView *self)
{
  g_clear_object (&self->messages);

  /* Without a chat, show nothing rather than keeping the old one's rows. */
  if (self->chat != NULL && self->store != NULL)
    self->messages = confab_store_list_messages (self->store,
                                                 confab_chat_get_id (self->chat),
                                                 0);

  g_signal_group_set_target (self->messages_signals, self->messages);
  self->last_value = 0;
  self->trimmed = FALSE;
  confab_tail_model_set_model (self->tail, G_LIST_MODEL (self->messages), TAIL_SIZE);
  confab_chat_view_update_page (self);

  /* A chat reads from the bottom, like every messenger. */
  _confab_chat_view_scroll_to_end (self);
}

ConfabStore *
confab_chat_view_get_store (ConfabChatView *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_VIEW (self), NULL);

  return self->store;
}

void
confab_chat_view_set_store (ConfabChatView *self,
                            ConfabStore    *store)
{
  g_return_if_fail (CONFAB_IS_CHAT_VIEW (self));
  g_return_if_fail (!store || CONFAB_IS_STORE (store));

  if (g_set_object (&self->store, store))
    {
      confab_chat_view_load_messages (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
    }
}

ConfabChat *
confab_chat_view_get_chat (ConfabChatView *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_VIEW (self), NULL);

  return self->chat;
}

void
confab_chat_view_set_chat (ConfabChatView *self,
                           ConfabChat     *chat)
{
  g_return_if_fail (CONFAB_IS_CHAT_VIEW (self));
  g_return_if_fail (!chat || CONFAB_IS_CHAT (chat));

  if (self->chat == chat)
    return;

  _confab_chat_view_leave_chat (self);
  if (g_set_object (&self->chat, chat))
    {
      _confab_chat_view_enter_chat (self);
      g_binding_group_set_source (self->chat_bindings, chat);
      if (chat == NULL)
        adw_window_title_set_title (self->window_title, NULL);
      confab_chat_view_load_messages (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHAT]);
    }
}

gboolean
confab_chat_view_get_folded (ConfabChatView *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_VIEW (self), FALSE);

  return self->folded;
}

void
confab_chat_view_set_folded (ConfabChatView *self,
                             gboolean        folded)
{
  g_return_if_fail (CONFAB_IS_CHAT_VIEW (self));

  folded = !!folded;

  if (self->folded != folded)
    {
      self->folded = folded;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDED]);
    }
}

/* ---- Search: revealing and highlighting a message.
 *
 * The highlight is a message id, not a widget: rows are recycled as the
 * list scrolls. The row factory compares each row's message with
 * :highlight-id (and follows notify::highlight-id) to add or remove the
 * "highlighted" CSS class on the row; removing it lets the row's CSS
 * transition fade it out. It is cleared by the next user input in the view,
 * caught in the capture phase, so nothing runs (no timer) while idle. */

gint64
confab_chat_view_get_highlight_id (ConfabChatView *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_VIEW (self), 0);

  return self->highlight_id;
}

void
confab_chat_view_set_highlight_id (ConfabChatView *self,
                                   gint64          message_id)
{
  g_return_if_fail (CONFAB_IS_CHAT_VIEW (self));

  if (self->highlight_id != message_id)
    {
      self->highlight_id = message_id;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIGHLIGHT_ID]);
    }
}

void
confab_chat_view_reveal_message (ConfabChatView *self,
                                 ConfabMessage  *message)
{
  g_autoptr(ConfabMessage) parent = NULL;
  g_autoptr(GError) error = NULL;
  gint64 parent_id;
  guint position;

  g_return_if_fail (CONFAB_IS_CHAT_VIEW (self));
  g_return_if_fail (CONFAB_IS_MESSAGE (message));

  if (self->chat == NULL || self->store == NULL || self->messages == NULL ||
      confab_message_get_chat_id (message) != confab_chat_get_id (self->chat))
    return;

  /* An earlier version (searching everything finds those): switch the chat
   * to its line, as the message's version arrows would. */
  if (!confab_message_get_active (message) &&
      !confab_store_activate_branch (self->store, message, &error))
    {
      g_debug ("Cannot reveal message %" G_GINT64_FORMAT ": %s",
               confab_message_get_id (message), error->message);
      return;
    }

  /* The view shows the main line: a reply is found at its thread's parent. */
  parent_id = confab_message_get_parent_id (message);
  if (parent_id != 0)
    {
      parent = confab_store_lookup_message (self->store, parent_id, &error);
      if (parent == NULL)
        {
          g_debug ("Cannot reveal message %" G_GINT64_FORMAT ": %s",
                   confab_message_get_id (message), error->message);
          return;
        }
      message = parent;
    }

  /* A COUNT over the index: the paged list need not load the pages between. */
  if (!confab_store_get_message_position (self->store, message, &position, &error))
    {
      g_debug ("Cannot reveal message %" G_GINT64_FORMAT ": %s",
               confab_message_get_id (message), error->message);
      return;
    }

  /* Shown with a few messages of context above it. */
  position = confab_tail_model_reveal (self->tail, position, 2);
  if (position == G_MAXUINT)
    return;

  /* Up in the chat now: stop following its end (until the user is back
   * there), or the next layout would scroll away from the message. */
  self->stick_to_bottom = FALSE;
  gtk_widget_activate_action (GTK_WIDGET (self->message_list),
                              "list.scroll-to-item", "u", position);
  confab_chat_view_set_highlight_id (self, confab_message_get_id (message));
}

void
confab_chat_view_begin_search (ConfabChatView *self)
{
  g_return_if_fail (CONFAB_IS_CHAT_VIEW (self));

  if (self->chat != NULL)
    confab_chat_search_bar_begin (self->search_bar);
}

void
confab_chat_view_set_menu_model (ConfabChatView *self,
                                 GMenuModel     *menu_model)
{
  g_return_if_fail (CONFAB_IS_CHAT_VIEW (self));
  g_return_if_fail (!menu_model || G_IS_MENU_MODEL (menu_model));

  gtk_menu_button_set_menu_model (self->chat_menu_button, menu_model);
}

static void
on_message_found_cb (ConfabChatView      *self,
                     ConfabSearchHit     *hit,
                     ConfabChatSearchBar *search_bar)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = confab_store_lookup_message (self->store, confab_search_hit_get_message_id (hit),
                                         &error);
  if (message == NULL)
    g_debug ("Search hit gone: %s", error->message);
  else
    confab_chat_view_reveal_message (self, message);
}

static gboolean
on_input_event_cb (GtkEventControllerLegacy *controller,
                   GdkEvent                 *event,
                   ConfabChatView           *self)
{
  GdkEventType type = gdk_event_get_event_type (event);

  if (self->highlight_id == 0)
    return GDK_EVENT_PROPAGATE;

  /* Pressing Shift on the way to Shift+Enter is not yet an interaction. */
  if ((type == GDK_KEY_PRESS && !gdk_key_event_is_modifier (event)) ||
      type == GDK_BUTTON_PRESS || type == GDK_TOUCH_BEGIN || type == GDK_SCROLL)
    confab_chat_view_set_highlight_id (self, 0);

  return GDK_EVENT_PROPAGATE;
}

static void
on_chat_changed_cb (ConfabChatView *self,
                    GParamSpec     *pspec,
                    gpointer        user_data)
{
  confab_chat_view_set_highlight_id (self, 0);
}

/* ---- The message list: one ConfabMessageRow per visible message. Rows are
 * recycled as the list scrolls; each follows its own message, so a
 * streaming reply re-renders its row only. A signal factory rather than a
 * GtkBuilderListItemFactory: rows also follow the view's :highlight-id,
 * which a builder template cannot reach. */

static void
on_row_setup_cb (ConfabChatView           *self,
                 GtkListItem              *list_item,
                 GtkSignalListItemFactory *factory)
{
  GtkWidget *row = confab_message_row_new ();

  gtk_list_item_set_activatable (list_item, FALSE);
  g_object_bind_property (self, "highlight-id", row, "highlight-id", G_BINDING_SYNC_CREATE);
  gtk_list_item_set_child (list_item, row);
}

static void
on_row_bind_cb (ConfabChatView           *self,
                GtkListItem              *list_item,
                GtkSignalListItemFactory *factory)
{
  g_autofree char *switch_label = NULL;

  confab_message_row_set_message (CONFAB_MESSAGE_ROW (gtk_list_item_get_child (list_item)),
                                  gtk_list_item_get_item (list_item));
  switch_label = _confab_chat_view_dup_switch_label (self, gtk_list_item_get_position (list_item));
  confab_message_row_set_switch_label (CONFAB_MESSAGE_ROW (gtk_list_item_get_child (list_item)),
                                       switch_label);
}

static void
on_row_unbind_cb (ConfabChatView           *self,
                  GtkListItem              *list_item,
                  GtkSignalListItemFactory *factory)
{
  confab_message_row_set_message (CONFAB_MESSAGE_ROW (gtk_list_item_get_child (list_item)), NULL);
}

static gboolean
confab_chat_view_at_bottom (ConfabChatView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);

  /* A few pixels of slack for fractional scaling and kinetic scrolling. */
  return gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment)
         >= gtk_adjustment_get_upper (adjustment) - 4;
}

static gboolean
grow_tick_cb (GtkWidget     *widget,
              GdkFrameClock *frame_clock,
              gpointer       user_data)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (user_data);

  self->grow_tick = 0;
  /* As many again as are shown: a few steps reach the start of even a
   * long chat, and GTK builds rows only near the view, not for them all. */
  confab_tail_model_grow (self->tail, MAX (TAIL_SIZE, n_shown (self)));
  return G_SOURCE_REMOVE;
}

/* Within a page of the first message shown, with earlier ones to show:
 * grow the list before the user gets there (or, when what is shown does
 * not fill the view, until it does). Not from here: the list may be in the
 * middle of its layout. */
static void
confab_chat_view_maybe_grow (ConfabChatView *self,
                             GtkAdjustment  *adjustment)
{
  if (self->grow_tick != 0 || confab_tail_model_get_start (self->tail) == 0)
    return;
  if (gtk_adjustment_get_value (adjustment) >= gtk_adjustment_get_page_size (adjustment))
    return;
  self->grow_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->message_list),
                                                  grow_tick_cb, self, NULL);
}

/* The wheel turned up at the very top moves nothing, so no value-changed
 * says the user wants more: this does. It only looks, never consumes. */
static gboolean
on_list_scroll_cb (GtkEventControllerScroll *controller,
                   double                    dx,
                   double                    dy,
                   ConfabChatView           *self)
{
  if (dy < 0)
    confab_chat_view_maybe_grow (self, gtk_scrolled_window_get_vadjustment (self->scrolled_window));
  return GDK_EVENT_PROPAGATE;
}

static gboolean
trim_tick_cb (GtkWidget     *widget,
              GdkFrameClock *frame_clock,
              gpointer       user_data)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (user_data);

  self->trim_tick = 0;
  if (self->stick_to_bottom && confab_tail_model_shrink (self->tail, TRIM_TO) > 0)
    self->trimmed = TRUE;
  return G_SOURCE_REMOVE;
}

/* New messages at the end while the view follows it: maybe trim, on the
 * next frame (not from here: the list is still taking in this change). */
static void
on_tail_items_changed_cb (ConfabChatView *self,
                          guint           position,
                          guint           removed,
                          guint           added,
                          GListModel     *tail)
{
  if (added == 0 || position + added != g_list_model_get_n_items (tail))
    return;
  if (!self->stick_to_bottom || n_shown (self) < TRIM_AT || self->trim_tick != 0)
    return;
  self->trim_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->message_list),
                                                  trim_tick_cb, self, NULL);
}

static void
on_vadjustment_value_changed_cb (ConfabChatView *self,
                                 GtkAdjustment  *adjustment)
{
  double value = gtk_adjustment_get_value (adjustment);

  confab_chat_view_maybe_grow (self, adjustment);

  /* Back at the end: follow it again. Only a move up leaves it, and not
   * one the list makes by itself: while rows get their real heights (the
   * content grew, so a scroll to the end is pending: a fast exchange used to
   * stop the view following here), or after a trim while their height
   * leaves. */
  if (confab_chat_view_at_bottom (self))
    {
      self->stick_to_bottom = TRUE;
      self->trimmed = FALSE;
    }
  else if (value < self->last_value && !self->trimmed && self->scroll_tick == 0)
    self->stick_to_bottom = FALSE;
  self->last_value = value;
}

static gboolean
scroll_to_bottom_tick_cb (GtkWidget     *widget,
                          GdkFrameClock *frame_clock,
                          gpointer       user_data)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (user_data);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  double page = gtk_adjustment_get_page_size (adjustment);
  double bottom = gtk_adjustment_get_upper (adjustment) - page;
  guint n_items = n_shown (self);

  self->scroll_tick = 0;
  if (!self->stick_to_bottom)
    return G_SOURCE_REMOVE;

  /* GTK 4.8's list only builds rows near the value: jumping far (to an
   * upper that is still an estimate) shows a blank view. Let the list bring
   * the last row in first, then close the rest of the gap, which now lies
   * inside built rows, on the next frame. Once per jump, so a last row
   * taller than the view cannot keep a tick alive. */
  if (n_items > 0 && bottom - gtk_adjustment_get_value (adjustment) > page
      && !self->last_row_anchored)
    {
      self->last_row_anchored = TRUE;
      _confab_chat_view_scroll_to_end (self);
      self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->message_list),
                                                        scroll_to_bottom_tick_cb, self, NULL);
      return G_SOURCE_REMOVE;
    }

  self->last_row_anchored = FALSE;
  gtk_adjustment_set_value (adjustment, bottom);

  return G_SOURCE_REMOVE;
}

static void
on_vadjustment_changed_cb (ConfabChatView *self,
                           GtkAdjustment  *adjustment)
{
  /* The content grew (a streaming reply, a new message) or the view was
   * resized: stay at the bottom if that is where the user was. Not from
   * here: the list is in the middle of its layout and would undo it. */
  if (self->stick_to_bottom && !confab_chat_view_at_bottom (self) && self->scroll_tick == 0)
    self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->message_list),
                                                      scroll_to_bottom_tick_cb, self, NULL);
  confab_chat_view_maybe_grow (self, adjustment);
}

static void
remove_list_tick (ConfabChatView *self,
                  guint          *tick)
{
  if (*tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->message_list), *tick);
  *tick = 0;
}

static void
confab_chat_view_dispose (GObject *object)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (object);

  if (self->chat_bindings != NULL)
    g_binding_group_set_source (self->chat_bindings, NULL);
  if (self->messages_signals != NULL)
    g_signal_group_set_target (self->messages_signals, NULL);

  remove_list_tick (self, &self->scroll_tick);
  remove_list_tick (self, &self->grow_tick);
  remove_list_tick (self, &self->trim_tick);

  _confab_chat_view_room_dispose (self);
  _confab_chat_view_conductor_dispose (self);
  _confab_chat_view_dispose_actions (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_CHAT_VIEW);
  /* dispose_template () only drops the children bound to fields. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);

  g_clear_object (&self->chat_bindings);
  g_clear_object (&self->messages_signals);
  g_clear_object (&self->messages);
  g_clear_object (&self->tail);
  g_clear_object (&self->chat);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_chat_view_parent_class)->dispose (object);
}

static void
confab_chat_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CHAT:
      g_value_set_object (value, self->chat);
      break;

    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;

    case PROP_HIGHLIGHT_ID:
      g_value_set_int64 (value, self->highlight_id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      confab_chat_view_set_store (self, g_value_get_object (value));
      break;

    case PROP_CHAT:
      confab_chat_view_set_chat (self, g_value_get_object (value));
      break;

    case PROP_FOLDED:
      confab_chat_view_set_folded (self, g_value_get_boolean (value));
      break;

    case PROP_HIGHLIGHT_ID:
      confab_chat_view_set_highlight_id (self, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_view_class_init (ConfabChatViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_chat_view_dispose;
  object_class->get_property = confab_chat_view_get_property;
  object_class->set_property = confab_chat_view_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CONFAB_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CHAT] =
    g_param_spec_object ("chat", NULL, NULL,
                         CONFAB_TYPE_CHAT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Row factories: add the "highlighted" CSS class to the row whose
   * message has this id (see confab_chat_view_set_highlight_id()). */
  properties[PROP_HIGHLIGHT_ID] =
    g_param_spec_int64 ("highlight-id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CONFAB_TYPE_MESSAGE_ROW);
  g_type_ensure (CONFAB_TYPE_CHAT_SEARCH_BAR);
  g_type_ensure (CONFAB_TYPE_FIRST_RUN_PAGE);
  g_type_ensure (CONFAB_TYPE_USAGE_BUTTON);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-chat-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, window_title);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, chat_menu_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, search_bar);
  gtk_widget_class_bind_template_callback (widget_class, on_message_found_cb);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, first_run_page);
  gtk_widget_class_bind_template_callback (widget_class, on_first_run_needed_cb);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, message_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, message_selection);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, scrolled_window);

  _confab_chat_view_class_init_actions (widget_class);
  _confab_chat_view_class_init_room (widget_class);
  _confab_chat_view_class_init_compare (widget_class);
  _confab_chat_view_class_init_roundtable (widget_class);
}

static void
confab_chat_view_init (ConfabChatView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->chat_bindings = g_binding_group_new ();
  g_binding_group_bind (self->chat_bindings, "title",
                        self->window_title, "title",
                        G_BINDING_SYNC_CREATE);

  /* The list shows the tail; the template's selection model wraps it. */
  self->tail = confab_tail_model_new (NULL, 0);
  gtk_no_selection_set_model (self->message_selection, G_LIST_MODEL (self->tail));
  g_signal_connect_object (self->tail, "items-changed",
                           G_CALLBACK (on_tail_items_changed_cb), self, G_CONNECT_SWAPPED);

  self->messages_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_object (self->messages_signals,
                                 "items-changed",
                                 G_CALLBACK (on_messages_items_changed_cb),
                                 self,
                                 G_CONNECT_SWAPPED);

  {
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);

    g_signal_connect_swapped (factory, "setup", G_CALLBACK (on_row_setup_cb), self);
    g_signal_connect_swapped (factory, "bind", G_CALLBACK (on_row_bind_cb), self);
    g_signal_connect_swapped (factory, "unbind", G_CALLBACK (on_row_unbind_cb), self);
    gtk_list_view_set_factory (self->message_list, factory);
    g_object_unref (factory);

    g_signal_connect_object (adjustment, "value-changed",
                             G_CALLBACK (on_vadjustment_value_changed_cb), self,
                             G_CONNECT_SWAPPED);
    g_signal_connect_object (adjustment, "changed",
                             G_CALLBACK (on_vadjustment_changed_cb), self,
                             G_CONNECT_SWAPPED);

    {
      GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

      /* Capture: it sees the wheel before the scrolled window takes it. */
      gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
      g_signal_connect (scroll, "scroll", G_CALLBACK (on_list_scroll_cb), self);
      gtk_widget_add_controller (GTK_WIDGET (self->scrolled_window), scroll);
    }
  }

  /* Search: the find bar follows the open chat; input clears the highlight. */
  g_object_bind_property (self, "store", self->search_bar, "store", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "chat", self->search_bar, "chat", G_BINDING_SYNC_CREATE);
  g_signal_connect (self, "notify::chat", G_CALLBACK (on_chat_changed_cb), NULL);
  {
    GtkEventController *controller = gtk_event_controller_legacy_new ();

    gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
    g_signal_connect (controller, "event", G_CALLBACK (on_input_event_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self), controller);
  }

  _confab_chat_view_conductor_init (self);
  _confab_chat_view_init_actions (self);
  _confab_chat_view_room_init (self);
  _confab_chat_view_compare_init (self);
  _confab_chat_view_roundtable_init (self);
  confab_chat_view_update_page (self);
}
