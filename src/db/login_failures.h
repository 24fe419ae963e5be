/* Failed logins, recorded in PostgreSQL so that throttling survives worker restarts and is
 * shared by all workers. The limits are the login policy's (auth/login.h). */
#ifndef ESONR_LOGIN_FAILURES_H
#define ESONR_LOGIN_FAILURES_H
#include "db/db.h"

struct throttle_limits {
	int window_seconds;
	int per_account;          /* failures of one account from one address */
	int per_account_anywhere; /* of one account from any address */
	int per_address;          /* from one address, whatever the account */
};

/* Inside a transaction: serialises the login attempts on one account, so that concurrent
 * guesses cannot all pass the check before any failure is recorded. */
enum db_status login_failures_lock(struct arena *a, const char *email);
/* *retry_after: 0 when a login may be tried now, else seconds to wait. */
enum db_status login_failures_retry_after(struct arena *a, const char *email, const char *address,
    const struct throttle_limits *lim, int *retry_after);
enum db_status login_failure_record(struct arena *a, const char *email, const char *address);
enum db_status login_failures_clear(struct arena *a, const char *email);

#endif
