/* The office's CSV import, checked before any database: each bad row is named by its line,
 * with every reason, and a file that is not a usable CSV is refused as a whole. */
#include "check.h"
#include "core/arena.h"
#include "core/buf.h"
#include "domain/completion_import.h"

static struct import_report rep;

static int parse(struct arena *a, const char *csv)
{
	return import_parse(a, csv, strlen(csv), &rep);
}

int main(void)
{
	struct arena *a = arena_new();

	CHECK(parse(a, "email,course,kind,date,result,edition\n"
	    "zoe@esonr.example,GALEN,attendance,2026-03-02,,\n"
	    "zoe@esonr.example,ECNR-1,attendance,2026-04-20,,7\n"
	    "zoe@esonr.example,ECNR-1,mcq,2026-04-24,pass,\n"
	    "nikos@esonr.example,HQ-DIAG,completion,2026-05-11,,\n") == 0,
	    "a clean file with all three kinds parses");
	CHECK(rep.nrows == 4 && rep.errors == 0, "four rows, no errors");
	CHECK(rep.rows[0].line == 2 && rep.rows[3].line == 5, "rows know their line (header is line 1)");
	CHECK(rep.rows[1].edition != NULL && strcmp(rep.rows[1].edition, "7") == 0,
	    "the edition of an attendance is kept");
	CHECK(rep.rows[2].kind == IMPORT_MCQ && rep.rows[2].passed, "an mcq pass is read as passed");
	CHECK(rep.rows[0].edition == NULL, "an empty edition is NULL");

	CHECK(parse(a, "\xEF\xBB\xBF" "Date,Kind,Course,Email\r\n"
	    "2026-03-02,Attendance,galen,  Zoe@ESONR.example  \r\n") == 0,
	    "columns in any order, a BOM, CRLF, case and padding are accepted");
	CHECK_STR(rep.rows[0].email, "zoe@esonr.example", "the e-mail is normalised");
	CHECK_STR(rep.rows[0].course, "GALEN", "the course code is upper-cased");

	CHECK(parse(a, "email,course,kind,date,result\n"
	    "zoe@esonr.example,GALEN,attendance,2026-02-30,,\n"
	    "not-an-address,ECNR-2,mcq,2026-04-24,maybe\n"
	    "zoe@esonr.example,ECNR-2,mcq,2026-04-24,fail\n"
	    "zoe@esonr.example,GALEN,attendance,2026-03-02,pass\n"
	    "zoe@esonr.example,GALEN,visit,2026-03-02,\n") != 0, "a file with bad rows fails");
	CHECK(rep.nrows == 5 && rep.errors == 4, "every bad row is counted, the good one is not");
	CHECK(rep.rows[0].line == 2 && strstr(rep.rows[0].error, "fields where the header has 5") != NULL,
	    "a row with a field too many is named with its line");
	CHECK(strstr(rep.rows[1].error, "email:") != NULL && strstr(rep.rows[1].error, "result:") != NULL,
	    "a row with two problems reports both");
	CHECK(rep.rows[2].error == NULL, "a failed mcq is a valid row");
	CHECK(strstr(rep.rows[3].error, "leave empty unless the kind is mcq") != NULL,
	    "a result on an attendance row is refused");
	CHECK(strstr(rep.rows[4].error, "kind:") != NULL, "an unknown kind is refused");

	CHECK(parse(a, "email,course,kind,date\nzoe@esonr.example,GALEN,attendance,2026-02-29\n") != 0 &&
	    strstr(rep.rows[0].error, "date:") != NULL, "29 February of a common year is refused");
	CHECK(parse(a, "email,course,kind,date,result,edition\n"
	    "zoe@esonr.example,ECNR-1,mcq,2026-04-24,pass,3\n") != 0 &&
	    strstr(rep.rows[0].error, "edition:") != NULL, "an edition on an mcq row is refused");
	CHECK(parse(a, "email,course,kind,date,edition\n"
	    "zoe@esonr.example,GALEN,attendance,2026-03-02,x1\n") != 0, "a non-numeric edition is refused");

	CHECK(parse(a, "email,course,kind,date,grade\n") != 0 && rep.file_error != NULL &&
	    strstr(rep.file_error, "unknown column \"grade\"") != NULL && rep.file_error_line == 1,
	    "an unknown column in the header refuses the file");
	CHECK(parse(a, "email,course,kind\nzoe@esonr.example,GALEN,attendance\n") != 0 &&
	    strstr(rep.file_error, "no column date") != NULL, "a missing required column refuses the file");
	CHECK(parse(a, "email,course,kind,date,email\n") != 0 &&
	    strstr(rep.file_error, "twice") != NULL, "a column named twice refuses the file");
	CHECK(parse(a, "") != 0 && strstr(rep.file_error, "empty") != NULL, "an empty file is refused");
	CHECK(parse(a, "email,course,kind,date\n\n,,,\n") != 0 &&
	    strstr(rep.file_error, "no rows") != NULL, "a header without rows is refused; blank rows are skipped");

	CHECK(parse(a, "email,course,kind,date\n\nzoe@esonr.example,GA\"LEN,attendance,2026-03-02\n") != 0 &&
	    rep.file_error_line == 3 && strstr(rep.file_error, "well-formed") != NULL,
	    "a stray quote refuses the file, naming its line");
	CHECK(parse(a, "email,course,kind,date\nzoe@esonr.example,\"GALEN,attendance,2026-03-02\n") != 0 &&
	    strstr(rep.file_error, "not closed") != NULL, "an unclosed quote refuses the file");
	CHECK(parse(a, "email,course,kind,date\n"
	    "\"zoe@esonr.example\",\"GA\nLEN\",attendance,2026-03-02\n"
	    "zoe@esonr.example,BAD CODE,attendance,2026-03-02\n") != 0 &&
	    rep.rows[0].line == 2 && rep.rows[1].line == 4,
	    "a line break inside quotes keeps the following line numbers right");
	CHECK(parse(a, "email,course,kind,date\nz\xC3\x28@esonr.example,GALEN,attendance,2026-03-02\n") != 0 &&
	    rep.file_error_line == 2 && strstr(rep.file_error, "UTF-8") != NULL,
	    "invalid UTF-8 refuses the file, naming its line");
	CHECK(import_parse(a, "email,course,kind,date\n\0", 24, &rep) != 0 &&
	    strstr(rep.file_error, "NUL") != NULL, "a NUL byte refuses the file");

	{
		struct buf b;
		buf_init(&b, a);
		buf_puts(&b, "email,course,kind,date\n");
		for (int i = 0; i <= IMPORT_MAX_ROWS; i++)
			buf_puts(&b, "zoe@esonr.example,GALEN,attendance,2026-03-02\n");
		CHECK(import_parse(a, b.data, b.len, &rep) != 0 && strstr(rep.file_error, "more than") != NULL,
		    "more than the row limit refuses the file");
		char *big = arena_zalloc(a, IMPORT_MAX_BYTES + 1);
		CHECK(import_parse(a, big, IMPORT_MAX_BYTES + 1, &rep) != 0 &&
		    strstr(rep.file_error, "2 MB") != NULL, "more than 2 MB refuses the file");
	}

	arena_free(a);
	CHECK_DONE();
}
