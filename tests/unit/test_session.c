/* The pure pieces of browser sessions: the cookie's token is exactly 64 hex digits,
 * and each session's CSRF token is derived from it, stable, and reveals nothing of it. */
#include "check.h"
#include "auth/websession.h"

static int all_lower_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

int main(void)
{
	struct arena *a = arena_new();
	const char *token = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	const char *other = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
	unsigned char raw[32], raw2[32];

	CHECK(websession_token_parse(token, raw) == 0, "a cookie of 64 hex digits is a session token");
	CHECK(raw[0] == 0x00 && raw[1] == 0x11 && raw[15] == 0xff && raw[31] == 0xff,
	    "the 64 hex digits become the 32 bytes they spell");
	CHECK(websession_token_parse(arena_strndup(a, token, 63), raw2) != 0, "a cookie of 63 hex digits is refused");
	CHECK(websession_token_parse(arena_printf(a, "%s0", token), raw2) != 0, "a cookie of 65 hex digits is refused");
	CHECK(websession_token_parse(arena_printf(a, "%.63sg", token), raw2) != 0, "a cookie with a non-hex letter at the end is refused");
	CHECK(websession_token_parse(arena_printf(a, "zz%.62s", token), raw2) != 0, "a cookie with non-hex letters at the start is refused");
	CHECK(websession_token_parse(arena_printf(a, "%.31s %.32s", token, token), raw2) != 0, "a cookie with a space inside is refused");
	CHECK(websession_token_parse(arena_printf(a, "%.31s:%.32s", token, token), raw2) != 0, "a cookie with a colon inside is refused");
	CHECK(websession_token_parse("", raw2) != 0, "an empty cookie is refused");
	CHECK(websession_token_parse(NULL, raw2) != 0, "no cookie at all is refused");

	const char *csrf = websession_csrf_of(a, raw);
	CHECK(csrf != NULL && strlen(csrf) == 48 && all_lower_hex(csrf), "the CSRF token is 48 lower-case hex digits");
	CHECK_STR(websession_csrf_of(a, raw), csrf, "the same session always gives the same CSRF token");
	CHECK(strncmp(csrf, token, 48) != 0 && strstr(token, csrf) == NULL,
	    "the CSRF token is not (a piece of) the session token itself");
	websession_token_parse(other, raw2);
	const char *csrf2 = websession_csrf_of(a, raw2);
	CHECK(strcmp(csrf, csrf2) != 0, "another session gives another CSRF token");
	raw2[0] = raw[0] ^ 1;
	memcpy(raw2 + 1, raw + 1, 31);
	CHECK(strcmp(websession_csrf_of(a, raw2), csrf) != 0, "a token differing in a single bit gives another CSRF token");

	arena_free(a);
	CHECK_DONE();
}
