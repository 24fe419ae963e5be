/* The transactional outbox: every mail is a row written by the transaction that made the
 * change it tells of (sql/020_outbox.sql), delivered later by bin/esonr-mailer. */
#ifndef ESONR_OUTBOX_H
#define ESONR_OUTBOX_H
#include "db/db.h"

enum outbox_kind {
	OUTBOX_CONFIRM,          /* registration: confirm your address (token) */
	OUTBOX_RESET,            /* password reset link (token) */
	OUTBOX_PASSWORD_CHANGED,
	OUTBOX_BOOKED,
	OUTBOX_WAITLISTED,
	OUTBOX_PROMOTED,         /* moved up from the waiting list */
	OUTBOX_CANCELLED,
	OUTBOX_RESULTS,
	OUTBOX_CERT_ISSUED,
	OUTBOX_CERT_REVOKED,
	OUTBOX_CERT_REISSUED,
	OUTBOX__MAX
};

/* The name stored in outbox.kind and used for the template templates/mail/NAME.html. */
const char *outbox_kind_name(enum outbox_kind k);

/* Hooks, each inside the caller's transaction: one statement that copies the facts. */
enum db_status outbox_booking(struct arena *a, long long booking_id, enum outbox_kind k);
/* The same for the booking the statements before it in a batch just made (booked or
 * waitlisted, as it came out): the session's and candidate's live booking. */
void outbox_new_booking_call(struct db_call *call, const char *session_id, const char *user_id);
/* One results mail per candidate booked on the session. */
enum db_status outbox_results(struct arena *a, const char *session_id);
enum db_status outbox_certificate(struct arena *a, const char *number, enum outbox_kind k);
/* token: the one-time link's secret for CONFIRM and RESET (erased once sent), else NULL. */
enum db_status outbox_account(struct arena *a, const char *user_id, enum outbox_kind k,
    const char *token);

/* The sender's side (bin/esonr-mailer). */
struct outbox_message {
	long long id;
	const char *kind, *to_addr, *to_name, *message_id;
	const char *created_rfc5322; /* the Date: header, fixed when the row was written */
	int attempts;
	/* payload, as key/value pairs */
	const char **keys, **values;
	size_t n;
};

/* Rows whose sender died: "sending" goes back to the queue (the server cannot have
 * accepted an incomplete message); "handed_over" becomes failed (it may have arrived). */
enum db_status outbox_recover(struct arena *a, int *requeued, int *uncertain);
/* Claims the oldest due row (FOR UPDATE SKIP LOCKED) for lease_seconds, in the name of
 * claimer ("host:pid"); *found 0 if none. */
enum db_status outbox_claim(struct arena *a, int lease_seconds, const char *claimer,
    struct outbox_message *m, int *found);
/* The claimers ("host:pid") of rows still claimed by senders of this host. */
enum db_status outbox_claimers(struct arena *a, const char *host, const char ***claimers,
    size_t *n);
/* Recovers (as outbox_recover does after a lease) the rows of a claimer known to be dead. */
enum db_status outbox_recover_claimer(struct arena *a, const char *claimer, int *requeued,
    int *uncertain);
enum db_status outbox_mark_handed_over(struct arena *a, long long id);
/* Sent: the row is done and its payload loses the one-time link's secret. */
enum db_status outbox_mark_sent(struct arena *a, long long id);
enum db_status outbox_mark_retry(struct arena *a, long long id, int delay_seconds,
    const char *error);
enum db_status outbox_mark_failed(struct arena *a, long long id, const char *error);
/* Seconds until the next queued row is due (0: now), or -1 when nothing is queued. */
enum db_status outbox_next_due(struct arena *a, double *seconds);
/* Asks to be woken (db_wait_notify) by each commit that queues a message (NOTIFY outbox).
 * Once per connection: again after a reconnection. */
enum db_status outbox_listen(struct arena *a);

/* The office's view (web page and esonrctl mail status). */
struct outbox_counts {
	long long queued, sending, sent, failed;
};
struct outbox_row {
	const char *id, *kind, *to_addr, *state, *attempts, *created, *sent, *next_attempt,
	    *last_error;
};
enum db_status outbox_status(struct arena *a, struct outbox_counts *c, struct outbox_row **rows,
    size_t *n, int limit);
struct unconfirmed_row {
	const char *id, *email, *full_name, *registered;
};
enum db_status outbox_unconfirmed(struct arena *a, struct unconfirmed_row **rows, size_t *n,
    int limit);
/* A failed message goes back to the queue, with the same Message-ID. DB_REFUSED (a
 * conflict) when there is no such failed message. */
enum db_status outbox_retry(struct arena *a, const char *id, const char *actor_id,
    struct refusal *ref);

#endif
