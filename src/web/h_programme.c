/* The office's view of the programme: each exam's pass marks and its dated prerequisites. */
#include <stdlib.h>
#include <string.h>

#include "db/programme.h"
#include "domain/outcome.h"
#include "web/handlers.h"

static enum db_status add_choices(struct request *req, struct tdict *d)
{
	enum db_status st;
	PGresult *r = db_query(req->arena, &st,
	    "SELECT 'course', code, code || ' — ' || title FROM courses"
	    " UNION ALL SELECT 'certificate', code, code || ' — ' || title FROM exams"
	    " UNION ALL SELECT 'attestation', code, title FROM attestation_kinds ORDER BY 1, 2", 0);
	if (st != DB_OK)
		return st;
	for (int i = 0; i < db_rows(r); i++) {
		struct tdict *o = tdict_push(d, "choices");
		tdict_set(o, "kind", db_val(r, i, 0));
		tdict_set(o, "value", arena_printf(req->arena, "%s:%s", db_val(r, i, 0), db_val(r, i, 1)));
		tdict_set(o, "label", db_val(r, i, 2));
	}
	return DB_OK;
}

/* field_exam/field_error: the reason shown beside the requirement field of that exam's form. */
static void show_exams_field(struct request *req, int status, const char *notice, const char *field_exam,
    const char *field_error)
{
	enum db_status st;
	PGresult *ex = db_query(req->arena, &st,
	    "SELECT code, title, pass_written, pass_oral, double_oral, oral_tolerance FROM exams ORDER BY sort", 0);
	PGresult *rules = st == DB_OK ? db_query(req->arena, &st,
	    "SELECT r.id, r.exam_code, r.kind, coalesce(r.course_code, r.certificate_exam, r.attestation),"
	    "   coalesce(c.title, x.title, k.title),"
	    "   to_char(r.valid_from AT TIME ZONE 'Europe/Vienna', 'YYYY-MM-DD HH24:MI'),"
	    "   to_char(r.valid_until AT TIME ZONE 'Europe/Vienna', 'YYYY-MM-DD HH24:MI'),"
	    "   r.valid_until IS NULL OR r.valid_until > now()"
	    " FROM exam_rules r LEFT JOIN courses c ON c.code = r.course_code"
	    " LEFT JOIN exams x ON x.code = r.certificate_exam LEFT JOIN attestation_kinds k ON k.code = r.attestation"
	    " ORDER BY r.exam_code, r.valid_until NULLS FIRST, r.id", 0) : NULL;
	struct tdict *d = http_page(req, "Examinations and prerequisites");
	if (st == DB_OK)
		st = add_choices(req, d);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	tdict_set(d, "notice", notice);
	for (int i = 0; i < db_rows(ex); i++) {
		const char *code = db_val(ex, i, 0);
		struct tdict *e = tdict_push(d, "exams");
		tdict_set(e, "exam", code);
		tdict_set(e, "exam_title", db_val(ex, i, 1));
		tdict_set(e, "pass_written", db_val(ex, i, 2));
		tdict_set(e, "pass_oral", db_val(ex, i, 3));
		tdict_set_bool(e, "double_oral", strcmp(db_val(ex, i, 4), "t") == 0);
		tdict_set(e, "tolerance", db_val(ex, i, 5));
		if (field_exam != NULL && strcmp(field_exam, code) == 0)
			tdict_set(e, "requirement_error", field_error);
		tdict_set_list(e, "in_force");
		tdict_set_list(e, "history");
		for (int k = 0; k < db_rows(rules); k++) {
			if (strcmp(db_val(rules, k, 1), code) != 0)
				continue;
			int live = strcmp(db_val(rules, k, 7), "t") == 0;
			http_push_row(e, live ? "in_force" : "history", rules, k, (const char *const[]){
			    "rule_id", "", "kind", "ref", "ref_title", "from", "until", NULL });
		}
	}
	http_render(req, status, "admin_exams", d);
}

static void show_exams(struct request *req, int status, const char *notice)
{
	show_exams_field(req, status, notice, NULL, NULL);
}

void page_admin_exams(struct request *req)
{
	show_exams(req, 200, NULL);
}

static void answer(struct request *req, enum db_status st, const struct refusal *ref)
{
	if (st == DB_REFUSED) {
		http_refusal(req, "Not changed", ref);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, "/admin/exams");
}

const struct form_spec form_exam_marks = { "the pass marks form", (const struct form_field[]){
	{ .name = "pass_written", .kind = VALID_SCORE, .flags = FIELD_REQUIRED },
	{ .name = "pass_oral", .kind = VALID_SCORE, .flags = FIELD_REQUIRED },
	{ .name = "double_oral", .kind = VALID_CHECKBOX },
	{ .name = "tolerance", .kind = VALID_SCORE, .flags = FIELD_REQUIRED },
	{ .name = NULL } } };

void post_admin_exam_marks(struct request *req)
{
	if (req->in.unexpected != NULL) {
		http_error(req, 400, form_error(req));
		return;
	}
	if (req->in.bad) {
		show_exams(req, 400, "Pass marks and the tolerance are whole numbers from 0 to 100; nothing was changed.");
		return;
	}
	struct refusal ref = { 0 };
	answer(req, exam_marks_update(req->arena, req->params[0], atoi(form_value(req, "pass_written")),
	    atoi(form_value(req, "pass_oral")), form_ticked(req, "double_oral"),
	    atoi(form_value(req, "tolerance")), req->user->id_text, &ref), &ref);
}

/* "course:GALEN", "certificate:L2", "attestation:ESNR-MEMBER": the options of one select. */
const struct form_spec form_exam_rules = { "the prerequisite form", (const struct form_field[]){
	{ .name = "requirement", .kind = VALID_TEXT, .max = 80, .flags = FIELD_REQUIRED,
	  .message = "Choose the requirement to add." },
	{ .name = NULL } } };

void post_admin_exam_rules(struct request *req)
{
	const char *value = form_value(req, "requirement");
	const char *colon = strchr(value, ':');
	if (req->in.bad || colon == NULL || colon[1] == '\0') {
		http_error(req, 400, "Choose the requirement to add.");
		return;
	}
	const char *kind = arena_strndup(req->arena, value, (size_t)(colon - value));
	/* Validated like every other field: an unknown course (or exam, or attestation) is the
	 * office's typing or a stale form, answered 400 beside the field, never a refusal by the
	 * database's foreign key. */
	int known = 0;
	enum db_status st = exam_rule_ref_known(req->arena, kind, colon + 1, &known);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (!known) {
		const char *what = strcmp(kind, "course") == 0 ? "course" : strcmp(kind, "certificate") == 0 ?
		    "examination" : strcmp(kind, "attestation") == 0 ? "attestation" : NULL;
		show_exams_field(req, 400, "Nothing was changed.", req->params[0], what ?
		    arena_printf(req->arena, "There is no %s %s: choose one from the list.", what, colon + 1) :
		    "A prerequisite is a course, a certificate or an attestation: choose one from the list.");
		return;
	}
	struct refusal ref = { 0 };
	answer(req, exam_rule_add(req->arena, req->params[0], kind, colon + 1, req->user->id_text, &ref),
	    &ref);
}

const struct form_spec form_rule_retire = { "the form that ends a rule", (const struct form_field[]){
	{ .name = NULL } } };

void post_admin_rule_retire(struct request *req)
{
	if (req->in.bad) {
		http_error(req, 400, form_error(req));
		return;
	}
	struct refusal ref = { 0 };
	answer(req, exam_rule_retire(req->arena, req->params[0], req->user->id_text, &ref), &ref);
}
