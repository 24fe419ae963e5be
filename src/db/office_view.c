#include "db/office_view.h"

#include <string.h>

#include "db/shared_view.h"
#include "domain/exam_session.h"

/* What the state needs (struct exam_session_times and now, in Unix microseconds): the wording
 * is domain/exam_session.c's, the same as on every other page that shows a session. */
#define STATE_COLUMNS \
	" (extract(epoch FROM s.opens_at) * 1e6)::bigint, (extract(epoch FROM s.closes_at) * 1e6)::bigint," \
	" coalesce((extract(epoch FROM s.closed_at) * 1e6)::bigint, 0)," \
	" coalesce((extract(epoch FROM s.published_at) * 1e6)::bigint, 0)," \
	" (extract(epoch FROM now()) * 1e6)::bigint"

static struct db_stmt q_assigned = DB_READ("ov_examiner_sessions",
    "SELECT s.id, s.exam_code, to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD Mon YYYY'),"
    "   s.location, s.booked_count, s.capacity, s.waitlisted_count," STATE_COLUMNS
    " FROM exam_sessions s JOIN session_examiners x ON x.session_id = s.id"
    " WHERE x.user_id = $1 ORDER BY s.starts_at DESC", 1);

/* The candidates and the places on waiting lists; how many sessions are open or await
 * publication is counted from the shared view, by exam_session_state() itself. */
static struct db_stmt q_counts = DB_READ("ov_office_counts",
    "SELECT (SELECT n FROM user_counts WHERE role = 'candidate'),"
    "   (SELECT coalesce(sum(waitlisted_count), 0) FROM exam_sessions WHERE waitlisted_count > 0)", 0);

/* The live counts only: dates, places and times come from the shared view (db/shared_view.h). */
static struct db_stmt q_unpublished = DB_READ("ov_office_sessions",
    "SELECT id, booked_count, capacity, waitlisted_count"
    " FROM exam_sessions WHERE published_at IS NULL ORDER BY starts_at, id LIMIT 50", 0);

static struct ov_session *sessions_parse(struct arena *a, const PGresult *r, size_t *n)
{
	*n = (size_t)db_rows(r);
	struct ov_session *x = arena_zalloc(a, sizeof *x * (*n + 1));
	for (int i = 0; i < db_rows(r); i++) {
		struct exam_session_times t = { db_int(r, i, 7), db_int(r, i, 8), db_int(r, i, 9),
			db_int(r, i, 10) };
		x[i] = (struct ov_session){ db_val(r, i, 0), db_val(r, i, 1), db_val(r, i, 2), db_val(r, i, 3),
		    db_val(r, i, 4), db_val(r, i, 5), db_val(r, i, 6),
		    exam_session_state_text(exam_session_state(&t, db_int(r, i, 11))) };
	}
	return x;
}

enum db_status examiner_view_load(struct arena *a, const char *user_id, struct examiner_view *out)
{
	enum db_status st;
	memset(out, 0, sizeof *out);
	PGresult *r = db_read(a, &st, &q_assigned, user_id);
	if (st != DB_OK)
		return st;
	out->assigned = sessions_parse(a, r, &out->nassigned);
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

enum db_status office_view_load(struct arena *a, struct office_view *out)
{
	struct db_call calls[3] = { { NULL, { NULL } }, { &q_counts, { NULL } }, { &q_unpublished, { NULL } } };
	PGresult *res[3];
	memset(out, 0, sizeof *out);
	shared_view_call(&calls[0]);
	enum db_status st = db_batch(a, calls, 3, res);
	if (st != DB_OK)
		return st;
	const struct shared_view *sv;
	int64_t now;
	const char *today;
	if ((st = shared_view_get(res[0], &sv, &now, &today)) != DB_OK)
		return st;
	out->n_candidates = db_val(res[1], 0, 0);
	out->n_waitlisted = db_val(res[1], 0, 1);
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
	return office_sessions(a, res[2], sv, now, out);
}
