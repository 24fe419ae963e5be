#include "db/records.h"

#include <string.h>

static enum db_status refuse(struct record_result *res, enum refusal_kind kind, const char *field,
    const char *why)
{
	res->changed = 0;
	res->message = why;
	return db_refuse(&res->refusal, kind, field, why);
}

enum db_status candidate_find(struct arena *a, const char *email, const char **user_id,
    struct record_result *res)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT id, role FROM users WHERE email = lower($1)", 1, email);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return refuse(res, REFUSAL_NOT_FOUND, "email", arena_printf(a, "no user with e-mail %s", email));
	if (strcmp(db_val(r, 0, 1), "candidate") != 0)
		return refuse(res, REFUSAL_CONFLICT, "email", arena_printf(a, "%s is not a candidate", email));
	*user_id = db_val(r, 0, 0);
	return DB_OK;
}

/* DB_OK with *requires_mcq set, or DB_REFUSED for an unknown course. */
static enum db_status course_find(struct arena *a, const char *course, int *requires_mcq,
    struct record_result *res)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT requires_mcq FROM courses WHERE code = $1", 1, course);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return refuse(res, REFUSAL_BAD_FIELD, "course", arena_printf(a, "unknown course %s", course));
	*requires_mcq = strcmp(db_val(r, 0, 0), "t") == 0;
	return DB_OK;
}

enum db_status attendance_record(struct arena *a, const char *user_id, const char *course,
    const char *date, const char *edition_id, const char *recorded_by, struct record_result *res)
{
	enum db_status st;
	int mcq;
	if ((st = course_find(a, course, &mcq, res)) != DB_OK)
		return st;
	if (edition_id != NULL) {
		PGresult *e = db_query(a, &st, "SELECT 1 FROM course_editions WHERE id = $1 AND course_code = $2",
		    2, edition_id, course);
		if (st != DB_OK)
			return st;
		if (db_rows(e) != 1)
			return refuse(res, REFUSAL_BAD_FIELD, "edition", arena_printf(a, "edition %s is not an edition of %s", edition_id, course));
	}
	PGresult *r = db_query(a, &st,
	    "INSERT INTO attendances (user_id, course_code, edition_id, attended_on, recorded_by)"
	    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, course_code, attended_on) DO NOTHING"
	    " RETURNING id", 5, user_id, course, edition_id, date, recorded_by);
	if (st != DB_OK)
		return st;
	res->changed = db_rows(r) == 1;
	res->message = res->changed ? arena_printf(a, "%s attended on %s recorded", course, date) :
	    arena_printf(a, "%s attended on %s was already recorded", course, date);
	return DB_OK;
}

enum db_status mcq_record(struct arena *a, const char *user_id, const char *course,
    const char *date, int passed, const char *recorded_by, struct record_result *res)
{
	enum db_status st;
	int mcq;
	if ((st = course_find(a, course, &mcq, res)) != DB_OK)
		return st;
	if (!mcq)
		return refuse(res, REFUSAL_CONFLICT, NULL, arena_printf(a, "%s has no MCQ: it is completed by attendance", course));
	PGresult *att = db_query(a, &st,
	    "SELECT id FROM attendances WHERE user_id = $1 AND course_code = $2 AND attended_on <= $3"
	    " ORDER BY attended_on DESC LIMIT 1 FOR UPDATE", 3, user_id, course, date);
	if (st != DB_OK)
		return st;
	if (db_rows(att) != 1)
		return refuse(res, REFUSAL_CONFLICT, NULL, arena_printf(a, "no attendance of %s on or before %s: record the attendance first",
		    course, date));
	const char *att_id = db_val(att, 0, 0);
	PGresult *tries = db_query(a, &st,
	    "SELECT taken_on::text, passed FROM mcq_attempts WHERE attendance_id = $1 ORDER BY attempt", 1, att_id);
	if (st != DB_OK)
		return st;
	int n = db_rows(tries);
	for (int i = 0; i < n; i++) {
		int was_passed = strcmp(db_val(tries, i, 1), "t") == 0;
		if (strcmp(db_val(tries, i, 0), date) == 0) {
			if (was_passed != passed)
				return refuse(res, REFUSAL_CONFLICT, NULL, arena_printf(a, "the %s MCQ of %s is already recorded as %s",
				    course, date, was_passed ? "passed" : "failed"));
			res->changed = 0;
			res->message = arena_printf(a, "%s MCQ of %s was already recorded", course, date);
			return DB_OK;
		}
		if (was_passed)
			return refuse(res, REFUSAL_CONFLICT, NULL, arena_printf(a, "the %s MCQ is already passed (%s)", course,
			    db_val(tries, i, 0)));
	}
	if (n >= 2)
		return refuse(res, REFUSAL_CONFLICT, NULL, arena_printf(a, "the %s MCQ was failed twice: the module must be "
		    "attended again before another attempt", course));
	char attempt[4] = { (char)('1' + n), '\0' };
	if ((st = db_exec(a, "INSERT INTO mcq_attempts (attendance_id, attempt, taken_on, passed, recorded_by)"
	    " VALUES ($1, $2, $3, $4, $5)", 5, att_id, attempt, date, passed ? "t" : "f",
	    recorded_by)) != DB_OK)
		return st;
	res->changed = 1;
	res->message = arena_printf(a, "%s MCQ attempt %s on %s recorded as %s", course, attempt, date,
	    passed ? "passed" : "failed");
	return DB_OK;
}

enum db_status completion_record(struct arena *a, const char *user_id, const char *course,
    const char *date, const char *recorded_by, struct record_result *res)
{
	enum db_status st;
	int mcq;
	struct record_result att;
	if ((st = course_find(a, course, &mcq, res)) != DB_OK)
		return st;
	if ((st = attendance_record(a, user_id, course, date, NULL, recorded_by, &att)) != DB_OK) {
		*res = att;
		return st;
	}
	if (!mcq) {
		res->changed = att.changed;
		res->message = att.changed ? arena_printf(a, "%s completed on %s recorded", course, date) :
		    arena_printf(a, "%s completed on %s was already recorded", course, date);
		return DB_OK;
	}
	st = mcq_record(a, user_id, course, date, 1, recorded_by, res);
	if (st == DB_OK) {
		res->changed = res->changed || att.changed;
		res->message = res->changed ? arena_printf(a, "%s attended and MCQ passed on %s recorded",
		    course, date) : arena_printf(a, "%s completed on %s was already recorded", course, date);
	}
	return st;
}

enum db_status attestation_record(struct arena *a, const char *user_id, const char *kind,
    const char *evidence_date, const char *checked_by, struct record_result *res)
{
	enum db_status st;
	PGresult *k = db_query(a, &st, "SELECT title FROM attestation_kinds WHERE code = $1", 1, kind);
	if (st != DB_OK)
		return st;
	if (db_rows(k) != 1)
		return refuse(res, REFUSAL_BAD_FIELD, "kind", arena_printf(a, "unknown attestation %s", kind));
	PGresult *r = db_query(a, &st,
	    "INSERT INTO attestations (user_id, kind, evidence_date, checked_by) VALUES ($1, $2, $3, $4)"
	    " ON CONFLICT (user_id, kind) DO UPDATE SET evidence_date = EXCLUDED.evidence_date,"
	    "   checked_by = EXCLUDED.checked_by, checked_at = now()"
	    "   WHERE attestations.evidence_date <> EXCLUDED.evidence_date"
	    " RETURNING id", 4, user_id, kind, evidence_date, checked_by);
	if (st != DB_OK)
		return st;
	res->changed = db_rows(r) == 1;
	res->message = arena_printf(a, "%s (evidence dated %s) %s", db_val(k, 0, 0), evidence_date,
	    res->changed ? "recorded" : "was already recorded");
	return DB_OK;
}
