#include "db/certificate_check.h"

#include <string.h>

#include "sign/signing.h"

static void refuse(struct cert_verdict *v, const char *why)
{
	v->genuine = 0;
	v->why = why;

}

/* The register's record and key for number; 1 when both exist (else v says why). */
static enum db_status load(struct arena *a, const char *number, struct cert_verdict *v)
{
	enum db_status st = certificate_find(a, number, &v->info, &v->found);
	if (st != DB_OK)
		return st;
	if (!v->found) {
		refuse(v, arena_printf(a, "Not a certificate of ours: the number %s is not in the register.", number));
		return DB_OK;
	}
	if (v->info.key_id == NULL) {
		refuse(v, arena_printf(a, "Certificate %s has not been signed by the ESNR yet.", number));
		return DB_OK;
	}
	st = signing_key_find(a, v->info.key_id, &v->key, &v->key_known);
	if (st == DB_OK && !v->key_known)
		refuse(v, "The register's signing key for this certificate is missing.");
	return st;
}

/* Revoked, compromised, or genuine (a superseded one is still genuine and says so). */
static void standing(struct arena *a, struct cert_verdict *v)
{
	if (v->info.revoked_on != NULL) {
		refuse(v, arena_printf(a, "The signature is genuine, but certificate %s was revoked on %s: %s.",
		    v->info.number, v->info.revoked_on, v->info.revoked_reason));
		return;
	}
	if (v->key.state == KEY_COMPROMISED) {
		refuse(v, arena_printf(a, "Certificate %s was signed with a compromised key (%s, since %s): "
		    "ask the office for a reissue.%s%s", v->info.number, v->key.id, v->key.compromised_on,
		    v->info.superseded_by ? " It has been superseded by " : "",
		    v->info.superseded_by ? arena_printf(a, "%s.", v->info.superseded_by) : ""));
		return;
	}
	v->genuine = 1;
	v->why = NULL;
}

enum db_status certificate_check_file(struct arena *a, const unsigned char *file, size_t len,
    struct cert_verdict *v)
{
	memset(v, 0, sizeof *v);
	struct pdf_signature sig;
	const char *why;
	if (len < 5 || memcmp(file, "%PDF-", 5) != 0) {
		refuse(v, "Not a certificate of ours: the file is not a PDF.");
		return DB_OK;
	}
	if (pdf_signature_parse(file, len, &sig, &why) != 0) {
		refuse(v, why);
		return DB_OK;
	}
	enum db_status st = load(a, sig.number, v);
	if (st != DB_OK || v->why != NULL)
		return st;
	/* Any key the ESNR ever had is not enough: the one the register recorded for this number. */
	if (strcmp(sig.key_id, v->info.key_id) != 0) {
		refuse(v, arena_printf(a, "Not genuine: the file is signed with key %s, but the register "
		    "records that certificate %s was signed with key %s.", sig.key_id, sig.number, v->info.key_id));
		return DB_OK;
	}
	struct signing_key k;
	if (key_from_public_hex(v->key.public_hex, &k) != 0 || !pdf_signature_valid(file, &sig, k.pk)) {
		refuse(v, "The file was altered after the ESNR signed it: its signature does not match its content.");
		return DB_OK;
	}
	/* The portal keeps the exact file it issued: a file re-signed with a stolen key differs. */
	unsigned char *stored;
	size_t stored_len;
	if ((st = certificate_pdf(a, sig.number, &stored, &stored_len)) != DB_OK)
		return st;
	if (stored_len != len || memcmp(stored, file, len) != 0) {
		refuse(v, arena_printf(a, "The file was altered and signed again: it is not the file the ESNR "
		    "issued as certificate %s.", sig.number));
		return DB_OK;
	}
	standing(a, v);
	return DB_OK;
}

enum db_status certificate_check_number(struct arena *a, const char *number, struct cert_verdict *v)
{
	memset(v, 0, sizeof *v);
	enum db_status st = load(a, number, v);
	if (st != DB_OK || v->why != NULL)
		return st;
	unsigned char *stored;
	size_t len;
	if ((st = certificate_pdf(a, number, &stored, &len)) != DB_OK)
		return st;
	struct pdf_signature sig;
	struct signing_key k;
	const char *why;
	if (len == 0 || pdf_signature_parse(stored, len, &sig, &why) != 0 || strcmp(sig.number, number) != 0 ||
	    strcmp(sig.key_id, v->info.key_id) != 0 || key_from_public_hex(v->key.public_hex, &k) != 0 ||
	    !pdf_signature_valid(stored, &sig, k.pk)) {
		refuse(v, "The register's copy of this certificate does not verify: contact the ESNR office.");
		return DB_OK;
	}
	standing(a, v);
	return DB_OK;
}

static const char *record_part(const char *text)
{
	const char *hash = text ? strchr(text, '#') : NULL;
	return hash ? hash + 1 : text;
}

enum db_status certificate_check_record(struct arena *a, const char *number, const char *key_id,
    const char *text, struct cert_verdict *v)
{
	memset(v, 0, sizeof *v);
	enum db_status st = load(a, number, v);
	if (st != DB_OK || v->why != NULL)
		return st;
	if (strcmp(key_id, v->info.key_id) != 0) {
		refuse(v, arena_printf(a, "Not genuine: the record names key %s, but the register records "
		    "that certificate %s was signed with key %s.", key_id, number, v->info.key_id));
		return DB_OK;
	}
	const char *issued = record_part(v->info.qr_text);
	if (issued == NULL || strcmp(issued, record_part(text)) != 0) {
		refuse(v, arena_printf(a, "The record was altered and signed again: it is not the record the "
		    "ESNR issued for certificate %s.", number));
		return DB_OK;
	}
	standing(a, v);
	return DB_OK;
}
