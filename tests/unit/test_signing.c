/* Signatures of certificate PDFs and QR records: any change is detected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "sign/signing.h"

static const char pdf_text[] = "%PDF-1.3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

int main(void)
{
	struct arena *a = arena_new();
	char err[256], dir[] = "/tmp/esonr-test-keys-XXXXXX", path[512];
	struct signing_key k, other, loaded, pub;
	CHECK(mkdtemp(dir) != NULL, "a temporary key directory");
	CHECK(key_generate(dir, &k, err, sizeof err) == 0, "a key pair is generated");
	CHECK(key_generate(dir, &other, err, sizeof err) == 0, "a second key pair is generated");
	CHECK(strlen(k.id) == KEY_ID_HEX && strcmp(k.id, other.id) != 0, "keys have distinct 16-hex-digit ids");

	struct stat sb;
	snprintf(path, sizeof path, "%s/%s.key", dir, k.id);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "the secret key file has mode 0600");
	CHECK(key_load_secret(dir, k.id, &loaded, err, sizeof err) == 0 &&
	    memcmp(loaded.pk, k.pk, sizeof k.pk) == 0, "the secret key reads back with its public half");
	snprintf(path, sizeof path, "%s/%s.pub", dir, k.id);
	CHECK(key_load_public(path, &pub, err, sizeof err) == 0 && !pub.has_secret &&
	    strcmp(pub.id, k.id) == 0, "the public key file reads back, without the secret");
	char hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
	key_public_hex(&k, hex);
	snprintf(path, sizeof path, "%s/published.txt", dir);
	FILE *f = fopen(path, "w");
	fprintf(f, "%s\n", hex);
	fclose(f);
	CHECK(key_load_public(path, &pub, err, sizeof err) == 0 && strcmp(pub.id, k.id) == 0,
	    "a key file holding just the 64 hex digits published on /verify/keys is accepted");
	f = fopen(path, "wb");
	fwrite(k.pk, 1, sizeof k.pk, f);
	fclose(f);
	CHECK(key_load_public(path, &pub, err, sizeof err) == 0 && strcmp(pub.id, k.id) == 0,
	    "a key file holding the raw 32 bytes is accepted");
	f = fopen(path, "w");
	fputs("not a key\n", f);
	fclose(f);
	CHECK(key_load_public(path, &pub, err, sizeof err) != 0, "a file that is no key is refused");
	unlink(path);
	CHECK(key_load_secret(dir, "0000000000000000", &loaded, err, sizeof err) != 0,
	    "an unknown key id is not found");

	unsigned char *signed_pdf;
	size_t len;
	CHECK(pdf_sign(a, (const unsigned char *)pdf_text, strlen(pdf_text), &k, "ESNR-L1-2027-0001",
	    "2027-05-04T10:00:00Z", &signed_pdf, &len) == 0, "a PDF is signed");
	CHECK(len > strlen(pdf_text) && memcmp(signed_pdf, pdf_text, strlen(pdf_text)) == 0,
	    "signing appends to the PDF and keeps its bytes");
	CHECK(signed_pdf[len - 1] == '\n', "the signature trailer ends with a newline");

	struct pdf_signature s;
	const char *why = NULL;
	CHECK(pdf_signature_parse(signed_pdf, len, &s, &why) == 0, "the trailer parses");
	CHECK_STR(s.key_id, k.id, "the trailer names the signing key");
	CHECK_STR(s.number, "ESNR-L1-2027-0001", "the trailer names the certificate");
	CHECK_STR(s.signed_at, "2027-05-04T10:00:00Z", "the trailer carries the signing time");
	CHECK(pdf_signature_valid(signed_pdf, &s, k.pk), "the untouched file verifies");
	CHECK(!pdf_signature_valid(signed_pdf, &s, other.pk), "another key does not verify it");

	int every_byte_detected = 1;
	for (size_t i = 0; i < len - 1; i++) {
		unsigned char *copy = arena_alloc(a, len);
		memcpy(copy, signed_pdf, len);
		copy[i] ^= 0x01;
		struct pdf_signature t;
		if (pdf_signature_parse(copy, len, &t, &why) == 0 && pdf_signature_valid(copy, &t, k.pk))
			every_byte_detected = 0;
	}
	CHECK(every_byte_detected, "changing any single byte of the file is detected");

	unsigned char *longer = arena_alloc(a, len + 1);
	memcpy(longer, signed_pdf, len);
	longer[len] = 'x';
	CHECK(pdf_signature_parse(longer, len + 1, &s, &why) != 0, "data after the signature is refused");
	CHECK(pdf_signature_parse((const unsigned char *)pdf_text, strlen(pdf_text), &s, &why) != 0 &&
	    strstr(why, "not a certificate of ours") != NULL, "an unsigned PDF is not a certificate of ours");
	CHECK(pdf_signature_parse((const unsigned char *)"hello", 5, &s, &why) != 0, "a non-PDF is refused");
	const char *spaced = "%PDF-1\n%ESNR-SIGNATURE v1 key=0123456789abcdef number=ESNR-X-2027-0001\ted25519=AAAA\n";
	CHECK(pdf_signature_parse((const unsigned char *)spaced, strlen(spaced), &s, &why) != 0,
	    "a trailer with a tab instead of a space is malformed, not misread");

	const char *rec = qr_record_sign(a, &k, "ESNR-L1-2027-0001", "Zoë | Łukasiewicz",
	    "Level 1 certificate in neuroradiology", "2027-05-03");
	struct qr_record q;
	const unsigned char *payload;
	size_t plen;
	unsigned char sig[crypto_sign_BYTES];
	const char *url = arena_printf(a, "https://portal.esnr.org/verify/ESNR-L1-2027-0001#%s", rec);
	CHECK(qr_record_parse(a, url, &q, &payload, &plen, sig, &why) == 0, "a QR text (URL with record) parses");
	CHECK_STR(q.name, "Zoë | Łukasiewicz", "a name containing '|' survives the record");
	CHECK_STR(q.date, "2027-05-03", "the record keeps the session date");
	CHECK_STR(q.key_id, k.id, "the record names its key");
	CHECK(qr_record_valid(payload, plen, sig, k.pk), "the record's signature verifies");
	unsigned char *bad = arena_alloc(a, plen);
	memcpy(bad, payload, plen);
	bad[0] ^= 1;
	CHECK(!qr_record_valid(bad, plen, sig, k.pk), "a changed record does not verify");
	CHECK(qr_record_parse(a, "https://portal.esnr.org/verify/X", &q, &payload, &plen, sig, &why) != 0,
	    "a plain URL without a record is not a record");

	unsigned char *v1;
	size_t v1len;
	CHECK(pdf_sign(a, (const unsigned char *)pdf_text, strlen(pdf_text), &k, "ESNR-L1-2027-0002", NULL,
	    &v1, &v1len) == 0 && pdf_signature_parse(v1, v1len, &s, &why) == 0 && s.signed_at[0] == '\0' &&
	    pdf_signature_valid(v1, &s, k.pk), "a v1 trailer (no signing time) still parses and verifies");

	snprintf(path, sizeof path, "%s/%s.key", dir, k.id);
	CHECK(key_destroy_secret(dir, k.id) == 0 && access(path, F_OK) != 0,
	    "destroying a secret key removes its file");
	CHECK(key_load_secret(dir, k.id, &loaded, err, sizeof err) != 0, "a destroyed key cannot be loaded");
	CHECK(key_destroy_secret(dir, k.id) == 0, "destroying an absent key is not an error");
	snprintf(path, sizeof path, "%s/%s.pub", dir, k.id);
	unlink(path);
	snprintf(path, sizeof path, "%s/%s.key", dir, other.id);
	unlink(path);
	snprintf(path, sizeof path, "%s/%s.pub", dir, other.id);
	unlink(path);
	rmdir(dir);
	arena_free(a);
	CHECK_DONE();
}
