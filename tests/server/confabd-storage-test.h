/* confabd-storage-test.h: fixtures shared by the storage tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confabd-sqlite-storage-private.h"
#include "confabd-storage.h"

G_BEGIN_DECLS

/* A fresh database in a temporary folder, removed afterwards. */
typedef struct
{
  char           *dir;
  char           *path;
  ConfabdStorage *storage;
} Fixture;

#define STORAGE_TEST_ADD(name, func)                                   \
  g_test_add ("/confabd/storage/" name, Fixture, NULL,                 \
              storage_fixture_set_up, func, storage_fixture_tear_down)

void            storage_fixture_set_up    (Fixture              *fixture,
                                           gconstpointer         data);
void            storage_fixture_tear_down (Fixture              *fixture,
                                           gconstpointer         data);
ConfabdStorage *storage_open              (const char           *path);
/* Closes (proving nothing else holds it) and opens the file again. */
void            storage_reopen            (Fixture              *fixture);
void            storage_remove_dir        (const char           *path);
char           *storage_sha256_hex        (const char           *token);
char           *storage_file_sha256       (const char           *path);
gint64          storage_query_int         (ConfabdStorage       *storage,
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
