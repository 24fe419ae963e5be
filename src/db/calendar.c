#include "db/calendar.h"

static const char *row_column(void *ctx, const char *name)
{
	const PGresult *r = ctx;
	int col = PQfnumber(r, name);
	const char *v = col < 0 ? NULL : db_val(r, 0, col);
	return v != NULL ? v : "";
}

enum db_status booking_calendar_event(struct arena *a, const char *booking_id,
    const char *user_id, struct ics_event *ev, int *found)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT * FROM booking_calendar WHERE booking_id = $1 AND user_id = $2", 2, booking_id,
	    user_id);
	*found = st == DB_OK && db_rows(r) == 1;
	if (*found)
		ics_booking_event(a, ev, row_column, r, 0);
	return st;
}
