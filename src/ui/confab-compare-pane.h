/* confab-compare-pane.h: a comparison's answers side by side (a carousel
 * when folded), with Synthesize and Done.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_COMPARE_PANE (confab_compare_pane_get_type ())
G_DECLARE_FINAL_TYPE (ConfabComparePane, confab_compare_pane, CONFAB, COMPARE_PANE, GtkWidget)

GtkWidget       *confab_compare_pane_new           (void);
/* The conductor whose turns are the columns (NULL: none). */
ConfabConductor *confab_compare_pane_get_conductor (ConfabComparePane *self);
void             confab_compare_pane_set_conductor (ConfabComparePane *self,
                                                    ConfabConductor   *conductor);
/* Narrow: one answer at a time in a carousel. */
gboolean         confab_compare_pane_get_folded    (ConfabComparePane *self);
void             confab_compare_pane_set_folded    (ConfabComparePane *self,
                                                    gboolean           folded);

G_END_DECLS
