#include "domain/completion_import.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/csv_reader.h"
#include "domain/valid.h"
#include "core/datetime.h"
#include "domain/account.h"

enum column { COL_EMAIL, COL_COURSE, COL_KIND, COL_DATE, COL_RESULT, COL_EDITION, COL__MAX };

static const char *const kind_names[IMPORT__KINDS] = { "attendance", "mcq", "completion" };

static const struct csv_column csv_columns[COL__MAX] = {
	{ "email", 1 }, { "course", 1 }, { "kind", 1 }, { "date", 1 }, { "result", 0 }, { "edition", 0 },
};

static const struct csv_spec csv_spec = { csv_columns, COL__MAX, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS };

enum import_kind import_kind_parse(const char *s)
{
	for (int k = 0; k < IMPORT__KINDS; k++)
		if (strcasecmp(s, kind_names[k]) == 0)
			return (enum import_kind)k;
	return IMPORT__KINDS;
}

/* Appends one reason to the row's error ("; " between reasons). */
static void row_problem(struct arena *a, struct import_row *r, const char *why)
{
	r->error = r->error == NULL ? why : arena_printf(a, "%s; %s", r->error, why);
}

static void check_row(struct arena *a, const struct csv_record *rec, struct import_row *r)
{
	const char *why;
	char *email = email_normalise(a, r->email, &why);
	if (email == NULL) {
		size_t n = strlen(why);
		n -= n > 0 && why[n - 1] == '.'; /* the reasons are joined with "; " */
		row_problem(a, r, arena_printf(a, "email: %.*s", (int)n, why));
	} else {
		r->email = email;
	}

	/* Course codes and kinds are matched without regard to case, as office staff type them. */
	char *course = arena_strdup(a, r->course);
	for (char *c = course; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	if (!valid_code(course))
		row_problem(a, r, "course: a course code like GALEN or ECNR-2 is needed");
	else
		r->course = course;

	r->kind = import_kind_parse(r->kind_text);
	int kind_ok = r->kind != IMPORT__KINDS;
	if (!kind_ok)
		row_problem(a, r, "kind: must be attendance, mcq or completion");

	if (!date_valid(r->date))
		row_problem(a, r, "date: must be a date like 2027-05-03");

	const char *result = rec->value[COL_RESULT];
	if (kind_ok && r->kind == IMPORT_MCQ) {
		if (strcasecmp(result, "pass") == 0)
			r->passed = 1;
		else if (strcasecmp(result, "fail") == 0)
			r->passed = 0;
		else
			row_problem(a, r, "result: pass or fail is needed for an mcq row");
	} else if (kind_ok && result[0] != '\0') {
		row_problem(a, r, "result: leave empty unless the kind is mcq");
	}

	const char *edition = rec->value[COL_EDITION];
	r->edition = NULL;
	if (edition[0] != '\0') {
		if (!valid_written_id(edition))
			row_problem(a, r, "edition: must be an edition number, or empty");
		else if (kind_ok && r->kind == IMPORT_MCQ)
			row_problem(a, r, "edition: leave empty for an mcq row (the MCQ belongs to the "
			    "latest attendance)");
		else
			r->edition = edition;
	}
}

int import_parse(struct arena *a, const char *data, size_t len, struct import_report *rep)
{
	struct csv_table t;
	memset(rep, 0, sizeof *rep);
	csv_read(a, &csv_spec, data, len, &t);
	rep->file_error = t.error;
	rep->file_error_line = t.error_line;
	/* The rows read before a file error are still checked, for the report. */
	rep->rows = arena_zalloc(a, (size_t)t.nrecords * sizeof *rep->rows + 1);
	for (int i = 0; i < t.nrecords; i++) {
		const struct csv_record *rec = &t.records[i];
		struct import_row *r = &rep->rows[rep->nrows++];
		r->line = rec->line;
		r->email = rec->value[COL_EMAIL];
		r->course = rec->value[COL_COURSE];
		r->kind_text = rec->value[COL_KIND];
		r->date = rec->value[COL_DATE];
		if (rec->error != NULL) {
			r->course = r->kind_text = r->date = "";
			r->error = rec->error;
		} else {
			check_row(a, rec, r);
		}
		rep->errors += r->error != NULL;
	}
	return rep->file_error != NULL || rep->errors > 0 ? -1 : 0;
}

const char *import_summary(struct arena *a, const struct import_report *rep)
{
	if (rep->file_error != NULL)
		return rep->file_error_line > 0 ?
		    arena_printf(a, "nothing was imported: line %d: %s", rep->file_error_line,
		    rep->file_error) : arena_printf(a, "nothing was imported: %s", rep->file_error);
	int same = rep->nrows - rep->changed - rep->errors;
	if (rep->errors > 0)
		return arena_printf(a, "nothing was imported: %d of %d row%s %s an error",
		    rep->errors, rep->nrows, rep->nrows == 1 ? "" : "s", rep->errors == 1 ? "has" : "have");
	if (rep->dry_run)
		return arena_printf(a, "dry run, nothing was stored: %d row%s, %d would change "
		    "something, %d already recorded", rep->nrows, rep->nrows == 1 ? "" : "s",
		    rep->changed, same);
	if (rep->committed)
		return arena_printf(a, "imported %d row%s: %d changed something, %d already recorded",
		    rep->nrows, rep->nrows == 1 ? "" : "s", rep->changed, same);
	return arena_printf(a, "%d row%s checked, nothing stored yet", rep->nrows,
	    rep->nrows == 1 ? "" : "s");
}
