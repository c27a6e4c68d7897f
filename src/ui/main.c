/* main.c: the Confab desktop app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <glib/gi18n.h>

#include "confab-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr (ConfabApplication) app = NULL;

  /* A write past the file size limit (RLIMIT_FSIZE, "ulimit -f") then fails
   * with EFBIG, as one on a full disk fails with ENOSPC: the store reports
   * it and the draft is kept. By default SIGXFSZ kills the app mid-write. */
  signal (SIGXFSZ, SIG_IGN);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = confab_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
