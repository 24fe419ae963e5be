#include "db/results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/audit.h"
#include "db/audit_anchor.h"
#include "db/certificate_issue.h"
#include "db/certificates.h"
#include "db/outbox.h"
#include "domain/outcome.h"

static const char *num(struct arena *a, int v)
{
	return v < 0 ? NULL : arena_printf(a, "%d", v);
}

static int int_or_none(const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	return v == NULL ? -1 : atoi(v);
}

/* The result row as JSON, for the audit log's before/after. */
static const char *result_json(struct arena *a, const char *booking_id)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT (to_jsonb(r) - 'updated_at')::text FROM results r WHERE booking_id = $1", 1, booking_id);
	return st == DB_OK && db_rows(r) == 1 ? db_val(r, 0, 0) : NULL;
}

/* Recomputes and stores computed_outcome from the stored marks and the exam's marks. */
static enum db_status recompute(struct arena *a, const char *booking_id)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT r.absent, r.written, r.oral_a, r.oral_b, r.oral_resolved,"
	    "   e.pass_written, e.pass_oral, e.double_oral, e.oral_tolerance"
	    " FROM results r JOIN bookings b ON b.id = r.booking_id JOIN exams e ON e.code = b.exam_code"
	    " WHERE r.booking_id = $1", 1, booking_id);
	if (st != DB_OK || db_rows(r) != 1)
		return st == DB_OK ? DB_ERROR : st;
	struct marks m = {
		.absent = strcmp(db_val(r, 0, 0), "t") == 0,
		.written = int_or_none(r, 0, 1),
		.oral_a = int_or_none(r, 0, 2),
		.oral_b = int_or_none(r, 0, 3),
		.oral_resolved = int_or_none(r, 0, 4),
	};
	struct exam_marks x = {
		.pass_written = (int)db_int(r, 0, 5),
		.pass_oral = (int)db_int(r, 0, 6),
		.double_oral = strcmp(db_val(r, 0, 7), "t") == 0,
		.tolerance = (int)db_int(r, 0, 8),
	};
	return db_exec(a, "UPDATE results SET computed_outcome = $2 WHERE booking_id = $1", 2,
	    booking_id, outcome_name(outcome_compute(&m, &x)));
}

struct save_ctx {
	const char *session_id, *actor_id;
	const struct result_row *rows;
	size_t n;
	struct refusal *ref;
};

static enum db_status save_row(struct arena *a, struct save_ctx *c, const struct result_row *row,
    int double_oral)
{
	enum db_status st;
	const char *before = result_json(a, row->booking_id);
	PGresult *cur = db_query(a, &st,
	    "SELECT oral_a_by, oral_b_by FROM results WHERE booking_id = $1", 1, row->booking_id);
	if (st != DB_OK)
		return st;
	/* With two markers each examiner's oral mark goes to their own column. */
	const char *slot = "a";
	if (double_oral && db_rows(cur) == 1) {
		const char *by_a = db_val(cur, 0, 0), *by_b = db_val(cur, 0, 1);
		if (by_a == NULL || strcmp(by_a, c->actor_id) == 0)
			slot = "a";
		else if (by_b == NULL || strcmp(by_b, c->actor_id) == 0)
			slot = "b";
		else
			return db_refuse(c->ref, REFUSAL_CONFLICT, NULL, "Two examiners have already marked the oral part.");
	}
	const char *oral = row->absent ? NULL : num(a, row->oral);
	const char *written = row->absent ? NULL : num(a, row->written);
	const char *sql = strcmp(slot, "a") == 0 ?
	    "INSERT INTO results (booking_id, absent, written, oral_a, oral_a_by, computed_outcome, entered_by)"
	    " VALUES ($1, $2, $3, $4, CASE WHEN $4::int IS NULL THEN NULL ELSE $5::bigint END, 'pending', $5)"
	    " ON CONFLICT (booking_id) DO UPDATE SET absent = $2, written = $3, oral_a = $4,"
	    "   oral_a_by = CASE WHEN $4::int IS NULL THEN NULL ELSE $5::bigint END,"
	    "   oral_b = CASE WHEN $2 THEN NULL ELSE results.oral_b END,"
	    "   oral_b_by = CASE WHEN $2 THEN NULL ELSE results.oral_b_by END,"
	    "   entered_by = $5, updated_at = now()" :
	    "UPDATE results SET absent = $2, written = $3, oral_b = $4,"
	    "   oral_b_by = CASE WHEN $4::int IS NULL THEN NULL ELSE $5::bigint END,"
	    "   oral_a = CASE WHEN $2 THEN NULL ELSE oral_a END,"
	    "   oral_a_by = CASE WHEN $2 THEN NULL ELSE oral_a_by END,"
	    "   entered_by = $5, updated_at = now() WHERE booking_id = $1";
	if ((st = db_exec(a, sql, 5, row->booking_id, row->absent ? "t" : "f", written, oral,
	    c->actor_id)) != DB_OK)
		return st;
	if ((st = recompute(a, row->booking_id)) != DB_OK)
		return st;
	const char *after = result_json(a, row->booking_id);
	if (before != NULL && after != NULL && strcmp(before, after) == 0)
		return DB_OK;
	return audit_record(a, c->actor_id, before ? "result.correct" : "result.enter", "booking",
	    row->booking_id, before, after);
}

static enum db_status save_body(struct arena *a, void *p)
{
	struct save_ctx *c = p;
	enum db_status st;
	PGresult *s = db_query(a, &st,
	    "SELECT s.closed_at IS NOT NULL OR s.closes_at <= now(), s.published_at IS NOT NULL,"
	    "   e.double_oral"
	    " FROM exam_sessions s JOIN exams e ON e.code = s.exam_code WHERE s.id = $1 FOR UPDATE OF s",
	    1, c->session_id);
	if (st != DB_OK)
		return st;
	if (db_rows(s) != 1)
		return db_refuse(c->ref, REFUSAL_NOT_FOUND, NULL, "There is no such session.");
	if (strcmp(db_val(s, 0, 0), "t") != 0)
		return db_refuse(c->ref, REFUSAL_CONFLICT, NULL, "Booking for this session has not closed yet: the roster is "
		    "not final, so results cannot be entered.");
	if (strcmp(db_val(s, 0, 1), "t") == 0)
		return db_refuse(c->ref, REFUSAL_CONFLICT, NULL, "The results of this session are published: a change now "
		    "needs an amendment by the ESNR office.");
	int double_oral = strcmp(db_val(s, 0, 2), "t") == 0;

	PGresult *roster = db_query(a, &st,
	    "SELECT id FROM bookings WHERE session_id = $1 AND status = 'booked' ORDER BY id", 1,
	    c->session_id);
	if (st != DB_OK)
		return st;
	/* All rows or none: the submission must be exactly the booked candidates. */
	if ((size_t)db_rows(roster) != c->n)
		return db_refuse(c->ref, REFUSAL_CONFLICT, NULL, "The roster changed while you were marking; reload the page.");
	for (int i = 0; i < db_rows(roster); i++) {
		int found = 0;
		for (size_t k = 0; k < c->n && !found; k++)
			found = strcmp(c->rows[k].booking_id, db_val(roster, i, 0)) == 0;
		if (!found)
			return db_refuse(c->ref, REFUSAL_CONFLICT, NULL, "The roster changed while you were marking; reload the page.");
	}
	for (size_t k = 0; k < c->n; k++)
		if ((st = save_row(a, c, &c->rows[k], double_oral)) != DB_OK)
			return st;
	return DB_OK;
}

enum db_status results_save(struct arena *a, const char *session_id, const char *actor_id,
    const struct result_row *rows, size_t n, struct refusal *ref)
{
	struct save_ctx c = { session_id, actor_id, rows, n, ref };
	return db_tx(a, DB_READ_COMMITTED, save_body, &c);
}

/* Issues the certificate of a passed booking, numbered without gaps per exam and year; no
 * key in force undoes all, a name the font cannot draw is reported and the others go on. */
static enum db_status certificate_issue(struct arena *a, const char *booking_id, const char *actor_id,
    struct refusal *ref, int *made)
{
	int made_here;
	made = made ? made : &made_here;
	*made = 0;
	enum db_status st;
	PGresult *b = db_query(a, &st,
	    "SELECT b.exam_code, extract(year FROM s.starts_at AT TIME ZONE s.time_zone)::int,"
	    "   b.user_id, u.full_name, s.id"
	    " FROM bookings b JOIN exam_sessions s ON s.id = b.session_id JOIN users u ON u.id = b.user_id"
	    " WHERE b.id = $1", 1, booking_id);
	if (st != DB_OK || db_rows(b) != 1)
		return st == DB_OK ? DB_ERROR : st;
	const char *exam = db_val(b, 0, 0), *number;
	/* One name the font cannot draw must not stop the session's other certificates. */
	const char *problem = certificate_name_problem(a, db_val(b, 0, 3));
	if (problem != NULL)
		return certificate_problem_note(a, booking_id, actor_id, arena_printf(a,
		    "the name \"%s\" cannot be printed: %s; correct it, then publish the session again",
		    db_val(b, 0, 3), problem));
	if ((st = certificate_problem_clear(a, booking_id)) != DB_OK)
		return st;
	if ((st = certificate_record(a, exam, db_val(b, 0, 1), db_val(b, 0, 2), db_val(b, 0, 4),
	    db_val(b, 0, 3), NULL, NULL, &number)) != DB_OK)
		return st;
	/* Signed by the signer process once this transaction has committed (certificates_sign). */
	struct refusal cannot = { 0 };
	if ((st = certificate_can_issue(a, NULL, &cannot)) == DB_REFUSED)
		return db_refusef(a, ref, REFUSAL_CONFLICT, NULL, "The results cannot be published: %s",
		    cannot.text);
	if (st != DB_OK)
		return st;
	PGresult *j = db_query(a, &st, "SELECT jsonb_build_object('booking', $1::bigint,"
	    " 'holder', $2::text, 'exam', $3::text)::text", 3, booking_id, db_val(b, 0, 3), exam);
	if (st != DB_OK)
		return st;
	if ((st = outbox_certificate(a, number, OUTBOX_CERT_ISSUED)) != DB_OK)
		return st;
	*made = 1;
	return audit_record(a, actor_id, "certificate.issue", "certificate", number, NULL,
	    db_val(j, 0, 0));
}

struct publish_ctx {
	const char *session_id, *actor_id;
	int *issued;
	struct refusal *ref;
};

/* Publishing a published session again issues the certificates that could not be made. */
static enum db_status retry_problems(struct arena *a, struct publish_ctx *c)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT p.booking_id FROM certificate_problems p JOIN bookings b ON b.id = p.booking_id"
	    " WHERE b.session_id = $1 ORDER BY p.booking_id FOR UPDATE OF p", 1, c->session_id);
	if (st != DB_OK)
		return st;
	if (db_rows(r) == 0)
		return db_refuse(c->ref, REFUSAL_CONFLICT, NULL, "This session's results are already published.");
	for (int i = 0; i < db_rows(r); i++) {
		int made;
		if ((st = certificate_issue(a, db_val(r, i, 0), c->actor_id, c->ref, &made)) != DB_OK)
			return st;
		*c->issued += made;
	}
	return DB_OK;
}

static enum db_status publish_body(struct arena *a, void *p)
{
	struct publish_ctx *c = p;
	enum db_status st;
	*c->issued = 0;
	PGresult *s = db_query(a, &st,
	    "SELECT closed_at IS NOT NULL OR closes_at <= now(), published_at IS NOT NULL"
	    " FROM exam_sessions WHERE id = $1 FOR UPDATE", 1, c->session_id);
	if (st != DB_OK)
		return st;
	if (db_rows(s) != 1)
		return db_refuse(c->ref, REFUSAL_NOT_FOUND, NULL, "There is no such session.");
	if (strcmp(db_val(s, 0, 1), "t") == 0)
		return retry_problems(a, c);
	if (strcmp(db_val(s, 0, 0), "t") != 0)
		return db_refuse(c->ref, REFUSAL_CONFLICT, NULL, "Booking for this session is still open: close it and enter "
		    "the results first.");
	PGresult *r = db_query(a, &st,
	    "SELECT b.id, u.email, coalesce(r.decision, r.computed_outcome, 'pending')"
	    " FROM bookings b JOIN users u ON u.id = b.user_id LEFT JOIN results r ON r.booking_id = b.id"
	    " WHERE b.session_id = $1 AND b.status = 'booked' ORDER BY b.id", 1, c->session_id);
	if (st != DB_OK)
		return st;
	struct buf missing;
	buf_init(&missing, a);
	for (int i = 0; i < db_rows(r); i++) {
		const char *o = db_val(r, i, 2);
		if (strcmp(o, "pending") == 0)
			buf_printf(&missing, "%sbooking %s (%s) has no complete result", missing.len ? "; " : "",
			    db_val(r, i, 0), db_val(r, i, 1));
		else if (strcmp(o, "gap") == 0)
			buf_printf(&missing, "%sbooking %s (%s): the two oral marks differ by more than the "
			    "tolerance and must be resolved", missing.len ? "; " : "", db_val(r, i, 0),
			    db_val(r, i, 1));
	}
	if (missing.len > 0)
		return db_refuse(c->ref, REFUSAL_CONFLICT, NULL, arena_printf(a, "The results cannot be published yet: %s.",
		    missing.data));
	if ((st = db_exec(a, "UPDATE exam_sessions SET published_at = now() WHERE id = $1", 1,
	    c->session_id)) != DB_OK ||
	    (st = db_exec(a, "UPDATE bookings SET live = false WHERE session_id = $1", 1,
	    c->session_id)) != DB_OK)
		return st;
	for (int i = 0; i < db_rows(r); i++) {
		if (strcmp(db_val(r, i, 2), "pass") != 0)
			continue;
		int made;
		if ((st = certificate_issue(a, db_val(r, i, 0), c->actor_id, c->ref, &made)) != DB_OK)
			return st;
		*c->issued += made;
	}
	if ((st = outbox_results(a, c->session_id)) != DB_OK)
		return st;
	return audit_record(a, c->actor_id, "session.publish", "session", c->session_id, NULL,
	    arena_printf(a, "{\"candidates\": %d, \"certificates\": %d}", db_rows(r), *c->issued));
}

enum db_status exam_session_publish(struct arena *a, const char *session_id, const char *actor_id,
    int *issued, struct refusal *ref)
{
	struct publish_ctx c = { session_id, actor_id, issued, ref };
	enum db_status st = db_tx(a, DB_READ_COMMITTED, publish_body, &c);
	/* Every publication anchors the audit log outside the database (db/audit_anchor.h). The
	 * results are published either way; a failed anchor is logged and the next one covers it. */
	if (st == DB_OK) {
		struct anchor_info info;
		char err[512];
		if (audit_anchor_write(a, &info, err, sizeof err) != 0)
			fprintf(stderr, "audit anchor after publishing session %s: %s\n", session_id, err);
	}
	if (st == DB_OK)
		certificates_sign(a, session_id, NULL, NULL);
	return st;
}

/* Locks the booking's session and result; fills *published. 404 if there is no result. */
static enum db_status lock_result(struct arena *a, const char *booking_id, int *published,
    struct refusal *ref)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT s.published_at IS NOT NULL FROM exam_sessions s JOIN bookings b ON b.session_id = s.id"
	    " JOIN results r ON r.booking_id = b.id WHERE b.id = $1 FOR UPDATE OF s, r", 1, booking_id);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return db_refuse(ref, REFUSAL_NOT_FOUND, NULL, "This booking has no result yet.");
	*published = strcmp(db_val(r, 0, 0), "t") == 0;
	return DB_OK;
}

/* After a change to a published result, the certificate follows the outcome. */
static enum db_status certificates_follow(struct arena *a, const char *booking_id,
    const char *actor_id, const char *reason, struct refusal *ref)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT coalesce(r.decision, r.computed_outcome),"
	    "   (SELECT c.number FROM certificates c WHERE c.session_id = b.session_id"
	    "      AND c.user_id = b.user_id AND c.revoked_at IS NULL AND c.superseded_by IS NULL)"
	    " FROM results r JOIN bookings b ON b.id = r.booking_id WHERE r.booking_id = $1", 1, booking_id);
	if (st != DB_OK)
		return st;
	const char *outcome = db_val(r, 0, 0), *number = db_val(r, 0, 1);
	if (strcmp(outcome, "pass") == 0 && number == NULL)
		return certificate_issue(a, booking_id, actor_id, ref, NULL);
	if (strcmp(outcome, "pass") != 0 && number != NULL) {
		const char *why = arena_printf(a, "result amended: %s", reason);
		if ((st = db_exec(a, "UPDATE certificates SET revoked_at = now(), revoked_reason = $2"
		    " WHERE number = $1", 2, number, why)) != DB_OK ||
		    (st = outbox_certificate(a, number, OUTBOX_CERT_REVOKED)) != DB_OK)
			return st;
		PGresult *j = db_query(a, &st, "SELECT jsonb_build_object('reason', $1::text)::text", 1, why);
		if (st != DB_OK)
			return st;
		return audit_record(a, actor_id, "certificate.revoke", "certificate", number, NULL,
		    db_val(j, 0, 0));
	}
	return DB_OK;
}

struct change_ctx {
	const char *booking_id, *actor_id, *reason, *outcome;
	int oral;
	const struct result_row *row;
	struct refusal *ref;
};

static enum db_status decide_body(struct arena *a, void *p)
{
	struct change_ctx *c = p;
	enum db_status st;
	int published;
	if ((st = lock_result(a, c->booking_id, &published, c->ref)) != DB_OK)
		return st;
	const char *before = result_json(a, c->booking_id);
	if ((st = db_exec(a, "UPDATE results SET decision = $2, decision_reason = $3, decided_by = $4,"
	    " amended_at = CASE WHEN $5 THEN now() ELSE amended_at END,"
	    " amendment_reason = CASE WHEN $5 THEN $3 ELSE amendment_reason END, updated_at = now()"
	    " WHERE booking_id = $1", 5, c->booking_id, c->outcome, c->reason, c->actor_id,
	    published ? "t" : "f")) != DB_OK)
		return st;
	if ((st = audit_record(a, c->actor_id, published ? "result.amend" : "result.decide", "booking",
	    c->booking_id, before, result_json(a, c->booking_id))) != DB_OK)
		return st;
	return published ? certificates_follow(a, c->booking_id, c->actor_id, c->reason, c->ref) : DB_OK;
}

/* A certificate issued by a change after publication is signed once the change committed. */
static void sign_issued(struct arena *a, const char *booking_id)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT session_id FROM bookings WHERE id = $1", 1, booking_id);
	if (st == DB_OK && db_rows(r) == 1)
		certificates_sign(a, db_val(r, 0, 0), NULL, NULL);
}

enum db_status result_decide(struct arena *a, const char *booking_id, const char *actor_id,
    const char *outcome, const char *reason, struct refusal *ref)
{
	struct change_ctx c = { .booking_id = booking_id, .actor_id = actor_id, .reason = reason,
		.outcome = outcome, .ref = ref };
	enum db_status st = db_tx(a, DB_READ_COMMITTED, decide_body, &c);
	if (st == DB_OK)
		sign_issued(a, booking_id);
	return st;
}

static enum db_status resolve_body(struct arena *a, void *p)
{
	struct change_ctx *c = p;
	enum db_status st;
	int published;
	if ((st = lock_result(a, c->booking_id, &published, c->ref)) != DB_OK)
		return st;
	/* After publication the outcome may only change by an amendment, which the candidate
	 * sees and the certificate follows. */
	if (published)
		return db_refuse(c->ref, REFUSAL_CONFLICT, NULL, "The session is published: change this result with an "
		    "amendment, which the candidate is shown.");
	const char *before = result_json(a, c->booking_id);
	if ((st = db_exec(a, "UPDATE results SET oral_resolved = $2, oral_resolved_reason = $3,"
	    " updated_at = now() WHERE booking_id = $1", 3, c->booking_id, num(a, c->oral),
	    c->reason)) != DB_OK || (st = recompute(a, c->booking_id)) != DB_OK)
		return st;
	return audit_record(a, c->actor_id, "result.resolve_gap", "booking", c->booking_id, before,
	    result_json(a, c->booking_id));
}

enum db_status result_resolve_gap(struct arena *a, const char *booking_id, const char *actor_id,
    int oral, const char *reason, struct refusal *ref)
{
	struct change_ctx c = { .booking_id = booking_id, .actor_id = actor_id, .reason = reason,
		.oral = oral, .ref = ref };
	return db_tx(a, DB_READ_COMMITTED, resolve_body, &c);
}

static enum db_status amend_body(struct arena *a, void *p)
{
	struct change_ctx *c = p;
	enum db_status st;
	int published;
	if ((st = lock_result(a, c->booking_id, &published, c->ref)) != DB_OK)
		return st;
	if (!published)
		return db_refuse(c->ref, REFUSAL_CONFLICT, NULL, "The session is not published: the examiners can still "
		    "correct this result themselves.");
	const char *before = result_json(a, c->booking_id);
	const struct result_row *row = c->row;
	/* An amendment replaces the marks as a whole: one oral score, markers' gap settled. */
	if ((st = db_exec(a, "UPDATE results SET absent = $2, written = $3, oral_a = $4, oral_b = NULL,"
	    " oral_b_by = NULL, oral_resolved = $4, oral_resolved_reason = CASE WHEN $4::int IS NULL"
	    " THEN NULL ELSE $5 END, amended_at = now(), amendment_reason = $5, updated_at = now()"
	    " WHERE booking_id = $1", 5, c->booking_id, row->absent ? "t" : "f",
	    row->absent ? NULL : num(a, row->written), row->absent ? NULL : num(a, row->oral),
	    c->reason)) != DB_OK || (st = recompute(a, c->booking_id)) != DB_OK)
		return st;
	if ((st = audit_record(a, c->actor_id, "result.amend", "booking", c->booking_id, before,
	    result_json(a, c->booking_id))) != DB_OK)
		return st;
	return certificates_follow(a, c->booking_id, c->actor_id, c->reason, c->ref);
}

enum db_status result_amend(struct arena *a, const char *booking_id, const char *actor_id,
    const struct result_row *row, const char *reason, struct refusal *ref)
{
	struct change_ctx c = { .booking_id = booking_id, .actor_id = actor_id, .reason = reason,
		.row = row, .ref = ref };
	enum db_status st = db_tx(a, DB_READ_COMMITTED, amend_body, &c);
	if (st == DB_OK)
		sign_issued(a, booking_id);
	return st;
}

enum db_status exam_session_view_get(struct arena *a, const char *session_id, const char *user_id,
    struct exam_session_view *out, int *found)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT s.id, s.exam_code, e.title,"
	    "   to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDay FMDD FMMonth YYYY, HH24:MI') || ' ' || s.time_zone,"
	    "   s.location, s.closed_at IS NOT NULL OR s.closes_at <= now(), s.published_at IS NOT NULL,"
	    "   e.double_oral, e.pass_written, e.pass_oral, e.oral_tolerance,"
	    "   EXISTS (SELECT 1 FROM session_examiners x WHERE x.session_id = s.id AND x.user_id = $2)"
	    " FROM exam_sessions s JOIN exams e ON e.code = s.exam_code WHERE s.id = $1",
	    2, session_id, user_id);
	memset(out, 0, sizeof *out);
	*found = st == DB_OK && db_rows(r) == 1;
	if (!*found)
		return st;
	out->id = db_val(r, 0, 0);
	out->exam = db_val(r, 0, 1);
	out->exam_title = db_val(r, 0, 2);
	out->when = db_val(r, 0, 3);
	out->location = db_val(r, 0, 4);
	out->closed = strcmp(db_val(r, 0, 5), "t") == 0;
	out->published = strcmp(db_val(r, 0, 6), "t") == 0;
	out->double_oral = strcmp(db_val(r, 0, 7), "t") == 0;
	out->pass_written = db_val(r, 0, 8);
	out->pass_oral = db_val(r, 0, 9);
	out->tolerance = db_val(r, 0, 10);
	out->assigned = strcmp(db_val(r, 0, 11), "t") == 0;
	return DB_OK;
}

static int is_true(const char *v)
{
	return v != NULL && strcmp(v, "t") == 0;
}

enum db_status results_roster(struct arena *a, const char *session_id, const char *examiner_id,
    struct roster_result **rows, size_t *n)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT b.id, u.full_name, u.email, r.absent, r.written,"
	    "   CASE WHEN r.oral_b_by = $2 THEN r.oral_b ELSE r.oral_a END,"
	    "   r.oral_a, r.oral_b, r.oral_resolved, r.computed_outcome, r.decision, r.decision_reason,"
	    "   r.amended_at IS NOT NULL, r.amendment_reason, r.booking_id IS NOT NULL,"
	    "   coalesce(r.decision, r.computed_outcome, 'pending')"
	    " FROM bookings b JOIN users u ON u.id = b.user_id LEFT JOIN results r ON r.booking_id = b.id"
	    " WHERE b.session_id = $1 AND b.status = 'booked' ORDER BY u.full_name, b.id",
	    2, session_id, examiner_id);
	*rows = NULL;
	*n = 0;
	if (st != DB_OK)
		return st;
	*n = (size_t)db_rows(r);
	*rows = arena_zalloc(a, sizeof **rows * (*n + 1));
	for (int i = 0; i < (int)*n; i++) {
		struct roster_result *x = &(*rows)[i];
		x->booking_id = db_val(r, i, 0);
		x->name = db_val(r, i, 1);
		x->email = db_val(r, i, 2);
		x->absent = is_true(db_val(r, i, 3));
		x->written = db_val(r, i, 4);
		x->oral = db_val(r, i, 5);
		x->oral_a = db_val(r, i, 6);
		x->oral_b = db_val(r, i, 7);
		x->oral_resolved = db_val(r, i, 8);
		x->computed = db_val(r, i, 9);
		x->decision = db_val(r, i, 10);
		x->decision_reason = db_val(r, i, 11);
		x->amended = is_true(db_val(r, i, 12));
		x->amendment_reason = db_val(r, i, 13);
		x->has_result = is_true(db_val(r, i, 14));
		x->outcome = db_val(r, i, 15);
	}
	return DB_OK;
}

enum db_status booking_session_of(struct arena *a, const char *booking_id, const char **session_id)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT session_id FROM bookings WHERE id = $1", 1, booking_id);
	*session_id = st == DB_OK && db_rows(r) == 1 ? db_val(r, 0, 0) : NULL;
	return st;
}
