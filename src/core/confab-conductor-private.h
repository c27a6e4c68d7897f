/* confab-conductor-private.h: what the conductor's files share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-conductor.h"
#include "confab-chat-request.h"
#include "confab-provider.h"

G_BEGIN_DECLS

/* ---- confab-conductor-turn.c */
ConfabConductorTurn *_confab_conductor_turn_new        (ConfabConductorTurnKind  kind,
                                                        const char              *model_id,
                                                        const char              *name,
                                                        guint                    round);
void                 _confab_conductor_turn_set_message (ConfabConductorTurn    *self,
                                                         ConfabMessage          *message);
/* Ends a turn that cannot run (no provider, nothing to say); its message,
 * if stored, is finished as failed with error's message. */
void                 _confab_conductor_turn_fail       (ConfabConductorTurn     *self,
                                                        ConfabStore             *store,
                                                        const GError            *error);
/* Streams request's reply, into the turn's message when it has one
 * (throttled writes, then its final state and usage). Fails with the
 * stream's error; the turn's state tells the same. */
void                 _confab_conductor_turn_run_async  (ConfabConductorTurn     *self,
                                                        ConfabStore             *store,
                                                        ConfabProvider          *provider,
                                                        ConfabChatRequest       *request,
                                                        GAsyncReadyCallback      callback,
                                                        gpointer                 user_data);
gboolean             _confab_conductor_turn_run_finish (ConfabConductorTurn     *self,
                                                        GAsyncResult            *result,
                                                        GError                 **error);

/* ---- confab-conductor-prompts.c: the requests, pure functions over the
 * stored messages (tested without HTTP). */

/* The history as confab_conversation_build() makes it for target; when it
 * ends with another model's reply (a later mention), a user turn asks for
 * target's own answer. */
ConfabChatRequest   *_confab_conductor_answer_request    (GPtrArray   *history,
                                                          const char  *target,
                                                          const char  *system_prompt,
                                                          gint64       context_window,
                                                          gint64       max_output);
/* history ends with the compared prompt; answers are the comparison's
 * ConfabConductorTurns: every one with text is quoted, attributed. */
ConfabChatRequest   *_confab_conductor_synthesis_request (GPtrArray   *history,
                                                          GPtrArray   *answers,
                                                          const char  *target,
                                                          const char  *system_prompt,
                                                          gint64       context_window,
                                                          gint64       max_output);
/* A round-table request for participants[speaker], or for the moderator
 * (moderator_id set, speaker ignored): every message of the transcript
 * starts with "[NAME] ", the speaker's own earlier ones are its assistant
 * turns. */
ConfabChatRequest   *_confab_conductor_speaker_request   (GPtrArray   *messages,
                                                          GPtrArray   *participants,
                                                          guint        speaker,
                                                          const char  *moderator_id,
                                                          int          last_speaker,
                                                          const char  *topic,
                                                          guint        round,
                                                          guint        rounds,
                                                          const char  *system_prompt);
/* The participant a moderator named (the earliest name in the answer,
 * whole words, any case), or -1 for nonsense or the last speaker again. */
int                  _confab_conductor_parse_moderator   (const char  *answer,
                                                          GPtrArray   *participants,
                                                          int          last_speaker);

G_END_DECLS

G_BEGIN_DECLS

/* ---- confab-conductor.c and confab-conductor-roundtable.c */
struct _ConfabConductor
{
  GObject               parent_instance;

  ConfabStore          *store;
  ConfabChat           *chat;
  ConfabModelCatalogue *catalogue;

  GPtrArray            *turns;           /* the items */
  ConfabConductorMode   mode;
  ConfabConductorState  state;
  ConfabMessage        *user_message;

  /* The exchange in flight. */
  GTask                *task;
  GCancellable         *cancellable;     /* the caller's, or NULL */
  gulong                cancelled_id;
  GHashTable           *providers;       /* provider id → ConfabProvider */
  GHashTable           *provider_errors; /* provider id → GError */
  guint                 n_resolving;
  guint                 n_running;
  char                 *prompt;
  GStrv                 models;
  guint                 next;            /* mentions: the next turn to run */

  /* Round-tables. */
  GListStore           *participants;
  guint                 rounds;
  char                 *moderator;
  gint64                token_budget;
  guint                 round;
  guint                 turns_in_round;
  guint                 failed_in_round;
  int                   last_speaker;
  int                   speaker;         /* of the turn in flight */
  int                   chosen;          /* named by the moderator, not started */
  gint64                tokens_used;
  ConfabRoundtableEnd   end_reason;
  ConfabConductorTurn  *current;         /* streaming: a speaker or the moderator */
  guint                 resume_id;
  guint                 paused : 1;
  guint                 stopping : 1;
};

typedef void (*ConfabConductorThen) (ConfabConductor *self);

/* Starts an exchange: fails the task (and returns FALSE) when one runs. */
gboolean         _confab_conductor_begin          (ConfabConductor     *self,
                                                   ConfabConductorMode  mode,
                                                   GTask               *task,
                                                   GCancellable        *cancellable,
                                                   gboolean             clear);
/* Ends it: returns error (taken), or the task's value when error is NULL
 * (TRUE unless a value was given). */
void             _confab_conductor_end            (ConfabConductor     *self,
                                                   GError              *error);
gboolean         _confab_conductor_cancelled      (ConfabConductor     *self);
void             _confab_conductor_set_state      (ConfabConductor     *self,
                                                   ConfabConductorState state);
/* Gets the providers of self->models (and extra, nullable) in parallel,
 * then calls then. */
void             _confab_conductor_resolve        (ConfabConductor     *self,
                                                   const char          *extra,
                                                   ConfabConductorThen  then);
/* (transfer full) the provider of model_id, or NULL with why. */
ConfabProvider  *_confab_conductor_get_provider   (ConfabConductor     *self,
                                                   const char          *model_id,
                                                   GError             **error);
/* Stores text as the user's message on the main line. */
ConfabMessage   *_confab_conductor_add_user       (ConfabConductor     *self,
                                                   const char          *text,
                                                   GError             **error);
/* A streaming reply row for model_id, written by author. */
void             _confab_conductor_reply_draft    (ConfabConductor     *self,
                                                   const char          *model_id,
                                                   const char          *author,
                                                   char               **provider,
                                                   char               **model,
                                                   ConfabMessageDraft  *draft);
char            *_confab_conductor_dup_system_prompt (ConfabConductor  *self);
void             _confab_conductor_set_user_message (ConfabConductor   *self,
                                                     ConfabMessage     *message);
/* The model the chat offers next. */
void             _confab_conductor_record_chat_model (ConfabConductor  *self,
                                                      const char       *model_id);
/* Follows turn's deltas; the caller announces it in the items. */
void             _confab_conductor_track_turn     (ConfabConductor     *self,
                                                   ConfabConductorTurn *turn);
/* Appends turn to the items, following its deltas. */
void             _confab_conductor_append_turn    (ConfabConductor     *self,
                                                   ConfabConductorTurn *turn);
void             _confab_conductor_emit_started   (ConfabConductor     *self,
                                                   ConfabConductorTurn *turn);
void             _confab_conductor_emit_finished  (ConfabConductor     *self,
                                                   ConfabConductorTurn *turn);
void             _confab_conductor_notify         (ConfabConductor     *self,
                                                   const char          *property);

/* ---- confab-conductor-roundtable.c */
void             _confab_conductor_roundtable_start  (ConfabConductor  *self,
                                                      const char       *topic);
void             _confab_conductor_roundtable_cancel (ConfabConductor  *self);

G_END_DECLS
