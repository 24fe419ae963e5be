/* Applies sql/NNN_*.sql in order, each in its own transaction, recording what was applied. */
#ifndef ESONR_MIGRATE_H
#define ESONR_MIGRATE_H
#include <stdio.h>

/* Connected as the owner role already. 0 ok; -1 with the reason printed to err. */
int migrate_apply(const char *sql_dir, FILE *out, FILE *err);

#endif
