/* Certificates: holders download their PDFs; anyone verifies a number or a file. */
#include <stdio.h>
#include <string.h>

#include "auth/session.h"
#include "db/certificates.h"
#include "sign/signing.h"
#include "web/handlers.h"

void page_certificates(struct request *req)
{
	enum db_status st;
	int admin = req->user->role == ROLE_ADMIN;
	/* Candidates see their own; the office sees all (the newest first). */
	PGresult *r = db_query(req->arena, &st,
	    "SELECT c.number, c.exam_code, e.title, c.holder_name,"
	    "   to_char(c.issued_at AT TIME ZONE 'Europe/Vienna', 'FMDD FMMonth YYYY'),"
	    "   c.revoked_at IS NOT NULL, c.revoked_reason, c.superseded_by, c.pdf IS NOT NULL"
	    " FROM certificates c JOIN exams e ON e.code = c.exam_code"
	    " WHERE $2 OR c.user_id = $1 ORDER BY c.issued_at DESC, c.number LIMIT 500",
	    2, req->user->id_text, admin ? "t" : "f");
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct tdict *d = http_page(req, admin ? "Certificates issued" : "Your certificates");
	tdict_set_bool(d, "admin", admin);
	for (int i = 0; i < db_rows(r); i++) {
		struct tdict *c = tdict_push(d, "certificates");
		tdict_set(c, "number", db_val(r, i, 0));
		tdict_set(c, "exam", db_val(r, i, 1));
		tdict_set(c, "qualification", db_val(r, i, 2));
		tdict_set(c, "holder", db_val(r, i, 3));
		tdict_set(c, "issued_on", db_val(r, i, 4));
		tdict_set_bool(c, "revoked", strcmp(db_val(r, i, 5), "t") == 0);
		tdict_set(c, "revoked_reason", db_val(r, i, 6));
		tdict_set(c, "superseded_by", db_val(r, i, 7));
		tdict_set_bool(c, "has_pdf", strcmp(db_val(r, i, 8), "t") == 0);
		tdict_set_bool(c, "in_force", strcmp(db_val(r, i, 5), "f") == 0 && db_val(r, i, 7) == NULL);
	}
	http_render(req, 200, "certificates", d);
}

void certificate_download(struct request *req)
{
	struct cert_info c;
	int found;
	enum db_status st = certificate_find(req->arena, req->params[0], &c, &found);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	/* Someone else's certificate answers exactly like a missing one. */
	if (!found || (req->user->role != ROLE_ADMIN && strcmp(c.user_id, req->user->id_text) != 0)) {
		http_error(req, 404, "There is no such certificate among yours.");
		return;
	}
	unsigned char *pdf;
	size_t len;
	if ((st = certificate_pdf(req->arena, c.number, &pdf, &len)) != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (len == 0) {
		http_error(req, 404, "This certificate's PDF has not been produced.");
		return;
	}
	req->out.len = 0;
	buf_append(&req->out, (const char *)pdf, len);
	http_header(req, "Content-Type", "application/pdf");
	http_header(req, "Content-Disposition",
	    arena_printf(req->arena, "inline; filename=\"%s.pdf\"", c.number));
	http_header(req, "Cache-Control", "private, no-store");
}

static void set_record(struct tdict *d, const struct cert_info *c)
{
	tdict_set(d, "number", c->number);
	tdict_set(d, "holder", c->holder);
	tdict_set(d, "exam", c->exam);
	tdict_set(d, "qualification", c->qualification);
	tdict_set(d, "level", c->level);
	tdict_set(d, "session_date", c->session_date);
	tdict_set(d, "place", c->place);
	tdict_set(d, "issued_on", c->issued_on);
	tdict_set(d, "revoked_on", c->revoked_on);
	tdict_set(d, "revoked_reason", c->revoked_reason);
	tdict_set(d, "superseded_by", c->superseded_by);
	tdict_set(d, "supersedes", c->supersedes);
	tdict_set(d, "key_id", c->key_id);
	tdict_set_bool(d, "valid", c->revoked_on == NULL && c->superseded_by == NULL);
}

void page_verify_form(struct request *req)
{
	const char *number = fields_get(&req->query, "number");
	if (number != NULL && *number != '\0') {
		/* The number form uses GET so that a result page has an address to share. */
		const char *p = number;
		while (*p && (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-", *p)))
			p++;
		if (*p != '\0' || strlen(number) > 60) {
			http_error(req, 400, "A certificate number looks like ESNR-L1-2027-0001.");
			return;
		}
		http_redirect(req, arena_printf(req->arena, "/verify/%s", number));
		return;
	}
	enum db_status st = session_ensure_csrf(req);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct tdict *d = http_page(req, "Verify a certificate");
	tdict_set(d, "csrf", req->csrf);
	http_render(req, 200, "verify", d);
}

void page_verify_number(struct request *req)
{
	struct cert_info c;
	int found;
	enum db_status st = certificate_find(req->arena, req->params[0], &c, &found);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (!found) {
		http_error(req, 404, "No certificate with this number was issued by the ESNR. "
		    "Check the number; a forged certificate may carry a number that does not exist.");
		return;
	}
	struct tdict *d = http_page(req, arena_printf(req->arena, "Certificate %s", c.number));
	set_record(d, &c);
	http_render(req, 200, "verify_result", d);
}

static void not_genuine(struct request *req, const char *why)
{
	struct tdict *d = http_page(req, "Not a genuine certificate");
	tdict_set(d, "why", why);
	enum db_status st = session_ensure_csrf(req);
	if (st == DB_OK)
		tdict_set(d, "csrf", req->csrf);
	http_render(req, 422, "verify_rejected", d);
}

void post_verify(struct request *req)
{
	static const char *const allowed[] = { "pdf", NULL };
	if (http_unexpected_field(req, allowed) != NULL) {
		http_error(req, 400, "The verification form sent a field it does not have.");
		return;
	}
	const struct field *f = fields_find(&req->form, "pdf");
	if (f == NULL || f->filename == NULL || f->len == 0) {
		http_error(req, 400, "Choose the certificate's PDF file to upload (field pdf).");
		return;
	}
	struct pdf_signature sig;
	const char *why;
	const unsigned char *file = (const unsigned char *)f->value;
	if (f->len < 5 || memcmp(file, "%PDF-", 5) != 0) {
		not_genuine(req, "Not a certificate of ours: the file is not a PDF.");
		return;
	}
	if (pdf_signature_parse(file, f->len, &sig, &why) != 0) {
		not_genuine(req, why);
		return;
	}
	const char *hex;
	int retired = 0;
	enum db_status st = signing_key_public(req->arena, sig.key_id, &hex, &retired);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct signing_key key;
	if (hex == NULL || key_from_public_hex(hex, &key) != 0) {
		not_genuine(req, arena_printf(req->arena, "It is signed with a key the ESNR does not "
		    "know (%s).", sig.key_id));
		return;
	}
	if (!pdf_signature_valid(file, &sig, key.pk)) {
		not_genuine(req, "The file was altered after the ESNR signed it: its signature does not "
		    "match its content.");
		return;
	}
	struct cert_info c;
	int found;
	if ((st = certificate_find(req->arena, sig.number, &c, &found)) != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (!found) {
		not_genuine(req, arena_printf(req->arena, "Not a certificate of ours: the number %s "
		    "is not in the register.", sig.number));
		return;
	}
	if (c.revoked_on != NULL) {
		not_genuine(req, arena_printf(req->arena, "The signature is genuine, but certificate %s "
		    "was revoked on %s: %s.", c.number, c.revoked_on, c.revoked_reason));
		return;
	}
	struct tdict *d = http_page(req, "Genuine certificate");
	set_record(d, &c);
	tdict_set_bool(d, "file_checked", 1);
	tdict_set_bool(d, "key_retired", retired);
	http_render(req, 200, "verify_result", d);
}

void page_verify_keys(struct request *req)
{
	enum db_status st;
	PGresult *r = db_query(req->arena, &st,
	    "SELECT id, public_key, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"'),"
	    "   to_char(retired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"')"
	    " FROM signing_keys ORDER BY created_at DESC", 0);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct tdict *d = http_page(req, "Signing keys");
	for (int i = 0; i < db_rows(r); i++) {
		struct tdict *k = http_push_row(d, "keys", r, i, (const char *const[]){ "key_id",
		    "public_key", "from", "until", NULL });
		tdict_set_bool(k, "in_force", db_val(r, i, 3) == NULL);
	}
	http_render(req, 200, "verify_keys", d);
}

static const char *admin_reason(struct request *req)
{
	static const char *const allowed[] = { "reason", NULL };
	const char *reason = http_form(req, "reason");
	if (http_unexpected_field(req, allowed) != NULL || *reason == '\0' || strlen(reason) > 500) {
		http_error(req, 400, "A reason of 1 to 500 characters is required.");
		return NULL;
	}
	return reason;
}

void post_cert_revoke(struct request *req)
{
	const char *reason = admin_reason(req), *why = NULL;
	if (reason == NULL)
		return;
	enum db_status st = certificate_revoke(req->arena, req->params[0], reason, req->user->id_text, &why);
	if (st == DB_REFUSED) {
		http_error(req, 409, why);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/verify/%s", req->params[0]));
}

void post_cert_reissue(struct request *req)
{
	const char *reason = admin_reason(req), *why = NULL, *fresh = NULL;
	if (reason == NULL)
		return;
	enum db_status st = certificate_reissue(req->arena, req->params[0], reason, req->user->id_text,
	    &fresh, &why);
	if (st == DB_REFUSED) {
		http_error(req, 409, why);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/verify/%s", fresh));
}
