#include "mail/message.h"

#include <sodium.h>
#include <string.h>

#define ENCODED_WORD_BYTES 45 /* 45 bytes → 60 base64 characters: words stay under 76 */

static int plain_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* Encoded words of at most ENCODED_WORD_BYTES bytes each, never splitting a UTF-8 character,
 * separated by folding white space (which a decoder drops between encoded words). */
static void put_encoded_words(struct buf *b, const char *s)
{
	size_t n = strlen(s), i = 0;
	int first = 1;
	while (i < n) {
		size_t len = n - i < ENCODED_WORD_BYTES ? n - i : ENCODED_WORD_BYTES;
		while (i + len < n && len > 0 && ((unsigned char)s[i + len] & 0xC0) == 0x80)
			len--;
		if (len == 0)
			len = 1;
		char word[2 * ENCODED_WORD_BYTES + 8];
		sodium_bin2base64(word, sizeof word, (const unsigned char *)s + i, len,
		    sodium_base64_VARIANT_ORIGINAL);
		if (!first)
			buf_puts(b, "\r\n ");
		buf_printf(b, "=?UTF-8?B?%s?=", word);
		first = 0;
		i += len;
	}
}

void mail_put_header_text(struct buf *b, const char *s)
{
	if (plain_ascii(s) && strlen(s) <= 900)
		buf_puts(b, s);
	else
		put_encoded_words(b, s);
}

/* RFC 5322 atext plus space: a phrase that needs no quoting. */
static int phrase_safe(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    strchr(" !#$%&'*+-/=?^_`{|}~", *s) != NULL))
			return 0;
	return 1;
}

void mail_put_mailbox(struct buf *b, const char *name, const char *addr)
{
	if (name == NULL || *name == '\0') {
		buf_puts(b, addr);
		return;
	}
	if (!plain_ascii(name)) {
		put_encoded_words(b, name);
	} else if (phrase_safe(name)) {
		buf_puts(b, name);
	} else {
		buf_putc(b, '"');
		for (const char *p = name; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(b, '\\');
			buf_putc(b, *p);
		}
		buf_putc(b, '"');
	}
	buf_printf(b, " <%s>", addr);
}

static int plausible_address(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	if (at == NULL || at == s || at == s + n - 1 || n > 254)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || strchr("<>()[],;:\"\\", s[i]) != NULL)
			return 0;
	return 1;
}

int mail_parse_mailbox(struct arena *a, const char *s, const char **name, const char **addr)
{
	while (*s == ' ' || *s == '\t')
		s++;
	const char *lt = strrchr(s, '<');
	if (lt == NULL) {
		size_t n = strlen(s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (!plausible_address(s, n))
			return -1;
		*name = "";
		*addr = arena_strndup(a, s, n);
		return 0;
	}
	const char *gt = strchr(lt, '>');
	if (gt == NULL || !plausible_address(lt + 1, (size_t)(gt - lt - 1)))
		return -1;
	for (const char *p = gt + 1; *p; p++)
		if (*p != ' ' && *p != '\t')
			return -1;
	size_t n = (size_t)(lt - s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	*name = arena_strndup(a, s, n);
	*addr = arena_strndup(a, lt + 1, (size_t)(gt - lt - 1));
	return 0;
}

void mail_put_base64(struct buf *b, const char *data, size_t n)
{
	/* 57 bytes → 76 characters. */
	for (size_t i = 0; i < n; i += 57) {
		size_t len = n - i < 57 ? n - i : 57;
		char line[80];
		sodium_bin2base64(line, sizeof line, (const unsigned char *)data + i, len,
		    sodium_base64_VARIANT_ORIGINAL);
		buf_puts(b, line);
		buf_puts(b, "\r\n");
	}
}

static int url_start(const char *s)
{
	return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

static size_t url_len(const char *s)
{
	size_t n = 0;
	while (s[n] != '\0' && s[n] != ' ' && s[n] != '\n' && s[n] != '\r' && s[n] != '<' &&
	    s[n] != '>' && s[n] != '"')
		n++;
	/* A full stop or comma after a link belongs to the sentence. */
	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ',' || s[n - 1] == ')'))
		n--;
	return n;
}

void mail_text_to_html(struct buf *b, const char *text, const char *title)
{
	buf_puts(b, "<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"><title>");
	buf_put_html(b, title);
	buf_puts(b, "</title></head>\r\n<body style=\"font-family: sans-serif; line-height: 1.4\">\r\n<p>");
	const char *p = text;
	while (*p == '\n')
		p++;
	while (*p) {
		if (p[0] == '\n' && p[1] == '\n') {
			while (*p == '\n')
				p++;
			if (*p)
				buf_puts(b, "</p>\r\n<p>");
			continue;
		}
		if (*p == '\n') {
			buf_puts(b, "<br>\r\n");
			p++;
			continue;
		}
		if (url_start(p)) {
			size_t n = url_len(p);
			buf_puts(b, "<a href=\"");
			buf_put_html_n(b, p, n);
			buf_puts(b, "\">");
			buf_put_html_n(b, p, n);
			buf_puts(b, "</a>");
			p += n;
			continue;
		}
		const char *e = p;
		while (*e && *e != '\n' && !url_start(e))
			e++;
		buf_put_html_n(b, p, (size_t)(e - p));
		p = e;
	}
	buf_puts(b, "</p>\r\n</body></html>\r\n");
}

/* The text with every line ending CRLF, so that the base64 of each part decodes to
 * proper mail text. */
static const char *crlf(struct arena *a, const char *s)
{
	struct buf out;
	buf_init(&out, a);
	for (; *s; s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n')
			buf_putc(&out, '\r');
		buf_putc(&out, *s);
	}
	return out.data;
}

static void put_part(struct buf *b, const char *boundary, const char *type, const char *body)
{
	buf_printf(b, "--%s\r\nContent-Type: %s\r\nContent-Transfer-Encoding: base64\r\n\r\n",
	    boundary, type);
	mail_put_base64(b, body, strlen(body));
}

void mail_build(struct buf *out, const struct mail_message *m)
{
	struct arena *a = out->arena;
	const char *alt = arena_printf(a, "=_esonr_alt_%s", m->boundary);
	const char *mixed = arena_printf(a, "=_esonr_mixed_%s", m->boundary);

	buf_puts(out, "From: ");
	mail_put_mailbox(out, m->from_name, m->from_addr);
	buf_puts(out, "\r\nTo: ");
	mail_put_mailbox(out, m->to_name, m->to_addr);
	buf_puts(out, "\r\nSubject: ");
	mail_put_header_text(out, m->subject);
	buf_printf(out, "\r\nDate: %s\r\nMessage-ID: <%s>\r\n", m->date, m->message_id);
	/* RFC 3834: no vacation replies or bounces loops for automatic mail. */
	buf_puts(out, "Auto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\n");
	buf_puts(out, "MIME-Version: 1.0\r\n");
	if (m->ics != NULL)
		buf_printf(out, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n", mixed,
		    mixed);
	buf_printf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", alt);
	put_part(out, alt, "text/plain; charset=UTF-8", crlf(a, m->text));
	put_part(out, alt, "text/html; charset=UTF-8", crlf(a, m->html));
	buf_printf(out, "--%s--\r\n", alt);
	if (m->ics != NULL) {
		buf_printf(out, "--%s\r\nContent-Type: text/calendar; charset=UTF-8; method=%s\r\n"
		    "Content-Disposition: attachment; filename=\"esonr-booking.ics\"\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n", mixed, m->ics_method);
		mail_put_base64(out, m->ics, strlen(m->ics));
		buf_printf(out, "--%s--\r\n", mixed);
	}
}

int mail_backoff_seconds(int attempts)
{
	if (attempts < 1)
		return 0;
	if (attempts >= 6)
		return 60;
	return 1 << attempts; /* 2, 4, 8, 16, 32 */
}
