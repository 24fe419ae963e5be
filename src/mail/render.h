/* One outbox row → one complete message: its template (templates/mail/KIND.html, plain
 * text whose first line is "Subject: …") rendered once as text, the HTML part made from
 * that text, and for bookings the session's calendar event. */
#ifndef ESONR_MAIL_RENDER_H
#define ESONR_MAIL_RENDER_H
#include "core/buf.h"
#include "db/outbox.h"

struct mail_settings {
	const char *from_name, *from_addr; /* ESONR_MAIL_FROM, parsed */
	const char *base_url;              /* for the links in the mails */
};

/* 0, or -1 with *why (no such template, no subject line). */
int mail_render(struct buf *out, const struct outbox_message *m, const struct mail_settings *s,
    const char **why);

#endif
