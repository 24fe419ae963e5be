/* The published list of signing keys (GET /verify/keys.txt), for checks made without the
 * register: each key with its state and the period it signed in. One line per key:
 *   key ID PUBLIC-HEX FROM UNTIL STATE
 * FROM and UNTIL in UTC as 2026-12-01T22:10:05Z (UNTIL "-" while in force), STATE one of
 * in-force, retired, compromised. Lines starting with '#' are comments. */
#ifndef ESONR_KEYLIST_H
#define ESONR_KEYLIST_H
#include <stddef.h>
#include "core/arena.h"
#include "sign/signing.h"

enum published_state { PUBLISHED_IN_FORCE, PUBLISHED_RETIRED, PUBLISHED_COMPROMISED };

struct published_key {
	struct signing_key key;   /* public half only */
	char from[21], until[21]; /* until "" while in force */
	enum published_state state;
};

struct keylist {
	struct published_key *keys;
	int n;
};

/* One line of the list (with its newline). until NULL while in force. */
const char *keylist_line(struct arena *a, const char *id, const char *public_hex, const char *from,
    const char *until, enum published_state state);
/* Parses a list; 0 ok (at least one key), -1 with *why. */
int keylist_parse(struct arena *a, const char *text, size_t len, struct keylist *out, const char **why);
const struct published_key *keylist_find(const struct keylist *l, const char *id);

/* What the list says about a signature by key k made at signed_at ("" when unknown):
 * NULL when the list vouches for the key at that time, else one sentence why not. */
const char *keylist_problem(struct arena *a, const struct published_key *k, const char *signed_at);

#endif
