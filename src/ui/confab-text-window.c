/* confab-text-window.c: the whole text of a message too long for the chat.
 *
 * The chat shows the beginning of such a message as Markdown (see
 * confab-markdown-view.c); here it is plain text in a GtkTextView, which
 * lays out only what is on screen at first and the rest in idle time, so
 * megabytes open at once and scroll smoothly. Read-only: Copy All and
 * Save As… take the text out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "confab-text-window.h"

struct _ConfabTextWindow
{
  AdwWindow        parent_instance;

  /* Template widgets */
  AdwWindowTitle  *window_title;
  AdwToastOverlay *toast_overlay;
  GtkTextView     *text_view;
};

G_DEFINE_FINAL_TYPE (ConfabTextWindow, confab_text_window, ADW_TYPE_WINDOW)

static void
confab_text_window_toast (ConfabTextWindow *self,
                          const char       *title)
{
  /* A toast's title is markup; file names and errors are not. */
  g_autofree char *escaped = g_markup_escape_text (title, -1);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

static GBytes *
confab_text_window_get_bytes (ConfabTextWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;
  char *text;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

/* ---- text.copy */

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabTextWindow *self = CONFAB_TEXT_WINDOW (widget);
  g_autoptr(GBytes) bytes = confab_text_window_get_bytes (self);
  g_autoptr(GdkContentProvider) provider = NULL;

  /* The bytes as they are: set_text () would copy megabytes once more. */
  provider = gdk_content_provider_new_for_bytes ("text/plain;charset=utf-8", bytes);
  gdk_clipboard_set_content (gtk_widget_get_clipboard (widget), provider);
  confab_text_window_toast (self, _("Copied"));
}

/* ---- text.save-as */

static void
on_saved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ConfabTextWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not save: %s"), error->message);

      confab_text_window_toast (self, message);
      return;
    }

  confab_text_window_toast (self, _("Saved"));
}

static void
confab_text_window_save (ConfabTextWindow *self,
                         GFile            *file)
{
  g_autoptr(GBytes) bytes = confab_text_window_get_bytes (self);

  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, on_saved_cb, g_object_ref (self));
}

#if GTK_CHECK_VERSION (4, 10, 0)
/* The build pins GDK_VERSION_MAX_ALLOWED to 4.8, which flags 4.10 API. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
on_save_dialog_done_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(ConfabTextWindow) self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  file = gtk_file_dialog_save_finish (GTK_FILE_DIALOG (object), result, &error);
  if (file != NULL)
    confab_text_window_save (self, file);
  else if (!g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED)
           && !g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_CANCELLED))
    confab_text_window_toast (self, error->message);
}

static void
save_as_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();

  gtk_file_dialog_set_title (dialog, _("Save As"));
  gtk_file_dialog_set_modal (dialog, TRUE);
  /* Translators: the file name Save As… suggests */
  gtk_file_dialog_set_initial_name (dialog, _("message.md"));
  gtk_file_dialog_save (dialog, GTK_WINDOW (widget), NULL, on_save_dialog_done_cb,
                        g_object_ref (widget));
}

G_GNUC_END_IGNORE_DEPRECATIONS
#else

static void
on_save_chooser_response_cb (GtkNativeDialog  *native,
                             int               response,
                             ConfabTextWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        confab_text_window_save (self, file);
    }

  /* Hidden, not destroyed, by the response: this was the last reference. */
  g_object_unref (native);
  g_object_unref (self);
}

static void
save_as_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Save As"), GTK_WINDOW (widget),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  /* Translators: the file name Save As… suggests */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), _("message.md"));
  g_signal_connect (native, "response", G_CALLBACK (on_save_chooser_response_cb),
                    g_object_ref (widget));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

#endif

/* ---- the window */

GtkWidget *
confab_text_window_new (GtkWindow  *parent,
                        const char *subtitle,
                        const char *text)
{
  ConfabTextWindow *self;
  g_autofree char *size = NULL;
  g_autofree char *full_subtitle = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_TEXT_WINDOW,
                       "transient-for", parent,
                       NULL);

  size = g_format_size_full (strlen (text), G_FORMAT_SIZE_IEC_UNITS);
  if (subtitle != NULL && *subtitle != '\0')
    /* Translators: under "Full Text": who wrote it and how long it is, "gpt-4o · 4.0 MiB" */
    full_subtitle = g_strdup_printf (_("%s · %s"), subtitle, size);
  adw_window_title_set_subtitle (self->window_title, full_subtitle ? full_subtitle : size);

  /* Before the window is shown: nothing is laid out or announced yet. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text, -1);

  return GTK_WIDGET (self);
}

static void
confab_text_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CONFAB_TYPE_TEXT_WINDOW);

  G_OBJECT_CLASS (confab_text_window_parent_class)->dispose (object);
}

static void
confab_text_window_class_init (ConfabTextWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_text_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-text-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabTextWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ConfabTextWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ConfabTextWindow, text_view);

  gtk_widget_class_install_action (widget_class, "text.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "text.save-as", NULL, save_as_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "text.save-as", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
confab_text_window_init (ConfabTextWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
