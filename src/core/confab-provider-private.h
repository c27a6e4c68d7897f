/* confab-provider-private.h: what the provider classes, the reply and the
 * tests share, but the app does not see.
 *
 * The stream decoders are pure functions (an event in, the reply state and
 * maybe an error out) so the tests can replay recorded streams split at every
 * byte without HTTP, and a fuzzer can drive them later.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "confab-provider.h"
#include "confab-sse-parser.h"

G_BEGIN_DECLS

/* Bounds on what a server can make us buffer. */
#define CONFAB_STREAM_MAX_EVENT_SIZE   (8 * 1024 * 1024)
#define CONFAB_ERROR_BODY_MAX_SIZE     (1024 * 1024)
#define CONFAB_MODELS_BODY_MAX_SIZE    (16 * 1024 * 1024)
#define CONFAB_STREAM_READ_SIZE        8192
/* A reply's text: far above any model's output limit (a few hundred KiB),
 * low enough that the chat view and the store stay responsive. */
#define CONFAB_REPLY_MAX_TEXT_SIZE     (4 * 1024 * 1024)

/* Once a stream has started: an event that began to arrive must be whole
 * within this (a slow-loris server trickles bytes and never finishes one),
 * and keep-alives alone may hold it open this long (reasoning models send
 * only those while they think). Milliseconds; the provider's properties. */
#define CONFAB_STREAM_EVENT_TIMEOUT_MS     (60 * 1000)
#define CONFAB_STREAM_KEEPALIVE_TIMEOUT_MS (10 * 60 * 1000)

/* ------------------------------------------------------------------------ */
/* The state of one reply as its events arrive. */

typedef void (*ConfabStreamTextFunc) (const char *text,
                                      gpointer    user_data);

typedef struct
{
  char                 *provider_name;    /* "OpenAI", for messages */
  char                 *requested_model;  /* what we asked for, for messages */
  GString              *text;
  char                 *model;            /* what the provider reported */
  char                 *stop_reason;      /* normalized */
  gint64                input_tokens;
  gint64                output_tokens;
  gboolean              finished;         /* the wire's final event arrived */
  gsize                 max_text;         /* text beyond it is dropped */
  gboolean              too_long;         /* some was */
  ConfabStreamTextFunc  text_func;
  gpointer              text_data;
} ConfabStreamState;

void      _confab_stream_state_init            (ConfabStreamState *state,
                                                const char        *provider_name,
                                                const char        *requested_model);
void      _confab_stream_state_clear           (ConfabStreamState *state);
/* Appends up to state->max_text bytes in all (cut at a character), and
 * sets state->too_long when some text did not fit. */
void      _confab_stream_state_add_text        (ConfabStreamState *state,
                                                const char        *text);
void      _confab_stream_state_set_model       (ConfabStreamState *state,
                                                const char        *model);
void      _confab_stream_state_set_stop_reason (ConfabStreamState *state,
                                                const char        *stop_reason);
/* STREAM: "The reply from X could not be read: <what>." */
GError   *_confab_stream_malformed_error       (ConfabStreamState *state,
                                                const char        *what);
/* STREAM: the text reached state->max_text and the rest was dropped. */
GError   *_confab_stream_too_long_error        (ConfabStreamState *state);
/* An error the provider reported inside the stream (status 0 if none). */
GError   *_confab_stream_provider_error        (ConfabStreamState *state,
                                                guint              status,
                                                const char        *type,
                                                const char        *code,
                                                const char        *message);
/* End of stream: an error unless the final event arrived. */
gboolean  _confab_stream_state_check_finished  (ConfabStreamState *state,
                                                GError           **error);

/* One event of a wire's stream. FALSE with error set for a malformed event
 * or an error the provider reported in the stream. */
typedef gboolean (*ConfabStreamDecodeFunc) (ConfabStreamState    *state,
                                            const ConfabSseEvent *event,
                                            GError              **error);

gboolean _confab_openai_decode_event    (ConfabStreamState    *state,
                                         const ConfabSseEvent *event,
                                         GError              **error);
gboolean _confab_anthropic_decode_event (ConfabStreamState    *state,
                                         const ConfabSseEvent *event,
                                         GError              **error);
gboolean _confab_gemini_decode_event    (ConfabStreamState    *state,
                                         const ConfabSseEvent *event,
                                         GError              **error);

ConfabStreamDecodeFunc _confab_wire_get_decode_func (ConfabWireFormat wire);

/* ------------------------------------------------------------------------ */
/* Bytes in, events decoded, with the memory bound; the first error sticks. */

typedef struct _ConfabStreamDecoder ConfabStreamDecoder;

ConfabStreamDecoder *_confab_stream_decoder_new    (ConfabStreamDecodeFunc  func,
                                                    ConfabStreamState      *state);
void                 _confab_stream_decoder_free   (ConfabStreamDecoder    *self);
void                 _confab_stream_decoder_set_max_event_size (ConfabStreamDecoder *self,
                                                                gsize                max);
gboolean             _confab_stream_decoder_feed   (ConfabStreamDecoder    *self,
                                                    const guint8           *data,
                                                    gsize                   len,
                                                    GError                **error);
gboolean             _confab_stream_decoder_finish (ConfabStreamDecoder    *self,
                                                    GError                **error);
/* For the deadlines: whether an event is partly received, how many events
 * ended (blank lines), and how many events other than keep-alives (SSE
 * comments, "ping" events) were decoded. */
gboolean             _confab_stream_decoder_in_event   (ConfabStreamDecoder *self);
guint64              _confab_stream_decoder_get_n_ends (ConfabStreamDecoder *self);
guint64              _confab_stream_decoder_get_n_progress (ConfabStreamDecoder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabStreamDecoder, _confab_stream_decoder_free)

/* ------------------------------------------------------------------------ */
/* Errors: one message per kind, the provider's own words appended. */

GError   *_confab_provider_error_new        (ConfabProviderError  code,
                                             gint64               retry_after,
                                             const char          *message);
/* The message for code from the provider's name, the model (for 404) and the
 * provider's own text (may be NULL). */
GError   *_confab_provider_error_compose    (const char          *provider_name,
                                             const char          *model,
                                             ConfabProviderError  code,
                                             const char          *detail,
                                             gint64               retry_after);
/* The kind of error from the status and the words a provider uses in its
 * error objects (type, code, status); status 0 when there was none. */
ConfabProviderError _confab_provider_classify (guint       status,
                                               const char *type,
                                               const char *code,
                                               const char *message);
/* Seconds from Retry-After (seconds or an HTTP date) or retry-after-ms, -1. */
gint64    _confab_parse_retry_after         (SoupMessageHeaders  *headers);
/* Gemini's "37s" / "1.5s" durations, -1 when absent or invalid. */
gint64    _confab_parse_duration_seconds    (const char          *duration);

/* Used by the subclasses' map_http_error: composes with this provider's
 * display name and the model of the request being mapped. */
GError   *_confab_provider_http_error       (ConfabProvider      *self,
                                             guint                status,
                                             SoupMessageHeaders  *headers,
                                             const char          *type,
                                             const char          *code,
                                             const char          *message,
                                             gint64               retry_after);
/* A body that is not the provider's JSON (a proxy's page): its text when
 * short and plain, else NULL. */
char     *_confab_body_to_detail            (GBytes              *body);
/* map_http_error with the request's model known, so 404 can name it. */
GError   *_confab_provider_map_http_error_for_model (ConfabProvider     *self,
                                                     const char         *model,
                                                     guint               status,
                                                     SoupMessageHeaders *headers,
                                                     GBytes             *body);
/* A GLib/libsoup transport error as NETWORK naming the host; CANCELLED kept. */
GError   *_confab_provider_map_network_error (ConfabProvider *self,
                                              const GError   *error,
                                              gboolean        mid_stream);
GError   *_confab_provider_no_key_error     (ConfabProvider *self);

typedef enum
{
  CONFAB_STREAM_STALLED_EVENT,      /* an event began and did not end in time */
  CONFAB_STREAM_STALLED_KEEPALIVE,  /* only keep-alives, for too long */
  CONFAB_STREAM_STALLED_BODY,       /* a whole body (headers, JSON, error) too slow */
} ConfabStreamStall;

/* NETWORK: the provider kept the connection open without finishing, after
 * timeout_ms; has_text says whether some of the reply arrived (and is kept). */
GError   *_confab_provider_stalled_error    (ConfabProvider    *self,
                                             ConfabStreamStall  stall,
                                             guint              timeout_ms,
                                             gboolean           has_text);

/* ------------------------------------------------------------------------ */
/* Helpers for the subclasses. */

/* Reads a whole body, at most max bytes (the rest is dropped and the
 * connection aborted), then closes the stream. */
void         _confab_read_bounded_async     (GInputStream        *stream,
                                             gsize                max,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GBytes      *_confab_read_bounded_finish    (GInputStream        *stream,
                                             GAsyncResult        *result,
                                             GError             **error);
/* Closes a response stream without reading the rest: libsoup's close would
 * otherwise block until the server finished sending. */
void         _confab_input_stream_abort     (GInputStream        *stream);

SoupSession *_confab_provider_get_session   (ConfabProvider *self);
/* The stream deadlines in milliseconds, 0 for none. */
guint        _confab_provider_get_event_timeout     (ConfabProvider *self);
guint        _confab_provider_get_keepalive_timeout (ConfabProvider *self);
void         _confab_provider_set_wire_format (ConfabProvider  *self,
                                               ConfabWireFormat wire);
/* base URL + path (path starts with "/"). */
SoupMessage *_confab_provider_new_message   (ConfabProvider *self,
                                             const char     *method,
                                             const char     *path);
void         _confab_provider_set_json_body (SoupMessage    *message,
                                             JsonBuilder    *builder);
/* The body set by _confab_provider_set_json_body(), or NULL. */
GBytes      *_confab_message_get_request_body (SoupMessage  *message);
/* OpenRouter's attribution headers and the like. */
void         _confab_provider_add_extra_headers (ConfabProvider *self,
                                                 SoupMessage    *message);

/* The turns for providers that demand user/assistant alternation starting
 * with a user turn: empty turns dropped, same-role neighbours joined with a
 * blank line, a placeholder user turn in front of a leading assistant one. */
GPtrArray   *_confab_chat_request_alternating_turns (ConfabChatRequest *request);
/* The turns with empty ones dropped (for providers that do not care). */
GPtrArray   *_confab_chat_request_nonempty_turns    (ConfabChatRequest *request);
#define CONFAB_PLACEHOLDER_USER_TURN "(The conversation so far.)"

/* JSON helpers that never warn on a missing or mistyped member. */
JsonObject  *_confab_json_get_object (JsonObject *object,
                                      const char *member);
JsonArray   *_confab_json_get_array  (JsonObject *object,
                                      const char *member);
const char  *_confab_json_get_string (JsonObject *object,
                                      const char *member);
gboolean     _confab_json_get_int    (JsonObject *object,
                                      const char *member,
                                      gint64     *value);
JsonNode    *_confab_json_parse      (const char *data,
                                      gssize      len,
                                      GError    **error);

ConfabReply *_confab_reply_new (ConfabProvider     *provider,
                                ConfabChatRequest  *request);

G_END_DECLS
