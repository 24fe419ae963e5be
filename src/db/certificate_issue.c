#include "db/certificate_issue.h"

#include <stdio.h>
#include <string.h>

#include "db/audit.h"
#include "db/certificates.h"
#include "db/outbox.h"
#include "db/signing_keys.h"
#include "pdf/certificate.h"
#include "sign/keyring.h"
#include "sign/pades.h"
#include "sign/signer_client.h"
#include "sign/signing.h"

static char base_url[256] = "http://127.0.0.1:8080";
static char font_regular[512] = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf";
/* One face for regular and bold: libharu prepares every font anew for each document,
 * so a second face doubles the time per certificate (bold is drawn, see pdf/certificate.c). */
static char font_bold[512] = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf";
static int fonts_ready;
static int pades_configured;

void certificates_configure(const char *url, const char *keys, const char *regular, const char *bold)
{
	snprintf(base_url, sizeof base_url, "%s", url);
	/* Trailing slashes would give "//verify" in every QR code. */
	for (size_t n = strlen(base_url); n > 0 && base_url[n - 1] == '/'; n--)
		base_url[n - 1] = '\0';
	keyring_configure(keys);
	if (regular != NULL)
		snprintf(font_regular, sizeof font_regular, "%s", regular);
	if (bold != NULL)
		snprintf(font_bold, sizeof font_bold, "%s", bold);
}

static const char *fonts(struct arena *a)
{
	char err[256];
	if (!fonts_ready) {
		if (cert_fonts_init(font_regular, font_bold, err, sizeof err) != 0)
			return arena_printf(a, "the certificate fonts cannot be loaded: %s", err);
		fonts_ready = 1;
	}
	return NULL;
}

void certificates_configure_pades(const char *cert, const char *key, const char *chain, const char *pkcs12,
    const char *pkcs12_password)
{
	pades_configured = (cert && cert[0]) || (pkcs12 && pkcs12[0]);
	keyring_configure_pades(cert, key, chain, pkcs12, pkcs12_password);
}

const char *certificate_name_problem(struct arena *a, const char *name)
{
	const char *why = fonts(a);
	return why != NULL ? why : cert_text_problem(a, name);
}

const char *holder_name_problem(struct arena *a, const char *name)
{
	const char *why = fonts(a);
	if (why != NULL) {
		/* The portal's own trouble, not the user's: publication will report it. */
		fprintf(stderr, "certificates: %s\n", why);
		return NULL;
	}
	why = cert_text_problem(a, name);
	return why == NULL ? NULL : arena_printf(a, "This name cannot be printed on a certificate: %s. "
	    "Write it in a European script (Latin, Greek or Cyrillic letters), without such characters.", why);
}

#define NO_KEY_IN_FORCE "no signing key is in force: create one with `esonrctl keygen`"

enum db_status certificate_can_issue(struct arena *a, const char *holder, struct refusal *ref)
{
	const char *key_id;
	enum db_status st = signing_key_in_force(a, &key_id);
	if (st != DB_OK)
		return st;
	if (key_id == NULL)
		return db_refuse(ref, REFUSAL_CONFLICT, NULL, NO_KEY_IN_FORCE);
	const char *problem = holder != NULL ? certificate_name_problem(a, holder) : NULL;
	if (problem != NULL)
		return db_refusef(a, ref, REFUSAL_CONFLICT, NULL,
		    "the certificate cannot be printed for \"%s\": %s", holder, problem);
	return DB_OK;
}

enum db_status certificate_unsigned(struct arena *a, const char *session_id, const char *number,
    int max, const char ***numbers, int *n)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT number FROM certificates WHERE pdf IS NULL AND revoked_at IS NULL AND superseded_by IS NULL"
	    " AND (session_id = $1::bigint OR number = $2 OR ($1 IS NULL AND $2 IS NULL))"
	    " ORDER BY issued_at, number LIMIT $3::int", 3, session_id, number,
	    max > 0 ? arena_printf(a, "%d", max) : NULL);
	*n = 0;
	if (st != DB_OK)
		return st;
	*n = db_rows(r);
	*numbers = arena_alloc(a, sizeof **numbers * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++)
		(*numbers)[i] = db_val(r, i, 0);
	return DB_OK;
}

void certificates_sign(struct arena *a, const char *session_id, const char *number, int *pending)
{
	const char **numbers;
	int n = 0, left = 0;
	/* Both NULL would mean every record still unsigned: the signer's sweep, not a caller's. */
	enum db_status st = session_id == NULL && number == NULL ? DB_OK :
	    certificate_unsigned(a, session_id, number, 0, &numbers, &n);
	for (int i = 0; st == DB_OK && i < n; i++) {
		char why[512];
		if (signer_issue(numbers[i], why, sizeof why) != SIGNER_SIGNED) {
			fprintf(stderr, "certificate %s not signed yet: %s\n", numbers[i], why);
			left++;
		}
	}
	if (pending != NULL)
		*pending = st == DB_OK ? left : -1;
}

enum db_status certificate_build(struct arena *a, const char *number, struct refusal *ref)
{
	enum db_status st;
	const struct signing_key *k;
	const char *key_id;
	char err[256];
	PGresult *r = db_query(a, &st,
	    "SELECT c.holder_name, e.title, e.level::text, e.branch,"
	    "   to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD FMMonth YYYY'), s.location,"
	    "   to_char(c.issued_at AT TIME ZONE 'Europe/Vienna', 'FMDD FMMonth YYYY'),"
	    "   to_char(c.issued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	    "   to_char(s.starts_at AT TIME ZONE s.time_zone, 'YYYY-MM-DD'),"
	    "   to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	    " FROM certificates c JOIN exams e ON e.code = c.exam_code"
	    " JOIN exam_sessions s ON s.id = c.session_id WHERE c.number = $1", 1, number);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return db_refuse(ref, REFUSAL_NOT_FOUND, NULL, "no such certificate");
	const char *name = db_val(r, 0, 0);
	const char *problem = certificate_name_problem(a, name);
	if (problem != NULL)
		return db_refusef(a, ref, REFUSAL_CONFLICT, NULL, "the certificate %s cannot be printed for "
		    "\"%s\": %s. Correct the name, or contact the portal's maintainers about the font.", number,
		    name, problem);
	if ((st = signing_key_in_force(a, &key_id)) != DB_OK)
		return st;
	if (key_id == NULL)
		return db_refuse(ref, REFUSAL_CONFLICT, NULL, NO_KEY_IN_FORCE);
	if (keyring_get(key_id, &k, err, sizeof err) != 0)
		return db_refusef(a, ref, REFUSAL_CONFLICT, NULL, "the signing key %s cannot be read: %s",
		    key_id, err);
	const char *record = qr_record_sign(a, k, number, name, db_val(r, 0, 1), db_val(r, 0, 8));
	char pades_err[256];
	const struct pades_identity *pades = keyring_pades(k->id, pades_err, sizeof pades_err);
	if (pades == NULL && pades_configured)
		return db_refusef(a, ref, REFUSAL_CONFLICT, NULL,
		    "the configured PDF signing certificate cannot be used: %s", pades_err);
	if (pades == NULL)
		fprintf(stderr, "certificate %s: no PDF signature (%s); run esonrctl keygen for a development "
		    "certificate\n", number, pades_err);
	struct cert_doc doc = {
		.number = number,
		.holder_name = name,
		.qualification = db_val(r, 0, 1),
		.level = certificate_level_text(a, db_val(r, 0, 2), db_val(r, 0, 3)),
		.session_date = db_val(r, 0, 4),
		.session_place = db_val(r, 0, 5),
		.issue_date = db_val(r, 0, 6),
		.creation_date = db_val(r, 0, 7),
		.key_id = k->id,
		.signed_by = pades ? pades_signer_name(pades) : "the European School of Neuroradiology",
		.qr_text = arena_printf(a, "%s/verify/%s#%s", base_url, number, record),
		.signatory_1 = "President of the ESNR",
		.signatory_1_role = "European Society of Neuroradiology",
		.signatory_2 = "Director of the ESoNR",
		.signatory_2_role = "European School of Neuroradiology",
	};
	unsigned char *pdf, *signed_pdf;
	size_t len, signed_len;
	if (cert_render(a, &doc, &pdf, &len, err, sizeof err) != 0)
		return db_refusef(a, ref, REFUSAL_CONFLICT, NULL, "the certificate %s could not be drawn: %s",
		    number, err);
	/* The PDF signature first, then Ed25519 over every byte of that (sign/pades.h). */
	struct pades_info info = { db_val(r, 0, 9), "Certificate issued by the European School of Neuroradiology",
		"Vienna, Austria", arena_printf(a, "%s/verify/%s", base_url, number) };
	if (pades != NULL && pades_sign(a, pdf, len, pades, &info, &pdf, &len, err, sizeof err) != 0)
		return db_refusef(a, ref, REFUSAL_CONFLICT, NULL,
		    "the certificate %s could not get its PDF signature: %s", number, err);
	if (pdf_sign(a, pdf, len, k, number, db_val(r, 0, 9), &signed_pdf, &signed_len) != 0)
		return db_refuse(ref, REFUSAL_CONFLICT, NULL, "the certificate could not be signed");
	return certificate_store(a, number, signed_pdf, signed_len, k->id, db_val(r, 0, 9), doc.qr_text);
}

struct sign_ctx {
	const char *number;
	int *done;
	struct refusal *ref;
};

static enum db_status sign_recorded_body(struct arena *a, void *p)
{
	struct sign_ctx *c = p;
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT pdf IS NOT NULL, revoked_at IS NOT NULL OR superseded_by IS NOT NULL"
	    " FROM certificates WHERE number = $1 FOR UPDATE", 1, c->number);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return db_refuse(c->ref, REFUSAL_NOT_FOUND, NULL, "the register has no such certificate");
	if (strcmp(db_val(r, 0, 0), "t") == 0) {
		*c->done = 1;
		return DB_OK;
	}
	if (strcmp(db_val(r, 0, 1), "t") == 0)
		return db_refuse(c->ref, REFUSAL_CONFLICT, NULL, "it is not being issued: revoked or superseded");
	return certificate_build(a, c->number, c->ref);
}

enum db_status certificate_sign_recorded(struct arena *a, const char *number, int *done,
    struct refusal *ref)
{
	struct sign_ctx c = { number, done, ref };
	*done = 0;
	return db_tx(a, DB_READ_COMMITTED, sign_recorded_body, &c);
}

struct reissue_ctx {
	const char *number, *reason, *actor_id;
	const char **new_number;
	struct refusal *ref;
};

static enum db_status reissue_body(struct arena *a, void *p)
{
	struct reissue_ctx *c = p;
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT c.exam_code, c.year, c.user_id, u.full_name, c.session_id, c.revoked_at IS NOT NULL,"
	    "   c.superseded_by, c.holder_name"
	    " FROM certificates c JOIN users u ON u.id = c.user_id WHERE c.number = $1 FOR UPDATE OF c",
	    1, c->number);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return db_refusef(a, c->ref, REFUSAL_NOT_FOUND, NULL, "There is no certificate %s.", c->number);
	if (strcmp(db_val(r, 0, 5), "t") == 0 || db_val(r, 0, 6) != NULL)
		return db_refusef(a, c->ref, REFUSAL_CONFLICT, NULL, "Certificate %s is %s: only a certificate "
		    "in force can be reissued.", c->number, db_val(r, 0, 6) ? "already superseded" : "revoked");
	const char *fresh;
	if ((st = certificate_record(a, db_val(r, 0, 0), db_val(r, 0, 1), db_val(r, 0, 2),
	    db_val(r, 0, 4), db_val(r, 0, 3), c->number, c->reason, &fresh)) != DB_OK)
		return st;
	if ((st = certificate_supersede(a, c->number, fresh)) != DB_OK ||
	    (st = outbox_certificate(a, fresh, OUTBOX_CERT_REISSUED)) != DB_OK)
		return st;
	if ((st = certificate_can_issue(a, db_val(r, 0, 3), c->ref)) != DB_OK)
		return st;
	PGresult *j = db_query(a, &st, "SELECT jsonb_build_object('reason', $1::text, 'old_name', $2::text,"
	    " 'new_name', $3::text, 'superseded_by', $4::text)::text", 4, c->reason, db_val(r, 0, 7),
	    db_val(r, 0, 3), fresh);
	if (st != DB_OK)
		return st;
	*c->new_number = fresh;
	return audit_record(a, c->actor_id, "certificate.reissue", "certificate", c->number, NULL,
	    db_val(j, 0, 0));
}

enum db_status certificate_reissue(struct arena *a, const char *number, const char *reason,
    const char *actor_id, const char **new_number, struct refusal *ref)
{
	struct reissue_ctx c = { number, reason, actor_id, new_number, ref };
	enum db_status st = db_tx(a, DB_READ_COMMITTED, reissue_body, &c);
	if (st == DB_OK)
		certificates_sign(a, NULL, *new_number, NULL);
	return st;
}

