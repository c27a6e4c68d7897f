/* confab-protocol.h: the room protocol's vocabulary, shared by confabd and
 * the room client (docs/protocol.md is the reference).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CONFAB_PROTOCOL_VERSION        1
#define CONFAB_PROTOCOL_MAX_FRAME      (256 * 1024)
#define CONFAB_PROTOCOL_MAX_TEXT       (128 * 1024)
/* Objects and arrays nested deeper than this make a frame BAD_FRAME. */
#define CONFAB_PROTOCOL_MAX_DEPTH      64
#define CONFAB_PROTOCOL_MAX_HISTORY    200
/* How often a relaying client sends the reply's new text: batching keeps a
 * fast model under the server's 40 frames/s per connection. */
#define CONFAB_PROTOCOL_DELTA_INTERVAL_MS 100

/* Error codes of "error" frames; confab_protocol_error_code_to_string gives
 * the wire name. */
#define CONFAB_PROTOCOL_ERROR (confab_protocol_error_quark ())

typedef enum
{
  CONFAB_PROTOCOL_ERROR_BAD_FRAME,
  CONFAB_PROTOCOL_ERROR_TOO_LARGE,
  CONFAB_PROTOCOL_ERROR_UNKNOWN_TYPE,
  CONFAB_PROTOCOL_ERROR_INVALID,
  CONFAB_PROTOCOL_ERROR_BAD_VERSION,
  CONFAB_PROTOCOL_ERROR_UNAUTHORIZED,
  CONFAB_PROTOCOL_ERROR_EXPIRED,
  CONFAB_PROTOCOL_ERROR_REGISTER_CLOSED,
  CONFAB_PROTOCOL_ERROR_CONFLICT,
  CONFAB_PROTOCOL_ERROR_NOT_FOUND,
  CONFAB_PROTOCOL_ERROR_FORBIDDEN,
  CONFAB_PROTOCOL_ERROR_RATE_LIMITED,
  CONFAB_PROTOCOL_ERROR_INTERNAL,
  /* The server's database cannot be reached: nothing was stored, the same
   * frame can be sent again in a moment (retry_after). */
  CONFAB_PROTOCOL_ERROR_UNAVAILABLE,
} ConfabProtocolError;

GQuark       confab_protocol_error_quark           (void);
const char  *confab_protocol_error_to_string       (ConfabProtocolError code);
/* Unknown names map to INTERNAL. */
ConfabProtocolError confab_protocol_error_from_string (const char *name);

/* Roles, most powerful first, so a lower value outranks a higher one. */
typedef enum
{
  CONFAB_ROOM_ROLE_OWNER,
  CONFAB_ROOM_ROLE_ADMIN,
  CONFAB_ROOM_ROLE_MEMBER,
  CONFAB_ROOM_ROLE_VIEWER,
  CONFAB_ROOM_ROLE_NONE,           /* not a member */
} ConfabRoomRole;

const char  *confab_room_role_to_string                 (ConfabRoomRole  role);
/* FALSE for anything but the four role names. */
gboolean     confab_room_role_from_string               (const char *name,
                                                    ConfabRoomRole *role);

/* What a frame asks to do, for the permission table of docs/protocol.md. */
typedef enum
{
  CONFAB_ACTION_READ,              /* join, leave, history, members */
  CONFAB_ACTION_TYPING,
  CONFAB_ACTION_WRITE,             /* chat.create/rename, message.create, thread.create, stream.* */
  CONFAB_ACTION_EDIT_OWN,          /* message.edit/delete of one's own */
  CONFAB_ACTION_EDIT_OTHERS,
  CONFAB_ACTION_INVITE,            /* invite.create for member/viewer, invites, invite.revoke */
  CONFAB_ACTION_INVITE_ADMIN,
  CONFAB_ACTION_MANAGE_MEMBERS,    /* member.role/remove of a member or viewer */
  CONFAB_ACTION_MANAGE_ADMINS,     /* member.role/remove of an admin */
  CONFAB_ACTION_MANAGE_ROOM,       /* room.rename, room.delete */
} ConfabAction;

/* The permission table: whether @role may do @action. The server enforces
 * it; clients use it to offer only what will be accepted. */
gboolean     confab_room_role_allows                    (ConfabRoomRole   role,
                                                    ConfabAction action);

/* Ids the server makes: a prefix ("r", "c", "m") and 16 random hex digits. */
char        *confab_protocol_new_id                (char         prefix);
/* A random token: @n_bytes from the system's CSPRNG in base64url, no padding,
 * never starting with '-'. */
char        *confab_protocol_new_token             (gsize        n_bytes);
/* SHA-256 of a token, hex: what the server stores. */
char        *confab_protocol_hash_token            (const char  *token);

/* ---- Frames */

/* Parses one text frame: an object with a string "type" (returned in
 * *type, owned by the node). BAD_FRAME otherwise, with what is wrong. */
JsonNode    *confab_protocol_parse                 (const char  *text,
                                                    gsize        length,
                                                    const char **type,
                                                    GError     **error);
/* A compact JSON string of @node. */
char        *confab_protocol_to_string             (JsonNode    *node);

/* Typed member access for validation: each returns FALSE and sets INVALID
 * ("“room” must be a string") when the member is missing (and not
 * optional) or of the wrong type. Strings must be non-empty valid UTF-8. */
gboolean     confab_protocol_get_string            (JsonObject  *frame,
                                                    const char  *member,
                                                    gboolean     optional,
                                                    const char **value,
                                                    GError     **error);
gboolean     confab_protocol_get_int               (JsonObject  *frame,
                                                    const char  *member,
                                                    gboolean     optional,
                                                    gint64      *value,
                                                    GError     **error);

/* A boolean member, or @default_value when it is missing or not a boolean
 * (never a critical, whatever a server sent). */
gboolean     confab_protocol_get_boolean           (JsonObject  *frame,
                                                    const char  *member,
                                                    gboolean     default_value);

/* {"type":"stream.delta","room","message","text","offset"}: @text is the
 * new piece, @offset the bytes of reply text before it. */
JsonNode    *confab_protocol_delta_frame           (const char  *room,
                                                    const char  *message,
                                                    const char  *text,
                                                    gsize        offset);

/* The request id of a frame ("id": a string or integer) as a node to echo
 * back as "re", or NULL. */
JsonNode    *confab_protocol_dup_id                (JsonObject  *frame);

/* {"type":"error","re":…,"code":…,"message":…} from an error in the
 * CONFAB_PROTOCOL_ERROR domain (any other domain is sent as "internal"
 * with a generic message). @retry_after > 0 adds "retry_after". */
JsonNode    *confab_protocol_error_frame           (JsonNode     *re,
                                                    const GError *error,
                                                    gint64        retry_after);
/* Turns a received "error" frame into a GError (CONFAB_PROTOCOL_ERROR). */
GError      *confab_protocol_error_from_frame      (JsonObject   *frame);

G_END_DECLS
