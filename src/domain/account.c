#include "domain/account.h"

#include <string.h>

#include "core/utf8.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *trim(const char *s, size_t *len)
{
	size_t n = strlen(s);
	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	*len = n;
	return s;
}

/* RFC 5321 §4.1.2 atext, and with RFC 6531 (SMTPUTF8) any non-ASCII UTF-8 as well. */
static int is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL || c >= 0x80;
}

/* A domain label: letters, digits and inner hyphens (RFC 1035 / 5321 sub-domain), or an
 * internationalised label in its UTF-8 form (RFC 5890 U-label), 1 to 63 octets. */
static int label_ok(const char *s, size_t n)
{
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c >= 0x80))
			return 0;
	}
	return 1;
}

/* Checks the address as RFC 5321 does for a mailbox we will write to: a dot-atom local part
 * (no quoted strings) of at most 64 octets, "@", and a domain of at least two labels (no
 * address literals) of at most 253 octets; internationalised addresses in UTF-8. ASCII
 * letters are lower-cased (the account's key); other letters are kept as typed. */
char *email_normalise(struct arena *a, const char *in, const char **why)
{
	static const char *const like = "Enter an e-mail address like name@hospital.eu.";
	size_t n;
	const char *s = trim(in, &n);
	if (n == 0) {
		*why = "Enter your e-mail address.";
		return NULL;
	}
	if (n > EMAIL_MAX) {
		*why = "An e-mail address has at most 254 characters.";
		return NULL;
	}
	char *out = arena_strndup(a, s, n);
	if (!utf8_valid(out, n)) {
		*why = like;
		return NULL;
	}
	size_t at = n, ats = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c <= ' ' || c == 0x7f || c == '"' || c == '(' || c == ')' || c == ',' ||
		    c == ':' || c == ';' || c == '<' || c == '>' || c == '[' || c == ']' || c == '\\') {
			*why = "An e-mail address cannot contain spaces or these characters: \" ( ) , : ; < > [ ] \\";
			return NULL;
		}
		if (c >= 'A' && c <= 'Z')
			out[i] = (char)(c - 'A' + 'a');
		if (c == '@') {
			at = i;
			ats++;
		}
	}
	if (ats != 1 || at == 0 || at > 64 || at == n - 1) {
		*why = ats == 1 && at > 64 ? "The part before the @ has at most 64 characters." : like;
		return NULL;
	}
	/* Local part: atoms of atext separated by single dots. */
	for (size_t i = 0, len = 0; i <= at; i++) {
		if (i == at || out[i] == '.') {
			if (len == 0) {
				*why = like;
				return NULL;
			}
			len = 0;
		} else if (!is_atext((unsigned char)out[i])) {
			*why = like;
			return NULL;
		} else {
			len++;
		}
	}
	/* Domain: labels separated by single dots, at least two of them. */
	size_t labels = 0, from = at + 1;
	for (size_t i = at + 1; i <= n; i++) {
		if (i < n && out[i] != '.')
			continue;
		if (!label_ok(out + from, i - from)) {
			*why = "The part after the @ must be a domain, like hospital.eu.";
			return NULL;
		}
		labels++;
		from = i + 1;
	}
	if (labels < 2) {
		*why = "The part after the @ must be a domain, like hospital.eu.";
		return NULL;
	}
	return out;
}

char *name_normalise(struct arena *a, const char *in, const char **why)
{
	size_t n;
	const char *s = trim(in, &n);
	if (n == 0) {
		*why = "Enter your full name as it should appear on certificates.";
		return NULL;
	}
	if (!utf8_valid(s, n)) {
		*why = "The name is not valid UTF-8 text.";
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const unsigned char *u = (const unsigned char *)s + i;
		/* C0 and DEL; C1 (U+0080–U+009F, NEL among them); U+2028/U+2029 separators. */
		int c1 = u[0] == 0xC2 && i + 1 < n && u[1] >= 0x80 && u[1] <= 0x9F;
		int sep = u[0] == 0xE2 && i + 2 < n && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9);
		if (u[0] < 0x20 || u[0] == 0x7f || c1 || sep) {
			*why = "A name cannot contain control characters or line breaks.";
			return NULL;
		}
	}
	/* Direction overrides, zero-width characters and the like would make the name look
	 * different on the page and on the certificate from what it says (DESIGN §4). */
	for (size_t i = 0; i < n;) {
		size_t len;
		uint32_t cp = utf8_decode(s + i, &len);
		const char *invisible = utf8_invisible(cp);
		if (invisible != NULL) {
			*why = arena_printf(a, "A name cannot contain U+%04X %s, an invisible formatting character "
			    "that would make it look different from what it says.", (unsigned)cp, invisible);
			return NULL;
		}
		i += len;
	}
	if (utf8_codepoints(s, n) > NAME_MAX_CHARS) {
		*why = "A name has at most 200 characters.";
		return NULL;
	}
	return arena_strndup(a, s, n);
}
