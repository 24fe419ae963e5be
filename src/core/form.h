/*
 * The one request parser: query strings, urlencoded bodies, cookies, multipart/form-data.
 * Everything lives in the request arena; inputs need not be NUL-terminated.
 * On error, out still holds the fields accepted before the failure (to refill a form),
 * and out->bad names the offending field when that name was itself valid.
 */
#ifndef ESONR_FORM_H
#define ESONR_FORM_H
#include <stddef.h>
#include "core/arena.h"

#define FORM_MAX_FIELDS 200
#define FORM_MAX_NAME 64
#define FORM_MAX_VALUE (64 * 1024)		/* urlencoded / cookie / text part value, decoded */
#define FORM_MAX_FILE (8 * 1024 * 1024)		/* a multipart file part */
#define FORM_MAX_PART_HEADERS (8 * 1024)	/* header block of one multipart part */
#define FORM_MAX_BOUNDARY 70			/* RFC 2046 */

struct field {
	const char *name;		/* NUL-terminated, decoded */
	const char *value;		/* NUL-terminated (for text), decoded; for file parts the raw bytes (may contain NUL) */
	size_t len;			/* length of value in bytes */
	const char *filename;		/* multipart file parts only, else NULL ("" when no file was chosen) */
	const char *content_type;	/* multipart parts only ("text/plain" when absent), else NULL */
};

struct fields {
	struct field *v;
	size_t n;
	const char *bad;		/* on error: name of the offending field, or NULL */
};

enum form_status {
	FORM_OK = 0,
	FORM_BAD_ENCODING,	/* bad %XX, or a control byte other than TAB, CR, LF */
	FORM_BAD_UTF8,
	FORM_DUPLICATE,
	FORM_TOO_LARGE,
	FORM_TOO_MANY,
	FORM_MALFORMED,
	FORM__MAX
};

const char *form_status_text(enum form_status s);

enum form_status form_parse_urlencoded(struct arena *a, const char *s, size_t len,
	struct fields *out);
enum form_status form_parse_cookies(struct arena *a, const char *header, struct fields *out);
enum form_status form_parse_multipart(struct arena *a, const char *content_type,
	const char *body, size_t len, struct fields *out);

const struct field *fields_find(const struct fields *f, const char *name);
const char *fields_get(const struct fields *f, const char *name);

#endif
