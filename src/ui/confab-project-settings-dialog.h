/* confab-project-settings-dialog.h: a project's name, default model and
 * system prompt.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "confab-core.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_PROJECT_SETTINGS_DIALOG (confab_project_settings_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ConfabProjectSettingsDialog, confab_project_settings_dialog,
                      CONFAB, PROJECT_SETTINGS_DIALOG, AdwWindow)

ConfabProjectSettingsDialog *confab_project_settings_dialog_new (GtkWindow     *parent,
                                                                 ConfabStore   *store,
                                                                 ConfabProject *project);
ConfabProject *confab_project_settings_dialog_get_project (ConfabProjectSettingsDialog *self);

G_END_DECLS
