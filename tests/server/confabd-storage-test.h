/* confabd-storage-test.h: fixtures shared by the storage tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libpq-fe.h>

#include "confabd-pg-storage-private.h"
#include "confabd-sqlite-storage-private.h"
#include "confabd-storage.h"
#include "confabd-test-daemon.h"

G_BEGIN_DECLS

/* A fresh database, removed afterwards: a file in a temporary folder, or
 * a new database of the private PostgreSQL of run-with-services.sh. */
typedef struct
{
  char           *dir;
  char           *path;     /* the file, or the postgresql:// URI */
  gboolean        pg;
  ConfabdStorage *storage;
} Fixture;

typedef enum
{
  STORAGE_SQLITE = 1 << 0,
  STORAGE_PG     = 1 << 1,
  STORAGE_BOTH   = STORAGE_SQLITE | STORAGE_PG,
} StorageBackends;

typedef void (*StorageTestFunc) (Fixture       *fixture,
                                 gconstpointer  data);

/* Adds /confabd/storage/NAME on SQLite and /confabd/storage/pg/NAME on
 * PostgreSQL, the latter only when the test runs with one. */
void            storage_test_add          (const char           *name,
                                           StorageTestFunc       func,
                                           StorageBackends       backends);

#define STORAGE_TEST_ADD(name, func) storage_test_add (name, func, STORAGE_BOTH)

void            storage_fixture_set_up    (Fixture              *fixture,
                                           gconstpointer         data);
void            storage_fixture_tear_down (Fixture              *fixture,
                                           gconstpointer         data);
/* Opens a file path or a postgresql:// URI. */
ConfabdStorage *storage_open              (const char           *path);
/* Closes (proving nothing else holds it) and opens the file again. */
void            storage_reopen            (Fixture              *fixture);
void            storage_remove_dir        (const char           *path);
char           *storage_sha256_hex        (const char           *token);
char           *storage_file_sha256       (const char           *path);
/* A number read behind the API (the storage's own SQLite connection, or a
 * connection of the test's to PostgreSQL). */
gint64          storage_query_int         (ConfabdStorage       *storage,
                                           const char           *sql);
/* A statement run behind the API, as storage_query_int reads. */
void            storage_exec              (ConfabdStorage       *storage,
                                           const char           *sql);
/* No transaction left open by the storage. */
void            storage_assert_idle       (ConfabdStorage       *storage);
/* A connection of the test's own to @uri, and a statement run on it. */
PGconn         *storage_pg_connect        (const char           *uri);
void            storage_pg_exec           (PGconn               *conn,
                                           const char           *sql);
void            storage_create_user       (ConfabdStorage       *storage,
                                           const char           *name);
void            storage_create_room       (ConfabdStorage       *storage);
gint64          storage_append            (ConfabdStorage       *storage,
                                           const char           *room,
                                           const char           *name,
                                           const char           *data_json,
                                           ConfabdMessageChange  change,
                                           const ConfabdMessage *message,
                                           GError              **error);
void            storage_create_chat       (ConfabdStorage       *storage,
                                           const char           *chat);
gint64          storage_post              (ConfabdStorage       *storage,
                                           const char           *id,
                                           const char           *chat,
                                           const char           *thread,
                                           gint64                created,
                                           const char           *status);
gint64          storage_last_seq          (ConfabdStorage       *storage);

G_END_DECLS
