#include "auth/rate.h"

#include <string.h>

#include "db/rate_events.h"

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

enum db_status rate_hit(struct arena *a, enum rate_action act, const char *address, int *retry_after)
{
	*retry_after = 0;
	if (act >= RATE__MAX)
		return DB_OK;
	return rate_event_hit(a, action_names[act], address ? address : "-", limits[act],
	    RATE_WINDOW_SECONDS, retry_after);
}
