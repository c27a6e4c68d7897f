/* confab-model-info.h: a model as a provider lists it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_MODEL_INFO (confab_model_info_get_type ())
G_DECLARE_FINAL_TYPE (ConfabModelInfo, confab_model_info, CONFAB, MODEL_INFO, GObject)

ConfabModelInfo *confab_model_info_new                (const char *provider,
                                                       const char *model,
                                                       const char *display_name,
                                                       gint64      context_window,
                                                       gint64      max_output);
const char      *confab_model_info_get_provider       (ConfabModelInfo *self);
const char      *confab_model_info_get_model          (ConfabModelInfo *self);
/* "PROVIDER:MODEL" */
const char      *confab_model_info_get_full_id        (ConfabModelInfo *self);
const char      *confab_model_info_get_display_name   (ConfabModelInfo *self);
/* Tokens; 0 when unknown. */
gint64           confab_model_info_get_context_window (ConfabModelInfo *self);
gint64           confab_model_info_get_max_output     (ConfabModelInfo *self);

G_END_DECLS
