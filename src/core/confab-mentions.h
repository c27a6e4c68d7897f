/* confab-mentions.h: "@alias" in a prompt routes it to the models the
 * aliases stand for (the aliases live in the store, schema 5).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* An alias is 1 to this many ASCII letters, digits, '_', '-' or '.',
 * starting with a letter or a digit. */
#define CONFAB_MENTIONS_ALIAS_MAX 32

typedef struct
{
  char *alias;   /* without the "@" */
  char *model;   /* "PROVIDER:MODEL" */
} ConfabModelAlias;

#define CONFAB_TYPE_MODEL_ALIAS (confab_model_alias_get_type ())
GType             confab_model_alias_get_type (void) G_GNUC_CONST;
ConfabModelAlias *confab_model_alias_new      (const char             *alias,
                                               const char             *model);
ConfabModelAlias *confab_model_alias_copy     (const ConfabModelAlias *self);
void              confab_model_alias_free     (ConfabModelAlias       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabModelAlias, confab_model_alias_free)

gboolean          confab_mentions_is_valid_alias (const char *alias);

/* The models @prompt mentions, in the order of their first mention, each
 * once. A mention is "@" + a known alias (case does not matter) at the
 * start of the text or after a character that cannot be part of a word
 * or an e-mail address ("ada@gpt.com" mentions nobody); a trailing '.' or
 * '-' ends a sentence, not the alias. @aliases holds ConfabModelAlias
 * (confab_store_list_aliases()). Returns an empty vector when none. */
GStrv             confab_mentions_parse       (const char  *prompt,
                                               GPtrArray   *aliases);

/* For a composer's completion: when the text just before byte @cursor is
 * "@" and the start of an alias, the part typed after the "@" (maybe
 * empty); *start receives the byte offset of the "@". NULL otherwise. */
char             *confab_mentions_dup_prefix_at (const char *text,
                                                 gsize       cursor,
                                                 gsize      *start);

G_END_DECLS
