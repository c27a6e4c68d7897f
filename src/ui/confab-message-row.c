/* confab-message-row.c: who wrote a message, when, its state and its text.
 *
 * A row follows whichever message the list binds to it through a signal
 * group, so a recycled row drops the old message's handlers at once. While
 * a reply streams, content changes only mark the row dirty; it renders on
 * the next frame (ConfabFrameRender), so a burst of deltas costs one parse
 * per frame and an idle row has no callback at all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-markdown.h"
#include "confab-markdown-view.h"
#include "confab-message-row.h"
#include "confab-message-menu.h"
#include "confab-usage-button.h"

/* How much of the text the accessible label carries. */
#define ACCESSIBLE_TEXT_CHARS 160

struct _ConfabMessageRow
{
  GtkWidget           parent_instance;

  ConfabMessage      *message;
  GSignalGroup       *message_signals;
  ConfabFrameRender   frame_render;
  gint64              highlight_id;
  char               *provider_class;
  char               *accessible_label;

  /* Template widgets */
  AdwAvatar          *avatar;
  GtkWidget          *content_box;
  GtkLabel           *author_label;
  GtkLabel           *provider_badge;
  GtkLabel           *time_label;
  GtkLabel           *usage_label;
  GtkSpinner         *spinner;
  ConfabMarkdownView *markdown_view;
  GtkWidget          *error_box;
  GtkLabel           *error_label;
  GtkLabel           *stopped_label;
  GtkLabel           *thread_label;
  GtkWidget          *switch_box;
  GtkLabel           *switch_label;
  GtkWidget          *version_box;
  GtkButton          *previous_button;
  GtkLabel           *version_label;
  GtkButton          *next_button;
  GtkMenuButton      *actions_button;
};

G_DEFINE_FINAL_TYPE (ConfabMessageRow, confab_message_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MESSAGE,
  PROP_HIGHLIGHT_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct
{
  const char *id;
  const char *name;
} provider_names[] = {
  { "openai", "OpenAI" },
  { "anthropic", "Anthropic" },
  { "gemini", "Gemini" },
  { "openrouter", "OpenRouter" },
  { "ollama", "Ollama" },
};

static const char *
provider_display_name (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (provider_names); i++)
    if (g_strcmp0 (id, provider_names[i].id) == 0)
      return provider_names[i].name;
  return id;
}

/* "14:05" today, "Mar 3, 14:05" this year, "Mar 3 2023, 14:05" before. */
static char *
format_time (gint64   usec,
             gboolean full)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  const char *format;

  if (time == NULL)
    return g_strdup ("");

  if (full)
    /* TRANSLATORS: a message's full date in its tooltip, see g_date_time_format() */
    format = _("%A, %B %-e, %Y, %H:%M:%S");
  else if (g_date_time_get_year (time) == g_date_time_get_year (now)
           && g_date_time_get_day_of_year (time) == g_date_time_get_day_of_year (now))
    /* TRANSLATORS: the time of a message sent today, see g_date_time_format() */
    format = _("%H:%M");
  else if (g_date_time_get_year (time) == g_date_time_get_year (now))
    /* TRANSLATORS: the time of a message sent this year, see g_date_time_format() */
    format = _("%b %-e, %H:%M");
  else
    /* TRANSLATORS: the time of an older message, see g_date_time_format() */
    format = _("%b %-e %Y, %H:%M");

  return g_date_time_format (time, format);
}

static const char *
confab_message_row_author (ConfabMessageRow *self)
{
  const char *author = confab_message_get_author (self->message);
  const char *model = confab_message_get_model (self->message);

  switch (confab_message_get_role (self->message))
    {
    case CONFAB_ROLE_ASSISTANT:
      /* A round-table speaker's name ("Ada"), not "PROVIDER:MODEL". */
      if (confab_message_get_speaker (self->message) != NULL)
        return confab_message_get_speaker (self->message);
      if (model != NULL && *model != '\0')
        return model;
      /* "PROVIDER:MODEL": the model is the part people know. */
      if (author != NULL && strchr (author, ':') != NULL)
        return strchr (author, ':') + 1;
      return author != NULL ? author : _("Assistant");

    case CONFAB_ROLE_SYSTEM:
      return _("System");

    case CONFAB_ROLE_USER:
    default:
      return author != NULL && *author != '\0' ? author : _("You");
    }
}

static void
confab_message_row_update_accessible (ConfabMessageRow *self)
{
  g_autofree char *summary = NULL;
  g_autofree char *label = NULL;
  const char *content;

  if (self->message == NULL)
    return;

  /* The author and how the text starts, as plain text on one line, so a
   * screen reader (and the UI tests) can tell the messages apart. Only
   * the first characters of a streaming reply change it. */
  content = confab_message_get_content (self->message);
  summary = confab_markdown_summary (content ? content : "", ACCESSIBLE_TEXT_CHARS);
  /* A reply that failed before its first word is its error. */
  if (*summary == '\0' && confab_message_get_error (self->message) != NULL)
    {
      g_free (summary);
      summary = g_strdup (confab_message_get_error (self->message));
    }
  label = g_strdup_printf ("%s: %s", confab_message_row_author (self), summary);

  if (g_strcmp0 (label, self->accessible_label) == 0)
    return;

  g_free (self->accessible_label);
  self->accessible_label = g_steal_pointer (&label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->accessible_label,
                                  -1);
}

static void confab_message_row_update_status (ConfabMessageRow *self);

static void
confab_message_row_render (GtkWidget *widget)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);

  confab_markdown_view_set_text (self->markdown_view,
                                 self->message ? confab_message_get_content (self->message) : "");
  confab_message_row_update_accessible (self);
}

/* The text was too long to show whole: the chat view's action opens it. */
static void
on_open_full_text_cb (ConfabMessageRow   *self,
                      ConfabMarkdownView *view)
{
  if (self->message != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "message.open-full-text", "x",
                                confab_message_get_id (self->message));
}

static void
on_content_changed_cb (ConfabMessageRow *self,
                       GParamSpec       *pspec,
                       ConfabMessage    *message)
{
  /* A row out of sight renders when it is mapped again. */
  if (confab_message_get_status (message) == CONFAB_MESSAGE_STATUS_STREAMING)
    {
      confab_frame_render_queue (&self->frame_render);
      /* The first words: the spinner has waited enough. */
      if (gtk_spinner_get_spinning (self->spinner))
        confab_message_row_update_status (self);
    }
  else
    confab_frame_render_now (&self->frame_render);
}

/* "412 tokens · 0.0012" after a finished reply that reported its usage. */
static void
confab_message_row_update_usage (ConfabMessageRow *self)
{
  GApplication *app = g_application_get_default ();
  ConfabStore *store = CONFAB_IS_APPLICATION (app)
                       ? confab_application_get_store (CONFAB_APPLICATION (app)) : NULL;
  gint64 tokens = self->message ? confab_message_get_output_tokens (self->message) : -1;
  g_autofree char *text = NULL;
  double cost = 0;

  if (tokens < 0 || confab_message_get_role (self->message) != CONFAB_ROLE_ASSISTANT
      || confab_message_get_status (self->message) != CONFAB_MESSAGE_STATUS_COMPLETE)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->usage_label), FALSE);
      return;
    }

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " token",
                                       "%" G_GINT64_FORMAT " tokens", tokens),
                          tokens);
  if (store != NULL && confab_store_get_message_cost (store, self->message, &cost, NULL))
    {
      g_autofree char *formatted = confab_usage_format_cost (cost);
      char *with_cost;

      /* Translators: a reply's tokens and what they cost, "412 tokens · 0.0012" */
      with_cost = g_strdup_printf (_("%s · %s"), text, formatted);
      g_free (text);
      text = with_cost;
    }
  gtk_label_set_label (self->usage_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->usage_label), _("Tokens of this reply"));
  gtk_widget_set_visible (GTK_WIDGET (self->usage_label), TRUE);
}

static void
confab_message_row_update_status (ConfabMessageRow *self)
{
  ConfabMessageStatus status = self->message
    ? confab_message_get_status (self->message) : CONFAB_MESSAGE_STATUS_COMPLETE;
  gboolean streaming = status == CONFAB_MESSAGE_STATUS_STREAMING;
  gboolean waiting;
  const char *error = self->message ? confab_message_get_error (self->message) : NULL;

  /* The spinner says "waiting for the first words"; once they come, the
   * growing text says it is streaming. A spinner turning through the whole
   * reply would repaint the window every frame (60 a second) for nothing. */
  waiting = streaming && self->message != NULL
    && *confab_message_get_content (self->message) == '\0';
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), waiting);
  gtk_spinner_set_spinning (self->spinner, waiting);

  gtk_widget_set_visible (self->error_box, status == CONFAB_MESSAGE_STATUS_ERROR);
  gtk_label_set_label (self->error_label,
                       error != NULL && *error != '\0' ? error : _("The reply failed."));
  gtk_widget_set_visible (GTK_WIDGET (self->stopped_label),
                          status == CONFAB_MESSAGE_STATUS_CANCELLED);
  confab_message_row_update_usage (self);

  if (streaming)
    gtk_widget_add_css_class (GTK_WIDGET (self), "streaming");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "streaming");
  if (status == CONFAB_MESSAGE_STATUS_ERROR)
    gtk_widget_add_css_class (GTK_WIDGET (self), "failed");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "failed");

  confab_message_row_update_accessible (self);
}

static void
on_status_changed_cb (ConfabMessageRow *self,
                      GParamSpec       *pspec,
                      ConfabMessage    *message)
{
  confab_message_row_update_status (self);

  /* The last delta shows at once when the reply ends. */
  if (self->frame_render.dirty
      && confab_message_get_status (message) != CONFAB_MESSAGE_STATUS_STREAMING)
    confab_frame_render_now (&self->frame_render);
}

static void
confab_message_row_update_thread (ConfabMessageRow *self)
{
  guint replies = self->message ? confab_message_get_reply_count (self->message) : 0;
  gint64 last_reply = self->message ? confab_message_get_last_reply (self->message) : 0;
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->thread_label), replies > 0);
  if (replies == 0)
    return;

  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u reply", "%u replies", replies),
                           replies);
  if (last_reply > 0)
    {
      g_autofree char *when = format_time (last_reply, FALSE);

      /* TRANSLATORS: "3 replies · last 14:05" under a message with a thread */
      text = g_strdup_printf (_("%s · last %s"), count, when);
    }
  gtk_label_set_label (self->thread_label, text ? text : count);
}

static void
on_thread_changed_cb (ConfabMessageRow *self,
                      GParamSpec       *pspec,
                      ConfabMessage    *message)
{
  confab_message_row_update_thread (self);
}

static void
confab_message_row_update_header (ConfabMessageRow *self)
{
  ConfabRole role = self->message ? confab_message_get_role (self->message) : CONFAB_ROLE_USER;
  const char *provider = self->message ? confab_message_get_provider (self->message) : NULL;
  gboolean assistant = self->message != NULL && role == CONFAB_ROLE_ASSISTANT;
  gboolean has_provider = assistant && provider != NULL && *provider != '\0';
  g_autofree char *time = NULL;
  g_autofree char *full_time = NULL;

  gtk_label_set_label (self->author_label, self->message ? confab_message_row_author (self) : "");
  /* Which model speaks under a round-table name. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->author_label),
                               assistant ? confab_message_get_model (self->message) : NULL);

  if (self->provider_class != NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->provider_badge), self->provider_class);
      g_clear_pointer (&self->provider_class, g_free);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->provider_badge), has_provider);
  if (has_provider)
    {
      gtk_label_set_label (self->provider_badge, provider_display_name (provider));
      /* Each known provider has its colour in style.css. */
      self->provider_class = g_strconcat ("provider-", provider, NULL);
      g_strcanon (self->provider_class, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "-_", '-');
      gtk_widget_add_css_class (GTK_WIDGET (self->provider_badge), self->provider_class);
    }

  adw_avatar_set_text (self->avatar,
                       has_provider ? provider_display_name (provider)
                                    : gtk_label_get_label (self->author_label));

  if (assistant)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "assistant");
      gtk_widget_remove_css_class (GTK_WIDGET (self), "user");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "user");
      gtk_widget_remove_css_class (GTK_WIDGET (self), "assistant");
    }

  if (self->message != NULL && confab_message_get_created (self->message) > 0)
    {
      time = format_time (confab_message_get_created (self->message), FALSE);
      full_time = format_time (confab_message_get_created (self->message), TRUE);
    }
  gtk_label_set_label (self->time_label, time ? time : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->time_label), full_time);
}

static void
confab_message_row_update_highlight (ConfabMessageRow *self)
{
  if (self->message != NULL && self->highlight_id != 0
      && confab_message_get_id (self->message) == self->highlight_id)
    gtk_widget_add_css_class (GTK_WIDGET (self), "highlighted");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "highlighted");
}

/* ---- Message actions: the menu and the version switcher act through the
 * chat view's message.* actions, with the message id as the target. */

static void
confab_message_row_update_actions (ConfabMessageRow *self)
{
  g_autofree char *version = NULL;
  guint n_versions;
  guint index;
  gint64 id;

  gtk_widget_set_visible (GTK_WIDGET (self->actions_button), self->message != NULL);
  gtk_widget_set_visible (self->version_box, FALSE);
  /* The menu is made when it opens (create_menu_cb): GTK 4.8's list
   * view builds up to 200 rows at once, and a popover each made opening
   * a chat measurably slower (bench/). */
  if (gtk_menu_button_get_menu_model (self->actions_button) != NULL)
    gtk_menu_button_set_menu_model (self->actions_button, NULL);
  if (self->message == NULL)
    return;

  id = confab_message_get_id (self->message);
  n_versions = confab_message_get_n_alternatives (self->message);
  index = confab_message_get_alternative_index (self->message);
  if (n_versions <= 1)
    return;

  gtk_widget_set_visible (self->version_box, TRUE);
  version = g_strdup_printf ("%u/%u", index + 1, n_versions);
  gtk_label_set_label (self->version_label, version);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->previous_button), "x", id);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->next_button), "x", id);
  gtk_widget_set_sensitive (GTK_WIDGET (self->previous_button), index > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), index + 1 < n_versions);
}

static void
create_menu_cb (GtkMenuButton *button,
                gpointer       user_data)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (user_data);
  g_autoptr(GMenu) menu = NULL;

  /* Kept until the message changes (update_actions), so a right click
   * can aim the popover before it opens. */
  if (self->message == NULL || gtk_menu_button_get_menu_model (button) != NULL)
    return;

  menu = confab_message_menu_new (self->message);
  gtk_menu_button_set_menu_model (button, G_MENU_MODEL (menu));
}

static void
on_versions_changed_cb (ConfabMessageRow *self,
                        GParamSpec       *pspec,
                        ConfabMessage    *message)
{
  confab_message_row_update_actions (self);
}

static void
on_secondary_click_cb (GtkGestureClick  *gesture,
                       int               n_press,
                       double            x,
                       double            y,
                       ConfabMessageRow *self)
{
  if (self->message == NULL)
    return;

  /* The context menu is the actions button's, opened where the click was. */
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  create_menu_cb (self->actions_button, self);
  confab_message_menu_popup_at (self->actions_button, GTK_WIDGET (self), x, y);
}

void
confab_message_row_set_switch_label (ConfabMessageRow *self,
                                     const char       *label)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));

  gtk_widget_set_visible (self->switch_box, label != NULL);
  gtk_label_set_label (self->switch_label, label);
}

static void
on_message_bind_cb (ConfabMessageRow *self,
                    ConfabMessage    *message,
                    GSignalGroup     *group)
{
  confab_message_row_update_header (self);
  confab_message_row_update_status (self);
  confab_message_row_update_thread (self);
  confab_message_row_update_actions (self);
  confab_message_row_update_highlight (self);
  /* A new message renders now, so the list measures the row right away. */
  confab_frame_render_now (&self->frame_render);
}

GtkWidget *
confab_message_row_new (void)
{
  return g_object_new (CONFAB_TYPE_MESSAGE_ROW, NULL);
}

ConfabMessage *
confab_message_row_get_message (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), NULL);

  return self->message;
}

void
confab_message_row_set_message (ConfabMessageRow *self,
                                ConfabMessage    *message)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));
  g_return_if_fail (!message || CONFAB_IS_MESSAGE (message));

  if (!g_set_object (&self->message, message))
    return;

  /* "bind" updates everything for a message. An unbound row keeps its
   * widgets: the next message reuses what it can of them. */
  g_signal_group_set_target (self->message_signals, message);
  if (message == NULL)
    {
      confab_frame_render_cancel (&self->frame_render);
      self->frame_render.dirty = FALSE;
      gtk_spinner_set_spinning (self->spinner, FALSE);
      confab_message_row_update_highlight (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

gint64
confab_message_row_get_highlight_id (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), 0);

  return self->highlight_id;
}

void
confab_message_row_set_highlight_id (ConfabMessageRow *self,
                                     gint64            message_id)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));

  if (self->highlight_id == message_id)
    return;

  self->highlight_id = message_id;
  confab_message_row_update_highlight (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIGHLIGHT_ID]);
}

guint
confab_message_row_get_n_renders (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), 0);

  return self->frame_render.n_renders;
}

static void
confab_message_row_map (GtkWidget *widget)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);

  GTK_WIDGET_CLASS (confab_message_row_parent_class)->map (widget);

  if (self->frame_render.dirty)
    confab_frame_render_queue (&self->frame_render);
}

static void
confab_message_row_unmap (GtkWidget *widget)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);

  /* Still dirty: map () picks it up again. */
  confab_frame_render_cancel (&self->frame_render);

  GTK_WIDGET_CLASS (confab_message_row_parent_class)->unmap (widget);
}

/* ---- Layout: the avatar, then the message beside it.
 *
 * Not a GtkBoxLayout: GTK asks a row for its width at a given height while
 * it lays the chat out; a box passes the question on, and the vertical box
 * of the message answers it by a binary search over widths, laying all of
 * the text out again at each step (1.9 s instead of 0.3 s for a long reply
 * on a slow machine). A row's width does not depend on its height. */
#define AVATAR_SPACING 12

static GtkSizeRequestMode
confab_message_row_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
confab_message_row_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);
  GtkWidget *avatar = GTK_WIDGET (self->avatar);
  int avatar_min, avatar_nat, content_min, content_nat;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      gtk_widget_measure (avatar, orientation, -1, &avatar_min, &avatar_nat, NULL, NULL);
      gtk_widget_measure (self->content_box, orientation, -1, &content_min, &content_nat,
                          NULL, NULL);
      *minimum = avatar_min + AVATAR_SPACING + content_min;
      *natural = avatar_nat + AVATAR_SPACING + content_nat;
    }
  else
    {
      int content_width = -1;

      if (for_size >= 0)
        {
          gtk_widget_measure (avatar, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &avatar_nat,
                              NULL, NULL);
          content_width = MAX (for_size - avatar_nat - AVATAR_SPACING, 0);
        }
      gtk_widget_measure (avatar, orientation, -1, &avatar_min, &avatar_nat, NULL, NULL);
      gtk_widget_measure (self->content_box, orientation, content_width,
                          &content_min, &content_nat, NULL, NULL);
      *minimum = MAX (avatar_min, content_min);
      *natural = MAX (avatar_nat, content_nat);
    }

  *minimum_baseline = *natural_baseline = -1;
}

static void
confab_message_row_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int avatar_width;
  int content_width;

  gtk_widget_measure (GTK_WIDGET (self->avatar), GTK_ORIENTATION_HORIZONTAL, -1,
                      NULL, &avatar_width, NULL, NULL);
  avatar_width = MIN (avatar_width, width);
  content_width = MAX (width - avatar_width - AVATAR_SPACING, 0);

  /* The avatar's valign (start) places it in the whole height. */
  gtk_widget_size_allocate (GTK_WIDGET (self->avatar),
                            &(GtkAllocation) { rtl ? width - avatar_width : 0, 0,
                                               avatar_width, height },
                            -1);
  gtk_widget_size_allocate (self->content_box,
                            &(GtkAllocation) { rtl ? 0 : width - content_width, 0,
                                               content_width, height },
                            -1);
}

static void
confab_message_row_dispose (GObject *object)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);

  if (self->message_signals != NULL)
    g_signal_group_set_target (self->message_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_MESSAGE_ROW);
  /* dispose_template () only drops the children bound to fields. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (self)))
    gtk_widget_unparent (child);

  g_clear_object (&self->message_signals);
  g_clear_object (&self->message);

  G_OBJECT_CLASS (confab_message_row_parent_class)->dispose (object);
}

static void
confab_message_row_finalize (GObject *object)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);

  g_free (self->provider_class);
  g_free (self->accessible_label);

  G_OBJECT_CLASS (confab_message_row_parent_class)->finalize (object);
}

static void
confab_message_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;

    case PROP_HIGHLIGHT_ID:
      g_value_set_int64 (value, self->highlight_id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      confab_message_row_set_message (self, g_value_get_object (value));
      break;

    case PROP_HIGHLIGHT_ID:
      confab_message_row_set_highlight_id (self, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_row_class_init (ConfabMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_message_row_dispose;
  object_class->finalize = confab_message_row_finalize;
  object_class->get_property = confab_message_row_get_property;
  object_class->set_property = confab_message_row_set_property;

  widget_class->map = confab_message_row_map;
  widget_class->unmap = confab_message_row_unmap;
  widget_class->get_request_mode = confab_message_row_get_request_mode;
  widget_class->measure = confab_message_row_measure;
  widget_class->size_allocate = confab_message_row_size_allocate;

  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL,
                         CONFAB_TYPE_MESSAGE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The search's "highlighted" row: the chat view's :highlight-id. */
  properties[PROP_HIGHLIGHT_ID] =
    g_param_spec_int64 ("highlight-id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CONFAB_TYPE_MARKDOWN_VIEW);

  gtk_widget_class_set_css_name (widget_class, "messagerow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, content_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, author_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, provider_badge);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, usage_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, markdown_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, error_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, error_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, stopped_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, thread_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, switch_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, switch_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, version_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, previous_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, version_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, next_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, actions_button);
  gtk_widget_class_bind_template_callback (widget_class, on_open_full_text_cb);
}

static void
confab_message_row_init (ConfabMessageRow *self)
{
  confab_frame_render_init (&self->frame_render, GTK_WIDGET (self), confab_message_row_render);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_menu_button_set_create_popup_func (self->actions_button, create_menu_cb, self, NULL);

  self->message_signals = g_signal_group_new (CONFAB_TYPE_MESSAGE);
  g_signal_connect_object (self->message_signals, "bind",
                           G_CALLBACK (on_message_bind_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::content",
                                 G_CALLBACK (on_content_changed_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::status",
                                 G_CALLBACK (on_status_changed_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::error",
                                 G_CALLBACK (on_status_changed_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::reply-count",
                                 G_CALLBACK (on_thread_changed_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::last-reply",
                                 G_CALLBACK (on_thread_changed_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::n-alternatives",
                                 G_CALLBACK (on_versions_changed_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::alternative-index",
                                 G_CALLBACK (on_versions_changed_cb), self,
                                 G_CONNECT_SWAPPED);
  {
    GtkGesture *gesture = gtk_gesture_click_new ();

    gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
    g_signal_connect (gesture, "pressed", G_CALLBACK (on_secondary_click_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
  }
}
