#include "pdf/certificate.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <hpdf.h>

#include "core/utf8.h"
#include "pdf/qr.h"
#include "pdf/ttf.h"

#define MM (72.0f / 25.4f)
#define MARGIN (20 * MM)
#define NAME_MAX_SIZE 36.0f
#define NAME_MIN_SIZE 20.0f	/* a name that needs less than this wraps instead */
#define NAME_MIDDLE 392.0f	/* vertical centre of the name, one line or two */
#define QR_TARGET (30 * MM)	/* side of the code without its quiet zone */
#define QR_MIN_MODULE (0.4f * MM)	/* about what a phone camera resolves on paper */
#define QR_MAX_SIDE (45 * MM)	/* quiet zone included: keeps clear of the lines above */
#define QR_BOTTOM 62.0f

/* The fonts, loaded once per process: libharu keeps a font's definition across documents
 * made by HPDF_NewDoc on the same HPDF_Doc, and resets its glyph subset for each. */
static struct {
	struct arena *arena;		/* process lifetime: paths, names, character maps */
	const char *regular_path, *bold_path;
	struct ttf regular_map, bold_map;
	HPDF_Doc doc;
	pid_t pid;			/* the process whose FILEs doc reads glyphs through */
	HPDF_Doc inherited;		/* a parent's doc after fork(): never touched again */
	const char *regular, *bold;	/* libharu's names for the loaded fonts */
} fonts;

static void navy(HPDF_Page page)
{
	HPDF_Page_SetRGBFill(page, 0.11f, 0.20f, 0.38f);
	HPDF_Page_SetRGBStroke(page, 0.11f, 0.20f, 0.38f);
}

static void black(HPDF_Page page)
{
	HPDF_Page_SetRGBFill(page, 0.05f, 0.05f, 0.05f);
	HPDF_Page_SetRGBStroke(page, 0.05f, 0.05f, 0.05f);
}

static int hpdf_failed(HPDF_Doc doc, const char *what, char *err, size_t errlen)
{
	HPDF_STATUS e = HPDF_GetError(doc);
	if (e == HPDF_OK)
		return 0;
	snprintf(err, errlen, "libharu: %s failed (error 0x%04lX, detail %ld)", what,
	    (unsigned long)e, (long)HPDF_GetErrorDetail(doc));
	return 1;
}

/* Opens both fonts in a fresh libharu document owned by this process. */
static int fonts_open(char *err, size_t errlen)
{
	HPDF_Doc doc = HPDF_New(NULL, NULL);
	if (doc == NULL) {
		snprintf(err, errlen, "libharu: out of memory");
		return -1;
	}
	const char *regular = NULL, *bold = NULL;
	if (HPDF_UseUTFEncodings(doc) == HPDF_OK)
		regular = HPDF_LoadTTFontFromFile(doc, fonts.regular_path, HPDF_TRUE);
	/* libharu refuses to load one font twice: one file for both faces is loaded once. */
	if (regular != NULL)
		bold = strcmp(fonts.regular_path, fonts.bold_path) == 0 ? regular
		    : HPDF_LoadTTFontFromFile(doc, fonts.bold_path, HPDF_TRUE);
	if (bold == NULL) {
		snprintf(err, errlen, "libharu cannot load %s (error 0x%04lX)",
		    regular == NULL ? fonts.regular_path : fonts.bold_path,
		    (unsigned long)HPDF_GetError(doc));
		HPDF_Free(doc);
		return -1;
	}
	fonts.regular = arena_strdup(fonts.arena, regular);
	fonts.bold = arena_strdup(fonts.arena, bold);
	fonts.doc = doc;
	fonts.pid = getpid();
	return 0;
}

static void fonts_release(void)
{
	HPDF_Doc inherited = fonts.inherited;
	/* A parent's doc is left alone, as in cert_render. */
	if (fonts.doc != NULL && fonts.pid == getpid())
		HPDF_Free(fonts.doc);
	else if (fonts.doc != NULL)
		inherited = fonts.doc;
	arena_free(fonts.arena);
	memset(&fonts, 0, sizeof fonts);
	fonts.inherited = inherited;
}

int cert_fonts_init(const char *regular_ttf, const char *bold_ttf, char *err, size_t errlen)
{
	struct arena *a = arena_new();
	struct ttf r, b;
	if (ttf_load(a, regular_ttf, &r, err, errlen) != 0 ||
	    ttf_load(a, bold_ttf, &b, err, errlen) != 0) {
		arena_free(a);
		return -1;
	}
	fonts_release();
	fonts.arena = a;
	fonts.regular_path = arena_strdup(a, regular_ttf);
	fonts.bold_path = arena_strdup(a, bold_ttf);
	fonts.regular_map = r;
	fonts.bold_map = b;
	if (fonts_open(err, errlen) != 0) {
		fonts_release();
		return -1;
	}
	return 0;
}

/* Code point at s (valid UTF-8, checked by the caller) and its length in bytes. */
const char *cert_text_problem(struct arena *a, const char *utf8)
{
	if (fonts.arena == NULL)
		return "the certificate fonts are not loaded";
	if (utf8 == NULL)
		return "the text is missing";
	size_t n = strlen(utf8);
	if (!utf8_valid(utf8, n))
		return "the text is not valid UTF-8";
	for (size_t i = 0; i < n;) {
		size_t len;
		uint32_t cp = utf8_decode(utf8 + i, &len);
		const char *invisible = utf8_invisible(cp);
		/* Fonts may well have a glyph for these: it is what they do to the text that counts. */
		if (invisible != NULL)
			return arena_printf(a, "U+%04X %s is an invisible formatting character, which would make "
			    "the text look different from what it says", (unsigned)cp, invisible);
		if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
			return arena_printf(a, "the font cannot draw the control character U+%04X",
			    (unsigned)cp);
		/* libharu 2.3.0's UTF-8 encoder silently drops code points beyond U+FFFF. */
		if (cp > 0xFFFF || ttf_glyph(&fonts.regular_map, cp) == 0 ||
		    ttf_glyph(&fonts.bold_map, cp) == 0)
			return arena_printf(a, "the font cannot draw U+%04X '%.*s'", (unsigned)cp,
			    (int)len, utf8 + i);
		i += len;
	}
	return NULL;
}

/* "2026-11-26T08:00:00Z" into libharu's date; 0 ok. */
static int parse_date(const char *s, HPDF_Date *out)
{
	int y, mo, d, h, mi, se, end = 0;
	if (strlen(s) != 20 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &se,
	    &end) != 6 || end != 20)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59)
		return -1;
	*out = (HPDF_Date){ .year = y, .month = mo, .day = d, .hour = h, .minutes = mi,
	    .seconds = se, .ind = 'Z' };
	return 0;
}

/* A face to draw with; stroke: bold drawn by also stroking the outlines (one font file). */
struct face {
	HPDF_Font font;
	int stroke;
};

struct canvas {
	HPDF_Page page;
	struct face regular, bold;
	float w, h;
};

static float width_at(const struct face *f, const char *s, size_t n, float size)
{
	HPDF_TextWidth tw = HPDF_Font_TextWidth(f->font, (const HPDF_BYTE *)s, (HPDF_UINT)n);
	return (float)tw.width * size / 1000;
}

/* The largest size up to max at which s[0..n) fits in width, on a 0.1 pt grid so that
 * rounding can only make it narrower. */
static float fit(const struct face *f, const char *s, size_t n, float max, float width)
{
	float w = width_at(f, s, n, max);
	if (w <= width)
		return max;
	return floorf(max * width / w * 10) / 10;
}

static void text_at(struct canvas *c, const struct face *f, float size, float x, float y, const char *s)
{
	/* With one face for both (half the cost per document in libharu), bold is drawn by
	 * stroking the glyph outlines as well as filling them. */
	int faux_bold = f->stroke;
	if (faux_bold) {
		HPDF_Page_GSave(c->page);
		HPDF_Page_SetLineWidth(c->page, size * 0.045f);
	}
	HPDF_Page_BeginText(c->page);
	HPDF_Page_SetFontAndSize(c->page, f->font, size);
	if (faux_bold)
		HPDF_Page_SetTextRenderingMode(c->page, HPDF_FILL_THEN_STROKE);
	HPDF_Page_TextOut(c->page, x, y, s);
	if (faux_bold)
		HPDF_Page_SetTextRenderingMode(c->page, HPDF_FILL);
	HPDF_Page_EndText(c->page);
	if (faux_bold)
		HPDF_Page_GRestore(c->page);
}

/* Centred on cx, shrunk below max when it would not fit in width. */
static void centred(struct canvas *c, const struct face *f, float max, const char *s, float cx, float y,
    float width)
{
	float size = fit(f, s, strlen(s), max, width);
	text_at(c, f, size, cx - width_at(f, s, strlen(s), size) / 2, y, s);
}

/* Where a two-line name breaks: line 1 is name[0..*cut), line 2 starts at *resume. The
 * break goes at a space or after a hyphen, wherever it best balances the two lines; a
 * name with neither breaks between code points. */
static void name_break(const struct face *f, const char *name, size_t *cut, size_t *resume)
{
	size_t n = strlen(name);
	float best = INFINITY;
	*cut = *resume = n;
	for (int anywhere = 0; anywhere < 2 && best == INFINITY; anywhere++) {
		for (size_t i = 1; i < n; i++) {
			size_t c, r;
			if ((name[i] & 0xC0) == 0x80)
				continue;	/* inside a code point */
			if (name[i] == ' ' && name[i - 1] != ' ') {
				c = i;
				for (r = i; name[r] == ' '; r++)
					;
			} else if (name[i - 1] == '-' || anywhere) {
				c = r = i;
			} else {
				continue;
			}
			if (r == n)
				continue;	/* trailing spaces: nothing left for line 2 */
			float w1 = width_at(f, name, c, 1), w2 = width_at(f, name + r, n - r, 1);
			float worst = w1 > w2 ? w1 : w2;
			if (worst < best) {
				best = worst;
				*cut = c;
				*resume = r;
			}
		}
	}
}

/* Large and centred; shrinks down to NAME_MIN_SIZE, then wraps onto two lines, which
 * shrink further only if they must: never past the margins. */
static void draw_name(struct arena *a, struct canvas *c, const char *name)
{
	float avail = c->w - 2 * MARGIN, cx = c->w / 2;
	float size = fit(&c->bold, name, strlen(name), NAME_MAX_SIZE, avail);
	if (size >= NAME_MIN_SIZE) {
		/* 0.35 em is about half the height of a capital: the line's visual centre. */
		centred(c, &c->bold, size, name, cx, NAME_MIDDLE - 0.35f * size, avail);
		return;
	}
	size_t cut, resume;
	name_break(&c->bold, name, &cut, &resume);
	const char *one = arena_strndup(a, name, cut), *two = name + resume;
	float s1 = fit(&c->bold, one, strlen(one), NAME_MIN_SIZE, avail);
	float s2 = fit(&c->bold, two, strlen(two), NAME_MIN_SIZE, avail);
	size = s1 < s2 ? s1 : s2;
	float first = NAME_MIDDLE + 0.25f * size;
	centred(c, &c->bold, size, one, cx, first, avail);
	centred(c, &c->bold, size, two, cx, first - 1.2f * size, avail);
}

static void signature(struct canvas *c, float cx, const char *name, const char *role)
{
	const float line_y = 128, half = 100;
	HPDF_Page_SetLineWidth(c->page, 0.6f);
	HPDF_Page_MoveTo(c->page, cx - half, line_y);
	HPDF_Page_LineTo(c->page, cx + half, line_y);
	HPDF_Page_Stroke(c->page);
	centred(c, &c->bold, 11, name, cx, line_y - 15, 2 * half + 20);
	centred(c, &c->regular, 9, role, cx, line_y - 28, 2 * half + 20);
}

static void frame(struct canvas *c)
{
	navy(c->page);
	HPDF_Page_SetLineWidth(c->page, 1.5f);
	HPDF_Page_Rectangle(c->page, 10 * MM, 10 * MM, c->w - 20 * MM, c->h - 20 * MM);
	HPDF_Page_Stroke(c->page);
	HPDF_Page_SetLineWidth(c->page, 0.5f);
	HPDF_Page_Rectangle(c->page, 11.5f * MM, 11.5f * MM, c->w - 23 * MM, c->h - 23 * MM);
	HPDF_Page_Stroke(c->page);
}

static void draw_page(struct arena *a, struct canvas *c, const struct cert_doc *d,
    const struct qr *code)
{
	float cx = c->w / 2, avail = c->w - 2 * MARGIN;

	frame(c);
	centred(c, &c->bold, 22, "European Society of Neuroradiology", cx, 505, avail);
	centred(c, &c->regular, 15, "European School of Neuroradiology (ESoNR)", cx, 482, avail);
	HPDF_Page_SetLineWidth(c->page, 0.8f);
	HPDF_Page_MoveTo(c->page, cx - 60, 467);
	HPDF_Page_LineTo(c->page, cx + 60, 467);
	HPDF_Page_Stroke(c->page);

	black(c->page);
	centred(c, &c->regular, 13, "This is to certify that", cx, 432, avail);
	navy(c->page);
	draw_name(a, c, d->holder_name);
	black(c->page);
	centred(c, &c->regular, 13, "has been awarded the", cx, 338, avail);
	centred(c, &c->bold, 20, d->qualification, cx, 308, avail);
	if (d->level != NULL && d->level[0] != '\0')
		centred(c, &c->regular, 15, d->level, cx, 284, avail);
	centred(c, &c->regular, 13,
	    arena_printf(a, "Session of %s, %s", d->session_date, d->session_place), cx, 252, avail);
	centred(c, &c->regular, 11, arena_printf(a, "Issued on %s", d->issue_date), cx, 222, avail);
	centred(c, &c->regular, 11, arena_printf(a, "Certificate number %s", d->number), cx, 206,
	    avail);

	signature(c, MARGIN + 115, d->signatory_1, d->signatory_1_role);
	signature(c, MARGIN + 375, d->signatory_2, d->signatory_2_role);

	/* Modules as large as 30 mm allows, never finer than a camera reads, within the cap. */
	float module = QR_TARGET / (float)code->width;
	if (module < QR_MIN_MODULE)
		module = QR_MIN_MODULE;
	if (qr_side(code, module) > QR_MAX_SIDE)
		module = QR_MAX_SIDE / (float)(code->width + 2 * QR_QUIET_MODULES);
	float side = qr_side(code, module), qx = c->w - MARGIN - side;
	qr_draw(c->page, code, qx, QR_BOTTOM, module);
	black(c->page);
	centred(c, &c->regular, 8, d->number, qx + side / 2, QR_BOTTOM - 10, side + 10);

	/* The URL without its signed #fragment: what a reader without a camera can type. */
	const char *hash = strchr(d->qr_text, '#');
	const char *url = hash ? arena_strndup(a, d->qr_text, (size_t)(hash - d->qr_text)) : d->qr_text;
	/* The page says it is signed, by whom, and where a reader checks it. */
	const char *line1 = arena_printf(a, "Digitally signed by %s: a PDF signature, and Ed25519 key %s.",
	    d->signed_by, d->key_id);
	const char *line2 = arena_printf(a, "Verify this certificate at %s", url);
	float size = fit(&c->regular, line1, strlen(line1), 7, qx - MARGIN - 12);
	text_at(c, &c->regular, size, MARGIN, 54, line1);
	size = fit(&c->regular, line2, strlen(line2), 7, qx - MARGIN - 12);
	text_at(c, &c->regular, size, MARGIN, 44, line2);
}

/* Copies libharu's in-memory output into the arena. 0 ok. */
static int take_output(struct arena *a, HPDF_Doc doc, unsigned char **pdf, size_t *len)
{
	HPDF_UINT32 size = HPDF_GetStreamSize(doc);
	if (size == 0 || HPDF_ResetStream(doc) != HPDF_OK)
		return -1;
	unsigned char *buf = arena_alloc(a, size);
	HPDF_UINT32 got = 0;
	while (got < size) {
		HPDF_UINT32 n = size - got;
		HPDF_STATUS st = HPDF_ReadFromStream(doc, buf + got, &n);
		got += n;
		if (st == HPDF_STREAM_EOF || n == 0)
			break;
		if (st != HPDF_OK)
			return -1;
	}
	if (got != size)
		return -1;
	*pdf = buf;
	*len = size;
	return 0;
}

/* Every field that is drawn, with the name an error message gives it. */
static int check_fields(struct arena *a, const struct cert_doc *d, char *err, size_t errlen)
{
	const struct {
		const char *name, *value;
	} fields[] = {
		{ "number", d->number }, { "holder_name", d->holder_name },
		{ "qualification", d->qualification }, { "level", d->level ? d->level : "" },
		{ "session_date", d->session_date }, { "session_place", d->session_place },
		{ "issue_date", d->issue_date }, { "key_id", d->key_id }, { "qr_text", d->qr_text },
		{ "signed_by", d->signed_by },
		{ "signatory_1", d->signatory_1 }, { "signatory_1_role", d->signatory_1_role },
		{ "signatory_2", d->signatory_2 }, { "signatory_2_role", d->signatory_2_role },
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *why = fields[i].value == NULL || (fields[i].value[0] == '\0' &&
		    strcmp(fields[i].name, "level") != 0) ? "it is empty"
		    : cert_text_problem(a, fields[i].value);
		if (why != NULL) {
			snprintf(err, errlen, "certificate %s: %s", fields[i].name, why);
			return -1;
		}
	}
	return 0;
}

int cert_render(struct arena *a, const struct cert_doc *d, unsigned char **pdf, size_t *len,
    char *err, size_t errlen)
{
	HPDF_Date created;
	struct qr code;
	struct canvas c;

	if (fonts.doc == NULL) {
		snprintf(err, errlen, "cert_fonts_init has not been called");
		return -1;
	}
	if (check_fields(a, d, err, errlen) != 0)
		return -1;
	if (d->creation_date == NULL || parse_date(d->creation_date, &created) != 0) {
		snprintf(err, errlen, "certificate creation_date: want YYYY-MM-DDTHH:MM:SSZ");
		return -1;
	}
	if (qr_encode(a, d->qr_text, &code, err, errlen) != 0)
		return -1;
	if (fonts.pid != getpid()) {
		/* Freeing the parent's doc would fclose() FILEs that share its file offsets. */
		fonts.inherited = fonts.doc;
		fonts.doc = NULL;
		if (fonts_open(err, errlen) != 0)
			return -1;
	}

	HPDF_Doc doc = fonts.doc;
	int rc = -1;
	if (HPDF_NewDoc(doc) != HPDF_OK) {
		hpdf_failed(doc, "new document", err, errlen);
		goto out;
	}
	HPDF_SetCompressionMode(doc, HPDF_COMP_ALL);
	/* With a current UTF-8 encoder libharu writes info strings as UTF-16, which readers show. */
	HPDF_SetCurrentEncoder(doc, "UTF-8");
	HPDF_SetInfoAttr(doc, HPDF_INFO_TITLE, arena_printf(a, "ESoNR certificate %s", d->number));
	HPDF_SetInfoAttr(doc, HPDF_INFO_AUTHOR, "European Society of Neuroradiology");
	HPDF_SetInfoAttr(doc, HPDF_INFO_SUBJECT,
	    arena_printf(a, "%s — %s", d->qualification, d->holder_name));
	HPDF_SetInfoAttr(doc, HPDF_INFO_CREATOR, "ESoNR portal");
	HPDF_SetInfoDateAttr(doc, HPDF_INFO_CREATION_DATE, created);
	if (hpdf_failed(doc, "document information", err, errlen))
		goto out;

	/* Most of a render's time: libharu maps all of the BMP to glyphs for each UTF-8 font. */
	c.regular.font = HPDF_GetFont(doc, fonts.regular, "UTF-8");
	c.regular.stroke = 0;
	c.bold.font = strcmp(fonts.regular, fonts.bold) == 0 ? c.regular.font :
	    HPDF_GetFont(doc, fonts.bold, "UTF-8");
	c.bold.stroke = c.bold.font == c.regular.font;
	c.page = HPDF_AddPage(doc);
	if (hpdf_failed(doc, "page and fonts", err, errlen))
		goto out;
	HPDF_Page_SetSize(c.page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
	c.w = HPDF_Page_GetWidth(c.page);
	c.h = HPDF_Page_GetHeight(c.page);
	draw_page(a, &c, d, &code);
	if (hpdf_failed(doc, "drawing", err, errlen))
		goto out;
	if (HPDF_SaveToStream(doc) != HPDF_OK || take_output(a, doc, pdf, len) != 0) {
		if (!hpdf_failed(doc, "saving", err, errlen))
			snprintf(err, errlen, "libharu: cannot read the saved document");
		goto out;
	}
	rc = 0;
out:
	/* Frees this document's objects now; the font definitions stay for the next one. */
	HPDF_FreeDoc(doc);
	return rc;
}
