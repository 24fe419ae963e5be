/*
 * Declared form fields, in the spirit of kcgi's kvalid: every POST form has ONE static
 * table of its fields (name, validator with its limits, required or not, where the page
 * shows the value and the reason). The route table (web/routes.c) names the form of each
 * POST route, and the worker applies it BEFORE the handler runs: the handler finds the
 * checked values in req->in and never parses or re-validates a field itself.
 *
 * Declaring a form (next to its handler; declare it in web/handlers.h for routes.c):
 *
 *	const struct form_spec form_register = { "the registration form", (const struct form_field[]){
 *		{ .name = "email", .kind = VALID_EMAIL, .flags = FIELD_REQUIRED },
 *		{ .name = "full_name", .kind = VALID_NAME, .flags = FIELD_REQUIRED, .error_key = "name_error" },
 *		{ .name = "password", .kind = VALID_PASSWORD, .flags = FIELD_REQUIRED | FIELD_SECRET },
 *		{ .name = "location", .kind = VALID_TEXT, .min = 1, .max = 200, .flags = FIELD_REQUIRED,
 *		  .message = "Enter the place, at most 200 characters." },
 *		{ .name = "absent_{#}", .kind = VALID_CHECKBOX },       // absent_12, absent_13, …
 *		{ .name = NULL } } };
 *
 * (Designated initializers, so that -Wmissing-field-initializers stays quiet and a table
 * names only what differs from the defaults.)
 *
 *	{ "POST", "/register", ROLES_PUBLIC, post_register, &form_register },   // routes.c
 *
 * In the handler:
 *
 *	struct tdict *d = http_page(req, "Create your account");
 *	if (form_invalid(req, d)) {            // values shown again, reasons beside the fields
 *		show_register(req, 400, d);
 *		return;
 *	}
 *	const char *email = form_value(req, "email");   // normalised, never NULL
 *
 * Rules the application enforces for every declared form:
 * - a posted field the table does not declare (csrf aside) makes the form invalid, with
 *   "The form sent a field this page does not have (NAME)." in form_error;
 * - a FIELD_REQUIRED field absent or empty is invalid; an optional one absent or empty is
 *   valid with the value "" and is not validated;
 * - checkboxes (VALID_CHECKBOX) are never invalid: form_ticked() says whether ticked;
 * - values are shown again under key (default: the field's name), never for FIELD_SECRET;
 *   the reason goes under error_key (default: key + "_error");
 * - message, when given, replaces the validator's reason (domain/valid.c) for this field.
 * A name ending in "{#}" matches that prefix followed by a database id (1 to 18 digits):
 * per-row fields such as written_12; read them with form_value(req, "written_12").
 * A FIELD_FILE field is a multipart file part (kind unused, max its size in bytes):
 * required means a file must be chosen; form_file() returns the part.
 */
#ifndef ESONR_FORM_SPEC_H
#define ESONR_FORM_SPEC_H
#include "core/form.h"
#include "core/template.h"
#include "domain/valid.h"

#define FIELD_REQUIRED 1u /* absent or empty is invalid */
#define FIELD_SECRET 2u   /* never shown again (passwords) */
#define FIELD_FILE 4u     /* a multipart file part; rule.max: its largest size in bytes */

struct form_field {
	const char *name;        /* as posted; "prefix_{#}" for per-row fields */
	enum valid_kind kind;    /* the validator (domain/valid.h); unused for FIELD_FILE */
	long min, max;           /* its limits: code points for text, the range of a number;
	                          * FIELD_FILE: max is the largest size in bytes */
	const char *const *choices; /* VALID_CHOICE: the values allowed, NULL-terminated */
	unsigned flags;
	const char *key;         /* page key the value is shown again under; NULL: name */
	const char *error_key;   /* page key of the reason; NULL: key "_error" */
	const char *message;     /* the reason to show; NULL: the validator's */
};

struct form_spec {
	const char *what;                /* "the registration form", for messages */
	const struct form_field *fields; /* ends with { NULL } */
};

/* One posted (or declared but absent) field after checking. */
struct form_item {
	const struct form_field *field;
	const char *name;   /* the posted name (differs from field->name for "{#}" fields) */
	const char *given;  /* as posted; NULL when absent */
	const char *value;  /* checked and normalised; "" when absent or empty and optional */
	const char *error;  /* the reason when invalid, else NULL */
	const struct field *part; /* FIELD_FILE: the multipart part, or NULL */
};

struct form_input {
	const struct form_spec *spec; /* NULL: the route declares no form */
	struct form_item *items;
	size_t n;
	const char *unexpected;       /* the first posted field the form does not declare */
	int bad;                      /* invalid fields, plus 1 for an unexpected one */
};

/* Checks the posted fields against spec (the worker calls it before the handler). */
void form_apply(struct arena *a, const struct form_spec *spec, const struct fields *posted,
    struct form_input *in);
/* The checked value of a declared field ("" when absent, optional or invalid). */
const char *form_input_value(const struct form_input *in, const char *name);
/* The item of a field, or NULL when it was neither declared nor posted. */
const struct form_item *form_input_item(const struct form_input *in, const char *name);
/* Puts the given values (not FIELD_SECRET) and reasons into page; "form_error" says which
 * undeclared field was sent. 1 when the form is invalid. */
int form_input_show(const struct form_input *in, struct arena *a, struct tdict *page);
/* The first reason of an invalid form (the unexpected field first), or NULL. */
const char *form_input_first_error(const struct form_input *in, struct arena *a);

#endif
