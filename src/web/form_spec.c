#include "web/form_spec.h"

#include <string.h>

#include "core/text.h"

/* "written_{#}" matches "written_12". */
static int name_matches(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);
	if (n < 3 || strcmp(pattern + n - 3, "{#}") != 0)
		return strcmp(pattern, name) == 0;
	return strncmp(pattern, name, n - 3) == 0 && text_is_id(name + n - 3);
}

static int per_row(const struct form_field *f)
{
	size_t n = strlen(f->name);
	return n >= 3 && strcmp(f->name + n - 3, "{#}") == 0;
}

static void check(struct arena *a, struct form_item *it)
{
	const struct form_field *f = it->field;
	const struct valid_rule rule = { f->kind, f->min, f->max, f->choices };
	const char *why = NULL;
	it->value = "";
	it->error = NULL;
	if (f->flags & FIELD_FILE) {
		int chosen = it->part != NULL && it->part->filename != NULL && it->part->filename[0] != '\0';
		if (!chosen && (f->flags & FIELD_REQUIRED))
			it->error = f->message != NULL ? f->message : "Choose the file to send.";
		else if (chosen && f->max > 0 && it->part->len > (size_t)f->max)
			it->error = arena_printf(a, "The file is larger than %ld bytes.", f->max);
		else if (chosen)
			it->value = it->part->filename;
		return;
	}
	if (f->kind != VALID_CHECKBOX && f->kind != VALID_ANY && !valid_given(it->given)) {
		if (f->flags & FIELD_REQUIRED) {
			const char *v = valid_check(a, &rule, it->given, &why);
			(void)v; /* an empty value: every validator refuses it and says what to enter */
			it->error = f->message != NULL ? f->message : why;
		}
		return;
	}
	const char *v = valid_check(a, &rule, it->given, &why);
	if (v == NULL)
		it->error = f->message != NULL ? f->message : why;
	else
		it->value = v;
}

void form_apply(struct arena *a, const struct form_spec *spec, const struct fields *posted,
    struct form_input *in)
{
	memset(in, 0, sizeof *in);
	in->spec = spec;
	if (spec == NULL)
		return;
	size_t declared = 0;
	while (spec->fields[declared].name != NULL)
		declared++;
	in->items = arena_zalloc(a, sizeof *in->items * (declared + posted->n + 1));

	/* Every declared field once (absent ones too, so that required ones are reported). */
	for (size_t i = 0; i < declared; i++) {
		const struct form_field *f = &spec->fields[i];
		if (per_row(f))
			continue;
		struct form_item *it = &in->items[in->n++];
		const struct field *p = fields_find(posted, f->name);
		it->field = f;
		it->name = f->name;
		it->given = p != NULL ? p->value : NULL;
		it->part = p;
		check(a, it);
	}
	/* Then the posted per-row fields, and anything the form does not declare. */
	for (size_t k = 0; k < posted->n; k++) {
		const struct field *p = &posted->v[k];
		const struct form_field *f = NULL;
		if (strcmp(p->name, "csrf") == 0)
			continue;
		for (size_t i = 0; i < declared && f == NULL; i++)
			if (name_matches(spec->fields[i].name, p->name))
				f = &spec->fields[i];
		if (f == NULL) {
			if (in->unexpected == NULL)
				in->unexpected = p->name;
			continue;
		}
		if (!per_row(f))
			continue;
		struct form_item *it = &in->items[in->n++];
		it->field = f;
		it->name = p->name;
		it->given = p->value;
		it->part = p;
		check(a, it);
	}
	for (size_t i = 0; i < in->n; i++)
		in->bad += in->items[i].error != NULL;
	in->bad += in->unexpected != NULL;
}

const struct form_item *form_input_item(const struct form_input *in, const char *name)
{
	for (size_t i = 0; i < in->n; i++)
		if (strcmp(in->items[i].name, name) == 0)
			return &in->items[i];
	return NULL;
}

const char *form_input_value(const struct form_input *in, const char *name)
{
	const struct form_item *it = form_input_item(in, name);
	return it != NULL && it->error == NULL ? it->value : "";
}

int form_input_show(const struct form_input *in, struct arena *a, struct tdict *page)
{
	for (size_t i = 0; i < in->n; i++) {
		const struct form_item *it = &in->items[i];
		const struct form_field *f = it->field;
		if (per_row(f))
			continue;
		const char *key = f->key != NULL ? f->key : f->name;
		if (f->flags & (FIELD_SECRET | FIELD_FILE))
			; /* a password is never shown again; a file cannot be */
		else if (f->kind == VALID_CHECKBOX)
			tdict_set_bool(page, key, it->value[0] != '\0');
		else
			tdict_set(page, key, it->given != NULL ? it->given : "");
		if (it->error != NULL)
			tdict_set(page, f->error_key != NULL ? f->error_key :
			    arena_printf(a, "%s_error", key), it->error);
	}
	if (in->unexpected != NULL)
		tdict_setf(page, "form_error", "The form sent a field this page does not have (%s).",
		    in->unexpected);
	return in->bad > 0;
}

const char *form_input_first_error(const struct form_input *in, struct arena *a)
{
	if (in->unexpected != NULL)
		return arena_printf(a, "The form sent a field this page does not have (%s).",
		    in->unexpected);
	for (size_t i = 0; i < in->n; i++)
		if (in->items[i].error != NULL)
			return in->items[i].error;
	return NULL;
}
