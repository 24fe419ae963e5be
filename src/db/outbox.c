#include "db/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/audit.h"

static const char *const kind_names[OUTBOX__MAX] = {
	[OUTBOX_CONFIRM] = "confirm",
	[OUTBOX_RESET] = "reset",
	[OUTBOX_PASSWORD_CHANGED] = "password_changed",
	[OUTBOX_BOOKED] = "booked",
	[OUTBOX_WAITLISTED] = "waitlisted",
	[OUTBOX_PROMOTED] = "promoted",
	[OUTBOX_CANCELLED] = "cancelled",
	[OUTBOX_RESULTS] = "results",
	[OUTBOX_CERT_ISSUED] = "cert_issued",
	[OUTBOX_CERT_REVOKED] = "cert_revoked",
	[OUTBOX_CERT_REISSUED] = "cert_reissued",
};

const char *outbox_kind_name(enum outbox_kind k)
{
	return k >= 0 && k < OUTBOX__MAX ? kind_names[k] : NULL;
}

/* Dates as the candidate reads them: in the session's own time zone, which is named. */
#define LOCAL_WHEN(ts) "to_char(" ts " AT TIME ZONE s.time_zone, 'FMDay FMDD FMMonth YYYY, HH24:MI') || ' (' || s.time_zone || ')'"
#define LOCAL_DAY(ts) "to_char(" ts " AT TIME ZONE s.time_zone, 'FMDD FMMonth YYYY')"

/* Prepared: a booking writes it under its session's lock, where planning this join (1-3 ms)
 * made every booking of a rush wait for all the ones before it. */
#define BOOKING_MAIL(kind, more, which) \
    "INSERT INTO outbox (kind, user_id, to_addr, to_name, payload)" \
    " SELECT " kind ", u.id, u.email, u.full_name, (to_jsonb(c) - 'user_id') || jsonb_build_object(" \
    "   'name', u.full_name, 'exam', b.exam_code, 'exam_title', e.title," \
    "   'when', " LOCAL_WHEN("s.starts_at") ", 'location', s.location," \
    "   'cancel_until', " LOCAL_WHEN("s.cancel_until") more ")" \
    " FROM booking_calendar c JOIN bookings b ON b.id = c.booking_id" \
    " JOIN exam_sessions s ON s.id = b.session_id JOIN exams e ON e.code = b.exam_code" \
    " JOIN users u ON u.id = b.user_id WHERE " which
/* A cancellation's mail, and a promotion's from the waiting list (by the booking's id). */
static struct db_stmt q_booking = DB_STMT("outbox_booking", BOOKING_MAIL("$2", "", "c.booking_id = $1"), 2);
/* The mail of the booking just made, by its session and candidate (their one live booking:
 * bookings_one_live_per_exam), so that it can be queued in the booking's last round trip;
 * a waiting list's mail says the place on it. */
static struct db_stmt q_new_booking = DB_STMT("outbox_new_booking",
    BOOKING_MAIL("CASE b.status WHEN 'booked' THEN 'booked' ELSE 'waitlisted' END",
    ", 'position', (SELECT count(*) + 1 FROM bookings w WHERE w.session_id = b.session_id"
    "   AND w.status = 'waitlisted' AND (w.created_at, w.id) < (b.created_at, b.id))::text",
    "b.session_id = $1 AND b.user_id = $2 AND b.live AND b.status IN ('booked', 'waitlisted')"), 2);

void outbox_new_booking_call(struct db_call *call, const char *session_id, const char *user_id)
{
	*call = (struct db_call){ &q_new_booking, { session_id, user_id } };
}

enum db_status outbox_booking(struct arena *a, long long booking_id, enum outbox_kind k)
{
	char id[24];
	enum db_status st;
	snprintf(id, sizeof id, "%lld", booking_id);
	db_run(a, &st, &q_booking, id, outbox_kind_name(k));
	return st;
}

enum db_status outbox_results(struct arena *a, const char *session_id)
{
	return db_exec(a,
	    "INSERT INTO outbox (kind, user_id, to_addr, to_name, payload)"
	    " SELECT 'results', u.id, u.email, u.full_name, jsonb_build_object("
	    "   'name', u.full_name, 'exam', b.exam_code, 'exam_title', e.title,"
	    "   'date', " LOCAL_DAY("s.starts_at") ", 'location', s.location,"
	    "   'passed', CASE WHEN o.outcome = 'pass' THEN 'yes' ELSE '' END,"
	    "   'failed', CASE WHEN o.outcome = 'fail' THEN 'yes' ELSE '' END,"
	    "   'absent', CASE WHEN o.outcome = 'absent' THEN 'yes' ELSE '' END)"
	    " FROM bookings b JOIN exam_sessions s ON s.id = b.session_id JOIN exams e ON e.code = b.exam_code"
	    " JOIN users u ON u.id = b.user_id LEFT JOIN results r ON r.booking_id = b.id"
	    " CROSS JOIN LATERAL (SELECT coalesce(r.decision, r.computed_outcome) AS outcome) o"
	    " WHERE b.session_id = $1 AND b.status = 'booked' ORDER BY b.id",
	    1, session_id);
}

enum db_status outbox_certificate(struct arena *a, const char *number, enum outbox_kind k)
{
	return db_exec(a,
	    "INSERT INTO outbox (kind, user_id, to_addr, to_name, payload)"
	    " SELECT $2, u.id, u.email, u.full_name, jsonb_build_object("
	    "   'name', c.holder_name, 'number', c.number, 'exam', c.exam_code, 'exam_title', e.title,"
	    "   'issued_on', to_char(c.issued_at AT TIME ZONE coalesce(s.time_zone, 'Europe/Vienna'),"
	    "      'FMDD FMMonth YYYY'),"
	    "   'reason', coalesce(c.revoked_reason, c.reissue_reason, ''),"
	    "   'supersedes', coalesce(c.supersedes, ''))"
	    " FROM certificates c JOIN users u ON u.id = c.user_id JOIN exams e ON e.code = c.exam_code"
	    " LEFT JOIN exam_sessions s ON s.id = c.session_id WHERE c.number = $1",
	    2, number, outbox_kind_name(k));
}

enum db_status outbox_account(struct arena *a, const char *user_id, enum outbox_kind k,
    const char *token)
{
	return db_exec(a,
	    "INSERT INTO outbox (kind, user_id, to_addr, to_name, payload)"
	    " SELECT $2, u.id, u.email, u.full_name, jsonb_build_object('name', u.full_name)"
	    "   || CASE WHEN $3::text IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('token', $3::text) END"
	    " FROM users u WHERE u.id = $1",
	    3, user_id, outbox_kind_name(k), token);
}

/* Rows matched by $1 (NULL: every expired lease; else that claimer's rows). */
static enum db_status recover(struct arena *a, const char *claimer, int *requeued, int *uncertain)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "UPDATE outbox SET state = 'queued', lease_until = NULL, claimed_by = NULL,"
	    "   next_attempt_at = now()"
	    " WHERE state = 'sending' AND ($1::text IS NULL AND lease_until < now() OR claimed_by = $1)"
	    " RETURNING id", 1, claimer);
	if (st != DB_OK)
		return st;
	*requeued = db_rows(r);
	r = db_query(a, &st,
	    "UPDATE outbox SET state = 'failed', lease_until = NULL, claimed_by = NULL,"
	    "   last_error = 'the sender stopped after handing the whole message to the mail server"
	    " and before its answer: it may have been delivered; retry only if the recipient did not"
	    " receive it'"
	    " WHERE state = 'handed_over' AND ($1::text IS NULL AND lease_until < now() OR claimed_by = $1)"
	    " RETURNING id", 1, claimer);
	if (st != DB_OK)
		return st;
	*uncertain = db_rows(r);
	return DB_OK;
}

enum db_status outbox_recover(struct arena *a, int *requeued, int *uncertain)
{
	return recover(a, NULL, requeued, uncertain);
}

enum db_status outbox_recover_claimer(struct arena *a, const char *claimer, int *requeued,
    int *uncertain)
{
	return recover(a, claimer, requeued, uncertain);
}

enum db_status outbox_claimers(struct arena *a, const char *host, const char ***claimers,
    size_t *n)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT DISTINCT claimed_by FROM outbox WHERE state IN ('sending', 'handed_over')"
	    " AND starts_with(claimed_by, $1 || ':')", 1, host);
	*n = 0;
	if (st != DB_OK)
		return st;
	*n = (size_t)db_rows(r);
	*claimers = arena_zalloc(a, sizeof **claimers * (*n + 1));
	for (size_t i = 0; i < *n; i++)
		(*claimers)[i] = db_val(r, (int)i, 0);
	return DB_OK;
}

/* The sender's statements for every message, prepared: planned at each message, they cost
 * the server more than the rest of a booking did (a rush sends a mail per booking). */
static struct db_stmt q_claim = DB_STMT("outbox_claim",
    "UPDATE outbox SET state = 'sending', attempts = attempts + 1,"
    "   lease_until = now() + make_interval(secs => $1::int), claimed_by = $2"
    " WHERE id = (SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= now()"
    "   ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
    " RETURNING id, kind, to_addr, to_name, message_id,"
    "   to_char(created_at AT TIME ZONE 'UTC', 'Dy, DD Mon YYYY HH24:MI:SS \"+0000\"'), attempts", 2);
static struct db_stmt q_payload = DB_STMT("outbox_payload",
    "SELECT key, value FROM outbox, jsonb_each_text(payload) WHERE id = $1", 1);
static struct db_stmt q_handed_over = DB_STMT("outbox_handed_over",
    "UPDATE outbox SET state = 'handed_over' WHERE id = $1 AND state = 'sending'", 1);
static struct db_stmt q_sent = DB_STMT("outbox_sent",
    "UPDATE outbox SET state = 'sent', sent_at = now(), lease_until = NULL, claimed_by = NULL,"
    " last_error = NULL, payload = payload - 'token' WHERE id = $1", 1);

enum db_status outbox_claim(struct arena *a, int lease_seconds, const char *claimer,
    struct outbox_message *m, int *found)
{
	enum db_status st;
	char lease[16];
	snprintf(lease, sizeof lease, "%d", lease_seconds);
	*found = 0;
	PGresult *r = db_run(a, &st, &q_claim, lease, claimer);
	if (st != DB_OK || db_rows(r) != 1)
		return st;
	memset(m, 0, sizeof *m);
	m->id = db_int(r, 0, 0);
	m->kind = db_val(r, 0, 1);
	m->to_addr = db_val(r, 0, 2);
	m->to_name = db_val(r, 0, 3);
	m->message_id = db_val(r, 0, 4);
	m->created_rfc5322 = db_val(r, 0, 5);
	m->attempts = (int)db_int(r, 0, 6);
	PGresult *p = db_run(a, &st, &q_payload, db_val(r, 0, 0));
	if (st != DB_OK)
		return st;
	m->n = (size_t)db_rows(p);
	m->keys = arena_zalloc(a, sizeof *m->keys * (m->n + 1));
	m->values = arena_zalloc(a, sizeof *m->values * (m->n + 1));
	for (size_t i = 0; i < m->n; i++) {
		m->keys[i] = db_val(p, (int)i, 0);
		m->values[i] = db_val(p, (int)i, 1) ? db_val(p, (int)i, 1) : "";
	}
	*found = 1;
	return DB_OK;
}

static const char *id_text(struct arena *a, long long id)
{
	return arena_printf(a, "%lld", id);
}

enum db_status outbox_mark_handed_over(struct arena *a, long long id)
{
	enum db_status st;
	db_run(a, &st, &q_handed_over, id_text(a, id));
	return st;
}

enum db_status outbox_mark_sent(struct arena *a, long long id)
{
	enum db_status st;
	db_run(a, &st, &q_sent, id_text(a, id));
	return st;
}

enum db_status outbox_mark_retry(struct arena *a, long long id, int delay_seconds,
    const char *error)
{
	return db_exec(a, "UPDATE outbox SET state = 'queued', lease_until = NULL, claimed_by = NULL, last_error = $3,"
	    " next_attempt_at = now() + make_interval(secs => $2::int) WHERE id = $1", 3,
	    id_text(a, id), arena_printf(a, "%d", delay_seconds), error);
}

enum db_status outbox_mark_failed(struct arena *a, long long id, const char *error)
{
	return db_exec(a, "UPDATE outbox SET state = 'failed', lease_until = NULL, claimed_by = NULL, last_error = $2"
	    " WHERE id = $1", 2, id_text(a, id), error);
}

enum db_status outbox_next_due(struct arena *a, double *seconds)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT greatest(0, extract(epoch FROM min(next_attempt_at) - now()))"
	    /* No row when nothing is queued (greatest() ignores a NULL: it answered 0, "due now"). */
	    " FROM outbox WHERE state = 'queued' HAVING count(*) > 0", 0);
	if (st != DB_OK)
		return st;
	*seconds = db_val(r, 0, 0) == NULL ? -1 : strtod(db_val(r, 0, 0), NULL);
	return DB_OK;
}

enum db_status outbox_status(struct arena *a, struct outbox_counts *c, struct outbox_row **rows,
    size_t *n, int limit)
{
	enum db_status st;
	memset(c, 0, sizeof *c);
	PGresult *r = db_query(a, &st,
	    "SELECT count(*) FILTER (WHERE state = 'queued'),"
	    "   count(*) FILTER (WHERE state IN ('sending', 'handed_over')),"
	    "   count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE state = 'failed')"
	    " FROM outbox", 0);
	if (st != DB_OK)
		return st;
	c->queued = db_int(r, 0, 0);
	c->sending = db_int(r, 0, 1);
	c->sent = db_int(r, 0, 2);
	c->failed = db_int(r, 0, 3);
	/* What needs the office first: failures, then what is waiting, then the latest sent. */
	r = db_query(a, &st,
	    "SELECT id, kind, to_addr, state, attempts,"
	    "   to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC',"
	    "   coalesce(to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', ''),"
	    "   CASE WHEN state = 'queued' THEN to_char(next_attempt_at AT TIME ZONE 'UTC',"
	    "      'YYYY-MM-DD HH24:MI:SS') || ' UTC' ELSE '' END,"
	    "   coalesce(last_error, '')"
	    " FROM outbox ORDER BY CASE state WHEN 'failed' THEN 0 WHEN 'sent' THEN 2 ELSE 1 END, id DESC"
	    " LIMIT $1", 1, arena_printf(a, "%d", limit));
	if (st != DB_OK)
		return st;
	*n = (size_t)db_rows(r);
	*rows = arena_zalloc(a, sizeof **rows * (*n + 1));
	for (size_t i = 0; i < *n; i++) {
		struct outbox_row *o = &(*rows)[i];
		int k = (int)i;
		o->id = db_val(r, k, 0);
		o->kind = db_val(r, k, 1);
		o->to_addr = db_val(r, k, 2);
		o->state = strcmp(db_val(r, k, 3), "handed_over") == 0 ? "sending" : db_val(r, k, 3);
		o->attempts = db_val(r, k, 4);
		o->created = db_val(r, k, 5);
		o->sent = db_val(r, k, 6);
		o->next_attempt = db_val(r, k, 7);
		o->last_error = db_val(r, k, 8);
	}
	return DB_OK;
}

enum db_status outbox_unconfirmed(struct arena *a, struct unconfirmed_row **rows, size_t *n,
    int limit)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT id, email, full_name, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	    " FROM users WHERE email_confirmed_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $1",
	    1, arena_printf(a, "%d", limit));
	if (st != DB_OK)
		return st;
	*n = (size_t)db_rows(r);
	*rows = arena_zalloc(a, sizeof **rows * (*n + 1));
	for (size_t i = 0; i < *n; i++) {
		(*rows)[i].id = db_val(r, (int)i, 0);
		(*rows)[i].email = db_val(r, (int)i, 1);
		(*rows)[i].full_name = db_val(r, (int)i, 2);
		(*rows)[i].registered = db_val(r, (int)i, 3);
	}
	return DB_OK;
}

struct retry_ctx {
	const char *id, *actor_id;
	struct refusal *ref;
};

static enum db_status retry_body(struct arena *a, void *p)
{
	struct retry_ctx *c = p;
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "UPDATE outbox SET state = 'queued', next_attempt_at = now(), attempts = 0"
	    " WHERE id = $1 AND state = 'failed'"
	    " RETURNING jsonb_build_object('to', to_addr, 'kind', kind, 'error', last_error)::text",
	    1, c->id);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return db_refuse(c->ref, REFUSAL_CONFLICT, NULL, "This message has not failed (or does "
		    "not exist): only a failed message can be sent again.");
	return audit_record(a, c->actor_id, "mail.retry", "outbox", c->id, db_val(r, 0, 0), NULL);
}

enum db_status outbox_retry(struct arena *a, const char *id, const char *actor_id,
    struct refusal *ref)
{
	struct retry_ctx c = { id, actor_id, ref };
	return db_tx(a, DB_READ_COMMITTED, retry_body, &c);
}

enum db_status outbox_listen(struct arena *a)
{
	return db_exec(a, "LISTEN outbox", 0);
}
