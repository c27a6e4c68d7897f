/* confab-mention-completion.h: completes "@alias" mentions in a text view
 * from the store's aliases, in a popover at the cursor.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MENTION_COMPLETION (confab_mention_completion_get_type ())
G_DECLARE_FINAL_TYPE (ConfabMentionCompletion, confab_mention_completion,
                      CONFAB, MENTION_COMPLETION, GObject)

/* Attaches to @view; dispose of it before @view (the popover must leave
 * the view first). Its key handler runs before those the view had
 * already (GTK runs the newest controller first), so create it after
 * them: while the list is open, Enter picks instead of sending and
 * Escape only closes the list. */
ConfabMentionCompletion *confab_mention_completion_new      (GtkTextView             *view);
/* TRUE while the list of matches shows. */
gboolean                 confab_mention_completion_get_active (ConfabMentionCompletion *self);
/* Closes the list (until the typed mention changes). */
void                     confab_mention_completion_dismiss  (ConfabMentionCompletion *self);

G_END_DECLS
