/* confabd-test-daemon.h: a real confabd process for tests, started,
 * stopped, killed, frozen and restarted on the same port and data
 * directory. The one way the tests (tests/server, the room client, the
 * CLI's room verbs, the desktop sync) run a confabd.
 *
 * Built with CONFABD_PATH and CONFABD_LSAN_SUPPRESSIONS defined by meson;
 * under AddressSanitizer the daemon gets the options LeakSanitizer needs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

/* Temporary directories: confab_test_make_tmpdir, confab_test_rm_rf. */
#include "confab-test-utils.h"

G_BEGIN_DECLS

/* g_test_init, with GLib's and libsoup's debug messages quiet unless
 * G_MESSAGES_DEBUG asks for them. */
void               confabd_test_init              (int                *argc,
                                                   char             ***argv);

/* Seconds any wait for a frame or an answer may take before it fails. */
#define CONFABD_TEST_TIMEOUT 20
/* Seconds a start or an exit may take: slow under AddressSanitizer on a
 * loaded 2-core machine. */
#define CONFABD_TEST_START_TIMEOUT 60

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *stdout_lines;
  char             *stderr_path;
  char             *uri;          /* http://127.0.0.1:PORT */
  guint16           port;

  /*< private >*/
  char             *data_dir;     /* NULL when started with _start_full */
  GStrv             args;
  GStrv             env;
} ConfabdTestDaemon;

/* Starts confabd on 127.0.0.1:0 with @data_dir, plus @extra_args
 * (NULL-terminated, may be NULL) and @env ("NAME=VALUE", NULL-terminated,
 * may be NULL), and waits for its listening line. */
ConfabdTestDaemon *confabd_test_daemon_start      (const char         *data_dir,
                                                   const char * const *extra_args,
                                                   const char * const *env);
/* Starts confabd with exactly @args (after the program) and @env, and waits
 * for its listening line (http:// or https://): for tests of the command
 * line itself. Such a daemon cannot be restarted. */
ConfabdTestDaemon *confabd_test_daemon_start_full (const char * const *args,
                                                   const char * const *env);
/* Starts it again after a kill or a stop, on the same port and data
 * directory with the same arguments; retries while the port is still
 * taken by the old process's sockets. */
void               confabd_test_daemon_restart    (ConfabdTestDaemon  *daemon);
/* SIGTERM if it still runs (reporting an unclean exit in the test log),
 * then frees. */
void               confabd_test_daemon_free       (ConfabdTestDaemon  *daemon);
/* Sends @signum and waits for the exit; returns the exit status (fails the
 * test when it died of a signal). */
int                confabd_test_daemon_stop       (ConfabdTestDaemon  *daemon,
                                                   int                 signum);
/* SIGKILL, and waits for it to be gone. */
void               confabd_test_daemon_kill       (ConfabdTestDaemon  *daemon);
/* SIGSTOP / SIGCONT: frozen, it keeps its sockets but answers nothing. */
void               confabd_test_daemon_pause      (ConfabdTestDaemon  *daemon);
void               confabd_test_daemon_resume     (ConfabdTestDaemon  *daemon);
/* Whether the process still runs (neither stopped nor killed). */
gboolean           confabd_test_daemon_is_running (ConfabdTestDaemon  *daemon);
/* GET /health answers 200 "ok". */
void               confabd_test_daemon_assert_healthy (ConfabdTestDaemon *daemon);
/* What it logged so far. */
char              *confabd_test_daemon_dup_log    (ConfabdTestDaemon  *daemon);

/* A launcher for confabd (or anything it runs) with what the tests need:
 * killed with the test process, and LeakSanitizer's options under ASan. */
GSubprocessLauncher *confabd_test_launcher_new    (GSubprocessFlags    flags);

/* Runs the default main context until *@done or the timeout (fails). */
void               confabd_test_wait              (gboolean           *done,
                                                   const char         *what);
/* A GAsyncReadyCallback storing a reference to the result in the
 * GAsyncResult ** @user_data. */
void               confabd_test_result_cb         (GObject            *object,
                                                   GAsyncResult       *result,
                                                   gpointer            user_data);
/* Runs the default main context until *@result is set or @seconds pass
 * (the test fails); returns *@result. */
GAsyncResult      *confabd_test_await             (GAsyncResult      **result,
                                                   guint               seconds,
                                                   const char         *what);
/* Runs the default main context for @ms milliseconds. */
void               confabd_test_run_for           (guint               ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabdTestDaemon, confabd_test_daemon_free)

/* A private PostgreSQL, when the test runs under run-with-services.sh
 * (CONFAB_TEST_PG… in the environment). With CONFAB_TEST_STORE=postgres,
 * confabd_test_daemon_start gives each new daemon a fresh database
 * (--store postgresql://…) instead of SQLite in its data directory; a
 * restart keeps it. */
gboolean           confabd_test_have_pg           (void);
gboolean           confabd_test_store_is_pg       (void);
/* Creates a database of a new name; returns its postgresql:// URI. */
char              *confabd_test_new_pg_database   (void);
/* Stops PostgreSQL (fast shutdown: sessions are ended) and starts it again
 * with the same settings; both wait until it is done. */
void               confabd_test_pg_stop           (void);
void               confabd_test_pg_start          (void);

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
/* Stops the fixture's daemon (SIGTERM, exit 0, if it still runs) and
 * starts it again on the same port and data. */
void               confabd_test_fixture_restart   (ConfabdTestFixture *fixture);

G_END_DECLS
