/* esonrctl import completions, attestation add. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/datetime.h"
#include "db/db.h"
#include "db/import.h"
#include "db/records.h"
#include "domain/account.h"

static const char *kind_text(const struct import_row *r)
{
	return r->kind_text[0] != '\0' ? r->kind_text : "-";
}

int cmd_import_completions(struct cli *c)
{
	const char *path = c->words[0];
	int dry_run = cli_opt(c, "dry-run") != NULL;
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return cli_usage("import completions: cannot read %s: %s", path, strerror(errno));
	/* One byte more than the limit is enough to know the file is too large. */
	char *data = arena_alloc(c->arena, IMPORT_MAX_BYTES + 2);
	size_t len = fread(data, 1, IMPORT_MAX_BYTES + 1, f);
	int failed = ferror(f);
	fclose(f);
	if (failed)
		return cli_usage("import completions: cannot read %s", path);
	data[len] = '\0';

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

static int kind_code_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 30)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

int cmd_attestation_add(struct cli *c)
{
	const char *why;
	const char *email = email_normalise(c->arena, c->words[0], &why);
	if (email == NULL)
		return cli_usage("attestation add: %s", why);
	const char *kind = c->words[1];
	if (!kind_code_valid(kind))
		return cli_usage("attestation add: KIND is a code like RADIOLOGIST-2Y or ESNR-MEMBER");
	const char *date = cli_opt(c, "evidence-date");
	if (date == NULL || !date_valid(date))
		return cli_usage("attestation add: --evidence-date must be a date like 2025-09-01");
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;

	/* attestations.checked_by is NOT NULL and the CLI has no user: the office's first
	 * admin account answers for it. */
	enum db_status st;
	PGresult *adm = db_query(c->arena, &st,
	    "SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1", 0);
	if (st != DB_OK)
		return cli_fail("%s", db_error());
	if (db_rows(adm) != 1)
		return cli_fail("attestation add: there is no admin account to record as the checker; "
		    "add one with esonrctl user add");
	const char *user_id;
	struct record_result res = { 0, NULL };
	if ((st = candidate_find(c->arena, email, &user_id, &res)) == DB_OK)
		st = attestation_record(c->arena, user_id, kind, date, db_val(adm, 0, 0), &res);
	if (st == DB_REFUSED && strncmp(res.message, "unknown attestation", 19) == 0)
		return cli_usage("attestation add: %s", res.message);
	if (st == DB_REFUSED)
		return cli_fail("%s", res.message);
	if (st != DB_OK)
		return cli_fail("%s", db_error());
	printf("%s\n", res.message);
	return CLI_OK;
}
