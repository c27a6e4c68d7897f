/* confab-chat-view-compare.c: a comparison's answers side by side.
 *
 * Send with two or more compare models (the composer's compare button)
 * starts a comparison on the open chat's conductor and shows the compare
 * pane in place of the messages. The pane stays open for its chat until
 * Done, Escape, a kept answer or an ordinary Send: leaving the chat
 * leaves the comparison streaming, coming back shows it again. The open
 * state is kept on the conductor, which lives as long as the view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-chat-view-private.h"

#define PANE_OPEN_KEY "confab-compare-pane-open"

typedef struct
{
  ConfabChatView *view;    /* weak */
  char           *prompt;
} CompareData;

static void
compare_data_free (CompareData *data)
{
  g_clear_weak_pointer (&data->view);
  g_free (data->prompt);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CompareData, compare_data_free)

static void
set_pane_open (ConfabChatView  *self,
               ConfabConductor *conductor,
               gboolean         open)
{
  g_object_set_data (G_OBJECT (conductor), PANE_OPEN_KEY, GINT_TO_POINTER (open));
  if (conductor != self->conductor)
    return;

  confab_compare_pane_set_conductor (self->compare_pane, open ? conductor : NULL);
  _confab_chat_view_update_page (self);
}

gboolean
_confab_chat_view_compare_shown (ConfabChatView *self)
{
  return self->conductor != NULL
         && GPOINTER_TO_INT (g_object_get_data (G_OBJECT (self->conductor), PANE_OPEN_KEY));
}

static void
close_pane (ConfabChatView *self)
{
  gboolean had_focus;

  if (self->conductor == NULL || !_confab_chat_view_compare_shown (self))
    return;

  had_focus = gtk_widget_get_focus_child (GTK_WIDGET (self->stack)) != NULL;
  set_pane_open (self, self->conductor, FALSE);
  /* Back to writing, rather than to the window with no focus. */
  if (had_focus)
    confab_composer_focus (self->composer);
}

static void
on_compare_done_cb (ConfabChatView    *self,
                    ConfabComparePane *pane)
{
  close_pane (self);
}

static void
on_compare_kept_cb (ConfabChatView      *self,
                    ConfabConductorTurn *turn,
                    ConfabComparePane   *pane)
{
  close_pane (self);

  /* The kept answer is the last message of the line: show it. */
  _confab_chat_view_scroll_to_end (self);
}

static void
on_compare_failed_cb (ConfabChatView    *self,
                      const GError      *error,
                      ConfabComparePane *pane)
{
  AdwToast *toast = _confab_chat_view_toast_new_plain (error->message);

  adw_toast_set_timeout (toast, 0);
  _confab_chat_view_add_toast (self, toast);
}

static void
on_chat_changed_cb (ConfabChatView *self,
                    GParamSpec     *pspec,
                    gpointer        user_data)
{
  /* self->conductor is the new chat's by now, the page already chosen. */
  confab_compare_pane_set_conductor (self->compare_pane,
                                     _confab_chat_view_compare_shown (self)
                                     ? self->conductor : NULL);
}

static void
on_composer_send_cb (ConfabChatView *self,
                     const char     *text,
                     ConfabComposer *composer)
{
  /* Runs after the view's own handler: a message that did not start a
   * comparison is for the chat, which has to be in sight. */
  if (!self->compare_starting)
    close_pane (self);
  self->compare_starting = FALSE;
}

static void
compare_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ConfabConductor *conductor = CONFAB_CONDUCTOR (source);
  g_autoptr(CompareData) data = user_data;
  g_autoptr(GError) error = NULL;

  /* A model that failed says so in its column; this is for what stopped
   * them all (no provider at all, a busy chat). */
  if (confab_conductor_compare_finish (conductor, result, &error) || data->view == NULL)
    return;

  if (confab_conductor_get_user_message (conductor) == NULL)
    set_pane_open (data->view, conductor, FALSE);
  _confab_chat_view_conductor_failed (data->view, conductor, data->prompt, error);
}

void
_confab_chat_view_compare (ConfabChatView     *self,
                           const char         *prompt,
                           const char * const *models)
{
  ConfabConductor *conductor = _confab_chat_view_get_conductor (self);
  CompareData *data;

  g_return_if_fail (conductor != NULL);

  data = g_new0 (CompareData, 1);
  g_set_weak_pointer (&data->view, self);
  data->prompt = g_strdup (prompt);

  self->compare_starting = TRUE;
  /* The compare models stay checked: the next message compares again
   * until the button's Clear (the composer says so in its placeholder). */
  confab_conductor_compare_async (conductor, prompt, models, NULL, compare_cb, data);
  _confab_chat_view_clear_composer (self);

  /* A failure to start (compare_cb) closes it again. */
  set_pane_open (self, conductor, TRUE);
  if (gtk_widget_get_mapped (GTK_WIDGET (self->compare_pane)))
    gtk_widget_grab_focus (GTK_WIDGET (self->compare_pane));
}

void
_confab_chat_view_class_init_compare (GtkWidgetClass *widget_class)
{
  g_type_ensure (CONFAB_TYPE_COMPARE_PANE);

  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, compare_pane);
  gtk_widget_class_bind_template_callback (widget_class, on_compare_done_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_compare_kept_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_compare_failed_cb);
}

void
_confab_chat_view_compare_init (ConfabChatView *self)
{
  g_signal_connect (self, "notify::chat", G_CALLBACK (on_chat_changed_cb), NULL);
  g_signal_connect_object (self->composer, "send", G_CALLBACK (on_composer_send_cb), self,
                           G_CONNECT_SWAPPED);
}
