#include "db/import_results.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv_reader.h"
#include "db/results.h"
#include "domain/account.h"
#include "domain/outcome.h"

/* ---- against the database ---- */

enum { R_ID, R_EMAIL, R_HAS, R_ABSENT, R_WRITTEN, R_ORAL_A, R_ORAL_A_BY, R_ORAL_B, R_ORAL_B_BY,
	R_RESOLVED, R_ENTERED_BY, R_OUTCOME };

static int int_or_none(const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	return v == NULL ? -1 : atoi(v);
}

static int same_id(const char *stored, const char *id)
{
	return stored != NULL && id != NULL ? strcmp(stored, id) == 0 : stored == id;
}

/* Whether results_save() would leave the stored result exactly as it is (then it writes no
 * audit entry either): the same marks in the examiner's own oral slot, entered by them.
 * -1 when both oral slots belong to other examiners (results_save refuses that). */
static int result_unchanged(const PGresult *ro, int i, const struct results_import_row *r,
    const char *me, const struct exam_marks *x)
{
	if (strcmp(db_val(ro, i, R_HAS), "t") != 0)
		return 0;
	int slot_b = 0;
	if (x->double_oral) {
		const char *by_a = db_val(ro, i, R_ORAL_A_BY), *by_b = db_val(ro, i, R_ORAL_B_BY);
		if (by_a != NULL && strcmp(by_a, me) != 0) {
			if (by_b != NULL && strcmp(by_b, me) != 0)
				return -1;
			slot_b = 1;
		}
	}
	struct marks now = {
		.absent = strcmp(db_val(ro, i, R_ABSENT), "t") == 0,
		.written = int_or_none(ro, i, R_WRITTEN),
		.oral_a = int_or_none(ro, i, R_ORAL_A),
		.oral_b = int_or_none(ro, i, R_ORAL_B),
		.oral_resolved = int_or_none(ro, i, R_RESOLVED),
	};
	struct marks after = now;
	const char *a_by = db_val(ro, i, R_ORAL_A_BY), *b_by = db_val(ro, i, R_ORAL_B_BY);
	after.absent = r->absent;
	if (r->absent) {
		after.written = after.oral_a = after.oral_b = -1;
		a_by = b_by = NULL;
	} else if (slot_b) {
		after.written = r->written;
		after.oral_b = r->oral;
		b_by = me;
	} else {
		after.written = r->written;
		after.oral_a = r->oral;
		a_by = me;
	}
	return now.absent == after.absent && now.written == after.written &&
	    now.oral_a == after.oral_a && now.oral_b == after.oral_b &&
	    same_id(db_val(ro, i, R_ORAL_A_BY), a_by) && same_id(db_val(ro, i, R_ORAL_B_BY), b_by) &&
	    same_id(db_val(ro, i, R_ENTERED_BY), me) &&
	    strcmp(db_val(ro, i, R_OUTCOME), outcome_name(outcome_compute(&after, x))) == 0;
}

static const char *marks_text(struct arena *a, const struct results_import_row *r)
{
	return r->absent ? "absent" : arena_printf(a, "written %d, oral %d", r->written, r->oral);
}

/* Ties each valid row to a booked candidate; each candidate must be named exactly once. */
static void resolve(struct arena *a, struct results_import *rep, const PGresult *ro, int *claimed)
{
	int n = db_rows(ro);
	for (int k = 0; k < rep->nrows; k++) {
		struct results_import_row *r = &rep->rows[k];
		if (!r->named)
			continue;
		int i = 0;
		if (r->booking[0] != '\0') {
			while (i < n && strcmp(db_val(ro, i, R_ID), r->booking) != 0)
				i++;
			if (i == n) {
				results_import_row_problem(a, r, arena_printf(a, "booking %s is not booked in this session",
				    r->booking));
				continue;
			}
			if (r->email[0] != '\0' && strcmp(r->email, db_val(ro, i, R_EMAIL)) != 0) {
				results_import_row_problem(a, r, arena_printf(a, "booking %s is %s's booking, not %s's",
				    r->booking, db_val(ro, i, R_EMAIL), r->email));
				continue;
			}
		} else {
			while (i < n && strcmp(db_val(ro, i, R_EMAIL), r->email) != 0)
				i++;
			if (i == n) {
				results_import_row_problem(a, r, arena_printf(a, "%s is not booked in this session", r->email));
				continue;
			}
		}
		r->booking = db_val(ro, i, R_ID);
		r->email = db_val(ro, i, R_EMAIL);
		if (claimed[i] != 0) {
			results_import_row_problem(a, r, arena_printf(a, "booking %s appears twice (also line %d): each "
			    "candidate needs exactly one row", r->booking, claimed[i]));
			continue;
		}
		claimed[i] = r->line;
		r->resolved = 1;
	}
}

enum db_status results_import_run(struct arena *a, struct results_import *rep,
    const char *session_id, const char *examiner_id, int dry_run)
{
	enum db_status st;
	rep->dry_run = dry_run;
	rep->committed = 0;
	if (rep->file_error != NULL)
		return DB_OK;
	PGresult *s = db_query(a, &st,
	    "SELECT s.closed_at IS NOT NULL OR s.closes_at <= now(), s.published_at IS NOT NULL,"
	    "   e.double_oral, e.pass_written, e.pass_oral, e.oral_tolerance,"
	    "   EXISTS (SELECT 1 FROM session_examiners x WHERE x.session_id = s.id AND x.user_id = $2)"
	    " FROM exam_sessions s JOIN exams e ON e.code = s.exam_code WHERE s.id = $1",
	    2, session_id, examiner_id);
	if (st != DB_OK)
		return st;
	if (db_rows(s) != 1)
		refusal_set(&rep->refused, REFUSAL_NOT_FOUND, NULL, "There is no such session.");
	else if (strcmp(db_val(s, 0, 6), "t") != 0)
		refusal_set(&rep->refused, REFUSAL_FORBIDDEN, NULL,
		    "Only the examiners assigned to this session can enter its results.");
	else if (strcmp(db_val(s, 0, 0), "t") != 0)
		refusal_set(&rep->refused, REFUSAL_CONFLICT, NULL, "Booking for this session has not "
		    "closed yet: the roster is not final, so results cannot be entered.");
	else if (strcmp(db_val(s, 0, 1), "t") == 0)
		refusal_set(&rep->refused, REFUSAL_CONFLICT, NULL, "The results of this session are "
		    "published: a change now needs an amendment by the ESNR office.");
	if (rep->refused.kind != REFUSAL_NONE)
		return DB_OK;
	struct exam_marks x = {
		.double_oral = strcmp(db_val(s, 0, 2), "t") == 0,
		.pass_written = (int)db_int(s, 0, 3),
		.pass_oral = (int)db_int(s, 0, 4),
		.tolerance = (int)db_int(s, 0, 5),
	};

	PGresult *ro = db_query(a, &st,
	    "SELECT b.id, u.email, r.booking_id IS NOT NULL, r.absent, r.written, r.oral_a, r.oral_a_by,"
	    "   r.oral_b, r.oral_b_by, r.oral_resolved, r.entered_by, r.computed_outcome"
	    " FROM bookings b JOIN users u ON u.id = b.user_id LEFT JOIN results r ON r.booking_id = b.id"
	    " WHERE b.session_id = $1 AND b.status = 'booked' ORDER BY b.id", 1, session_id);
	if (st != DB_OK)
		return st;
	int n = db_rows(ro);
	int *claimed = arena_zalloc(a, (size_t)n * sizeof *claimed + 1);
	resolve(a, rep, ro, claimed);

	/* The missing candidates follow the file's rows, with line 0. */
	struct results_import_row *rows = arena_zalloc(a, (size_t)(rep->nrows + n) * sizeof *rows + 1);
	if (rep->nrows > 0)
		memcpy(rows, rep->rows, (size_t)rep->nrows * sizeof *rows);
	rep->rows = rows;
	int nfile = rep->nrows;
	for (int i = 0; i < n; i++) {
		if (claimed[i] != 0)
			continue;
		struct results_import_row *r = &rep->rows[rep->nrows++];
		r->booking = db_val(ro, i, R_ID);
		r->email = db_val(ro, i, R_EMAIL);
		r->written = r->oral = -1;
		r->error = "booked in this session but not in the file: every booked candidate needs a row";
		rep->missing++;
	}

	rep->changed = 0;
	for (int k = 0; k < nfile; k++) {
		struct results_import_row *r = &rep->rows[k];
		if (r->error != NULL || !r->resolved)
			continue;
		int i = 0;
		while (strcmp(db_val(ro, i, R_ID), r->booking) != 0)
			i++;
		int same = result_unchanged(ro, i, r, examiner_id, &x);
		if (same < 0) {
			results_import_row_problem(a, r, "two other examiners have already marked the oral part");
			continue;
		}
		r->changed = !same;
		rep->changed += r->changed;
	}
	rep->errors = 0;
	for (int k = 0; k < rep->nrows; k++)
		rep->errors += rep->rows[k].error != NULL;

	const char *verb = rep->errors > 0 ? "valid" : dry_run ? "would be recorded" : "recorded";
	for (int k = 0; k < nfile; k++) {
		struct results_import_row *r = &rep->rows[k];
		if (r->error == NULL)
			r->message = r->changed || rep->errors > 0 ?
			    arena_printf(a, "%s: %s", verb, marks_text(a, r)) : "unchanged";
	}
	if (rep->errors > 0 || dry_run)
		return DB_OK;
	if (rep->changed == 0) {
		rep->committed = 1; /* nothing to write: no transaction, no audit entry */
		return DB_OK;
	}

	/* All rows or none: results_save() checks the roster again, in its transaction. */
	struct result_row *save = arena_zalloc(a, (size_t)nfile * sizeof *save + 1);
	for (int k = 0; k < nfile; k++) {
		const struct results_import_row *r = &rep->rows[k];
		save[k] = (struct result_row){ r->booking, r->absent, r->absent ? -1 : r->written,
			r->absent ? -1 : r->oral };
	}
	st = results_save(a, session_id, examiner_id, save, (size_t)nfile, &rep->refused);
	if (st == DB_REFUSED) {
		for (int k = 0; k < nfile; k++)
			rep->rows[k].message = NULL;
		return DB_OK;
	}
	if (st != DB_OK)
		return st;
	rep->committed = 1;
	return DB_OK;
}
