#include "auth/websession.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/websessions.h"
#include "domain/account.h"

#define TOKEN_BYTES 32

int websession_token_parse(const char *hex, unsigned char raw[TOKEN_BYTES])
{
	size_t len;
	if (hex == NULL || strlen(hex) != 2 * TOKEN_BYTES)
		return -1;
	if (sodium_hex2bin(raw, TOKEN_BYTES, hex, 2 * TOKEN_BYTES, NULL, &len, NULL) != 0 ||
	    len != TOKEN_BYTES)
		return -1;
	return 0;
}

/* bytea parameter in hex form, the text format libpq sends; the hash itself into h when
 * not NULL. */
static const char *token_hash_param(struct arena *a, const unsigned char raw[TOKEN_BYTES],
    unsigned char *h_out)
{
	unsigned char h[32];
	char *out = arena_alloc(a, 2 + 64 + 1);
	crypto_generichash(h, sizeof h, raw, TOKEN_BYTES, NULL, 0);
	memcpy(out, "\\x", 2);
	sodium_bin2hex(out + 2, 65, h, sizeof h);
	if (h_out != NULL)
		memcpy(h_out, h, sizeof h);
	return out;
}

/* Signed-in sessions this process has seen lately, by the hash of their token (never the
 * token), with their account as it read then. A page read with GET or HEAD starts on what is
 * remembered, and the database confirms it in the page's own round trip (db_assume): the
 * session is still live and the account reads the same, or the page is thrown away and
 * served again from the database. So a signed-in page costs one round trip, not two, and
 * nothing is shown or done under a session the database no longer has. */
#define REMEMBERED 256
struct remembered {
	unsigned char hash[32];
	int used;
	struct user user;
	char email[EMAIL_MAX + 1];
	char full_name[4 * NAME_MAX_CHARS + 1]; /* UTF-8: up to 4 bytes a character */
};
static struct remembered remembered[REMEMBERED];

static struct remembered *slot_of(const unsigned char h[32])
{
	return &remembered[h[0]]; /* the hash is uniform: its first byte spreads the slots */
}

static void remember(const unsigned char h[32], const struct user *u)
{
	struct remembered *m = slot_of(h);
	m->used = 0;
	if (strlen(u->email) > EMAIL_MAX || strlen(u->full_name) > 4 * NAME_MAX_CHARS)
		return;
	memcpy(m->hash, h, 32);
	m->user = *u;
	strcpy(m->email, u->email);
	strcpy(m->full_name, u->full_name);
	m->user.email = m->email;
	m->user.full_name = m->full_name;
	m->used = 1;
}

static void forget(const unsigned char h[32])
{
	struct remembered *m = slot_of(h);
	if (m->used && memcmp(m->hash, h, 32) == 0)
		m->used = 0;
}

/* The page being served: its session's hash, and what it assumed of it. */
static struct {
	int signed_in, assumed;
	unsigned char hash[32];
	const char *hash_param;
	struct websession_expectation expect;
} page;

const char *websession_csrf_of(struct arena *a, const unsigned char raw[TOKEN_BYTES])
{
	static const unsigned char key[] = "esonr csrf token, derived from the session token";
	unsigned char h[24];
	char *out = arena_alloc(a, 2 * sizeof h + 1);
	crypto_generichash(h, sizeof h, raw, TOKEN_BYTES, key, sizeof key - 1);
	sodium_bin2hex(out, 2 * sizeof h + 1, h, sizeof h);
	return out;
}

/* Visitors' pre-sessions live in the cookie alone: "p" + expiry (16 hex digits, unix
 * seconds) + 16 random bytes + a MAC of both (16 bytes) under a secret the portal draws at
 * start-up, so that only tokens this portal minted are accepted (not any well-formed one a
 * client invents, nor one whose expiry it moved); their CSRF token is keyed with the same
 * secret. A visitor costs the database nothing; a restart of the portal only means a login
 * form left open across it has to be reloaded. */
static unsigned char pre_secret[crypto_generichash_KEYBYTES];
static int pre_secret_ready;

void websession_init(void)
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
	websession_init();
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

enum db_status websession_load(struct arena *a, const char *cookie_token, enum websession_use use,
    struct websession *s)
{
	unsigned char raw[TOKEN_BYTES];
	memset(s, 0, sizeof *s);
	memset(&page, 0, sizeof page);
	if (pre_valid(cookie_token)) {
		s->token = cookie_token;
		s->csrf = pre_csrf(a, cookie_token);
		return DB_OK;
	}
	if (websession_token_parse(cookie_token, raw) != 0)
		return DB_OK;
	int found;
	struct user *user;
	const char *hash = token_hash_param(a, raw, page.hash);
	struct remembered *m = slot_of(page.hash);
	if (use == WEBSESSION_READ && m->used && memcmp(m->hash, page.hash, 32) == 0) {
		user = arena_zalloc(a, sizeof *user);
		*user = m->user;
		user->email = arena_strdup(a, m->email);
		user->full_name = arena_strdup(a, m->full_name);
		page.expect.user = user;
		websession_row_assume(hash, WEBSESSION_IDLE_SECONDS, &page.expect);
		page.assumed = 1;
	} else {
		enum db_status st = websession_row_find(a, hash, WEBSESSION_IDLE_SECONDS, &found, &user);
		if (st != DB_OK)
			return st;
		if (!found || user == NULL)
			forget(page.hash);
		else if (use != WEBSESSION_WRITE)
			remember(page.hash, user);
		if (!found)
			return DB_OK;
	}
	page.signed_in = user != NULL;
	page.hash_param = hash;
	if (user != NULL)
		db_set_websession(hash + 2); /* the actor of what this request audits */
	s->token = cookie_token;
	s->csrf = websession_csrf_of(a, raw);
	s->user = user;
	return DB_OK;
}

enum db_status websession_finish(struct arena *a, enum websession_use use)
{
	enum db_status st = DB_OK;
	if (page.assumed && page.expect.held && page.expect.due)
		st = websession_row_touch(a, page.hash_param);
	/* A request that could change the account (its name, role, confirmation) or the session
	 * does not leave it remembered as it was: the next page reads it afresh. */
	if (page.signed_in && use == WEBSESSION_WRITE)
		forget(page.hash);
	memset(&page, 0, sizeof page);
	return st;
}

int websession_presession(struct arena *a, struct websession *s)
{
	if (s->csrf != NULL)
		return 0;
	s->token = pre_mint(a, time(NULL) + PRESESSION_SECONDS);
	s->csrf = pre_csrf(a, s->token);
	return 1;
}

static enum db_status delete_current(struct arena *a, const struct websession *s)
{
	unsigned char raw[TOKEN_BYTES];
	if (websession_token_parse(s->token, raw) != 0)
		return DB_OK;
	return websession_row_delete(a, token_hash_param(a, raw, NULL));
}

enum db_status websession_start(struct arena *a, struct websession *s, long long user_id)
{
	enum db_status st = delete_current(a, s);
	if (st != DB_OK)
		return st;
	/* Now and then, sweep expired sessions so the table does not grow without bound. */
	if (randombytes_uniform(50) == 0)
		(void)websession_rows_sweep(a);
	unsigned char raw[TOKEN_BYTES];
	char hex[2 * TOKEN_BYTES + 1];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
	const char *hash = token_hash_param(a, raw, NULL);
	if ((st = websession_row_insert(a, hash, arena_printf(a, "%lld", user_id),
	    WEBSESSION_ABSOLUTE_SECONDS)) != DB_OK)
		return st;
	db_set_websession(hash + 2);
	s->token = arena_strdup(a, hex);
	s->csrf = websession_csrf_of(a, raw);
	s->user = NULL; /* loaded with the next request */
	return DB_OK;
}

enum db_status websession_end(struct arena *a, struct websession *s)
{
	enum db_status st = delete_current(a, s);
	memset(s, 0, sizeof *s);
	return st;
}

int websession_csrf_ok(const struct websession *s, const char *sent)
{
	if (s->csrf == NULL || sent == NULL)
		return 0;
	size_t n = strlen(s->csrf);
	if (strlen(sent) != n)
		return 0;
	return sodium_memcmp(sent, s->csrf, n) == 0;
}
