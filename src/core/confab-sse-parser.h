/* confab-sse-parser.h: a push parser for text/event-stream.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *type;          /* "message" when the stream names none */
  const char *data;          /* the data lines joined with LF */
  const char *last_event_id;
} ConfabSseEvent;

typedef void (*ConfabSseEventFunc) (const ConfabSseEvent *event,
                                    gpointer              user_data);

typedef struct _ConfabSseParser ConfabSseParser;

ConfabSseParser *confab_sse_parser_new       (void);
void             confab_sse_parser_free      (ConfabSseParser    *self);
/* Feeds any number of bytes (split anywhere, even inside a UTF-8 character)
 * and calls func for every event completed by them. */
void             confab_sse_parser_feed      (ConfabSseParser    *self,
                                              const guint8       *bytes,
                                              gsize               len,
                                              ConfabSseEventFunc  func,
                                              gpointer            user_data);
/* End of stream. As the standard says, an event without its closing blank
 * line is discarded; returns TRUE if something was pending (the stream was
 * cut short), which callers may treat as an error. */
gboolean         confab_sse_parser_finish    (ConfabSseParser    *self);
/* TRUE while an event is partly received: a line without its end, or
 * fields without the blank line that ends the event. Comment lines (the
 * keep-alives of most servers) leave the parser between events. */
gboolean         confab_sse_parser_in_event  (ConfabSseParser    *self);
/* Blank lines so far: how many events ended, dispatched or not. */
guint64          confab_sse_parser_get_n_ends (ConfabSseParser   *self);
/* The last valid retry: value in milliseconds, or -1. */
gint64           confab_sse_parser_get_retry (ConfabSseParser    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabSseParser, confab_sse_parser_free)

G_END_DECLS
