/* fuzz-common.h: what the libFuzzer harnesses share
 *
 * Written by hand: libFuzzer's FuzzedDataProvider is C++ only, and these
 * harnesses need just one thing from it, cutting the input into pieces.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Cuts the input after its first byte into pieces of 1 to 64 bytes, the
 * sizes drawn from a generator seeded by that byte: the same input always
 * gives the same cuts, and the fuzzer explores both. */
typedef struct
{
  const uint8_t *data;
  size_t         size;
  size_t         offset;
  guint32        state;
} FuzzSplit;

static inline void
fuzz_split_init (FuzzSplit     *split,
                 const uint8_t *data,
                 size_t         size)
{
  split->state = size > 0 ? data[0] * 2654435761u + 1 : 1;
  split->data = size > 0 ? data + 1 : data;
  split->size = size > 0 ? size - 1 : 0;
  split->offset = 0;
}

/* The next piece, FALSE at the end. */
static inline gboolean
fuzz_split_next (FuzzSplit      *split,
                 const uint8_t **piece,
                 size_t         *length)
{
  size_t left = split->size - split->offset;

  if (left == 0)
    return FALSE;
  split->state = split->state * 1103515245u + 12345u;
  *length = MIN (left, 1 + (split->state >> 16) % 64);
  *piece = split->data + split->offset;
  split->offset += *length;
  return TRUE;
}

/* Warnings and criticals abort: they are bugs here too. */
static inline GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  /* Messages and debug lines (a refused frame is logged) only slow the
   * fuzzer down; warnings and criticals are printed, then abort. */
  if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) == 0)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static inline void
fuzz_init_once (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
      g_once_init_leave (&done, 1);
    }
}
