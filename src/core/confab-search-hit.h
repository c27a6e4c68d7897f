/* confab-search-hit.h: one search result, with what a result list shows
 * (where the message is and a highlighted excerpt), read in one query.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_SEARCH_HIT (confab_search_hit_get_type ())
G_DECLARE_FINAL_TYPE (ConfabSearchHit, confab_search_hit, CONFAB, SEARCH_HIT, GObject)

/* Immutable snapshots made by the store's search (possibly in a worker
 * thread); they do not follow later changes to the rows. */
gint64      confab_search_hit_get_message_id   (ConfabSearchHit *self);
gint64      confab_search_hit_get_chat_id      (ConfabSearchHit *self);
/* 0 on the main line, else the message whose thread holds it. */
gint64      confab_search_hit_get_parent_id    (ConfabSearchHit *self);
gint64      confab_search_hit_get_project_id   (ConfabSearchHit *self);
ConfabRole  confab_search_hit_get_role         (ConfabSearchHit *self);
const char *confab_search_hit_get_author       (ConfabSearchHit *self);
const char *confab_search_hit_get_chat_title   (ConfabSearchHit *self);
const char *confab_search_hit_get_project_name (ConfabSearchHit *self);
gint64      confab_search_hit_get_created      (ConfabSearchHit *self);
/* Pango markup: the text around the match, escaped, the matched words in
 * <b></b>. Safe to give to gtk_label_set_markup(). */
const char *confab_search_hit_get_snippet      (ConfabSearchHit *self);

G_END_DECLS
