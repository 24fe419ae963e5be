#include "auth/session.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOKEN_BYTES 32

int session_token_parse(const char *hex, unsigned char raw[TOKEN_BYTES])
{
	size_t len;
	if (hex == NULL || strlen(hex) != 2 * TOKEN_BYTES)
		return -1;
	if (sodium_hex2bin(raw, TOKEN_BYTES, hex, 2 * TOKEN_BYTES, NULL, &len, NULL) != 0 ||
	    len != TOKEN_BYTES)
		return -1;
	return 0;
}

/* bytea parameter in hex form, the text format libpq sends. */
static const char *token_hash_param(struct arena *a, const unsigned char raw[TOKEN_BYTES])
{
	unsigned char h[32];
	char *out = arena_alloc(a, 2 + 64 + 1);
	crypto_generichash(h, sizeof h, raw, TOKEN_BYTES, NULL, 0);
	memcpy(out, "\\x", 2);
	sodium_bin2hex(out + 2, 65, h, sizeof h);
	return out;
}

const char *session_csrf_of(struct arena *a, const unsigned char raw[TOKEN_BYTES])
{
	static const unsigned char key[] = "esonr csrf token, derived from the session token";
	unsigned char h[24];
	char *out = arena_alloc(a, 2 * sizeof h + 1);
	crypto_generichash(h, sizeof h, raw, TOKEN_BYTES, key, sizeof key - 1);
	sodium_bin2hex(out, 2 * sizeof h + 1, h, sizeof h);
	return out;
}

/* Behind TLS the cookie is "__Host-esonr_session": browsers then keep it only when it came
 * over HTTPS with Secure, Path=/ and no Domain, so that no other site on the same host or a
 * sibling domain can set or shadow it (cookie tossing). */
static const char *cookie_name(const struct request *req)
{
	return req->https ? SESSION_COOKIE_TLS : SESSION_COOKIE;
}

static void set_cookie(struct request *req, const char *value, int expire)
{
	char *c = arena_printf(req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s",
	    cookie_name(req), value, expire ? "; Max-Age=0" : "", req->https ? "; Secure" : "");
	http_header(req, "Set-Cookie", c);
}

/* Visitors' pre-sessions live in the cookie alone: "p" + expiry (16 hex digits, unix
 * seconds) + 16 random bytes + a MAC of both (16 bytes) under a secret the portal draws at
 * start-up, so that only tokens this portal minted are accepted (not any well-formed one a
 * client invents, nor one whose expiry it moved); their CSRF token is keyed with the same
 * secret. A visitor costs the database nothing; a restart of the portal only means a login
 * form left open across it has to be reloaded. */
static unsigned char pre_secret[crypto_generichash_KEYBYTES];
static int pre_secret_ready;

void session_init(void)
{
	if (!pre_secret_ready) {
		randombytes_buf(pre_secret, sizeof pre_secret);
		pre_secret_ready = 1;
	}
}

#define PRE_BODY (1 + 16 + 32) /* "p", expiry, random */
#define PRE_MAC 16
#define PRE_LEN (PRE_BODY + 2 * PRE_MAC)

/* Keyed BLAKE2b of what, under the pre-session secret and a purpose (domain separation:
 * the MAC that mints a token and the CSRF token derived from it never coincide). */
static void pre_keyed(unsigned char *out, size_t outlen, const char *purpose, const char *what, size_t n)
{
	crypto_generichash_state st;
	session_init();
	crypto_generichash_init(&st, pre_secret, sizeof pre_secret, outlen);
	crypto_generichash_update(&st, (const unsigned char *)purpose, strlen(purpose) + 1);
	crypto_generichash_update(&st, (const unsigned char *)what, n);
	crypto_generichash_final(&st, out, outlen);
}

static const char *pre_csrf(struct arena *a, const char *token)
{
	unsigned char h[24];
	char *out = arena_alloc(a, 2 * sizeof h + 1);
	pre_keyed(h, sizeof h, "csrf", token, strlen(token));
	sodium_bin2hex(out, 2 * sizeof h + 1, h, sizeof h);
	return out;
}

static const char *pre_mint(struct arena *a, time_t expiry)
{
	unsigned char rnd[16], mac[PRE_MAC];
	char hex[2 * sizeof rnd + 1], machex[2 * PRE_MAC + 1];
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	const char *body = arena_printf(a, "p%016llx%s", (unsigned long long)expiry, hex);
	pre_keyed(mac, sizeof mac, "mint", body, PRE_BODY);
	sodium_bin2hex(machex, sizeof machex, mac, sizeof mac);
	return arena_printf(a, "%s%s", body, machex);
}

static int pre_valid(const char *token)
{
	if (token == NULL || strlen(token) != PRE_LEN || token[0] != 'p' ||
	    strspn(token + 1, "0123456789abcdef") != PRE_LEN - 1)
		return 0;
	unsigned char mac[PRE_MAC], given[PRE_MAC];
	size_t len;
	pre_keyed(mac, sizeof mac, "mint", token, PRE_BODY);
	if (sodium_hex2bin(given, sizeof given, token + PRE_BODY, 2 * PRE_MAC, NULL, &len, NULL) != 0 ||
	    len != sizeof given || sodium_memcmp(mac, given, sizeof mac) != 0)
		return 0;
	char expiry[17];
	memcpy(expiry, token + 1, 16);
	expiry[16] = '\0';
	return (time_t)strtoull(expiry, NULL, 16) > time(NULL);
}

/* Idle expiry applies to signed-in sessions; pre-sessions only have the absolute one.
 * Reading a session writes nothing; last_seen_at is written at most once a minute, by a
 * separate UPDATE when it has become older than that (an UPDATE to the same value would
 * still write a row version and flush WAL at every page view). */
static struct db_stmt q_session_load = DB_STMT("session_load",
    "SELECT u.id, u.email, u.full_name, u.role, s.last_seen_at < now() - interval '1 minute',"
    "   u.email_confirmed_at IS NOT NULL"
    " FROM sessions s LEFT JOIN users u ON u.id = s.user_id"
    " WHERE s.token_hash = $1 AND s.expires_at > now()"
    "   AND (s.user_id IS NULL OR s.last_seen_at > now() - make_interval(secs => $2::int))", 2);
static struct db_stmt q_session_touch = DB_STMT("session_touch",
    "UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1"
    "   AND last_seen_at < now() - interval '1 minute'", 1);

enum db_status session_load(struct request *req)
{
	unsigned char raw[TOKEN_BYTES];
	enum db_status st;
	const char *hex = fields_get(&req->cookies, cookie_name(req));
	if (pre_valid(hex)) {
		req->session_token = hex;
		req->csrf = pre_csrf(req->arena, hex);
		return DB_OK;
	}
	if (session_token_parse(hex, raw) != 0)
		return DB_OK;
	const char *hash = token_hash_param(req->arena, raw);
	char idle[16];
	snprintf(idle, sizeof idle, "%d", SESSION_IDLE_SECONDS);
	PGresult *r = db_run(req->arena, &st, &q_session_load, hash, idle);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return DB_OK;
	if (strcmp(db_val(r, 0, 4), "t") == 0) {
		db_run(req->arena, &st, &q_session_touch, hash);
		if (st != DB_OK)
			return st;
	}
	req->session_token = hex;
	req->csrf = session_csrf_of(req->arena, raw);
	if (db_val(r, 0, 0) != NULL) {
		db_set_session(hash + 2); /* the actor of what this request audits */
		struct user *u = arena_zalloc(req->arena, sizeof *u);
		u->id = db_int(r, 0, 0);
		snprintf(u->id_text, sizeof u->id_text, "%lld", u->id);
		u->email = db_val(r, 0, 1);
		u->full_name = db_val(r, 0, 2);
		if (role_parse(db_val(r, 0, 3), &u->role) != 0)
			return DB_ERROR;
		u->email_confirmed = db_val(r, 0, 5) != NULL && strcmp(db_val(r, 0, 5), "t") == 0;
		req->user = u;
	}
	return DB_OK;
}

static enum db_status session_new(struct request *req, const char *user_id, int lifetime)
{
	unsigned char raw[TOKEN_BYTES];
	char hex[2 * TOKEN_BYTES + 1], secs[16];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
	snprintf(secs, sizeof secs, "%d", lifetime);
	const char *hash = token_hash_param(req->arena, raw);
	enum db_status st = db_exec(req->arena,
	    "INSERT INTO sessions (token_hash, user_id, expires_at)"
	    " VALUES ($1, $2, now() + make_interval(secs => $3::int))",
	    3, hash, user_id, secs);
	if (st != DB_OK)
		return st;
	if (user_id != NULL)
		db_set_session(hash + 2);
	req->session_token = arena_strdup(req->arena, hex);
	req->csrf = session_csrf_of(req->arena, raw);
	set_cookie(req, hex, 0);
	return DB_OK;
}

enum db_status session_ensure_csrf(struct request *req)
{
	if (req->csrf != NULL)
		return DB_OK;
	const char *token = pre_mint(req->arena, time(NULL) + PRESESSION_SECONDS);
	req->session_token = token;
	req->csrf = pre_csrf(req->arena, token);
	set_cookie(req, token, 0);
	return DB_OK;
}

static enum db_status session_delete_current(struct request *req)
{
	unsigned char raw[TOKEN_BYTES];
	if (session_token_parse(req->session_token, raw) != 0)
		return DB_OK;
	return db_exec(req->arena, "DELETE FROM sessions WHERE token_hash = $1", 1,
	    token_hash_param(req->arena, raw));
}

enum db_status session_start(struct request *req, long long user_id)
{
	enum db_status st = session_delete_current(req);
	if (st != DB_OK)
		return st;
	/* Now and then, sweep expired sessions so the table does not grow without bound. */
	if (randombytes_uniform(50) == 0)
		db_exec(req->arena, "DELETE FROM sessions WHERE expires_at < now()", 0);
	return session_new(req, arena_printf(req->arena, "%lld", user_id), SESSION_ABSOLUTE_SECONDS);
}

enum db_status session_end(struct request *req)
{
	enum db_status st = session_delete_current(req);
	req->session_token = NULL;
	req->csrf = NULL;
	req->user = NULL;
	set_cookie(req, "", 1);
	return st;
}

int session_csrf_ok(const struct request *req)
{
	const char *sent = fields_get(&req->form, "csrf");
	if (req->csrf == NULL || sent == NULL)
		return 0;
	size_t n = strlen(req->csrf);
	if (strlen(sent) != n)
		return 0;
	return sodium_memcmp(sent, req->csrf, n) == 0;
}
