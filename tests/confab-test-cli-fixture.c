/* confab-test-cli-fixture.c: the fixture of confab-cli's verb tests, apart
 * from confab-test-cli.c so that only the tests that use it link the fake
 * provider.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-test"

#include "config.h"

#include "confab-test-cli.h"
#include "confab-test-utils.h"

void
confab_test_cli_fixture_set_up (ConfabTestCliFixture *fixture,
                                gconstpointer         data)
{
  g_autoptr(GError) error = NULL;

  fixture->fake = confab_fake_provider_new (0, &error);
  g_assert_no_error (error);
  fixture->dir = confab_test_make_tmpdir ();
  fixture->cli = g_test_build_filename (G_TEST_BUILT, "..", "src", "cli", "confab-cli", NULL);
}

void
confab_test_cli_fixture_tear_down (ConfabTestCliFixture *fixture,
                                   gconstpointer         data)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->fake));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  confab_test_rm_rf (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->cli, g_free);
}
