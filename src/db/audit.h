/* The append-only, hash-chained audit log (sql/004_results.sql). */
#ifndef ESONR_AUDIT_H
#define ESONR_AUDIT_H
#include <stdio.h>
#include "db/db.h"

/* Appends one entry inside the caller's transaction. before/after are JSON text (or NULL);
 * actor_id NULL for the command line. */
enum db_status audit_record(struct arena *a, const char *actor_id, const char *action,
    const char *entity, const char *entity_id, const char *before, const char *after);
/* Recomputes the whole chain; 0 when intact, else -1 with the first broken entry in *why. */
int audit_verify(struct arena *a, long long *entries, const char **why);

#endif
