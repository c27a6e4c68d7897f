/* confab-price-row.h: one model's price in Preferences: input and output
 * per million tokens and a remove button, written to the store as they
 * change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-store-row.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_PRICE_ROW (confab_price_row_get_type ())
G_DECLARE_FINAL_TYPE (ConfabPriceRow, confab_price_row, CONFAB, PRICE_ROW, ConfabStoreRow)

/* ::removed and ::failed as a ConfabStoreRow. */
GtkWidget  *confab_price_row_new       (ConfabStore            *store,
                                        const ConfabModelPrice *price);
const char *confab_price_row_get_model (ConfabPriceRow         *self);

/* A spin button for a price per million tokens (also the add row's). */
GtkWidget  *confab_price_spin_button_new (const char           *accessible_label,
                                          double                value);

G_END_DECLS
