/* confab-markdown.c: md4c's callbacks folded into ConfabMarkdownBlocks.
 *
 * Every piece of text is escaped on the way in and every tag opened here is
 * closed here, so the markup stays well-formed whatever the input; raw HTML
 * is not recognised (MD_FLAG_NOHTML) and shows as the text it is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-markdown"

#include "config.h"

#include <string.h>

#include <md4c.h>

#include "confab-markdown-private.h"

/* Quotes and lists nested deeper than this are flattened into their parent:
 * a hostile "> > > > ..." must not become thousands of nested widgets. */
#define MAX_DEPTH 12

/* A paragraph longer than this is cut into several at a line break, and
 * at SPLIT_HARD anywhere: a label with hundreds of kilobytes of wrapped
 * text takes seconds to lay out, each time it changes. */
#define SPLIT_SOFT 4096
#define SPLIT_HARD 16384

/* A grey with some alpha reads as a tint on light and dark backgrounds. */
#define INLINE_CODE_OPEN \
  "<span font_family=\"monospace\" background=\"#8080802e\" insert_hyphens=\"false\">"

typedef struct
{
  const char          *input;
  gsize                input_len;

  GPtrArray           *blocks;      /* the top level (the result) */
  /* Open LIST, LIST_ITEM and QUOTE blocks; NULL for one not opened because
   * it was nested too deep (its content goes to the nearest real one). */
  GPtrArray           *containers;
  guint                depth;

  /* The open PARAGRAPH, HEADING, CODE or TABLE. */
  ConfabMarkdownBlock *leaf;
  gboolean             leaf_implicit; /* text of a tight list item */
  GString             *buffer;        /* the leaf's (or cell's) markup or code */
  GPtrArray           *closing_tags;  /* of the open spans, innermost last */
  GPtrArray           *opening_tags;  /* the same spans' opening tags */
  guint                links_open;    /* <a> tags open (they cannot nest) */
  guint                images_open;
  gsize                image_start;   /* where the open image's alt text began */
  gsize                split_floor;   /* the buffer's length after a split */

  /* The open table row. */
  char               **row;
  guint                column;
  gboolean             in_head;
  gboolean             in_cell;
} Parser;

/* ---- hashing: 64-bit FNV-1a, length-prefixed so fields cannot run into each other */

static guint64
hash_bytes (guint64     hash,
            const void *data,
            gsize       len)
{
  const guchar *p = data;

  for (gsize i = 0; i < len; i++)
    {
      hash ^= p[i];
      hash *= G_GUINT64_CONSTANT (0x100000001b3);
    }
  return hash;
}

static guint64
hash_uint (guint64 hash,
           guint64 value)
{
  return hash_bytes (hash, &value, sizeof value);
}

static guint64
hash_str (guint64     hash,
          const char *str)
{
  gsize len;

  if (str == NULL)
    return hash_uint (hash, G_MAXUINT64);

  len = strlen (str);
  hash = hash_uint (hash, len);
  return hash_bytes (hash, str, len);
}

static void
block_compute_id (ConfabMarkdownBlock *block)
{
  guint64 hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  hash = hash_uint (hash, block->type);
  hash = hash_uint (hash, block->level);
  hash = hash_uint (hash, block->ordered);
  hash = hash_uint (hash, block->start);
  hash = hash_uint (hash, block->task);
  hash = hash_str (hash, block->markup);
  hash = hash_str (hash, block->language);
  hash = hash_str (hash, block->text);

  if (block->children != NULL)
    {
      hash = hash_uint (hash, block->children->len);
      for (guint i = 0; i < block->children->len; i++)
        {
          ConfabMarkdownBlock *child = g_ptr_array_index (block->children, i);

          hash = hash_uint (hash, child->id);
        }
    }

  if (block->type == CONFAB_MARKDOWN_TABLE)
    {
      hash = hash_uint (hash, block->n_columns);
      hash = hash_uint (hash, block->n_header_rows);
      hash = hash_bytes (hash, block->alignments, block->n_columns * sizeof (ConfabMarkdownAlign));
      hash = hash_uint (hash, block->rows->len);
      for (guint r = 0; r < block->rows->len; r++)
        {
          char **cells = g_ptr_array_index (block->rows, r);

          for (guint c = 0; c < block->n_columns; c++)
            hash = hash_str (hash, cells[c]);
        }
    }

  block->id = hash;
}

/* An md4c attribute (a link's href or title) as plain text. */
static char *
attribute_to_string (const MD_ATTRIBUTE *attr)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; attr->substr_offsets != NULL && attr->substr_offsets[i] < attr->size; i++)
    {
      const char *piece = attr->text + attr->substr_offsets[i];
      gsize piece_len = attr->substr_offsets[i + 1] - attr->substr_offsets[i];

      switch (attr->substr_types[i])
        {
        case MD_TEXT_ENTITY:
          _confab_markdown_append_entity (out, piece, piece_len);
          break;

        case MD_TEXT_NULLCHAR:
          g_string_append (out, "\uFFFD");
          break;

        default:
          g_string_append_len (out, piece, piece_len);
        }
    }

  return g_string_free (out, FALSE);
}

/* A link's tooltip shows where it really goes ("[my bank](https://evil)"),
 * cut after this many characters: the host comes first anyway. */
#define LINK_TOOLTIP_MAX_CHARS 200

gboolean
confab_markdown_link_is_safe (const char *uri)
{
  const char *scheme;
  const char *rest;

  if (uri == NULL || !g_utf8_validate (uri, -1, NULL))
    return FALSE;

  /* What the tooltip shows is what is opened: nothing hidden, no blank a
   * URI handler could take for the end of its argument. */
  for (const char *p = uri; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (g_unichar_isspace (c) || type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT
          || type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR)
        return FALSE;
    }

  /* Lower case, interned; NULL for a relative path. */
  scheme = g_uri_peek_scheme (uri);
  if (scheme == NULL)
    return FALSE;
  rest = uri + strlen (scheme) + 1;

  if (g_str_equal (scheme, "mailto"))
    return rest[0] != '\0';

  if (g_str_equal (scheme, "http") || g_str_equal (scheme, "https"))
    {
      g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_PARSE_RELAXED | G_URI_FLAGS_ENCODED,
                                            NULL);
      const char *host = parsed != NULL ? g_uri_get_host (parsed) : NULL;

      return host != NULL && host[0] != '\0';
    }

  return FALSE;
}

/* What a link may open, or NULL: it is then shown as its text only. */
static char *
link_target (const char *href)
{
  g_autofree char *target = NULL;

  /* GitHub-style "www.example.com" autolinks come without a scheme. */
  if (g_ascii_strncasecmp (href, "www.", 4) == 0)
    target = g_strconcat ("http://", href, NULL);
  else
    target = g_strdup (href);

  return confab_markdown_link_is_safe (target) ? g_steal_pointer (&target) : NULL;
}

/* GtkLabel reads a link's title as markup of its own: escaped twice. */
static void
append_link_tooltip (GString    *out,
                     const char *target)
{
  g_autoptr(GString) shown = g_string_new (target);
  g_autofree char *markup = NULL;

  if (g_utf8_strlen (target, -1) > LINK_TOOLTIP_MAX_CHARS)
    {
      g_string_truncate (shown, g_utf8_offset_to_pointer (target, LINK_TOOLTIP_MAX_CHARS) - target);
      g_string_append (shown, "\u2026");
    }
  markup = g_markup_escape_text (shown->str, shown->len);
  _confab_markdown_append_escaped (out, markup, strlen (markup));
}

/* ---- the block tree */

void
confab_markdown_block_free (ConfabMarkdownBlock *block)
{
  if (block == NULL)
    return;

  g_free (block->markup);
  g_free (block->language);
  g_free (block->text);
  g_clear_pointer (&block->children, g_ptr_array_unref);
  g_free (block->alignments);
  g_clear_pointer (&block->rows, g_ptr_array_unref);
  g_free (block);
}

static ConfabMarkdownBlock *
block_new (ConfabMarkdownBlockType type)
{
  ConfabMarkdownBlock *block = g_new0 (ConfabMarkdownBlock, 1);

  block->type = type;
  block->source_start = G_MAXSIZE;
  return block;
}

static GPtrArray *
block_array_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)confab_markdown_block_free);
}

static ConfabMarkdownBlock *
parser_container (Parser *parser)
{
  for (guint i = parser->containers->len; i > 0; i--)
    {
      ConfabMarkdownBlock *block = g_ptr_array_index (parser->containers, i - 1);

      if (block != NULL)
        return block;
    }
  return NULL;
}

static void
parser_add_block (Parser              *parser,
                  ConfabMarkdownBlock *block)
{
  ConfabMarkdownBlock *container = parser_container (parser);

  /* A list holds items only: anything else (after flattening) goes around it. */
  while (container != NULL && container->type == CONFAB_MARKDOWN_LIST
         && block->type != CONFAB_MARKDOWN_LIST_ITEM)
    {
      ConfabMarkdownBlock *item = block_new (CONFAB_MARKDOWN_LIST_ITEM);

      item->children = block_array_new ();
      g_ptr_array_add (container->children, item);
      container = item;
    }

  g_ptr_array_add (container ? container->children : parser->blocks, block);
}

static void
parser_note_source (Parser     *parser,
                    const char *text,
                    gsize       len)
{
  gsize offset;

  if (parser->leaf == NULL || text < parser->input || text >= parser->input + parser->input_len)
    return;

  offset = text - parser->input;
  parser->leaf->source_start = MIN (parser->leaf->source_start, offset);
  parser->leaf->source_end = MAX (parser->leaf->source_end, offset + len);
}

static void
parser_open_leaf (Parser                  *parser,
                  ConfabMarkdownBlockType  type,
                  gboolean                 implicit)
{
  parser->leaf = block_new (type);
  parser->leaf_implicit = implicit;
  parser->split_floor = 0;
  g_string_truncate (parser->buffer, 0);
  parser_add_block (parser, parser->leaf);
}

/* Closes what md4c left open (it does not, but the markup must not depend on it). */
static void
parser_close_spans (Parser *parser)
{
  while (parser->closing_tags->len > 0)
    {
      g_string_append (parser->buffer, g_ptr_array_index (parser->closing_tags,
                                                          parser->closing_tags->len - 1));
      g_ptr_array_set_size (parser->closing_tags, parser->closing_tags->len - 1);
    }
  g_ptr_array_set_size (parser->opening_tags, 0);
  parser->links_open = 0;
  parser->images_open = 0;
}

static void
parser_close_leaf (Parser *parser)
{
  ConfabMarkdownBlock *leaf = parser->leaf;

  if (leaf == NULL)
    return;

  if (leaf->type == CONFAB_MARKDOWN_CODE)
    leaf->text = g_strndup (parser->buffer->str, parser->buffer->len);
  else if (leaf->type == CONFAB_MARKDOWN_TABLE)
    {
      /* A table cut short while streaming may lack its last row's cells. */
      g_clear_pointer (&parser->row, g_strfreev);
    }
  else
    {
      parser_close_spans (parser);
      /* Soft breaks leave trailing blanks behind; a label would show them. */
      while (parser->buffer->len > 0
             && g_ascii_isspace (parser->buffer->str[parser->buffer->len - 1]))
        g_string_truncate (parser->buffer, parser->buffer->len - 1);
      leaf->markup = g_strndup (parser->buffer->str, parser->buffer->len);
    }

  if (leaf->source_start == G_MAXSIZE)
    leaf->source_start = leaf->source_end;
  block_compute_id (leaf);
  parser->leaf = NULL;
  parser->leaf_implicit = FALSE;
  parser->in_cell = FALSE;
  g_string_truncate (parser->buffer, 0);
}

static void
parser_close_implicit (Parser *parser)
{
  if (parser->leaf != NULL && parser->leaf_implicit)
    parser_close_leaf (parser);
}

static gboolean
parser_can_split (Parser *parser)
{
  return parser->leaf != NULL
         && parser->leaf->type == CONFAB_MARKDOWN_PARAGRAPH
         && parser->images_open == 0;
}

/* How much of the buffer this part of a paragraph has written. */
static gsize
parser_part_length (Parser *parser)
{
  return parser->buffer->len - MIN (parser->split_floor, parser->buffer->len);
}

/* Ends the paragraph here and goes on in a new one, the open spans closed
 * and opened again, so both halves are well-formed on their own. */
static void
parser_split_paragraph (Parser *parser)
{
  g_autoptr(GPtrArray) opening = g_ptr_array_copy (parser->opening_tags,
                                                   (GCopyFunc)(void (*) (void))g_strdup, NULL);
  g_autoptr(GPtrArray) closing = g_ptr_array_copy (parser->closing_tags, NULL, NULL);
  guint links_open = parser->links_open;
  gboolean implicit = parser->leaf_implicit;

  parser_close_leaf (parser);
  parser_open_leaf (parser, CONFAB_MARKDOWN_PARAGRAPH, implicit);

  for (guint i = 0; i < opening->len; i++)
    {
      g_string_append (parser->buffer, g_ptr_array_index (opening, i));
      g_ptr_array_add (parser->opening_tags, g_strdup (g_ptr_array_index (opening, i)));
      g_ptr_array_add (parser->closing_tags, g_ptr_array_index (closing, i));
    }
  parser->links_open = links_open;
  parser->split_floor = parser->buffer->len;
}

/* Appends inline text, cutting the paragraph where it grows too long. */
static void
parser_append_text (Parser     *parser,
                    const char *text,
                    gsize       size)
{
  while (parser_can_split (parser) && parser_part_length (parser) + size > SPLIT_HARD)
    {
      gsize used = parser_part_length (parser);
      gsize cut = MIN (used < SPLIT_HARD ? SPLIT_HARD - used : 0, size);
      gsize k = cut;

      /* At a space if there is one, else between two characters. */
      while (k > 0 && text[k - 1] != ' ')
        k--;
      if (k == 0)
        for (k = cut; k < size && ((guchar)text[k] & 0xc0) == 0x80; k++)
          ;

      _confab_markdown_append_escaped (parser->buffer, text, k);
      text += k;
      size -= k;
      parser_split_paragraph (parser);
    }

  _confab_markdown_append_escaped (parser->buffer, text, size);
}

static void
parser_push_container (Parser              *parser,
                       ConfabMarkdownBlock *block)
{
  if (block != NULL)
    {
      block->children = block_array_new ();
      parser_add_block (parser, block);
      if (block->type != CONFAB_MARKDOWN_LIST_ITEM)
        parser->depth++;
    }
  g_ptr_array_add (parser->containers, block);
}

static void
parser_pop_container (Parser *parser)
{
  ConfabMarkdownBlock *block;

  if (parser->containers->len == 0)
    return;

  block = g_ptr_array_steal_index (parser->containers, parser->containers->len - 1);
  if (block == NULL)
    return;

  if (block->type != CONFAB_MARKDOWN_LIST_ITEM)
    parser->depth--;

  block->source_start = G_MAXSIZE;
  for (guint i = 0; i < block->children->len; i++)
    {
      ConfabMarkdownBlock *child = g_ptr_array_index (block->children, i);

      /* Items added for flattened content were never closed on their own. */
      if (child->id == 0)
        {
          child->source_start = child->children->len > 0
            ? ((ConfabMarkdownBlock *)g_ptr_array_index (child->children, 0))->source_start : 0;
          block_compute_id (child);
        }
      block->source_start = MIN (block->source_start, child->source_start);
      block->source_end = MAX (block->source_end, child->source_end);
    }
  if (block->source_start == G_MAXSIZE)
    block->source_start = block->source_end;
  block_compute_id (block);
}

/* ---- md4c callbacks */

static int
enter_block_cb (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Parser *parser = user_data;
  ConfabMarkdownBlock *block;
  ConfabMarkdownBlock *container;

  switch (type)
    {
    case MD_BLOCK_DOC:
    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
      parser->in_head = type == MD_BLOCK_THEAD;
      break;

    case MD_BLOCK_QUOTE:
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      parser_close_implicit (parser);
      block = NULL;
      if (parser->depth < MAX_DEPTH)
        {
          block = block_new (type == MD_BLOCK_QUOTE ? CONFAB_MARKDOWN_QUOTE : CONFAB_MARKDOWN_LIST);
          if (type == MD_BLOCK_OL)
            {
              block->ordered = TRUE;
              block->start = ((MD_BLOCK_OL_DETAIL *)detail)->start;
            }
        }
      parser_push_container (parser, block);
      break;

    case MD_BLOCK_LI:
      parser_close_implicit (parser);
      container = parser->containers->len > 0
        ? g_ptr_array_index (parser->containers, parser->containers->len - 1) : NULL;
      block = NULL;
      if (container != NULL && container->type == CONFAB_MARKDOWN_LIST)
        {
          MD_BLOCK_LI_DETAIL *li = detail;

          block = block_new (CONFAB_MARKDOWN_LIST_ITEM);
          if (li->is_task)
            block->task = li->task_mark == ' '
              ? CONFAB_MARKDOWN_TASK_OPEN : CONFAB_MARKDOWN_TASK_DONE;
        }
      parser_push_container (parser, block);
      break;

    case MD_BLOCK_HR:
      parser_close_implicit (parser);
      block = block_new (CONFAB_MARKDOWN_RULE);
      block->source_start = block->source_end = 0;
      block_compute_id (block);
      parser_add_block (parser, block);
      break;

    case MD_BLOCK_H:
      parser_close_implicit (parser);
      parser_open_leaf (parser, CONFAB_MARKDOWN_HEADING, FALSE);
      parser->leaf->level = CLAMP (((MD_BLOCK_H_DETAIL *)detail)->level, 1, 6);
      break;

    case MD_BLOCK_CODE:
      parser_close_implicit (parser);
      parser_open_leaf (parser, CONFAB_MARKDOWN_CODE, FALSE);
      {
        MD_BLOCK_CODE_DETAIL *code = detail;

        if (code->lang.size > 0)
          {
            g_autofree char *lang = attribute_to_string (&code->lang);

            /* It names a language (or a highlighter): keep it printable. */
            g_strcanon (lang, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "+-#._", '_');
            parser->leaf->language = g_steal_pointer (&lang);
          }
      }
      break;

    case MD_BLOCK_HTML: /* only without MD_FLAG_NOHTMLBLOCKS; shown as text */
    case MD_BLOCK_P:
      parser_close_implicit (parser);
      parser_open_leaf (parser, CONFAB_MARKDOWN_PARAGRAPH, FALSE);
      break;

    case MD_BLOCK_TABLE:
      parser_close_implicit (parser);
      parser_open_leaf (parser, CONFAB_MARKDOWN_TABLE, FALSE);
      {
        MD_BLOCK_TABLE_DETAIL *table = detail;

        parser->leaf->n_columns = CLAMP (table->col_count, 1, 128);
        parser->leaf->alignments = g_new0 (ConfabMarkdownAlign, parser->leaf->n_columns);
        parser->leaf->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
      }
      break;

    case MD_BLOCK_TR:
      if (parser->leaf != NULL && parser->leaf->type == CONFAB_MARKDOWN_TABLE)
        {
          g_clear_pointer (&parser->row, g_strfreev);
          parser->row = g_new0 (char *, parser->leaf->n_columns + 1);
          parser->column = 0;
        }
      break;

    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      if (parser->row != NULL && parser->column < parser->leaf->n_columns)
        {
          MD_ALIGN align = ((MD_BLOCK_TD_DETAIL *)detail)->align;

          if (parser->in_head)
            parser->leaf->alignments[parser->column] =
              (ConfabMarkdownAlign)CLAMP (align, MD_ALIGN_DEFAULT, MD_ALIGN_RIGHT);
          parser->in_cell = TRUE;
          g_string_truncate (parser->buffer, 0);
        }
      break;

    default:
      break;
    }

  return 0;
}

static int
leave_block_cb (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Parser *parser = user_data;

  switch (type)
    {
    case MD_BLOCK_QUOTE:
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
    case MD_BLOCK_LI:
      parser_close_implicit (parser);
      parser_pop_container (parser);
      break;

    case MD_BLOCK_H:
    case MD_BLOCK_CODE:
    case MD_BLOCK_HTML:
    case MD_BLOCK_P:
    case MD_BLOCK_TABLE:
      parser_close_leaf (parser);
      break;

    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      if (parser->in_cell)
        {
          parser_close_spans (parser);
          g_free (parser->row[parser->column]);
          parser->row[parser->column] = g_strndup (parser->buffer->str, parser->buffer->len);
          g_string_truncate (parser->buffer, 0);
          parser->in_cell = FALSE;
        }
      if (parser->row != NULL)
        parser->column++;
      break;

    case MD_BLOCK_TR:
      if (parser->row != NULL)
        {
          for (guint c = 0; c < parser->leaf->n_columns; c++)
            if (parser->row[c] == NULL)
              parser->row[c] = g_strdup ("");
          g_ptr_array_add (parser->leaf->rows, g_steal_pointer (&parser->row));
          if (parser->in_head)
            parser->leaf->n_header_rows++;
        }
      break;

    default:
      break;
    }

  return 0;
}

/* Whether inline text (spans, escaped text) goes to the buffer now. */
static gboolean
parser_in_inline (Parser *parser)
{
  if (parser->leaf == NULL)
    return FALSE;

  if (parser->leaf->type == CONFAB_MARKDOWN_TABLE)
    return parser->in_cell;

  return parser->leaf->type != CONFAB_MARKDOWN_CODE;
}

static int
enter_span_cb (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Parser *parser = user_data;
  const char *closing = "";
  gsize before;

  if (parser->leaf == NULL)
    parser_open_leaf (parser, CONFAB_MARKDOWN_PARAGRAPH, TRUE);
  if (!parser_in_inline (parser))
    return 0;

  before = parser->buffer->len;

  switch (type)
    {
    case MD_SPAN_EM:
      g_string_append (parser->buffer, "<i>");
      closing = "</i>";
      break;

    case MD_SPAN_STRONG:
      g_string_append (parser->buffer, "<b>");
      closing = "</b>";
      break;

    case MD_SPAN_DEL:
      g_string_append (parser->buffer, "<s>");
      closing = "</s>";
      break;

    case MD_SPAN_CODE:
      g_string_append (parser->buffer, INLINE_CODE_OPEN);
      closing = "</span>";
      break;

    case MD_SPAN_A:
    case MD_SPAN_IMG:
      {
        /* An image is never fetched (a reply must not make the app contact
         * a server it names): it shows as its alt text, a link to it. */
        const MD_ATTRIBUTE *href = type == MD_SPAN_A
          ? &((MD_SPAN_A_DETAIL *)detail)->href : &((MD_SPAN_IMG_DETAIL *)detail)->src;
        g_autofree char *href_text = attribute_to_string (href);
        g_autofree char *target = link_target (href_text);

        /* GtkLabel rejects nested links; the inner one stays plain text.
         * The tooltip is the target, not the model's title, which could
         * name another place. */
        if (target != NULL && parser->links_open == 0)
          {
            g_string_append (parser->buffer, "<a href=\"");
            _confab_markdown_append_escaped (parser->buffer, target, strlen (target));
            g_string_append (parser->buffer, "\" title=\"");
            append_link_tooltip (parser->buffer, target);
            g_string_append (parser->buffer, "\">");
            parser->links_open++;
            closing = "</a>";
          }
        if (type == MD_SPAN_IMG)
          {
            parser->image_start = parser->buffer->len;
            parser->images_open++;
          }
      }
      break;

    default:
      break;
    }

  g_ptr_array_add (parser->opening_tags,
                   g_strndup (parser->buffer->str + before, parser->buffer->len - before));
  g_ptr_array_add (parser->closing_tags, (gpointer)closing);
  return 0;
}

static int
leave_span_cb (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Parser *parser = user_data;
  const char *closing;

  if (!parser_in_inline (parser) || parser->closing_tags->len == 0)
    return 0;

  /* An image without alt text still needs something to show. */
  if (type == MD_SPAN_IMG && parser->buffer->len == parser->image_start)
    {
      g_autofree char *src = attribute_to_string (&((MD_SPAN_IMG_DETAIL *)detail)->src);

      _confab_markdown_append_escaped (parser->buffer, src, strlen (src));
    }

  closing = g_ptr_array_steal_index (parser->closing_tags, parser->closing_tags->len - 1);
  g_ptr_array_set_size (parser->opening_tags, parser->opening_tags->len - 1);
  if (g_str_equal (closing, "</a>"))
    parser->links_open--;
  if (type == MD_SPAN_IMG && parser->images_open > 0)
    parser->images_open--;
  g_string_append (parser->buffer, closing);
  return 0;
}

static int
text_cb (MD_TEXTTYPE  type,
         const char  *text,
         MD_SIZE      size,
         void        *user_data)
{
  Parser *parser = user_data;

  if (parser->leaf == NULL)
    parser_open_leaf (parser, CONFAB_MARKDOWN_PARAGRAPH, TRUE);

  parser_note_source (parser, text, size);

  if (parser->leaf->type == CONFAB_MARKDOWN_CODE)
    {
      if (type == MD_TEXT_NULLCHAR)
        g_string_append (parser->buffer, "\uFFFD");
      else
        g_string_append_len (parser->buffer, text, size);
      return 0;
    }

  if (!parser_in_inline (parser))
    return 0;

  switch (type)
    {
    case MD_TEXT_NULLCHAR:
      g_string_append (parser->buffer, "\uFFFD");
      break;

    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
      if (parser_can_split (parser) && parser_part_length (parser) >= SPLIT_SOFT)
        parser_split_paragraph (parser);
      else
        g_string_append_c (parser->buffer, type == MD_TEXT_BR ? '\n' : ' ');
      break;

    case MD_TEXT_ENTITY:
      {
        g_autoptr(GString) decoded = g_string_new (NULL);

        _confab_markdown_append_entity (decoded, text, size);
        _confab_markdown_append_escaped (parser->buffer, decoded->str, decoded->len);
      }
      break;

    default:
      parser_append_text (parser, text, size);
    }

  return 0;
}

/**
 * confab_markdown_parse:
 * @text: Markdown, in any encoding (invalid UTF-8 is repaired)
 * @len: its length in bytes, or -1 when NUL-terminated
 *
 * Returns: (transfer container): the top-level ConfabMarkdownBlocks
 */
GPtrArray *
confab_markdown_parse (const char *text,
                       gssize      len)
{
  g_autofree char *valid = NULL;
  g_autoptr(GPtrArray) containers = g_ptr_array_new ();
  g_autoptr(GPtrArray) closing_tags = g_ptr_array_new ();
  g_autoptr(GPtrArray) opening_tags = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) buffer = g_string_new (NULL);
  Parser parser = { 0 };
  MD_PARSER md = {
    .abi_version = 0,
    .flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML,
    .enter_block = enter_block_cb,
    .leave_block = leave_block_cb,
    .enter_span = enter_span_cb,
    .leave_span = leave_span_cb,
    .text = text_cb,
  };

  if (text == NULL)
    text = "", len = 0;
  if (len < 0)
    len = strlen (text);

  /* md4c takes 32-bit sizes; nobody reads a 4 GiB reply anyway. */
  len = MIN ((gsize)len, (gsize)G_MAXUINT32 / 2);

  /* Stray bytes and NULs become U+FFFD (an embedded NUL fails validation).
   * A copy either way: md4c 0.4.8 reads the byte after the end (a permissive
   * autolink cut short, as in "[l](https://a.b" while streaming, followed by
   * ")" in memory, crashes it), which is harmless only when it is a NUL. */
  if (g_utf8_validate_len (text, len, NULL))
    valid = g_strndup (text, len);
  else
    valid = g_utf8_make_valid (text, len);
  text = valid;
  len = strlen (valid);

  parser.input = text;
  parser.input_len = len;
  parser.blocks = block_array_new ();
  parser.containers = containers;
  parser.closing_tags = closing_tags;
  parser.opening_tags = opening_tags;
  parser.buffer = buffer;

  md_parse (text, (MD_SIZE)len, &md, &parser);

  /* md4c closes everything it opens, unless it ran out of memory. */
  parser_close_leaf (&parser);
  while (parser.containers->len > 0)
    parser_pop_container (&parser);
  g_clear_pointer (&parser.row, g_strfreev);

  return parser.blocks;
}
