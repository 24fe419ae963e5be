/*
 * Template engine: a strict mustache subset, HTML-escaping by default.
 *
 *   {{key}}            value, HTML-escaped through buf_put_html
 *   {{&key}}           value, raw (only for trusted HTML such as the layout's body)
 *   {{#key}}..{{/key}} once per list item, or once if key is a non-empty string or true
 *   {{^key}}..{{/key}} once if key is missing, empty, false or an empty list
 *   {{>name}}          include templates/name.html with the current context
 *   {{! comment }}     nothing
 *
 * Keys and names are [A-Za-z0-9_.-]+; a missing key renders as empty.
 * Templates are parsed once at worker start-up; dictionaries live in the request arena.
 */
#ifndef ESONR_TEMPLATE_H
#define ESONR_TEMPLATE_H
#include <stddef.h>
#include "core/arena.h"
#include "core/buf.h"

/* Include depth allowed below the rendered template; deeper (or cyclic) is an error. */
#define TEMPLATE_MAX_INCLUDE 8
/* Section nesting allowed inside one template, so rendering recursion stays bounded. */
#define TEMPLATE_MAX_NESTING 64

struct tdict;

struct tdict *tdict_new(struct arena *a);
/* Copies value into the arena; NULL sets the key empty here (it still hides enclosing dicts). */
void tdict_set(struct tdict *d, const char *key, const char *value);
/* The same without copying key or value: both must outlive every use of d (string literals,
 * the arena's own strings, or what a read model keeps for the page, as on the largest pages,
 * where the copies were a tenth of the portal's time). */
void tdict_set_ref(struct tdict *d, const char *key, const char *value);
void tdict_setf(struct tdict *d, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Renders as "true" / "false"; sections use it as a condition. */
void tdict_set_bool(struct tdict *d, const char *key, int on);
/* Stored as its decimal string: "0" is a non-empty string, so it is true in a section. */
void tdict_set_int(struct tdict *d, const char *key, long long v);
/* Appends a new item to list list_key (created on first push); the item falls back to d. */
struct tdict *tdict_push(struct tdict *d, const char *list_key);
/* Makes list_key an empty list here, hiding an enclosing list of that name. */
void tdict_set_list(struct tdict *d, const char *list_key);
/* String value of key in d or the dicts it falls back to; NULL if missing, a list or unset. */
const char *tdict_get(const struct tdict *d, const char *key);

struct template;

/* NULL on error, err then reads "name:line: reason". */
struct template *template_parse(struct arena *a, const char *name, const char *src,
    size_t len, char *err, size_t errlen);
/*
 * Parses every *.html in dir into the process-wide table, then checks that every
 * {{>name}} exists, without cycles, at most TEMPLATE_MAX_INCLUDE deep.
 * 0 ok; -1 with err "dir/file.html:line: reason", and the previous table kept.
 */
int template_load_dir(const char *dir, char *err, size_t errlen);
/* Parses src as template name into the process-wide table, replacing one of that name (tests, fuzzing). */
int template_add(const char *name, const char *src, size_t len, char *err, size_t errlen);
void template_unload(void);
/* name is the file name without ".html"; -1 if unknown or a partial fails (out is then garbage). */
int template_render(struct buf *out, const char *name, const struct tdict *d);
/* Plain text (the mails): {{key}} is not escaped. The HTML part of a mail is this text
 * escaped as a whole (src/mail/message.c), so both parts come from one template. */
int template_render_text(struct buf *out, const char *name, const struct tdict *d);
/* Partials are resolved from the process-wide table; -1 on an unknown, cyclic or too deep include. */
int template_render_parsed(struct buf *out, const struct template *t, const struct tdict *d);

#endif
