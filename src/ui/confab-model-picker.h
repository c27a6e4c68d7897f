/* confab-model-picker.h: a button showing a model ("Claude Sonnet 4.5 ·
 * Anthropic") whose popover lists the catalogue's models, searchable by
 * provider, id and name; choosing one sets :model ("PROVIDER:MODEL").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MODEL_PICKER (confab_model_picker_get_type ())
G_DECLARE_FINAL_TYPE (ConfabModelPicker, confab_model_picker, CONFAB, MODEL_PICKER, GtkWidget)

GtkWidget            *confab_model_picker_new           (void);
/* Without one set, the picker uses the application's once it is in a
 * window (see confab_application_get_catalogue ()). */
ConfabModelCatalogue *confab_model_picker_get_catalogue (ConfabModelPicker    *self);
void                  confab_model_picker_set_catalogue (ConfabModelPicker    *self,
                                                         ConfabModelCatalogue *catalogue);
/* "PROVIDER:MODEL", or "" for none. A model the catalogue does not list
 * (yet) is kept and shown by its id. */
const char           *confab_model_picker_get_model     (ConfabModelPicker    *self);
void                  confab_model_picker_set_model     (ConfabModelPicker    *self,
                                                         const char           *full_id);
/* Opens the list with the search focused (for a keyboard shortcut). */
void                  confab_model_picker_popup         (ConfabModelPicker    *self);

G_END_DECLS
