/* confab-json-guard.c: what untrusted JSON must pass before JSON-GLib sees it
 *
 * Written by hand: JSON-GLib has neither a depth limit nor a way to refuse
 * trailing values, and leaks on malformed surrogate pairs. This is one
 * linear pass over the bytes that reads strings and escapes as JSON-GLib
 * does, so as to see strings where JSON-GLib sees them, and refuses what
 * JSON-GLib reads beyond JSON (comments, single-quoted strings).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "confab-json-guard.h"

/* The characters JSON-GLib's scanner skips between tokens. */
static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Reads the digits of a "\u" escape from @i as JSON-GLib 1.6 does: up
 * to four hex digits, the first other character consumed with them. */
static gunichar
read_unichar (const char *text,
              gsize      *i,
              gsize       n)
{
  gunichar value = 0;

  for (guint k = 0; k < 4 && *i < n; k++)
    {
      int digit = g_ascii_xdigit_value (text[(*i)++]);

      if (digit < 0)
        break;
      value += (gunichar) digit << ((3 - k) * 4);
    }
  return value;
}

/* Returns the index just past the string whose opening quote is at @i,
 * or @n if it does not end. It reads escapes as JSON-GLib 1.6 does, so
 * that it ends where JSON-GLib's does, and sets @fault on the one
 * JSON-GLib fails on and leaks: a surrogate escape followed by a second
 * "\u" escape, the two not a high and a low surrogate. (A surrogate
 * followed by anything else JSON-GLib reads; our callers then refuse
 * the half surrogate or make it valid.) */
static gsize
skip_string (const char      *text,
             gsize            i,
             gsize            n,
             ConfabJsonFault *fault)
{
  for (i++; i < n;)
    {
      gunichar unit, low;
      char c = text[i++];

      if (c == '"')
        return i;
      if (c != '\\' || i >= n)
        continue;
      c = text[i++];
      if (c != 'u' || i >= n || g_ascii_xdigit_value (text[i]) < 0)
        continue;

      unit = read_unichar (text, &i, n);
      if (unit < 0xd800 || unit > 0xdfff)
        continue;
      /* JSON-GLib takes the next two characters, hoping for "\u". */
      if (i >= n || text[i++] != '\\' || i >= n || text[i++] != 'u')
        continue;
      low = read_unichar (text, &i, n);
      if (unit > 0xdbff || low < 0xdc00 || low > 0xdfff)
        *fault = CONFAB_JSON_FAULT_BAD_SURROGATE;
    }
  return n;
}

/* What JSON does not have but JSON-GLib reads: comments and 'single-quoted'
 * strings. Each version reads them its own way (1.6 takes a "/" to the
 * next "/" as a comment, so "[/x/][]" is two arrays; later ones also read
 * C comments), and a quote or bracket inside one would make the guard see
 * values JSON-GLib does not (found by fuzz-import). Refused rather than
 * read like any one version. */
static gboolean
is_extension (char c)
{
  return c == '/' || c == '\'';
}

ConfabJsonFault
confab_json_check (const char *text,
                   gssize      length,
                   guint       max_depth)
{
  ConfabJsonFault fault = CONFAB_JSON_FAULT_NONE;
  gsize n, i = 0;

  g_return_val_if_fail (text != NULL || length == 0, CONFAB_JSON_FAULT_NONE);

  n = length < 0 ? strlen (text) : (gsize) length;
  while (i < n && is_space (text[i]))
    i++;
  if (i == n)
    return CONFAB_JSON_FAULT_NONE;

  if (text[i] == '{' || text[i] == '[')
    {
      guint depth = 0;

      do
        {
          char c = text[i];

          if (c == '"')
            {
              i = skip_string (text, i, n, &fault);
              continue;
            }
          if (is_extension (c))
            return CONFAB_JSON_FAULT_NOT_JSON;
          if (c == '{' || c == '[')
            {
              if (++depth > max_depth)
                return CONFAB_JSON_FAULT_TOO_DEEP;
            }
          else if (c == '}' || c == ']')
            depth--;
          i++;
        }
      while (i < n && depth > 0);
    }
  else if (text[i] == '"')
    i = skip_string (text, i, n, &fault);
  else
    {
      /* A number, true, false, null or a bad token: up to a delimiter. */
      while (i < n && !is_space (text[i]) && strchr ("{}[],:\"", text[i]) == NULL)
        {
          if (is_extension (text[i]))
            return CONFAB_JSON_FAULT_NOT_JSON;
          i++;
        }
    }

  if (fault != CONFAB_JSON_FAULT_NONE)
    return fault;
  while (i < n && is_space (text[i]))
    i++;
  return i < n ? CONFAB_JSON_FAULT_TRAILING : CONFAB_JSON_FAULT_NONE;
}

static const char *
fault_message (ConfabJsonFault fault)
{
  switch (fault)
    {
    case CONFAB_JSON_FAULT_TOO_DEEP:
      return "objects and arrays nest too deep";
    case CONFAB_JSON_FAULT_TRAILING:
      return "more than one JSON value";
    case CONFAB_JSON_FAULT_BAD_SURROGATE:
      return "a malformed surrogate pair";
    case CONFAB_JSON_FAULT_NOT_JSON:
      return "a comment or a single-quoted string";
    case CONFAB_JSON_FAULT_NONE:
    default:
      return "no fault";
    }
}

JsonNode *
confab_json_parse_object (const char  *text,
                          GError     **error)
{
  ConfabJsonFault fault;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  fault = confab_json_check (text, -1, CONFAB_JSON_MAX_DEPTH);
  if (fault != CONFAB_JSON_FAULT_NONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Not sound JSON: %s", fault_message (fault));
      return NULL;
    }

  node = json_from_string (text, &local_error);
  if (node == NULL && local_error == NULL)
    {
      /* JSON-GLib returns NULL without an error for empty text. */
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Empty JSON");
      return NULL;
    }
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Not valid JSON: %s", local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "Not a JSON object");
      return NULL;
    }

  return g_steal_pointer (&node);
}
