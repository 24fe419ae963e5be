/* Certificates: the signed PDF of each record, revocation, reissue, and what verification
 * needs to know. The PDF is rendered and signed once, when the certificate is issued, and
 * kept: a download is always the very file that was signed. */
#ifndef ESONR_CERTIFICATES_H
#define ESONR_CERTIFICATES_H
#include "db/db.h"

/* Where verification URLs point, where the secret key is, which fonts draw names. */
void certificates_configure(const char *base_url, const char *keys_dir, const char *font_regular,
    const char *font_bold);

/* A new certificate record (no PDF yet) numbered ESNR-{exam}-{year}-{serial}: the serial
 * comes from a counter row locked until the caller's transaction ends, so numbers have no
 * gaps. supersedes and reason are NULL for a first issue. */
enum db_status certificate_record(struct arena *a, const char *exam, const char *year,
    const char *user_id, const char *session_id, const char *holder, const char *supersedes,
    const char *reason, const char **number);
/* Renders, signs and stores the PDF of an issued record, inside the caller's transaction.
 * DB_REFUSED with *why when no key is in force or the font cannot draw the name. */
enum db_status certificate_build(struct arena *a, const char *number, const char **why);
/* Checks, before anything is issued, that the holder's name can be drawn. */
const char *certificate_name_problem(struct arena *a, const char *name);

struct cert_info {
	const char *number, *user_id, *holder, *exam, *qualification, *level;
	const char *session_date, *place, *issued_on;
	const char *revoked_on, *revoked_reason, *superseded_by, *supersedes, *key_id;
};
/* *found is 0 for an unknown number. */
enum db_status certificate_find(struct arena *a, const char *number, struct cert_info *out, int *found);
/* The stored PDF; *len 0 when the record has none. */
enum db_status certificate_pdf(struct arena *a, const char *number, unsigned char **pdf, size_t *len);

enum db_status certificate_revoke(struct arena *a, const char *number, const char *reason,
    const char *actor_id, const char **why);
/* Issues a new number with the holder's current name; the old one is superseded. */
enum db_status certificate_reissue(struct arena *a, const char *number, const char *reason,
    const char *actor_id, const char **new_number, const char **why);

/* Public key (hex) of a known key id; NULL if unknown. *retired set. */
enum db_status signing_key_public(struct arena *a, const char *key_id, const char **hex, int *retired);

#endif
