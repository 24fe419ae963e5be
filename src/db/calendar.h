/* A booking's calendar event, as the .ics download serves it (the booking mails read the
 * same view and go through the same ics_booking_event). */
#ifndef ESONR_CALENDAR_H
#define ESONR_CALENDAR_H
#include "db/db.h"
#include "domain/ics.h"

/* The candidate's own booking only; *found 0 otherwise. */
enum db_status booking_calendar_event(struct arena *a, const char *booking_id,
    const char *user_id, struct ics_event *ev, int *found);

#endif
