#include "core/form.h"

#include <string.h>
#include <strings.h>

#include "core/utf8.h"

static const char *const status_text[FORM__MAX] = {
	[FORM_OK] = "ok",
	[FORM_BAD_ENCODING] = "malformed percent-encoding or control character",
	[FORM_BAD_UTF8] = "invalid UTF-8",
	[FORM_DUPLICATE] = "field given more than once",
	[FORM_TOO_LARGE] = "value too large",
	[FORM_TOO_MANY] = "too many fields",
	[FORM_MALFORMED] = "malformed form data",
};

const char *form_status_text(enum form_status s)
{
	if ((unsigned)s >= FORM__MAX)
		return "unknown form error";
	return status_text[s];
}

const struct field *fields_find(const struct fields *f, const char *name)
{
	size_t i;

	if (f == NULL || name == NULL)
		return NULL;
	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			return &f->v[i];
	return NULL;
}

const char *fields_get(const struct fields *f, const char *name)
{
	const struct field *fd = fields_find(f, name);

	return fd != NULL ? fd->value : NULL;
}

/* Parsed fields are appended here; the array doubles inside the arena. */
struct collector {
	struct arena *arena;
	struct fields *out;
	size_t cap;
};

static void collector_init(struct collector *c, struct arena *a, struct fields *out)
{
	c->arena = a;
	c->out = out;
	c->cap = 0;
	out->v = NULL;
	out->n = 0;
	out->bad = NULL;
}

static enum form_status collector_add(struct collector *c, const char *name,
	const char *value, size_t len, const char *filename, const char *content_type)
{
	struct fields *f = c->out;
	struct field *v;

	if (fields_find(f, name) != NULL) {
		f->bad = name;
		return FORM_DUPLICATE;
	}
	if (f->n == FORM_MAX_FIELDS)
		return FORM_TOO_MANY;
	if (f->n == c->cap) {
		c->cap = c->cap == 0 ? 16 : c->cap * 2;
		v = arena_alloc(c->arena, c->cap * sizeof *v);
		if (f->n > 0)
			memcpy(v, f->v, f->n * sizeof *v);
		f->v = v;
	}
	f->v[f->n].name = name;
	f->v[f->n].value = value;
	f->v[f->n].len = len;
	f->v[f->n].filename = filename;
	f->v[f->n].content_type = content_type;
	f->n++;
	return FORM_OK;
}

/* The rules every text value shares: no control byte but TAB, CR, LF; valid UTF-8. */
static enum form_status text_check(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F)
			return FORM_BAD_ENCODING;
	}
	return utf8_valid(s, n) ? FORM_OK : FORM_BAD_UTF8;
}

static int is_alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* RFC 9110 token characters; RFC 6265 cookie names are the same set. */
static int is_tchar(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7F)
		return 0;
	return strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

/* Form field names are ours, so they are kept to a plain identifier alphabet. */
static int name_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > FORM_MAX_NAME)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_alnum(c) && c != '_' && c != '.' && c != '-')
			return 0;
	}
	return 1;
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes '+' and %XX of s[0..n) into a NUL-terminated arena copy of at most max bytes. */
static enum form_status url_decode(struct arena *a, const char *s, size_t n, size_t max,
	char **out, size_t *outlen)
{
	/* Decoding never grows the text, so the copy is bounded by both n and max. */
	char *d = arena_alloc(a, (n < max ? n : max) + 1);
	size_t i = 0, j = 0;
	int hi, lo;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (n - i < 3 ||
			    (hi = hex_value((unsigned char)s[i + 1])) < 0 ||
			    (lo = hex_value((unsigned char)s[i + 2])) < 0)
				return FORM_BAD_ENCODING;
			c = (unsigned char)(hi << 4 | lo);
			i += 3;
		} else {
			if (c == '+')
				c = ' ';
			i++;
		}
		if (j == max)
			return FORM_TOO_LARGE;
		d[j++] = (char)c;
	}
	d[j] = '\0';
	*out = d;
	*outlen = j;
	return FORM_OK;
}

enum form_status form_parse_urlencoded(struct arena *a, const char *s, size_t len,
	struct fields *out)
{
	struct collector c;
	size_t i = 0;

	collector_init(&c, a, out);
	while (i < len) {
		const char *pair = s + i, *amp, *eq, *value;
		char *name, *decoded;
		size_t plen, nlen, name_len, value_len;
		enum form_status st;

		amp = memchr(pair, '&', len - i);
		plen = amp != NULL ? (size_t)(amp - pair) : len - i;
		i = amp != NULL ? i + plen + 1 : len;
		if (plen == 0)
			continue;
		eq = memchr(pair, '=', plen);
		nlen = eq != NULL ? (size_t)(eq - pair) : plen;

		st = url_decode(a, pair, nlen, FORM_MAX_NAME, &name, &name_len);
		if (st == FORM_TOO_LARGE)
			return FORM_MALFORMED;
		if (st == FORM_OK)
			st = text_check(name, name_len);
		if (st != FORM_OK)
			return st;
		if (!name_valid(name, name_len))
			return FORM_MALFORMED;

		value = "";
		value_len = 0;
		if (eq != NULL) {
			st = url_decode(a, eq + 1, plen - nlen - 1, FORM_MAX_VALUE,
			    &decoded, &value_len);
			if (st == FORM_OK)
				st = text_check(decoded, value_len);
			if (st != FORM_OK) {
				out->bad = name;
				return st;
			}
			value = decoded;
		}
		if ((st = collector_add(&c, name, value, value_len, NULL, NULL)) != FORM_OK)
			return st;
	}
	return FORM_OK;
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && is_ows(**s))
		(*s)++;
	while (*e > *s && is_ows((*e)[-1]))
		(*e)--;
}

static int cookie_name_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > FORM_MAX_NAME)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return 0;
	return 1;
}

enum form_status form_parse_cookies(struct arena *a, const char *header, struct fields *out)
{
	struct collector c;
	const char *p = header;

	collector_init(&c, a, out);
	if (header == NULL)
		return FORM_OK;
	while (*p != '\0') {
		const char *end, *eq, *ns, *ne, *vs, *ve;
		char *name;
		size_t vlen;
		enum form_status st;

		if ((end = strchr(p, ';')) == NULL)
			end = p + strlen(p);
		ns = p;
		ve = end;
		p = *end == ';' ? end + 1 : end;
		trim(&ns, &ve);
		if (ns == ve)
			continue;
		if ((eq = memchr(ns, '=', (size_t)(ve - ns))) != NULL) {
			ne = eq;
			vs = eq + 1;
		} else {
			ne = ve;
			vs = ve;
		}
		trim(&ns, &ne);
		trim(&vs, &ve);
		if (!cookie_name_valid(ns, (size_t)(ne - ns)))
			return FORM_MALFORMED;
		name = arena_strndup(a, ns, (size_t)(ne - ns));
		/* RFC 6265 lets a value be wrapped in DQUOTEs, which are not part of it. */
		if (ve - vs >= 2 && vs[0] == '"' && ve[-1] == '"') {
			vs++;
			ve--;
		}
		vlen = (size_t)(ve - vs);
		st = vlen > FORM_MAX_VALUE ? FORM_TOO_LARGE : text_check(vs, vlen);
		if (st != FORM_OK) {
			out->bad = name;
			return st;
		}
		st = collector_add(&c, name, arena_strndup(a, vs, vlen), vlen, NULL, NULL);
		if (st != FORM_OK)
			return st;
	}
	return FORM_OK;
}

/* First occurrence of needle[0..n) in [p, end), or NULL; n > 0. */
static const char *find(const char *p, const char *end, const char *needle, size_t n)
{
	const char *q;

	while ((size_t)(end - p) >= n) {
		q = memchr(p, needle[0], (size_t)(end - p) - n + 1);
		if (q == NULL)
			return NULL;
		if (memcmp(q, needle, n) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

static void skip_ows(const char **p, const char *end)
{
	while (*p < end && is_ows(**p))
		(*p)++;
}

static char *read_token(struct arena *a, const char **pp, const char *end, size_t *lenp)
{
	const char *p = *pp, *q = p;

	while (q < end && is_tchar((unsigned char)*q))
		q++;
	if (q == p)
		return NULL;
	*pp = q;
	*lenp = (size_t)(q - p);
	return arena_strndup(a, p, *lenp);
}

/* An RFC 9110 quoted-string at *pp, unescaped; NULL if unterminated or with a control. */
static char *read_quoted(struct arena *a, const char **pp, const char *end, size_t *lenp)
{
	const char *p = *pp + 1, *q;
	char *s, *d;
	size_t n = 0;

	for (q = p; q < end && *q != '"'; q++, n++) {
		if (*q == '\\' && ++q == end)
			return NULL;
		if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7F)
			return NULL;
	}
	if (q == end)
		return NULL;
	s = d = arena_alloc(a, n + 1);
	for (q = p; *q != '"'; q++) {
		if (*q == '\\')
			q++;
		*d++ = *q;
	}
	*d = '\0';
	*pp = q + 1;
	*lenp = n;
	return s;
}

/*
 * Reads one `; attr=value` (value a token or quoted-string) at *pp.
 * Returns 1 with attr and value set, 0 at the end of the header value, -1 if malformed.
 */
static int read_param(struct arena *a, const char **pp, const char *end,
	char **attr, char **value, size_t *vlen)
{
	const char *p = *pp;
	size_t alen;

	for (;;) {
		skip_ows(&p, end);
		if (p == end) {
			*pp = p;
			return 0;
		}
		if (*p != ';')
			return -1;
		p++;
		skip_ows(&p, end);
		/* RFC 9110 allows empty parameters ("a; ; b=c"). */
		if (p < end && *p != ';')
			break;
	}
	if ((*attr = read_token(a, &p, end, &alen)) == NULL)
		return -1;
	if (p == end || *p != '=')
		return -1;
	p++;
	if (p < end && *p == '"')
		*value = read_quoted(a, &p, end, vlen);
	else
		*value = read_token(a, &p, end, vlen);
	if (*value == NULL)
		return -1;
	*pp = p;
	return 1;
}

/* RFC 2046 bchars: 1 to 70 of them, the last one not a space. */
static int boundary_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > FORM_MAX_BOUNDARY || s[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && strchr("'()+_,-./:=? ", s[i]) == NULL)
			return 0;
	return 1;
}

/* The boundary of a "multipart/form-data; boundary=..." header value, or NULL. */
static char *multipart_boundary(struct arena *a, const char *ct)
{
	static const char type[] = "multipart/form-data";
	const char *p = ct, *end = ct + strlen(ct);
	char *attr, *value, *boundary = NULL;
	size_t vlen;
	int r;

	skip_ows(&p, end);
	if ((size_t)(end - p) < sizeof type - 1 || strncasecmp(p, type, sizeof type - 1) != 0)
		return NULL;
	p += sizeof type - 1;
	while ((r = read_param(a, &p, end, &attr, &value, &vlen)) == 1) {
		if (strcasecmp(attr, "boundary") != 0)
			continue;
		if (boundary != NULL || !boundary_valid(value, vlen))
			return NULL;
		boundary = value;
	}
	return r == 0 ? boundary : NULL;
}

/* What the headers of one multipart part said. */
struct part {
	char *name;
	char *filename;
	char *content_type;
	int disposition;
};

/* `form-data; name="..."[; filename="..."]`; other parameters are ignored (RFC 7578 4.2). */
static enum form_status part_disposition(struct arena *a, const char *p, const char *end,
	struct part *pt)
{
	static const char type[] = "form-data";
	char *attr, *value;
	size_t vlen, name_len = 0, filename_len = 0;
	enum form_status st;
	int r;

	if ((size_t)(end - p) < sizeof type - 1 || strncasecmp(p, type, sizeof type - 1) != 0)
		return FORM_MALFORMED;
	p += sizeof type - 1;
	while ((r = read_param(a, &p, end, &attr, &value, &vlen)) == 1) {
		if (strcasecmp(attr, "name") == 0) {
			if (pt->name != NULL)
				return FORM_MALFORMED;
			pt->name = value;
			name_len = vlen;
		} else if (strcasecmp(attr, "filename") == 0) {
			if (pt->filename != NULL)
				return FORM_MALFORMED;
			pt->filename = value;
			filename_len = vlen;
		}
	}
	if (r < 0 || pt->name == NULL)
		return FORM_MALFORMED;
	if ((st = text_check(pt->name, name_len)) != FORM_OK)
		return st;
	if (!name_valid(pt->name, name_len))
		return FORM_MALFORMED;
	if (pt->filename != NULL)
		return text_check(pt->filename, filename_len);
	return FORM_OK;
}

static int header_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

/* One "Name: value" line at [p, eol); unknown headers are ignored (RFC 7578 4.8). */
static enum form_status part_header(struct arena *a, const char *p, const char *eol,
	struct part *pt)
{
	const char *colon, *q, *vs, *ve;
	size_t nlen;
	enum form_status st;

	for (q = p; q < eol; q++)
		if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7F)
			return FORM_MALFORMED;
	/* A leading space (obsolete line folding) fails here as an empty name. */
	if ((colon = memchr(p, ':', (size_t)(eol - p))) == NULL)
		return FORM_MALFORMED;
	nlen = (size_t)(colon - p);
	for (q = p; q < colon; q++)
		if (!is_tchar((unsigned char)*q))
			return FORM_MALFORMED;
	if (nlen == 0)
		return FORM_MALFORMED;
	vs = colon + 1;
	ve = eol;
	trim(&vs, &ve);

	if (header_is(p, nlen, "Content-Disposition")) {
		if (pt->disposition)
			return FORM_MALFORMED;
		pt->disposition = 1;
		return part_disposition(a, vs, ve, pt);
	}
	if (header_is(p, nlen, "Content-Type")) {
		if (pt->content_type != NULL || vs == ve)
			return FORM_MALFORMED;
		if ((st = text_check(vs, (size_t)(ve - vs))) != FORM_OK)
			return st;
		pt->content_type = arena_strndup(a, vs, (size_t)(ve - vs));
		return FORM_OK;
	}
	/* Deprecated by RFC 7578 4.7; any real transformation would corrupt the data. */
	if (header_is(p, nlen, "Content-Transfer-Encoding")) {
		if (header_is(vs, (size_t)(ve - vs), "binary") ||
		    header_is(vs, (size_t)(ve - vs), "8bit") ||
		    header_is(vs, (size_t)(ve - vs), "7bit"))
			return FORM_OK;
		return FORM_MALFORMED;
	}
	return FORM_OK;
}

/* Header lines from *pp up to and past the empty line that ends them. */
static enum form_status part_headers(struct arena *a, const char **pp, const char *end,
	struct part *pt)
{
	const char *p = *pp, *limit, *eol;
	enum form_status st;

	limit = (size_t)(end - p) > FORM_MAX_PART_HEADERS ? p + FORM_MAX_PART_HEADERS : end;
	for (;;) {
		if ((eol = find(p, limit, "\r\n", 2)) == NULL)
			return limit < end ? FORM_TOO_LARGE : FORM_MALFORMED;
		if (eol == p)
			break;
		if ((st = part_header(a, p, eol, pt)) != FORM_OK)
			return st;
		p = eol + 2;
	}
	if (!pt->disposition)
		return FORM_MALFORMED;
	*pp = eol + 2;
	return FORM_OK;
}

static enum form_status part_store(struct collector *c, const struct part *pt,
	const char *data, size_t n)
{
	enum form_status st = FORM_OK;
	char *value;

	if (pt->filename == NULL)
		st = n > FORM_MAX_VALUE ? FORM_TOO_LARGE : text_check(data, n);
	else if (n > FORM_MAX_FILE)
		st = FORM_TOO_LARGE;
	if (st != FORM_OK) {
		c->out->bad = pt->name;
		return st;
	}
	/* A NUL after the bytes too, so that text parts are C strings like the rest. */
	value = arena_alloc(c->arena, n + 1);
	memcpy(value, data, n);
	value[n] = '\0';
	return collector_add(c, pt->name, value, n, pt->filename,
	    pt->content_type != NULL ? pt->content_type : "text/plain");
}

enum form_status form_parse_multipart(struct arena *a, const char *content_type,
	const char *body, size_t len, struct fields *out)
{
	struct collector c;
	const char *p, *end, *q;
	char *boundary, *delim;
	size_t dlen;
	enum form_status st;

	collector_init(&c, a, out);
	if (content_type == NULL || body == NULL || len == 0)
		return FORM_MALFORMED;
	if ((boundary = multipart_boundary(a, content_type)) == NULL)
		return FORM_MALFORMED;
	/* The delimiter is CRLF "--" boundary; delim + 2 is the bare dash-boundary. */
	delim = arena_printf(a, "\r\n--%s", boundary);
	dlen = strlen(delim);
	end = body + len;

	/* The first dash-boundary opens the body or ends a preamble (RFC 2046 5.1.1). */
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
		p = body + dlen - 2;
	else if ((p = find(body, end, delim, dlen)) != NULL)
		p += dlen;
	else
		return FORM_MALFORMED;

	for (;;) {
		struct part pt = { NULL, NULL, NULL, 0 };

		/* Close delimiter: padding, then the end or an ignored epilogue. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			p += 2;
			skip_ows(&p, end);
			if (p == end || (end - p >= 2 && p[0] == '\r' && p[1] == '\n'))
				return FORM_OK;
			return FORM_MALFORMED;
		}
		skip_ows(&p, end);
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return FORM_MALFORMED;
		p += 2;
		if ((st = part_headers(a, &p, end, &pt)) != FORM_OK)
			return st;
		if ((q = find(p, end, delim, dlen)) == NULL)
			return FORM_MALFORMED;
		if ((st = part_store(&c, &pt, p, (size_t)(q - p))) != FORM_OK)
			return st;
		p = q + dlen;
	}
}
