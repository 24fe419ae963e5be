/* Candidates: progress, eligibility, examinations, bookings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/booking.h"
#include "db/calendar.h"
#include "db/candidate_view.h"
#include "domain/ics.h"
#include "web/handlers.h"

/* What the read model holds lives until the page is sent: the pages below refer to it
 * (tdict_set_ref) instead of copying it. */

/* Per level: every course and module with its state, edition and date. */
static void add_progress(struct tdict *page, const struct candidate_view *v)
{
	const struct catalogue *cat = v->cat;
	for (size_t l = 0; l < cat->nlevels; l++) {
		struct tdict *level = tdict_push(page, "levels");
		tdict_set_ref(level, "level_title", cat->levels[l].title);
		int done = 0, total = 0;
		for (size_t i = 0; i < cat->ncourses; i++) {
			const struct cat_course *course = &cat->courses[i];
			if (course->level != cat->levels[l].level)
				continue;
			struct course_status s = course_status(&v->rec, course->code);
			struct tdict *c = tdict_push(level, "courses");
			tdict_set_ref(c, "code", course->code);
			tdict_set_ref(c, "title", course->title);
			tdict_set_ref(c, "state", course_state_text(s.state));
			tdict_set_bool(c, "done", s.state == COURSE_COMPLETED);
			tdict_set_ref(c, "date", s.date);
			tdict_set_ref(c, "edition", s.edition);
			total++;
			done += s.state == COURSE_COMPLETED;
		}
		tdict_setf(level, "summary", "%d of %d completed", done, total);
	}
}

/* Per exam: eligible or not, each rule with its reason, the next session (dashboard). */
static void add_eligibility(struct tdict *page, const struct candidate_view *v)
{
	for (size_t i = 0; i < v->nexams; i++) {
		const struct cv_exam *x = &v->exams[i];
		struct tdict *e = tdict_push(page, "exams");
		tdict_set_ref(e, "exam", x->exam->code);
		tdict_set_ref(e, "exam_title", x->exam->title);
		tdict_set_bool(e, "eligible", x->ans.e.eligible);
		tdict_set_ref(e, "held", x->held);
		if (!x->ans.e.eligible && x->ans.e.earliest != NULL)
			tdict_set_ref(e, "earliest", x->ans.e.earliest);
		for (size_t k = 0; k < x->ans.n; k++) {
			struct tdict *r = tdict_push(e, "rules");
			tdict_set_bool(r, "met", x->ans.results[k].met);
			tdict_set_ref(r, "reason", x->ans.results[k].reason);
		}
		if (x->next_id != NULL) {
			tdict_set_ref(e, "next_id", x->next_id);
			tdict_set_ref(e, "next_date", x->next_date);
			tdict_set_ref(e, "next_location", x->next_location);
			tdict_set_ref(e, "next_opens", x->next_opens);
		}
	}
}

static void add_bookings(struct tdict *page, const struct candidate_view *v)
{
	for (size_t i = 0; i < v->nbookings; i++) {
		const struct cv_booking *b = &v->bookings[i];
		struct tdict *d = tdict_push(page, "bookings");
		tdict_set_ref(d, "booking_id", b->id);
		tdict_set_ref(d, "exam", b->exam);
		tdict_set_ref(d, "status", b->status);
		tdict_set_ref(d, "when", b->when);
		tdict_set_ref(d, "location", b->location);
		tdict_set_bool(d, "waitlisted", b->waitlisted);
	}
}

enum db_status candidate_dashboard(struct request *req, struct tdict *page)
{
	struct candidate_view v;
	enum db_status st = candidate_view_load(req->arena, req->user, CV_DASHBOARD, &v);
	if (st != DB_OK)
		return st;
	add_progress(page, &v);
	add_eligibility(page, &v);
	add_bookings(page, &v);
	return DB_OK;
}

void page_exams(struct request *req)
{
	struct candidate_view v;
	enum db_status st = candidate_view_load(req->arena, req->user, CV_EXAMS, &v);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct tdict *page = http_page(req, "Examinations");
	add_eligibility(page, &v);
	add_bookings(page, &v);
	for (size_t i = 0; i < v.nsessions; i++) {
		const struct cv_session *x = &v.sessions[i];
		struct tdict *s = tdict_push(page, "sessions");
		tdict_set_ref(s, "session_id", x->id);
		tdict_set_ref(s, "exam", x->exam);
		tdict_set_ref(s, "exam_title", x->exam_title);
		tdict_set_ref(s, "when", x->when);
		tdict_set_ref(s, "location", x->location);
		tdict_set_ref(s, "seats_left", x->seats_left);
		tdict_set_ref(s, "capacity", x->capacity);
		tdict_set_bool(s, "full", x->full);
		tdict_set_ref(s, "waitlisted", x->waitlisted);
		tdict_set_ref(s, "opens", x->opens);
		tdict_set_ref(s, "closes", x->closes);
		tdict_set_ref(s, "cancel_until", x->cancel_until);
		tdict_set_ref(s, "my_booking", x->my_booking);
		tdict_set_bool(s, "eligible", x->eligible);
		tdict_set_bool(s, "can_book", x->can_book);
	}
	http_render(req, 200, "exams", page);
}

static void show_refusal(struct request *req, const struct booking_outcome *out, const char *title)
{
	http_refusal(req, title, &out->refusal);
}

/* Booking and cancelling send nothing but the csrf token. */
const struct form_spec form_book = { "the booking form", (const struct form_field[]){
	{ .name = NULL } } };
const struct form_spec form_cancel = { "the cancellation form", (const struct form_field[]){
	{ .name = NULL } } };

void post_book(struct request *req)
{
	struct booking_outcome out;
	if (req->in.bad) {
		http_error(req, 400, form_error(req));
		return;
	}
	enum db_status st = booking_create(req->arena, req->user->id_text, req->params[0], &out);
	if (st == DB_REFUSED) {
		show_refusal(req, &out, "Booking not possible");
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/bookings/%lld", out.booking_id));
}

void post_cancel(struct request *req)
{
	struct booking_outcome out;
	if (req->in.bad) {
		http_error(req, 400, form_error(req));
		return;
	}
	enum db_status st = booking_cancel(req->arena, req->user->id_text, req->params[0], &out);
	if (st == DB_REFUSED) {
		show_refusal(req, &out, "Cancellation not possible");
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/bookings/%s", req->params[0]));
}

/* The candidate's own booking, or 0 (and a 404 or error page already set). */
static int own_booking(struct request *req, struct cv_booking_detail *b)
{
	enum db_status st = candidate_booking_load(req->arena, req->user->id_text, req->params[0], b);
	if (st != DB_OK) {
		fail_db(req, st);
		return 0;
	}
	if (!b->found) {
		http_error(req, 404, "There is no such booking.");
		return 0;
	}
	return 1;
}

void page_booking(struct request *req)
{
	struct cv_booking_detail b;
	if (!own_booking(req, &b))
		return;
	struct tdict *d = http_page(req, "Your booking");
	tdict_set(d, "booking_id", b.id);
	tdict_set(d, "exam", b.exam);
	tdict_set(d, "exam_title", b.exam_title);
	tdict_set(d, "status", b.status);
	tdict_set_bool(d, "booked", strcmp(b.status, "booked") == 0);
	tdict_set_bool(d, "waitlisted", strcmp(b.status, "waitlisted") == 0);
	tdict_set_bool(d, "cancelled", strcmp(b.status, "cancelled") == 0);
	tdict_set(d, "when", b.when);
	tdict_set(d, "location", b.location);
	tdict_set_bool(d, "can_cancel", b.can_cancel);
	tdict_set(d, "cancel_until", b.cancel_until);
	tdict_set(d, "position", b.position);
	tdict_set(d, "booked_at", b.booked_at);
	/* The prerequisites as they stood when the booking was made, even if changed since. */
	for (size_t i = 0; i < b.nrules_then; i++) {
		struct tdict *x = tdict_push(d, "rules_then");
		tdict_set(x, "ref", b.rules_then[i].ref);
		tdict_set(x, "title", b.rules_then[i].title);
	}
	http_render(req, 200, "booking", d);
}

void booking_calendar(struct request *req)
{
	struct ics_event ev;
	int found;
	enum db_status st = booking_calendar_event(req->arena, req->params[0], req->user->id_text,
	    &ev, &found);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (!found) {
		http_error(req, 404, "There is no such booking.");
		return;
	}
	req->out.len = 0;
	ics_build(&req->out, &ev);
	http_header(req, "Content-Type", "text/calendar; charset=utf-8");
	http_header(req, "Content-Disposition",
	    arena_printf(req->arena, "attachment; filename=\"esonr-booking-%s.ics\"", req->params[0]));
}

void page_results(struct request *req)
{
	struct cv_result *r;
	size_t n;
	enum db_status st = candidate_results_load(req->arena, req->user->id_text, &r, &n);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct tdict *d = http_page(req, "Your results");
	for (size_t i = 0; i < n; i++) {
		struct tdict *x = tdict_push(d, "results");
		tdict_set(x, "exam", r[i].exam);
		tdict_set(x, "exam_title", r[i].exam_title);
		tdict_set(x, "date", r[i].date);
		tdict_set(x, "location", r[i].location);
		tdict_set_bool(x, "absent", r[i].absent);
		tdict_set(x, "written", r[i].written);
		tdict_set(x, "pass_written", r[i].pass_written);
		tdict_set(x, "oral", r[i].oral);
		tdict_set(x, "pass_oral", r[i].pass_oral);
		tdict_set(x, "outcome", r[i].outcome);
		tdict_set_bool(x, "passed", r[i].passed);
		tdict_set(x, "decision_reason", r[i].decision_reason);
		tdict_set_bool(x, "amended", r[i].amended);
		tdict_set(x, "amendment_reason", r[i].amendment_reason);
		tdict_set(x, "amended_on", r[i].amended_on);
		tdict_set(x, "certificate", r[i].certificate);
		tdict_set(x, "booking_id", r[i].booking_id);
	}
	http_render(req, 200, "results", d);
}
