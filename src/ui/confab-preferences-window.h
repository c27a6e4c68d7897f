/* confab-preferences-window.h: Preferences: the model providers (keys,
 * base URLs, on/off), the default model, @mention aliases and prices
 * (the "models" page), and the style.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-application.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_PREFERENCES_WINDOW (confab_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (ConfabPreferencesWindow, confab_preferences_window,
                      CONFAB, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* The application must have its catalogue (the store is open). */
ConfabPreferencesWindow *confab_preferences_window_new (ConfabApplication *application);

G_END_DECLS
