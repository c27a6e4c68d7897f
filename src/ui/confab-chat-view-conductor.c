/* confab-chat-view-conductor.c: several models in one chat view.
 *
 * Each chat gets its own ConfabConductor (like its chat controller), so a
 * comparison or a round-table goes on while another chat is open. The
 * composer's Send comes here first: while a round-table runs it is the
 * user's word between turns; with compare models set it starts a
 * comparison (confab-chat-view-compare.c shows it); with @mentions the
 * mentioned models answer in turn, each reply a row of the chat as it
 * streams. Anything else is an ordinary message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-chat-view-private.h"

typedef struct
{
  ConfabChatView *view;    /* weak */
  char           *prompt;
} SendData;

static void
send_data_free (SendData *data)
{
  g_clear_weak_pointer (&data->view);
  g_free (data->prompt);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SendData, send_data_free)

static SendData *
send_data_new (ConfabChatView *view,
               const char     *prompt)
{
  SendData *data = g_new0 (SendData, 1);

  g_set_weak_pointer (&data->view, view);
  data->prompt = g_strdup (prompt);
  return data;
}

static ConfabModelCatalogue *
get_catalogue (void)
{
  GApplication *app = g_application_get_default ();

  return CONFAB_IS_APPLICATION (app)
         ? confab_application_get_catalogue (CONFAB_APPLICATION (app)) : NULL;
}

gboolean
_confab_chat_view_get_busy (ConfabChatView *self)
{
  if (self->controller != NULL && confab_chat_controller_get_busy (self->controller))
    return TRUE;

  /* A round-table keeps the composer free: Send interjects. */
  return self->conductor != NULL
         && confab_conductor_get_busy (self->conductor)
         && confab_conductor_get_mode (self->conductor) != CONFAB_CONDUCTOR_MODE_ROUNDTABLE;
}

void
_confab_chat_view_update_busy (ConfabChatView *self)
{
  gboolean busy = _confab_chat_view_get_busy (self);

  if (self->composer != NULL)
    confab_composer_set_busy (self->composer, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.stop", busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.retry", !busy);
}

static void
on_conductor_busy_cb (ConfabChatView  *self,
                      GParamSpec      *pspec,
                      ConfabConductor *conductor)
{
  /* Another chat's, going on in the background. */
  if (conductor == self->conductor)
    _confab_chat_view_update_busy (self);
}

ConfabConductor *
_confab_chat_view_get_conductor (ConfabChatView *self)
{
  ConfabConductor *conductor;
  gint64 id;

  if (self->chat == NULL || self->store == NULL)
    return NULL;

  id = confab_chat_get_id (self->chat);
  conductor = g_hash_table_lookup (self->conductors, &id);
  if (conductor == NULL)
    {
      conductor = confab_conductor_new (self->store, self->chat, get_catalogue ());
      g_signal_connect_object (conductor, "notify::busy",
                               G_CALLBACK (on_conductor_busy_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (conductor, "notify::mode",
                               G_CALLBACK (on_conductor_busy_cb), self, G_CONNECT_SWAPPED);
      g_hash_table_insert (self->conductors, g_memdup2 (&id, sizeof id), conductor);
    }

  /* It is the open chat's. */
  self->conductor = conductor;
  return conductor;
}

void
_confab_chat_view_conductor_enter_chat (ConfabChatView *self)
{
  gint64 id;

  self->conductor = NULL;
  if (self->chat != NULL)
    {
      id = confab_chat_get_id (self->chat);
      self->conductor = g_hash_table_lookup (self->conductors, &id);
      /* A chat opened from another store (tests swap stores). */
      if (self->conductor != NULL && confab_conductor_get_store (self->conductor) != self->store)
        {
          confab_conductor_cancel (self->conductor);
          g_hash_table_remove (self->conductors, &id);
          self->conductor = NULL;
        }
    }
  _confab_chat_view_update_busy (self);
}

void
_confab_chat_view_conductor_failed (ConfabChatView  *self,
                                    ConfabConductor *conductor,
                                    const char      *prompt,
                                    const GError    *error)
{
  g_autofree char *text = NULL;
  AdwToast *toast;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Nothing was stored: the prompt goes back where it was typed, unless
   * the user has started on something else there. */
  if (prompt != NULL && confab_conductor_get_user_message (conductor) == NULL
      && conductor == self->conductor && self->composer != NULL)
    {
      text = confab_composer_dup_text (self->composer);
      if (*text == '\0')
        confab_composer_set_text (self->composer, prompt);
    }

  toast = _confab_chat_view_toast_new_plain (error->message);
  adw_toast_set_timeout (toast, 0);
  _confab_chat_view_add_toast (self, toast);
}

static void
mention_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ConfabConductor *conductor = CONFAB_CONDUCTOR (source);
  g_autoptr(SendData) data = user_data;
  g_autoptr(GError) error = NULL;

  /* A reply that failed shows on its row; this is for what stopped it all. */
  if (!confab_conductor_mention_finish (conductor, result, &error) && data->view != NULL)
    _confab_chat_view_conductor_failed (data->view, conductor, data->prompt, error);
}

void
_confab_chat_view_clear_composer (ConfabChatView *self)
{
  g_autoptr(GError) error = NULL;

  confab_composer_set_editing (self->composer, NULL);
  confab_composer_set_text (self->composer, NULL);
  if (confab_chat_get_draft (self->chat) != NULL
      && !confab_store_set_chat_draft (self->store, self->chat, NULL, &error))
    g_warning ("Cannot clear the draft: %s", error->message);
}

gboolean
_confab_chat_view_conduct (ConfabChatView *self,
                           const char     *text)
{
  ConfabConductor *conductor = _confab_chat_view_get_conductor (self);
  const char * const *compare_models;
  g_autoptr(GPtrArray) aliases = NULL;
  g_auto(GStrv) mentioned = NULL;
  g_autoptr(GError) error = NULL;

  if (conductor == NULL)
    return FALSE;

  /* Editing a message is for one model: the edit is a branch. */
  if (confab_composer_get_editing (self->composer) != NULL)
    return FALSE;

  if (confab_conductor_get_mode (conductor) == CONFAB_CONDUCTOR_MODE_ROUNDTABLE
      && confab_conductor_get_busy (conductor))
    {
      g_autoptr(ConfabMessage) message = confab_conductor_interject (conductor, text, &error);

      if (message == NULL)
        _confab_chat_view_conductor_failed (self, conductor, NULL, error);
      else
        _confab_chat_view_clear_composer (self);
      return TRUE;
    }

  compare_models = confab_composer_get_compare_models (self->composer);
  if (compare_models != NULL && g_strv_length ((char **) compare_models) >= 2)
    {
      _confab_chat_view_compare (self, text, compare_models);
      return TRUE;
    }

  aliases = confab_store_list_aliases (self->store, &error);
  if (aliases == NULL)
    {
      g_warning ("Cannot read the mention aliases: %s", error->message);
      return FALSE;
    }
  mentioned = confab_mentions_parse (text, aliases);
  if (mentioned[0] == NULL)
    return FALSE;

  confab_conductor_mention_async (conductor, text, (const char * const *) mentioned, NULL,
                                  mention_cb, send_data_new (self, text));
  _confab_chat_view_clear_composer (self);
  return TRUE;
}

void
_confab_chat_view_conductor_init (ConfabChatView *self)
{
  self->conductors = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                            g_free, g_object_unref);
}

void
_confab_chat_view_conductor_dispose (ConfabChatView *self)
{
  self->conductor = NULL;
  if (self->conductors != NULL)
    {
      GHashTableIter iter;
      gpointer conductor;

      g_hash_table_iter_init (&iter, self->conductors);
      while (g_hash_table_iter_next (&iter, NULL, &conductor))
        {
          g_signal_handlers_disconnect_by_data (conductor, self);
          confab_conductor_cancel (conductor);
        }
    }
  g_clear_pointer (&self->conductors, g_hash_table_unref);
}
