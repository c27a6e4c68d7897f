/* confab-fake-provider.h: an in-process HTTP server speaking the OpenAI,
 * Anthropic, Gemini and Ollama wire formats, scriptable per request and
 * recording every request, for tests and for trying Confab without a key.
 *
 * Routes (the real paths, so a base URL is all a client changes):
 *   POST /v1/chat/completions                       OpenAI Chat Completions
 *   POST /v1/messages                               Anthropic Messages
 *   POST /v1beta/models/MODEL:streamGenerateContent Gemini (SSE, CRLF framing)
 *   GET  /v1/models                                 OpenAI list, or Anthropic's
 *                                                   when anthropic-version is sent
 *   GET  /v1beta/models                             Gemini list
 *   GET  /api/tags                                  Ollama list
 *
 * Which script answers a request: the first queued one
 * (confab_fake_provider_push_script, any route), else the model's failure
 * (confab_fake_provider_set_model_failure, chat routes), else the model's
 * script (confab_fake_provider_set_model_script, chat routes), else the
 * default: "Echo from MODEL: <last user text>" streamed word by word.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------------ */
/* What to answer one request with. */

typedef struct _ConfabFakeScript ConfabFakeScript;

#define CONFAB_TYPE_FAKE_SCRIPT (confab_fake_script_get_type ())
GType             confab_fake_script_get_type           (void) G_GNUC_CONST;

ConfabFakeScript *confab_fake_script_new                (void);
ConfabFakeScript *confab_fake_script_ref                (ConfabFakeScript   *self);
void              confab_fake_script_unref              (ConfabFakeScript   *self);

/* The pieces of text to stream, in the request's wire format. */
void              confab_fake_script_set_tokens         (ConfabFakeScript   *self,
                                                         const char * const *tokens);
/* Pause before each piece written (tokens, or replay pieces). */
void              confab_fake_script_set_delay          (ConfabFakeScript   *self,
                                                         guint               delay_ms);
/* Reported usage; -1 (the default) counts words in and pieces out. */
void              confab_fake_script_set_usage          (ConfabFakeScript   *self,
                                                         gint64              input_tokens,
                                                         gint64              output_tokens);
/* "stop" (default) or "length", written in the wire's own word. */
void              confab_fake_script_set_finish_reason  (ConfabFakeScript   *self,
                                                         const char         *reason);
/* Answer with this status and body (Content-Type application/json unless
 * content_type says otherwise) instead of a stream. */
void              confab_fake_script_set_http_error     (ConfabFakeScript   *self,
                                                         guint               status,
                                                         const char         *body,
                                                         const char         *content_type);
/* Extra response header (e.g. Retry-After), on any answer. */
void              confab_fake_script_add_header         (ConfabFakeScript   *self,
                                                         const char         *name,
                                                         const char         *value);
/* After n_tokens pieces: send an event whose JSON is cut in half, then end. */
void              confab_fake_script_set_malformed_after (ConfabFakeScript  *self,
                                                          guint              n_tokens);
/* After n_tokens pieces are on the wire: close the TCP connection. */
void              confab_fake_script_set_drop_after     (ConfabFakeScript   *self,
                                                         guint               n_tokens);
/* After n_tokens pieces: send nothing more, keep the connection open. */
void              confab_fake_script_set_stall_after    (ConfabFakeScript   *self,
                                                         guint               n_tokens);
/* After n_tokens pieces: the wire's in-stream error event (Anthropic's
 * "event: error", an {"error":{...}} chunk for OpenAI and Gemini), then end. */
void              confab_fake_script_set_error_event_after (ConfabFakeScript *self,
                                                            guint             n_tokens,
                                                            const char       *type,
                                                            const char       *message);
/* Where a connection reset (an RST, as from a crashed server or a
 * middlebox; set_drop_after is a clean close) cuts the answer. */
typedef enum
{
  CONFAB_FAKE_RESET_NONE,
  CONFAB_FAKE_RESET_BEFORE_HEADERS,  /* the request read, no answer at all */
  CONFAB_FAKE_RESET_AFTER_HEADERS,   /* status 200 and the stream's headers, no body */
  CONFAB_FAKE_RESET_MID_BODY,        /* after n_tokens pieces */
} ConfabFakeReset;

/* n_tokens counts only for CONFAB_FAKE_RESET_MID_BODY. */
void              confab_fake_script_set_reset          (ConfabFakeScript   *self,
                                                         ConfabFakeReset     when,
                                                         guint               n_tokens);
/* A slow-loris server: after n_tokens pieces at the normal pace, the rest
 * of the stream bytes at a time, one write every interval_ms. */
void              confab_fake_script_set_trickle        (ConfabFakeScript   *self,
                                                         guint               n_tokens,
                                                         guint               bytes,
                                                         guint               interval_ms);
/* Before the first token, count keep-alives one every interval_ms, each the
 * wire's own: Anthropic's "ping" event, an SSE comment for the others. */
void              confab_fake_script_set_keepalives     (ConfabFakeScript   *self,
                                                         guint               count,
                                                         guint               interval_ms);
/* The tokens, all of them, sent n_times over (default 1); written as they
 * go, so a reply of any length costs no memory here. */
void              confab_fake_script_set_repeat         (ConfabFakeScript   *self,
                                                         guint               n_times);
/* End the body cleanly but without the wire's final event. */
void              confab_fake_script_set_omit_final     (ConfabFakeScript   *self,
                                                         gboolean            omit);
/* Send body verbatim (status 200), written in pieces cut at the given byte
 * offsets (ascending; none: one piece). */
void              confab_fake_script_set_replay         (ConfabFakeScript   *self,
                                                         GBytes             *body,
                                                         const char         *content_type,
                                                         const gsize        *splits,
                                                         guint               n_splits);
gboolean          confab_fake_script_set_replay_file    (ConfabFakeScript   *self,
                                                         const char         *path,
                                                         const char         *content_type,
                                                         const gsize        *splits,
                                                         guint               n_splits,
                                                         GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabFakeScript, confab_fake_script_unref)

/* ------------------------------------------------------------------------ */
/* A request as received. */

typedef struct
{
  char               *method;
  char               *path;
  char               *query;    /* NULL when none */
  SoupMessageHeaders *headers;
  GBytes             *body;
  char               *model;    /* chat routes: the model asked for */
  char               *route;    /* "openai", "anthropic", "gemini", "openai-models",
                                 * "anthropic-models", "gemini-models", "ollama-tags" */
} ConfabFakeRequest;

#define CONFAB_TYPE_FAKE_PROVIDER (confab_fake_provider_get_type ())
G_DECLARE_FINAL_TYPE (ConfabFakeProvider, confab_fake_provider,
                      CONFAB, FAKE_PROVIDER, GObject)

/* Listens on 127.0.0.1; port 0 picks a free one. */
ConfabFakeProvider      *confab_fake_provider_new              (guint16              port,
                                                                GError             **error);
/* "http://127.0.0.1:PORT", the base URL for every provider id. */
const char              *confab_fake_provider_get_url          (ConfabFakeProvider  *self);
guint16                  confab_fake_provider_get_port         (ConfabFakeProvider  *self);

void                     confab_fake_provider_push_script      (ConfabFakeProvider  *self,
                                                                ConfabFakeScript    *script);
void                     confab_fake_provider_set_model_script (ConfabFakeProvider  *self,
                                                                const char          *model,
                                                                ConfabFakeScript    *script);
/* Chat requests for model answer with HTTP status (400–599) and the body
 * the real server sends with it, in the request's wire format (OpenAI's
 * error object, Anthropic's "type":"error", Gemini's google.rpc status):
 * the next count requests, or every one when count is 0. Status 0 ends it. */
void                     confab_fake_provider_set_model_failure (ConfabFakeProvider *self,
                                                                 const char         *model,
                                                                 guint               status,
                                                                 guint               count);
/* Delay per piece of the default echo reply (default 0). */
void                     confab_fake_provider_set_default_delay (ConfabFakeProvider *self,
                                                                 guint               delay_ms);
/* The model names every list answers with (NULL restores the defaults). */
void                     confab_fake_provider_set_models       (ConfabFakeProvider  *self,
                                                                const char * const  *models);

guint                    confab_fake_provider_get_n_requests   (ConfabFakeProvider  *self);
const ConfabFakeRequest *confab_fake_provider_get_request      (ConfabFakeProvider  *self,
                                                                guint                index);
void                     confab_fake_provider_clear_requests   (ConfabFakeProvider  *self);
/* Streams still being written (stalled ones included). */
guint                    confab_fake_provider_get_n_streams    (ConfabFakeProvider  *self);

G_END_DECLS
