/* confab-message-row.h: one message of the chat view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MESSAGE_ROW (confab_message_row_get_type ())
G_DECLARE_FINAL_TYPE (ConfabMessageRow, confab_message_row, CONFAB, MESSAGE_ROW, GtkWidget)

GtkWidget     *confab_message_row_new         (void);
ConfabMessage *confab_message_row_get_message (ConfabMessageRow *self);
void           confab_message_row_set_message (ConfabMessageRow *self,
                                               ConfabMessage    *message);
/* Adds the "highlighted" style class while the message has this id. */
gint64         confab_message_row_get_highlight_id (ConfabMessageRow *self);
void           confab_message_row_set_highlight_id (ConfabMessageRow *self,
                                                    gint64            message_id);
/* The "Switched to …" marker above the message (NULL: none); the chat
 * view computes it from the message before. */
void           confab_message_row_set_switch_label (ConfabMessageRow *self,
                                                    const char       *label);
/* For tests and benchmarks: how often the content was rendered. */
guint          confab_message_row_get_n_renders (ConfabMessageRow *self);

G_END_DECLS
