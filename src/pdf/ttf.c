#include "pdf/ttf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Font files are a few MB at most; anything larger is not a font we should parse. */
#define TTF_MAX_FILE (64u * 1024 * 1024)

static uint32_t be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 1 when n bytes at p lie before end: every read from the file goes through this. */
static int has(const unsigned char *p, const unsigned char *end, size_t n)
{
	return p <= end && (size_t)(end - p) >= n;
}

/* The table with this tag, or NULL when absent or out of the file's bounds. */
static const unsigned char *table(const unsigned char *data, size_t len, const char *tag,
    size_t *tlen)
{
	const unsigned char *end = data + len;
	uint32_t n = be16(data + 4);
	if (!has(data + 12, end, (size_t)n * 16))
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		const unsigned char *rec = data + 12 + 16 * i;
		if (memcmp(rec, tag, 4) != 0)
			continue;
		uint32_t off = be32(rec + 8), l = be32(rec + 12);
		if (off > len || len - off < l)
			return NULL;
		*tlen = l;
		return data + off;
	}
	return NULL;
}

/* How much we want a cmap subtable: full-Unicode format 12 first, then BMP format 4. */
static int preference(uint32_t platform, uint32_t encoding, uint32_t format)
{
	if (format == 12 && platform == 3 && encoding == 10)
		return 4;
	if (format == 12 && platform == 0 && (encoding == 4 || encoding == 6))
		return 3;
	if (format == 4 && platform == 3 && encoding == 1)
		return 2;
	if (format == 4 && platform == 0 && encoding <= 3)
		return 1;
	return 0;
}

/* The subtable's fixed parts are within the table, so lookups only check what they index. */
static int subtable_sound(const unsigned char *sub, const unsigned char *end, int format)
{
	if (format == 4) {
		if (!has(sub, end, 14))
			return 0;
		uint32_t segx2 = be16(sub + 6);
		return segx2 > 0 && segx2 % 2 == 0 && has(sub, end, 16 + 4 * (size_t)segx2);
	}
	if (!has(sub, end, 16))
		return 0;
	return has(sub + 16, end, 12 * (size_t)be32(sub + 12));
}

int ttf_parse(const unsigned char *data, size_t len, struct ttf *out, char *err, size_t errlen)
{
	if (len < 12) {
		snprintf(err, errlen, "too short for a font file");
		return -1;
	}
	uint32_t version = be32(data);
	if (version != 0x00010000 && memcmp(data, "true", 4) != 0) {
		snprintf(err, errlen, "not a TrueType font (it may be a collection or an OpenType/CFF font)");
		return -1;
	}
	size_t maxp_len, cmap_len;
	const unsigned char *maxp = table(data, len, "maxp", &maxp_len);
	const unsigned char *cmap = table(data, len, "cmap", &cmap_len);
	if (maxp == NULL || maxp_len < 6 || cmap == NULL || cmap_len < 4) {
		snprintf(err, errlen, "the font has no usable 'maxp' or 'cmap' table");
		return -1;
	}
	const unsigned char *end = cmap + cmap_len;
	uint32_t n = be16(cmap + 2);
	if (!has(cmap + 4, end, (size_t)n * 8)) {
		snprintf(err, errlen, "the font's 'cmap' table is truncated");
		return -1;
	}
	int best = 0;
	for (uint32_t i = 0; i < n; i++) {
		const unsigned char *rec = cmap + 4 + 8 * i;
		uint32_t off = be32(rec + 4);
		if (off > cmap_len - 2)
			continue;
		const unsigned char *sub = cmap + off;
		int format = (int)be16(sub);
		int pref = preference(be16(rec), be16(rec + 2), (uint32_t)format);
		if (pref > best && subtable_sound(sub, end, format)) {
			best = pref;
			out->format = format;
			out->sub = sub;
		}
	}
	if (best == 0) {
		snprintf(err, errlen, "the font has no Unicode character map (cmap format 4 or 12)");
		return -1;
	}
	out->end = end;
	out->num_glyphs = be16(maxp + 4);
	return 0;
}

int ttf_load(struct arena *a, const char *path, struct ttf *out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	unsigned char *data = NULL;
	long size = -1;
	if (fseek(f, 0, SEEK_END) == 0)
		size = ftell(f);
	if (size < 0 || (unsigned long)size > TTF_MAX_FILE || fseek(f, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: not a readable font file", path);
		fclose(f);
		return -1;
	}
	data = malloc(size > 0 ? (size_t)size : 1);
	if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
		snprintf(err, errlen, "%s: cannot read the file", path);
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);

	int rc = -1;
	struct ttf t;
	char why[160];
	if (ttf_parse(data, (size_t)size, &t, why, sizeof why) != 0) {
		snprintf(err, errlen, "%s: %s", path, why);
	} else {
		/* Glyph outlines are libharu's business; keep only the map (tens of kB, not MB). */
		size_t keep = (size_t)(t.end - t.sub);
		unsigned char *copy = arena_alloc(a, keep);
		memcpy(copy, t.sub, keep);
		out->num_glyphs = t.num_glyphs;
		out->format = t.format;
		out->sub = copy;
		out->end = copy + keep;
		rc = 0;
	}
	free(data);
	return rc;
}

static unsigned glyph_format4(const struct ttf *f, uint32_t cp)
{
	const unsigned char *s = f->sub;
	uint32_t segs = be16(s + 6) / 2;
	const unsigned char *ends = s + 14, *starts = ends + 2 * segs + 2;
	const unsigned char *deltas = starts + 2 * segs, *ranges = deltas + 2 * segs;
	if (cp > 0xFFFF)
		return 0;
	/* The first segment whose end code is at or above cp (end codes ascend). */
	uint32_t lo = 0, hi = segs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (be16(ends + 2 * mid) < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == segs || be16(starts + 2 * lo) > cp)
		return 0;
	uint32_t delta = be16(deltas + 2 * lo), range = be16(ranges + 2 * lo);
	if (range == 0)
		return (cp + delta) & 0xFFFF;
	/* idRangeOffset counts bytes from its own slot into glyphIdArray. */
	size_t off = (size_t)(ranges - s) + 2 * lo + range + 2 * (cp - be16(starts + 2 * lo));
	if (off > (size_t)(f->end - s) || (size_t)(f->end - s) - off < 2)
		return 0;
	uint32_t glyph = be16(s + off);
	return glyph == 0 ? 0 : (glyph + delta) & 0xFFFF;
}

static unsigned glyph_format12(const struct ttf *f, uint32_t cp)
{
	const unsigned char *groups = f->sub + 16;
	uint32_t lo = 0, hi = be32(f->sub + 12);
	/* Groups are sorted by start code and do not overlap. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const unsigned char *g = groups + 12 * (size_t)mid;
		if (be32(g + 4) < cp)
			lo = mid + 1;
		else if (be32(g) > cp)
			hi = mid;
		else {
			uint32_t gid = be32(g + 8) + (cp - be32(g));
			return gid < be32(g + 8) ? 0 : gid;	/* wrapped: a broken font */
		}
	}
	return 0;
}

unsigned ttf_glyph(const struct ttf *f, uint32_t cp)
{
	unsigned g = f->format == 12 ? glyph_format12(f, cp) : glyph_format4(f, cp);
	return g < f->num_glyphs ? g : 0;
}
