#include "db/shared_view.h"

#include <stdlib.h>
#include <string.h>

#include "db/catalogue.h"

static struct db_stmt q_version = DB_READ("shared_view_version",
    "SELECT " SHARED_VIEW_VERSION_COLUMNS " FROM shared_view_version", 0);
/* The same with the seat version: one statement less for the pages that need both. */
static struct db_stmt q_version_seats = DB_READ("shared_view_version_seats",
    "SELECT " SHARED_VIEW_VERSION_COLUMNS ", " SEAT_VERSION_COLUMN " FROM shared_view_version", 0);

#define US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"
#define LOCAL(col, fmt) "to_char(" col " AT TIME ZONE s.time_zone, '" fmt "')"
#define ZONED(col) LOCAL(col, "FMDD Mon YYYY, HH24:MI") " || ' ' || s.time_zone"
static struct db_stmt q_sessions = DB_READ("shared_view_sessions",
    "SELECT s.id, s.exam_code, s.location, s.capacity,"
    "   " US("s.starts_at") ", " US("s.opens_at") ", " US("s.closes_at") ","
    "   coalesce(" US("s.closed_at") ", 0),"
    "   " LOCAL("s.starts_at", "FMDD Mon YYYY") ", " ZONED("s.starts_at") ","
    "   " LOCAL("s.starts_at", "FMDay FMDD FMMonth YYYY, HH24:MI") " || ' ' || s.time_zone,"
    "   " LOCAL("s.opens_at", "FMDD Mon YYYY") ", " ZONED("s.opens_at") ", " ZONED("s.closes_at") ","
    "   " ZONED("s.cancel_until")
    " FROM exam_sessions s WHERE s.published_at IS NULL ORDER BY s.starts_at, s.id", 0);

static struct shared_view view;
/* The copy's results and arrays; the one before is kept until the next reload, so that a
 * page holding pointers into it while another part of it reloads does not lose them. */
static struct arena *current, *previous;
/* A page reads the copy again for a session it misses at most once after its
 * shared_view_get: a second reload would free the copy the page's first rows point into
 * (use after free), and an id still missing after one reload is not in the view anyway. */
static int reloaded_for_page;

static int by_nid(const void *x, const void *y)
{
	const struct sv_session *a = *(const struct sv_session *const *)x, *b = *(const struct sv_session *const *)y;
	return (a->nid > b->nid) - (a->nid < b->nid);
}

static void parse_sessions(struct arena *a, const PGresult *r, struct shared_view *v)
{
	int n = db_rows(r);
	struct sv_session *x = arena_zalloc(a, sizeof *x * (size_t)(n + 1));
	for (int i = 0; i < n; i++)
		x[i] = (struct sv_session){
			.id = db_val(r, i, 0), .exam = db_val(r, i, 1), .location = db_val(r, i, 2),
			.capacity = db_int(r, i, 3), .starts_at = db_int(r, i, 4), .opens_at = db_int(r, i, 5),
			.closes_at = db_int(r, i, 6), .closed_at = db_int(r, i, 7), .day = db_val(r, i, 8),
			.when = db_val(r, i, 9), .when_long = db_val(r, i, 10), .opens_day = db_val(r, i, 11),
			.opens = db_val(r, i, 12), .closes = db_val(r, i, 13), .cancel_until = db_val(r, i, 14),
		};
	v->sessions = x;
	v->nsessions = (size_t)n;
	/* By id too, for shared_view_session: pages look up every session they list. */
	const struct sv_session **by_id = arena_zalloc(a, sizeof *by_id * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		x[i].nid = strtoll(x[i].id, NULL, 10);
		by_id[i] = &x[i];
	}
	qsort(by_id, (size_t)n, sizeof *by_id, by_nid);
	v->by_id = by_id;
}

static enum db_status reload(const struct shared_view **out)
{
	/* The version first: what the statements after it read is at least as new, so the
	 * copy is never older than the version it is filed under. */
	struct db_call calls[6] = { { &q_version, { NULL } }, { NULL, { NULL } }, { &q_sessions, { NULL } } };
	PGresult *res[6];
	rules_all_call(&calls[1]);
	catalogue_calls(&calls[3]);
	struct arena *a = arena_new();
	enum db_status st = db_batch(a, calls, 6, res);
	if (st != DB_OK || db_rows(res[0]) != 1) {
		arena_free(a);
		*out = &view;
		return st == DB_OK ? DB_ERROR : st;
	}
	struct shared_view v = { .version = db_int(res[0], 0, 0), .epoch = db_int(res[0], 0, 3) };
	struct exam_rules *rules;
	rules_all_parse(a, res[1], &rules, &v.nrules);
	v.rules = rules;
	parse_sessions(a, res[2], &v);
	catalogue_parse(a, &res[3], &v.cat);
	if (previous != NULL)
		arena_free(previous);
	previous = current;
	current = a;
	view = v;
	*out = &view;
	return DB_OK;
}

enum db_status shared_view_current(const struct shared_view **out)
{
	*out = &view;
	return current != NULL ? DB_OK : reload(out);
}

enum db_status shared_view_reload(const struct shared_view **out)
{
	*out = &view;
	if (reloaded_for_page && current != NULL)
		return DB_OK;
	reloaded_for_page = 1;
	return reload(out);
}

void shared_view_call(struct db_call *call)
{
	*call = (struct db_call){ &q_version, { NULL } };
}

void shared_view_versions(const PGresult *r, long long out[2])
{
	out[0] = db_rows(r) == 1 ? db_int(r, 0, 0) : -1;
	out[1] = db_rows(r) == 1 ? db_int(r, 0, 3) : -1;
}

void shared_view_seats_call(struct db_call *call)
{
	*call = (struct db_call){ &q_version_seats, { NULL } };
}

long long seat_version_of(const PGresult *r)
{
	return db_rows(r) == 1 && db_val(r, 0, 4) != NULL ? db_int(r, 0, 4) : -1;
}

enum db_status shared_view_get(const PGresult *r, const struct shared_view **out, int64_t *now,
    const char **today)
{
	*out = &view;
	reloaded_for_page = 0; /* a new page: nothing points into the copies before it */
	if (db_rows(r) != 1)
		return DB_ERROR;
	*now = db_int(r, 0, 1);
	*today = db_val(r, 0, 2);
	if (current != NULL && view.version == db_int(r, 0, 0) && view.epoch == db_int(r, 0, 3))
		return DB_OK;
	return reload(out);
}

const struct sv_session *shared_view_session(const struct shared_view *v, const char *id)
{
	char *end;
	if (id == NULL || *id < '0' || *id > '9')
		return NULL;
	long long nid = strtoll(id, &end, 10);
	if (*end != '\0')
		return NULL;
	size_t lo = 0, hi = v->nsessions;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->by_id[mid]->nid < nid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->nsessions && v->by_id[lo]->nid == nid && strcmp(v->by_id[lo]->id, id) == 0 ? v->by_id[lo] : NULL;
}

const struct exam_rules *shared_view_rules(const struct shared_view *v, const char *exam)
{
	for (size_t i = 0; i < v->nrules; i++)
		if (strcmp(v->rules[i].exam, exam) == 0)
			return &v->rules[i];
	return NULL;
}

int sv_session_upcoming(const struct sv_session *s, int64_t now)
{
	return s->closed_at == 0 && s->closes_at > now;
}
