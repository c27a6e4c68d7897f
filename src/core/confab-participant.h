/* confab-participant.h: one speaker of a round-table: a model, the name
 * it speaks under, and an optional persona (its system prompt).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_PARTICIPANT (confab_participant_get_type ())
G_DECLARE_FINAL_TYPE (ConfabParticipant, confab_participant, CONFAB, PARTICIPANT, GObject)

/* model_id is "PROVIDER:MODEL"; name NULL or empty: the model's own name
 * (the part after "PROVIDER:"); persona may be NULL. */
ConfabParticipant *confab_participant_new         (const char        *model_id,
                                                   const char        *name,
                                                   const char        *persona);
const char        *confab_participant_get_model_id (ConfabParticipant *self);
const char        *confab_participant_get_name    (ConfabParticipant *self);
const char        *confab_participant_get_persona (ConfabParticipant *self);

G_END_DECLS
