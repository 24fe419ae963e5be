/* Failed-login throttling per account and per address, recorded in PostgreSQL so that
 * it survives worker restarts and is shared by all workers. */
#ifndef ESONR_THROTTLE_H
#define ESONR_THROTTLE_H
#include "db/db.h"

#define THROTTLE_WINDOW_SECONDS (15 * 60)
/* Failures of one account from one address; of one account from anywhere (higher, so that
 * a stranger cannot lock a physician out with five wrong guesses); from one address. */
#define THROTTLE_PER_ACCOUNT 5
#define THROTTLE_PER_ACCOUNT_ANYWHERE 20
#define THROTTLE_PER_ADDRESS 50

/* Inside a transaction: serialises the login attempts on one account, so that concurrent
 * guesses cannot all pass the check before any failure is recorded. */
enum db_status throttle_lock(struct arena *a, const char *email);
/* *retry_after: 0 when a login may be tried now, else seconds to wait. */
enum db_status throttle_check(struct arena *a, const char *email, const char *address,
    int *retry_after);
enum db_status throttle_record_failure(struct arena *a, const char *email, const char *address);
/* A successful login forgives the account's failures. */
enum db_status throttle_clear(struct arena *a, const char *email);

#endif
