/* confab-ndjson-reader.c: newline-delimited JSON (Ollama's native stream).
 *
 * Written by hand because GLib has no incremental line splitter that works
 * on pushed bytes (GDataInputStream pulls, which makes replaying a recorded
 * stream split at every byte awkward); it only finds line ends, json-glib
 * parses each line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-ndjson"

#include "confab-ndjson-reader.h"

#include <string.h>

struct _ConfabNdjsonReader
{
  GByteArray *line;
};

ConfabNdjsonReader *
confab_ndjson_reader_new (void)
{
  ConfabNdjsonReader *self = g_new0 (ConfabNdjsonReader, 1);

  self->line = g_byte_array_new ();

  return self;
}

void
confab_ndjson_reader_free (ConfabNdjsonReader *self)
{
  if (self == NULL)
    return;

  g_byte_array_unref (self->line);
  g_free (self);
}

static void
emit_line (ConfabNdjsonReader   *self,
           ConfabNdjsonLineFunc  func,
           gpointer              user_data)
{
  g_autofree char *valid = NULL;
  const char *start = (const char *) self->line->data;
  gsize len = self->line->len;

  /* Blank lines and the CR of CRLF are not part of any object. */
  while (len > 0 && g_ascii_isspace (start[0]))
    start++, len--;
  while (len > 0 && g_ascii_isspace (start[len - 1]))
    len--;

  if (len > 0)
    {
      valid = g_utf8_make_valid (start, len);
      if (func != NULL)
        func (valid, strlen (valid), user_data);
    }

  g_byte_array_set_size (self->line, 0);
}

void
confab_ndjson_reader_feed (ConfabNdjsonReader   *self,
                           const guint8         *bytes,
                           gsize                 len,
                           ConfabNdjsonLineFunc  func,
                           gpointer              user_data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (bytes != NULL || len == 0);

  while (len > 0)
    {
      const guint8 *nl = memchr (bytes, '\n', len);
      gsize n = nl != NULL ? (gsize) (nl - bytes) : len;

      g_byte_array_append (self->line, bytes, n);

      if (nl == NULL)
        break;

      emit_line (self, func, user_data);
      bytes += n + 1;
      len -= n + 1;
    }
}

void
confab_ndjson_reader_finish (ConfabNdjsonReader   *self,
                             ConfabNdjsonLineFunc  func,
                             gpointer              user_data)
{
  g_return_if_fail (self != NULL);

  emit_line (self, func, user_data);
}
