/* CSV import of completion records (docs/import.md), the half without a database: the file
 * read by core/csv_reader.h and every row checked (pure functions, unit-tested); db/import.h
 * runs the checked rows. */
#ifndef ESONR_COMPLETION_IMPORT_H
#define ESONR_COMPLETION_IMPORT_H
#include <stddef.h>
#include "core/arena.h"

#define IMPORT_MAX_BYTES (2 * 1024 * 1024)
#define IMPORT_MAX_ROWS 5000

enum import_kind { IMPORT_ATTENDANCE, IMPORT_MCQ, IMPORT_COMPLETION, IMPORT__KINDS };

struct import_row {
	int line;              /* physical line where the record starts (the header is line 1) */
	const char *email;     /* as written; normalised when valid */
	const char *course;
	const char *kind_text; /* as written, for the report */
	enum import_kind kind;
	const char *date;
	int passed;            /* mcq only */
	const char *edition;   /* NULL when empty */
	int changed;           /* 1: the row changed (or in a dry run would change) something */
	const char *error;     /* why the row is invalid or refused; NULL when fine */
	const char *message;   /* what happened, or would happen */
};

struct import_report {
	struct import_row *rows;
	int nrows;
	const char *file_error; /* the file as a whole is unusable: no rows are checked */
	int file_error_line;    /* 0 when the error has no line */
	int errors;             /* rows with an error */
	int changed;            /* rows that changed something */
	int dry_run;
	int committed;          /* 1 once the transaction committed */
};

/* "attendance", "mcq", "completion" (any case); IMPORT__KINDS for anything else. */
enum import_kind import_kind_parse(const char *s);
/* Parses and checks the file without the database. 0 when every row is valid; -1 with
 * rep->file_error or with rep->errors rows carrying their error. */
int import_parse(struct arena *a, const char *data, size_t len, struct import_report *rep);

/* The summary line: "12 rows: 10 recorded, 2 already there" and the like. */
const char *import_summary(struct arena *a, const struct import_report *rep);

#endif
