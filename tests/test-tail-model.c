/* test-tail-model.c: ConfabTailModel over a GListStore, every change
 * checked against the model's own items and the signals a view sees.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "confab-core.h"

typedef struct
{
  GListStore      *store;
  ConfabTailModel *tail;
  /* A view's copy of the tail, kept only from items-changed. */
  GPtrArray       *seen;
  guint            n_signals;
} Fixture;

static void
on_items_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Fixture    *fixture)
{
  g_ptr_array_remove_range (fixture->seen, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (fixture->seen, position + i, g_list_model_get_item (model, position + i));
  fixture->n_signals++;
}

static void
append_numbers (GListStore *store,
                guint       from,
                guint       count)
{
  for (guint i = from; i < from + count; i++)
    {
      g_autoptr(GObject) item = g_object_new (G_TYPE_OBJECT, NULL);

      g_object_set_data (item, "n", GUINT_TO_POINTER (i));
      g_list_store_append (store, item);
    }
}

static guint
number_at (GListModel *model,
           guint       position)
{
  g_autoptr(GObject) item = g_list_model_get_item (model, position);

  g_assert_nonnull (item);
  return GPOINTER_TO_UINT (g_object_get_data (item, "n"));
}

/* The tail is the model from its start on, and the view agrees. */
static void
assert_consistent (Fixture *fixture)
{
  GListModel *model = G_LIST_MODEL (fixture->store);
  GListModel *tail = G_LIST_MODEL (fixture->tail);
  guint start = confab_tail_model_get_start (fixture->tail);

  g_assert_cmpuint (g_list_model_get_n_items (tail), ==, g_list_model_get_n_items (model) - start);
  g_assert_cmpuint (fixture->seen->len, ==, g_list_model_get_n_items (tail));
  for (guint i = 0; i < fixture->seen->len; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (tail, i);

      g_assert_cmpuint (number_at (tail, i), ==, number_at (model, start + i));
      g_assert_true (g_ptr_array_index (fixture->seen, i) == item);
    }
  g_assert_null (g_list_model_get_item (tail, g_list_model_get_n_items (tail)));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->store = g_list_store_new (G_TYPE_OBJECT);
  append_numbers (fixture->store, 0, 100);
  fixture->tail = confab_tail_model_new (G_LIST_MODEL (fixture->store), 10);
  fixture->seen = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (fixture->tail)); i++)
    g_ptr_array_add (fixture->seen, g_list_model_get_item (G_LIST_MODEL (fixture->tail), i));
  g_signal_connect (fixture->tail, "items-changed", G_CALLBACK (on_items_changed_cb), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->tail);
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->seen, g_ptr_array_unref);
}

static void
test_tail_shows_the_end (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(ConfabTailModel) short_tail = NULL;
  g_autoptr(GListStore) few = g_list_store_new (G_TYPE_OBJECT);

  g_assert_cmpuint (confab_tail_model_get_start (fixture->tail), ==, 90);
  g_assert_cmpuint (number_at (G_LIST_MODEL (fixture->tail), 0), ==, 90);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (fixture->tail)) == G_TYPE_OBJECT);
  assert_consistent (fixture);

  /* A model shorter than the size is all shown. */
  append_numbers (few, 0, 3);
  short_tail = confab_tail_model_new (G_LIST_MODEL (few), 10);
  g_assert_cmpuint (confab_tail_model_get_start (short_tail), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (short_tail)), ==, 3);
}

static void
test_tail_follows_appends (Fixture       *fixture,
                           gconstpointer  data)
{
  append_numbers (fixture->store, 100, 5);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->tail)), ==, 15);
  g_assert_cmpuint (number_at (G_LIST_MODEL (fixture->tail), 14), ==, 104);
  g_assert_cmpuint (fixture->n_signals, ==, 5);
  assert_consistent (fixture);

  /* A change inside the tail is the same change, shifted. */
  g_list_store_remove (fixture->store, 95);
  g_assert_cmpuint (number_at (G_LIST_MODEL (fixture->tail), 5), ==, 96);
  assert_consistent (fixture);
}

static void
test_tail_ignores_changes_before_it (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_list_store_remove (fixture->store, 3);
  append_numbers (fixture->store, 200, 0);
  g_assert_cmpuint (fixture->n_signals, ==, 0);
  g_assert_cmpuint (confab_tail_model_get_start (fixture->tail), ==, 89);
  g_assert_cmpuint (number_at (G_LIST_MODEL (fixture->tail), 0), ==, 90);
  assert_consistent (fixture);
}

static void
test_tail_grows_at_its_start (Fixture       *fixture,
                              gconstpointer  data)
{
  g_assert_cmpuint (confab_tail_model_grow (fixture->tail, 30), ==, 30);
  g_assert_cmpuint (confab_tail_model_get_start (fixture->tail), ==, 60);
  /* One insertion at 0: a view keeps the rows it has. */
  g_assert_cmpuint (fixture->n_signals, ==, 1);
  assert_consistent (fixture);

  g_assert_cmpuint (confab_tail_model_grow (fixture->tail, 100), ==, 60);
  g_assert_cmpuint (confab_tail_model_grow (fixture->tail, 5), ==, 0);
  g_assert_cmpuint (fixture->n_signals, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->tail)), ==, 100);
  assert_consistent (fixture);
}

static void
test_tail_reveals (Fixture       *fixture,
                   gconstpointer  data)
{
  /* Already shown: nothing changes. */
  g_assert_cmpuint (confab_tail_model_reveal (fixture->tail, 95, 5), ==, 5);
  g_assert_cmpuint (fixture->n_signals, ==, 0);

  /* Earlier: it grows to it, with some context before. */
  g_assert_cmpuint (confab_tail_model_reveal (fixture->tail, 40, 5), ==, 5);
  g_assert_cmpuint (confab_tail_model_get_start (fixture->tail), ==, 35);
  g_assert_cmpuint (confab_tail_model_reveal (fixture->tail, 2, 5), ==, 2);
  g_assert_cmpuint (confab_tail_model_get_start (fixture->tail), ==, 0);
  assert_consistent (fixture);

  g_assert_cmpuint (confab_tail_model_reveal (fixture->tail, 100, 5), ==, G_MAXUINT);
}

static void
test_tail_across_its_start (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);

  /* Items 80..94 replaced by 3 new ones: shown from 80 on. */
  for (guint i = 0; i < 3; i++)
    {
      GObject *item = g_object_new (G_TYPE_OBJECT, NULL);

      g_object_set_data (item, "n", GUINT_TO_POINTER (1000 + i));
      g_ptr_array_add (fresh, item);
    }
  g_list_store_splice (fixture->store, 80, 15, fresh->pdata, fresh->len);
  g_assert_cmpuint (confab_tail_model_get_start (fixture->tail), ==, 80);
  g_assert_cmpuint (number_at (G_LIST_MODEL (fixture->tail), 0), ==, 1000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->tail)), ==, 8);
  assert_consistent (fixture);

  /* A reload of everything. */
  g_list_store_remove_all (fixture->store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->tail)), ==, 0);
  assert_consistent (fixture);
  append_numbers (fixture->store, 0, 50);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->tail)), ==, 50);
  assert_consistent (fixture);
}

static void
test_tail_set_model (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GListStore) other = g_list_store_new (G_TYPE_OBJECT);

  append_numbers (other, 500, 30);
  confab_tail_model_set_model (fixture->tail, G_LIST_MODEL (other), 4);
  g_assert_true (confab_tail_model_get_model (fixture->tail) == G_LIST_MODEL (other));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->tail)), ==, 4);
  g_assert_cmpuint (number_at (G_LIST_MODEL (fixture->tail), 0), ==, 526);
  g_assert_cmpuint (fixture->seen->len, ==, 4);

  /* The old model is let go: its changes no longer reach the tail. */
  append_numbers (fixture->store, 100, 3);
  g_assert_cmpuint (fixture->n_signals, ==, 1);

  confab_tail_model_set_model (fixture->tail, NULL, 4);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->tail)), ==, 0);
  g_assert_cmpuint (fixture->seen->len, ==, 0);
}

static void
test_tail_shrinks (Fixture       *fixture,
                   gconstpointer  data)
{
  /* Shown from 90 on; grown to 60, then back to the last 25. */
  confab_tail_model_grow (fixture->tail, 30);
  g_assert_cmpuint (confab_tail_model_shrink (fixture->tail, 25), ==, 15);
  g_assert_cmpuint (confab_tail_model_get_start (fixture->tail), ==, 75);
  g_assert_cmpuint (number_at (G_LIST_MODEL (fixture->tail), 0), ==, 75);
  assert_consistent (fixture);

  /* Showing no more than asked: nothing to take away, no signal. */
  fixture->n_signals = 0;
  g_assert_cmpuint (confab_tail_model_shrink (fixture->tail, 25), ==, 0);
  g_assert_cmpuint (confab_tail_model_shrink (fixture->tail, 200), ==, 0);
  g_assert_cmpuint (fixture->n_signals, ==, 0);

  /* It still follows appends and grows back over what it let go. */
  append_numbers (fixture->store, 100, 5);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->tail)), ==, 30);
  g_assert_cmpuint (confab_tail_model_grow (fixture->tail, 100), ==, 75);
  assert_consistent (fixture);

  g_assert_cmpuint (confab_tail_model_shrink (fixture->tail, 0), ==, 105);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->tail)), ==, 0);
  assert_consistent (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/tail-model/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("shows-the-end", test_tail_shows_the_end);
  ADD ("follows-appends", test_tail_follows_appends);
  ADD ("ignores-changes-before-it", test_tail_ignores_changes_before_it);
  ADD ("grows-at-its-start", test_tail_grows_at_its_start);
  ADD ("reveals", test_tail_reveals);
  ADD ("across-its-start", test_tail_across_its_start);
  ADD ("set-model", test_tail_set_model);
  ADD ("shrinks", test_tail_shrinks);
#undef ADD

  return g_test_run ();
}
