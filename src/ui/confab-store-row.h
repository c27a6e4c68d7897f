/* confab-store-row.h: the base of a Preferences row that edits one item of
 * the store (an alias, a price): the store, a remove button and what came
 * of a change, as ::removed and ::failed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_STORE_ROW (confab_store_row_get_type ())
G_DECLARE_DERIVABLE_TYPE (ConfabStoreRow, confab_store_row, CONFAB, STORE_ROW, AdwActionRow)

struct _ConfabStoreRowClass
{
  AdwActionRowClass parent_class;

  /* Deletes the row's item from the store (the remove button). */
  gboolean (*remove) (ConfabStoreRow  *self,
                      ConfabStore     *store,
                      GError         **error);
};

/* ::removed after the item left the store; ::failed (a message) when the
 * store refused a change. */
ConfabStore *confab_store_row_get_store         (ConfabStoreRow *self);
void         confab_store_row_set_store         (ConfabStoreRow *self,
                                                 ConfabStore    *store);
/* Adds the remove button as the last suffix, labelled for screen readers. */
void         confab_store_row_add_remove_button (ConfabStoreRow *self,
                                                 const char     *label);
/* Emits ::failed with the error's message. */
void         confab_store_row_failed            (ConfabStoreRow *self,
                                                 const GError   *error);

G_END_DECLS
