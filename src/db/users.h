/* Changes to accounts made by the office. */
#ifndef ESONR_USERS_H
#define ESONR_USERS_H
#include "db/db.h"

/* A new registered name (already normalised), audited with the old one. Certificates keep
 * the name they were issued with until the office reissues them. */
enum db_status user_rename(struct arena *a, const char *user_id, const char *name,
    const char *actor_id, const char **why);
/* The id of the account with this e-mail, or NULL. */
enum db_status user_find(struct arena *a, const char *email, const char **user_id);

/* A candidate's own registration, with the mail that asks to confirm the address, in one
 * transaction. DB_CONFLICT: the address has an account. */
enum db_status user_register(struct arena *a, const char *email, const char *name,
    const char *password_hash, long long *user_id);

#endif
