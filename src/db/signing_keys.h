/* The register of signing keys: which key is in force, which are retired or compromised,
 * and the period each one signed in. Public halves only: secrets live in $VAR/keys. */
#ifndef ESONR_SIGNING_KEYS_H
#define ESONR_SIGNING_KEYS_H
#include "db/db.h"

enum key_state { KEY_IN_FORCE, KEY_RETIRED, KEY_COMPROMISED };

struct key_record {
	const char *id, *public_hex;
	enum key_state state;
	const char *from, *until;           /* "2026-12-01 22:10 UTC"; until NULL while in force */
	const char *from_iso, *until_iso;   /* "2026-12-01T22:10:05Z", as signing times are written */
	const char *compromised_on, *compromised_reason;
};

const char *key_state_name(enum key_state s); /* "in force", "retired", "compromised" */

/* *found 0 for an id the register does not know. */
enum db_status signing_key_find(struct arena *a, const char *id, struct key_record *out, int *found);
/* Every key, the newest first. */
enum db_status signing_key_list(struct arena *a, struct key_record **out, int *n);
/* The id of the key in force, or NULL when there is none. */
enum db_status signing_key_in_force(struct arena *a, const char **id);
/* Records a new key in force and retires the previous one (its id in *retired, or NULL),
 * audited, in one transaction. */
enum db_status signing_key_rotate(struct arena *a, const char *id, const char *public_hex,
    const char **retired);
/* Marks a key compromised (and retired), audited. DB_REFUSED: not found (unknown id) or a
 * conflict (already compromised). *numbers: the certificates in force it signed, to be
 * reissued. */
enum db_status signing_key_compromise(struct arena *a, const char *id, const char *reason,
    const char *actor_id, const char ***numbers, int *n, struct refusal *ref);

#endif
