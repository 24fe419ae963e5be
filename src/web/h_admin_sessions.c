/* The ESNR office and its examination sessions: the overview, the list, a new session, one
 * session's roster and examiners, closing booking. */
#include "db/exam_sessions.h"
#include "db/catalogue.h"
#include "db/office.h"
#include "web/handlers.h"

static void add_session_rows(struct tdict *d, const char *list, const struct exam_session_row *rows,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct exam_session_row *s = &rows[i];
		struct tdict *t = tdict_push(d, list);
		tdict_set(t, "session_id", s->id);
		tdict_set(t, "exam", s->exam);
		tdict_set(t, "date", s->date);
		tdict_set(t, "zone", s->zone);
		tdict_set(t, "location", s->location);
		tdict_set_int(t, "booked", s->booked);
		tdict_set_int(t, "capacity", s->capacity);
		tdict_set_int(t, "waitlisted", s->waitlisted);
		tdict_set(t, "state", exam_session_state_text(s->state));
	}
}

void page_admin(struct request *req)
{
	struct tdict *d = http_page(req, "The ESNR office");
	struct office_counts c;
	struct exam_session_row *rows;
	size_t n;
	enum db_status st;
	/* Upcoming sessions, and past ones whose results are still to be published. */
	if ((st = office_counts(req->arena, &c)) != DB_OK ||
	    (st = exam_session_list(req->arena, EXAM_SESSIONS_CURRENT, &rows, &n)) != DB_OK) {
		fail_db(req, st);
		return;
	}
	tdict_set_int(d, "n_candidates", c.candidates);
	tdict_set_int(d, "n_booked", c.booked);
	tdict_set_int(d, "n_waitlisted", c.waitlisted);
	add_session_rows(d, "sessions", rows, n);
	http_render(req, 200, "admin_overview", d);
}

static void show_sessions(struct request *req, int status, struct tdict *d)
{
	struct code_title *exams;
	struct exam_session_row *rows;
	size_t nexams, n;
	enum db_status st;
	if ((st = exam_list(req->arena, &exams, &nexams)) != DB_OK ||
	    (st = exam_session_list(req->arena, EXAM_SESSIONS_ALL, &rows, &n)) != DB_OK) {
		fail_db(req, st);
		return;
	}
	for (size_t i = 0; i < nexams; i++)
		http_option(d, "exams", exams[i].code, arena_printf(req->arena, "%s · %s", exams[i].code,
		    exams[i].title), tdict_get(d, "exam"));
	add_session_rows(d, "sessions", rows, n);
	http_render(req, status, "admin_sessions", d);
}

void page_admin_sessions(struct request *req)
{
	struct tdict *d = http_page(req, "Examination sessions");
	tdict_set(d, "time_zone", "Europe/Vienna");
	show_sessions(req, 200, d);
}

#define WINDOW_MESSAGE "Enter a date and time, like 2027-04-01T09:00 (in the session's time zone) " \
	"or 2027-04-01T09:00+02:00."

const struct form_spec form_admin_sessions = { "the new session form", (const struct form_field[]){
	{ .name = "exam", .kind = VALID_CODE, .flags = FIELD_REQUIRED,
	  .message = "Choose the examination from the list." },
	{ .name = "date", .kind = VALID_DATE, .flags = FIELD_REQUIRED,
	  .message = "Enter the exam day as a date, like 2027-05-03." },
	{ .name = "time_zone", .kind = VALID_TEXT, .min = 1, .max = 64, .flags = FIELD_REQUIRED,
	  .message = "Enter a time zone name such as Europe/Vienna or Europe/Lisbon." },
	{ .name = "location", .kind = VALID_TEXT, .min = 1, .max = EXAM_SESSION_LOCATION_MAX, .flags = FIELD_REQUIRED,
	  .message = "Enter the place, at most 200 characters." },
	{ .name = "capacity", .kind = VALID_INT, .min = 1, .max = EXAM_SESSION_CAPACITY_MAX, .flags = FIELD_REQUIRED,
	  .message = "Enter a whole number of seats from 1 to 10000." },
	{ .name = "opens", .kind = VALID_LOCAL_TIME, .message = WINDOW_MESSAGE },
	{ .name = "closes", .kind = VALID_LOCAL_TIME, .message = WINDOW_MESSAGE },
	{ .name = "cancel_until", .kind = VALID_LOCAL_TIME, .message = WINDOW_MESSAGE },
	{ .name = NULL } } };

static const char *or_null(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

void post_admin_sessions(struct request *req)
{
	struct tdict *d = http_page(req, "Examination sessions");
	if (form_invalid(req, d)) {
		show_sessions(req, 400, d);
		return;
	}
	struct exam_session_input in = {
		.exam = form_value(req, "exam"),
		.date = form_value(req, "date"),
		.time_zone = form_value(req, "time_zone"),
		.location = form_value(req, "location"),
		.capacity = form_value(req, "capacity"),
		.opens = or_null(form_value(req, "opens")),
		.closes = or_null(form_value(req, "closes")),
		.cancel_until = or_null(form_value(req, "cancel_until")),
		.created_by = req->user->id_text,
	};
	long long id;
	struct refusal ref = { 0 };
	enum db_status st = exam_session_create(req->arena, &in, &id, &ref);
	if (st == DB_REFUSED) {
		http_field_error(req, d, &ref, NULL);
		show_sessions(req, http_refusal_status(&ref), d);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/admin/sessions/%lld", id));
}

/* The session page; 404 when there is no such session. */
static void show_session(struct request *req, int status, struct tdict *d, const char *id)
{
	struct exam_session_detail s;
	int found;
	enum db_status st = exam_session_detail(req->arena, id, &s, &found);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (!found) {
		http_error(req, 404, "There is no such examination session.");
		return;
	}
	tdict_set(d, "session_id", s.row.id);
	tdict_set(d, "exam", s.row.exam);
	tdict_set(d, "exam_title", s.exam_title);
	tdict_set(d, "date", s.row.date);
	tdict_set(d, "zone", s.row.zone);
	tdict_set(d, "location", s.row.location);
	tdict_set_int(d, "booked", s.row.booked);
	tdict_set_int(d, "capacity", s.row.capacity);
	tdict_set(d, "opens", s.opens);
	tdict_set(d, "closes", s.closes);
	tdict_set(d, "cancel_until", s.cancel_until);
	tdict_set(d, "state", exam_session_state_text(s.row.state));
	tdict_set_bool(d, "is_closed", s.closed_at != NULL);
	tdict_set(d, "closed_at", s.closed_at);
	tdict_setf(d, "title", "Session #%s · %s", s.row.id, s.row.exam);
	for (size_t i = 0; i < s.nroster; i++) {
		const struct roster_entry *e = &s.roster[i];
		struct tdict *t = tdict_push(d, "roster");
		tdict_set(t, "booking_id", e->booking_id);
		tdict_set(t, "name", e->name);
		tdict_set(t, "email", e->email);
		tdict_set(t, "status", e->status);
		tdict_set(t, "position", e->position);
		tdict_set(t, "booked_at", e->booked_at);
		tdict_set(t, "candidate_id", e->candidate_id);
	}
	for (size_t i = 0; i < s.nexaminers; i++) {
		struct tdict *e = tdict_push(d, "examiners");
		tdict_set(e, "name", s.examiners[i].name);
		tdict_set(e, "email", s.examiners[i].email);
		tdict_set(e, "assigned_on", s.examiners[i].assigned_on);
	}
	http_render(req, status, "admin_session", d);
}

void page_admin_session(struct request *req)
{
	show_session(req, 200, http_page(req, "Examination session"), req->params[0]);
}

const struct form_spec form_admin_session_examiners = { "the examiner form", (const struct form_field[]){
	{ .name = "email", .kind = VALID_EMAIL, .flags = FIELD_REQUIRED, .key = "examiner_email",
	  .error_key = "examiner_error" },
	{ .name = NULL } } };

void post_admin_session_examiners(struct request *req)
{
	struct tdict *d = http_page(req, "Examination session");
	const char *id = req->params[0];
	if (form_invalid(req, d)) {
		show_session(req, 400, d, id);
		return;
	}
	struct refusal ref = { 0 };
	enum db_status st = exam_session_assign_examiner(req->arena, id, form_value(req, "email"), &ref);
	if (st == DB_REFUSED && ref.field == NULL) {
		http_refusal(req, "Examiner not assigned", &ref);
		return;
	}
	if (st == DB_REFUSED) {
		tdict_set(d, "examiner_email", form_value(req, "email"));
		tdict_setf(d, "examiner_error", "Not assigned: %s.", ref.text);
		show_session(req, http_refusal_status(&ref), d, id);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/admin/sessions/%s", id));
}

const struct form_spec form_admin_session_close = { "the form that closes booking",
	(const struct form_field[]){ { .name = NULL } } };

void post_admin_session_close(struct request *req)
{
	struct tdict *d = http_page(req, "Examination session");
	const char *id = req->params[0];
	if (form_invalid(req, d)) {
		show_session(req, 400, d, id);
		return;
	}
	struct refusal ref = { 0 };
	enum db_status st = exam_session_close(req->arena, id, &ref);
	if (st == DB_REFUSED) {
		http_refusal(req, "Session not closed", &ref);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, arena_printf(req->arena, "/admin/sessions/%s", id));
}
