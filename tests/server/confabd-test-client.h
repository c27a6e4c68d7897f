/* confabd-test-client.h: a raw WebSocket client of confabd for tests
 *
 * Synchronous helpers over libsoup's WebSocket: each runs the default main
 * context until what it waits for arrives, or fails the test after
 * CONFABD_TEST_TIMEOUT seconds. Every frame received is queued in order;
 * the helpers take the frames they look for and leave the others.
 *
 * Frame formats are printf formats in which ' stands for " (so a frame reads
 * "{'type':'join','room':'%s'}"); the arguments are inserted as they are.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "confabd-test-daemon.h"

G_BEGIN_DECLS

#define CONFABD_TEST_PASSWORD "correct horse battery"

typedef struct
{
  char                    *name;      /* for messages */
  SoupSession             *session;
  SoupWebsocketConnection *websocket;
  GQueue                   frames;    /* JsonObject, oldest first */
  gboolean                 closed;
  gushort                  close_code;
  gint64                   next_id;
  char                    *user;
  char                    *token;
} ConfabdTestClient;

/* Opens a WebSocket to @uri's /ws and exchanges hello/welcome. */
ConfabdTestClient *confabd_test_client_new        (const char        *uri,
                                                   const char        *name);
/* Opens the WebSocket only. */
ConfabdTestClient *confabd_test_client_new_raw    (const char        *uri,
                                                   const char        *name);
/* The same, as a proxy would open it: with an X-Forwarded-For header. */
ConfabdTestClient *confabd_test_client_new_forwarded (const char      *uri,
                                                      const char      *name,
                                                      const char      *forwarded_for);
void               confabd_test_client_free       (ConfabdTestClient *client);

void               confabd_test_client_send       (ConfabdTestClient *client,
                                                   const char        *text);
void               confabd_test_client_sendf      (ConfabdTestClient *client,
                                                   const char        *format,
                                                   ...) G_GNUC_PRINTF (2, 3);
void               confabd_test_client_send_binary (ConfabdTestClient *client,
                                                    gconstpointer      data,
                                                    gsize              length);

/* The next frame (a new reference). */
JsonObject        *confabd_test_client_next       (ConfabdTestClient *client);
/* The first queued (or coming) frame of @type, taken out of the queue. */
JsonObject        *confabd_test_client_next_of_type (ConfabdTestClient *client,
                                                     const char        *type);
/* The next "event" frame of @room with @event name (NULL: any), others
 * stay queued. */
JsonObject        *confabd_test_client_next_event (ConfabdTestClient *client,
                                                   const char        *room,
                                                   const char        *event);
guint              confabd_test_client_n_queued   (ConfabdTestClient *client);
void               confabd_test_client_clear      (ConfabdTestClient *client);
/* Runs @ms milliseconds and asserts no frame came (nor was queued). */
void               confabd_test_client_assert_quiet (ConfabdTestClient *client,
                                                     guint              ms);

/* Sends the frame with a fresh "id" and returns the frame answering it
 * ("re"), whatever its type. */
JsonObject        *confabd_test_client_request    (ConfabdTestClient *client,
                                                   const char        *format,
                                                   ...) G_GNUC_PRINTF (2, 3);
/* The same, asserting the answer's type (not "error"). */
JsonObject        *confabd_test_client_ok         (ConfabdTestClient *client,
                                                   const char        *type,
                                                   const char        *format,
                                                   ...) G_GNUC_PRINTF (3, 4);
/* The same, asserting an "error" with @code; returns it. */
JsonObject        *confabd_test_client_fails      (ConfabdTestClient *client,
                                                   const char        *code,
                                                   const char        *format,
                                                   ...) G_GNUC_PRINTF (3, 4);
/* join: the "joined" answer (or "error"), with the replayed events (up to
 * "synced", which must follow them) in *@events. */
JsonObject        *confabd_test_client_join       (ConfabdTestClient *client,
                                                   const char        *room,
                                                   gint64             since,
                                                   GPtrArray        **events);
/* ping → pong */
void               confabd_test_client_ping       (ConfabdTestClient *client);
/* @room's last_seq from a "rooms" request, -1 when @client is not in it. */
gint64             confabd_test_client_last_seq   (ConfabdTestClient *client,
                                                   const char        *room);

/* Sign-in with CONFABD_TEST_PASSWORD; each returns the token. */
const char        *confabd_test_client_register   (ConfabdTestClient *client,
                                                   const char        *user);
const char        *confabd_test_client_login      (ConfabdTestClient *client,
                                                   const char        *user);
void               confabd_test_client_auth       (ConfabdTestClient *client,
                                                   const char        *token);

/* Waits for the connection to close; returns the close code received. */
gushort            confabd_test_client_wait_closed (ConfabdTestClient *client);
/* Drops the TCP connection without a close frame, as a crash would. */
void               confabd_test_client_abort      (ConfabdTestClient *client);

/* Members of frames, asserting they are there. */
const char        *confabd_test_get_string        (JsonObject        *frame,
                                                   const char        *member);
gint64             confabd_test_get_int           (JsonObject        *frame,
                                                   const char        *member);
JsonObject        *confabd_test_get_object        (JsonObject        *frame,
                                                   const char        *member);
JsonArray         *confabd_test_get_array         (JsonObject        *frame,
                                                   const char        *member);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdTestClient, confabd_test_client_free)

G_END_DECLS
