/* The route table: every route, method, role and handler in one place (routes.c). */
#ifndef ESONR_ROUTES_H
#define ESONR_ROUTES_H
#include <stdio.h>
#include "web/http.h"

#define ROLES_PUBLIC 0u
#define ROLES_SIGNED_IN (ROLE_CANDIDATE | ROLE_EXAMINER | ROLE_ADMIN)

struct route {
	const char *method;
	const char *pattern; /* literal path; {} matches [A-Za-z0-9_-]+, {#} an id of 1-18 digits */
	unsigned roles;      /* ROLES_PUBLIC, or the roles allowed (others: 403) */
	void (*handler)(struct request *req);
	const struct form_spec *form; /* POST: the declared fields, checked before the handler */
};

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/* Fills req->params from the pattern's placeholders. */
enum route_result route_match(struct request *req, const struct route **found);
/* The methods the route table accepts at req->path ("GET, HEAD, POST"): the Allow header
 * of a 405 answer. */
const char *route_allowed(struct request *req);
/* The whole table, in matching order (the tests read it through esonr-portal --routes). */
const struct route *route_table(size_t *n);
/* One line per route: METHOD, pattern and who may use it ("public", or role names joined
 * by "|"), tab-separated. */
void route_table_print(FILE *out);
/* Pure matcher, for tests: params receives up to HTTP_MAX_PARAMS values. */
int route_pattern_match(struct arena *a, const char *pattern, const char *path,
    const char **params);

#endif
