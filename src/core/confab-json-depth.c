/* confab-json-depth.c: a bound on how deep untrusted JSON may nest
 *
 * Written by hand: JSON-GLib has no depth limit, and this is one linear
 * pass over the bytes (strings skipped, escapes honoured).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-json-depth.h"

gboolean
confab_json_nests_deeper (const char *text,
                          gssize      length,
                          guint       max_depth)
{
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  guint depth = 0;
  gsize n;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);

  n = length < 0 ? strlen (text) : (gsize) length;
  for (gsize i = 0; i < n; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > max_depth)
            return TRUE;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return FALSE;
}
