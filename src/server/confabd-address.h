/* confabd-address.h: client addresses as the per-address limits count them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The key under which @address is counted by the limits per address
 * (connections, failed logins): an IPv4 address as it is, an IPv6 one
 * as its /64 ("2001:db8::/64"), since one host or customer is handed a
 * whole /64 and would otherwise have 2^64 addresses to rotate through;
 * an IPv4-mapped IPv6 address as its IPv4. */
char *confabd_address_limit_key (GInetAddress *address);

G_END_DECLS
