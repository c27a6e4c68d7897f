/* confab-provider-errors.c: one clear, actionable message per kind of
 * provider failure, and the JSON helpers the wire decoders share.
 *
 * The Retry-After of a RATE_LIMITED error travels inside the GError itself:
 * CONFAB_PROVIDER_ERROR is an extended error domain (G_DEFINE_EXTENDED_ERROR,
 * GLib 2.68) whose private data holds the seconds, so the value survives
 * g_error_copy() and GTask hand-offs with no side table to leak or go stale.
 * Errors of this domain built elsewhere with g_error_new() simply carry -1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-providers"

#include "config.h"

#include "confab-json-guard.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "confab-provider-private.h"

typedef struct
{
  gint64 retry_after;
} ConfabProviderErrorPrivate;

static void
confab_provider_error_private_init (ConfabProviderErrorPrivate *priv)
{
  priv->retry_after = -1;
}

static void
confab_provider_error_private_copy (const ConfabProviderErrorPrivate *src,
                                    ConfabProviderErrorPrivate       *dest)
{
  dest->retry_after = src->retry_after;
}

static void
confab_provider_error_private_clear (ConfabProviderErrorPrivate *priv)
{
}

G_DEFINE_EXTENDED_ERROR (ConfabProviderError, confab_provider_error)

gint64
confab_provider_error_get_retry_after (const GError *error)
{
  if (error == NULL || error->domain != CONFAB_PROVIDER_ERROR)
    return -1;

  return confab_provider_error_get_private (error)->retry_after;
}

GError *
_confab_provider_error_new (ConfabProviderError  code,
                            gint64               retry_after,
                            const char          *message)
{
  GError *error = g_error_new_literal (CONFAB_PROVIDER_ERROR, code, message);

  confab_provider_error_get_private (error)->retry_after = retry_after >= 0 ? retry_after : -1;

  return error;
}

/* The provider's text on one line and of a readable length. */
static char *
clean_detail (const char *detail)
{
  g_autofree char *valid = NULL;
  GString *out;

  if (detail == NULL)
    return NULL;

  valid = g_utf8_make_valid (detail, -1);
  out = g_string_new (NULL);
  for (const char *p = valid; *p; p++)
    {
      if (*p == '\n' || *p == '\r' || *p == '\t')
        {
          if (out->len > 0 && out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
        }
      else
        g_string_append_c (out, *p);
    }
  g_strstrip (out->str);
  g_string_set_size (out, strlen (out->str));

  if (g_utf8_strlen (out->str, -1) > 500)
    {
      g_autofree char *cut = g_utf8_substring (out->str, 0, 500);

      g_string_assign (out, cut);
      g_string_append (out, "…");
    }

  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }

  return g_string_free (out, FALSE);
}

GError *
_confab_provider_error_compose (const char          *provider_name,
                                const char          *model,
                                ConfabProviderError  code,
                                const char          *detail,
                                gint64               retry_after)
{
  g_autoptr(GString) message = g_string_new (NULL);
  g_autofree char *clean = clean_detail (detail);

  if (provider_name == NULL)
    provider_name = "The provider";

  switch (code)
    {
    case CONFAB_PROVIDER_ERROR_AUTH:
      g_string_append_printf (message,
                              "The API key for %s was refused. "
                              "Check it in Preferences → Providers.",
                              provider_name);
      break;

    case CONFAB_PROVIDER_ERROR_MODEL_NOT_FOUND:
      if (model != NULL)
        g_string_append_printf (message,
                                "%s has no model “%s”. Pick another model.",
                                provider_name, model);
      else
        g_string_append_printf (message, "%s could not find the model.", provider_name);
      break;

    case CONFAB_PROVIDER_ERROR_RATE_LIMITED:
      if (retry_after >= 0)
        g_string_append_printf (message,
                                "%s is rate limiting requests; try again in %" G_GINT64_FORMAT
                                " %s.",
                                provider_name, MAX (retry_after, 1),
                                retry_after > 1 ? "seconds" : "second");
      else
        g_string_append_printf (message,
                                "%s is rate limiting requests; try again in a moment.",
                                provider_name);
      break;

    case CONFAB_PROVIDER_ERROR_CONTEXT_LENGTH:
      g_string_append_printf (message,
                              "The conversation is too long for %s%s%s%s. Start a new chat "
                              "or pick a model with a larger context window.",
                              model ? "“" : "", model ? model : provider_name,
                              model ? "” at " : "", model ? provider_name : "");
      break;

    case CONFAB_PROVIDER_ERROR_OVERLOADED:
      g_string_append_printf (message,
                              "%s is overloaded; try again in a moment or switch model.",
                              provider_name);
      break;

    case CONFAB_PROVIDER_ERROR_BAD_REQUEST:
      g_string_append_printf (message, "%s rejected the request.", provider_name);
      break;

    case CONFAB_PROVIDER_ERROR_STREAM:
      g_string_append_printf (message,
                              "The reply was cut off: the stream from %s ended before the "
                              "reply was complete.",
                              provider_name);
      break;

    case CONFAB_PROVIDER_ERROR_NETWORK:
      g_string_append_printf (message, "Could not reach %s.", provider_name);
      break;

    case CONFAB_PROVIDER_ERROR_NO_KEY:
      g_string_append_printf (message, "No API key for %s.", provider_name);
      break;

    case CONFAB_PROVIDER_ERROR_FAILED:
    default:
      g_string_append_printf (message, "%s reported an error.", provider_name);
      break;
    }

  if (clean != NULL)
    g_string_append_printf (message, " %s said: %s", provider_name, clean);

  return _confab_provider_error_new (code,
                                     code == CONFAB_PROVIDER_ERROR_RATE_LIMITED ? retry_after : -1,
                                     message->str);
}

static gboolean
contains_ci (const char *haystack,
             const char *needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;

  folded = g_ascii_strdown (haystack, -1);

  return strstr (folded, needle) != NULL;
}

ConfabProviderError
_confab_provider_classify (guint       status,
                           const char *type,
                           const char *code,
                           const char *message)
{
  g_autofree char *words = g_strdup_printf ("%s %s", type ? type : "", code ? code : "");

  if (status == 401 || status == 403 ||
      contains_ci (words, "api_key_invalid") ||
      contains_ci (words, "invalid_api_key") ||
      contains_ci (words, "authentication") ||
      contains_ci (words, "permission") ||
      contains_ci (words, "unauthenticated"))
    return CONFAB_PROVIDER_ERROR_AUTH;

  /* Each provider words "too long" its own way, often only in the text. */
  if (status == 413 ||
      contains_ci (words, "context_length") ||
      contains_ci (message, "context length") ||
      contains_ci (message, "context window") ||
      contains_ci (message, "prompt is too long") ||
      contains_ci (message, "exceeds the maximum number of tokens"))
    return CONFAB_PROVIDER_ERROR_CONTEXT_LENGTH;

  if (status == 429 ||
      contains_ci (words, "rate_limit") ||
      contains_ci (words, "resource_exhausted"))
    return CONFAB_PROVIDER_ERROR_RATE_LIMITED;

  if (status == 404 ||
      contains_ci (words, "not_found") ||
      contains_ci (words, "model_not_found"))
    return CONFAB_PROVIDER_ERROR_MODEL_NOT_FOUND;

  if (status >= 500 ||
      contains_ci (words, "overloaded") ||
      contains_ci (words, "unavailable") ||
      contains_ci (words, "server_error") ||
      contains_ci (words, "api_error") ||
      contains_ci (words, "internal"))
    return CONFAB_PROVIDER_ERROR_OVERLOADED;

  if ((status >= 400 && status < 500) || contains_ci (words, "invalid"))
    return CONFAB_PROVIDER_ERROR_BAD_REQUEST;

  return CONFAB_PROVIDER_ERROR_FAILED;
}

gint64
_confab_parse_duration_seconds (const char *duration)
{
  char *end = NULL;
  double value;

  if (duration == NULL || *duration == '\0')
    return -1;

  value = g_ascii_strtod (duration, &end);
  if (end == duration || !isfinite (value) || value < 0 || value > G_MAXINT32)
    return -1;
  if (*end != '\0' && g_strcmp0 (end, "s") != 0)
    return -1;

  /* Rounded up (a wait too short is retried in vain); no libm for ceil(). */
  return (gint64) value + ((double) (gint64) value < value ? 1 : 0);
}

gint64
_confab_parse_retry_after (SoupMessageHeaders *headers)
{
  const char *value;

  if (headers == NULL)
    return -1;

  value = soup_message_headers_get_one (headers, "Retry-After");
  if (value != NULL)
    {
      g_autoptr(GDateTime) date = NULL;
      gint64 seconds = _confab_parse_duration_seconds (value);

      if (seconds >= 0)
        return seconds;

      date = soup_date_time_new_from_http_string (value);
      if (date != NULL)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

          return MAX (g_date_time_difference (date, now) / G_USEC_PER_SEC, 0);
        }
    }

  /* OpenAI also sends a millisecond variant. */
  value = soup_message_headers_get_one (headers, "retry-after-ms");
  if (value != NULL)
    {
      gint64 ms = _confab_parse_duration_seconds (value);

      if (ms >= 0)
        return (ms + 999) / 1000;
    }

  return -1;
}

char *
_confab_body_to_detail (GBytes *body)
{
  const char *data;
  gsize len;
  g_autofree char *text = NULL;

  if (body == NULL)
    return NULL;

  data = g_bytes_get_data (body, &len);
  if (len == 0 || len > 4096 || !g_utf8_validate_len (data, len, NULL))
    return NULL;

  text = g_strndup (data, len);
  g_strstrip (text);
  /* An HTML error page says nothing a person wants to read here. */
  if (*text == '\0' || *text == '<' || memchr (data, '\0', len) != NULL)
    return NULL;

  return clean_detail (text);
}

GError *
_confab_provider_no_key_error (ConfabProvider *self)
{
  g_autofree char *message =
    g_strdup_printf ("No API key for %s. Add one in Preferences or set %s.",
                     confab_provider_get_display_name (self),
                     confab_provider_get_key_env_var (self));

  return _confab_provider_error_new (CONFAB_PROVIDER_ERROR_NO_KEY, -1, message);
}

static char *
describe_host (ConfabProvider *self)
{
  g_autoptr(GUri) uri = g_uri_parse (confab_provider_get_base_url (self), G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (confab_provider_get_base_url (self));
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));

  return g_strdup (g_uri_get_host (uri));
}

GError *
_confab_provider_map_network_error (ConfabProvider *self,
                                    const GError   *error,
                                    gboolean        mid_stream)
{
  g_autofree char *host = describe_host (self);
  g_autofree char *message = NULL;
  const char *name = confab_provider_get_display_name (self);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (mid_stream)
    /* Translators: %s are a provider (“OpenAI”), a host and the system's
     * words for what happened. */
    message = g_strdup_printf (_("The connection to %s (%s) was lost before the reply was "
                                 "complete: %s. Try again."),
                               name, host, error->message);
  /* A reset, or a close, after the request went out: the server (or a
   * proxy or firewall on the way) gave up on it. */
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    /* Translators: %s are a provider, a host and the system's words for
     * what happened. */
    message = g_strdup_printf (_("%s (%s) closed the connection before answering. Try again; "
                                 "if it keeps happening, check the base URL and any proxy or "
                                 "firewall in between. (%s)"),
                               name, host, error->message);
  else if (error->domain == G_RESOLVER_ERROR)
    message = g_strdup_printf ("Could not reach %s: the host name %s could not be "
                               "resolved. Check the network connection and the base URL. (%s)",
                               name, host, error->message);
  else if (error->domain == G_TLS_ERROR)
    message = g_strdup_printf ("Could not reach %s: a secure connection to %s could not be "
                               "established. (%s)",
                               name, host, error->message);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    message = g_strdup_printf ("Could not reach %s: %s refused the connection. Is the server "
                               "running, and is the base URL right? (%s)",
                               name, host, error->message);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    message = g_strdup_printf ("Could not reach %s: %s did not answer in time. (%s)",
                               name, host, error->message);
  else
    message = g_strdup_printf ("Could not reach %s at %s: %s", name, host, error->message);

  return _confab_provider_error_new (CONFAB_PROVIDER_ERROR_NETWORK, -1, message);
}

/* "60 seconds", "10 minutes": a timeout as people read it. */
static char *
format_timeout (guint timeout_ms)
{
  guint seconds = (timeout_ms + 999) / 1000;

  if (seconds >= 60 && seconds % 60 == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute", "%u minutes",
                                         seconds / 60),
                            seconds / 60);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", seconds),
                          seconds);
}

GError *
_confab_provider_stalled_error (ConfabProvider    *self,
                                ConfabStreamStall  stall,
                                guint              timeout_ms,
                                gboolean           has_text)
{
  g_autofree char *host = describe_host (self);
  g_autofree char *duration = format_timeout (timeout_ms);
  const char *name = confab_provider_get_display_name (self);
  const char *advice = has_text ? _("The part that arrived is kept; try again.")
                                : _("Try again.");
  g_autofree char *what = NULL;
  g_autofree char *message = NULL;

  switch (stall)
    {
    case CONFAB_STREAM_STALLED_EVENT:
      /* Translators: %s are a provider (“OpenAI”), a host (“api.openai.com”)
       * and a duration (“60 seconds”). */
      what = g_strdup_printf (_("%s (%s) stopped sending in the middle of the reply: nothing "
                                "complete arrived for %s."),
                              name, host, duration);
      break;

    case CONFAB_STREAM_STALLED_KEEPALIVE:
      if (has_text)
        /* Translators: %s are a provider, a host and a duration (“10 minutes”). */
        what = g_strdup_printf (_("%s (%s) kept the connection open but sent nothing more of "
                                  "the reply for %s."),
                                name, host, duration);
      else
        /* Translators: %s are a provider, a host and a duration (“10 minutes”). */
        what = g_strdup_printf (_("%s (%s) kept the connection open but sent nothing of the "
                                  "reply for %s."),
                                name, host, duration);
      break;

    case CONFAB_STREAM_STALLED_BODY:
    default:
      /* Translators: %s are a provider, a host and a duration. */
      what = g_strdup_printf (_("%s (%s) started to answer but did not finish in %s."),
                              name, host, duration);
      break;
    }

  message = g_strconcat (what, " ", advice, NULL);

  return _confab_provider_error_new (CONFAB_PROVIDER_ERROR_NETWORK, -1, message);
}

/* ------------------------------------------------------------------------ */

JsonObject *
_confab_json_get_object (JsonObject *object,
                         const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
_confab_json_get_array (JsonObject *object,
                        const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;

  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

const char *
_confab_json_get_string (JsonObject *object,
                         const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

gboolean
_confab_json_get_int (JsonObject *object,
                      const char *member,
                      gint64     *value)
{
  JsonNode *node;
  GType type;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *value = json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      /* 2^63 itself does not fit: G_MAXINT64 as a double rounds up to it. */
      if (!isfinite (d) || d < (double) G_MININT64 || d >= -(double) G_MININT64)
        return FALSE;
      *value = (gint64) d;
    }
  else
    return FALSE;

  return TRUE;
}

JsonNode *
_confab_json_parse (const char *data,
                    gssize      len,
                    GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  /* An empty body (a proxy's bare 404) arrives as NULL. */
  if (data == NULL)
    {
      data = "";
      len = 0;
    }

  switch (confab_json_check (data, len, CONFAB_JSON_MAX_DEPTH))
    {
    case CONFAB_JSON_FAULT_TOO_DEEP:
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                   "nested more than %d deep", CONFAB_JSON_MAX_DEPTH);
      return NULL;
    case CONFAB_JSON_FAULT_TRAILING:
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                           "more than one JSON value");
      return NULL;
    case CONFAB_JSON_FAULT_BAD_SURROGATE:
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                           "malformed surrogate pair");
      return NULL;
    case CONFAB_JSON_FAULT_NOT_JSON:
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                           "a comment or a single-quoted string, not JSON");
      return NULL;
    case CONFAB_JSON_FAULT_NONE:
      break;
    }
  if (!json_parser_load_from_data (parser, data, len, error))
    return NULL;
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, "empty document");
      return NULL;
    }

  return json_node_ref (json_parser_get_root (parser));
}
