/*
 * libFuzzer target for the published key list reader (src/sign/keylist.c), which
 * `esonrctl cert verify --key LIST` runs on a file from outside.
 * Input: the list's text. A parsed list is searched for each of its keys and judged for a
 * few signing times; every key it returns must be well formed.
 * Linked with tests/fuzz/replay.c it replays the corpus and saved crashers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sign/keylist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct keylist l;
	const char *why;
	if (keylist_parse(a, (const char *)data, size, &l, &why) == 0) {
		for (int i = 0; i < l.n; i++) {
			const struct published_key *k = keylist_find(&l, l.keys[i].key.id);
			if (k == NULL || strlen(k->key.id) != 16 || strlen(k->from) != 20 ||
			    (k->state == PUBLISHED_IN_FORCE) != (k->until[0] == '\0'))
				abort();
			(void)keylist_problem(a, k, "");
			(void)keylist_problem(a, k, "2027-01-01T00:00:00Z");
			(void)keylist_problem(a, k, k->from);
		}
	} else if (why == NULL) {
		abort();
	}
	arena_free(a);
	return 0;
}
