/* What the candidates' pages show alike: the rules of every exam and the sessions not
 * published yet, their dates already written out in each session's own zone. Each process
 * keeps one copy and reads it again only when the version that triggers move on every
 * change to it (sql/056_shared_view_version.sql) differs from the copy's (newer, or older
 * after a restored or re-created database), or its database's epoch (sql/060: a re-created
 * database that lands on the same version); a page reads that
 * version in its own round trip, so the page after a change shows the change. Counts that
 * bookings change (seats, waiting lists) are not in it: pages read them live. */
#ifndef ESONR_SHARED_VIEW_H
#define ESONR_SHARED_VIEW_H
#include <stddef.h>
#include <stdint.h>
#include "db/catalogue.h"
#include "db/programme.h"

struct sv_session {
	const char *id, *exam, *location;
	long long nid; /* the id as a number */
	long long capacity;
	int64_t starts_at, opens_at, closes_at, closed_at; /* unix µs; closed_at 0: not closed */
	const char *day;          /* "3 May 2027" */
	const char *when;         /* "3 May 2027, 09:00 Europe/Vienna" */
	const char *when_long;    /* "Monday 3 May 2027, 09:00 Europe/Vienna" */
	const char *opens_day;    /* "1 Apr 2027" */
	const char *opens, *closes, *cancel_until; /* like when */
};

struct shared_view {
	long long version, epoch; /* epoch: the database's own (sql/060), compared with it */
	const struct exam_rules *rules; /* every exam's rules, in force or not, by exam */
	size_t nrules;
	const struct sv_session *sessions; /* not published, by start, then id */
	const struct sv_session *const *by_id; /* the same, by id */
	size_t nsessions;
	struct catalogue cat; /* levels, courses, exams (db/catalogue.h) */
};

/* The statement a page queues in its round trip (db_batch): the version, and the
 * database's clock (as db_now). */
void shared_view_call(struct db_call *call);
/* Its columns, for a page's own statement that reads more beside them in the same row:
 * "SELECT " SHARED_VIEW_VERSION_COLUMNS ", " SEAT_VERSION_COLUMN ", … FROM shared_view_version"
 * answers shared_view_get and seat_version_of as shared_view_seats_call's does. */
#define SHARED_VIEW_VERSION_COLUMNS \
	"v, (extract(epoch FROM now()) * 1000000)::bigint," \
	" (now() AT TIME ZONE 'Europe/Vienna')::date::text, epoch"
#define SEAT_VERSION_COLUMN "(SELECT sum(v)::bigint FROM seat_versions)"
/* The version and epoch that statement's answer read, which the copy's may be newer than
 * after a reload: what rows read in the same round trip are to be filed under (db/kept.h). */
void shared_view_versions(const PGresult *r, long long out[2]);
/* The same statement with the seat version too (sql/062_seat_versions.sql), which moves
 * with every change to a session's counts (places booked, waiting list), capacity, closing
 * or closing time, and with every session added or removed; seat_version_of reads it from
 * the answer (-1 when there is none). */
void shared_view_seats_call(struct db_call *call);
long long seat_version_of(const PGresult *r);
/* The copy as of that statement's answer (read again first when its version differs); now and
 * today from the same answer. Call it once per page, before using the view or the catalogue:
 * what the page takes from the copy stays valid until the next page's shared_view_get. */
enum db_status shared_view_get(const PGresult *r, const struct shared_view **out, int64_t *now,
    const char **today);
/* The copy as it is, read first if this process has none yet (pages that do not read the
 * version: the booking, the office's forms). */
enum db_status shared_view_current(const struct shared_view **out);
/* Reads the copy again whatever its version: a page found a session it does not have yet
 * (created between the page's version and its rows). At most once per page (after its
 * shared_view_get); later calls return the copy as it is, so that the copy the page's
 * earlier rows point into (kept as the one before) is never freed under it. */
enum db_status shared_view_reload(const struct shared_view **out);

/* The session with that id, or NULL. */
const struct sv_session *shared_view_session(const struct shared_view *v, const char *id);
/* The exam's rules (all of them), or NULL when it has none. */
const struct exam_rules *shared_view_rules(const struct shared_view *v, const char *exam);
/* Booking is still possible (not closed by the office, closing time not passed). */
int sv_session_upcoming(const struct sv_session *s, int64_t now);

#endif
