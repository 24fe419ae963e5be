/* Where an exam session stands, from its dates: the one place the wording of its state is
 * decided ("open", "booking ended, not closed yet", …), for every page that shows it. */
#ifndef ESONR_EXAM_SESSION_H
#define ESONR_EXAM_SESSION_H
#include <stdint.h>

/* Limits of what the office gives a session, on the web and in esonrctl alike (the
 * database's CHECKs say the same). */
#define EXAM_SESSION_CAPACITY_MAX 10000
#define EXAM_SESSION_LOCATION_MAX 200 /* characters */

enum exam_session_state {
	EXAM_SESSION_NOT_YET_OPEN, /* booking opens later */
	EXAM_SESSION_OPEN,         /* candidates may book */
	EXAM_SESSION_BOOKING_ENDED,/* booking time is over, the office has not closed it yet */
	EXAM_SESSION_CLOSED,       /* the roster is fixed: results may be entered */
	EXAM_SESSION_PUBLISHED,    /* results published, certificates issued */
	EXAM_SESSION__MAX
};

/* Unix microseconds; 0 for "not yet" (closed_at, published_at). */
struct exam_session_times {
	int64_t opens_at, closes_at, closed_at, published_at;
};

enum exam_session_state exam_session_state(const struct exam_session_times *t, int64_t now);
/* "not yet open", "open", "booking ended, not closed yet", "closed", "published". */
const char *exam_session_state_text(enum exam_session_state s);
/* Results may be entered: booking is over (closed by the office or by time), not published. */
int exam_session_roster_fixed(enum exam_session_state s);

#endif
