/* One validator per kind of value, and the declared form tables that apply them before a
 * handler runs: what the office, examiners and candidates type is accepted or refused the
 * same way on every form and in esonrctl. */
#include "check.h"
#include "domain/valid.h"
#include "web/form_spec.h"

static struct arena *A;
static const char *why;

static const char *v(enum valid_kind kind, long min, long max, const char *in)
{
	const struct valid_rule rule = { kind, min, max, NULL };
	why = NULL;
	return valid_check(A, &rule, in, &why);
}

static void validators(void)
{
	CHECK_STR(v(VALID_ID, 0, 0, " 42 "), "42", "an id is digits, trimmed");
	CHECK(v(VALID_ID, 0, 0, "4x") == NULL && why != NULL, "an id with a letter is refused with a reason");
	CHECK(v(VALID_ID, 0, 0, "1234567890123456789") == NULL, "an id of 19 digits is refused");

	CHECK_STR(v(VALID_CHECKBOX, 0, 0, "on"), "1", "a ticked checkbox (on) is ticked");
	CHECK_STR(v(VALID_CHECKBOX, 0, 0, "yes"), "1", "any other value counts as ticked");
	CHECK_STR(v(VALID_CHECKBOX, 0, 0, "0"), "", "a checkbox sent as 0 is unticked, not ticked");
	CHECK_STR(v(VALID_CHECKBOX, 0, 0, "off"), "", "a checkbox sent as off is unticked");
	CHECK_STR(v(VALID_CHECKBOX, 0, 0, NULL), "", "an absent checkbox is unticked");

	CHECK_STR(v(VALID_TEXT, 1, 5, " Wien "), "Wien", "text is trimmed");
	CHECK(v(VALID_TEXT, 1, 5, "Zürich") == NULL, "six code points do not fit a limit of five");
	CHECK(v(VALID_TEXT, 1, 6, "Zürich") != NULL, "a limit in code points lets six letters with an umlaut in");
	CHECK(v(VALID_TEXT, 1, 200, "a\nb") == NULL, "one-line text refuses a line break");
	CHECK(v(VALID_TEXT, 1, 200, "a\xc2\x85" "b") == NULL, "one-line text refuses a C1 control (NEL)");

	CHECK(v(VALID_REASON, 0, 0, "name changed\nafter marriage") != NULL, "a reason may have several lines");
	CHECK(v(VALID_REASON, 0, 0, "   ") == NULL && why != NULL, "a reason of spaces is refused");
	char *long_reason = arena_alloc(A, 2 * REASON_MAX_CHARS + 3);
	for (int i = 0; i < REASON_MAX_CHARS; i++)
		memcpy(long_reason + 2 * i, "é", 2);
	long_reason[2 * REASON_MAX_CHARS] = '\0';
	CHECK(v(VALID_REASON, 0, 0, long_reason) != NULL, "a reason of 1000 characters (2000 bytes) is accepted");
	memcpy(long_reason + 2 * REASON_MAX_CHARS, "x", 2);
	CHECK(v(VALID_REASON, 0, 0, long_reason) == NULL, "a reason of 1001 characters is refused");

	CHECK_STR(v(VALID_INT, 1, 10000, "10000"), "10000", "a number at the top of its range is accepted");
	CHECK(v(VALID_INT, 1, 10000, "10001") == NULL, "a number above its range is refused");
	CHECK(v(VALID_INT, 1, 10000, "0") == NULL, "a number below its range is refused");
	CHECK(v(VALID_INT, 1, 10000, "-3") == NULL, "a negative number is not digits");

	CHECK_STR(v(VALID_SCORE, 0, 0, " 100 "), "100", "a score of 100 is accepted");
	CHECK(v(VALID_SCORE, 0, 0, "101") == NULL, "a score of 101 is refused");
	CHECK(v(VALID_SCORE, 0, 0, "7.5") == NULL, "a score is a whole number");

	CHECK(v(VALID_DATE, 0, 0, "2028-02-29") != NULL, "a leap day is a date");
	CHECK(v(VALID_DATE, 0, 0, "2027-02-29") == NULL, "29 February 2027 is not");
	CHECK(v(VALID_TIMESTAMP, 0, 0, "2027-05-03T09:00+02:00") != NULL, "a timestamp with an offset");
	CHECK(v(VALID_TIMESTAMP, 0, 0, "2027-05-03T09:00") == NULL, "a timestamp needs its offset");
	CHECK(v(VALID_LOCAL_TIME, 0, 0, "2027-05-03T09:00") != NULL, "a wall-clock time is a local time");
	CHECK(v(VALID_LOCAL_TIME, 0, 0, "2027-05-03T09:00Z") != NULL, "so is a timestamp with an offset");

	CHECK_STR(v(VALID_EMAIL, 0, 0, " Zoe@Hospital.EU "), "zoe@hospital.eu", "an e-mail address is normalised");
	CHECK(v(VALID_PASSWORD, 0, 0, "short") == NULL && why != NULL, "a password of 5 characters is refused");
	CHECK_STR(v(VALID_PASSWORD, 0, 0, " spaces kept "), " spaces kept ", "a password is never trimmed");

	CHECK_STR(v(VALID_CERT_NUMBER, 0, 0, "esnr-l1-2027-0001"), "ESNR-L1-2027-0001",
	    "a certificate number typed in lower case is upper-cased");
	CHECK(v(VALID_CERT_NUMBER, 0, 0, "L1-2027-0001") == NULL, "a certificate number starts with ESNR-");
	CHECK(valid_cert_number("ESNR-L3-DIAG-2027-0012"), "esonrctl's check accepts a branch exam's number");
	CHECK(!valid_cert_number("ESNR-L1-2027-0001; rm"), "esonrctl's check refuses anything else");

	CHECK(v(VALID_CODE, 0, 0, "ECNR-1") != NULL, "a course code");
	CHECK(v(VALID_CODE, 0, 0, "ecnr-1") == NULL, "codes are capitals");
	CHECK(v(VALID_ANY, 0, 0, " x ") != NULL && strcmp(v(VALID_ANY, 0, 0, " x "), " x ") == 0,
	    "a login password is taken exactly as typed");
}

static const char *const outcomes[] = { "pass", "fail", NULL };

static const struct form_spec form = { "a test form", (const struct form_field[]){
	{ .name = "location", .kind = VALID_TEXT, .min = 1, .max = 20, .flags = FIELD_REQUIRED,
	  .message = "Enter the place." },
	{ .name = "capacity", .kind = VALID_INT, .min = 1, .max = 100 },
	{ .name = "outcome", .kind = VALID_CHOICE, .choices = outcomes, .key = "chosen" },
	{ .name = "password", .kind = VALID_PASSWORD, .flags = FIELD_SECRET },
	{ .name = "absent_{#}", .kind = VALID_CHECKBOX },
	{ .name = NULL } } };

static struct form_input apply(const char *body)
{
	struct fields posted;
	struct form_input in;
	form_parse_urlencoded(A, body, strlen(body), &posted);
	form_apply(A, &form, &posted, &in);
	return in;
}

static void declared_forms(void)
{
	struct form_input in = apply("csrf=x&location=+Graz+&capacity=&outcome=pass&absent_12=on&absent_13=0");
	CHECK(in.bad == 0, "a form with valid values (and csrf) is valid");
	CHECK_STR(form_input_value(&in, "location"), "Graz", "the handler gets the trimmed value");
	CHECK_STR(form_input_value(&in, "capacity"), "", "an optional empty field is valid and empty");
	CHECK_STR(form_input_value(&in, "absent_12"), "1", "a per-row checkbox absent_12 is ticked");
	CHECK_STR(form_input_value(&in, "absent_13"), "", "absent_13=0 is unticked");

	in = apply("capacity=0&outcome=maybe&password=short");
	CHECK(in.bad == 4, "a missing required field and three bad values make four errors");
	struct tdict *page = tdict_new(A);
	CHECK(form_input_show(&in, A, page) == 1, "an invalid form says so");
	CHECK_STR(tdict_get(page, "location_error"), "Enter the place.", "the form's own message stands beside the field");
	CHECK_STR(tdict_get(page, "capacity"), "0", "the value given is shown again");
	CHECK(tdict_get(page, "capacity_error") != NULL, "with its reason");
	CHECK_STR(tdict_get(page, "chosen"), "maybe", "under the key the table names");
	CHECK(tdict_get(page, "chosen_error") != NULL, "and its reason under that key too");
	CHECK(tdict_get(page, "password") == NULL && tdict_get(page, "password_error") != NULL,
	    "a password is never shown again, its reason is");

	in = apply("location=Graz&role=admin");
	CHECK(in.bad == 1 && in.unexpected != NULL && strcmp(in.unexpected, "role") == 0,
	    "a field the form does not declare makes it invalid");
	in = apply("location=Graz&absent_x=on");
	CHECK(in.bad == 1 && in.unexpected != NULL, "absent_{#} matches ids only");
	CHECK(form_input_first_error(&in, A) != NULL, "the first reason names what went wrong");
}

int main(void)
{
	A = arena_new();
	validators();
	declared_forms();
	arena_free(A);
	CHECK_DONE();
}
