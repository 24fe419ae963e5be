/* The standard PDF signature (PAdES baseline B, DESIGN §4) that PDF viewers show: an
 * incremental update on libharu's output adds a signature field (an invisible widget on the
 * page), an /AcroForm with /SigFlags 3 and a /Sig dictionary whose /Contents holds a detached
 * CMS signature (ECDSA P-256, SHA-256, signed attributes with signing-certificate-v2) over
 * the /ByteRange: every byte of the file except the /Contents value.
 *
 * What covers what: the PAdES revision is made first; the Ed25519 trailer (sign/signing.h)
 * is then appended after its %%EOF and covers every byte before it, the PAdES revision and
 * its CMS included. So the Ed25519 check (online and offline) sees any changed byte anywhere,
 * and viewers check the PAdES signature, which covers the whole document but that trailing
 * comment (pdfsig: "Not total document signed"; a comment is no revision of the document).
 * The other order would leave the PAdES revision, which could replace the page's objects,
 * outside the Ed25519 check. The CMS carries no signing-time attribute: /M says when. */
#ifndef ESONR_PADES_H
#define ESONR_PADES_H
#include <stddef.h>
#include "core/arena.h"

struct pades_identity;

/* The signing certificate and key: PEM files (cert, key, optional chain), or a PKCS#12 file
 * (p12, with its password) holding key, certificate and chain. NULL with err on failure. */
struct pades_identity *pades_load(const char *cert_pem, const char *key_pem, const char *chain_pem,
    const char *p12, const char *p12_password, char *err, size_t errlen);
void pades_free(struct pades_identity *id);
/* The signer's name as viewers show it (the certificate's common name). */
const char *pades_signer_name(const struct pades_identity *id);

struct pades_info {
	const char *signed_at;  /* UTC, 2026-12-01T22:10:05Z: the /M entry */
	const char *reason, *location, *contact;
};

/* Appends the signing revision to pdf (a classic-xref PDF as libharu writes it, one page
 * without annotations or form). 0 ok; -1 with err. */
int pades_sign(struct arena *a, const unsigned char *pdf, size_t len, const struct pades_identity *id,
    const struct pades_info *info, unsigned char **out, size_t *outlen, char *err, size_t errlen);

/* What pades_sign needs from the PDF it extends; exposed for the fuzz harness. 0 ok. */
struct pades_layout {
	unsigned long root, page, size, prev_xref;
	size_t root_at, root_end, page_at, page_end; /* the dictionaries' << … >> */
	const char *id; size_t id_len;                /* the trailer's /ID array, or NULL */
	unsigned long info;                           /* 0 when none */
};
int pades_read_layout(const unsigned char *pdf, size_t len, struct pades_layout *out, const char **why);

/* For development (esonrctl keygen): a local CA in DIR (ca.crt, ca.key, made once) and a
 * signing certificate for key ID under it (ID.pades.crt, ID.pades.key). 0 ok. */
int pades_dev_identity_create(const char *dir, const char *id, char *err, size_t errlen);

#endif
