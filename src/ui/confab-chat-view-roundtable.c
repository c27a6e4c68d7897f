/* confab-chat-view-roundtable.c: setting up and running a round-table.
 *
 * "Start a Round-Table…" (chat.roundtable) opens ConfabRoundtableDialog on
 * the open chat's conductor; its turns are stored messages of the chat,
 * so they stream into the message list like any reply. While it runs, the
 * bar above the composer shows the round and the speaker with Pause and
 * Stop, and Send is the user's word between turns (routed by
 * _confab_chat_view_conduct()). The bar follows the open chat's
 * conductor: a round-table left in another chat goes on, and its end is
 * still told in a toast.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-chat-view-private.h"
#include "confab-roundtable-bar.h"
#include "confab-roundtable-dialog.h"

typedef struct
{
  ConfabChatView *view;    /* weak */
  char           *topic;
  char           *title;
} RoundtableData;

static void
roundtable_data_free (RoundtableData *data)
{
  g_clear_weak_pointer (&data->view);
  g_free (data->topic);
  g_free (data->title);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RoundtableData, roundtable_data_free)

static void
roundtable_update (ConfabChatView *self)
{
  confab_roundtable_bar_set_conductor (self->roundtable_bar, self->conductor);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.roundtable", self->chat != NULL);
}

static const char *
describe_end (ConfabRoundtableEnd reason)
{
  switch (reason)
    {
    case CONFAB_ROUNDTABLE_END_ROUNDS:
      return _("The round-table is over: every round was held");
    case CONFAB_ROUNDTABLE_END_STOPPED:
      return _("The round-table was stopped");
    case CONFAB_ROUNDTABLE_END_BUDGET:
      return _("The round-table ended: its token budget is used up");
    case CONFAB_ROUNDTABLE_END_FAILED:
      return _("The round-table ended: every participant failed to answer");
    case CONFAB_ROUNDTABLE_END_NONE:
    default:
      return _("The round-table ended");
    }
}

static void
roundtable_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ConfabConductor *conductor = CONFAB_CONDUCTOR (source);
  g_autoptr(RoundtableData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  ConfabChatView *self = data->view;
  AdwToast *toast;

  if (!confab_conductor_roundtable_finish (conductor, result, &error))
    {
      if (self != NULL)
        _confab_chat_view_conductor_failed (self, conductor, data->topic, error);
      return;
    }
  if (self == NULL)
    return;

  /* Left running in another chat: say which. */
  if (conductor != self->conductor && data->title != NULL)
    /* Translators: "“Chat title”: The round-table was stopped" */
    text = g_strdup_printf (_("“%s”: %s"), data->title,
                            describe_end (confab_conductor_get_end_reason (conductor)));
  else
    text = g_strdup (describe_end (confab_conductor_get_end_reason (conductor)));

  /* The news replaces an older round-table's, which would queue before it. */
  toast = g_object_get_data (G_OBJECT (self), "confab-roundtable-toast");
  if (toast != NULL)
    adw_toast_dismiss (toast);

  toast = _confab_chat_view_toast_new_plain (text);
  if (confab_conductor_get_end_reason (conductor) == CONFAB_ROUNDTABLE_END_FAILED)
    adw_toast_set_timeout (toast, 0);
  g_object_set_data_full (G_OBJECT (self), "confab-roundtable-toast", g_object_ref (toast),
                          g_object_unref);
  _confab_chat_view_add_toast (self, toast);
}

static void
on_dialog_start_cb (ConfabChatView         *self,
                    const char             *topic,
                    ConfabRoundtableDialog *dialog)
{
  ConfabConductor *conductor = _confab_chat_view_get_conductor (self);
  RoundtableData *data;
  g_autofree char *typed = NULL;

  if (conductor == NULL)
    return;

  data = g_new0 (RoundtableData, 1);
  g_set_weak_pointer (&data->view, self);
  data->topic = g_strdup (topic);
  data->title = g_strdup (confab_chat_get_title (self->chat));

  /* The composer's text became the topic: it is said now. */
  typed = confab_composer_dup_text (self->composer);
  if (topic != NULL && g_str_equal (g_strstrip (typed), topic))
    {
      g_autoptr(GError) error = NULL;

      confab_composer_set_text (self->composer, NULL);
      if (confab_chat_get_draft (self->chat) != NULL
          && !confab_store_set_chat_draft (self->store, self->chat, NULL, &error))
        g_warning ("Cannot clear the draft: %s", error->message);
    }

  confab_conductor_roundtable_async (conductor, topic, NULL, roundtable_cb, data);
  roundtable_update (self);
  confab_composer_focus (self->composer);
}

static void
roundtable_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ConfabChatView *self = CONFAB_CHAT_VIEW (widget);
  ConfabConductor *conductor = _confab_chat_view_get_conductor (self);
  g_autofree char *topic = NULL;
  ConfabRoundtableDialog *dialog;
  GtkRoot *root;

  if (conductor == NULL)
    return;

  topic = g_strstrip (confab_composer_dup_text (self->composer));
  root = gtk_widget_get_root (widget);
  dialog = confab_roundtable_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         conductor,
                                         *topic != '\0' ? topic : NULL,
                                         confab_composer_get_model (self->composer),
                                         self->messages != NULL
                                         && g_list_model_get_n_items (G_LIST_MODEL (self->messages)) > 0);
  g_signal_connect_object (dialog, "start", G_CALLBACK (on_dialog_start_cb), self,
                           G_CONNECT_SWAPPED);
  roundtable_update (self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_chat_changed_cb (ConfabChatView *self,
                    GParamSpec     *pspec,
                    gpointer        user_data)
{
  roundtable_update (self);
}

static void
on_bar_visible_cb (ConfabChatView      *self,
                   GParamSpec          *pspec,
                   ConfabRoundtableBar *bar)
{
  /* Send is an interjection while the bar shows. */
  confab_composer_set_placeholder (self->composer,
                                   gtk_widget_get_visible (GTK_WIDGET (bar))
                                   ? _("Say something to the table…") : NULL);
}

void
_confab_chat_view_class_init_roundtable (GtkWidgetClass *widget_class)
{
  g_type_ensure (CONFAB_TYPE_ROUNDTABLE_BAR);
  gtk_widget_class_bind_template_child (widget_class, ConfabChatView, roundtable_bar);

  gtk_widget_class_install_action (widget_class, "chat.roundtable", NULL, roundtable_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "chat.roundtable", NULL);
}

void
_confab_chat_view_roundtable_init (ConfabChatView *self)
{
  g_signal_connect (self, "notify::chat", G_CALLBACK (on_chat_changed_cb), NULL);
  g_signal_connect_object (self->roundtable_bar, "notify::visible",
                           G_CALLBACK (on_bar_visible_cb), self, G_CONNECT_SWAPPED);
  roundtable_update (self);
}
