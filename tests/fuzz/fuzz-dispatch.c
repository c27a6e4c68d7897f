/* fuzz-dispatch.c: a frame from a signed-in client of confabd, through
 * the connection's checks and the hub's handlers, on a real SQLite store
 *
 * The first byte picks who sends it: the owner, an admin, a member or a
 * viewer of the room "rfuzz", or a user outside it. The rest is the frame,
 * delivered as libsoup delivers a WebSocket text message. Whatever it is,
 * confabd must not crash, leak or trip UBSan, and every answer it writes
 * must be a frame (checked by parsing what went out).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>

#include "confab-protocol.h"
#include "confabd-connection.h"
#include "confabd-hub.h"
#include "confabd-storage.h"
#include "fuzz-common.h"

static const char * const users[] = { "ada", "adm", "mem", "vie", "out" };
static const char * const roles[] = { "owner", "admin", "member", "viewer", NULL };

static ConfabdHub *hub;
static char *tokens[G_N_ELEMENTS (users)];

static void
set_up (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("confab-fuzz-dispatch-XXXXXX", &error);
  g_autoptr(ConfabdStorage) storage = NULL;
  g_autoptr(ConfabdRoom) room = NULL;

  g_assert_no_error (error);
  storage = confabd_storage_open (NULL, dir, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autoptr(ConfabdUser) user G_GNUC_UNUSED = confabd_storage_create_user (storage, users[i], "unused",
                                                                 &error);
      g_autofree char *hash = NULL;

      g_assert_no_error (error);
      tokens[i] = g_strdup_printf ("fuzz-token-%s-0123456789abcdef", users[i]);
      hash = confab_protocol_hash_token (tokens[i]);
      confabd_storage_create_session (storage, hash, users[i], G_MAXINT32, &error);
      g_assert_no_error (error);
    }

  room = confabd_storage_create_room (storage, "rfuzz", "Fuzz", "ada", &error);
  g_assert_no_error (error);
  for (guint i = 1; roles[i] != NULL; i++)
    {
      confabd_storage_set_member (storage, "rfuzz", users[i], roles[i], &error);
      g_assert_no_error (error);
    }

  hub = confabd_hub_new (storage, TRUE);
}

static void
deliver (SoupWebsocketConnection *websocket,
         const char              *text,
         gsize                    length)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, length);

  g_signal_emit_by_name (websocket, "message", SOUP_WEBSOCKET_DATA_TEXT, bytes);
}

/* Everything written to @output is frames. */
static void
assert_frames (GMemoryOutputStream *output)
{
  const guint8 *data = g_memory_output_stream_get_data (output);
  gsize size = g_memory_output_stream_get_data_size (output);
  gsize at = 0;

  /* Unmasked server frames: FIN|opcode, then a 7, 16 or 64 bit length. */
  while (at + 2 <= size)
    {
      guint opcode = data[at] & 0x0f;
      guint64 length = data[at + 1] & 0x7f;
      gsize header = 2;

      if (length == 126 && at + 4 <= size)
        {
          length = (guint64) data[at + 2] << 8 | data[at + 3];
          header = 4;
        }
      else if (length == 127 && at + 10 <= size)
        {
          length = 0;
          for (guint i = 0; i < 8; i++)
            length = length << 8 | data[at + 2 + i];
          header = 10;
        }
      g_assert_cmpuint (at + header + length, <=, size);
      if (opcode == 1)
        {
          g_autoptr(JsonNode) node = NULL;
          g_autoptr(GError) error = NULL;

          node = confab_protocol_parse ((const char *) data + at + header, length, NULL, &error);
          g_assert_no_error (error);
        }
      at += header + length;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GOutputStream) output = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(SoupWebsocketConnection) websocket = NULL;
  g_autoptr(GSocketAddress) peer = NULL;
  g_autoptr(ConfabdConnection) connection = NULL;
  g_autofree char *auth = NULL;
  guint who;

  fuzz_init_once ();
  if (hub == NULL)
    set_up ();
  if (size == 0)
    return 0;
  who = data[0] % G_N_ELEMENTS (users);

  input = g_memory_input_stream_new ();
  output = g_memory_output_stream_new_resizable ();
  stream = g_simple_io_stream_new (input, output);
  uri = g_uri_parse ("ws://127.0.0.1/ws", G_URI_FLAGS_NONE, NULL);
  websocket = soup_websocket_connection_new (stream, uri, SOUP_WEBSOCKET_CONNECTION_SERVER, NULL,
                                             NULL, NULL);
  peer = g_inet_socket_address_new_from_string ("127.0.0.1", 40000);
  connection = confabd_connection_new (hub, websocket, peer);
  confabd_hub_add_connection (hub, connection);

  auth = g_strdup_printf ("{\"type\":\"auth\",\"token\":\"%s\"}", tokens[who]);
  deliver (websocket, auth, strlen (auth));
  deliver (websocket, (const char *) data + 1, size - 1);

  /* SQLite never yields: the frames are handled. What libsoup queued goes
   * out, then the connection ends as a closed socket would end it. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  assert_frames (G_MEMORY_OUTPUT_STREAM (output));
  g_signal_emit_by_name (websocket, "closed");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (confabd_hub_get_n_connections (hub), ==, 0);
  return 0;
}
