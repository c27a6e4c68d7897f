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

/* Shared projects (a room on a confabd server, see confab-room-sync.h):
 * TRUE when bound to a room; the room's id and server URL, the user's role
 * in it ("owner", "admin", "member", "viewer"; confab_room_role_from_string)
 * and the last event of the room applied to the store. NULL/0 otherwise. */
gboolean    confab_project_get_shared        (ConfabProject *self);
const char *confab_project_get_room_id       (ConfabProject *self);
const char *confab_project_get_room_server   (ConfabProject *self);
const char *confab_project_get_room_role     (ConfabProject *self);
gint64      confab_project_get_room_seq      (ConfabProject *self);

G_END_DECLS
