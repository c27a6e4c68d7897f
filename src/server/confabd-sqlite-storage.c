/* confabd-sqlite-storage.c: confabd's storage in one SQLite file
 *
 * Accounts, sessions, rooms, members and invites; the event log and the
 * messages are in confabd-sqlite-events.c, opening and migrating the file in
 * confabd-sqlite-db.c. Every call runs on the calling thread; each
 * object is one SQLite connection, to be used by one thread at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include "confabd-sqlite-storage-private.h"

static void confabd_sqlite_storage_iface_init (ConfabdStorageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabdSqliteStorage, confabd_sqlite_storage, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CONFABD_TYPE_STORAGE,
                                                      confabd_sqlite_storage_iface_init))

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---- Accounts and sessions */

static ConfabdUser *
confabd_sqlite_storage_create_user (ConfabdStorage  *storage,
                                    const char      *name,
                                    const char      *password_hash,
                                    GError         **error)
{
  static const char sql[] =
    "INSERT INTO users (name, password_hash, created) VALUES (?1, ?2, ?3)";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ConfabdStmt) stmt = NULL;
  ConfabdUser *user;
  gint64 created = now_seconds ();

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return NULL;

  _confabd_bind_text (stmt, 1, name);
  _confabd_bind_text (stmt, 2, password_hash);
  sqlite3_bind_int64 (stmt, 3, created);
  if (!_confabd_sqlite_step_done (self, stmt, "Could not create the user", &local_error))
    {
      if (g_error_matches (local_error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT))
        g_set_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT,
                     "The user name “%s” is taken", name);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  user = g_new0 (ConfabdUser, 1);
  user->id = sqlite3_last_insert_rowid (self->db);
  user->name = g_strdup (name);
  user->password_hash = g_strdup (password_hash);
  user->created = created;
  return user;
}

static ConfabdUser *
confabd_sqlite_storage_lookup_user (ConfabdStorage  *storage,
                                    const char      *name,
                                    GError         **error)
{
  static const char sql[] =
    "SELECT id, name, password_hash, created FROM users WHERE name = ?1";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;
  ConfabdUser *user;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return NULL;

  _confabd_bind_text (stmt, 1, name);
  if (!_confabd_sqlite_step_row (self, stmt, "No such user", error))
    return NULL;

  user = g_new0 (ConfabdUser, 1);
  user->id = sqlite3_column_int64 (stmt, 0);
  user->name = _confabd_column_dup (stmt, 1);
  user->password_hash = _confabd_column_dup (stmt, 2);
  user->created = sqlite3_column_int64 (stmt, 3);
  return user;
}

static gboolean
confabd_sqlite_storage_create_session (ConfabdStorage  *storage,
                                       const char      *token_hash,
                                       const char      *user,
                                       gint64           expires,
                                       GError         **error)
{
  static const char sql[] =
    "INSERT INTO sessions (token_hash, user, expires, created) VALUES (?1, ?2, ?3, ?4)";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return FALSE;

  _confabd_bind_text (stmt, 1, token_hash);
  _confabd_bind_text (stmt, 2, user);
  sqlite3_bind_int64 (stmt, 3, expires);
  sqlite3_bind_int64 (stmt, 4, now_seconds ());
  return _confabd_sqlite_step_done (self, stmt, "Could not create the session", error);
}

static char *
confabd_sqlite_storage_lookup_session (ConfabdStorage  *storage,
                                       const char      *token_hash,
                                       gint64           now,
                                       gint64          *expires,
                                       GError         **error)
{
  static const char sql[] =
    "SELECT user, expires, revoked FROM sessions WHERE token_hash = ?1";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;
  gint64 session_expires;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return NULL;

  _confabd_bind_text (stmt, 1, token_hash);
  if (!_confabd_sqlite_step_row (self, stmt, "No such session", error))
    return NULL;

  session_expires = sqlite3_column_int64 (stmt, 1);
  if (sqlite3_column_int (stmt, 2) != 0 || session_expires <= now)
    {
      g_set_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND,
                   "The session %s", sqlite3_column_int (stmt, 2) ? "was revoked" : "expired");
      return NULL;
    }

  if (expires != NULL)
    *expires = session_expires;
  return _confabd_column_dup (stmt, 0);
}

static gboolean
confabd_sqlite_storage_revoke_session (ConfabdStorage  *storage,
                                       const char      *token_hash,
                                       GError         **error)
{
  static const char sql[] = "UPDATE sessions SET revoked = 1 WHERE token_hash = ?1";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return FALSE;

  _confabd_bind_text (stmt, 1, token_hash);
  return _confabd_sqlite_step_changed (self, stmt, "No such session", error);
}

/* ---- Rooms and members */

#define ROOM_COLUMNS "r.id, r.name, r.owner, r.last_seq, r.created"

static ConfabdRoom *
room_from_row (ConfabdStmt *stmt)
{
  ConfabdRoom *room = g_new0 (ConfabdRoom, 1);

  room->id = _confabd_column_dup (stmt, 0);
  room->name = _confabd_column_dup (stmt, 1);
  room->owner = _confabd_column_dup (stmt, 2);
  room->last_seq = sqlite3_column_int64 (stmt, 3);
  room->created = sqlite3_column_int64 (stmt, 4);
  return room;
}

static ConfabdRoom *
confabd_sqlite_storage_create_room (ConfabdStorage  *storage,
                                    const char      *id,
                                    const char      *name,
                                    const char      *owner,
                                    GError         **error)
{
  static const char room_sql[] =
    "INSERT INTO rooms (id, name, owner, created) VALUES (?1, ?2, ?3, ?4)";
  static const char member_sql[] =
    "INSERT INTO members (room, user, role, joined) VALUES (?1, ?2, 'owner', ?3)";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdRoom) room = NULL;
  gint64 created = now_seconds ();

  if (!_confabd_sqlite_begin (self, error))
    return NULL;

  /* The room and its owner's membership, together: a room never exists
   * without its owner. */
  {
    g_autoptr(ConfabdStmt) stmt = _confabd_sqlite_prepare (self, room_sql, error);

    if (stmt == NULL)
      goto fail;
    _confabd_bind_text (stmt, 1, id);
    _confabd_bind_text (stmt, 2, name);
    _confabd_bind_text (stmt, 3, owner);
    sqlite3_bind_int64 (stmt, 4, created);
    if (!_confabd_sqlite_step_done (self, stmt, "Could not create the room", error))
      goto fail;
  }
  {
    g_autoptr(ConfabdStmt) stmt = _confabd_sqlite_prepare (self, member_sql, error);

    if (stmt == NULL)
      goto fail;
    _confabd_bind_text (stmt, 1, id);
    _confabd_bind_text (stmt, 2, owner);
    sqlite3_bind_int64 (stmt, 3, created);
    if (!_confabd_sqlite_step_done (self, stmt, "Could not add the room’s owner", error))
      goto fail;
  }

  if (!_confabd_sqlite_commit (self, error))
    return NULL;

  room = g_new0 (ConfabdRoom, 1);
  room->id = g_strdup (id);
  room->name = g_strdup (name);
  room->owner = g_strdup (owner);
  room->created = created;
  return g_steal_pointer (&room);

fail:
  _confabd_sqlite_rollback (self);
  return NULL;
}

static ConfabdRoom *
confabd_sqlite_storage_lookup_room (ConfabdStorage  *storage,
                                    const char      *id,
                                    GError         **error)
{
  static const char sql[] = "SELECT " ROOM_COLUMNS " FROM rooms r WHERE r.id = ?1";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return NULL;

  _confabd_bind_text (stmt, 1, id);
  if (!_confabd_sqlite_step_row (self, stmt, "No such room", error))
    return NULL;

  return room_from_row (stmt);
}

static GPtrArray *
confabd_sqlite_storage_list_rooms (ConfabdStorage  *storage,
                                   const char      *user,
                                   GPtrArray      **roles,
                                   GError         **error)
{
  static const char sql[] =
    "SELECT " ROOM_COLUMNS ", m.role FROM members m JOIN rooms r ON r.id = m.room"
    " WHERE m.user = ?1 ORDER BY r.created, r.rowid";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(GPtrArray) rooms = g_ptr_array_new_with_free_func ((GDestroyNotify)confabd_room_free);
  g_autoptr(GPtrArray) room_roles = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(ConfabdStmt) stmt = NULL;
  int rc;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return NULL;

  _confabd_bind_text (stmt, 1, user);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (rooms, room_from_row (stmt));
      g_ptr_array_add (room_roles, _confabd_column_dup (stmt, 5));
    }
  if (rc != SQLITE_DONE)
    {
      _confabd_sqlite_set_error (self, error, rc, "Could not list the rooms");
      return NULL;
    }

  if (roles != NULL)
    *roles = g_steal_pointer (&room_roles);
  return g_steal_pointer (&rooms);
}

static gboolean
confabd_sqlite_storage_delete_room (ConfabdStorage  *storage,
                                    const char      *id,
                                    GError         **error)
{
  /* Members, invites, events, chats and messages go with it (cascades). */
  static const char sql[] = "DELETE FROM rooms WHERE id = ?1";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return FALSE;

  _confabd_bind_text (stmt, 1, id);
  return _confabd_sqlite_step_changed (self, stmt, "No such room", error);
}

static char *
confabd_sqlite_storage_lookup_role (ConfabdStorage  *storage,
                                    const char      *room,
                                    const char      *user,
                                    GError         **error)
{
  static const char sql[] = "SELECT role FROM members WHERE room = ?1 AND user = ?2";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return NULL;

  _confabd_bind_text (stmt, 1, room);
  _confabd_bind_text (stmt, 2, user);
  if (!_confabd_sqlite_step_row (self, stmt, "Not a member of this room", error))
    return NULL;

  return _confabd_column_dup (stmt, 0);
}

/* The owner's name, which also tells whether the room exists. */
static char *
lookup_owner (ConfabdSqliteStorage  *self,
              const char            *room,
              GError               **error)
{
  static const char sql[] = "SELECT owner FROM rooms WHERE id = ?1";
  g_autoptr(ConfabdStmt) stmt = NULL;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return NULL;

  _confabd_bind_text (stmt, 1, room);
  if (!_confabd_sqlite_step_row (self, stmt, "No such room", error))
    return NULL;

  return _confabd_column_dup (stmt, 0);
}

static GPtrArray *
confabd_sqlite_storage_list_members (ConfabdStorage  *storage,
                                     const char      *room,
                                     GError         **error)
{
  static const char sql[] =
    "SELECT user, role, joined FROM members WHERE room = ?1 ORDER BY joined, rowid";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(ConfabdStmt) stmt = NULL;
  g_autofree char *owner = NULL;
  int rc;

  if ((owner = lookup_owner (self, room, error)) == NULL)
    return NULL;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return NULL;

  members = g_ptr_array_new_with_free_func ((GDestroyNotify)confabd_member_free);
  _confabd_bind_text (stmt, 1, room);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ConfabdMember *member = g_new0 (ConfabdMember, 1);

      member->user = _confabd_column_dup (stmt, 0);
      member->role = _confabd_column_dup (stmt, 1);
      member->joined = sqlite3_column_int64 (stmt, 2);
      g_ptr_array_add (members, member);
    }
  if (rc != SQLITE_DONE)
    {
      _confabd_sqlite_set_error (self, error, rc, "Could not list the members");
      return NULL;
    }

  return g_steal_pointer (&members);
}

static gboolean
confabd_sqlite_storage_set_member (ConfabdStorage  *storage,
                                   const char      *room,
                                   const char      *user,
                                   const char      *role,
                                   GError         **error)
{
  static const char sql[] =
    "INSERT INTO members (room, user, role, joined) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (room, user) DO UPDATE SET role = excluded.role";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;
  g_autofree char *owner = NULL;

  if ((owner = lookup_owner (self, room, error)) == NULL)
    return FALSE;

  /* The owner is fixed when the room is created (rooms.owner). */
  if (g_str_equal (owner, user) != g_str_equal (role, "owner"))
    {
      g_set_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT,
                   g_str_equal (owner, user) ? "The owner’s role cannot change"
                                             : "A room has only one owner");
      return FALSE;
    }

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return FALSE;

  _confabd_bind_text (stmt, 1, room);
  _confabd_bind_text (stmt, 2, user);
  _confabd_bind_text (stmt, 3, role);
  sqlite3_bind_int64 (stmt, 4, now_seconds ());
  return _confabd_sqlite_step_done (self, stmt, "Could not set the member’s role", error);
}

static gboolean
confabd_sqlite_storage_remove_member (ConfabdStorage  *storage,
                                      const char      *room,
                                      const char      *user,
                                      GError         **error)
{
  static const char sql[] = "DELETE FROM members WHERE room = ?1 AND user = ?2";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;
  g_autofree char *owner = NULL;

  if ((owner = lookup_owner (self, room, error)) == NULL)
    return FALSE;

  if (g_str_equal (owner, user))
    {
      g_set_error_literal (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT,
                           "The owner cannot leave the room");
      return FALSE;
    }

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return FALSE;

  _confabd_bind_text (stmt, 1, room);
  _confabd_bind_text (stmt, 2, user);
  return _confabd_sqlite_step_changed (self, stmt, "Not a member of this room", error);
}

/* ---- Invites */

#define INVITE_COLUMNS "token_id, room, role, uses_left, expires, created_by, revoked"

static ConfabdInvite *
invite_from_row (ConfabdStmt *stmt)
{
  ConfabdInvite *invite = g_new0 (ConfabdInvite, 1);

  invite->token_id = _confabd_column_dup (stmt, 0);
  invite->room = _confabd_column_dup (stmt, 1);
  invite->role = _confabd_column_dup (stmt, 2);
  invite->uses_left = sqlite3_column_int64 (stmt, 3);
  invite->expires = sqlite3_column_int64 (stmt, 4);
  invite->created_by = _confabd_column_dup (stmt, 5);
  invite->revoked = sqlite3_column_int (stmt, 6) != 0;
  return invite;
}

static gboolean
confabd_sqlite_storage_create_invite (ConfabdStorage       *storage,
                                      const char           *token_hash,
                                      const ConfabdInvite  *invite,
                                      GError              **error)
{
  static const char sql[] =
    "INSERT INTO invites (token_hash, " INVITE_COLUMNS ", created)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return FALSE;

  _confabd_bind_text (stmt, 1, token_hash);
  _confabd_bind_text (stmt, 2, invite->token_id);
  _confabd_bind_text (stmt, 3, invite->room);
  _confabd_bind_text (stmt, 4, invite->role);
  sqlite3_bind_int64 (stmt, 5, invite->uses_left);
  sqlite3_bind_int64 (stmt, 6, invite->expires);
  _confabd_bind_text (stmt, 7, invite->created_by);
  sqlite3_bind_int (stmt, 8, invite->revoked ? 1 : 0);
  sqlite3_bind_int64 (stmt, 9, now_seconds ());
  return _confabd_sqlite_step_done (self, stmt, "Could not create the invite", error);
}

static GPtrArray *
confabd_sqlite_storage_list_invites (ConfabdStorage  *storage,
                                     const char      *room,
                                     GError         **error)
{
  static const char sql[] =
    "SELECT " INVITE_COLUMNS " FROM invites"
    " WHERE room = ?1 AND revoked = 0 AND uses_left != 0 ORDER BY created, rowid";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(GPtrArray) invites = NULL;
  g_autoptr(ConfabdStmt) stmt = NULL;
  int rc;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return NULL;

  invites = g_ptr_array_new_with_free_func ((GDestroyNotify)confabd_invite_free);
  _confabd_bind_text (stmt, 1, room);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (invites, invite_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      _confabd_sqlite_set_error (self, error, rc, "Could not list the invites");
      return NULL;
    }

  return g_steal_pointer (&invites);
}

static ConfabdInvite *
confabd_sqlite_storage_lookup_invite (ConfabdStorage  *storage,
                                      const char      *token_hash,
                                      GError         **error)
{
  static const char sql[] = "SELECT " INVITE_COLUMNS " FROM invites WHERE token_hash = ?1";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = _confabd_sqlite_prepare (self, sql, error);

  if (stmt == NULL)
    return NULL;
  _confabd_bind_text (stmt, 1, token_hash);
  if (!_confabd_sqlite_step_row (self, stmt, "No such invite", error))
    return NULL;
  return invite_from_row (stmt);
}

static ConfabdInvite *
confabd_sqlite_storage_consume_invite (ConfabdStorage  *storage,
                                       const char      *token_hash,
                                       gint64           now,
                                       GError         **error)
{
  static const char use_sql[] =
    "UPDATE invites SET uses_left = uses_left - 1 WHERE token_hash = ?1 AND uses_left > 0";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdInvite) invite = NULL;

  /* Check and use under the write lock, so two accepts of a one-use invite
   * (even from two processes) cannot both see it unused. */
  if (!_confabd_sqlite_begin (self, error))
    return NULL;

  invite = confabd_sqlite_storage_lookup_invite (storage, token_hash, error);
  if (invite == NULL)
    goto fail;

  if (invite->revoked || invite->expires <= now || invite->uses_left == 0)
    {
      g_set_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT,
                   "The invite %s",
                   invite->revoked ? "was revoked" :
                   invite->uses_left == 0 ? "was used up" : "expired");
      goto fail;
    }

  if (invite->uses_left > 0)
    {
      g_autoptr(ConfabdStmt) stmt = _confabd_sqlite_prepare (self, use_sql, error);

      if (stmt == NULL)
        goto fail;
      _confabd_bind_text (stmt, 1, token_hash);
      if (!_confabd_sqlite_step_changed (self, stmt, "No such invite", error))
        goto fail;
      invite->uses_left--;
    }

  if (!_confabd_sqlite_commit (self, error))
    return NULL;

  return g_steal_pointer (&invite);

fail:
  _confabd_sqlite_rollback (self);
  return NULL;
}

static gboolean
confabd_sqlite_storage_revoke_invite (ConfabdStorage  *storage,
                                      const char      *room,
                                      const char      *token_id,
                                      GError         **error)
{
  /* Also by the token's hash: invite.revoke may name the token itself. */
  static const char sql[] =
    "UPDATE invites SET revoked = 1 WHERE room = ?1 AND (token_id = ?2 OR token_hash = ?2)";
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (storage);
  g_autoptr(ConfabdStmt) stmt = NULL;

  if ((stmt = _confabd_sqlite_prepare (self, sql, error)) == NULL)
    return FALSE;

  _confabd_bind_text (stmt, 1, room);
  _confabd_bind_text (stmt, 2, token_id);
  return _confabd_sqlite_step_changed (self, stmt, "No such invite", error);
}

/* ---- The object */

static void
confabd_sqlite_storage_finalize (GObject *object)
{
  ConfabdSqliteStorage *self = CONFABD_SQLITE_STORAGE (object);

  /* Statements first: sqlite3_close refuses a connection that has some. */
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL && sqlite3_close (self->db) != SQLITE_OK)
    g_warning ("Could not close “%s”: %s", self->path, sqlite3_errmsg (self->db));
  g_free (self->path);

  G_OBJECT_CLASS (confabd_sqlite_storage_parent_class)->finalize (object);
}

static void
confabd_sqlite_storage_class_init (ConfabdSqliteStorageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confabd_sqlite_storage_finalize;
}

static void
confabd_sqlite_storage_iface_init (ConfabdStorageInterface *iface)
{
  iface->create_user = confabd_sqlite_storage_create_user;
  iface->lookup_user = confabd_sqlite_storage_lookup_user;
  iface->create_session = confabd_sqlite_storage_create_session;
  iface->lookup_session = confabd_sqlite_storage_lookup_session;
  iface->revoke_session = confabd_sqlite_storage_revoke_session;
  iface->create_room = confabd_sqlite_storage_create_room;
  iface->lookup_room = confabd_sqlite_storage_lookup_room;
  iface->list_rooms = confabd_sqlite_storage_list_rooms;
  iface->delete_room = confabd_sqlite_storage_delete_room;
  iface->lookup_role = confabd_sqlite_storage_lookup_role;
  iface->list_members = confabd_sqlite_storage_list_members;
  iface->set_member = confabd_sqlite_storage_set_member;
  iface->remove_member = confabd_sqlite_storage_remove_member;
  iface->create_invite = confabd_sqlite_storage_create_invite;
  iface->list_invites = confabd_sqlite_storage_list_invites;
  iface->consume_invite = confabd_sqlite_storage_consume_invite;
  iface->lookup_invite = confabd_sqlite_storage_lookup_invite;
  iface->revoke_invite = confabd_sqlite_storage_revoke_invite;
  iface->append_event = _confabd_sqlite_append_event;
  iface->list_events = _confabd_sqlite_list_events;
  iface->lookup_message = _confabd_sqlite_lookup_message;
  iface->list_messages = _confabd_sqlite_list_messages;
  iface->chat_exists = _confabd_sqlite_chat_exists;
  iface->list_streaming = _confabd_sqlite_list_streaming;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
confabd_sqlite_storage_init (ConfabdSqliteStorage *self)
{
  self->statements = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);
}

ConfabdStorage *
confabd_sqlite_storage_new (const char  *path,
                            GError     **error)
{
  g_autoptr(ConfabdSqliteStorage) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CONFABD_TYPE_SQLITE_STORAGE, NULL);
  self->path = g_strdup (path);

  if (!_confabd_sqlite_open_db (self, error))
    return NULL;

  return CONFABD_STORAGE (g_steal_pointer (&self));
}

const char *
confabd_sqlite_storage_get_path (ConfabdSqliteStorage *self)
{
  g_return_val_if_fail (CONFABD_IS_SQLITE_STORAGE (self), NULL);

  return self->path;
}
