/* esonrctl mail status | retry: the office's outbox page on the command line. */
#include <stdio.h>

#include "cli/cli.h"
#include "db/outbox.h"

int cmd_mail_status(struct cli *c)
{
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	struct outbox_counts n;
	struct outbox_row *rows;
	struct unconfirmed_row *un;
	size_t nrows, nun;
	if (outbox_status(c->arena, &n, &rows, &nrows, 200) != DB_OK ||
	    outbox_unconfirmed(c->arena, &un, &nun, 200) != DB_OK)
		return cli_fail("mail status: %s", db_error());
	printf("queued %lld, sending %lld, sent %lld, failed %lld\n", n.queued, n.sending, n.sent,
	    n.failed);
	for (size_t i = 0; i < nrows; i++) {
		const struct outbox_row *r = &rows[i];
		/* One line per message, tab-separated: id kind to state tries written sent-or-next answer */
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r->id, r->kind, r->to_addr, r->state, r->attempts,
		    r->created, r->sent[0] ? r->sent : (r->next_attempt[0] ? r->next_attempt : "-"),
		    r->last_error[0] ? r->last_error : "-");
	}
	printf("unconfirmed addresses: %zu\n", nun);
	for (size_t i = 0; i < nun; i++)
		printf("%s\t%s\t%s\tregistered %s\n", un[i].id, un[i].email, un[i].full_name,
		    un[i].registered);
	return CLI_OK;
}

int cmd_mail_retry(struct cli *c)
{
	const char *id = c->words[0];
	for (const char *p = id; *p; p++)
		if (*p < '0' || *p > '9' || p - id > 17)
			return cli_usage("mail retry: not a message id: %s", id);
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	struct refusal ref = { 0 };
	if ((rc = cli_status("mail retry", outbox_retry(c->arena, id, NULL, &ref), &ref)) != CLI_OK)
		return rc;
	printf("message %s queued again\n", id);
	return CLI_OK;
}
