/* Client addresses as throttling keys. */
#ifndef ESONR_NETADDR_H
#define ESONR_NETADDR_H
#include "core/arena.h"

/* The key that per-address limits count by: an IPv4 address as it is (IPv4-mapped IPv6
 * too), an IPv6 address by its /64 ("2001:db8:1:2::/64"), since one subscriber holds a
 * whole /64 and could otherwise take a fresh address per guess. Anything else is kept as
 * given (NULL stays NULL). */
const char *netaddr_key(struct arena *a, const char *addr);

#endif
