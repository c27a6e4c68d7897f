/* confab-thread-pane.h: the side pane with the thread on one main-line
 * message: its replies, and a composer with its own model.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_THREAD_PANE (confab_thread_pane_get_type ())
G_DECLARE_FINAL_TYPE (ConfabThreadPane, confab_thread_pane, CONFAB, THREAD_PANE, GtkWidget)

GtkWidget     *confab_thread_pane_new        (void);
/* Shows the thread on @parent (NULL: none). @default_model is used when
 * the thread has no model of its own yet. */
void           confab_thread_pane_set_parent (ConfabThreadPane *self,
                                              ConfabStore      *store,
                                              ConfabChat       *chat,
                                              ConfabMessage    *parent,
                                              const char       *default_model);
ConfabMessage *confab_thread_pane_get_parent (ConfabThreadPane *self);

G_END_DECLS
