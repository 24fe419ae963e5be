#include "db/certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/audit.h"
#include "pdf/certificate.h"
#include "sign/signing.h"

static char base_url[256] = "http://127.0.0.1:8080";
static char keys_dir[512] = "./var/keys";
static char font_regular[512] = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf";
/* One face for regular and bold: libharu prepares every font anew for each document,
 * so a second face doubles the time per certificate (bold is drawn, see pdf/certificate.c). */
static char font_bold[512] = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf";
static int fonts_ready;
static struct signing_key key_cache;

void certificates_configure(const char *url, const char *keys, const char *regular, const char *bold)
{
	snprintf(base_url, sizeof base_url, "%s", url);
	/* Trailing slashes would give "//verify" in every QR code. */
	for (size_t n = strlen(base_url); n > 0 && base_url[n - 1] == '/'; n--)
		base_url[n - 1] = '\0';
	snprintf(keys_dir, sizeof keys_dir, "%s", keys);
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

const char *certificate_name_problem(struct arena *a, const char *name)
{
	const char *why = fonts(a);
	return why != NULL ? why : cert_text_problem(a, name);
}

/* The key in force, its secret read from $VAR/keys (cached per process). */
static enum db_status key_in_force(struct arena *a, const struct signing_key **k, const char **why)
{
	enum db_status st;
	char err[256];
	PGresult *r = db_query(a, &st, "SELECT id FROM signing_keys WHERE retired_at IS NULL", 0);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1) {
		*why = "no signing key is in force: create one with `esonrctl keygen`";
		return DB_REFUSED;
	}
	const char *id = db_val(r, 0, 0);
	if (!key_cache.has_secret || strcmp(key_cache.id, id) != 0) {
		struct signing_key fresh;
		if (key_load_secret(keys_dir, id, &fresh, err, sizeof err) != 0) {
			*why = arena_printf(a, "the signing key %s cannot be read: %s", id, err);
			return DB_REFUSED;
		}
		key_cache = fresh;
		sodium_memzero(&fresh, sizeof fresh);
	}
	*k = &key_cache;
	return DB_OK;
}

static const char *level_text(struct arena *a, const char *level, const char *branch)
{
	return branch != NULL ? arena_printf(a, "Level %s — %s", level, branch) :
	    arena_printf(a, "Level %s", level);
}

static const char *hex_param(struct arena *a, const unsigned char *bin, size_t n)
{
	char *out = arena_alloc(a, 2 * n + 3);
	memcpy(out, "\\x", 2);
	sodium_bin2hex(out + 2, 2 * n + 1, bin, n);
	return out;
}

enum db_status certificate_build(struct arena *a, const char *number, const char **why)
{
	enum db_status st;
	const struct signing_key *k;
	PGresult *r = db_query(a, &st,
	    "SELECT c.holder_name, e.title, e.level::text, e.branch,"
	    "   to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD FMMonth YYYY'), s.location,"
	    "   to_char(c.issued_at AT TIME ZONE 'Europe/Vienna', 'FMDD FMMonth YYYY'),"
	    "   to_char(c.issued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	    "   to_char(s.starts_at AT TIME ZONE s.time_zone, 'YYYY-MM-DD')"
	    " FROM certificates c JOIN exams e ON e.code = c.exam_code"
	    " JOIN exam_sessions s ON s.id = c.session_id WHERE c.number = $1", 1, number);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1) {
		*why = "no such certificate";
		return DB_REFUSED;
	}
	const char *name = db_val(r, 0, 0);
	const char *problem = certificate_name_problem(a, name);
	if (problem != NULL) {
		*why = arena_printf(a, "the certificate %s cannot be printed for \"%s\": %s. "
		    "Correct the name, or contact the portal's maintainers about the font.", number, name, problem);
		return DB_REFUSED;
	}
	if ((st = key_in_force(a, &k, why)) != DB_OK)
		return st;
	const char *record = qr_record_sign(a, k, number, name, db_val(r, 0, 1), db_val(r, 0, 8));
	struct cert_doc doc = {
		.number = number,
		.holder_name = name,
		.qualification = db_val(r, 0, 1),
		.level = level_text(a, db_val(r, 0, 2), db_val(r, 0, 3)),
		.session_date = db_val(r, 0, 4),
		.session_place = db_val(r, 0, 5),
		.issue_date = db_val(r, 0, 6),
		.creation_date = db_val(r, 0, 7),
		.key_id = k->id,
		.qr_text = arena_printf(a, "%s/verify/%s#%s", base_url, number, record),
		.signatory_1 = "President of the ESNR",
		.signatory_1_role = "European Society of Neuroradiology",
		.signatory_2 = "Director of the ESoNR",
		.signatory_2_role = "European School of Neuroradiology",
	};
	unsigned char *pdf, *signed_pdf;
	size_t len, signed_len;
	char err[256];
	if (cert_render(a, &doc, &pdf, &len, err, sizeof err) != 0) {
		*why = arena_printf(a, "the certificate %s could not be drawn: %s", number, err);
		return DB_REFUSED;
	}
	if (pdf_sign(a, pdf, len, k, number, &signed_pdf, &signed_len) != 0) {
		*why = "the certificate could not be signed";
		return DB_REFUSED;
	}
	return db_exec(a, "UPDATE certificates SET pdf = $2::bytea, key_id = $3, qr_text = $4 WHERE number = $1",
	    4, number, hex_param(a, signed_pdf, signed_len), k->id, doc.qr_text);
}

enum db_status certificate_find(struct arena *a, const char *number, struct cert_info *c, int *found)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT c.number, c.user_id, c.holder_name, c.exam_code, e.title, e.level::text, e.branch,"
	    "   to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD FMMonth YYYY'), s.location,"
	    "   to_char(c.issued_at AT TIME ZONE 'Europe/Vienna', 'FMDD FMMonth YYYY'),"
	    "   to_char(c.revoked_at AT TIME ZONE 'Europe/Vienna', 'FMDD FMMonth YYYY'), c.revoked_reason,"
	    "   c.superseded_by, c.supersedes, c.key_id"
	    " FROM certificates c JOIN exams e ON e.code = c.exam_code"
	    " LEFT JOIN exam_sessions s ON s.id = c.session_id WHERE c.number = $1", 1, number);
	if (st != DB_OK)
		return st;
	*found = db_rows(r) == 1;
	if (!*found)
		return DB_OK;
	c->number = db_val(r, 0, 0);
	c->user_id = db_val(r, 0, 1);
	c->holder = db_val(r, 0, 2);
	c->exam = db_val(r, 0, 3);
	c->qualification = db_val(r, 0, 4);
	c->level = level_text(a, db_val(r, 0, 5), db_val(r, 0, 6));
	c->session_date = db_val(r, 0, 7);
	c->place = db_val(r, 0, 8);
	c->issued_on = db_val(r, 0, 9);
	c->revoked_on = db_val(r, 0, 10);
	c->revoked_reason = db_val(r, 0, 11);
	c->superseded_by = db_val(r, 0, 12);
	c->supersedes = db_val(r, 0, 13);
	c->key_id = db_val(r, 0, 14);
	return DB_OK;
}

enum db_status certificate_pdf(struct arena *a, const char *number, unsigned char **pdf, size_t *len)
{
	enum db_status st;
	*len = 0;
	PGresult *r = db_query(a, &st, "SELECT encode(pdf, 'hex') FROM certificates WHERE number = $1",
	    1, number);
	if (st != DB_OK || db_rows(r) != 1 || db_val(r, 0, 0) == NULL)
		return st;
	const char *hex = db_val(r, 0, 0);
	size_t n = strlen(hex) / 2;
	*pdf = arena_alloc(a, n + 1);
	if (sodium_hex2bin(*pdf, n + 1, hex, strlen(hex), NULL, len, NULL) != 0)
		return DB_ERROR;
	return DB_OK;
}

enum db_status certificate_record(struct arena *a, const char *exam, const char *year,
    const char *user_id, const char *session_id, const char *holder, const char *supersedes,
    const char *reason, const char **number)
{
	enum db_status st;
	if ((st = db_exec(a, "INSERT INTO certificate_serials (exam_code, year) VALUES ($1, $2)"
	    " ON CONFLICT DO NOTHING", 2, exam, year)) != DB_OK)
		return st;
	PGresult *s = db_query(a, &st,
	    "UPDATE certificate_serials SET last_serial = last_serial + 1"
	    " WHERE exam_code = $1 AND year = $2 RETURNING last_serial", 2, exam, year);
	if (st != DB_OK || db_rows(s) != 1)
		return st == DB_OK ? DB_ERROR : st;
	const char *serial = db_val(s, 0, 0);
	*number = arena_printf(a, "ESNR-%s-%s-%04d", exam, year, atoi(serial));
	return db_exec(a, "INSERT INTO certificates (number, user_id, exam_code, session_id, year, serial,"
	    " holder_name, supersedes, reissue_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", 9,
	    *number, user_id, exam, session_id, year, serial, holder, supersedes, reason);
}

struct revoke_ctx {
	const char *number, *reason, *actor_id;
	const char **why;
};

static enum db_status revoke_body(struct arena *a, void *p)
{
	struct revoke_ctx *c = p;
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT revoked_at IS NOT NULL FROM certificates WHERE number = $1 FOR UPDATE", 1, c->number);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1) {
		*c->why = arena_printf(a, "no certificate %s", c->number);
		return DB_REFUSED;
	}
	if (strcmp(db_val(r, 0, 0), "t") == 0) {
		*c->why = arena_printf(a, "certificate %s is already revoked", c->number);
		return DB_REFUSED;
	}
	if ((st = db_exec(a, "UPDATE certificates SET revoked_at = now(), revoked_reason = $2 WHERE number = $1",
	    2, c->number, c->reason)) != DB_OK)
		return st;
	PGresult *j = db_query(a, &st, "SELECT jsonb_build_object('reason', $1::text)::text", 1, c->reason);
	if (st != DB_OK)
		return st;
	return audit_record(a, c->actor_id, "certificate.revoke", "certificate", c->number, NULL,
	    db_val(j, 0, 0));
}

enum db_status certificate_revoke(struct arena *a, const char *number, const char *reason,
    const char *actor_id, const char **why)
{
	struct revoke_ctx c = { number, reason, actor_id, why };
	return db_tx(a, DB_READ_COMMITTED, revoke_body, &c);
}

struct reissue_ctx {
	const char *number, *reason, *actor_id;
	const char **new_number, **why;
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
	if (db_rows(r) != 1) {
		*c->why = arena_printf(a, "no certificate %s", c->number);
		return DB_REFUSED;
	}
	if (strcmp(db_val(r, 0, 5), "t") == 0 || db_val(r, 0, 6) != NULL) {
		*c->why = arena_printf(a, "certificate %s is %s: only a certificate in force can be reissued",
		    c->number, db_val(r, 0, 6) ? "already superseded" : "revoked");
		return DB_REFUSED;
	}
	const char *fresh;
	if ((st = certificate_record(a, db_val(r, 0, 0), db_val(r, 0, 1), db_val(r, 0, 2),
	    db_val(r, 0, 4), db_val(r, 0, 3), c->number, c->reason, &fresh)) != DB_OK)
		return st;
	if ((st = db_exec(a, "UPDATE certificates SET superseded_by = $2 WHERE number = $1", 2, c->number,
	    fresh)) != DB_OK)
		return st;
	if ((st = certificate_build(a, fresh, c->why)) != DB_OK)
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
    const char *actor_id, const char **new_number, const char **why)
{
	struct reissue_ctx c = { number, reason, actor_id, new_number, why };
	return db_tx(a, DB_READ_COMMITTED, reissue_body, &c);
}

enum db_status signing_key_public(struct arena *a, const char *key_id, const char **hex, int *retired)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT public_key, retired_at IS NOT NULL FROM signing_keys WHERE id = $1", 1, key_id);
	*hex = NULL;
	if (st != DB_OK || db_rows(r) != 1)
		return st;
	*hex = db_val(r, 0, 0);
	*retired = strcmp(db_val(r, 0, 1), "t") == 0;
	return DB_OK;
}
