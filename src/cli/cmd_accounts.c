/* esonrctl user add, demo. */
#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/account.h"
#include "web/http.h"

/* Creates the user; *id receives the new id. CLI_OK, CLI_FAIL (exists, database). */
static int user_create(struct cli *c, const char *email, const char *name, const char *role,
    const char *password, long long *id)
{
	char hash[crypto_pwhash_STRBYTES];
	enum db_status st;
	if (password_init() != 0 || password_hash(hash, password) != 0)
		return cli_fail("could not hash the password");
	PGresult *r = db_query(c->arena, &st,
	    "INSERT INTO users (email, full_name, role, password_hash) VALUES ($1, $2, $3, $4)"
	    " RETURNING id", 4, email, name, role, hash);
	if (st == DB_CONFLICT)
		return cli_fail("a user with e-mail %s already exists", email);
	if (st != DB_OK)
		return cli_fail("%s", db_error());
	*id = db_int(r, 0, 0);
	return CLI_OK;
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
	if (name == NULL)
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
	if (rc == CLI_OK && (rc = user_create(c, email, name, role_in, password, &id)) == CLI_OK)
		printf("%lld\n", id);
	return rc;
}

/* The demo accounts of `make run`: one per role, and candidates at different stages. */
static const struct demo_user {
	const char *email, *name, *role;
} demo_users[] = {
	{ "office@esonr.example", "ESNR Office", "admin" },
	{ "examiner@esonr.example", "Prof. Giulia Ferrari", "examiner" },
	{ "zoe@esonr.example", "Zoë Łukasiewicz-Ørsted", "candidate" },
	{ "nikos@esonr.example", "Νίκος Παπαδόπουλος", "candidate" },
};
#define DEMO_PASSWORD "esonr-demo"

int cmd_demo(struct cli *c)
{
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	printf("Demo logins (password for all: %s):\n", DEMO_PASSWORD);
	for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0]; i++) {
		const struct demo_user *u = &demo_users[i];
		enum db_status st;
		PGresult *r = db_query(c->arena, &st, "SELECT id FROM users WHERE email = $1", 1, u->email);
		if (st != DB_OK)
			return cli_fail("%s", db_error());
		long long id;
		if (db_rows(r) == 0 &&
		    (rc = user_create(c, u->email, u->name, u->role, DEMO_PASSWORD, &id)) != CLI_OK)
			return rc;
		printf("  %-9s %s  (%s)\n", u->role, u->email, u->name);
	}
	return CLI_OK;
}
