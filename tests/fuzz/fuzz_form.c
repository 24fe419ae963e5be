/*
 * libFuzzer target for the one request parser (src/core/form.c).
 * Input: first byte picks the parser (0 urlencoded, 1 cookies, 2 multipart), the rest is fed
 * to it; for multipart, the rest is "Content-Type value\n" then the body.
 * Linked with tests/fuzz/replay.c it is a plain program that replays the files named on the
 * command line (saved crashers and the corpus) and prints one TAP line per file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/form.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What every successful parse promises its caller; a broken promise is a crash. */
static void check_fields(const struct fields *f, int multipart)
{
	size_t i;

	if (f->n > FORM_MAX_FIELDS || f->bad != NULL)
		abort();
	for (i = 0; i < f->n; i++) {
		const struct field *fd = &f->v[i];
		size_t nlen = strlen(fd->name);

		if (nlen == 0 || nlen > FORM_MAX_NAME || fields_find(f, fd->name) != fd)
			abort();
		if (fd->value[fd->len] != '\0' || (multipart != (fd->content_type != NULL)))
			abort();
		if (fd->filename != NULL) {
			if (!multipart || fd->len > FORM_MAX_FILE)
				abort();
			continue;
		}
		if (fd->len > FORM_MAX_VALUE || strlen(fd->value) != fd->len ||
		    !utf8_valid(fd->value, fd->len))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena *arena;
	const char *s = (const char *)data + 1, *nl;
	size_t n = size - 1;
	struct fields f;
	enum form_status st;
	char *ct;

	if (size == 0)
		return 0;
	if (arena == NULL)
		arena = arena_new();
	arena_reset(arena);

	switch (data[0] % 3) {
	case 0:
		st = form_parse_urlencoded(arena, s, n, &f);
		break;
	case 1:
		/* The header reaches the parser as a C string, cut at the first NUL. */
		st = form_parse_cookies(arena, arena_strndup(arena, s, n), &f);
		break;
	default:
		if ((nl = memchr(s, '\n', n)) == NULL)
			return 0;
		ct = arena_strndup(arena, s, (size_t)(nl - s));
		/* The body stays in the fuzzer's exact-size buffer so overreads are caught. */
		st = form_parse_multipart(arena, ct, nl + 1, n - (size_t)(nl + 1 - s), &f);
		break;
	}
	if (st == FORM_OK)
		check_fields(&f, data[0] % 3 == 2);
	else if (f.n > FORM_MAX_FIELDS || form_status_text(st) == NULL)
		abort();
	return 0;
}
