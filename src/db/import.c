#include "db/import.h"

#include <csv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/datetime.h"
#include "core/utf8.h"
#include "db/records.h"
#include "domain/account.h"

enum column { COL_EMAIL, COL_COURSE, COL_KIND, COL_DATE, COL_RESULT, COL_EDITION, COL__MAX };

static const struct {
	const char *name;
	int required;
} columns[COL__MAX] = {
	{ "email", 1 }, { "course", 1 }, { "kind", 1 }, { "date", 1 }, { "result", 0 }, { "edition", 0 },
};

static const char *const kind_names[IMPORT__KINDS] = { "attendance", "mcq", "completion" };

#define MAX_FIELDS 16 /* more than any valid row has; the rest are only counted */

struct parse {
	struct arena *a;
	struct import_report *rep;
	int cap;
	int line;            /* the physical line being fed to the parser */
	int newlines;        /* line breaks inside the current record's quoted fields */
	const char *fields[MAX_FIELDS];
	int nfields;
	int have_header;
	int col[COL__MAX];   /* field index of each column, -1 when absent */
	int ncols;
};

static void file_error(struct parse *p, int line, const char *why)
{
	if (p->rep->file_error != NULL)
		return;
	p->rep->file_error = why;
	p->rep->file_error_line = line;
}

static void on_field(void *s, size_t n, void *data)
{
	struct parse *p = data;
	if (p->rep->file_error != NULL)
		return;
	const char *v = s != NULL ? s : "";
	for (size_t i = 0; i < n; i++)
		p->newlines += v[i] == '\n';
	if (p->nfields < MAX_FIELDS)
		p->fields[p->nfields] = arena_strndup(p->a, v, n);
	p->nfields++;
}

static void header(struct parse *p, int n)
{
	char list[80];
	snprintf(list, sizeof list, "%s, %s, %s, %s, %s, %s", columns[0].name, columns[1].name,
	    columns[2].name, columns[3].name, columns[4].name, columns[5].name);
	for (int c = 0; c < COL__MAX; c++)
		p->col[c] = -1;
	if (n > MAX_FIELDS) {
		file_error(p, 1, arena_printf(p->a, "the header has %d columns; the columns are %s",
		    n, list));
		return;
	}
	for (int i = 0; i < n; i++) {
		int c = 0;
		while (c < COL__MAX && strcasecmp(p->fields[i], columns[c].name) != 0)
			c++;
		if (c == COL__MAX) {
			file_error(p, 1, arena_printf(p->a, "unknown column \"%s\" in the header; the "
			    "columns are %s", p->fields[i], list));
			return;
		}
		if (p->col[c] != -1) {
			file_error(p, 1, arena_printf(p->a, "the column %s appears twice in the header",
			    columns[c].name));
			return;
		}
		p->col[c] = i;
	}
	for (int c = 0; c < COL__MAX; c++)
		if (columns[c].required && p->col[c] == -1) {
			file_error(p, 1, arena_printf(p->a, "the header has no column %s; the columns "
			    "are %s", columns[c].name, list));
			return;
		}
	p->ncols = n;
	p->have_header = 1;
}

static const char *value(const struct parse *p, enum column c)
{
	return p->col[c] >= 0 ? p->fields[p->col[c]] : "";
}

static int course_code_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 20)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

static int id_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 18 || s[0] == '0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Appends one reason to the row's error ("; " between reasons). */
static void row_problem(struct arena *a, struct import_row *r, const char *why)
{
	r->error = r->error == NULL ? why : arena_printf(a, "%s; %s", r->error, why);
}

static void check_row(struct parse *p, struct import_row *r)
{
	struct arena *a = p->a;
	const char *why;
	char *email = email_normalise(a, r->email, &why);
	if (email == NULL) {
		size_t n = strlen(why);
		n -= n > 0 && why[n - 1] == '.'; /* the reasons are joined with "; " */
		row_problem(a, r, arena_printf(a, "email: %.*s", (int)n, why));
	} else {
		r->email = email;
	}

	/* Course codes and kinds are matched without regard to case, as office staff type them. */
	char *course = arena_strdup(a, r->course);
	for (char *c = course; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	if (!course_code_valid(course))
		row_problem(a, r, "course: a course code like GALEN or ECNR-2 is needed");
	else
		r->course = course;

	int kind_ok = 0;
	for (int k = 0; k < IMPORT__KINDS && !kind_ok; k++)
		if (strcasecmp(r->kind_text, kind_names[k]) == 0) {
			r->kind = (enum import_kind)k;
			kind_ok = 1;
		}
	if (!kind_ok)
		row_problem(a, r, "kind: must be attendance, mcq or completion");

	if (!date_valid(r->date))
		row_problem(a, r, "date: must be a date like 2027-05-03");

	const char *result = value(p, COL_RESULT);
	if (kind_ok && r->kind == IMPORT_MCQ) {
		if (strcasecmp(result, "pass") == 0)
			r->passed = 1;
		else if (strcasecmp(result, "fail") == 0)
			r->passed = 0;
		else
			row_problem(a, r, "result: pass or fail is needed for an mcq row");
	} else if (kind_ok && result[0] != '\0') {
		row_problem(a, r, "result: leave empty unless the kind is mcq");
	}

	const char *edition = value(p, COL_EDITION);
	r->edition = NULL;
	if (edition[0] != '\0') {
		if (!id_valid(edition))
			row_problem(a, r, "edition: must be an edition number, or empty");
		else if (kind_ok && r->kind == IMPORT_MCQ)
			row_problem(a, r, "edition: leave empty for an mcq row (the MCQ belongs to the "
			    "latest attendance)");
		else
			r->edition = edition;
	}
}

static void on_row(int c, void *data)
{
	struct parse *p = data;
	(void)c;
	int start = p->line - p->newlines;
	int n = p->nfields;
	p->nfields = 0;
	p->newlines = 0;
	if (p->rep->file_error != NULL)
		return;
	if (!p->have_header) {
		header(p, n);
		return;
	}
	int empty = 1;
	for (int i = 0; i < n && i < MAX_FIELDS; i++)
		empty = empty && p->fields[i][0] == '\0';
	if (empty && n <= MAX_FIELDS)
		return; /* ",,,,," rows, as spreadsheets leave them, are no data */

	struct import_report *rep = p->rep;
	if (rep->nrows == IMPORT_MAX_ROWS) {
		file_error(p, start, arena_printf(p->a, "more than %d rows: split the file",
		    IMPORT_MAX_ROWS));
		return;
	}
	if (rep->nrows == p->cap) {
		int cap = p->cap == 0 ? 64 : p->cap * 2;
		struct import_row *rows = arena_alloc(p->a, (size_t)cap * sizeof *rows);
		if (rep->nrows > 0)
			memcpy(rows, rep->rows, (size_t)rep->nrows * sizeof *rows);
		rep->rows = rows;
		p->cap = cap;
	}
	struct import_row *r = &rep->rows[rep->nrows++];
	memset(r, 0, sizeof *r);
	r->line = start;
	if (n != p->ncols) {
		r->email = r->course = r->kind_text = r->date = "";
		if (p->col[COL_EMAIL] < n)
			r->email = p->fields[p->col[COL_EMAIL]];
		r->error = arena_printf(p->a, "%d fields where the header has %d", n, p->ncols);
		rep->errors++;
		return;
	}
	r->email = value(p, COL_EMAIL);
	r->course = value(p, COL_COURSE);
	r->kind_text = value(p, COL_KIND);
	r->date = value(p, COL_DATE);
	check_row(p, r);
	rep->errors += r->error != NULL;
}

/* Encoding problems are reported with their line, before the CSV parser sees the bytes. */
static int check_text(struct parse *p, const char *data, size_t len)
{
	int line = 1;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - data) + 1 : len;
		if (memchr(data + i, '\0', end - i) != NULL) {
			file_error(p, line, "the file contains NUL bytes: save it as CSV text");
			return -1;
		}
		if (!utf8_valid(data + i, end - i)) {
			file_error(p, line, "not valid UTF-8: save the file as CSV UTF-8");
			return -1;
		}
		i = end;
		line++;
	}
	return 0;
}

int import_parse(struct arena *a, const char *data, size_t len, struct import_report *rep)
{
	struct parse p;
	memset(rep, 0, sizeof *rep);
	memset(&p, 0, sizeof p);
	p.a = a;
	p.rep = rep;

	if (len > IMPORT_MAX_BYTES) {
		file_error(&p, 0, "the file is larger than 2 MB: split it");
		return -1;
	}
	/* Spreadsheets write a byte order mark at the start of "CSV UTF-8". */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (check_text(&p, data, len) != 0)
		return -1;

	struct csv_parser csv;
	if (csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		file_error(&p, 0, "out of memory");
		return -1;
	}
	/* Fed one physical line at a time, so that every record knows its line number. */
	for (size_t i = 0; i < len && rep->file_error == NULL;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - data) + 1 : len;
		p.line++;
		if (csv_parse(&csv, data + i, end - i, on_field, on_row, &p) != end - i)
			file_error(&p, p.line, csv_error(&csv) == CSV_EPARSE ? "not well-formed CSV: a "
			    "quote inside an unquoted field, or text after a closing quote" :
			    csv_strerror(csv_error(&csv)));
		i = end;
	}
	if (rep->file_error == NULL && csv_fini(&csv, on_field, on_row, &p) != 0)
		file_error(&p, p.line, "not well-formed CSV: a quoted field is not closed");
	csv_free(&csv);

	if (rep->file_error == NULL && !p.have_header)
		file_error(&p, 0, "the file is empty: the first line must name the columns "
		    "(email,course,kind,date,result,edition)");
	else if (rep->file_error == NULL && rep->nrows == 0)
		file_error(&p, 0, "the file has a header but no rows");
	return rep->file_error != NULL || rep->errors > 0 ? -1 : 0;
}

struct run {
	struct import_report *rep;
	const char *recorded_by;
	int dry_run;
};

enum db_status import_row_apply(struct arena *a, const char *user_id, const struct import_row *r,
    const char *recorded_by, struct record_result *res)
{
	enum db_status st = DB_OK;
	struct record_result att = { 0, NULL };
	switch (r->kind) {
	case IMPORT_ATTENDANCE:
		return attendance_record(a, user_id, r->course, r->date, r->edition, recorded_by, res);
	case IMPORT_MCQ:
		return mcq_record(a, user_id, r->course, r->date, r->passed, recorded_by, res);
	case IMPORT_COMPLETION:
		/* The edition goes on the attendance; completion_record then finds it there. */
		if (r->edition != NULL && (st = attendance_record(a, user_id, r->course, r->date,
		    r->edition, recorded_by, &att)) != DB_OK) {
			*res = att;
			return st;
		}
		st = completion_record(a, user_id, r->course, r->date, recorded_by, res);
		if (st == DB_OK && att.changed && !res->changed) {
			res->changed = 1;
			res->message = arena_printf(a, "%s completed on %s recorded", r->course, r->date);
		}
		return st;
	case IMPORT__KINDS:
		break;
	}
	return DB_ERROR;
}

static enum db_status run_body(struct arena *a, void *ctx)
{
	struct run *run = ctx;
	struct import_report *rep = run->rep;
	const char *email = NULL, *user_id = NULL;
	enum db_status st;

	/* db_tx may run this again after a deadlock: start from a clean report. */
	rep->errors = rep->changed = 0;
	for (int i = 0; i < rep->nrows; i++) {
		struct import_row *r = &rep->rows[i];
		struct record_result res = { 0, NULL };
		r->changed = 0;
		r->error = r->message = NULL;
		if ((st = db_exec(a, "SAVEPOINT import_row", 0)) != DB_OK)
			return st;
		st = DB_OK;
		/* Files are usually grouped by candidate: look each one up once per run. */
		if (user_id == NULL || strcmp(email, r->email) != 0) {
			email = r->email;
			user_id = NULL;
			st = candidate_find(a, r->email, &user_id, &res);
		}
		if (st == DB_OK)
			st = import_row_apply(a, user_id, r, run->recorded_by, &res);
		if (st == DB_OK) {
			if ((st = db_exec(a, "RELEASE SAVEPOINT import_row", 0)) != DB_OK)
				return st;
			r->changed = res.changed;
			r->message = res.message;
			rep->changed += res.changed;
			continue;
		}
		if (st != DB_REFUSED && st != DB_INVALID && st != DB_CONFLICT)
			return st;
		/* A refused row is undone alone, so that the rows after it are still checked. */
		r->error = st == DB_REFUSED ? res.message :
		    arena_printf(a, "the database refused the row: %s", db_error());
		rep->errors++;
		if ((st = db_exec(a, "ROLLBACK TO SAVEPOINT import_row", 0)) != DB_OK)
			return st;
	}
	return run->dry_run || rep->errors > 0 ? DB_REFUSED : DB_OK;
}

enum db_status import_run(struct arena *a, struct import_report *rep, const char *recorded_by,
    int dry_run)
{
	struct run run = { rep, recorded_by, dry_run };
	rep->dry_run = dry_run;
	rep->committed = 0;
	if (rep->file_error != NULL || rep->errors > 0)
		return DB_OK;
	/* READ COMMITTED: the records functions lock what they read (SELECT … FOR UPDATE). */
	enum db_status st = db_tx(a, DB_READ_COMMITTED, run_body, &run);
	if (st == DB_OK)
		rep->committed = 1;
	return st == DB_REFUSED ? DB_OK : st;
}

const char *import_summary(struct arena *a, const struct import_report *rep)
{
	if (rep->file_error != NULL)
		return rep->file_error_line > 0 ?
		    arena_printf(a, "nothing was imported: line %d: %s", rep->file_error_line,
		    rep->file_error) : arena_printf(a, "nothing was imported: %s", rep->file_error);
	int same = rep->nrows - rep->changed - rep->errors;
	if (rep->errors > 0)
		return arena_printf(a, "nothing was imported: %d of %d row%s %s an error",
		    rep->errors, rep->nrows, rep->nrows == 1 ? "" : "s", rep->errors == 1 ? "has" : "have");
	if (rep->dry_run)
		return arena_printf(a, "dry run, nothing was stored: %d row%s, %d would change "
		    "something, %d already recorded", rep->nrows, rep->nrows == 1 ? "" : "s",
		    rep->changed, same);
	if (rep->committed)
		return arena_printf(a, "imported %d row%s: %d changed something, %d already recorded",
		    rep->nrows, rep->nrows == 1 ? "" : "s", rep->changed, same);
	return arena_printf(a, "%d row%s checked, nothing stored yet", rep->nrows,
	    rep->nrows == 1 ? "" : "s");
}
