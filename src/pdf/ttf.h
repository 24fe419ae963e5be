/* A TrueType font's character map ('cmap', formats 4 and 12): enough to tell whether a
 * font has a glyph for every code point of a name before the name is drawn. */
#ifndef ESONR_TTF_H
#define ESONR_TTF_H
#include <stddef.h>
#include <stdint.h>
#include "core/arena.h"

struct ttf {
	unsigned num_glyphs;		/* from 'maxp': glyph ids at or above it do not exist */
	int format;			/* of the chosen Unicode subtable: 4 (BMP) or 12 (all planes) */
	const unsigned char *sub;	/* that subtable */
	const unsigned char *end;	/* end of the 'cmap' table: the bound of every read */
};

/* Parses a font held in memory; out points into data, which must outlive it. 0 ok; -1 with err. */
int ttf_parse(const unsigned char *data, size_t len, struct ttf *out, char *err, size_t errlen);
/* Reads a font file and keeps only its Unicode map, in arena memory. 0 ok; -1 with err. */
int ttf_load(struct arena *a, const char *path, struct ttf *out, char *err, size_t errlen);
/* The glyph id the font maps code point cp to; 0 (.notdef) when it has none. */
unsigned ttf_glyph(const struct ttf *f, uint32_t cp);

#endif
