#include "domain/outcome.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[OUTCOME__MAX] = {
	[OUTCOME_PENDING] = "pending",
	[OUTCOME_GAP] = "gap",
	[OUTCOME_PASS] = "pass",
	[OUTCOME_FAIL] = "fail",
	[OUTCOME_ABSENT] = "absent",
};

const char *outcome_name(enum outcome o)
{
	return o < OUTCOME__MAX ? names[o] : "unknown";
}

int outcome_parse(const char *s)
{
	for (int i = 0; i < OUTCOME__MAX; i++)
		if (s != NULL && strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int outcome_oral_tenths(const struct marks *m, const struct exam_marks *x)
{
	if (m->oral_resolved >= 0)
		return m->oral_resolved * 10;
	if (!x->double_oral)
		return m->oral_a >= 0 ? m->oral_a * 10 : -1;
	if (m->oral_a < 0 || m->oral_b < 0)
		return -1;
	/* The mean of two integers, exactly: tenths avoid floating point. */
	return (m->oral_a + m->oral_b) * 5;
}

enum outcome outcome_compute(const struct marks *m, const struct exam_marks *x)
{
	if (m->absent)
		return OUTCOME_ABSENT;
	if (x->double_oral && m->oral_resolved < 0 && m->oral_a >= 0 && m->oral_b >= 0 &&
	    abs(m->oral_a - m->oral_b) > x->tolerance)
		return OUTCOME_GAP;
	int oral = outcome_oral_tenths(m, x);
	if (m->written < 0 || oral < 0)
		return OUTCOME_PENDING;
	return m->written >= x->pass_written && oral >= x->pass_oral * 10 ? OUTCOME_PASS : OUTCOME_FAIL;
}

int score_parse(const char *s)
{
	if (s == NULL)
		return SCORE_EMPTY;
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n == 0)
		return SCORE_EMPTY;
	if (n > 3)
		return SCORE_INVALID;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return SCORE_INVALID;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 100 ? v : SCORE_INVALID;
}
