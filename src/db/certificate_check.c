#include "db/certificate_check.h"

#include <sodium.h>
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

/* The register's own copy was checked (signature, number, key), and it is still that very
 * file under that key: the digest is the database's (sql/057), kept at every write of the
 * file. A check older than a day is made again. */
static struct db_stmt q_copy_checked = DB_STMT("certificate_copy_checked",
    "SELECT 1 FROM certificates c JOIN certificate_checks k ON k.number = c.number"
    " WHERE c.number = $1 AND k.pdf_sha256 = c.pdf_sha256 AND k.key_id = c.key_id"
    "   AND k.checked_at > now() - interval '1 day'", 1);
/* Files the check of the bytes verified ($2, their SHA-256), if they are still the stored file;
 * only through the function (sql/059): the portal's role cannot write the checks itself. */
static struct db_stmt q_copy_record = DB_STMT("certificate_copy_record",
    "SELECT certificate_check_record($1, $2::bytea, $3)", 3);

/* The full check of the register's copy: 1 when it verifies. */
static enum db_status copy_verifies(struct arena *a, const struct cert_verdict *v, int *ok)
{
	unsigned char *stored;
	size_t len;
	*ok = 0;
	enum db_status st = certificate_pdf(a, v->info.number, &stored, &len);
	if (st != DB_OK)
		return st;
	struct pdf_signature sig;
	struct signing_key k;
	const char *why;
	if (len == 0 || pdf_signature_parse(stored, len, &sig, &why) != 0 ||
	    strcmp(sig.number, v->info.number) != 0 || strcmp(sig.key_id, v->info.key_id) != 0 ||
	    key_from_public_hex(v->key.public_hex, &k) != 0 || !pdf_signature_valid(stored, &sig, k.pk))
		return DB_OK;
	*ok = 1;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[2 + 2 * sizeof digest + 1] = "\\x";
	crypto_hash_sha256(digest, stored, len);
	sodium_bin2hex(hex + 2, sizeof hex - 2, digest, sizeof digest);
	/* Only a saving for the next view: the verdict stands whether or not it is filed. */
	(void)db_run(a, NULL, &q_copy_record, v->info.number, hex, v->info.key_id);
	return DB_OK;
}

enum db_status certificate_check_number(struct arena *a, const char *number, struct cert_verdict *v)
{
	memset(v, 0, sizeof *v);
	enum db_status st = load(a, number, v);
	if (st != DB_OK || v->why != NULL)
		return st;
	PGresult *r = db_run(a, &st, &q_copy_checked, number);
	if (st != DB_OK)
		return st;
	int ok = db_rows(r) == 1;
	if (!ok && (st = copy_verifies(a, v, &ok)) != DB_OK)
		return st;
	if (!ok) {
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
