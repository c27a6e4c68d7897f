/* confab-roundtable-bar.h: above the composer while a round-table runs:
 * the round, who is speaking, the tokens used, Pause/Resume and Stop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_ROUNDTABLE_BAR (confab_roundtable_bar_get_type ())
G_DECLARE_FINAL_TYPE (ConfabRoundtableBar, confab_roundtable_bar, CONFAB, ROUNDTABLE_BAR, GtkWidget)

GtkWidget       *confab_roundtable_bar_new           (void);
/* The open chat's conductor (NULL: none); the bar shows itself while it
 * holds a round-table. */
ConfabConductor *confab_roundtable_bar_get_conductor (ConfabRoundtableBar *self);
void             confab_roundtable_bar_set_conductor (ConfabRoundtableBar *self,
                                                      ConfabConductor     *conductor);

G_END_DECLS
