/* confab-compare-button.h: the composer's "Compare Models" button: a
 * popover of the catalogue's models with a check each; two or more
 * checked send the next message to all of them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_COMPARE_BUTTON (confab_compare_button_get_type ())
G_DECLARE_FINAL_TYPE (ConfabCompareButton, confab_compare_button, CONFAB, COMPARE_BUTTON, GtkWidget)

GtkWidget          *confab_compare_button_new        (void);
/* Without one set, the application's once it is in a window. */
ConfabModelCatalogue *confab_compare_button_get_catalogue (ConfabCompareButton  *self);
void                confab_compare_button_set_catalogue (ConfabCompareButton  *self,
                                                         ConfabModelCatalogue *catalogue);
/* The checked models ("PROVIDER:MODEL") in the order they were checked;
 * NULL when none. */
const char * const *confab_compare_button_get_models (ConfabCompareButton *self);
void                confab_compare_button_set_models (ConfabCompareButton *self,
                                                      const char * const  *models);
void                confab_compare_button_popup      (ConfabCompareButton *self);

G_END_DECLS
