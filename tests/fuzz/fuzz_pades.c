/*
 * libFuzzer target for the reader of libharu's PDF layout that the PAdES signing revision
 * is built on (pades_read_layout in src/sign/pades.c): trailer, xref entries, the catalog
 * and page dictionaries. Input: a PDF. Whatever it returns must lie inside the input.
 * Linked with tests/fuzz/replay.c it replays the corpus and saved crashers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sign/pades.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pades_layout l;
	const char *why = NULL;
	if (pades_read_layout(data, size, &l, &why) == 0) {
		if (l.root_at >= l.root_end || l.root_end > size || l.page_at >= l.page_end || l.page_end > size ||
		    memcmp(data + l.root_at, "<<", 2) != 0 || memcmp(data + l.page_end - 2, ">>", 2) != 0 ||
		    l.prev_xref >= size || l.root == 0 || l.page == 0 ||
		    (l.id != NULL && ((const uint8_t *)l.id < data || (const uint8_t *)l.id + l.id_len > data + size)))
			abort();
	} else if (why == NULL) {
		abort();
	}
	return 0;
}
