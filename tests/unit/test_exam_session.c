/* Where an exam session stands, from its dates: the one wording every page shows. */
#include "check.h"
#include "domain/exam_session.h"

#define H (3600LL * 1000000LL) /* an hour in microseconds */

int main(void)
{
	const int64_t now = 1000 * H;
	struct exam_session_times t = { .opens_at = now + H, .closes_at = now + 48 * H };
	CHECK_STR(exam_session_state_text(exam_session_state(&t, now)), "not yet open",
	    "booking that opens in an hour is not yet open");
	t.opens_at = now - H;
	CHECK_STR(exam_session_state_text(exam_session_state(&t, now)), "open",
	    "booking that opened an hour ago and closes in two days is open");
	t.closes_at = now;
	CHECK_STR(exam_session_state_text(exam_session_state(&t, now)), "booking ended, not closed yet",
	    "at the closing time booking has ended, though the office has not closed the session");
	CHECK(exam_session_roster_fixed(exam_session_state(&t, now)),
	    "once booking has ended the roster is fixed and results may be entered");
	t.closes_at = now + 48 * H;
	t.closed_at = now - 1;
	CHECK_STR(exam_session_state_text(exam_session_state(&t, now)), "closed",
	    "a session the office closed early is closed, whatever its closing time");
	t.published_at = now - 1;
	CHECK_STR(exam_session_state_text(exam_session_state(&t, now)), "published",
	    "a published session says published");
	CHECK(!exam_session_roster_fixed(exam_session_state(&t, now)),
	    "after publication results are no longer entered");
	CHECK_DONE();
}
