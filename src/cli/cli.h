/* esonrctl's shared pieces: the parsed command line and its helpers. */
#ifndef ESONR_CLI_H
#define ESONR_CLI_H
#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"
#include "domain/user.h"

#define CLI_MAX_WORDS 8
#define CLI_MAX_OPTS 8

/* Exit codes: 0 done, 1 refused or failed, 2 bad arguments (nothing written). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

struct cli_opt {
	const char *name; /* without the leading "--" */
	const char *value;
};

struct cli {
	struct config cfg;
	struct arena *arena;
	const char *words[CLI_MAX_WORDS]; /* the positional words after the command's own */
	int nwords;
	struct cli_opt opts[CLI_MAX_OPTS];
	int nopts;
};

/* Value of --name, or NULL. */
const char *cli_opt(const struct cli *c, const char *name);
/* Prints "esonrctl: message" to stderr, returns CLI_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* How a library call ended, for the command cmd ("session close"): CLI_OK; a refusal's
 * text on stderr with exit 2 for a bad field, 1 for the other kinds; 1 for a database
 * error. The one place refusals become exit codes. */
int cli_status(const char *cmd, enum db_status st, const struct refusal *ref);
/* Connects with the application role; CLI_OK or CLI_FAIL with a message. */
int cli_connect(struct cli *c);
/* Reads a password from stdin up to the first newline. NULL on error. */
char *cli_read_password(struct arena *a);

/* Hashes the password and creates the account (user add, demo): prints nothing. */
int cli_user_create(struct cli *c, const char *email, const char *name, enum role role,
    const char *password, long long *id);

int cmd_migrate(struct cli *c);
int cmd_user_add(struct cli *c);
int cmd_user_rename(struct cli *c);
int cmd_demo(struct cli *c);
int cmd_session_add(struct cli *c);
int cmd_session_examiner(struct cli *c);
int cmd_session_close(struct cli *c);
int cmd_session_roster(struct cli *c);
int cmd_completion_add(struct cli *c);
int cmd_session_publish(struct cli *c);
int cmd_audit_verify(struct cli *c);
int cmd_audit_anchor(struct cli *c);
int cmd_keygen(struct cli *c);
int cmd_key_compromised(struct cli *c);
int cmd_cert_revoke(struct cli *c);
int cmd_cert_reissue(struct cli *c);
int cmd_cert_verify(struct cli *c);
int cmd_cert_verify_qr(struct cli *c);
int cmd_import_completions(struct cli *c);
int cmd_import_results(struct cli *c);
int cmd_attestation_add(struct cli *c);
int cmd_mail_status(struct cli *c);
int cmd_mail_retry(struct cli *c);

#endif
