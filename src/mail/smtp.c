#include "mail/smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

struct upload {
	const char *data;
	size_t len, pos;
	int (*handed_over)(void *);
	void *ctx;
	int aborted;
	char last_reply[512];
};

static size_t read_message(char *dst, size_t size, size_t nitems, void *p)
{
	struct upload *u = p;
	size_t room = size * nitems, left = u->len - u->pos;
	if (left == 0) {
		/* End of data: libcurl sends the final "." only after this. */
		if (u->handed_over != NULL && u->handed_over(u->ctx) != 0) {
			u->aborted = 1;
			return CURL_READFUNC_ABORT;
		}
		u->handed_over = NULL;
		return 0;
	}
	size_t n = left < room ? left : room;
	memcpy(dst, u->data + u->pos, n);
	u->pos += n;
	return n;
}

/* Keeps the server's last reply line, for the office to read when a message fails. */
static int watch_replies(CURL *h, curl_infotype type, char *data, size_t size, void *p)
{
	struct upload *u = p;
	(void)h;
	if (type != CURLINFO_HEADER_IN || size == 0)
		return 0;
	size_t n = size < sizeof u->last_reply - 1 ? size : sizeof u->last_reply - 1;
	memcpy(u->last_reply, data, n);
	while (n > 0 && (u->last_reply[n - 1] == '\n' || u->last_reply[n - 1] == '\r'))
		n--;
	u->last_reply[n] = '\0';
	return 0;
}

int smtp_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

enum smtp_result smtp_send(const struct smtp_relay *relay, const char *from, const char *to,
    const char *message, size_t len, int (*handed_over)(void *ctx), void *ctx, char *answer,
    size_t answerlen)
{
	struct upload u = { message, len, 0, handed_over, ctx, 0, "" };
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *h = curl_easy_init();
	if (h == NULL) {
		snprintf(answer, answerlen, "libcurl could not start");
		return SMTP_RETRY;
	}
	char from_arg[600], to_arg[600];
	snprintf(from_arg, sizeof from_arg, "<%s>", from);
	snprintf(to_arg, sizeof to_arg, "<%s>", to);
	struct curl_slist *rcpt = curl_slist_append(NULL, to_arg);
	int auth = relay->user != NULL && relay->user[0] != '\0';

	curl_easy_setopt(h, CURLOPT_URL, relay->url);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from_arg);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L); /* for the reply lines, see watch_replies */
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, watch_replies);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, &u);
	/* A password never crosses the network in clear: STARTTLS is required with it. */
	if (strncmp(relay->url, "smtp://", 7) == 0)
		curl_easy_setopt(h, CURLOPT_USE_SSL, auth ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if (auth) {
		curl_easy_setopt(h, CURLOPT_USERNAME, relay->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, relay->password);
	}

	CURLcode rc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);

	if (rc == CURLE_OK) {
		snprintf(answer, answerlen, "%s", u.last_reply);
		return SMTP_SENT;
	}
	if (u.last_reply[0] != '\0' && code >= 400)
		snprintf(answer, answerlen, "%s", u.last_reply);
	else
		snprintf(answer, answerlen, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	/* A refused login is the configuration's fault, not the message's: keep retrying. */
	if (code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED && !u.aborted)
		return SMTP_FAILED;
	return SMTP_RETRY;
}
