/* confab-import.h: importing chats from a Confab JSON export or a ChatGPT
 * data export (conversations.json).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "confab-store.h"

G_BEGIN_DECLS

#define CONFAB_IMPORT_ERROR (confab_import_error_quark ())

/* Reading the file itself fails with G_IO_ERROR; what is in it with these.
 * Every message names the file and, where it can, the place in it. */
typedef enum
{
  /* Not JSON, or cut short (the message has the line and column). */
  CONFAB_IMPORT_ERROR_PARSE,
  /* JSON, but neither a Confab export nor a ChatGPT conversations.json. */
  CONFAB_IMPORT_ERROR_UNKNOWN_FORMAT,
  /* The right format with something wrong in it (what, and where). */
  CONFAB_IMPORT_ERROR_INVALID,
  /* A Confab export written by a newer version. */
  CONFAB_IMPORT_ERROR_UNSUPPORTED_VERSION,
  /* A valid file with no chat to import. */
  CONFAB_IMPORT_ERROR_EMPTY,
} ConfabImportError;

GQuark     confab_import_error_quark  (void);

/* Imports every chat of the file, detecting the format from the content,
 * into @project, or when NULL into the project named "Imported" (created
 * if there is none). All or nothing: one transaction, and a file that
 * cannot be read or understood creates nothing. Message and chat ids are
 * new; times, models, threads and token counts are kept.
 * @chats: (out) (optional) (transfer full) (element-type ConfabChat): the
 *   new chats, in file order. */
gboolean   confab_import_file         (ConfabStore    *store,
                                       const char     *path,
                                       ConfabProject  *project,
                                       GPtrArray     **chats,
                                       GError        **error);
/* The same from a stream; @name stands for the file in error messages. */
gboolean   confab_import_stream       (ConfabStore    *store,
                                       GInputStream   *stream,
                                       const char     *name,
                                       ConfabProject  *project,
                                       GPtrArray     **chats,
                                       GCancellable   *cancellable,
                                       GError        **error);

/* Reads and checks the file in a worker thread, then writes it to the
 * store in the calling thread's main context (the store is not
 * thread-safe). The result is the array of new chats. */
void       confab_import_file_async   (ConfabStore          *store,
                                       const char           *path,
                                       ConfabProject        *project,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
GPtrArray *confab_import_file_finish  (ConfabStore          *store,
                                       GAsyncResult         *result,
                                       GError              **error);

G_END_DECLS
