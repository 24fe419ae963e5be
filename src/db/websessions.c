#include "db/websessions.h"

#include <stdio.h>
#include <string.h>

/* Idle expiry applies to signed-in sessions; pre-sessions only have the absolute one.
 * Reading a session writes nothing; last_seen_at is written at most once a minute, by a
 * separate UPDATE when it has become older than that (an UPDATE to the same value would
 * still write a row version and flush WAL at every page view). */
static struct db_stmt q_session_load = DB_READ("session_load",
    "SELECT u.id, u.email, u.full_name, u.role, s.last_seen_at < now() - interval '1 minute',"
    "   u.email_confirmed_at IS NOT NULL, u.records_version"
    " FROM websessions s LEFT JOIN users u ON u.id = s.user_id"
    " WHERE s.token_hash = $1 AND s.expires_at > now()"
    "   AND (s.user_id IS NULL OR s.last_seen_at > now() - make_interval(secs => $2::int))", 2);
static struct db_stmt q_session_touch = DB_STMT("session_touch",
    "UPDATE websessions SET last_seen_at = now() WHERE token_hash = $1"
    "   AND last_seen_at < now() - interval '1 minute'", 1);

/* The account of a q_session_load row (NULL for a row without one); -1 when its role is
 * unknown. The strings stay in r. */
static int row_user(struct arena *a, const PGresult *r, struct user **user)
{
	*user = NULL;
	if (db_val(r, 0, 0) == NULL)
		return 0;
	struct user *u = arena_zalloc(a, sizeof *u);
	u->id = db_int(r, 0, 0);
	snprintf(u->id_text, sizeof u->id_text, "%lld", u->id);
	u->email = db_val(r, 0, 1);
	u->full_name = db_val(r, 0, 2);
	if (role_parse(db_val(r, 0, 3), &u->role) != 0)
		return -1;
	u->email_confirmed = db_val(r, 0, 5) != NULL && strcmp(db_val(r, 0, 5), "t") == 0;
	u->records_version = db_int(r, 0, 6);
	*user = u;
	return 0;
}

enum db_status websession_row_find(struct arena *a, const char *token_hash, int idle_seconds,
    int *found, struct user **user)
{
	enum db_status st;
	char idle[16];
	snprintf(idle, sizeof idle, "%d", idle_seconds);
	*found = 0;
	*user = NULL;
	PGresult *r = db_run(a, &st, &q_session_load, token_hash, idle);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return DB_OK;
	if (strcmp(db_val(r, 0, 4), "t") == 0 && (st = websession_row_touch(a, token_hash)) != DB_OK)
		return st;
	*found = 1;
	return row_user(a, r, user) == 0 ? DB_OK : DB_ERROR;
}

static int same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The session is still live, still signed in to the same account, and the account still
 * reads as remembered: name, e-mail, role and confirmation (what pages show and decide on). */
static int expectation_holds(const PGresult *r, void *ctx)
{
	struct websession_expectation *e = ctx;
	struct user *u = e->user;
	enum role role;
	if (db_rows(r) != 1 || db_val(r, 0, 0) == NULL || db_int(r, 0, 0) != u->id)
		return 0;
	if (!same(db_val(r, 0, 1), u->email) || !same(db_val(r, 0, 2), u->full_name) ||
	    role_parse(db_val(r, 0, 3), &role) != 0 || role != u->role ||
	    (db_val(r, 0, 5) != NULL && strcmp(db_val(r, 0, 5), "t") == 0) != u->email_confirmed)
		return 0;
	e->held = 1;
	e->due = same(db_val(r, 0, 4), "t");
	u->records_version = db_int(r, 0, 6); /* as of now, not as remembered (not compared) */
	return 1;
}

void websession_row_assume(const char *token_hash, int idle_seconds, struct websession_expectation *e)
{
	snprintf(e->idle, sizeof e->idle, "%d", idle_seconds);
	e->held = e->due = 0;
	struct db_assumption as = { &q_session_load, { token_hash, e->idle }, expectation_holds, e };
	db_assume(&as);
}

enum db_status websession_row_touch(struct arena *a, const char *token_hash)
{
	enum db_status st;
	db_run(a, &st, &q_session_touch, token_hash);
	return st;
}

enum db_status websession_row_insert(struct arena *a, const char *token_hash, const char *user_id,
    int lifetime_seconds)
{
	char secs[16];
	snprintf(secs, sizeof secs, "%d", lifetime_seconds);
	return db_exec(a, "INSERT INTO websessions (token_hash, user_id, expires_at)"
	    " VALUES ($1, $2, now() + make_interval(secs => $3::int))", 3, token_hash, user_id, secs);
}

enum db_status websession_row_delete(struct arena *a, const char *token_hash)
{
	return db_exec(a, "DELETE FROM websessions WHERE token_hash = $1", 1, token_hash);
}

enum db_status websession_rows_sweep(struct arena *a)
{
	return db_exec(a, "DELETE FROM websessions WHERE expires_at < now()", 0);
}

enum db_status websession_rows_of_user(struct arena *a, const char *user_id, long long *n)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT count(*) FROM websessions WHERE user_id = $1", 1, user_id);
	*n = st == DB_OK ? db_int(r, 0, 0) : 0;
	return st;
}

enum db_status websession_rows_end_user(struct arena *a, const char *user_id)
{
	return db_exec(a, "DELETE FROM websessions WHERE user_id = $1", 1, user_id);
}
