#include "domain/valid.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/datetime.h"
#include "core/text.h"
#include "core/utf8.h"
#include "domain/account.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char *trimmed(struct arena *a, const char *s)
{
	while (is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	return arena_strndup(a, s, n);
}

int valid_given(const char *in)
{
	if (in == NULL)
		return 0;
	while (is_space(*in))
		in++;
	return *in != '\0';
}

int valid_ticked(const char *in)
{
	return in != NULL && *in != '\0' && strcmp(in, "0") != 0 && strcasecmp(in, "off") != 0 &&
	    strcasecmp(in, "false") != 0 && strcasecmp(in, "no") != 0;
}

int valid_code(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	return n >= 1 && n <= CODE_MAX && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

int valid_written_id(const char *s)
{
	return text_is_id(s) && s[0] != '0';
}

int valid_cert_number(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	return n > 5 && n <= CERT_NUMBER_MAX && strncmp(s, "ESNR-", 5) == 0 &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

/* No C0 controls (TAB, CR and LF only where lines are allowed), DEL or C1 controls. */
static int controls_ok(const char *s, int lines)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		if (lines && (*u == '\t' || *u == '\r' || *u == '\n'))
			continue;
		if (*u < 0x20 || *u == 0x7f || (u[0] == 0xC2 && u[1] >= 0x80 && u[1] <= 0x9F))
			return 0;
	}
	return 1;
}

static size_t chars(const char *s)
{
	return utf8_codepoints(s, strlen(s));
}

static int whole_number(const char *s, long min, long max)
{
	size_t n = strlen(s);
	if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
		return 0;
	long long v = strtoll(s, NULL, 10);
	return v >= min && v <= max;
}

static const char *upper(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s);
	for (char *p = out; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return out;
}

static const char *local_time(const char *s)
{
	size_t n = strlen(s);
	if (timestamp_valid(s))
		return s;
	if (n != 16 && n != 19)
		return NULL;
	char buf[24];
	memcpy(buf, s, n);
	memcpy(buf + n, "Z", 2);
	return timestamp_valid(buf) ? s : NULL;
}

const char *valid_check(struct arena *a, const struct valid_rule *rule, const char *in,
    const char **why)
{
	static const char *const reason[VALID__MAX] = {
		[VALID_ID] = "This is not an id.",
		[VALID_CHECKBOX] = "",
		[VALID_TEXT] = "Enter the text.",
		[VALID_REASON] = "A reason (1 to 1000 characters) is required for this change.",
		[VALID_INT] = "Enter a whole number.",
		[VALID_SCORE] = "A score is a whole number from 0 to 100.",
		[VALID_DATE] = "Enter a date like 2027-05-03.",
		[VALID_TIMESTAMP] = "Enter a date and time with its offset, like 2027-05-03T09:00+02:00.",
		[VALID_LOCAL_TIME] = "Enter a date and time, like 2027-04-01T09:00 or 2027-04-01T09:00+02:00.",
		[VALID_EMAIL] = "Enter your e-mail address.",
		[VALID_NAME] = "Enter your full name as it should appear on certificates.",
		[VALID_PASSWORD] = "Choose a password of at least 8 characters.",
		[VALID_CERT_NUMBER] = "A certificate number looks like ESNR-L1-2027-0001.",
		[VALID_CODE] = "A code has capital letters, digits and hyphens, like ECNR-1.",
		[VALID_CHOICE] = "Choose one of the options.",
		[VALID_ANY] = "",
	};
	enum valid_kind k = rule->kind;
	const char *v;
	if (k < 0 || k >= VALID__MAX) {
		*why = "This value cannot be checked.";
		return NULL;
	}
	*why = reason[k];
	if (k == VALID_CHECKBOX)
		return valid_ticked(in) ? "1" : "";
	if (k == VALID_ANY)
		return in != NULL ? in : "";
	if (k == VALID_PASSWORD) {
		size_t n = in != NULL ? strlen(in) : 0;
		/* Characters, not bytes, for the minimum: the message says characters. */
		if (n == 0 || utf8_codepoints(in, n) < PASSWORD_MIN)
			return NULL;
		if (n > PASSWORD_MAX) {
			*why = "A password may have at most 1024 characters.";
			return NULL;
		}
		return in;
	}
	if (in == NULL)
		return NULL;
	if (k == VALID_EMAIL)
		return email_normalise(a, in, why);
	if (k == VALID_NAME)
		return name_normalise(a, in, why);
	v = trimmed(a, in);
	switch (k) {
	case VALID_ID:
		return text_is_id(v) ? v : NULL;
	case VALID_TEXT:
		if (!utf8_valid(v, strlen(v)) || !controls_ok(v, 0))
			return NULL;
		return (long)chars(v) >= (rule->min > 0 ? rule->min : 1) && (long)chars(v) <= rule->max ?
		    v : NULL;
	case VALID_REASON:
		return *v != '\0' && utf8_valid(v, strlen(v)) && controls_ok(v, 1) &&
		    chars(v) <= REASON_MAX_CHARS ? v : NULL;
	case VALID_INT:
		return whole_number(v, rule->min, rule->max) ? v : NULL;
	case VALID_SCORE:
		return strlen(v) <= 3 && whole_number(v, 0, 100) ? v : NULL;
	case VALID_DATE:
		return date_valid(v) ? v : NULL;
	case VALID_TIMESTAMP:
		return timestamp_valid(v) ? v : NULL;
	case VALID_LOCAL_TIME:
		return local_time(v);
	case VALID_CERT_NUMBER:
		v = upper(a, v);
		return valid_cert_number(v) ? v : NULL;
	case VALID_CODE:
		return valid_code(v) ? v : NULL;
	case VALID_CHOICE:
		for (const char *const *c = rule->choices; c != NULL && *c != NULL; c++)
			if (strcmp(*c, v) == 0)
				return *c;
		return NULL;
	case VALID_CHECKBOX:
	case VALID_ANY:
	case VALID_PASSWORD:
	case VALID_EMAIL:
	case VALID_NAME:
	case VALID__MAX:
		break;
	}
	return NULL;
}
