/* confabd-bus-link.c: the bus's two Redis connections, kept alive on the
 * GLib main loop
 *
 * A dropped connection is retried after 0.25 s, doubling up to 5 s; while
 * both are up there is no timer at all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include "confabd-bus-private.h"

#define RETRY_MIN_MS 250
#define RETRY_MAX_MS 5000

/* ---- hiredis on the GLib main loop
 *
 * Written here rather than taken from hiredis's adapters/glib.h: in the
 * version Debian 12 ships (0.14), a write that fails frees the context and
 * the adapter then reads from it in the same dispatch (use after free when
 * Redis goes away). This one stops once the link has lost its context. */

typedef struct
{
  GSource  source;
  Link    *link;
  GPollFD  poll_fd;
} RedisSource;

static void
redis_source_update (RedisSource *source,
                     gushort      add,
                     gushort      remove)
{
  source->poll_fd.events = (source->poll_fd.events | add) & ~remove;
  g_main_context_wakeup (g_source_get_context ((GSource *) source));
}

static void redis_add_read (void *data)  { redis_source_update (data, G_IO_IN, 0); }
static void redis_del_read (void *data)  { redis_source_update (data, 0, G_IO_IN); }
static void redis_add_write (void *data) { redis_source_update (data, G_IO_OUT, 0); }
static void redis_del_write (void *data) { redis_source_update (data, 0, G_IO_OUT); }

/* hiredis is freeing the context: no more events for it. */
static void
redis_cleanup (void *data)
{
  RedisSource *source = data;

  source->poll_fd.events = 0;
  if (source->poll_fd.fd >= 0 && !g_source_is_destroyed ((GSource *) source))
    g_source_remove_poll ((GSource *) source, &source->poll_fd);
  source->poll_fd.fd = -1;
}

static gboolean
redis_source_check (GSource *base)
{
  RedisSource *source = (RedisSource *) base;

  return (source->poll_fd.events & source->poll_fd.revents) != 0;
}

static gboolean
redis_source_prepare (GSource *base,
                      int     *timeout)
{
  *timeout = -1;
  return redis_source_check (base);
}

static gboolean
redis_source_dispatch (GSource     *base,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  RedisSource *source = (RedisSource *) base;
  redisAsyncContext *context = source->link->context;
  gushort revents = source->poll_fd.revents;

  source->poll_fd.revents = 0;
  if (context == NULL || source->link->source != base)
    return G_SOURCE_CONTINUE;
  if (revents & (G_IO_OUT | G_IO_ERR | G_IO_HUP))
    redisAsyncHandleWrite (context);
  /* The write may have lost the connection, and the context with it. */
  if (source->link->context == context && source->link->source == base &&
      (revents & (G_IO_IN | G_IO_ERR | G_IO_HUP)))
    redisAsyncHandleRead (context);
  return G_SOURCE_CONTINUE;
}

static GSource *
redis_source_new (Link              *link,
                  redisAsyncContext *context)
{
  static GSourceFuncs funcs = {
    .prepare = redis_source_prepare,
    .check = redis_source_check,
    .dispatch = redis_source_dispatch,
  };
  RedisSource *source = (RedisSource *) g_source_new (&funcs, sizeof (RedisSource));

  g_source_set_static_name ((GSource *) source, "[confabd] redis");
  source->link = link;
  source->poll_fd.fd = context->c.fd;
  source->poll_fd.events = 0;
  g_source_add_poll ((GSource *) source, &source->poll_fd);

  context->ev.addRead = redis_add_read;
  context->ev.delRead = redis_del_read;
  context->ev.addWrite = redis_add_write;
  context->ev.delWrite = redis_del_write;
  context->ev.cleanup = redis_cleanup;
  context->ev.data = source;
  return (GSource *) source;
}

/* ---- Connections */

static void
link_schedule_retry (Link *link)
{
  if (link->bus->disposed || link->retry_id != 0)
    return;
  link->retry_ms = link->retry_ms == 0 ? RETRY_MIN_MS : MIN (link->retry_ms * 2, RETRY_MAX_MS);
  link->retry_id = g_timeout_add_once (link->retry_ms, (GSourceOnceFunc) _confabd_bus_link_connect, link);
}

/* Called from hiredis's callbacks, which free the context (and run the
 * adapter's cleanup on the source) after they return: the source is
 * destroyed later, by link_reap. */
static void
link_forget_context (Link *link)
{
  link->context = NULL;
  link->up = FALSE;
  if (link->source != NULL)
    {
      g_clear_pointer (&link->dead_source, g_source_unref);
      link->dead_source = g_steal_pointer (&link->source);
    }
}

static void
link_reap (Link *link)
{
  if (link->dead_source != NULL)
    {
      g_source_destroy (link->dead_source);
      g_clear_pointer (&link->dead_source, g_source_unref);
    }
}

static void
on_connect (const redisAsyncContext *context,
            int                      status)
{
  Link *link = context->data;
  ConfabdBus *bus = link->bus;

  if (status != REDIS_OK)
    {
      g_debug ("Redis %s: cannot connect to %s:%d: %s", link->name, bus->host, bus->port,
               context->errstr);
      link_forget_context (link);
      link_schedule_retry (link);
      return;
    }

  g_message ("Redis %s connected to %s:%d", link->name, bus->host, bus->port);
  link->up = TRUE;
  link->retry_ms = 0;
  if (bus->db != 0)
    redisAsyncCommand (link->context, NULL, NULL, "SELECT %d", bus->db);
  _confabd_bus_link_up (bus, link);
}

static void
on_disconnect (const redisAsyncContext *context,
               int                      status)
{
  Link *link = context->data;
  ConfabdBus *bus = link->bus;

  _confabd_bus_link_down (bus, link, status == REDIS_OK ? "closed" : context->errstr);
  link_forget_context (link);
  link_schedule_retry (link);
}

void
_confabd_bus_link_connect (Link *link)
{
  ConfabdBus *bus = link->bus;
  redisAsyncContext *context;

  link->retry_id = 0;
  link_reap (link);
  context = redisAsyncConnect (bus->host, bus->port);
  if (context == NULL)
    {
      link_schedule_retry (link);
      return;
    }
  if (context->err != 0)
    {
      g_debug ("Redis %s: %s", link->name, context->errstr);
      redisAsyncFree (context);
      link_schedule_retry (link);
      return;
    }

  context->data = link;
  link->context = context;
  link->source = redis_source_new (link, context);
  g_source_attach (link->source, g_main_context_get_thread_default ());
  redisAsyncSetConnectCallback (context, on_connect);
  redisAsyncSetDisconnectCallback (context, on_disconnect);
}

Link *
_confabd_bus_link_new (ConfabdBus *bus,
          const char *name)
{
  Link *link = g_new0 (Link, 1);

  link->bus = bus;
  link->name = name;
  return link;
}

void
_confabd_bus_link_free (Link *link)
{
  if (link == NULL)
    return;
  g_clear_handle_id (&link->retry_id, g_source_remove);
  if (link->context != NULL)
    {
      redisAsyncContext *context = link->context;

      /* on_disconnect runs from here: it must not schedule a retry
       * (bus->disposed is set) and it clears link->context. */
      redisAsyncFree (context);
    }
  link_forget_context (link);
  link_reap (link);
  g_free (link);
}

