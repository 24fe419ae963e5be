/* The login policy without a request or a database: over a store in memory, a right
 * password signs in and forgives the failures, a wrong one or an unknown address is
 * counted, a throttled account is not even checked, and old hashes are upgraded. */
#include "check.h"
#include "auth/login.h"
#include "auth/password.h"

struct memory_store {
	const char *email;
	long long id;
	char hash[crypto_pwhash_STRBYTES];
	int failures;       /* recorded for the account */
	int throttled;      /* what retry_after answers, in seconds */
	int rehashed;
	char calls[256];    /* the order of the calls, one letter each */
};

static void called(struct memory_store *m, char c)
{
	size_t n = strlen(m->calls);
	if (n + 1 < sizeof m->calls) {
		m->calls[n] = c;
		m->calls[n + 1] = '\0';
	}
}

static enum db_status m_lock(void *ctx, struct arena *a, const char *email)
{
	(void)a;
	(void)email;
	called(ctx, 'L');
	return DB_OK;
}

static enum db_status m_retry_after(void *ctx, struct arena *a, const char *email,
    const char *address, const struct throttle_limits *lim, int *seconds)
{
	struct memory_store *m = ctx;
	(void)a;
	(void)email;
	(void)address;
	called(m, 'T');
	*seconds = m->throttled ? m->throttled : m->failures >= lim->per_account ? lim->window_seconds : 0;
	return DB_OK;
}

static enum db_status m_credentials(void *ctx, struct arena *a, const char *email,
    long long *user_id, const char **hash)
{
	struct memory_store *m = ctx;
	(void)a;
	called(m, 'C');
	*user_id = 0;
	*hash = NULL;
	if (strcmp(email, m->email) == 0) {
		*user_id = m->id;
		*hash = m->hash;
	}
	return DB_OK;
}

static enum db_status m_set_hash(void *ctx, struct arena *a, long long user_id, const char *hash)
{
	struct memory_store *m = ctx;
	(void)a;
	called(m, 'H');
	if (user_id == m->id) {
		snprintf(m->hash, sizeof m->hash, "%s", hash);
		m->rehashed++;
	}
	return DB_OK;
}

static enum db_status m_record_failure(void *ctx, struct arena *a, const char *email,
    const char *address)
{
	struct memory_store *m = ctx;
	(void)a;
	(void)address;
	called(m, 'F');
	if (strcmp(email, m->email) == 0)
		m->failures++;
	return DB_OK;
}

static enum db_status m_clear(void *ctx, struct arena *a, const char *email)
{
	struct memory_store *m = ctx;
	(void)a;
	called(m, 'K');
	if (strcmp(email, m->email) == 0)
		m->failures = 0;
	return DB_OK;
}

static const struct login_store_ops memory_ops = {
	m_lock, m_retry_after, m_credentials, m_set_hash, m_record_failure, m_clear,
};

static struct login_attempt attempt(struct arena *a, struct memory_store *m, const char *email,
    const char *password)
{
	struct login_store store = { &memory_ops, m };
	struct login_attempt at = { email, password, "192.0.2.7", 0, 0, 0 };
	m->calls[0] = '\0';
	CHECK(login_check(a, &store, &at) == DB_OK, "the policy runs to the end over the store");
	return at;
}

int main(void)
{
	struct arena *a = arena_new();
	static struct memory_store m = { .email = "zoe@hospital.eu", .id = 7 };
	CHECK(password_init() == 0, "libsodium starts");
	password_hash(m.hash, "right password");

	struct login_attempt at = attempt(a, &m, "zoe@hospital.eu", "wrong password");
	CHECK(!at.ok && at.wait == 0 && m.failures == 1, "a wrong password is refused and counted");
	CHECK_STR(m.calls, "LTCF", "lock, throttle check, credentials, then the failure is recorded");

	at = attempt(a, &m, "nobody@hospital.eu", "right password");
	CHECK(!at.ok && at.user_id == 0, "an unknown address is refused");
	CHECK_STR(m.calls, "LTCF", "and counted like a wrong password, after the same steps");

	at = attempt(a, &m, "zoe@hospital.eu", "right password");
	CHECK(at.ok && at.user_id == 7, "the right password signs the account in");
	CHECK(m.failures == 0 && strchr(m.calls, 'K') != NULL, "a successful login forgives the failures");
	CHECK(m.rehashed == 0, "a hash made with today's parameters is kept");

	for (int i = 0; i < 5; i++)
		attempt(a, &m, "zoe@hospital.eu", "guess");
	at = attempt(a, &m, "zoe@hospital.eu", "right password");
	CHECK(!at.ok && at.wait == login_limits.window_seconds,
	    "after five failures even the right password waits for the window");
	CHECK_STR(m.calls, "LT", "a throttled attempt checks no password and records nothing");

	m.failures = 0;
	m.throttled = 0;
	/* A hash made with other parameters (a cheaper past setting) is upgraded at login. */
	CHECK(crypto_pwhash_str(m.hash, "right password", 14, 1, 8192 * 1024) == 0,
	    "set-up: a hash with old parameters");
	CHECK(password_needs_rehash(m.hash), "set-up: the old hash needs a rehash");
	at = attempt(a, &m, "zoe@hospital.eu", "right password");
	CHECK(at.ok && m.rehashed == 1 && !password_needs_rehash(m.hash),
	    "logging in with an old hash stores a hash with today's parameters");
	CHECK(password_verify(m.hash, "right password"), "and the new hash still verifies the password");

	CHECK(login_limits.per_account == 5 && login_limits.per_account_anywhere == 20 &&
	    login_limits.per_address == 50 && login_limits.window_seconds == 900,
	    "the limits are those the README explains (5, 20, 50 in 15 minutes)");
	arena_free(a);
	CHECK_DONE();
}
