/* esonrctl audit anchor: the audit chain's head signed outside PostgreSQL (db/audit_anchor.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "db/audit_anchor.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int anchor_once(struct cli *c)
{
	struct anchor_info info;
	char err[512];
	if (db_ensure() != 0) {
		fprintf(stderr, "esonrctl: audit anchor: cannot reach the database: %s\n", db_error());
		return CLI_FAIL;
	}
	if (audit_anchor_write(c->arena, &info, err, sizeof err) != 0) {
		fprintf(stderr, "esonrctl: audit anchor: %s\n", err);
		return CLI_FAIL;
	}
	if (info.unchanged)
		printf("audit log unchanged since the anchor of %s (entry %lld)\n", info.at, info.last_id);
	else
		printf("audit log anchored at %s: entry %lld, head %.16s…, %lld new entr%s\n", info.at,
		    info.last_id, info.head, info.entries, info.entries == 1 ? "y" : "ies");
	fflush(stdout);
	arena_reset(c->arena);
	return CLI_OK;
}

/* Anchoring only reads the log: it connects as the portal's role, so that the stack's
 * unprivileged user (which holds the anchor key) runs it periodically with --every. */
int cmd_audit_anchor(struct cli *c)
{
	const char *every = cli_opt(c, "every");
	long seconds = 0;
	if (every) {
		char *end;
		seconds = strtol(every, &end, 10);
		if (*every == '\0' || *end != '\0' || seconds < 1 || seconds > 86400)
			return cli_usage("audit anchor: --every takes a number of seconds (1 to 86400)");
	}
	db_configure(c->cfg.db);
	if (!every)
		return anchor_once(c);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop_requested) {
		anchor_once(c); /* a failure is logged; the next round tries again */
		for (long i = 0; i < seconds && !stop_requested; i++)
			sleep(1);
	}
	return CLI_OK;
}
