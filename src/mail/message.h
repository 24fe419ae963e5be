/* Mail messages (RFC 5322, MIME): pure functions, no I/O. Bodies are UTF-8, base64 in the
 * message; display names and subjects are RFC 2047 encoded words when not plain ASCII. */
#ifndef ESONR_MAIL_MESSAGE_H
#define ESONR_MAIL_MESSAGE_H
#include <stddef.h>
#include "core/buf.h"

struct mail_message {
	const char *from_name, *from_addr; /* from_name may be "" */
	const char *to_name, *to_addr;
	const char *subject;
	const char *date;       /* RFC 5322 date */
	const char *message_id; /* without the angle brackets */
	const char *text;       /* the plain-text body */
	const char *html;       /* the HTML body */
	const char *ics;        /* a calendar attachment, or NULL */
	const char *ics_method; /* its METHOD (REQUEST, CANCEL) */
	const char *boundary;   /* stable per message, e.g. from its row id */
};

/* An unstructured header value (Subject): as is when printable ASCII, else encoded words. */
void mail_put_header_text(struct buf *b, const char *s);
/* A mailbox: "Name <addr>" with the name quoted or encoded as needed, or the bare address. */
void mail_put_mailbox(struct buf *b, const char *name, const char *addr);
/* Splits "Name <addr>" or "addr"; 0 ok, -1 when no plausible address is found. */
int mail_parse_mailbox(struct arena *a, const char *s, const char **name, const char **addr);
/* Base64 in lines of 76 characters, each ending CRLF. */
void mail_put_base64(struct buf *b, const char *data, size_t n);
/* The HTML part for a plain text: escaped, paragraphs at blank lines, links for URLs. */
void mail_text_to_html(struct buf *b, const char *text, const char *title);
/* The whole message, CRLF line ends. */
void mail_build(struct buf *out, const struct mail_message *m);
/* Seconds to wait after the attempts-th failed try: 2, 4, 8 … never more than a minute. */
int mail_backoff_seconds(int attempts);

#endif
