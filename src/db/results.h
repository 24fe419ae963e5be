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

#endif
