/* confab-fake-provider-private.h: shared by the fake provider's files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-fake-provider.h"

G_BEGIN_DECLS

typedef enum
{
  FAKE_END_NORMAL,
  FAKE_END_MALFORMED,
  FAKE_END_DROP,
  FAKE_END_STALL,
  FAKE_END_ERROR_EVENT,
  FAKE_END_RESET,       /* ConfabFakeScript.reset says where */
} FakeEnd;

struct _ConfabFakeScript
{
  gatomicrefcount  ref_count;
  char           **tokens;          /* NULL: the echo reply */
  guint            delay_ms;
  gint64           input_tokens;
  gint64           output_tokens;
  char            *finish_reason;
  guint            http_status;     /* 0: stream */
  char            *http_body;
  char            *http_content_type;
  GPtrArray       *header_names;
  GPtrArray       *header_values;
  FakeEnd          end;
  guint            end_after;
  char            *error_type;
  char            *error_message;
  gboolean         omit_final;
  GBytes          *replay;
  char            *replay_content_type;
  GArray          *splits;          /* of gsize */
  ConfabFakeReset  reset;
  guint            trickle_after;
  guint            trickle_bytes;    /* 0: no trickle */
  guint            trickle_interval;
  guint            n_keepalives;
  guint            keepalive_interval;
  guint            repeat;           /* ≥ 1 */
};

/* A stream as written: its pieces, the pause before each, and the range
 * of pieces sent repeat times over. */
typedef struct
{
  GPtrArray *pieces;         /* of GBytes */
  GArray    *delays;         /* of guint, milliseconds */
  guint      repeat_start;
  guint      repeat_end;     /* == repeat_start: nothing repeated */
  guint      repeat;
} FakePlan;

FakePlan *_confab_fake_plan_new  (void);
void      _confab_fake_plan_free (FakePlan *plan);
void      _confab_fake_plan_add  (FakePlan *plan,
                                  GBytes   *piece,
                                  guint     delay_ms);
/* Pieces from index first on become one, cut into pieces of bytes bytes,
 * interval_ms apart. */
void      _confab_fake_plan_trickle (FakePlan *plan,
                                     guint     first,
                                     guint     bytes,
                                     guint     interval_ms);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakePlan, _confab_fake_plan_free)

/* Adds the pieces of a streamed answer in route's wire format to plan,
 * delay_ms apart (keep-alives and a trickle at their own pace). */
void _confab_fake_script_build_stream (ConfabFakeScript   *script,
                                       const char         *route,
                                       const char         *model,
                                       const char * const *tokens,
                                       gint64              input_tokens,
                                       guint               delay_ms,
                                       FakePlan           *plan);

/* Words of every "content", "text" and "system" string (the default input
 * usage) under node, member being node's name in its parent. */
guint  _confab_fake_count_request_words (JsonNode           *node,
                                         const char         *member);
/* The last user turn's text in any of the three request shapes. */
char  *_confab_fake_last_user_text      (JsonNode           *root,
                                         const char         *route);
/* "a b  c" → "a", " b", "  c": the echo reply's pieces. */
char **_confab_fake_split_words         (const char         *text);
void   _confab_fake_respond_json        (SoupServerMessage  *msg,
                                         guint               status,
                                         const char         *json);
void   _confab_fake_respond_not_found   (SoupServerMessage  *msg,
                                         const char         *path);
/* The body a real server sends with HTTP status (an error) for a chat
 * request on route ("openai", "anthropic", "gemini") about model. */
char  *_confab_fake_error_body          (const char         *route,
                                         guint               status,
                                         const char         *model);
/* The list for a "*-models" or "ollama-tags" route; custom NULL gives
 * typical names for that provider. */
void   _confab_fake_respond_models      (SoupServerMessage  *msg,
                                         const char         *route,
                                         const char * const *custom);

G_END_DECLS
