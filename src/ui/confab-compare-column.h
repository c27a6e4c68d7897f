/* confab-compare-column.h: one model's answer in the compare pane: who
 * answers, how it goes (streaming, failed, stopped), the answer as it
 * streams, its tokens, and Stop or "Keep This Answer".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_COMPARE_COLUMN (confab_compare_column_get_type ())
G_DECLARE_FINAL_TYPE (ConfabCompareColumn, confab_compare_column, CONFAB, COMPARE_COLUMN, GtkWidget)

GtkWidget           *confab_compare_column_new      (ConfabConductorTurn *turn);
ConfabConductorTurn *confab_compare_column_get_turn (ConfabCompareColumn *self);
/* Renders since the turn was set (to check that streaming is batched). */
guint                confab_compare_column_get_n_renders (ConfabCompareColumn *self);

G_END_DECLS
