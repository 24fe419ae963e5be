/* Read models of the office's pages about people: the overview's numbers, the candidate
 * search and one candidate's file (records, attestations, certificates). */
#ifndef ESONR_OFFICE_H
#define ESONR_OFFICE_H
#include <stddef.h>
#include "db/db.h"

struct office_counts {
	long long candidates, booked, waitlisted; /* bookings of sessions not yet published */
};
enum db_status office_counts(struct arena *a, struct office_counts *out);

struct candidate_row {
	const char *id, *name, *email, *since; /* since: YYYY-MM-DD */
	long long bookings;                    /* not cancelled */
};
/* Candidates whose name or e-mail contains q (any case; "" for all), by name; at most
 * limit rows, *more set when there are others. */
enum db_status candidate_search(struct arena *a, const char *q, size_t limit,
    struct candidate_row **rows, size_t *n, int *more);
/* One candidate (not another role); *found 0 otherwise. */
enum db_status candidate_get(struct arena *a, const char *id, struct candidate_row *out, int *found);

struct attendance_entry {
	const char *course, *course_title, *edition_id, *cycle, *city, *date, *recorded_by;
};
struct mcq_entry {
	const char *course, *attempt, *date, *recorded_by;
	int passed;
};
struct attestation_entry {
	const char *title, *kind, *evidence_date, *checked_by, *checked_at;
};
struct certificate_entry {
	const char *number, *exam, *issued;
	const char *revoked_reason, *superseded_by; /* NULL unless revoked / superseded */
};
struct candidate_file {
	struct attendance_entry *attendances;
	size_t nattendances;
	struct mcq_entry *mcqs;
	size_t nmcqs;
	struct attestation_entry *attestations;
	size_t nattestations;
	struct certificate_entry *certificates;
	size_t ncertificates;
};
enum db_status candidate_file(struct arena *a, const char *user_id, struct candidate_file *out);

#endif
