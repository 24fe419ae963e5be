/* Candidates: progress, eligibility, examinations, bookings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "db/booking.h"
#include "db/programme.h"
#include "domain/ics.h"
#include "web/handlers.h"

/* Per level: every course and module with its state, edition and date. */
static enum db_status add_progress(struct request *req, struct tdict *page, const struct records *rec)
{
	enum db_status st;
	PGresult *lv = db_query(req->arena, &st, "SELECT level, title FROM levels ORDER BY level", 0);
	if (st != DB_OK)
		return st;
	PGresult *cs = db_query(req->arena, &st,
	    "SELECT code, level, title, requires_mcq FROM courses ORDER BY level, sort", 0);
	if (st != DB_OK)
		return st;
	for (int l = 0; l < db_rows(lv); l++) {
		struct tdict *level = tdict_push(page, "levels");
		tdict_set(level, "level_title", db_val(lv, l, 1));
		int done = 0, total = 0;
		for (int i = 0; i < db_rows(cs); i++) {
			if (strcmp(db_val(cs, i, 1), db_val(lv, l, 0)) != 0)
				continue;
			struct course_status s = course_status(rec, db_val(cs, i, 0));
			struct tdict *c = tdict_push(level, "courses");
			tdict_set(c, "code", db_val(cs, i, 0));
			tdict_set(c, "title", db_val(cs, i, 2));
			tdict_set(c, "state", course_state_text(s.state));
			tdict_set_bool(c, "done", s.state == COURSE_COMPLETED);
			tdict_set(c, "date", s.date);
			tdict_set(c, "edition", s.edition);
			total++;
			done += s.state == COURSE_COMPLETED;
		}
		tdict_setf(level, "summary", "%d of %d completed", done, total);
	}
	return DB_OK;
}

/* The next session of the exam that is not closed yet, for "you could book…". */
static enum db_status add_next_session(struct request *req, struct tdict *e, const char *exam)
{
	enum db_status st;
	PGresult *r = db_query(req->arena, &st,
	    "SELECT id, to_char(starts_at AT TIME ZONE time_zone, 'FMDD Mon YYYY'), location,"
	    "   opens_at > now(), to_char(opens_at AT TIME ZONE time_zone, 'FMDD Mon YYYY')"
	    " FROM exam_sessions WHERE exam_code = $1 AND closed_at IS NULL AND closes_at > now()"
	    " ORDER BY starts_at LIMIT 1", 1, exam);
	if (st != DB_OK || db_rows(r) == 0)
		return st;
	tdict_set(e, "next_id", db_val(r, 0, 0));
	tdict_set(e, "next_date", db_val(r, 0, 1));
	tdict_set(e, "next_location", db_val(r, 0, 2));
	if (strcmp(db_val(r, 0, 3), "t") == 0)
		tdict_set(e, "next_opens", db_val(r, 0, 4));
	return DB_OK;
}

#define MAX_EXAMS 32

/* Which exams the candidate may book now, to mark the sessions of /exams. */
struct exam_flags {
	const char *code[MAX_EXAMS];
	int eligible[MAX_EXAMS];
	int n;
};

static int exam_flag(const struct exam_flags *f, const char *code)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->code[i], code) == 0)
			return f->eligible[i];
	return 0;
}

/* Per exam: eligible or not, each rule with its reason, the next session. */
static enum db_status add_eligibility(struct request *req, struct tdict *page,
    const struct records *rec, int with_next, struct exam_flags *flags)
{
	enum db_status st;
	int64_t now;
	const char *today;
	PGresult *ex = db_query(req->arena, &st, "SELECT code, title, level FROM exams ORDER BY sort", 0);
	if (st != DB_OK || (st = db_now(req->arena, &now, &today)) != DB_OK)
		return st;
	for (int i = 0; i < db_rows(ex) && i < MAX_EXAMS; i++) {
		const char *code = db_val(ex, i, 0);
		struct exam_answer ans;
		if ((st = exam_eligibility(req->arena, code, rec, now, today, &ans)) != DB_OK)
			return st;
		struct tdict *e = tdict_push(page, "exams");
		tdict_set(e, "exam", code);
		tdict_set(e, "exam_title", db_val(ex, i, 1));
		tdict_set_bool(e, "eligible", ans.e.eligible);
		if (flags != NULL) {
			flags->code[flags->n] = code;
			flags->eligible[flags->n++] = ans.e.eligible;
		}
		for (size_t k = 0; k < rec->ncerts; k++)
			if (rec->certs[k].valid && strcmp(rec->certs[k].exam, code) == 0)
				tdict_set(e, "held", rec->certs[k].number);
		if (!ans.e.eligible && ans.e.earliest != NULL)
			tdict_set(e, "earliest", ans.e.earliest);
		for (size_t k = 0; k < ans.n; k++) {
			struct tdict *r = tdict_push(e, "rules");
			tdict_set_bool(r, "met", ans.results[k].met);
			tdict_set(r, "reason", ans.results[k].reason);
		}
		if (with_next && (st = add_next_session(req, e, code)) != DB_OK)
			return st;
	}
	return DB_OK;
}

static enum db_status add_bookings(struct request *req, struct tdict *page)
{
	enum db_status st;
	PGresult *r = db_query(req->arena, &st,
	    "SELECT b.id, b.exam_code, b.status,"
	    "   to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD Mon YYYY, HH24:MI') || ' ' || s.time_zone,"
	    "   s.location"
	    " FROM bookings b JOIN exam_sessions s ON s.id = b.session_id"
	    " WHERE b.user_id = $1 AND b.status <> 'cancelled' AND b.live ORDER BY s.starts_at", 1, req->user->id_text);
	if (st != DB_OK)
		return st;
	for (int i = 0; i < db_rows(r); i++) {
		struct tdict *b = http_push_row(page, "bookings", r, i, (const char *const[]){
		    "booking_id", "exam", "status", "when", "location", NULL });
		tdict_set_bool(b, "waitlisted", strcmp(db_val(r, i, 2), "waitlisted") == 0);
	}
	return DB_OK;
}

enum db_status candidate_dashboard(struct request *req, struct tdict *page)
{
	struct records rec;
	enum db_status st = records_load(req->arena, req->user->id_text, &rec);
	if (st == DB_OK)
		st = add_progress(req, page, &rec);
	if (st == DB_OK)
		st = add_eligibility(req, page, &rec, 1, NULL);
	if (st == DB_OK)
		st = add_bookings(req, page);
	return st;
}

void page_exams(struct request *req)
{
	struct tdict *page = http_page(req, "Examinations");
	enum db_status st;
	struct records rec;
	struct exam_flags flags = { .n = 0 };
	if ((st = records_load(req->arena, req->user->id_text, &rec)) != DB_OK ||
	    (st = add_eligibility(req, page, &rec, 0, &flags)) != DB_OK ||
	    (st = add_bookings(req, page)) != DB_OK) {
		fail_db(req, st);
		return;
	}
	PGresult *r = db_query(req->arena, &st,
	    "SELECT s.id, s.exam_code, e.title,"
	    "   to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDay FMDD FMMonth YYYY, HH24:MI') || ' ' || s.time_zone,"
	    "   s.location, s.capacity - s.booked_count, s.capacity,"
	    "   (SELECT count(*) FROM bookings w WHERE w.session_id = s.id AND w.status = 'waitlisted'),"
	    "   s.opens_at > now(),"
	    "   to_char(s.opens_at AT TIME ZONE s.time_zone, 'FMDD Mon YYYY, HH24:MI') || ' ' || s.time_zone,"
	    "   to_char(s.closes_at AT TIME ZONE s.time_zone, 'FMDD Mon YYYY, HH24:MI') || ' ' || s.time_zone,"
	    "   to_char(s.cancel_until AT TIME ZONE s.time_zone, 'FMDD Mon YYYY, HH24:MI') || ' ' || s.time_zone,"
	    "   (SELECT b.id FROM bookings b WHERE b.session_id = s.id AND b.user_id = $1 AND b.status <> 'cancelled' AND b.live)"
	    " FROM exam_sessions s JOIN exams e ON e.code = s.exam_code"
	    " WHERE s.closed_at IS NULL AND s.closes_at > now() ORDER BY s.starts_at, s.id",
	    1, req->user->id_text);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	for (int i = 0; i < db_rows(r); i++) {
		struct tdict *s = tdict_push(page, "sessions");
		const char *exam = db_val(r, i, 1);
		tdict_set(s, "session_id", db_val(r, i, 0));
		tdict_set(s, "exam", exam);
		tdict_set(s, "exam_title", db_val(r, i, 2));
		tdict_set(s, "when", db_val(r, i, 3));
		tdict_set(s, "location", db_val(r, i, 4));
		tdict_set(s, "seats_left", db_val(r, i, 5));
		tdict_set(s, "capacity", db_val(r, i, 6));
		tdict_set_bool(s, "full", db_int(r, i, 5) <= 0);
		tdict_set(s, "waitlisted", db_val(r, i, 7));
		int not_open = strcmp(db_val(r, i, 8), "t") == 0;
		if (not_open)
			tdict_set(s, "opens", db_val(r, i, 9));
		tdict_set(s, "closes", db_val(r, i, 10));
		tdict_set(s, "cancel_until", db_val(r, i, 11));
		tdict_set(s, "my_booking", db_val(r, i, 12));
		int eligible = exam_flag(&flags, exam);
		tdict_set_bool(s, "eligible", eligible);
		tdict_set_bool(s, "can_book", eligible && !not_open && db_val(r, i, 12) == NULL);
	}
	http_render(req, 200, "exams", page);
}

static void show_refusal(struct request *req, const struct booking_outcome *out, const char *title)
{
	http_refused(req, out->http_status, title, out->why, out->reasons, out->nreasons);
}

void post_book(struct request *req)
{
	static const char *const allowed[] = { NULL };
	struct booking_outcome out;
	if (http_unexpected_field(req, allowed) != NULL) {
		http_error(req, 400, "The booking form sent a field it does not have.");
		return;
	}
	if (!text_is_id(req->params[0])) {
		http_error(req, 404, "There is no such examination session.");
		return;
	}
	enum db_status st = booking_create(req->arena, req->user->id_text, req->params[0], &out);
	if (st == DB_REFUSED) {
		show_refusal(req, &out, "Booking not possible");
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/bookings/%lld", out.booking_id));
}

void post_cancel(struct request *req)
{
	static const char *const allowed[] = { NULL };
	struct booking_outcome out;
	if (http_unexpected_field(req, allowed) != NULL) {
		http_error(req, 400, "The cancellation form sent a field it does not have.");
		return;
	}
	if (!text_is_id(req->params[0])) {
		http_error(req, 404, "There is no such booking.");
		return;
	}
	enum db_status st = booking_cancel(req->arena, req->user->id_text, req->params[0], &out);
	if (st == DB_REFUSED) {
		show_refusal(req, &out, "Cancellation not possible");
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/bookings/%s", req->params[0]));
}

/* The candidate's own booking, or NULL (and a 404 or error page already set). */
static PGresult *own_booking(struct request *req)
{
	enum db_status st;
	if (!text_is_id(req->params[0])) {
		http_error(req, 404, "There is no such booking.");
		return NULL;
	}
	PGresult *r = db_query(req->arena, &st,
	    "SELECT b.id, b.exam_code, e.title, b.status,"
	    "   to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDay FMDD FMMonth YYYY, HH24:MI') || ' ' || s.time_zone,"
	    "   s.location, s.cancel_until > now() AND s.closed_at IS NULL AND b.status <> 'cancelled',"
	    "   to_char(s.cancel_until AT TIME ZONE s.time_zone, 'FMDD Mon YYYY, HH24:MI') || ' ' || s.time_zone,"
	    "   (SELECT count(*) + 1 FROM bookings w WHERE w.session_id = b.session_id"
	    "      AND w.status = 'waitlisted' AND (w.created_at, w.id) < (b.created_at, b.id)),"
	    "   b.ics_uid, b.ics_sequence, s.time_zone,"
	    "   to_char(s.starts_at AT TIME ZONE s.time_zone, 'YYYYMMDD\"T\"HH24MISS'),"
	    "   to_char((s.starts_at + interval '8 hours') AT TIME ZONE s.time_zone, 'YYYYMMDD\"T\"HH24MISS'),"
	    "   to_char(b.updated_at AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"'),"
	    "   0,"
	    "   ((s.starts_at AT TIME ZONE s.time_zone) - (s.starts_at AT TIME ZONE 'UTC')) >"
	    "   ((date_trunc('year', s.starts_at) AT TIME ZONE s.time_zone) - (date_trunc('year', s.starts_at) AT TIME ZONE 'UTC')),"
	    "   extract(epoch FROM ((s.starts_at AT TIME ZONE s.time_zone) - (s.starts_at AT TIME ZONE 'UTC')))::int / 60,"
	    "   (extract(epoch FROM b.created_at) * 1000000)::bigint,"
	    "   to_char(b.created_at AT TIME ZONE s.time_zone, 'FMDD FMMonth YYYY, HH24:MI')"
	    " FROM bookings b JOIN exam_sessions s ON s.id = b.session_id JOIN exams e ON e.code = b.exam_code"
	    " WHERE b.id = $1 AND b.user_id = $2", 2, req->params[0], req->user->id_text);
	if (st != DB_OK) {
		fail_db(req, st);
		return NULL;
	}
	if (db_rows(r) != 1) {
		http_error(req, 404, "There is no such booking.");
		return NULL;
	}
	return r;
}

void page_booking(struct request *req)
{
	PGresult *r = own_booking(req);
	if (r == NULL)
		return;
	struct tdict *d = http_page(req, "Your booking");
	const char *status = db_val(r, 0, 3);
	tdict_set(d, "booking_id", db_val(r, 0, 0));
	tdict_set(d, "exam", db_val(r, 0, 1));
	tdict_set(d, "exam_title", db_val(r, 0, 2));
	tdict_set(d, "status", status);
	tdict_set_bool(d, "booked", strcmp(status, "booked") == 0);
	tdict_set_bool(d, "waitlisted", strcmp(status, "waitlisted") == 0);
	tdict_set_bool(d, "cancelled", strcmp(status, "cancelled") == 0);
	tdict_set(d, "when", db_val(r, 0, 4));
	tdict_set(d, "location", db_val(r, 0, 5));
	tdict_set_bool(d, "can_cancel", strcmp(db_val(r, 0, 6), "t") == 0);
	tdict_set(d, "cancel_until", db_val(r, 0, 7));
	tdict_set(d, "position", db_val(r, 0, 8));
	tdict_set(d, "booked_at", db_val(r, 0, 19));
	/* The prerequisites as they stood when the booking was made, even if changed since. */
	struct rule *all, *then;
	size_t n;
	enum db_status st = rules_load(req->arena, db_val(r, 0, 1), &all, &n);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	then = arena_zalloc(req->arena, sizeof *then * (n + 1));
	size_t k = rules_in_force(all, n, db_int(r, 0, 18), then);
	for (size_t i = 0; i < k; i++) {
		struct tdict *x = tdict_push(d, "rules_then");
		tdict_set(x, "ref", then[i].ref);
		tdict_set(x, "title", then[i].title);
	}
	http_render(req, 200, "booking", d);
}

void booking_calendar(struct request *req)
{
	PGresult *r = own_booking(req);
	if (r == NULL)
		return;
	const char *status = db_val(r, 0, 3);
	struct ics_event ev = {
		.uid = db_val(r, 0, 9),
		.sequence = (int)db_int(r, 0, 10),
		.tzid = db_val(r, 0, 11),
		.start = db_val(r, 0, 12),
		.end = db_val(r, 0, 13),
		.dtstamp = db_val(r, 0, 14),
		.dst = strcmp(db_val(r, 0, 16), "t") == 0,
		.utc_offset_minutes = (int)db_int(r, 0, 17),
		.summary = arena_printf(req->arena, "ESoNR %s examination: %s", db_val(r, 0, 1), db_val(r, 0, 2)),
		.location = db_val(r, 0, 5),
	};
	if (strcmp(status, "cancelled") == 0) {
		ev.method = "CANCEL";
		ev.status = "CANCELLED";
		ev.description = "This booking was cancelled.";
	} else if (strcmp(status, "waitlisted") == 0) {
		ev.method = "PUBLISH";
		ev.status = "TENTATIVE";
		ev.description = "You are on the waiting list for this session.";
	} else {
		ev.method = "PUBLISH";
		ev.status = "CONFIRMED";
		ev.description = "Your seat is booked.";
	}
	req->out.len = 0;
	ics_build(&req->out, &ev);
	http_header(req, "Content-Type", "text/calendar; charset=utf-8");
	http_header(req, "Content-Disposition",
	    arena_printf(req->arena, "attachment; filename=\"esonr-booking-%s.ics\"", db_val(r, 0, 0)));
}

void page_results(struct request *req)
{
	enum db_status st;
	/* Published sessions only: before publication a result does not exist for the candidate. */
	PGresult *r = db_query(req->arena, &st,
	    "SELECT b.exam_code, e.title, to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD FMMonth YYYY'),"
	    "   s.location, r.absent, r.written, e.pass_written,"
	    "   CASE WHEN r.oral_resolved IS NOT NULL THEN r.oral_resolved::numeric"
	    "        WHEN e.double_oral THEN (r.oral_a + r.oral_b) / 2.0 ELSE r.oral_a END,"
	    "   e.pass_oral, coalesce(r.decision, r.computed_outcome), r.decision_reason,"
	    "   r.amended_at IS NOT NULL, r.amendment_reason,"
	    "   to_char(r.amended_at AT TIME ZONE s.time_zone, 'FMDD FMMonth YYYY'),"
	    "   (SELECT c.number FROM certificates c WHERE c.session_id = s.id AND c.user_id = b.user_id"
	    "      AND c.revoked_at IS NULL AND c.superseded_by IS NULL), b.id"
	    " FROM bookings b JOIN exam_sessions s ON s.id = b.session_id JOIN exams e ON e.code = b.exam_code"
	    " JOIN results r ON r.booking_id = b.id"
	    " WHERE b.user_id = $1 AND s.published_at IS NOT NULL ORDER BY s.starts_at DESC",
	    1, req->user->id_text);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct tdict *d = http_page(req, "Your results");
	for (int i = 0; i < db_rows(r); i++) {
		struct tdict *x = tdict_push(d, "results");
		const char *outcome = db_val(r, i, 9);
		tdict_set(x, "exam", db_val(r, i, 0));
		tdict_set(x, "exam_title", db_val(r, i, 1));
		tdict_set(x, "date", db_val(r, i, 2));
		tdict_set(x, "location", db_val(r, i, 3));
		tdict_set_bool(x, "absent", strcmp(db_val(r, i, 4), "t") == 0);
		tdict_set(x, "written", db_val(r, i, 5));
		tdict_set(x, "pass_written", db_val(r, i, 6));
		const char *oral = db_val(r, i, 7);
		/* "72.50" → "72.5"; whole numbers stay whole. */
		if (oral != NULL && strchr(oral, '.') != NULL) {
			char *o = arena_strdup(req->arena, oral);
			size_t n = strlen(o);
			while (n > 0 && o[n - 1] == '0')
				o[--n] = '\0';
			if (n > 0 && o[n - 1] == '.')
				o[--n] = '\0';
			oral = o;
		}
		tdict_set(x, "oral", oral);
		tdict_set(x, "pass_oral", db_val(r, i, 8));
		tdict_set(x, "outcome", outcome);
		tdict_set_bool(x, "passed", strcmp(outcome, "pass") == 0);
		tdict_set(x, "decision_reason", db_val(r, i, 10));
		tdict_set_bool(x, "amended", strcmp(db_val(r, i, 11), "t") == 0);
		tdict_set(x, "amendment_reason", db_val(r, i, 12));
		tdict_set(x, "amended_on", db_val(r, i, 13));
		tdict_set(x, "certificate", db_val(r, i, 14));
		tdict_set(x, "booking_id", db_val(r, i, 15));
	}
	http_render(req, 200, "results", d);
}
