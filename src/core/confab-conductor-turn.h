/* confab-conductor-turn.h: one model's answer in a multi-model exchange
 * (a column of a comparison, one of several mentioned models, a speaker's
 * turn at a round-table, a synthesis), as the items of a ConfabConductor.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "confab-message.h"

G_BEGIN_DECLS

typedef enum
{
  CONFAB_CONDUCTOR_TURN_PENDING,    /* waiting for its turn */
  CONFAB_CONDUCTOR_TURN_STREAMING,
  CONFAB_CONDUCTOR_TURN_COMPLETE,
  CONFAB_CONDUCTOR_TURN_FAILED,     /* see confab_conductor_turn_get_error() */
  CONFAB_CONDUCTOR_TURN_CANCELLED,
} ConfabConductorTurnState;

typedef enum
{
  CONFAB_CONDUCTOR_TURN_ANSWER,     /* compare, mentions */
  CONFAB_CONDUCTOR_TURN_SYNTHESIS,  /* one answer made from a comparison's answers */
  CONFAB_CONDUCTOR_TURN_SPEAKER,    /* a round-table participant's turn */
} ConfabConductorTurnKind;

GType confab_conductor_turn_state_get_type (void) G_GNUC_CONST;
GType confab_conductor_turn_kind_get_type  (void) G_GNUC_CONST;
#define CONFAB_TYPE_CONDUCTOR_TURN_STATE (confab_conductor_turn_state_get_type ())
#define CONFAB_TYPE_CONDUCTOR_TURN_KIND  (confab_conductor_turn_kind_get_type ())

#define CONFAB_TYPE_CONDUCTOR_TURN (confab_conductor_turn_get_type ())
G_DECLARE_FINAL_TYPE (ConfabConductorTurn, confab_conductor_turn, CONFAB, CONDUCTOR_TURN, GObject)

ConfabConductorTurnKind  confab_conductor_turn_get_kind          (ConfabConductorTurn *self);
/* "PROVIDER:MODEL" */
const char              *confab_conductor_turn_get_model_id      (ConfabConductorTurn *self);
/* Who speaks: the participant's name at a round-table, else the model id. */
const char              *confab_conductor_turn_get_name          (ConfabConductorTurn *self);
/* The round of a round-table turn (from 1); 0 for the other kinds. */
guint                    confab_conductor_turn_get_round         (ConfabConductorTurn *self);
ConfabConductorTurnState confab_conductor_turn_get_state         (ConfabConductorTurn *self);
/* TRUE once it is complete, failed or cancelled. */
gboolean                 confab_conductor_turn_get_finished      (ConfabConductorTurn *self);
/* The text so far ("" before the first piece). */
const char              *confab_conductor_turn_get_text          (ConfabConductorTurn *self);
/* Why it failed or was cancelled (NULL otherwise). */
const GError            *confab_conductor_turn_get_error         (ConfabConductorTurn *self);
/* -1 until the provider reports them (at the end). */
gint64                   confab_conductor_turn_get_input_tokens  (ConfabConductorTurn *self);
gint64                   confab_conductor_turn_get_output_tokens (ConfabConductorTurn *self);
const char              *confab_conductor_turn_get_stop_reason   (ConfabConductorTurn *self);
/* The stored reply it streams into (NULL until stored). */
ConfabMessage           *confab_conductor_turn_get_message       (ConfabConductorTurn *self);

/* Stops this one stream; the others go on. What arrived is kept, the
 * reply marked cancelled. A pending turn is cancelled before it starts. */
void                     confab_conductor_turn_cancel            (ConfabConductorTurn *self);

G_END_DECLS
