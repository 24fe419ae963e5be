/* The register's verdict on a certificate (DESIGN §4): a file is genuine only when its
 * signature verifies with the key the register recorded for its number, that key is not
 * compromised, the number is not revoked, and the file is the very one the ESNR issued. */
#ifndef ESONR_CERTIFICATE_CHECK_H
#define ESONR_CERTIFICATE_CHECK_H
#include <stddef.h>
#include "db/certificates.h"
#include "db/signing_keys.h"

struct cert_verdict {
	int genuine;              /* the register vouches for it (a superseded one included) */
	const char *why;          /* when not genuine: one sentence for the user */
	int found;                /* the number is in the register: info is filled */
	struct cert_info info;
	int key_known;            /* the register's key for the number: key is filled */
	struct key_record key;
};

/* An uploaded or given file. */
enum db_status certificate_check_file(struct arena *a, const unsigned char *file, size_t len,
    struct cert_verdict *v);
/* A number (GET /verify/{number}): the register's own copy is checked too. */
enum db_status certificate_check_number(struct arena *a, const char *number, struct cert_verdict *v);
/* A QR record (the scanned text, a URL with #record or the record alone): its key must be
 * the register's for that number, and the record the one the register issued. */
enum db_status certificate_check_record(struct arena *a, const char *number, const char *key_id,
    const char *text, struct cert_verdict *v);

#endif
