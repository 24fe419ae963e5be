#include "core/csv_reader.h"

#include <csv.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/utf8.h"

struct reader {
	struct arena *a;
	const struct csv_spec *spec;
	struct csv_table *t;
	int cap;
	int line;            /* the physical line being fed to the parser */
	int newlines;        /* line breaks inside the current record's quoted fields */
	const char *fields[CSV_MAX_FIELDS];
	int nfields;
	int have_header;
};

static void file_error(struct reader *r, int line, const char *why)
{
	if (r->t->error != NULL)
		return;
	r->t->error = why;
	r->t->error_line = line;
}

const char *csv_column_list(struct arena *a, const struct csv_spec *spec, const char *sep)
{
	struct buf b;
	buf_init(&b, a);
	for (int c = 0; c < spec->ncolumns; c++)
		buf_printf(&b, "%s%s", c > 0 ? sep : "", spec->columns[c].name);
	return b.data;
}

static void on_field(void *s, size_t n, void *data)
{
	struct reader *r = data;
	if (r->t->error != NULL)
		return;
	const char *v = s != NULL ? s : "";
	for (size_t i = 0; i < n; i++)
		r->newlines += v[i] == '\n';
	if (r->nfields < CSV_MAX_FIELDS)
		r->fields[r->nfields] = arena_strndup(r->a, v, n);
	r->nfields++;
}

static void header(struct reader *r, int n)
{
	const struct csv_spec *spec = r->spec;
	struct csv_table *t = r->t;
	const char *list = csv_column_list(r->a, spec, ", ");
	for (int c = 0; c < CSV_MAX_FIELDS; c++)
		t->field_of[c] = -1;
	if (n > CSV_MAX_FIELDS) {
		file_error(r, 1, arena_printf(r->a, "the header has %d columns; the columns are %s",
		    n, list));
		return;
	}
	for (int i = 0; i < n; i++) {
		int c = 0;
		while (c < spec->ncolumns && strcasecmp(r->fields[i], spec->columns[c].name) != 0)
			c++;
		if (c == spec->ncolumns) {
			file_error(r, 1, arena_printf(r->a, "unknown column \"%s\" in the header; the "
			    "columns are %s", r->fields[i], list));
			return;
		}
		if (t->field_of[c] != -1) {
			file_error(r, 1, arena_printf(r->a, "the column %s appears twice in the header",
			    spec->columns[c].name));
			return;
		}
		t->field_of[c] = i;
	}
	for (int c = 0; c < spec->ncolumns; c++)
		if (spec->columns[c].required && t->field_of[c] == -1) {
			file_error(r, 1, arena_printf(r->a, "the header has no column %s; the columns "
			    "are %s", spec->columns[c].name, list));
			return;
		}
	t->nheader = n;
	r->have_header = 1;
}

static void on_row(int c, void *data)
{
	struct reader *r = data;
	struct csv_table *t = r->t;
	(void)c;
	int start = r->line - r->newlines;
	int n = r->nfields;
	r->nfields = 0;
	r->newlines = 0;
	if (t->error != NULL)
		return;
	if (!r->have_header) {
		header(r, n);
		return;
	}
	int empty = 1;
	for (int i = 0; i < n && i < CSV_MAX_FIELDS; i++)
		empty = empty && r->fields[i][0] == '\0';
	if (empty && n <= CSV_MAX_FIELDS)
		return; /* ",,,,," rows, as spreadsheets leave them, are no data */

	if (t->nrecords == r->spec->max_rows) {
		file_error(r, start, arena_printf(r->a, "more than %d rows: split the file",
		    r->spec->max_rows));
		return;
	}
	if (t->nrecords == r->cap) {
		int cap = r->cap == 0 ? 64 : r->cap * 2;
		struct csv_record *recs = arena_alloc(r->a, (size_t)cap * sizeof *recs);
		if (t->nrecords > 0)
			memcpy(recs, t->records, (size_t)t->nrecords * sizeof *recs);
		t->records = recs;
		r->cap = cap;
	}
	struct csv_record *rec = &t->records[t->nrecords++];
	rec->line = start;
	rec->nfields = n;
	rec->error = n == t->nheader ? NULL :
	    arena_printf(r->a, "%d fields where the header has %d", n, t->nheader);
	rec->value = arena_alloc(r->a, (size_t)r->spec->ncolumns * sizeof *rec->value);
	for (int col = 0; col < r->spec->ncolumns; col++) {
		int f = t->field_of[col];
		rec->value[col] = f >= 0 && f < n ? r->fields[f] : "";
	}
}

/* Encoding problems are reported with their line, before the CSV parser sees the bytes. */
static int check_text(struct reader *r, const char *data, size_t len)
{
	int line = 1;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - data) + 1 : len;
		if (memchr(data + i, '\0', end - i) != NULL) {
			file_error(r, line, "the file contains NUL bytes: save it as CSV text");
			return -1;
		}
		if (!utf8_valid(data + i, end - i)) {
			file_error(r, line, "not valid UTF-8: save the file as CSV UTF-8");
			return -1;
		}
		i = end;
		line++;
	}
	return 0;
}

int csv_read(struct arena *a, const struct csv_spec *spec, const char *data, size_t len,
    struct csv_table *t)
{
	struct reader r;
	memset(t, 0, sizeof *t);
	for (int c = 0; c < CSV_MAX_FIELDS; c++)
		t->field_of[c] = -1;
	memset(&r, 0, sizeof r);
	r.a = a;
	r.spec = spec;
	r.t = t;

	if (len > spec->max_bytes) {
		file_error(&r, 0, arena_printf(a, "the file is larger than %zu MB: split it",
		    spec->max_bytes / (1024 * 1024)));
		return -1;
	}
	/* Spreadsheets write a byte order mark at the start of "CSV UTF-8". */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (check_text(&r, data, len) != 0)
		return -1;

	struct csv_parser csv;
	if (csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		file_error(&r, 0, "out of memory");
		return -1;
	}
	/* Fed one physical line at a time, so that every record knows its line number. */
	for (size_t i = 0; i < len && t->error == NULL;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - data) + 1 : len;
		r.line++;
		if (csv_parse(&csv, data + i, end - i, on_field, on_row, &r) != end - i)
			file_error(&r, r.line, csv_error(&csv) == CSV_EPARSE ? "not well-formed CSV: a "
			    "quote inside an unquoted field, or text after a closing quote" :
			    csv_strerror(csv_error(&csv)));
		i = end;
	}
	if (t->error == NULL && csv_fini(&csv, on_field, on_row, &r) != 0)
		file_error(&r, r.line, "not well-formed CSV: a quoted field is not closed");
	csv_free(&csv);

	if (t->error == NULL && !r.have_header)
		file_error(&r, 0, arena_printf(a, "the file is empty: the first line must name the "
		    "columns (%s)", csv_column_list(a, spec, ",")));
	else if (t->error == NULL && t->nrecords == 0)
		file_error(&r, 0, "the file has a header but no rows");
	return t->error != NULL ? -1 : 0;
}
