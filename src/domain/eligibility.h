/* The eligibility engine: a candidate's records against an examination's rules.
 * Pure: no database, no I/O; every answer comes with its reason. */
#ifndef ESONR_ELIGIBILITY_H
#define ESONR_ELIGIBILITY_H
#include <stddef.h>
#include <stdint.h>
#include "core/arena.h"

/* Dates are "YYYY-MM-DD" strings: they compare correctly with strcmp. */

struct attendance {
	const char *course;
	const char *course_title;
	const char *date;
	const char *edition;   /* "ECNR cycle 2027/1, Vienna", or NULL */
	int requires_mcq;
	int mcq_attempts;      /* 0, 1 or 2 attempts taken for this attendance */
	int mcq_passed;        /* one of them passed */
	const char *mcq_date;  /* date of the passed attempt */
};

struct held_certificate {
	const char *exam;
	const char *number;
	const char *issued_on;
	int valid;             /* not revoked (a superseded one is replaced by its reissue) */
};

struct attestation {
	const char *kind;
	const char *evidence_date;
};

struct records {
	const struct attendance *att;
	size_t natt;
	const struct held_certificate *certs;
	size_t ncerts;
	const struct attestation *attest;
	size_t nattest;
};

enum rule_kind { RULE_COURSE, RULE_CERTIFICATE, RULE_ATTESTATION, RULE__MAX };

struct rule {
	enum rule_kind kind;
	const char *ref;       /* course code, exam code of the certificate, or attestation kind */
	const char *title;     /* the ref's title, for reasons */
	int min_years;         /* attestations: years since the evidence date */
	int64_t valid_from;    /* unix microseconds: the rule is in force in [valid_from, valid_until) */
	int64_t valid_until;   /* 0: open-ended */
};

enum course_state {
	COURSE_NOT_ATTENDED,
	COURSE_COMPLETED,
	COURSE_MCQ_PENDING,      /* attended, MCQ not taken yet */
	COURSE_MCQ_RESIT,        /* first MCQ failed: one resit allowed */
	COURSE_MCQ_FAILED_TWICE, /* the module must be attended again */
};

struct course_status {
	enum course_state state;
	const char *date;        /* completion date, or the latest attendance */
	const char *edition;
};

struct rule_result {
	int met;
	const char *reason;      /* one sentence for the candidate */
	const char *met_from;    /* "YYYY-MM-DD" when the rule will be met by waiting, else NULL */
};

struct eligibility {
	int eligible;
	const char *earliest;    /* first date all rules are met, if only waiting is missing */
};

struct course_status course_status(const struct records *r, const char *course);
const char *course_state_text(enum course_state s);

/* Keeps the rules in force at `at`; returns how many were copied into out (size n). */
size_t rules_in_force(const struct rule *rules, size_t n, int64_t at, struct rule *out);

/* Checks every rule (out has n entries) as of `today` ("YYYY-MM-DD"). */
struct eligibility eligibility_check(struct arena *a, const struct records *r,
    const struct rule *rules, size_t n, const char *today, struct rule_result *out);

/* "YYYY-MM-DD" plus whole years (29 February becomes 28 February). */
const char *date_add_years(struct arena *a, const char *date, int years);

#endif
