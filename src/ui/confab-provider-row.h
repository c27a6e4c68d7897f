/* confab-provider-row.h: one provider in Preferences: turned on or off, its
 * API key (stored in the keyring, never shown), its base URL, and what the
 * last refresh of the model lists found.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_PROVIDER_ROW (confab_provider_row_get_type ())
G_DECLARE_FINAL_TYPE (ConfabProviderRow, confab_provider_row, CONFAB, PROVIDER_ROW, AdwExpanderRow)

/* settings may be NULL (no schema): the switch and the URL are then
 * read-only. */
GtkWidget  *confab_provider_row_new             (const char           *provider_id,
                                                 ConfabModelCatalogue *catalogue,
                                                 GSettings            *settings);
const char *confab_provider_row_get_provider_id (ConfabProviderRow    *self);

G_END_DECLS
