#include "db/certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "db/audit.h"
#include "db/outbox.h"

const char *certificate_level_text(struct arena *a, const char *level, const char *branch)
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

enum db_status certificate_store(struct arena *a, const char *number, const unsigned char *pdf,
    size_t len, const char *key_id, const char *signed_at, const char *qr_text)
{
	return db_exec(a, "UPDATE certificates SET pdf = $2::bytea, key_id = $3, signed_at = $4, qr_text = $5"
	    " WHERE number = $1", 5, number, hex_param(a, pdf, len), key_id, signed_at, qr_text);
}

enum db_status certificate_supersede(struct arena *a, const char *number, const char *by)
{
	return db_exec(a, "UPDATE certificates SET superseded_by = $2 WHERE number = $1", 2, number, by);
}

/* Prepared: every GET /verify/{number} runs it, and planning its joins cost more than running them. */
static struct db_stmt q_find = DB_STMT("certificate_find",
    "SELECT c.number, c.user_id, c.holder_name, c.exam_code, e.title, e.level::text, e.branch,"
    "   to_char(s.starts_at AT TIME ZONE s.time_zone, 'FMDD FMMonth YYYY'), s.location,"
    "   to_char(c.issued_at AT TIME ZONE 'Europe/Vienna', 'FMDD FMMonth YYYY'),"
    "   to_char(c.revoked_at AT TIME ZONE 'Europe/Vienna', 'FMDD FMMonth YYYY'), c.revoked_reason,"
    "   c.superseded_by, c.supersedes, c.key_id,"
    "   to_char(c.signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), c.qr_text"
    " FROM certificates c JOIN exams e ON e.code = c.exam_code"
    " LEFT JOIN exam_sessions s ON s.id = c.session_id WHERE c.number = $1", 1);

enum db_status certificate_find(struct arena *a, const char *number, struct cert_info *c, int *found)
{
	enum db_status st;
	PGresult *r = db_run(a, &st, &q_find, number);
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
	c->level = certificate_level_text(a, db_val(r, 0, 5), db_val(r, 0, 6));
	c->session_date = db_val(r, 0, 7);
	c->place = db_val(r, 0, 8);
	c->issued_on = db_val(r, 0, 9);
	c->revoked_on = db_val(r, 0, 10);
	c->revoked_reason = db_val(r, 0, 11);
	c->superseded_by = db_val(r, 0, 12);
	c->supersedes = db_val(r, 0, 13);
	c->key_id = db_val(r, 0, 14);
	c->signed_at = db_val(r, 0, 15);
	c->qr_text = db_val(r, 0, 16);
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
	struct refusal *ref;
};

static enum db_status revoke_body(struct arena *a, void *p)
{
	struct revoke_ctx *c = p;
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT revoked_at IS NOT NULL FROM certificates WHERE number = $1 FOR UPDATE", 1, c->number);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return db_refusef(a, c->ref, REFUSAL_NOT_FOUND, NULL, "There is no certificate %s.", c->number);
	if (strcmp(db_val(r, 0, 0), "t") == 0)
		return db_refusef(a, c->ref, REFUSAL_CONFLICT, NULL, "Certificate %s is already revoked.",
		    c->number);
	if ((st = db_exec(a, "UPDATE certificates SET revoked_at = now(), revoked_reason = $2 WHERE number = $1",
	    2, c->number, c->reason)) != DB_OK ||
	    (st = outbox_certificate(a, c->number, OUTBOX_CERT_REVOKED)) != DB_OK)
		return st;
	PGresult *j = db_query(a, &st, "SELECT jsonb_build_object('reason', $1::text)::text", 1, c->reason);
	if (st != DB_OK)
		return st;
	return audit_record(a, c->actor_id, "certificate.revoke", "certificate", c->number, NULL,
	    db_val(j, 0, 0));
}

enum db_status certificate_revoke(struct arena *a, const char *number, const char *reason,
    const char *actor_id, struct refusal *ref)
{
	struct revoke_ctx c = { number, reason, actor_id, ref };
	return db_tx(a, DB_READ_COMMITTED, revoke_body, &c);
}


enum db_status certificate_list(struct arena *a, const char *user_id, struct cert_row **rows, int *n)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT c.number, c.exam_code, e.title, c.holder_name,"
	    "   to_char(c.issued_at AT TIME ZONE 'Europe/Vienna', 'FMDD FMMonth YYYY'),"
	    "   c.revoked_at IS NOT NULL, c.revoked_reason, c.superseded_by, c.pdf IS NOT NULL"
	    " FROM certificates c JOIN exams e ON e.code = c.exam_code"
	    " WHERE $1::bigint IS NULL OR c.user_id = $1 ORDER BY c.issued_at DESC, c.number LIMIT 500",
	    1, user_id);
	*n = 0;
	if (st != DB_OK)
		return st;
	*n = db_rows(r);
	*rows = arena_alloc(a, sizeof **rows * (size_t)(*n > 0 ? *n : 1));
	for (int i = 0; i < *n; i++) {
		struct cert_row *c = &(*rows)[i];
		c->number = db_val(r, i, 0);
		c->exam = db_val(r, i, 1);
		c->qualification = db_val(r, i, 2);
		c->holder = db_val(r, i, 3);
		c->issued_on = db_val(r, i, 4);
		c->revoked = strcmp(db_val(r, i, 5), "t") == 0;
		c->revoked_reason = db_val(r, i, 6);
		c->superseded_by = db_val(r, i, 7);
		c->has_pdf = strcmp(db_val(r, i, 8), "t") == 0;
	}
	return DB_OK;
}

enum db_status certificate_problem_note(struct arena *a, const char *booking_id, const char *actor_id,
    const char *problem)
{
	enum db_status st = db_exec(a, "INSERT INTO certificate_problems (booking_id, problem) VALUES ($1, $2)"
	    " ON CONFLICT (booking_id) DO UPDATE SET problem = excluded.problem, noted_at = now()",
	    2, booking_id, problem);
	if (st != DB_OK)
		return st;
	PGresult *j = db_query(a, &st, "SELECT jsonb_build_object('booking', $1::bigint, 'problem', $2::text)::text",
	    2, booking_id, problem);
	if (st != DB_OK)
		return st;
	return audit_record(a, actor_id, "certificate.not_issued", "booking", booking_id, NULL, db_val(j, 0, 0));
}

enum db_status certificate_problem_clear(struct arena *a, const char *booking_id)
{
	return db_exec(a, "DELETE FROM certificate_problems WHERE booking_id = $1", 1, booking_id);
}

enum db_status certificate_problems(struct arena *a, const char *session_id, struct cert_problem **out, int *n)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT p.booking_id, u.full_name, u.email, p.problem FROM certificate_problems p"
	    " JOIN bookings b ON b.id = p.booking_id JOIN users u ON u.id = b.user_id"
	    " WHERE b.session_id = $1 ORDER BY p.booking_id", 1, session_id);
	*n = 0;
	if (st != DB_OK)
		return st;
	*n = db_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n > 0 ? *n : 1));
	for (int i = 0; i < *n; i++)
		(*out)[i] = (struct cert_problem){ db_val(r, i, 0), db_val(r, i, 1), db_val(r, i, 2), db_val(r, i, 3) };
	return DB_OK;
}
