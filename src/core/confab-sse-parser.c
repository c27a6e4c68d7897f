/* confab-sse-parser.c: text/event-stream parsing after the WHATWG rules
 * (HTML Living Standard, "Interpreting an event stream").
 *
 * Written by hand because neither GLib nor libsoup 3.2 offers an event-stream
 * parser (SoupEventSource does not exist in libsoup 3). It is a pure push
 * parser, bytes in and events out, so it can be fuzzed and replayed split at
 * every byte.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-sse"

#include "confab-sse-parser.h"

#include <string.h>

struct _ConfabSseParser
{
  GByteArray *line;          /* bytes of the current, unfinished line */
  GString    *data;
  GString    *type;
  GString    *last_event_id;
  gint64      retry;
  guint64     n_ends;        /* blank lines: events ended, dispatched or not */
  guint       seen_cr : 1;   /* the previous byte was CR: skip one LF */
  guint       bom_checked : 1;
  guint       pending : 1;   /* fields seen since the last dispatch */
};

ConfabSseParser *
confab_sse_parser_new (void)
{
  ConfabSseParser *self = g_new0 (ConfabSseParser, 1);

  self->line = g_byte_array_new ();
  self->data = g_string_new (NULL);
  self->type = g_string_new (NULL);
  self->last_event_id = g_string_new (NULL);
  self->retry = -1;

  return self;
}

void
confab_sse_parser_free (ConfabSseParser *self)
{
  if (self == NULL)
    return;

  g_byte_array_unref (self->line);
  g_string_free (self->data, TRUE);
  g_string_free (self->type, TRUE);
  g_string_free (self->last_event_id, TRUE);
  g_free (self);
}

static void
dispatch (ConfabSseParser    *self,
          ConfabSseEventFunc  func,
          gpointer            user_data)
{
  ConfabSseEvent event;

  self->pending = FALSE;
  self->n_ends++;

  if (self->data->len == 0)
    {
      g_string_truncate (self->type, 0);
      return;
    }

  /* The data buffer always ends with the LF appended after each line. */
  g_string_truncate (self->data, self->data->len - 1);

  event.type = self->type->len > 0 ? self->type->str : "message";
  event.data = self->data->str;
  event.last_event_id = self->last_event_id->str;

  if (func != NULL)
    func (&event, user_data);

  g_string_truncate (self->data, 0);
  g_string_truncate (self->type, 0);
}

static gboolean
all_ascii_digits (const char *s,
                  gsize       len)
{
  if (len == 0)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if (s[i] < '0' || s[i] > '9')
      return FALSE;

  return TRUE;
}

static void
process_field (ConfabSseParser *self,
               const char      *field,
               gsize            field_len,
               const char      *value,
               gsize            value_len,
               gboolean         had_nul)
{
#define FIELD_IS(name) (field_len == strlen (name) && memcmp (field, name, field_len) == 0)
  if (FIELD_IS ("event"))
    {
      g_string_truncate (self->type, 0);
      g_string_append_len (self->type, value, value_len);
      self->pending = TRUE;
    }
  else if (FIELD_IS ("data"))
    {
      g_string_append_len (self->data, value, value_len);
      g_string_append_c (self->data, '\n');
      self->pending = TRUE;
    }
  else if (FIELD_IS ("id"))
    {
      /* NULs were replaced while decoding, so the caller tells. */
      if (!had_nul)
        {
          g_string_truncate (self->last_event_id, 0);
          g_string_append_len (self->last_event_id, value, value_len);
        }
    }
  else if (FIELD_IS ("retry"))
    {
      /* The value is not NUL-terminated: convert by hand. */
      if (all_ascii_digits (value, value_len) && value_len < 16)
        {
          gint64 ms = 0;

          for (gsize i = 0; i < value_len; i++)
            ms = ms * 10 + (value[i] - '0');
          self->retry = ms;
        }
    }
  /* Any other field is ignored, as the standard says. */
#undef FIELD_IS
}

static void
process_line (ConfabSseParser    *self,
              ConfabSseEventFunc  func,
              gpointer            user_data)
{
  g_autofree char *valid = NULL;
  const char *line;
  gsize len;
  const char *colon;
  gboolean had_nul;

  if (self->line->len == 0)
    {
      dispatch (self, func, user_data);
      return;
    }

  had_nul = memchr (self->line->data, '\0', self->line->len) != NULL;

  /* The stream is UTF-8; invalid sequences become U+FFFD like a decoder
   * would. Lines only end at ASCII bytes, so a character split across
   * chunks is always whole by now. */
  if (g_utf8_validate_len ((const char *) self->line->data, self->line->len, NULL))
    {
      line = (const char *) self->line->data;
      len = self->line->len;
    }
  else
    {
      valid = g_utf8_make_valid ((const char *) self->line->data, self->line->len);
      line = valid;
      len = strlen (valid);
    }

  if (line[0] == ':')
    return;

  colon = memchr (line, ':', len);
  if (colon != NULL)
    {
      const char *value = colon + 1;
      gsize value_len = len - (value - line);

      if (value_len > 0 && value[0] == ' ')
        {
          value++;
          value_len--;
        }

      process_field (self, line, colon - line, value, value_len, had_nul);
    }
  else
    {
      process_field (self, line, len, "", 0, had_nul);
    }
}

void
confab_sse_parser_feed (ConfabSseParser    *self,
                        const guint8       *bytes,
                        gsize               len,
                        ConfabSseEventFunc  func,
                        gpointer            user_data)
{
  gsize i = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (bytes != NULL || len == 0);

  while (i < len)
    {
      const guint8 *start = bytes + i;
      const guint8 *end = start;
      const guint8 *limit = bytes + len;

      if (self->seen_cr)
        {
          self->seen_cr = FALSE;
          if (*start == '\n')
            {
              i++;
              continue;
            }
        }

      while (end < limit && *end != '\n' && *end != '\r')
        end++;

      g_byte_array_append (self->line, start, end - start);
      i += end - start;

      /* A leading byte order mark is dropped once, per the standard; wait
       * for three bytes or the first line end, as it may arrive split. */
      if (!self->bom_checked && (self->line->len >= 3 || end < limit))
        {
          self->bom_checked = TRUE;
          if (self->line->len >= 3 && memcmp (self->line->data, "\xEF\xBB\xBF", 3) == 0)
            g_byte_array_remove_range (self->line, 0, 3);
        }

      if (end == limit)
        break;

      self->seen_cr = (*end == '\r');
      i++;

      process_line (self, func, user_data);
      g_byte_array_set_size (self->line, 0);
    }
}

gboolean
confab_sse_parser_finish (ConfabSseParser *self)
{
  gboolean cut_short;

  g_return_val_if_fail (self != NULL, FALSE);

  cut_short = self->line->len > 0 || self->pending || self->data->len > 0;

  g_byte_array_set_size (self->line, 0);
  g_string_truncate (self->data, 0);
  g_string_truncate (self->type, 0);
  self->pending = FALSE;
  self->seen_cr = FALSE;

  return cut_short;
}

gboolean
confab_sse_parser_in_event (ConfabSseParser *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->line->len > 0 || self->pending || self->data->len > 0;
}

guint64
confab_sse_parser_get_n_ends (ConfabSseParser *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_ends;
}

gint64
confab_sse_parser_get_retry (ConfabSseParser *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->retry;
}
