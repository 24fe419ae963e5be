/* Mail messages: what a recipient's mail program must be able to read back, whatever the
 * script of the names, and the retry schedule of the sender. */
#include <sodium.h>

#include "check.h"
#include "core/template.h"
#include "domain/ics.h"
#include "mail/message.h"

static const char *mailbox(struct arena *a, const char *name, const char *addr)
{
	struct buf b;
	buf_init(&b, a);
	mail_put_mailbox(&b, name, addr);
	return b.data;
}

static const char *header_text(struct arena *a, const char *s)
{
	struct buf b;
	buf_init(&b, a);
	mail_put_header_text(&b, s);
	return b.data;
}

/* Decodes every =?UTF-8?B?...?= word of s (folding between words dropped) and keeps the
 * rest as is: what a mail program shows. */
static const char *decoded(struct arena *a, const char *s)
{
	struct buf b;
	buf_init(&b, a);
	int after_word = 0;
	while (*s) {
		if (strncmp(s, "=?UTF-8?B?", 10) == 0) {
			const char *end = strstr(s + 10, "?=");
			if (end == NULL)
				return NULL;
			unsigned char raw[256];
			size_t n;
			if (sodium_base642bin(raw, sizeof raw, s + 10, (size_t)(end - s - 10), NULL, &n, NULL,
			    sodium_base64_VARIANT_ORIGINAL) != 0)
				return NULL;
			buf_append(&b, (const char *)raw, n);
			s = end + 2;
			after_word = 1;
			continue;
		}
		if (after_word && strncmp(s, "\r\n ", 3) == 0 && strncmp(s + 3, "=?", 2) == 0) {
			s += 3;
			continue;
		}
		after_word = 0;
		buf_putc(&b, *s++);
	}
	return b.data;
}

static int lines_at_most(const char *s, size_t max)
{
	size_t col = 0;
	for (; *s; s++) {
		if (*s == '\n') {
			col = 0;
			continue;
		}
		if (*s != '\r' && ++col > max)
			return 0;
	}
	return 1;
}

static void display_names(struct arena *a)
{
	CHECK_STR(mailbox(a, "Ada Lovelace", "ada@example.org"), "Ada Lovelace <ada@example.org>",
	    "a plain ASCII name goes as it is");
	CHECK_STR(mailbox(a, "", "ada@example.org"), "ada@example.org", "no name: the bare address");
	CHECK_STR(mailbox(a, "Lovelace, Ada \"the first\"", "a@example.org"),
	    "\"Lovelace, Ada \\\"the first\\\"\" <a@example.org>",
	    "a name with a comma and quotes is a quoted string, quotes escaped");
	const char *zoe = mailbox(a, "Zoë Ångström", "zoe@example.org");
	CHECK(strncmp(zoe, "=?UTF-8?B?", 10) == 0, "a name with accents is an RFC 2047 encoded word");
	CHECK_STR(decoded(a, zoe), "Zoë Ångström <zoe@example.org>", "and decodes back to the name");
	const char *greek = mailbox(a, "Νίκος Παπαδόπουλος-Καραμανλής Αλεξανδρόπουλος Χατζηγεωργίου",
	    "n@example.org");
	CHECK(strstr(greek, "?=\r\n =?UTF-8?B?") != NULL, "a long Greek name is folded into several words");
	CHECK(lines_at_most(greek, 76), "no encoded line is longer than 76 characters");
	CHECK_STR(decoded(a, greek), "Νίκος Παπαδόπουλος-Καραμανλής Αλεξανδρόπουλος Χατζηγεωργίου <n@example.org>",
	    "the words decode to the whole name, no character split between words");
	CHECK_STR(decoded(a, mailbox(a, "Анна Иванова 👩‍⚕️", "a@example.org")),
	    "Анна Иванова 👩‍⚕️ <a@example.org>", "Cyrillic and four-byte characters survive");
	CHECK_STR(header_text(a, "Booking confirmed: L1"), "Booking confirmed: L1",
	    "an ASCII subject is not encoded");
	CHECK_STR(decoded(a, header_text(a, "Résultats publiés — ECNR")), "Résultats publiés — ECNR",
	    "a subject with accents is encoded and decodes back");
	CHECK(strchr(header_text(a, "line\r\nBcc: x@evil.example"), '\n') == NULL ||
	    strncmp(header_text(a, "line\r\nBcc: x@evil.example"), "=?UTF-8?B?", 10) == 0,
	    "a line break in a subject cannot start another header");
}

static void parse_from(struct arena *a)
{
	const char *name, *addr;
	CHECK(mail_parse_mailbox(a, "ESoNR office <office@esnr.org>", &name, &addr) == 0 &&
	    strcmp(name, "ESoNR office") == 0 && strcmp(addr, "office@esnr.org") == 0,
	    "'Name <address>' splits into name and address");
	CHECK(mail_parse_mailbox(a, "noreply@esnr.org", &name, &addr) == 0 && *name == '\0' &&
	    strcmp(addr, "noreply@esnr.org") == 0, "a bare address has no name");
	CHECK(mail_parse_mailbox(a, "\"Office, ESNR\" <o@esnr.org>", &name, &addr) == 0 &&
	    strcmp(name, "Office, ESNR") == 0, "a quoted name loses its quotes");
	CHECK(mail_parse_mailbox(a, "no address here", &name, &addr) != 0, "text without @ is refused");
	CHECK(mail_parse_mailbox(a, "Name <a@b> trailing", &name, &addr) != 0,
	    "text after the address is refused");
	CHECK(mail_parse_mailbox(a, "x <a b@c>", &name, &addr) != 0, "an address with a space is refused");
}

static void html_from_text(struct arena *a)
{
	struct buf b;
	buf_init(&b, a);
	mail_text_to_html(&b, "Dear <Bob> & co,\n\nyour link:\nhttps://portal.example/reset/ab12.\n", "T<1>");
	CHECK(strstr(b.data, "Dear &lt;Bob&gt; &amp; co,") != NULL, "the text is escaped in the HTML part");
	CHECK(strstr(b.data, "<title>T&lt;1&gt;</title>") != NULL, "so is the title");
	CHECK(strstr(b.data, "</p>\r\n<p>your link:<br>") != NULL,
	    "a blank line starts a paragraph, a single line break is a <br>");
	CHECK(strstr(b.data, "<a href=\"https://portal.example/reset/ab12\">https://portal.example/reset/ab12</a>.")
	    != NULL, "a URL becomes a link, the full stop after it stays text");
	buf_init(&b, a);
	mail_text_to_html(&b, "see https://x.example/\"onmouseover=\"alert(1)", "t");
	CHECK(strstr(b.data, "onmouseover=\"alert") == NULL, "a quote ends a link: no attribute injection");
}

static void assembly(struct arena *a)
{
	struct mail_message m = {
		.from_name = "ESoNR portal", .from_addr = "noreply@esnr.example",
		.to_name = "Zoë Ångström", .to_addr = "zoe@example.org",
		.subject = "Booking confirmed: L1", .date = "Tue, 01 Dec 2026 22:17:41 +0000",
		.message_id = "0f1e@esonr-portal", .text = "Dear Zoë,\nbooked.\n",
		.html = "<p>Dear Zoë,</p>\n", .ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
		.ics_method = "REQUEST", .boundary = "42",
	};
	struct buf b;
	buf_init(&b, a);
	mail_build(&b, &m);
	const char *s = b.data;
	CHECK(strstr(s, "\r\nMessage-ID: <0f1e@esonr-portal>\r\n") != NULL, "the Message-ID is the stable one given");
	CHECK(strstr(s, "\r\nAuto-Submitted: auto-generated\r\n") != NULL, "Auto-Submitted: auto-generated");
	CHECK(strstr(s, "Content-Type: multipart/mixed; boundary=\"=_esonr_mixed_42\"") != NULL &&
	    strstr(s, "Content-Type: multipart/alternative; boundary=\"=_esonr_alt_42\"") != NULL,
	    "text and HTML are alternatives inside a mixed message with the calendar");
	CHECK(strstr(s, "Content-Type: text/calendar; charset=UTF-8; method=REQUEST") != NULL,
	    "the calendar part names its method");
	CHECK(strstr(s, "--=_esonr_mixed_42--\r\n") != NULL && strstr(s, "--=_esonr_alt_42--\r\n") != NULL,
	    "both multiparts are closed");
	int bare_lf = 0;
	for (size_t i = 0; i < b.len; i++)
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			bare_lf = 1;
	CHECK(!bare_lf, "every line of the message ends CRLF");
	CHECK(lines_at_most(s, 998), "no line is longer than SMTP allows");
	struct buf again;
	buf_init(&again, a);
	mail_build(&again, &m);
	CHECK(strcmp(s, again.data) == 0, "the same row gives the same bytes (a retry is the same message)");
	/* The plain text part, decoded, is the text with CRLF line ends. */
	const char *p = strstr(s, "text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	CHECK(p != NULL, "the text part is base64 UTF-8");
	if (p != NULL) {
		p = strstr(p, "\r\n\r\n") + 4;
		unsigned char raw[256];
		size_t n;
		const char *e = strstr(p, "\r\n");
		sodium_base642bin(raw, sizeof raw - 1, p, (size_t)(e - p), NULL, &n, NULL,
		    sodium_base64_VARIANT_ORIGINAL);
		raw[n] = '\0';
		CHECK_STR((const char *)raw, "Dear Zoë,\r\nbooked.\r\n", "and decodes to the UTF-8 text");
	}
	m.ics = NULL;
	buf_init(&b, a);
	mail_build(&b, &m);
	CHECK(strstr(b.data, "multipart/mixed") == NULL, "without a calendar the message is only the alternatives");
}

static void backoff(void)
{
	int want[] = { 0, 2, 4, 8, 16, 32, 60, 60, 60 };
	int ok = 1;
	for (int i = 0; i < 9; i++)
		ok &= mail_backoff_seconds(i) == want[i];
	CHECK(ok, "retries wait 2, 4, 8, 16, 32 s, then a minute");
	int max = 0;
	for (int i = 0; i < 10000; i++)
		max = mail_backoff_seconds(i) > max ? mail_backoff_seconds(i) : max;
	CHECK(max == 60, "never more than a minute between tries, however many");
}

static const char *col(void *ctx, const char *name)
{
	const char *const *kv = ctx;
	for (; kv[0] != NULL; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return "";
}

static void invitation(struct arena *a)
{
	const char *row[] = { "status", "cancelled", "ics_uid", "booking-1@esonr-portal", "ics_sequence", "2",
		"ics_tzid", "Europe/Vienna", "ics_start", "20270503T090000", "ics_end", "20270503T170000",
		"ics_dtstamp", "20261201T100000Z", "ics_dst", "true", "ics_offset_minutes", "120",
		"ics_summary", "ESoNR L1 examination", "ics_location", "Wien", NULL };
	struct ics_event ev;
	ics_booking_event(a, &ev, col, row, 1);
	CHECK_STR(ev.method, "CANCEL", "a cancelled booking's mail is METHOD:CANCEL");
	CHECK(ev.sequence == 2 && ev.dst && ev.utc_offset_minutes == 120, "sequence and zone are read from the row");
	ev.organizer_name = "ESoNR portal";
	ev.organizer_addr = "noreply@esnr.example";
	ev.attendee_name = "Zoë \"Z\" Å";
	ev.attendee_addr = "zoe@example.org";
	struct buf b;
	buf_init(&b, a);
	ics_build(&b, &ev);
	/* unfold the content lines */
	char *u = arena_strdup(a, b.data), *w = u;
	for (const char *r = b.data; *r; r++) {
		if (r[0] == '\r' && r[1] == '\n' && r[2] == ' ') {
			r += 2;
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
	b.data = u;
	CHECK(strstr(b.data, "ORGANIZER;CN=\"ESoNR portal\":mailto:noreply@esnr.example\r\n") != NULL,
	    "the invitation names its organizer");
	CHECK(strstr(b.data, "ATTENDEE;CN=\"Zoë Z Å\";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:zoe@example.org") != NULL,
	    "and the candidate as attendee (quotes dropped from the name)");
	const char *booked[] = { "status", "booked", "ics_sequence", "0", "ics_dst", "f", NULL };
	ics_booking_event(a, &ev, col, booked, 1);
	CHECK_STR(ev.method, "REQUEST", "a booking's mail is METHOD:REQUEST");
	ics_booking_event(a, &ev, col, booked, 0);
	CHECK_STR(ev.method, "PUBLISH", "the download of the same booking is METHOD:PUBLISH");
}

static void text_templates(struct arena *a)
{
	char err[200];
	const char *src = "Subject: Dear {{name}}\n\n{{name}} & {{#x}}yes{{/x}}";
	CHECK(template_add("mailtest", src, strlen(src), err, sizeof err) == 0, "a mail template parses");
	struct tdict *d = tdict_new(a);
	tdict_set(d, "name", "<Zoë & Co>");
	tdict_set(d, "x", "1");
	struct buf b;
	buf_init(&b, a);
	CHECK(template_render_text(&b, "mailtest", d) == 0 &&
	    strcmp(b.data, "Subject: Dear <Zoë & Co>\n\n<Zoë & Co> & yes") == 0,
	    "a mail's text is rendered without HTML escaping (the HTML part escapes it as a whole)");
	buf_init(&b, a);
	template_render(&b, "mailtest", d);
	CHECK(strstr(b.data, "&lt;Zoë &amp; Co&gt;") != NULL, "pages still escape the same template");
	template_unload();
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	struct arena *a = arena_new();
	display_names(a);
	parse_from(a);
	html_from_text(a);
	assembly(a);
	backoff();
	invitation(a);
	text_templates(a);
	arena_free(a);
	CHECK_DONE();
}
