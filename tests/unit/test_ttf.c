/* The TrueType character map reader: before a name goes on a certificate we must know
 * that the font has a glyph for every letter of it, in any European script. */
#include "check.h"
#include "pdf/ttf.h"

#define DEJAVU_SANS "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, unsigned long v)
{
	put16(p, (unsigned)(v >> 16));
	put16(p + 2, (unsigned)v);
}

/* A font of just 'maxp' (60 glyphs) and 'cmap' holding one subtable: enough for ttf_parse. */
static size_t tiny_font(unsigned char *buf, unsigned platform, unsigned encoding,
    const unsigned char *sub, size_t sublen)
{
	memset(buf, 0, 12 + 2 * 16 + 8 + 12 + sublen);
	put32(buf, 0x00010000);
	put16(buf + 4, 2);
	unsigned char *cmap_rec = buf + 12, *maxp_rec = buf + 28;
	size_t maxp = 44, cmap = 52, cmap_len = 12 + sublen;
	memcpy(cmap_rec, "cmap", 4);
	put32(cmap_rec + 8, cmap);
	put32(cmap_rec + 12, cmap_len);
	memcpy(maxp_rec, "maxp", 4);
	put32(maxp_rec + 8, maxp);
	put32(maxp_rec + 12, 6);
	put32(buf + maxp, 0x00005000);
	put16(buf + maxp + 4, 60);
	put16(buf + cmap + 2, 1);
	put16(buf + cmap + 4, platform);
	put16(buf + cmap + 6, encoding);
	put32(buf + cmap + 8, 12);
	memcpy(buf + cmap + 12, sub, sublen);
	return cmap + cmap_len;
}

/* Format 4 with both kinds of segment: A..C by delta (glyphs 1..3), α..β through the
 * glyph id array (α is glyph 7, β has none), and the required final 0xFFFF segment. */
static size_t format4(unsigned char *s)
{
	const unsigned segs = 3;
	size_t len = 16 + 8 * segs + 4;
	memset(s, 0, len);
	put16(s, 4);
	put16(s + 2, (unsigned)len);
	put16(s + 6, 2 * segs);
	unsigned char *ends = s + 14, *starts = ends + 2 * segs + 2;
	unsigned char *deltas = starts + 2 * segs, *ranges = deltas + 2 * segs;
	put16(ends, 0x43), put16(starts, 0x41), put16(deltas, (unsigned)(1 - 0x41) & 0xFFFF);
	put16(ends + 2, 0x3B2), put16(starts + 2, 0x3B1);
	put16(ranges + 2, 2 * (segs - 1));	/* from its own slot to glyphIdArray[0] */
	put16(ends + 4, 0xFFFF), put16(starts + 4, 0xFFFF), put16(deltas + 4, 1);
	unsigned char *glyphs = ranges + 2 * segs;
	put16(glyphs, 7);
	put16(glyphs + 2, 0);
	return len;
}

/* Format 12: A..Z are glyphs 10..35, U+1F600 is glyph 50, U+1F601 claims a glyph past the
 * font's 60. */
static size_t format12(unsigned char *s)
{
	const unsigned long groups[][3] = { { 0x41, 0x5A, 10 }, { 0x1F600, 0x1F600, 50 },
	    { 0x1F601, 0x1F601, 100 } };
	size_t n = sizeof groups / sizeof groups[0], len = 16 + 12 * n;
	memset(s, 0, len);
	put16(s, 12);
	put32(s + 4, len);
	put32(s + 12, n);
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 3; k++)
			put32(s + 16 + 12 * i + 4 * k, groups[i][k]);
	return len;
}

int main(void)
{
	struct arena *a = arena_new();
	struct ttf f;
	char err[256];
	unsigned char sub[256], font[512];

	size_t len = tiny_font(font, 3, 1, sub, format4(sub));
	CHECK(ttf_parse(font, len, &f, err, sizeof err) == 0 && f.format == 4,
	    "a format 4 map is found");
	CHECK(ttf_glyph(&f, 'A') == 1 && ttf_glyph(&f, 'C') == 3, "format 4: segment by delta");
	CHECK(ttf_glyph(&f, 'D') == 0 && ttf_glyph(&f, '@') == 0, "format 4: gaps have no glyph");
	CHECK(ttf_glyph(&f, 0x3B1) == 7, "format 4: segment through the glyph id array");
	CHECK(ttf_glyph(&f, 0x3B2) == 0, "format 4: glyph id array entry 0 means none");
	CHECK(ttf_glyph(&f, 0xFFFF) == 0 && ttf_glyph(&f, 0x1F600) == 0,
	    "format 4: U+FFFF and beyond the BMP have none");

	len = tiny_font(font, 3, 10, sub, format12(sub));
	CHECK(ttf_parse(font, len, &f, err, sizeof err) == 0 && f.format == 12,
	    "a format 12 map is found");
	CHECK(ttf_glyph(&f, 'A') == 10 && ttf_glyph(&f, 'Z') == 35, "format 12: groups");
	CHECK(ttf_glyph(&f, 0x1F600) == 50, "format 12: beyond the BMP");
	CHECK(ttf_glyph(&f, 'a') == 0 && ttf_glyph(&f, 0x1F5FF) == 0, "format 12: gaps");
	CHECK(ttf_glyph(&f, 0x1F601) == 0, "format 12: a glyph id past maxp is none");

	/* Damaged input is refused, not read past its end. */
	CHECK(ttf_parse(font, 8, &f, err, sizeof err) == -1, "a truncated header is refused");
	CHECK(ttf_parse(font, 60, &f, err, sizeof err) == -1, "a truncated cmap is refused");
	len = tiny_font(font, 1, 0, sub, format4(sub));
	CHECK(ttf_parse(font, len, &f, err, sizeof err) == -1 && strstr(err, "no Unicode") != NULL,
	    "a font with only a Macintosh map is refused");
	memcpy(font, "OTTO", 4);
	CHECK(ttf_parse(font, len, &f, err, sizeof err) == -1, "a CFF font is refused");
	len = tiny_font(font, 3, 1, sub, format4(sub));
	put16(font + 52 + 12 + 6, 0x7FFE);	/* segCountX2 far beyond the table */
	CHECK(ttf_parse(font, len, &f, err, sizeof err) == -1,
	    "a format 4 map with more segments than bytes is refused");

	CHECK(ttf_load(a, "/nonexistent/font.ttf", &f, err, sizeof err) == -1 &&
	    strstr(err, "/nonexistent/font.ttf") != NULL, "a missing file is named in the error");

	/* The real font: Latin with diacritics, Greek and Cyrillic, but no CJK or emoji. */
	int loaded = ttf_load(a, DEJAVU_SANS, &f, err, sizeof err) == 0;
	CHECK(loaded, "DejaVuSans loads");
	if (loaded) {
		const unsigned covered[] = { 'Z', 0xEB /* ë */, 0x141 /* Ł */, 0xD8 /* Ø */,
		    0x219 /* ș */, 0x151 /* ő */, 0x39D /* Ν */, 0x3AF /* ί */, 0x3C2 /* ς */,
		    0x410 /* А */, 0x436 /* ж */, 0x451 /* ё */, 0x2014 /* — */ };
		int all = 1;
		for (size_t i = 0; i < sizeof covered / sizeof covered[0]; i++)
			if (ttf_glyph(&f, covered[i]) == 0) {
				printf("# no glyph for U+%04X\n", covered[i]);
				all = 0;
			}
		CHECK(all, "DejaVuSans covers Latin with diacritics, Greek and Cyrillic");
		CHECK(ttf_glyph(&f, 0x4E2D) == 0, "DejaVuSans has no U+4E2D '中'");
		CHECK(ttf_glyph(&f, 0x1F9E0) == 0, "DejaVuSans has no U+1F9E0 '🧠' emoji");
		/* Its full-Unicode map is the one read: it reaches past the BMP, to a smiley. */
		CHECK(f.format == 12 && ttf_glyph(&f, 0x1F600) != 0,
		    "DejaVuSans is read through its format 12 map");
		CHECK(ttf_glyph(&f, 'A') != ttf_glyph(&f, 'B'), "different letters, different glyphs");
	}

	arena_free(a);
	CHECK_DONE();
}
