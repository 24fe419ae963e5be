/* Outcomes from part scores: the examination committee's arithmetic. */
#include "check.h"
#include "domain/outcome.h"

static const struct exam_marks single = { 60, 60, 0, 15 };
static const struct exam_marks twin = { 60, 60, 1, 10 };

static enum outcome of(int written, int a, int b, int resolved, const struct exam_marks *x)
{
	struct marks m = { 0, written, a, b, resolved };
	return outcome_compute(&m, x);
}

int main(void)
{
	CHECK(of(60, 60, -1, -1, &single) == OUTCOME_PASS, "60 in both parts passes (the pass mark is inclusive)");
	CHECK(of(59, 80, -1, -1, &single) == OUTCOME_FAIL, "59 written fails even with a strong oral");
	CHECK(of(90, 59, -1, -1, &single) == OUTCOME_FAIL, "59 oral fails even with a strong written part");
	CHECK(of(-1, 70, -1, -1, &single) == OUTCOME_PENDING, "no written score yet: the outcome is pending");
	CHECK(of(70, -1, -1, -1, &single) == OUTCOME_PENDING, "no oral score yet: the outcome is pending");
	struct marks absent = { 1, -1, -1, -1, -1 };
	CHECK(outcome_compute(&absent, &single) == OUTCOME_ABSENT, "an absent candidate's outcome is absent");

	CHECK(of(70, 65, -1, -1, &twin) == OUTCOME_PENDING, "two markers: one oral mark is not enough");
	CHECK(of(70, 65, 55, -1, &twin) == OUTCOME_PASS, "two markers: the mean of 65 and 55 is 60, a pass");
	CHECK(of(70, 64, 55, -1, &twin) == OUTCOME_FAIL, "two markers: the mean of 64 and 55 is 59.5, a fail");
	CHECK(of(70, 80, 69, -1, &twin) == OUTCOME_GAP, "a gap above the tolerance blocks the outcome");
	CHECK(of(70, 80, 70, -1, &twin) == OUTCOME_PASS, "a gap equal to the tolerance is accepted");
	CHECK(of(70, 80, 50, 62, &twin) == OUTCOME_PASS, "an admin's resolution replaces the two marks");
	CHECK(of(70, 80, 50, 58, &twin) == OUTCOME_FAIL, "a resolution below the pass mark fails");

	struct marks m = { 0, 70, 65, 54, -1 };
	CHECK(outcome_oral_tenths(&m, &twin) == 595, "the oral used is the exact mean, in tenths (59.5)");
	CHECK(outcome_oral_tenths(&m, &single) == 650, "with one marker the oral used is that mark");

	CHECK(score_parse("0") == 0 && score_parse("100") == 100 && score_parse(" 75 ") == 75,
	    "scores 0, 100 and a padded 75 are read");
	CHECK(score_parse("") == SCORE_EMPTY && score_parse("   ") == SCORE_EMPTY && score_parse(NULL) == SCORE_EMPTY,
	    "an empty score field is empty, not zero");
	CHECK(score_parse("101") == SCORE_INVALID && score_parse("-1") == SCORE_INVALID &&
	    score_parse("7.5") == SCORE_INVALID && score_parse("sixty") == SCORE_INVALID &&
	    score_parse("0100") == SCORE_INVALID && score_parse("1e2") == SCORE_INVALID,
	    "101, negatives, decimals, words, 4 digits and exponents are refused");

	CHECK_STR(outcome_name(OUTCOME_PASS), "pass", "outcome names are the roster's words");
	CHECK(outcome_parse("fail") == OUTCOME_FAIL && outcome_parse("maybe") == -1 && outcome_parse(NULL) == -1,
	    "outcome names parse back, anything else does not");
	CHECK_DONE();
}
