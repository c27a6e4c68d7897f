/* confab-room-sync.h: shared projects, mirrored between confabd and the
 * local store
 *
 * A shared project is a local project bound to a room on a server
 * (projects.room_id, room_server, room_seq, room_role; chats.remote_id,
 * messages.remote_id: store schema v4). The sync applies the room's events
 * to the local store, each in one transaction with the project's room_seq,
 * so an event is applied exactly once even across restarts, and the chat
 * view simply shows the store. What happens locally in a shared chat is
 * published: the UI keeps using ConfabChatSession and hands the session to
 * confab_room_sync_relay(), which publishes the prompt, the reply's start,
 * its deltas and its end. Another member's reply streams into a local
 * message as its deltas arrive.
 *
 * One sync serves one server account (a ConfabRoomClient); projects of
 * other servers are left alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-chat-session.h"
#include "confab-room-client.h"
#include "confab-store.h"

G_BEGIN_DECLS

/* A member of a room as the sync knows it (for the members list).
 * Properties: "user", "role" (a ConfabRoomRole as int), "role-name"
 * ("owner"…) and "online", notified as they change. */
#define CONFAB_TYPE_ROOM_MEMBER (confab_room_member_get_type ())
G_DECLARE_FINAL_TYPE (ConfabRoomMember, confab_room_member, CONFAB, ROOM_MEMBER, GObject)

const char     *confab_room_member_get_user   (ConfabRoomMember *self);
ConfabRoomRole  confab_room_member_get_role   (ConfabRoomMember *self);
gboolean        confab_room_member_get_online (ConfabRoomMember *self);

#define CONFAB_TYPE_ROOM_SYNC (confab_room_sync_get_type ())
G_DECLARE_FINAL_TYPE (ConfabRoomSync, confab_room_sync, CONFAB, ROOM_SYNC, GObject)

/* Joins every project of the store bound to the client's server (from its
 * room_seq) once the client is connected, and again after reconnecting. */
ConfabRoomSync   *confab_room_sync_new             (ConfabStore       *store,
                                                    ConfabRoomClient  *client);
ConfabRoomClient *confab_room_sync_get_client      (ConfabRoomSync    *self);
ConfabStore      *confab_room_sync_get_store       (ConfabRoomSync    *self);

/* Whether @project is shared on this sync's server; its room id. */
gboolean          confab_room_sync_is_shared       (ConfabRoomSync    *self,
                                                    ConfabProject     *project);
/* The user's role in the project's room (CONFAB_ROOM_ROLE_NONE if not shared). */
ConfabRoomRole    confab_room_sync_get_role        (ConfabRoomSync    *self,
                                                    ConfabProject     *project);

/* Creates a room named after @project, publishes its chats and their main
 * lines and threads, and binds the project to it. */
void              confab_room_sync_share_async     (ConfabRoomSync      *self,
                                                    ConfabProject       *project,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean          confab_room_sync_share_finish    (ConfabRoomSync      *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* Accepts an invite: a new local project bound to the room, filled from
 * its log. Completes with the project once the replay is applied. */
void              confab_room_sync_join_async      (ConfabRoomSync      *self,
                                                    const char          *invite,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
ConfabProject    *confab_room_sync_join_finish     (ConfabRoomSync      *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* Creates an invite to the project's room; completes with the token. */
void              confab_room_sync_invite_async    (ConfabRoomSync      *self,
                                                    ConfabProject       *project,
                                                    ConfabRoomRole       role,
                                                    gint64               uses,
                                                    gint64               expires_seconds,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
char             *confab_room_sync_invite_finish   (ConfabRoomSync      *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* The room's members (ConfabRoomMember), kept up to date from member
 * events and presence; empty for a project that is not shared. Owned by
 * the sync (transfer none), alive as long as it. */
GListModel       *confab_room_sync_get_members     (ConfabRoomSync    *self,
                                                    ConfabProject     *project);

/* Publishing local changes in a shared project's chat. Each is a no-op
 * returning TRUE for a chat that is not shared; FALSE with an error (e.g.
 * G_IO_ERROR_NOT_CONNECTED while offline, CONFAB_PROTOCOL_ERROR_FORBIDDEN
 * for a viewer) when it cannot be published now, so the UI keeps the text. */
gboolean          confab_room_sync_can_write       (ConfabRoomSync    *self,
                                                    ConfabChat        *chat,
                                                    GError           **error);
/* A new local chat in a shared project: chat.create. */
void              confab_room_sync_publish_chat    (ConfabRoomSync    *self,
                                                    ConfabChat        *chat);
/* Follows one turn of @session: its prompt (message.create), the reply
 * (stream.start, stream.delta…, stream.end). Call before send_async. */
void              confab_room_sync_relay           (ConfabRoomSync    *self,
                                                    ConfabChatSession *session);
/* Publishes a local deletion of a shared message (message.delete). */
void              confab_room_sync_publish_delete  (ConfabRoomSync    *self,
                                                    ConfabMessage     *message);
/* Tells the room the user is typing in @chat (at most once every 3 s). */
void              confab_room_sync_typing          (ConfabRoomSync    *self,
                                                    ConfabChat        *chat,
                                                    gint64             parent_id);

/* Signals:
 *   ::typing (ConfabChat *chat, gint64 parent_id, const char *user)
 *       another member is typing there (show it for ~5 s)
 *   ::error (ConfabProject *project, GError *error)
 *       something could not be applied or published (shown as a toast)
 *   ::project-lost (ConfabProject *project, GError *error)
 *       removed from the room or the room was deleted: the project stays
 *       local, unbound
 */

G_END_DECLS
