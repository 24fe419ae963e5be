/* The ESNR office and the candidates: the search, one candidate's file, recording
 * attendances, MCQs, completions and attestations, and a change of the registered name. */
#include <string.h>

#include "db/catalogue.h"
#include "db/certificate_issue.h"
#include "db/import.h"
#include "db/office.h"
#include "db/records.h"
#include "db/users.h"
#include "web/handlers.h"

#define CANDIDATES_SHOWN 100

void page_admin_candidates(struct request *req)
{
	struct tdict *d = http_page(req, "Candidates");
	static const struct valid_rule query = { VALID_TEXT, 1, 200, NULL };
	const char *why, *q = valid_check(req->arena, &query, fields_get(&req->query, "q"), &why);
	struct candidate_row *rows;
	size_t n;
	int more;
	q = q != NULL ? q : "";
	tdict_set(d, "q", q);
	enum db_status st = candidate_search(req->arena, q, CANDIDATES_SHOWN, &rows, &n, &more);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct tdict *c = tdict_push(d, "candidates");
		tdict_set(c, "candidate_id", rows[i].id);
		tdict_set(c, "name", rows[i].name);
		tdict_set(c, "email", rows[i].email);
		tdict_set(c, "since", rows[i].since);
		tdict_set_int(c, "bookings", rows[i].bookings);
	}
	tdict_set_bool(d, "more", more);
	tdict_set_int(d, "shown", (long long)n);
	http_render(req, 200, "admin_candidates", d);
}

static const char *const record_kinds[] = { "attendance", "mcq", "completion", NULL };
static const char *const mcq_results[] = { "pass", "fail", NULL };

/* The options of the two record forms, with the values the office chose kept. */
static enum db_status add_record_forms(struct request *req, struct tdict *d)
{
	static const char *const kind_labels[] = { "Attendance", "MCQ result", "Completion" };
	struct arena *a = req->arena;
	struct code_title *courses, *kinds;
	struct edition_row *editions;
	size_t ncourses, nkinds, neditions;
	enum db_status st;
	if ((st = course_list(a, &courses, &ncourses)) != DB_OK ||
	    (st = edition_list(a, &editions, &neditions)) != DB_OK ||
	    (st = attestation_kind_list(a, &kinds, &nkinds)) != DB_OK)
		return st;
	for (int i = 0; i < 3; i++)
		http_option(d, "rec_kinds", record_kinds[i], kind_labels[i], tdict_get(d, "rec_kind"));
	http_option(d, "rec_results", "", "— (not an MCQ)", tdict_get(d, "rec_result"));
	http_option(d, "rec_results", "pass", "passed", tdict_get(d, "rec_result"));
	http_option(d, "rec_results", "fail", "failed", tdict_get(d, "rec_result"));
	for (size_t i = 0; i < ncourses; i++)
		http_option(d, "rec_courses", courses[i].code, arena_printf(a, "%s · %s", courses[i].code,
		    courses[i].title), tdict_get(d, "rec_course"));
	http_option(d, "rec_editions", "", "— (none)", tdict_get(d, "rec_edition"));
	for (size_t i = 0; i < neditions; i++) {
		const struct edition_row *e = &editions[i];
		http_option(d, "rec_editions", e->id, arena_printf(a, "#%s %s · %s · %s · %s", e->id,
		    e->course, e->cycle, e->city, e->starts_on), tdict_get(d, "rec_edition"));
	}
	for (size_t i = 0; i < nkinds; i++)
		http_option(d, "att_kinds", kinds[i].code, kinds[i].title, tdict_get(d, "att_kind"));
	return DB_OK;
}

static enum db_status add_candidate_records(struct request *req, struct tdict *d, const char *id)
{
	struct arena *a = req->arena;
	struct candidate_file f;
	enum db_status st = candidate_file(a, id, &f);
	if (st != DB_OK)
		return st;
	for (size_t i = 0; i < f.nattendances; i++) {
		const struct attendance_entry *e = &f.attendances[i];
		struct tdict *t = tdict_push(d, "attendances");
		tdict_set(t, "course", e->course);
		tdict_set(t, "course_title", e->course_title);
		tdict_set(t, "edition", e->edition_id == NULL ? NULL : arena_printf(a, "#%s %s, %s",
		    e->edition_id, e->cycle, e->city));
		tdict_set(t, "date", e->date);
		tdict_set(t, "recorded_by", e->recorded_by);
	}
	for (size_t i = 0; i < f.nmcqs; i++) {
		struct tdict *t = tdict_push(d, "mcqs");
		tdict_set(t, "course", f.mcqs[i].course);
		tdict_set(t, "attempt", f.mcqs[i].attempt);
		tdict_set(t, "date", f.mcqs[i].date);
		tdict_set(t, "recorded_by", f.mcqs[i].recorded_by);
		tdict_set_bool(t, "passed", f.mcqs[i].passed);
	}
	for (size_t i = 0; i < f.nattestations; i++) {
		const struct attestation_entry *e = &f.attestations[i];
		struct tdict *t = tdict_push(d, "attestations");
		tdict_set(t, "att_title", e->title);
		tdict_set(t, "kind", e->kind);
		tdict_set(t, "evidence_date", e->evidence_date);
		tdict_set(t, "checked_by", e->checked_by);
		tdict_set(t, "checked_at", e->checked_at);
	}
	for (size_t i = 0; i < f.ncertificates; i++) {
		const struct certificate_entry *c = &f.certificates[i];
		struct tdict *t = tdict_push(d, "certificates");
		tdict_set(t, "number", c->number);
		tdict_set(t, "exam", c->exam);
		tdict_set(t, "issued", c->issued);
		tdict_set(t, "cert_state", c->revoked_reason != NULL ?
		    arena_printf(a, "revoked: %s", c->revoked_reason) : c->superseded_by != NULL ?
		    arena_printf(a, "superseded by %s", c->superseded_by) : "valid");
	}
	return DB_OK;
}

/* 1 when id names a candidate (the page then shows who); else a 404 or an error page is sent. */
static int candidate_known(struct request *req, struct tdict *d, const char *id)
{
	struct candidate_row c;
	int found;
	enum db_status st = candidate_get(req->arena, id, &c, &found);
	if (st != DB_OK) {
		fail_db(req, st);
		return 0;
	}
	if (!found) {
		http_error(req, 404, "There is no such candidate.");
		return 0;
	}
	tdict_set(d, "candidate_id", c.id);
	tdict_set(d, "cand_name", c.name);
	tdict_set(d, "cand_email", c.email);
	tdict_set(d, "cand_since", c.since);
	tdict_set(d, "title", c.name);
	return 1;
}

static void show_candidate(struct request *req, int status, struct tdict *d, const char *id)
{
	enum db_status st;
	if (!candidate_known(req, d, id))
		return;
	if ((st = add_candidate_records(req, d, id)) != DB_OK ||
	    (st = add_record_forms(req, d)) != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_render(req, status, "admin_candidate", d);
}

void page_admin_candidate(struct request *req)
{
	show_candidate(req, 200, http_page(req, "Candidate"), req->params[0]);
}

const struct form_spec form_admin_records = { "the record form", (const struct form_field[]){
	{ .name = "kind", .kind = VALID_CHOICE, .choices = record_kinds, .flags = FIELD_REQUIRED,
	  .key = "rec_kind", .message = "Choose attendance, MCQ result or completion." },
	{ .name = "course", .kind = VALID_CODE, .flags = FIELD_REQUIRED, .key = "rec_course",
	  .message = "Choose the course or module." },
	{ .name = "date", .kind = VALID_DATE, .flags = FIELD_REQUIRED, .key = "rec_date",
	  .message = "Enter the date, like 2027-05-03." },
	{ .name = "result", .kind = VALID_CHOICE, .choices = mcq_results, .key = "rec_result",
	  .message = "An MCQ result is passed or failed: choose one." },
	{ .name = "edition", .kind = VALID_ID, .key = "rec_edition",
	  .message = "Choose an edition from the list, or none." },
	{ .name = NULL } } };

struct record_tx {
	const char *user_id;
	const struct import_row *row;
	const char *recorded_by;
	struct record_result res;
};

static enum db_status record_body(struct arena *a, void *ctx)
{
	struct record_tx *t = ctx;
	return import_row_apply(a, t->user_id, t->row, t->recorded_by, &t->res);
}

void post_admin_candidate_records(struct request *req)
{
	struct tdict *d = http_page(req, "Candidate");
	const char *id = req->params[0];
	int bad = form_invalid(req, d);
	struct import_row row;
	memset(&row, 0, sizeof row);
	row.kind_text = form_value(req, "kind");
	row.course = form_value(req, "course");
	row.date = form_value(req, "date");
	row.kind = import_kind_parse(row.kind_text);
	row.passed = strcmp(form_value(req, "result"), "pass") == 0;
	const char *edition = form_value(req, "edition");
	row.edition = edition[0] != '\0' ? edition : NULL;
	/* What one field says about another: only an MCQ has a result, and no edition. */
	if (row.kind == IMPORT_MCQ && form_value(req, "result")[0] == '\0' &&
	    tdict_get(d, "rec_result_error") == NULL) {
		tdict_set(d, "rec_result_error", "An MCQ result is passed or failed: choose one.");
		bad = 1;
	} else if (row.kind_text[0] != '\0' && row.kind != IMPORT_MCQ && form_value(req, "result")[0] != '\0') {
		tdict_set(d, "rec_result_error", "Only an MCQ has a result: leave this empty.");
		bad = 1;
	}
	if (row.edition != NULL && row.kind == IMPORT_MCQ) {
		tdict_set(d, "rec_edition_error", "An MCQ belongs to the latest attendance: leave the edition empty.");
		bad = 1;
	}
	if (bad) {
		show_candidate(req, 400, d, id);
		return;
	}
	if (!candidate_known(req, d, id))
		return;
	struct record_tx t = { id, &row, req->user->id_text, { 0 } };
	enum db_status st = db_tx(req->arena, DB_READ_COMMITTED, record_body, &t);
	if (st == DB_REFUSED) {
		/* A bad course or edition is the form's values, not the records, being wrong. */
		const struct refusal *ref = &t.res.refusal;
		if (ref->kind == REFUSAL_BAD_FIELD && strcmp(ref->field, "course") == 0)
			tdict_set(d, "rec_course_error", "Choose one of the courses in the list.");
		else if (ref->kind == REFUSAL_BAD_FIELD)
			tdict_setf(d, "rec_edition_error", "The %s: choose an edition of this course, or none.",
			    t.res.message);
		else
			tdict_setf(d, "rec_refused", "Not recorded: %s.", t.res.message);
		show_candidate(req, http_refusal_status(ref), d, id);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/admin/candidates/%s", id));
}

const struct form_spec form_admin_attestations = { "the attestation form", (const struct form_field[]){
	{ .name = "kind", .kind = VALID_CODE, .flags = FIELD_REQUIRED, .key = "att_kind",
	  .message = "Choose what is attested." },
	{ .name = "evidence_date", .kind = VALID_DATE, .flags = FIELD_REQUIRED, .key = "att_date",
	  .message = "Enter the date of the evidence, like 2025-09-01." },
	{ .name = NULL } } };

void post_admin_candidate_attestations(struct request *req)
{
	struct tdict *d = http_page(req, "Candidate");
	const char *id = req->params[0];
	if (form_invalid(req, d)) {
		show_candidate(req, 400, d, id);
		return;
	}
	if (!candidate_known(req, d, id))
		return;
	struct record_result res = { 0 };
	enum db_status st = attestation_record(req->arena, id, form_value(req, "kind"),
	    form_value(req, "evidence_date"), req->user->id_text, &res);
	if (st == DB_REFUSED) {
		tdict_set(d, "att_kind_error", "Choose one of the attestations in the list.");
		show_candidate(req, 400, d, id);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/admin/candidates/%s", id));
}

const struct form_spec form_admin_candidate_name = { "the name form", (const struct form_field[]){
	{ .name = "full_name", .kind = VALID_NAME, .flags = FIELD_REQUIRED },
	{ .name = NULL } } };

/* A change of the registered name (marriage, a correction); certificates follow by reissue. */
void post_admin_candidate_name(struct request *req)
{
	if (req->in.bad) {
		http_error(req, 400, form_error(req));
		return;
	}
	/* A name the certificate font cannot draw is refused now, not at the reissue. */
	const char *name = form_value(req, "full_name"), *why = holder_name_problem(req->arena, name);
	if (why != NULL) {
		http_error(req, 400, why);
		return;
	}
	struct refusal ref = { 0 };
	enum db_status st = user_rename(req->arena, req->params[0], name, req->user->id_text, &ref);
	if (st == DB_REFUSED) {
		http_refusal(req, "Name not changed", &ref);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/admin/candidates/%s", req->params[0]));
}
