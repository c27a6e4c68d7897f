/* confabd-coroutine.h: the hub's work as coroutines on the main loop
 *
 * The storage interface reads like ordinary calls, and a PostgreSQL call
 * waits for the server. So that waiting never holds confabd's main loop,
 * each unit of the hub's work (a connection's frames, what the bus
 * brings, a reply to end) runs on a coroutine: where the PostgreSQL
 * backend would wait, it hands its socket to a GSource and the coroutine
 * yields to the main loop, which serves everyone else until the socket
 * is ready. Everything still runs on the one main thread, so the hub
 * needs no locks; what it must know is that other work may run at any
 * storage call (see confabd-hub.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*ConfabdCoroutineFunc) (gpointer user_data);

/* Runs @func on a new coroutine of the calling thread (the main loop's):
 * returns when it has finished or first waits. @destroy frees @user_data
 * when it has finished. */
void     confabd_coroutine_spawn       (ConfabdCoroutineFunc  func,
                                        gpointer              user_data,
                                        GDestroyNotify        destroy);
/* Whether the caller runs on a coroutine (else waits must block). */
gboolean confabd_coroutine_is_active   (void);
/* Coroutines started and not finished yet (waiting, mostly). */
guint    confabd_coroutine_get_n_alive (void);

/* On a coroutine: yields until @fd is ready for @condition, or until the
 * monotonic time @deadline (µs; -1: none). Returns 1 when ready, 0 at the
 * deadline. */
int      confabd_coroutine_wait_fd     (int                   fd,
                                        GIOCondition          condition,
                                        gint64                deadline);

/* A point a coroutine waits at until another party (on any thread) wakes
 * it, or a deadline. */
typedef struct _ConfabdCoroutineWaiter ConfabdCoroutineWaiter;

/* On a coroutine: the waiter for the next confabd_coroutine_wait; keep it
 * where the waking party finds it, and take it away before freeing it. */
ConfabdCoroutineWaiter *confabd_coroutine_waiter_new  (void);
void                    confabd_coroutine_waiter_free (ConfabdCoroutineWaiter *waiter);
/* Yields until woken (TRUE) or @deadline (FALSE). */
gboolean                confabd_coroutine_wait        (ConfabdCoroutineWaiter *waiter,
                                                       gint64                  deadline);
/* Thread-safe. */
void                    confabd_coroutine_wake        (ConfabdCoroutineWaiter *waiter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdCoroutineWaiter, confabd_coroutine_waiter_free)

G_END_DECLS
