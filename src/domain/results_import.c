#include "domain/results_import.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv_reader.h"
#include "domain/valid.h"
#include "domain/account.h"
#include "domain/outcome.h"

enum column { COL_BOOKING, COL_EMAIL, COL_WRITTEN, COL_ORAL, COL_ABSENT, COL__MAX };

static const struct csv_column csv_columns[COL__MAX] = {
	{ "booking", 0 }, { "email", 0 }, { "written", 1 }, { "oral", 1 }, { "absent", 0 },
};

static const struct csv_spec csv_spec = { csv_columns, COL__MAX, RESULTS_IMPORT_MAX_BYTES,
	RESULTS_IMPORT_MAX_ROWS };

/* 1 absent, 0 present, -1 not a value the column takes. Spreadsheets tick with an "x". */
static int absent_parse(const char *s)
{
	static const char *const yes[] = { "yes", "true", "1", "x" }, *const no[] = { "", "no", "false", "0" };
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strlen(yes[i]) == n && strncasecmp(s, yes[i], n) == 0)
			return 1;
		if (strlen(no[i]) == n && strncasecmp(s, no[i], n) == 0)
			return 0;
	}
	return -1;
}

void results_import_row_problem(struct arena *a, struct results_import_row *r, const char *why)
{
	r->error = r->error == NULL ? why : arena_printf(a, "%s; %s", r->error, why);
}

static void score_problem(struct arena *a, struct results_import_row *r, const char *part, int v)
{
	if (v == SCORE_EMPTY)
		results_import_row_problem(a, r, arena_printf(a, "%s: a score from 0 to 100 is needed, or mark the "
		    "candidate absent", part));
	else if (v == SCORE_INVALID)
		results_import_row_problem(a, r, arena_printf(a, "%s: must be a whole number from 0 to 100", part));
}

static void check_row(struct arena *a, const struct csv_record *rec, struct results_import_row *r)
{
	const char *booking = rec->value[COL_BOOKING], *email = rec->value[COL_EMAIL];
	int named = 0;
	if (booking[0] != '\0') {
		if (valid_written_id(booking))
			named = 1;
		else
			results_import_row_problem(a, r, "booking: must be a booking number, as on the roster");
	}
	if (email[0] != '\0') {
		const char *why;
		char *e = email_normalise(a, email, &why);
		if (e == NULL) {
			size_t n = strlen(why);
			n -= n > 0 && why[n - 1] == '.'; /* the reasons are joined with "; " */
			results_import_row_problem(a, r, arena_printf(a, "email: %.*s", (int)n, why));
		} else {
			r->email = e;
			named = named || booking[0] == '\0';
		}
	}
	if (booking[0] == '\0' && email[0] == '\0')
		results_import_row_problem(a, r, "booking or email: one is needed to name the candidate");
	r->named = named && r->error == NULL;

	int absent = absent_parse(rec->value[COL_ABSENT]);
	int w = score_parse(rec->value[COL_WRITTEN]), o = score_parse(rec->value[COL_ORAL]);
	if (absent < 0) {
		results_import_row_problem(a, r, "absent: must be empty, yes, no, true, false, 1, 0 or x");
		score_problem(a, r, "written", w == SCORE_EMPTY ? 0 : w);
		score_problem(a, r, "oral", o == SCORE_EMPTY ? 0 : o);
	} else if (absent) {
		r->absent = 1;
		if (w != SCORE_EMPTY || o != SCORE_EMPTY)
			results_import_row_problem(a, r, "absent: leave the scores empty for an absent candidate");
	} else {
		score_problem(a, r, "written", w);
		score_problem(a, r, "oral", o);
		r->written = w;
		r->oral = o;
	}
}

int results_import_parse(struct arena *a, const char *data, size_t len, struct results_import *rep)
{
	struct csv_table t;
	memset(rep, 0, sizeof *rep);
	csv_read(a, &csv_spec, data, len, &t);
	if (t.error == NULL && t.field_of[COL_BOOKING] < 0 && t.field_of[COL_EMAIL] < 0) {
		t.error = "the header has no column booking or email: one of them (or both) names "
		    "the candidate of each row";
		t.error_line = 1;
		t.nrecords = 0;
	}
	rep->file_error = t.error;
	rep->file_error_line = t.error_line;
	rep->rows = arena_zalloc(a, (size_t)t.nrecords * sizeof *rep->rows + 1);
	for (int i = 0; i < t.nrecords; i++) {
		const struct csv_record *rec = &t.records[i];
		struct results_import_row *r = &rep->rows[rep->nrows++];
		r->line = rec->line;
		r->booking = rec->value[COL_BOOKING];
		r->email = rec->value[COL_EMAIL];
		r->written = r->oral = -1;
		if (rec->error != NULL)
			r->error = rec->error;
		else
			check_row(a, rec, r);
		rep->errors += r->error != NULL;
	}
	return rep->file_error != NULL || rep->errors > 0 ? -1 : 0;
}

const char *results_import_row_name(struct arena *a, const struct results_import_row *r)
{
	return arena_printf(a, "booking %s (%s)", r->booking[0] ? r->booking : "-",
	    r->email[0] ? r->email : "-");
}

const char *results_import_summary(struct arena *a, const struct results_import *rep)
{
	int nfile = rep->nrows - rep->missing;
	const char *rows = nfile == 1 ? "row" : "rows";
	if (rep->file_error != NULL)
		return rep->file_error_line > 0 ?
		    arena_printf(a, "nothing was imported: line %d: %s", rep->file_error_line,
		    rep->file_error) : arena_printf(a, "nothing was imported: %s", rep->file_error);
	if (rep->refused.kind != REFUSAL_NONE)
		return arena_printf(a, "nothing was imported: %s", rep->refused.text);
	if (rep->errors > 0) {
		int bad = rep->errors - rep->missing;
		const char *what = bad == 0 ? NULL : arena_printf(a, "%d of %d %s %s an error", bad,
		    nfile, rows, bad == 1 ? "has" : "have");
		if (rep->missing > 0)
			what = arena_printf(a, "%s%s%d booked candidate%s no row", what ? what : "",
			    what ? ", " : "", rep->missing, rep->missing == 1 ? " has" : "s have");
		return arena_printf(a, "nothing was imported: %s (every booked candidate needs exactly "
		    "one valid row)", what);
	}
	int same = nfile - rep->changed;
	if (rep->dry_run)
		return arena_printf(a, "dry run, nothing was stored: %d %s, %d would be recorded, "
		    "%d unchanged", nfile, rows, rep->changed, same);
	if (rep->committed)
		return arena_printf(a, "imported %d %s: %d recorded, %d unchanged", nfile, rows,
		    rep->changed, same);
	return arena_printf(a, "%d %s checked, nothing stored yet", nfile, rows);
}
