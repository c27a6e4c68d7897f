/* confab-json-depth.h: a bound on how deep untrusted JSON may nest
 *
 * JSON-GLib parses recursively, so a document of a few hundred thousand
 * "[" exhausts the stack and kills the process. Every parser of JSON from
 * outside (provider replies, room frames, imported files) checks the bytes
 * first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Deeper than any provider reply or export file Confab reads. */
#define CONFAB_JSON_MAX_DEPTH 256

/* Whether @text (@length bytes, -1: up to its NUL) nests objects and
 * arrays deeper than @max_depth. Brackets inside strings do not count. */
gboolean confab_json_nests_deeper (const char *text,
                                   gssize      length,
                                   guint       max_depth);

G_END_DECLS
