/* confab-application.h: the app object, owner of the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_APPLICATION (confab_application_get_type ())
G_DECLARE_FINAL_TYPE (ConfabApplication, confab_application, CONFAB, APPLICATION, AdwApplication)

ConfabApplication *confab_application_new       (void);
/* NULL until the store opened successfully on the first activation. */
ConfabStore       *confab_application_get_store (ConfabApplication *self);

G_END_DECLS
