/* confab-export.c: chats as Markdown, or as a Confab JSON export.
 *
 * Messages are read through the chat's paged ConfabMessageList and written
 * out a piece at a time, so a huge chat never sits in memory whole. The
 * JSON has one message per line: readable, and easy on diff tools.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-export"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "confab-export.h"

#define FORMAT_NAME "confab-chat"
#define FORMAT_VERSION 1
/* Written out whenever this much is waiting. */
#define FLUSH_SIZE (64 * 1024)

typedef struct
{
  ConfabStore   *store;
  GOutputStream *stream;
  GCancellable  *cancellable;
  GString       *buffer;
} Writer;

static gboolean
flush (Writer  *writer,
       GError **error)
{
  gboolean ok = g_output_stream_write_all (writer->stream, writer->buffer->str,
                                           writer->buffer->len, NULL, writer->cancellable,
                                           error);

  g_string_truncate (writer->buffer, 0);
  return ok;
}

static gboolean
maybe_flush (Writer  *writer,
             GError **error)
{
  if (writer->buffer->len < FLUSH_SIZE)
    return TRUE;

  return flush (writer, error);
}

/* The message at @position of a line, or NULL past its end. A list that
 * cannot be read has already said why in the log. */
static gboolean
next_message (ConfabMessageList  *list,
              guint               position,
              ConfabMessage     **message,
              GError            **error)
{
  *message = NULL;
  if (position >= g_list_model_get_n_items (G_LIST_MODEL (list)))
    return TRUE;

  *message = g_list_model_get_item (G_LIST_MODEL (list), position);
  if (*message == NULL)
    {
      g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                   _("Could not read message %u of the chat"), position + 1);
      return FALSE;
    }

  return TRUE;
}

/* ---- Markdown */

static const char *
author_label (ConfabMessage *message)
{
  const char *author = confab_message_get_author (message);

  switch (confab_message_get_role (message))
    {
    case CONFAB_ROLE_SYSTEM:
      return _("System");

    case CONFAB_ROLE_ASSISTANT:
      if (author != NULL && *author != '\0')
        return author;
      if (confab_message_get_model (message) != NULL)
        return confab_message_get_model (message);
      return _("Assistant");

    case CONFAB_ROLE_USER:
    default:
      return author != NULL && *author != '\0' ? author : _("You");
    }
}

static char *
format_local_time (gint64 usec)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

/* Appends @text with @prefix before every line ("> " quotes a thread). */
static void
append_prefixed (GString    *buffer,
                 const char *prefix,
                 const char *text)
{
  g_auto(GStrv) lines = NULL;
  g_autofree char *trimmed = NULL;

  /* A final newline ends the last line rather than starting another. */
  if (g_str_has_suffix (text, "\n"))
    text = trimmed = g_strndup (text, strlen (text) - 1);

  /* g_strsplit() gives no line at all for "". */
  if (*text == '\0')
    {
      g_string_append_len (buffer, prefix, MAX ((int)strlen (prefix) - 1, 0));
      g_string_append_c (buffer, '\n');
      return;
    }

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (*prefix != '\0' && lines[i][0] == '\0')
        g_string_append_printf (buffer, "%.*s\n", (int)strlen (prefix) - 1, prefix);
      else
        g_string_append_printf (buffer, "%s%s\n", prefix, lines[i]);
    }
}

static void
append_markdown_message (GString       *buffer,
                         ConfabMessage *message,
                         const char    *prefix,
                         const char    *heading)
{
  g_autofree char *time = format_local_time (confab_message_get_created (message));
  g_autofree char *header = g_strdup_printf ("%s %s · %s", heading, author_label (message),
                                             time);
  const char *content = confab_message_get_content (message);
  g_autofree char *note = NULL;

  append_prefixed (buffer, prefix, header);
  append_prefixed (buffer, prefix, "");
  if (content != NULL && *content != '\0')
    {
      append_prefixed (buffer, prefix, content);
      append_prefixed (buffer, prefix, "");
    }

  switch (confab_message_get_status (message))
    {
    case CONFAB_MESSAGE_STATUS_ERROR:
      note = g_strdup_printf ("*%s*", confab_message_get_error (message) != NULL
                                      ? confab_message_get_error (message) : _("Failed"));
      break;

    case CONFAB_MESSAGE_STATUS_CANCELLED:
      note = g_strdup_printf ("*%s*", _("Stopped"));
      break;

    case CONFAB_MESSAGE_STATUS_STREAMING:
      note = g_strdup_printf ("*%s*", _("Still being written"));
      break;

    case CONFAB_MESSAGE_STATUS_COMPLETE:
    default:
      break;
    }

  if (note != NULL)
    {
      append_prefixed (buffer, prefix, note);
      append_prefixed (buffer, prefix, "");
    }
}

static gboolean
write_markdown_chat (Writer      *writer,
                     ConfabChat  *chat,
                     GError     **error)
{
  g_autoptr(ConfabMessageList) list = NULL;
  gint64 chat_id = confab_chat_get_id (chat);
  const char *title = confab_chat_get_title (chat);

  g_string_append_printf (writer->buffer, "# %s\n\n",
                          title != NULL && *title != '\0' ? title : _("Untitled chat"));

  list = confab_store_list_messages (writer->store, chat_id, 0);
  for (guint i = 0;; i++)
    {
      g_autoptr(ConfabMessage) message = NULL;
      guint replies;

      if (!next_message (list, i, &message, error))
        return FALSE;
      if (message == NULL)
        break;

      replies = confab_message_get_reply_count (message);

      append_markdown_message (writer->buffer, message, "", "###");

      if (replies > 0)
        {
          g_autoptr(ConfabMessageList) thread = NULL;
          g_autofree char *title_line = NULL;

          title_line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "**Thread** · %u reply",
                                                     "**Thread** · %u replies", replies),
                                        replies);
          append_prefixed (writer->buffer, "> ", title_line);
          append_prefixed (writer->buffer, "> ", "");

          thread = confab_store_list_messages (writer->store, chat_id,
                                               confab_message_get_id (message));
          for (guint j = 0;; j++)
            {
              g_autoptr(ConfabMessage) reply = NULL;

              if (!next_message (thread, j, &reply, error))
                return FALSE;
              if (reply == NULL)
                break;

              append_markdown_message (writer->buffer, reply, "> ", "####");
            }

          g_string_append_c (writer->buffer, '\n');
        }

      if (!maybe_flush (writer, error))
        return FALSE;
    }

  return TRUE;
}

/* ---- JSON */

static char *
format_iso8601 (gint64 usec)
{
  g_autoptr(GDateTime) seconds = NULL;
  g_autoptr(GDateTime) time = NULL;
  gint64 rest = usec % G_USEC_PER_SEC;

  if (rest < 0)
    rest += G_USEC_PER_SEC;

  seconds = g_date_time_new_from_unix_utc ((usec - rest) / G_USEC_PER_SEC);
  if (seconds == NULL)
    return NULL;

  time = g_date_time_add (seconds, rest);
  return g_date_time_format_iso8601 (time);
}

static void
append_json_string (GString    *buffer,
                    const char *text)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  if (text == NULL)
    {
      g_string_append (buffer, "null");
      return;
    }

  node = json_node_init_string (json_node_alloc (), text);
  json = json_to_string (node, FALSE);
  g_string_append (buffer, json);
}

static void
add_member_string (JsonBuilder *builder,
                   const char  *member,
                   const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_member_count (JsonBuilder *builder,
                  const char  *member,
                  gint64       value)
{
  json_builder_set_member_name (builder, member);
  if (value >= 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
build_message (JsonBuilder   *builder,
               ConfabMessage *message)
{
  g_autofree char *created = format_iso8601 (confab_message_get_created (message));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, confab_message_get_id (message));
  add_member_string (builder, "role", confab_role_to_string (confab_message_get_role (message)));
  add_member_string (builder, "author", confab_message_get_author (message));
  add_member_string (builder, "provider", confab_message_get_provider (message));
  add_member_string (builder, "model", confab_message_get_model (message));
  add_member_string (builder, "status",
                     confab_message_status_to_string (confab_message_get_status (message)));
  if (confab_message_get_error (message) != NULL)
    add_member_string (builder, "error", confab_message_get_error (message));
  add_member_string (builder, "created", created);
  add_member_string (builder, "text", confab_message_get_content (message));
  add_member_count (builder, "input_tokens", confab_message_get_input_tokens (message));
  add_member_count (builder, "output_tokens", confab_message_get_output_tokens (message));
}

static gboolean
write_json_message (Writer         *writer,
                    ConfabChat     *chat,
                    ConfabMessage  *message,
                    GError        **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  build_message (builder, message);

  if (confab_message_get_reply_count (message) > 0)
    {
      g_autoptr(ConfabMessageList) thread = NULL;

      thread = confab_store_list_messages (writer->store, confab_chat_get_id (chat),
                                           confab_message_get_id (message));
      json_builder_set_member_name (builder, "thread");
      json_builder_begin_array (builder);
      for (guint i = 0;; i++)
        {
          g_autoptr(ConfabMessage) reply = NULL;

          if (!next_message (thread, i, &reply, error))
            return FALSE;
          if (reply == NULL)
            break;

          build_message (builder, reply);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  json = json_to_string (node, FALSE);
  g_string_append (writer->buffer, json);

  return TRUE;
}

static gboolean
write_json_chat (Writer      *writer,
                 ConfabChat  *chat,
                 GError     **error)
{
  g_autoptr(ConfabProject) project = NULL;
  g_autoptr(ConfabMessageList) list = NULL;
  g_autofree char *created = format_iso8601 (confab_chat_get_created (chat));
  GString *buffer = writer->buffer;

  /* A chat is never without a project; if the read fails, the name is
   * just left out. */
  project = confab_store_lookup_project (writer->store, confab_chat_get_project_id (chat), NULL);

  g_string_append (buffer, "    {\n      \"title\": ");
  append_json_string (buffer, confab_chat_get_title (chat));
  g_string_append (buffer, ",\n      \"project\": ");
  append_json_string (buffer, project != NULL ? confab_project_get_name (project) : NULL);
  g_string_append (buffer, ",\n      \"created\": ");
  append_json_string (buffer, created);
  g_string_append (buffer, ",\n      \"model\": ");
  append_json_string (buffer, confab_chat_get_model (chat));
  g_string_append (buffer, ",\n      \"messages\": [");

  list = confab_store_list_messages (writer->store, confab_chat_get_id (chat), 0);
  for (guint i = 0;; i++)
    {
      g_autoptr(ConfabMessage) message = NULL;

      if (!next_message (list, i, &message, error))
        return FALSE;
      if (message == NULL)
        break;

      g_string_append (buffer, i > 0 ? ",\n        " : "\n        ");
      if (!write_json_message (writer, chat, message, error) ||
          !maybe_flush (writer, error))
        return FALSE;
    }

  g_string_append (buffer, g_list_model_get_n_items (G_LIST_MODEL (list)) > 0
                           ? "\n      ]\n    }" : "]\n    }");
  return TRUE;
}

/* ---- API */

gboolean
confab_export_format_from_string (const char         *name,
                                  ConfabExportFormat *format)
{
  g_return_val_if_fail (format != NULL, FALSE);

  if (g_strcmp0 (name, "markdown") == 0 || g_strcmp0 (name, "md") == 0)
    *format = CONFAB_EXPORT_FORMAT_MARKDOWN;
  else if (g_strcmp0 (name, "json") == 0)
    *format = CONFAB_EXPORT_FORMAT_JSON;
  else
    return FALSE;

  return TRUE;
}

const char *
confab_export_format_get_extension (ConfabExportFormat format)
{
  return format == CONFAB_EXPORT_FORMAT_JSON ? "json" : "md";
}

/**
 * confab_export_chats:
 * @chats: (element-type ConfabChat): the chats, in the order to write
 *
 * Returns: %TRUE, or %FALSE with @error set (reading the store or writing
 *   the stream failed; the stream then holds a partial document)
 */
gboolean
confab_export_chats (ConfabStore         *store,
                     GPtrArray           *chats,
                     ConfabExportFormat   format,
                     GOutputStream       *stream,
                     GCancellable        *cancellable,
                     GError             **error)
{
  g_autoptr(GString) buffer = g_string_sized_new (FLUSH_SIZE + 4096);
  Writer writer = { store, stream, cancellable, buffer };

  g_return_val_if_fail (CONFAB_IS_STORE (store), FALSE);
  g_return_val_if_fail (chats != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (format == CONFAB_EXPORT_FORMAT_JSON)
    {
      g_autofree char *now = format_iso8601 (g_get_real_time ());

      g_string_append_printf (buffer,
                              "{\n  \"format\": \"" FORMAT_NAME "\",\n"
                              "  \"version\": %d,\n  \"exported\": \"%s\",\n  \"chats\": [",
                              FORMAT_VERSION, now);
    }

  for (guint i = 0; i < chats->len; i++)
    {
      ConfabChat *chat = g_ptr_array_index (chats, i);

      g_return_val_if_fail (CONFAB_IS_CHAT (chat), FALSE);

      if (format == CONFAB_EXPORT_FORMAT_JSON)
        {
          g_string_append (buffer, i > 0 ? ",\n" : "\n");
          if (!write_json_chat (&writer, chat, error))
            return FALSE;
        }
      else
        {
          if (i > 0)
            g_string_append (buffer, "---\n\n");
          if (!write_markdown_chat (&writer, chat, error))
            return FALSE;
        }
    }

  if (format == CONFAB_EXPORT_FORMAT_JSON)
    g_string_append (buffer, chats->len > 0 ? "\n  ]\n}\n" : "]\n}\n");

  return flush (&writer, error);
}

/**
 * confab_export_chat:
 * @stream: where to write; it is not closed
 *
 * Returns: %TRUE, or %FALSE with @error set
 */
gboolean
confab_export_chat (ConfabStore         *store,
                    ConfabChat          *chat,
                    ConfabExportFormat   format,
                    GOutputStream       *stream,
                    GCancellable        *cancellable,
                    GError             **error)
{
  g_autoptr(GPtrArray) chats = g_ptr_array_new ();

  g_return_val_if_fail (CONFAB_IS_CHAT (chat), FALSE);

  g_ptr_array_add (chats, chat);
  return confab_export_chats (store, chats, format, stream, cancellable, error);
}
