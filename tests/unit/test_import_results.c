/* The examiner's results spreadsheet, checked before any database: every bad row is named
 * by its line with every reason; a file that is not a usable CSV is refused as a whole. */
#include "check.h"
#include "core/arena.h"
#include "core/csv_reader.h"
#include "domain/results_import.h"

static struct results_import rep;

static int parse(struct arena *a, const char *csv)
{
	return results_import_parse(a, csv, strlen(csv), &rep);
}

static int read_csv(struct arena *a, const struct csv_spec *spec, const char *csv, struct csv_table *t)
{
	return csv_read(a, spec, csv, strlen(csv), t);
}

static int has(const char *s, const char *part)
{
	return s != NULL && strstr(s, part) != NULL;
}

int main(void)
{
	struct arena *a = arena_new();

	/* the reader itself */
	{
		static const struct csv_column cols[] = { { "a", 1 }, { "b", 0 }, { "c", 0 } };
		static const struct csv_spec spec = { cols, 3, 1024 * 1024, 10 };
		struct csv_table t;
		CHECK(read_csv(a, &spec, "C,A\n3,1\n,\n\"x\ny\",2\n", &t) == 0,
		    "the reader takes known columns in any order and case");
		CHECK(t.field_of[0] == 1 && t.field_of[1] == -1 && t.field_of[2] == 0,
		    "the reader says where each column is, -1 when absent");
		CHECK(t.nrecords == 2 && t.records[0].line == 2 && t.records[1].line == 4,
		    "a blank row is skipped and lines count from the header");
		CHECK_STR(t.records[0].value[1], "", "an absent column reads as empty");
		CHECK_STR(t.records[1].value[2], "x\ny", "a quoted line break is kept in its field");
		CHECK(read_csv(a, &spec, "a\n1,2\n", &t) == 0 && has(t.records[0].error, "2 fields where the header has 1"),
		    "a record of the wrong length carries its error");
		CHECK(read_csv(a, &spec, "a\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n", &t) != 0 &&
		    has(t.error, "more than 10 rows") && t.error_line == 12 && t.nrecords == 10,
		    "the row limit refuses the file, keeping the rows before it");
	}

	CHECK(parse(a, "booking,email,written,oral,absent\n"
	    "12,zoe@esonr.example,72,65,\n"
	    "13,,,,yes\n"
	    ",Nikos@ESONR.example,60,100,no\n") == 0, "a clean file parses");
	CHECK(rep.nrows == 3 && rep.errors == 0, "three rows, no errors");
	CHECK(rep.rows[0].line == 2 && rep.rows[2].line == 4, "rows know their line (header is line 1)");
	CHECK(rep.rows[0].written == 72 && rep.rows[0].oral == 65 && !rep.rows[0].absent,
	    "the scores are read");
	CHECK(rep.rows[1].absent && rep.rows[1].written == -1 && rep.rows[1].oral == -1,
	    "an absent row has no scores");
	CHECK_STR(rep.rows[2].email, "nikos@esonr.example", "the e-mail is normalised");
	CHECK(rep.rows[0].named && rep.rows[2].named, "a booking or an e-mail names the candidate");

	CHECK(parse(a, "\xEF\xBB\xBF" "Absent,ORAL,Written,Email\r\n"
	    ",50,51,zoe@esonr.example\r\n") == 0 && rep.rows[0].written == 51 && rep.rows[0].oral == 50,
	    "columns in any order and case, a BOM and CRLF are accepted");
	CHECK(parse(a, "email,written,oral\nzoe@esonr.example,0,100\n") == 0,
	    "the absent column may be left out; 0 and 100 are scores");

	{
		static const char *const yes[] = { "yes", "YES", "true", "1", "x", "X", " x " };
		static const char *const no[] = { "", "no", "False", "0" };
		int ok = 1;
		for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
			ok = ok && parse(a, arena_printf(a, "booking,written,oral,absent\n12,,,\"%s\"\n",
			    yes[i])) == 0 && rep.rows[0].absent;
		CHECK(ok, "yes, true, 1 and x (any case) mean absent");
		ok = 1;
		for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
			ok = ok && parse(a, arena_printf(a, "booking,written,oral,absent\n12,50,50,%s\n",
			    no[i])) == 0 && !rep.rows[0].absent;
		CHECK(ok, "empty, no, false and 0 mean present");
	}
	CHECK(parse(a, "booking,written,oral,absent\n12,,,maybe\n") != 0 &&
	    has(rep.rows[0].error, "absent: must be empty, yes, no"), "another absent value is an error");

	CHECK(parse(a, "booking,written,oral,absent\n"
	    "12,70,,\n"
	    "13,101,-5,\n"
	    "14,7.5,abc,\n"
	    "15,60,60,x\n"
	    "16,,,\n"
	    "17,55,45,\n") != 0, "a file with bad scores fails");
	CHECK(rep.nrows == 6 && rep.errors == 5, "every bad row is counted, the good one is not");
	CHECK(has(rep.rows[0].error, "oral: a score from 0 to 100 is needed") &&
	    !has(rep.rows[0].error, "written"), "a missing score is named");
	CHECK(has(rep.rows[1].error, "written: must be a whole number") &&
	    has(rep.rows[1].error, "oral: must be a whole number"), "scores out of range: both reported");
	CHECK(has(rep.rows[2].error, "written:") && has(rep.rows[2].error, "oral:"),
	    "a decimal or a word is not a score");
	CHECK(has(rep.rows[3].error, "leave the scores empty for an absent candidate"),
	    "absent with scores is an error");
	CHECK(rep.rows[4].line == 6 && has(rep.rows[4].error, "written: a score") &&
	    has(rep.rows[4].error, "oral: a score"), "no scores and not absent: both missing");
	CHECK(rep.rows[5].error == NULL, "the valid row has no error");

	CHECK(parse(a, "booking,email,written,oral\n"
	    "012,,50,50\n"
	    ",not-an-address,50,50\n"
	    ",,50,50\n"
	    "12,50,50\n") != 0, "bad names fail");
	CHECK(has(rep.rows[0].error, "booking: must be a booking number") && !rep.rows[0].named,
	    "a malformed booking number is refused");
	CHECK(has(rep.rows[1].error, "email:"), "a malformed e-mail is refused");
	CHECK(has(rep.rows[2].error, "booking or email: one is needed"), "a row naming nobody is refused");
	CHECK(rep.rows[3].line == 5 && has(rep.rows[3].error, "3 fields where the header has 4"),
	    "a row with a field too few is named with its line");

	CHECK(parse(a, "written,oral,absent\n50,50,\n") != 0 && rep.file_error_line == 1 &&
	    has(rep.file_error, "no column booking or email"), "a header naming no candidate refuses the file");
	CHECK(parse(a, "booking,written\n12,50\n") != 0 && has(rep.file_error, "no column oral"),
	    "a missing score column refuses the file");
	CHECK(parse(a, "booking,written,oral,grade\n") != 0 &&
	    has(rep.file_error, "unknown column \"grade\"") && has(rep.file_error, "booking, email, written, oral, absent"),
	    "an unknown column refuses the file and the message lists the columns");
	CHECK(parse(a, "booking,written,oral,Booking\n") != 0 && has(rep.file_error, "twice"),
	    "a column named twice refuses the file");
	CHECK(parse(a, "") != 0 && has(rep.file_error, "empty") &&
	    has(rep.file_error, "booking,email,written,oral,absent"), "an empty file is refused, naming the columns");
	CHECK(parse(a, "booking,written,oral\n\n,,\n") != 0 && has(rep.file_error, "no rows"),
	    "a header without rows is refused; blank rows are skipped");

	CHECK(parse(a, "booking,written,oral\n"
	    "12,\"7\n0\",50\n"
	    "\n"
	    "13,x,50\n") != 0 && rep.rows[0].line == 2 && rep.rows[1].line == 5,
	    "a quoted line break and a blank line keep the following line numbers right");
	CHECK(parse(a, "booking,written,oral\n12,50,50\n13,5\"0,50\n") != 0 && rep.file_error_line == 3 &&
	    has(rep.file_error, "well-formed"), "a stray quote refuses the file, naming its line");
	CHECK(parse(a, "booking,written,oral\n12,50,\xff\n") != 0 && rep.file_error_line == 2 &&
	    has(rep.file_error, "UTF-8"), "invalid UTF-8 refuses the file, naming its line");

	rep.dry_run = 1;
	CHECK(parse(a, "booking,written,oral\n12,50,50\n") == 0 &&
	    has(results_import_summary(a, &rep), "1 row checked"), "the summary of a parsed file");
	CHECK(parse(a, "booking,written,oral\n12,50,\n13,,\n") != 0 &&
	    has(results_import_summary(a, &rep), "2 of 2 rows have an error"), "the summary counts the errors");
	CHECK_STR(results_import_row_name(a, &rep.rows[0]), "booking 12 (-)", "a row's name");

	arena_free(a);
	CHECK_DONE();
}
