/* Examination sessions: creation, examiners, closing, and the rows the office's pages list.
 * Shared by admin pages and esonrctl. */
#ifndef ESONR_EXAM_SESSIONS_H
#define ESONR_EXAM_SESSIONS_H
#include <stddef.h>
#include "db/db.h"
#include "domain/exam_session.h"

struct exam_session_input {
	const char *exam;
	const char *date;          /* YYYY-MM-DD: the exam day, starting 09:00 local */
	const char *time_zone;     /* NULL: Europe/Vienna */
	const char *location;
	const char *capacity;
	/* Booking window: ISO 8601 with an offset, or a wall-clock time (an HTML
	 * datetime-local, domain/valid.h VALID_LOCAL_TIME) read in the session's zone. */
	const char *opens;         /* NULL: now */
	const char *closes;        /* NULL: the end of the day before the exam */
	const char *cancel_until;  /* NULL: when booking closes */
	const char *created_by;    /* user id or NULL (CLI) */
};

/* DB_OK with *id; DB_REFUSED with a bad field (exam, time_zone, capacity, closes: the
 * window the wrong way round). */
enum db_status exam_session_create(struct arena *a, const struct exam_session_input *in, long long *id,
    struct refusal *ref);
/* Refused: not found (session), conflict (field email: no such account, not an examiner). */
enum db_status exam_session_assign_examiner(struct arena *a, const char *session_id, const char *email,
    struct refusal *ref);
/* Ends booking now: the roster is fixed and results may be entered. Refused: not found. */
enum db_status exam_session_close(struct arena *a, const char *session_id, struct refusal *ref);

/* A booking as esonrctl session roster prints it (DESIGN §3): status booked, waitlisted or
 * cancelled; outcome pass, fail, absent or "-". */
struct booking_line {
	const char *booking_id, *email, *status, *outcome;
};
/* Every booking of the session, in booking order. Refused: not found. */
enum db_status exam_session_bookings(struct arena *a, const char *session_id,
    struct booking_line **lines, size_t *n, struct refusal *ref);

/* One session as the office's lists show it; times in the session's own zone. */
struct exam_session_row {
	const char *id, *exam, *date, *zone, *location; /* date: "3 May 2027, 09:00" */
	long long booked, capacity, waitlisted;
	enum exam_session_state state;
};

enum exam_session_filter {
	EXAM_SESSIONS_ALL,     /* newest first */
	EXAM_SESSIONS_CURRENT, /* upcoming, or results still to publish; soonest first */
};
enum db_status exam_session_list(struct arena *a, enum exam_session_filter filter,
    struct exam_session_row **rows, size_t *n);

struct roster_entry {
	const char *booking_id, *candidate_id, *name, *email, *status;
	const char *position;  /* waiting-list position, NULL when booked or cancelled */
	const char *booked_at; /* YYYY-MM-DD HH24:MI in the session's zone */
};

struct session_examiner {
	const char *name, *email, *assigned_on; /* YYYY-MM-DD in the office's zone */
};

/* The office's page of one session: the booking window, the roster (booked, then the
 * waiting list in the order it is served, then cancelled) and the examiners. */
struct exam_session_detail {
	struct exam_session_row row;
	const char *exam_title;
	const char *opens, *closes, *cancel_until, *closed_at; /* YYYY-MM-DD HH24:MI, its zone */
	struct roster_entry *roster;
	size_t nroster;
	struct session_examiner *examiners;
	size_t nexaminers;
};
/* *found 0 when there is no such session. */
enum db_status exam_session_detail(struct arena *a, const char *session_id,
    struct exam_session_detail *out, int *found);

#endif
