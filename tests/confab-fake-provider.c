/* confab-fake-provider.c: the fake provider's HTTP side: routing, recording
 * and writing streams piece by piece.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <sys/socket.h>

#include "confab-fake-provider-private.h"

struct _ConfabFakeProvider
{
  GObject      parent_instance;

  SoupServer  *server;
  char        *url;
  guint16      port;
  GQueue       scripts;         /* of ConfabFakeScript, first answers next */
  GHashTable  *model_scripts;   /* model → ConfabFakeScript */
  GHashTable  *model_failures;  /* model → FakeFailure */
  guint        default_delay;
  char       **models;
  GPtrArray   *requests;        /* of ConfabFakeRequest */
  GPtrArray   *streams;         /* of FakeStream, being written */
};

G_DEFINE_FINAL_TYPE (ConfabFakeProvider, confab_fake_provider, G_TYPE_OBJECT)

/* Pieces appended but not yet written, at most: a fast writer waits for a
 * slow reader instead of queueing a long reply in memory. */
#define MAX_BACKLOG 4

typedef struct
{
  ConfabFakeProvider *provider;
  SoupServerMessage  *msg;
  FakePlan           *plan;
  guint               next;
  guint               repeats_left;
  FakeEnd             end;
  guint               source_id;
  guint               n_appended;
  guint               n_written;
  gulong              finished_id;
  gulong              wrote_chunk_id;
  gulong              wrote_headers_id;
  gboolean            headers_written;
  gboolean            end_pending;   /* drop or reset once all is written */
  gboolean            backlogged;    /* waiting for writes to catch up */
} FakeStream;

/* See confab_fake_provider_set_model_failure(). */
typedef struct
{
  guint status;
  guint remaining;   /* 0: every request */
} FakeFailure;

static void
fake_request_free (gpointer data)
{
  ConfabFakeRequest *request = data;

  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  g_clear_pointer (&request->headers, soup_message_headers_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request->model);
  g_free (request->route);
  g_free (request);
}

/* ------------------------------------------------------------------------ */
/* Streams. */

static void
fake_stream_free (FakeStream *stream)
{
  g_clear_handle_id (&stream->source_id, g_source_remove);
  g_clear_signal_handler (&stream->finished_id, stream->msg);
  g_clear_signal_handler (&stream->wrote_chunk_id, stream->msg);
  g_clear_signal_handler (&stream->wrote_headers_id, stream->msg);
  g_ptr_array_remove (stream->provider->streams, stream);
  _confab_fake_plan_free (stream->plan);
  g_object_unref (stream->msg);
  g_free (stream);
}

/* Like a proxy or a crashed server: the TCP connection just ends, with a
 * FIN (drop) or an RST (reset: SO_LINGER of zero makes close() send one). */
static void
fake_stream_drop (FakeStream *stream)
{
  g_autoptr(GIOStream) connection = NULL;

  if (stream->end == FAKE_END_RESET)
    {
      GSocket *socket = soup_server_message_get_socket (stream->msg);
      struct linger linger = { 1, 0 };

      if (socket != NULL &&
          setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER,
                      &linger, sizeof linger) != 0)
        g_warning ("Could not set SO_LINGER: %s", g_strerror (errno));
    }

  /* Ours from here: no "finished" while stealing. */
  g_clear_signal_handler (&stream->finished_id, stream->msg);
  connection = soup_server_message_steal_connection (stream->msg);
  if (connection != NULL)
    g_io_stream_close (connection, NULL, NULL);

  fake_stream_free (stream);
}

static gboolean
drop_timeout_cb (gpointer user_data)
{
  FakeStream *stream = user_data;

  stream->source_id = 0;
  fake_stream_drop (stream);

  return G_SOURCE_REMOVE;
}

static void schedule_next (FakeStream *stream);

static void
check_written (FakeStream *stream)
{
  if (stream->end_pending && stream->headers_written && stream->n_written >= stream->n_appended)
    {
      /* Let the last write leave before the connection goes. */
      g_clear_handle_id (&stream->source_id, g_source_remove);
      stream->source_id = g_timeout_add (20, drop_timeout_cb, stream);
      stream->end_pending = FALSE;
    }
  else if (stream->backlogged && stream->n_appended - stream->n_written < MAX_BACKLOG)
    {
      stream->backlogged = FALSE;
      schedule_next (stream);
    }
}

static void
on_wrote_chunk (SoupServerMessage *msg,
                FakeStream        *stream)
{
  stream->n_written++;
  check_written (stream);
}

static void
on_wrote_headers (SoupServerMessage *msg,
                  FakeStream        *stream)
{
  stream->headers_written = TRUE;
  check_written (stream);
}

static void
on_finished (SoupServerMessage *msg,
             FakeStream        *stream)
{
  fake_stream_free (stream);
}

static void
finish_writing (FakeStream *stream)
{
  SoupMessageBody *body = soup_server_message_get_response_body (stream->msg);

  switch (stream->end)
    {
    case FAKE_END_STALL:
      break;

    case FAKE_END_DROP:
    case FAKE_END_RESET:
      /* Wait until the headers and pieces are on the wire; give up waiting
       * after a while in case libsoup reports writes differently. */
      stream->end_pending = TRUE;
      stream->source_id = g_timeout_add (500, drop_timeout_cb, stream);
      check_written (stream);
      break;

    case FAKE_END_NORMAL:
    case FAKE_END_MALFORMED:
    case FAKE_END_ERROR_EVENT:
    default:
      soup_message_body_complete (body);
      soup_server_message_unpause (stream->msg);
      break;
    }
}

static gboolean
write_next_cb (gpointer user_data)
{
  FakeStream *stream = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (stream->msg);

  GPtrArray *pieces = stream->plan->pieces;

  stream->source_id = 0;

  if (stream->next < pieces->len)
    {
      GBytes *piece = g_ptr_array_index (pieces, stream->next++);

      if (g_bytes_get_size (piece) > 0)
        {
          soup_message_body_append_bytes (body, piece);
          stream->n_appended++;
          /* Without it nothing leaves before the body is complete. */
          soup_server_message_unpause (stream->msg);
        }

      if (stream->next == stream->plan->repeat_end && stream->repeats_left > 0)
        {
          stream->repeats_left--;
          stream->next = stream->plan->repeat_start;
        }
    }

  if (stream->next >= pieces->len)
    finish_writing (stream);
  else if (stream->n_appended - stream->n_written >= MAX_BACKLOG)
    stream->backlogged = TRUE;
  else
    schedule_next (stream);

  return G_SOURCE_REMOVE;
}

static void
schedule_next (FakeStream *stream)
{
  guint delay_ms = g_array_index (stream->plan->delays, guint, stream->next);

  if (delay_ms > 0)
    stream->source_id = g_timeout_add (delay_ms, write_next_cb, stream);
  else
    stream->source_id = g_idle_add (write_next_cb, stream);
}

/* Takes plan. */
static void
start_stream (ConfabFakeProvider *self,
              SoupServerMessage  *msg,
              FakePlan           *plan,
              const char         *content_type,
              FakeEnd             end)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  FakeStream *stream;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (headers, "Content-Type", content_type);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  stream = g_new0 (FakeStream, 1);
  stream->provider = self;
  stream->msg = g_object_ref (msg);
  stream->plan = plan;
  stream->repeats_left = plan->repeat_end > plan->repeat_start ? plan->repeat - 1 : 0;
  stream->end = end;
  stream->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_finished), stream);
  stream->wrote_chunk_id = g_signal_connect (msg, "wrote-chunk", G_CALLBACK (on_wrote_chunk),
                                             stream);
  stream->wrote_headers_id = g_signal_connect (msg, "wrote-headers",
                                               G_CALLBACK (on_wrote_headers), stream);
  g_ptr_array_add (self->streams, stream);

  if (plan->pieces->len > 0)
    schedule_next (stream);
  else
    stream->source_id = g_idle_add (write_next_cb, stream);
}

/* A reset before any answer: the request was read, then the connection
 * goes. Soon, not from the handler, which libsoup still runs. */
static void
reset_before_headers (ConfabFakeProvider *self,
                      SoupServerMessage  *msg)
{
  FakeStream *stream = g_new0 (FakeStream, 1);

  soup_server_message_pause (msg);
  stream->provider = self;
  stream->msg = g_object_ref (msg);
  stream->plan = _confab_fake_plan_new ();
  stream->end = FAKE_END_RESET;
  stream->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_finished), stream);
  g_ptr_array_add (self->streams, stream);

  stream->source_id = g_timeout_add (20, drop_timeout_cb, stream);
}

/* ------------------------------------------------------------------------ */
/* Requests. */

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_append (user_data, name, value);
}

static char *
route_request (SoupServerMessage  *msg,
               const char         *path,
               char              **gemini_model)
{
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  gboolean post = g_str_equal (method, SOUP_METHOD_POST);
  gboolean get = g_str_equal (method, SOUP_METHOD_GET);

  if (post && g_str_equal (path, "/v1/chat/completions"))
    return g_strdup ("openai");
  if (post && g_str_equal (path, "/v1/messages"))
    return g_strdup ("anthropic");
  if (post && g_str_has_prefix (path, "/v1beta/models/") &&
      g_str_has_suffix (path, ":streamGenerateContent"))
    {
      const char *start = path + strlen ("/v1beta/models/");

      *gemini_model = g_uri_unescape_segment (start, path + strlen (path)
                                                     - strlen (":streamGenerateContent"), NULL);
      return g_strdup ("gemini");
    }
  if (get && g_str_equal (path, "/v1/models"))
    return g_strdup (soup_message_headers_get_one (headers, "anthropic-version")
                       ? "anthropic-models" : "openai-models");
  if (get && g_str_equal (path, "/v1beta/models"))
    return g_strdup ("gemini-models");
  if (get && g_str_equal (path, "/api/tags"))
    return g_strdup ("ollama-tags");

  return NULL;
}

static ConfabFakeScript *
pick_script (ConfabFakeProvider *self,
             const char         *route,
             const char         *model)
{
  ConfabFakeScript *script = g_queue_pop_head (&self->scripts);

  if (script != NULL)
    return script;

  if (model != NULL && (script = g_hash_table_lookup (self->model_scripts, model)) != NULL)
    return confab_fake_script_ref (script);

  return NULL;
}

/* A model set to fail answers with the real server's error for that
 * status, in the wire format of the request. */
static gboolean
respond_failure (ConfabFakeProvider *self,
                 SoupServerMessage  *msg,
                 ConfabFakeRequest  *request)
{
  FakeFailure *failure = g_hash_table_lookup (self->model_failures, request->model);
  g_autofree char *body = NULL;
  guint status;

  if (failure == NULL)
    return FALSE;

  status = failure->status;
  if (failure->remaining > 0 && --failure->remaining == 0)
    g_hash_table_remove (self->model_failures, request->model);

  body = _confab_fake_error_body (request->route, status, request->model);
  _confab_fake_respond_json (msg, status, body);
  return TRUE;
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  ConfabFakeProvider *self = user_data;
  g_autoptr(ConfabFakeScript) script = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(FakePlan) plan = NULL;
  g_auto(GStrv) echo = NULL;
  g_autofree char *gemini_model = NULL;
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  ConfabFakeRequest *request;
  GUri *uri = soup_server_message_get_uri (msg);
  const char * const *tokens;
  gboolean chat;

  request = g_new0 (ConfabFakeRequest, 1);
  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (path);
  request->query = g_strdup (g_uri_get_query (uri));
  request->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_foreach (soup_server_message_get_request_headers (msg),
                                copy_header, request->headers);
  request->body = soup_message_body_flatten (request_body);
  request->route = route_request (msg, path, &gemini_model);
  g_ptr_array_add (self->requests, request);

  chat = request->route != NULL && !g_str_has_suffix (request->route, "models") &&
         !g_str_equal (request->route, "ollama-tags");

  if (chat)
    {
      root = json_from_string (g_bytes_get_data (request->body, NULL), NULL);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          _confab_fake_respond_json (msg, SOUP_STATUS_BAD_REQUEST,
                        "{\"error\":{\"message\":\"The request body is not valid JSON.\","
                        "\"type\":\"invalid_request_error\",\"code\":null}}");
          return;
        }
      if (gemini_model != NULL)
        request->model = g_strdup (gemini_model);
      else
        request->model = g_strdup (json_object_get_string_member_with_default (
                                     json_node_get_object (root), "model", "unknown"));
    }

  /* Queued scripts come first, as for the model's script. */
  if (chat && g_queue_is_empty (&self->scripts) && respond_failure (self, msg, request))
    return;

  script = pick_script (self, request->route, request->model);

  if (script != NULL && script->end == FAKE_END_RESET &&
      script->reset == CONFAB_FAKE_RESET_BEFORE_HEADERS)
    {
      reset_before_headers (self, msg);
      return;
    }

  if (script != NULL)
    for (guint i = 0; i < script->header_names->len; i++)
      soup_message_headers_append (response_headers,
                                   g_ptr_array_index (script->header_names, i),
                                   g_ptr_array_index (script->header_values, i));

  if (script != NULL && script->http_status != 0)
    {
      soup_server_message_set_status (msg, script->http_status, NULL);
      soup_server_message_set_response (msg, script->http_content_type, SOUP_MEMORY_COPY,
                                        script->http_body, strlen (script->http_body));
      return;
    }

  if (request->route == NULL)
    {
      _confab_fake_respond_not_found (msg, path);
      return;
    }

  if (!chat)
    {
      _confab_fake_respond_models (msg, request->route,
                                   (const char * const *) self->models);
      return;
    }

  plan = _confab_fake_plan_new ();

  if (script != NULL && script->replay != NULL)
    {
      gsize len = g_bytes_get_size (script->replay);
      gsize pos = 0;

      for (guint i = 0; i <= script->splits->len; i++)
        {
          gsize end = i < script->splits->len ? MIN (g_array_index (script->splits, gsize, i), len)
                                              : len;

          if (end > pos)
            _confab_fake_plan_add (plan, g_bytes_new_from_bytes (script->replay, pos, end - pos),
                                   script->delay_ms);
          pos = MAX (pos, end);
        }
      if (script->trickle_bytes > 0)
        _confab_fake_plan_trickle (plan, script->trickle_after, script->trickle_bytes,
                                   script->trickle_interval);
      start_stream (self, msg, g_steal_pointer (&plan), script->replay_content_type,
                    script->end == FAKE_END_DROP || script->end == FAKE_END_STALL ||
                    script->end == FAKE_END_RESET
                      ? script->end : FAKE_END_NORMAL);
      return;
    }

  if (script != NULL && script->tokens != NULL)
    tokens = (const char * const *) script->tokens;
  else
    {
      g_autofree char *said = _confab_fake_last_user_text (root, request->route);
      g_autofree char *reply = g_strdup_printf ("Echo from %s: %s", request->model, said);

      echo = _confab_fake_split_words (reply);
      tokens = (const char * const *) echo;
    }

  {
    g_autoptr(ConfabFakeScript) defaults = script ? NULL : confab_fake_script_new ();
    ConfabFakeScript *used = script ? script : defaults;

    _confab_fake_script_build_stream (used, request->route, request->model, tokens,
                                      _confab_fake_count_request_words (root, NULL),
                                      script ? script->delay_ms : self->default_delay, plan);
    start_stream (self, msg, g_steal_pointer (&plan),
                  g_str_equal (request->route, "gemini") ? "text/event-stream"
                                                         : "text/event-stream; charset=utf-8",
                  used->end);
  }
}

/* ------------------------------------------------------------------------ */

static void
confab_fake_provider_dispose (GObject *object)
{
  ConfabFakeProvider *self = (ConfabFakeProvider *)object;

  while (self->streams->len > 0)
    fake_stream_free (g_ptr_array_index (self->streams, self->streams->len - 1));

  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }

  g_queue_clear_full (&self->scripts, (GDestroyNotify) confab_fake_script_unref);
  g_hash_table_remove_all (self->model_scripts);
  g_hash_table_remove_all (self->model_failures);

  G_OBJECT_CLASS (confab_fake_provider_parent_class)->dispose (object);
}

static void
confab_fake_provider_finalize (GObject *object)
{
  ConfabFakeProvider *self = (ConfabFakeProvider *)object;

  g_free (self->url);
  g_strfreev (self->models);
  g_hash_table_unref (self->model_scripts);
  g_hash_table_unref (self->model_failures);
  g_ptr_array_unref (self->requests);
  g_ptr_array_unref (self->streams);

  G_OBJECT_CLASS (confab_fake_provider_parent_class)->finalize (object);
}

static void
confab_fake_provider_class_init (ConfabFakeProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_fake_provider_dispose;
  object_class->finalize = confab_fake_provider_finalize;
}

static void
confab_fake_provider_init (ConfabFakeProvider *self)
{
  g_queue_init (&self->scripts);
  self->model_scripts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) confab_fake_script_unref);
  self->model_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->requests = g_ptr_array_new_with_free_func (fake_request_free);
  self->streams = g_ptr_array_new ();
}

ConfabFakeProvider *
confab_fake_provider_new (guint16   port,
                          GError  **error)
{
  g_autoptr(ConfabFakeProvider) self = g_object_new (CONFAB_TYPE_FAKE_PROVIDER, NULL);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  GSList *listeners;

  self->server = soup_server_new ("server-header", "confab-fake-provider", NULL);
  soup_server_add_handler (self->server, NULL, server_cb, self, NULL);

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, port);
  if (!soup_server_listen (self->server, address, 0, error))
    return NULL;

  /* The port from the socket: soup_server_get_uris() leaks in libsoup 3.2. */
  listeners = soup_server_get_listeners (self->server);
  if (listeners != NULL)
    {
      g_autoptr(GSocketAddress) local =
        g_socket_get_local_address (G_SOCKET (listeners->data), error);

      g_slist_free (listeners);
      if (local == NULL)
        return NULL;
      self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }
  self->url = g_strdup_printf ("http://127.0.0.1:%u", self->port);

  return g_steal_pointer (&self);
}

const char *
confab_fake_provider_get_url (ConfabFakeProvider *self)
{
  g_return_val_if_fail (CONFAB_IS_FAKE_PROVIDER (self), NULL);

  return self->url;
}

guint16
confab_fake_provider_get_port (ConfabFakeProvider *self)
{
  g_return_val_if_fail (CONFAB_IS_FAKE_PROVIDER (self), 0);

  return self->port;
}

void
confab_fake_provider_push_script (ConfabFakeProvider *self,
                                  ConfabFakeScript   *script)
{
  g_return_if_fail (CONFAB_IS_FAKE_PROVIDER (self));
  g_return_if_fail (script != NULL);

  g_queue_push_tail (&self->scripts, confab_fake_script_ref (script));
}

void
confab_fake_provider_set_model_script (ConfabFakeProvider *self,
                                       const char         *model,
                                       ConfabFakeScript   *script)
{
  g_return_if_fail (CONFAB_IS_FAKE_PROVIDER (self));
  g_return_if_fail (model != NULL);

  if (script == NULL)
    g_hash_table_remove (self->model_scripts, model);
  else
    g_hash_table_replace (self->model_scripts, g_strdup (model), confab_fake_script_ref (script));
}

void
confab_fake_provider_set_model_failure (ConfabFakeProvider *self,
                                        const char         *model,
                                        guint               status,
                                        guint               count)
{
  FakeFailure *failure;

  g_return_if_fail (CONFAB_IS_FAKE_PROVIDER (self));
  g_return_if_fail (model != NULL);
  g_return_if_fail (status == 0 || (status >= 400 && status <= 599));

  if (status == 0)
    {
      g_hash_table_remove (self->model_failures, model);
      return;
    }

  failure = g_new0 (FakeFailure, 1);
  failure->status = status;
  failure->remaining = count;
  g_hash_table_replace (self->model_failures, g_strdup (model), failure);
}

void
confab_fake_provider_set_default_delay (ConfabFakeProvider *self,
                                        guint               delay_ms)
{
  g_return_if_fail (CONFAB_IS_FAKE_PROVIDER (self));

  self->default_delay = delay_ms;
}

void
confab_fake_provider_set_models (ConfabFakeProvider *self,
                                 const char * const *models)
{
  g_return_if_fail (CONFAB_IS_FAKE_PROVIDER (self));

  g_strfreev (self->models);
  self->models = g_strdupv ((char **) models);
}

guint
confab_fake_provider_get_n_requests (ConfabFakeProvider *self)
{
  g_return_val_if_fail (CONFAB_IS_FAKE_PROVIDER (self), 0);

  return self->requests->len;
}

const ConfabFakeRequest *
confab_fake_provider_get_request (ConfabFakeProvider *self,
                                  guint               index)
{
  g_return_val_if_fail (CONFAB_IS_FAKE_PROVIDER (self), NULL);
  g_return_val_if_fail (index < self->requests->len, NULL);

  return g_ptr_array_index (self->requests, index);
}

void
confab_fake_provider_clear_requests (ConfabFakeProvider *self)
{
  g_return_if_fail (CONFAB_IS_FAKE_PROVIDER (self));

  g_ptr_array_set_size (self->requests, 0);
}

guint
confab_fake_provider_get_n_streams (ConfabFakeProvider *self)
{
  g_return_val_if_fail (CONFAB_IS_FAKE_PROVIDER (self), 0);

  return self->streams->len;
}
