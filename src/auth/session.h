/* Browser sessions: a random token in an HttpOnly cookie, only its hash in PostgreSQL.
 * The CSRF token is derived from the session token, so it changes when the session does. */
#ifndef ESONR_SESSION_H
#define ESONR_SESSION_H
#include "db/db.h"
#include "web/http.h"

#define SESSION_COOKIE "esonr_session"
#define SESSION_COOKIE_TLS "__Host-esonr_session" /* behind TLS (HTTPS=on from nginx) */
#define SESSION_IDLE_SECONDS (60 * 60)
#define SESSION_ABSOLUTE_SECONDS (12 * 60 * 60)
#define PRESESSION_SECONDS (2 * 60 * 60)

/* Draws the secret of visitors' pre-sessions: once in the parent, before the workers fork,
 * so that every worker accepts the tokens of the others. */
void session_init(void);
/* Finds the cookie's live session, fills req->user and req->csrf. */
enum db_status session_load(struct request *req);
/* A visitor's form needs a CSRF token: gives a pre-session (a signed cookie, no row). */
enum db_status session_ensure_csrf(struct request *req);
/* Signs user_id in with a fresh token; the previous one (pre-session or not) is gone. */
enum db_status session_start(struct request *req, long long user_id);
enum db_status session_end(struct request *req);
/* Pure pieces, exposed for unit tests: the cookie's hex token → 32 raw bytes (0 ok),
 * and the CSRF token derived from raw bytes. */
int session_token_parse(const char *hex, unsigned char raw[32]);
const char *session_csrf_of(struct arena *a, const unsigned char raw[32]);

/* Constant-time comparison of the posted csrf field with the session's. */
int session_csrf_ok(const struct request *req);

#endif
