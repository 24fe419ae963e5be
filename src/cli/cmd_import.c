/* esonrctl import completions, import results, attestation add. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "cli/cli.h"
#include "core/datetime.h"
#include "db/db.h"
#include "db/import.h"
#include "db/import_results.h"
#include "db/records.h"
#include "db/users.h"
#include "domain/account.h"
#include "domain/valid.h"

static const char *kind_text(const struct import_row *r)
{
	return r->kind_text[0] != '\0' ? r->kind_text : "-";
}

/* The file, NUL-terminated; one byte more than max is enough to know it is too large.
 * NULL with errno when it cannot be read. */
static char *read_file(struct arena *a, const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *data = arena_alloc(a, max + 2);
	*len = fread(data, 1, max + 1, f);
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		errno = EIO;
		return NULL;
	}
	data[*len] = '\0';
	return data;
}

int cmd_import_completions(struct cli *c)
{
	const char *path = c->words[0];
	int dry_run = cli_opt(c, "dry-run") != NULL;
	size_t len;
	char *data = read_file(c->arena, path, IMPORT_MAX_BYTES, &len);
	if (data == NULL)
		return cli_usage("import completions: cannot read %s: %s", path, strerror(errno));

	struct import_report rep;
	if (import_parse(c->arena, data, len, &rep) == 0) {
		int rc = cli_connect(c);
		if (rc != CLI_OK)
			return rc;
		enum db_status st = import_run(c->arena, &rep, NULL, dry_run);
		if (st != DB_OK)
			return cli_fail("import completions: %s", db_error());
	}
	for (int i = 0; i < rep.nrows; i++) {
		const struct import_row *r = &rep.rows[i];
		const char *what = r->error != NULL ? arena_printf(c->arena, "error: %s", r->error) :
		    r->message != NULL ? r->message : "valid";
		printf("line %d: %s %s %s: %s\n", r->line, r->email[0] ? r->email : "-",
		    r->course[0] ? r->course : "-", kind_text(r), what);
	}
	printf("%s\n", import_summary(c->arena, &rep));
	return rep.file_error != NULL || rep.errors > 0 ? CLI_FAIL : CLI_OK;
}

int cmd_import_results(struct cli *c)
{
	const char *session = c->words[0], *path = c->words[1];
	int dry_run = cli_opt(c, "dry-run") != NULL;
	if (!text_is_id(session))
		return cli_usage("import results: SESSION must be a session id");
	const char *why, *given = cli_opt(c, "examiner");
	if (given == NULL)
		return cli_usage("import results: --examiner EMAIL is required: the marks are entered "
		    "in the name of an examiner assigned to the session");
	const char *email = email_normalise(c->arena, given, &why);
	if (email == NULL)
		return cli_usage("import results: --examiner: %s", why);
	size_t len;
	char *data = read_file(c->arena, path, RESULTS_IMPORT_MAX_BYTES, &len);
	if (data == NULL)
		return cli_usage("import results: cannot read %s: %s", path, strerror(errno));

	struct results_import rep;
	results_import_parse(c->arena, data, len, &rep);
	if (rep.file_error == NULL) {
		int rc = cli_connect(c);
		if (rc != CLI_OK)
			return rc;
		const char *examiner;
		enum db_status st = user_find_in_role(c->arena, email, ROLE_EXAMINER, &examiner);
		if (st != DB_OK)
			return cli_fail("import results: %s", db_error());
		if (examiner == NULL)
			return cli_fail("import results: %s is not an examiner's account", email);
		/* Rows are checked against the roster even when some are invalid: every error at once. */
		st = results_import_run(c->arena, &rep, session, examiner, dry_run);
		if (st != DB_OK)
			return cli_fail("import results: %s", db_error());
	}
	for (int i = 0; i < rep.nrows; i++) {
		const struct results_import_row *r = &rep.rows[i];
		const char *what = r->error != NULL ? arena_printf(c->arena, "error: %s", r->error) :
		    r->message != NULL ? r->message : "valid";
		const char *line = r->line > 0 ? arena_printf(c->arena, "%d", r->line) : "-";
		printf("line %s: %s: %s\n", line, results_import_row_name(c->arena, r), what);
	}
	printf("%s\n", results_import_summary(c->arena, &rep));
	return rep.file_error != NULL || rep.refused.kind != REFUSAL_NONE || rep.errors > 0 ? CLI_FAIL : CLI_OK;
}

int cmd_attestation_add(struct cli *c)
{
	const char *why;
	const char *email = email_normalise(c->arena, c->words[0], &why);
	if (email == NULL)
		return cli_usage("attestation add: %s", why);
	const char *kind = c->words[1];
	if (!valid_code(kind))
		return cli_usage("attestation add: KIND is a code like RADIOLOGIST-2Y or ESNR-MEMBER");
	const char *date = cli_opt(c, "evidence-date");
	if (date == NULL || !date_valid(date))
		return cli_usage("attestation add: --evidence-date must be a date like 2025-09-01");
	if (cli_opt(c, "checked-by") == NULL)
		return cli_usage("attestation add: --checked-by EMAIL (the office member who checked "
		    "the evidence) is required");
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;

	/* Who checked the evidence is part of the record: the office member says so. */
	const char *checker_in = cli_opt(c, "checked-by");
	const char *checker;
	enum db_status st = user_find_in_role(c->arena, checker_in, ROLE_ADMIN, &checker);
	if (st != DB_OK)
		return cli_fail("%s", db_error());
	if (checker == NULL)
		return cli_fail("attestation add: %s is not an office (admin) account", checker_in);
	const char *user_id;
	struct record_result res = { 0 };
	if ((st = candidate_find(c->arena, email, &user_id, &res)) == DB_OK)
		st = attestation_record(c->arena, user_id, kind, date, checker, &res);
	if ((rc = cli_status("attestation add", st, &res.refusal)) == CLI_OK)
		printf("%s\n", res.message);
	return rc;
}
