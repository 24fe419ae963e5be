/* Per-address limits on what costs the site or others something: sign-ups (an Argon2id
 * hash and an account each), password resets (a mail each), certificate uploads. Counted in
 * PostgreSQL, so that every worker, and several hosts in front of one database, share them;
 * nginx's limit_req slows bursts down before they reach a worker. */
#ifndef ESONR_RATE_H
#define ESONR_RATE_H
#include "db/db.h"

#define RATE_WINDOW_SECONDS (60 * 60)

enum rate_action { RATE_REGISTER, RATE_PASSWORD, RATE_VERIFY, RATE__MAX };

/* Attempts allowed per address key (core/netaddr.h) in the window, per action. */
void rate_configure(int register_limit, int password_limit, int verify_limit);
/* Which action a request counts as, or RATE__MAX for none: POST /register, POST
 * /password/..., POST /verify. */
enum rate_action rate_action_of(const char *method, const char *path);
/* Counts one attempt of ACT from ADDRESS; *retry_after is 0 when it may go ahead, else the
 * seconds until it may (nothing is counted then). */
enum db_status rate_hit(struct arena *a, enum rate_action act, const char *address, int *retry_after);

#endif
