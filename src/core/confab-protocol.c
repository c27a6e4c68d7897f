/* confab-protocol.c: the room protocol's vocabulary, shared by confabd and
 * the room client.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confab-protocol"

#include "config.h"

#include <errno.h>
#include <sys/random.h>
#include <glib/gi18n-lib.h>

#include "confab-json-guard.h"
#include "confab-protocol.h"

G_DEFINE_QUARK (confab-protocol-error-quark, confab_protocol_error)

static const char * const error_names[] = {
  [CONFAB_PROTOCOL_ERROR_BAD_FRAME] = "bad_frame",
  [CONFAB_PROTOCOL_ERROR_TOO_LARGE] = "too_large",
  [CONFAB_PROTOCOL_ERROR_UNKNOWN_TYPE] = "unknown_type",
  [CONFAB_PROTOCOL_ERROR_INVALID] = "invalid",
  [CONFAB_PROTOCOL_ERROR_BAD_VERSION] = "bad_version",
  [CONFAB_PROTOCOL_ERROR_UNAUTHORIZED] = "unauthorized",
  [CONFAB_PROTOCOL_ERROR_EXPIRED] = "expired",
  [CONFAB_PROTOCOL_ERROR_REGISTER_CLOSED] = "register_closed",
  [CONFAB_PROTOCOL_ERROR_CONFLICT] = "conflict",
  [CONFAB_PROTOCOL_ERROR_NOT_FOUND] = "not_found",
  [CONFAB_PROTOCOL_ERROR_FORBIDDEN] = "forbidden",
  [CONFAB_PROTOCOL_ERROR_RATE_LIMITED] = "rate_limited",
  [CONFAB_PROTOCOL_ERROR_INTERNAL] = "internal",
  [CONFAB_PROTOCOL_ERROR_UNAVAILABLE] = "unavailable",
};

const char *
confab_protocol_error_to_string (ConfabProtocolError code)
{
  if ((guint) code >= G_N_ELEMENTS (error_names))
    return "internal";
  return error_names[code];
}

ConfabProtocolError
confab_protocol_error_from_string (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (error_names); i++)
    if (g_str_equal (name, error_names[i]))
      return i;
  return CONFAB_PROTOCOL_ERROR_INTERNAL;
}

static const char * const role_names[] = {
  [CONFAB_ROOM_ROLE_OWNER] = "owner",
  [CONFAB_ROOM_ROLE_ADMIN] = "admin",
  [CONFAB_ROOM_ROLE_MEMBER] = "member",
  [CONFAB_ROOM_ROLE_VIEWER] = "viewer",
};

const char *
confab_room_role_to_string (ConfabRoomRole role)
{
  if ((guint) role >= G_N_ELEMENTS (role_names))
    return "none";
  return role_names[role];
}

gboolean
confab_room_role_from_string (const char *name,
                         ConfabRoomRole *role)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (role_names); i++)
    if (g_str_equal (name, role_names[i]))
      {
        *role = i;
        return TRUE;
      }
  return FALSE;
}

/* The least powerful role allowed each action (docs/protocol.md, "Rooms,
 * roles, invites"). */
static const ConfabRoomRole action_floor[] = {
  [CONFAB_ACTION_READ] = CONFAB_ROOM_ROLE_VIEWER,
  [CONFAB_ACTION_TYPING] = CONFAB_ROOM_ROLE_MEMBER,
  [CONFAB_ACTION_WRITE] = CONFAB_ROOM_ROLE_MEMBER,
  [CONFAB_ACTION_EDIT_OWN] = CONFAB_ROOM_ROLE_MEMBER,
  [CONFAB_ACTION_EDIT_OTHERS] = CONFAB_ROOM_ROLE_ADMIN,
  [CONFAB_ACTION_INVITE] = CONFAB_ROOM_ROLE_ADMIN,
  [CONFAB_ACTION_INVITE_ADMIN] = CONFAB_ROOM_ROLE_OWNER,
  [CONFAB_ACTION_MANAGE_MEMBERS] = CONFAB_ROOM_ROLE_ADMIN,
  [CONFAB_ACTION_MANAGE_ADMINS] = CONFAB_ROOM_ROLE_OWNER,
  [CONFAB_ACTION_MANAGE_ROOM] = CONFAB_ROOM_ROLE_OWNER,
};

gboolean
confab_room_role_allows (ConfabRoomRole   role,
                    ConfabAction action)
{
  if (role >= CONFAB_ROOM_ROLE_NONE || (guint) action >= G_N_ELEMENTS (action_floor))
    return FALSE;
  return role <= action_floor[action];
}

static void
fill_random (guint8 *buffer,
             gsize   length)
{
  gsize done = 0;

  /* getrandom() blocks only before the pool is seeded at boot, and never
   * fails for requests of this size otherwise. */
  while (done < length)
    {
      ssize_t n = getrandom (buffer + done, length - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("getrandom() failed: %s", g_strerror (errno));
        }
      done += n;
    }
}

char *
confab_protocol_new_id (char prefix)
{
  guint8 bytes[8];
  GString *id = g_string_sized_new (18);

  fill_random (bytes, sizeof bytes);
  g_string_append_c (id, prefix);
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (id, "%02x", bytes[i]);
  return g_string_free (id, FALSE);
}

char *
confab_protocol_new_token (gsize n_bytes)
{
  g_autofree guint8 *bytes = g_malloc (n_bytes);
  g_autofree char *base64 = NULL;
  GString *token;

  fill_random (bytes, n_bytes);
  base64 = g_base64_encode (bytes, n_bytes);
  explicit_bzero (bytes, n_bytes);

  /* base64url without padding: safe in URLs and on a command line. */
  token = g_string_new (NULL);
  for (const char *p = base64; *p != '\0'; p++)
    {
      if (*p == '+')
        g_string_append_c (token, '-');
      else if (*p == '/')
        g_string_append_c (token, '_');
      else if (*p != '=')
        g_string_append_c (token, *p);
    }
  explicit_bzero (base64, strlen (base64));
  /* Never a leading '-': a token is pasted on command lines (room join
   * TOKEN), where it would read as an option. Costs a sliver of one
   * character's 6 bits. */
  if (token->len > 0 && token->str[0] == '-')
    token->str[0] = 'A';
  return g_string_free (token, FALSE);
}

char *
confab_protocol_hash_token (const char *token)
{
  g_return_val_if_fail (token != NULL, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

/* Whether every string and member name under @node is valid UTF-8, and
 * every number an integer. The bytes were UTF-8, but an escape such as
 * "\ud800" (half a surrogate pair) decodes to bytes that are not; and a
 * double may not survive being written back. Either would be sent on as
 * it is (both found by fuzz-frame). */
static gboolean
values_are_sound (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          if (!g_utf8_validate (name, -1, NULL) || !values_are_sound (member))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!values_are_sound (json_array_get_element (array, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return g_utf8_validate (json_node_get_string (node), -1, NULL);
      /* The protocol's numbers are integers. JSON-GLib 1.6 writes some
       * doubles back as invalid JSON ("2e+156.0"), and 1e999 parses as
       * infinity: a frame with a fraction or an exponent is refused. */
      return json_node_get_value_type (node) != G_TYPE_DOUBLE;
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

JsonNode *
confab_protocol_parse (const char  *text,
                       gsize        length,
                       const char **type,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonNode *type_node;

  /* An empty message's bytes may come as NULL. */
  if (text == NULL)
    {
      text = "";
      length = 0;
    }

  if (!g_utf8_validate (text, length, NULL))
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
                           _("The frame is not valid UTF-8."));
      return NULL;
    }

  /* JSON-GLib would exhaust its stack on "[[[[…" and leak on "{}{}"
   * (confab-json-guard.h). */
  switch (confab_json_check (text, length, CONFAB_PROTOCOL_MAX_DEPTH))
    {
    case CONFAB_JSON_FAULT_TOO_DEEP:
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
                   _("The frame nests objects and arrays more than %d deep."),
                   CONFAB_PROTOCOL_MAX_DEPTH);
      return NULL;
    case CONFAB_JSON_FAULT_TRAILING:
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
                           _("The frame holds more than one JSON value."));
      return NULL;
    case CONFAB_JSON_FAULT_BAD_SURROGATE:
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
                           _("The frame has a malformed surrogate pair."));
      return NULL;
    case CONFAB_JSON_FAULT_NOT_JSON:
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
                           _("The frame has a comment or a single-quoted string, "
                             "which JSON does not allow."));
      return NULL;
    case CONFAB_JSON_FAULT_NONE:
      break;
    }

  if (!json_parser_load_from_data (parser, text, length, &local_error))
    {
      /* JSON-GLib quotes the bad token, decoded: "\ud800" in it comes out
       * as bytes that are not UTF-8, and the message goes back to the
       * client (found by fuzz-dispatch: libsoup refused to send it). */
      g_autofree char *message = g_utf8_make_valid (local_error->message, -1);

      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
                   _("The frame is not valid JSON: %s"), message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
                           _("A frame must be a JSON object."));
      return NULL;
    }

  if (!values_are_sound (root))
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
                           _("The frame has text that is not valid UTF-8 (half of a "
                             "surrogate pair?) or a number that is not an integer."));
      return NULL;
    }

  object = json_node_get_object (root);
  type_node = json_object_get_member (object, "type");
  if (type_node == NULL || json_node_get_value_type (type_node) != G_TYPE_STRING
      || *json_node_get_string (type_node) == '\0')
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_BAD_FRAME,
                           _("A frame must have a string “type”."));
      return NULL;
    }

  if (type != NULL)
    *type = json_node_get_string (type_node);
  return json_node_ref (root);
}

gboolean
confab_protocol_get_boolean (JsonObject *frame,
                             const char *member,
                             gboolean    default_value)
{
  JsonNode *node = frame != NULL ? json_object_get_member (frame, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return default_value;
  return json_node_get_boolean (node);
}

char *
confab_protocol_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

gboolean
confab_protocol_get_string (JsonObject  *frame,
                            const char  *member,
                            gboolean     optional,
                            const char **value,
                            GError     **error)
{
  JsonNode *node = json_object_get_member (frame, member);

  *value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (optional)
        return TRUE;
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                   _("“%s” is missing."), member);
      return FALSE;
    }

  /* json-glib validates UTF-8 when parsing, so a string here is valid. */
  if (json_node_get_value_type (node) != G_TYPE_STRING
      || *json_node_get_string (node) == '\0')
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                   _("“%s” must be a non-empty string."), member);
      return FALSE;
    }

  *value = json_node_get_string (node);
  return TRUE;
}

gboolean
confab_protocol_get_int (JsonObject  *frame,
                         const char  *member,
                         gboolean     optional,
                         gint64      *value,
                         GError     **error)
{
  JsonNode *node = json_object_get_member (frame, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (optional)
        return TRUE;
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                   _("“%s” is missing."), member);
      return FALSE;
    }

  if (json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                   _("“%s” must be an integer."), member);
      return FALSE;
    }

  *value = json_node_get_int (node);
  return TRUE;
}

JsonNode *
confab_protocol_delta_frame (const char *room,
                             const char *message,
                             const char *text,
                             gsize       offset)
{
  g_autoptr(JsonObject) frame = json_object_new ();

  json_object_set_string_member (frame, "type", "stream.delta");
  json_object_set_string_member (frame, "room", room);
  json_object_set_string_member (frame, "message", message);
  json_object_set_string_member (frame, "text", text);
  json_object_set_int_member (frame, "offset", offset);

  return json_node_init_object (json_node_alloc (), frame);
}

JsonNode *
confab_protocol_dup_id (JsonObject *frame)
{
  JsonNode *node = json_object_get_member (frame, "id");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) != G_TYPE_STRING
      && json_node_get_value_type (node) != G_TYPE_INT64)
    return NULL;
  return json_node_copy (node);
}

JsonNode *
confab_protocol_error_frame (JsonNode     *re,
                             const GError *error,
                             gint64        retry_after)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gboolean ours = error != NULL && error->domain == CONFAB_PROTOCOL_ERROR;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "error");
  if (re != NULL)
    {
      json_builder_set_member_name (builder, "re");
      json_builder_add_value (builder, json_node_copy (re));
    }
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder,
                                 confab_protocol_error_to_string (ours ? error->code
                                                                  : CONFAB_PROTOCOL_ERROR_INTERNAL));
  json_builder_set_member_name (builder, "message");
  /* Internal failures are logged by the server, not shown to clients. */
  json_builder_add_string_value (builder, ours ? error->message
                                 : _("The server failed to do this. Try again later."));
  if (retry_after > 0)
    {
      json_builder_set_member_name (builder, "retry_after");
      json_builder_add_int_value (builder, retry_after);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

GError *
confab_protocol_error_from_frame (JsonObject *frame)
{
  const char *code = json_object_get_string_member_with_default (frame, "code", NULL);
  const char *message = json_object_get_string_member_with_default (frame, "message", NULL);

  return g_error_new_literal (CONFAB_PROTOCOL_ERROR,
                              confab_protocol_error_from_string (code),
                              message != NULL && *message != '\0'
                              ? message : _("The server refused the request."));
}
