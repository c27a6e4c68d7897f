/* confab-json-guard.h: what untrusted JSON must pass before JSON-GLib sees it
 *
 * JSON-GLib 1.6 has three weaknesses with hostile input:
 * - it parses recursively, so a document of a few hundred thousand "["
 *   exhausts the stack and kills the process;
 * - it accepts several top-level values ("{}{}"), keeps the first and
 *   leaks the others, so a peer repeating such frames grows the server's
 *   memory without bound (found by fuzz-dispatch and fuzz-import);
 * - on a surrogate escape followed by a second "\u" escape, the two not a
 *   high and a low surrogate ("\ud800\u0041"), it fails and leaks the
 *   string read so far, up to the whole frame (found by fuzz-frame).
 * What JSON-GLib reads beyond JSON (comments, single-quoted strings) could
 * hide a second value or a bad escape from the check: it is refused too.
 * Every parser of JSON from outside (provider replies, room frames,
 * imported files) checks the bytes first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Deeper than any provider reply or export file Confab reads. */
#define CONFAB_JSON_MAX_DEPTH 256

typedef enum {
  CONFAB_JSON_FAULT_NONE,
  CONFAB_JSON_FAULT_TOO_DEEP,   /* objects and arrays nest too deep */
  CONFAB_JSON_FAULT_TRAILING,   /* something follows the first value */
  CONFAB_JSON_FAULT_BAD_SURROGATE, /* "\ud800\u0041" */
  CONFAB_JSON_FAULT_NOT_JSON,   /* a comment or a 'single-quoted' string */
} ConfabJsonFault;

/* Checks @text (@length bytes, -1: up to its NUL) for the faults above.
 * Brackets inside strings do not count. Anything else wrong with the text
 * (an unterminated string, a bad token) is left for JSON-GLib to report. */
ConfabJsonFault confab_json_check (const char *text,
                                   gssize      length,
                                   guint       max_depth);

/* Checks @text (NUL-terminated) as above at CONFAB_JSON_MAX_DEPTH, then
 * parses it: a JSON object, or NULL with a G_IO_ERROR_INVALID_DATA error
 * saying what is wrong. For JSON that Confab wrote itself but read back
 * from outside the process (a database, another instance over Redis). */
JsonNode *confab_json_parse_object (const char  *text,
                                    GError     **error);

G_END_DECLS
