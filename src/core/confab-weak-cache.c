/* confab-weak-cache.c: id -> object maps that do not keep objects alive.
 *
 * The store hands out one object per row while anyone holds it, which lets
 * it update the very objects widgets are bound to. The entry goes away by
 * itself when the object is finalized.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include "confab-store-private.h"

typedef struct
{
  gint64           id; /* first: the hash table key points here */
  GObject         *object;
  ConfabWeakCache *cache;
} Entry;

struct _ConfabWeakCache
{
  GHashTable *entries; /* &entry->id -> Entry */
};

static void
on_object_finalized (gpointer  data,
                     GObject  *where_the_object_was)
{
  Entry *entry = data;

  /* The object is being disposed: it is no longer ours to hand out. */
  g_hash_table_remove (entry->cache->entries, &entry->id);
}

ConfabWeakCache *
_confab_weak_cache_new (void)
{
  ConfabWeakCache *cache = g_new0 (ConfabWeakCache, 1);

  cache->entries = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);

  return cache;
}

void
_confab_weak_cache_free (ConfabWeakCache *cache)
{
  GHashTableIter iter;
  Entry *entry;

  if (cache == NULL)
    return;

  g_hash_table_iter_init (&iter, cache->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&entry))
    g_object_weak_unref (entry->object, on_object_finalized, entry);

  g_hash_table_destroy (cache->entries);
  g_free (cache);
}

gpointer
_confab_weak_cache_lookup (ConfabWeakCache *cache,
                           gint64           id)
{
  Entry *entry = g_hash_table_lookup (cache->entries, &id);

  return entry != NULL ? entry->object : NULL;
}

void
_confab_weak_cache_insert (ConfabWeakCache *cache,
                           gint64           id,
                           gpointer         object)
{
  Entry *entry;

  g_assert (G_IS_OBJECT (object));

  _confab_weak_cache_remove (cache, id);

  entry = g_new0 (Entry, 1);
  entry->id = id;
  entry->object = object;
  entry->cache = cache;
  g_object_weak_ref (object, on_object_finalized, entry);
  g_hash_table_insert (cache->entries, &entry->id, entry);
}

void
_confab_weak_cache_remove (ConfabWeakCache *cache,
                           gint64           id)
{
  Entry *entry = g_hash_table_lookup (cache->entries, &id);

  if (entry == NULL)
    return;

  g_object_weak_unref (entry->object, on_object_finalized, entry);
  g_hash_table_remove (cache->entries, &id);
}

guint
_confab_weak_cache_size (ConfabWeakCache *cache)
{
  return g_hash_table_size (cache->entries);
}

GPtrArray *
_confab_weak_cache_values (ConfabWeakCache *cache)
{
  GPtrArray *values = g_ptr_array_new_full (g_hash_table_size (cache->entries),
                                            g_object_unref);
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, cache->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&entry))
    g_ptr_array_add (values, g_object_ref (entry->object));

  return values;
}
