#include "core/netaddr.h"

#include <arpa/inet.h>
#include <string.h>

const char *netaddr_key(struct arena *a, const char *addr)
{
	unsigned char b[16];
	char out[INET6_ADDRSTRLEN + 4];
	if (addr == NULL || strchr(addr, ':') == NULL || inet_pton(AF_INET6, addr, b) != 1)
		return addr;
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (memcmp(b, mapped, sizeof mapped) == 0) {
		if (inet_ntop(AF_INET, b + 12, out, sizeof out) == NULL)
			return addr;
		return arena_strdup(a, out);
	}
	memset(b + 8, 0, 8);
	if (inet_ntop(AF_INET6, b, out, INET6_ADDRSTRLEN) == NULL)
		return addr;
	strcat(out, "/64");
	return arena_strdup(a, out);
}
