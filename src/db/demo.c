#include "db/demo.h"

enum db_status demo_past_session(struct arena *a, const char **session_id, const char **booking_id,
    const char **examiner_id)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "WITH s AS (INSERT INTO exam_sessions (exam_code, starts_at, location, capacity, opens_at,"
	    "     closes_at, cancel_until, closed_at)"
	    "   VALUES ('L1', '2024-06-07 09:00 Europe/Vienna', 'Vienna, ESNR office', 20,"
	    "     '2024-03-01 00:00 Europe/Vienna', '2024-06-07 00:00 Europe/Vienna',"
	    "     '2024-06-07 00:00 Europe/Vienna', '2024-06-07 00:00 Europe/Vienna') RETURNING id)"
	    " INSERT INTO bookings (session_id, exam_code, user_id, status, ics_uid)"
	    " SELECT s.id, 'L1', u.id, 'booked', 'booking-demo-' || s.id || '@esonr-portal'"
	    " FROM s, users u WHERE u.email = 'nikos@esonr.example'"
	    " RETURNING session_id, id, (SELECT id FROM users WHERE email = 'examiner@esonr.example')", 0);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return DB_ERROR;
	*session_id = db_val(r, 0, 0);
	*booking_id = db_val(r, 0, 1);
	*examiner_id = db_val(r, 0, 2);
	return DB_OK;
}

enum db_status demo_has_sessions(struct arena *a, int *any)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT EXISTS (SELECT 1 FROM exam_sessions)", 0);
	*any = st == DB_OK && db_val(r, 0, 0)[0] == 't';
	return st;
}

enum db_status demo_date_in(struct arena *a, int days, const char **date)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT to_char(now() + make_interval(days => $1::int), 'YYYY-MM-DD')",
	    1, arena_printf(a, "%d", days));
	*date = st == DB_OK ? db_val(r, 0, 0) : NULL;
	return st;
}
