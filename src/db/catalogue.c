#include "db/catalogue.h"

#include <string.h>

static struct db_stmt q_levels = DB_STMT("catalogue_levels",
    "SELECT level, title FROM levels ORDER BY level", 0);
static struct db_stmt q_courses = DB_STMT("catalogue_courses",
    "SELECT code, level, title, requires_mcq FROM courses ORDER BY level, sort", 0);
static struct db_stmt q_exams = DB_STMT("catalogue_exams",
    "SELECT code, title, level FROM exams ORDER BY sort", 0);

static struct catalogue cat;
static struct arena *cat_arena; /* the process's: never reset */

static enum db_status load(void)
{
	struct db_call calls[] = { { &q_levels, { NULL } }, { &q_courses, { NULL } }, { &q_exams, { NULL } } };
	PGresult *res[3];
	/* The results live in tmp, freed at the end; the copies in a, kept for good. */
	struct arena *tmp = arena_new(), *a = arena_new();
	enum db_status st = db_batch(tmp, calls, 3, res);
	if (st != DB_OK) {
		arena_free(tmp);
		arena_free(a);
		return st;
	}
	struct cat_level *lv = arena_zalloc(a, sizeof *lv * (size_t)(db_rows(res[0]) + 1));
	for (int i = 0; i < db_rows(res[0]); i++)
		lv[i] = (struct cat_level){ (int)db_int(res[0], i, 0), arena_strdup(a, db_val(res[0], i, 1)) };
	struct cat_course *cs = arena_zalloc(a, sizeof *cs * (size_t)(db_rows(res[1]) + 1));
	for (int i = 0; i < db_rows(res[1]); i++)
		cs[i] = (struct cat_course){ arena_strdup(a, db_val(res[1], i, 0)), (int)db_int(res[1], i, 1),
		    arena_strdup(a, db_val(res[1], i, 2)), strcmp(db_val(res[1], i, 3), "t") == 0 };
	struct cat_exam *ex = arena_zalloc(a, sizeof *ex * (size_t)(db_rows(res[2]) + 1));
	for (int i = 0; i < db_rows(res[2]); i++)
		ex[i] = (struct cat_exam){ arena_strdup(a, db_val(res[2], i, 0)),
		    arena_strdup(a, db_val(res[2], i, 1)), (int)db_int(res[2], i, 2) };
	cat = (struct catalogue){ lv, (size_t)db_rows(res[0]), cs, (size_t)db_rows(res[1]), ex,
	    (size_t)db_rows(res[2]) };
	arena_free(tmp);
	cat_arena = a;
	return DB_OK;
}

enum db_status catalogue_get(const struct catalogue **out)
{
	enum db_status st = DB_OK;
	if (cat_arena == NULL)
		st = load();
	*out = &cat;
	return st;
}

const struct cat_exam *catalogue_exam(const struct catalogue *c, const char *code)
{
	for (size_t i = 0; i < c->nexams; i++)
		if (strcmp(c->exams[i].code, code) == 0)
			return &c->exams[i];
	return NULL;
}
