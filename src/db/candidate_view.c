#include "db/candidate_view.h"

#include <stdlib.h>
#include <string.h>

#include "db/kept.h"
#include "db/shared_view.h"

/* Dates, places and the order come from the session in the shared view (db/shared_view.h). */
static struct db_stmt q_bookings = DB_READ("cv_bookings",
    "SELECT id, exam_code, status, session_id FROM bookings"
    " WHERE user_id = $1 AND status <> 'cancelled' AND live", 1);

/* The sessions open for booking with their live counts (the rest is in the shared view),
 * kept per process with the seat version they were read under (sql/062_seat_versions.sql):
 * a page reads only the version, in its own round trip, and the rows again only when it
 * moved, as it does in the transaction of every booking, cancellation or change of a
 * session's capacity or closing. The version comes with the rows, from the same snapshot. */
static struct db_stmt q_open_seats = DB_READ("cv_open_seats",
    "SELECT x.v, s.id, s.capacity - s.booked_count, s.capacity, s.waitlisted_count"
    " FROM (SELECT sum(v)::bigint AS v FROM seat_versions) x"
    " LEFT JOIN exam_sessions s ON s.closed_at IS NULL AND s.closes_at > now()"
    " ORDER BY s.starts_at, s.id", 0);

struct seat {
	const char *id, *left, *capacity, *waitlisted;
	int full;
};

/* This process's copy of the open sessions' counts; valid for its seat version and for the
 * shared view's version and epoch it was read beside (a re-created database starts its
 * seat version again). */
static struct {
	int valid;
	long long version, view_version, view_epoch;
	struct arena *arena;
	struct seat *rows; /* by start, then id */
	size_t n;
} seats;

static enum db_status seats_current(struct arena *a, long long version, const struct shared_view *sv)
{
	if (version < 0)
		return DB_ERROR;
	if (seats.valid && seats.version == version && seats.view_version == sv->version &&
	    seats.view_epoch == sv->epoch)
		return DB_OK;
	enum db_status st;
	PGresult *rows = db_read(a, &st, &q_open_seats);
	if (st != DB_OK)
		return st;
	int n = db_rows(rows);
	if (n < 1 || db_val(rows, 0, 0) == NULL)
		return DB_ERROR;
	seats.valid = 0;
	if (seats.arena == NULL)
		seats.arena = arena_new();
	else
		arena_reset(seats.arena);
	seats.rows = arena_zalloc(seats.arena, sizeof *seats.rows * (size_t)(n + 1));
	seats.n = 0;
	for (int i = 0; i < n; i++) {
		if (db_val(rows, i, 1) == NULL)
			continue; /* no open session: the version alone */
		seats.rows[seats.n++] = (struct seat){
			.id = arena_strdup(seats.arena, db_val(rows, i, 1)),
			.left = arena_strdup(seats.arena, db_val(rows, i, 2)),
			.capacity = arena_strdup(seats.arena, db_val(rows, i, 3)),
			.waitlisted = arena_strdup(seats.arena, db_val(rows, i, 4)),
			.full = db_int(rows, i, 2) <= 0,
		};
	}
	seats.version = db_int(rows, 0, 0);
	seats.view_version = sv->version;
	seats.view_epoch = sv->epoch;
	seats.valid = 1;
	return DB_OK;
}


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

static enum db_status parse_sessions(struct arena *a, const struct shared_view **sv, int64_t now,
    struct candidate_view *v)
{
	v->sessions = arena_zalloc(a, sizeof *v->sessions * (seats.n + 1));
	v->nsessions = 0;
	for (size_t i = 0; i < seats.n; i++) {
		const struct seat *seat = &seats.rows[i];
		const struct sv_session *c;
		enum db_status st = session_of(sv, seat->id, &c);
		if (st != DB_OK)
			return st;
		/* The copy may be older than the clock: a session whose booking closed since. */
		if (c == NULL || !sv_session_upcoming(c, now))
			continue;
		const struct cat_exam *exam = catalogue_exam(v->cat, c->exam);
		struct cv_session *s = &v->sessions[v->nsessions++];
		s->id = c->id;
		s->exam = c->exam;
		s->exam_title = exam ? exam->title : c->exam;
		s->when = c->when_long;
		s->location = c->location;
		s->seats_left = seat->left;
		s->full = seat->full;
		s->capacity = seat->capacity;
		s->waitlisted = seat->waitlisted;
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

/* The records a candidate's pages read (records_calls, then the live bookings), kept per
 * process for the candidates it serves lately: copies of their answers, filed under the
 * account's records version (sql/063_records_version.sql) and the database's epoch. The
 * version comes with the session, read before the records (never newer than they are), so a
 * copy is at least as new as its version says; a page whose account has moved on reads them
 * again. */
enum { R_BOOKINGS = RECORDS__MAX, R__MAX };
#define RECORDS_KEPT 64
static struct kept kept[RECORDS_KEPT]; /* key: the account; v: its records version, the epoch */

static void records_and_bookings_calls(const char *user_id, struct db_call *calls)
{
	records_calls(user_id, calls);
	calls[R_BOOKINGS] = (struct db_call){ &q_bookings, { user_id } };
}

/* One round trip: the shared view's version and the clock, the seat version (exams page),
 * and the candidate's records and bookings unless this process has them as of the account's
 * records version. A second one only for what moved: the records (read again) or the open
 * sessions' counts. */
enum db_status candidate_view_load(struct arena *a, const struct user *u, enum cv_page page,
    struct candidate_view *v)
{
	enum db_status st;
	memset(v, 0, sizeof *v);
	struct kept *kr = kept_of(kept, RECORDS_KEPT, u->id);
	struct db_call calls[R__MAX + 2];
	PGresult *res[R__MAX + 2];
	int n = 0, at_view;
	if (kr == NULL) {
		records_and_bookings_calls(u->id_text, calls);
		n = R__MAX;
	}
	if (page == CV_EXAMS)
		shared_view_seats_call(&calls[at_view = n++]);
	else
		shared_view_call(&calls[at_view = n++]);
	if ((st = db_batch(a, calls, n, res)) != DB_OK)
		return st;

	const struct shared_view *sv;
	int64_t now;
	const char *today;
	if ((st = shared_view_get(res[at_view], &sv, &now, &today)) != DB_OK)
		return st;
	/* The records version is the one the page's session check read (db/websessions.c). */
	PGresult *again[R__MAX], *const *rec = res;
	const long long versions[KEPT_VERSIONS] = { u->records_version, sv->epoch };
	if (kr != NULL && (kr = kept_current(kept, RECORDS_KEPT, u->id, versions)) == NULL) {
		records_and_bookings_calls(u->id_text, calls);
		if ((st = db_batch(a, calls, R__MAX, again)) != DB_OK)
			return st;
		rec = again;
	}
	if (kr == NULL)
		kr = kept_put(kept, RECORDS_KEPT, u->id, versions, rec, R__MAX);
	if (kr != NULL)
		rec = kr->res; /* else (out of memory) this page's own answers */
	/* The catalogue after the shared view: read again first if the version moved. */
	if ((st = catalogue_get(&v->cat)) != DB_OK ||
	    (st = records_parse(a, rec, &v->rec)) != DB_OK ||
	    (st = parse_bookings(a, rec[R_BOOKINGS], &sv, v)) != DB_OK)
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
	if (page == CV_EXAMS) {
		if ((st = seats_current(a, seat_version_of(res[at_view]), sv)) != DB_OK)
			return st;
		return parse_sessions(a, &sv, now, v);
	}
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
