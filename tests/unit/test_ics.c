/* Calendar files for bookings (RFC 5545): what a calendar client needs to place, update
 * and cancel the examination, in any European script. */
#include "check.h"
#include "core/utf8.h"
#include "domain/ics.h"

static const char *text(struct arena *a, const char *in)
{
	struct buf b;
	buf_init(&b, a);
	ics_put_text(&b, in);
	return b.data;
}

static const char *line(struct arena *a, const char *in)
{
	struct buf b;
	buf_init(&b, a);
	ics_put_line(&b, in);
	return b.data;
}

/* Every physical line ends in CRLF: no bare LF, no bare CR, CRLF at the very end. */
static int crlf_only(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			return 0;
		if (s[i] == '\r' && s[i + 1] != '\n')
			return 0;
	}
	return n >= 2 && s[n - 2] == '\r' && s[n - 1] == '\n';
}

/* Longest physical line in octets, CRLF excluded; -1 if a line is not valid UTF-8. */
static long longest_line(const char *s)
{
	long longest = 0;
	while (*s) {
		const char *end = strstr(s, "\r\n");
		if (end == NULL)
			end = s + strlen(s);
		if (!utf8_valid(s, (size_t)(end - s)))
			return -1;
		if (end - s > longest)
			longest = end - s;
		s = *end ? end + 2 : end;
	}
	return longest;
}

/* RFC 5545 §3.1 unfolding: drop every CRLF followed by one space. */
static const char *unfold(struct arena *a, const char *s)
{
	struct buf b;
	buf_init(&b, a);
	for (; *s; s++) {
		if (s[0] == '\r' && s[1] == '\n' && s[2] == ' ') {
			s += 2;
			continue;
		}
		buf_putc(&b, *s);
	}
	return b.data;
}

static const char *repeat(struct arena *a, const char *prefix, const char *unit, int times)
{
	struct buf b;
	buf_init(&b, a);
	buf_puts(&b, prefix);
	for (int i = 0; i < times; i++)
		buf_puts(&b, unit);
	return b.data;
}

static void escaping(struct arena *a)
{
	CHECK_STR(text(a, "Vienna, Austria"), "Vienna\\, Austria", "a comma in a text value is escaped");
	CHECK_STR(text(a, "Hall A; room 3"), "Hall A\\; room 3", "a semicolon in a text value is escaped");
	CHECK_STR(text(a, "C:\\exams"), "C:\\\\exams", "a backslash in a text value is doubled");
	CHECK_STR(text(a, "Bring ID\nArrive early"), "Bring ID\\nArrive early", "a newline in a text value becomes \\n");
	CHECK_STR(text(a, "Bring ID\r\nArrive early"), "Bring ID\\nArrive early", "a CRLF in a text value becomes a single \\n");
	CHECK_STR(text(a, "a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne", "all four special characters together are escaped");
	CHECK_STR(text(a, "Νευροακτινολογία: Βιέννη"), "Νευροακτινολογία: Βιέννη",
	    "Greek text (and a colon) passes through unchanged");
	CHECK_STR(text(a, ""), "", "an empty text value stays empty");
}

static void folding(struct arena *a)
{
	CHECK_STR(line(a, "VERSION:2.0"), "VERSION:2.0\r\n", "a short content line is written as is, ending in CRLF");

	const char *exactly75 = repeat(a, "SUMMARY:", "x", 67);
	CHECK_STR(line(a, exactly75), arena_printf(a, "%s\r\n", exactly75), "a line of exactly 75 octets is not folded");

	const char *of76 = repeat(a, "SUMMARY:", "x", 68);
	CHECK_STR(line(a, of76), arena_printf(a, "%.75s\r\n x\r\n", of76),
	    "a line of 76 octets is folded after octet 75, the rest on a line starting with a space");

	/* "SUMMARY:" is 8 octets, Greek letters 2: a fold at octet 75 would split a letter. */
	const char *greek = repeat(a, "SUMMARY:", "Νευροακτινολογία ", 12);
	const char *folded = line(a, greek);
	CHECK(longest_line(folded) > 0 && longest_line(folded) <= 75,
	    "a long Greek summary is folded into lines of at most 75 octets, each one valid UTF-8");
	CHECK(crlf_only(folded), "every folded line of the Greek summary ends in CRLF");
	CHECK_STR(unfold(a, folded), arena_printf(a, "%s\r\n", greek), "unfolding the Greek summary gives it back byte for byte");

	/* One ASCII letter more shifts every boundary by one octet. */
	const char *cyrillic = repeat(a, "SUMMARY:X", "Анна Каренина, Нейрорадиология; ", 8);
	folded = line(a, cyrillic);
	CHECK(longest_line(folded) > 0 && longest_line(folded) <= 75,
	    "a long Cyrillic summary is folded without splitting a letter, whatever the offset");
	CHECK_STR(unfold(a, folded), arena_printf(a, "%s\r\n", cyrillic), "unfolding the Cyrillic summary gives it back byte for byte");

	const char *euro = repeat(a, "DESCRIPTION:", "€", 40);
	folded = line(a, euro);
	CHECK(longest_line(folded) > 0 && longest_line(folded) <= 75, "three-octet characters (€) are never split by a fold");
	CHECK_STR(unfold(a, folded), arena_printf(a, "%s\r\n", euro), "unfolding the € line gives it back");

	const char *emoji = repeat(a, "DESCRIPTION:", "\xF0\x9F\xA7\xA0", 40);
	folded = line(a, emoji);
	CHECK(longest_line(folded) > 0 && longest_line(folded) <= 75, "four-octet characters are never split by a fold");
	CHECK_STR(unfold(a, folded), arena_printf(a, "%s\r\n", emoji), "unfolding the four-octet line gives it back");

	const char *very_long = repeat(a, "DESCRIPTION:", "x", 1000);
	folded = line(a, very_long);
	CHECK(longest_line(folded) <= 75 && crlf_only(folded), "a 1000-octet line is folded many times, every line within 75 octets");
}

static const struct ics_event CANCELLED = {
	.uid = "booking-42@esonr.example",
	.sequence = 3,
	.method = "CANCEL",
	.status = "CANCELLED",
	.dtstamp = "20261126T081500Z",
	.tzid = "Europe/Vienna",
	.start = "20270503T090000",
	.end = "20270503T170000",
	.utc_offset_minutes = 120,
	.dst = 1,
	.summary = "L2 examination, European Diploma in Neuroradiology",
	.location = "Austria Center Vienna; Hall C",
	.description = NULL,
};

static void build(struct arena *a)
{
	struct buf b;
	buf_init(&b, a);
	ics_build(&b, &CANCELLED);
	const char *ics = b.data;

	CHECK(strncmp(ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 30) == 0, "the file starts with BEGIN:VCALENDAR and VERSION:2.0");
	CHECK(b.len >= 15 && strcmp(ics + b.len - 15, "END:VCALENDAR\r\n") == 0, "the file ends with END:VCALENDAR and CRLF");
	CHECK(crlf_only(ics), "every line of the calendar file ends in CRLF");
	CHECK(longest_line(ics) > 0 && longest_line(ics) <= 75, "no line of the calendar file is longer than 75 octets");
	CHECK(strstr(ics, "\r\nUID:booking-42@esonr.example\r\n") != NULL, "the event carries its UID, so updates replace it");
	CHECK(strstr(ics, "\r\nSEQUENCE:3\r\n") != NULL, "the event carries its SEQUENCE number");
	CHECK(strstr(ics, "\r\nMETHOD:CANCEL\r\n") != NULL, "a cancelled booking is sent with METHOD:CANCEL");
	CHECK(strstr(ics, "\r\nSTATUS:CANCELLED\r\n") != NULL, "a cancelled booking's event has STATUS:CANCELLED");
	CHECK(strstr(ics, "\r\nDTSTAMP:20261126T081500Z\r\n") != NULL, "the event carries its DTSTAMP in UTC");

	const char *tz = strstr(ics, "\r\nBEGIN:VTIMEZONE\r\n");
	const char *ev = strstr(ics, "\r\nBEGIN:VEVENT\r\n");
	CHECK(tz != NULL && ev != NULL && tz < ev, "the time zone is defined before the event that uses it");
	CHECK(strstr(ics, "\r\nTZID:Europe/Vienna\r\n") != NULL, "the time zone has its TZID");
	CHECK(strstr(ics, "\r\nBEGIN:DAYLIGHT\r\n") != NULL && strstr(ics, "\r\nEND:DAYLIGHT\r\n") != NULL,
	    "May in Vienna is summer time: the zone has a DAYLIGHT part");
	CHECK(strstr(ics, "\r\nTZOFFSETFROM:+0200\r\n") != NULL && strstr(ics, "\r\nTZOFFSETTO:+0200\r\n") != NULL,
	    "the zone's offset is +0200 in the RFC 5545 form");
	CHECK(strstr(ics, "\r\nDTSTART;TZID=Europe/Vienna:20270503T090000\r\n") != NULL,
	    "the start is local time in the declared zone");
	CHECK(strstr(ics, "\r\nDTEND;TZID=Europe/Vienna:20270503T170000\r\n") != NULL, "the end is local time in the declared zone");
	CHECK(strstr(ics, "\r\nSUMMARY:L2 examination\\, European Diploma in Neuroradiology\r\n") != NULL,
	    "the summary is escaped");
	CHECK(strstr(ics, "\r\nLOCATION:Austria Center Vienna\\; Hall C\r\n") != NULL, "the location is escaped");
	CHECK(strstr(ics, "DESCRIPTION") == NULL, "an event without a description has no DESCRIPTION line");
	CHECK(strstr(ics, "END:VTIMEZONE\r\n") != NULL && strstr(ics, "END:VEVENT\r\n") != NULL,
	    "the zone and the event are both closed");

	struct ics_event booked = CANCELLED;
	booked.method = "PUBLISH";
	booked.status = "CONFIRMED";
	booked.sequence = 0;
	booked.utc_offset_minutes = -210;
	booked.dst = 0;
	booked.tzid = "America/St_Johns";
	booked.location = "Θεσσαλονίκη, Ιπποκράτειο Νοσοκομείο, αίθουσα διαλέξεων Νευροακτινολογίας";
	booked.description = "Φέρτε ταυτότητα.\nΠροσέλευση 08:30.";
	buf_init(&b, a);
	ics_build(&b, &booked);
	ics = b.data;
	CHECK(strstr(ics, "\r\nMETHOD:PUBLISH\r\n") != NULL && strstr(ics, "\r\nSTATUS:CONFIRMED\r\n") != NULL,
	    "a confirmed booking is published with STATUS:CONFIRMED");
	CHECK(strstr(ics, "CANCEL") == NULL, "a confirmed booking says nothing about cancelling");
	CHECK(strstr(ics, "\r\nSEQUENCE:0\r\n") != NULL, "a first version has SEQUENCE:0");
	CHECK(strstr(ics, "\r\nTZOFFSETTO:-0330\r\n") != NULL, "a negative half-hour offset is written -0330");
	CHECK(strstr(ics, "\r\nBEGIN:STANDARD\r\n") != NULL && strstr(ics, "DAYLIGHT") == NULL,
	    "outside summer time the zone has a STANDARD part only");
	CHECK(longest_line(ics) > 0 && longest_line(ics) <= 75, "a long Greek location is folded within 75 octets without splitting a letter");
	const char *unfolded = unfold(a, ics);
	CHECK(strstr(unfolded, "\r\nLOCATION:Θεσσαλονίκη\\, Ιπποκράτειο Νοσοκομείο\\, αίθουσα διαλέξεων Νευροακτινολογίας\r\n") != NULL,
	    "unfolded, the Greek location is intact and escaped");
	CHECK(strstr(unfolded, "\r\nDESCRIPTION:Φέρτε ταυτότητα.\\nΠροσέλευση 08:30.\r\n") != NULL,
	    "a description with a line break is one content line with \\n");
}

int main(void)
{
	struct arena *a = arena_new();
	escaping(a);
	folding(a);
	build(a);
	arena_free(a);
	CHECK_DONE();
}
