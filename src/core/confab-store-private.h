/* confab-store-private.h: what the store's files and its objects share.
 * Nothing here is part of the API the UI codes against.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "confab-store.h"

G_BEGIN_DECLS

/* g_set_str() is GLib 2.76; the same compare-then-copy, so setters can
 * notify only on a real change. */
static inline gboolean
_confab_set_str (char       **dest,
                 const char  *value)
{
  if (g_strcmp0 (*dest, value) == 0)
    return FALSE;

  g_free (*dest);
  *dest = g_strdup (value);
  return TRUE;
}

/* ---- Weak id -> object caches, so every lookup returns the same object
 * while it is alive and nothing is kept alive by the cache itself. */
typedef struct _ConfabWeakCache ConfabWeakCache;

ConfabWeakCache *_confab_weak_cache_new     (void);
/* Drops the weak references; the objects live on, detached. */
void             _confab_weak_cache_free    (ConfabWeakCache *cache);
/* Borrowed, or NULL. */
gpointer         _confab_weak_cache_lookup  (ConfabWeakCache *cache,
                                             gint64           id);
void             _confab_weak_cache_insert  (ConfabWeakCache *cache,
                                             gint64           id,
                                             gpointer         object);
void             _confab_weak_cache_remove  (ConfabWeakCache *cache,
                                             gint64           id);
guint            _confab_weak_cache_size    (ConfabWeakCache *cache);
/* The live objects, each with a new reference. */
GPtrArray       *_confab_weak_cache_values  (ConfabWeakCache *cache);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabWeakCache, _confab_weak_cache_free)

/* ---- Statements are prepared once and cached by the store; this cleanup
 * resets them for the next use instead of finalizing them. */
typedef struct sqlite3_stmt ConfabStmt;

void _confab_stmt_release (ConfabStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabStmt, _confab_stmt_release)

/* The columns every message query selects, in the order
 * _confab_store_message_from_stmt() reads them. */
#define CONFAB_MESSAGE_COLUMNS \
  "m.id, m.chat_id, m.parent_id, m.role, m.author, m.provider, m.model, m.content, " \
  "m.status, m.error, m.input_tokens, m.output_tokens, m.created, " \
  "t.reply_count, t.last_reply, m.prev_id, m.active, m.branch, " \
  "CASE WHEN m.parent_id IS NULL THEN (SELECT count(*) " CONFAB_SIBLINGS_OF_M ") ELSE 1 END, " \
  "CASE WHEN m.parent_id IS NULL THEN (SELECT count(*) " CONFAB_SIBLINGS_OF_M \
  " AND s.id < m.id) ELSE 0 END, m.remote_id"
/* The alternatives at m's point of the conversation, m included (through
 * the messages_by_prev index, hence the literal "parent_id IS NULL"). */
#define CONFAB_SIBLINGS_OF_M \
  "FROM messages s WHERE s.chat_id = m.chat_id AND s.parent_id IS NULL" \
  " AND s.prev_id IS m.prev_id"

/* The messages of one line of a chat, for a query on "messages m" with
 * ?1 the chat and ?2 the thread parent (NULL for the main line): the
 * chat's current line, or a thread, whose replies share their parent's
 * active flag. Every column it tests is in the messages_by_line index. */
#define CONFAB_LINE_WHERE \
  "m.chat_id = ?1 AND m.parent_id IS ?2" \
  " AND m.active = COALESCE((SELECT p.active FROM messages p WHERE p.id = ?2), 1)"
#define CONFAB_MESSAGE_FROM \
  "messages m LEFT JOIN threads t ON t.parent_id = m.id"

#define CONFAB_CHAT_COLUMNS \
  "id, project_id, title, model, draft, pinned, archived, created, updated, remote_id"

#define CONFAB_PROJECT_COLUMNS \
  "id, name, system_prompt, default_model, created, room_server, room_id, room_role, room_seq"

struct _ConfabStore
{
  GObject          parent_instance;

  char            *path;
  sqlite3         *db;
  int              schema_version;
  /* const char *sql (static strings, by address) -> sqlite3_stmt * */
  GHashTable      *statements;
  guint            tx_depth;

  GListStore      *projects;
  ConfabWeakCache *project_cache;
  ConfabWeakCache *chat_cache;
  ConfabWeakCache *message_cache;
  /* project id -> GListStore of its chats */
  ConfabWeakCache *chat_lists;
  /* chat id -> ConfabMessageList of the main line */
  ConfabWeakCache *main_lists;
  /* parent message id -> ConfabMessageList of its thread */
  ConfabWeakCache *thread_lists;
};

/* ---- confab-store-projects.c */
/* Runs an UPDATE of @project's row (?1 its id); a row that is gone is
 * reported as CONFAB_STORE_ERROR_NOT_FOUND. */
gboolean       _confab_store_update_project   (ConfabStore    *self,
                                               ConfabStmt     *stmt,
                                               ConfabProject  *project,
                                               GError        **error);

/* ---- confab-store.c */
ConfabStmt    *_confab_store_prepare          (ConfabStore  *self,
                                               const char   *sql,
                                               GError      **error);
ConfabStmt    *_confab_store_step_by_id       (ConfabStore  *self,
                                               const char   *sql,
                                               gint64        id,
                                               const char   *read_failed,
                                               gboolean     *missing,
                                               GError      **error);
/* Runs a statement that returns no rows; @what starts the error message
 * ("Could not rename the chat"). */
gboolean       _confab_store_step_done        (ConfabStore  *self,
                                               ConfabStmt   *stmt,
                                               const char   *what,
                                               GError      **error);
/* Turns an SQLite result code into a ConfabStoreError. */
void           _confab_store_set_error        (ConfabStore  *self,
                                               GError      **error,
                                               int           rc,
                                               const char   *what);
gboolean       _confab_store_exec             (ConfabStore  *self,
                                               const char   *sql,
                                               const char   *what,
                                               GError      **error);
ConfabMessage *_confab_store_message_from_stmt (ConfabStore *self,
                                                ConfabStmt  *stmt);
ConfabChat    *_confab_store_chat_from_stmt    (ConfabStore *self,
                                                ConfabStmt  *stmt);
ConfabProject *_confab_store_project_from_stmt (ConfabStore *self,
                                                ConfabStmt  *stmt);
void           _confab_bind_text               (ConfabStmt  *stmt,
                                                int          index,
                                                const char  *text);
/* Binds NULL for negative values ("unknown"). */
void           _confab_bind_count              (ConfabStmt  *stmt,
                                                int          index,
                                                gint64       value);
const char    *_confab_column_text             (ConfabStmt  *stmt,
                                                int          column);

/* ---- confab-store-schema.c */
/* Checks the file is ours and not newer, then sets it up and migrates. */
gboolean       _confab_store_open_db          (ConfabStore  *self,
                                               GError      **error);

/* ---- confab-store-projects.c */
gboolean       _confab_store_load_projects    (ConfabStore  *self,
                                               GError      **error);
/* Drops a project whose creation was rolled back from the live list. */
void           _confab_store_project_rolled_back (ConfabStore   *self,
                                                  ConfabProject *project);

/* ---- confab-store-chats.c */
/* Moves @chat to its sorted place in its project's live list. */
void           _confab_store_resort_chat      (ConfabStore  *self,
                                               ConfabChat   *chat);
/* Forgets the chats (and their messages) that a deletion removed. */
void           _confab_store_chats_deleted    (ConfabStore  *self,
                                               GArray       *chat_ids);
/* confab_store_create_chat() with the times and model of an imported chat. */
ConfabChat    *_confab_store_create_chat_full (ConfabStore   *self,
                                               ConfabProject *project,
                                               const char    *title,
                                               const char    *model,
                                               gint64         created,
                                               gint64         updated,
                                               GError       **error);

/* ---- confab-store-messages.c */
void           _confab_store_messages_of_chats_deleted (ConfabStore *self,
                                                        GArray      *chat_ids);
/* The FTS5 MATCH expression for words a user typed, or NULL if none. */
char          *_confab_store_build_match      (const char   *query);

/* ---- confab-store-branches.c */
/* Re-reads the alternatives following @prev_id (0: the chat's first
 * messages) into their live objects, after one was added or removed. */
void           _confab_store_refresh_alternatives (ConfabStore *self,
                                                   gint64       chat_id,
                                                   gint64       prev_id);

/* ---- Objects: constructors and setters only the store calls. */
ConfabProject *_confab_project_new               (gint64      id,
                                                  const char *name,
                                                  const char *system_prompt,
                                                  const char *default_model,
                                                  gint64      created);
void           _confab_project_set_name          (ConfabProject *self,
                                                  const char    *name);
void           _confab_project_set_system_prompt (ConfabProject *self,
                                                  const char    *system_prompt);
void           _confab_project_set_default_model (ConfabProject *self,
                                                  const char    *default_model);
void           _confab_project_set_room          (ConfabProject *self,
                                                  const char    *server,
                                                  const char    *room_id,
                                                  const char    *role,
                                                  gint64         seq);
void           _confab_project_set_room_role     (ConfabProject *self,
                                                  const char    *role);
void           _confab_project_set_room_seq      (ConfabProject *self,
                                                  gint64         seq);

ConfabChat    *_confab_chat_new            (gint64      id,
                                            gint64      project_id,
                                            const char *title,
                                            const char *model,
                                            const char *draft,
                                            gboolean    pinned,
                                            gboolean    archived,
                                            gint64      created,
                                            gint64      updated);
void           _confab_chat_set_project_id (ConfabChat *self,
                                            gint64      project_id);
void           _confab_chat_set_title      (ConfabChat *self,
                                            const char *title);
void           _confab_chat_set_remote_id  (ConfabChat *self,
                                            const char *remote_id);
void           _confab_chat_set_model      (ConfabChat *self,
                                            const char *model);
void           _confab_chat_set_draft      (ConfabChat *self,
                                            const char *draft);
void           _confab_chat_set_pinned     (ConfabChat *self,
                                            gboolean    pinned);
void           _confab_chat_set_archived   (ConfabChat *self,
                                            gboolean    archived);
void           _confab_chat_set_updated    (ConfabChat *self,
                                            gint64      updated);
/* Pinned first, then the most recently updated, then the newest. */
int            _confab_chat_compare        (gconstpointer a,
                                            gconstpointer b,
                                            gpointer      user_data);

typedef struct
{
  gint64              id;
  gint64              chat_id;
  gint64              parent_id;
  ConfabRole          role;
  const char         *author;
  const char         *provider;
  const char         *model;
  const char         *content;
  ConfabMessageStatus status;
  const char         *error;
  gint64              input_tokens;
  gint64              output_tokens;
  gint64              created;
  guint               reply_count;
  gint64              last_reply;
  /* Branches: see migration 3 in confab-store-schema.c. */
  gint64              prev_id;
  gint64              branch;
  gboolean            active;
  guint               n_alternatives;
  guint               alternative_index;
  const char         *remote_id;
} ConfabMessageData;

ConfabMessage *_confab_message_new         (const ConfabMessageData *data);
void           _confab_message_set_content (ConfabMessage *self,
                                            const char    *content);
void           _confab_message_set_remote_id (ConfabMessage *self,
                                              const char    *remote_id);
void           _confab_message_finish      (ConfabMessage       *self,
                                            ConfabMessageStatus  status,
                                            const char          *error,
                                            gint64               input_tokens,
                                            gint64               output_tokens);
void           _confab_message_set_thread  (ConfabMessage *self,
                                            guint          reply_count,
                                            gint64         last_reply);
gint64         _confab_message_get_prev_id (ConfabMessage *self);
void           _confab_message_set_prev_id (ConfabMessage *self,
                                            gint64         prev_id);
void           _confab_message_set_branch  (ConfabMessage *self,
                                            gboolean       active,
                                            gint64         branch);
void           _confab_message_set_alternatives (ConfabMessage *self,
                                                 guint          n_alternatives,
                                                 guint          alternative_index);

typedef struct
{
  gint64      message_id;
  gint64      chat_id;
  gint64      parent_id;
  gint64      project_id;
  ConfabRole  role;
  const char *author;
  const char *chat_title;
  const char *project_name;
  gint64      created;
  const char *snippet;  /* markup */
} ConfabSearchHitData;

ConfabSearchHit *_confab_search_hit_new (const ConfabSearchHitData *data);

ConfabMessageList *_confab_message_list_new     (ConfabStore       *store,
                                                 gint64             chat_id,
                                                 gint64             parent_id);
/* Keep a live list in step with writes made through the store. */
void               _confab_message_list_added   (ConfabMessageList *self,
                                                 ConfabMessage     *message);
void               _confab_message_list_removed (ConfabMessageList *self,
                                                 gint64             message_id);
void               _confab_message_list_clear   (ConfabMessageList *self);
/* The line below @fork_id (0: the whole line) was replaced: re-count it
 * and announce the new tail in one items-changed. */
void               _confab_message_list_reload_from (ConfabMessageList *self,
                                                     gint64             fork_id);

/* Search over every chat ranks the newest matches only (docs/performance.md):
 * bm25 is computed for every row it orders, and a word found in most of a
 * million messages would rank them all (0.7 s). The window is the newest
 * CONFAB_SEARCH_RANK_WINDOW matches: a rarer word has fewer, all ranked. */
#define CONFAB_SEARCH_RANK_WINDOW "10000"
#define CONFAB_SEARCH_RANKED_WHERE \
  "messages_fts MATCH ?1 AND rowid >= (SELECT min(rowid) FROM (" \
  " SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1" \
  " ORDER BY rowid DESC LIMIT " CONFAB_SEARCH_RANK_WINDOW "))"

G_END_DECLS
