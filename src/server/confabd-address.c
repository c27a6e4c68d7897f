/* confabd-address.c: client addresses as the per-address limits count them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confabd-address.h"

char *
confabd_address_limit_key (GInetAddress *address)
{
  const guint8 *bytes;
  guint8 prefix[16] = { 0 };
  g_autoptr(GInetAddress) network = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);

  if (g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    return g_inet_address_to_string (address);

  bytes = g_inet_address_to_bytes (address);
  /* ::ffff:a.b.c.d is the IPv4 client a dual-stack socket reports. */
  if (memcmp (bytes, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
    {
      g_autoptr(GInetAddress) v4 = g_inet_address_new_from_bytes (bytes + 12,
                                                                   G_SOCKET_FAMILY_IPV4);

      return g_inet_address_to_string (v4);
    }

  memcpy (prefix, bytes, 8);
  network = g_inet_address_new_from_bytes (prefix, G_SOCKET_FAMILY_IPV6);
  text = g_inet_address_to_string (network);
  return g_strconcat (text, "/64", NULL);
}
