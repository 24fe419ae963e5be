/* Booking state changes, each in one transaction that locks the session row first, so
 * that capacity is decided inside PostgreSQL whatever the concurrency. */
#ifndef ESONR_BOOKING_H
#define ESONR_BOOKING_H
#include "db/db.h"

struct booking_outcome {
	long long booking_id;
	const char *status;   /* "booked" or "waitlisted" (book) / "cancelled" (cancel) */
	struct refusal refusal; /* on DB_REFUSED: not found or conflict; reasons: each unmet rule */
	long long promoted;   /* cancel: the booking moved up from the waiting list, or 0 */
};

enum db_status booking_create(struct arena *a, const char *user_id, const char *session_id,
    struct booking_outcome *out);
enum db_status booking_cancel(struct arena *a, const char *user_id, const char *booking_id,
    struct booking_outcome *out);

#endif
