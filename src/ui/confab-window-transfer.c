/* confab-window-transfer.c: importing chats (a ChatGPT conversations.json
 * or a Confab export) from the main menu or a dropped file, and exporting
 * the selected chat as Markdown or JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "confab-export.h"
#include "confab-import.h"
#include "confab-window-private.h"

/* ---- Errors */

static void
confab_window_show_failure (ConfabWindow *self,
                            const char   *heading,
                            const GError *error)
{
  AdwMessageDialog *dialog;

  if (self->closing)
    return;

  /* A dialog, not a toast: the message can be long (a path, a place in the
   * file) and is worth reading in full. The body is plain text. */
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       error->message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
confab_window_toast (ConfabWindow *self,
                     const char   *title)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- Choosing a file
 *
 * GtkFileDialog replaces GtkFileChooserNative from GTK 4.10 on; each action
 * goes through this one helper whichever GTK it runs on. */

typedef void (*FileChosenFunc) (ConfabWindow *self,
                                GFile        *file,
                                GObject      *target,
                                int           detail);

/* The kind of file a dialog is for, with "All Files" offered beside it. */
typedef struct
{
  const char *name;
  const char *mime_type;
  const char *suffix;
} FileKind;

static const FileKind json_kind = { N_("JSON Files"), "application/json", "json" };
static const FileKind markdown_kind = { N_("Markdown Files"), "text/markdown", "md" };

typedef struct
{
  ConfabWindow   *self;
  FileChosenFunc  func;
  GObject        *target;
  int             detail;
} FileRequest;

static void
file_request_free (FileRequest *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->target);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FileRequest, file_request_free)

static void
file_request_finish (FileRequest *request,
                     GFile       *file)
{
  /* The window may have closed while the dialog was up. */
  if (file != NULL && !request->self->closing)
    request->func (request->self, file, request->target, request->detail);
}

static GListStore *
create_filters (const FileKind *kind)
{
  GListStore *filters = g_list_store_new (GTK_TYPE_FILE_FILTER);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr (GtkFileFilter) all = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _(kind->name));
  gtk_file_filter_add_mime_type (filter, kind->mime_type);
  gtk_file_filter_add_suffix (filter, kind->suffix);
  g_list_store_append (filters, filter);

  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  g_list_store_append (filters, all);

  return filters;
}

/* Exports from ChatGPT land in Downloads; ours go to Documents. The home
 * folder when there is no such folder, rather than wherever the app was
 * started from. */
static GFile *
get_initial_folder (gboolean save)
{
  const char *path = g_get_user_special_dir (save ? G_USER_DIRECTORY_DOCUMENTS
                                                  : G_USER_DIRECTORY_DOWNLOAD);

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_DIR))
    path = g_get_home_dir ();

  return g_file_new_for_path (path);
}

#if GTK_CHECK_VERSION (4, 10, 0)
/* The build pins GDK_VERSION_MAX_ALLOWED to 4.8, which flags 4.10 API. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
on_file_dialog_done_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr (FileRequest) request = user_data;
  GtkFileDialog *dialog = GTK_FILE_DIALOG (object);
  g_autoptr (GFile) file = NULL;
  g_autoptr (GError) error = NULL;

  if (g_object_get_data (object, "confab-save") != NULL)
    file = gtk_file_dialog_save_finish (dialog, result, &error);
  else
    file = gtk_file_dialog_open_finish (dialog, result, &error);

  /* Cancelled by the user is not a failure; no dialog at all (a broken
   * portal) is. */
  if (file == NULL && !g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED) &&
      !g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_CANCELLED))
    confab_window_show_failure (request->self, gtk_file_dialog_get_title (dialog), error);

  file_request_finish (request, file);
}

static void
confab_window_choose_file (ConfabWindow   *self,
                           gboolean        save,
                           const FileKind *kind,
                           const char     *title,
                           const char     *accept_label,
                           const char     *initial_name,
                           FileChosenFunc  func,
                           GObject        *target,
                           int             detail)
{
  g_autoptr (GtkFileDialog) dialog = gtk_file_dialog_new ();
  g_autoptr (GListStore) filters = create_filters (kind);
  g_autoptr (GtkFileFilter) filter = g_list_model_get_item (G_LIST_MODEL (filters), 0);
  g_autoptr (GFile) folder = get_initial_folder (save);
  FileRequest *request = g_new0 (FileRequest, 1);

  request->self = g_object_ref (self);
  request->func = func;
  request->target = target ? g_object_ref (target) : NULL;
  request->detail = detail;

  gtk_file_dialog_set_title (dialog, title);
  gtk_file_dialog_set_accept_label (dialog, accept_label);
  gtk_file_dialog_set_modal (dialog, TRUE);
  gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));
  gtk_file_dialog_set_default_filter (dialog, filter);
  gtk_file_dialog_set_initial_folder (dialog, folder);

  if (save)
    {
      g_object_set_data (G_OBJECT (dialog), "confab-save", GINT_TO_POINTER (TRUE));
      gtk_file_dialog_set_initial_name (dialog, initial_name);
      gtk_file_dialog_save (dialog, GTK_WINDOW (self), NULL, on_file_dialog_done_cb, request);
    }
  else
    gtk_file_dialog_open (dialog, GTK_WINDOW (self), NULL, on_file_dialog_done_cb, request);
}

G_GNUC_END_IGNORE_DEPRECATIONS
#else

static void
on_file_chooser_response_cb (GtkNativeDialog *native,
                             int              response,
                             gpointer         user_data)
{
  g_autoptr (FileRequest) request = user_data;
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

  /* Hidden, not destroyed, by the response: this was the last reference. */
  g_object_unref (native);

  file_request_finish (request, file);
}

static void
confab_window_choose_file (ConfabWindow   *self,
                           gboolean        save,
                           const FileKind *kind,
                           const char     *title,
                           const char     *accept_label,
                           const char     *initial_name,
                           FileChosenFunc  func,
                           GObject        *target,
                           int             detail)
{
  g_autoptr (GListStore) filters = create_filters (kind);
  g_autoptr (GFile) folder = get_initial_folder (save);
  GtkFileChooserNative *native;
  FileRequest *request = g_new0 (FileRequest, 1);
  guint n_filters = g_list_model_get_n_items (G_LIST_MODEL (filters));

  request->self = g_object_ref (self);
  request->func = func;
  request->target = target ? g_object_ref (target) : NULL;
  request->detail = detail;

  native = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                        save ? GTK_FILE_CHOOSER_ACTION_SAVE
                                             : GTK_FILE_CHOOSER_ACTION_OPEN,
                                        accept_label, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  for (guint i = 0; i < n_filters; i++)
    {
      g_autoptr (GtkFileFilter) filter = g_list_model_get_item (G_LIST_MODEL (filters), i);

      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
    }

  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), folder, NULL);
  if (save)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), initial_name);

  g_signal_connect (native, "response", G_CALLBACK (on_file_chooser_response_cb), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

#endif

/* ---- Import */

static void
confab_window_set_importing (ConfabWindow *self,
                             gboolean      importing)
{
  if (importing)
    self->n_imports++;
  else
    self->n_imports--;

  /* One at a time from the menu; a second file can wait for the first. */
  if (!self->closing)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import", self->n_imports == 0);
}

static void
on_import_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (ConfabWindow) self = user_data;
  g_autoptr (GPtrArray) chats = NULL;
  g_autoptr (ConfabProject) project = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *title = NULL;
  ConfabChat *first;

  chats = confab_import_file_finish (CONFAB_STORE (object), result, &error);
  confab_window_set_importing (self, FALSE);

  if (chats == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        confab_window_show_failure (self, _("Import Failed"), error);
      return;
    }

  if (self->closing || chats->len == 0)
    return;

  /* Show what came in: its project (a new "Imported" one when there was
   * none to import into), the first chat open. */
  first = g_ptr_array_index (chats, 0);
  project = confab_store_lookup_project (self->store, confab_chat_get_project_id (first),
                                         NULL);
  if (project != NULL)
    _confab_window_select_project (self, project);
  _confab_window_select_chat (self, first, TRUE);

  title = g_strdup_printf (ngettext ("Imported %u chat", "Imported %u chats", chats->len),
                           chats->len);
  confab_window_toast (self, title);
}

static void
confab_window_import_file (ConfabWindow *self,
                           GFile        *file)
{
  const char *path = g_file_peek_path (file);

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autoptr (GError) error = NULL;

      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("“%s” is not a local file"), uri);
      confab_window_show_failure (self, _("Import Failed"), error);
      return;
    }

  /* The selected project, or "Imported" when there is none. */
  confab_window_set_importing (self, TRUE);
  confab_import_file_async (self->store, path, _confab_window_get_project (self), NULL,
                            on_import_done_cb, g_object_ref (self));
}

static void
on_import_chosen (ConfabWindow *self,
                  GFile        *file,
                  GObject      *target,
                  int           detail)
{
  confab_window_import_file (self, file);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  if (self->n_imports > 0)
    return;

  confab_window_choose_file (self, FALSE, &json_kind, _("Import Chats"), _("_Import"), NULL,
                             on_import_chosen, NULL, 0);
}

static gboolean
on_drop_cb (GtkDropTarget *target,
            const GValue  *value,
            double         x,
            double         y,
            ConfabWindow  *self)
{
  GSList *files = g_value_get_boxed (value);
  GFile *file;
  g_autofree char *name = NULL;

  if (files == NULL || self->n_imports > 0)
    return FALSE;

  /* Only exports: any other file dropped on the window is not for us. */
  file = files->data;
  name = g_file_get_basename (file);
  if (name == NULL || !g_str_has_suffix (name, ".json"))
    return FALSE;

  confab_window_import_file (self, file);
  return TRUE;
}

/* ---- Export */

typedef struct
{
  ConfabWindow *self;
  char         *title;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->self);
  g_free (data->title);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportData, export_data_free)

static void
on_export_written_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr (ExportData) data = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *title = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      confab_window_show_failure (data->self, _("Export Failed"), error);
      return;
    }

  if (data->self->closing)
    return;

  /* Toast titles are Pango markup. */
  escaped = g_markup_escape_text (data->title, -1);
  title = g_strdup_printf (_("Exported “%s”"), escaped);
  confab_window_toast (data->self, title);
}

static void
on_export_chosen (ConfabWindow *self,
                  GFile        *file,
                  GObject      *target,
                  int           format)
{
  ConfabChat *chat = CONFAB_CHAT (target);
  g_autoptr (GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  ExportData *data;

  /* The store is not thread-safe: the chat is written out here, in memory,
   * and only the file is written in the background. g_file_replace keeps
   * the old file until the new one is complete. */
  if (!confab_export_chat (self->store, chat, format, stream, NULL, &error) ||
      !g_output_stream_close (stream, NULL, &error))
    {
      confab_window_show_failure (self, _("Export Failed"), error);
      return;
    }

  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (stream));

  data = g_new0 (ExportData, 1);
  data->self = g_object_ref (self);
  data->title = g_strdup (confab_chat_get_title (chat));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_NONE, NULL,
                                       on_export_written_cb, data);
}

/* The chat's title as a file name: no directory separators, and something
 * for an untitled chat. */
static char *
suggest_file_name (ConfabChat         *chat,
                   ConfabExportFormat  format)
{
  g_autofree char *base = g_strstrip (g_strdup (confab_chat_get_title (chat)));

  g_strdelimit (base, "/\\:\n\r\t", '-');
  if (base[0] == '\0' || base[0] == '.')
    {
      g_free (base);
      base = g_strdup (_("Chat"));
    }

  return g_strdup_printf ("%s.%s", base, confab_export_format_get_extension (format));
}

static void
export_chat_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabChat *chat = _confab_window_get_chat (self);
  ConfabExportFormat format;
  g_autofree char *name = NULL;

  if (chat == NULL ||
      !confab_export_format_from_string (g_variant_get_string (parameter, NULL), &format))
    return;

  name = suggest_file_name (chat, format);
  confab_window_choose_file (self, TRUE,
                             format == CONFAB_EXPORT_FORMAT_JSON ? &json_kind : &markdown_kind,
                             _("Export Chat"), _("_Export"), name,
                             on_export_chosen, G_OBJECT (chat), format);
}

void
_confab_window_class_transfer_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.export-chat", "s", export_chat_action);
}

void
_confab_window_transfer_init (ConfabWindow *self)
{
  GtkDropTarget *target;

  /* A conversations.json or an export dropped anywhere on the window. */
  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (on_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}
