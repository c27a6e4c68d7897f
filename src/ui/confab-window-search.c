/* confab-window-search.c: searching every chat (Ctrl+K) and opening a
 * result: its project, its chat, scrolled to the message, highlighted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include "confab-search-dialog.h"
#include "confab-window-private.h"

/* Results in chats or projects waiting behind an Undo toast stay hidden,
 * like the chats themselves. */
static gboolean
hit_filter_func (gpointer item,
                 gpointer user_data)
{
  ConfabWindow *self = user_data;
  ConfabSearchHit *hit = item;

  return !_confab_window_is_pending (self, confab_search_hit_get_chat_id (hit),
                                     confab_search_hit_get_project_id (hit));
}

static void
on_hit_activated_cb (ConfabWindow       *self,
                     ConfabSearchHit    *hit,
                     ConfabSearchDialog *dialog)
{
  _confab_window_open_hit (self, hit);
}

void
_confab_window_open_search (ConfabWindow *self)
{
  g_autoptr (GtkFilter) filter = NULL;
  ConfabSearchDialog *dialog;

  filter = GTK_FILTER (gtk_custom_filter_new (hit_filter_func, self, NULL));
  dialog = confab_search_dialog_new (GTK_WINDOW (self), self->store, filter);
  g_signal_connect_object (dialog, "hit-activated",
                           G_CALLBACK (on_hit_activated_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_confab_window_open_hit (ConfabWindow    *self,
                         ConfabSearchHit *hit)
{
  g_autoptr (ConfabProject) project = NULL;
  g_autoptr (ConfabMessage) message = NULL;
  g_autoptr (ConfabChat) chat = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (CONFAB_IS_SEARCH_HIT (hit));

  /* The hit is a snapshot: the rows may have changed since. */
  project = confab_store_lookup_project (self->store, confab_search_hit_get_project_id (hit),
                                         &error);
  if (project != NULL)
    chat = confab_store_lookup_chat (self->store, confab_search_hit_get_chat_id (hit), &error);
  if (chat != NULL)
    message = confab_store_lookup_message (self->store, confab_search_hit_get_message_id (hit),
                                           &error);
  if (message == NULL)
    {
      _confab_window_report_error (self, error);
      return;
    }

  /* It may have moved to another project since the search. */
  if (confab_chat_get_project_id (chat) != confab_project_get_id (project))
    {
      g_clear_object (&project);
      project = confab_store_lookup_project (self->store, confab_chat_get_project_id (chat),
                                             &error);
      if (project == NULL)
        {
          _confab_window_report_error (self, error);
          return;
        }
    }

  /* An archived chat is opened too, so the list must show it. */
  if (confab_chat_get_archived (chat))
    _confab_window_set_show_archived (self, TRUE);

  _confab_window_select_project (self, project);
  _confab_window_select_chat (self, chat, TRUE);

  if (_confab_window_get_chat (self) == chat)
    confab_chat_view_reveal_message (self->chat_view, message);
}
