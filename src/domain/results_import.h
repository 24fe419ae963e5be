/* CSV import of one session's results (docs/import.md), the half without a database:
 * columns, values and duplicates checked by pure functions; db/import_results.h matches the
 * rows to the session's roster and saves them. */
#ifndef ESONR_RESULTS_IMPORT_H
#define ESONR_RESULTS_IMPORT_H
#include <stddef.h>
#include "core/arena.h"
#include "domain/refusal.h"

#define RESULTS_IMPORT_MAX_BYTES (2 * 1024 * 1024)
#define RESULTS_IMPORT_MAX_ROWS 5000

struct results_import_row {
	int line;               /* where the row starts (the header is line 1); 0: a booked
	                         * candidate the file has no row for */
	const char *booking;    /* as written, "" when not given; the booking id once resolved */
	const char *email;      /* normalised when valid, "" when not given; filled in when resolved */
	int absent;
	int written, oral;      /* 0..100, or -1 (absent) */
	int named;              /* booking or email is valid, to look the candidate up with */
	int resolved;           /* the row names a booking of this session */
	int changed;            /* 1: the row changed (or in a dry run would change) the result */
	const char *error;      /* why the row is invalid; NULL when fine */
	const char *message;    /* what happened, or would happen */
};

struct results_import {
	struct results_import_row *rows;
	int nrows;              /* the file's rows, then the missing candidates (line 0) */
	const char *file_error; /* the file as a whole is unusable */
	int file_error_line;    /* 0 when the error has no line */
	struct refusal refused; /* kind not REFUSAL_NONE: the session does not take these results
	                         * now (not found, forbidden, conflict); nothing checked */
	int errors;             /* rows with an error, the missing candidates included */
	int missing;            /* booked candidates without a row */
	int changed;
	int dry_run;
	int committed;          /* 1 once stored (or nothing needed storing) */
};

/* Parses and checks the file without the database: columns, values, duplicates.
 * 0 when every row is valid; -1 with rep->file_error or with rows carrying their error. */
int results_import_parse(struct arena *a, const char *data, size_t len, struct results_import *rep);

/* Adds one reason to the row's error ("; " between reasons). */
void results_import_row_problem(struct arena *a, struct results_import_row *r, const char *why);
/* What a row is, for reports: "booking 12 (zoe@esonr.example)". */
const char *results_import_row_name(struct arena *a, const struct results_import_row *r);
/* The summary line: "imported 12 rows: 10 recorded, 2 unchanged" and the like. */
const char *results_import_summary(struct arena *a, const struct results_import *rep);

#endif
