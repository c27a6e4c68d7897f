/* confab-composer.h: where messages are written: a growing text view, the
 * model for the next message, and Send (Stop while a reply streams).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_COMPOSER (confab_composer_get_type ())
G_DECLARE_FINAL_TYPE (ConfabComposer, confab_composer, CONFAB, COMPOSER, GtkWidget)

GtkWidget     *confab_composer_new         (void);
/* The text as typed (a copy). */
char          *confab_composer_dup_text    (ConfabComposer *self);
void           confab_composer_set_text    (ConfabComposer *self,
                                            const char     *text);
/* "PROVIDER:MODEL" for the next message. */
const char    *confab_composer_get_model   (ConfabComposer *self);
void           confab_composer_set_model   (ConfabComposer *self,
                                            const char     *model);
gboolean       confab_composer_get_busy    (ConfabComposer *self);
void           confab_composer_set_busy    (ConfabComposer *self,
                                            gboolean        busy);
/* The user message being edited (Send then replaces it), or NULL. */
ConfabMessage *confab_composer_get_editing (ConfabComposer *self);
void           confab_composer_set_editing (ConfabComposer *self,
                                            ConfabMessage  *message);
/* Two or more "PROVIDER:MODEL": the next Send compares their answers
 * (NULL or an empty vector: off). */
const char * const *confab_composer_get_compare_models (ConfabComposer     *self);
void           confab_composer_set_compare_models (ConfabComposer     *self,
                                                   const char * const *models);
/* Shows the "Compare Models" button (FALSE by default). */
gboolean       confab_composer_get_can_compare (ConfabComposer *self);
void           confab_composer_set_can_compare (ConfabComposer *self,
                                                gboolean        can_compare);
/* Opens the model list (the "Switch Model" toast). */
void           confab_composer_pick_model  (ConfabComposer *self);
void           confab_composer_focus       (ConfabComposer *self);
/* Replaces the entry's placeholder ("Say something to the table…");
 * NULL: the usual one. */
void           confab_composer_set_placeholder (ConfabComposer *self,
                                                const char     *placeholder);

G_END_DECLS
