/* The route matcher: a {} placeholder takes one value of [A-Za-z0-9_-]+, a {#} one
 * database id of 1 to 18 digits, nothing else, so that no handler ever sees an empty id,
 * a slash or a dot-dot in one; and the route table answers 404 or 405 as a browser expects. */
#include <stdlib.h>

#include "check.h"
#include "web/routes.h"

static struct arena *A;
static const char *params[HTTP_MAX_PARAMS];

static int match(const char *pattern, const char *path)
{
	memset(params, 0, sizeof params);
	return route_pattern_match(A, pattern, path, params);
}

/* {#}: a database id, 1 to 18 digits (any 18-digit number fits a bigint). */
static void ids(void)
{
	char digits[32];
	CHECK(match("/bookings/{#}", "/bookings/7") && strcmp(params[0], "7") == 0, "a one-digit id matches {#}");
	memset(digits, '9', 18);
	digits[18] = '\0';
	char path[64];
	snprintf(path, sizeof path, "/bookings/%s", digits);
	CHECK(match("/bookings/{#}", path) && strcmp(params[0], digits) == 0, "an 18-digit id matches {#}, all of it");
	snprintf(path, sizeof path, "/bookings/%s9", digits);
	CHECK(!match("/bookings/{#}", path), "a 19-digit id does not match {#} (it could overflow a bigint)");
	snprintf(path, sizeof path, "/bookings/%s/cancel", digits);
	CHECK(match("/bookings/{#}/cancel", path), "an 18-digit id followed by more path matches");
	snprintf(path, sizeof path, "/bookings/%s9/cancel", digits);
	CHECK(!match("/bookings/{#}/cancel", path), "a 19-digit id followed by more path does not match");
	CHECK(match("/bookings/{#}", "/bookings/0042") && strcmp(params[0], "0042") == 0,
	    "leading zeros are digits too (the database reads 0042 as 42)");
	CHECK(!match("/bookings/{#}", "/bookings/"), "an empty id does not match {#}");
	CHECK(!match("/bookings/{#}/cancel", "/bookings//cancel"), "an empty id between slashes does not match {#}");
	CHECK(!match("/bookings/{#}", "/bookings/abc"), "letters do not match {#}");
	CHECK(!match("/bookings/{#}", "/bookings/12a"), "digits followed by a letter do not match {#}");
	CHECK(!match("/bookings/{#}", "/bookings/a12"), "a letter followed by digits does not match {#}");
	CHECK(!match("/bookings/{#}", "/bookings/-1"), "a negative id does not match {#}");
	CHECK(!match("/bookings/{#}", "/bookings/+1"), "a plus sign does not match {#}");
	CHECK(!match("/bookings/{#}", "/bookings/1_"), "an underscore, allowed in {}, does not match {#}");
	CHECK(!match("/bookings/{#}", "/bookings/1.5"), "a decimal point does not match {#}");
	CHECK(!match("/bookings/{#}", "/bookings/1e3"), "an exponent does not match {#}");
	CHECK(!match("/bookings/{#}", "/bookings/%31"), "a percent-encoded digit does not match {#}");
	CHECK(!match("/bookings/{#}", "/bookings/\xD9\xA1"), "an Arabic-Indic digit does not match {#}");
	CHECK(!match("/bookings/{#}", "/bookings/ 1"), "a space before the id does not match {#}");
	CHECK(!match("/bookings/{#}", "/bookings/12/"), "a trailing slash after the id does not match");
	CHECK(!match("/bookings/{#}/cancel", "/bookings/12/cancel/"), "a trailing slash after the route does not match");
	CHECK(match("/bookings/{#}/calendar.ics", "/bookings/12/calendar.ics") && strcmp(params[0], "12") == 0,
	    "{#} followed by a literal with a dot matches");

	CHECK(match("/examiner/sessions/{#}/rows/{#}", "/examiner/sessions/3/rows/44") && strcmp(params[0], "3") == 0 &&
	    strcmp(params[1], "44") == 0 && params[2] == NULL, "two {#} give two ids, in order, and no third");
	CHECK(match("/admin/exams/{}/rules/{#}", "/admin/exams/L3-DIAG/rules/9") && strcmp(params[0], "L3-DIAG") == 0 &&
	    strcmp(params[1], "9") == 0, "{} and {#} mix: a code, then an id");
	CHECK(!match("/admin/exams/{}/rules/{#}", "/admin/exams/L3-DIAG/rules/L1"), "a code where the id must be does not match");
	CHECK(match("/x/{#}{}", "/x/12ab") && strcmp(params[0], "12") == 0 && strcmp(params[1], "ab") == 0,
	    "{#} stops at the first non-digit, so a {} right after it takes the rest");
	CHECK(!match("/{#}/{#}/{#}/{#}/{#}", "/1/2/3/4/5"), "more {#} than HTTP_MAX_PARAMS never match");
}

/* The table itself: every route reachable, in the form the matcher understands. */
static void table(void)
{
	size_t n;
	const struct route *r = route_table(&n);
	CHECK(n > 20, "the route table lists the portal's routes");
	size_t bad_method = 0, bad_pattern = 0, duplicates = 0, shadowed = 0, undeclared = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(r[i].method, "GET") != 0 && strcmp(r[i].method, "POST") != 0)
			bad_method++;
		/* Fields are checked before the handler runs only when the route names its form. */
		if (strcmp(r[i].method, "POST") == 0 && r[i].form == NULL)
			undeclared++;
		/* Only literal characters and whole {} / {#}: a stray brace would never match. */
		const char *p = r[i].pattern;
		if (p[0] != '/')
			bad_pattern++;
		for (; *p != '\0'; p++) {
			if (strncmp(p, "{#}", 3) == 0)
				p += 2;
			else if (strncmp(p, "{}", 2) == 0)
				p += 1;
			else if (*p == '{' || *p == '}' || *p == '?' || *p == '%' || *p == ' ')
				bad_pattern++;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(r[i].method, r[j].method) != 0)
				continue;
			if (strcmp(r[i].pattern, r[j].pattern) == 0)
				duplicates++;
			/* A later route whose own sample path an earlier one takes would never run. */
			char sample[256];
			size_t k = 0;
			for (const char *q = r[i].pattern; *q != '\0' && k + 4 < sizeof sample; q++) {
				if (strncmp(q, "{#}", 3) == 0) {
					sample[k++] = '1';
					q += 2;
				} else if (strncmp(q, "{}", 2) == 0) {
					sample[k++] = 'x';
					q += 1;
				} else
					sample[k++] = *q;
			}
			sample[k] = '\0';
			if (match(r[j].pattern, sample) && strcmp(r[i].pattern, r[j].pattern) != 0)
				shadowed++;
		}
	}
	CHECK(bad_method == 0, "every route is a GET or a POST (HEAD is answered as GET)");
	CHECK(bad_pattern == 0, "every pattern starts with / and holds only literal characters, {} and {#}");
	CHECK(duplicates == 0, "no method and pattern appear twice in the table");
	CHECK(shadowed == 0, "no route is hidden behind an earlier one that takes its paths");
	CHECK(undeclared == 0, "every POST route declares its form (web/form_spec.h)");
}

/* route_match over the real table, as the worker calls it. */
static enum route_result lookup(const char *method, const char *path, const struct route **found)
{
	struct request req;
	memset(&req, 0, sizeof req);
	req.arena = A;
	req.method = method;
	req.path = path;
	*found = NULL;
	enum route_result res = route_match(&req, found);
	memcpy(params, req.params, sizeof params);
	return res;
}

static void matching(void)
{
	const struct route *f;
	CHECK(lookup("GET", "/dashboard", &f) == ROUTE_FOUND && f != NULL && strcmp(f->pattern, "/dashboard") == 0,
	    "GET /dashboard finds the dashboard route");
	CHECK(lookup("HEAD", "/dashboard", &f) == ROUTE_FOUND && f != NULL && strcmp(f->method, "GET") == 0,
	    "HEAD /dashboard is answered by the GET route");
	CHECK(lookup("HEAD", "/logout", &f) == ROUTE_BAD_METHOD, "HEAD on a POST-only route is 405, not a GET");
	CHECK(lookup("GET", "/logout", &f) == ROUTE_BAD_METHOD, "GET on the POST-only /logout is 405");
	CHECK(lookup("DELETE", "/login", &f) == ROUTE_BAD_METHOD, "DELETE /login is 405");
	CHECK(lookup("get", "/login", &f) == ROUTE_BAD_METHOD, "methods are case-sensitive: get /login is 405");
	CHECK(lookup("GET", "/no-such-page", &f) == ROUTE_NOT_FOUND, "an unknown path is 404");
	CHECK(lookup("POST", "/no-such-page", &f) == ROUTE_NOT_FOUND, "an unknown path is 404 whatever the method");
	CHECK(lookup("GET", "/dashboard/", &f) == ROUTE_NOT_FOUND, "a trailing slash is another path: 404");
	CHECK(lookup("GET", "/bookings/12", &f) == ROUTE_FOUND && strcmp(params[0], "12") == 0,
	    "GET /bookings/12 finds the booking page with the id 12");
	CHECK(lookup("POST", "/bookings/12", &f) == ROUTE_BAD_METHOD, "POST /bookings/12 (a GET-only page) is 405");
	CHECK(lookup("GET", "/bookings/12/cancel", &f) == ROUTE_BAD_METHOD, "GET on the cancel form's target is 405");
	CHECK(lookup("POST", "/bookings/12/cancel", &f) == ROUTE_FOUND && strcmp(params[0], "12") == 0,
	    "POST /bookings/12/cancel finds the cancel route");
	CHECK(lookup("GET", "/bookings/abc", &f) == ROUTE_NOT_FOUND, "a booking id that is not a number is 404, not 405");
	CHECK(lookup("POST", "/bookings/abc/cancel", &f) == ROUTE_NOT_FOUND, "cancelling booking 'abc' is 404");
	CHECK(lookup("GET", "/bookings/1234567890123456789", &f) == ROUTE_NOT_FOUND, "a 19-digit booking id is 404");
	CHECK(lookup("GET", "/verify/keys", &f) == ROUTE_FOUND && strcmp(f->pattern, "/verify/keys") == 0,
	    "GET /verify/keys finds the keys page, not a certificate numbered 'keys'");
	CHECK(lookup("GET", "/verify/ESNR-L1-2027-0001", &f) == ROUTE_FOUND && strcmp(f->pattern, "/verify/{}") == 0 &&
	    strcmp(params[0], "ESNR-L1-2027-0001") == 0, "GET /verify/NUMBER finds the verification page");
	CHECK(lookup("GET", "/certificates/ESNR-L1-2027-0001.pdf", &f) == ROUTE_FOUND &&
	    strcmp(params[0], "ESNR-L1-2027-0001") == 0, "GET /certificates/NUMBER.pdf finds the download");
	CHECK(lookup("GET", "", &f) == ROUTE_NOT_FOUND, "an empty path is 404");

	/* The Allow header of a 405: every method some route takes at that path. */
	struct request req;
	memset(&req, 0, sizeof req);
	req.arena = A;
	req.path = "/logout";
	CHECK_STR(route_allowed(&req), "POST", "a 405 on /logout allows POST only");
	req.path = "/bookings/12";
	CHECK_STR(route_allowed(&req), "GET, HEAD", "a 405 on a booking page allows GET and HEAD");
	req.path = "/login";
	CHECK_STR(route_allowed(&req), "GET, HEAD, POST", "a 405 on /login allows GET, HEAD and POST");
}

int main(void)
{
	A = arena_new();

	CHECK(match("/", "/"), "the landing page matches /");
	CHECK(match("/dashboard", "/dashboard"), "a literal route matches its own path");
	CHECK(!match("/dashboard", "/dashboard/"), "a literal route does not match with a trailing slash");
	CHECK(!match("/dashboard", "/Dashboard"), "literal routes are case-sensitive");
	CHECK(!match("/dashboard", "/dash"), "a literal route does not match a prefix of itself");
	CHECK(!match("/", ""), "an empty path matches nothing");

	CHECK(match("/exams/{}/book", "/exams/12/book"), "booking session 12 matches /exams/{}/book");
	CHECK_STR(params[0], "12", "and the session id 12 is the first parameter");
	CHECK(params[1] == NULL, "and there is no second parameter");
	CHECK(!match("/exams/{}/book", "/exams//book"), "an empty session id does not match");
	CHECK(!match("/exams/{}/book", "/exams/12/book/extra"), "extra path after /book does not match");
	CHECK(!match("/exams/{}/book", "/exams/12/boo"), "a truncated path does not match");
	CHECK(!match("/exams/{}/book", "/exams/1 2/book"), "a space in the session id does not match");
	CHECK(!match("/exams/{}/book", "/exams/1%202/book"), "a percent-encoded space in the session id does not match");
	CHECK(!match("/exams/{}/book", "/exams/../book"), "a dot-dot in place of the session id does not match");
	CHECK(!match("/exams/{}/book", "/exams/12/../book"), "a dot-dot after the session id does not match");
	CHECK(!match("/exams/{}/book", "/exams/12/34/book"), "a value never spans a slash");
	CHECK(!match("/exams/{}/book", "/exams/12;x/book"), "a semicolon in the session id does not match");
	CHECK(!match("/exams/{}/book", "/exams/\xCE\xB1/book"), "a non-ASCII session id does not match");
	CHECK(match("/exams/{}/book", "/exams/a_B-9/book") && strcmp(params[0], "a_B-9") == 0,
	    "letters, digits, underscore and hyphen all make up a value");

	CHECK(match("/bookings/{}/calendar.ics", "/bookings/7/calendar.ics") && strcmp(params[0], "7") == 0,
	    "a placeholder followed by more literal path matches");

	/* {} stops at the first character outside [A-Za-z0-9_-]: here the dot of ".pdf". */
	CHECK(match("/certificates/{}.pdf", "/certificates/ESNR-L1-2027-0001.pdf"),
	    "a certificate number with hyphens matches /certificates/{}.pdf");
	CHECK_STR(params[0], "ESNR-L1-2027-0001", "and the parameter is the whole number, without .pdf");
	CHECK(!match("/certificates/{}.pdf", "/certificates/ESNR-L1-2027-0001.PDF"), "an upper-case .PDF does not match");
	CHECK(!match("/certificates/{}.pdf", "/certificates/ESNR-L1-2027-0001"), "a number without .pdf does not match");
	CHECK(!match("/certificates/{}.pdf", "/certificates/.pdf"), "no number before .pdf does not match");
	CHECK(!match("/certificates/{}.pdf", "/certificates/x.y.pdf"), "a number with a dot in it does not match");

	CHECK(match("/a/{}/b/{}", "/a/1/b/2") && strcmp(params[0], "1") == 0 && strcmp(params[1], "2") == 0,
	    "two placeholders give two parameters, in order");
	CHECK(!match("/a/{}/b/{}", "/a/1/b/"), "an empty last value does not match");
	CHECK(match("/{}/{}/{}/{}", "/a/b/c/d"), "as many placeholders as HTTP_MAX_PARAMS are filled");
	CHECK(!match("/{}/{}/{}/{}/{}", "/a/b/c/d/e"), "a pattern with more placeholders than HTTP_MAX_PARAMS never matches");

	ids();
	table();
	matching();

	arena_free(A);
	CHECK_DONE();
}
