/* Read models of the examiners' and the office's dashboards: plain structs, one round
 * trip each (two when what the process keeps of them is out of date), and a cost that does
 * not grow with the number of candidates (counts come from counters the triggers of sql/030
 * keep). */
#ifndef ESONR_OFFICE_VIEW_H
#define ESONR_OFFICE_VIEW_H
#include <stddef.h>
#include "db/db.h"
#include "domain/user.h"

struct ov_session {
	const char *id, *exam, *date, *location, *booked, *capacity, *waitlisted;
	const char *state; /* exam_session_state_text(): "open", "closed", "published"… */
};

struct examiner_view {
	struct ov_session *assigned; /* newest first */
	size_t nassigned;
};

enum db_status examiner_view_load(struct arena *a, const struct user *u, struct examiner_view *out);

struct office_view {
	const char *n_candidates, *n_open, *n_awaiting, *n_waitlisted;
	struct ov_session *sessions; /* not published yet, soonest first, at most 50 */
	size_t nsessions;
};

enum db_status office_view_load(struct arena *a, struct office_view *out);

#endif
