/* A request as handlers see it, and the one way to answer it. */
#ifndef ESONR_HTTP_H
#define ESONR_HTTP_H
#include <stddef.h>
#include <fcgiapp.h>
#include "core/arena.h"
#include "core/buf.h"
#include "core/form.h"
#include "core/template.h"
#include "db/db.h"
#include "auth/websession.h"
#include "domain/user.h"
#include "web/form_spec.h"

#define HTTP_MAX_BODY (10 * 1024 * 1024) /* nginx's client_max_body_size answers first */
#define HTTP_MAX_PARAMS 4

struct request {
	struct arena *arena;
	FCGX_Request *fcgi;

	const char *method;
	const char *path;
	const char *remote_addr;
	const char *content_type;
	int https;
	const char *body;
	size_t body_len;
	struct fields query, form, cookies;
	struct form_input in; /* the posted form checked against the route's declared fields */
	const char *params[HTTP_MAX_PARAMS]; /* {placeholders} of the matched route */

	/* The browser's session (auth/websession.h), if any; csrf and user mirror it:
	 * user is NULL for visitors and pre-sessions, csrf NULL without a session. */
	struct websession websession;
	const char *csrf;
	struct user *user;

	int status;
	struct buf headers;
	struct buf out;
};

/* Reads CGI parameters and the body; parses query, cookies and form. 0, or an HTTP status. */
int http_read(struct request *req, const char **why);

void http_header(struct request *req, const char *name, const char *value);
void http_redirect(struct request *req, const char *location); /* 303 See Other */
/* A dictionary for a page, with what the layout needs (user, csrf) already in it. */
struct tdict *http_page(struct request *req, const char *title);
/* Renders templates/NAME.html inside templates/layout.html. */
void http_render(struct request *req, int status, const char *name, struct tdict *page);
/* A form a visitor may send (login, registration, password reset): the browser gets a
 * pre-session for its CSRF token first, then the page is rendered. */
void http_render_form(struct request *req, int status, const char *name, struct tdict *page);
/* A refused action: 409 with the reason and the unmet rules (reasons may be NULL); any
 * other status (404, 403) is the plain error page. */
void http_refused(struct request *req, int status, const char *title, const char *why,
    const char *const *reasons, size_t nreasons);
/* The browser session through its cookie (the only code that reads or writes it).
 * Finds the cookie's live session: fills req->user and req->csrf. */
enum db_status http_websession_load(struct request *req, enum websession_use use);
/* A visitor's form needs a CSRF token: gives a pre-session (a signed cookie, no row). */
enum db_status http_websession_ensure_csrf(struct request *req);
/* Signs user_id in with a fresh token and cookie; the previous one is gone. */
enum db_status http_websession_start(struct request *req, long long user_id);
/* Signs out: the session ends and the cookie expires. */
enum db_status http_websession_end(struct request *req);
/* The posted csrf field is the session's (constant time). */
int http_csrf_ok(const struct request *req);

/* The one mapping of a refusal's kind to an HTTP status: not found 404, forbidden 403,
 * conflict 409, bad field 400. */
int http_refusal_status(const struct refusal *ref);
/* Answers a refusal: conflicts get the refused page (title, text, reasons); other kinds the
 * error page with the text. Handlers that show a form again for a bad field do so first. */
void http_refusal(struct request *req, const char *title, const struct refusal *ref);
/* A refusal shown on its form: sets "<field>_error" (or the key keys maps the field to:
 * pairs of field name, page key, NULL-terminated; NULL for none) to its text, or
 * "form_error" when it names no field. */
void http_field_error(struct request *req, struct tdict *page, const struct refusal *ref,
    const char *const *keys);
/* Answers a failed database call: 503 when PostgreSQL is away, 500 otherwise. */
void fail_db(struct request *req, enum db_status st);
/* The one error page. message may be NULL for the status's standard text. */
void http_error(struct request *req, int status, const char *message);
/* Drops the answer made so far (status, headers, body) and the session, to serve again. */
void http_reset(struct request *req);
/* Writes the answer; 1 when it also ended the request on the connection (the caller closes
 * it: FCGX_Free), 0 when the library's stream has it (the caller calls FCGX_Finish_r). */
int http_send(struct request *req);
const char *http_status_text(int status);



/* Appends an option of a <select> to list: value, label, selected when value is chosen. */
void http_option(struct tdict *d, const char *list, const char *value, const char *label,
    const char *chosen);
/* A posted text field, or "" when absent. Handlers of a declared form use form_value(). */
const char *http_form(const struct request *req, const char *name);

/* The route's declared form (web/form_spec.h), checked before the handler ran. */
/* 1 when invalid; then the page has the values given and the reasons beside the fields. */
int form_invalid(struct request *req, struct tdict *page);
/* The first reason of an invalid form, for pages that show no form (else NULL). */
const char *form_error(const struct request *req);
/* A field's checked, normalised value; "" when absent, optional and empty, or invalid. */
const char *form_value(const struct request *req, const char *name);
/* A checkbox: 1 when ticked (the one checkbox rule, domain/valid.h). */
int form_ticked(const struct request *req, const char *name);
/* A file field's multipart part, or NULL when no file was chosen. */
const struct field *form_file(const struct request *req, const char *name);
#endif
