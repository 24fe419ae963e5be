/* Attempts per address and action (sign-ups, password resets, uploads), recorded in
 * PostgreSQL; the limits are the policy's (auth/rate.h). */
#ifndef ESONR_RATE_EVENTS_H
#define ESONR_RATE_EVENTS_H
#include "db/db.h"

/* In one transaction: when fewer than limit attempts of action from address fall in the
 * last window_seconds, records one and sets *retry_after 0; else records nothing and sets
 * it to the seconds until one may go ahead. Attempts of one address are counted one at a time. */
enum db_status rate_event_hit(struct arena *a, const char *action, const char *address, int limit,
    int window_seconds, int *retry_after);

#endif
