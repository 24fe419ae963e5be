/* The ESNR office: sessions, examiners, candidates' records, course editions, CSV import. */
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/datetime.h"
#include "core/utf8.h"
#include "db/import.h"
#include "db/records.h"
#include "db/exam_sessions.h"
#include "domain/account.h"
#include "db/users.h"
#include "db/certificate_issue.h"
#include "web/handlers.h"

#define OFFICE_ZONE "Europe/Vienna" /* where the office's own timestamps are read */
#define CANDIDATES_SHOWN 100

/* ---- small helpers ---- */

/* Outer white space is nobody's intent in a one-line field. */
static const char *trim(struct arena *a, const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return arena_strndup(a, s, n);
}

static const char *or_null(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

static int text_ok(const char *s, size_t max_chars)
{
	size_t n = utf8_codepoints(s, strlen(s));
	return n >= 1 && n <= max_chars;
}

/* Every POST here refuses fields its form does not have (400, form shown again). */
static int unexpected(struct request *req, struct tdict *d, const char *const *allowed)
{
	const char *extra = http_unexpected_field(req, allowed);
	if (extra != NULL)
		tdict_setf(d, "form_error", "The form sent a field this page does not have (%s).", extra);
	return extra != NULL;
}

/* Options of a <select>: value, label, and whether it is the one chosen. */
static void add_option(struct tdict *d, const char *list, const char *value, const char *label,
    const char *chosen)
{
	struct tdict *o = tdict_push(d, list);
	tdict_set(o, "value", value);
	tdict_set(o, "label", label);
	tdict_set_bool(o, "selected", chosen != NULL && strcmp(value, chosen) == 0);
}

/* ---- sessions ---- */

#define SESSION_COLUMNS \
	"SELECT s.id, s.exam_code, to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD Mon YYYY, HH24:MI')," \
	"   s.time_zone, s.location, s.booked_count, s.capacity," \
	"   (SELECT count(*) FROM bookings w WHERE w.session_id = s.id AND w.status = 'waitlisted')," \
	"   CASE WHEN s.published_at IS NOT NULL THEN 'published'" \
	"        WHEN s.closed_at IS NOT NULL THEN 'closed'" \
	"        WHEN s.closes_at <= now() THEN 'booking ended, not closed yet'" \
	"        WHEN s.opens_at > now() THEN 'not yet open' ELSE 'open' END" \
	" FROM exam_sessions s"

static void add_session_rows(struct tdict *d, const char *list, PGresult *r)
{
	for (int i = 0; i < db_rows(r); i++)
		http_push_row(d, list, r, i, (const char *const[]){ "session_id", "exam", "date", "zone",
		    "location", "booked", "capacity", "waitlisted", "state", NULL });
}

void page_admin(struct request *req)
{
	struct tdict *d = http_page(req, "The ESNR office");
	enum db_status st;
	PGresult *n = db_query(req->arena, &st,
	    "SELECT (SELECT count(*) FROM users WHERE role = 'candidate'),"
	    "   (SELECT count(*) FROM bookings b JOIN exam_sessions s ON s.id = b.session_id"
	    "      WHERE b.status = 'booked' AND s.published_at IS NULL),"
	    "   (SELECT count(*) FROM bookings b JOIN exam_sessions s ON s.id = b.session_id"
	    "      WHERE b.status = 'waitlisted' AND s.published_at IS NULL)", 0);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	tdict_set(d, "n_candidates", db_val(n, 0, 0));
	tdict_set(d, "n_booked", db_val(n, 0, 1));
	tdict_set(d, "n_waitlisted", db_val(n, 0, 2));
	/* Upcoming sessions, and past ones whose results are still to be published. */
	PGresult *r = db_query(req->arena, &st, SESSION_COLUMNS
	    " WHERE s.published_at IS NULL OR s.starts_at >= now() ORDER BY s.starts_at, s.id", 0);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	add_session_rows(d, "sessions", r);
	http_render(req, 200, "admin_overview", d);
}

static void show_sessions(struct request *req, int status, struct tdict *d)
{
	enum db_status st;
	PGresult *ex = db_query(req->arena, &st, "SELECT code, title FROM exams ORDER BY sort, code", 0);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	for (int i = 0; i < db_rows(ex); i++)
		add_option(d, "exams", db_val(ex, i, 0), arena_printf(req->arena, "%s · %s",
		    db_val(ex, i, 0), db_val(ex, i, 1)), tdict_get(d, "exam"));
	PGresult *r = db_query(req->arena, &st, SESSION_COLUMNS " ORDER BY s.starts_at DESC, s.id DESC", 0);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	add_session_rows(d, "sessions", r);
	http_render(req, status, "admin_sessions", d);
}

void page_admin_sessions(struct request *req)
{
	struct tdict *d = http_page(req, "Examination sessions");
	tdict_set(d, "time_zone", "Europe/Vienna");
	show_sessions(req, 200, d);
}

/* A booking-window field: ISO 8601 with an offset as it is, or a datetime-local
 * ("2027-05-03T09:00") to be read in the session's zone. 0 when neither. */
static int window_value(const char *s, int *local)
{
	size_t n = strlen(s);
	*local = 0;
	if (timestamp_valid(s))
		return 1;
	if (n != 16 && n != 19)
		return 0;
	char buf[24];
	memcpy(buf, s, n);
	memcpy(buf + n, "Z", 2);
	*local = timestamp_valid(buf);
	return *local;
}

void post_admin_sessions(struct request *req)
{
	static const char *const allowed[] = { "exam", "date", "time_zone", "location", "capacity",
		"opens", "closes", "cancel_until", NULL };
	static const char *const window[] = { "opens", "closes", "cancel_until" };
	struct tdict *d = http_page(req, "Examination sessions");
	struct arena *a = req->arena;
	struct exam_session_input in;
	const char *w[3];
	int local[3];
	int bad = 0;
	enum db_status st;

	memset(&in, 0, sizeof in);
	in.exam = trim(a, http_form(req, "exam"));
	in.date = trim(a, http_form(req, "date"));
	in.time_zone = trim(a, http_form(req, "time_zone"));
	in.location = trim(a, http_form(req, "location"));
	in.capacity = trim(a, http_form(req, "capacity"));
	tdict_set(d, "exam", in.exam);
	tdict_set(d, "date", in.date);
	tdict_set(d, "time_zone", in.time_zone);
	tdict_set(d, "location", in.location);
	tdict_set(d, "capacity", in.capacity);
	for (int i = 0; i < 3; i++) {
		w[i] = trim(a, http_form(req, window[i]));
		tdict_set(d, window[i], w[i]);
	}
	if (unexpected(req, d, allowed)) {
		show_sessions(req, 400, d);
		return;
	}
	PGresult *known = db_query(a, &st, "SELECT (SELECT count(*) FROM exams WHERE code = $1),"
	    "   (SELECT count(*) FROM pg_timezone_names WHERE name = $2)", 2, in.exam, in.time_zone);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (db_int(known, 0, 0) != 1) {
		tdict_set(d, "exam_error", "Choose the examination from the list.");
		bad = 1;
	}
	if (!date_valid(in.date)) {
		tdict_set(d, "date_error", "Enter the exam day as a date, like 2027-05-03.");
		bad = 1;
	}
	if (db_int(known, 0, 1) != 1) {
		tdict_set(d, "time_zone_error", "Enter a time zone name such as Europe/Vienna or Europe/Lisbon.");
		bad = 1;
	}
	if (!text_ok(in.location, 200)) {
		tdict_set(d, "location_error", "Enter the place, at most 200 characters.");
		bad = 1;
	}
	if (!text_is_id(in.capacity) || atol(in.capacity) < 1 || atol(in.capacity) > 10000) {
		tdict_set(d, "capacity_error", "Enter a whole number of seats from 1 to 10000.");
		bad = 1;
	}
	for (int i = 0; i < 3; i++) {
		local[i] = 0;
		if (w[i][0] != '\0' && !window_value(w[i], &local[i])) {
			tdict_set(d, arena_printf(a, "%s_error", window[i]), "Enter a date and time, "
			    "like 2027-04-01T09:00 (in the session's time zone) or 2027-04-01T09:00+02:00.");
			bad = 1;
		}
	}
	if (bad) {
		show_sessions(req, 400, d);
		return;
	}
	/* datetime-local values are wall-clock times in the session's zone. */
	PGresult *conv = db_query(a, &st,
	    "SELECT ($1::timestamp AT TIME ZONE $4)::text, ($2::timestamp AT TIME ZONE $4)::text,"
	    "   ($3::timestamp AT TIME ZONE $4)::text", 4, local[0] ? w[0] : NULL,
	    local[1] ? w[1] : NULL, local[2] ? w[2] : NULL, in.time_zone);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	in.opens = local[0] ? db_val(conv, 0, 0) : or_null(w[0]);
	in.closes = local[1] ? db_val(conv, 0, 1) : or_null(w[1]);
	in.cancel_until = local[2] ? db_val(conv, 0, 2) : or_null(w[2]);
	in.created_by = req->user->id_text;

	long long id;
	struct refusal ref = { 0 };
	st = exam_session_create(a, &in, &id, &ref);
	if (st == DB_REFUSED) {
		http_field_error(req, d, &ref, NULL);
		show_sessions(req, http_refusal_status(&ref), d);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(a, "/admin/sessions/%lld", id));
}

/* The session page; 404 when there is no such session. */
static void show_session(struct request *req, int status, struct tdict *d, const char *id)
{
	enum db_status st;
	struct arena *a = req->arena;
	if (!text_is_id(id)) {
		http_error(req, 404, "There is no such examination session.");
		return;
	}
	PGresult *s = db_query(a, &st,
	    "SELECT s.id, s.exam_code, e.title, to_char(s.starts_at AT TIME ZONE s.time_zone,"
	    "   'FMDD Mon YYYY, HH24:MI'), s.time_zone, s.location, s.booked_count, s.capacity,"
	    "   to_char(s.opens_at AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'),"
	    "   to_char(s.closes_at AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'),"
	    "   to_char(s.cancel_until AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'),"
	    "   CASE WHEN s.published_at IS NOT NULL THEN 'published'"
	    "        WHEN s.closed_at IS NOT NULL THEN 'closed'"
	    "        WHEN s.closes_at <= now() THEN 'booking ended, not closed yet'"
	    "        WHEN s.opens_at > now() THEN 'not yet open' ELSE 'open' END,"
	    "   s.closed_at IS NOT NULL,"
	    "   to_char(s.closed_at AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI')"
	    " FROM exam_sessions s JOIN exams e ON e.code = s.exam_code WHERE s.id = $1", 1, id);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (db_rows(s) != 1) {
		http_error(req, 404, "There is no such examination session.");
		return;
	}
	static const char *const keys[] = { "session_id", "exam", "exam_title", "date", "zone",
		"location", "booked", "capacity", "opens", "closes", "cancel_until", "state" };
	for (int i = 0; i < (int)(sizeof keys / sizeof keys[0]); i++)
		tdict_set(d, keys[i], db_val(s, 0, i));
	tdict_set_bool(d, "is_closed", strcmp(db_val(s, 0, 12), "t") == 0);
	tdict_set(d, "closed_at", db_val(s, 0, 13));
	tdict_setf(d, "title", "Session #%s · %s", id, db_val(s, 0, 1));

	/* The waiting list is served in booking order (booking.c promotes the same way). */
	PGresult *r = db_query(a, &st,
	    "SELECT b.id, u.full_name, u.email, b.status,"
	    "   CASE WHEN b.status = 'waitlisted' THEN row_number() OVER"
	    "     (PARTITION BY b.status ORDER BY b.created_at, b.id) END,"
	    "   to_char(b.created_at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI'), u.id"
	    " FROM bookings b JOIN users u ON u.id = b.user_id WHERE b.session_id = $1"
	    " ORDER BY CASE b.status WHEN 'booked' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END,"
	    "   b.created_at, b.id", 2, id, db_val(s, 0, 4));
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	for (int i = 0; i < db_rows(r); i++)
		http_push_row(d, "roster", r, i, (const char *const[]){ "booking_id", "name", "email",
		    "status", "position", "booked_at", "candidate_id", NULL });
	PGresult *x = db_query(a, &st,
	    "SELECT u.full_name, u.email, to_char(x.assigned_at AT TIME ZONE $2, 'YYYY-MM-DD')"
	    " FROM session_examiners x JOIN users u ON u.id = x.user_id WHERE x.session_id = $1"
	    " ORDER BY u.full_name", 2, id, OFFICE_ZONE);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	for (int i = 0; i < db_rows(x); i++) {
		struct tdict *e = tdict_push(d, "examiners");
		tdict_set(e, "name", db_val(x, i, 0));
		tdict_set(e, "email", db_val(x, i, 1));
		tdict_set(e, "assigned_on", db_val(x, i, 2));
	}
	http_render(req, status, "admin_session", d);
}

void page_admin_session(struct request *req)
{
	show_session(req, 200, http_page(req, "Examination session"), req->params[0]);
}

void post_admin_session_examiners(struct request *req)
{
	static const char *const allowed[] = { "email", NULL };
	struct tdict *d = http_page(req, "Examination session");
	const char *id = req->params[0], *why;
	tdict_set(d, "examiner_email", http_form(req, "email"));
	if (unexpected(req, d, allowed)) {
		show_session(req, 400, d, id);
		return;
	}
	char *email = email_normalise(req->arena, http_form(req, "email"), &why);
	if (email == NULL) {
		tdict_set(d, "examiner_error", why);
		show_session(req, 400, d, id);
		return;
	}
	if (!text_is_id(id)) {
		http_error(req, 404, "There is no such examination session.");
		return;
	}
	struct refusal ref = { 0 };
	enum db_status st = exam_session_assign_examiner(req->arena, id, email, &ref);
	if (st == DB_REFUSED && ref.field == NULL) {
		http_refusal(req, "Examiner not assigned", &ref);
		return;
	}
	if (st == DB_REFUSED) {
		tdict_setf(d, "examiner_error", "Not assigned: %s.", ref.text);
		show_session(req, http_refusal_status(&ref), d, id);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/admin/sessions/%s", id));
}

void post_admin_session_close(struct request *req)
{
	static const char *const allowed[] = { NULL };
	struct tdict *d = http_page(req, "Examination session");
	const char *id = req->params[0];
	if (unexpected(req, d, allowed)) {
		show_session(req, 400, d, id);
		return;
	}
	if (!text_is_id(id)) {
		http_error(req, 404, "There is no such examination session.");
		return;
	}
	struct refusal ref = { 0 };
	enum db_status st = exam_session_close(req->arena, id, &ref);
	if (st == DB_REFUSED) {
		http_refusal(req, "Session not closed", &ref);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/admin/sessions/%s", id));
}

/* ---- candidates ---- */

/* q as a LIKE pattern matching it anywhere, with its own % _ and \ taken literally. */
static const char *like_pattern(struct arena *a, const char *q)
{
	struct buf b;
	buf_init(&b, a);
	buf_putc(&b, '%');
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, *q);
	}
	buf_putc(&b, '%');
	return b.data;
}

void page_admin_candidates(struct request *req)
{
	struct tdict *d = http_page(req, "Candidates");
	const char *q = fields_get(&req->query, "q");
	q = trim(req->arena, q != NULL ? q : "");
	tdict_set(d, "q", q);
	enum db_status st;
	PGresult *r = db_query(req->arena, &st,
	    "SELECT id, full_name, email, to_char(created_at AT TIME ZONE $3, 'YYYY-MM-DD'),"
	    "   (SELECT count(*) FROM bookings b WHERE b.user_id = u.id AND b.status <> 'cancelled')"
	    " FROM users u WHERE role = 'candidate'"
	    "   AND ($1 = '' OR email ILIKE $2 ESCAPE '\\' OR full_name ILIKE $2 ESCAPE '\\')"
	    " ORDER BY full_name, id LIMIT 101", 3, q, like_pattern(req->arena, q), OFFICE_ZONE);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	int n = db_rows(r) > CANDIDATES_SHOWN ? CANDIDATES_SHOWN : db_rows(r);
	for (int i = 0; i < n; i++) {
		struct tdict *c = tdict_push(d, "candidates");
		tdict_set(c, "candidate_id", db_val(r, i, 0));
		tdict_set(c, "name", db_val(r, i, 1));
		tdict_set(c, "email", db_val(r, i, 2));
		tdict_set(c, "since", db_val(r, i, 3));
		tdict_set(c, "bookings", db_val(r, i, 4));
	}
	tdict_set_bool(d, "more", db_rows(r) > CANDIDATES_SHOWN);
	tdict_set_int(d, "shown", n);
	http_render(req, 200, "admin_candidates", d);
}

static const char *const record_kinds[] = { "attendance", "mcq", "completion" };

/* The options of the two record forms, with the values the office chose kept. */
static enum db_status add_record_forms(struct request *req, struct tdict *d)
{
	enum db_status st;
	struct arena *a = req->arena;
	static const char *const kind_labels[] = { "Attendance", "MCQ result", "Completion" };
	for (int i = 0; i < 3; i++)
		add_option(d, "rec_kinds", record_kinds[i], kind_labels[i], tdict_get(d, "rec_kind"));
	add_option(d, "rec_results", "", "— (not an MCQ)", tdict_get(d, "rec_result"));
	add_option(d, "rec_results", "pass", "passed", tdict_get(d, "rec_result"));
	add_option(d, "rec_results", "fail", "failed", tdict_get(d, "rec_result"));
	PGresult *c = db_query(a, &st, "SELECT code, title FROM courses ORDER BY level, sort", 0);
	if (st != DB_OK)
		return st;
	for (int i = 0; i < db_rows(c); i++)
		add_option(d, "rec_courses", db_val(c, i, 0), arena_printf(a, "%s · %s", db_val(c, i, 0),
		    db_val(c, i, 1)), tdict_get(d, "rec_course"));
	add_option(d, "rec_editions", "", "— (none)", tdict_get(d, "rec_edition"));
	PGresult *e = db_query(a, &st,
	    "SELECT id, course_code, cycle_label, city, starts_on FROM course_editions"
	    " ORDER BY starts_on DESC, course_code", 0);
	if (st != DB_OK)
		return st;
	for (int i = 0; i < db_rows(e); i++)
		add_option(d, "rec_editions", db_val(e, i, 0), arena_printf(a, "#%s %s · %s · %s · %s",
		    db_val(e, i, 0), db_val(e, i, 1), db_val(e, i, 2), db_val(e, i, 3), db_val(e, i, 4)),
		    tdict_get(d, "rec_edition"));
	PGresult *k = db_query(a, &st, "SELECT code, title FROM attestation_kinds ORDER BY code", 0);
	if (st != DB_OK)
		return st;
	for (int i = 0; i < db_rows(k); i++)
		add_option(d, "att_kinds", db_val(k, i, 0), db_val(k, i, 1), tdict_get(d, "att_kind"));
	return DB_OK;
}

static enum db_status add_candidate_records(struct request *req, struct tdict *d, const char *id)
{
	enum db_status st;
	struct arena *a = req->arena;
	PGresult *r = db_query(a, &st,
	    "SELECT a.course_code, c.title, e.cycle_label, e.city, a.attended_on::text, r.full_name,"
	    "   a.edition_id"
	    " FROM attendances a JOIN courses c ON c.code = a.course_code"
	    " LEFT JOIN course_editions e ON e.id = a.edition_id LEFT JOIN users r ON r.id = a.recorded_by"
	    " WHERE a.user_id = $1 ORDER BY a.attended_on DESC, c.sort", 1, id);
	if (st != DB_OK)
		return st;
	for (int i = 0; i < db_rows(r); i++) {
		struct tdict *t = tdict_push(d, "attendances");
		tdict_set(t, "course", db_val(r, i, 0));
		tdict_set(t, "course_title", db_val(r, i, 1));
		tdict_set(t, "edition", db_val(r, i, 6) == NULL ? NULL : arena_printf(a, "#%s %s, %s",
		    db_val(r, i, 6), db_val(r, i, 2), db_val(r, i, 3)));
		tdict_set(t, "date", db_val(r, i, 4));
		tdict_set(t, "recorded_by", db_val(r, i, 5));
	}
	r = db_query(a, &st,
	    "SELECT a.course_code, m.attempt, m.taken_on::text, m.passed, r.full_name"
	    " FROM mcq_attempts m JOIN attendances a ON a.id = m.attendance_id"
	    " LEFT JOIN users r ON r.id = m.recorded_by"
	    " WHERE a.user_id = $1 ORDER BY m.taken_on DESC, a.course_code", 1, id);
	if (st != DB_OK)
		return st;
	for (int i = 0; i < db_rows(r); i++) {
		struct tdict *t = http_push_row(d, "mcqs", r, i, (const char *const[]){ "course",
		    "attempt", "date", "", "recorded_by", NULL });
		tdict_set_bool(t, "passed", strcmp(db_val(r, i, 3), "t") == 0);
	}
	r = db_query(a, &st,
	    "SELECT k.title, t.kind, t.evidence_date::text, u.full_name,"
	    "   to_char(t.checked_at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI')"
	    " FROM attestations t JOIN attestation_kinds k ON k.code = t.kind"
	    " JOIN users u ON u.id = t.checked_by WHERE t.user_id = $1 ORDER BY k.code", 2, id, OFFICE_ZONE);
	if (st != DB_OK)
		return st;
	for (int i = 0; i < db_rows(r); i++)
		http_push_row(d, "attestations", r, i, (const char *const[]){ "att_title", "kind",
		    "evidence_date", "checked_by", "checked_at", NULL });
	r = db_query(a, &st,
	    "SELECT number, exam_code, to_char(issued_at AT TIME ZONE $2, 'YYYY-MM-DD'),"
	    "   CASE WHEN revoked_at IS NOT NULL THEN 'revoked: ' || revoked_reason"
	    "        WHEN superseded_by IS NOT NULL THEN 'superseded by ' || superseded_by"
	    "        ELSE 'valid' END"
	    " FROM certificates WHERE user_id = $1 ORDER BY issued_at", 2, id, OFFICE_ZONE);
	if (st != DB_OK)
		return st;
	for (int i = 0; i < db_rows(r); i++)
		http_push_row(d, "certificates", r, i, (const char *const[]){ "number", "exam", "issued",
		    "cert_state", NULL });
	return DB_OK;
}

/* The candidate's user id when id names a candidate; NULL (and a 404 or an error page sent) otherwise. */
static const char *candidate_of(struct request *req, struct tdict *d, const char *id)
{
	enum db_status st;
	if (!text_is_id(id)) {
		http_error(req, 404, "There is no such candidate.");
		return NULL;
	}
	PGresult *u = db_query(req->arena, &st,
	    "SELECT id, full_name, email, to_char(created_at AT TIME ZONE $2, 'YYYY-MM-DD')"
	    " FROM users WHERE id = $1 AND role = 'candidate'", 2, id, OFFICE_ZONE);
	if (st != DB_OK) {
		fail_db(req, st);
		return NULL;
	}
	if (db_rows(u) != 1) {
		http_error(req, 404, "There is no such candidate.");
		return NULL;
	}
	tdict_set(d, "candidate_id", db_val(u, 0, 0));
	tdict_set(d, "cand_name", db_val(u, 0, 1));
	tdict_set(d, "cand_email", db_val(u, 0, 2));
	tdict_set(d, "cand_since", db_val(u, 0, 3));
	tdict_set(d, "title", db_val(u, 0, 1));
	return db_val(u, 0, 0);
}

static void show_candidate(struct request *req, int status, struct tdict *d, const char *id)
{
	enum db_status st;
	if (candidate_of(req, d, id) == NULL)
		return;
	if ((st = add_candidate_records(req, d, id)) != DB_OK ||
	    (st = add_record_forms(req, d)) != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_render(req, status, "admin_candidate", d);
}

void page_admin_candidate(struct request *req)
{
	show_candidate(req, 200, http_page(req, "Candidate"), req->params[0]);
}

struct record_tx {
	const char *user_id;
	const struct import_row *row;
	const char *recorded_by;
	struct record_result res;
};

static enum db_status record_body(struct arena *a, void *ctx)
{
	struct record_tx *t = ctx;
	return import_row_apply(a, t->user_id, t->row, t->recorded_by, &t->res);
}

void post_admin_candidate_records(struct request *req)
{
	static const char *const allowed[] = { "kind", "course", "date", "result", "edition", NULL };
	struct tdict *d = http_page(req, "Candidate");
	struct arena *a = req->arena;
	const char *id = req->params[0];
	struct import_row row;
	int bad = 0;

	memset(&row, 0, sizeof row);
	row.kind_text = trim(a, http_form(req, "kind"));
	row.course = trim(a, http_form(req, "course"));
	row.date = trim(a, http_form(req, "date"));
	const char *result = trim(a, http_form(req, "result"));
	const char *edition = trim(a, http_form(req, "edition"));
	tdict_set(d, "rec_kind", row.kind_text);
	tdict_set(d, "rec_course", row.course);
	tdict_set(d, "rec_date", row.date);
	tdict_set(d, "rec_result", result);
	tdict_set(d, "rec_edition", edition);
	if (unexpected(req, d, allowed)) {
		show_candidate(req, 400, d, id);
		return;
	}
	int kind = -1;
	for (int i = 0; i < 3; i++)
		if (strcmp(row.kind_text, record_kinds[i]) == 0)
			kind = i;
	if (kind < 0) {
		tdict_set(d, "rec_kind_error", "Choose attendance, MCQ result or completion.");
		bad = 1;
	}
	row.kind = kind == 1 ? IMPORT_MCQ : kind == 2 ? IMPORT_COMPLETION : IMPORT_ATTENDANCE;
	if (row.course[0] == '\0') {
		tdict_set(d, "rec_course_error", "Choose the course or module.");
		bad = 1;
	}
	if (!date_valid(row.date)) {
		tdict_set(d, "rec_date_error", "Enter the date, like 2027-05-03.");
		bad = 1;
	}
	if (row.kind == IMPORT_MCQ && strcmp(result, "pass") != 0 && strcmp(result, "fail") != 0) {
		tdict_set(d, "rec_result_error", "An MCQ result is passed or failed: choose one.");
		bad = 1;
	} else if (kind >= 0 && row.kind != IMPORT_MCQ && result[0] != '\0') {
		tdict_set(d, "rec_result_error", "Only an MCQ has a result: leave this empty.");
		bad = 1;
	}
	row.passed = strcmp(result, "pass") == 0;
	if (edition[0] != '\0' && !text_is_id(edition)) {
		tdict_set(d, "rec_edition_error", "Choose an edition from the list, or none.");
		bad = 1;
	} else if (edition[0] != '\0' && row.kind == IMPORT_MCQ) {
		tdict_set(d, "rec_edition_error", "An MCQ belongs to the latest attendance: leave the edition empty.");
		bad = 1;
	}
	row.edition = or_null(edition);
	if (bad) {
		show_candidate(req, 400, d, id);
		return;
	}
	const char *user_id = candidate_of(req, d, id);
	if (user_id == NULL)
		return;
	struct record_tx t = { user_id, &row, req->user->id_text, { 0 } };
	enum db_status st = db_tx(a, DB_READ_COMMITTED, record_body, &t);
	if (st == DB_REFUSED) {
		/* A bad course or edition is the form's values, not the records, being wrong. */
		if (t.res.refusal.kind == REFUSAL_BAD_FIELD && strcmp(t.res.refusal.field, "course") == 0) {
			tdict_set(d, "rec_course_error", "Choose one of the courses in the list.");
			show_candidate(req, 400, d, id);
			return;
		}
		if (t.res.refusal.kind == REFUSAL_BAD_FIELD) {
			tdict_setf(d, "rec_edition_error", "The %s: choose an edition of this course, or none.",
			    t.res.message);
			show_candidate(req, 400, d, id);
			return;
		}
		tdict_setf(d, "rec_refused", "Not recorded: %s.", t.res.message);
		show_candidate(req, 409, d, id);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(a, "/admin/candidates/%s", id));
}

void post_admin_candidate_attestations(struct request *req)
{
	static const char *const allowed[] = { "kind", "evidence_date", NULL };
	struct tdict *d = http_page(req, "Candidate");
	struct arena *a = req->arena;
	const char *id = req->params[0];
	const char *kind = trim(a, http_form(req, "kind"));
	const char *date = trim(a, http_form(req, "evidence_date"));
	int bad = 0;
	tdict_set(d, "att_kind", kind);
	tdict_set(d, "att_date", date);
	if (unexpected(req, d, allowed)) {
		show_candidate(req, 400, d, id);
		return;
	}
	if (kind[0] == '\0') {
		tdict_set(d, "att_kind_error", "Choose what is attested.");
		bad = 1;
	}
	if (!date_valid(date)) {
		tdict_set(d, "att_date_error", "Enter the date of the evidence, like 2025-09-01.");
		bad = 1;
	}
	if (bad) {
		show_candidate(req, 400, d, id);
		return;
	}
	const char *user_id = candidate_of(req, d, id);
	if (user_id == NULL)
		return;
	struct record_result res = { 0 };
	enum db_status st = attestation_record(a, user_id, kind, date, req->user->id_text, &res);
	if (st == DB_REFUSED) {
		tdict_set(d, "att_kind_error", "Choose one of the attestations in the list.");
		show_candidate(req, 400, d, id);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(a, "/admin/candidates/%s", id));
}

/* ---- course editions ---- */

static void show_editions(struct request *req, int status, struct tdict *d)
{
	enum db_status st;
	struct arena *a = req->arena;
	PGresult *c = db_query(a, &st, "SELECT code, title FROM courses ORDER BY level, sort", 0);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	for (int i = 0; i < db_rows(c); i++)
		add_option(d, "courses", db_val(c, i, 0), arena_printf(a, "%s · %s", db_val(c, i, 0),
		    db_val(c, i, 1)), tdict_get(d, "course"));
	PGresult *r = db_query(a, &st,
	    "SELECT e.id, e.course_code, e.cycle_label, e.city, e.starts_on::text, e.ends_on::text,"
	    "   (SELECT count(*) FROM attendances t WHERE t.edition_id = e.id)"
	    " FROM course_editions e ORDER BY e.starts_on DESC, e.course_code", 0);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	for (int i = 0; i < db_rows(r); i++)
		http_push_row(d, "editions", r, i, (const char *const[]){ "edition_id", "ed_course",
		    "ed_cycle", "ed_city", "ed_starts", "ed_ends", "ed_attendances", NULL });
	http_render(req, status, "admin_editions", d);
}

void page_admin_editions(struct request *req)
{
	show_editions(req, 200, http_page(req, "Course editions"));
}

void post_admin_editions(struct request *req)
{
	static const char *const allowed[] = { "course", "cycle_label", "city", "starts_on", "ends_on", NULL };
	struct tdict *d = http_page(req, "Course editions");
	struct arena *a = req->arena;
	const char *course = trim(a, http_form(req, "course"));
	const char *cycle = trim(a, http_form(req, "cycle_label"));
	const char *city = trim(a, http_form(req, "city"));
	const char *starts = trim(a, http_form(req, "starts_on"));
	const char *ends = trim(a, http_form(req, "ends_on"));
	int bad = 0;
	tdict_set(d, "course", course);
	tdict_set(d, "cycle_label", cycle);
	tdict_set(d, "city", city);
	tdict_set(d, "starts_on", starts);
	tdict_set(d, "ends_on", ends);
	if (unexpected(req, d, allowed)) {
		show_editions(req, 400, d);
		return;
	}
	if (course[0] == '\0') {
		tdict_set(d, "course_error", "Choose the course or module.");
		bad = 1;
	}
	if (!text_ok(cycle, 80)) {
		tdict_set(d, "cycle_error", "Enter the cycle, like ECNR cycle 2027/1 (at most 80 characters).");
		bad = 1;
	}
	if (!text_ok(city, 80)) {
		tdict_set(d, "city_error", "Enter the city, at most 80 characters.");
		bad = 1;
	}
	if (!date_valid(starts)) {
		tdict_set(d, "starts_error", "Enter the first day, like 2027-04-19.");
		bad = 1;
	}
	if (!date_valid(ends)) {
		tdict_set(d, "ends_error", "Enter the last day, like 2027-04-23.");
		bad = 1;
	} else if (date_valid(starts) && strcmp(ends, starts) < 0) {
		tdict_set(d, "ends_error", "The last day cannot be before the first.");
		bad = 1;
	}
	if (bad) {
		show_editions(req, 400, d);
		return;
	}
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "INSERT INTO course_editions (course_code, cycle_label, city, starts_on, ends_on)"
	    " SELECT code, $2, $3, $4, $5 FROM courses WHERE code = $1 RETURNING id",
	    5, course, cycle, city, starts, ends);
	if (st == DB_CONFLICT) {
		tdict_setf(d, "form_error", "An edition of %s starting on %s exists already.", course, starts);
		show_editions(req, 409, d);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (db_rows(r) != 1) {
		tdict_set(d, "course_error", "Choose one of the courses in the list.");
		show_editions(req, 400, d);
		return;
	}
	http_redirect(req, "/admin/editions");
}

/* ---- CSV import ---- */

void page_admin_import(struct request *req)
{
	struct tdict *d = http_page(req, "Import completion records");
	tdict_set_bool(d, "dry_run", 1); /* trying first is the safe default */
	http_render(req, 200, "admin_import", d);
}

static void add_report(struct request *req, struct tdict *d, const struct import_report *rep)
{
	int ok = rep->file_error == NULL && rep->errors == 0;
	tdict_set_bool(d, "has_report", 1);
	tdict_set_bool(d, "report_ok", ok);
	tdict_set(d, "summary", import_summary(req->arena, rep));
	for (int i = 0; i < rep->nrows; i++) {
		const struct import_row *r = &rep->rows[i];
		struct tdict *t = tdict_push(d, "rows");
		const char *outcome = r->error != NULL ? "error" :
		    r->message == NULL ? "valid" :
		    rep->committed ? (r->changed ? "recorded" : "already there") :
		    !ok ? "not imported" : r->changed ? "would be recorded" : "already there";
		tdict_set_int(t, "line", r->line);
		tdict_set(t, "row_email", r->email);
		tdict_set(t, "row_course", r->course);
		tdict_set(t, "row_kind", r->kind_text);
		tdict_set(t, "outcome", outcome);
		tdict_set_bool(t, "row_bad", r->error != NULL);
		tdict_set(t, "row_message", r->error != NULL ? r->error : r->message);
	}
}

void post_admin_import(struct request *req)
{
	static const char *const allowed[] = { "csv", "dry_run", NULL };
	struct tdict *d = http_page(req, "Import completion records");
	int dry_run = http_form(req, "dry_run")[0] != '\0';
	tdict_set_bool(d, "dry_run", dry_run);
	if (unexpected(req, d, allowed)) {
		http_render(req, 400, "admin_import", d);
		return;
	}
	const struct field *f = fields_find(&req->form, "csv");
	if (f == NULL || f->filename == NULL || f->filename[0] == '\0') {
		tdict_set(d, "csv_error", "Choose the CSV file to import.");
		http_render(req, 400, "admin_import", d);
		return;
	}
	tdict_set(d, "filename", f->filename);
	if (f->len > IMPORT_MAX_BYTES) {
		tdict_set(d, "csv_error", "The file is larger than 2 MB: split it.");
		http_render(req, 400, "admin_import", d);
		return;
	}
	struct import_report rep;
	if (import_parse(req->arena, f->value, f->len, &rep) != 0) {
		add_report(req, d, &rep);
		http_render(req, 400, "admin_import", d);
		return;
	}
	enum db_status st = import_run(req->arena, &rep, req->user->id_text, dry_run);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	add_report(req, d, &rep);
	/* Refused rows undo the whole file: the page says which and why. */
	http_render(req, rep.errors > 0 ? 409 : 200, "admin_import", d);
}

/* A change of the registered name (marriage, a correction); certificates follow by reissue. */
void post_admin_candidate_name(struct request *req)
{
	static const char *const allowed[] = { "full_name", NULL };
	const char *why = NULL;
	if (http_unexpected_field(req, allowed) != NULL) {
		http_error(req, 400, "The form sent a field it does not have.");
		return;
	}
	const char *name = name_normalise(req->arena, http_form(req, "full_name"), &why);
	if (name == NULL || (why = holder_name_problem(req->arena, name)) != NULL) {
		http_error(req, 400, why);
		return;
	}
	struct refusal ref = { 0 };
	enum db_status st = user_rename(req->arena, req->params[0], name, req->user->id_text, &ref);
	if (st == DB_REFUSED) {
		http_refusal(req, "Name not changed", &ref);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/admin/candidates/%s", req->params[0]));
}
