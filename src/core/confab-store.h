/* confab-store.h: the local SQLite store and the models the UI binds to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "confab-types.h"
#include "confab-project.h"
#include "confab-chat.h"
#include "confab-message.h"
#include "confab-message-list.h"
#include "confab-search-hit.h"
#include "confab-mentions.h"
#include "confab-usage.h"

G_BEGIN_DECLS

#define CONFAB_STORE_ERROR (confab_store_error_quark ())

typedef enum
{
  CONFAB_STORE_ERROR_FAILED,
  /* The file exists but is not an SQLite database (or is damaged). */
  CONFAB_STORE_ERROR_NOT_A_DATABASE,
  /* Written by a newer Confab: the schema version is above what we know. */
  CONFAB_STORE_ERROR_NEWER_SCHEMA,
  CONFAB_STORE_ERROR_NOT_FOUND,
  CONFAB_STORE_ERROR_INVALID,
  /* The disk is full or the file cannot be written. */
  CONFAB_STORE_ERROR_NO_SPACE,
} ConfabStoreError;

/* The schema version this build writes (PRAGMA user_version). */
#define CONFAB_STORE_SCHEMA_VERSION 6

#define CONFAB_TYPE_STORE (confab_store_get_type ())
G_DECLARE_FINAL_TYPE (ConfabStore, confab_store, CONFAB, STORE, GObject)

GQuark       confab_store_error_quark        (void);

/* $XDG_DATA_HOME/confab/confab.db (the directory is created on open). */
char        *confab_store_default_path       (void);

/* Opens (creating if missing) and migrates. A file that is not SQLite or has a
 * newer schema is reported and never written to. */
ConfabStore *confab_store_new                (const char    *path,
                                              GError       **error);
const char  *confab_store_get_path           (ConfabStore   *self);
int          confab_store_get_schema_version (ConfabStore   *self);

/* Transactions nest (savepoints), so bulk writes can be grouped. */
gboolean     confab_store_begin              (ConfabStore   *self,
                                              GError       **error);
gboolean     confab_store_commit             (ConfabStore   *self,
                                              GError       **error);
void         confab_store_rollback           (ConfabStore   *self);

/* ---- Projects: a GListModel of ConfabProject, oldest first. Always alive. */
GListModel    *confab_store_get_projects      (ConfabStore   *self);
ConfabProject *confab_store_create_project    (ConfabStore   *self,
                                               const char    *name,
                                               GError       **error);
ConfabProject *confab_store_lookup_project    (ConfabStore   *self,
                                               gint64         id,
                                               GError       **error);
gboolean       confab_store_rename_project    (ConfabStore   *self,
                                               ConfabProject *project,
                                               const char    *name,
                                               GError       **error);
/* NULL clears. */
gboolean       confab_store_set_project_defaults (ConfabStore   *self,
                                                  ConfabProject *project,
                                                  const char    *default_model,
                                                  const char    *system_prompt,
                                                  GError       **error);
/* Deletes the project with its chats, messages and threads. */
gboolean       confab_store_delete_project    (ConfabStore   *self,
                                               ConfabProject *project,
                                               GError       **error);

/* ---- Chats: a GListModel of ConfabChat of one project, pinned first, then
 * the most recently updated. The same model is returned while it is alive and
 * follows every change made through the store. */
GListModel    *confab_store_list_chats        (ConfabStore   *self,
                                               ConfabProject *project);
ConfabChat    *confab_store_create_chat       (ConfabStore   *self,
                                               ConfabProject *project,
                                               const char    *title,
                                               GError       **error);
ConfabChat    *confab_store_lookup_chat       (ConfabStore   *self,
                                               gint64         id,
                                               GError       **error);
gboolean       confab_store_rename_chat       (ConfabStore   *self,
                                               ConfabChat    *chat,
                                               const char    *title,
                                               GError       **error);
gboolean       confab_store_move_chat         (ConfabStore   *self,
                                               ConfabChat    *chat,
                                               ConfabProject *project,
                                               GError       **error);
gboolean       confab_store_set_chat_model    (ConfabStore   *self,
                                               ConfabChat    *chat,
                                               const char    *model,
                                               GError       **error);
gboolean       confab_store_set_chat_draft    (ConfabStore   *self,
                                               ConfabChat    *chat,
                                               const char    *draft,
                                               GError       **error);
gboolean       confab_store_set_chat_pinned   (ConfabStore   *self,
                                               ConfabChat    *chat,
                                               gboolean       pinned,
                                               GError       **error);
gboolean       confab_store_set_chat_archived (ConfabStore   *self,
                                               ConfabChat    *chat,
                                               gboolean       archived,
                                               GError       **error);
gboolean       confab_store_delete_chat       (ConfabStore   *self,
                                               ConfabChat    *chat,
                                               GError       **error);

/* ---- Messages. parent_id 0 is the main line, otherwise the thread of that
 * message (the thread row is created on the first reply). */
typedef struct
{
  gint64              chat_id;
  gint64              parent_id;
  ConfabRole          role;
  const char         *author;
  const char         *provider;  /* nullable */
  const char         *model;     /* nullable */
  const char         *content;
  ConfabMessageStatus status;
  gint64              input_tokens;   /* -1 unknown */
  gint64              output_tokens;  /* -1 unknown */
  gint64              created;        /* 0: now */
} ConfabMessageDraft;

ConfabMessage *confab_store_add_message       (ConfabStore              *self,
                                               const ConfabMessageDraft *draft,
                                               GError                  **error);
ConfabMessage *confab_store_lookup_message    (ConfabStore   *self,
                                               gint64         id,
                                               GError       **error);
/* Replaces the text (streaming appends go through here, batched by callers). */
gboolean       confab_store_set_message_content (ConfabStore   *self,
                                                 ConfabMessage *message,
                                                 const char    *content,
                                                 GError       **error);
/* error_text is kept for CONFAB_MESSAGE_STATUS_ERROR, NULL otherwise. */
gboolean       confab_store_finish_message    (ConfabStore         *self,
                                               ConfabMessage       *message,
                                               ConfabMessageStatus  status,
                                               const char          *error_text,
                                               gint64               input_tokens,
                                               gint64               output_tokens,
                                               GError             **error);
gboolean       confab_store_delete_message    (ConfabStore   *self,
                                               ConfabMessage *message,
                                               GError       **error);

/* A paged model of the main line (parent_id 0) or one thread, oldest first. */
ConfabMessageList *confab_store_list_messages (ConfabStore   *self,
                                               gint64         chat_id,
                                               gint64         parent_id);

/* ---- Branches: editing a message or regenerating a reply keeps the old
 * version and what followed it. The current line (what
 * confab_store_list_messages() shows for the main line) is one path
 * through the versions; see ConfabMessage:active and :n-alternatives. */
gint64         confab_store_branch_from       (ConfabStore   *self,
                                               ConfabMessage *message,
                                               GError       **error);
ConfabMessage *confab_store_add_alternative   (ConfabStore              *self,
                                               ConfabMessage            *message,
                                               const ConfabMessageDraft *draft,
                                               GError                  **error);
GPtrArray     *confab_store_list_alternatives (ConfabStore   *self,
                                               ConfabMessage *message,
                                               GError       **error);
GPtrArray     *confab_store_list_branch_line  (ConfabStore   *self,
                                               ConfabMessage *message,
                                               GError       **error);
gboolean       confab_store_activate_branch   (ConfabStore   *self,
                                               ConfabMessage *message,
                                               GError       **error);

/* ---- Threads: reply count and last reply time of the thread on a message.
 * Returns FALSE when the message has no thread. */
gboolean       confab_store_get_thread_info   (ConfabStore   *self,
                                               gint64         parent_id,
                                               guint         *reply_count,
                                               gint64        *last_reply,
                                               GError       **error);
gboolean       confab_store_set_thread_model  (ConfabStore   *self,
                                               gint64         parent_id,
                                               const char    *model,
                                               GError       **error);
/* The model set above, or NULL (also when there is no thread). */
char          *confab_store_dup_thread_model  (ConfabStore   *self,
                                               gint64         parent_id,
                                               GError       **error);

/* ---- Search: FTS5 over message text (streaming messages are indexed once
 * they finish). Returns ConfabMessage objects, best match first. */
GPtrArray     *confab_store_search            (ConfabStore   *self,
                                               const char    *query,
                                               guint          limit,
                                               GError       **error);

/* The same search with what a result list shows (ConfabSearchHit: chat,
 * project, an escaped excerpt with the matches in <b>). chat_id 0 searches
 * everything (earlier versions of edited messages too), best match first; a
 * chat id searches what that chat shows (its current line), newest first.
 * The async variant reads on its own connection in a worker thread. */
GPtrArray     *confab_store_search_hits       (ConfabStore          *self,
                                               const char           *query,
                                               gint64                chat_id,
                                               guint                 limit,
                                               GError              **error);
void           confab_store_search_hits_async (ConfabStore          *self,
                                               const char           *query,
                                               gint64                chat_id,
                                               guint                 limit,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
GPtrArray     *confab_store_search_hits_finish (ConfabStore         *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* The index of a message in the ConfabMessageList of its line (the current
 * main line or a thread), counted over the index: for scrolling a view to
 * it. CONFAB_STORE_ERROR_INVALID for a version off the current line. */
gboolean       confab_store_get_message_position (ConfabStore    *self,
                                                  ConfabMessage  *message,
                                                  guint          *position,
                                                  GError        **error);

/* ---- Shared projects (schema 4, docs/store.md): a project bound to a room
 * on a confabd server (ConfabProject:shared, :room-id…), the server's ids
 * of its chats and messages ("remote ids"), and the room's events applied
 * exactly once. ConfabRoomSync is the user of all this. */
gboolean       confab_store_bind_project_room   (ConfabStore    *self,
                                                 ConfabProject  *project,
                                                 const char     *server,
                                                 const char     *room_id,
                                                 const char     *role,
                                                 gint64          seq,
                                                 GError        **error);
/* Local again; its chats and messages forget their remote ids. */
gboolean       confab_store_unbind_project_room (ConfabStore    *self,
                                                 ConfabProject  *project,
                                                 GError        **error);
gboolean       confab_store_set_project_room_role (ConfabStore    *self,
                                                   ConfabProject  *project,
                                                   const char     *role,
                                                   GError        **error);

/* The writes of one event, run inside confab_store_apply_room_event(). */
typedef gboolean (*ConfabStoreRoomEventFunc) (ConfabStore    *store,
                                              ConfabProject  *project,
                                              gpointer        user_data,
                                              GError        **error);
/* Runs @func and sets the project's room-seq to @seq in one transaction.
 * Skips (TRUE, *applied FALSE) an event already applied; an event that
 * skips a number fails with CONFAB_STORE_ERROR_INVALID. */
gboolean       confab_store_apply_room_event    (ConfabStore              *self,
                                                 ConfabProject            *project,
                                                 gint64                    seq,
                                                 ConfabStoreRoomEventFunc  func,
                                                 gpointer                  user_data,
                                                 gboolean                 *applied,
                                                 GError                  **error);

/* Within @project; NULL with CONFAB_STORE_ERROR_NOT_FOUND when none. */
ConfabChat    *confab_store_lookup_chat_by_remote_id    (ConfabStore    *self,
                                                         ConfabProject  *project,
                                                         const char     *remote_id,
                                                         GError        **error);
ConfabMessage *confab_store_lookup_message_by_remote_id (ConfabStore    *self,
                                                         ConfabProject  *project,
                                                         const char     *remote_id,
                                                         GError        **error);
/* NULL forgets it. */
gboolean       confab_store_set_chat_remote_id    (ConfabStore    *self,
                                                   ConfabChat     *chat,
                                                   const char     *remote_id,
                                                   GError        **error);
gboolean       confab_store_set_message_remote_id (ConfabStore    *self,
                                                   ConfabMessage  *message,
                                                   const char     *remote_id,
                                                   GError        **error);

/* ---- Several models in one chat (schema 5, docs/store.md). */

/* The @aliases of mentions (ConfabModelAlias), by alias. Defaults: @gpt,
 * @claude, @gemini, @llama. */
GPtrArray     *confab_store_list_aliases        (ConfabStore    *self,
                                                 GError        **error);
/* Adds or changes one (case does not matter; a leading "@" is dropped).
 * CONFAB_STORE_ERROR_INVALID for a bad alias or a model that is not
 * "PROVIDER:MODEL". */
gboolean       confab_store_set_alias           (ConfabStore    *self,
                                                 const char     *alias,
                                                 const char     *model,
                                                 GError        **error);
/* CONFAB_STORE_ERROR_NOT_FOUND when there is no such alias. */
gboolean       confab_store_delete_alias        (ConfabStore    *self,
                                                 const char     *alias,
                                                 GError        **error);

/* Prices per million tokens ("PROVIDER:MODEL"); negative prices are
 * CONFAB_STORE_ERROR_INVALID. */
gboolean       confab_store_set_model_price     (ConfabStore    *self,
                                                 const char     *model,
                                                 double          input_per_mtok,
                                                 double          output_per_mtok,
                                                 GError        **error);
/* Forgets it (no error when there was none). */
gboolean       confab_store_delete_model_price  (ConfabStore    *self,
                                                 const char     *model,
                                                 GError        **error);
/* NULL with CONFAB_STORE_ERROR_NOT_FOUND when the model has no price. */
ConfabModelPrice *confab_store_lookup_model_price (ConfabStore  *self,
                                                   const char   *model,
                                                   GError      **error);
/* Every price set (ConfabModelPrice), by model. */
GPtrArray     *confab_store_list_model_prices   (ConfabStore    *self,
                                                 GError        **error);
/* What a reply cost: FALSE (no error) when its model has no price or it
 * is not a reply. */
gboolean       confab_store_get_message_cost    (ConfabStore    *self,
                                                 ConfabMessage  *message,
                                                 double         *cost,
                                                 GError        **error);
/* A chat's replies per model (ConfabModelUsage, by model): every reply
 * stored, on any branch and in threads, since each one was paid for. */
GPtrArray     *confab_store_get_chat_usage      (ConfabStore    *self,
                                                 gint64          chat_id,
                                                 GError        **error);

G_END_DECLS
