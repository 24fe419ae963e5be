/* The rows of signed-in browser sessions, by the hash of their token (auth/websession.c
 * makes the tokens and hashes; no token itself is ever stored). */
#ifndef ESONR_WEBSESSIONS_H
#define ESONR_WEBSESSIONS_H
#include "db/db.h"
#include "domain/user.h"

/* The live session with this token hash, its last use refreshed: *found 0 when none (or
 * idle longer than idle_seconds); *user NULL for a row without an account. */
enum db_status websession_row_find(struct arena *a, const char *token_hash, int idle_seconds,
    int *found, struct user **user);
/* What a page assumes of a session this process remembers: that it is live and signed in
 * to user, as remembered (but for its records' version, which is read as it is). held and due are set when the page's round trip confirms it (due:
 * its last use is over a minute old, for websession_row_touch). */
struct websession_expectation {
	struct user *user; /* its records_version is set to the one confirmed */
	char idle[16];
	int held, due;
};
/* Assumes so (db_assume) for the rest of the page; token_hash and e must outlive it. */
void websession_row_assume(const char *token_hash, int idle_seconds, struct websession_expectation *e);
/* Records the session's use now (its last_seen_at), when the last was over a minute ago. */
enum db_status websession_row_touch(struct arena *a, const char *token_hash);
/* user_id NULL for a row without an account. */
enum db_status websession_row_insert(struct arena *a, const char *token_hash, const char *user_id,
    int lifetime_seconds);
enum db_status websession_row_delete(struct arena *a, const char *token_hash);
/* How many sessions (live or not) the account has. */
enum db_status websession_rows_of_user(struct arena *a, const char *user_id, long long *n);
/* Ends every session of the account (a password reset). */
enum db_status websession_rows_end_user(struct arena *a, const char *user_id);
/* Drops expired rows, so that the table does not grow without bound. */
enum db_status websession_rows_sweep(struct arena *a);

#endif
