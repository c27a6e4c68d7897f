/* confabd-coroutine.c: stackful coroutines for the hub, on ucontext
 *
 * Written by hand because nothing packaged in Debian 12 fits: GLib has
 * no coroutines, libdex (GNOME's futures and fibers) is not in bookworm,
 * and rewriting every frame handler as callbacks would turn the hub's
 * straight-line checks (role, permission, chat, thread, append) into
 * chains of continuations. ucontext is POSIX and in glibc; this is the
 * same technique QEMU's coroutine-ucontext uses, with the same
 * AddressSanitizer fiber annotations, so ASan follows the stack switches.
 *
 * A coroutine only ever runs on the thread that spawned it, and only
 * yields inside confabd_coroutine_wait*: everything between two waits runs
 * without interruption, as in ordinary main-loop code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE   /* ppoll */
#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <glib-unix.h>
#include <poll.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "confabd-coroutine.h"

#if defined(__SANITIZE_ADDRESS__)
# define HAVE_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define HAVE_ASAN 1
# endif
#endif

#ifdef HAVE_ASAN
# include <sanitizer/common_interface_defs.h>
/* ASan's frames are much larger. */
# define STACK_SIZE (1024 * 1024)
#else
# define STACK_SIZE (256 * 1024)
#endif

#if defined(__has_include)
# if __has_include(<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
#  define HAVE_VALGRIND 1
# endif
#endif

typedef struct
{
  ucontext_t            context;
  ucontext_t           *caller;       /* where a yield returns to */
  guint8               *stack;        /* the mapping, its lowest page a guard */
  gsize                 stack_size;
  ConfabdCoroutineFunc  func;
  gpointer              user_data;
  GDestroyNotify        destroy;
  GMainContext         *main_context;
  GSource              *waiting_on;   /* the source whose dispatch resumes it */
  gboolean              finished;
#ifdef HAVE_ASAN
  void                 *fake_stack;
  const void           *caller_bottom;
  gsize                 caller_size;
#endif
#ifdef HAVE_VALGRIND
  unsigned              valgrind_id;
#endif
} Coroutine;

static __thread Coroutine *current;
static guint n_alive;

/* Stacks of finished coroutines, for the next ones: a frame's coroutine
 * then costs no mmap, munmap or page faults. Not under ASan, which wants
 * each fiber's stack fresh. */
#ifndef HAVE_ASAN
#define MAX_SPARE_STACKS 64
static __thread GPtrArray *spare_stacks;
#endif

static guint8 *
stack_new (gsize size)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);
  guint8 *stack;

#ifndef HAVE_ASAN
  if (spare_stacks != NULL && spare_stacks->len > 0)
    return g_ptr_array_steal_index_fast (spare_stacks, spare_stacks->len - 1);
#endif

  stack = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                -1, 0);
  if (stack == MAP_FAILED)
    g_error ("Cannot map a coroutine stack of %zu bytes", size);
  /* An overflow faults instead of writing over the neighbour. */
  mprotect (stack, page, PROT_NONE);
  return stack;
}

static void
stack_free (guint8 *stack,
            gsize   size)
{
#ifndef HAVE_ASAN
  if (spare_stacks == NULL)
    spare_stacks = g_ptr_array_new ();
  if (spare_stacks->len < MAX_SPARE_STACKS)
    {
      g_ptr_array_add (spare_stacks, stack);
      return;
    }
#endif
  munmap (stack, size);
}

/* ---- Switching */

static inline void
start_switch (void      **fake_stack,
              const void *bottom,
              gsize       size)
{
#ifdef HAVE_ASAN
  __sanitizer_start_switch_fiber (fake_stack, bottom, size);
#endif
  (void) fake_stack; (void) bottom; (void) size;
}

static inline void
finish_switch (void        *fake_stack,
               const void **bottom,
               gsize       *size)
{
#ifdef HAVE_ASAN
  __sanitizer_finish_switch_fiber (fake_stack, bottom, size);
#endif
  (void) fake_stack; (void) bottom; (void) size;
}

static void
coroutine_free (Coroutine *co)
{
#ifdef HAVE_VALGRIND
  VALGRIND_STACK_DEREGISTER (co->valgrind_id);
#endif
  stack_free (co->stack, co->stack_size);
  g_main_context_unref (co->main_context);
  g_free (co);
  n_alive--;
}

/* Runs @co until it yields or finishes, then frees it if it finished. */
static void
switch_into (Coroutine *co)
{
  Coroutine *previous = current;
  ucontext_t here;
  void *fake_stack = NULL;
  gsize page = (gsize) sysconf (_SC_PAGESIZE);

  co->caller = &here;
  current = co;
  start_switch (&fake_stack, co->stack + page, co->stack_size - page);
  swapcontext (&here, &co->context);
  finish_switch (fake_stack, NULL, NULL);
  current = previous;

  if (co->finished)
    coroutine_free (co);
}

static void
yield (void)
{
  Coroutine *co = current;

  g_assert (co != NULL);
#ifdef HAVE_ASAN
  start_switch (&co->fake_stack, co->caller_bottom, co->caller_size);
  swapcontext (&co->context, co->caller);
  finish_switch (co->fake_stack, &co->caller_bottom, &co->caller_size);
#else
  swapcontext (&co->context, co->caller);
#endif
}

static void
trampoline (void)
{
  Coroutine *co = current;

#ifdef HAVE_ASAN
  finish_switch (NULL, &co->caller_bottom, &co->caller_size);
#endif
  co->func (co->user_data);
  if (co->destroy != NULL)
    co->destroy (co->user_data);
  co->finished = TRUE;

  /* A finished coroutine's fake stack goes (NULL). */
#ifdef HAVE_ASAN
  start_switch (NULL, co->caller_bottom, co->caller_size);
#endif
  swapcontext (&co->context, co->caller);
  g_assert_not_reached ();
}

void
confabd_coroutine_spawn (ConfabdCoroutineFunc func,
                         gpointer             user_data,
                         GDestroyNotify       destroy)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);
  Coroutine *co;

  g_return_if_fail (func != NULL);

  co = g_new0 (Coroutine, 1);
  co->stack_size = STACK_SIZE + page;
  co->stack = stack_new (co->stack_size);
#ifdef HAVE_VALGRIND
  co->valgrind_id = VALGRIND_STACK_REGISTER (co->stack + page, co->stack + co->stack_size);
#endif

  co->func = func;
  co->user_data = user_data;
  co->destroy = destroy;
  co->main_context = g_main_context_ref_thread_default ();
  n_alive++;

  getcontext (&co->context);
  co->context.uc_stack.ss_sp = co->stack + page;
  co->context.uc_stack.ss_size = co->stack_size - page;
  co->context.uc_link = NULL;
  makecontext (&co->context, trampoline, 0);

  switch_into (co);
}

gboolean
confabd_coroutine_is_active (void)
{
  return current != NULL;
}

guint
confabd_coroutine_get_n_alive (void)
{
  return n_alive;
}

/* ---- Waiting: a GSource on the coroutine's main context resumes it */

typedef struct
{
  GSource       source;
  Coroutine    *co;
  gpointer      fd_tag;
  GIOCondition  revents;
  gint          woken;     /* atomic */
} WaitSource;

static gboolean
wait_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  WaitSource *wait = (WaitSource *) source;

  if (wait->fd_tag != NULL)
    wait->revents = g_source_query_unix_fd (source, wait->fd_tag);
  g_source_set_ready_time (source, -1);

  /* A waiter woken before its coroutine waits finds the flag set then. */
  if (wait->co != NULL && wait->co->waiting_on == source)
    {
      wait->co->waiting_on = NULL;
      switch_into (wait->co);
    }
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs wait_source_funcs = {
  .dispatch = wait_source_dispatch,
};

static WaitSource *
wait_source_new (void)
{
  WaitSource *wait = (WaitSource *) g_source_new (&wait_source_funcs, sizeof (WaitSource));

  g_source_set_static_name ((GSource *) wait, "[confabd] coroutine wait");
  wait->co = current;
  g_source_attach ((GSource *) wait, current->main_context);
  return wait;
}

static void
wait_source_free (WaitSource *wait)
{
  g_source_destroy ((GSource *) wait);
  g_source_unref ((GSource *) wait);
}

/* Yields until @wait is dispatched (its fd ready, woken, or its ready time). */
static void
wait_on (WaitSource *wait)
{
  current->waiting_on = (GSource *) wait;
  yield ();
}

/* A coroutine alone (nothing else waiting) first polls its descriptor for
 * this long before it yields. Each turn of the main loop polls every
 * client's socket: with 1,000 clients a turn costs ~0.15 ms of CPU, more
 * than PostgreSQL on the same host takes to answer a statement. Waiting
 * that long for the answer saves the turn; other work (a frame arriving
 * meanwhile) waits at most this long. With other coroutines waiting, the
 * turn serves them too, and the coroutine yields at once. */
#define ALONE_POLL_US 200

int
confabd_coroutine_wait_fd (int          fd,
                           GIOCondition condition,
                           gint64       deadline)
{
  WaitSource *wait;
  int ready;

  g_return_val_if_fail (current != NULL, -1);

  if (n_alive == 1)
    {
      struct pollfd pfd = {
        .fd = fd,
        .events = ((condition & G_IO_IN) != 0 ? POLLIN : 0) |
                  ((condition & G_IO_OUT) != 0 ? POLLOUT : 0),
      };
      struct timespec spin = { .tv_sec = 0, .tv_nsec = ALONE_POLL_US * 1000 };

      if (ppoll (&pfd, 1, &spin, NULL) > 0)
        return 1;
    }

  wait = wait_source_new ();
  wait->fd_tag = g_source_add_unix_fd ((GSource *) wait, fd, condition | G_IO_ERR | G_IO_HUP);
  g_source_set_ready_time ((GSource *) wait, deadline);
  wait_on (wait);
  ready = wait->revents != 0 ? 1 : 0;
  wait_source_free (wait);
  return ready;
}

struct _ConfabdCoroutineWaiter
{
  WaitSource *source;
};

ConfabdCoroutineWaiter *
confabd_coroutine_waiter_new (void)
{
  ConfabdCoroutineWaiter *waiter;

  g_return_val_if_fail (current != NULL, NULL);

  waiter = g_new0 (ConfabdCoroutineWaiter, 1);
  waiter->source = wait_source_new ();
  return waiter;
}

void
confabd_coroutine_waiter_free (ConfabdCoroutineWaiter *waiter)
{
  if (waiter == NULL)
    return;

  wait_source_free (waiter->source);
  g_free (waiter);
}

gboolean
confabd_coroutine_wait (ConfabdCoroutineWaiter *waiter,
                        gint64                  deadline)
{
  WaitSource *wait = waiter->source;

  g_return_val_if_fail (current != NULL && wait->co == current, FALSE);

  if (!g_atomic_int_compare_and_exchange (&wait->woken, TRUE, FALSE))
    {
      g_source_set_ready_time ((GSource *) wait, deadline);
      /* A wake from another thread between the check and the line above
       * had its ready time overwritten. */
      if (g_atomic_int_get (&wait->woken))
        g_source_set_ready_time ((GSource *) wait, 0);
      wait_on (wait);
      if (!g_atomic_int_compare_and_exchange (&wait->woken, TRUE, FALSE))
        return FALSE;
    }
  return TRUE;
}

void
confabd_coroutine_wake (ConfabdCoroutineWaiter *waiter)
{
  g_atomic_int_set (&waiter->source->woken, TRUE);
  g_source_set_ready_time ((GSource *) waiter->source, 0);
}
