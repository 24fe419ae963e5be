#include "domain/refusal.h"

void refusal_set(struct refusal *r, enum refusal_kind kind, const char *field, const char *text)
{
	if (r == NULL)
		return;
	r->kind = kind;
	r->field = field;
	r->text = text;
	r->reasons = NULL;
	r->nreasons = 0;
}

const char *refusal_kind_name(enum refusal_kind kind)
{
	static const char *const names[REFUSAL__MAX] = {
		[REFUSAL_NONE] = "none",
		[REFUSAL_NOT_FOUND] = "not found",
		[REFUSAL_FORBIDDEN] = "forbidden",
		[REFUSAL_CONFLICT] = "conflict",
		[REFUSAL_BAD_FIELD] = "bad field",
	};
	return kind >= 0 && kind < REFUSAL__MAX ? names[kind] : "unknown";
}
