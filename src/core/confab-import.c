/* confab-import.c: reading an export file and writing its chats.
 *
 * An import runs in two halves. Reading parses the whole file and checks
 * it into plain structures (confab-import-private.h) without touching the
 * store, so a file that is broken anywhere creates nothing. Writing then
 * adds every chat in one transaction; should that fail (a full disk), it
 * is rolled back and the live models forget what they were shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-import"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "confab-import-private.h"
#include "confab-json-guard.h"
#include "confab-store-private.h"

G_DEFINE_QUARK (confab-import-error-quark, confab_import_error)

/* ---- The chats read from a file */

ConfabImportMessage *
_confab_import_message_new (void)
{
  ConfabImportMessage *message = g_new0 (ConfabImportMessage, 1);

  message->role = CONFAB_ROLE_USER;
  message->status = CONFAB_MESSAGE_STATUS_COMPLETE;
  message->input_tokens = -1;
  message->output_tokens = -1;

  return message;
}

void
_confab_import_message_free (ConfabImportMessage *message)
{
  g_free (message->author);
  g_free (message->provider);
  g_free (message->model);
  g_free (message->text);
  g_free (message->error);
  g_clear_pointer (&message->thread, g_ptr_array_unref);
  g_free (message);
}

ConfabImportChat *
_confab_import_chat_new (void)
{
  ConfabImportChat *chat = g_new0 (ConfabImportChat, 1);

  chat->messages = g_ptr_array_new_with_free_func ((GDestroyNotify)_confab_import_message_free);

  return chat;
}

void
_confab_import_chat_free (ConfabImportChat *chat)
{
  g_free (chat->title);
  g_free (chat->model);
  g_ptr_array_unref (chat->messages);
  g_free (chat);
}

/* ---- Typed access to JSON members, with errors that say where */

void
_confab_import_set_invalid (GError     **error,
                            const char  *name,
                            const char  *where,
                            const char  *format,
                            ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_INVALID,
               "“%s”: %s: %s", name, where, what);
}

/* The member, or NULL when absent or null. */
static JsonNode *
get_member (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  return node;
}

static gboolean
is_number (JsonNode *node)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

gboolean
_confab_import_get_string (JsonObject  *object,
                           const char  *member,
                           const char **value,
                           const char  *name,
                           const char  *where,
                           GError     **error)
{
  JsonNode *node = get_member (object, member);

  *value = NULL;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      _confab_import_set_invalid (error, name, where, _("“%s” must be a string"), member);
      return FALSE;
    }

  *value = json_node_get_string (node);
  return TRUE;
}

gboolean
_confab_import_get_int (JsonObject  *object,
                        const char  *member,
                        gint64      *value,
                        const char  *name,
                        const char  *where,
                        GError     **error)
{
  JsonNode *node = get_member (object, member);

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      _confab_import_set_invalid (error, name, where, _("“%s” must be a whole number"), member);
      return FALSE;
    }

  *value = json_node_get_int (node);
  return TRUE;
}

gboolean
_confab_import_get_time (JsonObject  *object,
                         const char  *member,
                         gint64      *value,
                         const char  *name,
                         const char  *where,
                         GError     **error)
{
  JsonNode *node = get_member (object, member);

  if (node == NULL)
    return TRUE;

  if (is_number (node))
    {
      /* Seconds, as ChatGPT writes them (with a fraction). */
      gdouble seconds = json_node_get_double (node);

      if (seconds > -1e11 && seconds < 1e11)
        {
          gdouble usec = seconds * G_USEC_PER_SEC;

          /* Rounded: 0.123456 s is 123455.99999… µs in binary. */
          *value = (gint64)(usec + (usec >= 0 ? 0.5 : -0.5));
          return TRUE;
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_autoptr(GDateTime) time = NULL;
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

      time = g_date_time_new_from_iso8601 (json_node_get_string (node), utc);
      if (time != NULL)
        {
          *value = g_date_time_to_unix (time) * G_USEC_PER_SEC +
                   g_date_time_get_microsecond (time);
          return TRUE;
        }
    }

  _confab_import_set_invalid (error, name, where,
                              _("“%s” must be a date (ISO 8601) or Unix seconds"), member);
  return FALSE;
}

gboolean
_confab_import_get_array (JsonObject  *object,
                          const char  *member,
                          JsonArray  **value,
                          const char  *name,
                          const char  *where,
                          GError     **error)
{
  JsonNode *node = get_member (object, member);

  *value = NULL;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      _confab_import_set_invalid (error, name, where, _("“%s” must be an array"), member);
      return FALSE;
    }

  *value = json_node_get_array (node);
  return TRUE;
}

gboolean
_confab_import_get_object (JsonObject  *object,
                           const char  *member,
                           JsonObject **value,
                           const char  *name,
                           const char  *where,
                           GError     **error)
{
  JsonNode *node = get_member (object, member);

  *value = NULL;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _confab_import_set_invalid (error, name, where, _("“%s” must be an object"), member);
      return FALSE;
    }

  *value = json_node_get_object (node);
  return TRUE;
}

/* ---- Reading */

typedef enum
{
  FORMAT_UNKNOWN,
  FORMAT_CONFAB,
  FORMAT_CHATGPT,
} Format;

/* By content, not by file name: a ChatGPT export is an array of objects
 * with a "mapping" (or one such object), ours says what it is. */
static Format
detect_format (JsonNode *root)
{
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonNode *format = json_object_get_member (object, "format");

      if (format != NULL && JSON_NODE_HOLDS_VALUE (format) &&
          json_node_get_value_type (format) == G_TYPE_STRING &&
          g_strcmp0 (json_node_get_string (format), "confab-chat") == 0)
        return FORMAT_CONFAB;

      if (json_object_has_member (object, "mapping"))
        return FORMAT_CHATGPT;
    }
  else if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      /* An empty array can only be a ChatGPT export without
       * conversations; the reader says so. */
      if (json_array_get_length (array) == 0)
        return FORMAT_CHATGPT;

      if (JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, 0)) &&
          json_object_has_member (json_array_get_object_element (array, 0), "mapping"))
        return FORMAT_CHATGPT;
    }

  return FORMAT_UNKNOWN;
}

/* json-glib says where as "<data>:LINE:COLUMN: Parse error: what"; the
 * name it gives the input means nothing to a user. */
static void
set_parse_error (GError     **error,
                 const char  *name,
                 const char  *message)
{
  unsigned int line = 0;
  unsigned int column = 0;
  int end = 0;

  if (sscanf (message, "%*[^:]:%u:%u: %n", &line, &column, &end) == 2 && end > 0)
    {
      const char *what = message + end;

      if (g_str_has_prefix (what, "Parse error: "))
        what += strlen ("Parse error: ");

      g_set_error (error, CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_PARSE,
                   _("“%s” is not valid JSON: line %u, column %u: %s"),
                   name, line, column, what);
      return;
    }

  g_set_error (error, CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_PARSE,
               _("“%s” is not valid JSON: %s"), name, message);
}

JsonNode *
_confab_import_parse (const char  *data,
                      gsize        length,
                      const char  *name,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  /* An empty file's bytes are NULL. */
  if (data == NULL)
    data = "";

  /* JSON-GLib would crash on a file of "[[[[…" and leak on "[][]"
   * (confab-json-guard.h). */
  switch (confab_json_check (data, length, CONFAB_JSON_MAX_DEPTH))
    {
    case CONFAB_JSON_FAULT_TOO_DEEP:
      {
        g_autofree char *why = g_strdup_printf (_("it nests more than %d levels deep"),
                                                CONFAB_JSON_MAX_DEPTH);

        set_parse_error (error, name, why);
        return NULL;
      }
    case CONFAB_JSON_FAULT_TRAILING:
      set_parse_error (error, name, _("it holds more than one JSON value"));
      return NULL;
    case CONFAB_JSON_FAULT_BAD_SURROGATE:
      set_parse_error (error, name, _("it has a malformed surrogate pair"));
      return NULL;
    case CONFAB_JSON_FAULT_NOT_JSON:
      set_parse_error (error, name, _("it has a comment or a single-quoted string, "
                                      "which JSON does not allow"));
      return NULL;
    case CONFAB_JSON_FAULT_NONE:
      break;
    }

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      set_parse_error (error, name, local_error->message);
      return NULL;
    }

  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_PARSE,
                   _("“%s” is empty"), name);
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

/* Parses and checks the whole stream; touches nothing but its arguments,
 * so it may run in any thread. */
static GPtrArray *
read_chats (GInputStream  *stream,
            const char    *name,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) bytes = NULL;

  /* Whole, as JSON-GLib would read it anyway, so its depth is checked first. */
  if (g_output_stream_splice (memory, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, cancellable,
                              error) < 0)
    {
      g_prefix_error (error, _("Could not read “%s”: "), name);
      return NULL;
    }
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));

  return _confab_import_read_bytes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                    name, error);
}

GPtrArray *
_confab_import_read_bytes (const char  *data,
                           gsize        length,
                           const char  *name,
                           GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) chats = NULL;
  gboolean ok = FALSE;

  root = _confab_import_parse (data, length, name, error);
  if (root == NULL)
    return NULL;

  chats = g_ptr_array_new_with_free_func ((GDestroyNotify)_confab_import_chat_free);

  switch (detect_format (root))
    {
    case FORMAT_CONFAB:
      ok = _confab_import_read_confab (root, name, chats, error);
      break;

    case FORMAT_CHATGPT:
      ok = _confab_import_read_chatgpt (root, name, chats, error);
      break;

    case FORMAT_UNKNOWN:
    default:
      g_set_error (error, CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_UNKNOWN_FORMAT,
                   _("“%s” is neither a Confab chat export nor a ChatGPT "
                     "conversations.json"), name);
      return NULL;
    }

  if (!ok)
    return NULL;

  if (chats->len == 0)
    {
      g_set_error (error, CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_EMPTY,
                   _("“%s” holds no conversation with messages to import"), name);
      return NULL;
    }

  return g_steal_pointer (&chats);
}

/* ---- Writing */

/* Imports gather in one project rather than a new one per file. */
static ConfabProject *
find_imported_project (ConfabStore *store)
{
  GListModel *projects = confab_store_get_projects (store);
  guint n = g_list_model_get_n_items (projects);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabProject) project = g_list_model_get_item (projects, i);

      if (g_strcmp0 (confab_project_get_name (project), _("Imported")) == 0)
        return g_steal_pointer (&project);
    }

  return NULL;
}

static ConfabMessage *
write_message (ConfabStore          *store,
               ConfabChat           *chat,
               gint64                parent_id,
               ConfabImportMessage  *source,
               GError              **error)
{
  g_autoptr(ConfabMessage) message = NULL;
  ConfabMessageDraft draft = {
    .chat_id = confab_chat_get_id (chat),
    .parent_id = parent_id,
    .role = source->role,
    .author = source->author,
    .provider = source->provider,
    .model = source->model,
    .content = source->text,
    .status = source->status,
    .input_tokens = source->input_tokens,
    .output_tokens = source->output_tokens,
    .created = source->created,
  };

  message = confab_store_add_message (store, &draft, error);
  if (message == NULL)
    return NULL;

  /* The error text has no place in a draft. */
  if (source->status == CONFAB_MESSAGE_STATUS_ERROR && source->error != NULL &&
      !confab_store_finish_message (store, message, source->status, source->error,
                                    source->input_tokens, source->output_tokens, error))
    return NULL;

  return g_steal_pointer (&message);
}

static gboolean
write_chats (ConfabStore    *store,
             ConfabProject  *project,
             GPtrArray      *sources,
             GPtrArray     **out_chats,
             GError        **error)
{
  g_autoptr(GPtrArray) chats = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) chat_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(ConfabProject) target = NULL;
  gboolean new_project = FALSE;

  if (!confab_store_begin (store, error))
    return FALSE;

  if (project != NULL)
    target = g_object_ref (project);
  else if ((target = find_imported_project (store)) == NULL)
    {
      target = confab_store_create_project (store, _("Imported"), error);
      if (target == NULL)
        goto failed;
      new_project = TRUE;
    }

  for (guint i = 0; i < sources->len; i++)
    {
      ConfabImportChat *source = g_ptr_array_index (sources, i);
      g_autoptr(ConfabChat) chat = NULL;
      gint64 chat_id;

      chat = _confab_store_create_chat_full (store, target, source->title, source->model,
                                             source->created, source->updated, error);
      if (chat == NULL)
        goto failed;

      chat_id = confab_chat_get_id (chat);
      g_array_append_val (chat_ids, chat_id);
      g_ptr_array_add (chats, g_object_ref (chat));

      for (guint j = 0; j < source->messages->len; j++)
        {
          ConfabImportMessage *message_source = g_ptr_array_index (source->messages, j);
          g_autoptr(ConfabMessage) message = NULL;

          message = write_message (store, chat, 0, message_source, error);
          if (message == NULL)
            goto failed;

          for (guint k = 0; message_source->thread != NULL && k < message_source->thread->len; k++)
            {
              g_autoptr(ConfabMessage) reply = NULL;

              reply = write_message (store, chat, confab_message_get_id (message),
                                     g_ptr_array_index (message_source->thread, k), error);
              if (reply == NULL)
                goto failed;
            }
        }
    }

  if (!confab_store_commit (store, error))
    goto failed;

  if (out_chats != NULL)
    *out_chats = g_steal_pointer (&chats);

  return TRUE;

failed:
  confab_store_rollback (store);
  /* The rows are gone; so must be the objects the models were shown. */
  _confab_store_chats_deleted (store, chat_ids);
  if (new_project)
    _confab_store_project_rolled_back (store, target);
  return FALSE;
}

/* ---- API */

/**
 * confab_import_stream:
 * @name: the file name to use in error messages
 * @project: (nullable): where the chats go; %NULL for "Imported"
 * @chats: (out) (optional) (transfer full) (element-type ConfabChat):
 *
 * See confab_import_file().
 */
gboolean
confab_import_stream (ConfabStore    *store,
                      GInputStream   *stream,
                      const char     *name,
                      ConfabProject  *project,
                      GPtrArray     **chats,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_autoptr(GPtrArray) sources = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (project == NULL || CONFAB_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (chats != NULL)
    *chats = NULL;

  sources = read_chats (stream, name != NULL ? name : "-", cancellable, error);
  if (sources == NULL)
    return FALSE;

  return write_chats (store, project, sources, chats, error);
}

/**
 * confab_import_file:
 * @path: a Confab JSON export or a ChatGPT conversations.json
 * @project: (nullable): where the chats go; %NULL for "Imported"
 * @chats: (out) (optional) (transfer full) (element-type ConfabChat): the
 *   new chats, in the order of the file
 *
 * Returns: %TRUE on success; %FALSE with @error set, and nothing created
 */
gboolean
confab_import_file (ConfabStore    *store,
                    const char     *path,
                    ConfabProject  *project,
                    GPtrArray     **chats,
                    GError        **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CONFAB_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (chats != NULL)
    *chats = NULL;

  file = g_file_new_for_path (path);
  stream = g_file_read (file, NULL, &local_error);
  if (stream == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Could not read “%s”: "), path);
      return FALSE;
    }

  return confab_import_stream (store, G_INPUT_STREAM (stream), path, project, chats, NULL,
                               error);
}

typedef struct
{
  ConfabStore   *store;
  ConfabProject *project;
  char          *path;
} ImportData;

static void
import_data_free (ImportData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->project);
  g_free (data->path);
  g_free (data);
}

/* Worker thread: only the file and the parser. */
static void
read_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ImportData *data = task_data;
  g_autoptr(GFile) file = g_file_new_for_path (data->path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *sources;

  stream = g_file_read (file, cancellable, &error);
  if (stream == NULL)
    {
      g_prefix_error (&error, _("Could not read “%s”: "), data->path);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  sources = read_chats (G_INPUT_STREAM (stream), data->path, cancellable, &error);
  if (sources == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, sources, (GDestroyNotify)g_ptr_array_unref);
}

/* Back in the caller's context: write, then complete the caller's task. */
static void
on_read_cb (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ImportData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) chats = NULL;
  GError *error = NULL;

  sources = g_task_propagate_pointer (G_TASK (result), &error);
  if (sources == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!write_chats (data->store, data->project, sources, &chats, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&chats), (GDestroyNotify)g_ptr_array_unref);
}

/**
 * confab_import_file_async:
 * @project: (nullable): where the chats go; %NULL for "Imported"
 *
 * See confab_import_file().
 */
void
confab_import_file_async (ConfabStore         *store,
                          const char          *path,
                          ConfabProject       *project,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) reader = NULL;
  ImportData *data;

  g_return_if_fail (CONFAB_IS_STORE (store));
  g_return_if_fail (path != NULL);
  g_return_if_fail (project == NULL || CONFAB_IS_PROJECT (project));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (ImportData, 1);
  data->store = g_object_ref (store);
  data->project = project != NULL ? g_object_ref (project) : NULL;
  data->path = g_strdup (path);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_import_file_async);
  g_task_set_task_data (task, data, (GDestroyNotify)import_data_free);

  /* The reader has no source object: the store must not be touched (or
   * finalized) in the worker thread. */
  reader = g_task_new (NULL, cancellable, on_read_cb, g_steal_pointer (&task));
  g_task_set_source_tag (reader, confab_import_file_async);
  g_task_set_task_data (reader, data, NULL);
  g_task_run_in_thread (reader, read_in_thread);
}

/**
 * confab_import_file_finish:
 *
 * Returns: (transfer full) (element-type ConfabChat) (nullable): the new
 *   chats, or %NULL with @error set
 */
GPtrArray *
confab_import_file_finish (ConfabStore   *store,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == confab_import_file_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
