/* confab-chat-view-errors.c: a failed reply's toast, with the action that
 * fixes it (Open Preferences, Retry, Switch Model), for the chat that
 * failed, and retrying.
 *
 * The toast overlay is the window's, outside the view, so chat.* actions
 * cannot be the toast button's: the button calls back into the view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-chat-view-private.h"

/* A toast's title is markup: an error's text, a path or a chat's title
 * may hold "&" or "<", which would otherwise break it. */
AdwToast *
_confab_chat_view_toast_new_plain (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

void
_confab_chat_view_add_toast (ConfabChatView *self,
                             AdwToast       *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

/* Answers the main line again. A reply that failed before its first word
 * goes first (it holds only the error, which the toast showed); one with
 * text, a thread or other versions stays, as a version of the new one. */
void
_confab_chat_view_retry (ConfabChatView *self,
                         const char     *model)
{
  g_autoptr(ConfabMessage) last = NULL;
  g_autoptr(GError) error = NULL;
  guint n_items;

  if (self->messages == NULL || self->controller == NULL
      || confab_chat_controller_get_busy (self->controller))
    return;

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  if (n_items > 0)
    last = g_list_model_get_item (G_LIST_MODEL (self->messages), n_items - 1);
  if (last != NULL && (confab_message_get_role (last) != CONFAB_ROLE_ASSISTANT
                       || confab_message_get_status (last) != CONFAB_MESSAGE_STATUS_ERROR))
    g_clear_object (&last);

  if (last != NULL && *confab_message_get_content (last) == '\0'
      && confab_message_get_reply_count (last) == 0
      && confab_message_get_n_alternatives (last) <= 1)
    {
      if (!confab_store_delete_message (self->store, last, &error))
        {
          _confab_chat_view_add_toast (self, _confab_chat_view_toast_new_plain (error->message));
          return;
        }
      g_clear_object (&last);
    }

  _confab_chat_view_send (self, NULL, last, model);
}

/* ---- A toast's fix: what its button does, remembered on the toast. */

#define TOAST_FIX_RETRY        "retry"
#define TOAST_FIX_SWITCH_MODEL "switch-model"

static void
on_toast_button_clicked_cb (AdwToast       *toast,
                            ConfabChatView *self)
{
  const char *fix = g_object_get_data (G_OBJECT (toast), "confab-fix");
  gint64 chat_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (toast), "confab-chat-id"));

  /* Not for another chat opened since. */
  if (fix == NULL || self->chat == NULL || confab_chat_get_id (self->chat) != chat_id)
    return;

  if (g_str_equal (fix, TOAST_FIX_RETRY))
    _confab_chat_view_retry (self, confab_composer_get_model (self->composer));
  else if (g_str_equal (fix, TOAST_FIX_SWITCH_MODEL))
    {
      self->regenerate_id = 0;
      /* Only a stored prompt can be answered by the model picked. */
      self->retry_on_pick = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (toast),
                                                                "confab-prompt-stored"));
      confab_composer_pick_model (self->composer);
    }
}

static void
set_toast_fix (ConfabChatView       *self,
               AdwToast             *toast,
               const char           *label,
               const char           *fix,
               gboolean              prompt_stored,
               ConfabChatController *controller)
{
  ConfabChat *chat = confab_chat_controller_get_chat (controller);

  if (chat == NULL)
    return;

  adw_toast_set_button_label (toast, label);
  g_object_set_data (G_OBJECT (toast), "confab-fix", (gpointer) fix);
  g_object_set_data (G_OBJECT (toast), "confab-chat-id",
                     GSIZE_TO_POINTER ((gsize) confab_chat_get_id (chat)));
  g_object_set_data (G_OBJECT (toast), "confab-prompt-stored", GINT_TO_POINTER (prompt_stored));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_toast_button_clicked_cb),
                           self, 0);
}

void
_confab_chat_view_on_failed (ConfabChatView       *self,
                             const GError         *error,
                             gboolean              prompt_stored,
                             const char           *prompt,
                             ConfabChatController *controller)
{
  AdwToast *toast;

  /* The prompt is never lost: back into the composer unless the user
   * started another one meanwhile. */
  if (!prompt_stored && prompt != NULL && controller == self->controller)
    {
      g_autofree char *current = confab_composer_dup_text (self->composer);

      if (current[0] == '\0')
        confab_composer_set_text (self->composer, prompt);
    }

  toast = _confab_chat_view_toast_new_plain (error->message);
  adw_toast_set_timeout (toast, 0);
  if (error->domain == CONFAB_PROVIDER_ERROR)
    {
      switch (error->code)
        {
        case CONFAB_PROVIDER_ERROR_NO_KEY:
        case CONFAB_PROVIDER_ERROR_AUTH:
          adw_toast_set_button_label (toast, _("Open _Preferences"));
          adw_toast_set_action_name (toast, "app.preferences");
          break;

        case CONFAB_PROVIDER_ERROR_RATE_LIMITED:
        case CONFAB_PROVIDER_ERROR_OVERLOADED:
        case CONFAB_PROVIDER_ERROR_NETWORK:
        case CONFAB_PROVIDER_ERROR_STREAM:
          /* Retrying answers the stored prompt: only when it is stored. */
          if (prompt_stored)
            set_toast_fix (self, toast, _("_Retry"), TOAST_FIX_RETRY, prompt_stored, controller);
          break;

        case CONFAB_PROVIDER_ERROR_MODEL_NOT_FOUND:
          set_toast_fix (self, toast, _("_Switch Model"), TOAST_FIX_SWITCH_MODEL, prompt_stored,
                         controller);
          break;

        default:
          adw_toast_set_timeout (toast, 5);
          break;
        }
    }
  _confab_chat_view_add_toast (self, toast);
}
