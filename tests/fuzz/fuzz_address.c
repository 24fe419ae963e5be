/*
 * libFuzzer target for the two parsers of addresses: the e-mail check (domain/account.c,
 * RFC 5321 with UTF-8) and the client-address key (core/netaddr.c).
 * Input: first byte picks the parser (even: e-mail, odd: client address), the rest is the text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/netaddr.h"
#include "core/utf8.h"
#include "domain/account.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena *arena;
	if (size == 0)
		return 0;
	if (arena == NULL)
		arena = arena_new();
	arena_reset(arena);
	const char *in = arena_strndup(arena, (const char *)data + 1, size - 1); /* cut at a NUL, as C strings are */
	if (data[0] % 2 == 0) {
		const char *why = NULL;
		const char *out = email_normalise(arena, in, &why);
		if (out == NULL) {
			if (why == NULL)
				abort();
			return 0;
		}
		/* What an accepted address promises: UTF-8, one "@", no upper-case ASCII, at most
		 * 254 octets, and normalising it again changes nothing. */
		size_t n = strlen(out);
		const char *at = strchr(out, '@');
		if (n == 0 || n > EMAIL_MAX || !utf8_valid(out, n) || at == NULL || strchr(at + 1, '@') != NULL)
			abort();
		for (size_t i = 0; i < n; i++)
			if (out[i] >= 'A' && out[i] <= 'Z')
				abort();
		const char *again = email_normalise(arena, out, &why);
		if (again == NULL || strcmp(again, out) != 0)
			abort();
	} else {
		const char *key = netaddr_key(arena, in);
		if (key == NULL || strlen(key) > strlen(in) + 64)
			abort();
	}
	return 0;
}
