#include "db/office_view.h"

#include <string.h>

#include "db/kept.h"
#include "db/shared_view.h"
#include "domain/exam_session.h"

/* What the state needs (struct exam_session_times, in Unix microseconds; now is the page's
 * own clock): the wording is domain/exam_session.c's, as on every page that shows a session. */
#define STATE_COLUMNS \
	" (extract(epoch FROM s.opens_at) * 1e6)::bigint, (extract(epoch FROM s.closes_at) * 1e6)::bigint," \
	" coalesce((extract(epoch FROM s.closed_at) * 1e6)::bigint, 0)," \
	" coalesce((extract(epoch FROM s.published_at) * 1e6)::bigint, 0)"

static struct db_stmt q_assigned = DB_READ("ov_examiner_sessions",
    "SELECT s.id, s.exam_code, to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD Mon YYYY'),"
    "   s.location, s.booked_count, s.capacity, s.waitlisted_count," STATE_COLUMNS
    " FROM exam_sessions s JOIN session_examiners x ON x.session_id = s.id"
    " WHERE x.user_id = $1 ORDER BY s.starts_at DESC", 1);

/* The versions (db/shared_view.h) and the candidates, read at every page (no version covers
 * registrations), in one statement. */
static struct db_stmt q_office_versions = DB_READ("ov_office_versions",
    "SELECT " SHARED_VIEW_VERSION_COLUMNS ", " SEAT_VERSION_COLUMN ","
    "   (SELECT n FROM user_counts WHERE role = 'candidate') FROM shared_view_version", 0);

/* The places on waiting lists; how many sessions are open or await publication is counted
 * from the shared view, by exam_session_state() itself. */
static struct db_stmt q_waitlisted = DB_READ("ov_office_waitlisted",
    "SELECT coalesce(sum(waitlisted_count), 0) FROM exam_sessions WHERE waitlisted_count > 0", 0);

/* The live counts only: dates, places and times come from the shared view (db/shared_view.h). */
static struct db_stmt q_unpublished = DB_READ("ov_office_sessions",
    "SELECT id, booked_count, capacity, waitlisted_count"
    " FROM exam_sessions WHERE published_at IS NULL ORDER BY starts_at, id LIMIT 50", 0);

/* What the dashboards read of the sessions is kept per process (db/kept.h), filed under the
 * shared view's version and epoch and the seat version that the page reads in its own round
 * trip: between them they move with every change to a session's dates, place, counts,
 * closing or publication, and with every examiner assigned or removed (sql/065). An
 * examiner's list by account, the office's once. The state is worked out at each page, from
 * the kept times and the page's own clock. */
#define EXAMINERS_KEPT 16
static struct kept examiners_kept[EXAMINERS_KEPT];
static struct kept office_kept[1];

/* One round trip: the page's versions statement (the shared view's columns first, then the
 * seat version: db/shared_view.h), and key's lists[0..nlists) unless this process has a copy
 * of them of any versions; then the copy as of the page's versions, read again in a second
 * round trip when it is older. *answer is the versions' answer; *sv and *now are the shared
 * view and the clock as of it. NULL with *st set when a read fails; when out of memory, the
 * page's own rows. */
static PGresult *const *kept_lists(struct arena *a, struct kept *table, size_t size, long long key,
    struct db_call versions, struct db_call *lists, int nlists, const PGresult **answer,
    const struct shared_view **sv, int64_t *now, enum db_status *st)
{
	struct db_call calls[1 + KEPT_RESULTS] = { versions };
	PGresult *res[1 + KEPT_RESULTS] = { NULL }, **rows = &res[1];
	int n = 1;
	if (nlists < 1 || nlists > KEPT_RESULTS) {
		*st = DB_ERROR;
		return NULL;
	}
	if (kept_of(table, size, key) == NULL)
		for (int i = 0; i < nlists; i++)
			calls[n++] = lists[i];
	const char *today;
	if ((*st = db_batch(a, calls, n, res)) != DB_OK || (*st = shared_view_get(res[0], sv, now, &today)) != DB_OK)
		return NULL;
	*answer = res[0]; /* cleared with the arena */
	/* Filed under the versions this page's statement read, not the copy's (db/kept.h). */
	long long v[KEPT_VERSIONS] = { 0 };
	shared_view_versions(res[0], v);
	v[2] = seat_version_of(res[0]);
	struct kept *k = kept_current(table, size, key, v);
	if (k != NULL)
		return k->res;
	if (rows[0] == NULL && (*st = db_batch(a, lists, nlists, rows)) != DB_OK)
		return NULL;
	k = kept_put(table, size, key, v, rows, nlists);
	if (k != NULL)
		return k->res;
	/* Out of memory: this page's own rows, copied out of this frame into the arena. */
	PGresult **own = arena_alloc(a, sizeof *own * (size_t)nlists);
	memcpy(own, rows, sizeof *own * (size_t)nlists);
	return own;
}

static struct ov_session *sessions_parse(struct arena *a, const PGresult *r, int64_t now, size_t *n)
{
	*n = (size_t)db_rows(r);
	struct ov_session *x = arena_zalloc(a, sizeof *x * (*n + 1));
	for (int i = 0; i < db_rows(r); i++) {
		struct exam_session_times t = { db_int(r, i, 7), db_int(r, i, 8), db_int(r, i, 9),
			db_int(r, i, 10) };
		x[i] = (struct ov_session){ db_val(r, i, 0), db_val(r, i, 1), db_val(r, i, 2), db_val(r, i, 3),
		    db_val(r, i, 4), db_val(r, i, 5), db_val(r, i, 6),
		    exam_session_state_text(exam_session_state(&t, now)) };
	}
	return x;
}

/* One round trip: the versions and the clock, and the examiner's list unless this process
 * has a copy of it (of any versions: one that is out of date is read again in a second). */
enum db_status examiner_view_load(struct arena *a, const struct user *u, struct examiner_view *out)
{
	enum db_status st;
	memset(out, 0, sizeof *out);
	struct db_call versions, list = { &q_assigned, { u->id_text } };
	const PGresult *answer;
	const struct shared_view *sv;
	int64_t now;
	shared_view_seats_call(&versions);
	PGresult *const *rows = kept_lists(a, examiners_kept, EXAMINERS_KEPT, u->id, versions, &list, 1, &answer,
	    &sv, &now, &st);
	if (rows == NULL)
		return st;
	out->assigned = sessions_parse(a, rows[0], now, &out->nassigned);
	return DB_OK;
}

/* The office's list: what the shared view has of each session, with its live counts. A
 * session the view does not have yet (created since) makes it read again. */
static enum db_status office_sessions(struct arena *a, const PGresult *r, const struct shared_view *sv,
    int64_t now, struct office_view *out)
{
	out->sessions = arena_zalloc(a, sizeof *out->sessions * (size_t)(db_rows(r) + 1));
	out->nsessions = 0;
	for (int i = 0; i < db_rows(r); i++) {
		const struct sv_session *c = shared_view_session(sv, db_val(r, i, 0));
		enum db_status st;
		if (c == NULL && (st = shared_view_reload(&sv)) != DB_OK)
			return st;
		if (c == NULL && (c = shared_view_session(sv, db_val(r, i, 0))) == NULL)
			continue; /* published in between: no longer on this list */
		struct exam_session_times t = { c->opens_at, c->closes_at, c->closed_at, 0 };
		out->sessions[out->nsessions++] = (struct ov_session){ c->id, c->exam, c->day, c->location,
		    db_val(r, i, 1), db_val(r, i, 2), db_val(r, i, 3),
		    exam_session_state_text(exam_session_state(&t, now)) };
	}
	return DB_OK;
}

/* One round trip: the versions and the clock, the candidates, and the office's list and
 * waiting lists unless this process has a copy of them (else in a second, when it is out of
 * date). */
enum db_status office_view_load(struct arena *a, struct office_view *out)
{
	struct db_call lists[2] = { { &q_waitlisted, { NULL } }, { &q_unpublished, { NULL } } };
	const PGresult *answer;
	const struct shared_view *sv;
	int64_t now;
	enum db_status st;
	memset(out, 0, sizeof *out);
	PGresult *const *kept = kept_lists(a, office_kept, 1, 0, (struct db_call){ &q_office_versions, { NULL } },
	    lists, 2, &answer, &sv, &now, &st);
	if (kept == NULL)
		return st;
	out->n_candidates = db_val(answer, 0, 5);
	out->n_waitlisted = db_val(kept[0], 0, 0);
	int open = 0, awaiting = 0;
	for (size_t i = 0; i < sv->nsessions; i++) {
		const struct sv_session *c = &sv->sessions[i];
		struct exam_session_times t = { c->opens_at, c->closes_at, c->closed_at, 0 };
		enum exam_session_state state = exam_session_state(&t, now);
		open += state == EXAM_SESSION_OPEN;
		awaiting += exam_session_roster_fixed(state);
	}
	out->n_open = arena_printf(a, "%d", open);
	out->n_awaiting = arena_printf(a, "%d", awaiting);
	return office_sessions(a, kept[1], sv, now, out);
}
