/* The ESNR office and the course editions: one run of a course, with its dates and city. */
#include <string.h>

#include "db/catalogue.h"
#include "web/handlers.h"

static void show_editions(struct request *req, int status, struct tdict *d)
{
	struct arena *a = req->arena;
	struct code_title *courses;
	struct edition_row *rows;
	size_t ncourses, n;
	enum db_status st;
	if ((st = course_list(a, &courses, &ncourses)) != DB_OK ||
	    (st = edition_list(a, &rows, &n)) != DB_OK) {
		fail_db(req, st);
		return;
	}
	for (size_t i = 0; i < ncourses; i++)
		http_option(d, "courses", courses[i].code, arena_printf(a, "%s · %s", courses[i].code,
		    courses[i].title), tdict_get(d, "course"));
	for (size_t i = 0; i < n; i++) {
		struct tdict *t = tdict_push(d, "editions");
		tdict_set(t, "edition_id", rows[i].id);
		tdict_set(t, "ed_course", rows[i].course);
		tdict_set(t, "ed_cycle", rows[i].cycle);
		tdict_set(t, "ed_city", rows[i].city);
		tdict_set(t, "ed_starts", rows[i].starts_on);
		tdict_set(t, "ed_ends", rows[i].ends_on);
		tdict_set_int(t, "ed_attendances", rows[i].attendances);
	}
	http_render(req, status, "admin_editions", d);
}

void page_admin_editions(struct request *req)
{
	show_editions(req, 200, http_page(req, "Course editions"));
}

const struct form_spec form_admin_editions = { "the new edition form", (const struct form_field[]){
	{ .name = "course", .kind = VALID_CODE, .flags = FIELD_REQUIRED,
	  .message = "Choose the course or module." },
	{ .name = "cycle_label", .kind = VALID_TEXT, .min = 1, .max = 80, .flags = FIELD_REQUIRED,
	  .error_key = "cycle_error",
	  .message = "Enter the cycle, like ECNR cycle 2027/1 (at most 80 characters)." },
	{ .name = "city", .kind = VALID_TEXT, .min = 1, .max = 80, .flags = FIELD_REQUIRED,
	  .message = "Enter the city, at most 80 characters." },
	{ .name = "starts_on", .kind = VALID_DATE, .flags = FIELD_REQUIRED, .error_key = "starts_error",
	  .message = "Enter the first day, like 2027-04-19." },
	{ .name = "ends_on", .kind = VALID_DATE, .flags = FIELD_REQUIRED, .error_key = "ends_error",
	  .message = "Enter the last day, like 2027-04-23." },
	{ .name = NULL } } };

void post_admin_editions(struct request *req)
{
	static const char *const error_keys[] = { "course", "course_error", NULL };
	struct tdict *d = http_page(req, "Course editions");
	int bad = form_invalid(req, d);
	const char *starts = form_value(req, "starts_on"), *ends = form_value(req, "ends_on");
	if (starts[0] != '\0' && ends[0] != '\0' && strcmp(ends, starts) < 0) {
		tdict_set(d, "ends_error", "The last day cannot be before the first.");
		bad = 1;
	}
	if (bad) {
		show_editions(req, 400, d);
		return;
	}
	struct refusal ref = { 0 };
	enum db_status st = edition_create(req->arena, form_value(req, "course"),
	    form_value(req, "cycle_label"), form_value(req, "city"), starts, ends, &ref);
	if (st == DB_REFUSED) {
		http_field_error(req, d, &ref, error_keys);
		show_editions(req, http_refusal_status(&ref), d);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, "/admin/editions");
}
