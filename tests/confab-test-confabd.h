/* confab-test-confabd.h: a real confabd for the room tests, started,
 * killed and restarted on the same port and data directory.
 *
 * Compiled into each test that uses it, with CONFABD_PATH (and, under
 * AddressSanitizer, CONFABD_LSAN_SUPPRESSIONS) defined by meson.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _ConfabTestDaemon ConfabTestDaemon;

/* Starts confabd --allow-register on 127.0.0.1:@port (0: a free one) with
 * @data_dir, and waits for its listening line. Retries for a few seconds
 * while the port is still taken. */
ConfabTestDaemon *confab_test_daemon_start    (const char       *data_dir,
                                               guint16           port);
/* "http://127.0.0.1:PORT" */
const char       *confab_test_daemon_get_url  (ConfabTestDaemon *daemon);
guint16           confab_test_daemon_get_port (ConfabTestDaemon *daemon);
/* SIGKILL, and waits until it is gone. */
void              confab_test_daemon_kill     (ConfabTestDaemon *daemon);
/* SIGSTOP / SIGCONT: frozen, it keeps its sockets but answers nothing. */
void              confab_test_daemon_pause    (ConfabTestDaemon *daemon);
void              confab_test_daemon_resume   (ConfabTestDaemon *daemon);
/* Prints its stderr into the test log. */
void              confab_test_daemon_dump     (ConfabTestDaemon *daemon);
/* SIGTERM (if still running), waits, frees. */
void              confab_test_daemon_free     (ConfabTestDaemon *daemon);

/* Runs the default main context until *done is TRUE; fails the test with
 * @what after @seconds. */
void              confab_test_wait_until      (gboolean         *done,
                                               guint             seconds,
                                               const char       *what);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabTestDaemon, confab_test_daemon_free)

G_END_DECLS
