/* confab-room-member.c: one member of a room, as the members list shows it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-rooms"

#include "config.h"

#include "confab-room-sync-private.h"

struct _ConfabRoomMember
{
  GObject         parent_instance;

  char           *user;
  ConfabRoomRole  role;
  gboolean        online;
};

G_DEFINE_FINAL_TYPE (ConfabRoomMember, confab_room_member, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_USER,
  PROP_ROLE,
  PROP_ROLE_NAME,
  PROP_ONLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_room_member_finalize (GObject *object)
{
  ConfabRoomMember *self = (ConfabRoomMember *)object;

  g_clear_pointer (&self->user, g_free);

  G_OBJECT_CLASS (confab_room_member_parent_class)->finalize (object);
}

static void
confab_room_member_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ConfabRoomMember *self = CONFAB_ROOM_MEMBER (object);

  switch (prop_id)
    {
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;

    case PROP_ROLE:
      g_value_set_int (value, self->role);
      break;

    case PROP_ROLE_NAME:
      g_value_set_string (value, confab_room_role_to_string (self->role));
      break;

    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_room_member_class_init (ConfabRoomMemberClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = confab_room_member_finalize;
  object_class->get_property = confab_room_member_get_property;

  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL, flags);
  /* A ConfabRoomRole (no GType of its own). */
  properties[PROP_ROLE] =
    g_param_spec_int ("role", NULL, NULL,
                      CONFAB_ROOM_ROLE_OWNER, CONFAB_ROOM_ROLE_NONE, CONFAB_ROOM_ROLE_NONE, flags);
  /* The role's wire name ("owner"…), for a row to map to a label. */
  properties[PROP_ROLE_NAME] =
    g_param_spec_string ("role-name", NULL, NULL, NULL, flags);
  properties[PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_room_member_init (ConfabRoomMember *self)
{
  self->role = CONFAB_ROOM_ROLE_NONE;
}

ConfabRoomMember *
_confab_room_member_new (const char     *user,
                         ConfabRoomRole  role,
                         gboolean        online)
{
  ConfabRoomMember *self = g_object_new (CONFAB_TYPE_ROOM_MEMBER, NULL);

  self->user = g_strdup (user);
  self->role = role;
  self->online = !!online;

  return self;
}

void
_confab_room_member_set_role (ConfabRoomMember *self,
                              ConfabRoomRole    role)
{
  g_return_if_fail (CONFAB_IS_ROOM_MEMBER (self));

  if (self->role == role)
    return;

  self->role = role;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE_NAME]);
}

void
_confab_room_member_set_online (ConfabRoomMember *self,
                                gboolean          online)
{
  g_return_if_fail (CONFAB_IS_ROOM_MEMBER (self));

  if (self->online == !!online)
    return;

  self->online = !!online;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
}

const char *
confab_room_member_get_user (ConfabRoomMember *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_MEMBER (self), NULL);

  return self->user;
}

ConfabRoomRole
confab_room_member_get_role (ConfabRoomMember *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_MEMBER (self), CONFAB_ROOM_ROLE_NONE);

  return self->role;
}

gboolean
confab_room_member_get_online (ConfabRoomMember *self)
{
  g_return_val_if_fail (CONFAB_IS_ROOM_MEMBER (self), FALSE);

  return self->online;
}
