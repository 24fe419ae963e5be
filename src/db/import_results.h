/* CSV import of one session's results, the examiner's spreadsheet (docs/import.md): the
 * whole roster at once through results_save(), or nothing. Checked without the database
 * first (results_import_parse), then against the session's roster (results_import_run). */
#ifndef ESONR_IMPORT_RESULTS_H
#define ESONR_IMPORT_RESULTS_H
#include <stddef.h>
#include "db/db.h"
#include "domain/results_import.h"

/* Checks the parsed rows against the session's booked candidates (each exactly once) and
 * the current results of examiner_id, then, unless dry_run or any error, saves the whole
 * roster with results_save() in one transaction. Nothing is written when no row changes.
 * DB_OK whenever the database answered: read rep (refused, errors, rows' messages). */
enum db_status results_import_run(struct arena *a, struct results_import *rep,
    const char *session_id, const char *examiner_id, int dry_run);

#endif
