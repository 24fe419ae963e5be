/* esonrctl: the ESNR office's command line, reading the stack under $VAR. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "db/audit_anchor.h"
#include "db/certificate_issue.h"
#include "db/certificates.h"
#include "sign/signer_client.h"
#include "db/db.h"
#include "db/migrate.h"

struct command {
	const char *words[3];   /* the command's own words, e.g. { "user", "add" } */
	int positional;         /* how many further words it takes */
	const char *options[CLI_MAX_OPTS]; /* options it accepts, each with a value; "name!" is a flag */
	int (*run)(struct cli *c);
	const char *usage;
};

static const struct command commands[] = {
	{ { "migrate" }, 0, { NULL }, cmd_migrate, "migrate" },
	{ { "user", "add" }, 1, { "name", "role" }, cmd_user_add,
	  "user add EMAIL --name NAME --role candidate|examiner|admin   (password on stdin)" },
	{ { "user", "rename" }, 1, { "name" }, cmd_user_rename,
	  "user rename EMAIL --name NAME   (e.g. after marriage; then cert reissue)" },
	{ { "demo" }, 0, { NULL }, cmd_demo, "demo   (demo accounts and records; never in production)" },
	{ { "completion", "add" }, 2, { "date" }, cmd_completion_add,
	  "completion add EMAIL COURSE [--date YYYY-MM-DD]" },
	{ { "session", "add" }, 1, { "date", "location", "capacity", "opens", "closes", "cancel-until", "tz" },
	  cmd_session_add, "session add EXAM --date YYYY-MM-DD --location TEXT --capacity N "
	  "[--opens TS] [--closes TS] [--cancel-until TS] [--tz ZONE]" },
	{ { "session", "examiner" }, 2, { NULL }, cmd_session_examiner, "session examiner SESSION EMAIL" },
	{ { "session", "close" }, 1, { NULL }, cmd_session_close, "session close SESSION" },
	{ { "session", "roster" }, 1, { NULL }, cmd_session_roster, "session roster SESSION" },
	{ { "session", "publish" }, 1, { NULL }, cmd_session_publish, "session publish SESSION" },
	{ { "audit", "verify" }, 0, { NULL }, cmd_audit_verify, "audit verify" },
	{ { "audit", "anchor" }, 0, { "every" }, cmd_audit_anchor, "audit anchor [--every SECONDS]" },
	{ { "mail", "status" }, 0, { NULL }, cmd_mail_status,
	  "mail status   (the outbox: counts, then id kind to state tries written sent/next answer)" },
	{ { "mail", "retry" }, 1, { NULL }, cmd_mail_retry, "mail retry MESSAGE   (a failed one, same Message-ID)" },
	{ { "keygen" }, 0, { NULL }, cmd_keygen, "keygen   (a new signing key; the previous one is retired, its secret destroyed)" },
	{ { "key", "compromised" }, 1, { "reason" }, cmd_key_compromised,
	  "key compromised KEYID --reason TEXT   (its certificates stop verifying until reissued)" },
	{ { "cert", "revoke" }, 1, { "reason" }, cmd_cert_revoke, "cert revoke NUMBER --reason TEXT" },
	{ { "cert", "reissue" }, 1, { "reason" }, cmd_cert_reissue, "cert reissue NUMBER --reason TEXT" },
	{ { "cert", "verify" }, 1, { "key" }, cmd_cert_verify, "cert verify FILE.pdf [--key PUBKEYFILE|KEYLIST]" },
	{ { "cert", "verify-qr" }, 1, { "key" }, cmd_cert_verify_qr, "cert verify-qr TEXT [--key PUBKEYFILE|KEYLIST]" },
	{ { "import", "completions" }, 1, { "dry-run!" }, cmd_import_completions,
	  "import completions FILE.csv [--dry-run]   (columns: docs/import.md)" },
	{ { "import", "results" }, 2, { "examiner", "dry-run!" }, cmd_import_results,
	  "import results SESSION FILE.csv --examiner EMAIL [--dry-run]   (columns: docs/import.md)" },
	{ { "attestation", "add" }, 2, { "evidence-date", "checked-by" }, cmd_attestation_add,
	  "attestation add EMAIL KIND --evidence-date YYYY-MM-DD --checked-by OFFICE-EMAIL" },
};

const char *cli_opt(const struct cli *c, const char *name)
{
	for (int i = 0; i < c->nopts; i++)
		if (strcmp(c->opts[i].name, name) == 0)
			return c->opts[i].value;
	return NULL;
}

/* One line on stderr, then the exit code to return. */
static int say(int code, const char *fmt, va_list ap)
{
	fputs("esonrctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	return code;
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = say(CLI_USAGE, fmt, ap);
	va_end(ap);
	return rc;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = say(CLI_FAIL, fmt, ap);
	va_end(ap);
	return rc;
}

int cli_status(const char *cmd, enum db_status st, const struct refusal *ref)
{
	if (st == DB_OK)
		return CLI_OK;
	if (st != DB_REFUSED || ref == NULL || ref->text == NULL)
		return cli_fail("%s: %s", cmd, st == DB_REFUSED ? "refused" : db_error());
	/* The one mapping of a refusal to an exit code: a bad value given is a bad argument. */
	if (ref->kind == REFUSAL_BAD_FIELD)
		return cli_usage("%s: %s", cmd, ref->text);
	return cli_fail("%s: %s", cmd, ref->text);
}

/* The office's command line connects as the owner: role and key changes, which the
 * portal's role may not make, go through here (sql/040_least_privilege.sql). */
int cli_connect(struct cli *c)
{
	db_configure(c->cfg.db_admin);
	if (db_ensure() != 0)
		return cli_fail("cannot reach the database: %s", db_error());
	return CLI_OK;
}

char *cli_read_password(struct arena *a)
{
	char line[2048];
	if (fgets(line, sizeof line, stdin) == NULL)
		return NULL;
	line[strcspn(line, "\r\n")] = '\0';
	return arena_strdup(a, line);
}

int cmd_migrate(struct cli *c)
{
	db_configure(c->cfg.db_admin);
	if (db_ensure() != 0)
		return cli_fail("cannot reach the database as its owner: %s", db_error());
	return migrate_apply(c->cfg.sql_dir, stdout, stderr) == 0 ? CLI_OK : CLI_FAIL;
}

static void print_usage(FILE *f)
{
	fputs("usage: esonrctl [--var DIR] COMMAND ...\ncommands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %s\n", commands[i].usage);
}

static int word_count(const struct command *cmd)
{
	int n = 0;
	while (n < 3 && cmd->words[n] != NULL)
		n++;
	return n;
}

/* 0: not accepted; 1: takes a value; 2: a flag, which takes none. */
static int accepts(const struct command *cmd, const char *opt)
{
	size_t n = strlen(opt);
	if (strchr(opt, '!') != NULL)
		return 0;
	for (int i = 0; i < CLI_MAX_OPTS && cmd->options[i] != NULL; i++) {
		const char *o = cmd->options[i];
		if (strncmp(o, opt, n) == 0 && o[n] == '\0')
			return 1;
		if (strncmp(o, opt, n) == 0 && o[n] == '!' && o[n + 1] == '\0')
			return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *var = NULL;
	const char *args[64];
	int nargs = 0;

	/* --var DIR may stand anywhere; everything else is kept in order. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--var") == 0) {
			if (i + 1 >= argc)
				return cli_usage("--var needs a directory");
			var = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_usage(stdout);
			return CLI_OK;
		} else if (nargs < 64) {
			args[nargs++] = argv[i];
		} else {
			return cli_usage("too many arguments");
		}
	}
	if (nargs == 0) {
		print_usage(stderr);
		return CLI_USAGE;
	}

	const struct command *cmd = NULL;
	int nw = 0;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		int n = word_count(&commands[i]);
		if (n > nargs)
			continue;
		int same = 1;
		for (int w = 0; w < n; w++)
			same = same && strcmp(args[w], commands[i].words[w]) == 0;
		if (same && n > nw) {
			cmd = &commands[i];
			nw = n;
		}
	}
	if (cmd == NULL) {
		cli_usage("unknown command '%s' (esonrctl --help lists them)", args[0]);
		return CLI_USAGE;
	}

	struct cli c;
	memset(&c, 0, sizeof c);
	for (int i = nw; i < nargs; i++) {
		if (strncmp(args[i], "--", 2) == 0) {
			const char *name = args[i] + 2;
			int takes = accepts(cmd, name);
			if (!takes)
				return cli_usage("%s: unknown option --%s (usage: %s)", cmd->words[0], name, cmd->usage);
			if (takes == 1 && i + 1 >= nargs)
				return cli_usage("option --%s needs a value", name);
			if (cli_opt(&c, name) != NULL)
				return cli_usage("option --%s given twice", name);
			c.opts[c.nopts].name = name;
			c.opts[c.nopts++].value = takes == 2 ? "yes" : args[++i];
		} else if (c.nwords < cmd->positional) {
			c.words[c.nwords++] = args[i];
		} else {
			return cli_usage("unexpected argument '%s' (usage: %s)", args[i], cmd->usage);
		}
	}
	if (c.nwords < cmd->positional)
		return cli_usage("missing argument (usage: %s)", cmd->usage);

	char err[512];
	if (config_load(&c.cfg, var, err, sizeof err) != 0)
		return cli_fail("%s", err);
	c.arena = arena_new();
	db_log_errors(0);
	certificates_configure(c.cfg.base_url, c.cfg.keys, NULL, NULL);
	audit_anchor_configure(arena_printf(c.arena, "%s/anchor", c.cfg.var));
	signer_configure(c.cfg.signer_socket);
	int rc = cmd->run(&c);
	arena_free(c.arena);
	db_close();
	return rc;
}
