/* The eligibility engine against the programme of DESIGN §1: who may book which
 * examination, and — when not — a reason that names what is missing. */
#include <stdint.h>

#include "check.h"
#include "domain/eligibility.h"

#define T_GALEN "ESOR Galen Foundation Course in Neuroradiology"
#define T_ECNR1 "ECNR module 1: Embryology, Anatomy, Malformations, Genetics"
#define T_ECNR2 "ECNR module 2: Tumours and tumour-like lesions"
#define T_ECNR3 "ECNR module 3: Vascular diseases"
#define T_ECNR4 "ECNR module 4: Trauma, Degenerative, Metabolic, Inflammatory"
#define T_ENDO "Course of Higher Qualification: Interventional Endovascular"
#define T_SPINE "Course of Higher Qualification: Interventional Spine"
#define T_DIAG "Course of Higher Qualification: Advanced Diagnostic Neuroradiology"
#define T_PAED "Course of Higher Qualification: Pediatric Neuroradiology"
#define T_L2 "European Diploma in Neuroradiology"
#define T_RAD2Y "Certified radiologist for at least 2 years"
#define T_MEMBER "ESNR full member"

#define COUNT(x) (sizeof (x) / sizeof (x)[0])

/* The default rules of DESIGN §1, in force since forever and open-ended. */
static const struct rule L1_RULES[] = {
	{ RULE_COURSE, "GALEN", T_GALEN, 0, 0, 0 },
};
static const struct rule L2_RULES[] = {
	{ RULE_COURSE, "ECNR-1", T_ECNR1, 0, 0, 0 },
	{ RULE_COURSE, "ECNR-2", T_ECNR2, 0, 0, 0 },
	{ RULE_COURSE, "ECNR-3", T_ECNR3, 0, 0, 0 },
	{ RULE_COURSE, "ECNR-4", T_ECNR4, 0, 0, 0 },
};
static const struct rule L3_ENDO_RULES[] = {
	{ RULE_COURSE, "HQ-ENDO", T_ENDO, 0, 0, 0 },
	{ RULE_CERTIFICATE, "L2", T_L2, 0, 0, 0 },
};

static const char *TODAY = "2026-11-26";

/* A course without MCQ (GALEN, HQ-*): attendance completes it. */
static struct attendance attended(const char *course, const char *date, const char *edition)
{
	struct attendance a = { course, NULL, date, edition, 0, 0, 0, NULL };
	return a;
}

/* An ECNR module: attendance plus its end-of-module MCQ. */
static struct attendance module(const char *course, const char *date, int attempts, int passed,
    const char *mcq_date)
{
	struct attendance a = { course, NULL, date, NULL, 1, attempts, passed, mcq_date };
	return a;
}

static int has(const char *s, const char *sub)
{
	return s != NULL && strstr(s, sub) != NULL;
}

static int same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static void level_1(struct arena *a)
{
	struct rule_result out[COUNT(L1_RULES)];
	struct records none = { 0 };
	struct eligibility e = eligibility_check(a, &none, L1_RULES, COUNT(L1_RULES), TODAY, out);
	CHECK(!e.eligible, "a new candidate with no records cannot book L1");
	CHECK(has(out[0].reason, "GALEN") && has(out[0].reason, T_GALEN),
	    "the answer for L1 names the Galen course by code and title");
	CHECK(has(out[0].reason, "not attended yet"), "the answer for L1 says the Galen course is not attended yet");
	CHECK(e.earliest == NULL, "a missing course gives no earliest booking date");

	struct attendance galen[] = { attended("GALEN", "2026-03-14", "Galen 2026, Valencia") };
	struct records r = { galen, 1, NULL, 0, NULL, 0 };
	e = eligibility_check(a, &r, L1_RULES, COUNT(L1_RULES), TODAY, out);
	CHECK(e.eligible, "a candidate who attended the Galen course can book L1");
	CHECK(out[0].met, "the Galen rule is met by attendance alone (no MCQ)");
	CHECK(has(out[0].reason, "2026-03-14") && has(out[0].reason, "Galen 2026, Valencia"),
	    "the met Galen rule says when and at which edition it was completed");
	CHECK(!has(out[0].reason, "missing"), "a met rule does not call anything missing");
	CHECK(same(e.earliest, TODAY), "an eligible candidate can book from today");

	struct attendance ecnr_only[] = { module("ECNR-1", "2026-04-20", 1, 1, "2026-04-24") };
	struct records other = { ecnr_only, 1, NULL, 0, NULL, 0 };
	e = eligibility_check(a, &other, L1_RULES, COUNT(L1_RULES), TODAY, out);
	CHECK(!e.eligible, "an ECNR module does not stand in for the Galen course");
}

static void level_2(struct arena *a)
{
	struct rule_result out[COUNT(L2_RULES)];
	/* Any order, spread over several cycles. */
	struct attendance all4[] = {
		module("ECNR-3", "2025-04-07", 1, 1, "2025-04-11"),
		module("ECNR-1", "2025-10-13", 1, 1, "2025-10-17"),
		module("ECNR-4", "2026-04-20", 1, 1, "2026-04-24"),
		module("ECNR-2", "2026-10-05", 1, 1, "2026-10-09"),
	};
	struct records r = { all4, 4, NULL, 0, NULL, 0 };
	struct eligibility e = eligibility_check(a, &r, L2_RULES, COUNT(L2_RULES), TODAY, out);
	CHECK(e.eligible, "a candidate with all four ECNR modules, taken in any order over several cycles, can book L2");
	CHECK(out[0].met && out[1].met && out[2].met && out[3].met, "each of the four module rules is met");

	struct attendance three[] = {
		module("ECNR-1", "2025-10-13", 1, 1, "2025-10-17"),
		module("ECNR-2", "2026-10-05", 1, 1, "2026-10-09"),
		module("ECNR-4", "2026-04-20", 1, 1, "2026-04-24"),
	};
	struct records r3 = { three, 3, NULL, 0, NULL, 0 };
	e = eligibility_check(a, &r3, L2_RULES, COUNT(L2_RULES), TODAY, out);
	CHECK(!e.eligible, "candidate with three of four ECNR modules cannot book L2");
	CHECK(!out[2].met && has(out[2].reason, "ECNR-3") && has(out[2].reason, T_ECNR3),
	    "and the answer names the missing module ECNR-3 with its title");
	CHECK(out[0].met && out[1].met && out[3].met, "and the three modules taken are reported as met");
	CHECK(!has(out[0].reason, "ECNR-3") && !has(out[1].reason, "ECNR-3") && !has(out[3].reason, "ECNR-3"),
	    "and only the missing module's reason mentions ECNR-3");
	CHECK(e.earliest == NULL, "a missing module gives no earliest booking date");

	struct attendance attended_only[] = {
		module("ECNR-1", "2025-10-13", 1, 1, "2025-10-17"),
		module("ECNR-2", "2026-10-05", 1, 1, "2026-10-09"),
		module("ECNR-3", "2026-10-19", 0, 0, NULL),
		module("ECNR-4", "2026-04-20", 1, 1, "2026-04-24"),
	};
	struct records rp = { attended_only, 4, NULL, 0, NULL, 0 };
	e = eligibility_check(a, &rp, L2_RULES, COUNT(L2_RULES), TODAY, out);
	CHECK(!e.eligible, "attendance alone does not complete an ECNR module: L2 is refused while its MCQ is pending");
	CHECK(has(out[2].reason, "ECNR-3") && has(out[2].reason, "MCQ not taken yet"),
	    "and the answer says the ECNR-3 MCQ has not been taken yet");
}

static void mcq_attempts(struct arena *a)
{
	struct course_status s;
	struct records none = { 0 };
	s = course_status(&none, "ECNR-2");
	CHECK(s.state == COURSE_NOT_ATTENDED && s.date == NULL, "a module never attended is not attended");

	struct attendance pending[] = { module("ECNR-2", "2026-10-05", 0, 0, NULL) };
	struct records rp = { pending, 1, NULL, 0, NULL, 0 };
	s = course_status(&rp, "ECNR-2");
	CHECK(s.state == COURSE_MCQ_PENDING, "a module attended with its MCQ not yet taken is pending");
	CHECK(same(s.date, "2026-10-05"), "a pending module reports its attendance date");

	struct attendance once[] = { module("ECNR-2", "2026-10-05", 1, 0, NULL) };
	struct records r1 = { once, 1, NULL, 0, NULL, 0 };
	s = course_status(&r1, "ECNR-2");
	CHECK(s.state == COURSE_MCQ_RESIT, "a module whose MCQ failed once allows a resit");

	struct attendance resit_passed[] = { module("ECNR-2", "2026-10-05", 2, 1, "2026-11-20") };
	struct records rr = { resit_passed, 1, NULL, 0, NULL, 0 };
	s = course_status(&rr, "ECNR-2");
	CHECK(s.state == COURSE_COMPLETED, "a module whose MCQ was passed at the resit is completed");
	CHECK(same(s.date, "2026-11-20"), "the module counts as completed on the day its MCQ was passed, not the day attended");

	struct attendance twice[] = { module("ECNR-2", "2026-04-20", 2, 0, NULL) };
	struct records r2 = { twice, 1, NULL, 0, NULL, 0 };
	s = course_status(&r2, "ECNR-2");
	CHECK(s.state == COURSE_MCQ_FAILED_TWICE, "a module attended but its MCQ failed twice is not completed");

	struct rule_result out[COUNT(L2_RULES)];
	struct attendance three_and_failed[] = {
		module("ECNR-1", "2025-10-13", 1, 1, "2025-10-17"),
		module("ECNR-2", "2026-04-20", 2, 0, NULL),
		module("ECNR-3", "2025-04-07", 1, 1, "2025-04-11"),
		module("ECNR-4", "2026-04-20", 1, 1, "2026-04-24"),
	};
	struct records rf = { three_and_failed, 4, NULL, 0, NULL, 0 };
	struct eligibility e = eligibility_check(a, &rf, L2_RULES, COUNT(L2_RULES), TODAY, out);
	CHECK(!e.eligible, "a candidate whose ECNR-2 MCQ failed twice cannot book L2");
	CHECK(has(out[1].reason, "ECNR-2") && has(out[1].reason, "attended again"),
	    "and the answer says ECNR-2 must be attended again");
	CHECK(e.earliest == NULL, "a module to attend again gives no earliest booking date");

	struct attendance resit[] = {
		module("ECNR-1", "2025-10-13", 1, 1, "2025-10-17"),
		module("ECNR-2", "2026-10-05", 1, 0, NULL),
		module("ECNR-3", "2025-04-07", 1, 1, "2025-04-11"),
		module("ECNR-4", "2026-04-20", 1, 1, "2026-04-24"),
	};
	struct records rs = { resit, 4, NULL, 0, NULL, 0 };
	e = eligibility_check(a, &rs, L2_RULES, COUNT(L2_RULES), TODAY, out);
	CHECK(!e.eligible && has(out[1].reason, "ECNR-2") && has(out[1].reason, "resit"),
	    "a candidate who failed the ECNR-2 MCQ once cannot book L2 yet, and is told a resit is allowed");

	/* The two failures stay on record; a second attendance starts afresh. */
	struct attendance again_pending[] = {
		module("ECNR-2", "2026-04-20", 2, 0, NULL),
		module("ECNR-2", "2026-10-05", 0, 0, NULL),
	};
	struct records ra = { again_pending, 2, NULL, 0, NULL, 0 };
	s = course_status(&ra, "ECNR-2");
	CHECK(s.state == COURSE_MCQ_PENDING && same(s.date, "2026-10-05"),
	    "after two failures and a new attendance, the module waits for the new MCQ (not failed twice)");

	struct attendance again_passed[] = {
		module("ECNR-1", "2025-10-13", 1, 1, "2025-10-17"),
		module("ECNR-2", "2025-10-13", 2, 0, NULL),
		module("ECNR-2", "2026-10-05", 1, 1, "2026-10-09"),
		module("ECNR-3", "2025-04-07", 1, 1, "2025-04-11"),
		module("ECNR-4", "2026-04-20", 1, 1, "2026-04-24"),
	};
	again_passed[2].edition = "ECNR cycle 2026/2, Vienna";
	struct records rg = { again_passed, 5, NULL, 0, NULL, 0 };
	s = course_status(&rg, "ECNR-2");
	CHECK(s.state == COURSE_COMPLETED, "a module attended again after two failures and then passed is completed");
	CHECK(same(s.date, "2026-10-09") && same(s.edition, "ECNR cycle 2026/2, Vienna"),
	    "and it is completed on the new MCQ date at the new edition");
	e = eligibility_check(a, &rg, L2_RULES, COUNT(L2_RULES), TODAY, out);
	CHECK(e.eligible, "so that candidate can book L2");

	/* Listed newest first: the completion must still be found. */
	struct attendance passed_then_extra[] = {
		module("ECNR-2", "2026-10-05", 0, 0, NULL),
		module("ECNR-2", "2025-10-13", 1, 1, "2025-10-17"),
	};
	struct records rx = { passed_then_extra, 2, NULL, 0, NULL, 0 };
	s = course_status(&rx, "ECNR-2");
	CHECK(s.state == COURSE_COMPLETED && same(s.date, "2025-10-17"),
	    "a module once completed stays completed, from its first completion, whatever was attended later");

	CHECK(course_status(&rg, "ECNR-9").state == COURSE_NOT_ATTENDED,
	    "records of other modules do not count for a module never attended");

	int distinct = 1;
	enum course_state states[] = { COURSE_NOT_ATTENDED, COURSE_COMPLETED, COURSE_MCQ_PENDING,
		COURSE_MCQ_RESIT, COURSE_MCQ_FAILED_TWICE };
	for (size_t i = 0; i < COUNT(states); i++)
		for (size_t j = i + 1; j < COUNT(states); j++)
			if (strcmp(course_state_text(states[i]), course_state_text(states[j])) == 0)
				distinct = 0;
	CHECK(distinct, "every course state has its own wording for the candidate");
}

static void level_3(struct arena *a)
{
	struct rule_result out[COUNT(L3_ENDO_RULES)];
	struct attendance endo[] = { attended("HQ-ENDO", "2026-06-01", "HQ Endovascular 2026, Paris") };
	struct held_certificate l2_valid[] = { { "L2", "ESNR-L2-2025-0042", "2025-12-01", 1 } };
	struct held_certificate l2_revoked[] = { { "L2", "ESNR-L2-2025-0042", "2025-12-01", 0 } };
	struct held_certificate l2_reissued[] = {
		{ "L2", "ESNR-L2-2025-0042", "2025-12-01", 0 },
		{ "L2", "ESNR-L2-2026-0007", "2026-02-01", 1 },
	};
	struct held_certificate l1_only[] = { { "L1", "ESNR-L1-2024-0003", "2024-06-01", 1 } };

	struct records r = { endo, 1, l2_valid, 1, NULL, 0 };
	struct eligibility e = eligibility_check(a, &r, L3_ENDO_RULES, 2, TODAY, out);
	CHECK(e.eligible, "a candidate with HQ-ENDO and the L2 diploma can book L3-ENDO");
	CHECK(out[1].met && has(out[1].reason, "ESNR-L2-2025-0042"), "the met diploma rule quotes the certificate number");

	struct records no_l2 = { endo, 1, NULL, 0, NULL, 0 };
	e = eligibility_check(a, &no_l2, L3_ENDO_RULES, 2, TODAY, out);
	CHECK(!e.eligible, "a candidate with HQ-ENDO but without the L2 diploma cannot book L3-ENDO");
	CHECK(out[0].met, "and the HQ-ENDO rule itself is met");
	CHECK(!out[1].met && has(out[1].reason, "L2") && has(out[1].reason, T_L2),
	    "and the answer names the L2 diploma as missing");
	CHECK(e.earliest == NULL, "a missing diploma gives no earliest booking date");

	struct records revoked = { endo, 1, l2_revoked, 1, NULL, 0 };
	e = eligibility_check(a, &revoked, L3_ENDO_RULES, 2, TODAY, out);
	CHECK(!e.eligible, "a candidate whose L2 diploma was revoked cannot book L3-ENDO");
	CHECK(has(out[1].reason, "L2") && has(out[1].reason, T_L2), "and the answer names the L2 diploma");
	CHECK(!has(out[1].reason, "ESNR-L2-2025-0042"), "and the revoked certificate is not quoted as held");

	struct records reissued = { endo, 1, l2_reissued, 2, NULL, 0 };
	e = eligibility_check(a, &reissued, L3_ENDO_RULES, 2, TODAY, out);
	CHECK(e.eligible && has(out[1].reason, "ESNR-L2-2026-0007"),
	    "a reissued L2 diploma counts, and the answer quotes the reissue's number");

	struct records wrong_cert = { endo, 1, l1_only, 1, NULL, 0 };
	e = eligibility_check(a, &wrong_cert, L3_ENDO_RULES, 2, TODAY, out);
	CHECK(!e.eligible && has(out[1].reason, "L2"), "an L1 certificate does not stand in for the L2 diploma");

	struct records diploma_only = { NULL, 0, l2_valid, 1, NULL, 0 };
	e = eligibility_check(a, &diploma_only, L3_ENDO_RULES, 2, TODAY, out);
	CHECK(!e.eligible && has(out[0].reason, "HQ-ENDO") && has(out[0].reason, T_ENDO),
	    "the L2 diploma without HQ-ENDO is not enough, and the answer names HQ-ENDO");

	/* Every branch needs its own HQ course, not another branch's. */
	static const struct { const char *exam, *course, *title; } branch[] = {
		{ "L3-ENDO", "HQ-ENDO", T_ENDO }, { "L3-SPINE", "HQ-SPINE", T_SPINE },
		{ "L3-DIAG", "HQ-DIAG", T_DIAG }, { "L3-PAED", "HQ-PAED", T_PAED },
	};
	int own_ok = 1, other_refused = 1, other_named = 1;
	for (size_t i = 0; i < COUNT(branch); i++) {
		struct rule rules[] = {
			{ RULE_COURSE, branch[i].course, branch[i].title, 0, 0, 0 },
			{ RULE_CERTIFICATE, "L2", T_L2, 0, 0, 0 },
		};
		struct attendance own[] = { attended(branch[i].course, "2026-06-01", NULL) };
		struct attendance other[] = { attended(branch[(i + 1) % 4].course, "2026-06-01", NULL) };
		struct records ro = { own, 1, l2_valid, 1, NULL, 0 };
		struct records rt = { other, 1, l2_valid, 1, NULL, 0 };
		if (!eligibility_check(a, &ro, rules, 2, TODAY, out).eligible)
			own_ok = 0;
		if (eligibility_check(a, &rt, rules, 2, TODAY, out).eligible)
			other_refused = 0;
		if (!has(out[0].reason, branch[i].course) || !has(out[0].reason, branch[i].title))
			other_named = 0;
	}
	CHECK(own_ok, "for each L3 branch, its HQ course and the L2 diploma make the candidate eligible");
	CHECK(other_refused, "for each L3 branch, another branch's HQ course does not count");
	CHECK(other_named, "for each L3 branch, the refusal names the branch's own HQ course");
}

static void dates(struct arena *a)
{
	CHECK_STR(date_add_years(a, "2025-06-01", 2), "2027-06-01", "two years after 1 June 2025 is 1 June 2027");
	CHECK_STR(date_add_years(a, "2024-02-29", 2), "2026-02-28", "two years after 29 February 2024 is 28 February 2026");
	CHECK_STR(date_add_years(a, "2024-02-29", 4), "2028-02-29", "four years after 29 February 2024 is 29 February 2028");
	CHECK_STR(date_add_years(a, "2096-02-29", 4), "2100-02-28", "2100 is no leap year: 29 February 2096 plus four years is 28 February 2100");
	CHECK_STR(date_add_years(a, "2026-12-31", 0), "2026-12-31", "zero years leaves the date unchanged");
	CHECK(date_add_years(a, NULL, 2) == NULL, "no evidence date gives no date");
	CHECK(date_add_years(a, "soon", 2) == NULL, "an evidence date that is not a date gives no date");
}

static void attestations(struct arena *a)
{
	static const struct rule rad[] = { { RULE_ATTESTATION, "RADIOLOGIST-2Y", T_RAD2Y, 2, 0, 0 } };
	struct rule_result out[3];
	struct attestation since_2025[] = { { "RADIOLOGIST-2Y", "2025-06-01" } };
	struct records r = { NULL, 0, NULL, 0, since_2025, 1 };

	struct eligibility e = eligibility_check(a, &r, rad, 1, TODAY, out);
	CHECK(!e.eligible, "a radiologist certified since June 2025 cannot yet book an exam requiring two years");
	CHECK_STR(out[0].met_from, "2027-06-01", "the rule will be met on the second anniversary of the evidence date");
	CHECK_STR(e.earliest, "2027-06-01", "and the earliest booking date is that anniversary");
	CHECK(has(out[0].reason, T_RAD2Y) && has(out[0].reason, "2027-06-01"),
	    "and the answer names the attestation and the date it will be met");

	e = eligibility_check(a, &r, rad, 1, "2027-05-31", out);
	CHECK(!e.eligible, "on the day before the second anniversary the attestation rule is not met");
	e = eligibility_check(a, &r, rad, 1, "2027-06-01", out);
	CHECK(e.eligible && out[0].met, "on the second anniversary itself the attestation rule is met");
	CHECK(out[0].met_from == NULL, "a met rule has no date to wait for");

	struct attestation leap[] = { { "RADIOLOGIST-2Y", "2024-02-29" } };
	struct records rl = { NULL, 0, NULL, 0, leap, 1 };
	e = eligibility_check(a, &rl, rad, 1, "2026-02-27", out);
	CHECK_STR(e.earliest, "2026-02-28", "evidence dated 29 February: two years later the rule is met on 28 February");
	e = eligibility_check(a, &rl, rad, 1, "2026-02-28", out);
	CHECK(e.eligible, "and on 28 February 2026 that candidate can book");

	struct records none = { 0 };
	e = eligibility_check(a, &none, rad, 1, TODAY, out);
	CHECK(!e.eligible && out[0].met_from == NULL && e.earliest == NULL,
	    "an attestation never checked by the office gives no earliest booking date");
	CHECK(has(out[0].reason, T_RAD2Y) && has(out[0].reason, "office"),
	    "and the answer names the attestation the office has yet to check");

	struct attestation other_kind[] = { { "ESNR-MEMBER", "2010-01-01" } };
	struct records ro = { NULL, 0, NULL, 0, other_kind, 1 };
	e = eligibility_check(a, &ro, rad, 1, TODAY, out);
	CHECK(!e.eligible, "an attestation of another kind does not count");

	static const struct rule member[] = { { RULE_ATTESTATION, "ESNR-MEMBER", T_MEMBER, 0, 0, 0 } };
	struct attestation member_today[] = { { "ESNR-MEMBER", "2026-11-26" } };
	struct records rm = { NULL, 0, NULL, 0, member_today, 1 };
	e = eligibility_check(a, &rm, member, 1, TODAY, out);
	CHECK(e.eligible, "an attestation without a minimum number of years is met from its evidence date");

	/* Two rules met only by waiting: the later date is when both are met. */
	static const struct rule two_waits[] = {
		{ RULE_ATTESTATION, "RADIOLOGIST-2Y", T_RAD2Y, 2, 0, 0 },
		{ RULE_ATTESTATION, "ESNR-MEMBER", T_MEMBER, 3, 0, 0 },
	};
	struct attestation both[] = { { "ESNR-MEMBER", "2024-09-01" }, { "RADIOLOGIST-2Y", "2025-06-01" } };
	struct records rb = { NULL, 0, NULL, 0, both, 2 };
	e = eligibility_check(a, &rb, two_waits, 2, TODAY, out);
	CHECK_STR(e.earliest, "2027-09-01", "with two rules to wait for, the earliest booking date is the later of the two");

	/* Waiting plus something that waiting will not bring. */
	struct rule wait_and_course[] = {
		{ RULE_ATTESTATION, "RADIOLOGIST-2Y", T_RAD2Y, 2, 0, 0 },
		{ RULE_COURSE, "GALEN", T_GALEN, 0, 0, 0 },
	};
	e = eligibility_check(a, &r, wait_and_course, 2, TODAY, out);
	CHECK(!e.eligible && e.earliest == NULL,
	    "waiting for an attestation while a course is missing gives no earliest date (course listed last)");
	struct rule course_and_wait[] = { wait_and_course[1], wait_and_course[0] };
	e = eligibility_check(a, &r, course_and_wait, 2, TODAY, out);
	CHECK(!e.eligible && e.earliest == NULL,
	    "waiting for an attestation while a course is missing gives no earliest date (course listed first)");
	CHECK_STR(out[1].met_from, "2027-06-01", "the attestation still says when it will be met");

	struct attendance galen[] = { attended("GALEN", "2026-03-14", NULL) };
	struct records rg = { galen, 1, NULL, 0, since_2025, 1 };
	e = eligibility_check(a, &rg, wait_and_course, 2, TODAY, out);
	CHECK(!e.eligible && same(e.earliest, "2027-06-01"),
	    "with the course completed and only waiting left, the earliest date is the attestation's");
}

/* Unix seconds, UTC midnight. */
#define T_2026_11_26 INT64_C(1795651200)
#define T_2027_01_01 INT64_C(1798761600)
#define T_2027_03_01 INT64_C(1803859200)

static void dated_rules(struct arena *a)
{
	/* The office added "ESNR full member" to L2 from 1 January 2027. */
	static const struct rule history[] = {
		{ RULE_COURSE, "ECNR-1", T_ECNR1, 0, 0, 0 },
		{ RULE_COURSE, "ECNR-2", T_ECNR2, 0, 0, 0 },
		{ RULE_COURSE, "ECNR-3", T_ECNR3, 0, 0, 0 },
		{ RULE_COURSE, "ECNR-4", T_ECNR4, 0, 0, 0 },
		{ RULE_ATTESTATION, "ESNR-MEMBER", T_MEMBER, 0, T_2027_01_01, 0 },
		{ RULE_COURSE, "GALEN", T_GALEN, 0, 0, T_2027_01_01 },
	};
	struct rule in_force[COUNT(history)];
	struct rule_result out[COUNT(history)];

	size_t n = rules_in_force(history, COUNT(history), T_2026_11_26, in_force);
	int old_set = n == 5 && strcmp(in_force[4].ref, "GALEN") == 0;
	for (size_t i = 0; i < n; i++)
		if (in_force[i].kind == RULE_ATTESTATION)
			old_set = 0;
	CHECK(old_set, "at the booking time the rules then in force apply: four modules and Galen, no membership");
	CHECK(strcmp(in_force[0].ref, "ECNR-1") == 0 && strcmp(in_force[3].ref, "ECNR-4") == 0,
	    "rules in force keep the order they were given in");

	struct attendance all[] = {
		module("ECNR-1", "2025-10-13", 1, 1, "2025-10-17"),
		module("ECNR-2", "2026-10-05", 1, 1, "2026-10-09"),
		module("ECNR-3", "2025-04-07", 1, 1, "2025-04-11"),
		module("ECNR-4", "2026-04-20", 1, 1, "2026-04-24"),
		attended("GALEN", "2024-03-14", NULL),
	};
	struct records r = { all, 5, NULL, 0, NULL, 0 };
	struct eligibility e = eligibility_check(a, &r, in_force, n, TODAY, out);
	CHECK(e.eligible, "a booking made under the old rules stays explainable: it was eligible then");

	n = rules_in_force(history, COUNT(history), T_2027_03_01, in_force);
	int new_set = n == 5;
	int has_member = 0, has_galen = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(in_force[i].ref, "ESNR-MEMBER") == 0)
			has_member = 1;
		if (strcmp(in_force[i].ref, "GALEN") == 0)
			has_galen = 1;
	}
	CHECK(new_set && has_member && !has_galen, "after the change the new rules apply: membership in, Galen out");
	e = eligibility_check(a, &r, in_force, n, "2027-03-01", out);
	CHECK(!e.eligible, "the same candidate is not eligible under the new rules");
	CHECK(has(out[4].reason, T_MEMBER), "and the answer names the new membership rule");

	n = rules_in_force(history, COUNT(history), T_2027_01_01 - 1, in_force);
	CHECK(n == 5 && strcmp(in_force[4].ref, "GALEN") == 0, "one second before the change the old rules are in force");
	n = rules_in_force(history, COUNT(history), T_2027_01_01, in_force);
	CHECK(n == 5 && strcmp(in_force[4].ref, "ESNR-MEMBER") == 0,
	    "at the very second of the change the new rules are in force (valid_until is exclusive)");
	CHECK(rules_in_force(history, 0, T_2027_01_01, in_force) == 0, "no rules give no rules in force");
}

int main(void)
{
	struct arena *a = arena_new();
	level_1(a);
	level_2(a);
	mcq_attempts(a);
	level_3(a);
	dates(a);
	attestations(a);
	dated_rules(a);
	arena_free(a);
	CHECK_DONE();
}
