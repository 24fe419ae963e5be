/* Issuing a certificate: the record's data is drawn into a PDF (src/pdf), signed with the
 * key in force (src/sign) and stored in the register (db/certificates). Done once, when the
 * certificate is issued: a download is always the very file that was signed. */
#ifndef ESONR_CERTIFICATE_ISSUE_H
#define ESONR_CERTIFICATE_ISSUE_H
#include "db/db.h"

/* Where verification URLs point, where the secret key is, which fonts draw names. */
void certificates_configure(const char *base_url, const char *keys_dir, const char *font_regular,
    const char *font_bold);
/* The PDF signature's certificate in production (config pades_*); empty: the development one
 * esonrctl keygen makes beside each key. Only the signer process signs. */
void certificates_configure_pades(const char *cert, const char *key, const char *chain, const char *pkcs12,
    const char *pkcs12_password);
/* NULL when the certificate font draws every character of name; else why not. */
const char *certificate_name_problem(struct arena *a, const char *name);
/* The check a holder's name passes when it is registered or changed (DESIGN §4), so that
 * publication never fails on one candidate: NULL when it can be printed on a certificate,
 * else one sentence for the user naming the character. */
const char *holder_name_problem(struct arena *a, const char *name);
/* Inside the transaction that records a certificate: DB_REFUSED (a conflict) when no key is
 * in force, or when holder (unless NULL) cannot be printed, so that nothing is recorded that
 * could not be signed. */
enum db_status certificate_can_issue(struct arena *a, const char *holder, struct refusal *ref);
/* Once that transaction has committed: asks the signer process for the PDFs still unsigned
 * of the session (session_id) or of one certificate (number). *pending (may be NULL) counts
 * those it could not sign now; the signer signs them by itself when it runs again. */
void certificates_sign(struct arena *a, const char *session_id, const char *number, int *pending);
/* The signer's own work (bin/esonr-signer, the only process that reads the secret key):
 * renders, signs and stores the PDF of a record, inside the caller's transaction.
 * DB_REFUSED: not found (no such record), or a conflict (no key in force, the font cannot
 * draw the name, the key or the PDF signing certificate cannot be used). */
enum db_status certificate_build(struct arena *a, const char *number, struct refusal *ref);
/* The signer's answer to a request for one record, in a transaction of its own: builds the
 * PDF when the record is being issued (recorded, unsigned, neither revoked nor superseded).
 * DB_OK with *done 1 when it had been signed already; DB_REFUSED: not found, or a conflict
 * (revoked or superseded, or what certificate_build refuses). */
enum db_status certificate_sign_recorded(struct arena *a, const char *number, int *done,
    struct refusal *ref);
/* The records still unsigned (neither revoked nor superseded) of session_id, or the one
 * numbered number, or every one when both are NULL; the oldest first, at most max (0: all). */
enum db_status certificate_unsigned(struct arena *a, const char *session_id, const char *number,
    int max, const char ***numbers, int *n);
/* Issues a new number with the holder's current name under the key in force; the old one
 * is superseded. Audited. DB_REFUSED: not found (no such number), or a conflict (revoked,
 * superseded, no key in force, a name that cannot be printed). */
enum db_status certificate_reissue(struct arena *a, const char *number, const char *reason,
    const char *actor_id, const char **new_number, struct refusal *ref);

#endif
