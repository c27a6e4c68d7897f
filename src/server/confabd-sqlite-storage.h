/* confabd-sqlite-storage.h: confabd's storage in one SQLite file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confabd-storage.h"

G_BEGIN_DECLS

/* The schema this build writes (PRAGMA user_version). */
#define CONFABD_SQLITE_SCHEMA_VERSION 1

#define CONFABD_TYPE_SQLITE_STORAGE (confabd_sqlite_storage_get_type ())
G_DECLARE_FINAL_TYPE (ConfabdSqliteStorage, confabd_sqlite_storage,
                      CONFABD, SQLITE_STORAGE, GObject)

/* Opens (or creates, with its folder) the database at @path, migrating it to
 * the current schema. A file that is not a confabd database, or has a newer
 * schema, fails with CONFABD_STORAGE_ERROR_CORRUPT and is left unchanged. */
ConfabdStorage *confabd_sqlite_storage_new (const char  *path,
                                            GError     **error);

const char     *confabd_sqlite_storage_get_path (ConfabdSqliteStorage *self);

G_END_DECLS
