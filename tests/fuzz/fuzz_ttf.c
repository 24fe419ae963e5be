/*
 * libFuzzer target for the TrueType character map reader (src/pdf/ttf.c).
 * Input: the font file. A parsed font is looked up for a few fixed code points and for the
 * bounds of its first segments (format 4) or groups (format 12), once in the input and once
 * in an exact-size copy of the subtable, as ttf_load keeps it: both must agree.
 * Linked with tests/fuzz/replay.c it is a plain program that replays the files named on the
 * command line (saved crashers and the corpus) and prints one TAP line per file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/ttf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BOUNDS 64 /* segments or groups whose bounds are looked up */

static uint32_t rd16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t rd32(const unsigned char *p)
{
	return rd16(p) << 16 | rd16(p + 2);
}

/* The same lookup in the font and in the copy; a glyph is 0 or below num_glyphs. */
static void check_glyph(const struct ttf *f, const struct ttf *copy, uint32_t cp)
{
	unsigned g = ttf_glyph(f, cp);

	if (g != ttf_glyph(copy, cp) || (g != 0 && g >= f->num_glyphs))
		abort();
	if (f->format == 4 && cp > 0xFFFF && g != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t fixed[] = {
		0, 0x20, 'A', 'z', 0xE9, 0x131, 0x3B1, 0x416, 0x20AC, 0xFFFD, 0xFFFE, 0xFFFF,
		0x10000, 0x1F600, 0x10FFFF, 0x110000, 0xFFFFFFFF,
	};
	struct ttf f, copy;
	char err[160];
	unsigned char *keep;
	size_t n, i;

	err[0] = '\0';
	if (ttf_parse(data, size, &f, err, sizeof err) != 0) {
		if (err[0] == '\0' || memchr(err, '\0', sizeof err) == NULL)
			abort();
		return 0;
	}
	if ((f.format != 4 && f.format != 12) || f.sub < data || f.end > data + size ||
	    f.sub >= f.end)
		abort();

	/* What ttf_load keeps: the subtable to the end of 'cmap', nothing before it. */
	n = (size_t)(f.end - f.sub);
	keep = malloc(n);
	if (keep == NULL)
		abort();
	memcpy(keep, f.sub, n);
	copy = f;
	copy.sub = keep;
	copy.end = keep + n;

	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		check_glyph(&f, &copy, fixed[i]);
	/* ttf_parse promised the subtable's arrays lie within 'cmap'. */
	if (f.format == 4) {
		uint32_t segs = rd16(keep + 6) / 2;
		const unsigned char *ends = keep + 14, *starts = ends + 2 * segs + 2;
		for (i = 0; i < segs && i < MAX_BOUNDS; i++) {
			check_glyph(&f, &copy, rd16(starts + 2 * i));
			check_glyph(&f, &copy, rd16(ends + 2 * i));
			check_glyph(&f, &copy, rd16(starts + 2 * i) + 1);
		}
	} else {
		uint32_t groups = rd32(keep + 12);
		for (i = 0; i < groups && i < MAX_BOUNDS; i++) {
			check_glyph(&f, &copy, rd32(keep + 16 + 12 * i));
			check_glyph(&f, &copy, rd32(keep + 16 + 12 * i + 4));
		}
	}
	free(keep);
	return 0;
}
