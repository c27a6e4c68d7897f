/* confab-reply.h: one streamed reply from a model.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_REPLY (confab_reply_get_type ())
G_DECLARE_FINAL_TYPE (ConfabReply, confab_reply, CONFAB, REPLY, GObject)

/* Streams the reply; "delta" is emitted (on the caller's main context) for
 * each piece of text as it arrives. On error or cancellation the text
 * received so far stays available. */
void        confab_reply_run_async         (ConfabReply          *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean    confab_reply_run_finish        (ConfabReply          *self,
                                            GAsyncResult         *result,
                                            GError              **error);

const char *confab_reply_get_text          (ConfabReply *self);
/* Normalized: "stop", "length", "content_filter", "tool_use", or the
 * provider's own word; NULL until known. */
const char *confab_reply_get_stop_reason   (ConfabReply *self);
/* -1 when the provider did not say. */
gint64      confab_reply_get_input_tokens  (ConfabReply *self);
gint64      confab_reply_get_output_tokens (ConfabReply *self);
/* The model name the provider reported (may carry a version suffix). */
const char *confab_reply_get_model         (ConfabReply *self);

G_END_DECLS
