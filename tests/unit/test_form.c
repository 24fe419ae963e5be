/* The one request parser: what browsers send is read back exactly, anything else is refused. */
#include <stdlib.h>

#include "check.h"
#include "core/arena.h"
#include "core/form.h"

static struct arena *arena;
static struct fields f;

static enum form_status url(const char *s)
{
	return form_parse_urlencoded(arena, s, strlen(s), &f);
}

/* Builds "name=<n times c>" in the arena. */
static const char *url_big(const char *name, size_t n, char c)
{
	size_t nl = strlen(name);
	char *s = arena_alloc(arena, nl + 1 + n + 1);

	memcpy(s, name, nl);
	s[nl] = '=';
	memset(s + nl + 1, c, n);
	s[nl + 1 + n] = '\0';
	return s;
}

/* Builds "f0=v&f1=v&..." with n fields. */
static const char *url_fields(size_t n)
{
	char *s = arena_alloc(arena, n * 12 + 1), *p = s;
	size_t i;

	*p = '\0';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%sf%zu=v", i ? "&" : "", i);
	return s;
}

static void test_urlencoded(void)
{
	CHECK(url("") == FORM_OK && f.n == 0, "empty input is accepted with no fields");
	CHECK(form_parse_urlencoded(arena, NULL, 0, &f) == FORM_OK && f.n == 0,
	    "no input at all is accepted with no fields");

	CHECK(url("email=a%40b.eu&full_name=Jane+Doe&password=p%2Bq%26r%3Ds") == FORM_OK &&
	    f.n == 3, "a registration form parses into three fields");
	CHECK_STR(fields_get(&f, "email"), "a@b.eu", "%40 decodes to @");
	CHECK_STR(fields_get(&f, "full_name"), "Jane Doe", "'+' decodes to a space");
	CHECK_STR(fields_get(&f, "password"), "p+q&r=s", "%2B %26 %3D decode to + & =");
	CHECK(fields_get(&f, "role") == NULL, "a field not sent is NULL");
	CHECK(fields_find(&f, "email") == &f.v[0] && f.v[0].len == 6,
	    "fields keep their order and their length");
	CHECK(f.v[0].filename == NULL && f.v[0].content_type == NULL,
	    "urlencoded fields have no filename nor content type");

	CHECK(url("full_name=%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2")
	    == FORM_OK, "a name in Cyrillic is accepted");
	CHECK_STR(fields_get(&f, "full_name"), "Иван Петров", "a name in Cyrillic survives decoding");
	CHECK(url("full_name=%ce%a0%ce%b1%cf%80%ce%b1%ce%b4%cf%8c%cf%80%ce%bf%cf%85%ce%bb%ce%bf%cf%82")
	    == FORM_OK, "lower-case hex digits are accepted");
	CHECK_STR(fields_get(&f, "full_name"), "Παπαδόπουλος", "a name in Greek survives decoding");
	CHECK(url("full_name=Ren\xC3\xA9") == FORM_OK, "raw (unencoded) UTF-8 is accepted");
	CHECK_STR(fields_get(&f, "full_name"), "René", "raw UTF-8 is kept as is");
	CHECK(url("note=line+1%0D%0Aline%092") == FORM_OK, "CR, LF and TAB are allowed in a value");
	CHECK_STR(fields_get(&f, "note"), "line 1\r\nline\t2", "CR, LF and TAB survive decoding");

	CHECK(url("a=1&&b=2&") == FORM_OK && f.n == 2, "empty pairs are skipped");
	CHECK(url("&&&") == FORM_OK && f.n == 0, "only separators gives no fields");
	CHECK(url("absent_7") == FORM_OK && f.n == 1, "a name without '=' is a field");
	CHECK_STR(fields_get(&f, "absent_7"), "", "a name without '=' has the empty value");
	CHECK(url("a=") == FORM_OK && f.v[0].len == 0, "a name with '=' and nothing after is empty");
	CHECK(url("q=a=b") == FORM_OK, "a second '=' belongs to the value");
	CHECK_STR(fields_get(&f, "q"), "a=b", "the value keeps its '='");
	CHECK(form_parse_urlencoded(arena, "a=1&b=2&c=3", 7, &f) == FORM_OK && f.n == 2,
	    "input is read up to the length given, not to a NUL");
	CHECK_STR(fields_get(&f, "b"), "2", "the last value ends at the length given");
	CHECK(url("written_42=87&oral_42=60&absent_43=on") == FORM_OK && f.n == 3,
	    "per-booking result fields are accepted");

	CHECK(url("a=%zz") == FORM_BAD_ENCODING, "%zz is rejected");
	CHECK(url("a=%4") == FORM_BAD_ENCODING, "a truncated %4 at the end is rejected");
	CHECK(url("a=%") == FORM_BAD_ENCODING, "a lone % at the end is rejected");
	CHECK(url("a=%4&b=1") == FORM_BAD_ENCODING, "a truncated %4 before '&' is rejected");
	CHECK(url("a=100%") == FORM_BAD_ENCODING, "a literal % must be encoded");
	CHECK(url("a=%+1") == FORM_BAD_ENCODING, "%+1 is not a hex escape");
	CHECK(url("a=%00") == FORM_BAD_ENCODING, "%00 is rejected");
	CHECK(form_parse_urlencoded(arena, "a=x\0y", 5, &f) == FORM_BAD_ENCODING,
	    "a raw NUL byte is rejected");
	CHECK(url("a=%01") == FORM_BAD_ENCODING, "a control byte is rejected");
	CHECK(url("a=%1B%5B2J") == FORM_BAD_ENCODING, "a terminal escape sequence is rejected");
	CHECK(url("a=%7F") == FORM_BAD_ENCODING, "DEL is rejected");
	CHECK(url("a=%C3%28") == FORM_BAD_UTF8, "%C3%28 (invalid UTF-8) is rejected");
	CHECK(url("a=%C0%AF") == FORM_BAD_UTF8, "overlong %C0%AF is rejected");
	CHECK(url("a=%ED%A0%80") == FORM_BAD_UTF8, "surrogate %ED%A0%80 is rejected");
	CHECK(url("a=%F4%90%80%80") == FORM_BAD_UTF8, "a code point above U+10FFFF is rejected");
	CHECK(url("a=%E2%82") == FORM_BAD_UTF8, "a UTF-8 sequence truncated by the end is rejected");
	CHECK(url("a=%E2%82&b=%AC") == FORM_BAD_UTF8,
	    "a UTF-8 sequence is not completed across fields");
	CHECK(url("a=caf\xE9") == FORM_BAD_UTF8, "raw Latin-1 is rejected");
	CHECK(url("%C3%28=1") == FORM_BAD_UTF8, "invalid UTF-8 in a name is rejected");

	CHECK(url("=1") == FORM_MALFORMED, "an empty name is rejected");
	CHECK(url("a+b=1") == FORM_MALFORMED, "a name with a space is rejected");
	CHECK(url("a%5B%5D=1") == FORM_MALFORMED, "a name with brackets is rejected");
	CHECK(url("%D0%B8%D0%BC%D1%8F=1") == FORM_MALFORMED, "a name outside [A-Za-z0-9_.-] is rejected");
	CHECK(url("a%3D=1") == FORM_MALFORMED, "an encoded '=' in a name is rejected");
	CHECK(url("N.a-m_e9=1") == FORM_OK, "a name of letters, digits, '.', '-', '_' is accepted");
	CHECK(url(url_big("x", 0, 0)) == FORM_OK, "a one-letter name is accepted");
	{
		char name[FORM_MAX_NAME + 2];
		memset(name, 'n', sizeof name - 1);
		name[FORM_MAX_NAME] = '\0';
		CHECK(url(name) == FORM_OK, "a name of 64 bytes is accepted");
		name[FORM_MAX_NAME] = 'n';
		name[FORM_MAX_NAME + 1] = '\0';
		CHECK(url(name) == FORM_MALFORMED, "a name of 65 bytes is rejected");
	}

	CHECK(url("email=a&email=b") == FORM_DUPLICATE, "duplicate field rejected");
	CHECK_STR(f.bad, "email", "the duplicate is named");
	CHECK(url("email=a&e%6Dail=b") == FORM_DUPLICATE, "a duplicate hidden by encoding is rejected");
	CHECK(url("Email=a&email=b") == FORM_OK, "names are case-sensitive");
	CHECK(url("csrf&csrf") == FORM_DUPLICATE, "a duplicate without values is rejected");

	CHECK(url(url_fields(FORM_MAX_FIELDS)) == FORM_OK && f.n == FORM_MAX_FIELDS,
	    "200 fields are accepted");
	CHECK(url(url_fields(FORM_MAX_FIELDS + 1)) == FORM_TOO_MANY, "201 fields rejected");
	CHECK(url(url_big("bio", FORM_MAX_VALUE, 'v')) == FORM_OK &&
	    fields_find(&f, "bio")->len == FORM_MAX_VALUE, "a value of exactly 64 KiB is accepted");
	CHECK(url(url_big("bio", FORM_MAX_VALUE + 1, 'v')) == FORM_TOO_LARGE,
	    "value of 64 KiB+1 rejected");
	CHECK_STR(f.bad, "bio", "the field too large is named");
	CHECK(url(url_big("bio", 3 * FORM_MAX_VALUE + 3, '+')) == FORM_TOO_LARGE,
	    "the limit applies to the decoded value");

	CHECK(url("email=a%40b.eu&full_name=%C3%28&password=x") == FORM_BAD_UTF8 && f.n == 1,
	    "on error, the fields read before it are kept");
	CHECK_STR(fields_get(&f, "email"), "a@b.eu", "so the form can be shown again with them");
	CHECK_STR(f.bad, "full_name", "and the offending field is named");
	CHECK(fields_get(&f, "password") == NULL, "fields after the error are not returned");
	CHECK(url("a=1&%zz=2") == FORM_BAD_ENCODING && f.bad == NULL,
	    "a bad name leaves the offending field unnamed");
	CHECK(url("") == FORM_OK && f.bad == NULL, "a success names no offending field");
}

static enum form_status cookies(const char *h)
{
	return form_parse_cookies(arena, h, &f);
}

static void test_cookies(void)
{
	CHECK(cookies(NULL) == FORM_OK && f.n == 0, "no Cookie header gives no cookies");
	CHECK(cookies("") == FORM_OK && f.n == 0, "an empty Cookie header gives no cookies");
	CHECK(cookies("sid=3f9a0c; csrf=Zm9v_YmFy-") == FORM_OK && f.n == 2,
	    "two cookies separated by \"; \" are read");
	CHECK_STR(fields_get(&f, "sid"), "3f9a0c", "a hex cookie value is kept");
	CHECK_STR(fields_get(&f, "csrf"), "Zm9v_YmFy-", "a base64url cookie value is kept");
	CHECK(cookies("  a=1 ;b=2;;  ; c = 3 ") == FORM_OK && f.n == 3,
	    "spaces around cookies are trimmed and empty ones skipped");
	CHECK_STR(fields_get(&f, "c"), "3", "spaces around '=' are trimmed");
	CHECK(cookies("lang=\"en\"") == FORM_OK, "a quoted cookie value is accepted");
	CHECK_STR(fields_get(&f, "lang"), "en", "the quotes are not part of the value");
	CHECK(cookies("x=a%20b") == FORM_OK, "a cookie with '%' is accepted");
	CHECK_STR(fields_get(&f, "x"), "a%20b", "cookie values are not percent-decoded");
	CHECK(cookies("__Host-sid=1; _ga=GA1.2.3; a!#$%&'*+^`|~=2") == FORM_OK && f.n == 3,
	    "cookie names may use RFC 6265 token characters");
	CHECK(cookies("flag") == FORM_OK, "a cookie without '=' is accepted");
	CHECK_STR(fields_get(&f, "flag"), "", "a cookie without '=' has the empty value");
	CHECK(cookies("t=a=b") == FORM_OK, "a second '=' belongs to the cookie value");
	CHECK_STR(fields_get(&f, "t"), "a=b", "the cookie value keeps its '='");
	CHECK(cookies("n=%D0%98\xD0\x98") == FORM_OK, "a UTF-8 cookie value is accepted");

	CHECK(cookies("sid=a; sid=b") == FORM_DUPLICATE, "a duplicate cookie is rejected");
	CHECK_STR(f.bad, "sid", "the duplicate cookie is named");
	CHECK(cookies("=x") == FORM_MALFORMED, "a cookie with an empty name is rejected");
	CHECK(cookies("a b=1") == FORM_MALFORMED, "a cookie name with a space is rejected");
	CHECK(cookies("a/b=1") == FORM_MALFORMED, "a cookie name with a separator is rejected");
	CHECK(cookies("s\xC3\xA9=1") == FORM_MALFORMED, "a non-ASCII cookie name is rejected");
	CHECK(cookies("a=\x01") == FORM_BAD_ENCODING, "a control byte in a cookie is rejected");
	CHECK(cookies("a=\xC3\x28") == FORM_BAD_UTF8, "invalid UTF-8 in a cookie is rejected");
	CHECK(cookies("a=\xED\xA0\x80") == FORM_BAD_UTF8, "a surrogate in a cookie is rejected");
	{
		char name[FORM_MAX_NAME + 4];
		memset(name, 'c', FORM_MAX_NAME + 1);
		strcpy(name + FORM_MAX_NAME + 1, "=1");
		CHECK(cookies(name) == FORM_MALFORMED, "a cookie name of 65 bytes is rejected");
	}
	CHECK(cookies(url_big("big", FORM_MAX_VALUE, 'v')) == FORM_OK,
	    "a cookie of exactly 64 KiB is accepted");
	CHECK(cookies(url_big("big", FORM_MAX_VALUE + 1, 'v')) == FORM_TOO_LARGE,
	    "a cookie of 64 KiB+1 is rejected");
	{
		struct arena *b = arena;
		char *h = arena_alloc(b, 12 * (FORM_MAX_FIELDS + 1)), *p = h;
		size_t i;
		for (i = 0; i <= FORM_MAX_FIELDS; i++)
			p += sprintf(p, "c%zu=1; ", i);
		CHECK(cookies(h) == FORM_TOO_MANY, "201 cookies are rejected");
	}
}

#define CT "multipart/form-data; boundary=AaB03x"
#define MP(lit) form_parse_multipart(arena, CT, lit, sizeof lit - 1, &f)

/* A PDF-like file with NUL bytes, a bare CR, LF, and things that look like delimiters. */
static const char pdf[] =
	"%PDF-1.7\n%\xE2\xE3\xCF\xD3\r\n1 0 obj\0\0\x01\xFF\r\n--AaB03\r\n--AaB03y\r\r\n"
	"\r\n-AaB03x\n--AaB03x\rstream\x00\x80\xFE\r\nendstream\n%%EOF";

static void test_multipart(void)
{
	static const char body[] =
		"--AaB03x\r\n"
		"Content-Disposition: form-data; name=\"csrf\"\r\n"
		"\r\n"
		"tok123\r\n"
		"--AaB03x\r\n"
		"Content-Disposition: form-data; name=\"note\"\r\n"
		"Content-Type: text/plain; charset=UTF-8\r\n"
		"\r\n"
		"Иван\r\nПетров\r\n"
		"--AaB03x\r\n"
		"content-disposition: form-data; name=\"pdf\"; filename=\"ESNR-L2-2027-0001.pdf\"\r\n"
		"Content-Type: application/pdf\r\n"
		"\r\n"
		"%PDF-1.7\n%\xE2\xE3\xCF\xD3\r\n1 0 obj\0\0\x01\xFF\r\n--AaB03\r\n--AaB03y\r\r\n"
		"\r\n-AaB03x\n--AaB03x\rstream\x00\x80\xFE\r\nendstream\n%%EOF\r\n"
		"--AaB03x\r\n"
		"Content-Disposition: form-data; name=\"empty\"\r\n"
		"\r\n"
		"\r\n"
		"--AaB03x--\r\n";
	const struct field *fd;
	size_t i, bad;

	CHECK(MP(body) == FORM_OK && f.n == 4, "a form with text and a PDF file parses into 4 fields");
	CHECK_STR(fields_get(&f, "csrf"), "tok123", "a text part is read");
	CHECK_STR(fields_find(&f, "csrf")->content_type, "text/plain",
	    "a part without Content-Type is text/plain");
	CHECK_STR(fields_get(&f, "note"), "Иван\r\nПетров", "a UTF-8 text part with CRLF survives");
	CHECK_STR(fields_find(&f, "note")->content_type, "text/plain; charset=UTF-8",
	    "a part's Content-Type is kept");
	CHECK(fields_find(&f, "note")->filename == NULL, "a text part has no filename");
	fd = fields_find(&f, "pdf");
	CHECK(fd != NULL && fd->len == sizeof pdf - 1 && memcmp(fd->value, pdf, fd->len) == 0,
	    "multipart with a PDF file part containing NUL bytes kept byte-exact");
	CHECK(fd != NULL && fd->value[fd->len] == '\0', "a file part is followed by a NUL too");
	CHECK_STR(fd ? fd->filename : NULL, "ESNR-L2-2027-0001.pdf", "the filename is kept");
	CHECK_STR(fd ? fd->content_type : NULL, "application/pdf", "the file's Content-Type is kept");
	CHECK(fields_get(&f, "empty") != NULL && fields_find(&f, "empty")->len == 0,
	    "an empty text part is the empty string");

	CHECK(form_parse_multipart(arena, "multipart/form-data; boundary=\"AaB03x\"",
	    body, sizeof body - 1, &f) == FORM_OK && f.n == 4, "a quoted boundary is accepted");
	CHECK(form_parse_multipart(arena, "Multipart/Form-Data;charset=UTF-8;BOUNDARY=AaB03x",
	    body, sizeof body - 1, &f) == FORM_OK && f.n == 4,
	    "type and parameter names are case-insensitive, other parameters ignored");
	CHECK(form_parse_multipart(arena, NULL, body, sizeof body - 1, &f) == FORM_MALFORMED,
	    "no Content-Type is rejected");
	CHECK(form_parse_multipart(arena, "multipart/form-data", body, sizeof body - 1, &f)
	    == FORM_MALFORMED, "a Content-Type without boundary is rejected");
	CHECK(form_parse_multipart(arena, "multipart/mixed; boundary=AaB03x", body,
	    sizeof body - 1, &f) == FORM_MALFORMED, "multipart/mixed is rejected");
	CHECK(form_parse_multipart(arena, "multipart/form-data; boundary=", body,
	    sizeof body - 1, &f) == FORM_MALFORMED, "an empty boundary is rejected");
	CHECK(form_parse_multipart(arena, "multipart/form-data; boundary=AaB03x; boundary=AaB03x",
	    body, sizeof body - 1, &f) == FORM_MALFORMED, "two boundary parameters are rejected");
	CHECK(form_parse_multipart(arena, "multipart/form-data; boundary=\"AaB03x",
	    body, sizeof body - 1, &f) == FORM_MALFORMED, "an unterminated quoted boundary is rejected");
	CHECK(form_parse_multipart(arena, "multipart/form-data; boundary=\"a\x01\"",
	    body, sizeof body - 1, &f) == FORM_MALFORMED, "a boundary with a control is rejected");
	{
		char ct[128], b[200];
		int n;
		snprintf(ct, sizeof ct, "multipart/form-data; boundary=%0*d", FORM_MAX_BOUNDARY, 7);
		n = snprintf(b, sizeof b, "--%0*d\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		    "1\r\n--%0*d--", FORM_MAX_BOUNDARY, 7, FORM_MAX_BOUNDARY, 7);
		CHECK(form_parse_multipart(arena, ct, b, (size_t)n, &f) == FORM_OK && f.n == 1,
		    "a boundary of 70 characters is accepted");
		snprintf(ct, sizeof ct, "multipart/form-data; boundary=%0*d", FORM_MAX_BOUNDARY + 1, 7);
		n = snprintf(b, sizeof b, "--%0*d\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		    "1\r\n--%0*d--", FORM_MAX_BOUNDARY + 1, 7, FORM_MAX_BOUNDARY + 1, 7);
		CHECK(form_parse_multipart(arena, ct, b, (size_t)n, &f) == FORM_MALFORMED,
		    "a boundary of 71 characters is rejected");
	}

	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--AaB03x\r\n")
	    == FORM_MALFORMED, "multipart without closing boundary rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1")
	    == FORM_MALFORMED, "a body cut inside a part is rejected");
	CHECK(MP("") == FORM_MALFORMED, "an empty multipart body is rejected");
	CHECK(MP("--AaB03x--") == FORM_OK && f.n == 0, "a body with no parts gives no fields");
	CHECK(MP("preamble to ignore\r\n--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	    "1\r\n--AaB03x-- \t\r\nepilogue to ignore") == FORM_OK && f.n == 1,
	    "preamble, padding and epilogue are ignored");
	CHECK_STR(fields_get(&f, "a"), "1", "an unquoted name is accepted");
	CHECK(MP("--AaB03x \t\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--AaB03x--")
	    == FORM_OK, "transport padding after a boundary is accepted");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--AaB03xyz\r\n"
	    "Content-Disposition: form-data; name=b\r\n\r\n2\r\n--AaB03x--") == FORM_MALFORMED,
	    "a delimiter followed by other characters is rejected");
	CHECK(MP("--AaB03x--junk") == FORM_MALFORMED, "junk right after the close delimiter is rejected");
	CHECK(MP("--AaB03x\nContent-Disposition: form-data; name=a\n\n1\n--AaB03x--\n")
	    == FORM_MALFORMED, "bare LF line endings are rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n1--AaB03x--")
	    == FORM_MALFORMED, "a delimiter not preceded by CRLF is not a delimiter");
	CHECK(MP("--AaB03x\r\n\r\n1\r\n--AaB03x--") == FORM_MALFORMED,
	    "a part without headers is rejected");
	CHECK(MP("--AaB03x\r\nContent-Type: text/plain\r\n\r\n1\r\n--AaB03x--") == FORM_MALFORMED,
	    "a part without Content-Disposition is rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: attachment; name=a\r\n\r\n1\r\n--AaB03x--")
	    == FORM_MALFORMED, "a disposition other than form-data is rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data\r\n\r\n1\r\n--AaB03x--")
	    == FORM_MALFORMED, "a part without a name is rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n1\r\n--AaB03x--")
	    == FORM_MALFORMED, "a part with an empty name is rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=\"a b\"\r\n\r\n1\r\n--AaB03x--")
	    == FORM_MALFORMED, "a part name with a space is rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\n1\r\n--AaB03x--")
	    == FORM_MALFORMED, "a part with two names is rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=a\r\n"
	    "Content-Disposition: form-data; name=b\r\n\r\n1\r\n--AaB03x--") == FORM_MALFORMED,
	    "a part with two Content-Disposition headers is rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\n1\r\n--AaB03x--")
	    == FORM_MALFORMED, "a folded header line is rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition : form-data; name=a\r\n\r\n1\r\n--AaB03x--")
	    == FORM_MALFORMED, "a space before the header colon is rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1\r\n--AaB03x--")
	    == FORM_MALFORMED, "an unterminated quoted name is rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=a\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nMQ==\r\n--AaB03x--") == FORM_MALFORMED,
	    "a base64 Content-Transfer-Encoding is rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=a\r\n"
	    "Content-Transfer-Encoding: binary\r\nX-Ignored: yes\r\n\r\n1\r\n--AaB03x--") == FORM_OK,
	    "a binary Content-Transfer-Encoding and unknown headers are accepted");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=\"a\"; filename*=UTF-8''x\r\n"
	    "\r\n1\r\n--AaB03x--") == FORM_OK && f.v[0].filename == NULL,
	    "filename* is ignored (RFC 7578 4.2)");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n\r\n--AaB03x--") == FORM_OK &&
	    f.n == 1 && f.v[0].len == 0 && f.v[0].filename != NULL && f.v[0].filename[0] == '\0',
	    "a file input left empty gives an empty file part with filename \"\"");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=\"f\"; "
	    "filename=\"\xD0\xB4\xD0\xB8\xD0\xBF\xD0\xBB\xD0\xBE\xD0\xBC \\\"1\\\".pdf\"\r\n\r\nx\r\n"
	    "--AaB03x--") == FORM_OK, "a UTF-8 filename with escaped quotes is accepted");
	CHECK_STR(f.n ? f.v[0].filename : NULL, "диплом \"1\".pdf", "the filename is unescaped");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\xC3\x28\"\r\n"
	    "\r\nx\r\n--AaB03x--") == FORM_BAD_UTF8, "a filename in invalid UTF-8 is rejected");

	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n\xC3\x28\r\n--AaB03x--")
	    == FORM_BAD_UTF8, "invalid UTF-8 in a text part is rejected");
	CHECK_STR(f.bad, "a", "the text part with bad UTF-8 is named");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n\xED\xA0\x80\r\n--AaB03x--")
	    == FORM_BAD_UTF8, "a surrogate in a text part is rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\nx\0y\r\n--AaB03x--")
	    == FORM_BAD_ENCODING, "a NUL byte in a text part is rejected");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=a; filename=a.bin\r\n\r\n"
	    "\xC3\x28\0\r\n--AaB03x--") == FORM_OK && f.v[0].len == 3,
	    "a file part may hold any bytes");
	CHECK(MP("--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
	    "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n2\r\n--AaB03x--")
	    == FORM_DUPLICATE && f.n == 1, "a duplicate part name is rejected");
	CHECK_STR(f.bad, "a", "the duplicate part is named");

	{
		/* 201 parts, then text and file parts just at and just over their limits. */
		static const char head[] = "\r\nContent-Disposition: form-data; name=";
		size_t cap = FORM_MAX_FILE + 64 * (FORM_MAX_FIELDS + 2);
		char *b = arena_alloc(arena, cap), *p = b;
		for (i = 0; i <= FORM_MAX_FIELDS; i++)
			p += sprintf(p, "--AaB03x%sf%zu\r\n\r\nv\r\n", head, i);
		p += sprintf(p, "--AaB03x--");
		CHECK(form_parse_multipart(arena, CT, b, (size_t)(p - b), &f) == FORM_TOO_MANY,
		    "201 parts are rejected");

		for (i = 0; i < 4; i++) {
			size_t n = (i < 2 ? FORM_MAX_VALUE : FORM_MAX_FILE) + i % 2;
			p = b + sprintf(b, "--AaB03x%sbig%s\r\n\r\n", head, i < 2 ? "" : "; filename=x");
			memset(p, 'v', n);
			p += n;
			p += sprintf(p, "\r\n--AaB03x--");
			bad = form_parse_multipart(arena, CT, b, (size_t)(p - b), &f);
			if (i == 0)
				CHECK(bad == FORM_OK && f.v[0].len == n,
				    "a text part of exactly 64 KiB is accepted");
			else if (i == 1)
				CHECK(bad == FORM_TOO_LARGE, "a text part of 64 KiB+1 is rejected");
			else if (i == 2)
				CHECK(bad == FORM_OK && f.v[0].len == n,
				    "a file part of exactly 8 MiB is accepted");
			else
				CHECK(bad == FORM_TOO_LARGE, "a file part of 8 MiB+1 is rejected");
		}

		p = b + sprintf(b, "--AaB03x\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ");
		memset(p, 'x', FORM_MAX_PART_HEADERS);
		p += FORM_MAX_PART_HEADERS;
		p += sprintf(p, "\r\n\r\n1\r\n--AaB03x--");
		CHECK(form_parse_multipart(arena, CT, b, (size_t)(p - b), &f) == FORM_TOO_LARGE,
		    "part headers over 8 KiB are rejected");
	}

	/* Every cut of a valid body before its close delimiter is complete must be refused. */
	bad = 0;
	for (i = 0; i < sizeof body - 3; i++) {
		/* An exact heap copy, not arena memory, so that ASan sees any read past the cut. */
		char *cut = malloc(i ? i : 1);
		memcpy(cut, body, i);
		if (form_parse_multipart(arena, CT, cut, i, &f) == FORM_OK)
			bad++;
		free(cut);
	}
	CHECK(bad == 0, "truncated multipart bodies are all rejected");
	/* Cuts inside an escape or inside a character (3..7, 12, 13) must fail, the rest parse. */
	bad = 0;
	for (i = 0; i < sizeof "a=%C3%A9&b=%41" - 1; i++) {
		enum form_status st = form_parse_urlencoded(arena, "a=%C3%A9&b=%41", i, &f);
		int inside = (i >= 3 && i <= 7) || i == 12 || i == 13;
		if ((st == FORM_OK) == inside)
			bad++;
	}
	CHECK(bad == 0, "truncated urlencoded input never yields a half-decoded character");
}

static void test_status_text(void)
{
	int s;
	size_t bad = 0;

	for (s = FORM_OK; s < FORM__MAX; s++)
		if (form_status_text(s) == NULL || form_status_text(s)[0] == '\0')
			bad++;
	CHECK(bad == 0, "every status has a reason to show");
	CHECK_STR(form_status_text(FORM_BAD_UTF8), "invalid UTF-8", "a reason reads plainly");
	CHECK(form_status_text((enum form_status)99) != NULL, "an unknown status still has a text");
}

int main(void)
{
	arena = arena_new();
	test_urlencoded();
	arena_reset(arena);
	test_cookies();
	arena_reset(arena);
	test_multipart();
	test_status_text();
	arena_free(arena);
	CHECK_DONE();
}
