#include "db/mail_links.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "db/audit.h"
#include "db/outbox.h"
#include "db/websessions.h"

#define TOKEN_BYTES 32

static const char *const purposes[] = { [MAIL_LINK_CONFIRM] = "confirm", [MAIL_LINK_RESET] = "reset" };

int mail_link_token_shape(const char *s)
{
	size_t n = 0;
	for (; s[n] != '\0'; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == 2 * TOKEN_BYTES;
}

/* The stored form of a token: bytea literal of its BLAKE2b hash. */
static const char *token_hash(struct arena *a, const char *token)
{
	unsigned char h[32];
	char *out = arena_alloc(a, 2 + 2 * sizeof h + 1);
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex(out + 2, 2 * sizeof h + 1, h, sizeof h);
	return out;
}

static const char *token_new(struct arena *a)
{
	unsigned char raw[TOKEN_BYTES];
	char *hex = arena_alloc(a, 2 * TOKEN_BYTES + 1);
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(hex, 2 * TOKEN_BYTES + 1, raw, sizeof raw);
	return hex;
}

/* Creates a link for the account (if the query finds one) and queues its mail. */
static enum db_status link_create(struct arena *a, enum mail_link_purpose p, const char *user_sql,
    const char *who, enum outbox_kind kind, int seconds)
{
	enum db_status st;
	const char *token = token_new(a);
	PGresult *r = db_query(a, &st,
	    arena_printf(a, "INSERT INTO mail_tokens (token_hash, purpose, user_id, expires_at)"
	    " SELECT $1, $2, u.id, now() + make_interval(secs => $4::int) FROM users u WHERE %s"
	    " RETURNING user_id", user_sql),
	    4, token_hash(a, token), purposes[p], who, arena_printf(a, "%d", seconds));
	if (st != DB_OK || db_rows(r) != 1)
		return st;
	return outbox_account(a, db_val(r, 0, 0), kind, token);
}

enum db_status mail_link_confirm_new(struct arena *a, const char *user_id)
{
	return link_create(a, MAIL_LINK_CONFIRM, "u.id = $3", user_id, OUTBOX_CONFIRM,
	    MAIL_LINK_CONFIRM_SECONDS);
}

/* Serialises the requests from one client address (taken first, by everyone, so that two
 * locks never wait for each other the other way round): its count is then exact. */
static enum db_status lock_address(struct arena *a, const char *address)
{
	return db_exec(a, "SELECT pg_advisory_xact_lock(hashtext('mail-link-address:' || $1))", 1,
	    address);
}

/* Serialises the requests for one e-mail address and from the client's, counts them,
 * records this one. */
static enum db_status count_request(struct arena *a, enum mail_link_purpose p, const char *email,
    const char *address, long long *for_email, long long *for_address)
{
	enum db_status st;
	if ((st = lock_address(a, address)) != DB_OK ||
	    (st = db_exec(a, "SELECT pg_advisory_xact_lock(hashtext('mail-link:' || $1))", 1,
	    email)) != DB_OK)
		return st;
	PGresult *r = db_query(a, &st,
	    "SELECT count(*) FILTER (WHERE email = $2), count(*) FILTER (WHERE address = $3)"
	    " FROM mail_link_requests WHERE purpose = $1"
	    "   AND requested_at > now() - make_interval(secs => $4::int)"
	    "   AND (email = $2 OR address = $3)",
	    4, purposes[p], email, address, arena_printf(a, "%d", MAIL_LINK_WINDOW_SECONDS));
	if (st != DB_OK)
		return st;
	*for_email = db_int(r, 0, 0);
	*for_address = db_int(r, 0, 1);
	return db_exec(a, "INSERT INTO mail_link_requests (purpose, email, address, processed_at)"
	    " VALUES ($1, $2, $3, now())", 3, purposes[p], email, address);
}

struct request_ctx {
	const char *email, *user_id, *address;
	int *throttled;
};

static enum db_status reset_request_body(struct arena *a, void *p)
{
	struct request_ctx *c = p;
	enum db_status st;
	/* Concurrent requests from one address would each count the others' uncommitted rows
	 * as absent: they take their turn (the lock does not depend on the account). */
	if ((st = lock_address(a, c->address)) != DB_OK)
		return st;
	PGresult *r = db_query(a, &st,
	    "INSERT INTO mail_link_requests (purpose, email, address) SELECT 'reset', $1, $2"
	    " WHERE (SELECT count(*) FROM mail_link_requests WHERE purpose = 'reset' AND address = $2"
	    "   AND requested_at > now() - make_interval(secs => $3::int)) < $4::int RETURNING id",
	    4, c->email, c->address, arena_printf(a, "%d", MAIL_LINK_WINDOW_SECONDS),
	    arena_printf(a, "%d", MAIL_LINK_PER_ADDRESS));
	*c->throttled = st == DB_OK && db_rows(r) == 0;
	return st;
}

enum db_status mail_link_reset_request(struct arena *a, const char *email, const char *address,
    int *address_throttled)
{
	struct request_ctx c = { email, NULL, address, address_throttled };
	*address_throttled = 0;
	return db_tx(a, DB_READ_COMMITTED, reset_request_body, &c);
}

static enum db_status process_body(struct arena *a, void *p)
{
	int *n = p;
	enum db_status st;
	PGresult *q = db_query(a, &st,
	    "SELECT r.id, r.address, u.id FROM mail_link_requests r LEFT JOIN users u ON u.email = r.email"
	    " WHERE r.purpose = 'reset' AND r.processed_at IS NULL ORDER BY r.id LIMIT 20"
	    " FOR UPDATE OF r SKIP LOCKED", 0);
	*n = 0;
	if (st != DB_OK)
		return st;
	for (int i = 0; i < db_rows(q); i++) {
		const char *user_id = db_val(q, i, 2);
		if ((st = db_exec(a, "UPDATE mail_link_requests SET processed_at = now() WHERE id = $1", 1,
		    db_val(q, i, 0))) != DB_OK)
			return st;
		(*n)++;
		/* No account, or its links of the hour spent: nothing to send. Two requests in one
		 * batch for one account count each other through the tokens made just before. */
		if (user_id == NULL)
			continue;
		PGresult *c = db_query(a, &st, "SELECT count(*) FROM mail_tokens WHERE user_id = $1"
		    " AND purpose = 'reset' AND created_at > now() - make_interval(secs => $2::int)", 2, user_id,
		    arena_printf(a, "%d", MAIL_LINK_WINDOW_SECONDS));
		if (st != DB_OK)
			return st;
		if (db_int(c, 0, 0) >= MAIL_LINK_PER_EMAIL)
			continue;
		if ((st = link_create(a, MAIL_LINK_RESET, "u.id = $3", user_id, OUTBOX_RESET,
		    MAIL_LINK_RESET_SECONDS)) != DB_OK ||
		    (st = audit_record(a, NULL, "password.reset_requested", "user", user_id, NULL,
		    arena_printf(a, "{\"request\": %s}", db_val(q, i, 0)))) != DB_OK)
			return st;
	}
	return DB_OK;
}

enum db_status mail_link_process_requests(struct arena *a, int *n)
{
	return db_tx(a, DB_READ_COMMITTED, process_body, n);
}

static enum db_status resend_body(struct arena *a, void *p)
{
	struct request_ctx *c = p;
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT email FROM users WHERE id = $1 AND email_confirmed_at IS NULL",
	    1, c->user_id);
	*c->throttled = 0;
	if (st != DB_OK || db_rows(r) != 1)
		return st;
	long long for_email, for_address;
	if ((st = count_request(a, MAIL_LINK_CONFIRM, db_val(r, 0, 0), c->address, &for_email,
	    &for_address)) != DB_OK)
		return st;
	if (for_email >= MAIL_LINK_PER_EMAIL || for_address >= MAIL_LINK_PER_ADDRESS) {
		*c->throttled = 1;
		return DB_OK;
	}
	return mail_link_confirm_new(a, c->user_id);
}

enum db_status mail_link_confirm_resend(struct arena *a, const char *user_id, const char *address,
    int *throttled)
{
	struct request_ctx c = { NULL, user_id, address, throttled };
	return db_tx(a, DB_READ_COMMITTED, resend_body, &c);
}

enum db_status mail_link_check(struct arena *a, enum mail_link_purpose p, const char *token,
    int *valid)
{
	enum db_status st;
	*valid = 0;
	if (!mail_link_token_shape(token))
		return DB_OK;
	PGresult *r = db_query(a, &st,
	    "SELECT 1 FROM mail_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL"
	    " AND expires_at > now()", 2, token_hash(a, token), purposes[p]);
	*valid = st == DB_OK && db_rows(r) == 1;
	return st;
}

/* Marks the link used; the account's id, or NULL when the link is used, expired or unknown. */
static enum db_status link_use(struct arena *a, enum mail_link_purpose p, const char *token,
    const char **user_id)
{
	enum db_status st;
	*user_id = NULL;
	if (!mail_link_token_shape(token))
		return DB_OK;
	PGresult *r = db_query(a, &st,
	    "UPDATE mail_tokens SET used_at = now() WHERE token_hash = $1 AND purpose = $2"
	    " AND used_at IS NULL AND expires_at > now() RETURNING user_id", 2, token_hash(a, token),
	    purposes[p]);
	if (st == DB_OK && db_rows(r) == 1)
		*user_id = db_val(r, 0, 0);
	return st;
}

struct use_ctx {
	const char *token, *password_hash, *actor_id;
	int *valid;
	const char **user_id;
};

static enum db_status confirm_body(struct arena *a, void *p)
{
	struct use_ctx *c = p;
	enum db_status st = link_use(a, MAIL_LINK_CONFIRM, c->token, c->user_id);
	*c->valid = *c->user_id != NULL;
	if (st != DB_OK || !*c->valid)
		return st;
	PGresult *r = db_query(a, &st,
	    "UPDATE users SET email_confirmed_at = now() WHERE id = $1 AND email_confirmed_at IS NULL"
	    " RETURNING jsonb_build_object('email', email)::text", 1, *c->user_id);
	if (st != DB_OK || db_rows(r) != 1)
		return st; /* confirmed before, by another link: nothing new to audit */
	return audit_record(a, c->actor_id, "email.confirm", "user", *c->user_id, NULL, db_val(r, 0, 0));
}

enum db_status mail_link_confirm_use(struct arena *a, const char *token, const char *actor_id,
    int *valid, const char **user_id)
{
	struct use_ctx c = { token, NULL, actor_id, valid, user_id };
	return db_tx(a, DB_READ_COMMITTED, confirm_body, &c);
}

static enum db_status reset_body(struct arena *a, void *p)
{
	struct use_ctx *c = p;
	const char *user_id;
	enum db_status st = link_use(a, MAIL_LINK_RESET, c->token, &user_id);
	*c->valid = user_id != NULL;
	if (st != DB_OK || !*c->valid)
		return st;
	/* The link proves the address too. */
	if ((st = db_exec(a, "UPDATE users SET password_hash = $2,"
	    " email_confirmed_at = coalesce(email_confirmed_at, now()) WHERE id = $1", 2, user_id,
	    c->password_hash)) != DB_OK ||
	    (st = db_exec(a, "UPDATE mail_tokens SET used_at = now() WHERE user_id = $1"
	    " AND purpose = 'reset' AND used_at IS NULL", 1, user_id)) != DB_OK)
		return st;
	/* Audited first: the audit log finds its actor through the browser's session, which
	 * may be one of those that end here. */
	long long ended;
	if ((st = websession_rows_of_user(a, user_id, &ended)) != DB_OK ||
	    (st = audit_record(a, c->actor_id, "password.reset", "user", user_id, NULL,
	    arena_printf(a, "{\"sessions_ended\": %lld}", ended))) != DB_OK ||
	    (st = websession_rows_end_user(a, user_id)) != DB_OK)
		return st;
	return outbox_account(a, user_id, OUTBOX_PASSWORD_CHANGED, NULL);
}

enum db_status mail_link_reset_use(struct arena *a, const char *token, const char *password_hash,
    const char *actor_id, int *valid)
{
	struct use_ctx c = { token, password_hash, actor_id, valid, NULL };
	return db_tx(a, DB_READ_COMMITTED, reset_body, &c);
}
