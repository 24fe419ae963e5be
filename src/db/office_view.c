#include "db/office_view.h"

#include <string.h>

static struct db_stmt q_assigned = DB_STMT("ov_examiner_sessions",
    "SELECT s.id, s.exam_code, to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD Mon YYYY'),"
    "   s.location, s.booked_count, s.capacity, s.waitlisted_count,"
    "   CASE WHEN s.published_at IS NOT NULL THEN 'results published'"
    "        WHEN s.closed_at IS NOT NULL OR s.closes_at <= now() THEN 'booking closed: results can be entered'"
    "        ELSE 'booking open' END"
    " FROM exam_sessions s JOIN session_examiners x ON x.session_id = s.id"
    " WHERE x.user_id = $1 ORDER BY s.starts_at DESC", 1);

static struct db_stmt q_counts = DB_STMT("ov_office_counts",
    "SELECT (SELECT n FROM user_counts WHERE role = 'candidate'),"
    "   (SELECT count(*) FROM exam_sessions WHERE closed_at IS NULL AND closes_at > now()),"
    "   (SELECT count(*) FROM exam_sessions WHERE published_at IS NULL"
    "      AND (closed_at IS NOT NULL OR closes_at <= now())),"
    "   (SELECT coalesce(sum(waitlisted_count), 0) FROM exam_sessions WHERE waitlisted_count > 0)", 0);

static struct db_stmt q_unpublished = DB_STMT("ov_office_sessions",
    "SELECT s.id, s.exam_code, to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD Mon YYYY'),"
    "   s.location, s.booked_count, s.capacity, s.waitlisted_count,"
    "   CASE WHEN s.published_at IS NOT NULL THEN 'published'"
    "        WHEN s.closed_at IS NOT NULL OR s.closes_at <= now() THEN 'closed'"
    "        WHEN s.opens_at > now() THEN 'not yet open' ELSE 'open' END"
    " FROM exam_sessions s WHERE s.published_at IS NULL ORDER BY s.starts_at LIMIT 50", 0);

static struct ov_session *sessions_parse(struct arena *a, const PGresult *r, size_t *n)
{
	*n = (size_t)db_rows(r);
	struct ov_session *x = arena_zalloc(a, sizeof *x * (*n + 1));
	for (int i = 0; i < db_rows(r); i++)
		x[i] = (struct ov_session){ db_val(r, i, 0), db_val(r, i, 1), db_val(r, i, 2), db_val(r, i, 3),
		    db_val(r, i, 4), db_val(r, i, 5), db_val(r, i, 6), db_val(r, i, 7) };
	return x;
}

enum db_status examiner_view_load(struct arena *a, const char *user_id, struct examiner_view *out)
{
	enum db_status st;
	memset(out, 0, sizeof *out);
	PGresult *r = db_run(a, &st, &q_assigned, user_id);
	if (st != DB_OK)
		return st;
	out->assigned = sessions_parse(a, r, &out->nassigned);
	return DB_OK;
}

enum db_status office_view_load(struct arena *a, struct office_view *out)
{
	struct db_call calls[2] = { { &q_counts, { NULL } }, { &q_unpublished, { NULL } } };
	PGresult *res[2];
	memset(out, 0, sizeof *out);
	enum db_status st = db_batch(a, calls, 2, res);
	if (st != DB_OK)
		return st;
	out->n_candidates = db_val(res[0], 0, 0);
	out->n_open = db_val(res[0], 0, 1);
	out->n_awaiting = db_val(res[0], 0, 2);
	out->n_waitlisted = db_val(res[0], 0, 3);
	out->sessions = sessions_parse(a, res[1], &out->nsessions);
	return DB_OK;
}
