/* The programme's fixed catalogue: levels, courses and examinations as the migrations seed
 * them (the application never changes their codes, titles or order). Loaded once per
 * process, so that pages do not read it again at every request. */
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

/* The catalogue, loading it on first use; it lives as long as the process. */
enum db_status catalogue_get(const struct catalogue **out);
/* The exam with that code, or NULL. */
const struct cat_exam *catalogue_exam(const struct catalogue *c, const char *code);

#endif
