/* Examination sessions: creation, examiners, closing. Shared by admin pages and esonrctl. */
#ifndef ESONR_EXAM_SESSIONS_H
#define ESONR_EXAM_SESSIONS_H
#include "db/db.h"

struct exam_session_input {
	const char *exam;
	const char *date;          /* YYYY-MM-DD: the exam day, starting 09:00 local */
	const char *time_zone;     /* NULL: Europe/Vienna */
	const char *location;
	const char *capacity;
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

#endif
