/* confab-openai-provider.h: the Chat Completions wire protocol: OpenAI,
 * OpenRouter, Ollama and every other compatible server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-provider.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_OPENAI_PROVIDER (confab_openai_provider_get_type ())
G_DECLARE_FINAL_TYPE (ConfabOpenaiProvider, confab_openai_provider,
                      CONFAB, OPENAI_PROVIDER, ConfabProvider)

G_END_DECLS
