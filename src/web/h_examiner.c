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

/* 0 and the session when the user may see it; else the error page is set. */
static int session_access(struct request *req, struct exam_session_view *s)
{
	int found;
	enum db_status st = exam_session_view_get(req->arena, req->params[0], req->user->id_text, s,
	    &found);
	if (st != DB_OK) {
		fail_db(req, st);
		return -1;
	}
	/* Not assigned: 403 whether or not the session exists, so ids cannot be probed. */
	if (req->user->role != ROLE_ADMIN && !(found && s->assigned)) {
		http_error(req, 403, "Only the examiners assigned to this session can see its roster.");
		return -1;
	}
	if (!found) {
		http_error(req, 404, "There is no such session.");
		return -1;
	}
	return 0;
}

static struct tdict *session_page(struct request *req, const struct exam_session_view *s)
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

static void render_session(struct request *req, int status, const struct exam_session_view *s,
    const struct typed_row *typed, size_t ntyped, const char *form_error)
{
	struct roster_result *rows;
	size_t n;
	enum db_status st = results_roster(req->arena, s->id, req->user->id_text, &rows, &n);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct tdict *d = session_page(req, s);
	tdict_set(d, "form_error", form_error);
	for (size_t i = 0; i < n; i++) {
		const struct roster_result *x = &rows[i];
		struct tdict *row = tdict_push(d, "rows");
		tdict_set(row, "booking_id", x->booking_id);
		tdict_set(row, "name", x->name);
		tdict_set(row, "email", x->email);
		tdict_set(row, "written", x->written);
		tdict_set(row, "oral", x->oral);
		tdict_set_bool(row, "absent", x->absent);
		tdict_set(row, "oral_a", x->oral_a);
		tdict_set(row, "oral_b", x->oral_b);
		tdict_set(row, "oral_resolved", x->oral_resolved);
		tdict_set(row, "computed", x->computed);
		tdict_set(row, "decision", x->decision);
		tdict_set(row, "decision_reason", x->decision_reason);
		tdict_set_bool(row, "amended", x->amended);
		tdict_set(row, "amendment_reason", x->amendment_reason);
		tdict_set_bool(row, "has_result", x->has_result);
		tdict_set(row, "outcome", x->outcome);
		tdict_set_bool(row, "gap", strcmp(x->outcome, "gap") == 0);
		for (size_t k = 0; k < ntyped; k++) {
			if (strcmp(typed[k].booking_id, x->booking_id) != 0)
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
	struct exam_session_view s;
	if (session_access(req, &s) == 0)
		render_session(req, 200, &s, NULL, 0, NULL);
}

/* One row per booked candidate: all rows are saved or none. */
const struct form_spec form_results = { "the results form", (const struct form_field[]){
	{ .name = "written_{#}", .kind = VALID_SCORE },
	{ .name = "oral_{#}", .kind = VALID_SCORE },
	{ .name = "absent_{#}", .kind = VALID_CHECKBOX },
	{ .name = NULL } } };

/* A score field of the results form: its value as typed, and the score or SCORE_EMPTY /
 * SCORE_INVALID. */
static int row_score(const struct request *req, const char *kind, const char *id, const char **typed)
{
	const struct form_item *it = form_input_item(&req->in, arena_printf(req->arena, "%s_%s", kind, id));
	*typed = it != NULL ? it->given : NULL;
	if (it == NULL || !valid_given(it->given))
		return SCORE_EMPTY;
	return it->error != NULL ? SCORE_INVALID : atoi(it->value);
}

void post_results(struct request *req)
{
	struct exam_session_view s;
	if (session_access(req, &s) != 0)
		return;
	struct roster_result *booked;
	size_t n;
	enum db_status st = results_roster(req->arena, s.id, req->user->id_text, &booked, &n);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct typed_row *typed = arena_zalloc(req->arena, sizeof *typed * (n + 1));
	struct result_row *rows = arena_zalloc(req->arena, sizeof *rows * (n + 1));
	for (size_t i = 0; i < n; i++)
		typed[i].booking_id = rows[i].booking_id = booked[i].booking_id;

	/* Every posted field must belong to a row of this roster. */
	const char *stray = req->in.unexpected;
	for (size_t f = 0; stray == NULL && f < req->in.n; f++) {
		const char *name = req->in.items[f].name;
		int known = 0;
		for (size_t i = 0; !known && i < n; i++)
			known = strcmp(strchr(name, '_') + 1, rows[i].booking_id) == 0;
		if (!known)
			stray = name;
	}
	if (stray != NULL) {
		render_session(req, 400, &s, NULL, 0, arena_printf(req->arena,
		    "The form sent a field that is not part of this roster (%s); nothing was saved.", stray));
		return;
	}

	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		struct typed_row *t = &typed[i];
		const char *id = t->booking_id;
		int w = row_score(req, "written", id, &t->written), o = row_score(req, "oral", id, &t->oral);
		t->absent = form_ticked(req, arena_printf(req->arena, "absent_%s", id));
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

const struct form_spec form_publish = { "the publication form", (const struct form_field[]){
	{ .name = NULL } } };

void post_publish(struct request *req)
{
	if (req->in.bad) {
		http_error(req, 400, form_error(req));
		return;
	}
	int issued = 0;
	struct refusal ref = { 0 };
	enum db_status st = exam_session_publish(req->arena, req->params[0], req->user->id_text, &issued, &ref);
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
	/* Back to the session the booking belongs to. */
	const char *session = NULL;
	(void)booking_session_of(req->arena, req->params[0], &session);
	http_redirect(req, session ? arena_printf(req->arena, "/examiner/sessions/%s", session) : "/admin");
}

static const char *const decisions[] = { "pass", "fail", "absent", NULL };

const struct form_spec form_decision = { "the decision form", (const struct form_field[]){
	{ .name = "outcome", .kind = VALID_CHOICE, .choices = decisions, .flags = FIELD_REQUIRED,
	  .message = "The committee's decision must be pass, fail or absent." },
	{ .name = "reason", .kind = VALID_REASON, .flags = FIELD_REQUIRED },
	{ .name = NULL } } };

void post_decision(struct request *req)
{
	if (req->in.bad) {
		http_error(req, 400, form_error(req));
		return;
	}
	struct refusal ref = { 0 };
	after_change(req, result_decide(req->arena, req->params[0], req->user->id_text,
	    form_value(req, "outcome"), form_value(req, "reason"), &ref), &ref);
}

const struct form_spec form_resolve = { "the resolution form", (const struct form_field[]){
	{ .name = "oral", .kind = VALID_SCORE, .flags = FIELD_REQUIRED,
	  .message = "The oral score to use must be a whole number from 0 to 100." },
	{ .name = "reason", .kind = VALID_REASON, .flags = FIELD_REQUIRED },
	{ .name = NULL } } };

void post_resolve(struct request *req)
{
	if (req->in.bad) {
		http_error(req, 400, form_error(req));
		return;
	}
	struct refusal ref = { 0 };
	after_change(req, result_resolve_gap(req->arena, req->params[0], req->user->id_text,
	    atoi(form_value(req, "oral")), form_value(req, "reason"), &ref), &ref);
}

const struct form_spec form_amend = { "the amendment form", (const struct form_field[]){
	{ .name = "written", .kind = VALID_SCORE, .message = "Give both scores (0–100), or tick absent with no scores." },
	{ .name = "oral", .kind = VALID_SCORE, .message = "Give both scores (0–100), or tick absent with no scores." },
	{ .name = "absent", .kind = VALID_CHECKBOX },
	{ .name = "reason", .kind = VALID_REASON, .flags = FIELD_REQUIRED },
	{ .name = NULL } } };

static int score_of(const struct request *req, const char *name)
{
	const char *v = form_value(req, name);
	return v[0] != '\0' ? atoi(v) : SCORE_EMPTY;
}

void post_amend(struct request *req)
{
	if (req->in.bad) {
		http_error(req, 400, form_error(req));
		return;
	}
	struct result_row row = { req->params[0], form_ticked(req, "absent"), score_of(req, "written"),
		score_of(req, "oral") };
	if (row.absent ? (row.written != SCORE_EMPTY || row.oral != SCORE_EMPTY) :
	    (row.written < 0 || row.oral < 0)) {
		http_error(req, 400, "Give both scores (0–100), or tick absent with no scores.");
		return;
	}
	const char *reason = form_value(req, "reason");
	struct refusal ref = { 0 };
	after_change(req, result_amend(req->arena, req->params[0], req->user->id_text, &row, reason,
	    &ref), &ref);
}

/* ---- CSV import of the results (docs/import.md) ---- */

static void render_import(struct request *req, int status, const struct exam_session_view *s,
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

const struct form_spec form_results_import = { "the results import form", (const struct form_field[]){
	{ .name = "csv", .flags = FIELD_FILE | FIELD_REQUIRED, .message = "Choose the CSV file to import." },
	{ .name = "dry_run", .kind = VALID_CHECKBOX },
	{ .name = NULL } } };

void post_results_import(struct request *req)
{
	struct exam_session_view s;
	if (session_access(req, &s) != 0)
		return;
	if (req->in.unexpected != NULL) {
		render_import(req, 400, &s, NULL, NULL, "The import form sent a field it does not have; "
		    "nothing was saved.");
		return;
	}
	int dry_run = form_ticked(req, "dry_run");
	const struct field *f = form_file(req, "csv");
	if (f == NULL) {
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
