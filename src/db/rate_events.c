#include "db/rate_events.h"

#include <stdio.h>

struct hit_ctx {
	const char *action, *address;
	int limit, window;
	int *retry_after;
};

static enum db_status hit_body(struct arena *a, void *p)
{
	struct hit_ctx *c = p;
	enum db_status st;
	char window[16], offset[16];
	snprintf(window, sizeof window, "%d", c->window);
	snprintf(offset, sizeof offset, "%d", c->limit - 1);
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

enum db_status rate_event_hit(struct arena *a, const char *action, const char *address, int limit,
    int window_seconds, int *retry_after)
{
	struct hit_ctx c = { action, address, limit, window_seconds, retry_after };
	return db_tx(a, DB_READ_COMMITTED, hit_body, &c);
}
