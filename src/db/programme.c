#include "db/programme.h"

#include "db/catalogue.h"

#include <stdlib.h>
#include <string.h>

/* One row per MCQ attempt (or one for an attendance without any), counted and ordered
 * here: the course's title and MCQ rule come from the catalogue and the edition's name from
 * the catalogue's copy of the editions (db/catalogue.h), kept per process. A join, an
 * aggregate per attendance and a look-up of the edition among all of them cost four
 * times as much in PostgreSQL. */
static struct db_stmt q_attendances = DB_READ("records_attendances",
    "SELECT a.id, a.course_code, a.attended_on::text, a.edition_id, m.taken_on::text, m.passed"
    " FROM attendances a LEFT JOIN mcq_attempts m ON m.attendance_id = a.id"
    " WHERE a.user_id = $1", 1);
static struct db_stmt q_certificates = DB_READ("records_certificates",
    "SELECT exam_code, number, (issued_at AT TIME ZONE 'Europe/Vienna')::date::text,"
    "   revoked_at IS NULL"
    " FROM certificates WHERE user_id = $1 ORDER BY issued_at", 1);
static struct db_stmt q_attestations = DB_READ("records_attestations",
    "SELECT kind, evidence_date::text FROM attestations WHERE user_id = $1", 1);

void records_calls(const char *user_id, struct db_call calls[RECORDS__MAX])
{
	calls[RECORDS_ATTENDANCES] = (struct db_call){ &q_attendances, { user_id } };
	calls[RECORDS_CERTIFICATES] = (struct db_call){ &q_certificates, { user_id } };
	calls[RECORDS_ATTESTATIONS] = (struct db_call){ &q_attestations, { user_id } };
}

struct attendance_row {
	struct attendance att;
	long long id;
};

static int by_date_then_id(const void *x, const void *y)
{
	const struct attendance_row *a = x, *b = y;
	int c = strcmp(a->att.date, b->att.date);
	return c != 0 ? c : (a->id > b->id) - (a->id < b->id);
}

static enum db_status attendances_parse(struct arena *a, const PGresult *r, struct records *out)
{
	const struct catalogue *cat;
	enum db_status st = catalogue_get(&cat);
	if (st != DB_OK)
		return st;
	struct attendance_row *x = arena_zalloc(a, sizeof *x * (size_t)(db_rows(r) + 1));
	size_t n = 0;
	for (int i = 0; i < db_rows(r); i++) {
		long long id = db_int(r, i, 0);
		size_t k = 0;
		while (k < n && x[k].id != id)
			k++;
		struct attendance *t = &x[k].att;
		if (k == n) {
			n++;
			x[k].id = id;
			t->course = db_val(r, i, 1);
			const struct cat_course *c;
			if ((st = catalogue_course_find(&cat, t->course, &c)) != DB_OK)
				return st;
			t->course_title = c ? c->title : t->course;
			/* A course nobody knows counts as one whose MCQ is required (passed only if recorded). */
			t->requires_mcq = c ? c->requires_mcq : 1;
			t->date = db_val(r, i, 2);
			if (db_val(r, i, 3) != NULL && (st = catalogue_edition(db_val(r, i, 3), &t->edition)) != DB_OK)
				return st;
			/* Copied: a later row's unknown edition reads the names again and frees these. */
			if (t->edition != NULL)
				t->edition = arena_strdup(a, t->edition);
		}
		const char *taken = db_val(r, i, 4);
		if (taken == NULL)
			continue;
		t->mcq_attempts++;
		/* The passed attempt's date (the earliest, should there be two). */
		if (strcmp(db_val(r, i, 5), "t") == 0 && (t->mcq_date == NULL || strcmp(taken, t->mcq_date) < 0))
			t->mcq_date = taken;
		t->mcq_passed = t->mcq_date != NULL;
	}
	qsort(x, n, sizeof *x, by_date_then_id);
	struct attendance *att = arena_zalloc(a, sizeof *att * (n + 1));
	for (size_t i = 0; i < n; i++)
		att[i] = x[i].att;
	out->att = att;
	out->natt = n;
	return DB_OK;
}

enum db_status records_parse(struct arena *a, PGresult *const res[RECORDS__MAX], struct records *out)
{
	memset(out, 0, sizeof *out);
	enum db_status st = attendances_parse(a, res[RECORDS_ATTENDANCES], out);
	if (st != DB_OK)
		return st;
	const PGresult *r;

	r = res[RECORDS_CERTIFICATES];
	struct held_certificate *certs = arena_zalloc(a, sizeof *certs * (size_t)(db_rows(r) + 1));
	for (int i = 0; i < db_rows(r); i++) {
		certs[i].exam = db_val(r, i, 0);
		certs[i].number = db_val(r, i, 1);
		certs[i].issued_on = db_val(r, i, 2);
		certs[i].valid = strcmp(db_val(r, i, 3), "t") == 0;
	}
	out->certs = certs;
	out->ncerts = (size_t)db_rows(r);

	r = res[RECORDS_ATTESTATIONS];
	struct attestation *att2 = arena_zalloc(a, sizeof *att2 * (size_t)(db_rows(r) + 1));
	for (int i = 0; i < db_rows(r); i++) {
		att2[i].kind = db_val(r, i, 0);
		att2[i].evidence_date = db_val(r, i, 1);
	}
	out->attest = att2;
	out->nattest = (size_t)db_rows(r);
	return DB_OK;
}

enum db_status records_load(struct arena *a, const char *user_id, struct records *out)
{
	struct db_call calls[RECORDS__MAX];
	PGresult *res[RECORDS__MAX];
	records_calls(user_id, calls);
	enum db_status st = db_batch(a, calls, RECORDS__MAX, res);
	if (st != DB_OK)
		return st;
	return records_parse(a, res, out);
}

static enum rule_kind kind_of(const char *s)
{
	if (strcmp(s, "course") == 0)
		return RULE_COURSE;
	if (strcmp(s, "certificate") == 0)
		return RULE_CERTIFICATE;
	if (strcmp(s, "attestation") == 0)
		return RULE_ATTESTATION;
	return RULE__MAX;
}

#define RULE_COLUMNS \
    "SELECT r.kind, coalesce(r.course_code, r.certificate_exam, r.attestation)," \
    "   coalesce(c.title, x.title, k.title), coalesce(k.min_years_since_evidence, 0)," \
    "   (extract(epoch FROM r.valid_from) * 1000000)::bigint," \
    "   coalesce((extract(epoch FROM r.valid_until) * 1000000)::bigint, 0), r.exam_code" \
    " FROM exam_rules r" \
    " LEFT JOIN courses c ON c.code = r.course_code" \
    " LEFT JOIN exams x ON x.code = r.certificate_exam" \
    " LEFT JOIN attestation_kinds k ON k.code = r.attestation"
#define RULE_ORDER " r.kind DESC, coalesce(r.course_code, r.certificate_exam, r.attestation)"

static struct db_stmt q_rules = DB_STMT("rules_of_exam",
    RULE_COLUMNS " WHERE r.exam_code = $1 ORDER BY" RULE_ORDER, 1);
static struct db_stmt q_rules_all = DB_READ("rules_of_all_exams",
    RULE_COLUMNS " ORDER BY r.exam_code," RULE_ORDER, 0);

static struct rule *rules_parse(struct arena *a, const PGresult *r, int from, int to)
{
	struct rule *rules = arena_zalloc(a, sizeof *rules * (size_t)(to - from + 1));
	for (int i = from; i < to; i++) {
		struct rule *x = &rules[i - from];
		x->kind = kind_of(db_val(r, i, 0));
		x->ref = db_val(r, i, 1);
		x->title = db_val(r, i, 2);
		x->min_years = (int)db_int(r, i, 3);
		x->valid_from = db_int(r, i, 4);
		x->valid_until = db_int(r, i, 5);
	}
	return rules;
}

enum db_status rules_load(struct arena *a, const char *exam_code, struct rule **out, size_t *n)
{
	enum db_status st;
	PGresult *r = db_run(a, &st, &q_rules, exam_code);
	if (st != DB_OK)
		return st;
	*out = rules_parse(a, r, 0, db_rows(r));
	*n = (size_t)db_rows(r);
	return DB_OK;
}

void rules_all_call(struct db_call *call)
{
	*call = (struct db_call){ &q_rules_all, { NULL } };
}

void rules_all_parse(struct arena *a, const PGresult *r, struct exam_rules **out, size_t *n)
{
	int rows = db_rows(r);
	struct exam_rules *x = arena_zalloc(a, sizeof *x * (size_t)(rows + 1));
	size_t k = 0;
	for (int i = 0; i < rows;) {
		int j = i;
		while (j < rows && strcmp(db_val(r, j, 6), db_val(r, i, 6)) == 0)
			j++;
		x[k].exam = db_val(r, i, 6);
		x[k].rules = rules_parse(a, r, i, j);
		x[k].n = (size_t)(j - i);
		k++;
		i = j;
	}
	*out = x;
	*n = k;
}

static struct db_stmt q_now = DB_READ("clock_now",
    "SELECT (extract(epoch FROM now()) * 1000000)::bigint,"
    "   (now() AT TIME ZONE 'Europe/Vienna')::date::text", 0);

void db_now_call(struct db_call *call)
{
	*call = (struct db_call){ &q_now, { NULL } };
}

void db_now_parse(const PGresult *r, int64_t *now, const char **today)
{
	*now = db_int(r, 0, 0);
	*today = db_val(r, 0, 1);
}

enum db_status db_now(struct arena *a, int64_t *now, const char **today)
{
	enum db_status st;
	PGresult *r = db_run(a, &st, &q_now);
	if (st != DB_OK)
		return st;
	db_now_parse(r, now, today);
	return DB_OK;
}

void exam_eligibility_of(struct arena *a, const char *exam_code, const struct rule *all, size_t n,
    const struct records *r, int64_t now, const char *today, struct exam_answer *out)
{
	out->exam = exam_code;
	out->rules = arena_zalloc(a, sizeof *out->rules * (n + 1));
	out->n = rules_in_force(all, n, now, out->rules);
	out->results = arena_zalloc(a, sizeof *out->results * (out->n + 1));
	out->e = eligibility_check(a, r, out->rules, out->n, today, out->results);
}

enum db_status exam_eligibility(struct arena *a, const char *exam_code, const struct records *r,
    int64_t now, const char *today, struct exam_answer *out)
{
	struct rule *all;
	size_t n;
	enum db_status st = rules_load(a, exam_code, &all, &n);
	if (st != DB_OK)
		return st;
	exam_eligibility_of(a, exam_code, all, n, r, now, today, out);
	return DB_OK;
}

struct marks_ctx {
	const char *exam, *actor_id;
	int written, oral, double_oral, tolerance;
	struct refusal *ref;
};

static enum db_status marks_body(struct arena *a, void *p)
{
	struct marks_ctx *c = p;
	enum db_status st;
	PGresult *before = db_query(a, &st,
	    "SELECT jsonb_build_object('pass_written', pass_written, 'pass_oral', pass_oral,"
	    "   'double_oral', double_oral, 'oral_tolerance', oral_tolerance)::text"
	    " FROM exams WHERE code = $1 FOR UPDATE", 1, c->exam);
	if (st != DB_OK)
		return st;
	if (db_rows(before) != 1)
		return db_refuse(c->ref, REFUSAL_NOT_FOUND, NULL, "There is no such examination.");
	PGresult *after = db_query(a, &st,
	    "UPDATE exams SET pass_written = $2::int, pass_oral = $3::int, double_oral = $4::boolean,"
	    "   oral_tolerance = $5::int WHERE code = $1"
	    " RETURNING jsonb_build_object('pass_written', pass_written, 'pass_oral', pass_oral,"
	    "   'double_oral', double_oral, 'oral_tolerance', oral_tolerance)::text", 5, c->exam,
	    arena_printf(a, "%d", c->written), arena_printf(a, "%d", c->oral),
	    c->double_oral ? "t" : "f", arena_printf(a, "%d", c->tolerance));
	if (st != DB_OK)
		return st;
	if (strcmp(db_val(before, 0, 0), db_val(after, 0, 0)) == 0)
		return DB_OK;
	return db_exec(a, "SELECT audit_append($1, 'exam.marks', 'exam', $2, $3::jsonb, $4::jsonb)", 4,
	    c->actor_id, c->exam, db_val(before, 0, 0), db_val(after, 0, 0));
}

enum db_status exam_marks_update(struct arena *a, const char *exam, int pass_written, int pass_oral,
    int double_oral, int tolerance, const char *actor_id, struct refusal *ref)
{
	struct marks_ctx c = { exam, actor_id, pass_written, pass_oral, double_oral, tolerance, ref };
	return db_tx(a, DB_SERIALIZABLE, marks_body, &c);
}

struct rule_ctx {
	const char *exam, *kind, *ref, *rule_id, *actor_id;
	struct refusal *refusal;
};

static enum db_status rule_add_body(struct arena *a, void *p)
{
	struct rule_ctx *c = p;
	enum db_status st;
	const char *column = strcmp(c->kind, "course") == 0 ? "course_code" :
	    strcmp(c->kind, "certificate") == 0 ? "certificate_exam" : "attestation";
	PGresult *r = db_query(a, &st, arena_printf(a,
	    "SELECT 1 FROM exam_rules WHERE exam_code = $1 AND kind = $2 AND %s = $3"
	    " AND valid_from <= now() AND (valid_until IS NULL OR valid_until > now())", column),
	    3, c->exam, c->kind, c->ref);
	if (st != DB_OK)
		return st;
	if (db_rows(r) > 0)
		return db_refusef(a, c->refusal, REFUSAL_CONFLICT, NULL, "%s already requires %s.",
		    c->exam, c->ref);
	r = db_query(a, &st, arena_printf(a,
	    "INSERT INTO exam_rules (exam_code, kind, %s, valid_from, note)"
	    " VALUES ($1, $2, $3, now(), 'added by the office') RETURNING id::text,"
	    " jsonb_build_object('exam', exam_code, 'kind', kind, 'ref', $3::text, 'valid_from', valid_from)::text",
	    column), 3, c->exam, c->kind, c->ref);
	/* A requirement that names nothing known: the programme, not the form, says no. */
	if (st == DB_INVALID)
		return db_refusef(a, c->refusal, REFUSAL_CONFLICT, NULL, "%s is not a known %s.",
		    c->ref, c->kind);
	if (st != DB_OK)
		return st;
	return db_exec(a, "SELECT audit_append($1, 'rule.add', 'exam_rule', $2, NULL, $3::jsonb)", 3,
	    c->actor_id, db_val(r, 0, 0), db_val(r, 0, 1));
}

enum db_status exam_rule_ref_known(struct arena *a, const char *kind, const char *ref, int *known)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT CASE $1 WHEN 'course' THEN EXISTS (SELECT 1 FROM courses WHERE code = $2)"
	    "   WHEN 'certificate' THEN EXISTS (SELECT 1 FROM exams WHERE code = $2)"
	    "   WHEN 'attestation' THEN EXISTS (SELECT 1 FROM attestation_kinds WHERE code = $2)"
	    "   ELSE false END", 2, kind, ref);
	*known = st == DB_OK && strcmp(db_val(r, 0, 0), "t") == 0;
	return st;
}

enum db_status exam_rule_add(struct arena *a, const char *exam, const char *kind, const char *ref,
    const char *actor_id, struct refusal *refusal)
{
	if (strcmp(kind, "course") != 0 && strcmp(kind, "certificate") != 0 &&
	    strcmp(kind, "attestation") != 0)
		return db_refuse(refusal, REFUSAL_BAD_FIELD, "requirement",
		    "A rule is a course, a certificate or an attestation.");
	struct rule_ctx c = { exam, kind, ref, NULL, actor_id, refusal };
	return db_tx(a, DB_SERIALIZABLE, rule_add_body, &c);
}

static enum db_status rule_retire_body(struct arena *a, void *p)
{
	struct rule_ctx *c = p;
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "UPDATE exam_rules SET valid_until = now() WHERE id = $1 AND valid_until IS NULL"
	    "   AND valid_from < now()"
	    " RETURNING jsonb_build_object('exam', exam_code, 'kind', kind,"
	    "   'ref', coalesce(course_code, certificate_exam, attestation), 'valid_until', valid_until)::text",
	    1, c->rule_id);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return db_refuse(c->refusal, REFUSAL_NOT_FOUND, NULL, "There is no such rule in force.");
	return db_exec(a, "SELECT audit_append($1, 'rule.retire', 'exam_rule', $2, NULL, $3::jsonb)", 3,
	    c->actor_id, c->rule_id, db_val(r, 0, 0));
}

enum db_status exam_rule_retire(struct arena *a, const char *rule_id, const char *actor_id,
    struct refusal *ref)
{
	struct rule_ctx c = { NULL, NULL, NULL, rule_id, actor_id, ref };
	return db_tx(a, DB_SERIALIZABLE, rule_retire_body, &c);
}

enum db_status programme_view(struct arena *a, struct programme_view *out)
{
	enum db_status st;
	memset(out, 0, sizeof *out);
	PGresult *ex = db_query(a, &st, "SELECT code, title, pass_written, pass_oral, oral_tolerance,"
	    "   double_oral FROM exams ORDER BY sort", 0);
	if (st != DB_OK)
		return st;
	out->nexams = (size_t)db_rows(ex);
	out->exams = arena_zalloc(a, sizeof *out->exams * (out->nexams + 1));
	for (int i = 0; i < (int)out->nexams; i++)
		out->exams[i] = (struct exam_marks_row){ db_val(ex, i, 0), db_val(ex, i, 1),
			db_val(ex, i, 2), db_val(ex, i, 3), db_val(ex, i, 4), strcmp(db_val(ex, i, 5), "t") == 0 };
	PGresult *r = db_query(a, &st,
	    "SELECT r.id, r.exam_code, r.kind, coalesce(r.course_code, r.certificate_exam, r.attestation),"
	    "   coalesce(c.title, x.title, k.title),"
	    "   to_char(r.valid_from AT TIME ZONE 'Europe/Vienna', 'YYYY-MM-DD HH24:MI'),"
	    "   to_char(r.valid_until AT TIME ZONE 'Europe/Vienna', 'YYYY-MM-DD HH24:MI'),"
	    "   r.valid_until IS NULL OR r.valid_until > now()"
	    " FROM exam_rules r LEFT JOIN courses c ON c.code = r.course_code"
	    " LEFT JOIN exams x ON x.code = r.certificate_exam LEFT JOIN attestation_kinds k ON k.code = r.attestation"
	    " ORDER BY r.exam_code, r.valid_until NULLS FIRST, r.id", 0);
	if (st != DB_OK)
		return st;
	out->nrules = (size_t)db_rows(r);
	out->rules = arena_zalloc(a, sizeof *out->rules * (out->nrules + 1));
	for (int i = 0; i < (int)out->nrules; i++)
		out->rules[i] = (struct rule_row){ db_val(r, i, 0), db_val(r, i, 1), db_val(r, i, 2),
			db_val(r, i, 3), db_val(r, i, 4), db_val(r, i, 5), db_val(r, i, 6),
			strcmp(db_val(r, i, 7), "t") == 0 };
	PGresult *c = db_query(a, &st,
	    "SELECT 'course', code, code || ' — ' || title FROM courses"
	    " UNION ALL SELECT 'certificate', code, code || ' — ' || title FROM exams"
	    " UNION ALL SELECT 'attestation', code, title FROM attestation_kinds ORDER BY 1, 2", 0);
	if (st != DB_OK)
		return st;
	out->nchoices = (size_t)db_rows(c);
	out->choices = arena_zalloc(a, sizeof *out->choices * (out->nchoices + 1));
	for (int i = 0; i < (int)out->nchoices; i++)
		out->choices[i] = (struct rule_choice){ db_val(c, i, 0), db_val(c, i, 1), db_val(c, i, 2) };
	return DB_OK;
}
