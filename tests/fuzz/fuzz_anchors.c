/*
 * libFuzzer target for the anchors file parser (src/db/audit_anchor.c): `esonrctl audit
 * verify` reads a file that sits on disk and may have been tampered with.
 * Input: the file's text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/arena.h"
#include "db/audit_anchor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena *arena;
	if (arena == NULL)
		arena = arena_new();
	arena_reset(arena);
	int anchors = 0;
	long long entries = 0;
	const char *problem = NULL;
	int rc = audit_anchor_parse(arena, (const char *)data, size, &anchors, &entries, &problem);
	/* Refused with a reason, or accepted with counts that make sense. */
	if ((rc != 0 && problem == NULL) || (rc == 0 && (problem != NULL || anchors < 0 || entries < 0)))
		abort();
	return 0;
}
