/* confab-mentions.c: finding "@alias" mentions in a prompt.
 *
 * Pure functions over the text and the alias list, so the rules are
 * tested without a store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-conductor"

#include "config.h"

#include <string.h>

#include "confab-mentions.h"

G_DEFINE_BOXED_TYPE (ConfabModelAlias, confab_model_alias,
                     confab_model_alias_copy, confab_model_alias_free)

ConfabModelAlias *
confab_model_alias_new (const char *alias,
                        const char *model)
{
  ConfabModelAlias *self;

  g_return_val_if_fail (alias != NULL, NULL);
  g_return_val_if_fail (model != NULL, NULL);

  self = g_new0 (ConfabModelAlias, 1);
  self->alias = g_strdup (alias);
  self->model = g_strdup (model);

  return self;
}

ConfabModelAlias *
confab_model_alias_copy (const ConfabModelAlias *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return confab_model_alias_new (self->alias, self->model);
}

void
confab_model_alias_free (ConfabModelAlias *self)
{
  if (self == NULL)
    return;

  g_free (self->alias);
  g_free (self->model);
  g_free (self);
}

static gboolean
is_alias_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-' || c == '.';
}

gboolean
confab_mentions_is_valid_alias (const char *alias)
{
  gsize len;

  if (alias == NULL || !g_ascii_isalnum (alias[0]))
    return FALSE;

  len = strlen (alias);
  if (len > CONFAB_MENTIONS_ALIAS_MAX)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if (!is_alias_char (alias[i]))
      return FALSE;

  return TRUE;
}

/* Whether an "@" at @at may start a mention: not inside a word or an
 * address. */
static gboolean
can_start_mention (const char *text,
                   const char *at)
{
  const char *before;
  gunichar c;

  if (at == text)
    return TRUE;

  before = g_utf8_find_prev_char (text, at);
  c = g_utf8_get_char (before);

  return !g_unichar_isalnum (c) && c != '_' && c != '@' && c != '.' && c != '-';
}

static const char *
lookup_alias (GPtrArray  *aliases,
              const char *name,
              gsize       len)
{
  for (guint i = 0; aliases != NULL && i < aliases->len; i++)
    {
      const ConfabModelAlias *alias = g_ptr_array_index (aliases, i);

      if (strlen (alias->alias) == len && g_ascii_strncasecmp (alias->alias, name, len) == 0)
        return alias->model;
    }

  return NULL;
}

GStrv
confab_mentions_parse (const char *prompt,
                       GPtrArray  *aliases)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *p;

  if (prompt == NULL)
    return g_strv_builder_end (builder);

  for (p = strchr (prompt, '@'); p != NULL; p = strchr (p + 1, '@'))
    {
      const char *name = p + 1;
      const char *model;
      gsize len = 0;

      if (!can_start_mention (prompt, p) || !g_ascii_isalnum (*name))
        continue;

      while (is_alias_char (name[len]))
        len++;
      /* "@claude." or "@gpt-": the sentence goes on, the alias ended. */
      while (len > 0 && (name[len - 1] == '.' || name[len - 1] == '-'))
        len--;
      /* "@claudette" is not "@claude": the word must end here. */
      if (name[len] != '\0' && (g_ascii_isalnum (name[len]) || name[len] == '_'))
        continue;

      model = lookup_alias (aliases, name, len);
      if (model == NULL || g_hash_table_contains (seen, model))
        continue;

      g_hash_table_add (seen, (gpointer) model);
      g_strv_builder_add (builder, model);
    }

  return g_strv_builder_end (builder);
}

char *
confab_mentions_dup_prefix_at (const char *text,
                               gsize       cursor,
                               gsize      *start)
{
  gsize len;
  gsize i;

  g_return_val_if_fail (text != NULL, NULL);

  len = strlen (text);
  if (cursor > len)
    return NULL;

  for (i = cursor; i > 0 && is_alias_char (text[i - 1]); i--)
    ;

  if (i == 0 || text[i - 1] != '@' || cursor - i > CONFAB_MENTIONS_ALIAS_MAX ||
      !can_start_mention (text, text + i - 1))
    return NULL;
  if (cursor > i && !g_ascii_isalnum (text[i]))
    return NULL;

  if (start != NULL)
    *start = i - 1;

  return g_strndup (text + i, cursor - i);
}
