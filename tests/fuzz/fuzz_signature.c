/*
 * libFuzzer target for the two signature parsers of src/sign/signing.c.
 * Input: a file offered for verification, read as a PDF with its signature trailer
 * (pdf_signature_parse, then the check over the bytes it says are signed) and as the text
 * of a scanned QR code (qr_record_parse, then qr_record_valid). An input that starts like a
 * PDF is also signed with a fixed key and must then verify.
 * Linked with tests/fuzz/replay.c it is a plain program that replays the files named on the
 * command line (saved crashers and the corpus) and prints one TAP line per file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "sign/signing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct arena *arena;
static struct signing_key key;

/* A fixed key pair (from a fixed seed) with its real id, so that runs are reproducible. */
static void setup(void)
{
	unsigned char seed[crypto_sign_SEEDBYTES];
	char hex[2 * crypto_sign_PUBLICKEYBYTES + 1];

	if (sodium_init() < 0)
		abort();
	memset(seed, 0x5A, sizeof seed);
	crypto_sign_seed_keypair(key.pk, key.sk, seed);
	key_public_hex(&key, hex);
	if (key_from_public_hex(hex, &key) != 0) /* fills key.id, keeps key.sk */
		abort();
	key.has_secret = 1;
	arena = arena_new();
}

/* What a parsed trailer promises: the signed bytes end with " ed25519=" inside the file. */
static void check_pdf(const uint8_t *data, size_t size)
{
	struct pdf_signature s;
	const char *why = NULL;

	if (pdf_signature_parse(data, size, &s, &why) != 0) {
		if (why == NULL)
			abort();
		return;
	}
	if (strlen(s.key_id) != KEY_ID_HEX || memchr(s.number, '\0', sizeof s.number) == NULL ||
	    s.signed_len < 9 || s.signed_len > size ||
	    memcmp(data + s.signed_len - 9, " ed25519=", 9) != 0)
		abort();
	/* Hashes all signed_len bytes: ASan sees a read past the file. */
	(void)pdf_signature_valid(data, &s, key.pk);
}

/* A file we sign ourselves must parse back and verify. */
static void check_roundtrip(const uint8_t *data, size_t size)
{
	struct pdf_signature s;
	unsigned char *signed_pdf;
	size_t len;
	const char *why = NULL;

	if (pdf_sign(arena, data, size, &key, "ESNR-2027-00042", size % 2 ? NULL : "2027-01-01T00:00:00Z", &signed_pdf, &len) != 0)
		abort();
	if (pdf_signature_parse(signed_pdf, len, &s, &why) != 0 ||
	    strcmp(s.key_id, key.id) != 0 || strcmp(s.number, "ESNR-2027-00042") != 0 ||
	    !pdf_signature_valid(signed_pdf, &s, key.pk))
		abort();
}

/* What a parsed record promises: the five fields, joined again, are the payload. */
static void check_qr(const uint8_t *data, size_t size)
{
	struct qr_record r;
	const unsigned char *payload;
	size_t plen;
	unsigned char sig[crypto_sign_BYTES];
	const char *why = NULL, *joined;
	/* The text arrives as a C string: cut at the first NUL, in an exact-size heap copy
	 * (not the arena) so that ASan sees any read past its end. */
	size_t n = strnlen((const char *)data, size);
	char *text = malloc(n + 1);

	if (text == NULL)
		abort();
	memcpy(text, data, n);
	text[n] = '\0';
	if (qr_record_parse(arena, text, &r, &payload, &plen, sig, &why) != 0) {
		if (why == NULL)
			abort();
		free(text);
		return;
	}
	if (r.number == NULL || r.name == NULL || r.qualification == NULL || r.date == NULL ||
	    r.key_id == NULL)
		abort();
	joined = arena_printf(arena, "%s|%s|%s|%s|%s", r.number, r.name, r.qualification, r.date,
	    r.key_id);
	if (memchr(payload, '\0', plen) == NULL &&
	    (strlen(joined) != plen || memcmp(joined, payload, plen) != 0))
		abort();
	(void)qr_record_valid(payload, plen, sig, key.pk);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (arena == NULL)
		setup();
	arena_reset(arena);
	check_pdf(data, size);
	if (size >= 5 && memcmp(data, "%PDF-", 5) == 0)
		check_roundtrip(data, size);
	check_qr(data, size);
	return 0;
}
