/* confab-tail-model.h: the end of a list, growing towards its start.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_TAIL_MODEL (confab_tail_model_get_type ())
G_DECLARE_FINAL_TYPE (ConfabTailModel, confab_tail_model, CONFAB, TAIL_MODEL, GObject)

/* A GListModel of the items of @model from a start position to its end:
 * items appended to @model show up; earlier ones only when the view asks
 * for them with confab_tail_model_grow() or _reveal(). */
ConfabTailModel *confab_tail_model_new         (GListModel      *model,
                                                guint            size);
GListModel      *confab_tail_model_get_model   (ConfabTailModel *self);
/* Replaces the model and shows its last @size items. */
void             confab_tail_model_set_model   (ConfabTailModel *self,
                                                GListModel      *model,
                                                guint            size);
/* The position in the model of this list's first item. */
guint            confab_tail_model_get_start   (ConfabTailModel *self);
/* Shows up to @count more items before the first; returns how many. */
guint            confab_tail_model_grow        (ConfabTailModel *self,
                                                guint            count);
/* Shows only the last @keep items, if it shows more; returns how many it
 * took away. */
guint            confab_tail_model_shrink      (ConfabTailModel *self,
                                                guint            keep);
/* Grows to show the model's item at @position, and @before items more;
 * returns its position in this list (G_MAXUINT if the model is shorter). */
guint            confab_tail_model_reveal      (ConfabTailModel *self,
                                                guint            position,
                                                guint            before);

G_END_DECLS
