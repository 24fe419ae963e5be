#include "db/catalogue.h"
#include "db/shared_view.h"

#include <stdlib.h>
#include <string.h>

static struct db_stmt q_levels = DB_READ("catalogue_levels",
    "SELECT level, title FROM levels ORDER BY level", 0);
static struct db_stmt q_courses = DB_READ("catalogue_courses",
    "SELECT code, level, title, requires_mcq FROM courses ORDER BY level, sort", 0);
static struct db_stmt q_exams = DB_READ("catalogue_exams",
    "SELECT code, title, level FROM exams ORDER BY sort", 0);

void catalogue_calls(struct db_call calls[3])
{
	calls[0] = (struct db_call){ &q_levels, { NULL } };
	calls[1] = (struct db_call){ &q_courses, { NULL } };
	calls[2] = (struct db_call){ &q_exams, { NULL } };
}

void catalogue_parse(struct arena *a, PGresult *const res[3], struct catalogue *out)
{
	struct cat_level *lv = arena_zalloc(a, sizeof *lv * (size_t)(db_rows(res[0]) + 1));
	for (int i = 0; i < db_rows(res[0]); i++)
		lv[i] = (struct cat_level){ (int)db_int(res[0], i, 0), db_val(res[0], i, 1) };
	struct cat_course *cs = arena_zalloc(a, sizeof *cs * (size_t)(db_rows(res[1]) + 1));
	for (int i = 0; i < db_rows(res[1]); i++)
		cs[i] = (struct cat_course){ db_val(res[1], i, 0), (int)db_int(res[1], i, 1), db_val(res[1], i, 2),
		    strcmp(db_val(res[1], i, 3), "t") == 0 };
	struct cat_exam *ex = arena_zalloc(a, sizeof *ex * (size_t)(db_rows(res[2]) + 1));
	for (int i = 0; i < db_rows(res[2]); i++)
		ex[i] = (struct cat_exam){ db_val(res[2], i, 0), db_val(res[2], i, 1), (int)db_int(res[2], i, 2) };
	*out = (struct catalogue){ lv, (size_t)db_rows(res[0]), cs, (size_t)db_rows(res[1]), ex,
	    (size_t)db_rows(res[2]) };
}

enum db_status catalogue_get(const struct catalogue **out)
{
	const struct shared_view *v;
	enum db_status st = shared_view_current(&v);
	*out = &v->cat;
	return st;
}

enum db_status catalogue_course_find(const struct catalogue **c, const char *code,
    const struct cat_course **out)
{
	*out = catalogue_course(*c, code);
	if (*out != NULL)
		return DB_OK;
	const struct shared_view *v;
	enum db_status st = shared_view_reload(&v); /* at most once per page: see there */
	*c = &v->cat;
	*out = catalogue_course(*c, code);
	return st;
}

const struct cat_exam *catalogue_exam(const struct catalogue *c, const char *code)
{
	for (size_t i = 0; i < c->nexams; i++)
		if (strcmp(c->exams[i].code, code) == 0)
			return &c->exams[i];
	return NULL;
}

const struct cat_course *catalogue_course(const struct catalogue *c, const char *code)
{
	for (size_t i = 0; i < c->ncourses; i++)
		if (strcmp(c->courses[i].code, code) == 0)
			return &c->courses[i];
	return NULL;
}

static struct db_stmt q_editions = DB_STMT("catalogue_editions",
    "SELECT id, cycle_label || ', ' || city FROM course_editions ORDER BY id", 0);

struct edition_name {
	long long id;
	const char *label;
};
static struct edition_name *editions; /* by id */
static size_t neditions;
/* The copy, and the one before; callers copy the names they take (a page may reload more than once). */
static struct arena *editions_arena, *editions_before;

static const char *edition_known(long long id)
{
	size_t lo = 0, hi = neditions;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (editions[mid].id == id)
			return editions[mid].label;
		if (editions[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static enum db_status editions_load(void)
{
	struct arena *a = arena_new();
	enum db_status st;
	PGresult *r = db_run(a, &st, &q_editions);
	if (st != DB_OK) {
		arena_free(a);
		return st;
	}
	struct edition_name *x = arena_zalloc(a, sizeof *x * (size_t)(db_rows(r) + 1));
	for (int i = 0; i < db_rows(r); i++)
		x[i] = (struct edition_name){ db_int(r, i, 0), db_val(r, i, 1) };
	/* The names live on with the result, in the copy's arena. */
	if (editions_before != NULL)
		arena_free(editions_before);
	editions_before = editions_arena;
	editions_arena = a;
	editions = x;
	neditions = (size_t)db_rows(r);
	return DB_OK;
}

enum db_status catalogue_edition(const char *id, const char **label)
{
	long long n = strtoll(id, NULL, 10);
	*label = edition_known(n);
	if (*label != NULL)
		return DB_OK;
	enum db_status st = editions_load();
	*label = st == DB_OK ? edition_known(n) : NULL;
	return st;
}

/* ---- the lists the office's forms offer ---- */

static enum db_status code_titles(struct arena *a, const char *sql, struct code_title **rows,
    size_t *n)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, sql, 0);
	*rows = NULL;
	*n = 0;
	if (st != DB_OK)
		return st;
	*n = (size_t)db_rows(r);
	*rows = arena_zalloc(a, sizeof **rows * (*n + 1));
	for (size_t i = 0; i < *n; i++) {
		(*rows)[i].code = db_val(r, (int)i, 0);
		(*rows)[i].title = db_val(r, (int)i, 1);
	}
	return DB_OK;
}

enum db_status exam_list(struct arena *a, struct code_title **rows, size_t *n)
{
	const struct catalogue *c;
	enum db_status st = catalogue_get(&c);
	*rows = NULL;
	*n = 0;
	if (st != DB_OK)
		return st;
	*rows = arena_zalloc(a, sizeof **rows * (c->nexams + 1));
	for (size_t i = 0; i < c->nexams; i++)
		(*rows)[i] = (struct code_title){ c->exams[i].code, c->exams[i].title };
	*n = c->nexams;
	return DB_OK;
}

enum db_status course_list(struct arena *a, struct code_title **rows, size_t *n)
{
	const struct catalogue *c;
	enum db_status st = catalogue_get(&c);
	*rows = NULL;
	*n = 0;
	if (st != DB_OK)
		return st;
	*rows = arena_zalloc(a, sizeof **rows * (c->ncourses + 1));
	for (size_t i = 0; i < c->ncourses; i++)
		(*rows)[i] = (struct code_title){ c->courses[i].code, c->courses[i].title };
	*n = c->ncourses;
	return DB_OK;
}

enum db_status attestation_kind_list(struct arena *a, struct code_title **rows, size_t *n)
{
	return code_titles(a, "SELECT code, title FROM attestation_kinds ORDER BY code", rows, n);
}

enum db_status edition_list(struct arena *a, struct edition_row **rows, size_t *n)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT e.id, e.course_code, e.cycle_label, e.city, e.starts_on::text, e.ends_on::text,"
	    "   (SELECT count(*) FROM attendances t WHERE t.edition_id = e.id)"
	    " FROM course_editions e ORDER BY e.starts_on DESC, e.course_code", 0);
	*rows = NULL;
	*n = 0;
	if (st != DB_OK)
		return st;
	*n = (size_t)db_rows(r);
	*rows = arena_zalloc(a, sizeof **rows * (*n + 1));
	for (int i = 0; i < (int)*n; i++) {
		struct edition_row *e = &(*rows)[i];
		e->id = db_val(r, i, 0);
		e->course = db_val(r, i, 1);
		e->cycle = db_val(r, i, 2);
		e->city = db_val(r, i, 3);
		e->starts_on = db_val(r, i, 4);
		e->ends_on = db_val(r, i, 5);
		e->attendances = db_int(r, i, 6);
	}
	return DB_OK;
}

enum db_status edition_create(struct arena *a, const char *course, const char *cycle,
    const char *city, const char *starts_on, const char *ends_on, struct refusal *ref)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "INSERT INTO course_editions (course_code, cycle_label, city, starts_on, ends_on)"
	    " SELECT code, $2, $3, $4, $5 FROM courses WHERE code = $1 RETURNING id",
	    5, course, cycle, city, starts_on, ends_on);
	if (st == DB_CONFLICT)
		return db_refusef(a, ref, REFUSAL_CONFLICT, NULL, "An edition of %s starting on %s "
		    "exists already.", course, starts_on);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return db_refuse(ref, REFUSAL_BAD_FIELD, "course", "Choose one of the courses in the list.");
	return DB_OK;
}
