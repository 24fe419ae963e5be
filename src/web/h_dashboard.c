/* The dashboard: what each role needs to see first. */
#include "db/office_view.h"
#include "web/handlers.h"

/* with_counts: the office's table shows capacity and waiting list too. What the read model
 * holds lives until the page is sent: referred to, not copied (tdict_set_ref). */
static void push_session(struct tdict *page, const char *list, const struct ov_session *s, int with_counts)
{
	struct tdict *d = tdict_push(page, list);
	tdict_set_ref(d, "session_id", s->id);
	tdict_set_ref(d, "exam", s->exam);
	tdict_set_ref(d, "date", s->date);
	tdict_set_ref(d, "location", s->location);
	tdict_set_ref(d, "booked", s->booked);
	tdict_set_ref(d, "state", s->state);
	if (with_counts) {
		tdict_set_ref(d, "capacity", s->capacity);
		tdict_set_ref(d, "waitlisted", s->waitlisted);
	}
}

static enum db_status examiner_dashboard(struct request *req, struct tdict *page)
{
	struct examiner_view v;
	enum db_status st = examiner_view_load(req->arena, req->user, &v);
	if (st != DB_OK)
		return st;
	for (size_t i = 0; i < v.nassigned; i++)
		push_session(page, "assigned", &v.assigned[i], 0);
	return DB_OK;
}

static enum db_status admin_dashboard(struct request *req, struct tdict *page)
{
	struct office_view v;
	enum db_status st = office_view_load(req->arena, &v);
	if (st != DB_OK)
		return st;
	tdict_set(page, "n_candidates", v.n_candidates);
	tdict_set(page, "n_open", v.n_open);
	tdict_set(page, "n_awaiting", v.n_awaiting);
	tdict_set(page, "n_waitlisted", v.n_waitlisted);
	for (size_t i = 0; i < v.nsessions; i++)
		push_session(page, "sessions", &v.sessions[i], 1);
	return DB_OK;
}

void page_dashboard(struct request *req)
{
	struct tdict *d = http_page(req, "Dashboard");
	enum db_status st = DB_OK;
	tdict_set_bool(d, "email_unconfirmed", !req->user->email_confirmed);
	switch (req->user->role) {
	case ROLE_CANDIDATE:
		st = candidate_dashboard(req, d);
		break;
	case ROLE_EXAMINER:
		st = examiner_dashboard(req, d);
		break;
	case ROLE_ADMIN:
		st = admin_dashboard(req, d);
		break;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_render(req, 200, "dashboard", d);
}
