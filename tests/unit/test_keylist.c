/* The published key list: what it says about a signature made at a given time. */
#include <string.h>

#include "check.h"
#include "sign/keylist.h"

int main(void)
{
	struct arena *a = arena_new();
	struct signing_key k1, k2, k3;
	/* Three public keys: any 32 bytes will do for the list. */
	unsigned char raw[32];
	char hex[3][65];
	for (int i = 0; i < 3; i++) {
		memset(raw, 'a' + i, sizeof raw);
		sodium_bin2hex(hex[i], sizeof hex[i], raw, sizeof raw);
	}
	CHECK(key_from_public_hex(hex[0], &k1) == 0 && key_from_public_hex(hex[1], &k2) == 0 &&
	    key_from_public_hex(hex[2], &k3) == 0, "three public keys");
	const char *text = arena_printf(a, "# comment\n%s%s%s",
	    keylist_line(a, k1.id, hex[0], "2026-06-01T00:00:00Z", NULL, PUBLISHED_IN_FORCE),
	    keylist_line(a, k2.id, hex[1], "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z", PUBLISHED_RETIRED),
	    keylist_line(a, k3.id, hex[2], "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", PUBLISHED_COMPROMISED));
	struct keylist l;
	const char *why = NULL;
	CHECK(keylist_parse(a, text, strlen(text), &l, &why) == 0 && l.n == 3, "the list written reads back");
	const struct published_key *in = keylist_find(&l, k1.id), *ret = keylist_find(&l, k2.id),
	    *bad = keylist_find(&l, k3.id);
	CHECK(in && ret && bad && keylist_find(&l, "0000000000000000") == NULL, "keys are found by id, others not");
	CHECK(keylist_problem(a, in, "2026-07-01T00:00:00Z") == NULL, "the key in force vouches for a recent signature");
	CHECK(keylist_problem(a, ret, "2026-03-01T00:00:00Z") == NULL, "a retired key vouches within its period");
	CHECK(keylist_problem(a, ret, "2026-06-01T00:00:00Z") != NULL, "not from the moment it was retired");
	CHECK(keylist_problem(a, ret, "2025-12-31T23:59:59Z") != NULL, "nor before it came into force");
	CHECK(keylist_problem(a, ret, "") != NULL, "nor for a file that does not say when it was signed");
	why = keylist_problem(a, bad, "2025-06-01T00:00:00Z");
	CHECK(why != NULL && strstr(why, "compromised") != NULL, "a compromised key vouches for nothing");
	const char *broken[] = {
		"key 0000000000000000 %s 2026-01-01T00:00:00Z - in-force\n",     /* id not of that key */
		"key %s %s 2026-01-01T00:00:00Z 2025-01-01T00:00:00Z retired\n", /* until before from */
		"key %s %s 2026-01-01T00:00:00Z - retired\n",                    /* retired without until */
		"key %s %s 2026-01-01 - in-force\n",                             /* not a UTC time */
		"key %s %s 2026-01-01T00:00:00Z - in-force extra\n",
	};
	for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
		const char *t = i == 0 ? arena_printf(a, broken[i], hex[0]) : arena_printf(a, broken[i], k1.id, hex[0]);
		CHECK(keylist_parse(a, t, strlen(t), &l, &why) != 0, arena_printf(a, "a malformed line is refused (%zu)", i));
	}
	CHECK(keylist_parse(a, "# only a comment\n", 17, &l, &why) != 0, "a list without keys is refused");
	arena_free(a);
	CHECK_DONE();
}
