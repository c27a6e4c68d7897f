/* confab-code-block.h: a highlighted, read-only code block with a copy button.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_CODE_BLOCK (confab_code_block_get_type ())
G_DECLARE_FINAL_TYPE (ConfabCodeBlock, confab_code_block, CONFAB, CODE_BLOCK, GtkWidget)

GtkWidget  *confab_code_block_new          (void);
/* The word after the opening fence ("c", "py", "rust"...); NULL for none. */
const char *confab_code_block_get_language (ConfabCodeBlock *self);
void        confab_code_block_set_language (ConfabCodeBlock *self,
                                            const char      *language);
const char *confab_code_block_get_code     (ConfabCodeBlock *self);
/* Text that extends the current one (a streaming reply) is appended, so
 * the highlighting done so far is kept. */
void        confab_code_block_set_code     (ConfabCodeBlock *self,
                                            const char      *code);
/* What the copy button does. */
void        confab_code_block_copy         (ConfabCodeBlock *self);

G_END_DECLS
