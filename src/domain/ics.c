#include "domain/ics.h"

#include <stdlib.h>
#include <string.h>

void ics_put_text(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': buf_puts(b, "\\\\"); break;
		case ',': buf_puts(b, "\\,"); break;
		case ';': buf_puts(b, "\\;"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': break;
		default: buf_putc(b, *s);
		}
	}
}

void ics_put_line(struct buf *b, const char *line)
{
	size_t n = strlen(line), col = 0;
	for (size_t i = 0; i < n;) {
		/* Length of the UTF-8 character starting here, so it is never split. */
		size_t len = 1;
		while (i + len < n && ((unsigned char)line[i + len] & 0xC0) == 0x80)
			len++;
		if (col + len > 75) {
			buf_puts(b, "\r\n ");
			col = 1;
		}
		buf_append(b, line + i, len);
		col += len;
		i += len;
	}
	buf_puts(b, "\r\n");
}

static void put_prop(struct buf *b, const char *name, const char *text)
{
	struct buf line;
	buf_init(&line, b->arena);
	buf_puts(&line, name);
	buf_putc(&line, ':');
	ics_put_text(&line, text);
	ics_put_line(b, line.data);
}

static void put_raw(struct buf *b, const char *name, const char *value)
{
	struct buf line;
	buf_init(&line, b->arena);
	buf_printf(&line, "%s:%s", name, value);
	ics_put_line(b, line.data);
}

/* ORGANIZER / ATTENDEE with a CN parameter (quoted; a quote cannot appear in one). */
static void put_party(struct buf *b, const char *prop, const char *params, const char *name,
    const char *addr)
{
	struct buf line;
	buf_init(&line, b->arena);
	buf_puts(&line, prop);
	if (name != NULL && *name != '\0') {
		buf_puts(&line, ";CN=\"");
		for (const char *p = name; *p; p++)
			if (*p != '"' && (unsigned char)*p >= 0x20)
				buf_putc(&line, *p);
		buf_putc(&line, '"');
	}
	buf_printf(&line, "%s:mailto:%s", params, addr);
	ics_put_line(b, line.data);
}

static const char *offset_text(struct arena *a, int minutes)
{
	int m = abs(minutes);
	return arena_printf(a, "%c%02d%02d", minutes < 0 ? '-' : '+', m / 60, m % 60);
}

void ics_build(struct buf *b, const struct ics_event *ev)
{
	struct arena *a = b->arena;
	const char *off = offset_text(a, ev->utc_offset_minutes);
	ics_put_line(b, "BEGIN:VCALENDAR");
	ics_put_line(b, "VERSION:2.0");
	ics_put_line(b, "PRODID:-//European School of Neuroradiology//ESoNR portal//EN");
	ics_put_line(b, "CALSCALE:GREGORIAN");
	put_raw(b, "METHOD", ev->method);
	/* The zone as observed at the event: enough for any client to place it correctly. */
	ics_put_line(b, "BEGIN:VTIMEZONE");
	put_raw(b, "TZID", ev->tzid);
	ics_put_line(b, ev->dst ? "BEGIN:DAYLIGHT" : "BEGIN:STANDARD");
	ics_put_line(b, "DTSTART:19700101T000000");
	put_raw(b, "TZOFFSETFROM", off);
	put_raw(b, "TZOFFSETTO", off);
	ics_put_line(b, ev->dst ? "END:DAYLIGHT" : "END:STANDARD");
	ics_put_line(b, "END:VTIMEZONE");
	ics_put_line(b, "BEGIN:VEVENT");
	put_raw(b, "UID", ev->uid);
	put_raw(b, "SEQUENCE", arena_printf(a, "%d", ev->sequence));
	put_raw(b, "DTSTAMP", ev->dtstamp);
	put_raw(b, arena_printf(a, "DTSTART;TZID=%s", ev->tzid), ev->start);
	put_raw(b, arena_printf(a, "DTEND;TZID=%s", ev->tzid), ev->end);
	put_prop(b, "SUMMARY", ev->summary);
	put_prop(b, "LOCATION", ev->location);
	if (ev->description != NULL)
		put_prop(b, "DESCRIPTION", ev->description);
	if (ev->organizer_addr != NULL)
		put_party(b, "ORGANIZER", "", ev->organizer_name, ev->organizer_addr);
	if (ev->attendee_addr != NULL)
		put_party(b, "ATTENDEE", ";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED", ev->attendee_name,
		    ev->attendee_addr);
	put_raw(b, "STATUS", ev->status);
	ics_put_line(b, "END:VEVENT");
	ics_put_line(b, "END:VCALENDAR");
}

void ics_booking_event(struct arena *a, struct ics_event *ev,
    const char *(*column)(void *ctx, const char *name), void *ctx, int invitation)
{
	const char *status = column(ctx, "status");
	const char *dst = column(ctx, "ics_dst");
	(void)a;
	memset(ev, 0, sizeof *ev);
	ev->uid = column(ctx, "ics_uid");
	ev->sequence = atoi(column(ctx, "ics_sequence"));
	ev->tzid = column(ctx, "ics_tzid");
	ev->start = column(ctx, "ics_start");
	ev->end = column(ctx, "ics_end");
	ev->dtstamp = column(ctx, "ics_dtstamp");
	ev->dst = strcmp(dst, "t") == 0 || strcmp(dst, "true") == 0;
	ev->utc_offset_minutes = atoi(column(ctx, "ics_offset_minutes"));
	ev->summary = column(ctx, "ics_summary");
	ev->location = column(ctx, "ics_location");
	if (strcmp(status, "cancelled") == 0) {
		ev->method = "CANCEL";
		ev->status = "CANCELLED";
		ev->description = "This booking was cancelled.";
	} else if (strcmp(status, "waitlisted") == 0) {
		ev->method = invitation ? "REQUEST" : "PUBLISH";
		ev->status = "TENTATIVE";
		ev->description = "You are on the waiting list for this session.";
	} else {
		ev->method = invitation ? "REQUEST" : "PUBLISH";
		ev->status = "CONFIRMED";
		ev->description = "Your seat is booked.";
	}
}
