/* Anchors of the audit log outside PostgreSQL (issue 12).
 *
 * The hash chain in audit_log can be recomputed by whoever can write the database. An
 * anchor is the chain's head signed with an Ed25519 key that lives in $VAR/anchor (owned by
 * the stack's unprivileged user, which cannot rewrite the log), appended with the hashes of
 * the entries since the previous anchor to $VAR/anchor/anchors. Anyone who rewrites the log
 * later cannot make it match the anchors again without that key; `esonrctl audit verify`
 * compares them and names the first entry that differs.
 *
 * The file, one line each:
 *   entry ID HASH                                  (an entry since the previous anchor)
 *   anchor AT LAST_ID HEAD DIGEST KEYID SIG        (DIGEST: SHA-256 of this anchor's entry
 *                                                   lines; SIG over "esonr-audit-anchor v1
 *                                                   AT LAST_ID HEAD DIGEST")
 */
#ifndef ESONR_AUDIT_ANCHOR_H
#define ESONR_AUDIT_ANCHOR_H
#include <stddef.h>
#include "db/db.h"

/* The folder of the key and the anchors file ($VAR/anchor); set once per process. */
void audit_anchor_configure(const char *dir);

struct anchor_info {
	long long last_id;  /* the entry anchored (0: the log is empty) */
	long long entries;  /* entries added to the file by this anchor */
	char at[32];        /* UTC, ISO 8601 */
	char head[65];      /* the chain's head hash, hex */
	int unchanged;      /* nothing new since the previous anchor: none written */
};

/* Anchors the current head (creating the key on first use). Reads the log with the caller's
 * connection, outside any transaction of its own. 0, or -1 with err set. */
int audit_anchor_write(struct arena *a, struct anchor_info *out, char *err, size_t errlen);

struct anchor_check {
	int anchors;            /* anchors found (0: none yet) */
	long long anchored;     /* entries covered by them */
	char last_at[32];       /* the newest anchor's time */
	long long last_id;      /* the newest anchor's entry */
	const char *problem;    /* NULL when the log matches every anchor */
	long long rewritten_from; /* the first entry that differs from its anchor, or 0 */
};

/* Checks the anchors file (signatures, digests) and the log against it. 0 when both agree,
 * -1 with chk->problem (and rewritten_from when the log differs) otherwise. */
int audit_anchor_check(struct arena *a, struct anchor_check *chk);

/* Parses the text of an anchors file, digests checked but not signatures: for the fuzzer.
 * 0 and the counts, or -1 with *problem. */
int audit_anchor_parse(struct arena *a, const char *text, size_t len, int *anchors, long long *entries,
    const char **problem);

/* The newest anchor only, from the file (no database): for the office's page. 0 when there
 * is one, 1 when none yet, -1 when the file cannot be read. */
int audit_anchor_latest(struct anchor_info *out);

#endif
