#include "db/exam_sessions.h"

#include <string.h>

enum db_status exam_session_create(struct arena *a, const struct exam_session_input *in, long long *id,
    struct refusal *ref)
{
	enum db_status st;
	const char *tz = in->time_zone != NULL ? in->time_zone : "Europe/Vienna";
	PGresult *r = db_query(a, &st,
	    "SELECT (SELECT count(*) FROM exams WHERE code = $1),"
	    "   (SELECT count(*) FROM pg_timezone_names WHERE name = $2)", 2, in->exam, tz);
	if (st != DB_OK)
		return st;
	if (db_int(r, 0, 0) != 1) {
		return db_refusef(a, ref, REFUSAL_BAD_FIELD, "exam", "There is no examination %s.",
		    in->exam);
	}
	if (db_int(r, 0, 1) != 1) {
		return db_refusef(a, ref, REFUSAL_BAD_FIELD, "time_zone", "There is no time zone %s.", tz);
	}
	/* Defaults: booking opens now, closes when the exam day begins (so the last day to
	 * book is the day before), and cancelling is possible until booking closes. A session
	 * recorded after the fact (booking already over) opens a day before it closed. */
	r = db_query(a, &st,
	    "WITH v AS (SELECT ($2::date + time '09:00') AT TIME ZONE $3 AS starts_at,"
	    "   coalesce($6::timestamptz, least(now(), coalesce($7::timestamptz,"
	    "     $2::date::timestamp AT TIME ZONE $3) - interval '1 day')) AS opens_at,"
	    "   coalesce($7::timestamptz, $2::date::timestamp AT TIME ZONE $3) AS closes_at)"
	    " INSERT INTO exam_sessions (exam_code, starts_at, time_zone, location, capacity, opens_at,"
	    "   closes_at, cancel_until, created_by)"
	    " SELECT $1, starts_at, $3, $4, $5::int, opens_at, closes_at,"
	    "   coalesce($8::timestamptz, closes_at), $9 FROM v"
	    " WHERE closes_at > opens_at AND closes_at <= starts_at"
	    " RETURNING id",
	    9, in->exam, in->date, tz, in->location, in->capacity, in->opens, in->closes,
	    in->cancel_until, in->created_by);
	if (st == DB_INVALID) {
		return db_refuse(ref, REFUSAL_BAD_FIELD, "capacity", "The capacity must be between 1 "
		    "and 10000 and the location at most 200 characters.");
	}
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1) {
		return db_refuse(ref, REFUSAL_BAD_FIELD, "closes", "Booking must open before it closes, "
		    "and close no later than the exam starts (09:00 on the exam day).");
	}
	*id = db_int(r, 0, 0);
	return DB_OK;
}

enum db_status exam_session_assign_examiner(struct arena *a, const char *session_id, const char *email,
    struct refusal *ref)
{
	enum db_status st;
	PGresult *u = db_query(a, &st, "SELECT id, role FROM users WHERE email = lower($1)", 1, email);
	if (st != DB_OK)
		return st;
	if (db_rows(u) != 1) {
		return db_refusef(a, ref, REFUSAL_CONFLICT, "email", "there is no account with the "
		    "e-mail address %s", email);
	}
	if (strcmp(db_val(u, 0, 1), "examiner") != 0) {
		return db_refusef(a, ref, REFUSAL_CONFLICT, "email", "%s is not an examiner", email);
	}
	PGresult *s = db_query(a, &st, "SELECT published_at IS NOT NULL FROM exam_sessions WHERE id = $1",
	    1, session_id);
	if (st != DB_OK)
		return st;
	if (db_rows(s) != 1)
		return db_refuse(ref, REFUSAL_NOT_FOUND, NULL, "There is no such examination session.");
	return db_exec(a, "INSERT INTO session_examiners (session_id, user_id) VALUES ($1, $2)"
	    " ON CONFLICT DO NOTHING", 2, session_id, db_val(u, 0, 0));
}

enum db_status exam_session_close(struct arena *a, const char *session_id, struct refusal *ref)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "UPDATE exam_sessions SET closed_at = coalesce(closed_at, now()) WHERE id = $1 RETURNING id",
	    1, session_id);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return db_refuse(ref, REFUSAL_NOT_FOUND, NULL, "There is no such examination session.");
	return DB_OK;
}
