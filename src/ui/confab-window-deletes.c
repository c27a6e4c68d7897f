/* confab-window-deletes.c: deleting with Undo.
 *
 * A deleted chat or project is first only hidden (the sidebar lists go
 * through filters that leave out pending ids) while a toast offers Undo.
 * It is deleted from the store when the toast goes away (timeout or
 * dismissal) and, at the latest, when the window closes, which is also how
 * the application quits: a pending delete is never lost, and an undone one
 * never reaches the store. Deleting more while the toast shows joins the
 * same batch, shown by one new toast, so one Undo brings back what the
 * user sees as "just deleted".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-window-private.h"

gboolean
_confab_window_is_pending (ConfabWindow *self,
                           gint64        chat_id,
                           gint64        project_id)
{
  for (guint i = 0; i < self->pending_deletes->len; i++)
    {
      GObject *item = g_ptr_array_index (self->pending_deletes, i);

      if (CONFAB_IS_CHAT (item) && chat_id != 0 &&
          confab_chat_get_id (CONFAB_CHAT (item)) == chat_id)
        return TRUE;

      if (CONFAB_IS_PROJECT (item) && project_id != 0 &&
          confab_project_get_id (CONFAB_PROJECT (item)) == project_id)
        return TRUE;
    }

  return FALSE;
}

static gboolean
project_filter_func (gpointer item,
                     gpointer user_data)
{
  ConfabWindow *self = user_data;

  return !_confab_window_is_pending (self, 0, confab_project_get_id (item));
}

static gboolean
chat_filter_func (gpointer item,
                  gpointer user_data)
{
  ConfabWindow *self = user_data;
  ConfabChat *chat = item;

  if (confab_chat_get_archived (chat) && !self->show_archived)
    return FALSE;

  return !_confab_window_is_pending (self, confab_chat_get_id (chat),
                                     confab_chat_get_project_id (chat));
}

static void
confab_window_refilter (ConfabWindow     *self,
                        GtkFilterChange   change)
{
  gtk_filter_changed (GTK_FILTER (self->project_filter), change);
  gtk_filter_changed (GTK_FILTER (self->chat_filter), change);
}

static char *
confab_window_dup_batch_title (ConfabWindow *self)
{
  GPtrArray *items = self->pending_deletes;
  g_autofree char *escaped = NULL;
  guint n_chats = 0;

  if (items->len == 1)
    {
      GObject *item = g_ptr_array_index (items, 0);

      /* Toast titles are markup. */
      if (CONFAB_IS_CHAT (item))
        {
          escaped = g_markup_escape_text (confab_chat_get_title (CONFAB_CHAT (item)), -1);
          return g_strdup_printf (_("Chat “%s” deleted"), escaped);
        }

      escaped = g_markup_escape_text (confab_project_get_name (CONFAB_PROJECT (item)), -1);
      return g_strdup_printf (_("Project “%s” deleted"), escaped);
    }

  for (guint i = 0; i < items->len; i++)
    if (CONFAB_IS_CHAT (g_ptr_array_index (items, i)))
      n_chats++;

  if (n_chats == items->len)
    return g_strdup_printf (ngettext ("%u chat deleted", "%u chats deleted", n_chats), n_chats);
  if (n_chats == 0)
    return g_strdup_printf (ngettext ("%u project deleted", "%u projects deleted", items->len),
                            items->len);
  return g_strdup_printf (ngettext ("%u item deleted", "%u items deleted", items->len),
                          items->len);
}

/* How long the Undo toast shows: libadwaita's 5 s, unless
 * CONFAB_UNDO_TIMEOUT (seconds, for the UI tests) says otherwise. Deleting
 * more joins the batch only while the toast shows, and on a loaded test
 * machine two right-clicks through AT-SPI can take longer than 5 s. */
static guint
confab_window_undo_timeout (void)
{
  const char *env = g_getenv ("CONFAB_UNDO_TIMEOUT");
  guint64 seconds = 0;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 1, 600, &seconds, NULL))
    return (guint) seconds;
  return 5;
}

static void
confab_window_forget_undo_toast (ConfabWindow *self)
{
  if (self->undo_toast == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->undo_toast, self);
  g_clear_object (&self->undo_toast);
}

static void
on_undo_clicked_cb (ConfabWindow *self,
                    AdwToast     *toast)
{
  g_autoptr(GPtrArray) items = NULL;

  if (toast != self->undo_toast)
    return;

  confab_window_forget_undo_toast (self);
  items = g_steal_pointer (&self->pending_deletes);
  self->pending_deletes = g_ptr_array_new_with_free_func (g_object_unref);
  confab_window_refilter (self, GTK_FILTER_CHANGE_LESS_STRICT);

  /* Back where it was: a lone item comes back selected. */
  if (items->len == 1)
    {
      GObject *item = g_ptr_array_index (items, 0);

      if (CONFAB_IS_PROJECT (item))
        _confab_window_select_project (self, CONFAB_PROJECT (item));
      else if (_confab_window_get_chat (self) == NULL)
        _confab_window_select_chat (self, CONFAB_CHAT (item), FALSE);
    }
}

static void
on_undo_dismissed_cb (ConfabWindow *self,
                      AdwToast     *toast)
{
  if (toast == self->undo_toast)
    _confab_window_commit_deletes (self);
}

void
_confab_window_delete_later (ConfabWindow *self,
                             GObject      *item)
{
  g_autofree char *title = NULL;
  AdwToast *toast;

  g_return_if_fail (CONFAB_IS_CHAT (item) || CONFAB_IS_PROJECT (item));

  g_ptr_array_add (self->pending_deletes, g_object_ref (item));
  confab_window_refilter (self, GTK_FILTER_CHANGE_MORE_STRICT);

  /* One toast for the whole batch: the old one goes without committing. */
  if (self->undo_toast != NULL)
    {
      g_autoptr(AdwToast) old = g_object_ref (self->undo_toast);

      confab_window_forget_undo_toast (self);
      adw_toast_dismiss (old);
    }

  title = confab_window_dup_batch_title (self);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, confab_window_undo_timeout ());
  g_signal_connect_object (toast, "button-clicked",
                           G_CALLBACK (on_undo_clicked_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (toast, "dismissed",
                           G_CALLBACK (on_undo_dismissed_cb), self, G_CONNECT_SWAPPED);
  self->undo_toast = g_object_ref (toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_confab_window_commit_deletes (ConfabWindow *self)
{
  g_autoptr(GPtrArray) items = NULL;

  confab_window_forget_undo_toast (self);

  if (self->pending_deletes->len == 0)
    return;

  /* The items stay pending (hidden) until each is gone from the store. */
  items = g_ptr_array_ref (self->pending_deletes);
  for (guint i = 0; i < items->len; i++)
    {
      GObject *item = g_ptr_array_index (items, i);
      g_autoptr(GError) error = NULL;
      gboolean deleted;

      if (CONFAB_IS_CHAT (item))
        deleted = confab_store_delete_chat (self->store, CONFAB_CHAT (item), &error);
      else
        deleted = confab_store_delete_project (self->store, CONFAB_PROJECT (item), &error);

      /* Already gone (a chat of a project deleted just before) is fine. */
      if (!deleted && !g_error_matches (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND))
        _confab_window_report_error (self, error);
    }

  g_ptr_array_set_size (self->pending_deletes, 0);
  /* Anything that failed to go shows again. */
  confab_window_refilter (self, GTK_FILTER_CHANGE_LESS_STRICT);
}

/* ---- Undo for other actions (archive): a toast whose Undo button runs a
 * function on the item. */

typedef struct
{
  ConfabWindow *self;
  GObject      *item;
  void        (*undo) (ConfabWindow *self,
                       GObject      *item);
} UndoData;

static void
undo_data_free (gpointer data)
{
  UndoData *undo = data;

  g_clear_object (&undo->item);
  g_free (undo);
}

static void
on_toast_undo_clicked_cb (AdwToast *toast,
                          UndoData *undo)
{
  undo->undo (undo->self, undo->item);
}

void
_confab_window_toast_undo (ConfabWindow *self,
                           const char   *title,
                           GObject      *item,
                           void        (*undo) (ConfabWindow *self,
                                                 GObject      *item))
{
  AdwToast *toast = adw_toast_new (title);
  UndoData *data = g_new0 (UndoData, 1);

  data->self = self;
  data->item = g_object_ref (item);
  data->undo = undo;

  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, confab_window_undo_timeout ());
  g_object_set_data_full (G_OBJECT (toast), "confab-undo", data, undo_data_free);
  /* The toast never outlives the window's overlay, so self stays valid. */
  g_signal_connect (toast, "button-clicked", G_CALLBACK (on_toast_undo_clicked_cb), data);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_confab_window_deletes_init (ConfabWindow *self)
{
  self->pending_deletes = g_ptr_array_new_with_free_func (g_object_unref);

  self->project_filter = gtk_custom_filter_new (project_filter_func, self, NULL);
  gtk_filter_list_model_set_filter (self->project_filter_model,
                                    GTK_FILTER (self->project_filter));

  self->chat_filter = gtk_custom_filter_new (chat_filter_func, self, NULL);
  gtk_filter_list_model_set_filter (self->chat_filter_model, GTK_FILTER (self->chat_filter));
}
