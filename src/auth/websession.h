/* Browser sessions ("websessions", not exam sessions): a random token in an HttpOnly
 * cookie, only its hash in PostgreSQL. The CSRF token is derived from the session token,
 * so it changes when the session does. This module works on tokens and returns the user;
 * reading and writing the cookie is the web layer's (web/http.c, http_websession_*). */
#ifndef ESONR_WEBSESSION_H
#define ESONR_WEBSESSION_H
#include "db/db.h"
#include "domain/user.h"

#define WEBSESSION_COOKIE "esonr_session"
#define WEBSESSION_COOKIE_TLS "__Host-esonr_session" /* behind TLS (HTTPS=on from nginx) */
#define WEBSESSION_IDLE_SECONDS (60 * 60)
#define WEBSESSION_ABSOLUTE_SECONDS (12 * 60 * 60)
#define PRESESSION_SECONDS (2 * 60 * 60)

struct websession {
	const char *token; /* as in the cookie: 64 hex digits, or a pre-session; NULL: none */
	const char *csrf;  /* NULL without a session */
	struct user *user; /* NULL for visitors and pre-sessions */
};

/* Draws the secret of visitors' pre-sessions: once in the parent, before the workers fork,
 * so that every worker accepts the tokens of the others. */
void websession_init(void);
/* What the request may do with the session: WRITE, a request that can change it or its
 * account (POST): read from the database, and forgotten afterwards; READ (GET, HEAD): a
 * session this process remembers is taken as it was and confirmed in the page's round trip
 * (db_assume: DB_STALE from a later call means it did not hold, and the page is served
 * again with READ_FRESH); READ_FRESH: read from the database and remembered. */
enum websession_use { WEBSESSION_WRITE, WEBSESSION_READ, WEBSESSION_READ_FRESH };
/* The live session of the cookie's token (NULL or anything: no session, DB_OK). */
enum db_status websession_load(struct arena *a, const char *cookie_token, enum websession_use use,
    struct websession *s);
/* After the page, once db_assume(NULL) has ended what it assumed: records the session's use
 * when due, and forgets the session after a WRITE. */
enum db_status websession_finish(struct arena *a, enum websession_use use);
/* A visitor's form needs a CSRF token: a pre-session (a signed token, no row). 1 when s
 * got a new token that the caller must send as the cookie, 0 when it had one. */
int websession_presession(struct arena *a, struct websession *s);
/* Signs user_id in with a fresh token (send it as the cookie); the previous one is gone. */
enum db_status websession_start(struct arena *a, struct websession *s, long long user_id);
/* Ends the session (the caller expires the cookie). */
enum db_status websession_end(struct arena *a, struct websession *s);
/* Constant-time comparison of a posted csrf field with the session's. */
int websession_csrf_ok(const struct websession *s, const char *sent);

/* Pure pieces, exposed for unit tests: the cookie's hex token → 32 raw bytes (0 ok),
 * and the CSRF token derived from raw bytes. */
int websession_token_parse(const char *hex, unsigned char raw[32]);
const char *websession_csrf_of(struct arena *a, const unsigned char raw[32]);

#endif
