/* confab-ndjson-reader.h: splits a newline-delimited JSON stream into lines.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* line is NUL-terminated, valid UTF-8, without its line end, never empty. */
typedef void (*ConfabNdjsonLineFunc) (const char *line,
                                      gsize       len,
                                      gpointer    user_data);

typedef struct _ConfabNdjsonReader ConfabNdjsonReader;

ConfabNdjsonReader *confab_ndjson_reader_new    (void);
void                confab_ndjson_reader_free   (ConfabNdjsonReader   *self);
void                confab_ndjson_reader_feed   (ConfabNdjsonReader   *self,
                                                 const guint8         *bytes,
                                                 gsize                 len,
                                                 ConfabNdjsonLineFunc  func,
                                                 gpointer              user_data);
/* End of stream: a last line without its newline is still a line. */
void                confab_ndjson_reader_finish (ConfabNdjsonReader   *self,
                                                 ConfabNdjsonLineFunc  func,
                                                 gpointer              user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabNdjsonReader, confab_ndjson_reader_free)

G_END_DECLS
