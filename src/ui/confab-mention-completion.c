/* confab-mention-completion.c: "@gp" in the composer offers "@gpt".
 *
 * Follows the buffer's text and cursor: whenever the text just before the
 * cursor is the start of a mention (confab_mentions_dup_prefix_at ()), the
 * aliases it may become show in a popover pointing at the "@". The popover
 * never takes the focus (the text view keeps it, typing goes on); the keys
 * that drive the list are caught on the text view before its own handlers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-mention-completion.h"
#include "confab-usage-button.h"

struct _ConfabMentionCompletion
{
  GObject      parent_instance;

  GtkTextView *view;     /* not a ref: our owner owns the view too */
  GtkWidget   *popover;
  GtkListBox  *list;
  /* Char offset of the "@" being completed, -1 for none. */
  int          start;
  /* Escape closed the list for the mention at this offset: it stays
   * closed until another mention is typed. */
  int          dismissed_start;
  gboolean     updating;
};

G_DEFINE_FINAL_TYPE (ConfabMentionCompletion, confab_mention_completion, G_TYPE_OBJECT)

static ConfabStore *
get_store (void)
{
  GApplication *app = g_application_get_default ();

  return CONFAB_IS_APPLICATION (app) ? confab_application_get_store (CONFAB_APPLICATION (app))
                                     : NULL;
}

static void
hide (ConfabMentionCompletion *self)
{
  self->start = -1;
  if (self->popover != NULL && gtk_widget_get_visible (self->popover))
    gtk_popover_popdown (GTK_POPOVER (self->popover));
}

static GtkWidget *
create_row (const ConfabModelAlias *alias)
{
  g_autofree char *mention = g_strconcat ("@", alias->alias, NULL);
  g_autofree char *model = confab_usage_describe_model (alias->model);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *name = gtk_label_new (mention);
  GtkWidget *description = gtk_label_new (model);

  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_add_css_class (description, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (description), 0);
  gtk_label_set_ellipsize (GTK_LABEL (description), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (description, TRUE);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), description);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_can_focus (row, FALSE);
  g_object_set_data_full (G_OBJECT (row), "alias", g_strdup (alias->alias), g_free);

  return row;
}

static void
clear_list (ConfabMentionCompletion *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
}

static void
show_at (ConfabMentionCompletion *self,
         const GtkTextIter       *at)
{
  GdkRectangle rect;
  int x, y;

  gtk_text_view_get_iter_location (self->view, at, &rect);
  gtk_text_view_buffer_to_window_coords (self->view, GTK_TEXT_WINDOW_WIDGET,
                                         rect.x, rect.y, &x, &y);
  rect.x = x;
  rect.y = y;
  rect.width = MAX (rect.width, 1);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->popover), &rect);
  if (!gtk_widget_get_visible (self->popover))
    gtk_popover_popup (GTK_POPOVER (self->popover));
}

static void
update (ConfabMentionCompletion *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter begin, cursor, at;
  g_autofree char *before = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(GPtrArray) aliases = NULL;
  g_autoptr(GError) error = NULL;
  ConfabStore *store;
  gsize start_byte = 0;
  gsize prefix_len;
  int start;
  guint n_matches = 0;

  if (self->view == NULL || self->updating)
    return;

  buffer = gtk_text_view_get_buffer (self->view);
  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  /* A mention never spans lines: the line so far is enough, however
   * long the draft is. */
  begin = cursor;
  gtk_text_iter_set_line_offset (&begin, 0);
  /* A selection is being made, not a mention. */
  if (gtk_text_buffer_get_has_selection (buffer) || !gtk_widget_get_mapped (GTK_WIDGET (self->view)))
    {
      hide (self);
      return;
    }

  before = gtk_text_buffer_get_text (buffer, &begin, &cursor, FALSE);
  prefix = confab_mentions_dup_prefix_at (before, strlen (before), &start_byte);
  if (prefix == NULL)
    {
      self->dismissed_start = -1;
      hide (self);
      return;
    }

  start = gtk_text_iter_get_offset (&begin) + (int) g_utf8_strlen (before, start_byte);
  if (start == self->dismissed_start || (store = get_store ()) == NULL)
    {
      hide (self);
      return;
    }
  self->dismissed_start = -1;

  aliases = confab_store_list_aliases (store, &error);
  if (aliases == NULL)
    {
      g_warning ("Could not read the mention aliases: %s", error->message);
      hide (self);
      return;
    }

  clear_list (self);
  prefix_len = strlen (prefix);
  for (guint i = 0; i < aliases->len; i++)
    {
      const ConfabModelAlias *alias = g_ptr_array_index (aliases, i);

      if (g_ascii_strncasecmp (alias->alias, prefix, prefix_len) != 0)
        continue;
      gtk_list_box_append (self->list, create_row (alias));
      n_matches++;
    }

  if (n_matches == 0)
    {
      hide (self);
      return;
    }

  self->start = start;
  gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list, 0));
  gtk_text_buffer_get_iter_at_offset (buffer, &at, start);
  show_at (self, &at);
}

static void
insert_alias (ConfabMentionCompletion *self,
              GtkListBoxRow           *row)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->view);
  const char *alias = g_object_get_data (G_OBJECT (row), "alias");
  g_autofree char *mention = g_strconcat ("@", alias, " ", NULL);
  GtkTextIter start, cursor;

  if (self->start < 0 || alias == NULL)
    return;

  gtk_text_buffer_get_iter_at_offset (buffer, &start, self->start);
  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  hide (self);

  /* One update afterwards, not one per step of the edit. */
  self->updating = TRUE;
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete (buffer, &start, &cursor);
  gtk_text_buffer_insert (buffer, &start, mention, -1);
  gtk_text_buffer_place_cursor (buffer, &start);
  gtk_text_buffer_end_user_action (buffer);
  self->updating = FALSE;
  update (self);
}

static void
move_selection (ConfabMentionCompletion *self,
                int                      step)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->list);
  int n = 0;
  int index;

  while (gtk_list_box_get_row_at_index (self->list, n) != NULL)
    n++;
  if (n == 0)
    return;

  index = row != NULL ? gtk_list_box_row_get_index (row) + step : 0;
  /* Round the ends, like other completion lists. */
  index = (index % n + n) % n;
  row = gtk_list_box_get_row_at_index (self->list, index);
  gtk_list_box_select_row (self->list, row);
}

static gboolean
on_key_pressed_cb (GtkEventControllerKey   *controller,
                   guint                    keyval,
                   guint                    keycode,
                   GdkModifierType          state,
                   ConfabMentionCompletion *self)
{
  GtkListBoxRow *row;

  if (!confab_mention_completion_get_active (self)
      || (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return GDK_EVENT_PROPAGATE;

  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      move_selection (self, -1);
      return GDK_EVENT_STOP;

    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      move_selection (self, 1);
      return GDK_EVENT_STOP;

    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_Tab:
    case GDK_KEY_KP_Tab:
      row = gtk_list_box_get_selected_row (self->list);
      if (row != NULL)
        insert_alias (self, row);
      return GDK_EVENT_STOP;

    case GDK_KEY_Escape:
      /* Only the list closes: no Stop, no leaving edit mode. */
      confab_mention_completion_dismiss (self);
      return GDK_EVENT_STOP;

    default:
      return GDK_EVENT_PROPAGATE;
    }
}

static void
on_row_activated_cb (ConfabMentionCompletion *self,
                     GtkListBoxRow           *row,
                     GtkListBox              *list)
{
  insert_alias (self, row);
}

static void
on_buffer_changed_cb (ConfabMentionCompletion *self)
{
  update (self);
}

static void
on_view_unmap_cb (ConfabMentionCompletion *self)
{
  hide (self);
}

static void
on_buffer_notify_cb (ConfabMentionCompletion *self,
                     GParamSpec              *pspec,
                     GtkTextBuffer           *buffer)
{
  update (self);
}

static void
detach (ConfabMentionCompletion *self)
{
  /* GtkTextView does not know this child of its: whoever owns the view
   * disposes of us first (see confab_composer_dispose ()). */
  if (self->popover != NULL)
    {
      gtk_widget_unparent (self->popover);
      self->popover = NULL;
      self->list = NULL;
    }
  self->view = NULL;
}

ConfabMentionCompletion *
confab_mention_completion_new (GtkTextView *view)
{
  ConfabMentionCompletion *self;
  GtkEventController *controller;
  GtkTextBuffer *buffer;
  GtkWidget *scrolled;

  g_return_val_if_fail (GTK_IS_TEXT_VIEW (view), NULL);

  self = g_object_new (CONFAB_TYPE_MENTION_COMPLETION, NULL);
  self->view = view;
  buffer = gtk_text_view_get_buffer (view);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_BROWSE);
  gtk_widget_set_can_focus (GTK_WIDGET (self->list), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Mentions"),
                                  -1);
  g_signal_connect_object (self->list, "row-activated", G_CALLBACK (on_row_activated_cb),
                           self, G_CONNECT_SWAPPED);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 240);
  gtk_widget_set_size_request (scrolled, 260, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->list));

  /* Typing goes on in the text view while the list shows. */
  self->popover = gtk_popover_new ();
  gtk_popover_set_autohide (GTK_POPOVER (self->popover), FALSE);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
  gtk_popover_set_position (GTK_POPOVER (self->popover), GTK_POS_TOP);
  gtk_widget_set_can_focus (self->popover, FALSE);
  gtk_widget_set_halign (self->popover, GTK_ALIGN_START);
  gtk_widget_add_css_class (self->popover, "mention-completion");
  gtk_popover_set_child (GTK_POPOVER (self->popover), scrolled);
  gtk_widget_set_parent (self->popover, GTK_WIDGET (view));

  g_signal_connect_object (buffer, "changed", G_CALLBACK (on_buffer_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (buffer, "notify::cursor-position", G_CALLBACK (on_buffer_notify_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (buffer, "notify::has-selection", G_CALLBACK (on_buffer_notify_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (view, "unmap", G_CALLBACK (on_view_unmap_cb),
                           self, G_CONNECT_SWAPPED);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (on_key_pressed_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (view), controller);

  return self;
}

gboolean
confab_mention_completion_get_active (ConfabMentionCompletion *self)
{
  g_return_val_if_fail (CONFAB_IS_MENTION_COMPLETION (self), FALSE);

  return self->start >= 0 && self->popover != NULL && gtk_widget_get_visible (self->popover);
}

void
confab_mention_completion_dismiss (ConfabMentionCompletion *self)
{
  g_return_if_fail (CONFAB_IS_MENTION_COMPLETION (self));

  if (self->start >= 0)
    self->dismissed_start = self->start;
  hide (self);
}

static void
confab_mention_completion_dispose (GObject *object)
{
  ConfabMentionCompletion *self = CONFAB_MENTION_COMPLETION (object);

  detach (self);

  G_OBJECT_CLASS (confab_mention_completion_parent_class)->dispose (object);
}

static void
confab_mention_completion_class_init (ConfabMentionCompletionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_mention_completion_dispose;
}

static void
confab_mention_completion_init (ConfabMentionCompletion *self)
{
  self->start = -1;
  self->dismissed_start = -1;
}
