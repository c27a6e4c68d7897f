/* confab-code-block.c: a fenced code block from a reply, highlighted by
 * GtkSourceView in the light or dark Adwaita scheme, with a copy button.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ui"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "confab-code-block.h"

struct _ConfabCodeBlock
{
  GtkWidget      parent_instance;

  char          *language;
  char          *code;
  gboolean       copied;

  /* Template widgets */
  GtkLabel      *language_label;
  GtkButton     *copy_button;
  GtkSourceView *source_view;
};

G_DEFINE_FINAL_TYPE (ConfabCodeBlock, confab_code_block, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LANGUAGE,
  PROP_CODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Fence words that are neither a GtkSourceView language id nor a file
 * extension it knows. */
static const struct
{
  const char *word;
  const char *id;
} language_aliases[] = {
  { "bash", "sh" }, { "shell", "sh" }, { "zsh", "sh" }, { "console", "sh" },
  { "py", "python3" }, { "python", "python3" }, { "js", "js" }, { "javascript", "js" },
  { "ts", "typescript" }, { "c++", "cpp" }, { "cxx", "cpp" }, { "cs", "c-sharp" },
  { "csharp", "c-sharp" }, { "golang", "go" }, { "rs", "rust" }, { "yml", "yaml" },
  { "md", "markdown" }, { "patch", "diff" }, { "make", "makefile" }, { "kt", "kotlin" },
  { "rb", "ruby" }, { "objective-c", "objc" }, { "html", "html" }, { "xml", "xml" },
};

/* Looking a language up by file name walks every language's globs, so
 * each fence word is resolved once. */
static GtkSourceLanguage *
lookup_language (const char *word)
{
  static GHashTable *cache;
  GtkSourceLanguageManager *manager;
  GtkSourceLanguage *language;
  g_autofree char *lower = NULL;
  g_autofree char *file_name = NULL;
  const char *id;
  gpointer cached;

  if (word == NULL || *word == '\0')
    return NULL;

  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_lookup_extended (cache, word, NULL, &cached))
    return cached;

  manager = gtk_source_language_manager_get_default ();
  lower = g_ascii_strdown (word, -1);
  id = lower;
  for (guint i = 0; i < G_N_ELEMENTS (language_aliases); i++)
    if (g_str_equal (lower, language_aliases[i].word))
      id = language_aliases[i].id;

  language = gtk_source_language_manager_get_language (manager, id);
  if (language == NULL)
    {
      file_name = g_strconcat ("code.", lower, NULL);
      language = gtk_source_language_manager_guess_language (manager, file_name, NULL);
    }

  g_hash_table_insert (cache, g_strdup (word), language);
  return language;
}

static void
confab_code_block_update_scheme (ConfabCodeBlock *self)
{
  GtkSourceStyleSchemeManager *manager = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkSourceStyleScheme *scheme;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));

  scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "Adwaita-dark" : "Adwaita");
  if (scheme == NULL)
    scheme = gtk_source_style_scheme_manager_get_scheme (manager,
                                                         dark ? "classic-dark" : "classic");
  gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (buffer), scheme);
}

static void
confab_code_block_set_copied (ConfabCodeBlock *self,
                              gboolean         copied)
{
  if (self->copied == copied)
    return;

  self->copied = copied;
  gtk_button_set_icon_name (self->copy_button,
                            copied ? "object-select-symbolic" : "edit-copy-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->copy_button),
                               copied ? _("Copied") : _("Copy code"));
}

/* The code as shown: without the newline that ends every fenced block. */
static const char *
confab_code_block_shown_end (const char *code)
{
  gsize len = strlen (code);

  return len > 0 && code[len - 1] == '\n' ? code + len - 1 : code + len;
}

void
confab_code_block_copy (ConfabCodeBlock *self)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CONFAB_IS_CODE_BLOCK (self));

  text = g_strndup (self->code, confab_code_block_shown_end (self->code) - self->code);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  confab_code_block_set_copied (self, TRUE);
}

static void
on_copy_clicked_cb (ConfabCodeBlock *self,
                    GtkButton       *button)
{
  confab_code_block_copy (self);
}

/* The check mark says "done" until the pointer moves on: no timer. */
static void
on_motion_leave_cb (ConfabCodeBlock          *self,
                    GtkEventControllerMotion *controller)
{
  confab_code_block_set_copied (self, FALSE);
}

GtkWidget *
confab_code_block_new (void)
{
  return g_object_new (CONFAB_TYPE_CODE_BLOCK, NULL);
}

const char *
confab_code_block_get_language (ConfabCodeBlock *self)
{
  g_return_val_if_fail (CONFAB_IS_CODE_BLOCK (self), NULL);

  return self->language;
}

void
confab_code_block_set_language (ConfabCodeBlock *self,
                                const char      *language)
{
  GtkSourceLanguage *source_language;
  GtkTextBuffer *buffer;

  g_return_if_fail (CONFAB_IS_CODE_BLOCK (self));

  if (g_strcmp0 (self->language, language) == 0)
    return;

  g_free (self->language);
  self->language = g_strdup (language);

  source_language = lookup_language (language);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (buffer), source_language);

  if (source_language != NULL)
    gtk_label_set_label (self->language_label, gtk_source_language_get_name (source_language));
  else if (language != NULL)
    gtk_label_set_label (self->language_label, language);
  else
    /* TRANSLATORS: the kind of a code block whose language is not given */
    gtk_label_set_label (self->language_label, _("Text"));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
}

const char *
confab_code_block_get_code (ConfabCodeBlock *self)
{
  g_return_val_if_fail (CONFAB_IS_CODE_BLOCK (self), NULL);

  return self->code;
}

void
confab_code_block_set_code (ConfabCodeBlock *self,
                            const char      *code)
{
  GtkTextBuffer *buffer;
  const char *old_end;
  const char *new_end;
  gsize old_len;

  g_return_if_fail (CONFAB_IS_CODE_BLOCK (self));

  if (code == NULL)
    code = "";
  if (g_str_equal (code, self->code))
    return;

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  old_end = confab_code_block_shown_end (self->code);
  old_len = old_end - self->code;
  new_end = confab_code_block_shown_end (code);

  if ((gsize)(new_end - code) >= old_len && strncmp (code, self->code, old_len) == 0)
    {
      GtkTextIter end;

      /* Streaming: only the new lines get inserted (and highlighted). */
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, code + old_len, new_end - code - old_len);
    }
  else
    gtk_text_buffer_set_text (buffer, code, new_end - code);

  g_free (self->code);
  self->code = g_strdup (code);
  confab_code_block_set_copied (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CODE]);
}

static void
confab_code_block_unmap (GtkWidget *widget)
{
  confab_code_block_set_copied (CONFAB_CODE_BLOCK (widget), FALSE);

  GTK_WIDGET_CLASS (confab_code_block_parent_class)->unmap (widget);
}

static void
confab_code_block_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CONFAB_TYPE_CODE_BLOCK);
  /* dispose_template () only drops the children bound to fields. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (object));
       child != NULL;
       child = gtk_widget_get_first_child (GTK_WIDGET (object)))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (confab_code_block_parent_class)->dispose (object);
}

static void
confab_code_block_finalize (GObject *object)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (object);

  g_free (self->language);
  g_free (self->code);

  G_OBJECT_CLASS (confab_code_block_parent_class)->finalize (object);
}

static void
confab_code_block_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (object);

  switch (prop_id)
    {
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;

    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_code_block_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (object);

  switch (prop_id)
    {
    case PROP_LANGUAGE:
      confab_code_block_set_language (self, g_value_get_string (value));
      break;

    case PROP_CODE:
      confab_code_block_set_code (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_code_block_class_init (ConfabCodeBlockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_code_block_dispose;
  object_class->finalize = confab_code_block_finalize;
  object_class->get_property = confab_code_block_get_property;
  object_class->set_property = confab_code_block_set_property;

  widget_class->unmap = confab_code_block_unmap;

  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Safe to call more than once; the app may not have done it yet. */
  gtk_source_init ();
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  gtk_widget_class_set_css_name (widget_class, "codeblock");
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-code-block.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabCodeBlock, language_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabCodeBlock, copy_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabCodeBlock, source_view);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_motion_leave_cb);
}

static void
confab_code_block_init (ConfabCodeBlock *self)
{
  GtkTextBuffer *buffer;

  self->code = g_strdup ("");

  gtk_widget_init_template (GTK_WIDGET (self));

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  /* Nobody edits it, and undo would keep every streamed piece around. */
  gtk_text_buffer_set_enable_undo (buffer, FALSE);
  gtk_source_buffer_set_highlight_matching_brackets (GTK_SOURCE_BUFFER (buffer), FALSE);
  gtk_label_set_label (self->language_label, _("Text"));

  confab_code_block_update_scheme (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (confab_code_block_update_scheme), self,
                           G_CONNECT_SWAPPED);
}
