/* confabd-sqlite-storage-private.h: what the SQLite backend's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "confabd-sqlite-storage.h"

G_BEGIN_DECLS

struct _ConfabdSqliteStorage
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  /* Prepared statements by the address of their static SQL text. */
  GHashTable *statements;
};

/* A cached statement in use: g_autoptr resets it and clears its bindings
 * when it goes out of scope, so it is ready for the next caller. */
typedef sqlite3_stmt ConfabdStmt;
void _confabd_stmt_release (ConfabdStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdStmt, _confabd_stmt_release)

/* confabd-sqlite-db.c */
gboolean     _confabd_sqlite_open_db      (ConfabdSqliteStorage  *self,
                                           GError               **error);
void         _confabd_sqlite_set_error    (ConfabdSqliteStorage  *self,
                                           GError               **error,
                                           int                    rc,
                                           const char            *what);
gboolean     _confabd_sqlite_exec         (ConfabdSqliteStorage  *self,
                                           const char            *sql,
                                           const char            *what,
                                           GError               **error);
ConfabdStmt *_confabd_sqlite_prepare      (ConfabdSqliteStorage  *self,
                                           const char            *sql,
                                           GError               **error);
gboolean     _confabd_sqlite_step_done    (ConfabdSqliteStorage  *self,
                                           ConfabdStmt           *stmt,
                                           const char            *what,
                                           GError               **error);
/* Steps a statement expected to give at most one row: TRUE on the row,
 * FALSE with NOT_FOUND (@missing its message) or a read error. */
gboolean     _confabd_sqlite_step_row     (ConfabdSqliteStorage  *self,
                                           ConfabdStmt           *stmt,
                                           const char            *missing,
                                           GError               **error);
/* An UPDATE or DELETE that must change a row, else NOT_FOUND (@missing). */
gboolean     _confabd_sqlite_step_changed (ConfabdSqliteStorage  *self,
                                           ConfabdStmt           *stmt,
                                           const char            *missing,
                                           GError               **error);
gboolean     _confabd_sqlite_begin        (ConfabdSqliteStorage  *self,
                                           GError               **error);
gboolean     _confabd_sqlite_commit       (ConfabdSqliteStorage  *self,
                                           GError               **error);
void         _confabd_sqlite_rollback     (ConfabdSqliteStorage  *self);
void         _confabd_bind_text           (ConfabdStmt           *stmt,
                                           int                    index,
                                           const char            *text);
char        *_confabd_column_dup          (ConfabdStmt           *stmt,
                                           int                    column);

/* confabd-sqlite-events.c: the vfuncs of events, messages and chats */
gint64          _confabd_sqlite_append_event   (ConfabdStorage        *storage,
                                                ConfabdEvent          *event,
                                                ConfabdMessageChange   change,
                                                const ConfabdMessage  *message,
                                                GError               **error);
GPtrArray      *_confabd_sqlite_list_events    (ConfabdStorage        *storage,
                                                const char            *room,
                                                gint64                 since,
                                                guint                  limit,
                                                GError               **error);
ConfabdMessage *_confabd_sqlite_lookup_message (ConfabdStorage        *storage,
                                                const char            *room,
                                                const char            *id,
                                                GError               **error);
GPtrArray      *_confabd_sqlite_list_messages  (ConfabdStorage        *storage,
                                                const char            *room,
                                                const char            *chat,
                                                const char            *thread,
                                                const char            *before,
                                                guint                  limit,
                                                GError               **error);
gboolean        _confabd_sqlite_chat_exists    (ConfabdStorage        *storage,
                                                const char            *room,
                                                const char            *chat,
                                                GError               **error);
GPtrArray      *_confabd_sqlite_list_streaming (ConfabdStorage        *storage,
                                                GError               **error);

G_END_DECLS
