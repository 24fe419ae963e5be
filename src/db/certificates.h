/* The register of certificates: numbers, holders, the stored signed PDF of each, which key
 * signed it and when, revocation and supersession. Issuing is db/certificate_issue.h,
 * the verdict on a file db/certificate_check.h. */
#ifndef ESONR_CERTIFICATES_H
#define ESONR_CERTIFICATES_H
#include <stddef.h>
#include "db/db.h"

/* A new certificate record (no PDF yet) numbered ESNR-{exam}-{year}-{serial}: the serial
 * comes from a counter row locked until the caller's transaction ends, so numbers have no
 * gaps. supersedes and reason are NULL for a first issue. */
enum db_status certificate_record(struct arena *a, const char *exam, const char *year,
    const char *user_id, const char *session_id, const char *holder, const char *supersedes,
    const char *reason, const char **number);
/* Keeps the signed PDF of a record, with the key that signed it and when (UTC, ISO 8601). */
enum db_status certificate_store(struct arena *a, const char *number, const unsigned char *pdf,
    size_t len, const char *key_id, const char *signed_at, const char *qr_text);
enum db_status certificate_supersede(struct arena *a, const char *number, const char *by);

struct cert_info {
	const char *number, *user_id, *holder, *exam, *qualification, *level;
	const char *session_date, *place, *issued_on;
	const char *revoked_on, *revoked_reason, *superseded_by, *supersedes, *key_id;
	const char *signed_at; /* "2026-12-01T22:10:05Z", NULL before the PDF exists */
	const char *qr_text;   /* what its QR code holds: URL#record */
};
/* *found is 0 for an unknown number. */
enum db_status certificate_find(struct arena *a, const char *number, struct cert_info *out, int *found);
/* The stored PDF; *len 0 when the record has none. */
enum db_status certificate_pdf(struct arena *a, const char *number, unsigned char **pdf, size_t *len);

/* One line of a certificates list (the holder's own, or the office's). */
struct cert_row {
	const char *number, *exam, *qualification, *holder, *issued_on, *revoked_reason, *superseded_by;
	int revoked, has_pdf;
};
/* The holder's certificates (user_id), or every certificate when user_id is NULL; the
 * newest first, at most 500. */
enum db_status certificate_list(struct arena *a, const char *user_id, struct cert_row **rows, int *n);

/* Revokes a certificate in force, audited, with its mail. DB_REFUSED: not found (no such
 * number) or a conflict (already revoked). */
enum db_status certificate_revoke(struct arena *a, const char *number, const char *reason,
    const char *actor_id, struct refusal *ref);

/* A pass whose certificate could not be made: kept and reported to the office (audited),
 * so that one name does not stop a session's other certificates. */
enum db_status certificate_problem_note(struct arena *a, const char *booking_id, const char *actor_id,
    const char *problem);
/* Forgets the problem once the certificate has been issued. */
enum db_status certificate_problem_clear(struct arena *a, const char *booking_id);
struct cert_problem {
	const char *booking_id, *holder, *email, *problem;
};
/* The session's passes still without a certificate, and why. */
enum db_status certificate_problems(struct arena *a, const char *session_id, struct cert_problem **out, int *n);

/* "Level 1" or "Level 3 — Interventional Endovascular". */
const char *certificate_level_text(struct arena *a, const char *level, const char *branch);

#endif
