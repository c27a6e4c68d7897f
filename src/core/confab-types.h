/* confab-types.h: forward declarations shared by core and UI.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _ConfabStore       ConfabStore;
typedef struct _ConfabProject     ConfabProject;
typedef struct _ConfabChat        ConfabChat;
typedef struct _ConfabMessage     ConfabMessage;
typedef struct _ConfabMessageList ConfabMessageList;

typedef enum
{
  CONFAB_ROLE_SYSTEM,
  CONFAB_ROLE_USER,
  CONFAB_ROLE_ASSISTANT,
} ConfabRole;

typedef enum
{
  CONFAB_MESSAGE_STATUS_COMPLETE,
  CONFAB_MESSAGE_STATUS_STREAMING,
  CONFAB_MESSAGE_STATUS_ERROR,
  CONFAB_MESSAGE_STATUS_CANCELLED,
} ConfabMessageStatus;

GType        confab_role_get_type            (void) G_GNUC_CONST;
GType        confab_message_status_get_type  (void) G_GNUC_CONST;
#define CONFAB_TYPE_ROLE           (confab_role_get_type ())
#define CONFAB_TYPE_MESSAGE_STATUS (confab_message_status_get_type ())

/* The strings stored in the database and used on the wire. */
const char  *confab_role_to_string           (ConfabRole           role);
gboolean     confab_role_from_string         (const char          *str,
                                              ConfabRole          *role);
const char  *confab_message_status_to_string (ConfabMessageStatus  status);
gboolean     confab_message_status_from_string (const char          *str,
                                                ConfabMessageStatus *status);

G_END_DECLS
