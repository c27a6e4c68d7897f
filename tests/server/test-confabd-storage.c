/* test-confabd-storage.c: confabd's storage (SQLite and PostgreSQL): opening, accounts,
 * rooms, invites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "confabd-storage-test.h"

static void
test_open (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-confabd-storage-XXXXXX", &error);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *path = g_build_filename (data_dir, "confabd.sqlite", NULL);
  g_autoptr(ConfabdStorage) storage = NULL;
  const char *unsupported[] = { "redis:x", "mysql://db.example/confabd", "x" };
  const char *unreachable[] = { "postgres://127.0.0.1:1/confabd", "postgresql://127.0.0.1:1/x" };
  GStatBuf st;

  /* No URI: the default file in the data folder, created private. */
  storage = confabd_storage_open (NULL, data_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (confabd_sqlite_storage_get_path (CONFABD_SQLITE_STORAGE (storage)), ==, path);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (storage_query_int (storage, "PRAGMA user_version"),
                   ==, CONFABD_SQLITE_SCHEMA_VERSION);
  g_assert_cmpint (storage_query_int (storage, "PRAGMA application_id"), ==, 0x43464244);
  g_assert_cmpint (storage_query_int (storage, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (storage_query_int (storage, "PRAGMA synchronous"), ==, 2); /* FULL */
  g_assert_cmpint (storage_query_int (storage, "SELECT journal_mode = 'wal'"
                                                " FROM pragma_journal_mode"), ==, 1);
  g_assert_finalize_object (g_steal_pointer (&storage));

  for (guint i = 0; i < G_N_ELEMENTS (unsupported); i++)
    {
      g_clear_error (&error);
      g_assert_null (confabd_storage_open (unsupported[i], data_dir, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
    }
  g_assert_nonnull (strstr (error->message, "sqlite:PATH"));

  /* PostgreSQL URIs go to libpq: nothing listens on port 1. */
  for (guint i = 0; i < G_N_ELEMENTS (unreachable); i++)
    {
      g_clear_error (&error);
      g_assert_null (confabd_storage_open (unreachable[i], data_dir, &error));
      g_test_message ("%s: %s", unreachable[i], error->message);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
      g_assert_nonnull (strstr (error->message, "127.0.0.1:1"));
    }

  g_clear_error (&error);
  g_assert_null (confabd_storage_open ("sqlite:", data_dir, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  storage_remove_dir (dir);
}

static void
test_users (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabdUser) ada = NULL;
  g_autoptr(ConfabdUser) found = NULL;
  g_autoptr(ConfabdUser) again = NULL;
  g_autoptr(ConfabdUser) bob = NULL;

  ada = confabd_storage_create_user (fixture->storage, "ada", "$argon2id$ada", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ada->id, >, 0);
  g_assert_cmpint (ada->created, >, 1700000000);

  again = confabd_storage_create_user (fixture->storage, "ada", "$argon2id$other", &error);
  g_assert_null (again);
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT);
  g_clear_error (&error);

  bob = confabd_storage_create_user (fixture->storage, "bob", "$argon2id$bob", &error);
  g_assert_no_error (error);
  g_assert_cmpint (bob->id, !=, ada->id);

  storage_reopen (fixture);
  found = confabd_storage_lookup_user (fixture->storage, "ada", &error);
  g_assert_no_error (error);
  g_assert_cmpint (found->id, ==, ada->id);
  g_assert_cmpstr (found->name, ==, "ada");
  g_assert_cmpstr (found->password_hash, ==, "$argon2id$ada");
  g_assert_cmpint (found->created, ==, ada->created);

  g_assert_null (confabd_storage_lookup_user (fixture->storage, "carol", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
}

static void
test_sessions (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = storage_sha256_hex ("token-1");
  g_autofree char *user = NULL;
  gint64 expires = 0;

  g_assert_false (confabd_storage_create_session (fixture->storage, hash, "ada", 2000, &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  storage_create_user (fixture->storage, "ada");
  g_assert_true (confabd_storage_create_session (fixture->storage, hash, "ada", 2000, &error));
  g_assert_no_error (error);
  g_assert_false (confabd_storage_create_session (fixture->storage, hash, "ada", 3000, &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT);
  g_clear_error (&error);

  user = confabd_storage_lookup_session (fixture->storage, hash, 1999, &expires, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (user, ==, "ada");
  g_assert_cmpint (expires, ==, 2000);

  /* Expired at its expiry time. */
  g_assert_null (confabd_storage_lookup_session (fixture->storage, hash, 2000, NULL, &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_null (confabd_storage_lookup_session (fixture->storage, "0000", 0, NULL, &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (confabd_storage_revoke_session (fixture->storage, hash, &error));
  g_assert_no_error (error);
  storage_reopen (fixture);
  g_assert_null (confabd_storage_lookup_session (fixture->storage, hash, 1000, NULL, &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (confabd_storage_revoke_session (fixture->storage, "0000", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
}

static void
test_rooms (Fixture       *fixture,
            gconstpointer  data)
{
  ConfabdStorage *storage = fixture->storage;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabdRoom) room = NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  g_autoptr(GPtrArray) roles = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autofree char *role = NULL;

  /* The owner must be a user. */
  g_assert_null (confabd_storage_create_room (storage, "r1", "Lab", "ada", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  storage_create_room (storage);
  storage_create_user (storage, "bob");
  storage_create_user (storage, "eve");
  g_assert_null (confabd_storage_create_room (storage, "r1", "Other", "bob", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT);
  g_clear_error (&error);
  room = confabd_storage_create_room (storage, "r2", "Bob's", "bob", &error);
  g_assert_no_error (error);
  g_clear_pointer (&room, confabd_room_free);

  room = confabd_storage_lookup_room (storage, "r1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (room->name, ==, "Lab");
  g_assert_cmpstr (room->owner, ==, "ada");

  /* The owner is a member, with the owner role. */
  role = confabd_storage_lookup_role (storage, "r1", "ada", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (role, ==, "owner");
  g_assert_null (confabd_storage_lookup_role (storage, "r1", "bob", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (confabd_storage_set_member (storage, "r1", "bob", "viewer", &error));
  g_assert_no_error (error);
  g_assert_true (confabd_storage_set_member (storage, "r1", "bob", "admin", &error));
  g_assert_no_error (error);
  g_assert_true (confabd_storage_set_member (storage, "r1", "eve", "member", &error));
  g_assert_no_error (error);

  /* Owners are fixed; roles are checked; users and rooms must exist. */
  g_assert_false (confabd_storage_set_member (storage, "r1", "ada", "admin", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (confabd_storage_set_member (storage, "r1", "eve", "owner", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (confabd_storage_set_member (storage, "r1", "eve", "king", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (confabd_storage_set_member (storage, "r1", "zed", "member", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (confabd_storage_set_member (storage, "r9", "eve", "member", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  members = confabd_storage_list_members (storage, "r1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (members->len, ==, 3);
  g_assert_cmpstr (((ConfabdMember *)members->pdata[0])->user, ==, "ada");
  g_assert_cmpstr (((ConfabdMember *)members->pdata[0])->role, ==, "owner");
  g_assert_cmpstr (((ConfabdMember *)members->pdata[1])->user, ==, "bob");
  g_assert_cmpstr (((ConfabdMember *)members->pdata[1])->role, ==, "admin");
  g_assert_cmpstr (((ConfabdMember *)members->pdata[2])->role, ==, "member");
  g_assert_null (confabd_storage_list_members (storage, "r9", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  rooms = confabd_storage_list_rooms (storage, "bob", &roles, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rooms->len, ==, 2);
  g_assert_cmpuint (roles->len, ==, 2);
  g_assert_cmpstr (((ConfabdRoom *)rooms->pdata[0])->id, ==, "r1");
  g_assert_cmpstr (roles->pdata[0], ==, "admin");
  g_assert_cmpstr (((ConfabdRoom *)rooms->pdata[1])->id, ==, "r2");
  g_assert_cmpstr (roles->pdata[1], ==, "owner");
  g_clear_pointer (&rooms, g_ptr_array_unref);

  g_assert_false (confabd_storage_remove_member (storage, "r1", "ada", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (confabd_storage_remove_member (storage, "r1", "eve", &error));
  g_assert_no_error (error);
  g_assert_false (confabd_storage_remove_member (storage, "r1", "eve", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  rooms = confabd_storage_list_rooms (storage, "eve", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rooms->len, ==, 0);
}

static void
test_delete_room (Fixture       *fixture,
                  gconstpointer  data)
{
  ConfabdStorage *storage = fixture->storage;
  g_autoptr(GError) error = NULL;
  ConfabdInvite invite = { .token_id = (char *)"i1", .room = (char *)"r1",
                           .role = (char *)"member", .uses_left = 1, .expires = G_MAXINT32,
                           .created_by = (char *)"ada" };
  const char *tables[] = { "members", "invites", "events", "chats", "messages" };

  storage_create_room (storage);
  storage_create_user (storage, "bob");
  g_assert_true (confabd_storage_set_member (storage, "r1", "bob", "member", &error));
  g_assert_true (confabd_storage_create_invite (storage, "hash", &invite, &error));
  g_assert_no_error (error);
  storage_create_chat (storage, "c1");
  storage_post (storage, "m1", "c1", NULL, 1, NULL);
  storage_post (storage, "m2", "c1", "m1", 2, NULL);

  g_assert_true (confabd_storage_delete_room (storage, "r1", &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", tables[i]);

      g_test_message ("table %s", tables[i]);
      g_assert_cmpint (storage_query_int (storage, sql), ==, 0);
    }
  g_assert_null (confabd_storage_lookup_room (storage, "r1", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (confabd_storage_delete_room (storage, "r1", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
}

static void
test_invites (Fixture       *fixture,
              gconstpointer  data)
{
  ConfabdStorage *storage = fixture->storage;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) invites = NULL;
  g_autofree char *two = storage_sha256_hex ("two-uses");
  g_autofree char *unlimited = storage_sha256_hex ("unlimited");
  g_autofree char *revoked = storage_sha256_hex ("revoked");
  ConfabdInvite invite = { .token_id = (char *)"i2", .room = (char *)"r1",
                           .role = (char *)"member", .uses_left = 2, .expires = 1000,
                           .created_by = (char *)"ada" };

  storage_create_room (storage);
  g_assert_true (confabd_storage_create_invite (storage, two, &invite, &error));
  g_assert_no_error (error);
  invite.token_id = (char *)"iu";
  invite.uses_left = -1;
  invite.role = (char *)"viewer";
  g_assert_true (confabd_storage_create_invite (storage, unlimited, &invite, &error));
  invite.token_id = (char *)"ir";
  invite.uses_left = 1;
  g_assert_true (confabd_storage_create_invite (storage, revoked, &invite, &error));
  g_assert_no_error (error);

  /* Same public id in a room, an owner invite, an unknown room. */
  g_assert_false (confabd_storage_create_invite (storage, "other", &invite, &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT);
  g_clear_error (&error);
  invite.token_id = (char *)"io";
  invite.role = (char *)"owner";
  g_assert_false (confabd_storage_create_invite (storage, "other", &invite, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  invite.role = (char *)"member";
  invite.room = (char *)"r9";
  g_assert_false (confabd_storage_create_invite (storage, "other", &invite, &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  for (int i = 1; i >= 0; i--)
    {
      g_autoptr(ConfabdInvite) used = confabd_storage_consume_invite (storage, two, 999, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (used->token_id, ==, "i2");
      g_assert_cmpstr (used->room, ==, "r1");
      g_assert_cmpstr (used->role, ==, "member");
      g_assert_cmpstr (used->created_by, ==, "ada");
      g_assert_cmpint (used->uses_left, ==, i);
    }
  g_assert_null (confabd_storage_consume_invite (storage, two, 999, &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT);
  g_clear_error (&error);

  for (int i = 0; i < 3; i++)
    {
      g_autoptr(ConfabdInvite) used = confabd_storage_consume_invite (storage, unlimited, 999,
                                                                      &error);

      g_assert_no_error (error);
      g_assert_cmpint (used->uses_left, ==, -1);
    }
  /* Expired at its expiry time. */
  g_assert_null (confabd_storage_consume_invite (storage, unlimited, 1000, &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT);
  g_clear_error (&error);

  g_assert_null (confabd_storage_consume_invite (storage, "nope", 0, &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* By public id, and by the token's hash. */
  g_assert_true (confabd_storage_revoke_invite (storage, "r1", "ir", &error));
  g_assert_no_error (error);
  g_assert_null (confabd_storage_consume_invite (storage, revoked, 0, &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (confabd_storage_revoke_invite (storage, "r2", "iu", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Used up and revoked ones are not listed. */
  invites = confabd_storage_list_invites (storage, "r1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (invites->len, ==, 1);
  g_assert_cmpstr (((ConfabdInvite *)invites->pdata[0])->token_id, ==, "iu");
  g_assert_cmpint (((ConfabdInvite *)invites->pdata[0])->expires, ==, 1000);
  g_assert_false (((ConfabdInvite *)invites->pdata[0])->revoked);
  g_clear_pointer (&invites, g_ptr_array_unref);

  g_assert_true (confabd_storage_revoke_invite (storage, "r1", unlimited, &error));
  g_assert_no_error (error);
  invites = confabd_storage_list_invites (storage, "r1", &error);
  g_assert_cmpuint (invites->len, ==, 0);

  /* Looked up by the token's hash whatever its state, without a use. */
  {
    g_autoptr(ConfabdInvite) found = confabd_storage_lookup_invite (storage, two, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (found->token_id, ==, "i2");
    g_assert_cmpstr (found->room, ==, "r1");
    g_assert_cmpint (found->uses_left, ==, 0);
    g_assert_false (found->revoked);
  }
  {
    g_autoptr(ConfabdInvite) found = confabd_storage_lookup_invite (storage, revoked, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (found->token_id, ==, "ir");
    g_assert_cmpint (found->uses_left, ==, 1);
    g_assert_true (found->revoked);
  }
  g_assert_null (confabd_storage_lookup_invite (storage, "nope", &error));
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND);
}

#define N_RACE_INVITES 40

/* Both threads leave it together: each invite is asked for at the same
 * moment by both connections. */
typedef struct
{
  GMutex mutex;
  GCond  cond;
  guint  waiting;
  guint  generation;
} Barrier;

static void
barrier_wait (Barrier *barrier)
{
  guint generation;

  g_mutex_lock (&barrier->mutex);
  generation = barrier->generation;
  if (++barrier->waiting == 2)
    {
      barrier->waiting = 0;
      barrier->generation++;
      g_cond_broadcast (&barrier->cond);
    }
  else
    {
      while (generation == barrier->generation)
        g_cond_wait (&barrier->cond, &barrier->mutex);
    }
  g_mutex_unlock (&barrier->mutex);
}

typedef struct
{
  char          *path;
  Barrier       *barrier;
  guint          wins;
  guint          won[N_RACE_INVITES];
} Racer;

static gpointer
race_thread (gpointer data)
{
  Racer *racer = data;
  g_autoptr(ConfabdStorage) storage = storage_open (racer->path);

  for (guint i = 0; i < N_RACE_INVITES; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *token = g_strdup_printf ("race-%u", i);
      g_autofree char *hash = storage_sha256_hex (token);
      g_autoptr(ConfabdInvite) invite = NULL;

      barrier_wait (racer->barrier);
      invite = confabd_storage_consume_invite (storage, hash, 0, &error);
      if (invite != NULL)
        {
          g_assert_cmpint (invite->uses_left, ==, 0);
          racer->won[i] = 1;
          racer->wins++;
        }
      else
        {
          g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT);
        }
    }

  return NULL;
}

static void
test_invites_race (Fixture       *fixture,
                   gconstpointer  data)
{
  Racer racers[2] = { { 0 } };
  GThread *threads[2];
  Barrier barrier = { 0 };

  storage_create_room (fixture->storage);
  for (guint i = 0; i < N_RACE_INVITES; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *token = g_strdup_printf ("race-%u", i);
      g_autofree char *hash = storage_sha256_hex (token);
      g_autofree char *token_id = g_strdup_printf ("i%u", i);
      ConfabdInvite invite = { .token_id = token_id, .room = (char *)"r1",
                               .role = (char *)"member", .uses_left = 1, .expires = G_MAXINT32,
                               .created_by = (char *)"ada" };

      g_assert_true (confabd_storage_create_invite (fixture->storage, hash, &invite, &error));
      g_assert_no_error (error);
    }
  g_clear_object (&fixture->storage);

  for (guint t = 0; t < 2; t++)
    {
      racers[t].path = fixture->path;
      racers[t].barrier = &barrier;
      threads[t] = g_thread_new ("racer", race_thread, &racers[t]);
    }
  for (guint t = 0; t < 2; t++)
    g_thread_join (threads[t]);
  g_mutex_clear (&barrier.mutex);
  g_cond_clear (&barrier.cond);

  g_test_message ("wins: %u and %u", racers[0].wins, racers[1].wins);
  g_assert_cmpuint (racers[0].wins + racers[1].wins, ==, N_RACE_INVITES);
  for (guint i = 0; i < N_RACE_INVITES; i++)
    g_assert_cmpuint (racers[0].won[i] + racers[1].won[i], ==, 1);
}

static gpointer
open_thread (gpointer data)
{
  Racer *racer = data;
  g_autoptr(ConfabdStorage) storage = NULL;

  barrier_wait (racer->barrier);
  storage = storage_open (racer->path);
  racer->wins = 1;
  return NULL;
}

/* Two servers creating the same new file at once both get a working one. */
static void
test_open_race (Fixture       *fixture,
                gconstpointer  data)
{
  for (guint round = 0; round < 10; round++)
    {
      g_autofree char *name = g_strdup_printf ("new-%u.sqlite", round);
      g_autofree char *path = fixture->pg ? confabd_test_new_pg_database ()
                                          : g_build_filename (fixture->dir, name, NULL);
      Racer racers[2] = { { 0 } };
      GThread *threads[2];
      Barrier barrier = { 0 };

      for (guint t = 0; t < 2; t++)
        {
          racers[t].path = path;
          racers[t].barrier = &barrier;
          threads[t] = g_thread_new ("opener", open_thread, &racers[t]);
        }
      for (guint t = 0; t < 2; t++)
        g_thread_join (threads[t]);
      g_mutex_clear (&barrier.mutex);
      g_cond_clear (&barrier.cond);

      g_assert_cmpuint (racers[0].wins + racers[1].wins, ==, 2);
    }
}

/* Opening must fail with CORRUPT and leave the file byte for byte as it was,
 * without a WAL file next to it. */
static void
assert_refused (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = storage_file_sha256 (path);
  g_autofree char *after = NULL;
  g_autofree char *uri = g_strconcat ("sqlite:", path, NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  g_assert_null (confabd_storage_open (uri, NULL, &error));
  g_test_message ("refused: %s", error->message);
  g_assert_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CORRUPT);
  after = storage_file_sha256 (path);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
make_sqlite (const char *path,
             const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static void
test_refuse_foreign (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_build_filename (fixture->dir, "text", NULL);
  g_autofree char *damaged = g_build_filename (fixture->dir, "damaged", NULL);
  g_autofree char *foreign = g_build_filename (fixture->dir, "foreign", NULL);
  g_autofree char *other_app = g_build_filename (fixture->dir, "other-app", NULL);
  g_autofree char *desktop = g_build_filename (fixture->dir, "desktop", NULL);
  g_autofree char *garbage = g_malloc (8192);

  g_assert_true (g_file_set_contents (text, "user,password\nada,secret\n", -1, &error));
  memcpy (garbage, "SQLite format 3", 16);
  for (guint i = 16; i < 8192; i++)
    garbage[i] = (char)g_test_rand_int_range (0, 256);
  g_assert_true (g_file_set_contents (damaged, garbage, 8192, &error));
  g_assert_no_error (error);
  make_sqlite (foreign, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hi');");
  make_sqlite (other_app, "PRAGMA application_id = 42; CREATE TABLE t (x);");
  make_sqlite (desktop, "PRAGMA application_id = 1128677698; PRAGMA user_version = 1;");

  assert_refused (text);
  assert_refused (damaged);
  assert_refused (foreign);
  assert_refused (other_app);
  assert_refused (desktop);
}

static void
test_refuse_newer (Fixture       *fixture,
                   gconstpointer  data)
{
  storage_create_room (fixture->storage);
  g_assert_finalize_object (g_steal_pointer (&fixture->storage));

  make_sqlite (fixture->path, "PRAGMA user_version = 99; PRAGMA journal_mode = DELETE;");
  assert_refused (fixture->path);

  /* Back at the known version it opens again, with its data. */
  make_sqlite (fixture->path, "PRAGMA user_version = 1;");
  fixture->storage = storage_open (fixture->path);
  g_assert_cmpint (storage_last_seq (fixture->storage), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/confabd/storage/open", test_open);
  STORAGE_TEST_ADD ("users", test_users);
  STORAGE_TEST_ADD ("sessions", test_sessions);
  STORAGE_TEST_ADD ("rooms", test_rooms);
  STORAGE_TEST_ADD ("delete-room", test_delete_room);
  STORAGE_TEST_ADD ("invites", test_invites);
  STORAGE_TEST_ADD ("invites-race", test_invites_race);
  STORAGE_TEST_ADD ("open-race", test_open_race);
  /* The file itself (PostgreSQL's: test-confabd-storage-postgres.c). */
  storage_test_add ("refuse-foreign", test_refuse_foreign, STORAGE_SQLITE);
  storage_test_add ("refuse-newer", test_refuse_newer, STORAGE_SQLITE);

  return g_test_run ();
}
