/* confab-test-cli.h: running confab-cli as a script would, for the tests
 * of its verbs (test-cli.c, test-cli-room.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "confab-fake-provider.h"

G_BEGIN_DECLS

/* What one run of the program did. */
typedef struct
{
  int   status;      /* exit code, or 128 + signal */
  char *out;
  char *err;
} ConfabTestCliRun;

void         confab_test_cli_run_clear  (ConfabTestCliRun   *run);

/* Starts @cli with @args (NULL-terminated), its stdin, stdout and stderr
 * piped, without the provider variables of the test's environment (and
 * OLLAMA_HOST pointing where nothing answers), plus @env: "NAME=VALUE", or
 * "-NAME" to unset. */
GSubprocess *confab_test_cli_spawn      (const char         *cli,
                                         const char * const *env,
                                         const char * const *args);
/* Writes @input (may be NULL) and waits for the exit (the test fails after
 * a minute); @run is cleared first, so it can be used again. */
void         confab_test_cli_finish     (GSubprocess        *process,
                                         const char         *input,
                                         ConfabTestCliRun   *run);
/* Both. */
void         confab_test_cli_exec       (const char         *cli,
                                         const char         *input,
                                         const char * const *env,
                                         const char * const *args,
                                         ConfabTestCliRun   *run);

/* The JSON lines of @out, each an object with an "event" (JsonNodes). */
GPtrArray   *confab_test_cli_parse_lines (const char        *out);
JsonObject  *confab_test_cli_line_at    (GPtrArray          *lines,
                                         guint               index);

/* Exactly one line on stderr, in the agreed form ("confab-cli: error: …"),
 * saying @contains when it is not NULL. */
void         confab_test_cli_assert_one_error_line (const ConfabTestCliRun *run,
                                                    const char             *contains);

/* The fixture of the verbs' tests (confab-test-cli-fixture.c, which needs
 * the fake provider linked): a fake provider, a fresh --data-dir and the
 * confab-cli of the build tree. */
typedef struct
{
  ConfabFakeProvider *fake;
  char               *dir;
  char               *cli;
} ConfabTestCliFixture;

void         confab_test_cli_fixture_set_up    (ConfabTestCliFixture *fixture,
                                                gconstpointer         data);
void         confab_test_cli_fixture_tear_down (ConfabTestCliFixture *fixture,
                                                gconstpointer         data);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ConfabTestCliRun, confab_test_cli_run_clear)

G_END_DECLS
