/* The ESNR office imports completion records from a CSV file (docs/import.md), with a dry
 * run first by default. */
#include "db/import.h"
#include "web/handlers.h"

void page_admin_import(struct request *req)
{
	struct tdict *d = http_page(req, "Import completion records");
	tdict_set_bool(d, "dry_run", 1); /* trying first is the safe default */
	http_render(req, 200, "admin_import", d);
}

static void add_report(struct request *req, struct tdict *d, const struct import_report *rep)
{
	int ok = rep->file_error == NULL && rep->errors == 0;
	tdict_set_bool(d, "has_report", 1);
	tdict_set_bool(d, "report_ok", ok);
	tdict_set(d, "summary", import_summary(req->arena, rep));
	for (int i = 0; i < rep->nrows; i++) {
		const struct import_row *r = &rep->rows[i];
		struct tdict *t = tdict_push(d, "rows");
		const char *outcome = r->error != NULL ? "error" :
		    r->message == NULL ? "valid" :
		    rep->committed ? (r->changed ? "recorded" : "already there") :
		    !ok ? "not imported" : r->changed ? "would be recorded" : "already there";
		tdict_set_int(t, "line", r->line);
		tdict_set(t, "row_email", r->email);
		tdict_set(t, "row_course", r->course);
		tdict_set(t, "row_kind", r->kind_text);
		tdict_set(t, "outcome", outcome);
		tdict_set_bool(t, "row_bad", r->error != NULL);
		tdict_set(t, "row_message", r->error != NULL ? r->error : r->message);
	}
}

const struct form_spec form_admin_import = { "the import form", (const struct form_field[]){
	{ .name = "csv", .flags = FIELD_FILE | FIELD_REQUIRED, .max = IMPORT_MAX_BYTES,
	  .message = "Choose the CSV file to import." },
	{ .name = "dry_run", .kind = VALID_CHECKBOX },
	{ .name = NULL } } };

void post_admin_import(struct request *req)
{
	struct tdict *d = http_page(req, "Import completion records");
	if (form_invalid(req, d)) {
		const struct form_item *csv = form_input_item(&req->in, "csv");
		if (csv != NULL && csv->part != NULL && csv->part->len > IMPORT_MAX_BYTES)
			tdict_set(d, "csv_error", "The file is larger than 2 MB: split it.");
		http_render(req, 400, "admin_import", d);
		return;
	}
	const struct field *f = form_file(req, "csv");
	tdict_set(d, "filename", f->filename);
	struct import_report rep;
	if (import_parse(req->arena, f->value, f->len, &rep) != 0) {
		add_report(req, d, &rep);
		http_render(req, 400, "admin_import", d);
		return;
	}
	enum db_status st = import_run(req->arena, &rep, req->user->id_text, form_ticked(req, "dry_run"));
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	add_report(req, d, &rep);
	/* Refused rows undo the whole file: the page says which and why. */
	http_render(req, rep.errors > 0 ? 409 : 200, "admin_import", d);
}
