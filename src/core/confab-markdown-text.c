/* confab-markdown-text.c: text in and out of the markup the parser makes:
 * escaping, entities, and plain text for accessible labels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-markdown"

#include "config.h"

#include <string.h>

#include "confab-markdown-private.h"

/* Appends valid UTF-8 as markup text: XML specials escaped, and control
 * characters dropped (a label would show them as boxes, and most are not
 * allowed in XML at all). */
void
_confab_markdown_append_escaped (GString    *out,
                                 const char *text,
                                 gsize       len)
{
  const guchar *p = (const guchar *)text;
  const guchar *end = p + len;
  const guchar *run = p;

  for (; p < end; p++)
    {
      const char *replacement = NULL;
      gsize skip = 1;

      switch (*p)
        {
        case '&': replacement = "&amp;"; break;
        case '<': replacement = "&lt;"; break;
        case '>': replacement = "&gt;"; break;
        case '"': replacement = "&quot;"; break;
        case '\'': replacement = "&#39;"; break;
        case '\t': case '\n': continue;
        default:
          if (*p < 0x20 || *p == 0x7f)
            replacement = "";
          else if (*p == 0xc2 && p + 1 < end && p[1] >= 0x80 && p[1] <= 0x9f)
            replacement = "", skip = 2;                       /* C1 controls */
          else if (*p == 0xef && p + 2 < end && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
            replacement = "", skip = 3;                       /* U+FFFE, U+FFFF */
          else
            continue;
        }

      g_string_append_len (out, (const char *)run, p - run);
      g_string_append (out, replacement);
      p += skip - 1;
      run = p + 1;
    }

  g_string_append_len (out, (const char *)run, end - run);
}

static const struct
{
  const char *name;
  const char *utf8;
} named_entities[] = {
  { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
  { "nbsp", "\u00a0" }, { "copy", "\u00a9" }, { "reg", "\u00ae" }, { "trade", "\u2122" },
  { "hellip", "\u2026" }, { "mdash", "\u2014" }, { "ndash", "\u2013" },
  { "lsquo", "\u2018" }, { "rsquo", "\u2019" }, { "ldquo", "\u201c" }, { "rdquo", "\u201d" },
  { "laquo", "\u00ab" }, { "raquo", "\u00bb" }, { "times", "\u00d7" }, { "divide", "\u00f7" },
  { "deg", "\u00b0" }, { "plusmn", "\u00b1" }, { "middot", "\u00b7" }, { "bull", "\u2022" },
  { "euro", "\u20ac" }, { "pound", "\u00a3" }, { "yen", "\u00a5" }, { "cent", "\u00a2" },
  { "sect", "\u00a7" }, { "para", "\u00b6" }, { "larr", "\u2190" }, { "rarr", "\u2192" },
  { "uarr", "\u2191" }, { "darr", "\u2193" }, { "harr", "\u2194" }, { "le", "\u2264" },
  { "ge", "\u2265" }, { "ne", "\u2260" }, { "check", "\u2713" },
};

/* Appends the character an entity ("&amp;", "&#123;", "&#x1F600;") stands
 * for, unescaped, or the entity's own text when it is unknown. */
void
_confab_markdown_append_entity (GString    *out,
                                const char *text,
                                gsize       len)
{
  if (len >= 4 && text[0] == '&' && text[1] == '#' && text[len - 1] == ';')
    {
      gboolean hex = text[2] == 'x' || text[2] == 'X';
      guint64 value = 0;
      gboolean ok = TRUE;

      for (gsize i = hex ? 3 : 2; i < len - 1 && ok; i++)
        {
          int digit = hex ? g_ascii_xdigit_value (text[i]) : g_ascii_digit_value (text[i]);

          ok = digit >= 0;
          value = MIN (value * (hex ? 16 : 10) + (guint64)MAX (digit, 0),
                       G_GUINT64_CONSTANT (0x110000));
        }

      /* CommonMark: code point 0 and invalid ones become U+FFFD. */
      if (ok)
        {
          g_string_append_unichar (out,
                                   value == 0 || !g_unichar_validate ((gunichar)value)
                                   ? 0xfffd : (gunichar)value);
          return;
        }
    }
  else if (len >= 3 && text[0] == '&' && text[len - 1] == ';')
    {
      for (gsize i = 0; i < G_N_ELEMENTS (named_entities); i++)
        {
          if (strlen (named_entities[i].name) == len - 2
              && memcmp (named_entities[i].name, text + 1, len - 2) == 0)
            {
              g_string_append (out, named_entities[i].utf8);
              return;
            }
        }
    }

  g_string_append_len (out, text, len);
}

/**
 * confab_markdown_markup_to_text:
 * @markup: markup made by confab_markdown_parse()
 *
 * Returns: (transfer full): the text without tags and entities
 */
char *
confab_markdown_markup_to_text (const char *markup)
{
  GString *out;

  g_return_val_if_fail (markup != NULL, NULL);

  out = g_string_sized_new (strlen (markup));
  for (const char *p = markup; *p != '\0'; p++)
    {
      if (*p == '<')
        {
          const char *end = strchr (p, '>');

          if (end == NULL)
            break;
          p = end;
        }
      else if (*p == '&')
        {
          const char *end = strchr (p, ';');

          if (end == NULL)
            break;
          _confab_markdown_append_entity (out, p, end - p + 1);
          p = end;
        }
      else
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

typedef struct
{
  GString *out;
  guint    chars;
  guint    max_chars;
  gboolean space;
} Summary;

/* Appends text with runs of white space made one space. */
static gboolean
summary_add (Summary    *summary,
             const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          summary->space = summary->out->len > 0;
          continue;
        }

      if (summary->chars + (summary->space ? 2 : 1) > summary->max_chars)
        {
          g_string_append (summary->out, "\u2026");
          return FALSE;
        }

      if (summary->space)
        {
          g_string_append_c (summary->out, ' ');
          summary->chars++;
          summary->space = FALSE;
        }
      g_string_append_unichar (summary->out, c);
      summary->chars++;
    }

  summary->space = summary->out->len > 0;
  return TRUE;
}

static gboolean
summary_add_blocks (Summary   *summary,
                    GPtrArray *blocks)
{
  for (guint i = 0; i < blocks->len; i++)
    {
      ConfabMarkdownBlock *block = g_ptr_array_index (blocks, i);

      if (block->markup != NULL)
        {
          g_autofree char *text = confab_markdown_markup_to_text (block->markup);

          if (!summary_add (summary, text))
            return FALSE;
        }
      if (block->text != NULL && !summary_add (summary, block->text))
        return FALSE;
      if (block->children != NULL && !summary_add_blocks (summary, block->children))
        return FALSE;
      for (guint r = 0; block->rows != NULL && r < block->rows->len; r++)
        {
          char **cells = g_ptr_array_index (block->rows, r);

          for (guint c = 0; c < block->n_columns; c++)
            {
              g_autofree char *text = confab_markdown_markup_to_text (cells[c]);

              if (!summary_add (summary, text))
                return FALSE;
            }
        }
    }

  return TRUE;
}

/**
 * confab_markdown_summary:
 * @text: Markdown
 * @max_chars: the most characters to return (an ellipsis comes on top)
 *
 * Returns: (transfer full): the start of the text, without markup
 */
char *
confab_markdown_summary (const char *text,
                         guint       max_chars)
{
  g_autoptr(GPtrArray) blocks = NULL;
  Summary summary = { g_string_new (NULL), 0, max_chars, FALSE };
  gsize len;

  g_return_val_if_fail (text != NULL, NULL);

  /* Only the start is needed: a long reply is not parsed whole for it. A
   * construct cut in half at the limit costs nothing but some characters
   * past max_chars. */
  len = strlen (text);
  if (len > (gsize)max_chars * 8 + 256)
    {
      const char *end = text + (gsize)max_chars * 8 + 256;

      while (end > text && *end != '\n')
        end--;
      len = end > text ? (gsize)(end - text) : (gsize)max_chars * 8 + 256;
    }

  blocks = confab_markdown_parse (text, len);
  summary_add_blocks (&summary, blocks);

  return g_string_free (summary.out, FALSE);
}
