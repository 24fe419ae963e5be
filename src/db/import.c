#include "db/import.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "db/records.h"

struct run {
	struct import_report *rep;
	const char *recorded_by;
	int dry_run;
};

enum db_status import_row_apply(struct arena *a, const char *user_id, const struct import_row *r,
    const char *recorded_by, struct record_result *res)
{
	enum db_status st = DB_OK;
	struct record_result att = { 0 };
	switch (r->kind) {
	case IMPORT_ATTENDANCE:
		return attendance_record(a, user_id, r->course, r->date, r->edition, recorded_by, res);
	case IMPORT_MCQ:
		return mcq_record(a, user_id, r->course, r->date, r->passed, recorded_by, res);
	case IMPORT_COMPLETION:
		/* The edition goes on the attendance; completion_record then finds it there. */
		if (r->edition != NULL && (st = attendance_record(a, user_id, r->course, r->date,
		    r->edition, recorded_by, &att)) != DB_OK) {
			*res = att;
			return st;
		}
		st = completion_record(a, user_id, r->course, r->date, recorded_by, res);
		if (st == DB_OK && att.changed && !res->changed) {
			res->changed = 1;
			res->message = arena_printf(a, "%s completed on %s recorded", r->course, r->date);
		}
		return st;
	case IMPORT__KINDS:
		break;
	}
	return DB_ERROR;
}

static enum db_status run_body(struct arena *a, void *ctx)
{
	struct run *run = ctx;
	struct import_report *rep = run->rep;
	const char *email = NULL, *user_id = NULL;
	enum db_status st;

	/* db_tx may run this again after a deadlock: start from a clean report. */
	rep->errors = rep->changed = 0;
	for (int i = 0; i < rep->nrows; i++) {
		struct import_row *r = &rep->rows[i];
		struct record_result res = { 0 };
		r->changed = 0;
		r->error = r->message = NULL;
		if ((st = db_exec(a, "SAVEPOINT import_row", 0)) != DB_OK)
			return st;
		st = DB_OK;
		/* Files are usually grouped by candidate: look each one up once per run. */
		if (user_id == NULL || strcmp(email, r->email) != 0) {
			email = r->email;
			user_id = NULL;
			st = candidate_find(a, r->email, &user_id, &res);
		}
		if (st == DB_OK)
			st = import_row_apply(a, user_id, r, run->recorded_by, &res);
		if (st == DB_OK) {
			if ((st = db_exec(a, "RELEASE SAVEPOINT import_row", 0)) != DB_OK)
				return st;
			r->changed = res.changed;
			r->message = res.message;
			rep->changed += res.changed;
			continue;
		}
		if (st != DB_REFUSED && st != DB_INVALID && st != DB_CONFLICT)
			return st;
		/* A refused row is undone alone, so that the rows after it are still checked. */
		r->error = st == DB_REFUSED ? res.message :
		    arena_printf(a, "the database refused the row: %s", db_error());
		rep->errors++;
		if ((st = db_exec(a, "ROLLBACK TO SAVEPOINT import_row", 0)) != DB_OK)
			return st;
	}
	return run->dry_run || rep->errors > 0 ? DB_REFUSED : DB_OK;
}

enum db_status import_run(struct arena *a, struct import_report *rep, const char *recorded_by,
    int dry_run)
{
	struct run run = { rep, recorded_by, dry_run };
	rep->dry_run = dry_run;
	rep->committed = 0;
	if (rep->file_error != NULL || rep->errors > 0)
		return DB_OK;
	/* READ COMMITTED: the records functions lock what they read (SELECT … FOR UPDATE). */
	enum db_status st = db_tx(a, DB_READ_COMMITTED, run_body, &run);
	if (st == DB_OK)
		rep->committed = 1;
	return st == DB_REFUSED ? DB_OK : st;
}
