/* confab-text-window.h: the whole text of a message too long for the chat,
 * read-only, with Copy All and Save As….
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_TEXT_WINDOW (confab_text_window_get_type ())
G_DECLARE_FINAL_TYPE (ConfabTextWindow, confab_text_window, CONFAB, TEXT_WINDOW, AdwWindow)

/* A window over parent showing a copy of text; subtitle (who wrote it,
 * NULL for none) goes under the title with the text's size. */
GtkWidget *confab_text_window_new (GtkWindow  *parent,
                                   const char *subtitle,
                                   const char *text);

G_END_DECLS
