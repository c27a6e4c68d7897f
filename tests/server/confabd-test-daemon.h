/* confabd-test-daemon.h: a real confabd process for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* g_test_init, with GLib's and libsoup's debug messages quiet unless
 * G_MESSAGES_DEBUG asks for them. */
void               confabd_test_init              (int                *argc,
                                                   char             ***argv);

/* Seconds any wait of the tests may take before it fails. */
#define CONFABD_TEST_TIMEOUT 20

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *stdout_lines;
  char             *stderr_path;
  char             *uri;          /* http://127.0.0.1:PORT */
} ConfabdTestDaemon;

/* Starts confabd on 127.0.0.1:0 with @data_dir, plus
 * @extra_args (NULL-terminated, may be NULL) and @env ("NAME=VALUE",
 * NULL-terminated, may be NULL), and waits for its listening line. */
ConfabdTestDaemon *confabd_test_daemon_start      (const char         *data_dir,
                                                   const char * const *extra_args,
                                                   const char * const *env);
/* Kills the process if it still runs. */
void               confabd_test_daemon_free       (ConfabdTestDaemon  *daemon);
/* Sends @signum and waits for the exit; returns the exit status (fails the
 * test when it died of a signal). */
int                confabd_test_daemon_stop       (ConfabdTestDaemon  *daemon,
                                                   int                 signum);
/* SIGKILL, and waits for it to be gone. */
void               confabd_test_daemon_kill       (ConfabdTestDaemon  *daemon);
/* GET /health answers 200 "ok". */
void               confabd_test_daemon_assert_healthy (ConfabdTestDaemon *daemon);
/* What it logged so far. */
char              *confabd_test_daemon_dup_log    (ConfabdTestDaemon  *daemon);

/* Runs the default main context until *@done or the timeout (fails). */
void               confabd_test_wait              (gboolean           *done,
                                                   const char         *what);
/* Runs the default main context for @ms milliseconds. */
void               confabd_test_run_for           (guint               ms);

/* A temporary directory, removed with its contents by confabd_test_rm_rf. */
char              *confabd_test_make_tmp_dir      (void);
void               confabd_test_rm_rf             (const char         *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdTestDaemon, confabd_test_daemon_free)

/* A fixture for g_test_add: a temporary data directory and a confabd on it
 * with --allow-register. */
typedef struct
{
  char              *data_dir;
  ConfabdTestDaemon *daemon;
} ConfabdTestFixture;

void               confabd_test_fixture_setup     (ConfabdTestFixture *fixture,
                                                   gconstpointer       data);
void               confabd_test_fixture_teardown  (ConfabdTestFixture *fixture,
                                                   gconstpointer       data);
/* Stops the fixture's daemon (if any) and starts another on the same data. */
void               confabd_test_fixture_restart   (ConfabdTestFixture *fixture);

G_END_DECLS
