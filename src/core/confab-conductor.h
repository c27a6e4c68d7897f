/* confab-conductor.h: several models in one chat: compare, mentions,
 * round-tables. The app and confab-cli drive the same object.
 *
 * A conductor works on one chat and runs one exchange at a time; its
 * items (GListModel of ConfabConductorTurn) are the streams of the
 * current exchange, in order, each cancellable on its own. One model
 * failing never stops the others: its turn ends failed, its reply is
 * stored with the error and what arrived.
 *
 * Where things are stored (docs/store.md, "Several models"):
 * - compare: the prompt, then one reply per model as alternatives of one
 *   reply position (confab_store_list_alternatives()), in the order
 *   given; the first is on the current line until another is kept;
 * - synthesis: one more alternative at that position, made current;
 * - mentions: the prompt, then each model's reply after the one before,
 *   all on the current line;
 * - round-table: the topic as the user's message, then each turn as a
 *   reply whose author is the speaker's name (model and provider set),
 *   interjections as user messages: an ordinary chat.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "confab-conductor-turn.h"
#include "confab-model-catalogue.h"
#include "confab-participant.h"
#include "confab-store.h"

G_BEGIN_DECLS

typedef enum
{
  CONFAB_CONDUCTOR_MODE_NONE,
  CONFAB_CONDUCTOR_MODE_COMPARE,
  CONFAB_CONDUCTOR_MODE_MENTIONS,
  CONFAB_CONDUCTOR_MODE_ROUNDTABLE,
} ConfabConductorMode;

typedef enum
{
  CONFAB_CONDUCTOR_STATE_IDLE,
  CONFAB_CONDUCTOR_STATE_RUNNING,
  /* A round-table that waits for confab_conductor_resume() (the turn
   * that was streaming when it was paused still ends normally). */
  CONFAB_CONDUCTOR_STATE_PAUSED,
} ConfabConductorState;

typedef enum
{
  CONFAB_ROUNDTABLE_END_NONE,     /* running, or no round-table yet */
  CONFAB_ROUNDTABLE_END_ROUNDS,   /* every round was held */
  CONFAB_ROUNDTABLE_END_STOPPED,  /* confab_conductor_stop() or cancelled */
  CONFAB_ROUNDTABLE_END_BUDGET,   /* the token budget was used up */
  CONFAB_ROUNDTABLE_END_FAILED,   /* every turn of a round failed */
} ConfabRoundtableEnd;

GType confab_conductor_mode_get_type   (void) G_GNUC_CONST;
GType confab_conductor_state_get_type  (void) G_GNUC_CONST;
GType confab_roundtable_end_get_type   (void) G_GNUC_CONST;
#define CONFAB_TYPE_CONDUCTOR_MODE  (confab_conductor_mode_get_type ())
#define CONFAB_TYPE_CONDUCTOR_STATE (confab_conductor_state_get_type ())
#define CONFAB_TYPE_ROUNDTABLE_END  (confab_roundtable_end_get_type ())

/* Rounds when none are set. */
#define CONFAB_CONDUCTOR_DEFAULT_ROUNDS 2

#define CONFAB_TYPE_CONDUCTOR (confab_conductor_get_type ())
G_DECLARE_FINAL_TYPE (ConfabConductor, confab_conductor, CONFAB, CONDUCTOR, GObject)

/* The catalogue gives each "PROVIDER:MODEL" its provider (key, base URL)
 * and context window. */
ConfabConductor     *confab_conductor_new              (ConfabStore          *store,
                                                        ConfabChat           *chat,
                                                        ConfabModelCatalogue *catalogue);
ConfabStore         *confab_conductor_get_store        (ConfabConductor      *self);
ConfabChat          *confab_conductor_get_chat         (ConfabConductor      *self);
ConfabModelCatalogue *confab_conductor_get_catalogue   (ConfabConductor      *self);
ConfabConductorMode  confab_conductor_get_mode         (ConfabConductor      *self);
ConfabConductorState confab_conductor_get_state        (ConfabConductor      *self);
/* state != IDLE: a composer binds Send/Stop to it. */
gboolean             confab_conductor_get_busy         (ConfabConductor      *self);
/* The prompt (or round-table topic) of the current exchange. */
ConfabMessage       *confab_conductor_get_user_message (ConfabConductor      *self);
/* Turns of the current exchange that failed (not cancelled). */
guint                confab_conductor_get_n_failed     (ConfabConductor      *self);
/* Cancels every stream of the current exchange (a round-table stops). */
void                 confab_conductor_cancel           (ConfabConductor      *self);

/* ---- Compare: prompt to every model at once (models: "PROVIDER:MODEL",
 * at least one, each once). A model whose provider cannot be had (no
 * key) fails alone; when none can, nothing is stored and the first
 * error is returned. Succeeds once every stream ended, whatever each
 * turn's state. */
void                 confab_conductor_compare_async    (ConfabConductor      *self,
                                                        const char           *prompt,
                                                        const char * const   *models,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean             confab_conductor_compare_finish   (ConfabConductor      *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
/* Makes @turn's reply the current line's (the others stay alternatives).
 * Works for any finished turn of the last comparison, the synthesis too. */
gboolean             confab_conductor_keep             (ConfabConductor      *self,
                                                        ConfabConductorTurn  *turn,
                                                        GError              **error);
/* After a comparison: @model answers from every answer with text (its
 * request holds them, attributed); its reply is one more alternative at
 * the answers' position, made current. The turn is appended to the
 * items. */
void                 confab_conductor_synthesize_async (ConfabConductor      *self,
                                                        const char           *model,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
/* (transfer full): the synthesis turn, whatever its state; NULL when it
 * could not start (no comparison, no answer, no provider). */
ConfabConductorTurn *confab_conductor_synthesize_finish (ConfabConductor     *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

/* ---- Mentions: models (NULL: the @aliases in prompt, see
 * confab_mentions_parse()) answer prompt one after the other, each
 * request holding the answers before it, attributed. Fails with
 * G_IO_ERROR_INVALID_ARGUMENT, storing nothing, when prompt mentions no
 * known alias. */
void                 confab_conductor_mention_async    (ConfabConductor      *self,
                                                        const char           *prompt,
                                                        const char * const   *models,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean             confab_conductor_mention_finish   (ConfabConductor      *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* ---- Round-table: set up with the calls below (not while one runs),
 * then run it. */
void                 confab_conductor_add_participant  (ConfabConductor      *self,
                                                        ConfabParticipant    *participant);
void                 confab_conductor_clear_participants (ConfabConductor    *self);
/* GListModel of ConfabParticipant. */
GListModel          *confab_conductor_get_participants (ConfabConductor      *self);
void                 confab_conductor_set_rounds       (ConfabConductor      *self,
                                                        guint                 rounds);
guint                confab_conductor_get_rounds       (ConfabConductor      *self);
/* A model that names the next speaker before each turn; NULL (the
 * default): round-robin in the participants' order. An answer naming no
 * participant, or the last speaker again, falls back to round-robin. */
void                 confab_conductor_set_moderator    (ConfabConductor      *self,
                                                        const char           *model);
const char          *confab_conductor_get_moderator    (ConfabConductor      *self);
/* Input plus output tokens of every turn (and moderator call); once
 * reached, no new turn starts. 0: none (default). */
void                 confab_conductor_set_token_budget (ConfabConductor      *self,
                                                        gint64                tokens);
gint64               confab_conductor_get_token_budget (ConfabConductor      *self);

/* topic (nullable: go on from the chat as it is) is stored as the user's
 * message. Fails early, storing nothing, when a participant's provider
 * cannot be had. Succeeds when it ended, see
 * confab_conductor_get_end_reason(). */
void                 confab_conductor_roundtable_async (ConfabConductor      *self,
                                                        const char           *topic,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean             confab_conductor_roundtable_finish (ConfabConductor     *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
/* No new turn starts until resume. */
void                 confab_conductor_pause            (ConfabConductor      *self);
void                 confab_conductor_resume           (ConfabConductor      *self);
/* Ends the round-table: the streaming turn is cancelled (what it said is
 * kept), nothing more starts. */
void                 confab_conductor_stop             (ConfabConductor      *self);
/* The user's word, stored at once as a user message; every later turn
 * sees it. (transfer full) */
ConfabMessage       *confab_conductor_interject        (ConfabConductor      *self,
                                                        const char           *text,
                                                        GError              **error);
/* The round being held (from 1), 0 before the first. */
guint                confab_conductor_get_round        (ConfabConductor      *self);
gint64               confab_conductor_get_tokens_used  (ConfabConductor      *self);
ConfabRoundtableEnd  confab_conductor_get_end_reason   (ConfabConductor      *self);

G_END_DECLS
