/* Examiners: the roster of an assigned session and its results form. Admins see the same
 * page with the committee's tools (decision, gap resolution, amendment, publication). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/import_results.h"
#include "db/results.h"
#include "domain/outcome.h"
#include "db/certificates.h"
#include "web/handlers.h"

struct session_view {
	const char *id, *exam, *exam_title, *when, *location;
	int closed, published, double_oral;
	const char *pass_written, *pass_oral, *tolerance;
};

/* 0 and the session when the user may see it; else the error page is set. */
static int session_access(struct request *req, struct session_view *s)
{
	enum db_status st;
	PGresult *r = db_query(req->arena, &st,
	    "SELECT s.id, s.exam_code, e.title,"
	    "   to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDay FMDD FMMonth YYYY, HH24:MI') || ' ' || s.time_zone,"
	    "   s.location, s.closed_at IS NOT NULL OR s.closes_at <= now(), s.published_at IS NOT NULL,"
	    "   e.double_oral, e.pass_written, e.pass_oral, e.oral_tolerance,"
	    "   EXISTS (SELECT 1 FROM session_examiners x WHERE x.session_id = s.id AND x.user_id = $2)"
	    " FROM exam_sessions s JOIN exams e ON e.code = s.exam_code WHERE s.id = $1",
	    2, req->params[0], req->user->id_text);
	if (st != DB_OK) {
		fail_db(req, st);
		return -1;
	}
	/* Not assigned: 403 whether or not the session exists, so ids cannot be probed. */
	int assigned = db_rows(r) == 1 && strcmp(db_val(r, 0, 11), "t") == 0;
	if (req->user->role != ROLE_ADMIN && !assigned) {
		http_error(req, 403, "Only the examiners assigned to this session can see its roster.");
		return -1;
	}
	if (db_rows(r) != 1) {
		http_error(req, 404, "There is no such session.");
		return -1;
	}
	s->id = db_val(r, 0, 0);
	s->exam = db_val(r, 0, 1);
	s->exam_title = db_val(r, 0, 2);
	s->when = db_val(r, 0, 3);
	s->location = db_val(r, 0, 4);
	s->closed = strcmp(db_val(r, 0, 5), "t") == 0;
	s->published = strcmp(db_val(r, 0, 6), "t") == 0;
	s->double_oral = strcmp(db_val(r, 0, 7), "t") == 0;
	s->pass_written = db_val(r, 0, 8);
	s->pass_oral = db_val(r, 0, 9);
	s->tolerance = db_val(r, 0, 10);
	return 0;
}

static PGresult *roster(struct request *req, enum db_status *st)
{
	return db_query(req->arena, st,
	    "SELECT b.id, u.full_name, u.email, r.absent, r.written,"
	    "   CASE WHEN r.oral_b_by = $2 THEN r.oral_b ELSE r.oral_a END,"
	    "   r.oral_a, r.oral_b, r.oral_resolved, r.computed_outcome, r.decision, r.decision_reason,"
	    "   r.amended_at IS NOT NULL, r.amendment_reason, r.booking_id IS NOT NULL,"
	    "   coalesce(r.decision, r.computed_outcome, 'pending')"
	    " FROM bookings b JOIN users u ON u.id = b.user_id LEFT JOIN results r ON r.booking_id = b.id"
	    " WHERE b.session_id = $1 AND b.status = 'booked' ORDER BY u.full_name, b.id",
	    2, req->params[0], req->user->id_text);
}

static struct tdict *session_page(struct request *req, const struct session_view *s)
{
	struct tdict *d = http_page(req, arena_printf(req->arena, "%s session roster", s->exam));
	tdict_set(d, "session_id", s->id);
	tdict_set(d, "exam", s->exam);
	tdict_set(d, "exam_title", s->exam_title);
	tdict_set(d, "when", s->when);
	tdict_set(d, "location", s->location);
	tdict_set(d, "pass_written", s->pass_written);
	tdict_set(d, "pass_oral", s->pass_oral);
	tdict_set(d, "tolerance", s->tolerance);
	tdict_set_bool(d, "double_oral", s->double_oral);
	tdict_set_bool(d, "published", s->published);
	tdict_set_bool(d, "open", !s->closed);
	tdict_set_bool(d, "can_enter", s->closed && !s->published && req->user->role == ROLE_EXAMINER);
	tdict_set_bool(d, "can_publish", s->closed && !s->published && req->user->role == ROLE_ADMIN);
	tdict_set_bool(d, "admin", req->user->role == ROLE_ADMIN);
	/* Passes whose certificate could not be made at publication: the office must know. */
	struct cert_problem *p;
	int n = 0;
	if (req->user->role == ROLE_ADMIN && s->published && certificate_problems(req->arena, s->id, &p, &n) == DB_OK)
		for (int i = 0; i < n; i++) {
			struct tdict *r = tdict_push(d, "cert_problems");
			tdict_set(r, "holder", p[i].holder);
			tdict_set(r, "email", p[i].email);
			tdict_set(r, "problem", p[i].problem);
		}
	tdict_set_bool(d, "has_cert_problems", n > 0);
	return d;
}

/* Typed values of a rejected form, by booking id, to show the examiner's input again. */
struct typed_row {
	const char *booking_id, *written, *oral;
	int absent;
	const char *written_error, *oral_error, *row_error;
};

static void render_session(struct request *req, int status, const struct session_view *s,
    const struct typed_row *typed, size_t ntyped, const char *form_error)
{
	enum db_status st;
	PGresult *r = roster(req, &st);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct tdict *d = session_page(req, s);
	tdict_set(d, "form_error", form_error);
	for (int i = 0; i < db_rows(r); i++) {
		struct tdict *row = tdict_push(d, "rows");
		const char *id = db_val(r, i, 0);
		tdict_set(row, "booking_id", id);
		tdict_set(row, "name", db_val(r, i, 1));
		tdict_set(row, "email", db_val(r, i, 2));
		tdict_set(row, "written", db_val(r, i, 4));
		tdict_set(row, "oral", db_val(r, i, 5));
		tdict_set_bool(row, "absent", db_val(r, i, 3) && strcmp(db_val(r, i, 3), "t") == 0);
		tdict_set(row, "oral_a", db_val(r, i, 6));
		tdict_set(row, "oral_b", db_val(r, i, 7));
		tdict_set(row, "oral_resolved", db_val(r, i, 8));
		tdict_set(row, "computed", db_val(r, i, 9));
		tdict_set(row, "decision", db_val(r, i, 10));
		tdict_set(row, "decision_reason", db_val(r, i, 11));
		tdict_set_bool(row, "amended", strcmp(db_val(r, i, 12), "t") == 0);
		tdict_set(row, "amendment_reason", db_val(r, i, 13));
		tdict_set_bool(row, "has_result", strcmp(db_val(r, i, 14), "t") == 0);
		const char *outcome = db_val(r, i, 15);
		tdict_set(row, "outcome", outcome);
		tdict_set_bool(row, "gap", strcmp(outcome, "gap") == 0);
		for (size_t k = 0; k < ntyped; k++) {
			if (strcmp(typed[k].booking_id, id) != 0)
				continue;
			tdict_set(row, "written", typed[k].written);
			tdict_set(row, "oral", typed[k].oral);
			tdict_set_bool(row, "absent", typed[k].absent);
			tdict_set(row, "written_error", typed[k].written_error);
			tdict_set(row, "oral_error", typed[k].oral_error);
			tdict_set(row, "row_error", typed[k].row_error);
		}
	}
	http_render(req, status, "examiner_session", d);
}

void page_examiner_session(struct request *req)
{
	struct session_view s;
	if (session_access(req, &s) == 0)
		render_session(req, 200, &s, NULL, 0, NULL);
}

/* A ticked checkbox sends its value ("on" by default); scripts may send "" or "0" for unticked. */
static int checkbox_on(const char *v)
{
	return v != NULL && *v != '\0' && strcmp(v, "0") != 0 && strcasecmp(v, "off") != 0 &&
	    strcasecmp(v, "false") != 0 && strcasecmp(v, "no") != 0;
}

/* "written_12" → kind "written", id "12"; 0 when the name has that shape. */
static int split_field(const char *name, char *kind, size_t kind_cap, const char **id)
{
	const char *u = strrchr(name, '_');
	if (u == NULL || u == name || (size_t)(u - name) >= kind_cap || u[1] == '\0')
		return -1;
	memcpy(kind, name, (size_t)(u - name));
	kind[u - name] = '\0';
	*id = u + 1;
	return strspn(*id, "0123456789") == strlen(*id) ? 0 : -1;
}

void post_results(struct request *req)
{
	struct session_view s;
	if (session_access(req, &s) != 0)
		return;
	enum db_status st;
	PGresult *r = roster(req, &st);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	size_t n = (size_t)db_rows(r);
	struct typed_row *typed = arena_zalloc(req->arena, sizeof *typed * (n + 1));
	struct result_row *rows = arena_zalloc(req->arena, sizeof *rows * (n + 1));
	for (size_t i = 0; i < n; i++)
		typed[i].booking_id = rows[i].booking_id = db_val(r, (int)i, 0);

	/* Every posted field must belong to a row of this roster. */
	for (size_t f = 0; f < req->form.n; f++) {
		const char *name = req->form.v[f].name, *id;
		char kind[16];
		if (strcmp(name, "csrf") == 0)
			continue;
		int known = split_field(name, kind, sizeof kind, &id) == 0 &&
		    (strcmp(kind, "written") == 0 || strcmp(kind, "oral") == 0 || strcmp(kind, "absent") == 0);
		for (size_t i = 0; known && i < n; i++)
			if (strcmp(rows[i].booking_id, id) == 0)
				known = 2;
		if (known != 2) {
			render_session(req, 400, &s, NULL, 0, arena_printf(req->arena,
			    "The form sent a field that is not part of this roster (%s); nothing was saved.", name));
			return;
		}
	}

	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		struct typed_row *t = &typed[i];
		const char *id = t->booking_id;
		t->written = fields_get(&req->form, arena_printf(req->arena, "written_%s", id));
		t->oral = fields_get(&req->form, arena_printf(req->arena, "oral_%s", id));
		t->absent = checkbox_on(fields_get(&req->form, arena_printf(req->arena, "absent_%s", id)));
		int w = score_parse(t->written), o = score_parse(t->oral);
		rows[i].absent = t->absent;
		rows[i].written = w;
		rows[i].oral = o;
		if (t->absent) {
			if (w != SCORE_EMPTY || o != SCORE_EMPTY) {
				t->row_error = "Marked absent: leave the scores empty, or untick absent.";
				bad = 1;
			}
			rows[i].written = rows[i].oral = -1;
			continue;
		}
		if (w < 0) {
			t->written_error = w == SCORE_EMPTY ? "Enter the written score (0–100) or tick absent." :
			    "The written score must be a whole number from 0 to 100.";
			bad = 1;
		}
		if (o < 0) {
			t->oral_error = o == SCORE_EMPTY ? "Enter the oral score (0–100) or tick absent." :
			    "The oral score must be a whole number from 0 to 100.";
			bad = 1;
		}
	}
	if (bad) {
		render_session(req, 400, &s, typed, n, "Some rows need attention; nothing was saved. "
		    "Results are saved for the whole roster at once.");
		return;
	}
	struct refusal ref = { 0 };
	st = results_save(req->arena, s.id, req->user->id_text, rows, n, &ref);
	if (st == DB_REFUSED) {
		http_refusal(req, "Results not saved", &ref);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/examiner/sessions/%s?saved=1", s.id));
}

void post_publish(struct request *req)
{
	static const char *const allowed[] = { NULL };
	if (http_unexpected_field(req, allowed) != NULL) {
		http_error(req, 400, "The publication form sent a field it does not have.");
		return;
	}
	int issued = 0;
	struct refusal ref = { 0 };
	enum db_status st = session_publish(req->arena, req->params[0], req->user->id_text, &issued, &ref);
	if (st == DB_REFUSED) {
		http_refusal(req, "Results not published", &ref);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/examiner/sessions/%s", req->params[0]));
}

/* The session a booking belongs to, for redirecting back after an admin action. */
static const char *session_of(struct request *req, const char *booking_id)
{
	enum db_status st;
	PGresult *r = db_query(req->arena, &st, "SELECT session_id FROM bookings WHERE id = $1", 1, booking_id);
	return st == DB_OK && db_rows(r) == 1 ? db_val(r, 0, 0) : NULL;
}

static const char *reason_field(struct request *req)
{
	const char *reason = http_form(req, "reason");
	while (*reason == ' ')
		reason++;
	if (*reason == '\0' || strlen(reason) > 1000) {
		http_error(req, 400, "A reason (1 to 1000 characters) is required for this change.");
		return NULL;
	}
	return reason;
}

static void after_change(struct request *req, enum db_status st, const struct refusal *ref)
{
	if (st == DB_REFUSED) {
		http_refusal(req, "Change not possible", ref);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	const char *session = session_of(req, req->params[0]);
	http_redirect(req, session ? arena_printf(req->arena, "/examiner/sessions/%s", session) : "/admin");
}

void post_decision(struct request *req)
{
	static const char *const allowed[] = { "outcome", "reason", NULL };
	if (http_unexpected_field(req, allowed) != NULL) {
		http_error(req, 400, "The decision form sent a field it does not have.");
		return;
	}
	const char *outcome = http_form(req, "outcome");
	int o = outcome_parse(outcome);
	if (o != OUTCOME_PASS && o != OUTCOME_FAIL && o != OUTCOME_ABSENT) {
		http_error(req, 400, "The committee's decision must be pass, fail or absent.");
		return;
	}
	const char *reason = reason_field(req);
	if (reason == NULL)
		return;
	struct refusal ref = { 0 };
	after_change(req, result_decide(req->arena, req->params[0], req->user->id_text, outcome, reason,
	    &ref), &ref);
}

void post_resolve(struct request *req)
{
	static const char *const allowed[] = { "oral", "reason", NULL };
	if (http_unexpected_field(req, allowed) != NULL) {
		http_error(req, 400, "The resolution form sent a field it does not have.");
		return;
	}
	int oral = score_parse(http_form(req, "oral"));
	if (oral < 0) {
		http_error(req, 400, "The oral score to use must be a whole number from 0 to 100.");
		return;
	}
	const char *reason = reason_field(req);
	if (reason == NULL)
		return;
	struct refusal ref = { 0 };
	after_change(req, result_resolve_gap(req->arena, req->params[0], req->user->id_text, oral,
	    reason, &ref), &ref);
}

void post_amend(struct request *req)
{
	static const char *const allowed[] = { "written", "oral", "absent", "reason", NULL };
	if (http_unexpected_field(req, allowed) != NULL) {
		http_error(req, 400, "The amendment form sent a field it does not have.");
		return;
	}
	struct result_row row = { req->params[0], fields_get(&req->form, "absent") != NULL,
		score_parse(http_form(req, "written")), score_parse(http_form(req, "oral")) };
	if (row.absent ? (row.written != SCORE_EMPTY || row.oral != SCORE_EMPTY) :
	    (row.written < 0 || row.oral < 0)) {
		http_error(req, 400, "Give both scores (0–100), or tick absent with no scores.");
		return;
	}
	const char *reason = reason_field(req);
	if (reason == NULL)
		return;
	struct refusal ref = { 0 };
	after_change(req, result_amend(req->arena, req->params[0], req->user->id_text, &row, reason,
	    &ref), &ref);
}

/* ---- CSV import of the results (docs/import.md) ---- */

static void render_import(struct request *req, int status, const struct session_view *s,
    const struct results_import *rep, const char *filename, const char *form_error)
{
	struct tdict *d = http_page(req, arena_printf(req->arena, "%s session: results import", s->exam));
	tdict_set(d, "session_id", s->id);
	tdict_set(d, "exam", s->exam);
	tdict_set(d, "when", s->when);
	tdict_set(d, "filename", filename);
	tdict_set(d, "form_error", form_error);
	if (rep != NULL) {
		tdict_set_bool(d, "dry_run", rep->dry_run);
		tdict_set_bool(d, "has_report", 1);
		tdict_set_bool(d, "report_ok", rep->file_error == NULL && rep->refused.kind == REFUSAL_NONE &&
		    rep->errors == 0);
		tdict_set(d, "summary", results_import_summary(req->arena, rep));
		tdict_set_bool(d, "has_rows", rep->nrows > 0);
	}
	for (int i = 0; rep != NULL && i < rep->nrows; i++) {
		const struct results_import_row *r = &rep->rows[i];
		struct tdict *t = tdict_push(d, "rows");
		tdict_set(t, "line", r->line > 0 ? arena_printf(req->arena, "%d", r->line) : "—");
		tdict_set(t, "booking", r->booking);
		tdict_set(t, "row_email", r->email);
		tdict_set_bool(t, "row_bad", r->error != NULL);
		tdict_set(t, "row_message", r->error != NULL ? r->error :
		    r->message != NULL ? r->message : "valid");
	}
	http_render(req, status, "results_import", d);
}

void post_results_import(struct request *req)
{
	static const char *const allowed[] = { "csv", "dry_run", NULL };
	struct session_view s;
	if (session_access(req, &s) != 0)
		return;
	if (http_unexpected_field(req, allowed) != NULL) {
		render_import(req, 400, &s, NULL, NULL, "The import form sent a field it does not have; "
		    "nothing was saved.");
		return;
	}
	int dry_run = http_form(req, "dry_run")[0] != '\0';
	const struct field *f = fields_find(&req->form, "csv");
	if (f == NULL || f->filename == NULL || f->filename[0] == '\0') {
		render_import(req, 400, &s, NULL, NULL, "Choose the CSV file to import.");
		return;
	}
	struct results_import rep;
	results_import_parse(req->arena, f->value, f->len, &rep);
	enum db_status st = results_import_run(req->arena, &rep, s.id, req->user->id_text, dry_run);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (rep.refused.kind != REFUSAL_NONE && rep.refused.kind != REFUSAL_CONFLICT) {
		http_refusal(req, "Results not imported", &rep.refused);
		return;
	}
	int status = rep.refused.kind == REFUSAL_CONFLICT ? 409 : rep.file_error != NULL || rep.errors > 0 ? 400 : 200;
	render_import(req, status, &s, &rep, f->filename, NULL);
}
