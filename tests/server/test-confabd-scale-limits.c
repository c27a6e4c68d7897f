/* test-confabd-scale-limits.c: the login and frame limits of confabd
 * instances sharing a Redis hold across the instances
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confabd-test-cluster.h"

typedef ConfabdTestCluster Fixture;

/* Failed logins count on every instance: three on A and two on B reach
 * the limit of five, which neither would alone; then even the right
 * password waits. */
static void
test_login_limit (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) a = NULL;
  g_autoptr(ConfabdTestClient) b = NULL;
  g_autoptr(JsonObject) refused = NULL;

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  a = confabd_test_client_new (fixture->daemons[0]->uri, "a");
  b = confabd_test_client_new (fixture->daemons[1]->uri, "b");
  confabd_test_client_register (a, "ada");
  g_clear_pointer (&a, confabd_test_client_free);
  a = confabd_test_client_new (fixture->daemons[0]->uri, "a");

  for (guint i = 0; i < 5; i++)
    json_object_unref (confabd_test_client_fails (i < 3 ? a : b, "unauthorized",
                                                  "{'type':'login','user':'ada',"
                                                  "'password':'wrong password'}"));
  refused = confabd_test_client_fails (b, "rate_limited", "{'type':'login','user':'ada',"
                                       "'password':'%s'}", CONFABD_TEST_PASSWORD);
  g_assert_cmpint (confabd_test_get_int (refused, "retry_after"), >, 0);
  g_clear_pointer (&refused, json_object_unref);
  refused = confabd_test_client_fails (a, "rate_limited", "{'type':'login','user':'ada',"
                                       "'password':'%s'}", CONFABD_TEST_PASSWORD);
}

/* One user's frames count on every instance together: two connections,
 * each within its own limit (40/s), exceed the shared 600 in 10 s. */
static void
test_frame_limit (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ConfabdTestClient) a = NULL;
  g_autoptr(ConfabdTestClient) b = NULL;
  g_autofree char *token = NULL;
  g_auto(ConfabdTestRoom) room = { 0 };
  ConfabdTestClient *clients[2];
  guint refused = 0;

  if (g_test_failed () || fixture->proxy == NULL)
    return;

  a = confabd_test_client_new (fixture->daemons[0]->uri, "a");
  b = confabd_test_client_new (fixture->daemons[1]->uri, "b");
  token = g_strdup (confabd_test_client_register (a, "ada"));
  confabd_test_client_auth (b, token);
  clients[0] = a;
  clients[1] = b;
  /* Both are ada: the room is hers, and b joins it as her second connection. */
  {
    g_autoptr(JsonObject) frame = NULL;

    frame = confabd_test_client_ok (a, "room", "{'type':'room.create','name':'Lab'}");
    room.room = g_strdup (confabd_test_get_string (confabd_test_get_object (frame, "room"),
                                                   "id"));
    g_clear_pointer (&frame, json_object_unref);
    frame = confabd_test_client_ok (a, "ack", "{'type':'chat.create','room':'%s','title':'C'}",
                                    room.room);
    room.chat = g_strdup (confabd_test_get_string (frame, "chat"));
  }

  /* 2 × (a burst of 190, then 10 every 250 ms for 4 s): 2 × 350 = 700. */
  for (guint c = 0; c < 2; c++)
    for (guint i = 0; i < 190; i++)
      confabd_test_client_sendf (clients[c], "{'type':'typing','room':'%s','chat':'%s'}",
                                 room.room, room.chat);
  for (guint round = 0; round < 16; round++)
    {
      confabd_test_run_for (250);
      for (guint c = 0; c < 2; c++)
        for (guint i = 0; i < 10; i++)
          confabd_test_client_sendf (clients[c], "{'type':'typing','room':'%s','chat':'%s'}",
                                     room.room, room.chat);
    }
  confabd_test_run_for (500);

  for (guint c = 0; c < 2; c++)
    while (confabd_test_client_n_queued (clients[c]) > 0)
      {
        g_autoptr(JsonObject) frame = confabd_test_client_next (clients[c]);

        if (g_strcmp0 (json_object_get_string_member_with_default (frame, "type", NULL),
                       "error") != 0)
          continue;
        /* Never the per-connection limit: each stayed within it. */
        g_assert_cmpstr (confabd_test_get_string (frame, "code"), ==, "rate_limited");
        g_assert_nonnull (strstr (confabd_test_get_string (frame, "message"), "account"));
        refused++;
      }
  /* About 100 over the limit, less the answers still on their way. */
  g_assert_cmpuint (refused, >, 20);
  g_assert_cmpuint (refused, <, 700 - 600 + 1);
}

#define SCALE_TEST_ADD(name, func) \
  g_test_add ("/confabd/scale/" name, ConfabdTestCluster, NULL,                            \
              confabd_test_cluster_set_up, func, confabd_test_cluster_tear_down)

int
main (int   argc,
      char *argv[])
{
  int status;

  confabd_test_init (&argc, &argv);

  SCALE_TEST_ADD ("login-limit", test_login_limit);
  SCALE_TEST_ADD ("frame-limit", test_frame_limit);

  status = g_test_run ();
  confabd_test_cluster_finish ();
  return status;
}
