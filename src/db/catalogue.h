/* The programme's catalogue: levels, courses and examinations. It is part of the process's
 * shared view (db/shared_view.h), read with it and again when its version moves (every change
 * to levels, courses and exams moves it) or when a course turns up that the copy does not know
 * (catalogue_course_find); what a page takes from it stays valid as the shared view's does. */
#ifndef ESONR_CATALOGUE_H
#define ESONR_CATALOGUE_H
#include <stddef.h>
#include "db/db.h"

struct cat_level {
	int level;
	const char *title;
};

struct cat_course {
	const char *code;
	int level;
	const char *title;
	int requires_mcq;
};

struct cat_exam {
	const char *code;
	const char *title;
	int level;
};

struct catalogue {
	const struct cat_level *levels;   /* by level */
	size_t nlevels;
	const struct cat_course *courses; /* by level, then the programme's order */
	size_t ncourses;
	const struct cat_exam *exams;     /* in the programme's order */
	size_t nexams;
};

/* The statements that read it, for the shared view's round trip, and their answers parsed
 * (the catalogue points into them). */
void catalogue_calls(struct db_call calls[3]);
void catalogue_parse(struct arena *a, PGresult *const res[3], struct catalogue *out);
/* The process's copy: the shared view's (read on first use). */
enum db_status catalogue_get(const struct catalogue **out);
/* The exam with that code, or NULL. */
const struct cat_exam *catalogue_exam(const struct catalogue *c, const char *code);
/* The course with that code, or NULL. */
const struct cat_course *catalogue_course(const struct catalogue *c, const char *code);
/* The same, reading the catalogue again when *c does not know the code (a course added
 * since it was read) and it was not read again in this page yet; *out NULL when the copy
 * still does not know it. */
enum db_status catalogue_course_find(const struct catalogue **c, const char *code,
    const struct cat_course **out);
/* A course edition's name, "ECNR cycle 2027/1, Vienna" (NULL for an unknown id). Editions
 * are added, never changed (sql/040): their names are kept per process, and read again
 * when an edition is not known yet. The name is valid until the next call only (that
 * call may read them again and free the copy before the one it reads): copy it. */
enum db_status catalogue_edition(const char *id, const char **label);

/* ---- the lists the office's forms offer ---- */

struct code_title {
	const char *code, *title;
};

struct edition_row {
	const char *id, *course, *cycle, *city, *starts_on, *ends_on; /* dates YYYY-MM-DD */
	long long attendances;
};

/* In the programme's order (from the catalogue above). */
enum db_status exam_list(struct arena *a, struct code_title **rows, size_t *n);
enum db_status course_list(struct arena *a, struct code_title **rows, size_t *n);
/* Attestation kinds and course editions change, so they are read each time. */
enum db_status attestation_kind_list(struct arena *a, struct code_title **rows, size_t *n);
/* Newest first. */
enum db_status edition_list(struct arena *a, struct edition_row **rows, size_t *n);
/* A new edition of course; refused: bad field "course" (no such course), conflict (an
 * edition of that course starting that day exists). */
enum db_status edition_create(struct arena *a, const char *course, const char *cycle,
    const char *city, const char *starts_on, const char *ends_on, struct refusal *ref);

#endif
