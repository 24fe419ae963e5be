/* An examination's outcome from its part scores and pass marks. Pure. */
#ifndef ESONR_OUTCOME_H
#define ESONR_OUTCOME_H

enum outcome {
	OUTCOME_PENDING, /* not (fully) marked yet */
	OUTCOME_GAP,     /* two oral marks further apart than the tolerance: an admin resolves */
	OUTCOME_PASS,
	OUTCOME_FAIL,
	OUTCOME_ABSENT,
	OUTCOME__MAX
};

struct exam_marks {
	int pass_written;  /* default 60 */
	int pass_oral;     /* default 60 */
	int double_oral;   /* two independent oral markers */
	int tolerance;     /* largest allowed gap between them */
};

/* -1 means "no score". */
struct marks {
	int absent;
	int written;
	int oral_a;
	int oral_b;
	int oral_resolved; /* an admin's resolution of a gap */
};

/* The oral score used for the outcome (mean of two markers), in tenths; -1 if none. */
int outcome_oral_tenths(const struct marks *m, const struct exam_marks *x);
enum outcome outcome_compute(const struct marks *m, const struct exam_marks *x);
const char *outcome_name(enum outcome o);
/* A part score as typed: 0..100, digits only (spaces around allowed).
 * Returns the score, SCORE_EMPTY for "" or SCORE_INVALID. */
#define SCORE_EMPTY (-1)
#define SCORE_INVALID (-2)
int score_parse(const char *s);

/* -1 when s is not an outcome name. */
int outcome_parse(const char *s);

#endif
