/* Ed25519 signing keys, the signature trailer of certificate PDFs, and the compact signed
 * record carried by the QR code. The secret key lives in $VAR/keys and nowhere else. */
#ifndef ESONR_SIGNING_H
#define ESONR_SIGNING_H
#include <stddef.h>
#include <sys/types.h>
#include <sodium.h>
#include "core/arena.h"

#define KEY_ID_HEX 16

struct signing_key {
	char id[KEY_ID_HEX + 1];          /* hex of the first 8 bytes of BLAKE2b(public key) */
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	int has_secret;
};

/* Creates a key pair: DIR/ID.key (mode 0600) and DIR/ID.pub. 0 ok, -1 with err. */
int key_generate(const char *dir, struct signing_key *out, char *err, size_t errlen);
/* Reads DIR/ID.key (with its public half). 0 ok. */
int key_load_secret(const char *dir, const char *id, struct signing_key *out, char *err, size_t errlen);
/* Reads a public key file as written by key_generate. 0 ok. */
int key_load_public(const char *path, struct signing_key *out, char *err, size_t errlen);
/* Creates a file of the keys folder (never overwrites one), owned by the folder's owner when
 * run by root. 0 ok, -1 with err. */
int key_file_write(const char *path, const void *data, size_t n, mode_t mode, char *err, size_t errlen);
/* Destroys DIR/ID.key: overwritten with random bytes, synced, unlinked. 0 also when it
 * did not exist; -1 when it could not be destroyed. */
int key_destroy_secret(const char *dir, const char *id);
/* Public key from its hex text (as published); 0 ok. */
int key_from_public_hex(const char *hex, struct signing_key *out);
void key_public_hex(const struct signing_key *k, char out[2 * crypto_sign_PUBLICKEYBYTES + 1]);

/* The trailer appended after the PDF's %%EOF, a PDF comment readers ignore:
 *   %ESNR-SIGNATURE v2 key=ID number=NUMBER signed=YYYY-MM-DDTHH:MM:SSZ ed25519=BASE64\n
 * (v1, written before signing times were recorded, lacks signed=). The signature covers
 * every byte of the file before BASE64, so that changing any byte of the file, the
 * trailer's key, number or time included, breaks it. signed_at NULL writes v1. */
int pdf_sign(struct arena *a, const unsigned char *pdf, size_t len, const struct signing_key *k,
    const char *number, const char *signed_at, unsigned char **out, size_t *outlen);

struct pdf_signature {
	char key_id[KEY_ID_HEX + 1];
	char number[64];
	char signed_at[21];              /* UTC, as the signer wrote it; "" in a v1 trailer */
	unsigned char sig[crypto_sign_BYTES];
	size_t signed_len;               /* bytes covered by the signature */
};

/* The last occurrence of needle in h[0..hlen), or NULL (trailers are found from the end). */
const unsigned char *bytes_find_last(const unsigned char *h, size_t hlen, const char *needle);
/* 0 and the parsed trailer; -1 and *why when the file carries no well-formed signature. */
int pdf_signature_parse(const unsigned char *file, size_t len, struct pdf_signature *out,
    const char **why);
/* 1 when the signature is valid for the file under pk. */
int pdf_signature_valid(const unsigned char *file, const struct pdf_signature *s,
    const unsigned char pk[crypto_sign_PUBLICKEYBYTES]);

/* The QR code's signed record, "v1.PAYLOAD.SIG" in base64url: PAYLOAD is
 * number|name|qualification|date|key id in UTF-8. */
const char *qr_record_sign(struct arena *a, const struct signing_key *k, const char *number,
    const char *name, const char *qualification, const char *date);

struct qr_record {
	const char *number, *name, *qualification, *date, *key_id;
};
/* Splits the text (a whole URL with #v1… is accepted) without checking the signature. */
int qr_record_parse(struct arena *a, const char *text, struct qr_record *out,
    const unsigned char **payload, size_t *payload_len, unsigned char sig[crypto_sign_BYTES],
    const char **why);
int qr_record_valid(const unsigned char *payload, size_t payload_len,
    const unsigned char sig[crypto_sign_BYTES], const unsigned char pk[crypto_sign_PUBLICKEYBYTES]);

#endif
