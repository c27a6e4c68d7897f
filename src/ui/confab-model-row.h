/* confab-model-row.h: one model in the model picker's list: its name, its
 * provider, its id and context window, a check mark when it is the current
 * one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MODEL_ROW (confab_model_row_get_type ())
G_DECLARE_FINAL_TYPE (ConfabModelRow, confab_model_row, CONFAB, MODEL_ROW, GtkWidget)

GtkWidget       *confab_model_row_new               (void);
ConfabModelInfo *confab_model_row_get_info          (ConfabModelRow  *self);
void             confab_model_row_set_info          (ConfabModelRow  *self,
                                                     ConfabModelInfo *info);
const char      *confab_model_row_get_current_model (ConfabModelRow  *self);
void             confab_model_row_set_current_model (ConfabModelRow  *self,
                                                     const char      *full_id);

/* "OpenAI" for "openai"; the id itself for a provider Confab does not know. */
const char      *confab_model_row_get_provider_name (const char      *provider_id);
/* "128K context", "1M context"; NULL when unknown (0). */
char            *confab_model_row_format_context    (gint64           context_window);

G_END_DECLS
