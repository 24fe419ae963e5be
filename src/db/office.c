#include "db/office.h"

#include <string.h>

#include "core/buf.h"

#define OFFICE_ZONE "Europe/Vienna" /* where the office's own timestamps are read */

enum db_status office_counts(struct arena *a, struct office_counts *out)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT (SELECT count(*) FROM users WHERE role = 'candidate'),"
	    "   (SELECT count(*) FROM bookings b JOIN exam_sessions s ON s.id = b.session_id"
	    "      WHERE b.status = 'booked' AND s.published_at IS NULL),"
	    "   (SELECT count(*) FROM bookings b JOIN exam_sessions s ON s.id = b.session_id"
	    "      WHERE b.status = 'waitlisted' AND s.published_at IS NULL)", 0);
	if (st != DB_OK)
		return st;
	out->candidates = db_int(r, 0, 0);
	out->booked = db_int(r, 0, 1);
	out->waitlisted = db_int(r, 0, 2);
	return DB_OK;
}

/* q as a LIKE pattern matching it anywhere, with its own % _ and \ taken literally. */
static const char *like_pattern(struct arena *a, const char *q)
{
	struct buf b;
	buf_init(&b, a);
	buf_putc(&b, '%');
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, *q);
	}
	buf_putc(&b, '%');
	return b.data;
}

#define CANDIDATE_COLUMNS \
	"SELECT id, full_name, email, to_char(created_at AT TIME ZONE $1, 'YYYY-MM-DD')," \
	"   (SELECT count(*) FROM bookings b WHERE b.user_id = u.id AND b.status <> 'cancelled')" \
	" FROM users u WHERE role = 'candidate'"

static void candidate_of(const PGresult *r, int i, struct candidate_row *c)
{
	c->id = db_val(r, i, 0);
	c->name = db_val(r, i, 1);
	c->email = db_val(r, i, 2);
	c->since = db_val(r, i, 3);
	c->bookings = db_int(r, i, 4);
}

enum db_status candidate_search(struct arena *a, const char *q, size_t limit,
    struct candidate_row **rows, size_t *n, int *more)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, CANDIDATE_COLUMNS
	    "   AND ($2 = '' OR email ILIKE $3 ESCAPE '\\' OR full_name ILIKE $3 ESCAPE '\\')"
	    " ORDER BY full_name, id LIMIT $4::int + 1", 4, OFFICE_ZONE, q, like_pattern(a, q),
	    arena_printf(a, "%zu", limit));
	*rows = NULL;
	*n = 0;
	*more = 0;
	if (st != DB_OK)
		return st;
	size_t got = (size_t)db_rows(r);
	*more = got > limit;
	*n = got > limit ? limit : got;
	*rows = arena_zalloc(a, sizeof **rows * (*n + 1));
	for (size_t i = 0; i < *n; i++)
		candidate_of(r, (int)i, &(*rows)[i]);
	return DB_OK;
}

enum db_status candidate_get(struct arena *a, const char *id, struct candidate_row *out, int *found)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, CANDIDATE_COLUMNS " AND id = $2", 2, OFFICE_ZONE, id);
	*found = st == DB_OK && db_rows(r) == 1;
	if (*found)
		candidate_of(r, 0, out);
	return st;
}

enum db_status candidate_file(struct arena *a, const char *user_id, struct candidate_file *out)
{
	enum db_status st;
	memset(out, 0, sizeof *out);
	PGresult *r = db_query(a, &st,
	    "SELECT a.course_code, c.title, a.edition_id, e.cycle_label, e.city, a.attended_on::text,"
	    "   r.full_name"
	    " FROM attendances a JOIN courses c ON c.code = a.course_code"
	    " LEFT JOIN course_editions e ON e.id = a.edition_id LEFT JOIN users r ON r.id = a.recorded_by"
	    " WHERE a.user_id = $1 ORDER BY a.attended_on DESC, c.sort", 1, user_id);
	if (st != DB_OK)
		return st;
	out->nattendances = (size_t)db_rows(r);
	out->attendances = arena_zalloc(a, sizeof *out->attendances * (out->nattendances + 1));
	for (int i = 0; i < (int)out->nattendances; i++)
		out->attendances[i] = (struct attendance_entry){ db_val(r, i, 0), db_val(r, i, 1),
			db_val(r, i, 2), db_val(r, i, 3), db_val(r, i, 4), db_val(r, i, 5), db_val(r, i, 6) };

	r = db_query(a, &st,
	    "SELECT a.course_code, m.attempt, m.taken_on::text, r.full_name, m.passed"
	    " FROM mcq_attempts m JOIN attendances a ON a.id = m.attendance_id"
	    " LEFT JOIN users r ON r.id = m.recorded_by"
	    " WHERE a.user_id = $1 ORDER BY m.taken_on DESC, a.course_code", 1, user_id);
	if (st != DB_OK)
		return st;
	out->nmcqs = (size_t)db_rows(r);
	out->mcqs = arena_zalloc(a, sizeof *out->mcqs * (out->nmcqs + 1));
	for (int i = 0; i < (int)out->nmcqs; i++)
		out->mcqs[i] = (struct mcq_entry){ db_val(r, i, 0), db_val(r, i, 1), db_val(r, i, 2),
			db_val(r, i, 3), strcmp(db_val(r, i, 4), "t") == 0 };

	r = db_query(a, &st,
	    "SELECT k.title, t.kind, t.evidence_date::text, u.full_name,"
	    "   to_char(t.checked_at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI')"
	    " FROM attestations t JOIN attestation_kinds k ON k.code = t.kind"
	    " JOIN users u ON u.id = t.checked_by WHERE t.user_id = $1 ORDER BY k.code", 2, user_id,
	    OFFICE_ZONE);
	if (st != DB_OK)
		return st;
	out->nattestations = (size_t)db_rows(r);
	out->attestations = arena_zalloc(a, sizeof *out->attestations * (out->nattestations + 1));
	for (int i = 0; i < (int)out->nattestations; i++)
		out->attestations[i] = (struct attestation_entry){ db_val(r, i, 0), db_val(r, i, 1),
			db_val(r, i, 2), db_val(r, i, 3), db_val(r, i, 4) };

	r = db_query(a, &st,
	    "SELECT number, exam_code, to_char(issued_at AT TIME ZONE $2, 'YYYY-MM-DD'),"
	    "   CASE WHEN revoked_at IS NOT NULL THEN revoked_reason END, superseded_by"
	    " FROM certificates WHERE user_id = $1 ORDER BY issued_at", 2, user_id, OFFICE_ZONE);
	if (st != DB_OK)
		return st;
	out->ncertificates = (size_t)db_rows(r);
	out->certificates = arena_zalloc(a, sizeof *out->certificates * (out->ncertificates + 1));
	for (int i = 0; i < (int)out->ncertificates; i++)
		out->certificates[i] = (struct certificate_entry){ db_val(r, i, 0), db_val(r, i, 1),
			db_val(r, i, 2), db_val(r, i, 3), db_val(r, i, 4) };
	return DB_OK;
}
