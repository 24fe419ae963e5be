#include "db/exam_sessions.h"

#include <string.h>

#include "core/datetime.h"

#define OFFICE_ZONE "Europe/Vienna" /* where the office's own timestamps are read */

/* A wall-clock booking-window time is read in the session's zone; one with an offset is
 * taken as it is. */
static enum db_status window_time(struct arena *a, const char *v, const char *tz, const char **out)
{
	enum db_status st;
	*out = v;
	if (v == NULL || timestamp_valid(v))
		return DB_OK;
	PGresult *r = db_query(a, &st, "SELECT ($1::timestamp AT TIME ZONE $2)::text", 2, v, tz);
	if (st == DB_INVALID)
		return DB_OK; /* not a time at all: the INSERT below says so */
	if (st == DB_OK)
		*out = db_val(r, 0, 0);
	return st;
}

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
	const char *opens, *closes, *cancel_until;
	if ((st = window_time(a, in->opens, tz, &opens)) != DB_OK ||
	    (st = window_time(a, in->closes, tz, &closes)) != DB_OK ||
	    (st = window_time(a, in->cancel_until, tz, &cancel_until)) != DB_OK)
		return st;
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
	    9, in->exam, in->date, tz, in->location, in->capacity, opens, closes, cancel_until,
	    in->created_by);
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

/* The columns of struct exam_session_row, from exam_sessions s; then what its state needs. */
#define ROW_COLUMNS \
	"s.id, s.exam_code, to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD Mon YYYY, HH24:MI')," \
	" s.time_zone, s.location, s.booked_count, s.capacity," \
	" (SELECT count(*) FROM bookings w WHERE w.session_id = s.id AND w.status = 'waitlisted')," \
	" (extract(epoch FROM s.opens_at) * 1e6)::bigint, (extract(epoch FROM s.closes_at) * 1e6)::bigint," \
	" coalesce((extract(epoch FROM s.closed_at) * 1e6)::bigint, 0)," \
	" coalesce((extract(epoch FROM s.published_at) * 1e6)::bigint, 0)," \
	" (extract(epoch FROM now()) * 1e6)::bigint"
#define ROW_NCOLUMNS 13

static void row_of(const PGresult *r, int i, struct exam_session_row *s)
{
	s->id = db_val(r, i, 0);
	s->exam = db_val(r, i, 1);
	s->date = db_val(r, i, 2);
	s->zone = db_val(r, i, 3);
	s->location = db_val(r, i, 4);
	s->booked = db_int(r, i, 5);
	s->capacity = db_int(r, i, 6);
	s->waitlisted = db_int(r, i, 7);
	struct exam_session_times t = { db_int(r, i, 8), db_int(r, i, 9), db_int(r, i, 10),
		db_int(r, i, 11) };
	s->state = exam_session_state(&t, db_int(r, i, 12));
}

enum db_status exam_session_list(struct arena *a, enum exam_session_filter filter,
    struct exam_session_row **rows, size_t *n)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, filter == EXAM_SESSIONS_CURRENT ?
	    "SELECT " ROW_COLUMNS " FROM exam_sessions s"
	    " WHERE s.published_at IS NULL OR s.starts_at >= now() ORDER BY s.starts_at, s.id" :
	    "SELECT " ROW_COLUMNS " FROM exam_sessions s ORDER BY s.starts_at DESC, s.id DESC", 0);
	*rows = NULL;
	*n = 0;
	if (st != DB_OK)
		return st;
	*n = (size_t)db_rows(r);
	*rows = arena_zalloc(a, sizeof **rows * (*n + 1));
	for (size_t i = 0; i < *n; i++)
		row_of(r, (int)i, &(*rows)[i]);
	return DB_OK;
}

enum db_status exam_session_detail(struct arena *a, const char *session_id,
    struct exam_session_detail *out, int *found)
{
	enum db_status st;
	memset(out, 0, sizeof *out);
	*found = 0;
	PGresult *s = db_query(a, &st,
	    "SELECT " ROW_COLUMNS ", e.title,"
	    "   to_char(s.opens_at AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'),"
	    "   to_char(s.closes_at AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'),"
	    "   to_char(s.cancel_until AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'),"
	    "   to_char(s.closed_at AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI')"
	    " FROM exam_sessions s JOIN exams e ON e.code = s.exam_code WHERE s.id = $1", 1, session_id);
	if (st != DB_OK || db_rows(s) != 1)
		return st;
	*found = 1;
	row_of(s, 0, &out->row);
	out->exam_title = db_val(s, 0, ROW_NCOLUMNS);
	out->opens = db_val(s, 0, ROW_NCOLUMNS + 1);
	out->closes = db_val(s, 0, ROW_NCOLUMNS + 2);
	out->cancel_until = db_val(s, 0, ROW_NCOLUMNS + 3);
	out->closed_at = db_val(s, 0, ROW_NCOLUMNS + 4);

	/* The waiting list is served in booking order (booking.c promotes the same way). */
	PGresult *r = db_query(a, &st,
	    "SELECT b.id, u.id, u.full_name, u.email, b.status,"
	    "   CASE WHEN b.status = 'waitlisted' THEN row_number() OVER"
	    "     (PARTITION BY b.status ORDER BY b.created_at, b.id) END,"
	    "   to_char(b.created_at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI')"
	    " FROM bookings b JOIN users u ON u.id = b.user_id WHERE b.session_id = $1"
	    " ORDER BY CASE b.status WHEN 'booked' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END,"
	    "   b.created_at, b.id", 2, session_id, out->row.zone);
	if (st != DB_OK)
		return st;
	out->nroster = (size_t)db_rows(r);
	out->roster = arena_zalloc(a, sizeof *out->roster * (out->nroster + 1));
	for (int i = 0; i < (int)out->nroster; i++) {
		struct roster_entry *e = &out->roster[i];
		e->booking_id = db_val(r, i, 0);
		e->candidate_id = db_val(r, i, 1);
		e->name = db_val(r, i, 2);
		e->email = db_val(r, i, 3);
		e->status = db_val(r, i, 4);
		e->position = db_val(r, i, 5);
		e->booked_at = db_val(r, i, 6);
	}
	PGresult *x = db_query(a, &st,
	    "SELECT u.full_name, u.email, to_char(x.assigned_at AT TIME ZONE $2, 'YYYY-MM-DD')"
	    " FROM session_examiners x JOIN users u ON u.id = x.user_id WHERE x.session_id = $1"
	    " ORDER BY u.full_name", 2, session_id, OFFICE_ZONE);
	if (st != DB_OK)
		return st;
	out->nexaminers = (size_t)db_rows(x);
	out->examiners = arena_zalloc(a, sizeof *out->examiners * (out->nexaminers + 1));
	for (int i = 0; i < (int)out->nexaminers; i++) {
		out->examiners[i].name = db_val(x, i, 0);
		out->examiners[i].email = db_val(x, i, 1);
		out->examiners[i].assigned_on = db_val(x, i, 2);
	}
	return DB_OK;
}

enum db_status exam_session_bookings(struct arena *a, const char *session_id,
    struct booking_line **lines, size_t *n, struct refusal *ref)
{
	enum db_status st;
	*lines = NULL;
	*n = 0;
	PGresult *s = db_query(a, &st, "SELECT 1 FROM exam_sessions WHERE id = $1", 1, session_id);
	if (st != DB_OK)
		return st;
	if (db_rows(s) != 1)
		return db_refusef(a, ref, REFUSAL_NOT_FOUND, NULL, "no session %s", session_id);
	PGresult *r = db_query(a, &st,
	    "SELECT b.id, u.email, b.status,"
	    "   CASE WHEN coalesce(r.decision, r.computed_outcome) IN ('pass', 'fail', 'absent')"
	    "        THEN coalesce(r.decision, r.computed_outcome) ELSE '-' END"
	    " FROM bookings b JOIN users u ON u.id = b.user_id LEFT JOIN results r ON r.booking_id = b.id"
	    " WHERE b.session_id = $1 ORDER BY b.id", 1, session_id);
	if (st != DB_OK)
		return st;
	*n = (size_t)db_rows(r);
	*lines = arena_zalloc(a, sizeof **lines * (*n + 1));
	for (int i = 0; i < (int)*n; i++)
		(*lines)[i] = (struct booking_line){ db_val(r, i, 0), db_val(r, i, 1), db_val(r, i, 2),
			db_val(r, i, 3) };
	return DB_OK;
}
