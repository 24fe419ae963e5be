/* The route matcher: a {} placeholder takes one value of [A-Za-z0-9_-]+, nothing else,
 * so that no handler ever sees an empty id, a slash or a dot-dot in one. */
#include "check.h"
#include "web/routes.h"

static struct arena *A;
static const char *params[HTTP_MAX_PARAMS];

static int match(const char *pattern, const char *path)
{
	memset(params, 0, sizeof params);
	return route_pattern_match(A, pattern, path, params);
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

	arena_free(A);
	CHECK_DONE();
}
