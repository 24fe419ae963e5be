/* Results: entry by examiners, committee decisions, gap resolution, publication with
 * certificate records, and amendments after publication. Every change is audited. */
#ifndef ESONR_RESULTS_H
#define ESONR_RESULTS_H
#include "db/db.h"

/* One booked candidate's marks as entered: -1 for "no score". */
struct result_row {
	const char *booking_id;
	int absent;
	int written;
	int oral;
};

/* Saves every row (the whole roster, or nothing) as entered by examiner actor_id.
 * Refused (DB_REFUSED) before booking closes, after publication, or for a roster that
 * is not exactly the session's booked candidates. */
enum db_status results_save(struct arena *a, const char *session_id, const char *actor_id,
    const struct result_row *rows, size_t n, struct refusal *ref);

/* Publishes: refused while a booked candidate has no outcome or a marker gap is open.
 * Creates one certificate record per pass; *issued receives how many. */
enum db_status exam_session_publish(struct arena *a, const char *session_id, const char *actor_id,
    int *issued, struct refusal *ref);

/* The examination committee records an outcome that differs from the computed one. */
enum db_status result_decide(struct arena *a, const char *booking_id, const char *actor_id,
    const char *outcome, const char *reason, struct refusal *ref);
/* An admin settles a gap between two oral markers with the oral score to use. */
enum db_status result_resolve_gap(struct arena *a, const char *booking_id, const char *actor_id,
    int oral, const char *reason, struct refusal *ref);
/* After publication: an admin changes a result, with a reason; certificates follow. */
enum db_status result_amend(struct arena *a, const char *booking_id, const char *actor_id,
    const struct result_row *row, const char *reason, struct refusal *ref);

/* ---- what the examiner's page of a session shows ---- */

struct exam_session_view {
	const char *id, *exam, *exam_title, *when, *location; /* when: "Monday 3 May 2027, 09:00 Europe/Vienna" */
	int closed;      /* booking is over (closed by the office or by time): the roster is fixed */
	int published;
	int double_oral;
	const char *pass_written, *pass_oral, *tolerance;
	int assigned;    /* user_id is one of its examiners */
};
/* *found 0 when there is no such session. */
enum db_status exam_session_view_get(struct arena *a, const char *session_id, const char *user_id,
    struct exam_session_view *out, int *found);

/* One booked candidate and the result as far as it goes; numbers as text, NULL for none. */
struct roster_result {
	const char *booking_id, *name, *email;
	int absent, has_result, amended;
	const char *written;
	const char *oral;     /* the viewer's own oral mark when they are the second marker */
	const char *oral_a, *oral_b, *oral_resolved;
	const char *computed, *decision, *decision_reason, *amendment_reason;
	const char *outcome;  /* the decision, else the computed outcome, else "pending" */
};
/* The booked candidates of the session, by name, as examiner_id sees them. */
enum db_status results_roster(struct arena *a, const char *session_id, const char *examiner_id,
    struct roster_result **rows, size_t *n);
/* The session a booking belongs to; NULL when there is no such booking. */
enum db_status booking_session_of(struct arena *a, const char *booking_id, const char **session_id);

#endif
