/* Minimal TAP-style checks: one "ok"/"not ok" line per check; tests/run.sh counts them. */
#ifndef ESONR_CHECK_H
#define ESONR_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_failed;

#define CHECK(cond, name) do { \
	if (cond) { printf("ok - %s\n", name); } \
	else { printf("not ok - %s (%s:%d: %s)\n", name, __FILE__, __LINE__, #cond); check_failed++; } \
} while (0)

#define CHECK_STR(got, want, name) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0) { printf("ok - %s\n", name); } \
	else { printf("not ok - %s (%s:%d: got \"%s\", want \"%s\")\n", name, __FILE__, __LINE__, \
		g_ ? g_ : "(null)", w_ ? w_ : "(null)"); check_failed++; } \
} while (0)

#define CHECK_DONE() return check_failed ? 1 : 0

#endif
