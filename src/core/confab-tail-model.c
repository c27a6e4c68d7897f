/* confab-tail-model.c: the end of a list, growing towards its start.
 *
 * A chat opens at its end, and GTK 4.8's GtkListView builds and measures
 * up to 200 rows around the row it scrolls to, whatever fits on screen; at
 * about 10 ms a message row, opening any long chat took 2 s. Given only the
 * last few messages, it builds only those; the chat view grows this list a
 * page at a time as the user scrolls up. GtkSliceListModel cannot do it:
 * changing its offset replaces every item, and the list view would lose
 * its place and rebuild all its rows; growing here is one insertion at 0.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include "confab-tail-model.h"

struct _ConfabTailModel
{
  GObject     parent_instance;

  GListModel *model;
  gulong      changed_id;
  guint       start;   /* the model's position of item 0 */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabTailModel, confab_tail_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
model_n_items (ConfabTailModel *self)
{
  return self->model != NULL ? g_list_model_get_n_items (self->model) : 0;
}

static GType
confab_tail_model_get_item_type (GListModel *list)
{
  ConfabTailModel *self = CONFAB_TAIL_MODEL (list);

  return self->model != NULL ? g_list_model_get_item_type (self->model) : G_TYPE_OBJECT;
}

static guint
confab_tail_model_get_n_items (GListModel *list)
{
  ConfabTailModel *self = CONFAB_TAIL_MODEL (list);

  return model_n_items (self) - MIN (self->start, model_n_items (self));
}

static gpointer
confab_tail_model_get_item (GListModel *list,
                            guint       position)
{
  ConfabTailModel *self = CONFAB_TAIL_MODEL (list);

  if (self->model == NULL || position >= G_MAXUINT - self->start)
    return NULL;
  return g_list_model_get_item (self->model, self->start + position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = confab_tail_model_get_item_type;
  iface->get_n_items = confab_tail_model_get_n_items;
  iface->get_item = confab_tail_model_get_item;
}

static void
emit_changed (ConfabTailModel *self,
              guint            position,
              guint            removed,
              guint            added)
{
  if (removed == 0 && added == 0)
    return;
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
on_items_changed_cb (GListModel      *model,
                     guint            position,
                     guint            removed,
                     guint            added,
                     ConfabTailModel *self)
{
  guint start = self->start;

  if (position >= start)
    {
      /* At or after the start: the same change, shifted. */
      emit_changed (self, position - start, removed, added);
    }
  else if (position + removed <= start)
    {
      /* All before the start: the items shown stay the same ones. */
      self->start = start + added - removed;
    }
  else
    {
      /* Across the start (a reload, an earlier message deleted with the
       * ones after it): show from the change on, so nothing shown is
       * replaced by an item the view has not asked for. */
      self->start = position;
      emit_changed (self, 0, position + removed - start, added);
    }
}

static void
confab_tail_model_dispose (GObject *object)
{
  ConfabTailModel *self = CONFAB_TAIL_MODEL (object);

  if (self->model != NULL)
    g_clear_signal_handler (&self->changed_id, self->model);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (confab_tail_model_parent_class)->dispose (object);
}

static void
confab_tail_model_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ConfabTailModel *self = CONFAB_TAIL_MODEL (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, g_list_model_get_n_items (G_LIST_MODEL (self)));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_tail_model_class_init (ConfabTailModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_tail_model_dispose;
  object_class->get_property = confab_tail_model_get_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_tail_model_init (ConfabTailModel *self)
{
}

ConfabTailModel *
confab_tail_model_new (GListModel *model,
                       guint       size)
{
  ConfabTailModel *self;

  g_return_val_if_fail (model == NULL || G_IS_LIST_MODEL (model), NULL);

  self = g_object_new (CONFAB_TYPE_TAIL_MODEL, NULL);
  confab_tail_model_set_model (self, model, size);
  return self;
}

GListModel *
confab_tail_model_get_model (ConfabTailModel *self)
{
  g_return_val_if_fail (CONFAB_IS_TAIL_MODEL (self), NULL);

  return self->model;
}

void
confab_tail_model_set_model (ConfabTailModel *self,
                             GListModel      *model,
                             guint            size)
{
  guint removed;
  guint n;

  g_return_if_fail (CONFAB_IS_TAIL_MODEL (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  removed = g_list_model_get_n_items (G_LIST_MODEL (self));
  if (self->model != NULL)
    g_clear_signal_handler (&self->changed_id, self->model);
  g_set_object (&self->model, model);

  n = model_n_items (self);
  self->start = n > size ? n - size : 0;
  if (model != NULL)
    self->changed_id = g_signal_connect (model, "items-changed",
                                         G_CALLBACK (on_items_changed_cb), self);
  emit_changed (self, 0, removed, g_list_model_get_n_items (G_LIST_MODEL (self)));
}

guint
confab_tail_model_get_start (ConfabTailModel *self)
{
  g_return_val_if_fail (CONFAB_IS_TAIL_MODEL (self), 0);

  return self->start;
}

guint
confab_tail_model_grow (ConfabTailModel *self,
                        guint            count)
{
  guint grown;

  g_return_val_if_fail (CONFAB_IS_TAIL_MODEL (self), 0);

  grown = MIN (count, MIN (self->start, model_n_items (self)));
  self->start -= grown;
  emit_changed (self, 0, 0, grown);
  return grown;
}

guint
confab_tail_model_shrink (ConfabTailModel *self,
                          guint            keep)
{
  guint n;

  g_return_val_if_fail (CONFAB_IS_TAIL_MODEL (self), 0);

  n = g_list_model_get_n_items (G_LIST_MODEL (self));
  if (n <= keep)
    return 0;
  self->start += n - keep;
  emit_changed (self, 0, n - keep, 0);
  return n - keep;
}

guint
confab_tail_model_reveal (ConfabTailModel *self,
                          guint            position,
                          guint            before)
{
  g_return_val_if_fail (CONFAB_IS_TAIL_MODEL (self), G_MAXUINT);

  if (position >= model_n_items (self))
    return G_MAXUINT;
  if (position < self->start)
    confab_tail_model_grow (self, self->start - position + before);
  return position - self->start;
}
