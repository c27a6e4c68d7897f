/* confab-types.c: enum GTypes and their database strings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "confab-core"

#include "config.h"

#include "confab-types.h"

/* The nicks are the strings stored in the database and used on the wire, so
 * they must never change. */
static const GEnumValue role_values[] = {
  { CONFAB_ROLE_SYSTEM, "CONFAB_ROLE_SYSTEM", "system" },
  { CONFAB_ROLE_USER, "CONFAB_ROLE_USER", "user" },
  { CONFAB_ROLE_ASSISTANT, "CONFAB_ROLE_ASSISTANT", "assistant" },
  { 0, NULL, NULL }
};

static const GEnumValue status_values[] = {
  { CONFAB_MESSAGE_STATUS_COMPLETE, "CONFAB_MESSAGE_STATUS_COMPLETE", "complete" },
  { CONFAB_MESSAGE_STATUS_STREAMING, "CONFAB_MESSAGE_STATUS_STREAMING", "streaming" },
  { CONFAB_MESSAGE_STATUS_ERROR, "CONFAB_MESSAGE_STATUS_ERROR", "error" },
  { CONFAB_MESSAGE_STATUS_CANCELLED, "CONFAB_MESSAGE_STATUS_CANCELLED", "cancelled" },
  { 0, NULL, NULL }
};

GType
confab_role_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      GType id = g_enum_register_static (g_intern_static_string ("ConfabRole"), role_values);
      g_once_init_leave (&type_id, id);
    }

  return type_id;
}

GType
confab_message_status_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      GType id = g_enum_register_static (g_intern_static_string ("ConfabMessageStatus"),
                                         status_values);
      g_once_init_leave (&type_id, id);
    }

  return type_id;
}

static const char *
value_to_nick (const GEnumValue *values,
               int               value)
{
  for (guint i = 0; values[i].value_nick != NULL; i++)
    if (values[i].value == value)
      return values[i].value_nick;

  return NULL;
}

static gboolean
nick_to_value (const GEnumValue *values,
               const char       *nick,
               int              *value)
{
  if (nick == NULL)
    return FALSE;

  for (guint i = 0; values[i].value_nick != NULL; i++)
    {
      if (g_str_equal (values[i].value_nick, nick))
        {
          *value = values[i].value;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * confab_role_to_string:
 *
 * Returns: (nullable): the stored name of @role, or %NULL for a value that is
 *   not a #ConfabRole.
 */
const char *
confab_role_to_string (ConfabRole role)
{
  return value_to_nick (role_values, role);
}

/**
 * confab_role_from_string:
 *
 * Returns: %TRUE and sets @role when @str names a role.
 */
gboolean
confab_role_from_string (const char *str,
                         ConfabRole *role)
{
  int value;

  if (!nick_to_value (role_values, str, &value))
    return FALSE;

  if (role != NULL)
    *role = value;

  return TRUE;
}

const char *
confab_message_status_to_string (ConfabMessageStatus status)
{
  return value_to_nick (status_values, status);
}

gboolean
confab_message_status_from_string (const char          *str,
                                   ConfabMessageStatus *status)
{
  int value;

  if (!nick_to_value (status_values, str, &value))
    return FALSE;

  if (status != NULL)
    *status = value;

  return TRUE;
}
