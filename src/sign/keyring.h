/* The secret half of the key in force, read from the keys directory and kept for the
 * life of the process: only the process that signs ever holds it. */
#ifndef ESONR_KEYRING_H
#define ESONR_KEYRING_H
#include <stddef.h>
#include "sign/signing.h"

void keyring_configure(const char *keys_dir);
const char *keyring_dir(void);
/* The secret key with this id (loaded on first use, or when the id in force changed).
 * 0 ok; -1 with err. */
int keyring_get(const char *id, const struct signing_key **k, char *err, size_t errlen);
/* Wipes the cached secret (after a rotation or compromise). */
void keyring_forget(void);

struct pades_identity;
/* The certificate for the PDF signature in production (PEM files, or a PKCS#12 file and its
 * password); all empty or NULL: the development one keygen made beside each key. */
void keyring_configure_pades(const char *cert, const char *key, const char *chain, const char *pkcs12,
    const char *pkcs12_password);
/* The PDF-signature identity to sign with while key id is in force: the configured one,
 * else DIR/ID.pades.crt and .key with DIR/ca.crt as chain. NULL with err when none. */
const struct pades_identity *keyring_pades(const char *id, char *err, size_t errlen);

#endif
