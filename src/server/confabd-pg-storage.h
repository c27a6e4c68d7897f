/* confabd-pg-storage.h: confabd's storage in a PostgreSQL database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confabd-storage.h"

G_BEGIN_DECLS

/* The schema this build writes (the highest version in schema_migrations). */
#define CONFABD_PG_SCHEMA_VERSION 1

/* How long one call may wait for the database, unless the conninfo's
 * connect_timeout says otherwise for connecting. */
#define CONFABD_PG_DEFAULT_TIMEOUT_MS 5000

#define CONFABD_TYPE_PG_STORAGE (confabd_pg_storage_get_type ())
G_DECLARE_FINAL_TYPE (ConfabdPgStorage, confabd_pg_storage, CONFABD, PG_STORAGE, GObject)

/* Connects to the database @conninfo names (a libpq conninfo string or
 * postgres:// URI, passed as is) and migrates it to the current schema. A
 * database with a newer schema fails with CONFABD_STORAGE_ERROR_CORRUPT and
 * is left unchanged; an unreachable server with a G_IO_ERROR. */
ConfabdStorage *confabd_pg_storage_new           (const char        *conninfo,
                                                  GError           **error);

const char     *confabd_pg_storage_get_conninfo  (ConfabdPgStorage  *self);
/* The bound on every wait for the server, in milliseconds. */
void            confabd_pg_storage_set_timeout   (ConfabdPgStorage  *self,
                                                  guint              timeout_ms);

G_END_DECLS
