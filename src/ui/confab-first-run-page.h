/* confab-first-run-page.h: the chat view's empty state before any model
 * can be used: how to add a key, or that a local Ollama was found.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_FIRST_RUN_PAGE (confab_first_run_page_get_type ())
G_DECLARE_FINAL_TYPE (ConfabFirstRunPage, confab_first_run_page, CONFAB, FIRST_RUN_PAGE, GtkWidget)

/* Without one set, the application's (once the page is in a window). */
ConfabModelCatalogue *confab_first_run_page_get_catalogue     (ConfabFirstRunPage   *self);
void                  confab_first_run_page_set_catalogue     (ConfabFirstRunPage   *self,
                                                               ConfabModelCatalogue *catalogue);
/* TRUE while no provider but perhaps a local Ollama is set up: the chat
 * view shows this page instead of its usual empty states. */
gboolean              confab_first_run_page_get_needed        (ConfabFirstRunPage   *self);
/* Whether it stands for an empty chat ("No Messages Yet") or for no chat
 * at all ("No Chat Selected", with a New Chat button). */
gboolean              confab_first_run_page_get_chat_open     (ConfabFirstRunPage   *self);
void                  confab_first_run_page_set_chat_open     (ConfabFirstRunPage   *self,
                                                               gboolean              chat_open);

G_END_DECLS
