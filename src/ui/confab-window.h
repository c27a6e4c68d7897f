/* confab-window.h: the main window, a sidebar of projects and chats beside a
 * chat view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"
#include "confab-application.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_WINDOW (confab_window_get_type ())
G_DECLARE_FINAL_TYPE (ConfabWindow, confab_window, CONFAB, WINDOW, AdwApplicationWindow)

ConfabWindow *confab_window_new       (ConfabApplication *application,
                                       ConfabStore       *store);
ConfabStore  *confab_window_get_store (ConfabWindow      *self);

G_END_DECLS
