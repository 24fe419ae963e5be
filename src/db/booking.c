#include "db/booking.h"

#include <stdlib.h>
#include <string.h>

#include "db/programme.h"

struct book_ctx {
	const char *user_id, *session_id;
	struct booking_outcome *out;
};

static enum db_status refuse(struct booking_outcome *out, int status, const char *why)
{
	out->http_status = status;
	out->why = why;
	return DB_REFUSED;
}

static enum db_status book_body(struct arena *a, void *p)
{
	struct book_ctx *c = p;
	struct booking_outcome *out = c->out;
	enum db_status st;

	/* The lock serialises every booking of this session: capacity is read and used
	 * under it, and the CHECK on booked_count is the backstop. */
	PGresult *s = db_query(a, &st,
	    "SELECT exam_code, booked_count < capacity, opens_at > now(),"
	    "   closes_at <= now() OR closed_at IS NOT NULL,"
	    "   to_char(opens_at AT TIME ZONE time_zone, 'FMDD Mon YYYY HH24:MI') || ' ' || time_zone"
	    " FROM exam_sessions WHERE id = $1 FOR UPDATE", 1, c->session_id);
	if (st != DB_OK)
		return st;
	if (db_rows(s) != 1)
		return refuse(out, 404, "There is no such examination session.");
	const char *exam = db_val(s, 0, 0);
	if (strcmp(db_val(s, 0, 2), "t") == 0)
		return refuse(out, 409, arena_printf(a, "Booking for this session opens on %s.",
		    db_val(s, 0, 4)));
	if (strcmp(db_val(s, 0, 3), "t") == 0)
		return refuse(out, 409, "Booking for this session has closed.");

	PGresult *r = db_query(a, &st,
	    "SELECT number FROM certificates WHERE user_id = $1 AND exam_code = $2 AND revoked_at IS NULL",
	    2, c->user_id, exam);
	if (st != DB_OK)
		return st;
	if (db_rows(r) > 0)
		return refuse(out, 409, arena_printf(a, "You have already passed the %s examination "
		    "(certificate %s).", exam, db_val(r, 0, 0)));

	r = db_query(a, &st,
	    "SELECT b.status, to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD Mon YYYY'), s.location"
	    " FROM bookings b JOIN exam_sessions s ON s.id = b.session_id"
	    " WHERE b.user_id = $1 AND b.exam_code = $2 AND b.status <> 'cancelled' AND b.live", 2, c->user_id, exam);
	if (st != DB_OK)
		return st;
	if (db_rows(r) > 0)
		return refuse(out, 409, arena_printf(a, "You are already %s for the %s examination "
		    "(%s, %s). Cancel that booking first to choose another session.",
		    strcmp(db_val(r, 0, 0), "booked") == 0 ? "booked" : "on the waiting list", exam,
		    db_val(r, 0, 1), db_val(r, 0, 2)));

	struct records rec;
	struct exam_answer ans;
	int64_t now;
	const char *today;
	if ((st = records_load(a, c->user_id, &rec)) != DB_OK ||
	    (st = db_now(a, &now, &today)) != DB_OK ||
	    (st = exam_eligibility(a, exam, &rec, now, today, &ans)) != DB_OK)
		return st;
	if (!ans.e.eligible) {
		out->reasons = arena_zalloc(a, sizeof *out->reasons * (ans.n + 1));
		for (size_t i = 0; i < ans.n; i++)
			if (!ans.results[i].met)
				out->reasons[out->nreasons++] = ans.results[i].reason;
		return refuse(out, 409, arena_printf(a, "You are not yet eligible for the %s examination.",
		    exam));
	}

	const char *status = strcmp(db_val(s, 0, 1), "t") == 0 ? "booked" : "waitlisted";
	r = db_query(a, &st,
	    "INSERT INTO bookings (session_id, exam_code, user_id, status, ics_uid)"
	    " VALUES ($1, $2, $3, $4, 'booking-' || gen_random_uuid() || '@esonr-portal')"
	    " RETURNING id", 4, c->session_id, exam, c->user_id, status);
	if (st == DB_CONFLICT)
		return refuse(out, 409, "You already have a booking for this examination.");
	if (st != DB_OK)
		return st;
	out->booking_id = db_int(r, 0, 0);
	out->status = status;
	return DB_OK;
}

enum db_status booking_create(struct arena *a, const char *user_id, const char *session_id,
    struct booking_outcome *out)
{
	struct book_ctx c = { user_id, session_id, out };
	memset(out, 0, sizeof *out);
	return db_tx(a, DB_READ_COMMITTED, book_body, &c);
}

struct cancel_ctx {
	const char *user_id, *booking_id;
	struct booking_outcome *out;
};

static enum db_status cancel_body(struct arena *a, void *p)
{
	struct cancel_ctx *c = p;
	struct booking_outcome *out = c->out;
	enum db_status st;

	/* Session row first, as in booking: one lock order, no deadlocks. */
	PGresult *s = db_query(a, &st,
	    "SELECT s.id, s.cancel_until < now(), s.closed_at IS NOT NULL,"
	    "   to_char(s.cancel_until AT TIME ZONE s.time_zone, 'FMDD Mon YYYY HH24:MI') || ' ' || s.time_zone"
	    " FROM exam_sessions s JOIN bookings b ON b.session_id = s.id"
	    " WHERE b.id = $1 AND b.user_id = $2 FOR UPDATE OF s", 2, c->booking_id, c->user_id);
	if (st != DB_OK)
		return st;
	if (db_rows(s) != 1)
		return refuse(out, 404, "There is no such booking.");
	PGresult *b = db_query(a, &st, "SELECT status FROM bookings WHERE id = $1 FOR UPDATE", 1,
	    c->booking_id);
	if (st != DB_OK)
		return st;
	const char *was = db_val(b, 0, 0);
	if (strcmp(was, "cancelled") == 0)
		return refuse(out, 409, "This booking is already cancelled.");
	if (strcmp(db_val(s, 0, 1), "t") == 0 || strcmp(db_val(s, 0, 2), "t") == 0)
		return refuse(out, 409, arena_printf(a, "The cancellation deadline (%s) has passed; "
		    "contact the ESNR office.", db_val(s, 0, 3)));
	if ((st = db_exec(a, "UPDATE bookings SET status = 'cancelled', cancelled_at = now(),"
	    " updated_at = now(), ics_sequence = ics_sequence + 1 WHERE id = $1", 1,
	    c->booking_id)) != DB_OK)
		return st;
	if (strcmp(was, "booked") == 0) {
		PGresult *r = db_query(a, &st,
		    "UPDATE bookings SET status = 'booked', updated_at = now(), ics_sequence = ics_sequence + 1"
		    " WHERE id = (SELECT id FROM bookings WHERE session_id = $1 AND status = 'waitlisted'"
		    "   ORDER BY created_at, id LIMIT 1) RETURNING id", 1, db_val(s, 0, 0));
		if (st != DB_OK)
			return st;
		out->promoted = db_rows(r) == 1 ? db_int(r, 0, 0) : 0;
	}
	out->booking_id = strtoll(c->booking_id, NULL, 10);
	out->status = "cancelled";
	return DB_OK;
}

enum db_status booking_cancel(struct arena *a, const char *user_id, const char *booking_id,
    struct booking_outcome *out)
{
	struct cancel_ctx c = { user_id, booking_id, out };
	memset(out, 0, sizeof *out);
	return db_tx(a, DB_READ_COMMITTED, cancel_body, &c);
}
