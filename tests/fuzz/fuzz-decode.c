/* fuzz-decode.c: a provider's stream decoder (built once per wire with
 * FUZZ_WIRE), fed the bytes of a reply in random pieces
 *
 * The decoder must never crash, never keep more than its bound, and any
 * text it gives the reply must be valid UTF-8.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-provider-private.h"
#include "fuzz-common.h"

static void
text_cb (const char *text,
         gpointer    user_data)
{
  gsize *total = user_data;

  g_assert_nonnull (text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  *total += strlen (text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ConfabStreamDecoder) decoder = NULL;
  g_autoptr(GError) error = NULL;
  ConfabStreamState state;
  FuzzSplit split;
  const uint8_t *piece;
  size_t length;
  gsize total = 0;
  gboolean ok = TRUE;

  fuzz_init_once ();
  _confab_stream_state_init (&state, "Fuzz", "fuzz-model");
  state.text_func = text_cb;
  state.text_data = &total;
  decoder = _confab_stream_decoder_new (_confab_wire_get_decode_func (FUZZ_WIRE), &state);
  /* A small bound, so that the fuzzer reaches it. */
  _confab_stream_decoder_set_max_event_size (decoder, 4096);

  fuzz_split_init (&split, data, size);
  while (ok && fuzz_split_next (&split, &piece, &length))
    ok = _confab_stream_decoder_feed (decoder, piece, length, &error);
  if (ok)
    ok = _confab_stream_decoder_finish (decoder, &error);

  /* Failing is fine; failing without saying why is not. */
  g_assert_true (ok || error != NULL);
  g_assert_true (g_utf8_validate (state.text->str, state.text->len, NULL));
  g_assert_cmpuint (state.text->len, ==, total);

  g_clear_pointer (&decoder, _confab_stream_decoder_free);
  _confab_stream_state_clear (&state);
  return 0;
}
