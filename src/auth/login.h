/*
 * The login policy: throttle, verify, rehash, record the failure, in that order, under a
 * per-account lock so that concurrent guesses are counted one after the other. It works
 * on an e-mail address and a password and returns a user id; cookies are the web layer's.
 *
 * The policy runs over a store (struct login_store): PostgreSQL in the portal
 * (login_store_db), a table in memory in tests/unit/test_login.c.
 */
#ifndef ESONR_LOGIN_H
#define ESONR_LOGIN_H
#include "db/db.h"
#include "db/login_failures.h"

/* In 15 minutes: 5 failures of one account from one address; 20 of one account from
 * anywhere (so that a stranger cannot lock a physician out with five guesses); 50 from
 * one address. Reasoning in the README. */
extern const struct throttle_limits login_limits;

struct login_store_ops {
	enum db_status (*lock)(void *ctx, struct arena *a, const char *email);
	enum db_status (*retry_after)(void *ctx, struct arena *a, const char *email,
	    const char *address, const struct throttle_limits *lim, int *seconds);
	/* *hash NULL when no account has this address. */
	enum db_status (*credentials)(void *ctx, struct arena *a, const char *email,
	    long long *user_id, const char **hash);
	enum db_status (*set_hash)(void *ctx, struct arena *a, long long user_id, const char *hash);
	enum db_status (*record_failure)(void *ctx, struct arena *a, const char *email,
	    const char *address);
	enum db_status (*clear_failures)(void *ctx, struct arena *a, const char *email);
};

struct login_store {
	const struct login_store_ops *ops;
	void *ctx;
};

struct login_attempt {
	const char *email;    /* normalised */
	const char *password;
	const char *address;  /* the client's address, for throttling */
	/* out: */
	int wait;             /* > 0: throttled, seconds to wait; nothing was verified */
	int ok;               /* the password is right: user_id signs in */
	long long user_id;
};

/* The policy over store, inside the caller's transaction (DB_OK: read at). */
enum db_status login_check(struct arena *a, const struct login_store *store, struct login_attempt *at);
/* The same in a transaction of its own over PostgreSQL: what the portal calls. */
enum db_status login_attempt_run(struct arena *a, struct login_attempt *at);

#endif
