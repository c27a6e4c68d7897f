/* confab-import-private.h: what the import readers share: the chats read
 * from a file, before anything touches the store.
 *
 * Reading builds only these plain structures (no GObject, no store), so it
 * can run in a worker thread and a bad file is refused before the first
 * write.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "confab-import.h"

G_BEGIN_DECLS

typedef struct
{
  ConfabRole           role;
  ConfabMessageStatus  status;
  char                *author;
  char                *provider;
  char                *model;
  char                *text;
  char                *error;
  gint64               created;        /* Unix microseconds */
  gint64               input_tokens;   /* -1 unknown */
  gint64               output_tokens;
  GPtrArray           *thread;         /* ConfabImportMessage, or NULL */
} ConfabImportMessage;

typedef struct
{
  char      *title;
  char      *model;
  gint64     created;
  gint64     updated;
  GPtrArray *messages; /* ConfabImportMessage, the current line in order */
} ConfabImportChat;

ConfabImportMessage *_confab_import_message_new  (void);
void                 _confab_import_message_free (ConfabImportMessage *message);
ConfabImportChat    *_confab_import_chat_new     (void);
void                 _confab_import_chat_free    (ConfabImportChat    *chat);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabImportMessage, _confab_import_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabImportChat, _confab_import_chat_free)

/* Sets CONFAB_IMPORT_ERROR_INVALID: "“@name”: @where: <what>". */
void     _confab_import_set_invalid (GError     **error,
                                     const char  *name,
                                     const char  *where,
                                     const char  *format,
                                     ...) G_GNUC_PRINTF (4, 5);

/* Typed members. Absent and null read as NULL / unset and are not errors;
 * a member of another type is, with @where in the message. */
gboolean _confab_import_get_string  (JsonObject  *object,
                                     const char  *member,
                                     const char **value,
                                     const char  *name,
                                     const char  *where,
                                     GError     **error);
gboolean _confab_import_get_int     (JsonObject  *object,
                                     const char  *member,
                                     gint64      *value,
                                     const char  *name,
                                     const char  *where,
                                     GError     **error);
/* An ISO 8601 string or Unix seconds (integer or fractional), as Unix
 * microseconds; *value is left alone when the member is absent or null. */
gboolean _confab_import_get_time    (JsonObject  *object,
                                     const char  *member,
                                     gint64      *value,
                                     const char  *name,
                                     const char  *where,
                                     GError     **error);
/* NULL (not an error) when absent or null. */
gboolean _confab_import_get_array   (JsonObject  *object,
                                     const char  *member,
                                     JsonArray  **value,
                                     const char  *name,
                                     const char  *where,
                                     GError     **error);
gboolean _confab_import_get_object  (JsonObject  *object,
                                     const char  *member,
                                     JsonObject **value,
                                     const char  *name,
                                     const char  *where,
                                     GError     **error);

/* An export file's bytes as JSON (its depth checked first), or NULL with
 * a PARSE error naming @name. */
JsonNode *_confab_import_parse       (const char  *data,
                                      gsize        length,
                                      const char  *name,
                                      GError     **error);

/* An export file's chats (ConfabImportChat), its format detected, or
 * NULL with an error naming @name: what importing a file does before
 * anything is stored. */
GPtrArray *_confab_import_read_bytes (const char  *data,
                                      gsize        length,
                                      const char  *name,
                                      GError     **error);

/* The readers: check @root and append ConfabImportChat to @chats. */
gboolean _confab_import_read_confab  (JsonNode    *root,
                                      const char  *name,
                                      GPtrArray   *chats,
                                      GError     **error);
gboolean _confab_import_read_chatgpt (JsonNode    *root,
                                      const char  *name,
                                      GPtrArray   *chats,
                                      GError     **error);

G_END_DECLS
