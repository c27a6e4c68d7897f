/* confab-gemini-provider.h: Google's Gemini generateContent wire protocol.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-provider.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_GEMINI_PROVIDER (confab_gemini_provider_get_type ())
G_DECLARE_FINAL_TYPE (ConfabGeminiProvider, confab_gemini_provider,
                      CONFAB, GEMINI_PROVIDER, ConfabProvider)

G_END_DECLS
