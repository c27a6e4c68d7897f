/* confabd-pg-storage-private.h: what the PostgreSQL backend's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libpq-fe.h>

#include "confabd-pg-storage.h"

G_BEGIN_DECLS

/* At most this many connections per storage: a transaction holds one of
 * its own, so it never shares it with another call. */
#define CONFABD_PG_POOL_SIZE 4

/* One pooled connection and the statements prepared on it. */
typedef struct
{
  ConfabdPgStorage *owner;
  PGconn     *conn;
  /* Statement names by the address of their static SQL text. */
  GHashTable *prepared;
  gboolean    broken;      /* dropped instead of going back to the pool */
} ConfabdPgConn;

struct _ConfabdPgStorage
{
  GObject     parent_instance;

  char       *conninfo;
  char       *where;        /* HOST:PORT, for messages */
  guint       timeout_ms;
  guint       connect_timeout_ms; /* from the conninfo, 0: timeout_ms */

  GMutex      lock;
  GCond       released;     /* for threads waiting for a connection */
  GQueue      waiters;      /* ConfabdCoroutineWaiter *: coroutines waiting for one */
  GPtrArray  *idle;         /* ConfabdPgConn * */
  guint       n_open;       /* idle and in use */
  /* After a connection attempt timed out (a host that drops packets, a
   * frozen server), new connections are not tried again before this
   * (monotonic µs): each try would hold the main loop for the whole
   * timeout. The pause doubles from 1 s up to 10 s while it lasts. */
  gint64      connect_after;
  guint       connect_pause_ms;
};

/* A result: g_autoptr(PGresult) clears it. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* confabd-pg-db.c: the pool, the statements, transactions */
/* Closes the connections nobody uses (all of them at finalization). */
void           _confabd_pg_close_idle  (ConfabdPgStorage  *self);
/* A healthy connection of the pool (waits while all are in use), or one
 * newly connected; hand it back with _confabd_pg_release. */
ConfabdPgConn *_confabd_pg_acquire     (ConfabdPgStorage  *self,
                                        GError           **error);
void           _confabd_pg_release     (ConfabdPgStorage  *self,
                                        ConfabdPgConn     *pc);
/* g_autoptr(ConfabdPgConn) hands the connection back to its pool. */
void           _confabd_pg_conn_release (ConfabdPgConn    *pc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdPgConn, _confabd_pg_conn_release)
/* Runs the static statement @sql (prepared once per connection) with text
 * parameters (NULL: SQL NULL). Returns the result of a statement that
 * succeeded, else NULL with @error: constraint violations are mapped like the
 * SQLite backend's (unique: CONFLICT, foreign key: NOT_FOUND, check:
 * G_IO_ERROR_INVALID_ARGUMENT), a lost or silent server is a G_IO_ERROR
 * naming it. */
PGresult      *_confabd_pg_exec        (ConfabdPgStorage   *self,
                                        ConfabdPgConn      *pc,
                                        const char         *sql,
                                        int                 n_params,
                                        const char * const *params,
                                        const char         *what,
                                        GError            **error);
/* Runs constant SQL (connection settings, migrations) with the simple
 * query protocol, which allows several statements in one string. */
gboolean       _confabd_pg_exec_script (ConfabdPgStorage  *self,
                                        ConfabdPgConn     *pc,
                                        const char        *sql,
                                        const char        *what,
                                        GError           **error);
/* A statement expected to give at most one row: the result with its row,
 * else NULL with NOT_FOUND (@missing its message) or the error. */
PGresult      *_confabd_pg_exec_row    (ConfabdPgStorage   *self,
                                        ConfabdPgConn      *pc,
                                        const char         *sql,
                                        int                 n_params,
                                        const char * const *params,
                                        const char         *missing,
                                        GError            **error);
/* An UPDATE or DELETE that must change a row, else NOT_FOUND (@missing). */
gboolean       _confabd_pg_exec_changed (ConfabdPgStorage   *self,
                                         ConfabdPgConn      *pc,
                                         const char         *sql,
                                         int                 n_params,
                                         const char * const *params,
                                         const char         *missing,
                                         GError            **error);
gboolean       _confabd_pg_begin       (ConfabdPgStorage  *self,
                                        ConfabdPgConn     *pc,
                                        GError           **error);
gboolean       _confabd_pg_commit      (ConfabdPgStorage  *self,
                                        ConfabdPgConn     *pc,
                                        GError           **error);
void           _confabd_pg_rollback    (ConfabdPgStorage  *self,
                                        ConfabdPgConn     *pc);
/* Whether @error is a serialization failure or a deadlock, worth one retry. */
gboolean       _confabd_pg_is_retryable (const GError     *error);

/* libpq's messages (several lines, a final newline) on one line. */
char          *_confabd_pg_one_line    (const char        *message);

/* confabd-pg-schema.c: the conninfo (for messages and timeouts), and the
 * migrations to the current schema. */
gboolean       _confabd_pg_open_db     (ConfabdPgStorage  *self,
                                        GError           **error);

/* Values to and from text. */
const char    *_confabd_pg_int         (char               buf[24],
                                        gint64             value);
char          *_confabd_pg_dup         (const PGresult    *result,
                                        int                row,
                                        int                column);
gint64         _confabd_pg_get_int     (const PGresult    *result,
                                        int                row,
                                        int                column);
gboolean       _confabd_pg_get_bool    (const PGresult    *result,
                                        int                row,
                                        int                column);

/* confabd-pg-events.c: the vfuncs of events, messages and chats */
gint64          _confabd_pg_append_event   (ConfabdStorage        *storage,
                                            ConfabdEvent          *event,
                                            ConfabdMessageChange   change,
                                            const ConfabdMessage  *message,
                                            GError               **error);
GPtrArray      *_confabd_pg_list_events    (ConfabdStorage        *storage,
                                            const char            *room,
                                            gint64                 since,
                                            guint                  limit,
                                            GError               **error);
ConfabdMessage *_confabd_pg_lookup_message (ConfabdStorage        *storage,
                                            const char            *room,
                                            const char            *id,
                                            GError               **error);
GPtrArray      *_confabd_pg_list_messages  (ConfabdStorage        *storage,
                                            const char            *room,
                                            const char            *chat,
                                            const char            *thread,
                                            const char            *before,
                                            guint                  limit,
                                            GError               **error);
gboolean        _confabd_pg_chat_exists    (ConfabdStorage        *storage,
                                            const char            *room,
                                            const char            *chat,
                                            GError               **error);
GPtrArray      *_confabd_pg_list_streaming (ConfabdStorage        *storage,
                                            GError               **error);

G_END_DECLS
