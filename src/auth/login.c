#include "auth/login.h"

#include "auth/password.h"
#include "db/users.h"

const struct throttle_limits login_limits = {
	.window_seconds = 15 * 60,
	.per_account = 5,
	.per_account_anywhere = 20,
	.per_address = 50,
};

enum db_status login_check(struct arena *a, const struct login_store *store, struct login_attempt *at)
{
	const struct login_store_ops *op = store->ops;
	enum db_status st;
	long long id = 0;
	const char *hash = NULL;
	at->wait = 0;
	at->ok = 0;
	at->user_id = 0;
	if ((st = op->lock(store->ctx, a, at->email)) != DB_OK ||
	    (st = op->retry_after(store->ctx, a, at->email, at->address, &login_limits, &at->wait)) != DB_OK ||
	    at->wait > 0)
		return st;
	if ((st = op->credentials(store->ctx, a, at->email, &id, &hash)) != DB_OK)
		return st;
	/* An unknown address costs the same time as a wrong password, and counts as a failure. */
	if (!password_verify(hash, at->password))
		return op->record_failure(store->ctx, a, at->email, at->address);
	if (password_needs_rehash(hash)) {
		char fresh[crypto_pwhash_STRBYTES];
		if (password_hash(fresh, at->password) == 0 &&
		    (st = op->set_hash(store->ctx, a, id, fresh)) != DB_OK)
			return st;
	}
	at->ok = 1;
	at->user_id = id;
	return op->clear_failures(store->ctx, a, at->email);
}

/* ---- over PostgreSQL ---- */

static enum db_status db_lock(void *ctx, struct arena *a, const char *email)
{
	(void)ctx;
	return login_failures_lock(a, email);
}

static enum db_status db_retry_after(void *ctx, struct arena *a, const char *email,
    const char *address, const struct throttle_limits *lim, int *seconds)
{
	(void)ctx;
	return login_failures_retry_after(a, email, address, lim, seconds);
}

static enum db_status db_credentials(void *ctx, struct arena *a, const char *email,
    long long *user_id, const char **hash)
{
	(void)ctx;
	return user_credentials(a, email, user_id, hash);
}

static enum db_status db_set_hash(void *ctx, struct arena *a, long long user_id, const char *hash)
{
	(void)ctx;
	return user_password_set(a, user_id, hash);
}

static enum db_status db_record_failure(void *ctx, struct arena *a, const char *email,
    const char *address)
{
	(void)ctx;
	return login_failure_record(a, email, address);
}

static enum db_status db_clear_failures(void *ctx, struct arena *a, const char *email)
{
	(void)ctx;
	return login_failures_clear(a, email);
}

static const struct login_store_ops db_ops = {
	db_lock, db_retry_after, db_credentials, db_set_hash, db_record_failure, db_clear_failures,
};

static enum db_status login_body(struct arena *a, void *p)
{
	static const struct login_store store = { &db_ops, NULL };
	return login_check(a, &store, p);
}

enum db_status login_attempt_run(struct arena *a, struct login_attempt *at)
{
	/* READ COMMITTED: the advisory lock makes concurrent attempts wait, not fail. The
	 * Argon2 verification (about 30 ms) runs inside it. */
	return db_tx(a, DB_READ_COMMITTED, login_body, at);
}
