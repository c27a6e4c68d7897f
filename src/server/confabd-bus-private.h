/* confabd-bus-private.h: what the bus's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <hiredis/hiredis.h>
#include <hiredis/async.h>

#include "confabd-bus.h"

G_BEGIN_DECLS

typedef struct _Link Link;

struct _ConfabdBus
{
  GObject     parent_instance;

  char       *host;
  int         port;
  int         db;
  char       *instance_id;
  Link       *sub;
  Link       *pub;
  GHashTable *unpublished;   /* room → Publication: its latest event Redis did not take */
  guint       heartbeat_id;
  guint       in_flight;     /* PUBLISH commands Redis has not answered yet */
  gboolean    subscribed;
  gboolean    disposed;
};

/* One hiredis connection, kept alive. */
struct _Link
{
  ConfabdBus        *bus;       /* unowned: the bus frees its links first */
  const char        *name;      /* "subscriber" or "publisher" */
  redisAsyncContext *context;   /* NULL while down */
  GSource           *source;
  GSource           *dead_source;  /* of a context hiredis is freeing */
  guint              retry_id;
  guint              retry_ms;
  gboolean           up;
};

/* confabd-bus-link.c */
Link *_confabd_bus_link_new     (ConfabdBus *bus,
                                 const char *name);
/* Connects now, and again whenever the connection drops. */
void  _confabd_bus_link_connect (Link       *link);
void  _confabd_bus_link_free    (Link       *link);

/* confabd-bus.c: a link is up (subscribe, or publish what waited), or
 * went down (@reason says why). */
void  _confabd_bus_link_up      (ConfabdBus *self,
                                 Link       *link);
void  _confabd_bus_link_down    (ConfabdBus *self,
                                 Link       *link,
                                 const char *reason);
void  _confabd_bus_on_subscribed_reply (redisAsyncContext *context,
                                        void              *reply,
                                        void              *privdata);

G_END_DECLS
