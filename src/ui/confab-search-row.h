/* confab-search-row.h: one search result: the chat, its project, when, and
 * the excerpt with the matched words in bold.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_SEARCH_ROW (confab_search_row_get_type ())
G_DECLARE_FINAL_TYPE (ConfabSearchRow, confab_search_row, CONFAB, SEARCH_ROW, GtkWidget)

ConfabSearchHit *confab_search_row_get_hit (ConfabSearchRow *self);
void             confab_search_row_set_hit (ConfabSearchRow *self,
                                            ConfabSearchHit *hit);

/* "14:05" today, "Mar 5" this year, a full date before: for result lists. */
char            *confab_search_row_format_time (gint64 created_usec);

G_END_DECLS
