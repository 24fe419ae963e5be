/* The dashboard: what each role needs to see first. */
#include "web/handlers.h"

static enum db_status examiner_dashboard(struct request *req, struct tdict *page)
{
	enum db_status st;
	PGresult *r = db_query(req->arena, &st,
	    "SELECT s.id, s.exam_code, to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD Mon YYYY'),"
	    "   s.location, s.booked_count,"
	    "   CASE WHEN s.published_at IS NOT NULL THEN 'results published'"
	    "        WHEN s.closed_at IS NOT NULL OR s.closes_at <= now() THEN 'booking closed: results can be entered'"
	    "        ELSE 'booking open' END"
	    " FROM exam_sessions s JOIN session_examiners x ON x.session_id = s.id"
	    " WHERE x.user_id = $1 ORDER BY s.starts_at DESC", 1, req->user->id_text);
	if (st != DB_OK)
		return st;
	for (int i = 0; i < db_rows(r); i++)
		http_push_row(page, "assigned", r, i, (const char *const[]){ "session_id", "exam", "date",
		    "location", "booked", "state", NULL });
	return DB_OK;
}

static enum db_status admin_dashboard(struct request *req, struct tdict *page)
{
	enum db_status st;
	PGresult *r = db_query(req->arena, &st,
	    "SELECT (SELECT count(*) FROM users WHERE role = 'candidate'),"
	    "   (SELECT count(*) FROM exam_sessions WHERE closed_at IS NULL AND closes_at > now()),"
	    "   (SELECT count(*) FROM exam_sessions WHERE published_at IS NULL"
	    "      AND (closed_at IS NOT NULL OR closes_at <= now())),"
	    "   (SELECT count(*) FROM bookings WHERE status = 'waitlisted')", 0);
	if (st != DB_OK)
		return st;
	tdict_set(page, "n_candidates", db_val(r, 0, 0));
	tdict_set(page, "n_open", db_val(r, 0, 1));
	tdict_set(page, "n_awaiting", db_val(r, 0, 2));
	tdict_set(page, "n_waitlisted", db_val(r, 0, 3));
	r = db_query(req->arena, &st,
	    "SELECT s.id, s.exam_code, to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD Mon YYYY'),"
	    "   s.location, s.booked_count, s.capacity,"
	    "   (SELECT count(*) FROM bookings w WHERE w.session_id = s.id AND w.status = 'waitlisted'),"
	    "   CASE WHEN s.published_at IS NOT NULL THEN 'published'"
	    "        WHEN s.closed_at IS NOT NULL OR s.closes_at <= now() THEN 'closed'"
	    "        WHEN s.opens_at > now() THEN 'not yet open' ELSE 'open' END"
	    " FROM exam_sessions s WHERE s.published_at IS NULL ORDER BY s.starts_at LIMIT 50", 0);
	if (st != DB_OK)
		return st;
	for (int i = 0; i < db_rows(r); i++)
		http_push_row(page, "sessions", r, i, (const char *const[]){ "session_id", "exam", "date",
		    "location", "booked", "capacity", "waitlisted", "state", NULL });
	return DB_OK;
}

void page_dashboard(struct request *req)
{
	struct tdict *d = http_page(req, "Dashboard");
	enum db_status st = DB_OK;
	switch (req->user->role) {
	case ROLE_CANDIDATE:
		st = candidate_dashboard(req, d);
		break;
	case ROLE_EXAMINER:
		st = examiner_dashboard(req, d);
		break;
	case ROLE_ADMIN:
		st = admin_dashboard(req, d);
		break;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_render(req, 200, "dashboard", d);
}
