/* test-confabd-coroutine.c: the coroutines the hub runs on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <unistd.h>

#include "confabd-coroutine.h"

typedef struct
{
  GArray *steps;     /* int: the order things happened in */
  int     fds[2];    /* a pipe */
  int     ready;
  gint64  waited_us;
  ConfabdCoroutineWaiter *waiter;
  gboolean woken;
} State;

static void
step (State *state,
      int    value)
{
  g_array_append_val (state->steps, value);
}

static void
assert_steps (State     *state,
              const int *expected,
              guint      n)
{
  g_assert_cmpmem (state->steps->data, state->steps->len * sizeof (int),
                   expected, n * sizeof (int));
}

static void
run_until (gboolean (*done) (State *), State *state)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!done (state))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
none_alive (State *state)
{
  return confabd_coroutine_get_n_alive () == 0;
}

/* ---- Running to the end without waiting */

static void
plain_co (gpointer data)
{
  State *state = data;

  g_assert_true (confabd_coroutine_is_active ());
  step (state, 1);
}

static void
destroy_step (gpointer data)
{
  step (data, 2);
}

static void
test_runs_at_once (void)
{
  State state = { .steps = g_array_new (FALSE, FALSE, sizeof (int)) };
  static const int expected[] = { 1, 2, 3 };

  g_assert_false (confabd_coroutine_is_active ());
  confabd_coroutine_spawn (plain_co, &state, destroy_step);
  step (&state, 3);
  assert_steps (&state, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (confabd_coroutine_get_n_alive (), ==, 0);
  g_assert_false (confabd_coroutine_is_active ());
  g_array_unref (state.steps);
}

/* ---- Waiting for a file descriptor, the loop running meanwhile */

static void
reader_co (gpointer data)
{
  State *state = data;
  char c;

  step (state, 1);
  state->ready = confabd_coroutine_wait_fd (state->fds[0], G_IO_IN,
                                            g_get_monotonic_time () + 10 * G_USEC_PER_SEC);
  g_assert_cmpint (read (state->fds[0], &c, 1), ==, 1);
  step (state, 4);
}

static gboolean
write_byte_cb (gpointer data)
{
  State *state = data;

  step (state, 3);
  g_assert_cmpint (write (state->fds[1], "x", 1), ==, 1);
  return G_SOURCE_REMOVE;
}

static void
test_wait_fd (void)
{
  State state = { .steps = g_array_new (FALSE, FALSE, sizeof (int)) };
  static const int expected[] = { 1, 2, 3, 4 };

  g_assert_no_errno (pipe (state.fds));
  confabd_coroutine_spawn (reader_co, &state, NULL);
  /* It yielded: the spawner goes on, the loop runs the writer. */
  step (&state, 2);
  g_assert_cmpuint (confabd_coroutine_get_n_alive (), ==, 1);
  g_timeout_add (50, write_byte_cb, &state);
  run_until (none_alive, &state);

  g_assert_cmpint (state.ready, ==, 1);
  assert_steps (&state, expected, G_N_ELEMENTS (expected));
  close (state.fds[0]);
  close (state.fds[1]);
  g_array_unref (state.steps);
}

/* ---- A deadline */

static void
deadline_co (gpointer data)
{
  State *state = data;
  gint64 start = g_get_monotonic_time ();

  state->ready = confabd_coroutine_wait_fd (state->fds[0], G_IO_IN, start + 100 * 1000);
  state->waited_us = g_get_monotonic_time () - start;
}

static void
test_deadline (void)
{
  State state = { .steps = g_array_new (FALSE, FALSE, sizeof (int)), .ready = -1 };

  g_assert_no_errno (pipe (state.fds));
  confabd_coroutine_spawn (deadline_co, &state, NULL);
  run_until (none_alive, &state);
  g_assert_cmpint (state.ready, ==, 0);
  g_assert_cmpint (state.waited_us, >=, 100 * 1000);
  close (state.fds[0]);
  close (state.fds[1]);
  g_array_unref (state.steps);
}

/* ---- Woken from another thread */

static void
waiter_co (gpointer data)
{
  State *state = data;

  state->waiter = confabd_coroutine_waiter_new ();
  step (state, 1);
  state->woken = confabd_coroutine_wait (state->waiter,
                                         g_get_monotonic_time () + 10 * G_USEC_PER_SEC);
  step (state, 3);
  g_clear_pointer (&state->waiter, confabd_coroutine_waiter_free);
}

static gpointer
wake_thread (gpointer data)
{
  State *state = data;

  g_usleep (50 * 1000);
  confabd_coroutine_wake (state->waiter);
  return NULL;
}

static void
test_wake_from_thread (void)
{
  State state = { .steps = g_array_new (FALSE, FALSE, sizeof (int)) };
  static const int expected[] = { 1, 2, 3 };
  GThread *thread;

  confabd_coroutine_spawn (waiter_co, &state, NULL);
  step (&state, 2);
  thread = g_thread_new ("waker", wake_thread, &state);
  run_until (none_alive, &state);
  g_thread_join (thread);

  g_assert_true (state.woken);
  assert_steps (&state, expected, G_N_ELEMENTS (expected));
  g_array_unref (state.steps);
}

/* A wake before the wait is not lost. */
static void
early_wake_co (gpointer data)
{
  State *state = data;
  g_autoptr(ConfabdCoroutineWaiter) waiter = confabd_coroutine_waiter_new ();

  confabd_coroutine_wake (waiter);
  state->woken = confabd_coroutine_wait (waiter, g_get_monotonic_time () + G_USEC_PER_SEC);
  /* Consumed: the next wait runs to its deadline. */
  g_assert_false (confabd_coroutine_wait (waiter, g_get_monotonic_time () + 20 * 1000));
}

static void
test_wake_before_wait (void)
{
  State state = { .steps = g_array_new (FALSE, FALSE, sizeof (int)) };

  confabd_coroutine_spawn (early_wake_co, &state, NULL);
  run_until (none_alive, &state);
  g_assert_true (state.woken);
  g_array_unref (state.steps);
}

/* ---- Many at once, spawned from each other */

#define N_MANY 200

typedef struct
{
  State *state;
  int    index;
} Child;

static void
child_co (gpointer data)
{
  Child *child = data;

  /* Each waits a little, so all of them are alive together. */
  confabd_coroutine_wait_fd (child->state->fds[0], G_IO_IN,
                             g_get_monotonic_time () + 20 * 1000);
  child->state->ready++;
}

static void
parent_co (gpointer data)
{
  State *state = data;

  for (int i = 0; i < N_MANY; i++)
    {
      Child *child = g_new0 (Child, 1);

      child->state = state;
      child->index = i;
      confabd_coroutine_spawn (child_co, child, g_free);
    }
  g_assert_cmpuint (confabd_coroutine_get_n_alive (), ==, N_MANY + 1);
}

static void
test_many (void)
{
  State state = { .steps = g_array_new (FALSE, FALSE, sizeof (int)) };

  g_assert_no_errno (pipe (state.fds));
  confabd_coroutine_spawn (parent_co, &state, NULL);
  g_assert_cmpuint (confabd_coroutine_get_n_alive (), ==, N_MANY);
  run_until (none_alive, &state);
  g_assert_cmpint (state.ready, ==, N_MANY);
  close (state.fds[0]);
  close (state.fds[1]);
  g_array_unref (state.steps);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/confabd/coroutine/runs-at-once", test_runs_at_once);
  g_test_add_func ("/confabd/coroutine/wait-fd", test_wait_fd);
  g_test_add_func ("/confabd/coroutine/deadline", test_deadline);
  g_test_add_func ("/confabd/coroutine/wake-from-thread", test_wake_from_thread);
  g_test_add_func ("/confabd/coroutine/wake-before-wait", test_wake_before_wait);
  g_test_add_func ("/confabd/coroutine/many", test_many);

  return g_test_run ();
}
