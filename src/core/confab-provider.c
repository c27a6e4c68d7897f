/* confab-provider.c: the base of the wire protocols: identity, base URL,
 * key, the shared HTTP session, and listing models.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include <string.h>

#include "confab-anthropic-provider.h"
#include "confab-gemini-provider.h"
#include "confab-openai-provider.h"
#include "confab-provider-private.h"

typedef struct
{
  const char *id;
  const char *display_name;
  const char *default_url;
  const char *url_env_var;
  const char *key_env_var;   /* NULL: no key needed */
  GType     (*get_type) (void);
} KnownProvider;

static const KnownProvider known_providers[] = {
  { "openai", "OpenAI", "https://api.openai.com", "OPENAI_BASE_URL", "OPENAI_API_KEY",
    confab_openai_provider_get_type },
  { "anthropic", "Anthropic", "https://api.anthropic.com", "ANTHROPIC_BASE_URL",
    "ANTHROPIC_API_KEY", confab_anthropic_provider_get_type },
  { "gemini", "Gemini", "https://generativelanguage.googleapis.com", "GEMINI_BASE_URL",
    "GEMINI_API_KEY", confab_gemini_provider_get_type },
  { "openrouter", "OpenRouter", "https://openrouter.ai/api", "OPENROUTER_BASE_URL",
    "OPENROUTER_API_KEY", confab_openai_provider_get_type },
  { "ollama", "Ollama", "http://127.0.0.1:11434", "OLLAMA_HOST", NULL,
    confab_openai_provider_get_type },
};

#define OLLAMA_DEFAULT_PORT 11434

typedef struct
{
  char             *id;
  char             *display_name;
  char             *base_url;
  char             *api_key;
  const KnownProvider *known;
  ConfabWireFormat  wire;
  SoupSession      *session;
  const char       *error_model;  /* only during map_http_error, see below */
  guint             event_timeout;      /* ms, 0: none */
  guint             keepalive_timeout;  /* ms, 0: none */
} ConfabProviderPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (ConfabProvider, confab_provider, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_DISPLAY_NAME,
  PROP_BASE_URL,
  PROP_API_KEY,
  PROP_WIRE_FORMAT,
  PROP_EVENT_TIMEOUT,
  PROP_KEEPALIVE_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One session for every provider, so connections are pooled; it goes away
 * with the last provider. Providers live on the main thread. */
static SoupSession *shared_session;

static SoupSession *
ref_shared_session (void)
{
  if (shared_session != NULL)
    return g_object_ref (shared_session);

  /* Models can think for minutes before the first byte. */
  shared_session = soup_session_new_with_options ("user-agent", "Confab/" PACKAGE_VERSION,
                                                  "timeout", 300,
                                                  NULL);
  g_object_add_weak_pointer (G_OBJECT (shared_session), (gpointer *) &shared_session);

  return shared_session;
}

static const KnownProvider *
find_known (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_providers); i++)
    if (g_strcmp0 (known_providers[i].id, id) == 0)
      return &known_providers[i];

  return NULL;
}

static gboolean
is_loopback_host (const char *url)
{
  return g_str_has_prefix (url, "localhost") ||
         g_str_has_prefix (url, "127.") ||
         g_str_has_prefix (url, "[::1]") ||
         g_str_has_prefix (url, "0.0.0.0");
}

/* Accepts "https://host/v1/", "host:port" and the like; returns the URL the
 * API paths ("/v1/...") are appended to. */
static char *
normalize_base_url (const KnownProvider  *known,
                    const char           *url,
                    GError              **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (url));
  g_autofree char *with_scheme = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GString) path = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean had_scheme = strstr (stripped, "://") != NULL;
  const char *scheme;
  int port;

  if (had_scheme)
    with_scheme = g_strdup (stripped);
  else if (g_str_equal (known->id, "ollama") || is_loopback_host (stripped))
    with_scheme = g_strconcat ("http://", stripped, NULL);
  else
    with_scheme = g_strconcat ("https://", stripped, NULL);

  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, &local_error);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    {
      g_set_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_FAILED,
                   "“%s” is not a valid base URL for %s: use http:// or https:// and a host.",
                   url, known->display_name);
      return NULL;
    }

  port = g_uri_get_port (uri);
  /* OLLAMA_HOST may name only the host, as Ollama's own client allows. */
  if (port < 0 && !had_scheme && g_str_equal (known->id, "ollama"))
    port = OLLAMA_DEFAULT_PORT;

  path = g_string_new (g_uri_get_path (uri));
  while (path->len > 0 && path->str[path->len - 1] == '/')
    g_string_truncate (path, path->len - 1);
  /* With or without the API version: the paths add it. */
  if (g_str_has_suffix (path->str, "/v1"))
    g_string_truncate (path, path->len - 3);
  else if (g_str_equal (known->id, "gemini") && g_str_has_suffix (path->str, "/v1beta"))
    g_string_truncate (path, path->len - 7);
  while (path->len > 0 && path->str[path->len - 1] == '/')
    g_string_truncate (path, path->len - 1);

  return g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), g_uri_get_userinfo (uri),
                     g_uri_get_host (uri), port, path->str, NULL, NULL);
}

static void
confab_provider_finalize (GObject *object)
{
  ConfabProvider *self = (ConfabProvider *)object;
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  g_clear_pointer (&priv->id, g_free);
  g_clear_pointer (&priv->display_name, g_free);
  g_clear_pointer (&priv->base_url, g_free);
  g_clear_pointer (&priv->api_key, g_free);
  g_clear_object (&priv->session);

  G_OBJECT_CLASS (confab_provider_parent_class)->finalize (object);
}

static void
confab_provider_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ConfabProvider *self = CONFAB_PROVIDER (object);
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, priv->id);
      break;

    case PROP_DISPLAY_NAME:
      g_value_set_string (value, priv->display_name);
      break;

    case PROP_BASE_URL:
      g_value_set_string (value, priv->base_url);
      break;

    case PROP_API_KEY:
      g_value_set_string (value, priv->api_key);
      break;

    case PROP_WIRE_FORMAT:
      g_value_set_int (value, priv->wire);
      break;

    case PROP_EVENT_TIMEOUT:
      g_value_set_uint (value, priv->event_timeout);
      break;

    case PROP_KEEPALIVE_TIMEOUT:
      g_value_set_uint (value, priv->keepalive_timeout);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_provider_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ConfabProvider *self = CONFAB_PROVIDER (object);
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ID:
      priv->id = g_value_dup_string (value);
      priv->known = find_known (priv->id);
      break;

    case PROP_DISPLAY_NAME:
      priv->display_name = g_value_dup_string (value);
      break;

    case PROP_BASE_URL:
      priv->base_url = g_value_dup_string (value);
      break;

    case PROP_API_KEY:
      confab_provider_set_api_key (self, g_value_get_string (value));
      break;

    case PROP_EVENT_TIMEOUT:
      if (priv->event_timeout != g_value_get_uint (value))
        {
          priv->event_timeout = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_KEEPALIVE_TIMEOUT:
      if (priv->keepalive_timeout != g_value_get_uint (value))
        {
          priv->keepalive_timeout = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_provider_class_init (ConfabProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_provider_finalize;
  object_class->get_property = confab_provider_get_property;
  object_class->set_property = confab_provider_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Never logged; a property so the UI can bind a "key set" indicator. */
  properties[PROP_API_KEY] =
    g_param_spec_string ("api-key", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WIRE_FORMAT] =
    g_param_spec_int ("wire-format", NULL, NULL,
                      CONFAB_WIRE_OPENAI, CONFAB_WIRE_GEMINI, CONFAB_WIRE_OPENAI,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* Milliseconds, 0 for none; see CONFAB_STREAM_EVENT_TIMEOUT_MS. Silence
   * before the answer's headers is libsoup's "timeout" (300 s). */
  properties[PROP_EVENT_TIMEOUT] =
    g_param_spec_uint ("event-timeout", NULL, NULL, 0, G_MAXUINT,
                       CONFAB_STREAM_EVENT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEEPALIVE_TIMEOUT] =
    g_param_spec_uint ("keepalive-timeout", NULL, NULL, 0, G_MAXUINT,
                       CONFAB_STREAM_KEEPALIVE_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_provider_init (ConfabProvider *self)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  priv->session = ref_shared_session ();
  priv->event_timeout = CONFAB_STREAM_EVENT_TIMEOUT_MS;
  priv->keepalive_timeout = CONFAB_STREAM_KEEPALIVE_TIMEOUT_MS;
}

ConfabProvider *
confab_provider_new (const char  *id,
                     const char  *base_url,
                     GError     **error)
{
  const KnownProvider *known;
  g_autofree char *normalized = NULL;
  ConfabProvider *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  known = find_known (id);
  if (known == NULL)
    {
      g_set_error (error, CONFAB_PROVIDER_ERROR, CONFAB_PROVIDER_ERROR_FAILED,
                   "Unknown provider “%s”: use openai, anthropic, gemini, openrouter or "
                   "ollama.",
                   id);
      return NULL;
    }

  /* An explicit URL wins over the environment, which wins over the default. */
  if (base_url == NULL || *base_url == '\0')
    base_url = g_getenv (known->url_env_var);
  if (base_url == NULL || *base_url == '\0')
    base_url = known->default_url;

  normalized = normalize_base_url (known, base_url, error);
  if (normalized == NULL)
    return NULL;

  self = g_object_new (known->get_type (),
                       "id", known->id,
                       "display-name", known->display_name,
                       "base-url", normalized,
                       NULL);

  /* The environment supplies the key when set (CLI.md): callers consult the
   * keyring only when confab_provider_get_api_key() is NULL. */
  if (known->key_env_var != NULL)
    {
      const char *key = g_getenv (known->key_env_var);

      if (key != NULL && *key != '\0')
        confab_provider_set_api_key (self, key);
    }

  return self;
}

const char **
confab_provider_list_known_ids (void)
{
  static const char *ids[G_N_ELEMENTS (known_providers) + 1];

  if (ids[0] == NULL)
    for (guint i = 0; i < G_N_ELEMENTS (known_providers); i++)
      ids[i] = known_providers[i].id;

  return ids;
}

const char *
confab_provider_get_id (ConfabProvider *self)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);

  return priv->id;
}

const char *
confab_provider_get_display_name (ConfabProvider *self)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);

  return priv->display_name ? priv->display_name : priv->id;
}

ConfabWireFormat
confab_provider_get_wire_format (ConfabProvider *self)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), CONFAB_WIRE_OPENAI);

  return priv->wire;
}

void
_confab_provider_set_wire_format (ConfabProvider   *self,
                                  ConfabWireFormat  wire)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  priv->wire = wire;
}

const char *
confab_provider_get_base_url (ConfabProvider *self)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);

  return priv->base_url;
}

gboolean
confab_provider_needs_key (ConfabProvider *self)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), FALSE);

  return priv->known == NULL || priv->known->key_env_var != NULL;
}

void
confab_provider_set_api_key (ConfabProvider *self,
                             const char     *api_key)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  g_return_if_fail (CONFAB_IS_PROVIDER (self));

  if (api_key != NULL && *api_key == '\0')
    api_key = NULL;
  if (g_strcmp0 (api_key, priv->api_key) == 0)
    return;

  g_free (priv->api_key);
  priv->api_key = g_strdup (api_key);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_API_KEY]);
}

const char *
confab_provider_get_api_key (ConfabProvider *self)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);

  return priv->api_key;
}

const char *
confab_provider_get_key_env_var (ConfabProvider *self)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);

  return priv->known ? priv->known->key_env_var : NULL;
}

ConfabReply *
confab_provider_chat (ConfabProvider    *self,
                      ConfabChatRequest *request)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (request != NULL, NULL);

  return _confab_reply_new (self, request);
}

SoupSession *
_confab_provider_get_session (ConfabProvider *self)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  return priv->session;
}

guint
_confab_provider_get_event_timeout (ConfabProvider *self)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  return priv->event_timeout;
}

guint
_confab_provider_get_keepalive_timeout (ConfabProvider *self)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  return priv->keepalive_timeout;
}

SoupMessage *
_confab_provider_new_message (ConfabProvider *self,
                              const char     *method,
                              const char     *path)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);
  g_autofree char *url = g_strconcat (priv->base_url, path, NULL);
  SoupMessage *message = soup_message_new (method, url);

  g_assert (message != NULL);

  return message;
}

void
_confab_provider_set_json_body (SoupMessage *message,
                                JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(GBytes) bytes = NULL;
  gsize len = 0;
  char *data;

  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &len);
  bytes = g_bytes_new_take (data, len);
  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  /* libsoup 3 has no getter for a request body; the tests compare it. */
  g_object_set_data_full (G_OBJECT (message), "confab-request-body",
                          g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
}

GBytes *
_confab_message_get_request_body (SoupMessage *message)
{
  return g_object_get_data (G_OBJECT (message), "confab-request-body");
}

void
_confab_provider_add_extra_headers (ConfabProvider *self,
                                    SoupMessage    *message)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);

  /* OpenRouter ranks and attributes apps by these. */
  if (g_strcmp0 (priv->id, "openrouter") == 0)
    {
      soup_message_headers_replace (headers, "HTTP-Referer", "https://github.com/confab/confab");
      soup_message_headers_replace (headers, "X-Title", "Confab");
    }
}

GError *
_confab_provider_http_error (ConfabProvider     *self,
                             guint               status,
                             SoupMessageHeaders *headers,
                             const char         *type,
                             const char         *code,
                             const char         *message,
                             gint64              retry_after)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);
  ConfabProviderError kind = _confab_provider_classify (status, type, code, message);
  g_autofree char *fallback = NULL;

  if (kind == CONFAB_PROVIDER_ERROR_RATE_LIMITED && retry_after < 0)
    retry_after = _confab_parse_retry_after (headers);

  /* Without the provider's words, the status at least helps a bug report. */
  if (message == NULL && kind != CONFAB_PROVIDER_ERROR_AUTH)
    message = fallback = g_strdup_printf ("HTTP %u %s", status,
                                          soup_status_get_phrase (status)
                                            ? soup_status_get_phrase (status) : "");

  return _confab_provider_error_compose (priv->display_name, priv->error_model, kind,
                                         message, retry_after);
}

GError *
_confab_provider_map_http_error_for_model (ConfabProvider     *self,
                                           const char         *model,
                                           guint               status,
                                           SoupMessageHeaders *headers,
                                           GBytes             *body)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);
  g_autoptr(GBytes) empty = NULL;
  GError *error;

  if (body == NULL)
    body = empty = g_bytes_new_static ("", 0);

  /* The map_http_error vfunc does not take the model (it is the same for
   * every request); lend it for this synchronous call so a 404 can name it. */
  priv->error_model = model;
  error = CONFAB_PROVIDER_GET_CLASS (self)->map_http_error (self, status, headers, body);
  priv->error_model = NULL;

  return error;
}

/* ------------------------------------------------------------------------ */
/* Bounded body reads. */

typedef struct
{
  GByteArray *data;
  gsize       max;
} ReadBoundedData;

static void
read_bounded_data_free (ReadBoundedData *data)
{
  g_byte_array_unref (data->data);
  g_free (data);
}

void
_confab_input_stream_abort (GInputStream *stream)
{
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();

  if (stream == NULL || g_input_stream_is_closed (stream))
    return;

  /* A cancelled close makes libsoup give up on the rest of the body and
   * drop the connection instead of draining it. */
  g_cancellable_cancel (cancelled);
  g_input_stream_close (stream, cancelled, NULL);
}

static void
read_bounded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GInputStream *stream = G_INPUT_STREAM (object);
  g_autoptr(GTask) task = user_data;
  ReadBoundedData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (stream, result, &error);

  if (bytes == NULL)
    {
      _confab_input_stream_abort (stream);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_bytes_get_size (bytes) == 0 || data->data->len >= data->max)
    {
      if (g_bytes_get_size (bytes) == 0)
        g_input_stream_close (stream, NULL, NULL);
      else
        _confab_input_stream_abort (stream);
      g_task_return_pointer (task, g_bytes_new (data->data->data, data->data->len),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }

  g_byte_array_append (data->data, g_bytes_get_data (bytes, NULL),
                       MIN (g_bytes_get_size (bytes), data->max - data->data->len));

  g_input_stream_read_bytes_async (stream, CONFAB_STREAM_READ_SIZE, G_PRIORITY_DEFAULT,
                                   cancellable,
                                   read_bounded_cb, g_steal_pointer (&task));
}

void
_confab_read_bounded_async (GInputStream        *stream,
                            gsize                max,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ReadBoundedData *data;

  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, _confab_read_bounded_async);

  data = g_new0 (ReadBoundedData, 1);
  data->data = g_byte_array_new ();
  data->max = max;
  g_task_set_task_data (task, data, (GDestroyNotify) read_bounded_data_free);

  g_input_stream_read_bytes_async (stream, CONFAB_STREAM_READ_SIZE, G_PRIORITY_DEFAULT,
                                   cancellable, read_bounded_cb, g_steal_pointer (&task));
}

GBytes *
_confab_read_bounded_finish (GInputStream  *stream,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Listing models. */

typedef struct
{
  SoupMessage  *message;
  GInputStream *stream;
} ListModelsData;

static void
list_models_data_free (ListModelsData *data)
{
  _confab_input_stream_abort (data->stream);
  g_clear_object (&data->stream);
  g_clear_object (&data->message);
  g_free (data);
}

static void
list_models_body_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabProvider *self = g_task_get_source_object (task);
  ListModelsData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  guint status;
  GPtrArray *models;

  body = _confab_read_bounded_finish (G_INPUT_STREAM (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, _confab_provider_map_network_error (self, error, TRUE));
      return;
    }

  status = soup_message_get_status (data->message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_error (task,
                           _confab_provider_map_http_error_for_model (
                             self, NULL, status,
                             soup_message_get_response_headers (data->message), body));
      return;
    }

  models = CONFAB_PROVIDER_GET_CLASS (self)->parse_models (self, body, &error);
  if (models == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, models, (GDestroyNotify) g_ptr_array_unref);
}

static void
list_models_sent_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabProvider *self = g_task_get_source_object (task);
  ListModelsData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  guint status;

  data->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (data->stream == NULL)
    {
      g_task_return_error (task, _confab_provider_map_network_error (self, error, FALSE));
      return;
    }

  status = soup_message_get_status (data->message);
  _confab_read_bounded_async (data->stream,
                              SOUP_STATUS_IS_SUCCESSFUL (status)
                                ? CONFAB_MODELS_BODY_MAX_SIZE : CONFAB_ERROR_BODY_MAX_SIZE,
                              cancellable,
                              list_models_body_cb, g_steal_pointer (&task));
}

void
confab_provider_list_models_async (ConfabProvider      *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);
  g_autoptr(GTask) task = NULL;
  ListModelsData *data;

  g_return_if_fail (CONFAB_IS_PROVIDER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_provider_list_models_async);

  if (confab_provider_needs_key (self) && priv->api_key == NULL)
    {
      g_task_return_error (task, _confab_provider_no_key_error (self));
      return;
    }

  data = g_new0 (ListModelsData, 1);
  data->message = CONFAB_PROVIDER_GET_CLASS (self)->build_models_message (self);
  g_task_set_task_data (task, data, (GDestroyNotify) list_models_data_free);

  soup_session_send_async (priv->session, data->message, G_PRIORITY_DEFAULT, cancellable,
                           list_models_sent_cb, g_steal_pointer (&task));
}

GPtrArray *
confab_provider_list_models_finish (ConfabProvider  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
