/* Delivery of one message over SMTP (libcurl): smtp:// (STARTTLS required when credentials
 * are configured, tried otherwise), smtps://; credentials from the configuration only. */
#ifndef ESONR_SMTP_H
#define ESONR_SMTP_H
#include <stddef.h>

struct smtp_relay {
	const char *url;
	const char *user, *password; /* "" when the relay needs no authentication */
};

enum smtp_result {
	SMTP_SENT,    /* 250 after the data */
	SMTP_RETRY,   /* no connection, a timeout, a 4xx: try again later */
	SMTP_FAILED,  /* a 5xx: permanent, for the office to see */
};

/* handed_over is called once the whole message has been given to libcurl, before the final
 * "." and the server's answer: a non-zero return aborts the transfer (nothing is sent).
 * answer: the server's last reply, or what went wrong. */
enum smtp_result smtp_send(const struct smtp_relay *relay, const char *from, const char *to,
    const char *message, size_t len, int (*handed_over)(void *ctx), void *ctx, char *answer,
    size_t answerlen);

/* Once per process, before any thread or fork is relevant. */
int smtp_global_init(void);

#endif
