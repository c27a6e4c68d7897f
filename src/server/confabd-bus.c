/* confabd-bus.c: Redis publish/subscribe between confabd instances
 *
 * Two hiredis asynchronous connections on the GLib main loop
 * (confabd-bus-link.c): one subscribed to "confab:room:*" and
 * "confab:sessions", one for PUBLISH and the other commands (a subscribed
 * connection can send nothing else).
 *
 * A message is {"from": INSTANCE, "kind": "event"|"relay", "frame": {…}} on
 * "confab:room:ROOM", or {"from", "kind": "revoke", "frame": {"session":
 * HASH}} on "confab:sessions".
 *
 * Losing Redis is logged with g_message, not g_warning: it is something
 * that happens to a cluster (and that the tests do on purpose), not a bug.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <signal.h>
#include <string.h>

#include "confab-json-guard.h"
#include "confab-protocol.h"
#include "confabd-bus-private.h"

#define CHANNEL_PREFIX "confab:room:"
#define SESSIONS_CHANNEL "confab:sessions"
/* Publications sent and not answered yet, beyond which the bus holds
 * back (about 5 MB of frames). */
#define MAX_IN_FLIGHT  10000

enum { SIGNAL_MESSAGE, SIGNAL_SUBSCRIBED, SIGNAL_HEARTBEAT, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ConfabdBus, confabd_bus, G_TYPE_OBJECT)

static void flush_unpublished  (ConfabdBus *self);
static void start_heartbeat    (ConfabdBus *self);

/* ---- Links going up and down (confabd-bus-link.c) */

void
_confabd_bus_link_up (ConfabdBus *self,
                      Link       *link)
{
  if (link == self->sub)
    redisAsyncCommand (link->context, _confabd_bus_on_subscribed_reply, self,
                       "PSUBSCRIBE %s* %s", CHANNEL_PREFIX, SESSIONS_CHANNEL);
  else
    {
      flush_unpublished (self);
      start_heartbeat (self);
    }
}

void
_confabd_bus_link_down (ConfabdBus *self,
                        Link       *link,
                        const char *reason)
{
  if (link == self->sub && self->subscribed)
    {
      self->subscribed = FALSE;
      g_message ("Redis subscription lost (%s): events from other instances wait "
                 "until it is back", reason);
    }
  else if (link->up)
    g_message ("Redis %s connection lost: %s", link->name, reason);
  if (link == self->pub)
    g_clear_handle_id (&self->heartbeat_id, g_source_remove);
}

/* ---- Messages */

static void
dispatch_message (ConfabdBus *self,
                  const char *channel,
                  const char *payload,
                  gsize       length)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gboolean sessions = g_str_equal (channel, SESSIONS_CHANNEL);
  const char *room = sessions ? "" : channel + strlen (CHANNEL_PREFIX);
  JsonObject *message;
  JsonObject *frame;
  const char *from = NULL;
  const char *kind_name = NULL;
  ConfabdBusKind kind;

  /* Another instance wrote it, but Redis is outside the process: the same
   * guard as a client's frame (depth, trailing values, JSON-GLib's leaks),
   * the same typed getters (a "from" that is not a string is no critical).
   * What is ignored is logged with g_message: another process's fault,
   * not a bug of this one. */
  node = confab_json_parse_object (length == strlen (payload) ? payload : "", &error);
  if (node == NULL)
    {
      g_message ("Ignoring a malformed message on %s: %s", channel, error->message);
      return;
    }

  message = json_node_get_object (node);
  frame = json_object_has_member (message, "frame") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (message, "frame"))
            ? json_object_get_object_member (message, "frame") : NULL;
  if (!confab_protocol_get_string (message, "from", FALSE, &from, NULL) ||
      !confab_protocol_get_string (message, "kind", TRUE, &kind_name, NULL) ||
      frame == NULL || (*room == '\0') != sessions)
    {
      g_message ("Ignoring a message without sender or frame on %s", channel);
      return;
    }
  if (g_str_equal (from, self->instance_id))
    return;

  if (sessions)
    {
      const char *hash = NULL;

      if (g_strcmp0 (kind_name, "revoke") != 0 ||
          !confab_protocol_get_string (frame, "session", FALSE, &hash, NULL))
        {
          g_message ("Ignoring a malformed message on %s", channel);
          return;
        }
      kind = CONFABD_BUS_REVOKE;
    }
  else if (g_strcmp0 (kind_name, "event") == 0)
    kind = CONFABD_BUS_EVENT;
  else if (g_strcmp0 (kind_name, "relay") == 0)
    kind = CONFABD_BUS_RELAY;
  else
    {
      g_message ("Ignoring a message of unknown kind “%s” on %s",
                 kind_name != NULL ? kind_name : "", channel);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, kind, room, from, frame);
}

/* Every reply on the subscribed connection: the PSUBSCRIBE confirmation,
 * then one "pmessage" per publication. */
void
_confabd_bus_on_subscribed_reply (redisAsyncContext *context,
                                  void              *reply_pointer,
                                  void              *privdata)
{
  ConfabdBus *self = privdata;
  redisReply *reply = reply_pointer;
  const char *type;

  (void) context;
  if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3 ||
      reply->element[0]->type != REDIS_REPLY_STRING)
    return;

  type = reply->element[0]->str;
  if (g_str_equal (type, "psubscribe") && reply->element[1]->type == REDIS_REPLY_STRING &&
      g_str_has_prefix (reply->element[1]->str, CHANNEL_PREFIX))
    {
      self->subscribed = TRUE;
      g_message ("Redis: subscribed to %s* as instance %s", CHANNEL_PREFIX, self->instance_id);
      g_signal_emit (self, signals[SIGNAL_SUBSCRIBED], 0);
    }
  else if (g_str_equal (type, "pmessage") && reply->elements == 4 &&
           reply->element[2]->type == REDIS_REPLY_STRING &&
           reply->element[3]->type == REDIS_REPLY_STRING &&
           (g_str_has_prefix (reply->element[2]->str, CHANNEL_PREFIX) ||
            g_str_equal (reply->element[2]->str, SESSIONS_CHANNEL)))
    dispatch_message (self, reply->element[2]->str, reply->element[3]->str,
                      reply->element[3]->len);
}

/* An event publication until Redis confirmed it. */
typedef struct
{
  ConfabdBus *bus;
  char       *room;
  char       *text;
  gint64      seq;
} Publication;

static void
publication_free (Publication *publication)
{
  g_free (publication->room);
  g_free (publication->text);
  g_free (publication);
}

/* Keeps the room's latest unpublished event: once it is out, the other
 * instances see the gap before it and read the rest from the storage. */
static void
keep_unpublished (ConfabdBus  *self,
                  Publication *publication)
{
  Publication *kept = g_hash_table_lookup (self->unpublished, publication->room);

  if (kept != NULL && kept->seq >= publication->seq)
    publication_free (publication);
  else
    g_hash_table_replace (self->unpublished, publication->room, publication);
}

static void
on_published (redisAsyncContext *context,
              void              *reply,
              void              *privdata)
{
  Publication *publication = privdata;
  ConfabdBus *self = publication->bus;

  (void) context;
  self->in_flight--;
  /* No reply: the connection went away with the command (or the bus is
   * being disposed). Live frames are worth nothing late. */
  if (reply == NULL && !self->disposed && publication->seq > 0)
    keep_unpublished (self, publication);
  else
    publication_free (publication);

  /* Redis caught up with a backlog: the rooms held back go now. */
  if (reply != NULL && self->in_flight == MAX_IN_FLIGHT / 2 &&
      g_hash_table_size (self->unpublished) > 0)
    flush_unpublished (self);
}

static void
send_publication (ConfabdBus  *self,
                  Publication *publication)
{
  g_autofree char *channel = g_strconcat (CHANNEL_PREFIX, publication->room, NULL);

  /* %b: the payload may hold any byte, and is not reformatted. */
  self->in_flight++;
  if (redisAsyncCommand (self->pub->context, on_published, publication, "PUBLISH %s %b",
                         channel, publication->text, strlen (publication->text)) != REDIS_OK)
    {
      self->in_flight--;
      publication_free (publication);
    }
}

/* The publisher is back: what could not go out goes now. */
static void
flush_unpublished (ConfabdBus *self)
{
  GHashTableIter iter;
  Publication *publication;

  if (g_hash_table_size (self->unpublished) > 0)
    g_message ("Redis: publishing the last event of %u rooms that missed the bus",
               g_hash_table_size (self->unpublished));
  g_hash_table_iter_init (&iter, self->unpublished);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &publication))
    {
      g_hash_table_iter_steal (&iter);
      send_publication (self, publication);
    }
}

/* A bus message, {"from": this instance, "kind": @kind, "frame": @frame},
 * as it goes on the wire. */
static char *
message_text (ConfabdBus *self,
              const char *kind,
              JsonNode   *frame)
{
  JsonObject *message = json_object_new ();
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), message);

  json_object_unref (message);
  json_object_set_string_member (message, "from", self->instance_id);
  json_object_set_string_member (message, "kind", kind);
  json_object_set_member (message, "frame", json_node_copy (frame));
  return confab_protocol_to_string (node);
}

void
confabd_bus_publish (ConfabdBus     *self,
                     ConfabdBusKind  kind,
                     const char     *room,
                     JsonNode       *frame)
{
  Publication *publication;

  g_return_if_fail (CONFABD_IS_BUS (self));
  g_return_if_fail (room != NULL && frame != NULL);

  /* Live frames are worth nothing late; events are kept until they went. */
  if ((self->pub == NULL || !self->pub->up) && kind == CONFABD_BUS_RELAY)
    return;

  publication = g_new0 (Publication, 1);
  publication->bus = self;
  publication->room = g_strdup (room);
  publication->text = message_text (self, kind == CONFABD_BUS_EVENT ? "event" : "relay", frame);
  if (kind == CONFABD_BUS_EVENT)
    publication->seq = MAX (1, json_object_get_int_member_with_default (json_node_get_object (frame),
                                                                        "seq", 1));

  if (self->pub == NULL || !self->pub->up)
    {
      g_debug ("Redis is down: event #%" G_GINT64_FORMAT " in %s goes out when it is back",
               publication->seq, room);
      keep_unpublished (self, publication);
      return;
    }
  /* Redis is not keeping up (hiredis would buffer without bound): live
   * frames are dropped, and each room's latest event waits, so that the
   * others fill the gap from the storage once it is out. */
  if (self->in_flight >= MAX_IN_FLIGHT)
    {
      if (publication->seq > 0)
        keep_unpublished (self, publication);
      else
        publication_free (publication);
      return;
    }
  send_publication (self, publication);
}

void
confabd_bus_publish_revocation (ConfabdBus *self,
                                const char *token_hash)
{
  JsonObject *session;
  g_autoptr(JsonNode) frame = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (CONFABD_IS_BUS (self));
  g_return_if_fail (token_hash != NULL);

  if (self->pub == NULL || !self->pub->up)
    {
      g_message ("Redis is down: a revoked session stays connected on other instances "
                 "until they reconnect");
      return;
    }

  session = json_object_new ();
  frame = json_node_init_object (json_node_alloc (), session);
  json_object_unref (session);
  json_object_set_string_member (session, "session", token_hash);
  text = message_text (self, "revoke", frame);
  redisAsyncCommand (self->pub->context, NULL, NULL, "PUBLISH %s %b", SESSIONS_CHANNEL,
                     text, strlen (text));
}

/* ---- Commands */

void
confabd_bus_send (ConfabdBus *self,
                  const char *format,
                  ...)
{
  va_list args;

  g_return_if_fail (CONFABD_IS_BUS (self));

  if (self->pub == NULL || !self->pub->up)
    return;
  va_start (args, format);
  redisvAsyncCommand (self->pub->context, NULL, NULL, format, args);
  va_end (args);
}

typedef struct
{
  ConfabdBus                *bus;
  GObject                   *owner;
  ConfabdBusIntCallback      int_callback;
  ConfabdBusStringsCallback  strings_callback;
  gpointer                   user_data;
  GDestroyNotify             destroy;
} Query;

static void
query_answer (Query      *query,
              redisReply *reply)
{
  if (query->int_callback != NULL)
    query->int_callback (query->owner,
                         reply != NULL && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1,
                         query->user_data);
  else if (reply != NULL && reply->type == REDIS_REPLY_ARRAY)
    {
      g_autoptr(GPtrArray) values = g_ptr_array_new ();

      for (size_t i = 0; i < reply->elements; i++)
        if (reply->element[i]->type == REDIS_REPLY_STRING)
          g_ptr_array_add (values, reply->element[i]->str);
      g_ptr_array_add (values, NULL);
      query->strings_callback (query->owner, (const char * const *) values->pdata,
                               query->user_data);
    }
  else
    query->strings_callback (query->owner, NULL, query->user_data);
}

static void
query_free (Query *query)
{
  if (query->destroy != NULL)
    query->destroy (query->user_data);
  g_object_unref (query->owner);
  g_free (query);
}

static void
on_query_reply (redisAsyncContext *context,
                void              *reply_pointer,
                void              *privdata)
{
  Query *query = privdata;
  redisReply *reply = reply_pointer;

  (void) context;
  if (reply != NULL && reply->type == REDIS_REPLY_ERROR)
    g_warning ("Redis refused a command: %s", reply->str);
  /* Disposing: the owner goes too, and wants no answer. */
  if (!query->bus->disposed)
    query_answer (query, reply);
  query_free (query);
}

static void
query_valist (ConfabdBus                *self,
              GObject                   *owner,
              ConfabdBusIntCallback      int_callback,
              ConfabdBusStringsCallback  strings_callback,
              gpointer                   user_data,
              GDestroyNotify             destroy,
              const char                *format,
              va_list                    args)
{
  Query *query = g_new0 (Query, 1);

  query->bus = self;
  query->owner = g_object_ref (owner);
  query->int_callback = int_callback;
  query->strings_callback = strings_callback;
  query->user_data = user_data;
  query->destroy = destroy;

  if (self->pub == NULL || !self->pub->up ||
      redisvAsyncCommand (self->pub->context, on_query_reply, query, format, args) != REDIS_OK)
    {
      query_answer (query, NULL);
      query_free (query);
    }
}

void
confabd_bus_query_int (ConfabdBus            *self,
                       GObject               *owner,
                       ConfabdBusIntCallback  callback,
                       gpointer               user_data,
                       GDestroyNotify         destroy,
                       const char            *format,
                       ...)
{
  va_list args;

  g_return_if_fail (CONFABD_IS_BUS (self));
  g_return_if_fail (G_IS_OBJECT (owner) && callback != NULL);

  va_start (args, format);
  query_valist (self, owner, callback, NULL, user_data, destroy, format, args);
  va_end (args);
}

void
confabd_bus_query_strings (ConfabdBus                *self,
                           GObject                   *owner,
                           ConfabdBusStringsCallback  callback,
                           gpointer                   user_data,
                           GDestroyNotify             destroy,
                           const char                *format,
                           ...)
{
  va_list args;

  g_return_if_fail (CONFABD_IS_BUS (self));
  g_return_if_fail (G_IS_OBJECT (owner) && callback != NULL);

  va_start (args, format);
  query_valist (self, owner, NULL, callback, user_data, destroy, format, args);
  va_end (args);
}

/* ---- Heartbeat */

static gboolean
heartbeat_cb (gpointer user_data)
{
  ConfabdBus *self = user_data;
  g_autofree char *key = g_strconcat ("confab:instance:", self->instance_id, NULL);

  confabd_bus_send (self, "SET %s %" G_GINT64_FORMAT " PX %d", key,
                    g_get_real_time () / 1000, CONFABD_BUS_INSTANCE_TTL_MS);
  g_signal_emit (self, signals[SIGNAL_HEARTBEAT], 0);
  return G_SOURCE_CONTINUE;
}

/* Only while the publisher is up: a server with Redis down does not wake. */
static void
start_heartbeat (ConfabdBus *self)
{
  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  heartbeat_cb (self);
  self->heartbeat_id = g_timeout_add_seconds (CONFABD_BUS_HEARTBEAT_SECONDS, heartbeat_cb, self);
}

/* ---- GObject */

const char *
confabd_bus_get_instance_id (ConfabdBus *self)
{
  g_return_val_if_fail (CONFABD_IS_BUS (self), NULL);

  return self->instance_id;
}

gboolean
confabd_bus_is_subscribed (ConfabdBus *self)
{
  g_return_val_if_fail (CONFABD_IS_BUS (self), FALSE);

  return self->subscribed;
}

void
confabd_bus_start (ConfabdBus *self)
{
  g_return_if_fail (CONFABD_IS_BUS (self));
  g_return_if_fail (self->sub == NULL);

  /* hiredis writes with write(2): a Redis that went away would kill the
   * process with SIGPIPE instead of giving EPIPE. */
  signal (SIGPIPE, SIG_IGN);

  self->sub = _confabd_bus_link_new (self, "subscriber");
  self->pub = _confabd_bus_link_new (self, "publisher");
  _confabd_bus_link_connect (self->sub);
  _confabd_bus_link_connect (self->pub);
}

static void
confabd_bus_dispose (GObject *object)
{
  ConfabdBus *self = CONFABD_BUS (object);

  self->disposed = TRUE;
  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  g_clear_pointer (&self->sub, _confabd_bus_link_free);
  g_clear_pointer (&self->pub, _confabd_bus_link_free);
  g_clear_pointer (&self->unpublished, g_hash_table_unref);

  G_OBJECT_CLASS (confabd_bus_parent_class)->dispose (object);
}

static void
confabd_bus_finalize (GObject *object)
{
  ConfabdBus *self = CONFABD_BUS (object);

  g_free (self->host);
  g_free (self->instance_id);

  G_OBJECT_CLASS (confabd_bus_parent_class)->finalize (object);
}

static void
confabd_bus_class_init (ConfabdBusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confabd_bus_dispose;
  object_class->finalize = confabd_bus_finalize;

  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_INT, G_TYPE_STRING, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[SIGNAL_SUBSCRIBED] =
    g_signal_new ("subscribed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_HEARTBEAT] =
    g_signal_new ("heartbeat", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
confabd_bus_init (ConfabdBus *self)
{
  self->instance_id = confab_protocol_new_id ('i');
  /* Keys are the publications' own room strings. */
  self->unpublished = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) publication_free);
}

ConfabdBus *
confabd_bus_new (const char  *uri,
                 GError     **error)
{
  g_autoptr(ConfabdBus) self = NULL;
  g_autoptr(GUri) parsed = NULL;
  const char *path;

  g_return_val_if_fail (uri != NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (parsed == NULL || g_strcmp0 (g_uri_get_scheme (parsed), "redis") != 0 ||
      g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a Redis address: expected redis://HOST[:PORT][/DB]", uri);
      return NULL;
    }

  self = g_object_new (CONFABD_TYPE_BUS, NULL);
  self->host = g_strdup (g_uri_get_host (parsed));
  self->port = g_uri_get_port (parsed) > 0 ? g_uri_get_port (parsed) : 6379;
  path = g_uri_get_path (parsed);
  if (path != NULL && path[0] == '/' && path[1] != '\0')
    {
      guint64 db;

      if (!g_ascii_string_to_unsigned (path + 1, 10, 0, 15, &db, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "“%s” names no Redis database (0 to 15)", uri);
          return NULL;
        }
      self->db = (int) db;
    }
  return g_steal_pointer (&self);
}
