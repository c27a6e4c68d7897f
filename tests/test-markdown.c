/* test-markdown.c: Markdown to blocks of Pango markup, hostile input included.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <string.h>

#include "confab-markdown.h"
#include "confab-test-markdown.h"

/* ---- a strict check of the markup: well-formed, and only the tags and
 * attributes GtkLabel and Pango know (the ones the parser means to make). */

static void
check_start_element (GMarkupParseContext  *context,
                     const char           *element,
                     const char          **names,
                     const char          **values,
                     gpointer              user_data,
                     GError              **error)
{
  static const char * const tags[] = { "markup", "b", "i", "s", "span", "a", NULL };
  static const char * const attributes[] = {
    "href", "title", "font_family", "background", "insert_hyphens", NULL
  };

  if (!g_strv_contains (tags, element))
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_UNKNOWN_ELEMENT,
                   "unexpected element <%s>", element);
      return;
    }

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (!g_strv_contains (attributes, names[i]))
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_UNKNOWN_ATTRIBUTE,
                       "unexpected attribute %s on <%s>", names[i], element);
          return;
        }
      if (g_str_equal (names[i], "href")
          && !g_str_has_prefix (values[i], "http://")
          && !g_str_has_prefix (values[i], "https://")
          && !g_str_has_prefix (values[i], "mailto:"))
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                       "a link to %s", values[i]);
          return;
        }
    }

  /* GtkLabel refuses a whole label with nested links. */
  if (g_str_equal (element, "a"))
    {
      const GSList *stack = g_markup_parse_context_get_element_stack (context);

      for (const GSList *l = stack->next; l != NULL; l = l->next)
        if (g_str_equal (l->data, "a"))
          {
            g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "nested links");
            return;
          }
    }
}

static void
check_text (GMarkupParseContext  *context,
            const char           *text,
            gsize                 len,
            gpointer              user_data,
            GError              **error)
{
  for (const char *p = text; p < text + len; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f))
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                       "control character U+%04X in the text", c);
          return;
        }
    }
}

static void
assert_valid_markup (const char *markup)
{
  static const GMarkupParser parser = { check_start_element, NULL, check_text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (markup);
  g_assert_true (g_utf8_validate (markup, -1, NULL));

  context = g_markup_parse_context_new (&parser, 0, NULL, NULL);
  if (!g_markup_parse_context_parse (context, "<markup>", -1, &error)
      || !g_markup_parse_context_parse (context, markup, -1, &error)
      || !g_markup_parse_context_parse (context, "</markup>", -1, &error)
      || !g_markup_parse_context_end_parse (context, &error))
    g_error ("invalid markup %s: %s", markup, error->message);
}

static void
check_blocks (GPtrArray *blocks)
{
  for (guint i = 0; i < blocks->len; i++)
    {
      ConfabMarkdownBlock *block = g_ptr_array_index (blocks, i);

      g_assert_cmpuint (block->id, !=, 0);
      switch (block->type)
        {
        case CONFAB_MARKDOWN_PARAGRAPH:
        case CONFAB_MARKDOWN_HEADING:
          assert_valid_markup (block->markup);
          break;

        case CONFAB_MARKDOWN_CODE:
          g_assert_nonnull (block->text);
          g_assert_true (g_utf8_validate (block->text, -1, NULL));
          if (block->language != NULL)
            g_assert_true (g_utf8_validate (block->language, -1, NULL));
          break;

        case CONFAB_MARKDOWN_LIST:
          for (guint j = 0; j < block->children->len; j++)
            g_assert_cmpint (((ConfabMarkdownBlock *)g_ptr_array_index (block->children, j))->type,
                             ==, CONFAB_MARKDOWN_LIST_ITEM);
          G_GNUC_FALLTHROUGH;
        case CONFAB_MARKDOWN_LIST_ITEM:
        case CONFAB_MARKDOWN_QUOTE:
          g_assert_nonnull (block->children);
          check_blocks (block->children);
          break;

        case CONFAB_MARKDOWN_TABLE:
          g_assert_cmpuint (block->n_columns, >, 0);
          for (guint r = 0; r < block->rows->len; r++)
            {
              char **cells = g_ptr_array_index (block->rows, r);

              g_assert_cmpuint (g_strv_length (cells), ==, block->n_columns);
              for (guint c = 0; c < block->n_columns; c++)
                assert_valid_markup (cells[c]);
            }
          break;

        case CONFAB_MARKDOWN_RULE:
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

static GPtrArray *
parse (const char *text)
{
  GPtrArray *blocks = confab_markdown_parse (text, -1);

  check_blocks (blocks);
  return blocks;
}

#define BLOCK(blocks, i) ((ConfabMarkdownBlock *)g_ptr_array_index ((blocks), (i)))

/* ---- constructs */

static void
test_paragraphs (void)
{
  g_autoptr(GPtrArray) blocks = parse ("Hello *world*, **bold** and ~~gone~~.\nSame paragraph.\n\n"
                                       "Second `a < b` one  \nafter a hard break.");

  g_assert_cmpuint (blocks->len, ==, 2);
  g_assert_cmpint (BLOCK (blocks, 0)->type, ==, CONFAB_MARKDOWN_PARAGRAPH);
  g_assert_cmpstr (BLOCK (blocks, 0)->markup, ==,
                   "Hello <i>world</i>, <b>bold</b> and <s>gone</s>. Same paragraph.");
  g_assert_nonnull (strstr (BLOCK (blocks, 1)->markup,
                            "font_family=\"monospace\""));
  g_assert_nonnull (strstr (BLOCK (blocks, 1)->markup, ">a &lt; b</span> one\nafter"));
  g_assert_cmpuint (BLOCK (blocks, 0)->source_start, ==, 0);
  g_assert_cmpuint (BLOCK (blocks, 1)->source_start, >, BLOCK (blocks, 0)->source_end);
}

static void
test_headings (void)
{
  g_autoptr(GPtrArray) blocks = parse ("# One\n### Three *it*\nSetext\n------\n####### seven");

  g_assert_cmpuint (blocks->len, ==, 4);
  g_assert_cmpint (BLOCK (blocks, 0)->type, ==, CONFAB_MARKDOWN_HEADING);
  g_assert_cmpuint (BLOCK (blocks, 0)->level, ==, 1);
  g_assert_cmpstr (BLOCK (blocks, 0)->markup, ==, "One");
  g_assert_cmpuint (BLOCK (blocks, 1)->level, ==, 3);
  g_assert_cmpstr (BLOCK (blocks, 1)->markup, ==, "Three <i>it</i>");
  g_assert_cmpuint (BLOCK (blocks, 2)->level, ==, 2);
  g_assert_cmpint (BLOCK (blocks, 3)->type, ==, CONFAB_MARKDOWN_PARAGRAPH);
}

static void
test_lists (void)
{
  g_autoptr(GPtrArray) blocks = parse ("- one\n- two\n  - nested *a*\n  - nested b\n\n"
                                       "3. three\n4. four\n\n"
                                       "- [ ] todo\n- [x] done\n");
  ConfabMarkdownBlock *list, *item, *nested;

  g_assert_cmpuint (blocks->len, ==, 3);

  list = BLOCK (blocks, 0);
  g_assert_cmpint (list->type, ==, CONFAB_MARKDOWN_LIST);
  g_assert_false (list->ordered);
  g_assert_cmpuint (list->children->len, ==, 2);
  item = BLOCK (list->children, 1);
  g_assert_cmpint (item->type, ==, CONFAB_MARKDOWN_LIST_ITEM);
  /* A tight item's text is a paragraph all the same. */
  g_assert_cmpuint (item->children->len, ==, 2);
  g_assert_cmpstr (BLOCK (item->children, 0)->markup, ==, "two");
  nested = BLOCK (item->children, 1);
  g_assert_cmpint (nested->type, ==, CONFAB_MARKDOWN_LIST);
  g_assert_cmpstr (BLOCK (BLOCK (nested->children, 0)->children, 0)->markup, ==, "nested <i>a</i>");

  list = BLOCK (blocks, 1);
  g_assert_true (list->ordered);
  g_assert_cmpuint (list->start, ==, 3);
  g_assert_cmpuint (list->children->len, ==, 2);

  list = BLOCK (blocks, 2);
  g_assert_cmpint (BLOCK (list->children, 0)->task, ==, CONFAB_MARKDOWN_TASK_OPEN);
  g_assert_cmpint (BLOCK (list->children, 1)->task, ==, CONFAB_MARKDOWN_TASK_DONE);
  g_assert_cmpstr (BLOCK (BLOCK (list->children, 1)->children, 0)->markup, ==, "done");
}

static void
test_quotes (void)
{
  g_autoptr(GPtrArray) blocks = parse ("> quoted **text**\n>\n> > deeper\n\nafter");
  ConfabMarkdownBlock *quote;

  g_assert_cmpuint (blocks->len, ==, 2);
  quote = BLOCK (blocks, 0);
  g_assert_cmpint (quote->type, ==, CONFAB_MARKDOWN_QUOTE);
  g_assert_cmpuint (quote->children->len, ==, 2);
  g_assert_cmpstr (BLOCK (quote->children, 0)->markup, ==, "quoted <b>text</b>");
  g_assert_cmpint (BLOCK (quote->children, 1)->type, ==, CONFAB_MARKDOWN_QUOTE);
}

static void
test_code (void)
{
  g_autoptr(GPtrArray) blocks = parse ("```c\nint main (void) { return a < b && c; }\n```\n\n"
                                       "    indented <code>\n\n"
                                       "~~~\nno language\n~~~\n"
                                       "```py {.class}\nx\n");

  g_assert_cmpuint (blocks->len, ==, 4);
  g_assert_cmpint (BLOCK (blocks, 0)->type, ==, CONFAB_MARKDOWN_CODE);
  g_assert_cmpstr (BLOCK (blocks, 0)->language, ==, "c");
  /* Raw text for the source view: nothing escaped. */
  g_assert_cmpstr (BLOCK (blocks, 0)->text, ==, "int main (void) { return a < b && c; }\n");
  g_assert_null (BLOCK (blocks, 1)->language);
  g_assert_cmpstr (BLOCK (blocks, 1)->text, ==, "indented <code>\n");
  g_assert_null (BLOCK (blocks, 2)->language);
  g_assert_cmpstr (BLOCK (blocks, 2)->text, ==, "no language\n");
  /* An unclosed fence (a reply still streaming) runs to the end. */
  g_assert_cmpstr (BLOCK (blocks, 3)->language, ==, "py");
  g_assert_cmpstr (BLOCK (blocks, 3)->text, ==, "x\n");
}

static void
test_tables (void)
{
  g_autoptr(GPtrArray) blocks = parse ("| Name | Score | Note |\n|:-----|------:|:----:|\n"
                                       "| *a* | 1 | x & y |\n| b | 2 |\n");
  ConfabMarkdownBlock *table;
  char **row;

  g_assert_cmpuint (blocks->len, ==, 1);
  table = BLOCK (blocks, 0);
  g_assert_cmpint (table->type, ==, CONFAB_MARKDOWN_TABLE);
  g_assert_cmpuint (table->n_columns, ==, 3);
  g_assert_cmpuint (table->n_header_rows, ==, 1);
  g_assert_cmpuint (table->rows->len, ==, 3);
  g_assert_cmpint (table->alignments[0], ==, CONFAB_MARKDOWN_ALIGN_LEFT);
  g_assert_cmpint (table->alignments[1], ==, CONFAB_MARKDOWN_ALIGN_RIGHT);
  g_assert_cmpint (table->alignments[2], ==, CONFAB_MARKDOWN_ALIGN_CENTER);
  row = g_ptr_array_index (table->rows, 0);
  g_assert_cmpstr (row[0], ==, "Name");
  row = g_ptr_array_index (table->rows, 1);
  g_assert_cmpstr (row[0], ==, "<i>a</i>");
  g_assert_cmpstr (row[2], ==, "x &amp; y");
  row = g_ptr_array_index (table->rows, 2);
  g_assert_cmpstr (row[2], ==, "");
}

static void
test_rule (void)
{
  g_autoptr(GPtrArray) blocks = parse ("above\n\n---\n\n***\nbelow");

  g_assert_cmpuint (blocks->len, ==, 4);
  g_assert_cmpint (BLOCK (blocks, 1)->type, ==, CONFAB_MARKDOWN_RULE);
  g_assert_cmpint (BLOCK (blocks, 2)->type, ==, CONFAB_MARKDOWN_RULE);
}

static void
test_links (void)
{
  g_autoptr(GPtrArray) blocks =
    parse ("[GNOME](https://gnome.org/?a=1&b=\"2\" \"The <title>\") and "
           "<https://example.com/x> and www.example.org and "
           "[bad](javascript:alert(1)) and [file](file:///etc/passwd) and [rel](page.html) and "
           "[ftp](ftp://a.example/f) and [data](data:text/html,<b>x</b>) and "
           "![alt *text*](https://example.com/i.png) and ![](https://example.com/j.png) and "
           "[![img](https://a.example/i.png)](https://b.example/) and "
           "![local](file:///home/u/.ssh/id_rsa) and <mailto:a@b.example>");
  const char *markup = BLOCK (blocks, 0)->markup;
  g_autofree char *text = confab_markdown_markup_to_text (markup);

  /* The tooltip is where the link goes, not the model's title; GtkLabel
   * takes it as markup, so it is escaped twice. */
  g_assert_nonnull (strstr (markup, "<a href=\"https://gnome.org/?a=1&amp;b=&quot;2&quot;\" "
                                    "title=\"https://gnome.org/?a=1&amp;amp;b=&amp;quot;2&amp;quot;\">"
                                    "GNOME</a>"));
  g_assert_null (strstr (markup, "The &lt;title&gt;"));
  g_assert_nonnull (strstr (markup, "<a href=\"https://example.com/x\" title=\"https://example.com/x\">"
                                    "https://example.com/x</a>"));
  g_assert_nonnull (strstr (markup, "<a href=\"http://www.example.org\" "
                                    "title=\"http://www.example.org\">www.example.org</a>"));
  /* Other schemes are plain text, not links. */
  g_assert_nonnull (strstr (markup, " and bad and file and rel and ftp and data and "));
  /* Images are never loaded: their alt text links to them. */
  g_assert_nonnull (strstr (markup, "<a href=\"https://example.com/i.png\" "
                                    "title=\"https://example.com/i.png\">alt <i>text</i></a>"));
  g_assert_nonnull (strstr (markup, ">https://example.com/j.png</a>"));
  /* The image inside a link cannot be a link of its own. */
  g_assert_nonnull (strstr (markup, "<a href=\"https://b.example/\" "
                                    "title=\"https://b.example/\">img</a>"));
  g_assert_nonnull (strstr (markup, " and local and "));
  g_assert_nonnull (strstr (markup, "<a href=\"mailto:a@b.example\""));
  g_assert_null (strstr (markup, "javascript"));
  g_assert_null (strstr (markup, "file:"));
  g_assert_null (strstr (markup, "ftp:"));
  g_assert_null (strstr (markup, "data:"));
  g_assert_nonnull (strstr (text, "bad and file and rel and ftp and data and alt text and"));
}

/* A long URL's tooltip is cut; the link still goes to all of it. */
static void
test_link_tooltip_cut (void)
{
  g_autofree char *path = g_strnfill (500, 'p');
  g_autofree char *input = g_strdup_printf ("[x](https://a.example/%s)", path);
  g_autoptr(GPtrArray) blocks = parse (input);
  const char *markup = BLOCK (blocks, 0)->markup;
  const char *title = strstr (markup, "title=\"");

  g_assert_nonnull (strstr (markup, path));
  g_assert_nonnull (title);
  g_assert_nonnull (strstr (title, "\u2026\">x</a>"));
  g_assert_cmpuint (strchr (title + 7, '"') - (title + 7), <, 220 + strlen ("\u2026"));
}

static void
test_link_is_safe (void)
{
  static const char * const safe[] = {
    "https://gnome.org", "http://a.example/x?y=1#z", "HTTPS://GNOME.ORG/", "https://[::1]:8080/",
    "https://user@host.example/", "http://caf\u00e9.example/", "mailto:a@b.example",
    "MailTo:a@b.example?subject=x", "https://a.example/%zz",
  };
  static const char * const unsafe[] = {
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "vbscript:x",
    "file:///etc/passwd", "FILE:///etc/passwd", "data:text/html,<script>x</script>",
    "data:image/png;base64,AAAA", "ftp://a.example/f", "ssh://host", "smb://host/share",
    "ms-settings:", "steam://run/1", "x-confab://x", "tel:+1", "about:blank", "blob:https://a/b",
    "page.html", "/etc/passwd", "../x", "//evil.example/x", "#top", "?q=1", "www.gnome.org",
    "", "http:", "http://", "http:///x", "https:gnome.org", "mailto:", "https://a b.example/",
    "https://a.example/\tx", "https://a.example/\nx", "https://a.example/\x7f",
    "https://a.example/\u200b", "https://a.example/\u202egpj.exe", "https://a.example/\u2028",
    "https://a.example/\u00a0", "https://a.example/\xc2\x85", "\xff\xfehttps://a.example/",
    "https://a.example/\xff",
  };

  for (guint i = 0; i < G_N_ELEMENTS (safe); i++)
    if (!confab_markdown_link_is_safe (safe[i]))
      g_error ("%s was refused", safe[i]);
  for (guint i = 0; i < G_N_ELEMENTS (unsafe); i++)
    if (confab_markdown_link_is_safe (unsafe[i]))
      g_error ("%s was let through", unsafe[i]);
  g_assert_false (confab_markdown_link_is_safe (NULL));
}

static void
test_escaping (void)
{
  g_autoptr(GPtrArray) blocks =
    parse ("<b>not bold</b> & <script>x</script> 'q' \"d\" &copy; &amp;lt; &#60; &#x3E; &#0; &bogus;\n\n"
           "<div>\nblock html\n</div>");
  g_autofree char *text = NULL;

  g_assert_cmpstr (BLOCK (blocks, 0)->markup, ==,
                   "&lt;b&gt;not bold&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt; "
                   "&#39;q&#39; &quot;d&quot; \u00a9 &amp;lt; &lt; &gt; \uFFFD &amp;bogus;");
  g_assert_cmpint (BLOCK (blocks, 1)->type, ==, CONFAB_MARKDOWN_PARAGRAPH);
  g_assert_cmpstr (BLOCK (blocks, 1)->markup, ==, "&lt;div&gt; block html &lt;/div&gt;");

  text = confab_markdown_markup_to_text (BLOCK (blocks, 0)->markup);
  g_assert_cmpstr (text, ==, "<b>not bold</b> & <script>x</script> 'q' \"d\" \u00a9 &lt; < > \uFFFD &bogus;");
}

static void
test_hostile (void)
{
  static const char * const inputs[] = {
    "", " ", "\n\n\n", "<", "&", "&&&;", "*", "**", "***a**", "_*_*_*", "~~~", "`", "``a`",
    "[", "[a](", "[a](<", "![", "<a href=\"x\">", "</span>", "<markup>", "]]>", "<!--",
    "\x01\x02\x1b[31mred\x7f", "tab\there", "\r\n\r", "a\rb", "\xc2\x85\xc2\x9f", "\xef\xbf\xbe",
    "\xff\xfe\xfd", "\xc3", "\xe2\x82", "caf\xc3\xa9 \xed\xa0\x80", "&#xD800; &#1114112; &#99999999999;",
    "| a |\n|---|\n| <b> |", "|\n|-", "- [x] <", "> <", "# <&>", "```<&>\n<&>", "***\n___",
    "[x]: https://a.example\n[x]", "<https://a.example/\">", "https://a.example/\"><b>",
    "www.a.example/<script>", "mailto:a@b.example", "a@b.example",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GPtrArray) blocks = parse (inputs[i]);
    }

  /* With the NULs and stray bytes counted in. */
  {
    static const char with_nul[] = "a\0b *c\0* `\0` ```\n\0\n```\n";
    g_autoptr(GPtrArray) blocks = confab_markdown_parse (with_nul, sizeof with_nul - 1);

    check_blocks (blocks);
    g_assert_nonnull (strstr (BLOCK (blocks, 0)->markup, "a\uFFFDb"));
  }

  /* Deep nesting is flattened, not turned into thousands of levels. */
  {
    g_autoptr(GString) deep = g_string_new (NULL);
    g_autoptr(GPtrArray) blocks = NULL;
    ConfabMarkdownBlock *block;
    guint depth = 0;

    for (guint i = 0; i < 2000; i++)
      g_string_append (deep, "> - ");
    g_string_append (deep, "bottom\n");
    for (guint i = 0; i < 3000; i++)
      g_string_append (deep, "*[`");

    blocks = parse (deep->str);
    for (block = BLOCK (blocks, 0); block->children != NULL && block->children->len > 0;
         block = BLOCK (block->children, 0))
      depth++;
    g_assert_cmpuint (depth, <=, 40);
  }

  /* Random bytes, biased towards Markdown's special characters. */
  {
    static const char alphabet[] = "*_`~[]()<>!#-+|:\\&;\n \t>1.xhttps://w.\xc3\xa9\xff\x01";

    for (guint round = 0; round < 2000; round++)
      {
        g_autofree char *bytes = g_malloc (256);
        guint len = g_test_rand_int_range (0, 256);
        g_autoptr(GPtrArray) blocks = NULL;

        for (guint i = 0; i < len; i++)
          bytes[i] = g_test_rand_bit ()
            ? alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)]
            : (char)g_test_rand_int_range (0, 256);

        blocks = confab_markdown_parse (bytes, len);
        check_blocks (blocks);
      }
  }
}

/* ---- streaming: the blocks before the one growing keep their ids */

static const char streamed[] =
  "# A heading\n\n"
  "Some *intro* text that runs\nover two lines.\n\n"
  "- first item\n- second item with `code`\n  - nested\n\n"
  "> a quote\n\n"
  "```python\nprint ('hello')\nprint ('world')\n```\n\n"
  "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n"
  "1. one\n2. two\n\n"
  "---\n\n"
  "The end, with a [link](https://gnome.org).\n";

static void
test_streaming_identity (void)
{
  g_autoptr(GPtrArray) full = parse (streamed);
  gsize len = strlen (streamed);

  g_assert_cmpuint (full->len, ==, 9);

  for (gsize cut = 1; cut < len; cut++)
    {
      g_autoptr(GPtrArray) prefix = confab_markdown_parse (streamed, cut);

      check_blocks (prefix);
      g_assert_cmpuint (prefix->len, <=, full->len);
      /* Only the last block may still change as more text comes. */
      for (guint i = 0; i + 1 < prefix->len; i++)
        {
          if (BLOCK (prefix, i)->id != BLOCK (full, i)->id)
            g_error ("block %u changed id after a cut at %" G_GSIZE_FORMAT ": %.*s|",
                     i, cut, (int)cut, streamed);
        }
    }

  /* Same text, same ids; other text, other ids. */
  {
    g_autoptr(GPtrArray) again = parse (streamed);
    g_autoptr(GPtrArray) other = parse ("# A heading!\n");

    for (guint i = 0; i < full->len; i++)
      g_assert_cmpuint (BLOCK (again, i)->id, ==, BLOCK (full, i)->id);
    g_assert_cmpuint (BLOCK (other, 0)->id, !=, BLOCK (full, 0)->id);
  }

  /* Inside a growing list, the finished items keep theirs. */
  {
    g_autoptr(GPtrArray) shorter = parse ("- a\n- b\n- c");
    g_autoptr(GPtrArray) longer = parse ("- a\n- b\n- c and more\n- d");
    ConfabMarkdownBlock *before = BLOCK (shorter, 0);
    ConfabMarkdownBlock *after = BLOCK (longer, 0);

    g_assert_cmpuint (BLOCK (before->children, 0)->id, ==, BLOCK (after->children, 0)->id);
    g_assert_cmpuint (BLOCK (before->children, 1)->id, ==, BLOCK (after->children, 1)->id);
    g_assert_cmpuint (BLOCK (before->children, 2)->id, !=, BLOCK (after->children, 2)->id);
  }
}

/* A long paragraph is cut into several a label can lay out quickly. */
static void
test_huge_paragraph (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) words = g_string_new ("**");
  g_autoptr(GString) plain = g_string_new (NULL);
  g_autoptr(GString) joined = g_string_new (NULL);
  g_autoptr(GPtrArray) blocks = NULL;
  g_autoptr(GPtrArray) prefix = NULL;
  g_autofree char *solid = NULL;

  /* 5,000 lines without a blank one: a single paragraph in Markdown. */
  for (guint i = 0; i < 5000; i++)
    {
      g_string_append_printf (text, "line %u of *one* paragraph\n", i);
      g_string_append_printf (plain, "%sline %u of one paragraph", i ? " " : "", i);
    }
  blocks = parse (text->str);
  g_assert_cmpuint (blocks->len, >, 10);
  for (guint i = 0; i < blocks->len; i++)
    {
      g_autofree char *part = confab_markdown_markup_to_text (BLOCK (blocks, i)->markup);

      g_assert_cmpint (BLOCK (blocks, i)->type, ==, CONFAB_MARKDOWN_PARAGRAPH);
      g_assert_cmpuint (strlen (BLOCK (blocks, i)->markup), <, 8192);
      g_string_append_printf (joined, "%s%s", i ? " " : "", part);
    }
  /* Cut at line breaks: nothing lost, nothing added. */
  g_assert_cmpstr (joined->str, ==, plain->str);

  /* While it streams, the parts before the last keep their ids. */
  prefix = confab_markdown_parse (text->str, text->len / 2);
  for (guint i = 0; i + 1 < prefix->len; i++)
    g_assert_cmpuint (BLOCK (prefix, i)->id, ==, BLOCK (blocks, i)->id);
  g_clear_pointer (&blocks, g_ptr_array_unref);

  /* One line of bold words: cut at spaces, the bold closed and reopened. */
  for (guint i = 0; i < 20000; i++)
    g_string_append (words, "word ");
  g_string_append (words, "end**");
  blocks = parse (words->str);
  g_assert_cmpuint (blocks->len, >, 4);
  for (guint i = 0; i < blocks->len; i++)
    {
      g_assert_true (g_str_has_prefix (BLOCK (blocks, i)->markup, "<b>"));
      g_assert_true (g_str_has_suffix (BLOCK (blocks, i)->markup, "</b>"));
    }
  g_clear_pointer (&blocks, g_ptr_array_unref);

  /* No space at all: cut between characters (two bytes each here). */
  solid = g_strnfill (100000, 'x');
  for (gsize i = 1; i < 100000; i += 2)
    solid[i - 1] = '\xc3', solid[i] = '\xa9';
  blocks = parse (solid);
  g_assert_cmpuint (blocks->len, >, 4);
}

/* ---- the samples the UI test and the benchmark use */

static void
test_tour (void)
{
  g_autoptr(GPtrArray) blocks = parse (confab_test_markdown_tour);
  g_autofree char *code = g_strconcat (confab_test_markdown_tour_code, "\n", NULL);
  static const ConfabMarkdownBlockType expected[] = {
    CONFAB_MARKDOWN_HEADING, CONFAB_MARKDOWN_PARAGRAPH, CONFAB_MARKDOWN_HEADING,
    CONFAB_MARKDOWN_LIST, CONFAB_MARKDOWN_LIST, CONFAB_MARKDOWN_QUOTE,
    CONFAB_MARKDOWN_HEADING, CONFAB_MARKDOWN_TABLE, CONFAB_MARKDOWN_CODE,
    CONFAB_MARKDOWN_RULE, CONFAB_MARKDOWN_PARAGRAPH,
  };

  g_assert_cmpuint (blocks->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < blocks->len; i++)
    g_assert_cmpint (BLOCK (blocks, i)->type, ==, expected[i]);
  g_assert_cmpstr (BLOCK (blocks, 8)->text, ==, code);
}

static void
test_summary (void)
{
  g_autofree char *tour = confab_markdown_summary (confab_test_markdown_tour, 60);
  g_autofree char *all = confab_markdown_summary ("# Hi\n\n- *a*\n- `b`\n\n```\nc\n```\n"
                                                  "| d | e |\n|---|---|\n| f | g |\n", 100);
  g_autofree char *empty = confab_markdown_summary ("", 10);
  g_autofree char *long_text = confab_test_long_markdown (100000);
  g_autofree char *long_summary = NULL;
  gint64 start;

  g_assert_cmpstr (tour, ==, "Markdown Tour Here is bold, italic, struck and inline code,\u2026");
  g_assert_cmpuint (g_utf8_strlen (tour, -1), <=, 61);
  g_assert_cmpstr (all, ==, "Hi a b c d e f g");
  g_assert_cmpstr (empty, ==, "");

  /* Only the start of a long reply is read. */
  start = g_get_monotonic_time ();
  long_summary = confab_markdown_summary (long_text, 160);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 50 * 1000);
  g_assert_true (g_str_has_prefix (long_summary, "Section 0 Paragraph 0 with bold"));
}

/* ---- size */

static void
test_long_reply (void)
{
  g_autofree char *text = confab_test_long_markdown (5000);
  g_autoptr(GPtrArray) blocks = NULL;
  gint64 start = g_get_monotonic_time ();
  double ms;

  blocks = confab_markdown_parse (text, -1);
  ms = (g_get_monotonic_time () - start) / 1000.0;
  g_test_message ("5,000 lines (%zu bytes, %u blocks) parsed in %.1f ms",
                  strlen (text), blocks->len, ms);
  check_blocks (blocks);
  g_assert_cmpuint (blocks->len, >, 800);
  /* Generous for slow CI and sanitizers; about 5 ms on a laptop. */
  g_assert_cmpfloat (ms, <, 1000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/confab/markdown/paragraphs", test_paragraphs);
  g_test_add_func ("/confab/markdown/headings", test_headings);
  g_test_add_func ("/confab/markdown/lists", test_lists);
  g_test_add_func ("/confab/markdown/quotes", test_quotes);
  g_test_add_func ("/confab/markdown/code", test_code);
  g_test_add_func ("/confab/markdown/tables", test_tables);
  g_test_add_func ("/confab/markdown/rule", test_rule);
  g_test_add_func ("/confab/markdown/links", test_links);
  g_test_add_func ("/confab/markdown/link-tooltip-cut", test_link_tooltip_cut);
  g_test_add_func ("/confab/markdown/link-is-safe", test_link_is_safe);
  g_test_add_func ("/confab/markdown/escaping", test_escaping);
  g_test_add_func ("/confab/markdown/hostile", test_hostile);
  g_test_add_func ("/confab/markdown/streaming-identity", test_streaming_identity);
  g_test_add_func ("/confab/markdown/huge-paragraph", test_huge_paragraph);
  g_test_add_func ("/confab/markdown/tour", test_tour);
  g_test_add_func ("/confab/markdown/summary", test_summary);
  g_test_add_func ("/confab/markdown/long-reply", test_long_reply);

  return g_test_run ();
}
