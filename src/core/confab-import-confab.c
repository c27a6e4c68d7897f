/* confab-import-confab.c: reading a Confab JSON export (docs/export-format.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-import"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-import-private.h"

/* The format version this build reads and writes. */
#define CONFAB_EXPORT_VERSION 1

static ConfabImportMessage *
read_message (JsonNode    *node,
              const char  *name,
              const char  *where,
              gboolean     in_thread,
              gint64       default_created,
              GError     **error)
{
  g_autoptr(ConfabImportMessage) message = _confab_import_message_new ();
  JsonObject *object;
  JsonArray *thread = NULL;
  const char *role = NULL;
  const char *status = NULL;
  const char *text = NULL;
  const char *author = NULL;
  const char *provider = NULL;
  const char *model = NULL;
  const char *error_text = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _confab_import_set_invalid (error, name, where, _("a message must be an object"));
      return NULL;
    }

  object = json_node_get_object (node);
  message->created = default_created;

  if (!_confab_import_get_string (object, "role", &role, name, where, error) ||
      !_confab_import_get_string (object, "text", &text, name, where, error) ||
      !_confab_import_get_string (object, "author", &author, name, where, error) ||
      !_confab_import_get_string (object, "provider", &provider, name, where, error) ||
      !_confab_import_get_string (object, "model", &model, name, where, error) ||
      !_confab_import_get_string (object, "status", &status, name, where, error) ||
      !_confab_import_get_string (object, "error", &error_text, name, where, error) ||
      !_confab_import_get_time (object, "created", &message->created, name, where, error) ||
      !_confab_import_get_int (object, "input_tokens", &message->input_tokens, name, where,
                               error) ||
      !_confab_import_get_int (object, "output_tokens", &message->output_tokens, name, where,
                               error) ||
      !_confab_import_get_array (object, "thread", &thread, name, where, error))
    return NULL;

  if (role == NULL || !confab_role_from_string (role, &message->role))
    {
      _confab_import_set_invalid (error, name, where,
                                  _("“role” must be “user”, “assistant” or “system”"));
      return NULL;
    }

  if (status != NULL && !confab_message_status_from_string (status, &message->status))
    {
      _confab_import_set_invalid (error, name, where, _("unknown “status” “%s”"), status);
      return NULL;
    }

  /* Nothing is streaming it any more. */
  if (message->status == CONFAB_MESSAGE_STATUS_STREAMING)
    message->status = CONFAB_MESSAGE_STATUS_CANCELLED;

  message->text = g_strdup (text != NULL ? text : "");
  message->author = g_strdup (author);
  message->provider = g_strdup (provider);
  message->model = g_strdup (model);
  message->error = g_strdup (error_text);
  message->input_tokens = MAX (message->input_tokens, -1);
  message->output_tokens = MAX (message->output_tokens, -1);

  if (thread != NULL && json_array_get_length (thread) > 0)
    {
      gint64 created = message->created;

      if (in_thread)
        {
          _confab_import_set_invalid (error, name, where,
                                      _("a thread reply cannot have a thread"));
          return NULL;
        }

      message->thread = g_ptr_array_new_with_free_func (
        (GDestroyNotify)_confab_import_message_free);

      for (guint i = 0; i < json_array_get_length (thread); i++)
        {
          g_autofree char *reply_where = g_strdup_printf ("%s.thread[%u]", where, i);
          ConfabImportMessage *reply;

          reply = read_message (json_array_get_element (thread, i), name, reply_where,
                                TRUE, created, error);
          if (reply == NULL)
            return NULL;

          created = reply->created;
          g_ptr_array_add (message->thread, reply);
        }
    }

  return g_steal_pointer (&message);
}

static gint64
latest_time (ConfabImportChat *chat)
{
  gint64 latest = chat->created;

  for (guint i = 0; i < chat->messages->len; i++)
    {
      ConfabImportMessage *message = g_ptr_array_index (chat->messages, i);

      latest = MAX (latest, message->created);
      for (guint j = 0; message->thread != NULL && j < message->thread->len; j++)
        latest = MAX (latest, ((ConfabImportMessage *)g_ptr_array_index (message->thread,
                                                                         j))->created);
    }

  return latest;
}

static ConfabImportChat *
read_chat (JsonNode    *node,
           const char  *name,
           const char  *where,
           GError     **error)
{
  g_autoptr(ConfabImportChat) chat = _confab_import_chat_new ();
  JsonObject *object;
  JsonArray *messages = NULL;
  const char *title = NULL;
  const char *model = NULL;
  gint64 created;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _confab_import_set_invalid (error, name, where, _("a chat must be an object"));
      return NULL;
    }

  object = json_node_get_object (node);
  chat->created = 0;

  if (!_confab_import_get_string (object, "title", &title, name, where, error) ||
      !_confab_import_get_string (object, "model", &model, name, where, error) ||
      !_confab_import_get_time (object, "created", &chat->created, name, where, error) ||
      !_confab_import_get_array (object, "messages", &messages, name, where, error))
    return NULL;

  if (messages == NULL)
    {
      _confab_import_set_invalid (error, name, where, _("“messages” is missing"));
      return NULL;
    }

  chat->title = g_strdup (title != NULL ? title : "");
  chat->model = g_strdup (model);

  created = chat->created != 0 ? chat->created : g_get_real_time ();
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      g_autofree char *message_where = g_strdup_printf ("%s.messages[%u]", where, i);
      ConfabImportMessage *message;

      message = read_message (json_array_get_element (messages, i), name, message_where,
                              FALSE, created, error);
      if (message == NULL)
        return NULL;

      created = message->created;
      g_ptr_array_add (chat->messages, message);
    }

  if (chat->created == 0)
    chat->created = chat->messages->len > 0
                    ? ((ConfabImportMessage *)g_ptr_array_index (chat->messages, 0))->created
                    : g_get_real_time ();
  chat->updated = latest_time (chat);

  return g_steal_pointer (&chat);
}

gboolean
_confab_import_read_confab (JsonNode    *root,
                            const char  *name,
                            GPtrArray   *chats,
                            GError     **error)
{
  JsonObject *object = json_node_get_object (root);
  JsonArray *array = NULL;
  gint64 version = 0;

  if (!_confab_import_get_int (object, "version", &version, name, _("the top level"), error) ||
      !_confab_import_get_array (object, "chats", &array, name, _("the top level"), error))
    return FALSE;

  if (version > CONFAB_EXPORT_VERSION)
    {
      g_set_error (error, CONFAB_IMPORT_ERROR, CONFAB_IMPORT_ERROR_UNSUPPORTED_VERSION,
                   _("“%s” was written by a newer version of Confab (format version %lld; "
                     "this version reads %d)"),
                   name, (long long)version, CONFAB_EXPORT_VERSION);
      return FALSE;
    }

  if (version < 1)
    {
      _confab_import_set_invalid (error, name, _("the top level"),
                                  _("“version” is missing or not a format version"));
      return FALSE;
    }

  if (array == NULL)
    {
      _confab_import_set_invalid (error, name, _("the top level"), _("“chats” is missing"));
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *where = g_strdup_printf ("chats[%u]", i);
      ConfabImportChat *chat = read_chat (json_array_get_element (array, i), name, where, error);

      if (chat == NULL)
        return FALSE;

      g_ptr_array_add (chats, chat);
    }

  return TRUE;
}
