/* Throttling keys: an IPv6 client counts by its /64. */
#include "check.h"
#include <string.h>

#include "core/netaddr.h"

int main(void)
{
	struct arena *a = arena_new();
	CHECK_STR(netaddr_key(a, "192.0.2.7"), "192.0.2.7", "an IPv4 address is its own key");
	CHECK_STR(netaddr_key(a, "2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64",
	    "an IPv6 address counts by its /64");
	CHECK_STR(netaddr_key(a, "2001:db8:1:2::1"), netaddr_key(a, "2001:0db8:0001:0002:ffff::9"),
	    "two addresses of one /64, however written, share a key");
	CHECK(strcmp(netaddr_key(a, "2001:db8:1:2::1"), netaddr_key(a, "2001:db8:1:3::1")) != 0,
	    "neighbouring /64s have different keys");
	CHECK_STR(netaddr_key(a, "::ffff:192.0.2.7"), "192.0.2.7", "an IPv4-mapped address is the IPv4 one");
	CHECK_STR(netaddr_key(a, "::1"), "::/64", "the IPv6 loopback counts by its /64 too");
	CHECK_STR(netaddr_key(a, "unix:"), "unix:", "something that is not an address is kept as it is");
	CHECK(netaddr_key(a, NULL) == NULL, "no address stays none");
	arena_free(a);
	CHECK_DONE();
}
