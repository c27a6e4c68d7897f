/* confab-usage-button.h: the chat header's button showing what the open
 * chat used: replies, tokens and cost per model, and the total.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_USAGE_BUTTON (confab_usage_button_get_type ())
G_DECLARE_FINAL_TYPE (ConfabUsageButton, confab_usage_button, CONFAB, USAGE_BUTTON, GtkWidget)

ConfabStore *confab_usage_button_get_store (ConfabUsageButton *self);
void         confab_usage_button_set_store (ConfabUsageButton *self,
                                            ConfabStore       *store);
/* Hidden while NULL. */
ConfabChat  *confab_usage_button_get_chat  (ConfabUsageButton *self);
void         confab_usage_button_set_chat  (ConfabUsageButton *self,
                                            ConfabChat        *chat);

/* A cost for a label: prices are per million tokens in no particular
 * currency, so a reply costs fractions ("0.0123"). */
char        *confab_usage_format_cost      (double             cost);
/* "GPT-4o · OpenAI" for "openai:gpt-4o", from the app's catalogue. */
char        *confab_usage_describe_model   (const char        *full_id);
/* Shows Preferences on its Models page (aliases and prices). */
void         confab_usage_show_model_preferences (GtkWidget   *widget);

G_END_DECLS
