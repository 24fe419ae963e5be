/* Certificates: holders download their PDFs; anyone verifies a number or a file. */
#include <stdio.h>
#include <string.h>

#include "db/certificate_check.h"
#include "db/certificate_issue.h"
#include "db/certificates.h"
#include "db/signing_keys.h"
#include "domain/valid.h"
#include "sign/keylist.h"
#include "web/handlers.h"

void page_certificates(struct request *req)
{
	int admin = req->user->role == ROLE_ADMIN;
	struct cert_row *rows;
	int n;
	/* Candidates see their own; the office sees all (the newest first). */
	enum db_status st = certificate_list(req->arena, admin ? NULL : req->user->id_text, &rows, &n);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct tdict *d = http_page(req, admin ? "Certificates issued" : "Your certificates");
	tdict_set_bool(d, "admin", admin);
	for (int i = 0; i < n; i++) {
		struct tdict *c = tdict_push(d, "certificates");
		tdict_set(c, "number", rows[i].number);
		tdict_set(c, "exam", rows[i].exam);
		tdict_set(c, "qualification", rows[i].qualification);
		tdict_set(c, "holder", rows[i].holder);
		tdict_set(c, "issued_on", rows[i].issued_on);
		tdict_set_bool(c, "revoked", rows[i].revoked);
		tdict_set(c, "revoked_reason", rows[i].revoked_reason);
		tdict_set(c, "superseded_by", rows[i].superseded_by);
		tdict_set_bool(c, "has_pdf", rows[i].has_pdf);
		tdict_set_bool(c, "in_force", !rows[i].revoked && rows[i].superseded_by == NULL);
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

static void set_record(struct tdict *d, const struct cert_verdict *v)
{
	const struct cert_info *c = &v->info;
	tdict_set(d, "number", c->number);
	tdict_set(d, "holder", c->holder);
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
	tdict_set_bool(d, "valid", v->genuine && c->superseded_by == NULL);
	/* Revocation has its own line; anything else that stops it verifying is said here. */
	tdict_set(d, "problem", !v->genuine && c->revoked_on == NULL ? v->why : NULL);
}

void page_verify_form(struct request *req)
{
	static const struct valid_rule number_rule = { .kind = VALID_CERT_NUMBER };
	const char *given = fields_get(&req->query, "number");
	if (given != NULL && *given != '\0') {
		/* The number form uses GET so that a result page has an address to share. The
		 * number is checked (trimmed, upper-cased) as every form and esonrctl check it, so
		 * that only a well-formed number ever reaches the Location header. */
		const char *why, *number = valid_check(req->arena, &number_rule, given, &why);
		if (number == NULL) {
			http_error(req, 400, why);
			return;
		}
		http_redirect(req, arena_printf(req->arena, "/verify/%s", number));
		return;
	}
	enum db_status st = http_websession_ensure_csrf(req);
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
	struct cert_verdict v;
	enum db_status st = certificate_check_number(req->arena, req->params[0], &v);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (!v.found) {
		http_error(req, 404, "No certificate with this number was issued by the ESNR. "
		    "Check the number; a forged certificate may carry a number that does not exist.");
		return;
	}
	struct tdict *d = http_page(req, arena_printf(req->arena, "Certificate %s", v.info.number));
	set_record(d, &v);
	tdict_set_bool(d, "file_checked", 0);
	tdict_set_bool(d, "key_retired", 0);
	http_render(req, 200, "verify_result", d);
}

static void not_genuine(struct request *req, const char *why)
{
	struct tdict *d = http_page(req, "Not a genuine certificate");
	tdict_set(d, "why", why);
	enum db_status st = http_websession_ensure_csrf(req);
	if (st == DB_OK)
		tdict_set(d, "csrf", req->csrf);
	http_render(req, 422, "verify_rejected", d);
}

#define CHOOSE_PDF "Choose the certificate's PDF file to upload (field pdf)."

const struct form_spec form_verify = { "the verification form", (const struct form_field[]){
	{ .name = "pdf", .flags = FIELD_FILE | FIELD_REQUIRED, .message = CHOOSE_PDF },
	{ .name = NULL } } };

void post_verify(struct request *req)
{
	if (req->in.bad) {
		http_error(req, 400, form_error(req));
		return;
	}
	const struct field *f = form_file(req, "pdf");
	if (f->len == 0) {
		http_error(req, 400, CHOOSE_PDF);
		return;
	}
	struct cert_verdict v;
	enum db_status st = certificate_check_file(req->arena, (const unsigned char *)f->value, f->len, &v);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (!v.genuine) {
		not_genuine(req, v.why);
		return;
	}
	struct tdict *d = http_page(req, "Genuine certificate");
	set_record(d, &v);
	tdict_set_bool(d, "file_checked", 1);
	tdict_set_bool(d, "key_retired", v.key.state == KEY_RETIRED);
	http_render(req, 200, "verify_result", d);
}

void page_verify_keys(struct request *req)
{
	struct key_record *keys;
	int n;
	enum db_status st = signing_key_list(req->arena, &keys, &n);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct tdict *d = http_page(req, "Signing keys");
	for (int i = 0; i < n; i++) {
		struct tdict *k = tdict_push(d, "keys");
		tdict_set(k, "key_id", keys[i].id);
		tdict_set(k, "public_key", keys[i].public_hex);
		tdict_set(k, "from", keys[i].from);
		tdict_set(k, "until", keys[i].until);
		tdict_set(k, "state", key_state_name(keys[i].state));
		tdict_set(k, "compromised_reason", keys[i].compromised_reason);
		tdict_set_bool(k, "in_force", keys[i].state == KEY_IN_FORCE);
	}
	http_render(req, 200, "verify_keys", d);
}

/* The same list for machines: what `esonrctl cert verify FILE --key LIST` reads offline. */
void page_verify_keys_list(struct request *req)
{
	static const enum published_state published[] = {
		[KEY_IN_FORCE] = PUBLISHED_IN_FORCE, [KEY_RETIRED] = PUBLISHED_RETIRED,
		[KEY_COMPROMISED] = PUBLISHED_COMPROMISED,
	};
	struct key_record *keys;
	int n;
	enum db_status st = signing_key_list(req->arena, &keys, &n);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	req->out.len = 0;
	buf_printf(&req->out, "# ESoNR certificate signing keys: key ID PUBLIC-KEY IN-FORCE-FROM UNTIL STATE\n"
	    "# Check a certificate offline: esonrctl cert verify FILE.pdf --key THIS-FILE\n");
	for (int i = 0; i < n; i++) {
		const char *line = keylist_line(req->arena, keys[i].id, keys[i].public_hex, keys[i].from_iso,
		    keys[i].until_iso, published[keys[i].state]);
		buf_append(&req->out, line, strlen(line));
	}
	http_header(req, "Content-Type", "text/plain; charset=utf-8");
}

/* Revocation and reissue: why, in the one reason rule (domain/valid.h). */
const struct form_spec form_cert_reason = { "the certificate form", (const struct form_field[]){
	{ .name = "reason", .kind = VALID_REASON, .flags = FIELD_REQUIRED },
	{ .name = NULL } } };

/* The office's change answered: the refusal, the error, or 303 to the number's page. */
static void after_change(struct request *req, enum db_status st, const struct refusal *ref,
    const char *title, const char *number)
{
	if (st == DB_REFUSED)
		http_refusal(req, title, ref);
	else if (st != DB_OK)
		fail_db(req, st);
	else
		http_redirect(req, arena_printf(req->arena, "/verify/%s", number));
}

void post_cert_revoke(struct request *req)
{
	struct refusal ref = { 0 };
	if (req->in.bad) {
		http_error(req, 400, form_error(req));
		return;
	}
	enum db_status st = certificate_revoke(req->arena, req->params[0], form_value(req, "reason"),
	    req->user->id_text, &ref);
	after_change(req, st, &ref, "Not revoked", req->params[0]);
}

void post_cert_reissue(struct request *req)
{
	struct refusal ref = { 0 };
	const char *fresh = NULL;
	if (req->in.bad) {
		http_error(req, 400, form_error(req));
		return;
	}
	enum db_status st = certificate_reissue(req->arena, req->params[0], form_value(req, "reason"),
	    req->user->id_text, &fresh, &ref);
	after_change(req, st, &ref, "Not reissued", fresh);
}
