/* test-confabd-accounts.c: confabd's accounts and sessions over real
 * WebSockets: register, login, auth, logout, expiry, the login rate limit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "confabd-test-client.h"

typedef ConfabdTestFixture Fixture;

static void
test_accounts (Fixture       *fixture,
               gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (uri, "ada");
  g_autoptr(ConfabdTestClient) other = confabd_test_client_new (uri, "other");
  g_autoptr(ConfabdTestClient) third = confabd_test_client_new (uri, "third");
  g_autoptr(ConfabdTestClient) fourth = confabd_test_client_new (uri, "fourth");
  g_autoptr(JsonObject) session = NULL;
  g_autoptr(JsonObject) rooms = NULL;
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token2 = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  token = g_strdup (confabd_test_client_register (ada, "ada"));
  g_assert_cmpuint (strlen (token), ==, 43);   /* 32 bytes, base64url */

  /* Refused registrations and logins. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (other, "conflict",
                                     "{'type':'register','user':'ada','password':'whatever1'}");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (other, "invalid",
                                     "{'type':'register','user':'no spaces','password':'whatever1'}");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (other, "invalid",
                                     "{'type':'register','user':'bob','password':'short'}");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (other, "invalid", "{'type':'register','user':'bob'}");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (other, "unauthorized",
                                     "{'type':'login','user':'ada','password':'wrong password'}");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (other, "unauthorized",
                                     "{'type':'login','user':'nobody','password':'whatever1'}");

  /* Nothing but sign-in before signing in. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (other, "unauthorized", "{'type':'rooms'}");
  confabd_test_client_ping (other);

  /* Frames sent while a login is checked are answered after it, in order. */
  confabd_test_client_sendf (other, "{'type':'login','id':'l','user':'ada','password':'%s'}",
                             CONFABD_TEST_PASSWORD);
  confabd_test_client_send (other, "{\"type\":\"rooms\",\"id\":\"r\"}");
  session = confabd_test_client_next (other);
  g_assert_cmpstr (confabd_test_get_string (session, "type"), ==, "session");
  g_assert_cmpstr (confabd_test_get_string (session, "re"), ==, "l");
  g_assert_cmpstr (confabd_test_get_string (session, "user"), ==, "ada");
  g_assert_cmpint (confabd_test_get_int (session, "expires"), >=, now + 30 * 24 * 3600);
  g_assert_cmpint (confabd_test_get_int (session, "expires"), <=, now + 30 * 24 * 3600 + 60);
  token2 = g_strdup (confabd_test_get_string (session, "token"));
  g_assert_cmpstr (token2, !=, token);
  rooms = confabd_test_client_next (other);
  g_assert_cmpstr (confabd_test_get_string (rooms, "type"), ==, "rooms");
  g_assert_cmpstr (confabd_test_get_string (rooms, "re"), ==, "r");
  g_assert_cmpuint (json_array_get_length (confabd_test_get_array (rooms, "rooms")), ==, 0);

  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (other, "conflict", "{'type':'auth','token':'%s'}", token);

  /* The token signs another connection in; logout revokes it. */
  confabd_test_client_auth (third, token);
  g_assert_cmpstr (third->user, ==, "ada");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (third, "rooms", "{'type':'rooms'}");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (third, "ack", "{'type':'logout'}");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (third, "unauthorized", "{'type':'rooms'}");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (third, "unauthorized", "{'type':'logout'}");

  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (fourth, "expired", "{'type':'auth','token':'%s'}", token);
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (fourth, "expired", "{'type':'auth','token':'nonsense'}");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (fourth, "invalid", "{'type':'auth','token':42}");
  confabd_test_client_auth (fourth, token2);

  /* The revoked session's first connection was closed with it
   * (/confabd/security/revocation); the others go on. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (fourth, "rooms", "{'type':'rooms'}");
  confabd_test_daemon_assert_healthy (fixture->daemon);
}

static void
test_register_closed (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autoptr(ConfabdTestDaemon) daemon = confabd_test_daemon_start (dir, NULL, NULL);
  g_autoptr(ConfabdTestClient) client = confabd_test_client_new_raw (daemon->uri, "client");
  g_autoptr(JsonObject) welcome = NULL;
  g_autoptr(JsonObject) error = NULL;

  welcome = confabd_test_client_ok (client, "welcome", "{'type':'hello','version':1}");
  g_assert_false (json_object_get_boolean_member (welcome, "allow_register"));
  g_assert_cmpstr (confabd_test_get_string (welcome, "server"), ==, "confabd/" PACKAGE_VERSION);

  error = confabd_test_client_fails (client, "register_closed",
                                     "{'type':'register','user':'ada','password':'whatever1'}");
  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);
  confab_test_rm_rf (dir);
}

static void
test_session_expiry (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  g_autoptr(ConfabdTestDaemon) daemon = NULL;
  g_autoptr(ConfabdTestClient) ada = NULL;
  g_autoptr(ConfabdTestClient) again = NULL;
  g_autoptr(JsonObject) frame = NULL;

  daemon = confabd_test_daemon_start (dir, (const char *[]) { "--allow-register", NULL },
                                      (const char *[]) { "CONFABD_SESSION_LIFETIME=3", NULL });
  ada = confabd_test_client_new (daemon->uri, "ada");
  confabd_test_client_register (ada, "ada");
  frame = confabd_test_client_ok (ada, "rooms", "{'type':'rooms'}");

  confabd_test_run_for (3500);

  /* The connection finds out at its next frame, and is signed out. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "expired", "{'type':'rooms'}");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (ada, "unauthorized", "{'type':'rooms'}");

  again = confabd_test_client_new (daemon->uri, "again");
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (again, "expired", "{'type':'auth','token':'%s'}", ada->token);
  confabd_test_client_login (again, "ada");

  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);
  confab_test_rm_rf (dir);
}

static void
test_login_rate_limit (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *uri = fixture->daemon->uri;
  g_autoptr(ConfabdTestClient) bob = confabd_test_client_new (uri, "bob");
  g_autoptr(ConfabdTestClient) client = confabd_test_client_new (uri, "client");
  g_autoptr(JsonObject) frame = NULL;
  gint64 retry_after;

  confabd_test_client_register (bob, "bob");

  for (guint i = 0; i < 5; i++)
    {
      g_clear_pointer (&frame, json_object_unref);
      frame = confabd_test_client_fails (client, "unauthorized",
                                         "{'type':'login','user':'bob','password':'wrong %u!'}", i);
    }

  /* The sixth try is not even checked: the right password is refused too. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (client, "rate_limited",
                                     "{'type':'login','user':'bob','password':'%s'}",
                                     CONFABD_TEST_PASSWORD);
  retry_after = confabd_test_get_int (frame, "retry_after");
  g_assert_cmpint (retry_after, >=, 1);
  g_assert_cmpint (retry_after, <=, 300);

  /* Other names from this address: 20 failures in all, then it is blocked. */
  for (guint i = 0; i < 15; i++)
    {
      g_clear_pointer (&frame, json_object_unref);
      frame = confabd_test_client_fails (client, "unauthorized",
                                         "{'type':'login','user':'user%u','password':'whatever1'}",
                                         i);
    }
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_fails (client, "rate_limited",
                                     "{'type':'login','user':'someone','password':'whatever1'}");
  g_assert_cmpint (confabd_test_get_int (frame, "retry_after"), >=, 1);

  /* A session bob already has is not affected. */
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (bob, "rooms", "{'type':'rooms'}");
}

/* Behind a trusted proxy, the address limit counts the clients its
 * X-Forwarded-For names (the last entry, the one the proxy added), not
 * the proxy; from anyone else the header means nothing. */
static void
test_trusted_proxy (void)
{
  g_autofree char *dir = confab_test_make_tmpdir ();
  const char *args[] = { "--allow-register", "--trusted-proxy", "127.0.0.1", NULL };
  g_autoptr(ConfabdTestDaemon) daemon = confabd_test_daemon_start (dir, args, NULL);
  g_autoptr(ConfabdTestClient) ada = confabd_test_client_new (daemon->uri, "ada");
  g_autoptr(ConfabdTestClient) attacker = NULL;
  g_autoptr(ConfabdTestClient) other = NULL;
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *log = NULL;

  confabd_test_client_register (ada, "ada");

  /* The client wrote an entry of its own first: only the proxy's counts. */
  attacker = confabd_test_client_new_forwarded (daemon->uri, "attacker",
                                                "198.51.100.1, 203.0.113.7");
  json_object_unref (confabd_test_client_ok (attacker, "welcome", "{'type':'hello','version':1}"));
  for (guint i = 0; i < 20; i++)
    json_object_unref (confabd_test_client_fails (attacker, "unauthorized",
                                                  "{'type':'login','user':'user%u',"
                                                  "'password':'whatever1'}", i));
  frame = confabd_test_client_fails (attacker, "rate_limited", "{'type':'login','user':'ada',"
                                     "'password':'%s'}", CONFABD_TEST_PASSWORD);

  /* Another client of the same proxy is not blocked with it… */
  other = confabd_test_client_new_forwarded (daemon->uri, "other", "198.51.100.1");
  json_object_unref (confabd_test_client_ok (other, "welcome", "{'type':'hello','version':1}"));
  g_clear_pointer (&frame, json_object_unref);
  frame = confabd_test_client_ok (other, "session", "{'type':'login','user':'ada',"
                                  "'password':'%s'}", CONFABD_TEST_PASSWORD);

  /* IPv6 clients are limited by their /64: 20 failures, each from another
   * address of it, and the whole /64 waits; the next /64 does not. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *address = g_strdup_printf ("2001:db8::%x", i + 1);
      g_autoptr(ConfabdTestClient) rotating = confabd_test_client_new_forwarded (daemon->uri,
                                                                                 address,
                                                                                 address);

      json_object_unref (confabd_test_client_ok (rotating, "welcome",
                                                 "{'type':'hello','version':1}"));
      json_object_unref (confabd_test_client_fails (rotating, "unauthorized",
                                                    "{'type':'login','user':'user%u',"
                                                    "'password':'whatever1'}", i));
    }
  {
    g_autoptr(ConfabdTestClient) same = confabd_test_client_new_forwarded (daemon->uri, "same /64",
                                                                           "2001:db8::abcd");
    g_autoptr(ConfabdTestClient) next = confabd_test_client_new_forwarded (daemon->uri, "next /64",
                                                                           "2001:db8:0:1::1");

    json_object_unref (confabd_test_client_ok (same, "welcome", "{'type':'hello','version':1}"));
    json_object_unref (confabd_test_client_fails (same, "rate_limited",
                                                  "{'type':'login','user':'ada',"
                                                  "'password':'%s'}", CONFABD_TEST_PASSWORD));
    json_object_unref (confabd_test_client_ok (next, "welcome", "{'type':'hello','version':1}"));
    json_object_unref (confabd_test_client_ok (next, "session", "{'type':'login','user':'ada',"
                                               "'password':'%s'}", CONFABD_TEST_PASSWORD));
  }

  log = confabd_test_daemon_dup_log (daemon);
  g_assert_nonnull (strstr (log, "from 203.0.113.7"));
  g_assert_nonnull (strstr (log, "from 2001:db8::/64"));
  g_assert_null (strstr (log, "from 198.51.100.1, "));

  g_assert_cmpint (confabd_test_daemon_stop (daemon, SIGTERM), ==, 0);
  confab_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  confabd_test_init (&argc, &argv);

  g_test_add ("/confabd/accounts/sign-in", Fixture, NULL, confabd_test_fixture_setup,
              test_accounts, confabd_test_fixture_teardown);
  g_test_add_func ("/confabd/accounts/register-closed", test_register_closed);
  g_test_add_func ("/confabd/accounts/session-expiry", test_session_expiry);
  g_test_add_func ("/confabd/accounts/trusted-proxy", test_trusted_proxy);
  g_test_add ("/confabd/accounts/login-rate-limit", Fixture, NULL, confabd_test_fixture_setup,
              test_login_rate_limit, confabd_test_fixture_teardown);

  return g_test_run ();
}
