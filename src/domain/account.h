/* Rules for what an account may hold: pure functions, no database. */
#ifndef ESONR_ACCOUNT_H
#define ESONR_ACCOUNT_H
#include "core/arena.h"

#define NAME_MAX_CHARS 200
#define EMAIL_MAX 254

/* Trimmed and lower-cased copy, or NULL with *why set to the reason for the user. */
char *email_normalise(struct arena *a, const char *in, const char **why);
/* The name as it will be stored (outer white space trimmed), or NULL with *why. */
char *name_normalise(struct arena *a, const char *in, const char **why);

#endif
