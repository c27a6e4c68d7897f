/* confab-application.h: the app object, owner of the store and the model
 * catalogue.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"
#include "confab-room-account.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_APPLICATION (confab_application_get_type ())
G_DECLARE_FINAL_TYPE (ConfabApplication, confab_application, CONFAB, APPLICATION, AdwApplication)

ConfabApplication *confab_application_new       (void);
/* NULL until the store opened successfully on the first activation. */
ConfabStore       *confab_application_get_store (ConfabApplication *self);
/* The models of every configured provider, set up from the settings
 * (base-urls, disabled-providers) and the keyring; created with the store
 * (NULL before) and refreshed in the background at startup and whenever
 * the settings change. Widgets find it through g_application_get_default (). */
ConfabModelCatalogue *confab_application_get_catalogue (ConfabApplication *self);
/* Fetches the model lists again (after a key was stored or removed),
 * cancelling a refresh still running. */
void               confab_application_refresh_models (ConfabApplication *self);
/* The app's settings, NULL when the schema is not installed (an uninstalled
 * run without GSETTINGS_SCHEMA_DIR). */
GSettings         *confab_application_get_settings (ConfabApplication *self);
/* The account on a confabd server for shared projects; created with the
 * store (NULL before), signed in or not. */
ConfabRoomAccount *confab_application_get_room_account (ConfabApplication *self);

G_END_DECLS
