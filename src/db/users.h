/* Accounts: creation (registration, esonrctl user add), look-up, changes by the office. */
#ifndef ESONR_USERS_H
#define ESONR_USERS_H
#include "db/db.h"
#include "domain/user.h"

/* A new account (email and name already normalised, the password already hashed): *id.
 * Refused as a conflict on field "email" when an account has that address. */
enum db_status user_create(struct arena *a, const char *email, const char *name, enum role role,
    const char *password_hash, long long *id, struct refusal *ref);

/* A new registered name (already normalised), audited with the old one. Certificates keep
 * the name they were issued with until the office reissues them. Refused: not found. */
enum db_status user_rename(struct arena *a, const char *user_id, const char *name,
    const char *actor_id, struct refusal *ref);
/* What a login checks: the account's id and password hash (*hash NULL: no such account). */
enum db_status user_credentials(struct arena *a, const char *email, long long *user_id,
    const char **hash);
/* A new password hash (a rehash at login, a reset). */
enum db_status user_password_set(struct arena *a, long long user_id, const char *hash);
/* The id of the account with this e-mail, or NULL. */
enum db_status user_find(struct arena *a, const char *email, const char **user_id);
/* The same, only for an account of that role. */
enum db_status user_find_in_role(struct arena *a, const char *email, enum role role,
    const char **user_id);

/* A candidate's own registration, with the mail that asks to confirm the address, in one
 * transaction. DB_CONFLICT: the address has an account. */
enum db_status user_register(struct arena *a, const char *email, const char *name,
    const char *password_hash, long long *user_id);

#endif
