#include "db/booking.h"

#include <stdlib.h>
#include <string.h>

#include "db/outbox.h"
#include "db/programme.h"

struct book_ctx {
	const char *user_id, *session_id;
	struct booking_outcome *out;
};

static enum db_status refuse(struct booking_outcome *out, enum refusal_kind kind, const char *why)
{
	return db_refuse(&out->refusal, kind, NULL, why);
}

/* Everything a booking depends on but the seat count, read in one round trip before the
 * session is locked: the session, the candidate's records, the rules, a certificate or a
 * live booking of the same exam already held. */
static struct db_stmt q_book_session = DB_STMT("book_session",
    "SELECT exam_code, opens_at > now(), closes_at <= now() OR closed_at IS NOT NULL,"
    "   to_char(opens_at AT TIME ZONE time_zone, 'FMDD Mon YYYY HH24:MI') || ' ' || time_zone"
    " FROM exam_sessions WHERE id = $1", 1);
static struct db_stmt q_book_certificate = DB_STMT("book_certificate",
    "SELECT c.number FROM certificates c JOIN exam_sessions s ON s.exam_code = c.exam_code"
    " WHERE s.id = $1 AND c.user_id = $2 AND c.revoked_at IS NULL", 2);
static struct db_stmt q_book_existing = DB_STMT("book_existing",
    "SELECT b.status, to_char(o.starts_at AT TIME ZONE o.time_zone, 'FMDD Mon YYYY'), o.location"
    " FROM exam_sessions s JOIN bookings b ON b.exam_code = s.exam_code"
    " JOIN exam_sessions o ON o.id = b.session_id"
    " WHERE s.id = $1 AND b.user_id = $2 AND b.status <> 'cancelled' AND b.live", 2);
/* Under the session's lock, which serialises every booking of it: the seat is decided and
 * taken in one statement (the CHECK on booked_count is the backstop). No row: the booking
 * window closed meanwhile. */
static struct db_stmt q_book_insert = DB_STMT("book_insert",
    "WITH s AS (SELECT id, exam_code, booked_count < capacity AS seat FROM exam_sessions"
    "   WHERE id = $1 AND opens_at <= now() AND closes_at > now() AND closed_at IS NULL FOR UPDATE)"
    " INSERT INTO bookings (session_id, exam_code, user_id, status, ics_uid)"
    " SELECT s.id, s.exam_code, $2, CASE WHEN s.seat THEN 'booked' ELSE 'waitlisted' END,"
    "   'booking-' || gen_random_uuid() || '@esonr-portal' FROM s"
    " RETURNING id, status", 2);

/* Whether a course's MCQ must be passed, read in the booking's own transaction. */
static struct db_stmt q_book_mcq = DB_STMT("book_mcq", "SELECT code, requires_mcq FROM courses", 0);

enum { B_SESSION = RECORDS__MAX, B_CERTIFICATE, B_EXISTING, B_RULES, B_NOW, B_MCQ, B__MAX };

/* The booking decides on the database's word of which MCQs are required, not on the
 * process's copy of the catalogue (records_parse): a course it does not list counts as one
 * whose MCQ is required. */
static void mcq_required_live(struct arena *a, const PGresult *r, struct records *rec)
{
	struct attendance *att = arena_zalloc(a, sizeof *att * (rec->natt + 1));
	for (size_t i = 0; i < rec->natt; i++) {
		att[i] = rec->att[i];
		att[i].requires_mcq = 1;
		for (int k = 0; k < db_rows(r); k++)
			if (strcmp(db_val(r, k, 0), att[i].course) == 0)
				att[i].requires_mcq = strcmp(db_val(r, k, 1), "t") == 0;
	}
	rec->att = att;
}

static enum db_status book_body(struct arena *a, void *p)
{
	struct book_ctx *c = p;
	struct booking_outcome *out = c->out;
	struct db_call calls[B__MAX];
	PGresult *res[B__MAX];
	records_calls(c->user_id, calls);
	calls[B_SESSION] = (struct db_call){ &q_book_session, { c->session_id } };
	calls[B_CERTIFICATE] = (struct db_call){ &q_book_certificate, { c->session_id, c->user_id } };
	calls[B_EXISTING] = (struct db_call){ &q_book_existing, { c->session_id, c->user_id } };
	rules_all_call(&calls[B_RULES]);
	db_now_call(&calls[B_NOW]);
	calls[B_MCQ] = (struct db_call){ &q_book_mcq, { NULL } };
	enum db_status st = db_batch(a, calls, B__MAX, res);
	if (st != DB_OK)
		return st;

	const PGresult *s = res[B_SESSION];
	if (db_rows(s) != 1)
		return refuse(out, REFUSAL_NOT_FOUND, "There is no such examination session.");
	const char *exam = db_val(s, 0, 0);
	if (strcmp(db_val(s, 0, 1), "t") == 0)
		return refuse(out, REFUSAL_CONFLICT, arena_printf(a, "Booking for this session opens on %s.",
		    db_val(s, 0, 3)));
	if (strcmp(db_val(s, 0, 2), "t") == 0)
		return refuse(out, REFUSAL_CONFLICT, "Booking for this session has closed.");
	const PGresult *r = res[B_CERTIFICATE];
	if (db_rows(r) > 0)
		return refuse(out, REFUSAL_CONFLICT, arena_printf(a, "You have already passed the %s examination "
		    "(certificate %s).", exam, db_val(r, 0, 0)));
	r = res[B_EXISTING];
	if (db_rows(r) > 0)
		return refuse(out, REFUSAL_CONFLICT, arena_printf(a, "You are already %s for the %s examination "
		    "(%s, %s). Cancel that booking first to choose another session.",
		    strcmp(db_val(r, 0, 0), "booked") == 0 ? "booked" : "on the waiting list", exam,
		    db_val(r, 0, 1), db_val(r, 0, 2)));

	struct records rec;
	struct exam_answer ans;
	struct exam_rules *rules;
	size_t nrules;
	int64_t now;
	const char *today;
	if ((st = records_parse(a, res, &rec)) != DB_OK)
		return st;
	mcq_required_live(a, res[B_MCQ], &rec);
	rules_all_parse(a, res[B_RULES], &rules, &nrules);
	db_now_parse(res[B_NOW], &now, &today);
	const struct exam_rules *mine = NULL;
	for (size_t i = 0; i < nrules; i++)
		if (strcmp(rules[i].exam, exam) == 0)
			mine = &rules[i];
	exam_eligibility_of(a, exam, mine ? mine->rules : NULL, mine ? mine->n : 0, &rec, now, today, &ans);
	if (!ans.e.eligible) {
		const char **reasons = arena_zalloc(a, sizeof *reasons * (ans.n + 1));
		size_t n = 0;
		for (size_t i = 0; i < ans.n; i++)
			if (!ans.results[i].met)
				reasons[n++] = ans.results[i].reason;
		refuse(out, REFUSAL_CONFLICT, arena_printf(a, "You are not yet eligible for the %s "
		    "examination.", exam));
		out->refusal.reasons = reasons;
		out->refusal.nreasons = n;
		return DB_REFUSED;
	}

	/* The seat, its mail and the commit in one round trip: the session's lock, which every
	 * booking of a rush waits for, is held for that round trip only, not also for the
	 * worker's turn to send COMMIT. A worker that dies while its booking waits for the lock
	 * leaves nothing behind: the server looks for its client while it waits (db_configure)
	 * and rolls back. No row: nothing was written, and the empty commit is harmless. */
	struct db_call last[3] = { { &q_book_insert, { c->session_id, c->user_id } } };
	PGresult *lr[3];
	outbox_new_booking_call(&last[1], c->session_id, c->user_id);
	db_commit_call(&last[2]);
	st = db_batch(a, last, 3, lr);
	if (st == DB_CONFLICT)
		return refuse(out, REFUSAL_CONFLICT, "You already have a booking for this examination.");
	if (st != DB_OK)
		return st;
	const PGresult *b = lr[0];
	if (db_rows(b) != 1) /* nothing was written: no seat, no mail */
		return refuse(out, REFUSAL_CONFLICT, "Booking for this session has closed.");
	out->booking_id = db_int(b, 0, 0);
	out->status = strcmp(db_val(b, 0, 1), "booked") == 0 ? "booked" : "waitlisted";
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
		return refuse(out, REFUSAL_NOT_FOUND, "There is no such booking.");
	PGresult *b = db_query(a, &st, "SELECT status FROM bookings WHERE id = $1 FOR UPDATE", 1,
	    c->booking_id);
	if (st != DB_OK)
		return st;
	const char *was = db_val(b, 0, 0);
	if (strcmp(was, "cancelled") == 0)
		return refuse(out, REFUSAL_CONFLICT, "This booking is already cancelled.");
	if (strcmp(db_val(s, 0, 1), "t") == 0 || strcmp(db_val(s, 0, 2), "t") == 0)
		return refuse(out, REFUSAL_CONFLICT, arena_printf(a, "The cancellation deadline (%s) has passed; "
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
		if (out->promoted && (st = outbox_booking(a, out->promoted, OUTBOX_PROMOTED)) != DB_OK)
			return st;
	}
	out->booking_id = strtoll(c->booking_id, NULL, 10);
	out->status = "cancelled";
	return outbox_booking(a, out->booking_id, OUTBOX_CANCELLED);
}

enum db_status booking_cancel(struct arena *a, const char *user_id, const char *booking_id,
    struct booking_outcome *out)
{
	struct cancel_ctx c = { user_id, booking_id, out };
	memset(out, 0, sizeof *out);
	return db_tx(a, DB_READ_COMMITTED, cancel_body, &c);
}
