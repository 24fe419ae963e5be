/* iCalendar (RFC 5545) files for bookings: one event, its time zone, escaping and folding. */
#ifndef ESONR_ICS_H
#define ESONR_ICS_H
#include "core/buf.h"

struct ics_event {
	const char *uid;
	int sequence;
	const char *method;      /* "PUBLISH", or "CANCEL" for a cancelled booking */
	const char *status;      /* CONFIRMED, TENTATIVE (waiting list) or CANCELLED */
	const char *dtstamp;     /* UTC, 20261126T081500Z */
	const char *tzid;        /* Europe/Vienna */
	const char *start;       /* local, 20270503T090000 */
	const char *end;
	int utc_offset_minutes;  /* the zone's offset at the event */
	int dst;                 /* the offset is the zone's summer time */
	const char *summary;
	const char *location;
	const char *description;
	/* iTIP (RFC 5546) for invitations sent by mail (METHOD:REQUEST / CANCEL); NULL in the
	 * downloaded file */
	const char *organizer_name, *organizer_addr;
	const char *attendee_name, *attendee_addr;
};

/* A booking's event from the columns of the booking_calendar view (sql/020_outbox.sql),
 * looked up by name: the .ics download and the booking mails take this one path.
 * invitation 0: the download (METHOD:PUBLISH); 1: a mail (METHOD:REQUEST). A cancelled
 * booking is METHOD:CANCEL either way. */
void ics_booking_event(struct arena *a, struct ics_event *ev,
    const char *(*column)(void *ctx, const char *name), void *ctx, int invitation);

/* TEXT value escaping: backslash, comma, semicolon, newline. */
void ics_put_text(struct buf *b, const char *s);
/* Appends one content line, folded at 75 octets without splitting a UTF-8 character. */
void ics_put_line(struct buf *b, const char *line);
void ics_build(struct buf *b, const struct ics_event *ev);

#endif
