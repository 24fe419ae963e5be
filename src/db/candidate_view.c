#include "db/candidate_view.h"

#include <stdlib.h>
#include <string.h>

#include "db/shared_view.h"

/* Dates, places and the order come from the session in the shared view (db/shared_view.h). */
static struct db_stmt q_bookings = DB_READ("cv_bookings",
    "SELECT id, exam_code, status, session_id FROM bookings"
    " WHERE user_id = $1 AND status <> 'cancelled' AND live", 1);

/* The sessions open for booking with their live counts; the rest is in the shared view. */
static struct db_stmt q_open_seats = DB_READ("cv_open_seats",
    "SELECT id, capacity - booked_count, capacity, waitlisted_count FROM exam_sessions"
    " WHERE closed_at IS NULL AND closes_at > now() ORDER BY starts_at, id", 0);

enum { Q_SHARED = RECORDS__MAX, Q_BOOKINGS, Q_SEATS, Q__MAX };

struct booking_sort {
	struct cv_booking b;
	int64_t starts_at;
	long long id;
};

static int by_start(const void *x, const void *y)
{
	const struct booking_sort *a = x, *b = y;
	if (a->starts_at != b->starts_at)
		return a->starts_at < b->starts_at ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* Every session the page names must be in the shared view; one that is not was created
 * after the copy was read: read it again (once). */
static enum db_status session_of(const struct shared_view **sv, const char *id,
    const struct sv_session **out)
{
	*out = shared_view_session(*sv, id);
	if (*out != NULL)
		return DB_OK;
	enum db_status st = shared_view_reload(sv);
	*out = st == DB_OK ? shared_view_session(*sv, id) : NULL;
	return st;
}

static enum db_status parse_bookings(struct arena *a, const PGresult *r, const struct shared_view **sv,
    struct candidate_view *v)
{
	int n = db_rows(r);
	struct booking_sort *x = arena_zalloc(a, sizeof *x * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		const struct sv_session *s;
		enum db_status st = session_of(sv, db_val(r, i, 3), &s);
		if (st != DB_OK)
			return st;
		struct cv_booking *b = &x[i].b;
		b->id = db_val(r, i, 0);
		b->exam = db_val(r, i, 1);
		b->status = db_val(r, i, 2);
		b->session_id = db_val(r, i, 3);
		b->waitlisted = strcmp(b->status, "waitlisted") == 0;
		b->when = s ? s->when : NULL;
		b->location = s ? s->location : NULL;
		x[i].starts_at = s ? s->starts_at : 0;
		x[i].id = db_int(r, i, 0);
	}
	qsort(x, (size_t)n, sizeof *x, by_start);
	v->nbookings = (size_t)n;
	v->bookings = arena_zalloc(a, sizeof *v->bookings * (v->nbookings + 1));
	for (int i = 0; i < n; i++)
		v->bookings[i] = x[i].b;
	return DB_OK;
}

/* Per exam, the next session that is not closed yet. */
static void next_session(const struct shared_view *sv, int64_t now, struct cv_exam *e)
{
	for (size_t i = 0; i < sv->nsessions; i++) {
		const struct sv_session *s = &sv->sessions[i];
		if (strcmp(s->exam, e->exam->code) != 0 || !sv_session_upcoming(s, now))
			continue;
		e->next_id = s->id;
		e->next_date = s->day;
		e->next_location = s->location;
		e->next_opens = s->opens_at > now ? s->opens_day : NULL;
		return;
	}
}

static int eligible_for(const struct candidate_view *v, const char *exam)
{
	for (size_t i = 0; i < v->nexams; i++)
		if (strcmp(v->exams[i].exam->code, exam) == 0)
			return v->exams[i].ans.e.eligible;
	return 0;
}

static enum db_status parse_sessions(struct arena *a, const PGresult *r, const struct shared_view **sv,
    int64_t now, struct candidate_view *v)
{
	v->sessions = arena_zalloc(a, sizeof *v->sessions * (size_t)(db_rows(r) + 1));
	v->nsessions = 0;
	for (int i = 0; i < db_rows(r); i++) {
		const struct sv_session *c;
		enum db_status st = session_of(sv, db_val(r, i, 0), &c);
		if (st != DB_OK)
			return st;
		if (c == NULL)
			continue;
		const struct cat_exam *exam = catalogue_exam(v->cat, c->exam);
		struct cv_session *s = &v->sessions[v->nsessions++];
		s->id = c->id;
		s->exam = c->exam;
		s->exam_title = exam ? exam->title : c->exam;
		s->when = c->when_long;
		s->location = c->location;
		s->seats_left = db_val(r, i, 1);
		s->full = db_int(r, i, 1) <= 0;
		s->capacity = db_val(r, i, 2);
		s->waitlisted = db_val(r, i, 3);
		s->opens = c->opens_at > now ? c->opens : NULL;
		s->closes = c->closes;
		s->cancel_until = c->cancel_until;
		for (size_t k = 0; k < v->nbookings; k++)
			if (strcmp(v->bookings[k].session_id, s->id) == 0)
				s->my_booking = v->bookings[k].id;
		s->eligible = eligible_for(v, s->exam);
		s->can_book = s->eligible && s->opens == NULL && s->my_booking == NULL;
	}
	return DB_OK;
}

/* One round trip: the shared view's version and the clock, the candidate's records and
 * bookings, and (exams page) the open sessions' counts. */
enum db_status candidate_view_load(struct arena *a, const char *user_id, enum cv_page page,
    struct candidate_view *v)
{
	enum db_status st;
	memset(v, 0, sizeof *v);
	struct db_call calls[Q__MAX];
	PGresult *res[Q__MAX];
	int n = page == CV_EXAMS ? Q__MAX : Q_SEATS;
	records_calls(user_id, calls);
	shared_view_call(&calls[Q_SHARED]);
	calls[Q_BOOKINGS] = (struct db_call){ &q_bookings, { user_id } };
	calls[Q_SEATS] = (struct db_call){ &q_open_seats, { NULL } };
	if ((st = db_batch(a, calls, n, res)) != DB_OK)
		return st;

	const struct shared_view *sv;
	int64_t now;
	const char *today;
	/* The catalogue after the shared view: read again first if the version moved. */
	if ((st = shared_view_get(res[Q_SHARED], &sv, &now, &today)) != DB_OK ||
	    (st = catalogue_get(&v->cat)) != DB_OK ||
	    (st = records_parse(a, res, &v->rec)) != DB_OK ||
	    (st = parse_bookings(a, res[Q_BOOKINGS], &sv, v)) != DB_OK)
		return st;

	v->nexams = v->cat->nexams;
	v->exams = arena_zalloc(a, sizeof *v->exams * (v->nexams + 1));
	for (size_t i = 0; i < v->nexams; i++) {
		struct cv_exam *e = &v->exams[i];
		e->exam = &v->cat->exams[i];
		const struct exam_rules *r = shared_view_rules(sv, e->exam->code);
		exam_eligibility_of(a, e->exam->code, r ? r->rules : NULL, r ? r->n : 0, &v->rec, now, today,
		    &e->ans);
		for (size_t k = 0; k < v->rec.ncerts; k++)
			if (v->rec.certs[k].valid && strcmp(v->rec.certs[k].exam, e->exam->code) == 0)
				e->held = v->rec.certs[k].number;
		if (page == CV_DASHBOARD)
			next_session(sv, now, e);
	}
	if (page == CV_EXAMS)
		return parse_sessions(a, res[Q_SEATS], &sv, now, v);
	return DB_OK;
}

/* Published sessions only: before publication a result does not exist for the candidate. */
static struct db_stmt q_results = DB_READ("cv_results",
    "SELECT b.id, b.exam_code, e.title, to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD FMMonth YYYY'),"
    "   s.location, r.absent, r.written, e.pass_written,"
    "   trim_scale(CASE WHEN r.oral_resolved IS NOT NULL THEN r.oral_resolved::numeric"
    "        WHEN e.double_oral THEN (r.oral_a + r.oral_b) / 2.0 ELSE r.oral_a END),"
    "   e.pass_oral, coalesce(r.decision, r.computed_outcome), r.decision_reason,"
    "   r.amended_at IS NOT NULL, r.amendment_reason,"
    "   to_char(r.amended_at AT TIME ZONE s.time_zone, 'FMDD FMMonth YYYY'),"
    "   (SELECT c.number FROM certificates c WHERE c.session_id = s.id AND c.user_id = b.user_id"
    "      AND c.revoked_at IS NULL AND c.superseded_by IS NULL)"
    " FROM bookings b JOIN exam_sessions s ON s.id = b.session_id JOIN exams e ON e.code = b.exam_code"
    " JOIN results r ON r.booking_id = b.id"
    " WHERE b.user_id = $1 AND s.published_at IS NOT NULL ORDER BY s.starts_at DESC", 1);

enum db_status candidate_results_load(struct arena *a, const char *user_id, struct cv_result **out,
    size_t *n)
{
	enum db_status st;
	PGresult *r = db_read(a, &st, &q_results, user_id);
	if (st != DB_OK)
		return st;
	*n = (size_t)db_rows(r);
	struct cv_result *x = arena_zalloc(a, sizeof *x * (*n + 1));
	for (int i = 0; i < db_rows(r); i++) {
		x[i] = (struct cv_result){
			.booking_id = db_val(r, i, 0), .exam = db_val(r, i, 1), .exam_title = db_val(r, i, 2),
			.date = db_val(r, i, 3), .location = db_val(r, i, 4),
			.absent = strcmp(db_val(r, i, 5), "t") == 0,
			.written = db_val(r, i, 6), .pass_written = db_val(r, i, 7), .oral = db_val(r, i, 8),
			.pass_oral = db_val(r, i, 9), .outcome = db_val(r, i, 10),
			.decision_reason = db_val(r, i, 11), .amended = strcmp(db_val(r, i, 12), "t") == 0,
			.amendment_reason = db_val(r, i, 13), .amended_on = db_val(r, i, 14),
			.certificate = db_val(r, i, 15),
		};
		x[i].passed = strcmp(x[i].outcome, "pass") == 0;
	}
	*out = x;
	return DB_OK;
}

static const struct exam_rules *rules_of(const struct exam_rules *r, size_t n, const char *exam)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].exam, exam) == 0)
			return &r[i];
	return NULL;
}

static struct db_stmt q_booking = DB_READ("cv_booking",
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
    "   ((s.starts_at AT TIME ZONE s.time_zone) - (s.starts_at AT TIME ZONE 'UTC')) >"
    "   ((date_trunc('year', s.starts_at) AT TIME ZONE s.time_zone) - (date_trunc('year', s.starts_at) AT TIME ZONE 'UTC')),"
    "   extract(epoch FROM ((s.starts_at AT TIME ZONE s.time_zone) - (s.starts_at AT TIME ZONE 'UTC')))::int / 60,"
    "   (extract(epoch FROM b.created_at) * 1000000)::bigint,"
    "   to_char(b.created_at AT TIME ZONE s.time_zone, 'FMDD FMMonth YYYY, HH24:MI')"
    " FROM bookings b JOIN exam_sessions s ON s.id = b.session_id JOIN exams e ON e.code = b.exam_code"
    " WHERE b.id = $1 AND b.user_id = $2", 2);

enum db_status candidate_booking_load(struct arena *a, const char *user_id, const char *booking_id,
    struct cv_booking_detail *out)
{
	struct db_call calls[2] = { { &q_booking, { booking_id, user_id } } };
	PGresult *res[2];
	rules_all_call(&calls[1]);
	memset(out, 0, sizeof *out);
	enum db_status st = db_batch(a, calls, 2, res);
	if (st != DB_OK)
		return st;
	const PGresult *r = res[0];
	if (db_rows(r) != 1)
		return DB_OK;
	*out = (struct cv_booking_detail){
		.found = 1, .id = db_val(r, 0, 0), .exam = db_val(r, 0, 1), .exam_title = db_val(r, 0, 2),
		.status = db_val(r, 0, 3), .when = db_val(r, 0, 4), .location = db_val(r, 0, 5),
		.can_cancel = strcmp(db_val(r, 0, 6), "t") == 0, .cancel_until = db_val(r, 0, 7),
		.position = db_val(r, 0, 8), .ics_uid = db_val(r, 0, 9), .ics_sequence = (int)db_int(r, 0, 10),
		.tzid = db_val(r, 0, 11), .start = db_val(r, 0, 12), .end = db_val(r, 0, 13),
		.dtstamp = db_val(r, 0, 14), .dst = strcmp(db_val(r, 0, 15), "t") == 0,
		.utc_offset_minutes = (int)db_int(r, 0, 16), .booked_at = db_val(r, 0, 18),
	};
	struct exam_rules *rules;
	size_t nrules;
	rules_all_parse(a, res[1], &rules, &nrules);
	const struct exam_rules *mine = rules_of(rules, nrules, out->exam);
	size_t n = mine ? mine->n : 0;
	out->rules_then = arena_zalloc(a, sizeof *out->rules_then * (n + 1));
	out->nrules_then = n ? rules_in_force(mine->rules, n, db_int(r, 0, 17), out->rules_then) : 0;
	return DB_OK;
}
