/* CSV import of completion records (docs/import.md), the database half: the rows that
 * domain/completion_import.c checked run in one transaction, each in a savepoint; any error
 * anywhere and nothing is stored. */
#ifndef ESONR_IMPORT_H
#define ESONR_IMPORT_H
#include <stddef.h>
#include "db/db.h"
#include "db/records.h"
#include "domain/completion_import.h"

/* Runs the rows of a clean import_parse in one transaction: committed unless dry_run or a
 * row was refused (then rolled back). DB_OK whenever the database answered: read rep. */
enum db_status import_run(struct arena *a, struct import_report *rep, const char *recorded_by,
    int dry_run);

/* The record call of one checked row, shared with the office's own form; call it inside a
 * transaction (a completion writes an attendance and an MCQ). DB_REFUSED: res->message. */
enum db_status import_row_apply(struct arena *a, const char *user_id, const struct import_row *r,
    const char *recorded_by, struct record_result *res);


#endif
