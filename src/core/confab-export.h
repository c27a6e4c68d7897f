/* confab-export.h: writing chats as Markdown or as a Confab JSON export
 * (docs/export-format.md), which confab_import_file() reads back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "confab-store.h"

G_BEGIN_DECLS

typedef enum
{
  CONFAB_EXPORT_FORMAT_MARKDOWN,
  CONFAB_EXPORT_FORMAT_JSON,
} ConfabExportFormat;

/* "markdown" (or "md") and "json", as the CLI's --format takes them. */
gboolean    confab_export_format_from_string (const char         *name,
                                              ConfabExportFormat *format);
/* "md" or "json", for a default file name. */
const char *confab_export_format_get_extension (ConfabExportFormat format);

/* Writes the chat's current line with its threads to @stream (which is
 * not closed). Markdown: the title, then "### author · time" and the text
 * of each message, threads as quoted sub-sections. JSON: one chat in a
 * "confab-chat" document. */
gboolean    confab_export_chat   (ConfabStore         *store,
                                  ConfabChat          *chat,
                                  ConfabExportFormat   format,
                                  GOutputStream       *stream,
                                  GCancellable        *cancellable,
                                  GError             **error);
/* Several chats in one document (@chats: ConfabChat). */
gboolean    confab_export_chats  (ConfabStore         *store,
                                  GPtrArray           *chats,
                                  ConfabExportFormat   format,
                                  GOutputStream       *stream,
                                  GCancellable        *cancellable,
                                  GError             **error);

G_END_DECLS
