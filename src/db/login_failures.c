#include "db/login_failures.h"

#include <stdio.h>

enum db_status login_failures_retry_after(struct arena *a, const char *email, const char *address,
    const struct throttle_limits *lim, int *retry_after)
{
	enum db_status st;
	char window[16], per_account[16], per_address[16], anywhere[16];
	snprintf(window, sizeof window, "%d", lim->window_seconds);
	snprintf(per_account, sizeof per_account, "%d", lim->per_account - 1);
	snprintf(per_address, sizeof per_address, "%d", lim->per_address - 1);
	snprintf(anywhere, sizeof anywhere, "%d", lim->per_account_anywhere - 1);
	/* The limit-th most recent failure in the window decides: once it leaves the
	 * window, fewer than `limit` remain and logins may be tried again. */
	PGresult *r = db_query(a, &st,
	    "SELECT greatest(0,"
	    " (SELECT ceil(extract(epoch FROM failed_at + make_interval(secs => $3::int) - now()))"
	    "   FROM login_failures WHERE email = $1 AND address = $2"
	    "     AND failed_at > now() - make_interval(secs => $3::int)"
	    "   ORDER BY failed_at DESC OFFSET $4::int LIMIT 1),"
	    " (SELECT ceil(extract(epoch FROM failed_at + make_interval(secs => $3::int) - now()))"
	    "   FROM login_failures WHERE email = $1 AND failed_at > now() - make_interval(secs => $3::int)"
	    "   ORDER BY failed_at DESC OFFSET $6::int LIMIT 1),"
	    " (SELECT ceil(extract(epoch FROM failed_at + make_interval(secs => $3::int) - now()))"
	    "   FROM login_failures WHERE address = $2 AND failed_at > now() - make_interval(secs => $3::int)"
	    "   ORDER BY failed_at DESC OFFSET $5::int LIMIT 1))",
	    6, email, address, window, per_account, per_address, anywhere);
	if (st != DB_OK)
		return st;
	*retry_after = (int)db_int(r, 0, 0);
	return DB_OK;
}

enum db_status login_failures_lock(struct arena *a, const char *email)
{
	/* Class 42 keeps these locks apart from any other advisory lock. */
	return db_exec(a, "SELECT pg_advisory_xact_lock(42, hashtext($1))", 1, email);
}

enum db_status login_failure_record(struct arena *a, const char *email, const char *address)
{
	return db_exec(a, "INSERT INTO login_failures (email, address) VALUES ($1, $2)", 2,
	    email, address);
}

enum db_status login_failures_clear(struct arena *a, const char *email)
{
	return db_exec(a, "DELETE FROM login_failures WHERE email = $1", 1, email);
}
