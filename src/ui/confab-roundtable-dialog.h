/* confab-roundtable-dialog.h: sets up a round-table in a chat: the topic,
 * the participants (model, name, persona), rounds, turn order and token
 * budget; Start hands them to the chat's conductor.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_ROUNDTABLE_DIALOG (confab_roundtable_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ConfabRoundtableDialog, confab_roundtable_dialog,
                      CONFAB, ROUNDTABLE_DIALOG, AdwWindow)

/* @topic prefills the topic (nullable); @model is the chat's, the first
 * participant's (another listed model is the second's); without
 * @has_messages the topic is required. ::start (topic, nullable) is
 * emitted once @conductor is set up; the dialog then closes. */
ConfabRoundtableDialog *confab_roundtable_dialog_new (GtkWindow       *parent,
                                                      ConfabConductor *conductor,
                                                      const char      *topic,
                                                      const char      *model,
                                                      gboolean         has_messages);

G_END_DECLS
