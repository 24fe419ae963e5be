/* The office records attendances, module MCQs and attestations. One implementation
 * serves the admin pages, `esonrctl completion add` and the CSV import; every call is
 * idempotent, so importing the same file twice changes nothing. */
#ifndef ESONR_RECORDS_H
#define ESONR_RECORDS_H
#include "db/db.h"

struct record_result {
	int changed;          /* 0: the record was already there */
	const char *message;  /* what happened, or on DB_REFUSED why not */
	struct refusal refusal; /* on DB_REFUSED: bad field course / edition / kind (the values
	                         * given are wrong), not found / conflict for email, else conflict */
};

/* Looks up a candidate by e-mail (normalised); DB_REFUSED when unknown or not a candidate. */
enum db_status candidate_find(struct arena *a, const char *email, const char **user_id,
    struct record_result *res);

/* Attendance of a course or module on a date (edition_id may be NULL). */
enum db_status attendance_record(struct arena *a, const char *user_id, const char *course,
    const char *date, const char *edition_id, const char *recorded_by, struct record_result *res);
/* An MCQ attempt for the latest attendance of the module on or before date. */
enum db_status mcq_record(struct arena *a, const char *user_id, const char *course,
    const char *date, int passed, const char *recorded_by, struct record_result *res);
/* A completed course, or a module attended and its MCQ passed, on date. */
enum db_status completion_record(struct arena *a, const char *user_id, const char *course,
    const char *date, const char *recorded_by, struct record_result *res);
/* An attestation checked by the office, with its evidence date. */
enum db_status attestation_record(struct arena *a, const char *user_id, const char *kind,
    const char *evidence_date, const char *checked_by, struct record_result *res);

#endif
