/* confab-provider.h: one configured model provider (an account at a base
 * URL), speaking one wire protocol.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "confab-chat-request.h"
#include "confab-model-info.h"
#include "confab-reply.h"

G_BEGIN_DECLS

#define CONFAB_PROVIDER_ERROR (confab_provider_error_quark ())

typedef enum
{
  CONFAB_PROVIDER_ERROR_FAILED,
  CONFAB_PROVIDER_ERROR_NO_KEY,          /* no API key configured */
  CONFAB_PROVIDER_ERROR_AUTH,            /* 401/403, Gemini's API_KEY_INVALID */
  CONFAB_PROVIDER_ERROR_MODEL_NOT_FOUND, /* 404 */
  CONFAB_PROVIDER_ERROR_RATE_LIMITED,    /* 429, see confab_provider_error_get_retry_after */
  CONFAB_PROVIDER_ERROR_CONTEXT_LENGTH,  /* the prompt is too long for the model */
  CONFAB_PROVIDER_ERROR_BAD_REQUEST,     /* any other 4xx */
  CONFAB_PROVIDER_ERROR_OVERLOADED,      /* 5xx, 529, Anthropic overloaded_error */
  CONFAB_PROVIDER_ERROR_NETWORK,         /* DNS, TLS, refused, reset */
  CONFAB_PROVIDER_ERROR_STREAM,          /* malformed, or ended without its final event */
} ConfabProviderError;

typedef enum
{
  CONFAB_WIRE_OPENAI,     /* Chat Completions: OpenAI and every compatible server */
  CONFAB_WIRE_ANTHROPIC,  /* Messages */
  CONFAB_WIRE_GEMINI,     /* generateContent */
} ConfabWireFormat;

GQuark confab_provider_error_quark (void);

#define CONFAB_TYPE_PROVIDER (confab_provider_get_type ())
G_DECLARE_DERIVABLE_TYPE (ConfabProvider, confab_provider, CONFAB, PROVIDER, GObject)

struct _ConfabProviderClass
{
  GObjectClass parent_class;

  /* The POST that streams a reply to request. */
  SoupMessage *(*build_chat_message)   (ConfabProvider    *self,
                                        ConfabChatRequest *request,
                                        GError           **error);
  SoupMessage *(*build_models_message) (ConfabProvider    *self);
  /* Returns ConfabModelInfo objects. */
  GPtrArray   *(*parse_models)         (ConfabProvider    *self,
                                        GBytes            *body,
                                        GError           **error);
  /* Maps a non-2xx answer to a clear, actionable error. */
  GError      *(*map_http_error)       (ConfabProvider      *self,
                                        guint                status,
                                        SoupMessageHeaders  *headers,
                                        GBytes              *body);

  gpointer padding[8];
};

/* Known provider ids: "openai", "anthropic", "gemini", "openrouter", "ollama".
 * base_url NULL picks the provider's default (or its environment variable,
 * e.g. OPENAI_BASE_URL, OLLAMA_HOST); a base URL works with or without /v1. */
ConfabProvider  *confab_provider_new            (const char      *id,
                                                 const char      *base_url,
                                                 GError         **error);
const char     **confab_provider_list_known_ids (void);

const char      *confab_provider_get_id          (ConfabProvider *self);
const char      *confab_provider_get_display_name (ConfabProvider *self);
ConfabWireFormat confab_provider_get_wire_format (ConfabProvider *self);
const char      *confab_provider_get_base_url    (ConfabProvider *self);
/* Whether requests need a key (Ollama does not). */
gboolean         confab_provider_needs_key       (ConfabProvider *self);
/* Held in memory only, never logged. */
void             confab_provider_set_api_key     (ConfabProvider *self,
                                                  const char     *api_key);
const char      *confab_provider_get_api_key     (ConfabProvider *self);
/* The environment variable that supplies the key, e.g. "OPENAI_API_KEY". */
const char      *confab_provider_get_key_env_var (ConfabProvider *self);

/* Starts nothing: run it with confab_reply_run_async(). */
ConfabReply     *confab_provider_chat            (ConfabProvider    *self,
                                                  ConfabChatRequest *request);

void             confab_provider_list_models_async  (ConfabProvider       *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GPtrArray       *confab_provider_list_models_finish (ConfabProvider       *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* Seconds to wait from a RATE_LIMITED error, or -1. */
gint64           confab_provider_error_get_retry_after (const GError *error);

G_END_DECLS
