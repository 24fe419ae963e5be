/* The one CSV reader of the imports (libcsv, RFC 4180, strict): checks the encoding, reads
 * the header into known columns and hands back every data record with the line it starts
 * on. What the values mean is the caller's business. Everything lives in the arena. */
#ifndef ESONR_CSV_READER_H
#define ESONR_CSV_READER_H
#include <stddef.h>
#include "core/arena.h"

#define CSV_MAX_FIELDS 16 /* more than any valid record has; the rest are only counted */

struct csv_column {
	const char *name;  /* matched without regard to case */
	int required;
};

struct csv_spec {
	const struct csv_column *columns; /* the known columns, in the caller's own order */
	int ncolumns;                     /* at most CSV_MAX_FIELDS */
	size_t max_bytes;                 /* a whole number of MB, for the message */
	int max_rows;
};

struct csv_record {
	int line;            /* physical line where the record starts (the header is line 1) */
	int nfields;         /* fields in the record */
	const char **value;  /* by column: the field, "" when the column is not in the header or
	                      * the record is too short; never NULL */
	const char *error;   /* "3 fields where the header has 5", else NULL */
};

struct csv_table {
	int field_of[CSV_MAX_FIELDS]; /* by column: its field index in the header, -1 when absent */
	int nheader;                  /* fields in the header */
	struct csv_record *records;   /* blank rows (all fields empty) are skipped */
	int nrecords;
	const char *error;            /* the file as a whole is unusable */
	int error_line;               /* 0 when the error has no line */
};

/* Reads data[0..len): 0 when the file is usable; -1 with t->error (the records read before
 * the error are kept, so that a report can show them). A byte order mark is skipped. */
int csv_read(struct arena *a, const struct csv_spec *spec, const char *data, size_t len,
    struct csv_table *t);

/* "email, course, kind" (sep ", ") or "email,course,kind" (sep ","): for messages. */
const char *csv_column_list(struct arena *a, const struct csv_spec *spec, const char *sep);

#endif
