/* esonrctl user add | rename. */
#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "cli/cli.h"
#include "db/certificate_issue.h"
#include "db/db.h"
#include "db/users.h"
#include "domain/account.h"
#include "domain/user.h"

int cli_user_create(struct cli *c, const char *email, const char *name, enum role role,
    const char *password, long long *id)
{
	char hash[crypto_pwhash_STRBYTES];
	password_configure(c->cfg.password_test_cost);
	if (password_init() != 0 || password_hash(hash, password) != 0)
		return cli_fail("could not hash the password");
	struct refusal ref = { 0 };
	return cli_status("user add", user_create(c->arena, email, name, role, hash, id, &ref), &ref);
}

int cmd_user_add(struct cli *c)
{
	const char *why;
	enum role role;
	char *email = email_normalise(c->arena, c->words[0], &why);
	if (email == NULL)
		return cli_usage("user add: %s", why);
	const char *name_in = cli_opt(c, "name"), *role_in = cli_opt(c, "role");
	if (name_in == NULL || role_in == NULL)
		return cli_usage("user add: --name and --role are required");
	char *name = name_normalise(c->arena, name_in, &why);
	if (name == NULL || (why = holder_name_problem(c->arena, name)) != NULL)
		return cli_usage("user add: %s", why);
	if (role_parse(role_in, &role) != 0)
		return cli_usage("user add: --role must be candidate, examiner or admin");
	char *password = cli_read_password(c->arena);
	if (password == NULL)
		return cli_usage("user add: give the password on standard input");
	if ((why = password_problem(password)) != NULL)
		return cli_usage("user add: %s", why);

	int rc = cli_connect(c);
	long long id;
	if (rc == CLI_OK && (rc = cli_user_create(c, email, name, role, password, &id)) == CLI_OK)
		printf("%lld\n", id);
	return rc;
}

int cmd_user_rename(struct cli *c)
{
	const char *why;
	char *email = email_normalise(c->arena, c->words[0], &why);
	if (email == NULL)
		return cli_usage("user rename: %s", why);
	const char *name_in = cli_opt(c, "name");
	if (name_in == NULL)
		return cli_usage("user rename: --name NAME is required");
	char *name = name_normalise(c->arena, name_in, &why);
	if (name == NULL || (why = holder_name_problem(c->arena, name)) != NULL)
		return cli_usage("user rename: %s", why);
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	const char *id;
	enum db_status st = user_find(c->arena, email, &id);
	if (st == DB_OK && id == NULL)
		return cli_fail("no user with e-mail %s", email);
	struct refusal ref = { 0 };
	if (st == DB_OK)
		st = user_rename(c->arena, id, name, NULL, &ref);
	if ((rc = cli_status("user rename", st, &ref)) != CLI_OK)
		return rc;
	printf("%s is now registered as %s; reissue their certificates to carry the new name\n", email, name);
	return CLI_OK;
}
