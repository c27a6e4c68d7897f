/* confabd-pg-storage.c: confabd's storage in a PostgreSQL database
 *
 * Accounts, sessions, rooms, members and invites; the event log and the
 * messages are in confabd-pg-events.c, the connection pool, the bounded
 * waits and the migrations in confabd-pg-db.c. Behaves as the SQLite
 * backend (same errors, same messages, same units); several confabd
 * processes may share one database. Every call takes a connection of the
 * pool for its duration, so a transaction never shares one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include "confabd-pg-storage-private.h"

static void confabd_pg_storage_iface_init (ConfabdStorageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabdPgStorage, confabd_pg_storage, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CONFABD_TYPE_STORAGE,
                                                      confabd_pg_storage_iface_init))

#define N_PARAMS(params) ((int)G_N_ELEMENTS (params))

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---- Accounts and sessions */

static ConfabdUser *
confabd_pg_storage_create_user (ConfabdStorage  *storage,
                                const char      *name,
                                const char      *password_hash,
                                GError         **error)
{
  static const char sql[] =
    "INSERT INTO users (name, password_hash, created) VALUES ($1, $2, $3) RETURNING id";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 created = now_seconds ();
  char created_buf[24];
  const char *params[] = { name, password_hash, _confabd_pg_int (created_buf, created) };
  ConfabdUser *user;

  if ((pc = _confabd_pg_acquire (self, error)) == NULL)
    return NULL;

  result = _confabd_pg_exec (self, pc, sql, N_PARAMS (params), params,
                             "Could not create the user", &local_error);
  if (result == NULL)
    {
      if (g_error_matches (local_error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT))
        g_set_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT,
                     "The user name “%s” is taken", name);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  user = g_new0 (ConfabdUser, 1);
  user->id = _confabd_pg_get_int (result, 0, 0);
  user->name = g_strdup (name);
  user->password_hash = g_strdup (password_hash);
  user->created = created;
  return user;
}

static ConfabdUser *
confabd_pg_storage_lookup_user (ConfabdStorage  *storage,
                                const char      *name,
                                GError         **error)
{
  static const char sql[] = "SELECT id, name, password_hash, created FROM users WHERE name = $1";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  const char *params[] = { name };
  ConfabdUser *user;

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      (result = _confabd_pg_exec_row (self, pc, sql, N_PARAMS (params), params,
                                      "No such user", error)) == NULL)
    return NULL;

  user = g_new0 (ConfabdUser, 1);
  user->id = _confabd_pg_get_int (result, 0, 0);
  user->name = _confabd_pg_dup (result, 0, 1);
  user->password_hash = _confabd_pg_dup (result, 0, 2);
  user->created = _confabd_pg_get_int (result, 0, 3);
  return user;
}

static gboolean
confabd_pg_storage_create_session (ConfabdStorage  *storage,
                                   const char      *token_hash,
                                   const char      *user,
                                   gint64           expires,
                                   GError         **error)
{
  static const char sql[] =
    "INSERT INTO sessions (token_hash, \"user\", expires, created) VALUES ($1, $2, $3, $4)";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  char expires_buf[24], created_buf[24];
  const char *params[] = { token_hash, user, _confabd_pg_int (expires_buf, expires),
                           _confabd_pg_int (created_buf, now_seconds ()) };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL)
    return FALSE;

  result = _confabd_pg_exec (self, pc, sql, N_PARAMS (params), params,
                             "Could not create the session", error);
  return result != NULL;
}

static char *
confabd_pg_storage_lookup_session (ConfabdStorage  *storage,
                                   const char      *token_hash,
                                   gint64           now,
                                   gint64          *expires,
                                   GError         **error)
{
  static const char sql[] =
    "SELECT \"user\", expires, revoked FROM sessions WHERE token_hash = $1";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  const char *params[] = { token_hash };
  gint64 session_expires;
  gboolean revoked;

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      (result = _confabd_pg_exec_row (self, pc, sql, N_PARAMS (params), params,
                                      "No such session", error)) == NULL)
    return NULL;

  session_expires = _confabd_pg_get_int (result, 0, 1);
  revoked = _confabd_pg_get_bool (result, 0, 2);
  if (revoked || session_expires <= now)
    {
      g_set_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND,
                   "The session %s", revoked ? "was revoked" : "expired");
      return NULL;
    }

  if (expires != NULL)
    *expires = session_expires;
  return _confabd_pg_dup (result, 0, 0);
}

static gboolean
confabd_pg_storage_revoke_session (ConfabdStorage  *storage,
                                   const char      *token_hash,
                                   GError         **error)
{
  static const char sql[] = "UPDATE sessions SET revoked = true WHERE token_hash = $1";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  const char *params[] = { token_hash };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL)
    return FALSE;

  return _confabd_pg_exec_changed (self, pc, sql, N_PARAMS (params), params,
                                   "No such session", error);
}

/* ---- Rooms and members */

#define ROOM_COLUMNS "r.id, r.name, r.owner, r.last_seq, r.created"

static ConfabdRoom *
room_from_row (const PGresult *result,
               int             row)
{
  ConfabdRoom *room = g_new0 (ConfabdRoom, 1);

  room->id = _confabd_pg_dup (result, row, 0);
  room->name = _confabd_pg_dup (result, row, 1);
  room->owner = _confabd_pg_dup (result, row, 2);
  room->last_seq = _confabd_pg_get_int (result, row, 3);
  room->created = _confabd_pg_get_int (result, row, 4);
  return room;
}

static ConfabdRoom *
confabd_pg_storage_create_room (ConfabdStorage  *storage,
                                const char      *id,
                                const char      *name,
                                const char      *owner,
                                GError         **error)
{
  static const char room_sql[] =
    "INSERT INTO rooms (id, name, owner, created) VALUES ($1, $2, $3, $4)";
  static const char member_sql[] =
    "INSERT INTO members (room, \"user\", role, joined) VALUES ($1, $2, 'owner', $3)";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autoptr(ConfabdRoom) room = NULL;
  gint64 created = now_seconds ();
  char created_buf[24];
  const char *room_params[] = { id, name, owner, _confabd_pg_int (created_buf, created) };
  const char *member_params[] = { id, owner, created_buf };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      !_confabd_pg_begin (self, pc, error))
    return NULL;

  /* The room and its owner's membership, together: a room never exists
   * without its owner. */
  if ((result = _confabd_pg_exec (self, pc, room_sql, N_PARAMS (room_params), room_params,
                                  "Could not create the room", error)) == NULL)
    goto fail;
  g_clear_pointer (&result, PQclear);
  if ((result = _confabd_pg_exec (self, pc, member_sql, N_PARAMS (member_params),
                                  member_params, "Could not add the room’s owner",
                                  error)) == NULL)
    goto fail;

  if (!_confabd_pg_commit (self, pc, error))
    return NULL;

  room = g_new0 (ConfabdRoom, 1);
  room->id = g_strdup (id);
  room->name = g_strdup (name);
  room->owner = g_strdup (owner);
  room->created = created;
  return g_steal_pointer (&room);

fail:
  _confabd_pg_rollback (self, pc);
  return NULL;
}

static ConfabdRoom *
confabd_pg_storage_lookup_room (ConfabdStorage  *storage,
                                const char      *id,
                                GError         **error)
{
  static const char sql[] = "SELECT " ROOM_COLUMNS " FROM rooms r WHERE r.id = $1";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  const char *params[] = { id };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      (result = _confabd_pg_exec_row (self, pc, sql, N_PARAMS (params), params,
                                      "No such room", error)) == NULL)
    return NULL;

  return room_from_row (result, 0);
}

static GPtrArray *
confabd_pg_storage_list_rooms (ConfabdStorage  *storage,
                               const char      *user,
                               GPtrArray      **roles,
                               GError         **error)
{
  static const char sql[] =
    "SELECT " ROOM_COLUMNS ", m.role FROM members m JOIN rooms r ON r.id = m.room"
    " WHERE m.\"user\" = $1 ORDER BY r.created, r.pos";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  g_autoptr(GPtrArray) room_roles = NULL;
  const char *params[] = { user };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      (result = _confabd_pg_exec (self, pc, sql, N_PARAMS (params), params,
                                  "Could not list the rooms", error)) == NULL)
    return NULL;

  rooms = g_ptr_array_new_with_free_func ((GDestroyNotify)confabd_room_free);
  room_roles = g_ptr_array_new_with_free_func (g_free);
  for (int row = 0; row < PQntuples (result); row++)
    {
      g_ptr_array_add (rooms, room_from_row (result, row));
      g_ptr_array_add (room_roles, _confabd_pg_dup (result, row, 5));
    }

  if (roles != NULL)
    *roles = g_steal_pointer (&room_roles);
  return g_steal_pointer (&rooms);
}

static gboolean
confabd_pg_storage_delete_room (ConfabdStorage  *storage,
                                const char      *id,
                                GError         **error)
{
  /* Members, invites, events, chats and messages go with it (cascades, in
   * the statement's transaction). */
  static const char sql[] = "DELETE FROM rooms WHERE id = $1";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  const char *params[] = { id };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL)
    return FALSE;

  return _confabd_pg_exec_changed (self, pc, sql, N_PARAMS (params), params,
                                   "No such room", error);
}

static char *
confabd_pg_storage_lookup_role (ConfabdStorage  *storage,
                                const char      *room,
                                const char      *user,
                                GError         **error)
{
  static const char sql[] = "SELECT role FROM members WHERE room = $1 AND \"user\" = $2";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  const char *params[] = { room, user };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      (result = _confabd_pg_exec_row (self, pc, sql, N_PARAMS (params), params,
                                      "Not a member of this room", error)) == NULL)
    return NULL;

  return _confabd_pg_dup (result, 0, 0);
}

/* The owner's name, which also tells whether the room exists. */
static char *
lookup_owner (ConfabdPgStorage  *self,
              ConfabdPgConn     *pc,
              const char        *room,
              GError           **error)
{
  static const char sql[] = "SELECT owner FROM rooms WHERE id = $1";
  g_autoptr(PGresult) result = NULL;
  const char *params[] = { room };

  if ((result = _confabd_pg_exec_row (self, pc, sql, N_PARAMS (params), params,
                                      "No such room", error)) == NULL)
    return NULL;

  return _confabd_pg_dup (result, 0, 0);
}

static GPtrArray *
confabd_pg_storage_list_members (ConfabdStorage  *storage,
                                 const char      *room,
                                 GError         **error)
{
  static const char sql[] =
    "SELECT \"user\", role, joined FROM members WHERE room = $1 ORDER BY joined, pos";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autofree char *owner = NULL;
  const char *params[] = { room };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      (owner = lookup_owner (self, pc, room, error)) == NULL ||
      (result = _confabd_pg_exec (self, pc, sql, N_PARAMS (params), params,
                                  "Could not list the members", error)) == NULL)
    return NULL;

  members = g_ptr_array_new_with_free_func ((GDestroyNotify)confabd_member_free);
  for (int row = 0; row < PQntuples (result); row++)
    {
      ConfabdMember *member = g_new0 (ConfabdMember, 1);

      member->user = _confabd_pg_dup (result, row, 0);
      member->role = _confabd_pg_dup (result, row, 1);
      member->joined = _confabd_pg_get_int (result, row, 2);
      g_ptr_array_add (members, member);
    }

  return g_steal_pointer (&members);
}

static gboolean
confabd_pg_storage_set_member (ConfabdStorage  *storage,
                               const char      *room,
                               const char      *user,
                               const char      *role,
                               GError         **error)
{
  static const char sql[] =
    "INSERT INTO members (room, \"user\", role, joined) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (room, \"user\") DO UPDATE SET role = excluded.role";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autofree char *owner = NULL;
  char joined_buf[24];
  const char *params[] = { room, user, role, _confabd_pg_int (joined_buf, now_seconds ()) };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      (owner = lookup_owner (self, pc, room, error)) == NULL)
    return FALSE;

  /* The owner is fixed when the room is created (rooms.owner). */
  if (g_str_equal (owner, user) != g_str_equal (role, "owner"))
    {
      g_set_error (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT,
                   g_str_equal (owner, user) ? "The owner’s role cannot change"
                                             : "A room has only one owner");
      return FALSE;
    }

  result = _confabd_pg_exec (self, pc, sql, N_PARAMS (params), params,
                             "Could not set the member’s role", error);
  return result != NULL;
}

static gboolean
confabd_pg_storage_remove_member (ConfabdStorage  *storage,
                                  const char      *room,
                                  const char      *user,
                                  GError         **error)
{
  static const char sql[] = "DELETE FROM members WHERE room = $1 AND \"user\" = $2";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autofree char *owner = NULL;
  const char *params[] = { room, user };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      (owner = lookup_owner (self, pc, room, error)) == NULL)
    return FALSE;

  if (g_str_equal (owner, user))
    {
      g_set_error_literal (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT,
                           "The owner cannot leave the room");
      return FALSE;
    }

  return _confabd_pg_exec_changed (self, pc, sql, N_PARAMS (params), params,
                                   "Not a member of this room", error);
}

/* ---- Invites */

#define INVITE_COLUMNS "token_id, room, role, uses_left, expires, created_by, revoked"

static ConfabdInvite *
invite_from_row (const PGresult *result,
                 int             row)
{
  ConfabdInvite *invite = g_new0 (ConfabdInvite, 1);

  invite->token_id = _confabd_pg_dup (result, row, 0);
  invite->room = _confabd_pg_dup (result, row, 1);
  invite->role = _confabd_pg_dup (result, row, 2);
  invite->uses_left = _confabd_pg_get_int (result, row, 3);
  invite->expires = _confabd_pg_get_int (result, row, 4);
  invite->created_by = _confabd_pg_dup (result, row, 5);
  invite->revoked = _confabd_pg_get_bool (result, row, 6);
  return invite;
}

static gboolean
confabd_pg_storage_create_invite (ConfabdStorage       *storage,
                                  const char           *token_hash,
                                  const ConfabdInvite  *invite,
                                  GError              **error)
{
  static const char sql[] =
    "INSERT INTO invites (token_hash, " INVITE_COLUMNS ", created)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  char uses_buf[24], expires_buf[24], created_buf[24];
  const char *params[] = {
    token_hash, invite->token_id, invite->room, invite->role,
    _confabd_pg_int (uses_buf, invite->uses_left), _confabd_pg_int (expires_buf, invite->expires),
    invite->created_by, invite->revoked ? "true" : "false",
    _confabd_pg_int (created_buf, now_seconds ()),
  };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL)
    return FALSE;

  result = _confabd_pg_exec (self, pc, sql, N_PARAMS (params), params,
                             "Could not create the invite", error);
  return result != NULL;
}

static GPtrArray *
confabd_pg_storage_list_invites (ConfabdStorage  *storage,
                                 const char      *room,
                                 GError         **error)
{
  static const char sql[] =
    "SELECT " INVITE_COLUMNS " FROM invites"
    " WHERE room = $1 AND NOT revoked AND uses_left != 0 ORDER BY created, pos";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(PGresult) result = NULL;
  GPtrArray *invites;
  const char *params[] = { room };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL ||
      (result = _confabd_pg_exec (self, pc, sql, N_PARAMS (params), params,
                                  "Could not list the invites", error)) == NULL)
    return NULL;

  invites = g_ptr_array_new_with_free_func ((GDestroyNotify)confabd_invite_free);
  for (int row = 0; row < PQntuples (result); row++)
    g_ptr_array_add (invites, invite_from_row (result, row));
  return invites;
}

/* FOR UPDATE inside a transaction: the row stays locked until the commit. */
static ConfabdInvite *
lookup_invite (ConfabdPgStorage  *self,
               ConfabdPgConn     *pc,
               const char        *token_hash,
               gboolean           for_update,
               GError           **error)
{
  static const char sql[] = "SELECT " INVITE_COLUMNS " FROM invites WHERE token_hash = $1";
  static const char locking_sql[] =
    "SELECT " INVITE_COLUMNS " FROM invites WHERE token_hash = $1 FOR UPDATE";
  g_autoptr(PGresult) result = NULL;
  const char *params[] = { token_hash };

  if ((result = _confabd_pg_exec_row (self, pc, for_update ? locking_sql : sql,
                                      N_PARAMS (params), params, "No such invite",
                                      error)) == NULL)
    return NULL;

  return invite_from_row (result, 0);
}

static ConfabdInvite *
confabd_pg_storage_lookup_invite (ConfabdStorage  *storage,
                                  const char      *token_hash,
                                  GError         **error)
{
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;

  if ((pc = _confabd_pg_acquire (self, error)) == NULL)
    return NULL;

  return lookup_invite (self, pc, token_hash, FALSE, error);
}

static ConfabdInvite *
consume_invite_once (ConfabdPgStorage  *self,
                     ConfabdPgConn     *pc,
                     const char        *token_hash,
                     gint64             now,
                     GError           **error)
{
  static const char use_sql[] =
    "UPDATE invites SET uses_left = uses_left - 1 WHERE token_hash = $1 AND uses_left > 0";
  g_autoptr(ConfabdInvite) invite = NULL;
  const char *params[] = { token_hash };

  /* Checked and used under the row's lock, so two accepts of a one-use
   * invite (even from two processes) cannot both see it unused. */
  if (!_confabd_pg_begin (self, pc, error))
    return NULL;

  invite = lookup_invite (self, pc, token_hash, TRUE, error);
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
      if (!_confabd_pg_exec_changed (self, pc, use_sql, N_PARAMS (params), params,
                                     "No such invite", error))
        goto fail;
      invite->uses_left--;
    }

  if (!_confabd_pg_commit (self, pc, error))
    return NULL;

  return g_steal_pointer (&invite);

fail:
  _confabd_pg_rollback (self, pc);
  return NULL;
}

static ConfabdInvite *
confabd_pg_storage_consume_invite (ConfabdStorage  *storage,
                                   const char      *token_hash,
                                   gint64           now,
                                   GError         **error)
{
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  g_autoptr(GError) local_error = NULL;
  ConfabdInvite *invite;

  if ((pc = _confabd_pg_acquire (self, error)) == NULL)
    return NULL;

  invite = consume_invite_once (self, pc, token_hash, now, &local_error);
  if (invite == NULL && _confabd_pg_is_retryable (local_error))
    {
      g_clear_error (&local_error);
      invite = consume_invite_once (self, pc, token_hash, now, &local_error);
    }
  if (invite == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return invite;
}

static gboolean
confabd_pg_storage_revoke_invite (ConfabdStorage  *storage,
                                  const char      *room,
                                  const char      *token_id,
                                  GError         **error)
{
  /* Also by the token's hash: invite.revoke may name the token itself. */
  static const char sql[] =
    "UPDATE invites SET revoked = true WHERE room = $1 AND (token_id = $2 OR token_hash = $2)";
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (storage);
  g_autoptr(ConfabdPgConn) pc = NULL;
  const char *params[] = { room, token_id };

  if ((pc = _confabd_pg_acquire (self, error)) == NULL)
    return FALSE;

  return _confabd_pg_exec_changed (self, pc, sql, N_PARAMS (params), params,
                                   "No such invite", error);
}

/* ---- The object */

static void
confabd_pg_storage_finalize (GObject *object)
{
  ConfabdPgStorage *self = CONFABD_PG_STORAGE (object);

  _confabd_pg_close_idle (self);
  g_warn_if_fail (self->n_open == 0);
  g_clear_pointer (&self->idle, g_ptr_array_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->released);
  g_free (self->conninfo);
  g_free (self->where);

  G_OBJECT_CLASS (confabd_pg_storage_parent_class)->finalize (object);
}

static void
confabd_pg_storage_class_init (ConfabdPgStorageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confabd_pg_storage_finalize;
}

static void
confabd_pg_storage_iface_init (ConfabdStorageInterface *iface)
{
  iface->create_user = confabd_pg_storage_create_user;
  iface->lookup_user = confabd_pg_storage_lookup_user;
  iface->create_session = confabd_pg_storage_create_session;
  iface->lookup_session = confabd_pg_storage_lookup_session;
  iface->revoke_session = confabd_pg_storage_revoke_session;
  iface->create_room = confabd_pg_storage_create_room;
  iface->lookup_room = confabd_pg_storage_lookup_room;
  iface->list_rooms = confabd_pg_storage_list_rooms;
  iface->delete_room = confabd_pg_storage_delete_room;
  iface->lookup_role = confabd_pg_storage_lookup_role;
  iface->list_members = confabd_pg_storage_list_members;
  iface->set_member = confabd_pg_storage_set_member;
  iface->remove_member = confabd_pg_storage_remove_member;
  iface->create_invite = confabd_pg_storage_create_invite;
  iface->list_invites = confabd_pg_storage_list_invites;
  iface->consume_invite = confabd_pg_storage_consume_invite;
  iface->lookup_invite = confabd_pg_storage_lookup_invite;
  iface->revoke_invite = confabd_pg_storage_revoke_invite;
  iface->append_event = _confabd_pg_append_event;
  iface->list_events = _confabd_pg_list_events;
  iface->lookup_message = _confabd_pg_lookup_message;
  iface->list_messages = _confabd_pg_list_messages;
  iface->chat_exists = _confabd_pg_chat_exists;
  iface->list_streaming = _confabd_pg_list_streaming;
}

static void
confabd_pg_storage_init (ConfabdPgStorage *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->released);
  self->idle = g_ptr_array_new ();
  self->timeout_ms = CONFABD_PG_DEFAULT_TIMEOUT_MS;
}

ConfabdStorage *
confabd_pg_storage_new (const char  *conninfo,
                        GError     **error)
{
  g_autoptr(ConfabdPgStorage) self = NULL;

  g_return_val_if_fail (conninfo != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CONFABD_TYPE_PG_STORAGE, NULL);
  self->conninfo = g_strdup (conninfo);

  if (!_confabd_pg_open_db (self, error))
    return NULL;

  return CONFABD_STORAGE (g_steal_pointer (&self));
}

const char *
confabd_pg_storage_get_conninfo (ConfabdPgStorage *self)
{
  g_return_val_if_fail (CONFABD_IS_PG_STORAGE (self), NULL);

  return self->conninfo;
}

void
confabd_pg_storage_set_timeout (ConfabdPgStorage *self,
                                guint             timeout_ms)
{
  g_return_if_fail (CONFABD_IS_PG_STORAGE (self));
  g_return_if_fail (timeout_ms > 0);

  /* Connections keep the statement_timeout they were opened with: the idle
   * ones go, new ones get the new bound. */
  self->timeout_ms = timeout_ms;
  _confabd_pg_close_idle (self);
}
