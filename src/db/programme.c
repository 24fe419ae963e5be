#include "db/programme.h"

#include <stdlib.h>
#include <string.h>

enum db_status records_load(struct arena *a, const char *user_id, struct records *out)
{
	enum db_status st;
	memset(out, 0, sizeof *out);

	PGresult *r = db_query(a, &st,
	    "SELECT a.course_code, c.title, a.attended_on::text,"
	    "   e.cycle_label || ', ' || e.city, c.requires_mcq,"
	    "   (SELECT count(*) FROM mcq_attempts m WHERE m.attendance_id = a.id),"
	    "   (SELECT min(m.taken_on)::text FROM mcq_attempts m WHERE m.attendance_id = a.id AND m.passed)"
	    " FROM attendances a JOIN courses c ON c.code = a.course_code"
	    " LEFT JOIN course_editions e ON e.id = a.edition_id"
	    " WHERE a.user_id = $1 ORDER BY a.attended_on, a.id", 1, user_id);
	if (st != DB_OK)
		return st;
	struct attendance *att = arena_zalloc(a, sizeof *att * (size_t)(db_rows(r) + 1));
	for (int i = 0; i < db_rows(r); i++) {
		att[i].course = db_val(r, i, 0);
		att[i].course_title = db_val(r, i, 1);
		att[i].date = db_val(r, i, 2);
		att[i].edition = db_val(r, i, 3);
		att[i].requires_mcq = strcmp(db_val(r, i, 4), "t") == 0;
		att[i].mcq_attempts = (int)db_int(r, i, 5);
		att[i].mcq_date = db_val(r, i, 6);
		att[i].mcq_passed = att[i].mcq_date != NULL;
	}
	out->att = att;
	out->natt = (size_t)db_rows(r);

	r = db_query(a, &st,
	    "SELECT exam_code, number, (issued_at AT TIME ZONE 'Europe/Vienna')::date::text,"
	    "   revoked_at IS NULL"
	    " FROM certificates WHERE user_id = $1 ORDER BY issued_at", 1, user_id);
	if (st != DB_OK)
		return st;
	struct held_certificate *certs = arena_zalloc(a, sizeof *certs * (size_t)(db_rows(r) + 1));
	for (int i = 0; i < db_rows(r); i++) {
		certs[i].exam = db_val(r, i, 0);
		certs[i].number = db_val(r, i, 1);
		certs[i].issued_on = db_val(r, i, 2);
		certs[i].valid = strcmp(db_val(r, i, 3), "t") == 0;
	}
	out->certs = certs;
	out->ncerts = (size_t)db_rows(r);

	r = db_query(a, &st,
	    "SELECT kind, evidence_date::text FROM attestations WHERE user_id = $1", 1, user_id);
	if (st != DB_OK)
		return st;
	struct attestation *att2 = arena_zalloc(a, sizeof *att2 * (size_t)(db_rows(r) + 1));
	for (int i = 0; i < db_rows(r); i++) {
		att2[i].kind = db_val(r, i, 0);
		att2[i].evidence_date = db_val(r, i, 1);
	}
	out->attest = att2;
	out->nattest = (size_t)db_rows(r);
	return DB_OK;
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

enum db_status rules_load(struct arena *a, const char *exam_code, struct rule **out, size_t *n)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT r.kind, coalesce(r.course_code, r.certificate_exam, r.attestation),"
	    "   coalesce(c.title, x.title, k.title), coalesce(k.min_years_since_evidence, 0),"
	    "   extract(epoch FROM r.valid_from)::bigint,"
	    "   coalesce(extract(epoch FROM r.valid_until)::bigint, 0)"
	    " FROM exam_rules r"
	    " LEFT JOIN courses c ON c.code = r.course_code"
	    " LEFT JOIN exams x ON x.code = r.certificate_exam"
	    " LEFT JOIN attestation_kinds k ON k.code = r.attestation"
	    " WHERE r.exam_code = $1 ORDER BY r.kind DESC, coalesce(r.course_code, r.certificate_exam, r.attestation)",
	    1, exam_code);
	if (st != DB_OK)
		return st;
	struct rule *rules = arena_zalloc(a, sizeof *rules * (size_t)(db_rows(r) + 1));
	for (int i = 0; i < db_rows(r); i++) {
		rules[i].kind = kind_of(db_val(r, i, 0));
		rules[i].ref = db_val(r, i, 1);
		rules[i].title = db_val(r, i, 2);
		rules[i].min_years = (int)db_int(r, i, 3);
		rules[i].valid_from = db_int(r, i, 4);
		rules[i].valid_until = db_int(r, i, 5);
	}
	*out = rules;
	*n = (size_t)db_rows(r);
	return DB_OK;
}

enum db_status db_now(struct arena *a, int64_t *now, const char **today)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT extract(epoch FROM now())::bigint, (now() AT TIME ZONE 'Europe/Vienna')::date::text", 0);
	if (st != DB_OK)
		return st;
	*now = db_int(r, 0, 0);
	*today = db_val(r, 0, 1);
	return DB_OK;
}

enum db_status exam_eligibility(struct arena *a, const char *user_id, const char *exam_code,
    const struct records *r, struct exam_answer *out)
{
	(void)user_id;
	struct rule *all;
	size_t n;
	int64_t now;
	const char *today;
	enum db_status st = rules_load(a, exam_code, &all, &n);
	if (st != DB_OK || (st = db_now(a, &now, &today)) != DB_OK)
		return st;
	out->exam = exam_code;
	out->rules = arena_zalloc(a, sizeof *out->rules * (n + 1));
	out->n = rules_in_force(all, n, now, out->rules);
	out->results = arena_zalloc(a, sizeof *out->results * (out->n + 1));
	out->e = eligibility_check(a, r, out->rules, out->n, today, out->results);
	return DB_OK;
}
