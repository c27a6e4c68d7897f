/* confab-import-chatgpt.c: reading conversations.json from a ChatGPT data
 * export.
 *
 * Each conversation is a tree: "mapping" maps node ids to nodes with a
 * "message", a "parent" and "children"; edits and regenerations are
 * siblings. "current_node" is the leaf the user last saw, so the line to
 * import is the way up from it to the root. Only what the user saw is
 * kept: user and assistant text, not system prompts, tool calls, hidden
 * context or empty nodes. Times are Unix seconds with a fraction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-import"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "confab-import-private.h"

/* When "current_node" is missing: from the root, the newest child at each
 * step (children are listed oldest first). */
static const char *
find_last_leaf (JsonObject *mapping)
{
  g_autoptr(GList) ids = json_object_get_members (mapping);
  const char *id = NULL;
  guint steps = 0;

  for (GList *l = ids; l != NULL && id == NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (mapping, l->data);
      JsonNode *parent;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      parent = json_object_get_member (json_node_get_object (node), "parent");
      if (parent == NULL || JSON_NODE_HOLDS_NULL (parent))
        id = l->data;
    }

  /* Bounded by the number of nodes in case the children loop. */
  while (id != NULL && steps++ < json_object_get_size (mapping))
    {
      JsonNode *node = json_object_get_member (mapping, id);
      JsonNode *children;
      JsonArray *array;
      JsonNode *last;

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        break;

      children = json_object_get_member (json_node_get_object (node), "children");
      if (children == NULL || !JSON_NODE_HOLDS_ARRAY (children))
        break;

      array = json_node_get_array (children);
      if (json_array_get_length (array) == 0)
        break;

      last = json_array_get_element (array, json_array_get_length (array) - 1);
      if (!JSON_NODE_HOLDS_VALUE (last) || json_node_get_value_type (last) != G_TYPE_STRING)
        break;

      id = json_node_get_string (last);
    }

  return id;
}

/* The nodes from the root down to @leaf_id (JsonObject, borrowed). */
static GPtrArray *
walk_up (JsonObject  *mapping,
         const char  *leaf_id,
         const char  *name,
         const char  *where,
         GError     **error)
{
  g_autoptr(GPtrArray) line = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *id = leaf_id;
  const char *child_id = NULL;

  while (id != NULL)
    {
      JsonNode *node = json_object_get_member (mapping, id);
      const char *parent = NULL;

      if (!g_hash_table_add (seen, (gpointer)id))
        {
          _confab_import_set_invalid (error, name, where,
                                      _("the mapping loops back to node “%s”"), id);
          return NULL;
        }

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          if (child_id != NULL)
            _confab_import_set_invalid (error, name, where,
                                        _("node “%s”, the parent of “%s”, is not in the "
                                          "mapping"), id, child_id);
          else
            _confab_import_set_invalid (error, name, where,
                                        _("the current node “%s” is not in the mapping"), id);
          return NULL;
        }

      if (!_confab_import_get_string (json_node_get_object (node), "parent", &parent, name,
                                      where, error))
        return NULL;

      g_ptr_array_add (line, json_node_get_object (node));
      child_id = id;
      id = parent;
    }

  /* Collected leaf first. */
  for (guint i = 0, j = line->len; i + 1 < j; i++, j--)
    {
      gpointer tmp = line->pdata[i];

      line->pdata[i] = line->pdata[j - 1];
      line->pdata[j - 1] = tmp;
    }

  return g_steal_pointer (&line);
}

/* The text the user saw: the string parts, with a marker for images. */
static gboolean
read_parts (JsonArray   *parts,
            GString     *text,
            const char  *name,
            const char  *where,
            GError     **error)
{
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonNode *part = json_array_get_element (parts, i);
      const char *piece = NULL;

      if (JSON_NODE_HOLDS_VALUE (part) && json_node_get_value_type (part) == G_TYPE_STRING)
        piece = json_node_get_string (part);
      else if (JSON_NODE_HOLDS_OBJECT (part))
        {
          const char *type = NULL;

          if (!_confab_import_get_string (json_node_get_object (part), "content_type", &type,
                                          name, where, error))
            return FALSE;
          if (type != NULL && strstr (type, "image") != NULL)
            piece = _("[image]");
        }
      else if (!JSON_NODE_HOLDS_NULL (part))
        {
          _confab_import_set_invalid (error, name, where,
                                      _("“parts” must hold strings or objects"));
          return FALSE;
        }

      if (piece == NULL || *piece == '\0')
        continue;

      if (text->len > 0)
        g_string_append (text, "\n\n");
      g_string_append (text, piece);
    }

  return TRUE;
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;

  return TRUE;
}

/* NULL with no error for what is not shown: system and tool messages,
 * hidden context, tool calls, other content types, empty text. */
static ConfabImportMessage *
read_message (JsonObject  *node,
              const char  *default_model,
              gint64       default_created,
              const char  *name,
              const char  *conversation,
              GError     **error)
{
  g_autoptr(ConfabImportMessage) message = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *where = NULL;
  JsonObject *object = NULL;
  JsonObject *author = NULL;
  JsonObject *content = NULL;
  JsonObject *metadata = NULL;
  JsonArray *parts = NULL;
  const char *id = NULL;
  const char *role = NULL;
  const char *recipient = NULL;
  const char *content_type = NULL;
  const char *model = NULL;

  if (!_confab_import_get_string (node, "id", &id, name, conversation, error))
    return NULL;

  where = id != NULL ? g_strdup_printf (_("%s, node “%s”"), conversation, id)
                     : g_strdup (conversation);

  if (!_confab_import_get_object (node, "message", &object, name, where, error))
    return NULL;

  /* The root and some structural nodes carry no message. */
  if (object == NULL)
    return NULL;

  if (!_confab_import_get_object (object, "author", &author, name, where, error) ||
      !_confab_import_get_object (object, "content", &content, name, where, error) ||
      !_confab_import_get_object (object, "metadata", &metadata, name, where, error) ||
      !_confab_import_get_string (object, "recipient", &recipient, name, where, error))
    return NULL;

  if (author == NULL ||
      !_confab_import_get_string (author, "role", &role, name, where, error))
    {
      if (author == NULL)
        _confab_import_set_invalid (error, name, where, _("the message has no “author”"));
      return NULL;
    }

  if (g_strcmp0 (role, "user") != 0 && g_strcmp0 (role, "assistant") != 0)
    return NULL;

  /* A message to a tool ("python", "browser") is a call, not an answer. */
  if (recipient != NULL && g_strcmp0 (recipient, "all") != 0)
    return NULL;

  if (metadata != NULL)
    {
      JsonNode *hidden = json_object_get_member (metadata, "is_visually_hidden_from_conversation");

      if (hidden != NULL && JSON_NODE_HOLDS_VALUE (hidden) &&
          json_node_get_value_type (hidden) == G_TYPE_BOOLEAN && json_node_get_boolean (hidden))
        return NULL;

      if (!_confab_import_get_string (metadata, "model_slug", &model, name, where, error))
        return NULL;
    }

  if (content == NULL)
    return NULL;

  if (!_confab_import_get_string (content, "content_type", &content_type, name, where, error) ||
      !_confab_import_get_array (content, "parts", &parts, name, where, error))
    return NULL;

  if (g_strcmp0 (content_type, "text") != 0 && g_strcmp0 (content_type, "multimodal_text") != 0)
    return NULL;

  if (parts != NULL && !read_parts (parts, text, name, where, error))
    return NULL;

  /* Whitespace only is as empty as nothing. */
  if (is_blank (text->str))
    return NULL;

  message = _confab_import_message_new ();
  message->created = default_created;
  if (!_confab_import_get_time (object, "create_time", &message->created, name, where, error))
    return NULL;

  message->text = g_string_free (g_steal_pointer (&text), FALSE);

  if (g_str_equal (role, "assistant"))
    {
      if (model == NULL)
        model = default_model;

      message->role = CONFAB_ROLE_ASSISTANT;
      message->provider = g_strdup ("openai");
      message->model = g_strdup (model);
      message->author = model != NULL ? g_strdup_printf ("openai:%s", model) : g_strdup ("openai");
    }
  else
    {
      message->role = CONFAB_ROLE_USER;
      message->author = g_strdup (g_get_user_name ());
    }

  return g_steal_pointer (&message);
}

static gboolean
read_conversation (JsonNode    *node,
                   guint        index,
                   const char  *name,
                   GPtrArray   *chats,
                   GError     **error)
{
  g_autoptr(ConfabImportChat) chat = _confab_import_chat_new ();
  g_autoptr(GPtrArray) line = NULL;
  g_autofree char *where = g_strdup_printf (_("conversation %u"), index + 1);
  JsonObject *object;
  JsonObject *mapping = NULL;
  const char *title = NULL;
  const char *current = NULL;
  const char *default_model = NULL;
  gint64 created;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _confab_import_set_invalid (error, name, where, _("a conversation must be an object"));
      return FALSE;
    }

  object = json_node_get_object (node);
  if (!_confab_import_get_string (object, "title", &title, name, where, error))
    return FALSE;

  if (title != NULL && *title != '\0')
    {
      g_free (where);
      where = g_strdup_printf (_("conversation %u (“%s”)"), index + 1, title);
    }

  if (!_confab_import_get_object (object, "mapping", &mapping, name, where, error) ||
      !_confab_import_get_string (object, "current_node", &current, name, where, error) ||
      !_confab_import_get_string (object, "default_model_slug", &default_model, name, where,
                                  error) ||
      !_confab_import_get_time (object, "create_time", &chat->created, name, where, error) ||
      !_confab_import_get_time (object, "update_time", &chat->updated, name, where, error))
    return FALSE;

  if (mapping == NULL)
    {
      _confab_import_set_invalid (error, name, where, _("“mapping” is missing"));
      return FALSE;
    }

  if (current == NULL)
    current = find_last_leaf (mapping);

  line = walk_up (mapping, current, name, where, error);
  if (line == NULL)
    return FALSE;

  created = chat->created != 0 ? chat->created : g_get_real_time ();
  for (guint i = 0; i < line->len; i++)
    {
      ConfabImportMessage *message;
      g_autoptr(GError) local_error = NULL;

      message = read_message (g_ptr_array_index (line, i), default_model, created, name, where,
                              &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      if (message == NULL)
        continue;

      created = message->created;
      chat->updated = MAX (chat->updated, message->created);
      g_ptr_array_add (chat->messages, message);
    }

  /* Nothing the user would see (a conversation of system prompts). */
  if (chat->messages->len == 0)
    return TRUE;

  chat->title = g_strdup (title != NULL ? title : "");
  if (chat->created == 0)
    chat->created = ((ConfabImportMessage *)g_ptr_array_index (chat->messages, 0))->created;
  chat->updated = MAX (chat->updated, chat->created);

  g_ptr_array_add (chats, g_steal_pointer (&chat));
  return TRUE;
}

gboolean
_confab_import_read_chatgpt (JsonNode    *root,
                             const char  *name,
                             GPtrArray   *chats,
                             GError     **error)
{
  JsonArray *conversations;

  /* One conversation on its own, as some tools save it. */
  if (JSON_NODE_HOLDS_OBJECT (root))
    return read_conversation (root, 0, name, chats, error);

  conversations = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (conversations); i++)
    if (!read_conversation (json_array_get_element (conversations, i), i, name, chats, error))
      return FALSE;

  return TRUE;
}
