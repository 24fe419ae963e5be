/*
 * A refused action as a typed value. Lower layers (domain rules, db/) say what kind of
 * "no" it is and what to tell the user; the web layer maps the kind to an HTTP status in
 * one place (http_refusal_status in web/http.c), esonrctl to an exit code (cli_refused).
 * Callers branch on kind and field, never on the wording of text.
 *
 *	struct refusal ref = { 0 };
 *	if (exam_session_close(a, id, &ref) == DB_REFUSED)
 *		http_refusal(req, "Session not closed", &ref);     // 404 here
 *
 * In db/: `return db_refuse(ref, REFUSAL_NOT_FOUND, NULL, "There is no such session.");`
 */
#ifndef ESONR_REFUSAL_H
#define ESONR_REFUSAL_H
#include <stddef.h>

enum refusal_kind {
	REFUSAL_NONE = 0,
	REFUSAL_NOT_FOUND, /* no such thing, or not one this user may see: 404, exit 1 */
	REFUSAL_FORBIDDEN, /* exists, but this user may not do that: 403, exit 1 */
	REFUSAL_CONFLICT,  /* the state of things says no (deadline, full, published): 409, exit 1 */
	REFUSAL_BAD_FIELD, /* a value given is not acceptable; field names it: 400, exit 2 */
	REFUSAL__MAX
};

struct refusal {
	enum refusal_kind kind;
	const char *field;          /* REFUSAL_BAD_FIELD: the form field's name; else NULL */
	const char *text;           /* one sentence for the user, ready to show */
	const char *const *reasons; /* optional details, e.g. each unmet prerequisite */
	size_t nreasons;
};

/* Fills *r (ignored when r is NULL). text must outlive r (a literal or arena memory). */
void refusal_set(struct refusal *r, enum refusal_kind kind, const char *field, const char *text);
const char *refusal_kind_name(enum refusal_kind kind);

#endif
