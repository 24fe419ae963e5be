#include "domain/eligibility.h"

#include <stdio.h>
#include <string.h>

const char *course_state_text(enum course_state s)
{
	switch (s) {
	case COURSE_NOT_ATTENDED: return "not attended yet";
	case COURSE_COMPLETED: return "completed";
	case COURSE_MCQ_PENDING: return "attended, end-of-module MCQ not taken yet";
	case COURSE_MCQ_RESIT: return "attended, MCQ failed once: one resit allowed";
	case COURSE_MCQ_FAILED_TWICE: return "MCQ failed twice: the module must be attended again";
	}
	return "unknown";
}

static int attendance_completes(const struct attendance *a)
{
	return !a->requires_mcq || a->mcq_passed;
}

struct course_status course_status(const struct records *r, const char *course)
{
	struct course_status s = { COURSE_NOT_ATTENDED, NULL, NULL };
	const struct attendance *latest = NULL;
	for (size_t i = 0; i < r->natt; i++) {
		const struct attendance *a = &r->att[i];
		if (strcmp(a->course, course) != 0)
			continue;
		if (attendance_completes(a)) {
			/* The earliest completion counts: that is when the requirement was met. */
			const char *done = a->requires_mcq && a->mcq_date ? a->mcq_date : a->date;
			if (s.state != COURSE_COMPLETED || strcmp(done, s.date) < 0) {
				s.state = COURSE_COMPLETED;
				s.date = done;
				s.edition = a->edition;
			}
		}
		if (latest == NULL || strcmp(a->date, latest->date) > 0)
			latest = a;
	}
	if (s.state == COURSE_COMPLETED || latest == NULL)
		return s;
	s.date = latest->date;
	s.edition = latest->edition;
	if (latest->mcq_attempts == 0)
		s.state = COURSE_MCQ_PENDING;
	else if (latest->mcq_attempts == 1)
		s.state = COURSE_MCQ_RESIT;
	else
		s.state = COURSE_MCQ_FAILED_TWICE;
	return s;
}

size_t rules_in_force(const struct rule *rules, size_t n, int64_t at, struct rule *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (rules[i].valid_from <= at && (rules[i].valid_until == 0 || at < rules[i].valid_until))
			out[k++] = rules[i];
	return k;
}

const char *date_add_years(struct arena *a, const char *date, int years)
{
	int y, m, d;
	if (date == NULL || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return NULL;
	y += years;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap)
		d = 28;
	return arena_printf(a, "%04d-%02d-%02d", y, m, d);
}

static void check_course(struct arena *a, const struct records *r, const struct rule *rule,
    struct rule_result *res)
{
	struct course_status s = course_status(r, rule->ref);
	res->met = s.state == COURSE_COMPLETED;
	if (res->met)
		res->reason = arena_printf(a, "%s (%s) completed on %s%s%s.", rule->ref, rule->title,
		    s.date, s.edition ? ", " : "", s.edition ? s.edition : "");
	else if (s.state == COURSE_NOT_ATTENDED)
		res->reason = arena_printf(a, "%s (%s) is missing: not attended yet.", rule->ref, rule->title);
	else
		res->reason = arena_printf(a, "%s (%s) is missing: %s (attended %s).", rule->ref,
		    rule->title, course_state_text(s.state), s.date);
}

static void check_certificate(struct arena *a, const struct records *r, const struct rule *rule,
    struct rule_result *res)
{
	for (size_t i = 0; i < r->ncerts; i++) {
		const struct held_certificate *c = &r->certs[i];
		if (c->valid && strcmp(c->exam, rule->ref) == 0) {
			res->met = 1;
			res->reason = arena_printf(a, "%s (%s) held: certificate %s.", rule->ref, rule->title,
			    c->number);
			return;
		}
	}
	res->met = 0;
	res->reason = arena_printf(a, "%s (%s) is missing: this certificate is not held.", rule->ref,
	    rule->title);
}

static void check_attestation(struct arena *a, const struct records *r, const struct rule *rule,
    const char *today, struct rule_result *res)
{
	for (size_t i = 0; i < r->nattest; i++) {
		const struct attestation *t = &r->attest[i];
		if (strcmp(t->kind, rule->ref) != 0)
			continue;
		const char *from = date_add_years(a, t->evidence_date, rule->min_years);
		if (from != NULL && strcmp(today, from) >= 0) {
			res->met = 1;
			res->reason = arena_printf(a, "%s checked by the office (evidence dated %s).",
			    rule->title, t->evidence_date);
		} else {
			res->met = 0;
			res->met_from = from;
			res->reason = arena_printf(a, "%s: checked by the office (evidence dated %s), "
			    "met from %s.", rule->title, t->evidence_date, from ? from : "an unknown date");
		}
		return;
	}
	res->met = 0;
	res->reason = arena_printf(a, "%s is missing: not yet checked by the ESNR office.", rule->title);
}

struct eligibility eligibility_check(struct arena *a, const struct records *r,
    const struct rule *rules, size_t n, const char *today, struct rule_result *out)
{
	struct eligibility e = { 1, NULL };
	int only_waiting = 1;
	for (size_t i = 0; i < n; i++) {
		struct rule_result *res = &out[i];
		memset(res, 0, sizeof *res);
		switch (rules[i].kind) {
		case RULE_COURSE:
			check_course(a, r, &rules[i], res);
			break;
		case RULE_CERTIFICATE:
			check_certificate(a, r, &rules[i], res);
			break;
		case RULE_ATTESTATION:
			check_attestation(a, r, &rules[i], today, res);
			break;
		case RULE__MAX:
			res->met = 0;
			res->reason = "unknown kind of rule";
			break;
		}
		if (res->met)
			continue;
		e.eligible = 0;
		if (res->met_from == NULL)
			only_waiting = 0;
		else if (e.earliest == NULL || strcmp(res->met_from, e.earliest) > 0)
			e.earliest = res->met_from;
	}
	if (e.eligible)
		e.earliest = today;
	else if (!only_waiting)
		e.earliest = NULL;
	return e;
}
