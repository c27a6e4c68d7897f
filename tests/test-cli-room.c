/* test-cli-room.c: confab-cli's server and room verbs end to end, as a
 * script would run them, against a real confabd, with the session token
 * in a real gnome-keyring (run through run-with-keyring.sh): accounts,
 * rooms, invites, two users in two --data-dir, send, tail (plain, --json,
 * --follow), members, role, kick, revoke, `room ask` relaying the fake
 * provider's reply to a follower, and the exit codes of refusals (2) and
 * of a server that is gone (3).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include <signal.h>
#include <string.h>

#include "confab-fake-provider.h"
#include "confab-room-client.h"
#include "confab-room-session.h"
#include "confab-test-cli.h"
#include "confabd-test-daemon.h"

#define WAIT_SECONDS 60

typedef struct
{
  char             *cli;
  char             *server_dir;
  char             *ada_dir;     /* ada's --data-dir */
  char             *bob_dir;     /* bob's */
  ConfabdTestDaemon *daemon;
  char             *url;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->cli = g_test_build_filename (G_TEST_BUILT, "..", "src", "cli", "confab-cli", NULL);
  fixture->server_dir = confab_test_make_tmpdir ();
  fixture->ada_dir = confab_test_make_tmpdir ();
  fixture->bob_dir = confab_test_make_tmpdir ();
  fixture->daemon = confabd_test_daemon_start (fixture->server_dir,
                                               (const char *[]) { "--allow-register", NULL },
                                               NULL);
  fixture->url = g_strdup (fixture->daemon->uri);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->daemon, confabd_test_daemon_free);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  confab_test_rm_rf (fixture->server_dir);
  confab_test_rm_rf (fixture->ada_dir);
  confab_test_rm_rf (fixture->bob_dir);
  g_clear_pointer (&fixture->server_dir, g_free);
  g_clear_pointer (&fixture->ada_dir, g_free);
  g_clear_pointer (&fixture->bob_dir, g_free);
  g_clear_pointer (&fixture->cli, g_free);
  g_clear_pointer (&fixture->url, g_free);
}

static gboolean
have_keyring (void)
{
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    return TRUE;

  g_test_skip ("no D-Bus session: run through tests/run-with-keyring.sh");
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Running confab-cli. */

typedef ConfabTestCliRun Run;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, confab_test_cli_run_clear)
#define line_at confab_test_cli_line_at

static gboolean
on_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
await_result (GAsyncResult **result,
              const char    *what)
{
  confabd_test_await (result, WAIT_SECONDS, what);
}

static GSubprocess *
spawn_cli (Fixture            *fixture,
           const char * const *env,     /* "NAME=VALUE" */
           const char * const *args)
{
  return confab_test_cli_spawn (fixture->cli, env, args);
}

#define ARGS(...) ((const char * const[]) { __VA_ARGS__, NULL })
#define ENV(...) ((const char * const[]) { __VA_ARGS__, NULL })

static void
run_cli (Fixture            *fixture,
         const char         *input,
         const char * const *env,
         const char * const *args,
         Run                *run)
{
  confab_test_cli_exec (fixture->cli, input, env, args, run);
}

/* Exactly one line on stderr, in the agreed form, and nothing on stdout. */
static void
assert_fails (const Run *run,
              int        status)
{
  const char *newline = strchr (run->err, '\n');

  if (run->status != status)
    g_error ("exit %d, expected %d; stderr: %s", run->status, status, run->err);
  if (!g_str_has_prefix (run->err, "confab-cli: error: ") || newline == NULL ||
      newline[1] != '\0')
    g_error ("not one error line: “%s”", run->err);
  g_assert_cmpstr (run->out, ==, "");
}

static void
assert_ok (const Run *run)
{
  if (run->status != 0)
    g_error ("exit %d; stderr: %s", run->status, run->err);
  g_assert_cmpstr (run->err, ==, "");
}

/* The index of the first line with event @event (and @text, if given). */
static int
find_event (GPtrArray  *lines,
            const char *event,
            const char *text)
{
  for (guint i = 0; i < lines->len; i++)
    {
      JsonObject *object = line_at (lines, i);

      if (g_strcmp0 (json_object_get_string_member (object, "event"), event) == 0 &&
          (text == NULL ||
           g_strcmp0 (json_object_get_string_member_with_default (object, "text", NULL),
                      text) == 0))
        return i;
    }
  return -1;
}

/* The first tab-separated field of the first line. */
static char *
first_field (const char *out)
{
  g_auto(GStrv) fields = g_strsplit_set (out, "\t\n", 2);

  return g_strdup (fields[0]);
}

/* ------------------------------------------------------------------------ */
/* Helpers for the scenario. */

static void
sign_in (Fixture    *fixture,
         const char *dir,
         const char *action,
         const char *user,
         const char *password,
         int         status)
{
  g_auto(Run) run = { 0 };
  g_autofree char *input = g_strdup_printf ("%s\n", password);

  run_cli (fixture, input, NULL,
           ARGS ("server", action, "--server", fixture->url, "--user", user, "--data-dir", dir),
           &run);
  if (status == 0)
    {
      assert_ok (&run);
      g_assert_cmpstr (run.out, ==, "");
    }
  else
    assert_fails (&run, status);
}

/* Runs a room verb as the user of @dir; the run is left in @run. */
#define ROOM(fixture, dir, run, ...) \
  run_cli ((fixture), NULL, NULL, ARGS ("--data-dir", (dir), "room", __VA_ARGS__), (run))

/* ------------------------------------------------------------------------ */

static void
test_accounts (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(ConfabRoomSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ini_path = NULL;
  g_autofree char *ini = NULL;
  g_auto(Run) run = { 0 };

  /* The contract's forms, in --help. */
  run_cli (fixture, NULL, NULL, ARGS ("--help"), &run);
  assert_ok (&run);
  for (const char * const *word = ARGS ("server register|login --server URL --user NAME",
                                        "room create NAME", "room invite ROOM_ID --role "
                                        "admin|member|viewer [--uses N] [--expires SECONDS]",
                                        "room join INVITE", "room send ROOM_ID",
                                        "room ask ROOM_ID -m MODEL",
                                        "room tail ROOM_ID [--since SEQ] [--follow] [--json]",
                                        "SEQ<TAB>AUTHOR<TAB>TEXT", "room members ROOM_ID",
                                        "room role ROOM_ID USER ROLE", "room kick ROOM_ID USER",
                                        "room revoke INVITE", "\"General\"");
       *word != NULL; word++)
    if (strstr (run.out, *word) == NULL)
      g_error ("--help does not mention “%s”", *word);

  if (!have_keyring ())
    return;

  sign_in (fixture, fixture->ada_dir, "register", "ada", "correct horse", 0);
  /* Taken. */
  sign_in (fixture, fixture->bob_dir, "register", "ada", "another password", 2);
  /* Wrong password, unknown user. */
  sign_in (fixture, fixture->bob_dir, "login", "ada", "wrong password", 2);
  sign_in (fixture, fixture->bob_dir, "login", "nobody", "some password", 2);
  /* Too short for the server. */
  sign_in (fixture, fixture->bob_dir, "register", "bob", "short", 2);
  sign_in (fixture, fixture->bob_dir, "login", "ada", "correct horse", 0);

  /* The token is in the keyring, for each data directory, never in the
   * key file. */
  session = confab_room_session_load (fixture->ada_dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_cmpstr (session->user, ==, "ada");
  g_assert_cmpstr (session->server_url, ==, fixture->url);
  g_assert_nonnull (session->token);
  ini_path = g_build_filename (fixture->ada_dir, "servers.ini", NULL);
  g_assert_true (g_file_get_contents (ini_path, &ini, NULL, NULL));
  g_assert_null (strstr (ini, session->token));
  {
    g_autoptr(ConfabRoomSession) other = confab_room_session_load (fixture->bob_dir, NULL,
                                                                   NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (other);
    g_assert_cmpstr (other->token, !=, session->token);
  }

  /* Not signed in in a third directory: a local error. */
  {
    g_autofree char *empty = confab_test_make_tmpdir ();

    ROOM (fixture, empty, &run, "create", "Nowhere");
    assert_fails (&run, 1);
    g_assert_nonnull (strstr (run.err, "server login"));
    confab_test_rm_rf (empty);
  }

  /* Signed out: forgotten here, and the token is revoked on the server. */
  {
    g_autoptr(ConfabRoomSession) before = confab_room_session_load (fixture->bob_dir, NULL,
                                                                    NULL, &error);
    g_autoptr(ConfabRoomClient) client = confab_room_client_new (fixture->url);
    g_autoptr(GAsyncResult) result = NULL;

    g_assert_no_error (error);
    run_cli (fixture, NULL, NULL, ARGS ("server", "logout", "--data-dir", fixture->bob_dir),
             &run);
    assert_ok (&run);
    ROOM (fixture, fixture->bob_dir, &run, "list");
    assert_fails (&run, 1);

    confab_room_client_set_token (client, before->token);
    confab_room_client_connect_async (client, NULL, confabd_test_result_cb, &result);
    await_result (&result, "connect");
    g_assert_false (confab_room_client_connect_finish (client, result, &error));
    g_assert_true (error->domain == CONFAB_PROTOCOL_ERROR);
    g_clear_error (&error);
    confab_room_client_close (client);
  }

  /* A bad --server. */
  sign_in (fixture, fixture->bob_dir, "login", "ada", "correct horse", 0);
  /* Refused before stdin is read: no input, or writing it could fail. */
  run_cli (fixture, NULL, NULL,
           ARGS ("server", "login", "--server", "ftp://example", "--user", "ada",
                 "--data-dir", fixture->bob_dir), &run);
  assert_fails (&run, 1);
}

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *lines;
  GPtrArray        *objects;   /* JsonNode */
  gboolean          eof;
} Follower;

static void read_next (Follower *follower);

static void
on_line_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Follower *follower = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                    &length, &error);
  g_assert_no_error (error);
  if (line == NULL)
    {
      follower->eof = TRUE;
      return;
    }

  g_test_message ("tail --follow: %s", line);
  {
    JsonNode *node = json_from_string (line, &error);

    g_assert_no_error (error);
    g_ptr_array_add (follower->objects, node);
  }
  read_next (follower);
}

static void
read_next (Follower *follower)
{
  g_data_input_stream_read_line_async (follower->lines, G_PRIORITY_DEFAULT, NULL, on_line_cb,
                                       follower);
}

typedef gboolean (*Condition) (Follower *follower);

static void
follower_wait (Follower   *follower,
               Condition   condition,
               const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (WAIT_SECONDS, on_timeout_cb, &timed_out);

  while (!condition (follower) && !timed_out && !follower->eof)
    g_main_context_iteration (NULL, TRUE);
  if (!condition (follower))
    g_error ("the follower did not print %s", what);
  g_source_remove (id);
}

static gboolean
at_eof (Follower *follower)
{
  return follower->eof;
}

static gboolean
has_synced (Follower *follower)
{
  return find_event (follower->objects, "synced", NULL) >= 0;
}

static gboolean
has_still_there (Follower *follower)
{
  return find_event (follower->objects, "message.created", "Still there?") >= 0;
}

static gboolean
has_cancelled_end (Follower *follower)
{
  for (guint i = 0; i < follower->objects->len; i++)
    {
      JsonObject *object = line_at (follower->objects, i);

      if (g_strcmp0 (json_object_get_string_member (object, "event"), "stream.ended") == 0 &&
          g_strcmp0 (json_object_get_string_member (object, "status"), "cancelled") == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_stream_end (Follower *follower)
{
  return find_event (follower->objects, "stream.ended", NULL) >= 0;
}

static void
test_rooms (Fixture       *fixture,
            gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *room = NULL;
  g_autofree char *invite = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *line = NULL;
  int index;

  if (!have_keyring ())
    return;

  sign_in (fixture, fixture->ada_dir, "register", "ada", "ada's password", 0);
  sign_in (fixture, fixture->bob_dir, "register", "bob", "bob's password", 0);

  /* Create: ROOM_ID<TAB>NAME. */
  ROOM (fixture, fixture->ada_dir, &run, "create", "Team room");
  assert_ok (&run);
  room = first_field (run.out);
  expected = g_strdup_printf ("%s\tTeam room\n", room);
  g_assert_cmpstr (run.out, ==, expected);
  g_clear_pointer (&expected, g_free);

  run_cli (fixture, NULL, NULL,
           ARGS ("--json", "room", "create", "Other", "--data-dir", fixture->ada_dir), &run);
  assert_ok (&run);
  lines = confab_test_cli_parse_lines (run.out);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "event"), ==, "room");
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "name"), ==, "Other");
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "role"), ==, "owner");
  g_clear_pointer (&lines, g_ptr_array_unref);

  /* Invite (the token alone), join from the other data directory. */
  ROOM (fixture, fixture->ada_dir, &run, "invite", room, "--role", "member");
  assert_ok (&run);
  invite = g_strstrip (g_strdup (run.out));
  g_assert_cmpuint (strlen (invite), >, 16);
  g_assert_null (strchr (invite, '\t'));
  ROOM (fixture, fixture->bob_dir, &run, "join", "--", invite);
  assert_ok (&run);
  expected = g_strdup_printf ("%s\tTeam room\n", room);
  g_assert_cmpstr (run.out, ==, expected);
  g_clear_pointer (&expected, g_free);
  /* One use by default. */
  ROOM (fixture, fixture->ada_dir, &run, "join", "--", invite);
  assert_fails (&run, 2);

  /* Send: into "General", made on first use; SEQ<TAB>MESSAGE_ID. */
  ROOM (fixture, fixture->ada_dir, &run, "send", room, "Hello", "everyone");
  assert_ok (&run);
  g_assert_true (g_regex_match_simple ("^[0-9]+\tm[0-9a-f]+\n$", run.out, 0, 0));
  ROOM (fixture, fixture->bob_dir, &run, "send", room, "Hi\tada,\nhow are you?");
  assert_ok (&run);

  /* Tail --json: the room, every event, synced. */
  run_cli (fixture, NULL, NULL,
           ARGS ("room", "tail", room, "--json", "--data-dir", fixture->bob_dir), &run);
  assert_ok (&run);
  lines = confab_test_cli_parse_lines (run.out);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "event"), ==, "room");
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "room_id"), ==, room);
  g_assert_cmpint (find_event (lines, "room.created", NULL), ==, 1);
  g_assert_cmpint (json_object_get_int_member (line_at (lines, 1), "seq"), ==, 1);
  g_assert_cmpint (find_event (lines, "chat.created", NULL), >, 0);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, find_event (lines,
                                                                              "chat.created",
                                                                              NULL)),
                                                  "title"), ==, "General");
  index = find_event (lines, "message.created", "Hello everyone");
  g_assert_cmpint (index, >, 0);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, index), "author"), ==, "ada");
  index = find_event (lines, "message.created", "Hi\tada,\nhow are you?");
  g_assert_cmpint (index, >, 0);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, index), "author"), ==, "bob");
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, lines->len - 1), "event"), ==,
                   "synced");
  for (guint i = 2; i + 1 < lines->len; i++)
    g_assert_cmpint (json_object_get_int_member (line_at (lines, i), "seq"), ==,
                     json_object_get_int_member (line_at (lines, i - 1), "seq") + 1);
  g_clear_pointer (&lines, g_ptr_array_unref);

  /* Plain: SEQ<TAB>AUTHOR<TAB>TEXT, one line per event, escaped. */
  ROOM (fixture, fixture->ada_dir, &run, "tail", room);
  assert_ok (&run);
  g_assert_true (g_str_has_prefix (run.out, "1\tada\t"));
  g_assert_nonnull (strstr (run.out, "\tada\tHello everyone\n"));
  g_assert_nonnull (strstr (run.out, "\tbob\tHi\\tada,\\nhow are you?\n"));
  {
    g_auto(GStrv) all = g_strsplit (g_strchomp (run.out), "\n", -1);
    guint n = g_strv_length (all);
    g_autofree char *since = g_strdup_printf ("%u", n - 2);

    for (guint i = 0; i < n; i++)
      {
        g_auto(GStrv) fields = g_strsplit (all[i], "\t", -1);
        g_autofree char *seq = g_strdup_printf ("%u", i + 1);

        g_assert_cmpuint (g_strv_length (fields), ==, 3);
        g_assert_cmpstr (fields[0], ==, seq);
      }

    /* --since: only what came after. */
    ROOM (fixture, fixture->ada_dir, &run, "tail", room, "--since", since);
    assert_ok (&run);
    line = g_strdup_printf ("%s\n%s\n", all[n - 2], all[n - 1]);
    g_assert_cmpstr (run.out, ==, line);
  }

  /* Members. */
  ROOM (fixture, fixture->ada_dir, &run, "members", room);
  assert_ok (&run);
  g_assert_true (g_regex_match_simple ("^ada\towner\t(online|offline)\n", run.out,
                                       G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^bob\tmember\t(online|offline)$", run.out,
                                       G_REGEX_MULTILINE, 0));
  run_cli (fixture, NULL, NULL,
           ARGS ("room", "members", room, "--json", "--data-dir", fixture->ada_dir), &run);
  assert_ok (&run);
  lines = confab_test_cli_parse_lines (run.out);
  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "event"), ==, "room");
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 1), "event"), ==, "member");
  g_clear_pointer (&lines, g_ptr_array_unref);

  /* Roles: a viewer cannot write (refused: 2), nor may a member manage. */
  ROOM (fixture, fixture->bob_dir, &run, "role", room, "ada", "viewer");
  assert_fails (&run, 2);
  ROOM (fixture, fixture->ada_dir, &run, "role", room, "bob", "viewer");
  assert_ok (&run);
  ROOM (fixture, fixture->ada_dir, &run, "members", room);
  g_assert_nonnull (strstr (run.out, "bob\tviewer\t"));
  ROOM (fixture, fixture->bob_dir, &run, "send", room, "may I?");
  assert_fails (&run, 2);
  ROOM (fixture, fixture->ada_dir, &run, "role", room, "bob", "member");
  assert_ok (&run);

  /* Revoke: the invite no longer works. */
  g_clear_pointer (&invite, g_free);
  ROOM (fixture, fixture->ada_dir, &run, "invite", room, "--role", "viewer", "--uses", "0",
        "--expires", "3600");
  assert_ok (&run);
  invite = g_strstrip (g_strdup (run.out));
  /* Not bob's to revoke (a member): refused, and the invite still works. */
  ROOM (fixture, fixture->bob_dir, &run, "revoke", "--", invite);
  assert_fails (&run, 2);
  /* The invite alone says which room it is of. */
  run_cli (fixture, NULL, NULL,
           ARGS ("room", "revoke", "--json", "--data-dir", fixture->ada_dir, "--", invite), &run);
  assert_ok (&run);
  lines = confab_test_cli_parse_lines (run.out);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "event"), ==, "room");
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "room_id"), ==, room);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 1), "event"), ==, "revoked");
  g_clear_pointer (&lines, g_ptr_array_unref);
  ROOM (fixture, fixture->ada_dir, &run, "revoke", "--", invite);
  assert_fails (&run, 2);

  /* Kick: bob is out, his commands are refused. */
  ROOM (fixture, fixture->ada_dir, &run, "kick", room, "bob");
  assert_ok (&run);
  ROOM (fixture, fixture->bob_dir, &run, "tail", room);
  assert_fails (&run, 2);
  ROOM (fixture, fixture->bob_dir, &run, "join", "--", invite);
  assert_fails (&run, 2);

  /* Usage errors are local. */
  ROOM (fixture, fixture->ada_dir, &run, "invite", room, "--role", "owner");
  assert_fails (&run, 1);
  ROOM (fixture, fixture->ada_dir, &run, "tail", room, "--since", "minus one");
  assert_fails (&run, 1);
  ROOM (fixture, fixture->ada_dir, &run, "frobnicate");
  assert_fails (&run, 1);
  ROOM (fixture, fixture->ada_dir, &run, "send", room, "--follow", "text");
  assert_fails (&run, 1);
}

/* `room ask` calls the model here and relays the stream; another user's
 * `room tail --follow` sees it arrive, then the whole reply stored. */
static void
test_ask (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabFakeProvider) fake = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *room = NULL;
  g_autofree char *invite = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *reply = NULL;
  Follower follower = { 0 };
  g_auto(Run) run = { 0 };
  guint n_deltas = 0;
  GString *streamed = g_string_new (NULL);
  int index;

  if (!have_keyring ())
    return;

  fake = confab_fake_provider_new (0, &error);
  g_assert_no_error (error);
  /* Slow enough for several deltas to reach the follower one by one
   * (room ask batches them every 100 ms). */
  confab_fake_provider_set_default_delay (fake, 60);
  base_url = g_strdup_printf ("OPENAI_BASE_URL=%s", confab_fake_provider_get_url (fake));

  sign_in (fixture, fixture->ada_dir, "register", "ada", "ada's password", 0);
  sign_in (fixture, fixture->bob_dir, "register", "bob", "bob's password", 0);
  ROOM (fixture, fixture->ada_dir, &run, "create", "Ask");
  assert_ok (&run);
  room = first_field (run.out);
  ROOM (fixture, fixture->ada_dir, &run, "invite", room, "--role", "viewer");
  invite = g_strstrip (g_strdup (run.out));
  ROOM (fixture, fixture->bob_dir, &run, "join", "--", invite);
  assert_ok (&run);

  /* Bob follows the room as JSON lines. */
  follower.objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  follower.process = spawn_cli (fixture, NULL,
                                ARGS ("room", "tail", room, "--follow", "--json",
                                      "--data-dir", fixture->bob_dir));
  follower.lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (follower.process));
  read_next (&follower);
  follower_wait (&follower, has_synced, "synced");

  /* Without a key: refused before anything is posted. */
  run_cli (fixture, NULL, ENV (base_url),
           ARGS ("room", "ask", room, "-m", "openai:gpt-4o-mini", "Anyone?",
                 "--data-dir", fixture->ada_dir), &run);
  assert_fails (&run, 2);

  run_cli (fixture, NULL, ENV (base_url, "OPENAI_API_KEY=fake-key"),
           ARGS ("room", "ask", room, "-m", "openai:gpt-4o-mini", "What", "is", "six",
                 "times", "seven?", "--data-dir", fixture->ada_dir), &run);
  assert_ok (&run);
  reply = g_strdup ("Echo from gpt-4o-mini: What is six times seven?");
  {
    g_autofree char *printed = g_strdup_printf ("%s\n", reply);

    g_assert_cmpstr (run.out, ==, printed);
  }
  g_assert_cmpuint (confab_fake_provider_get_n_requests (fake), ==, 1);

  follower_wait (&follower, has_stream_end, "stream.ended");
  lines = g_ptr_array_ref (follower.objects);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "event"), ==, "room");
  index = find_event (lines, "message.created", "What is six times seven?");
  g_assert_cmpint (index, >, 0);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, index), "author"), ==, "ada");
  index = find_event (lines, "stream.started", NULL);
  g_assert_cmpint (index, >, 0);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, index), "model"), ==,
                   "openai:gpt-4o-mini");
  for (guint i = index + 1; i < lines->len; i++)
    {
      JsonObject *object = line_at (lines, i);

      if (g_strcmp0 (json_object_get_string_member (object, "event"), "stream.delta") != 0)
        continue;
      g_assert_cmpint (json_object_get_int_member (object, "offset"), ==, streamed->len);
      g_string_append (streamed, json_object_get_string_member (object, "text"));
      n_deltas++;
    }
  g_assert_cmpuint (n_deltas, >, 3);
  g_assert_cmpstr (streamed->str, ==, reply);
  index = find_event (lines, "stream.ended", NULL);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, index), "text"), ==, reply);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, index), "status"), ==,
                   "complete");
  g_string_free (streamed, TRUE);

  /* The server dies and comes back on the same port: the follower
   * reconnects by itself and goes on from where it was, nothing twice. */
  confabd_test_daemon_kill (fixture->daemon);
  confabd_test_daemon_restart (fixture->daemon);
  g_assert_cmpstr (fixture->daemon->uri, ==, fixture->url);
  ROOM (fixture, fixture->ada_dir, &run, "send", room, "Still", "there?");
  assert_ok (&run);
  follower_wait (&follower, has_still_there, "the message sent after the restart");
  {
    gint64 last = 0;

    for (guint i = 0; i < lines->len; i++)
      {
        JsonObject *object = line_at (lines, i);

        if (!json_object_has_member (object, "seq") ||
            g_strcmp0 (json_object_get_string_member (object, "event"), "synced") == 0)
          continue;
        g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, last + 1);
        last = json_object_get_int_member (object, "seq");
      }
    /* Up to the message sent after the restart (presence may follow it). */
    g_assert_cmpint (last, ==,
                     json_object_get_int_member (line_at (lines,
                                                          find_event (lines, "message.created",
                                                                      "Still there?")),
                                                 "seq"));
  }

  /* Ctrl+C during `room ask`: the reply stops, what arrived stays in the
   * room, marked cancelled; exit 130. */
  confab_fake_provider_set_default_delay (fake, 250);
  {
    g_autoptr(GSubprocess) asker = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GBytes) first = NULL;
    g_autoptr(GBytes) err = NULL;
    g_autofree char *err_text = NULL;
    const char *base = NULL;

    asker = spawn_cli (fixture, ENV (base_url, "OPENAI_API_KEY=fake-key"),
                       ARGS ("--data-dir", fixture->ada_dir, "room", "ask", room, "-m",
                             "openai:gpt-4o-mini", "Count", "to", "a", "hundred", "slowly"));
    g_input_stream_read_bytes_async (g_subprocess_get_stdout_pipe (asker), 64,
                                     G_PRIORITY_DEFAULT, NULL, confabd_test_result_cb, &result);
    await_result (&result, "the first words of the reply");
    first = g_input_stream_read_bytes_finish (g_subprocess_get_stdout_pipe (asker), result,
                                              &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (first), >, 0);
    g_clear_object (&result);

    g_subprocess_send_signal (asker, SIGINT);
    g_subprocess_wait_async (asker, NULL, confabd_test_result_cb, &result);
    await_result (&result, "room ask to stop");
    g_assert_true (g_subprocess_get_if_exited (asker));
    g_assert_cmpint (g_subprocess_get_exit_status (asker), ==, 130);
    err = g_input_stream_read_bytes (g_subprocess_get_stderr_pipe (asker), 4096, NULL, &error);
    g_assert_no_error (error);
    err_text = g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err));
    g_assert_true (g_str_has_prefix (err_text, "confab-cli: error: cancelled"));

    follower_wait (&follower, has_cancelled_end, "the cancelled reply");
    index = find_event (lines, "stream.ended", NULL);
    for (guint i = 0; i < lines->len; i++)
      if (g_strcmp0 (json_object_get_string_member (line_at (lines, i), "event"),
                     "stream.ended") == 0)
        index = i;
    g_assert_cmpstr (json_object_get_string_member (line_at (lines, index), "status"), ==,
                     "cancelled");
    base = json_object_get_string_member (line_at (lines, index), "text");
    g_assert_true (g_str_has_prefix (base, "Echo"));
    g_assert_true (g_str_has_prefix ("Echo from gpt-4o-mini: Count to a hundred slowly", base));
  }

  /* SIGTERM ends a follow cleanly. */
  g_subprocess_send_signal (follower.process, SIGTERM);
  {
    g_autoptr(GAsyncResult) result = NULL;

    g_subprocess_wait_async (follower.process, NULL, confabd_test_result_cb, &result);
    await_result (&result, "the follower to exit");
    g_assert_true (g_subprocess_get_if_exited (follower.process));
    g_assert_cmpint (g_subprocess_get_exit_status (follower.process), ==, 0);
  }
  follower_wait (&follower, at_eof, "the end of its output");
  g_clear_object (&follower.lines);
  g_clear_object (&follower.process);
  g_ptr_array_unref (follower.objects);
}

/* The server gone: 3, with one line saying so. */
static void
test_server_down (Fixture       *fixture,
                  gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autofree char *room = NULL;

  if (!have_keyring ())
    return;

  sign_in (fixture, fixture->ada_dir, "register", "ada", "ada's password", 0);
  ROOM (fixture, fixture->ada_dir, &run, "create", "Soon gone");
  assert_ok (&run);
  room = first_field (run.out);

  confabd_test_daemon_kill (fixture->daemon);

  ROOM (fixture, fixture->ada_dir, &run, "send", room, "anyone there?");
  assert_fails (&run, 3);
  ROOM (fixture, fixture->ada_dir, &run, "tail", room);
  assert_fails (&run, 3);
  sign_in (fixture, fixture->ada_dir, "login", "ada", "ada's password", 3);
}

int
main (int    argc,
      char **argv)
{
  confab_test_init (&argc, &argv);

  g_test_add ("/cli-room/accounts", Fixture, NULL, fixture_set_up, test_accounts,
              fixture_tear_down);
  g_test_add ("/cli-room/rooms", Fixture, NULL, fixture_set_up, test_rooms, fixture_tear_down);
  g_test_add ("/cli-room/ask", Fixture, NULL, fixture_set_up, test_ask, fixture_tear_down);
  g_test_add ("/cli-room/server-down", Fixture, NULL, fixture_set_up, test_server_down,
              fixture_tear_down);

  return confab_test_run ();
}
