/*
 * libFuzzer target for the one CSV reader of the imports (src/core/csv_reader.c).
 * Input: the file, as uploaded. It goes through csv_read with the completions columns and
 * with the results columns (with a small row limit, so the limit is reached), then through
 * the two database-free import checks, import_parse and results_import_parse.
 * Linked with tests/fuzz/replay.c it is a plain program that replays the files named on the
 * command line (saved crashers and the corpus) and prints one TAP line per file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/csv_reader.h"
#include "core/utf8.h"
#include "domain/completion_import.h"
#include "domain/results_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The columns of db/import.c and db/import_results.c (static there), in the same order. */
static const struct csv_column completions[] = {
	{ "email", 1 }, { "course", 1 }, { "kind", 1 }, { "date", 1 }, { "result", 0 },
	{ "edition", 0 },
};
static const struct csv_column results[] = {
	{ "booking", 0 }, { "email", 0 }, { "written", 1 }, { "oral", 1 }, { "absent", 0 },
};
#define SMALL_ROWS 8
static const struct csv_spec specs[] = {
	{ completions, sizeof completions / sizeof completions[0], 1024 * 1024, SMALL_ROWS },
	{ results, sizeof results / sizeof results[0], 1024 * 1024, SMALL_ROWS },
};

/* What csv_read promises its caller; a broken promise is a crash. */
static void check_table(const struct csv_spec *spec, const struct csv_table *t, int rc)
{
	int seen[CSV_MAX_FIELDS] = { 0 }, last_line = 1;

	if ((rc == 0) != (t->error == NULL) || (rc == 0 && t->nrecords == 0))
		abort();
	if (t->nrecords < 0 || t->nrecords > spec->max_rows || t->error_line < 0)
		abort();
	for (int c = 0; c < spec->ncolumns; c++) {
		int f = t->field_of[c];
		if (f < -1 || f >= CSV_MAX_FIELDS || (f >= 0 && seen[f]++))
			abort();
		if (rc == 0 && (f >= t->nheader || (spec->columns[c].required && f == -1)))
			abort();
	}
	for (int i = 0; i < t->nrecords; i++) {
		const struct csv_record *r = &t->records[i];
		/* Not strictly ascending: libcsv also ends a record at a lone CR, which is no
		 * line break for the line count ("a\rb\n": two records on one line). */
		if (r->line < last_line || r->nfields < 1 ||
		    (r->error == NULL) != (r->nfields == t->nheader))
			abort();
		last_line = r->line;
		for (int c = 0; c < spec->ncolumns; c++) {
			const char *v = r->value[c];
			/* The encoding is checked before parsing: every value is NUL-free UTF-8. */
			if (v == NULL || !utf8_valid(v, strlen(v)))
				abort();
		}
	}
}

static void check_import(struct arena *a, const struct import_report *rep, int rc)
{
	int errors = 0;

	if ((rc == 0) != (rep->file_error == NULL && rep->errors == 0) || rep->nrows < 0)
		abort();
	for (int i = 0; i < rep->nrows; i++) {
		const struct import_row *r = &rep->rows[i];
		errors += r->error != NULL;
		if (r->email == NULL || r->course == NULL || r->kind_text == NULL || r->date == NULL)
			abort();
		if (r->error == NULL && ((unsigned)r->kind >= IMPORT__KINDS || r->passed < 0 ||
		    r->passed > 1 || strchr(r->email, '@') == NULL))
			abort();
	}
	if (errors != rep->errors || import_summary(a, rep) == NULL)
		abort();
}

static void check_results(struct arena *a, const struct results_import *rep, int rc)
{
	int errors = 0;

	if ((rc == 0) != (rep->file_error == NULL && rep->errors == 0) || rep->nrows < 0)
		abort();
	for (int i = 0; i < rep->nrows; i++) {
		const struct results_import_row *r = &rep->rows[i];
		errors += r->error != NULL;
		if (r->booking == NULL || r->email == NULL || results_import_row_name(a, r) == NULL)
			abort();
		if (r->error != NULL)
			continue;
		if (r->absent ? r->written != -1 || r->oral != -1 :
		    r->written < 0 || r->written > 100 || r->oral < 0 || r->oral > 100)
			abort();
	}
	if (errors != rep->errors || results_import_summary(a, rep) == NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena *arena;
	/* The input stays in the fuzzer's exact-size buffer, so that overreads are caught. */
	const char *s = (const char *)data;
	struct csv_table t;
	struct import_report rep;
	struct results_import res;

	if (arena == NULL)
		arena = arena_new();
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		arena_reset(arena);
		check_table(&specs[i], &t, csv_read(arena, &specs[i], s, size, &t));
	}
	arena_reset(arena);
	check_import(arena, &rep, import_parse(arena, s, size, &rep));
	arena_reset(arena);
	check_results(arena, &res, results_import_parse(arena, s, size, &res));
	return 0;
}
