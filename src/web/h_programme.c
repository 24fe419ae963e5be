/* The office's view of the programme: each exam's pass marks and its dated prerequisites. */
#include <stdlib.h>
#include <string.h>

#include "db/programme.h"
#include "domain/outcome.h"
#include "web/handlers.h"

/* field_exam/field_error: the reason shown beside the requirement field of that exam's form. */
static void show_exams_field(struct request *req, int status, const char *notice, const char *field_exam,
    const char *field_error)
{
	struct programme_view v;
	enum db_status st = programme_view(req->arena, &v);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct tdict *d = http_page(req, "Examinations and prerequisites");
	for (size_t i = 0; i < v.nchoices; i++) {
		struct tdict *o = tdict_push(d, "choices");
		tdict_set(o, "kind", v.choices[i].kind);
		tdict_set(o, "value", arena_printf(req->arena, "%s:%s", v.choices[i].kind, v.choices[i].code));
		tdict_set(o, "label", v.choices[i].label);
	}
	tdict_set(d, "notice", notice);
	for (size_t i = 0; i < v.nexams; i++) {
		const struct exam_marks_row *x = &v.exams[i];
		struct tdict *e = tdict_push(d, "exams");
		tdict_set(e, "exam", x->code);
		tdict_set(e, "exam_title", x->title);
		tdict_set(e, "pass_written", x->pass_written);
		tdict_set(e, "pass_oral", x->pass_oral);
		tdict_set_bool(e, "double_oral", x->double_oral);
		tdict_set(e, "tolerance", x->tolerance);
		if (field_exam != NULL && strcmp(field_exam, x->code) == 0)
			tdict_set(e, "requirement_error", field_error);
		tdict_set_list(e, "in_force");
		tdict_set_list(e, "history");
		for (size_t k = 0; k < v.nrules; k++) {
			const struct rule_row *r = &v.rules[k];
			if (strcmp(r->exam, x->code) != 0)
				continue;
			struct tdict *t = tdict_push(e, r->in_force ? "in_force" : "history");
			tdict_set(t, "rule_id", r->id);
			tdict_set(t, "kind", r->kind);
			tdict_set(t, "ref", r->ref);
			tdict_set(t, "ref_title", r->ref_title);
			tdict_set(t, "from", r->from);
			tdict_set(t, "until", r->until);
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
