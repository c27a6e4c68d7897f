/* confabd-pg-db.c: the PostgreSQL backend's connections, statements and
 * transactions
 *
 * The storage interface reads like plain calls, and the hub makes them
 * on coroutines (confabd-coroutine.c): every wait here goes through
 * libpq's asynchronous API (PQsendQueryParams, PQconsumeInput) and, on a
 * coroutine, hands the connection's socket to a GSource and yields, so
 * the main loop serves everyone else until PostgreSQL answers. Off a
 * coroutine (the tests' threads, startup) the same waits use poll(). No
 * call may hang: every wait has a deadline (the storage's timeout, 5 s by
 * default; connect_timeout in the conninfo for connecting), and the
 * server is told the same bound with statement_timeout. A call that runs
 * out of time, or finds the server gone, drops its connection and fails
 * with a G_IO_ERROR naming the server; the next call connects again, so
 * confabd survives a PostgreSQL restart without restarting itself. One
 * wait is outside the bound: libpq resolves a host name with a blocking
 * getaddrinfo(), so a server named by its address (or a resolver that
 * answers) is assumed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "confabd-coroutine.h"
#include "confabd-pg-storage-private.h"

/* ---- Values */

const char *
_confabd_pg_int (char   buf[24],
                 gint64 value)
{
  g_snprintf (buf, 24, "%" G_GINT64_FORMAT, value);
  return buf;
}

char *
_confabd_pg_dup (const PGresult *result,
                 int             row,
                 int             column)
{
  if (PQgetisnull (result, row, column))
    return NULL;
  return g_strdup (PQgetvalue (result, row, column));
}

gint64
_confabd_pg_get_int (const PGresult *result,
                     int             row,
                     int             column)
{
  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

gboolean
_confabd_pg_get_bool (const PGresult *result,
                      int             row,
                      int             column)
{
  return PQgetvalue (result, row, column)[0] == 't';
}

/* libpq's messages end with a newline and may span lines. */
char *
_confabd_pg_one_line (const char *message)
{
  g_autofree char *copy = g_strdup (message != NULL ? message : "");
  g_auto(GStrv) lines = g_strsplit_set (g_strstrip (copy), "\n\t", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (*g_strstrip (lines[i]) == '\0')
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, lines[i]);
    }
  return g_string_free (out, FALSE);
}

/* ---- Errors */

/* The connection is unusable: it goes instead of back to the pool. */
static void
set_lost_error (ConfabdPgStorage  *self,
                ConfabdPgConn     *pc,
                GError           **error,
                gboolean           timed_out,
                const char        *what,
                const char        *detail)
{
  g_autofree char *line = _confabd_pg_one_line (detail);

  pc->broken = TRUE;
  if (timed_out)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                 "%s: the database at %s is not answering: %s", what, self->where, line);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                 "%s: the connection to the database at %s was lost: %s",
                 what, self->where, line);
}

static void
set_result_error (ConfabdPgStorage  *self,
                  ConfabdPgConn     *pc,
                  const PGresult    *result,
                  const char        *what,
                  GError           **error)
{
  const char *state = PQresultErrorField (result, PG_DIAG_SQLSTATE);
  const char *primary = PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY);
  g_autofree char *detail = _confabd_pg_one_line (primary != NULL ? primary
                                                      : PQresultErrorMessage (result));
  GQuark domain = G_IO_ERROR;
  int code = G_IO_ERROR_FAILED;

  if (PQstatus (pc->conn) == CONNECTION_BAD || state == NULL ||
      g_str_has_prefix (state, "08") || g_str_has_prefix (state, "57P"))
    {
      set_lost_error (self, pc, error, FALSE, what,
                      *detail != '\0' ? detail : PQerrorMessage (pc->conn));
      return;
    }

  if (g_str_equal (state, "57014"))
    {
      /* statement_timeout: the server gave up on its side of the bound. */
      set_lost_error (self, pc, error, TRUE, what, detail);
      return;
    }

  if (g_str_equal (state, "23505"))
    {
      domain = CONFABD_STORAGE_ERROR;
      code = CONFABD_STORAGE_ERROR_CONFLICT;
    }
  /* A row naming a user, room, chat or message that does not exist. */
  else if (g_str_equal (state, "23503"))
    {
      domain = CONFABD_STORAGE_ERROR;
      code = CONFABD_STORAGE_ERROR_NOT_FOUND;
    }
  else if (g_str_equal (state, "23514") || g_str_equal (state, "23502") ||
           g_str_has_prefix (state, "22"))
    code = G_IO_ERROR_INVALID_ARGUMENT;
  else if (g_str_equal (state, "40001") || g_str_equal (state, "40P01") ||
           g_str_equal (state, "55P03"))
    code = G_IO_ERROR_BUSY;
  else if (g_str_equal (state, "53100"))
    code = G_IO_ERROR_NO_SPACE;
  else if (g_str_equal (state, "42501") || g_str_equal (state, "25006"))
    code = G_IO_ERROR_PERMISSION_DENIED;
  else if (g_str_has_prefix (state, "XX00"))
    {
      domain = CONFABD_STORAGE_ERROR;
      code = CONFABD_STORAGE_ERROR_CORRUPT;
    }

  g_set_error (error, domain, code, "%s: %s", what, detail);
}

gboolean
_confabd_pg_is_retryable (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY);
}

/* ---- Waiting, always with a deadline */

/* 1 when @fd is ready for @events, 0 at the deadline, -1 on a poll error.
 * On a coroutine the main loop runs meanwhile. */
static int
wait_fd (int    fd,
         short  events,
         gint64 deadline)
{
  if (confabd_coroutine_is_active ())
    {
      GIOCondition condition = ((events & POLLIN) != 0 ? G_IO_IN : 0) |
                               ((events & POLLOUT) != 0 ? G_IO_OUT : 0);

      if (g_get_monotonic_time () >= deadline)
        return 0;
      return confabd_coroutine_wait_fd (fd, condition, deadline);
    }

  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = events };
      gint64 left_ms = (deadline - g_get_monotonic_time () + 999) / 1000;
      int rc;

      if (left_ms <= 0)
        return 0;
      rc = poll (&pfd, 1, (int)MIN (left_ms, G_MAXINT));
      if (rc > 0)
        return 1;
      if (rc < 0 && errno != EINTR)
        return -1;
    }
}

/* Sends what libpq buffered and collects the statement's result: the first
 * error, else the last result. */
static PGresult *
await_result (ConfabdPgStorage  *self,
              ConfabdPgConn     *pc,
              const char        *what,
              GError           **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)self->timeout_ms * 1000;
  PGconn *conn = pc->conn;
  PGresult *kept = NULL;
  PGresult *result;
  int rc;

  while ((rc = PQflush (conn)) != 0)
    {
      if (rc < 0 || wait_fd (PQsocket (conn), POLLIN | POLLOUT, deadline) <= 0 ||
          !PQconsumeInput (conn))
        goto lost;
    }

  for (;;)
    {
      while (PQisBusy (conn))
        {
          rc = wait_fd (PQsocket (conn), POLLIN, deadline);
          if (rc == 0)
            {
              g_autofree char *detail = g_strdup_printf ("no answer in %u ms",
                                                         self->timeout_ms);

              g_clear_pointer (&kept, PQclear);
              set_lost_error (self, pc, error, TRUE, what, detail);
              return NULL;
            }
          if (rc < 0 || !PQconsumeInput (conn))
            goto lost;
        }

      if ((result = PQgetResult (conn)) == NULL)
        break;

      if (kept == NULL || PQresultStatus (kept) != PGRES_FATAL_ERROR)
        {
          g_clear_pointer (&kept, PQclear);
          kept = result;
        }
      else
        PQclear (result);
    }

  if (kept == NULL)
    goto lost;
  return kept;

lost:
  g_clear_pointer (&kept, PQclear);
  if (g_get_monotonic_time () >= deadline)
    set_lost_error (self, pc, error, TRUE, what, "no answer in time");
  else
    set_lost_error (self, pc, error, FALSE, what, PQerrorMessage (conn));
  return NULL;
}

/* The result of a command that must succeed, or NULL with @error. */
static PGresult *
check_result (ConfabdPgStorage  *self,
              ConfabdPgConn     *pc,
              PGresult          *result,
              const char        *what,
              GError           **error)
{
  ExecStatusType status;

  if (result == NULL)
    return NULL;

  status = PQresultStatus (result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return result;

  set_result_error (self, pc, result, what, error);
  PQclear (result);
  return NULL;
}

/* The result of a query just handed to libpq, @sent being what its
 * PQsend… call answered. */
static PGresult *
sent_result (ConfabdPgStorage  *self,
             ConfabdPgConn     *pc,
             int                sent,
             const char        *what,
             GError           **error)
{
  if (!sent)
    {
      set_lost_error (self, pc, error, FALSE, what, PQerrorMessage (pc->conn));
      return NULL;
    }
  return check_result (self, pc, await_result (self, pc, what, error), what, error);
}

gboolean
_confabd_pg_exec_script (ConfabdPgStorage  *self,
                         ConfabdPgConn     *pc,
                         const char        *sql,
                         const char        *what,
                         GError           **error)
{
  g_autoptr(PGresult) result = NULL;

  result = sent_result (self, pc, PQsendQuery (pc->conn, sql), what, error);
  return result != NULL;
}

PGresult *
_confabd_pg_exec (ConfabdPgStorage   *self,
                  ConfabdPgConn      *pc,
                  const char         *sql,
                  int                 n_params,
                  const char * const *params,
                  const char         *what,
                  GError            **error)
{
  const char *name = g_hash_table_lookup (pc->prepared, sql);

  if (name == NULL)
    {
      g_autofree char *new_name = g_strdup_printf ("confabd_%u",
                                                   g_hash_table_size (pc->prepared));
      g_autoptr(PGresult) prepared = NULL;

      prepared = sent_result (self, pc, PQsendPrepare (pc->conn, new_name, sql, n_params, NULL),
                              what, error);
      if (prepared == NULL)
        return NULL;

      name = new_name;
      g_hash_table_insert (pc->prepared, (gpointer)sql, g_steal_pointer (&new_name));
    }

  return sent_result (self, pc,
                      PQsendQueryPrepared (pc->conn, name, n_params, params, NULL, NULL, 0),
                      what, error);
}

PGresult *
_confabd_pg_exec_row (ConfabdPgStorage   *self,
                      ConfabdPgConn      *pc,
                      const char         *sql,
                      int                 n_params,
                      const char * const *params,
                      const char         *missing,
                      GError            **error)
{
  PGresult *result = _confabd_pg_exec (self, pc, sql, n_params, params,
                                       "Could not read the database", error);

  if (result != NULL && PQntuples (result) == 0)
    {
      g_set_error_literal (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND,
                           missing);
      g_clear_pointer (&result, PQclear);
    }
  return result;
}

gboolean
_confabd_pg_exec_changed (ConfabdPgStorage   *self,
                          ConfabdPgConn      *pc,
                          const char         *sql,
                          int                 n_params,
                          const char * const *params,
                          const char         *missing,
                          GError            **error)
{
  g_autoptr(PGresult) result = _confabd_pg_exec (self, pc, sql, n_params, params,
                                                 "Could not save the change", error);

  if (result == NULL)
    return FALSE;

  if (g_str_equal (PQcmdTuples (result), "0"))
    {
      g_set_error_literal (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND,
                           missing);
      return FALSE;
    }
  return TRUE;
}

/* READ COMMITTED (the default): what must not change under a transaction
 * is locked by the statement that reads it (UPDATE … RETURNING, FOR UPDATE). */
gboolean
_confabd_pg_begin (ConfabdPgStorage  *self,
                   ConfabdPgConn     *pc,
                   GError           **error)
{
  g_autoptr(PGresult) result = _confabd_pg_exec (self, pc, "BEGIN", 0, NULL,
                                                 "Could not start a transaction", error);

  return result != NULL;
}

gboolean
_confabd_pg_commit (ConfabdPgStorage  *self,
                    ConfabdPgConn     *pc,
                    GError           **error)
{
  g_autoptr(PGresult) result = _confabd_pg_exec (self, pc, "COMMIT", 0, NULL,
                                                 "Could not save the changes", error);

  if (result == NULL)
    {
      _confabd_pg_rollback (self, pc);
      return FALSE;
    }

  /* COMMIT of a transaction that had failed answers ROLLBACK. */
  if (!g_str_equal (PQcmdStatus (result), "COMMIT"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "Could not save the changes: the transaction was rolled back");
      return FALSE;
    }
  return TRUE;
}

void
_confabd_pg_rollback (ConfabdPgStorage *self,
                      ConfabdPgConn    *pc)
{
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* A lost connection rolls back by itself (and is dropped). */
  if (pc->broken || PQtransactionStatus (pc->conn) == PQTRANS_IDLE)
    return;

  result = _confabd_pg_exec (self, pc, "ROLLBACK", 0, NULL, "Could not roll back", &error);
  if (result == NULL)
    {
      g_debug ("%s", error->message);
      pc->broken = TRUE;
    }
}

/* ---- Connections and the pool */

static void
notice_cb (void       *arg,
           const char *message)
{
  g_autofree char *line = _confabd_pg_one_line (message);

  g_debug ("PostgreSQL: %s", line);
}

static void
conn_free (ConfabdPgConn *pc)
{
  g_clear_pointer (&pc->conn, PQfinish);
  g_clear_pointer (&pc->prepared, g_hash_table_unref);
  g_free (pc);
}

/* Connects without ever blocking longer than the connect timeout. */
static ConfabdPgConn *
conn_new (ConfabdPgStorage  *self,
          GError           **error)
{
  guint timeout_ms = self->connect_timeout_ms != 0 ? self->connect_timeout_ms : self->timeout_ms;
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  ConfabdPgConn *pc = g_new0 (ConfabdPgConn, 1);
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  g_autofree char *settings = NULL;
  const char *what = "Could not connect to the database";

  pc->owner = self;
  pc->prepared = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  pc->conn = PQconnectStart (self->conninfo);
  if (pc->conn == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: out of memory", what);
      g_free (pc);
      return NULL;
    }

  while (PQstatus (pc->conn) != CONNECTION_BAD && status != PGRES_POLLING_OK &&
         status != PGRES_POLLING_FAILED)
    {
      int rc = wait_fd (PQsocket (pc->conn),
                        status == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);

      if (rc == 0)
        {
          g_autofree char *detail = g_strdup_printf ("no answer in %u ms", timeout_ms);

          set_lost_error (self, pc, error, TRUE, what, detail);
          conn_free (pc);
          return NULL;
        }
      status = PQconnectPoll (pc->conn);
    }

  if (PQstatus (pc->conn) != CONNECTION_OK)
    {
      g_autofree char *detail = _confabd_pg_one_line (PQerrorMessage (pc->conn));

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   "%s at %s: %s", what, self->where, detail);
      conn_free (pc);
      return NULL;
    }

  PQsetNoticeProcessor (pc->conn, notice_cb, NULL);
  if (PQsetnonblocking (pc->conn, 1) != 0)
    {
      set_lost_error (self, pc, error, FALSE, what, PQerrorMessage (pc->conn));
      conn_free (pc);
      return NULL;
    }

  /* The server stops what runs longer than a client waits for it. */
  settings = g_strdup_printf ("SET statement_timeout = %u; SET client_min_messages = warning",
                              self->timeout_ms);
  if (!_confabd_pg_exec_script (self, pc, settings, what, error))
    {
      conn_free (pc);
      return NULL;
    }

  return pc;
}

/* Whether an idle connection still works. Nothing is expected on an idle
 * connection (confabd does not LISTEN): whatever arrived is the server's
 * goodbye (a restart, an administrator's termination) or the end of the
 * socket, and the connection is dropped rather than read. */
static gboolean
conn_is_healthy (ConfabdPgConn *pc)
{
  struct pollfd pfd = { .fd = PQsocket (pc->conn), .events = POLLIN };

  if (PQstatus (pc->conn) != CONNECTION_OK || pfd.fd < 0 ||
      PQtransactionStatus (pc->conn) != PQTRANS_IDLE)
    return FALSE;

  return poll (&pfd, 1, 0) == 0;
}

/* A connection came back or a place in the pool opened: one waiting
 * thread or coroutine tries again. Called with the lock held. */
static void
wake_one (ConfabdPgStorage *self)
{
  ConfabdCoroutineWaiter *waiter = g_queue_pop_head (&self->waiters);

  g_cond_signal (&self->released);
  if (waiter != NULL)
    confabd_coroutine_wake (waiter);
}

ConfabdPgConn *
_confabd_pg_acquire (ConfabdPgStorage  *self,
                     GError           **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)self->timeout_ms * 1000;
  ConfabdPgConn *pc = NULL;
  g_autoptr(GError) local_error = NULL;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      while (self->idle->len > 0)
        {
          pc = g_ptr_array_steal_index (self->idle, self->idle->len - 1);
          if (conn_is_healthy (pc))
            {
              g_mutex_unlock (&self->lock);
              return pc;
            }
          g_debug ("Dropping a dead connection to %s", self->where);
          conn_free (pc);
          self->n_open--;
        }

      if (self->n_open < CONFABD_PG_POOL_SIZE)
        break;

      if (confabd_coroutine_is_active ())
        {
          /* Yields until a connection comes back: the holders need the
           * main loop to finish. */
          g_autoptr(ConfabdCoroutineWaiter) waiter = confabd_coroutine_waiter_new ();
          gboolean woken;

          g_queue_push_tail (&self->waiters, waiter);
          g_mutex_unlock (&self->lock);
          woken = confabd_coroutine_wait (waiter, deadline);
          g_mutex_lock (&self->lock);
          g_queue_remove (&self->waiters, waiter);
          if (woken || g_get_monotonic_time () < deadline)
            continue;
        }
      else if (g_cond_wait_until (&self->released, &self->lock, deadline))
        continue;

      g_mutex_unlock (&self->lock);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "All %d connections to the database at %s stayed busy",
                   CONFABD_PG_POOL_SIZE, self->where);
      return NULL;
    }

  if (g_get_monotonic_time () < self->connect_after)
    {
      gint64 wait_ms = (self->connect_after - g_get_monotonic_time ()) / 1000 + 1;

      g_mutex_unlock (&self->lock);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   "The database at %s did not answer the last connection; trying again "
                   "in %" G_GINT64_FORMAT " ms", self->where, wait_ms);
      return NULL;
    }

  /* Connecting happens outside the lock: the others' calls go on. */
  self->n_open++;
  g_mutex_unlock (&self->lock);

  pc = conn_new (self, &local_error);
  g_mutex_lock (&self->lock);
  if (pc == NULL)
    {
      self->n_open--;
      wake_one (self);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        {
          self->connect_pause_ms = self->connect_pause_ms == 0
                                     ? 1000 : MIN (self->connect_pause_ms * 2, 10000);
          self->connect_after = g_get_monotonic_time () + self->connect_pause_ms * 1000;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
    }
  else
    {
      self->connect_pause_ms = 0;
      self->connect_after = 0;
    }
  g_mutex_unlock (&self->lock);
  return pc;
}

void
_confabd_pg_release (ConfabdPgStorage *self,
                     ConfabdPgConn    *pc)
{
  if (pc == NULL)
    return;

  g_mutex_lock (&self->lock);
  if (pc->broken || PQstatus (pc->conn) != CONNECTION_OK ||
      PQtransactionStatus (pc->conn) != PQTRANS_IDLE)
    {
      conn_free (pc);
      self->n_open--;
    }
  else
    g_ptr_array_add (self->idle, pc);
  wake_one (self);
  g_mutex_unlock (&self->lock);
}

void
_confabd_pg_conn_release (ConfabdPgConn *pc)
{
  if (pc != NULL)
    _confabd_pg_release (pc->owner, pc);
}

void
_confabd_pg_close_idle (ConfabdPgStorage *self)
{
  g_mutex_lock (&self->lock);
  while (self->idle->len > 0)
    {
      conn_free (g_ptr_array_steal_index (self->idle, self->idle->len - 1));
      self->n_open--;
    }
  g_mutex_unlock (&self->lock);
}
