#include "domain/exam_session.h"

enum exam_session_state exam_session_state(const struct exam_session_times *t, int64_t now)
{
	if (t->published_at != 0)
		return EXAM_SESSION_PUBLISHED;
	if (t->closed_at != 0)
		return EXAM_SESSION_CLOSED;
	if (t->closes_at <= now)
		return EXAM_SESSION_BOOKING_ENDED;
	if (t->opens_at > now)
		return EXAM_SESSION_NOT_YET_OPEN;
	return EXAM_SESSION_OPEN;
}

const char *exam_session_state_text(enum exam_session_state s)
{
	static const char *const text[EXAM_SESSION__MAX] = {
		[EXAM_SESSION_NOT_YET_OPEN] = "not yet open",
		[EXAM_SESSION_OPEN] = "open",
		[EXAM_SESSION_BOOKING_ENDED] = "booking ended, not closed yet",
		[EXAM_SESSION_CLOSED] = "closed",
		[EXAM_SESSION_PUBLISHED] = "published",
	};
	return s >= 0 && s < EXAM_SESSION__MAX ? text[s] : "unknown";
}

int exam_session_roster_fixed(enum exam_session_state s)
{
	return s == EXAM_SESSION_BOOKING_ENDED || s == EXAM_SESSION_CLOSED;
}
