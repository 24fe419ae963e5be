#include "auth/rate.h"

#include <stdio.h>
#include <string.h>

static const char *const action_names[RATE__MAX] = { "register", "password", "verify" };
static int limits[RATE__MAX] = { 30, 30, 300 };

void rate_configure(int register_limit, int password_limit, int verify_limit)
{
	limits[RATE_REGISTER] = register_limit;
	limits[RATE_PASSWORD] = password_limit;
	limits[RATE_VERIFY] = verify_limit;
}

enum rate_action rate_action_of(const char *method, const char *path)
{
	if (method == NULL || path == NULL || strcmp(method, "POST") != 0)
		return RATE__MAX;
	if (strcmp(path, "/register") == 0)
		return RATE_REGISTER;
	if (strncmp(path, "/password/", 10) == 0)
		return RATE_PASSWORD;
	if (strcmp(path, "/verify") == 0)
		return RATE_VERIFY;
	return RATE__MAX;
}

struct hit_ctx {
	const char *action, *address;
	int *retry_after;
};

static enum db_status hit_body(struct arena *a, void *p)
{
	struct hit_ctx *c = p;
	enum db_status st;
	char window[16], offset[16];
	snprintf(window, sizeof window, "%d", RATE_WINDOW_SECONDS);
	snprintf(offset, sizeof offset, "%d", limits[strcmp(c->action, "register") == 0 ? RATE_REGISTER :
	    strcmp(c->action, "password") == 0 ? RATE_PASSWORD : RATE_VERIFY] - 1);
	/* One address's attempts are counted one at a time (class 43: no other advisory lock). */
	if ((st = db_exec(a, "SELECT pg_advisory_xact_lock(43, hashtext($1 || ' ' || $2))", 2, c->action,
	    c->address)) != DB_OK)
		return st;
	/* As for logins: the limit-th newest attempt in the window says when the next is allowed. */
	PGresult *r = db_query(a, &st,
	    "SELECT coalesce((SELECT greatest(1, ceil(extract(epoch FROM at + make_interval(secs => $3::int)"
	    "   - now())))::int FROM rate_events WHERE action = $1 AND address = $2"
	    "   AND at > now() - make_interval(secs => $3::int) ORDER BY at DESC OFFSET $4::int LIMIT 1), 0)",
	    4, c->action, c->address, window, offset);
	if (st != DB_OK)
		return st;
	*c->retry_after = (int)db_int(r, 0, 0);
	if (*c->retry_after > 0)
		return DB_OK;
	return db_exec(a, "INSERT INTO rate_events (action, address) VALUES ($1, $2)", 2, c->action, c->address);
}

enum db_status rate_hit(struct arena *a, enum rate_action act, const char *address, int *retry_after)
{
	*retry_after = 0;
	if (act >= RATE__MAX)
		return DB_OK;
	struct hit_ctx c = { action_names[act], address ? address : "-", retry_after };
	return db_tx(a, DB_READ_COMMITTED, hit_body, &c);
}
