/* confab-project.h: a project groups chats, with an optional default model and
 * system prompt for its chats.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "confab-types.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_PROJECT (confab_project_get_type ())
G_DECLARE_FINAL_TYPE (ConfabProject, confab_project, CONFAB, PROJECT, GObject)

/* Objects are created by ConfabStore; properties mirror the row and are
 * updated by the store when it writes, so bound widgets follow. */
gint64      confab_project_get_id            (ConfabProject *self);
const char *confab_project_get_name          (ConfabProject *self);
const char *confab_project_get_system_prompt (ConfabProject *self);
const char *confab_project_get_default_model (ConfabProject *self);
gint64      confab_project_get_created       (ConfabProject *self);

G_END_DECLS
