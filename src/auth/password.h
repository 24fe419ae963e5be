/* Argon2id password hashes (crypto_pwhash_str). Parameters and their reasoning: README. */
#ifndef ESONR_PASSWORD_H
#define ESONR_PASSWORD_H
#include <stddef.h>
#include <sodium.h>
#include "domain/valid.h" /* PASSWORD_MIN, PASSWORD_MAX */

#define PASSWORD_OPSLIMIT 2ULL
#define PASSWORD_MEMLIMIT (19ULL * 1024 * 1024)

/* test != 0: libsodium's minimum cost, for test stacks only (config password_cost = test).
 * Called before password_init. */
void password_configure(int test);
int password_init(void);
/* 0 on success. */
int password_hash(char out[crypto_pwhash_STRBYTES], const char *password);
/* 1 when the password matches. With hash NULL it spends the same time and says no,
 * so that an unknown e-mail address cannot be told from a wrong password by timing. */
int password_verify(const char *hash, const char *password);
int password_needs_rehash(const char *hash);
/* NULL when acceptable, else the reason to show beside the field. */
const char *password_problem(const char *password);

#endif
