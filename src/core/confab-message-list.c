/* confab-message-list.c: a GListModel over one line (main line or thread)
 * of one chat that reads messages a page at a time.
 *
 * Opening a chat costs one COUNT over an index; only the pages a view asks
 * for are read, and only the last few stay in memory. Pages are aligned on
 * CONFAB_MESSAGE_LIST_PAGE_SIZE so a position maps to exactly one page.
 * Neighbouring pages are found by id from a cached one, and the last page
 * from the end of the index, so scrolling and opening at the bottom never
 * pay for an OFFSET.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-store-private.h"

#define PAGE_SIZE CONFAB_MESSAGE_LIST_PAGE_SIZE
/* Enough for a tall window plus scrolling back and forth, small enough
 * that a huge chat never pins more than ~1000 messages. */
#define MAX_PAGES 8

#define LINE_WHERE CONFAB_LINE_WHERE

typedef struct
{
  guint      index;
  GPtrArray *items; /* ConfabMessage, ascending id */
} Page;

struct _ConfabMessageList
{
  GObject      parent_instance;

  ConfabStore *store;
  gint64       chat_id;
  gint64       parent_id;
  /* No id in the list is above it, so a newer message is an append. */
  gint64       last_id;
  guint        n_items;
  guint        pages_loaded;
  GQueue       pages; /* Page, most recently used first */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabMessageList, confab_message_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_CHAT_ID,
  PROP_PARENT_ID,
  PROP_N_ITEMS,
  PROP_PAGES_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
page_free (Page *page)
{
  g_ptr_array_unref (page->items);
  g_free (page);
}

static void
bind_line (ConfabMessageList *self,
           ConfabStmt        *stmt)
{
  sqlite3_bind_int64 (stmt, 1, self->chat_id);
  if (self->parent_id != 0)
    sqlite3_bind_int64 (stmt, 2, self->parent_id);
  else
    sqlite3_bind_null (stmt, 2);
}

static Page *
find_page (ConfabMessageList *self,
           guint              index)
{
  for (GList *l = self->pages.head; l != NULL; l = l->next)
    {
      Page *page = l->data;

      if (page->index == index)
        {
          /* Most recently used moves to the front. */
          g_queue_unlink (&self->pages, l);
          g_queue_push_head_link (&self->pages, l);
          return page;
        }
    }

  return NULL;
}

static Page *
peek_page (ConfabMessageList *self,
           guint              index)
{
  for (GList *l = self->pages.head; l != NULL; l = l->next)
    if (((Page *)l->data)->index == index)
      return l->data;

  return NULL;
}

/* Drops the cached pages that hold @position or come after it. */
static void
drop_pages_from (ConfabMessageList *self,
                 guint              position)
{
  GList *l = self->pages.head;

  while (l != NULL)
    {
      GList *next = l->next;
      Page *page = l->data;

      if ((page->index + 1) * PAGE_SIZE > position)
        {
          page_free (page);
          g_queue_delete_link (&self->pages, l);
        }
      l = next;
    }
}

/* items-changed first, then notify, in the order GListStore uses. */
static void
emit_changed (ConfabMessageList *self,
              guint              position,
              guint              removed,
              guint              added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);

  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static Page *
load_page (ConfabMessageList  *self,
           guint               index,
           GError            **error)
{
  static const char after_sql[] =
    "SELECT " CONFAB_MESSAGE_COLUMNS " FROM " CONFAB_MESSAGE_FROM
    " WHERE " LINE_WHERE " AND m.id > ?3 ORDER BY m.id LIMIT ?4";
  static const char before_sql[] =
    "SELECT " CONFAB_MESSAGE_COLUMNS " FROM " CONFAB_MESSAGE_FROM
    " WHERE " LINE_WHERE " AND m.id < ?3 ORDER BY m.id DESC LIMIT ?4";
  /* The OFFSET runs in the subquery over the covering index only. */
  static const char at_sql[] =
    "SELECT " CONFAB_MESSAGE_COLUMNS " FROM " CONFAB_MESSAGE_FROM
    " WHERE " LINE_WHERE " AND m.id >= ("
    "   SELECT m.id FROM messages m WHERE " LINE_WHERE
    "   ORDER BY m.id LIMIT 1 OFFSET ?3)"
    " ORDER BY m.id LIMIT ?4";
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(ConfabStmt) stmt = NULL;
  guint start = index * PAGE_SIZE;
  guint count = MIN (PAGE_SIZE, self->n_items - start);
  Page *previous = peek_page (self, index - 1);
  Page *next = peek_page (self, index + 1);
  gboolean reversed = FALSE;
  Page *page;
  int rc;

  if (index > 0 && previous != NULL && previous->items->len == PAGE_SIZE)
    {
      stmt = _confab_store_prepare (self->store, after_sql, error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 3,
                          confab_message_get_id (g_ptr_array_index (previous->items,
                                                                    PAGE_SIZE - 1)));
    }
  else if ((next != NULL && next->items->len > 0) || start + count == self->n_items)
    {
      stmt = _confab_store_prepare (self->store, before_sql, error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 3,
                          next != NULL && next->items->len > 0
                          ? confab_message_get_id (g_ptr_array_index (next->items, 0))
                          : G_MAXINT64);
      reversed = TRUE;
    }
  else
    {
      stmt = _confab_store_prepare (self->store, at_sql, error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 3, start);
    }

  bind_line (self, stmt);
  sqlite3_bind_int64 (stmt, 4, count);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, _confab_store_message_from_stmt (self->store, stmt));

  if (rc != SQLITE_DONE)
    {
      _confab_store_set_error (self->store, error, rc, _("Could not read the messages"));
      return NULL;
    }

  if (reversed)
    {
      for (guint i = 0, j = items->len; i + 1 < j; i++, j--)
        {
          gpointer tmp = items->pdata[i];

          items->pdata[i] = items->pdata[j - 1];
          items->pdata[j - 1] = tmp;
        }
    }

  page = g_new0 (Page, 1);
  page->index = index;
  page->items = g_steal_pointer (&items);

  g_queue_push_head (&self->pages, page);
  while (self->pages.length > MAX_PAGES)
    page_free (g_queue_pop_tail (&self->pages));

  self->pages_loaded++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGES_LOADED]);

  return page;
}

static GType
confab_message_list_get_item_type (GListModel *model)
{
  return CONFAB_TYPE_MESSAGE;
}

static guint
confab_message_list_get_n_items (GListModel *model)
{
  return CONFAB_MESSAGE_LIST (model)->n_items;
}

static gpointer
confab_message_list_get_item (GListModel *model,
                              guint       position)
{
  ConfabMessageList *self = CONFAB_MESSAGE_LIST (model);
  guint index = position / PAGE_SIZE;
  Page *page;

  if (position >= self->n_items)
    return NULL;

  page = find_page (self, index);
  if (page == NULL)
    {
      g_autoptr(GError) error = NULL;

      page = load_page (self, index, &error);
      if (page == NULL)
        {
          g_warning ("%s", error->message);
          return NULL;
        }
    }

  /* Short only if another process deleted rows under us. */
  if (position - index * PAGE_SIZE >= page->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (page->items, position - index * PAGE_SIZE));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = confab_message_list_get_item_type;
  iface->get_n_items = confab_message_list_get_n_items;
  iface->get_item = confab_message_list_get_item;
}

static void
confab_message_list_dispose (GObject *object)
{
  ConfabMessageList *self = (ConfabMessageList *)object;

  g_queue_clear_full (&self->pages, (GDestroyNotify)page_free);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_message_list_parent_class)->dispose (object);
}

static void
confab_message_list_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabMessageList *self = CONFAB_MESSAGE_LIST (object);

  switch (prop_id)
    {
    case PROP_CHAT_ID:
      g_value_set_int64 (value, self->chat_id);
      break;

    case PROP_PARENT_ID:
      g_value_set_int64 (value, self->parent_id);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;

    case PROP_PAGES_LOADED:
      g_value_set_uint (value, self->pages_loaded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_list_class_init (ConfabMessageListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = confab_message_list_dispose;
  object_class->get_property = confab_message_list_get_property;

  properties[PROP_CHAT_ID] =
    g_param_spec_int64 ("chat-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PARENT_ID] =
    g_param_spec_int64 ("parent-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /* Like GListStore:n-items, handy for "No messages yet" placeholders. */
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_PAGES_LOADED] =
    g_param_spec_uint ("pages-loaded", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_message_list_init (ConfabMessageList *self)
{
  g_queue_init (&self->pages);
}

/* Counted over the index alone, however long the chat. */
static void
count_line (ConfabMessageList *self,
            guint             *n_items,
            gint64            *last_id)
{
  static const char sql[] =
    "SELECT count(*), max(m.id) FROM messages m WHERE " LINE_WHERE;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStmt) stmt = NULL;
  int rc;

  *n_items = 0;
  *last_id = 0;

  stmt = _confab_store_prepare (self->store, sql, &error);
  if (stmt == NULL)
    {
      g_warning ("%s", error->message);
      return;
    }

  bind_line (self, stmt);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *n_items = (guint)sqlite3_column_int64 (stmt, 0);
      *last_id = sqlite3_column_int64 (stmt, 1);
      return;
    }

  /* The list models cannot fail: an unreadable chat shows empty and the
   * reason goes to the log. */
  _confab_store_set_error (self->store, &error, rc, _("Could not read the messages"));
  g_warning ("%s", error->message);
}

ConfabMessageList *
_confab_message_list_new (ConfabStore *store,
                          gint64       chat_id,
                          gint64       parent_id)
{
  ConfabMessageList *self = g_object_new (CONFAB_TYPE_MESSAGE_LIST, NULL);

  self->store = g_object_ref (store);
  self->chat_id = chat_id;
  self->parent_id = parent_id;

  count_line (self, &self->n_items, &self->last_id);

  return self;
}

/* Where @id sits (or would sit) in the line: the number of ids before it. */
static guint
position_of (ConfabMessageList *self,
             gint64             id)
{
  static const char sql[] =
    "SELECT count(*) FROM messages m WHERE " LINE_WHERE " AND m.id < ?3";
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabStmt) stmt = NULL;

  /* A cached page usually knows without asking the database. */
  for (GList *l = self->pages.head; l != NULL; l = l->next)
    {
      Page *page = l->data;
      guint lo = 0;
      guint hi = page->items->len;

      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;
          gint64 mid_id = confab_message_get_id (g_ptr_array_index (page->items, mid));

          if (mid_id == id)
            return page->index * PAGE_SIZE + mid;
          if (mid_id < id)
            lo = mid + 1;
          else
            hi = mid;
        }
    }

  stmt = _confab_store_prepare (self->store, sql, &error);
  if (stmt != NULL)
    {
      int rc;

      bind_line (self, stmt);
      sqlite3_bind_int64 (stmt, 3, id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        return (guint)sqlite3_column_int64 (stmt, 0);

      _confab_store_set_error (self->store, &error, rc, _("Could not read the messages"));
    }

  g_warning ("%s", error->message);
  return self->n_items;
}

void
_confab_message_list_added (ConfabMessageList *self,
                            ConfabMessage     *message)
{
  gint64 id = confab_message_get_id (message);
  guint position;
  Page *last;

  if (id > self->last_id)
    {
      position = self->n_items;
      self->last_id = id;
    }
  else
    {
      /* An id below the newest one (SQLite reused a deleted top id). */
      position = position_of (self, id);
    }

  /* Appending to a cached, unfilled last page keeps it (the streaming
   * case); every page the insertion shifts is dropped. */
  last = position % PAGE_SIZE != 0 ? peek_page (self, position / PAGE_SIZE) : NULL;
  if (last != NULL && position == self->n_items &&
      last->items->len == position % PAGE_SIZE)
    g_ptr_array_add (last->items, g_object_ref (message));
  else
    drop_pages_from (self, position);

  self->n_items++;
  emit_changed (self, position, 0, 1);
}

void
_confab_message_list_removed (ConfabMessageList *self,
                              gint64             message_id)
{
  guint position;

  if (self->n_items == 0)
    return;

  position = position_of (self, message_id);
  if (position >= self->n_items)
    return;

  drop_pages_from (self, position);
  self->n_items--;
  emit_changed (self, position, 1, 0);
}

void
_confab_message_list_reload_from (ConfabMessageList *self,
                                  gint64             fork_id)
{
  guint position = 0;
  guint n_items = 0;
  gint64 last_id = 0;
  guint removed;
  guint added;

  /* The fork is on both the old and the new line, and so is everything
   * before it: only what follows it changed. */
  if (fork_id != 0 && self->n_items > 0)
    position = MIN (position_of (self, fork_id) + 1, self->n_items);

  count_line (self, &n_items, &last_id);
  self->last_id = last_id;

  /* Another process may have shortened the line before the fork. */
  position = MIN (position, n_items);
  removed = self->n_items - position;
  added = n_items - position;

  drop_pages_from (self, position);
  self->n_items = n_items;

  if (removed > 0 || added > 0)
    emit_changed (self, position, removed, added);
}

void
_confab_message_list_clear (ConfabMessageList *self)
{
  guint removed = self->n_items;

  g_queue_clear_full (&self->pages, (GDestroyNotify)page_free);

  if (removed == 0)
    return;

  self->n_items = 0;
  emit_changed (self, 0, removed, 0);
}

gint64
confab_message_list_get_chat_id (ConfabMessageList *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_LIST (self), 0);

  return self->chat_id;
}

gint64
confab_message_list_get_parent_id (ConfabMessageList *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_LIST (self), 0);

  return self->parent_id;
}

guint
confab_message_list_get_pages_loaded (ConfabMessageList *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_LIST (self), 0);

  return self->pages_loaded;
}
