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

#endif
