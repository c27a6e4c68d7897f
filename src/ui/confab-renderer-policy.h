/* confab-renderer-policy.h: which GSK renderer draws Confab's windows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Before the first window: on GTK older than 4.14, with GSK_RENDERER unset
 * and OpenGL drawn in software (llvmpipe, softpipe), sets GSK_RENDERER to
 * cairo, as GTK 4.14 decides by itself. Returns the renderer it chose, or
 * NULL when it left GTK's choice alone. */
const char *confab_renderer_policy_apply (GdkDisplay *display);

G_END_DECLS
